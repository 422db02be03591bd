//! Receiving from the office (事務所PCから受け取る): a replaced tablet asks
//! the paired companion for the cases the office handed to it and takes
//! them, with their history, photos and video, driving the sans-IO
//! [`Receiver`] from `tsunagi_core::link` with the roles of a sync turned.
//!
//! Resumable like a sync: each bundle arrives in `inbox/office/ID.part`, a
//! cut link is retried with growing waits ([`Backoff`], as a sync does), and the companion's next offer is
//! answered from the partial file's length, so a killed or cut transfer
//! resumes where it stopped. Only a bundle imported whole is acknowledged.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use tsunagi_core::link::wire::{Frame, Message};
use tsunagi_core::link::{Progress, Receiver, ReceiverEvent};
use tsunagi_core::seal::BundleId;
use tsunagi_core::store::Store;
use tsunagi_core::store::sync::{Imported, file_sha256};

use crate::sync::{
    Backoff, Failure, companion, connect, endpoint, link_cut, read_frame, runtime, write,
};

/// What receiving from the office did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReceiveReport {
    /// Cases taken onto this tablet.
    pub cases: usize,
    /// Bundles imported.
    pub bundles: usize,
    /// Bundle bytes received (resumed bytes not counted again).
    pub bytes: u64,
}

/// The folder partial bundles from the office wait in.
fn partial_dir(store: &Store) -> PathBuf {
    store.inbox_dir().join("office")
}

fn partial_file(store: &Store, bundle: BundleId) -> PathBuf {
    partial_dir(store).join(format!("{bundle}.part"))
}

/// Receives every case the office handed to this tablet, retrying a cut
/// link as a sync does ([`Backoff`]). `on_bytes` is told the bytes
/// received so far and the size of the bundle being received.
pub fn receive_from_office(
    store: &mut Store,
    on_bytes: &mut dyn FnMut(u64, u64),
) -> anyhow::Result<ReceiveReport> {
    let (peer, addr) = companion(store)?;
    let identity = store.device_identity()?;
    let mut report = ReceiveReport::default();
    runtime()?.block_on(async {
        let mut backoff = Backoff::new();
        loop {
            let attempt = async {
                let endpoint =
                    endpoint(&identity.tls, peer.fingerprint, addr).map_err(Failure::Fatal)?;
                let conn = connect(&endpoint, addr).await?;
                let result = session(store, &conn, &mut report, on_bytes).await;
                conn.close(0u32.into(), b"bye");
                let _ = tokio::time::timeout(Duration::from_secs(2), endpoint.wait_idle()).await;
                result
            };
            let e = match attempt.await {
                Ok(()) => return Ok(report),
                Err(failure) => backoff.counted(failure)?,
            };
            backoff.pause(&e).await;
        }
    })
}

async fn session(
    store: &mut Store,
    conn: &quinn::Connection,
    report: &mut ReceiveReport,
    on_bytes: &mut dyn FnMut(u64, u64),
) -> Result<(), Failure> {
    let cut = Failure::Cut;
    let (mut send, mut recv) = conn.open_bi().await.map_err(link_cut)?;
    write(&mut send, &Frame::Message(Message::Fetch).encode()).await?;
    match read_frame(&mut recv).await.map_err(cut)? {
        Some(Frame::Message(Message::Welcome { .. })) => {}
        Some(Frame::Message(Message::Refused { reason })) => {
            return Err(Failure::Fatal(anyhow!(
                "事務所PCがこの端末を受け付けませんでした (the companion refused this tablet): {reason}"
            )));
        }
        None => return Err(cut(anyhow!("the companion closed the link"))),
        Some(_) => {
            return Err(Failure::Fatal(anyhow!(
                "the companion answered with something unexpected"
            )));
        }
    }
    let fatal = |e: anyhow::Error| Failure::Fatal(e);
    let mut receiver = Receiver::new();
    let mut open: Option<(BundleId, File)> = None;
    let mut size = 0;
    loop {
        let frame = match read_frame(&mut recv).await.map_err(cut)? {
            Some(frame) => frame,
            None => return Err(cut(anyhow!("the companion closed the link"))),
        };
        let now = Instant::now();
        let handled = match frame {
            Frame::Message(m) => receiver.handle_message(now, m),
            Frame::Chunk(c) => receiver.handle_chunk(now, c),
        };
        handled.map_err(|e| fatal(e.into()))?;
        while let Some(event) = receiver.poll_event() {
            match event {
                ReceiverEvent::Offered { bundle, size: s } => {
                    size = s;
                    let progress = if store.bundle_imported(bundle).map_err(|e| fatal(e.into()))? {
                        Progress::Imported
                    } else {
                        let held = fs::metadata(partial_file(store, bundle)).map_or(0, |m| m.len());
                        if held > 0 {
                            eprintln!("tsunagi: resuming from byte {held}");
                        }
                        on_bytes(held, size);
                        Progress::Partial(held)
                    };
                    receiver.progress(bundle, progress);
                }
                ReceiverEvent::Write(chunk) => {
                    let file = match &mut open {
                        Some((id, file)) if *id == chunk.bundle => file,
                        _ => {
                            fs::create_dir_all(partial_dir(store)).map_err(|e| fatal(e.into()))?;
                            let file = OpenOptions::new()
                                .create(true)
                                .append(true)
                                .open(partial_file(store, chunk.bundle))
                                .context("could not write the received cases to this tablet")
                                .map_err(fatal)?;
                            &mut open.insert((chunk.bundle, file)).1
                        }
                    };
                    file.write_all(&chunk.data)
                        .context("could not write the received cases to this tablet (is it full?)")
                        .map_err(fatal)?;
                    report.bytes += chunk.data.len() as u64;
                    on_bytes(chunk.offset + chunk.data.len() as u64, size);
                }
                ReceiverEvent::Discard { bundle } => {
                    open = None;
                    let file =
                        File::create(partial_file(store, bundle)).map_err(|e| fatal(e.into()))?;
                    drop(file);
                }
                ReceiverEvent::Complete {
                    bundle,
                    size,
                    sha256,
                } => {
                    if let Some((_, file)) = open.take() {
                        file.sync_all().map_err(|e| fatal(e.into()))?;
                    }
                    let path = partial_file(store, bundle);
                    let (len, hash) = file_sha256(&path).unwrap_or((0, [0; 32]));
                    let result = if len != size || hash != sha256 {
                        Err("the received file does not match its checksum".to_owned())
                    } else {
                        File::open(&path)
                            .map_err(anyhow::Error::from)
                            .and_then(|f| Ok(store.import_from_office(f)?))
                            .map_err(|e| format!("{e:#}"))
                    };
                    let _ = fs::remove_file(&path);
                    match result {
                        Ok(imported) => {
                            if let Imported::Now(n) = imported {
                                report.cases += n;
                            }
                            report.bundles += 1;
                            receiver.imported(bundle);
                        }
                        Err(reason) => {
                            eprintln!("tsunagi: refused what the office sent: {reason}");
                            receiver.rejected(bundle, reason);
                        }
                    }
                }
                ReceiverEvent::Finished => {
                    let _ = send.finish();
                    return Ok(());
                }
            }
        }
        while let Some(m) = receiver.poll_transmit() {
            write(&mut send, &Frame::Message(m).encode()).await?;
        }
    }
}
