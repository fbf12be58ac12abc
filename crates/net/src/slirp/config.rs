//! The slirp NIC's options: `hostfwd=` rules and the DNS server.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddrV4};

/// Transport protocol of a port forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Proto {
    /// TCP: the host listens, each connection becomes one into the guest.
    Tcp,
    /// UDP: datagrams to the host port go to the guest port, replies back.
    Udp,
}

/// One `hostfwd=` rule: the host listens on `host_addr:host_port` and
/// relays to the guest's `guest_port` (on `guest_addr`, by default the
/// guest's own address, 10.0.2.15 or the one it uses).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forward {
    pub proto: Proto,
    pub host_addr: Ipv4Addr,
    pub host_port: u16,
    pub guest_addr: Option<Ipv4Addr>,
    pub guest_port: u16,
}

/// Configuration of one slirp NIC.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlirpConfig {
    /// Host-to-guest port forwards.
    pub forwards: Vec<Forward>,
    /// Where queries to 10.0.2.3:53 go; `None`: the first IPv4
    /// `nameserver` of the host's /etc/resolv.conf, if any.
    pub dns_server: Option<SocketAddrV4>,
}

/// A malformed slirp option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "slirp: {}", self.0)
    }
}

impl std::error::Error for ParseError {}

fn err<T>(msg: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError(msg.into()))
}

fn parse_port(s: &str, what: &str) -> Result<u16, ParseError> {
    match s.parse::<u16>() {
        Ok(p) if p != 0 => Ok(p),
        _ => err(format!("bad {what} port {s:?}")),
    }
}

fn parse_addr(s: &str, what: &str) -> Result<Option<Ipv4Addr>, ParseError> {
    if s.is_empty() {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|_| ParseError(format!("bad {what} address {s:?}")))
}

impl Forward {
    /// Parses the value of one `hostfwd=`:
    /// `[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport`.
    pub fn parse(s: &str) -> Result<Forward, ParseError> {
        let (host, guest) = match s.split_once('-') {
            Some(x) => x,
            None => return err(format!("hostfwd {s:?}: expected HOST-GUEST")),
        };
        let mut h: Vec<&str> = host.split(':').collect();
        let proto = match h.len() {
            3 => match h.remove(0) {
                "" | "tcp" => Proto::Tcp,
                "udp" => Proto::Udp,
                p => return err(format!("hostfwd {s:?}: unknown protocol {p:?}")),
            },
            2 => Proto::Tcp,
            _ => return err(format!("hostfwd {s:?}: expected [PROTO]:[ADDR]:PORT")),
        };
        let host_addr = parse_addr(h[0], "host")?.unwrap_or(Ipv4Addr::LOCALHOST);
        let host_port = parse_port(h[1], "host")?;
        let (gaddr, gport) = match guest.split_once(':') {
            Some(x) => x,
            None => return err(format!("hostfwd {s:?}: expected [ADDR]:PORT after '-'")),
        };
        let guest_addr = parse_addr(gaddr, "guest")?;
        if let Some(a) = guest_addr {
            if a.octets()[..3] != [10, 0, 2] {
                return err(format!("hostfwd {s:?}: guest address not in 10.0.2.0/24"));
            }
        }
        Ok(Forward {
            proto,
            host_addr,
            host_port,
            guest_addr,
            guest_port: parse_port(gport, "guest")?,
        })
    }
}

impl SlirpConfig {
    /// Parses the comma-separated options that follow `slirp` in
    /// `eth<N>=slirp[,OPTION...]` (the string without `slirp,`; empty for
    /// none). Options: `hostfwd=RULE` (any number) and `dns=ADDR[:PORT]`.
    pub fn parse(opts: &str) -> Result<SlirpConfig, ParseError> {
        let mut cfg = SlirpConfig::default();
        for opt in opts.split(',').filter(|o| !o.is_empty()) {
            match opt.split_once('=') {
                Some(("hostfwd", v)) => cfg.forwards.push(Forward::parse(v)?),
                Some(("dns", v)) => {
                    let a = if v.contains(':') {
                        v.parse::<SocketAddrV4>().ok()
                    } else {
                        v.parse::<Ipv4Addr>().ok().map(|a| SocketAddrV4::new(a, 53))
                    };
                    match a {
                        Some(a) => cfg.dns_server = Some(a),
                        None => return err(format!("bad dns server {v:?}")),
                    }
                }
                _ => return err(format!("unknown option {opt:?}")),
            }
        }
        Ok(cfg)
    }
}

/// The first IPv4 `nameserver` of a resolv.conf text.
pub(crate) fn nameserver_of(resolv_conf: &str) -> Option<SocketAddrV4> {
    resolv_conf.lines().find_map(|l| {
        let mut w = l.split_whitespace();
        if w.next() != Some("nameserver") {
            return None;
        }
        w.next()?
            .parse::<Ipv4Addr>()
            .ok()
            .map(|a| SocketAddrV4::new(a, 53))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostfwd_forms() {
        let c = SlirpConfig::parse(
            "hostfwd=tcp:127.0.0.1:8080-:80,hostfwd=::2222-10.0.2.15:22,hostfwd=udp::5353-:53",
        )
        .unwrap();
        assert_eq!(
            c.forwards,
            vec![
                Forward {
                    proto: Proto::Tcp,
                    host_addr: Ipv4Addr::LOCALHOST,
                    host_port: 8080,
                    guest_addr: None,
                    guest_port: 80
                },
                Forward {
                    proto: Proto::Tcp,
                    host_addr: Ipv4Addr::LOCALHOST,
                    host_port: 2222,
                    guest_addr: Some(Ipv4Addr::new(10, 0, 2, 15)),
                    guest_port: 22
                },
                Forward {
                    proto: Proto::Udp,
                    host_addr: Ipv4Addr::LOCALHOST,
                    host_port: 5353,
                    guest_addr: None,
                    guest_port: 53
                },
            ]
        );
        let c = SlirpConfig::parse("hostfwd=tcp:0.0.0.0:80-:8000").unwrap();
        assert_eq!(c.forwards[0].host_addr, Ipv4Addr::UNSPECIFIED);
        assert_eq!(c.forwards[0].host_port, 80);
        assert_eq!(c.forwards[0].guest_port, 8000);
        assert_eq!(SlirpConfig::parse("").unwrap(), SlirpConfig::default());
        assert_eq!(
            SlirpConfig::parse("dns=192.168.1.1").unwrap().dns_server,
            Some("192.168.1.1:53".parse().unwrap())
        );
    }

    #[test]
    fn bad_options() {
        for bad in [
            "hostfwd=tcp:127.0.0.1:8080",
            "hostfwd=sctp::1-:2",
            "hostfwd=tcp::0-:80",
            "hostfwd=tcp::80-:99999",
            "hostfwd=tcp:1.2.3:80-:80",
            "hostfwd=tcp::80-192.168.0.1:80",
            "hostfwd=tcp::80-80",
            "restrict=on",
            "dns=nowhere",
        ] {
            assert!(SlirpConfig::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn resolv_conf() {
        let t = "# x\nsearch lan\nnameserver fe80::1\nnameserver 192.0.2.53\nnameserver 1.1.1.1\n";
        assert_eq!(nameserver_of(t), Some("192.0.2.53:53".parse().unwrap()));
        assert_eq!(nameserver_of("search x\n"), None);
    }
}
