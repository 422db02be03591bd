//! タブレットのペアリング and the link server behind it. The server runs on a
//! thread of its own with its own store handle ([`Store::open_another`]):
//! one tokio runtime, one QUIC endpoint, one connection at a time, exactly
//! as `tsunagi-companion serve`. What each connection did comes back to the
//! window: a pairing shows its verification code, an import refreshes the
//! cases. Sessions reach the UI thread through a channel that a task on
//! the window's event loop reads, in the order they ended.

use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::{Arc, PoisonError};

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tsunagi_core::link::PairingCode;
use tsunagi_core::link::pairing::CODE_LIFETIME;
use tsunagi_core::store::Store;
use tsunagi_core::store::sync::PeerKind;

use super::documents::{self, Documents};
use super::ui::{DeskAdapter, DeskWindow, PairingAdapter, TabletItem};
use super::{Desk, local_day, qr};
use crate::link;

/// Starts receiving from paired tablets, if the window was given an address;
/// an import refreshes the documents panel `docs`.
pub(super) fn start_server(desk: &Arc<Desk>, window: &DeskWindow, docs: &Rc<Documents>) {
    let status = window.global::<DeskAdapter<'_>>();
    let Some(listen) = desk.listen else {
        status.set_link_status("タブレットからの受信は止まっています (not receiving)".into());
        return;
    };
    let opened = desk
        .store
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .map(Store::open_another);
    let mut store = match opened {
        Some(Ok(store)) => store,
        Some(Err(e)) => {
            status.set_link_status(format!("受信を始められません (cannot receive): {e}").into());
            return;
        }
        None => return,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            status.set_link_status(format!("受信を始められません (cannot receive): {e}").into());
            return;
        }
    };
    let endpoint = match runtime.block_on(async { link::endpoint(&mut store, listen) }) {
        Ok(endpoint) => endpoint,
        Err(e) => {
            status.set_link_status(format!("受信を始められません (cannot receive): {e:#}").into());
            return;
        }
    };
    let local = endpoint.local_addr().unwrap_or(listen);
    status.set_link_status(
        format!(
            "タブレットから受信中：{} (receiving)",
            link::advertised_address(local)
        )
        .into(),
    );
    *desk.server.lock().unwrap_or_else(PoisonError::into_inner) = Some(endpoint.clone());
    let (sessions, arrived) = mpsc::unbounded_channel();
    show_sessions(desk, window, docs, arrived);
    // Advertised while the window receives; a failure leaves tablets with
    // the address they paired with.
    let advertised = store
        .device_identity()
        .ok()
        .and_then(|id| crate::discovery::advertise(&id.tls.fingerprint(), local).ok());
    let spawned = std::thread::Builder::new()
        .name("tsunagi-link".into())
        .spawn(move || {
            let _advertised = advertised;
            let report = move |result: anyhow::Result<link::Session>| {
                let _ = sessions.send(result);
            };
            runtime.block_on(async move {
                let _ = link::serve(&store, endpoint, report).await;
            });
        });
    match spawned {
        Ok(thread) => {
            *desk
                .server_thread
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(thread);
        }
        Err(e) => {
            status.set_link_status(format!("受信を始められません (cannot receive): {e}").into());
        }
    }
}

/// Shows what each connection did as it `arrived`, in a task on the UI
/// thread, until the server stops, the window goes or it is locked. If no
/// event loop runs the task, nobody is left to tell: the sessions are
/// dropped.
fn show_sessions(
    desk: &Arc<Desk>,
    window: &DeskWindow,
    docs: &Rc<Documents>,
    mut arrived: mpsc::UnboundedReceiver<anyhow::Result<link::Session>>,
) {
    let (weak, d, docs) = (window.as_weak(), Arc::clone(desk), Rc::clone(docs));
    let epoch = desk.epoch();
    let _ = slint::spawn_local(async move {
        while let Some(result) = arrived.recv().await {
            let Some(window) = weak.upgrade() else { return };
            if d.epoch() != epoch {
                return;
            }
            match result {
                Ok(session) => received(&d, &window, &docs, &session),
                Err(e) => window
                    .global::<PairingAdapter<'_>>()
                    .set_error(format!("{e:#}").into()),
            }
        }
    });
}

/// What one connection did, shown.
fn received(desk: &Arc<Desk>, window: &DeskWindow, docs: &Rc<Documents>, session: &link::Session) {
    if let Some(code) = &session.paired {
        let adapter = window.global::<PairingAdapter<'_>>();
        adapter.set_verification(code.as_str().into());
        adapter.set_confirmed(false);
        adapter.set_code(SharedString::new());
        adapter.set_qr(slint::Image::default());
        refresh(desk, window);
    }
    if session.imported > 0 {
        documents::refresh(docs, desk, window);
    }
}

/// Stops the link server (on lock and on closing).
/// Stops receiving, as [`stop_server`], and hands over the server's
/// thread: once it has ended, its store handle is closed.
pub(super) fn pause_server(desk: &Desk) -> Option<std::thread::JoinHandle<()>> {
    stop_server(desk);
    desk.server_thread
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
}

pub(super) fn stop_server(desk: &Desk) {
    if let Some(endpoint) = desk
        .server
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
    {
        endpoint.close(0u32.into(), b"locked");
    }
}

/// Reads the paired tablets.
pub(super) fn refresh(desk: &Arc<Desk>, window: &DeskWindow) {
    desk.with_store(
        window,
        |store| store.peers(),
        |desk, window, peers| {
            let adapter = window.global::<PairingAdapter<'_>>();
            match peers {
                Some(Ok(peers)) => {
                    let items: Vec<TabletItem> = peers
                        .iter()
                        .filter(|p| p.kind == PeerKind::Tablet)
                        .map(|p| TabletItem {
                            fingerprint: p.fingerprint.to_hex()[..16].into(),
                            paired: local_day(p.paired_at, desk.utc_offset).into(),
                        })
                        .collect();
                    adapter.set_tablets(ModelRc::new(VecModel::from(items)));
                }
                Some(Err(e)) => adapter.set_error(e.to_string().into()),
                None => {}
            }
        },
    );
}

/// Empties the panel.
pub(super) fn clear(window: &DeskWindow) {
    let adapter = window.global::<PairingAdapter<'_>>();
    adapter.set_tablets(ModelRc::default());
    adapter.set_code(SharedString::new());
    adapter.set_qr(slint::Image::default());
    adapter.set_valid_until(SharedString::new());
    adapter.set_verification(SharedString::new());
    adapter.set_error(SharedString::new());
    adapter.set_result(SharedString::new());
    adapter.set_revoking(-1);
    window
        .global::<DeskAdapter<'_>>()
        .set_link_status(SharedString::new());
}

/// The address a tablet should dial: where the server listens, as others
/// on the network see it.
fn dial_address(desk: &Desk) -> Option<SocketAddr> {
    let endpoint = desk
        .server
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()?;
    endpoint.local_addr().ok().map(link::advertised_address)
}

pub(super) fn wire(window: &DeskWindow, desk: &Arc<Desk>) {
    let adapter = window.global::<PairingAdapter<'_>>();
    let (weak, d) = (window.as_weak(), Arc::clone(desk));
    adapter.on_issue_code(move || {
        let Some(window) = weak.upgrade() else { return };
        let Some(addr) = dial_address(&d) else {
            window.global::<PairingAdapter<'_>>().set_error(
                "受信が止まっているため、ペアリングできません (not receiving: cannot pair)".into(),
            );
            return;
        };
        d.with_store(
            &window,
            move |store| -> Result<PairingCode, tsunagi_core::store::StoreError> {
                let identity = store.device_identity()?;
                let secret = store.issue_pairing_secret(OffsetDateTime::now_utc())?;
                Ok(PairingCode {
                    addr,
                    fingerprint: identity.tls.fingerprint(),
                    secret,
                })
            },
            |_, window, issued| {
                let adapter = window.global::<PairingAdapter<'_>>();
                adapter.set_error(SharedString::new());
                adapter.set_verification(SharedString::new());
                match issued {
                    Some(Ok(code)) => {
                        let text = code.to_string();
                        adapter.set_qr(qr::image(&text));
                        adapter.set_code(text.into());
                        let until = OffsetDateTime::now_local()
                            .unwrap_or_else(|_| OffsetDateTime::now_utc())
                            + CODE_LIFETIME;
                        adapter.set_valid_until(
                            format!("{:02}:{:02}", until.hour(), until.minute()).into(),
                        );
                    }
                    Some(Err(e)) => adapter.set_error(e.to_string().into()),
                    None => {}
                }
            },
        );
    });

    let (weak, d) = (window.as_weak(), Arc::clone(desk));
    adapter.on_confirm(move || {
        let Some(window) = weak.upgrade() else { return };
        let code = window
            .global::<PairingAdapter<'_>>()
            .get_verification()
            .to_string();
        d.with_store(
            &window,
            move |store| store.confirm_pairing(&code),
            |desk, window, confirmed| {
                let adapter = window.global::<PairingAdapter<'_>>();
                match confirmed {
                    Some(Ok(Some(_))) => adapter.set_confirmed(true),
                    Some(Ok(None)) => adapter.set_error(
                        "確認を待っているペアリングがありません (no pairing waits for that code)"
                            .into(),
                    ),
                    Some(Err(e)) => adapter.set_error(e.to_string().into()),
                    None => {}
                }
                refresh(desk, window);
            },
        );
    });

    let (weak, d) = (window.as_weak(), Arc::clone(desk));
    adapter.on_unpair(move |index| {
        let Some(window) = weak.upgrade() else { return };
        d.with_store(
            &window,
            move |store| {
                let tablets: Vec<_> = store
                    .peers()?
                    .into_iter()
                    .filter(|p| p.kind == PeerKind::Tablet)
                    .collect();
                match usize::try_from(index).ok().and_then(|i| tablets.get(i)) {
                    Some(peer) => store.remove_peer(&peer.fingerprint).map(|_| ()),
                    None => Ok(()),
                }
            },
            |desk, window, removed| {
                if let Some(Err(e)) = removed {
                    window
                        .global::<PairingAdapter<'_>>()
                        .set_error(e.to_string().into());
                }
                refresh(desk, window);
            },
        );
    });
    let (weak, d) = (window.as_weak(), Arc::clone(desk));
    adapter.on_revoke(move |to| {
        let Some(window) = weak.upgrade() else { return };
        let adapter = window.global::<PairingAdapter<'_>>();
        let old = adapter.get_revoking();
        adapter.set_revoking(-1);
        adapter.set_result(SharedString::new());
        adapter.set_error(SharedString::new());
        d.with_store(
            &window,
            move |store| {
                let tablets: Vec<_> = store
                    .peers()?
                    .into_iter()
                    .filter(|p| p.kind == PeerKind::Tablet)
                    .map(|p| p.fingerprint)
                    .collect();
                let at = |i: i32| usize::try_from(i).ok().and_then(|i| tablets.get(i));
                let old = at(old).ok_or(tsunagi_core::store::StoreError::NoSuchPeer)?;
                let new = at(to);
                store
                    .revoke_tablet(old, new)
                    .map(|revoked| (revoked, new.is_some()))
            },
            |desk, window, revoked| {
                let adapter = window.global::<PairingAdapter<'_>>();
                match revoked {
                    Some(Ok((revoked, true))) => adapter.set_result(
                        format!(
                            "使用停止にしました。{} 件のケースを引き継ぎました。引き継いだタブレットで「事務所PCから受け取る」を押してください。 (Revoked; {} case(s) handed over.)",
                            revoked.handed_over, revoked.handed_over
                        )
                        .into(),
                    ),
                    Some(Ok((_, false))) => adapter.set_result(
                        "使用停止にしました。この端末は二度と送信できません。 (Revoked: it may never send again.)".into(),
                    ),
                    Some(Err(e)) => adapter.set_error(e.to_string().into()),
                    None => {}
                }
                refresh(desk, window);
            },
        );
    });
}
