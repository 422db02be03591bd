//! Sealing a media file's chunks and writing them, on a thread of its own.
//!
//! [`MediaWriter`](super::MediaWriter) hashes the plaintext and gathers it
//! into chunks on the caller's thread; each full chunk goes through a
//! bounded channel to the sealing thread, which encrypts it in place,
//! writes it and hands the emptied buffer back for reuse. So hashing and
//! encrypting run on two cores, and a few chunks at most are in memory.
//! The chunks are sealed strictly in order, by one thread, so the file is
//! byte for byte what sealing them on the caller's thread would give.

use std::fs::File;
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TryRecvError};
use std::thread::{self, JoinHandle};

use chacha20poly1305::aead::stream::StreamPrimitive;

use super::writeback::Writeback;
use super::{HEADER_LEN, Stream};

/// Chunk buffers a writer may have: one being filled, the rest waiting to
/// be sealed or being sealed.
const BUFFERS: usize = 4;

/// Encrypts and writes the chunks of one file, in order.
pub(super) struct Sealer {
    file: File,
    stream: Stream,
    header: [u8; HEADER_LEN],
    position: u32,
    writeback: Writeback,
}

impl Sealer {
    /// Seals chunks into `file`, which already holds `header`.
    pub(super) fn new(
        file: File,
        stream: Stream,
        header: [u8; HEADER_LEN],
        writeback: Writeback,
    ) -> Self {
        Self {
            file,
            stream,
            header,
            position: 0,
            writeback,
        }
    }

    /// Encrypts `chunk` in place as the next chunk and writes it.
    fn seal(&mut self, chunk: &mut Vec<u8>, last: bool) -> io::Result<()> {
        self.stream
            .encrypt_in_place(self.position, last, &self.header, chunk)
            .map_err(|_| io::Error::other("the media chunk could not be encrypted"))?;
        self.file.write_all(chunk)?;
        self.writeback.wrote(chunk.len() as u64)?;
        self.position = self
            .position
            .checked_add(1)
            .ok_or_else(|| io::Error::other("the media file has too many chunks"))?;
        Ok(())
    }
}

/// A chunk for the sealing thread.
struct Job {
    chunk: Vec<u8>,
    last: bool,
}

/// The sealing thread of one writer. Dropped, it stops the thread (chunks
/// still waiting are not written) and waits for it, so no handle to the
/// file outlives it.
pub(super) struct Worker {
    jobs: Option<SyncSender<Job>>,
    free: Receiver<Vec<u8>>,
    /// Buffers that may still be made before waiting for one back.
    spare: usize,
    capacity: usize,
    cancel: Arc<AtomicBool>,
    thread: Option<JoinHandle<io::Result<File>>>,
}

impl Worker {
    /// Starts the thread sealing with `sealer` chunks whose buffers hold
    /// `capacity` bytes (a chunk and its tag).
    pub(super) fn start(sealer: Sealer, capacity: usize) -> io::Result<Self> {
        let (jobs, waiting) = mpsc::sync_channel(BUFFERS);
        let (give_back, free) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&cancel);
        let thread = thread::Builder::new()
            .name("tsunagi-media-seal".into())
            .spawn(move || run(sealer, &waiting, &give_back, &stop))?;
        Ok(Self {
            jobs: Some(jobs),
            free,
            spare: BUFFERS - 1,
            capacity,
            cancel,
            thread: Some(thread),
        })
    }

    /// Hands the full `chunk` over as the next chunk (not the last) and
    /// leaves an empty buffer in its place. Waits while all buffers are
    /// with the thread; returns the error that stopped the thread.
    pub(super) fn put(&mut self, chunk: &mut Vec<u8>) -> io::Result<()> {
        let next = match self.free.try_recv() {
            Ok(buffer) => buffer,
            Err(TryRecvError::Empty) if self.spare > 0 => {
                self.spare -= 1;
                Vec::with_capacity(self.capacity)
            }
            Err(TryRecvError::Empty) => match self.free.recv() {
                Ok(buffer) => buffer,
                Err(_) => return Err(self.stop()),
            },
            Err(TryRecvError::Disconnected) => return Err(self.stop()),
        };
        let full = std::mem::replace(chunk, next);
        self.send(Job {
            chunk: full,
            last: false,
        })
    }

    /// Hands `chunk` over as the last chunk and waits for the thread: the
    /// file, every chunk written, not yet fsynced.
    pub(super) fn finish(mut self, chunk: Vec<u8>) -> io::Result<File> {
        self.send(Job { chunk, last: true })?;
        self.jobs = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) | None => Err(stopped()),
        }
    }

    fn send(&mut self, job: Job) -> io::Result<()> {
        let sent = match &self.jobs {
            Some(jobs) => jobs.send(job).is_ok(),
            None => false,
        };
        if sent { Ok(()) } else { Err(self.stop()) }
    }

    /// Stops the thread after it ended early and returns why it ended.
    fn stop(&mut self) -> io::Error {
        self.jobs = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(Err(e))) => e,
            _ => stopped(),
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn stopped() -> io::Error {
    io::Error::other("the media file's writing thread stopped")
}

/// Seals the chunks as they come, giving each buffer back, until the last
/// chunk (then returns the file) or an error.
fn run(
    mut sealer: Sealer,
    jobs: &Receiver<Job>,
    give_back: &Sender<Vec<u8>>,
    cancel: &AtomicBool,
) -> io::Result<File> {
    while let Ok(Job { mut chunk, last }) = jobs.recv() {
        if cancel.load(Ordering::Relaxed) {
            break;
        }
        sealer.seal(&mut chunk, last)?;
        if last {
            sealer.writeback.finish()?;
            return Ok(sealer.file);
        }
        chunk.clear();
        // The writer may be gone already; the buffer is then simply freed.
        let _ = give_back.send(chunk);
    }
    Err(io::Error::other(
        "the media file was abandoned before its last chunk",
    ))
}
