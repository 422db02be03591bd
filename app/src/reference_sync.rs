//! The reference release the office offers at docking (共有データベースの
//! 更新): fetched on a connection of its own after a sync whose `Welcome`
//! named a newer version than the one in use here, and installed only when
//! the publisher's signature holds and it is newer
//! (`tsunagi_core::link::reference`).

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use tsunagi_core::link::reference::Assembler;
use tsunagi_core::link::wire::{Frame, Message};
use tsunagi_core::link::{Fingerprint, TlsIdentity};
use tsunagi_core::reference::{ReferenceDb, ReferenceVersion, Trust};

use crate::sync::{connect, endpoint, read_frame};

/// How long fetching a release may take in all.
const LIMIT: Duration = Duration::from_secs(60);

/// Fetches the companion's reference release and installs it in the data
/// folder `data_dir`; the version now in use.
pub(crate) async fn fetch_and_install(
    identity: &TlsIdentity,
    companion: Fingerprint,
    addr: SocketAddr,
    data_dir: &Path,
    trust: &Trust,
) -> anyhow::Result<ReferenceVersion> {
    let received = tokio::time::timeout(LIMIT, fetch(identity, companion, addr))
        .await
        .map_err(|_| anyhow!("事務所PCから共有データベースが届きませんでした (the reference release did not arrive in time)"))??;
    let db = tokio::task::block_in_place(|| received.install(data_dir, trust)).context(
        "事務所PCの共有データベースを取り込めませんでした (the office's reference release was not installed)",
    )?;
    Ok(db.version().clone())
}

async fn fetch(
    identity: &TlsIdentity,
    companion: Fingerprint,
    addr: SocketAddr,
) -> anyhow::Result<Assembler> {
    let endpoint = endpoint(identity, companion, addr)?;
    let conn = connect(&endpoint, addr).await.map_err(|f| match f {
        crate::sync::Failure::Cut(e)
        | crate::sync::Failure::Unreachable(e)
        | crate::sync::Failure::Fatal(e) => e,
    })?;
    let result = async {
        let (mut send, mut recv) = conn.open_bi().await.context("通信が切れました (the link was cut)")?;
        send.write_all(&Frame::Message(Message::ReferenceWanted).encode())
            .await
            .context("通信が切れました (the link was cut)")?;
        match read_frame(&mut recv).await? {
            Some(Frame::Message(Message::Welcome { .. })) => {}
            Some(Frame::Message(Message::Refused { reason })) => {
                bail!("事務所PCがこの端末を受け付けませんでした (the companion refused this tablet): {reason}")
            }
            _ => bail!("the companion answered with something unexpected"),
        }
        let mut assembler = Assembler::new();
        loop {
            match read_frame(&mut recv).await? {
                Some(Frame::Message(Message::ReferencePiece {
                    file,
                    offset,
                    total,
                    data,
                })) => assembler.add(&file, offset, total, &data)?,
                Some(Frame::Message(Message::Done)) => break,
                _ => bail!("the companion sent something other than its reference release"),
            }
        }
        let _ = send.finish();
        Ok(assembler)
    }
    .await;
    conn.close(0u32.into(), b"bye");
    let _ = tokio::time::timeout(Duration::from_secs(2), endpoint.wait_idle()).await;
    result
}

/// The reference release in use in the data folder `data_dir`.
pub(crate) fn in_use(data_dir: &Path, trust: &Trust) -> anyhow::Result<ReferenceVersion> {
    let update = data_dir.join(tsunagi_core::reference::UPDATE_FOLDER);
    Ok(ReferenceDb::load_with(Some(&update), trust)?
        .version()
        .clone())
}
