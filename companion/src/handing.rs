//! Sending a replaced tablet its cases (端末の交換): on a tablet's `Fetch`,
//! the companion seals the cases the office handed to that tablet
//! ([`Store::seal_handed_over_for`]) and sends them, driving the sans-IO
//! [`Sender`] from `tsunagi_core::link` with the roles of a sync turned. A
//! bundle is marked delivered only on the tablet's acknowledgement; one
//! still waiting is offered again first, and the tablet's answer says where
//! to resume.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::time::Instant;

use anyhow::{Context, bail};
use tsunagi_core::link::wire::{self, Frame};
use tsunagi_core::link::{Sender, SenderEvent, Transmit};
use tsunagi_core::seal::BundleId;
use tsunagi_core::store::Store;
use tsunagi_core::store::sync::Peer;

use crate::link::{Session, read_frame, write_message};

/// Sends `tablet` every case handed to it, then `Done`.
pub async fn send_handed_over(
    store: &mut Store,
    tablet: &Peer,
    mut send: quinn::SendStream,
    mut recv: quinn::RecvStream,
) -> anyhow::Result<Session> {
    tokio::task::block_in_place(|| store.seal_handed_over_for(tablet))?;
    let pending = store.pending_bundles(&tablet.fingerprint)?;
    let files: HashMap<BundleId, std::path::PathBuf> = pending
        .iter()
        .map(|p| (p.outgoing.id, p.file.clone()))
        .collect();
    let mut sender = Sender::new(pending.iter().map(|p| p.outgoing).collect(), Instant::now());
    // Frames are read on their own task: a read cut short by a timeout
    // would lose its place in the stream.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let reader = tokio::spawn(async move {
        loop {
            let item = read_frame(&mut recv).await;
            let end = !matches!(item, Ok(Some(_)));
            if tx.send(item).is_err() || end {
                break;
            }
        }
    });
    let mut open: Option<(BundleId, File)> = None;
    let mut session = Session::default();
    let started = Instant::now();
    let result = loop {
        while let Some(event) = sender.poll_event() {
            match event {
                SenderEvent::Delivered(id) => {
                    store.mark_delivered(id)?;
                    session.imported += 1;
                }
                SenderEvent::Rejected(id, reason) => {
                    println!("the tablet refused bundle {id}: {reason}");
                    store.forget_bundle(id)?;
                    session.refused += 1;
                }
                SenderEvent::Finished => {}
            }
        }
        if let Some(t) = sender.poll_transmit(Instant::now()) {
            match t {
                Transmit::Message(m) => write_message(&mut send, m).await?,
                Transmit::Chunk {
                    bundle,
                    offset,
                    len,
                } => {
                    let file = match &mut open {
                        Some((id, file)) if *id == bundle => file,
                        _ => {
                            let path = files.get(&bundle).context("an unknown bundle")?;
                            let file = File::open(path).context("a sealed bundle is missing")?;
                            &mut open.insert((bundle, file)).1
                        }
                    };
                    let mut data = vec![0u8; len as usize];
                    file.seek(SeekFrom::Start(offset))?;
                    file.read_exact(&mut data)?;
                    send.write_all(&wire::chunk_header(bundle, offset, data.len()))
                        .await
                        .context("the link was cut")?;
                    send.write_chunk(bytes::Bytes::from(data))
                        .await
                        .context("the link was cut")?;
                }
            }
            continue;
        }
        if sender.is_finished() {
            break Ok(());
        }
        let deadline = sender.poll_timeout();
        tokio::select! {
            item = rx.recv() => match item {
                Some(Ok(Some(Frame::Message(m)))) => sender.handle_message(Instant::now(), m)?,
                Some(Ok(Some(Frame::Chunk(_)))) => break Err(anyhow::anyhow!("the tablet sent data it should not")),
                Some(Err(e)) => break Err(e),
                Some(Ok(None)) | None => break Err(anyhow::anyhow!("the tablet closed the link before it was done")),
            },
            () = until(deadline) => sender.handle_timeout(Instant::now())?,
        }
    };
    let _ = send.finish();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), reader).await;
    result?;
    if session.refused > 0 {
        bail!(
            "the tablet refused {} bundle(s) of handed-over cases",
            session.refused
        );
    }
    session.transfer_time = started.elapsed();
    session.summary = format!(
        "sent the handed-over cases: {} bundle(s) delivered",
        session.imported
    );
    Ok(session)
}

async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d.into()).await,
        None => std::future::pending().await,
    }
}
