//! The `eth<N>=` boot parameter, in UML's syntax (shared/spec/net.md §1):
//! `eth<N>=<transport>,<field>,...` where an empty field keeps its default.

use std::fmt;
use std::net::Ipv4Addr;
use std::path::PathBuf;

/// The control socket `eth<N>=daemon` connects to when none is given: the
/// default of Debian's UML (uml_switch's own default is /tmp/uml.ctl).
pub const DEFAULT_DAEMON_CTL: &str = "/var/run/uml-utilities/uml_switch.ctl";

/// uml_switch's (and `ruml switch`'s) default control socket: a daemon NIC
/// without a socket of its own falls back on it when Debian's is missing.
pub const UML_SWITCH_DEFAULT_CTL: &str = "/tmp/uml.ctl";

/// Units `eth0` to `eth<MAX_NICS-1>`.
pub const MAX_NICS: u32 = 64;

/// One network device from the command line (or, later, mconsole).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NicSpec {
    pub unit: u32,
    /// None: a random locally administered address, as UML picks.
    pub mac: Option<[u8; 6]>,
    pub transport: TransportSpec,
}

impl NicSpec {
    /// The interface name inside the guest.
    pub fn name(&self) -> String {
        format!("eth{}", self.unit)
    }
}

/// Where a NIC's frames go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportSpec {
    /// A uml_switch-protocol switch (`ruml switch`, `uml_switch`).
    Daemon { ctl: PathBuf },
    /// A VDE switch (`vde_switch -s DIR`).
    Vde {
        switch: Option<PathBuf>,
        port: u32,
        group: Option<String>,
        mode: u32,
        descr: String,
    },
    /// Ethernet in UDP multicast.
    Mcast {
        group: Ipv4Addr,
        port: u16,
        ttl: u32,
    },
    /// Ethernet in UDP to one peer.
    Ucast {
        remote: Ipv4Addr,
        listen: u16,
        remote_port: u16,
    },
    /// A host tap device the user may open.
    Tuntap { dev: String },
    /// User-mode networking: NAT through ruml's own host sockets.
    Slirp { options: Vec<String> },
}

impl fmt::Display for TransportSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportSpec::Daemon { ctl } => write!(f, "daemon backend (uml_switch version 3) - unix:{}", ctl.display()),
            TransportSpec::Vde { switch, .. } => match switch {
                Some(s) => write!(f, "vde backend - {}", s.display()),
                None => write!(f, "vde backend - default switch"),
            },
            TransportSpec::Mcast { group, port, ttl } => write!(f, "mcast backend multicast address: {group}:{port}, TTL:{ttl}"),
            TransportSpec::Ucast { remote, listen, remote_port } => {
                write!(f, "ucast backend address: {remote}:{remote_port} listen port: {listen}")
            }
            TransportSpec::Tuntap { dev } => write!(f, "tuntap backend - host device {dev}"),
            TransportSpec::Slirp { .. } => write!(f, "slirp backend (ruml user networking, guest 10.0.2.15/24, gateway 10.0.2.2, DNS 10.0.2.3)"),
        }
    }
}

/// The `key=value` options of a slirp NIC (words without `=` are UML's
/// slirp command and its arguments, which ruml does not run).
pub fn slirp_options(fields: &[String]) -> Vec<&str> {
    fields
        .iter()
        .filter(|f| f.contains('='))
        .map(String::as_str)
        .collect()
}

/// Parses a MAC address `xx:xx:xx:xx:xx:xx`. Multicast and all-zero
/// addresses are refused, as UML refuses them.
pub fn parse_mac(s: &str) -> Result<[u8; 6], String> {
    let parts: Vec<&str> = s.split(':').collect();
    let bad = || format!("invalid MAC address '{s}' (use six hex numbers separated by ':')");
    if parts.len() != 6 {
        return Err(bad());
    }
    let mut mac = [0u8; 6];
    for (m, p) in mac.iter_mut().zip(&parts) {
        if p.is_empty() || p.len() > 2 {
            return Err(bad());
        }
        *m = u8::from_str_radix(p, 16).map_err(|_| bad())?;
    }
    if mac[0] & 1 != 0 {
        return Err(format!("MAC address '{s}' is a multicast address"));
    }
    if mac == [0; 6] {
        return Err(format!("MAC address '{s}' is all zeroes"));
    }
    Ok(mac)
}

/// A random locally administered unicast address.
pub fn random_mac() -> [u8; 6] {
    use std::io::Read;
    let mut mac = [0u8; 6];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut mac))
        .is_err()
    {
        // Fall back on the clock and pid: unique enough between VMs.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
            ^ ((std::process::id() as u64) << 20);
        mac.copy_from_slice(&t.to_le_bytes()[..6]);
    }
    mac[0] = (mac[0] & 0xfe) | 0x02;
    mac
}

/// Formats a MAC address as `xx:xx:xx:xx:xx:xx`.
pub fn format_mac(mac: &[u8; 6]) -> String {
    mac.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Parses a unit number as C's strtoul base 0 does (`0x10`, `010`, `16`).
fn parse_unit(s: &str) -> Option<u32> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u32::from_str_radix(h, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u32::from_str_radix(&s[1..], 8).ok()
    } else {
        s.parse().ok()
    }
}

/// Parses `eth<N>=<value>`: `key` is the part before `=` (`eth0`).
pub fn parse_eth(key: &str, value: &str) -> Result<NicSpec, String> {
    let unit = key
        .strip_prefix("eth")
        .and_then(parse_unit)
        .filter(|n| *n < MAX_NICS)
        .ok_or_else(|| {
            format!(
                "{key}={value}: bad device number (eth0 to eth{})",
                MAX_NICS - 1
            )
        })?;
    let e = |m: String| format!("{key}={value}: {m}");
    let mut fields = value.split(',');
    let transport = fields.next().unwrap_or("");
    let rest: Vec<&str> = fields.collect();
    let field = |i: usize| rest.get(i).copied().filter(|f| !f.is_empty());
    let mac_at = |i: usize| field(i).map(parse_mac).transpose().map_err(e);
    let num = |i: usize, what: &str, radix: u32, max: u64| -> Result<Option<u64>, String> {
        field(i)
            .map(|f| {
                u64::from_str_radix(f, radix)
                    .ok()
                    .filter(|n| *n <= max)
                    .ok_or_else(|| e(format!("bad {what} '{f}'")))
            })
            .transpose()
    };
    let ip = |i: usize, what: &str| -> Result<Option<Ipv4Addr>, String> {
        field(i)
            .map(|f| f.parse().map_err(|_| e(format!("bad {what} '{f}'"))))
            .transpose()
    };
    let at_most = |n: usize| {
        if rest.len() > n {
            Err(e("extra garbage on specification".into()))
        } else {
            Ok(())
        }
    };
    let (mac, t) = match transport {
        "daemon" => {
            if field(1).is_some_and(|s| s != "unix") {
                return Err(e(format!("socket type '{}' is not supported (only unix)", rest[1])));
            }
            (
                mac_at(0)?,
                TransportSpec::Daemon {
                    ctl: PathBuf::from(field(2).unwrap_or(DEFAULT_DAEMON_CTL)),
                },
            )
        }
        "vde" => {
            at_most(6)?;
            let mode = num(4, "mode", 8, 0o7777)?.unwrap_or(0o700) as u32;
            (
                mac_at(1)?,
                TransportSpec::Vde {
                    switch: field(0).map(PathBuf::from),
                    port: num(2, "port", 10, u32::MAX as u64)?.unwrap_or(0) as u32,
                    group: field(3).map(str::to_string),
                    mode,
                    descr: field(5).unwrap_or("ruml vde_transport").to_string(),
                },
            )
        }
        "mcast" => {
            at_most(4)?;
            let group = ip(1, "multicast address")?.unwrap_or(Ipv4Addr::new(239, 192, 168, 1));
            if !group.is_multicast() {
                return Err(e(format!("{group} is not a multicast address")));
            }
            (
                mac_at(0)?,
                TransportSpec::Mcast {
                    group,
                    port: num(2, "port", 10, 65535)?.unwrap_or(1102) as u16,
                    ttl: num(3, "TTL", 10, 255)?.unwrap_or(1) as u32,
                },
            )
        }
        "ucast" => {
            at_most(4)?;
            (
                mac_at(0)?,
                TransportSpec::Ucast {
                    remote: ip(1, "remote address")?
                        .ok_or_else(|| e("the remote address is missing".into()))?,
                    listen: num(2, "listen port", 10, 65535)?.unwrap_or(1102) as u16,
                    remote_port: num(3, "remote port", 10, 65535)?.unwrap_or(1102) as u16,
                },
            )
        }
        "tuntap" => {
            at_most(3)?;
            let dev = field(0).ok_or_else(|| {
                e("a host tap device name is needed (ruml does not run uml_net; create one with 'ip tuntap add NAME mode tap user USER')".into())
            })?;
            if dev.len() > 15 {
                return Err(e(format!("tap device name '{dev}' is longer than 15 characters")));
            }
            (mac_at(1)?, TransportSpec::Tuntap { dev: dev.to_string() })
        }
        "slirp" => {
            // UML's form is slirp,MAC,COMMAND,ARG...: ruml's NAT is built
            // in, so a command word is ignored (see `slirp_options`); the
            // MAC field may be left out before options.
            let (mac, skip) = match field(0) {
                Some(f) if !f.contains('=') && f.contains(':') => (Some(parse_mac(f).map_err(e)?), 1),
                None if !rest.is_empty() => (None, 1),
                _ => (None, 0),
            };
            let options: Vec<String> = rest.iter().skip(skip).filter(|f| !f.is_empty()).map(|f| f.to_string()).collect();
            crate::slirp::SlirpConfig::parse(&slirp_options(&options).join(",")).map_err(|m| e(m.to_string()))?;
            (mac, TransportSpec::Slirp { options })
        }
        "ethertap" | "slip" | "pcap" | "vector" => {
            return Err(e(format!("the {transport} transport is not supported by ruml (daemon, vde, mcast, ucast, tuntap and slirp are)")))
        }
        "" => return Err(e("no transport given".into())),
        t => return Err(e(format!("unknown transport '{t}' (daemon, vde, mcast, ucast, tuntap or slirp)"))),
    };
    Ok(NicSpec {
        unit,
        mac,
        transport: t,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daemon_defaults_and_fields() {
        let s = parse_eth("eth0", "daemon").unwrap();
        assert_eq!(s.unit, 0);
        assert_eq!(s.mac, None);
        assert_eq!(
            s.transport,
            TransportSpec::Daemon {
                ctl: DEFAULT_DAEMON_CTL.into()
            }
        );
        let s = parse_eth("eth0x10", "daemon,fe:fd:01:02:03:04,unix,/tmp/sw.ctl").unwrap();
        assert_eq!(s.unit, 16);
        assert_eq!(s.mac, Some([0xfe, 0xfd, 1, 2, 3, 4]));
        assert_eq!(
            s.transport,
            TransportSpec::Daemon {
                ctl: "/tmp/sw.ctl".into()
            }
        );
        let s = parse_eth("eth1", "daemon,,,/x").unwrap();
        assert_eq!(
            (s.mac, s.transport),
            (None, TransportSpec::Daemon { ctl: "/x".into() })
        );
        assert!(parse_eth("eth1", "daemon,,tcp,/x").is_err());
    }

    #[test]
    fn vde_switch_comes_before_mac() {
        let s = parse_eth("eth1", "vde,/tmp/sw,fe:fd:01:02:03:05,7,,0660,my-descr").unwrap();
        assert_eq!(s.mac, Some([0xfe, 0xfd, 1, 2, 3, 5]));
        assert_eq!(
            s.transport,
            TransportSpec::Vde {
                switch: Some("/tmp/sw".into()),
                port: 7,
                group: None,
                mode: 0o660,
                descr: "my-descr".into()
            }
        );
    }

    #[test]
    fn mcast_ucast_tuntap() {
        let s = parse_eth("eth3", "mcast").unwrap();
        assert_eq!(
            s.transport,
            TransportSpec::Mcast {
                group: Ipv4Addr::new(239, 192, 168, 1),
                port: 1102,
                ttl: 1
            }
        );
        let s = parse_eth("eth4", "ucast,fe:fd:01:02:03:06,127.0.0.1,5555,5554").unwrap();
        assert_eq!(
            s.transport,
            TransportSpec::Ucast {
                remote: Ipv4Addr::LOCALHOST,
                listen: 5555,
                remote_port: 5554
            }
        );
        assert!(parse_eth("eth4", "ucast").is_err());
        assert!(parse_eth("eth4", "mcast,,10.0.0.1").is_err());
        assert!(parse_eth("eth4", "mcast,,,1102,1,extra").is_err());
        let s = parse_eth("eth5", "tuntap,tap0,fe:fd:00:00:00:05").unwrap();
        assert_eq!(s.transport, TransportSpec::Tuntap { dev: "tap0".into() });
        assert!(parse_eth("eth5", "tuntap").is_err());
    }

    #[test]
    fn slirp_fields() {
        let s = parse_eth("eth0", "slirp").unwrap();
        assert_eq!(
            (s.mac, s.transport),
            (None, TransportSpec::Slirp { options: vec![] })
        );
        let s = parse_eth("eth0", "slirp,fe:fd:00:00:00:09,slirp").unwrap();
        assert_eq!(s.mac, Some([0xfe, 0xfd, 0, 0, 0, 9]));
        let s = parse_eth("eth0", "slirp,hostfwd=tcp::8080-:80").unwrap();
        assert_eq!(
            s.transport,
            TransportSpec::Slirp {
                options: vec!["hostfwd=tcp::8080-:80".into()]
            }
        );
        let s = parse_eth("eth0", "slirp,,hostfwd=tcp::8080-:80,dns=1.1.1.1").unwrap();
        assert_eq!(s.mac, None);
        assert_eq!(
            slirp_options(match &s.transport {
                TransportSpec::Slirp { options } => options,
                _ => unreachable!(),
            })
            .len(),
            2
        );
        assert!(parse_eth("eth0", "slirp,,hostfwd=tcp::80").is_err());
    }

    #[test]
    fn bad_input() {
        for (k, v) in [
            ("eth", "daemon"),
            ("ethx", "daemon"),
            ("eth99", "daemon"),
            ("eth0", "daemonx"),
            ("eth0", ""),
            ("eth0", "daemon,01:02:03:04:05:06"),
            ("eth0", "daemon,00:00:00:00:00:00"),
            ("eth0", "daemon,fe:fd:01:02:03"),
            ("eth0", "daemon,fe:fd:01:02:03:gg"),
            ("eth0", "pcap"),
        ] {
            let m = parse_eth(k, v).expect_err(v);
            assert!(m.starts_with(&format!("{k}={v}: ")), "{m}");
        }
    }

    #[test]
    fn random_macs_are_local_unicast() {
        let a = random_mac();
        assert_eq!(a[0] & 3, 2);
        assert_ne!(a, random_mac());
    }
}
