//! Finding the paired companion on the LAN (mDNS / DNS-SD) when it no
//! longer answers at the address it paired with (an office PC whose address
//! the network changed). Only a hint: the connection that follows still
//! accepts nothing but the companion's pinned certificate.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mdns_sd::{ServiceDaemon, ServiceEvent};
use tsunagi_core::link::Fingerprint;
use tsunagi_core::link::discovery::{FINGERPRINT_KEY, SERVICE_TYPE};

/// How long to listen for the companion's answer.
pub const LOOK_FOR: Duration = Duration::from_secs(3);

/// The addresses at which the companion with certificate `fingerprint`
/// says it is, IPv4 first; empty when it did not answer within `wait` or
/// multicast does not work here. Blocks for up to `wait`.
///
/// Holds the platform's multicast lock while it looks (Android delivers
/// multicast only to an app holding one); when the lock cannot be taken it
/// looks anyway, and says so on stderr.
pub fn find_companion(fingerprint: &Fingerprint, wait: Duration) -> Vec<SocketAddr> {
    let _multicast = match tsunagi_platform::current().multicast().acquire() {
        Ok(guard) => Some(guard),
        Err(e) => {
            eprintln!("tsunagi: {e}; looking for the companion on the LAN without it");
            None
        }
    };
    let Ok(daemon) = ServiceDaemon::new() else {
        return Vec::new();
    };
    let found = look(&daemon, fingerprint, wait);
    let _ = daemon.shutdown();
    found
}

fn look(daemon: &ServiceDaemon, fingerprint: &Fingerprint, wait: Duration) -> Vec<SocketAddr> {
    let Ok(events) = daemon.browse(SERVICE_TYPE) else {
        return Vec::new();
    };
    let wanted = fingerprint.to_hex();
    let deadline = Instant::now() + wait;
    while let Ok(event) = events.recv_deadline(deadline) {
        let ServiceEvent::ServiceResolved(service) = event else {
            continue;
        };
        if service.get_property_val_str(FINGERPRINT_KEY) != Some(wanted.as_str()) {
            continue;
        }
        let mut addresses: Vec<SocketAddr> = service
            .get_addresses()
            .iter()
            .map(|ip| SocketAddr::new(ip.to_ip_addr(), service.get_port()))
            .collect();
        addresses.sort_by_key(|a| (a.is_ipv6(), *a));
        if !addresses.is_empty() {
            return addresses;
        }
    }
    Vec::new()
}
