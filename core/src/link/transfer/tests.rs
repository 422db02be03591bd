//! Two endpoints driven in memory over a faulty channel: frames lost,
//! repeated, reordered, and the connection cut, with the tablet's bundles and
//! the companion's partial files and imports kept across cuts.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

use super::*;
use crate::link::wire::{Chunk, Frame};

const CHUNK: u64 = 1000;

#[derive(Clone, Copy, Debug)]
struct Faults {
    loss: f64,
    dup: f64,
    reorder: f64,
    cut: f64,
}

const CLEAN: Faults = Faults {
    loss: 0.0,
    dup: 0.0,
    reorder: 0.0,
    cut: 0.0,
};

/// What survives a cut on each side.
struct World {
    /// Tablet: sealed files and which are delivered.
    files: Vec<(BundleId, Vec<u8>)>,
    delivered: HashSet<BundleId>,
    /// Companion: partial files, imports (with a count), bytes received.
    partial: HashMap<BundleId, Vec<u8>>,
    imported: HashMap<BundleId, (u32, Vec<u8>)>,
    received_chunk_bytes: u64,
    cuts: u32,
}

impl World {
    fn new(rng: &mut StdRng, count: usize, max_len: usize) -> Self {
        let files = (0..count)
            .map(|i| {
                let len = rng.gen_range(0..max_len);
                let data: Vec<u8> = (0..len).map(|_| rng.r#gen()).collect();
                let mut id = [0u8; 32];
                id[0] = i as u8;
                id[1..9].copy_from_slice(&rng.r#gen::<u64>().to_be_bytes());
                (BundleId(id), data)
            })
            .collect();
        Self {
            files,
            delivered: HashSet::new(),
            partial: HashMap::new(),
            imported: HashMap::new(),
            received_chunk_bytes: 0,
            cuts: 0,
        }
    }

    fn pending(&self) -> Vec<Outgoing> {
        self.files
            .iter()
            .filter(|(id, _)| !self.delivered.contains(id))
            .map(|(id, data)| Outgoing {
                id: *id,
                size: data.len() as u64,
                sha256: Sha256::digest(data).into(),
            })
            .collect()
    }

    fn data(&self, id: BundleId) -> &[u8] {
        &self
            .files
            .iter()
            .find(|(i, _)| *i == id)
            .expect("the sender names only its own bundles")
            .1
    }

    fn all_delivered(&self) -> bool {
        self.files.iter().all(|(id, _)| self.delivered.contains(id))
    }

    /// The companion's driver.
    fn drive_receiver(&mut self, r: &mut Receiver) {
        while let Some(e) = r.poll_event() {
            match e {
                ReceiverEvent::Offered { bundle, .. } => {
                    let p = if self.imported.contains_key(&bundle) {
                        Progress::Imported
                    } else {
                        Progress::Partial(self.partial.get(&bundle).map_or(0, |p| p.len() as u64))
                    };
                    r.progress(bundle, p);
                }
                ReceiverEvent::Write(chunk) => {
                    let file = self.partial.entry(chunk.bundle).or_default();
                    assert_eq!(chunk.offset, file.len() as u64, "a write not at the end");
                    file.extend_from_slice(&chunk.data);
                }
                ReceiverEvent::Discard { bundle } => {
                    self.partial.remove(&bundle);
                }
                ReceiverEvent::Complete {
                    bundle,
                    size,
                    sha256,
                } => {
                    let file = self.partial.remove(&bundle).unwrap_or_default();
                    if file.len() as u64 == size
                        && <[u8; 32]>::from(Sha256::digest(&file)) == sha256
                    {
                        // One transaction: the import and the bundle id.
                        let entry = self.imported.entry(bundle).or_insert((0, Vec::new()));
                        entry.0 += 1;
                        entry.1 = file;
                        r.imported(bundle);
                    } else {
                        r.rejected(bundle, "damaged".into());
                    }
                }
                ReceiverEvent::Finished => {}
            }
        }
    }

    fn drive_sender(&mut self, s: &mut Sender) {
        while let Some(e) = s.poll_event() {
            match e {
                SenderEvent::Delivered(id) => {
                    assert!(
                        self.imported.contains_key(&id),
                        "delivered before it was imported"
                    );
                    self.delivered.insert(id);
                }
                SenderEvent::Rejected(id, reason) => panic!("{id:?} was rejected: {reason}"),
                SenderEvent::Finished => {}
            }
        }
    }
}

fn send(rng: &mut StdRng, faults: Faults, queue: &mut VecDeque<Vec<u8>>, frame: Frame) {
    if rng.gen_bool(faults.loss) {
        return;
    }
    let bytes = frame.encode();
    let copies = if rng.gen_bool(faults.dup) { 2 } else { 1 };
    for _ in 0..copies {
        if rng.gen_bool(faults.reorder) && !queue.is_empty() {
            let at = rng.gen_range(0..queue.len());
            queue.insert(at, bytes.clone());
        } else {
            queue.push_back(bytes.clone());
        }
    }
}

fn decode(bytes: &[u8]) -> Frame {
    let len = crate::link::wire::body_len(bytes[..4].try_into().expect("prefix")).expect("length");
    assert_eq!(len, bytes.len() - 4);
    Frame::decode(&bytes[4..]).expect("our own frames decode")
}

/// Runs connections until every bundle is delivered. `cut_after` cuts the
/// first connection after that many frames were delivered.
fn run(world: &mut World, rng: &mut StdRng, faults: Faults, mut cut_after: Option<usize>) {
    let mut now = Instant::now();
    let mut steps = 0usize;
    while !world.all_delivered() {
        let mut sender = Sender::new(world.pending(), now).with_chunk_size(CHUNK);
        let mut receiver = Receiver::new();
        let mut to_companion: VecDeque<Vec<u8>> = VecDeque::new();
        let mut to_tablet: VecDeque<Vec<u8>> = VecDeque::new();
        let mut delivered_frames = 0usize;
        loop {
            steps += 1;
            assert!(steps < 2_000_000, "the transfer does not finish");
            world.drive_sender(&mut sender);
            if world.all_delivered() {
                break;
            }
            // Send what the sender wants (a few at a time).
            for _ in 0..4 {
                let Some(t) = sender.poll_transmit(now) else {
                    break;
                };
                let frame = match t {
                    Transmit::Message(m) => Frame::Message(m),
                    Transmit::Chunk {
                        bundle,
                        offset,
                        len,
                    } => Frame::Chunk(Chunk {
                        bundle,
                        offset,
                        data: world.data(bundle)[offset as usize..(offset + len) as usize].to_vec(),
                    }),
                };
                send(rng, faults, &mut to_companion, frame);
            }
            while let Some(m) = receiver.poll_transmit() {
                send(rng, faults, &mut to_tablet, Frame::Message(m));
            }
            let cut_now = cut_after == Some(delivered_frames) || rng.gen_bool(faults.cut);
            if cut_now {
                cut_after = None;
                world.cuts += 1;
                break;
            }
            // Deliver one frame, either way.
            let towards_companion = if to_companion.is_empty() {
                false
            } else if to_tablet.is_empty() {
                true
            } else {
                rng.gen_bool(0.5)
            };
            if towards_companion {
                let bytes = to_companion.pop_front().expect("not empty");
                delivered_frames += 1;
                match decode(&bytes) {
                    Frame::Message(m) => receiver.handle_message(now, m).expect("valid message"),
                    Frame::Chunk(c) => {
                        world.received_chunk_bytes += c.data.len() as u64;
                        receiver.handle_chunk(now, c).expect("valid chunk")
                    }
                }
                world.drive_receiver(&mut receiver);
            } else if let Some(bytes) = to_tablet.pop_front() {
                delivered_frames += 1;
                match decode(&bytes) {
                    Frame::Message(m) => sender.handle_message(now, m).expect("valid message"),
                    Frame::Chunk(_) => panic!("the companion sends no chunks"),
                }
            } else if sender.poll_transmit_pending() {
                continue;
            } else {
                // Quiet: let time pass to the next retry.
                match sender.poll_timeout() {
                    Some(t) => {
                        now = now.max(t);
                        if sender.handle_timeout(now).is_err() {
                            world.cuts += 1;
                            break;
                        }
                    }
                    None => break,
                }
            }
            now += Duration::from_millis(1);
        }
    }
}

fn check(world: &World) {
    for (id, data) in &world.files {
        let (count, got) = world
            .imported
            .get(id)
            .unwrap_or_else(|| panic!("{id:?} never arrived"));
        assert_eq!(*count, 1, "{id:?} was imported {count} times");
        assert_eq!(got, data, "{id:?} arrived altered");
    }
}

#[test]
fn bundles_arrive_once_and_intact_over_a_clean_link() {
    let mut rng = StdRng::seed_from_u64(1);
    let mut world = World::new(&mut rng, 5, 10_000);
    run(&mut world, &mut rng, CLEAN, None);
    check(&world);
    let total: u64 = world.files.iter().map(|(_, d)| d.len() as u64).sum();
    assert_eq!(world.received_chunk_bytes, total, "bytes were sent twice");
}

/// A cut after every possible number of frames: each resumes where the
/// companion's partial file ends, and nothing it had received is sent again.
#[test]
fn a_cut_at_every_step_resumes_without_resending_what_arrived() {
    let mut rng = StdRng::seed_from_u64(2);
    let probe = World::new(&mut rng, 3, 5_000);
    let frames_in_clean_run = {
        let mut w = World {
            files: probe.files.clone(),
            ..World::new(&mut StdRng::seed_from_u64(0), 0, 1)
        };
        let mut r = StdRng::seed_from_u64(3);
        run(&mut w, &mut r, CLEAN, None);
        // Offer, have, chunks, ack per bundle, and done.
        w.files
            .iter()
            .map(|(_, d)| 3 + (d.len() as u64).div_ceil(CHUNK) as usize)
            .sum::<usize>()
            + 1
    };
    for k in 0..frames_in_clean_run {
        let mut w = World {
            files: probe.files.clone(),
            ..World::new(&mut StdRng::seed_from_u64(0), 0, 1)
        };
        let mut r = StdRng::seed_from_u64(k as u64);
        run(&mut w, &mut r, CLEAN, Some(k));
        check(&w);
        let total: u64 = w.files.iter().map(|(_, d)| d.len() as u64).sum();
        assert_eq!(
            w.received_chunk_bytes, total,
            "a cut after {k} frames made received bytes be sent again"
        );
    }
}

#[test]
fn an_empty_bundle_is_delivered() {
    let mut rng = StdRng::seed_from_u64(4);
    let mut world = World::new(&mut rng, 1, 1);
    world.files[0].1.clear();
    run(&mut world, &mut rng, CLEAN, None);
    check(&world);
}

#[test]
fn a_damaged_file_is_rejected_and_not_delivered() {
    let now = Instant::now();
    let data = [7u8; 10];
    let out = Outgoing {
        id: BundleId([1; 32]),
        size: 10,
        sha256: [0; 32], // does not match
    };
    let mut s = Sender::new(vec![out], now).with_chunk_size(4);
    let mut r = Receiver::new();
    let mut file = Vec::new();
    let mut rejected = false;
    for _ in 0..50 {
        while let Some(t) = s.poll_transmit(now) {
            match t {
                Transmit::Message(m) => r.handle_message(now, m).expect("valid"),
                Transmit::Chunk {
                    bundle,
                    offset,
                    len,
                } => r
                    .handle_chunk(
                        now,
                        Chunk {
                            bundle,
                            offset,
                            data: data[offset as usize..(offset + len) as usize].to_vec(),
                        },
                    )
                    .expect("valid"),
            }
            while let Some(e) = r.poll_event() {
                match e {
                    ReceiverEvent::Offered { bundle, .. } => {
                        r.progress(bundle, Progress::Partial(0))
                    }
                    ReceiverEvent::Write(c) => file.extend_from_slice(&c.data),
                    ReceiverEvent::Complete { bundle, sha256, .. } => {
                        assert_ne!(<[u8; 32]>::from(Sha256::digest(&file)), sha256);
                        r.rejected(bundle, "the file does not match its checksum".into());
                    }
                    _ => {}
                }
            }
        }
        while let Some(m) = r.poll_transmit() {
            s.handle_message(now, m).expect("valid");
        }
        while let Some(e) = s.poll_event() {
            match e {
                SenderEvent::Delivered(_) => panic!("a damaged bundle was marked delivered"),
                SenderEvent::Rejected(..) => rejected = true,
                SenderEvent::Finished => {}
            }
        }
    }
    assert!(rejected);
}

#[test]
fn a_chunk_past_the_offered_size_is_a_protocol_error() {
    let now = Instant::now();
    let mut r = Receiver::new();
    let id = BundleId([3; 32]);
    r.handle_message(
        now,
        Message::Offer {
            bundle: id.to_string(),
            size: 4,
            sha256: hex::encode([0u8; 32]),
        },
    )
    .expect("valid");
    r.progress(id, Progress::Partial(0));
    assert!(
        r.handle_chunk(
            now,
            Chunk {
                bundle: id,
                offset: 0,
                data: vec![0; 5]
            }
        )
        .is_err()
    );
}

#[test]
fn retries_back_off_and_give_up() {
    let start = Instant::now();
    let out = Outgoing {
        id: BundleId([1; 32]),
        size: 1,
        sha256: [0; 32],
    };
    let mut s = Sender::new(vec![out], start);
    let mut waits = Vec::new();
    let mut now = start;
    let mut failed = false;
    for _ in 0..20 {
        while s.poll_transmit(now).is_some() {}
        let Some(t) = s.poll_timeout() else { break };
        waits.push(t - now);
        now = t;
        if s.handle_timeout(now).is_err() {
            failed = true;
            break;
        }
    }
    assert!(failed, "the sender never gave up");
    assert!(
        waits.windows(2).all(|w| w[1] >= w[0]),
        "waits shrink: {waits:?}"
    );
    assert!(waits.last() > waits.first(), "no back-off: {waits:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Loss, duplication, reordering and cuts at random: every bundle
    /// arrives exactly once, intact, and is delivered only after import.
    #[test]
    fn faulty_links_deliver_every_bundle_exactly_once(
        seed in any::<u64>(),
        loss in 0.0..0.3f64,
        dup in 0.0..0.3f64,
        reorder in 0.0..0.3f64,
        cut in 0.0..0.02f64,
        count in 1usize..6,
    ) {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut world = World::new(&mut rng, count, 8_000);
        run(&mut world, &mut rng, Faults { loss, dup, reorder, cut }, None);
        check(&world);
    }
}
