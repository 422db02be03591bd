//! Moving sealed bundles: offer → have → chunks → ack.
//!
//! The [`Sender`] (tablet) offers one bundle at a time; the [`Receiver`]
//! (companion) answers with how many bytes it already holds; the sender
//! sends the rest in chunks; the receiver, holding the whole file, has it
//! checked and imported by its driver and only then acknowledges. A bundle
//! is delivered only on that acknowledgement.
//!
//! Both are pure state machines: `handle_*(now, …)` in, `poll_*()` out. They
//! tolerate loss, duplication and reordering of whole frames (a chunk not at
//! the expected offset is dropped and sent again after a re-offer), and a cut
//! (a new connection makes new machines; the receiver's driver keeps the
//! partial file, so the next offer resumes from its length).

use std::collections::{HashSet, VecDeque};
use std::str::FromStr;
use std::time::{Duration, Instant};

use super::LinkError;
use super::wire::{CHUNK_SIZE, Chunk, Message};
use crate::seal::BundleId;

/// The first wait for an answer before an offer is repeated.
pub const FIRST_RETRY: Duration = Duration::from_secs(2);
/// The longest wait between repeats.
pub const MAX_RETRY: Duration = Duration::from_secs(60);
/// How many repeats without any answer before the link is given up.
pub const MAX_RETRIES: u32 = 8;
/// The largest bundle accepted (64 GiB).
pub const MAX_BUNDLE: u64 = 64 << 30;

/// A sealed bundle waiting on the tablet to be delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// The bundle id.
    pub id: BundleId,
    /// The sealed file's size.
    pub size: u64,
    /// The sealed file's SHA-256.
    pub sha256: [u8; 32],
}

/// Something the sender wants sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transmit {
    /// A control message.
    Message(Message),
    /// `len` bytes of `bundle`'s file from `offset`: the driver reads them
    /// and sends them as a [`Chunk`](super::wire::Chunk).
    Chunk {
        /// Which bundle.
        bundle: BundleId,
        /// From where.
        offset: u64,
        /// How many bytes.
        len: u64,
    },
}

/// What happened on the sender's side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SenderEvent {
    /// The companion imported the bundle: mark it delivered.
    Delivered(BundleId),
    /// The companion refused the bundle (it stays undelivered).
    Rejected(BundleId, String),
    /// Every bundle was delivered or refused; `Done` was sent.
    Finished,
}

#[derive(Debug)]
enum SendState {
    /// Waiting for `Have` after an offer.
    Offered,
    /// Sending chunks from `next`.
    Sending { next: u64 },
    /// Every byte sent; waiting for `Ack`.
    AwaitingAck,
    /// Done was sent.
    Finished,
}

/// The tablet's half of a transfer.
#[derive(Debug)]
pub struct Sender {
    queue: VecDeque<Outgoing>,
    state: SendState,
    out: VecDeque<Transmit>,
    events: VecDeque<SenderEvent>,
    deadline: Option<Instant>,
    delay: Duration,
    retries: u32,
    chunk_size: u64,
    failed: bool,
}

impl Sender {
    /// A sender for `bundles`, in order, starting at `now`.
    pub fn new(bundles: Vec<Outgoing>, now: Instant) -> Self {
        let mut s = Self {
            queue: bundles.into(),
            state: SendState::Finished,
            out: VecDeque::new(),
            events: VecDeque::new(),
            deadline: None,
            delay: FIRST_RETRY,
            retries: 0,
            chunk_size: CHUNK_SIZE,
            failed: false,
        };
        s.start_next(now);
        s
    }

    /// Uses chunks of `size` bytes (tests use small ones).
    pub fn with_chunk_size(mut self, size: u64) -> Self {
        self.chunk_size = size.max(1);
        self
    }

    fn start_next(&mut self, now: Instant) {
        self.delay = FIRST_RETRY;
        self.retries = 0;
        match self.queue.front() {
            Some(b) => {
                self.out.push_back(Transmit::Message(offer(b)));
                self.state = SendState::Offered;
                self.deadline = Some(now + self.delay);
            }
            None => {
                self.out.push_back(Transmit::Message(Message::Done));
                self.state = SendState::Finished;
                self.deadline = None;
                self.events.push_back(SenderEvent::Finished);
            }
        }
    }

    fn current(&self, bundle: &str) -> Option<Outgoing> {
        let id = BundleId::from_str(bundle).ok()?;
        self.queue.front().copied().filter(|b| b.id == id)
    }

    /// Takes a message from the companion.
    pub fn handle_message(&mut self, now: Instant, message: Message) -> Result<(), LinkError> {
        match message {
            Message::Have { bundle, offset } => {
                let Some(b) = self.current(&bundle) else {
                    return Ok(()); // about an earlier bundle: stale
                };
                if offset > b.size {
                    return Err(LinkError::Protocol(
                        "the companion claims more than was sent",
                    ));
                }
                self.retries = 0;
                self.delay = FIRST_RETRY;
                match self.state {
                    SendState::Offered | SendState::AwaitingAck if offset < b.size => {
                        self.state = SendState::Sending { next: offset };
                        self.deadline = None;
                    }
                    SendState::Offered | SendState::AwaitingAck => {
                        // It has everything and is importing: wait for the ack.
                        self.state = SendState::AwaitingAck;
                        self.deadline = Some(now + self.delay);
                    }
                    SendState::Sending { .. } | SendState::Finished => {}
                }
            }
            Message::Ack { bundle } => {
                if let Some(b) = self.current(&bundle) {
                    self.queue.pop_front();
                    self.events.push_back(SenderEvent::Delivered(b.id));
                    self.start_next(now);
                }
            }
            Message::Reject { bundle, reason } => {
                if let Some(b) = self.current(&bundle) {
                    self.queue.pop_front();
                    self.events.push_back(SenderEvent::Rejected(b.id, reason));
                    self.start_next(now);
                }
            }
            Message::Refused { reason } => return Err(LinkError::Refused(reason)),
            _ => return Err(LinkError::Protocol("unexpected message during a transfer")),
        }
        Ok(())
    }

    /// When [`Sender::handle_timeout`] should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadline
    }

    /// Repeats the offer when no answer came in time, waiting twice as long
    /// each time; gives up after [`MAX_RETRIES`].
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), LinkError> {
        let Some(deadline) = self.deadline else {
            return Ok(());
        };
        if now < deadline {
            return Ok(());
        }
        if self.retries >= MAX_RETRIES {
            self.failed = true;
            self.deadline = None;
            return Err(LinkError::Timeout);
        }
        self.retries += 1;
        self.delay = (self.delay * 2).min(MAX_RETRY);
        if let Some(b) = self.queue.front() {
            self.out.push_back(Transmit::Message(offer(b)));
            self.state = SendState::Offered;
        }
        self.deadline = Some(now + self.delay);
        Ok(())
    }

    /// The next thing to send, if any.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        if let Some(t) = self.out.pop_front() {
            return Some(t);
        }
        let SendState::Sending { next } = self.state else {
            return None;
        };
        let b = *self.queue.front()?;
        let len = self.chunk_size.min(b.size - next);
        let t = Transmit::Chunk {
            bundle: b.id,
            offset: next,
            len,
        };
        if next + len >= b.size {
            self.state = SendState::AwaitingAck;
            self.deadline = Some(now + self.delay);
        } else {
            self.state = SendState::Sending { next: next + len };
        }
        Some(t)
    }

    /// Whether [`Sender::poll_transmit`] has something now.
    pub fn poll_transmit_pending(&self) -> bool {
        !self.out.is_empty() || matches!(self.state, SendState::Sending { .. })
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<SenderEvent> {
        self.events.pop_front()
    }

    /// Whether every bundle was dealt with and `Done` was queued.
    pub fn is_finished(&self) -> bool {
        matches!(self.state, SendState::Finished) && self.out.is_empty()
    }
}

fn offer(b: &Outgoing) -> Message {
    Message::Offer {
        bundle: b.id.to_string(),
        size: b.size,
        sha256: hex::encode(b.sha256),
    }
}

/// What the receiver's driver holds of an offered bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// It was imported before: acknowledge again.
    Imported,
    /// This many bytes are in the partial file (0 if none).
    Partial(u64),
}

/// What the receiver's driver must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReceiverEvent {
    /// A bundle was offered: look up what is held and call
    /// [`Receiver::progress`].
    Offered {
        /// The bundle.
        bundle: BundleId,
        /// Its size in bytes, as offered (at most [`MAX_BUNDLE`]).
        size: u64,
    },
    /// Append `chunk.data` to the bundle's partial file at `chunk.offset`
    /// (which equals the file's length).
    Write(Chunk),
    /// The whole file is here: check it has `size` bytes and this SHA-256,
    /// open and import it in one transaction, then call
    /// [`Receiver::imported`] or [`Receiver::rejected`].
    Complete {
        /// The bundle.
        bundle: BundleId,
        /// Its size.
        size: u64,
        /// Its SHA-256 as offered.
        sha256: [u8; 32],
    },
    /// The partial file is not this bundle's (longer than offered): empty
    /// it; the transfer starts from the beginning.
    Discard {
        /// The bundle.
        bundle: BundleId,
    },
    /// The tablet has nothing more to send.
    Finished,
}

#[derive(Debug)]
enum RecvState {
    Idle,
    AwaitingProgress {
        bundle: BundleId,
        size: u64,
        sha256: [u8; 32],
    },
    Receiving {
        bundle: BundleId,
        size: u64,
        sha256: [u8; 32],
        next: u64,
    },
    Importing {
        bundle: BundleId,
        size: u64,
    },
}

/// The companion's half of a transfer.
#[derive(Debug)]
pub struct Receiver {
    state: RecvState,
    out: VecDeque<Message>,
    events: VecDeque<ReceiverEvent>,
    acked: HashSet<BundleId>,
}

impl Default for Receiver {
    fn default() -> Self {
        Self::new()
    }
}

impl Receiver {
    /// A receiver for one connection.
    pub fn new() -> Self {
        Self {
            state: RecvState::Idle,
            out: VecDeque::new(),
            events: VecDeque::new(),
            acked: HashSet::new(),
        }
    }

    /// Takes a control message from the tablet.
    pub fn handle_message(&mut self, _now: Instant, message: Message) -> Result<(), LinkError> {
        match message {
            Message::Offer {
                bundle,
                size,
                sha256,
            } => {
                let bundle = BundleId::from_str(&bundle)
                    .map_err(|_| LinkError::Protocol("an offer names no valid bundle"))?;
                let sha256: [u8; 32] = hex::decode(&sha256)
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .ok_or(LinkError::Protocol("an offer has no valid checksum"))?;
                if size > MAX_BUNDLE {
                    return Err(LinkError::Protocol("an offered bundle is too large"));
                }
                if self.acked.contains(&bundle) {
                    self.out.push_back(Message::Ack {
                        bundle: bundle.to_string(),
                    });
                    return Ok(());
                }
                match self.state {
                    RecvState::Receiving {
                        bundle: b, next, ..
                    } if b == bundle => {
                        self.out.push_back(Message::Have {
                            bundle: bundle.to_string(),
                            offset: next,
                        });
                    }
                    RecvState::Importing { bundle: b, size } if b == bundle => {
                        self.out.push_back(Message::Have {
                            bundle: bundle.to_string(),
                            offset: size,
                        });
                    }
                    RecvState::AwaitingProgress { bundle: b, .. } if b == bundle => {}
                    RecvState::Importing { .. } => {
                        // Busy with another: the tablet will offer again.
                    }
                    _ => {
                        self.state = RecvState::AwaitingProgress {
                            bundle,
                            size,
                            sha256,
                        };
                        self.events
                            .push_back(ReceiverEvent::Offered { bundle, size });
                    }
                }
            }
            Message::Done => self.events.push_back(ReceiverEvent::Finished),
            _ => return Err(LinkError::Protocol("unexpected message during a transfer")),
        }
        Ok(())
    }

    /// The driver's answer to [`ReceiverEvent::Offered`].
    pub fn progress(&mut self, bundle: BundleId, progress: Progress) {
        let RecvState::AwaitingProgress {
            bundle: b,
            size,
            sha256,
        } = self.state
        else {
            return;
        };
        if b != bundle {
            return;
        }
        match progress {
            Progress::Imported => {
                self.state = RecvState::Idle;
                self.acked.insert(bundle);
                self.out.push_back(Message::Ack {
                    bundle: bundle.to_string(),
                });
            }
            Progress::Partial(held) => {
                // A partial file longer than the offer is not this bundle's:
                // start again.
                let next = if held > size { 0 } else { held };
                self.out.push_back(Message::Have {
                    bundle: bundle.to_string(),
                    offset: next,
                });
                self.state = RecvState::Receiving {
                    bundle,
                    size,
                    sha256,
                    next,
                };
                if held > size {
                    self.events.push_back(ReceiverEvent::Discard { bundle });
                }
                self.complete_if_done();
            }
        }
    }

    fn complete_if_done(&mut self) {
        if let RecvState::Receiving {
            bundle,
            size,
            sha256,
            next,
        } = self.state
            && next == size
        {
            self.state = RecvState::Importing { bundle, size };
            self.events.push_back(ReceiverEvent::Complete {
                bundle,
                size,
                sha256,
            });
        }
    }

    /// Takes a chunk from the tablet. One not at the expected offset (a
    /// repeat, or one after a lost one) is dropped.
    pub fn handle_chunk(&mut self, _now: Instant, chunk: Chunk) -> Result<(), LinkError> {
        let RecvState::Receiving {
            bundle, size, next, ..
        } = &mut self.state
        else {
            return Ok(());
        };
        if chunk.bundle != *bundle || chunk.offset != *next || chunk.data.is_empty() {
            return Ok(());
        }
        let end = chunk.offset + chunk.data.len() as u64;
        if end > *size {
            return Err(LinkError::Protocol("a chunk runs past the offered size"));
        }
        *next = end;
        self.events.push_back(ReceiverEvent::Write(chunk));
        self.complete_if_done();
        Ok(())
    }

    /// The driver imported the bundle (or found it imported): acknowledge.
    pub fn imported(&mut self, bundle: BundleId) {
        if matches!(self.state, RecvState::Importing { bundle: b, .. } if b == bundle) {
            self.state = RecvState::Idle;
        }
        self.acked.insert(bundle);
        self.out.push_back(Message::Ack {
            bundle: bundle.to_string(),
        });
    }

    /// The driver refused the bundle; its partial file should be deleted.
    pub fn rejected(&mut self, bundle: BundleId, reason: String) {
        if matches!(self.state, RecvState::Importing { bundle: b, .. } if b == bundle) {
            self.state = RecvState::Idle;
        }
        self.out.push_back(Message::Reject {
            bundle: bundle.to_string(),
            reason,
        });
    }

    /// The next message to send, if any.
    pub fn poll_transmit(&mut self) -> Option<Message> {
        self.out.pop_front()
    }

    /// The next thing the driver must do, if any.
    pub fn poll_event(&mut self) -> Option<ReceiverEvent> {
        self.events.pop_front()
    }
}

#[cfg(test)]
mod tests;
