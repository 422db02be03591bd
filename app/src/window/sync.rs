//! 事務所PCへの送信 (docking): the screen's controller. Pairing, sending and
//! unpairing run as store jobs on the worker thread (they hold the store
//! while the link is up); progress comes back through the event loop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use slint::{ComponentHandle, Image, SharedString};
use tsunagi_core::link::PairingCode;
use tsunagi_core::store::sync::PeerKind;
use tsunagi_core::store::{CaseQuery, Store, StoreError};

use super::i18n::{size_text, tr, tr_fill};
use super::latest_frame::latest_to;
use super::router::Router;
use super::session::Session;
use super::ui::{AppWindow, CaseListAdapter, Screen, SyncAdapter, SyncState};
use crate::av::{self, AvError, Source};
use crate::sync::Progress;

/// How long the camera looks for a pairing code before giving up.
const SCAN_LIMIT: Duration = Duration::from_secs(90);

/// What waits to be sent, and to whom.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Waiting {
    /// The paired companion, in words; `None` when not paired.
    pub companion: Option<String>,
    /// Cases changed since they were last sealed.
    pub cases: usize,
    /// Sealed bundles not yet acknowledged.
    pub bundles: usize,
    /// Their size in bytes.
    pub bytes: u64,
    /// Cases the companion refused and that are held back until they
    /// change: the case's name and the companion's reason.
    pub refused: Vec<(String, String)>,
}

/// Reads what waits to be sent from `store`.
pub fn waiting(store: &mut Store) -> Result<Waiting, StoreError> {
    let Some(peer) = store
        .peers()?
        .into_iter()
        .find(|p| p.kind == PeerKind::Companion)
    else {
        return Ok(Waiting::default());
    };
    let pending = store.pending_bundles(&peer.fingerprint)?;
    let hex = peer.fingerprint.to_hex();
    let address = peer.address.as_deref().unwrap_or("?");
    let held = store.refused_cases(&peer.fingerprint)?;
    let refused = if held.is_empty() {
        Vec::new()
    } else {
        let names: std::collections::HashMap<_, _> = store
            .list_cases(&CaseQuery::default())?
            .into_iter()
            .map(|c| (c.id, c.name.expose().clone()))
            .collect();
        held.into_iter()
            .map(|r| {
                let name = names.get(&r.case).cloned().unwrap_or_default();
                (name, r.reason)
            })
            .collect()
    };
    Ok(Waiting {
        companion: Some(format!("{address}（{}…）", &hex[..16])),
        cases: store.unsent_cases(&peer.fingerprint)?,
        bundles: pending.len(),
        bytes: pending.iter().map(|p| p.outgoing.size).sum(),
        refused,
    })
}

/// "12.0 MB / 40.0 MB・残り約 10 秒": what is sent of all and, once the rate is
/// known, the time left at the rate so far.
pub fn progress_text(progress: Progress, elapsed: Duration) -> String {
    let done = format!(
        "{} / {}",
        size_text(progress.sent),
        size_text(progress.total)
    );
    let secs = elapsed.as_secs_f64();
    if progress.sent == 0 || progress.sent >= progress.total || secs < 0.5 {
        return done;
    }
    let rate = progress.sent as f64 / secs;
    let left = ((progress.total - progress.sent) as f64 / rate).ceil() as u64;
    if left < 60 {
        tr_format(&done, "残り約 {} 秒", left)
    } else {
        tr_format(&done, "残り約 {} 分", left.div_ceil(60))
    }
}

fn tr_format(done: &str, template: &str, n: u64) -> String {
    format!("{done}・{}", tr_fill(template, &[&n.to_string()]))
}

fn fraction(p: Progress) -> f32 {
    if p.total == 0 {
        1.0
    } else {
        (p.sent as f64 / p.total as f64) as f32
    }
}

/// Opens the screen and reads what waits.
pub(super) fn open(session: &Arc<Session>, window: &AppWindow) {
    clear(window);
    window.set_screen(Screen::Sync);
    refresh(session, window);
}

/// Empties the screen (on lock and on opening).
pub(super) fn clear(window: &AppWindow) {
    let adapter = window.global::<SyncAdapter<'_>>();
    adapter.set_paired(false);
    adapter.set_companion(SharedString::new());
    adapter.set_waiting_cases(0);
    adapter.set_waiting_bundles(0);
    adapter.set_waiting_size(SharedString::new());
    adapter.set_refused(SharedString::new());
    adapter.set_state(SyncState::Idle);
    adapter.set_progress(0.0);
    adapter.set_progress_text(SharedString::new());
    adapter.set_verification_code(SharedString::new());
    adapter.set_result(SharedString::new());
    adapter.set_error(SharedString::new());
    adapter.set_code(SharedString::new());
    adapter.set_camera_frame(Image::default());
}

/// What looking for a pairing code through the camera came to.
#[derive(Debug)]
pub enum Scanned {
    /// A pairing code was read: its text.
    Code(String),
    /// The worker stopped it, left the screen, or the app locked.
    Stopped,
    /// Nothing readable in time; `other` when QR codes were read that are
    /// not pairing codes.
    NotFound {
        /// A QR code that is not a pairing code was seen.
        other: bool,
    },
    /// The camera could not be opened.
    Failed(AvError),
}

/// Looks through `source` for a pairing code until one is read, `stop`
/// turns true, or `limit` passes; every frame goes to `show`. Blocks: run
/// it on a worker thread.
pub fn look_for_code(
    source: &Source,
    show: av::FrameCallback,
    stop: &dyn Fn() -> bool,
    limit: Duration,
) -> Scanned {
    let scan = match av::scan(source, show) {
        Ok(scan) => scan,
        Err(e) => return Scanned::Failed(e),
    };
    let started = Instant::now();
    let mut other = false;
    loop {
        if let Some(text) = scan.next_code(Duration::from_millis(100)) {
            if text.trim().parse::<PairingCode>().is_ok() {
                return Scanned::Code(text.trim().to_owned());
            }
            other = true;
        }
        if stop() {
            return Scanned::Stopped;
        }
        if started.elapsed() >= limit {
            return Scanned::NotFound { other };
        }
    }
}

/// What the screen says after a scan that read no pairing code.
fn scan_problem(scanned: &Scanned) -> Option<String> {
    match scanned {
        Scanned::Code(_) | Scanned::Stopped => None,
        Scanned::NotFound { other: true } => Some(
            tr("読み取ったQRコードはペアリングコードではありません。事務所PCで「ペアリング」を押して表示されたQRコードを読み取ってください。")
                .to_owned(),
        ),
        Scanned::NotFound { other: false } => Some(
            tr("QRコードを読み取れませんでした。明るい所でもう一度試すか、コードを入力してください。")
                .to_owned(),
        ),
        Scanned::Failed(e) => Some(e.to_string()),
    }
}

/// Starts looking for the pairing code; a code read starts the pairing.
fn start_scan(session: &Arc<Session>, window: &AppWindow, stop: &Arc<AtomicBool>) {
    if !begin(window, SyncState::Scanning) {
        return;
    }
    stop.store(false, Ordering::SeqCst);
    let epoch = session.epoch();
    let source = session.camera();
    let weak = window.as_weak();
    let show: av::FrameCallback = Box::new(latest_to(weak, |window, frame| {
        let adapter = window.global::<SyncAdapter<'_>>();
        if window.get_screen() == Screen::Sync && adapter.get_state() == SyncState::Scanning {
            adapter.set_camera_frame(Image::from_rgba8(frame));
        }
    }));
    let stop = Arc::clone(stop);
    session.run(
        window,
        move |session| {
            let stopped = || stop.load(Ordering::SeqCst) || session.epoch() != epoch;
            look_for_code(&source, show, &stopped, SCAN_LIMIT)
        },
        move |session, window, scanned| {
            if session.epoch() != epoch {
                return;
            }
            let adapter = window.global::<SyncAdapter<'_>>();
            adapter.set_state(SyncState::Idle);
            adapter.set_camera_frame(Image::default());
            if let Some(problem) = scan_problem(&scanned) {
                adapter.set_error(problem.into());
            }
            if let Scanned::Code(code) = scanned {
                adapter.set_code(code.clone().into());
                adapter.invoke_pair(code.into());
            }
        },
    );
}

fn refresh(session: &Arc<Session>, window: &AppWindow) {
    let epoch = session.epoch();
    session.run(
        window,
        |session| session.with_store(waiting),
        move |session, window, read| {
            if session.epoch() != epoch {
                return;
            }
            let adapter = window.global::<SyncAdapter<'_>>();
            match read {
                Some(Ok(w)) => show_waiting(&adapter, &w),
                Some(Err(e)) => adapter.set_error(e.to_string().into()),
                None => {}
            }
        },
    );
}

fn show_waiting(adapter: &SyncAdapter<'_>, w: &Waiting) {
    adapter.set_paired(w.companion.is_some());
    adapter.set_companion(w.companion.clone().unwrap_or_default().into());
    adapter.set_waiting_cases(w.cases.try_into().unwrap_or(i32::MAX));
    adapter.set_waiting_bundles(w.bundles.try_into().unwrap_or(i32::MAX));
    adapter.set_waiting_size(size_text(w.bytes).into());
    let refused: Vec<String> = w
        .refused
        .iter()
        .map(|(name, reason)| tr_fill("{}（理由: {}）", &[name, reason]))
        .collect();
    adapter.set_refused(refused.join("\n").into());
}

/// Starts `state`'s job unless one runs; clears the last result.
fn begin(window: &AppWindow, state: SyncState) -> bool {
    let adapter = window.global::<SyncAdapter<'_>>();
    if adapter.get_state() != SyncState::Idle {
        return false;
    }
    adapter.set_state(state);
    adapter.set_result(SharedString::new());
    adapter.set_error(SharedString::new());
    true
}

/// Shows a transfer's progress on the screen, a few times a second. Called
/// on the worker thread, where `upgrade` gives nothing, the update goes
/// through the event loop; run inline (UI tests), it is applied at once.
fn progress_reporter(reporter: slint::Weak<AppWindow>) -> impl FnMut(Progress) {
    let started = Instant::now();
    let mut shown: Option<Instant> = None;
    move |p: Progress| {
        let now = Instant::now();
        if p.sent < p.total && shown.is_some_and(|t| now - t < Duration::from_millis(100)) {
            return;
        }
        shown = Some(now);
        let (value, text) = (fraction(p), progress_text(p, now - started));
        let show = move |window: AppWindow| {
            let adapter = window.global::<SyncAdapter<'_>>();
            adapter.set_progress(value);
            adapter.set_progress_text(text.into());
        };
        match reporter.upgrade() {
            Some(window) => show(window),
            None => {
                let _ = reporter.upgrade_in_event_loop(show);
            }
        }
    }
}

/// Connects the screen to `session`.
pub(super) fn wire(window: &AppWindow, session: &Arc<Session>, router: &Router) {
    router.on_lock(|_, window| clear(window));
    let (weak, s) = (window.as_weak(), Arc::clone(session));
    window
        .global::<CaseListAdapter<'_>>()
        .on_open_sync(move || {
            if let Some(window) = weak.upgrade() {
                open(&s, &window);
            }
        });

    let adapter = window.global::<SyncAdapter<'_>>();
    // Set to stop a running scan.
    let stop_scan = Arc::new(AtomicBool::new(false));
    let (weak, stop) = (window.as_weak(), Arc::clone(&stop_scan));
    adapter.on_back(move || {
        stop.store(true, Ordering::SeqCst);
        if let Some(window) = weak.upgrade() {
            clear(&window);
            window.set_screen(Screen::CaseList);
        }
    });

    let (weak, s, stop) = (
        window.as_weak(),
        Arc::clone(session),
        Arc::clone(&stop_scan),
    );
    adapter.on_scan(move || {
        if let Some(window) = weak.upgrade() {
            start_scan(&s, &window, &stop);
        }
    });
    let stop = Arc::clone(&stop_scan);
    adapter.on_stop_scan(move || stop.store(true, Ordering::SeqCst));

    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_pair(move |code| {
        let Some(window) = weak.upgrade() else { return };
        let code: PairingCode = match code.parse() {
            Ok(code) => code,
            Err(_) => {
                window.global::<SyncAdapter<'_>>().set_error(
                    tr("ペアリングコードが正しくありません。事務所PCに表示されたコードを、TSUNAGI1- から最後まで入力してください。").into(),
                );
                return;
            }
        };
        if !begin(&window, SyncState::Pairing) {
            return;
        }
        let epoch = s.epoch();
        s.run(
            &window,
            move |session| session.with_store(|store| Ok(crate::sync::pair(store, &code))),
            move |session, window, paired| {
                if session.epoch() != epoch {
                    return;
                }
                let adapter = window.global::<SyncAdapter<'_>>();
                adapter.set_state(SyncState::Idle);
                match paired {
                    Some(Ok(Ok(verification))) => {
                        adapter.set_code(SharedString::new());
                        adapter.set_verification_code(verification.into());
                        adapter.set_result(tr("ペアリングしました。").into());
                    }
                    Some(Ok(Err(e))) => adapter.set_error(format!("{e:#}").into()),
                    Some(Err(e)) => adapter.set_error(e.to_string().into()),
                    None => return,
                }
                refresh(session, window);
            },
        );
    });

    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_unpair(move || {
        let Some(window) = weak.upgrade() else { return };
        if !begin(&window, SyncState::Unpairing) {
            return;
        }
        let epoch = s.epoch();
        s.run(
            &window,
            move |session| session.with_store(|store| Ok(crate::sync::unpair(store))),
            move |session, window, unpaired| {
                if session.epoch() != epoch {
                    return;
                }
                let adapter = window.global::<SyncAdapter<'_>>();
                adapter.set_state(SyncState::Idle);
                adapter.set_verification_code(SharedString::new());
                match unpaired {
                    Some(Ok(Ok(()))) => {
                        adapter.set_result(tr("ペアリングを解除しました。").into());
                    }
                    Some(Ok(Err(e))) => adapter.set_error(format!("{e:#}").into()),
                    Some(Err(e)) => adapter.set_error(e.to_string().into()),
                    None => return,
                }
                refresh(session, window);
            },
        );
    });

    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_send(move || {
        let Some(window) = weak.upgrade() else { return };
        if !begin(&window, SyncState::Sending) {
            return;
        }
        let adapter = window.global::<SyncAdapter<'_>>();
        adapter.set_progress(0.0);
        adapter.set_progress_text(SharedString::new());
        let epoch = s.epoch();
        let reporter = window.as_weak();
        s.run(
            &window,
            move |session| {
                let mut on_progress = progress_reporter(reporter);
                session.with_store(|store| Ok(crate::sync::sync_with(store, &mut on_progress)))
            },
            move |session, window, sent| {
                if session.epoch() != epoch {
                    return;
                }
                let adapter = window.global::<SyncAdapter<'_>>();
                adapter.set_state(SyncState::Idle);
                match sent {
                    Some(Ok(Ok(report))) if report.refused.is_empty() => {
                        let mut text = if report.delivered == 0 {
                            tr("送信するものはありませんでした。").to_owned()
                        } else {
                            tr_fill(
                                "{} 件の送信データを事務所PCに届けました。",
                                &[&report.delivered.to_string()],
                            )
                        };
                        if let Some(version) = &report.reference {
                            // The screens read the new release next time.
                            session.library().forget();
                            text.push('\n');
                            text.push_str(&tr_fill(
                                "事務所PCから共有データベース 第{}版 を受け取り、使い始めました。",
                                &[version],
                            ));
                        }
                        if let Some(problem) = &report.reference_problem {
                            adapter.set_error(problem.as_str().into());
                        }
                        adapter.set_result(text.into());
                    }
                    Some(Ok(Ok(report))) => adapter.set_error(
                        format!(
                            "{}（{}）",
                            tr("事務所PCが受け付けなかった送信データがあります。この端末に残っています。"),
                            report.refused.join("、")
                        )
                        .into(),
                    ),
                    Some(Ok(Err(e))) => adapter.set_error(format!("{e:#}").into()),
                    Some(Err(e)) => adapter.set_error(e.to_string().into()),
                    None => return,
                }
                refresh(session, window);
            },
        );
    });
    let (weak, s) = (window.as_weak(), Arc::clone(session));
    adapter.on_receive(move || {
        let Some(window) = weak.upgrade() else { return };
        if !begin(&window, SyncState::Receiving) {
            return;
        }
        let adapter = window.global::<SyncAdapter<'_>>();
        adapter.set_progress(0.0);
        adapter.set_progress_text(SharedString::new());
        let epoch = s.epoch();
        let reporter = window.as_weak();
        s.run(
            &window,
            move |session| {
                let mut on_progress = progress_reporter(reporter);
                let mut on_bytes = |sent, total| on_progress(Progress { sent, total });
                session.with_store(|store| {
                    Ok(crate::receive::receive_from_office(store, &mut on_bytes))
                })
            },
            move |session, window, received| {
                if session.epoch() != epoch {
                    return;
                }
                let adapter = window.global::<SyncAdapter<'_>>();
                adapter.set_state(SyncState::Idle);
                match received {
                    Some(Ok(Ok(report))) => {
                        let text = if report.cases == 0 {
                            tr("受け取るケースはありませんでした。事務所PCでこの端末にケースを引き継いでもらったか確かめてください。").to_owned()
                        } else {
                            tr_fill(
                                "{} 件のケースを事務所PCから受け取りました。",
                                &[&report.cases.to_string()],
                            )
                        };
                        adapter.set_result(text.into());
                    }
                    Some(Ok(Err(e))) => adapter.set_error(format!("{e:#}").into()),
                    Some(Err(e)) => adapter.set_error(e.to_string().into()),
                    None => return,
                }
                refresh(session, window);
            },
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_left_follows_the_rate_so_far() {
        let p = Progress {
            sent: 10_000_000,
            total: 40_000_000,
        };
        // 10 MB in 5 s: 30 MB more takes 15 s.
        assert_eq!(
            progress_text(p, Duration::from_secs(5)),
            "10.0 MB / 40.0 MB・残り約 15 秒"
        );
        // 10 MB in 60 s: 30 MB more takes 180 s = 3 minutes.
        assert_eq!(
            progress_text(p, Duration::from_secs(60)),
            "10.0 MB / 40.0 MB・残り約 3 分"
        );
        // Nothing sent yet, or all of it: no estimate.
        let start = Progress { sent: 0, ..p };
        assert_eq!(
            progress_text(start, Duration::from_secs(3)),
            "0 B / 40.0 MB"
        );
        let end = Progress { sent: p.total, ..p };
        assert_eq!(
            progress_text(end, Duration::from_secs(3)),
            "40.0 MB / 40.0 MB"
        );
        assert!((fraction(end) - 1.0).abs() < f32::EPSILON);
        assert!((fraction(Progress { sent: 0, total: 0 }) - 1.0).abs() < f32::EPSILON);
    }
}
