//! The path's two ends: network namespaces `tablet` and `office` joined by
//! a veth pair, each end's egress rate limited by tbf. Made by running `ip`
//! and `tc` (root only), and removed by [`Path`]'s `Drop`, even when the
//! benchmark fails part-way: removing a namespace removes its end of the
//! veth, and with it the pair and their qdiscs.

use std::fs::File;
use std::process::Command;

/// The tablet's namespace.
pub const TABLET: &str = "tsunagi-bench-tablet";
/// The office's namespace: the companion and the impairment relay.
pub const OFFICE: &str = "tsunagi-bench-office";
/// The tablet's address on the veth.
pub const TABLET_ADDR: [u8; 4] = [10, 77, 0, 1];
/// The office's address on the veth.
pub const OFFICE_ADDR: [u8; 4] = [10, 77, 0, 2];
const TABLET_VETH: &str = "tsg-tablet";
const OFFICE_VETH: &str = "tsg-office";

/// The namespaces and the veth while they exist.
pub struct Path;

fn run(program: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("could not run {program}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn remove_all() {
    for ns in [TABLET, OFFICE] {
        let _ = run("ip", &["netns", "del", ns]);
    }
    // Only there if a run failed between creating the pair and moving it.
    let _ = run("ip", &["link", "del", TABLET_VETH]);
}

fn dotted(a: [u8; 4]) -> String {
    std::net::Ipv4Addr::from(a).to_string()
}

impl Path {
    /// Makes the namespaces and the veth, with `tbf` (e.g. `["rate",
    /// "100mbit", "burst", "64kb", "latency", "20ms"]`) on both ends.
    pub fn create(tbf: &[&str]) -> Result<Self, String> {
        // What a killed earlier run left.
        remove_all();
        let path = Path;
        run("ip", &["netns", "add", TABLET])?;
        run("ip", &["netns", "add", OFFICE])?;
        run(
            "ip",
            &[
                "link",
                "add",
                TABLET_VETH,
                "type",
                "veth",
                "peer",
                "name",
                OFFICE_VETH,
            ],
        )?;
        for (ns, dev, addr) in [
            (TABLET, TABLET_VETH, TABLET_ADDR),
            (OFFICE, OFFICE_VETH, OFFICE_ADDR),
        ] {
            run("ip", &["link", "set", dev, "netns", ns])?;
            run(
                "ip",
                &[
                    "-n",
                    ns,
                    "addr",
                    "add",
                    &format!("{}/24", dotted(addr)),
                    "dev",
                    dev,
                ],
            )?;
            run("ip", &["-n", ns, "link", "set", dev, "up"])?;
            run("ip", &["-n", ns, "link", "set", "lo", "up"])?;
            let mut args = vec!["-n", ns, "qdisc", "add", "dev", dev, "root", "tbf"];
            args.extend_from_slice(tbf);
            run("tc", &args)?;
        }
        Ok(path)
    }
}

impl Drop for Path {
    fn drop(&mut self) {
        remove_all();
    }
}

/// Moves the calling thread into namespace `ns`: sockets it opens from then
/// on, and threads it starts, are there.
pub fn enter(ns: &str) {
    let file = File::open(format!("/run/netns/{ns}")).expect("the namespace exists");
    nix::sched::setns(&file, nix::sched::CloneFlags::CLONE_NEWNET).expect("enters the namespace");
}

/// The kernel's UDP counters in `ns` that count datagrams it dropped
/// itself (full socket buffers): `(InErrors, RcvbufErrors, SndbufErrors)`.
pub fn udp_drops(ns: &str) -> Option<(u64, u64, u64)> {
    let out = Command::new("ip")
        .args(["netns", "exec", ns, "cat", "/proc/net/snmp"])
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let mut lines = text.lines().filter(|l| l.starts_with("Udp:"));
    let names: Vec<&str> = lines.next()?.split_whitespace().collect();
    let values: Vec<&str> = lines.next()?.split_whitespace().collect();
    let get = |name: &str| -> Option<u64> {
        let i = names.iter().position(|n| *n == name)?;
        values.get(i)?.parse().ok()
    };
    Some((get("InErrors")?, get("RcvbufErrors")?, get("SndbufErrors")?))
}
