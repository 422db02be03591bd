//! Advertising the companion on the LAN (mDNS / DNS-SD), so that a paired
//! tablet finds it after its address has changed. Where multicast does not
//! work the tablet uses the address from the pairing code, so a failure
//! here is reported and serving goes on.

use std::net::{IpAddr, SocketAddr};

use anyhow::Context;
use mdns_sd::{ServiceDaemon, ServiceInfo};
use tsunagi_core::link::Fingerprint;
use tsunagi_core::link::discovery::{FINGERPRINT_KEY, SERVICE_TYPE, instance_name};

/// The companion advertised; withdrawn when dropped.
pub struct Advertised {
    daemon: ServiceDaemon,
    fullname: String,
}

impl std::fmt::Debug for Advertised {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Advertised")
            .field("fullname", &self.fullname)
            .finish_non_exhaustive()
    }
}

/// Advertises the companion whose certificate is `fingerprint`, reached on
/// `listen`'s port: at `listen`'s address when it names one, otherwise at
/// every address of this computer's interfaces.
pub fn advertise(fingerprint: &Fingerprint, listen: SocketAddr) -> anyhow::Result<Advertised> {
    let daemon = ServiceDaemon::new().context("could not start LAN discovery (mDNS)")?;
    let name = instance_name(fingerprint);
    let host = format!("{name}.local.");
    let hex = fingerprint.to_hex();
    let properties = [(FINGERPRINT_KEY, hex.as_str())];
    let ip = listen.ip();
    // Listening on every interface: every address they have, kept current.
    let every = ip.is_unspecified();
    let addresses: &[IpAddr] = if every {
        &[]
    } else {
        std::slice::from_ref(&ip)
    };
    let info = ServiceInfo::new(
        SERVICE_TYPE,
        &name,
        &host,
        addresses,
        listen.port(),
        &properties[..],
    )
    .map(|info| if every { info.enable_addr_auto() } else { info })
    .context("could not describe the companion for LAN discovery")?;
    let fullname = info.get_fullname().to_owned();
    daemon
        .register(info)
        .context("could not advertise the companion on the LAN (mDNS)")?;
    Ok(Advertised { daemon, fullname })
}

impl Drop for Advertised {
    fn drop(&mut self) {
        // Says goodbye on the network so tablets stop using this address.
        if let Ok(done) = self.daemon.unregister(&self.fullname) {
            let _ = done.recv_timeout(std::time::Duration::from_secs(1));
        }
        let _ = self.daemon.shutdown();
    }
}
