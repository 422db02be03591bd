//! LAN discovery (mDNS / DNS-SD): the names both sides agree on. The
//! companion advertises an instance of [`SERVICE_TYPE`] whose TXT record
//! [`FINGERPRINT_KEY`] is its certificate's fingerprint; a tablet that cannot
//! reach its companion at the address it paired with looks for that
//! fingerprint on the network.
//!
//! What is found is only a hint of where to connect: the connection still
//! accepts nothing but the pinned certificate, so a device answering with a
//! paired companion's fingerprint gains nothing. The advertisement names no
//! person and no case: a fingerprint prefix, a port and addresses.

use super::Fingerprint;

/// The DNS-SD service type (QUIC runs over UDP).
pub const SERVICE_TYPE: &str = "_tsunagi._udp.local.";

/// The TXT key holding the companion's certificate fingerprint (hex).
pub const FINGERPRINT_KEY: &str = "fp";

/// The instance (and host) name a companion advertises under: unique per
/// certificate, stable across restarts.
pub fn instance_name(fingerprint: &Fingerprint) -> String {
    format!("tsunagi-{}", &fingerprint.to_hex()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_instance_name_is_a_short_stable_label() {
        let fp = Fingerprint([0xab; 32]);
        assert_eq!(instance_name(&fp), "tsunagi-abababababababab");
        // A DNS label is at most 63 bytes.
        assert!(instance_name(&fp).len() <= 63);
    }
}
