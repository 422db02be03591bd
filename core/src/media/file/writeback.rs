//! Early writeback of a media file being written.
//!
//! A video of a gigabyte sits in the page cache until it is synced; synced
//! only when it is finished, the disk idles while the chunks are encrypted
//! and then does all of its work while capture waits for `finish`. Here a
//! thread of its own asks the disk to write what has been written so far
//! (`fdatasync`) each time some megabytes more are written, while the
//! writer goes on encrypting. `finish` then has only the tail left to sync,
//! and a tablet short of memory is not left holding a gigabyte of dirty
//! pages.
//!
//! An error from a background sync (the disk failing, or full when the file
//! system allocates late) is returned by the writer's next request or by
//! `finish`; the writer then refuses everything after, since the kernel
//! reports a failed writeback to one sync only and a later `fsync` could
//! succeed over lost data.

use std::fs::File;
use std::io;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::thread::{self, JoinHandle};

/// How many bytes are written between two requests to sync. Each sync also
/// commits the file system's journal (the file has grown), so it should
/// not come too often; far apart, `finish` waits for more.
pub(super) const SYNC_EVERY: u64 = 32 * 1024 * 1024;

/// The sync a request makes: `File::sync_data`, or a failing one in tests.
pub(super) type SyncFn = fn(&File) -> io::Result<()>;

/// The thread syncing one media file as it grows.
#[derive(Debug)]
pub(super) struct Writeback {
    requests: Option<SyncSender<()>>,
    thread: Option<JoinHandle<io::Result<()>>>,
    every: u64,
    unsynced: u64,
}

impl Writeback {
    /// Starts syncing `file` (through a second handle to it) every `every`
    /// bytes reported by [`wrote`](Self::wrote).
    pub(super) fn start(file: &File, every: u64, sync: SyncFn) -> io::Result<Self> {
        let file = file.try_clone()?;
        // One request waiting is enough: a sync covers everything written
        // before it starts, so later requests would add nothing.
        let (requests, waiting) = mpsc::sync_channel(1);
        let thread = thread::Builder::new()
            .name("tsunagi-media-sync".into())
            .spawn(move || run(&file, &waiting, sync))?;
        Ok(Self {
            requests: Some(requests),
            thread: Some(thread),
            every,
            unsynced: 0,
        })
    }

    /// Counts `bytes` more written to the file, asks for a sync when enough
    /// have gathered, and returns the error of a sync that failed.
    pub(super) fn wrote(&mut self, bytes: u64) -> io::Result<()> {
        self.unsynced += bytes;
        if self.unsynced < self.every {
            return Ok(());
        }
        self.unsynced = 0;
        let sent = match &self.requests {
            Some(requests) => requests.try_send(()),
            None => Err(TrySendError::Disconnected(())),
        };
        match sent {
            Ok(()) | Err(TrySendError::Full(())) => Ok(()),
            Err(TrySendError::Disconnected(())) => Err(self.stop()),
        }
    }

    /// Waits for the syncs asked for so far; `Ok` unless one failed. The
    /// caller still syncs the file itself for the tail.
    pub(super) fn finish(mut self) -> io::Result<()> {
        self.requests = None;
        match self.thread.take().map(JoinHandle::join) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(e),
            Some(Err(_)) => Err(stopped()),
        }
    }

    /// Stops the thread after it ended early and returns why it ended.
    fn stop(&mut self) -> io::Error {
        self.requests = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(Err(e))) => e,
            _ => stopped(),
        }
    }
}

impl Drop for Writeback {
    /// Lets a sync under way end, so no handle to the file outlives the
    /// writer that removes it.
    fn drop(&mut self) {
        self.requests = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn stopped() -> io::Error {
    io::Error::other("the media file's background sync stopped")
}

/// Syncs `file` once a request, until the writer hangs up or a sync fails.
fn run(file: &File, requests: &Receiver<()>, sync: SyncFn) -> io::Result<()> {
    while requests.recv().is_ok() {
        sync(file)?;
    }
    Ok(())
}
