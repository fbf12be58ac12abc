//! The control protocol: the request a client (UML's daemon transport)
//! writes on its control connection, and the switch's reply.
//!
//! Both request versions the switch takes are 124 bytes in host byte order:
//!
//! * v3: magic `0xfeedface`, version 3, type (0 = new port), then a
//!   `sockaddr_un` (family, 108-byte path) naming the client's data socket,
//!   then 2 bytes of padding;
//! * v1: magic, type (0), the client's 6-byte MAC, then the `sockaddr_un`.
//!
//! The reply is a 110-byte `sockaddr_un` naming the switch's data socket.

use std::io;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::path::Path;

/// The request magic number.
pub const MAGIC: u32 = 0xfeed_face;
/// Length of a request.
pub const REQUEST_LEN: usize = 124;
/// Length of the reply (a `struct sockaddr_un`).
pub const REPLY_LEN: usize = 110;
/// Length of `sun_path`.
pub const SUN_PATH_LEN: usize = 108;
/// The only request type: a new port.
pub const REQ_NEW_CONTROL: u32 = 0;

/// A valid request for a new port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// 3, or 1 for the older form.
    pub version: u32,
    /// The client's MAC (v1 only).
    pub mac: Option<[u8; 6]>,
    /// `sun_path` of the client's data socket, exactly as sent.
    pub sun_path: [u8; SUN_PATH_LEN],
}

/// What the bytes received so far on a control connection amount to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parse {
    /// A prefix of a possibly valid request.
    Incomplete,
    /// A complete request (the first [`REQUEST_LEN`] bytes).
    Request(Request),
    /// Not a request the switch takes; the text says why.
    Bad(String),
}

/// The socket address a `sun_path` names, as both sides of the protocol
/// use it: abstract with all 107 name bytes (length 110, as it was bound)
/// when it starts with a NUL, else a filesystem path up to the first NUL.
pub fn sun_path_addr(p: &[u8; SUN_PATH_LEN]) -> io::Result<SocketAddr> {
    if p[0] == 0 {
        SocketAddr::from_abstract_name(&p[1..])
    } else {
        let n = p.iter().position(|&b| b == 0).unwrap_or(SUN_PATH_LEN);
        SocketAddr::from_pathname(Path::new(std::ffi::OsStr::from_bytes(&p[..n])))
    }
}

/// A data socket bound to a unique abstract name with the full
/// `sockaddr_un` length (110 bytes), as UML and uml_switch bind theirs;
/// returns it with its `sun_path`. `tag` starts the name.
pub fn bind_abstract(tag: &str) -> io::Result<(UnixDatagram, [u8; SUN_PATH_LEN])> {
    let mut path = [0u8; SUN_PATH_LEN];
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    for attempt in 0u32..16 {
        let name = format!("{tag}-{}-{}-{attempt}", std::process::id(), t.as_nanos());
        path[1..1 + name.len()].copy_from_slice(name.as_bytes());
        match UnixDatagram::bind_addr(&sun_path_addr(&path)?) {
            Ok(s) => return Ok((s, path)),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::from(io::ErrorKind::AddrInUse))
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_ne_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}

/// Parses the first bytes received on a control connection.
pub fn parse(buf: &[u8]) -> Parse {
    if buf.len() < 4 {
        return Parse::Incomplete;
    }
    let magic = u32_at(buf, 0);
    if magic != MAGIC {
        return Parse::Bad(format!(
            "bad magic {magic:#010x} (version 0 requests are not supported)"
        ));
    }
    if buf.len() < 8 {
        return Parse::Incomplete;
    }
    let version = match u32_at(buf, 4) {
        3 => 3,
        2 => return Parse::Bad("version 2 is not supported".into()),
        v if v > 3 => return Parse::Bad(format!("unsupported version {v}")),
        // v1 has the request type where v3 has the version.
        _ => 1,
    };
    if buf.len() < REQUEST_LEN {
        return Parse::Incomplete;
    }
    let (ty, mac, addr) = if version == 3 {
        (u32_at(buf, 8), None, &buf[12..122])
    } else {
        let mut mac = [0; 6];
        mac.copy_from_slice(&buf[8..14]);
        (u32_at(buf, 4), Some(mac), &buf[14..124])
    };
    if ty != REQ_NEW_CONTROL {
        return Parse::Bad(format!("bad request type {ty}"));
    }
    let family = u16::from_ne_bytes([addr[0], addr[1]]);
    if family != libc::AF_UNIX as u16 {
        return Parse::Bad(format!("bad address family {family}"));
    }
    let mut sun_path = [0; SUN_PATH_LEN];
    sun_path.copy_from_slice(&addr[2..]);
    if sun_path[0] != 0 && !sun_path.contains(&0) {
        return Parse::Bad("unterminated socket path".into());
    }
    Parse::Request(Request {
        version,
        mac,
        sun_path,
    })
}

/// A v3 request for `sun_path` (what UML sends).
pub fn encode_v3(sun_path: &[u8; SUN_PATH_LEN]) -> [u8; REQUEST_LEN] {
    let mut r = [0; REQUEST_LEN];
    r[0..4].copy_from_slice(&MAGIC.to_ne_bytes());
    r[4..8].copy_from_slice(&3u32.to_ne_bytes());
    r[8..12].copy_from_slice(&REQ_NEW_CONTROL.to_ne_bytes());
    r[12..14].copy_from_slice(&(libc::AF_UNIX as u16).to_ne_bytes());
    r[14..122].copy_from_slice(sun_path);
    r
}

/// A v1 request for `sun_path` with `mac`.
pub fn encode_v1(mac: [u8; 6], sun_path: &[u8; SUN_PATH_LEN]) -> [u8; REQUEST_LEN] {
    let mut r = [0; REQUEST_LEN];
    r[0..4].copy_from_slice(&MAGIC.to_ne_bytes());
    r[4..8].copy_from_slice(&REQ_NEW_CONTROL.to_ne_bytes());
    r[8..14].copy_from_slice(&mac);
    r[14..16].copy_from_slice(&(libc::AF_UNIX as u16).to_ne_bytes());
    r[16..124].copy_from_slice(sun_path);
    r
}

/// The reply naming the switch's data socket `sun_path`.
pub fn reply(sun_path: &[u8; SUN_PATH_LEN]) -> [u8; REPLY_LEN] {
    let mut r = [0; REPLY_LEN];
    r[0..2].copy_from_slice(&(libc::AF_UNIX as u16).to_ne_bytes());
    r[2..].copy_from_slice(sun_path);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn abstract_path(tag: &[u8]) -> [u8; SUN_PATH_LEN] {
        let mut p = [0xa5; SUN_PATH_LEN];
        p[0] = 0;
        p[1..1 + tag.len()].copy_from_slice(tag);
        p
    }

    #[test]
    fn v3_as_uml_sends_it() {
        let path = abstract_path(b"client");
        let mut req = encode_v3(&path);
        // UML leaves the tail padding uninitialised.
        req[122] = 0x5a;
        req[123] = 0xc3;
        assert_eq!(
            &req[..14],
            &[0xce, 0xfa, 0xed, 0xfe, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0]
        );
        for n in 0..REQUEST_LEN {
            assert_eq!(parse(&req[..n]), Parse::Incomplete, "prefix of {n} bytes");
        }
        assert_eq!(
            parse(&req),
            Parse::Request(Request {
                version: 3,
                mac: None,
                sun_path: path
            })
        );
    }

    #[test]
    fn v1() {
        let path = abstract_path(b"old");
        let mac = [0xfe, 0xfd, 1, 2, 3, 4];
        let req = encode_v1(mac, &path);
        assert_eq!(parse(&req[..123]), Parse::Incomplete);
        assert_eq!(
            parse(&req),
            Parse::Request(Request {
                version: 1,
                mac: Some(mac),
                sun_path: path
            })
        );
    }

    #[test]
    fn filesystem_paths() {
        let mut path = [0; SUN_PATH_LEN];
        path[..9].copy_from_slice(b"/tmp/sock");
        assert!(matches!(parse(&encode_v3(&path)), Parse::Request(_)));
        let path = [b'x'; SUN_PATH_LEN];
        assert!(matches!(parse(&encode_v3(&path)), Parse::Bad(_)));
    }

    #[test]
    fn garbage_is_refused() {
        let good = encode_v3(&abstract_path(b"c"));
        assert!(matches!(parse(b"GET / HTTP/1.0\r\n"), Parse::Bad(_)));
        // Version 0 (no magic) is refused at the first 4 bytes.
        assert!(matches!(parse(&[0, 0, 0, 0]), Parse::Bad(_)));
        let mut r = good;
        r[4] = 2;
        assert!(matches!(parse(&r[..8]), Parse::Bad(_)));
        r[4] = 4;
        assert!(matches!(parse(&r[..8]), Parse::Bad(_)));
        let mut r = good;
        r[8] = 1;
        assert!(matches!(parse(&r), Parse::Bad(_)), "bad type");
        let mut r = good;
        r[12] = 2;
        assert!(matches!(parse(&r), Parse::Bad(_)), "AF_INET");
        let mut r = encode_v1([0; 6], &abstract_path(b"c"));
        r[4] = 1;
        assert!(matches!(parse(&r), Parse::Bad(_)), "v1 with another type");
    }

    #[test]
    fn reply_is_a_sockaddr_un() {
        let path = abstract_path(b"sw");
        let r = reply(&path);
        assert_eq!(r.len(), 110);
        assert_eq!(&r[..2], &[1, 0]);
        assert_eq!(&r[2..], &path[..]);
    }
}
