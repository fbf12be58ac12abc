//! Transports: where a NIC's frames go on the host side. Each carries one
//! raw Ethernet frame per datagram or message (shared/spec/net.md §1.2),
//! and keeps trying to (re)connect while its peer is away, so a VM can boot
//! before its switch and survives the switch's restart.

use crate::param::{TransportSpec, DEFAULT_DAEMON_CTL, UML_SWITCH_DEFAULT_CTL};
use crate::switch::request::{
    bind_abstract, sun_path_addr, MAGIC, REPLY_LEN, REQUEST_LEN, SUN_PATH_LEN as SUN_PATH,
};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::net::{SocketAddr, UnixDatagram, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

/// The host side of a NIC.
pub trait Transport: Send + Sync {
    /// Sends one frame; a frame that cannot go now is dropped, as on a wire.
    fn send(&self, frame: &[u8]);
    /// Takes one received frame if one is ready (never blocks).
    fn recv(&self, buf: &mut [u8]) -> Option<usize>;
    /// Waits up to `ms` milliseconds for a frame to arrive here or for
    /// `also` to become readable, and keeps the connection: notices a peer
    /// that went away and reconnects.
    fn wait(&self, also: BorrowedFd<'_>, ms: i32);
}

/// Logs a transport's state changes (one line each).
pub type Log = fn(&str);

/// Opens the transport `spec` for the NIC `name` with address `mac`.
/// Socket transports that cannot reach their peer yet log that and keep
/// retrying; errors are only for what retrying cannot fix.
pub fn open(
    name: &str,
    spec: &TransportSpec,
    mac: [u8; 6],
    log: Log,
) -> io::Result<Box<dyn Transport>> {
    Ok(match spec {
        TransportSpec::Daemon { ctl } => {
            Box::new(Switched::new(name, Kind::Daemon { ctl: ctl.clone() }, log))
        }
        TransportSpec::Vde {
            switch,
            port,
            group: _,
            mode,
            descr,
        } => Box::new(Switched::new(
            name,
            Kind::Vde {
                switch: switch.clone(),
                port: *port,
                mode: *mode,
                descr: descr.clone(),
            },
            log,
        )),
        TransportSpec::Mcast { group, port, ttl } => {
            Box::new(Udp::mcast(*group, *port, *ttl, mac)?)
        }
        TransportSpec::Ucast {
            remote,
            listen,
            remote_port,
        } => Box::new(Udp::ucast(*remote, *listen, *remote_port)?),
        TransportSpec::Tuntap { dev } => Box::new(Tap::open(dev)?),
        TransportSpec::Slirp { .. } => return Err(io::Error::from_raw_os_error(libc::EINVAL)),
    })
}

/// An I/O error's message without Rust's " (os error N)" tail.
pub fn strerror(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn poll(fds: &[BorrowedFd<'_>], ms: i32) -> Vec<bool> {
    ruml_platform::host::poll_readable(fds, ms).unwrap_or_else(|_| vec![false; fds.len()])
}

// ---- daemon (uml_switch) and vde ------------------------------------------

enum Kind {
    Daemon {
        ctl: PathBuf,
    },
    Vde {
        switch: Option<PathBuf>,
        port: u32,
        mode: u32,
        descr: String,
    },
}

struct Conn {
    data: UnixDatagram,
    ctl: UnixStream,
}

/// A port on a switch reached through a control stream (uml_switch's
/// protocol, or VDE's): the data socket is connected to the switch's, and
/// the port lives as long as the control stream.
struct Switched {
    name: String,
    kind: Kind,
    conn: RwLock<Option<Conn>>,
    retry: Mutex<Retry>,
    log: Log,
}

/// When the last connection attempt was, and whether the switch is known
/// to be away (so its absence and return are each logged once).
#[derive(Default)]
struct Retry {
    last: Option<Instant>,
    away: bool,
}

impl Switched {
    fn new(name: &str, kind: Kind, log: Log) -> Self {
        let s = Switched {
            name: name.to_string(),
            kind,
            conn: RwLock::new(None),
            retry: Mutex::new(Retry::default()),
            log,
        };
        s.reconnect();
        s
    }

    fn describe(&self) -> String {
        match &self.kind {
            Kind::Daemon { ctl } => format!("switch {}", ctl.display()),
            Kind::Vde { switch, .. } => format!(
                "vde switch {}",
                switch
                    .as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "(default)".into())
            ),
        }
    }

    /// Tries to connect if not connected and the last try was over a
    /// second ago.
    fn reconnect(&self) {
        let mut r = self.retry.lock().unwrap_or_else(|e| e.into_inner());
        if r.last.is_some_and(|t| t.elapsed() < Duration::from_secs(1)) {
            return;
        }
        r.last = Some(Instant::now());
        let res = match &self.kind {
            Kind::Daemon { ctl } => connect_daemon(ctl),
            Kind::Vde {
                switch,
                port,
                mode,
                descr,
            } => connect_vde(switch.as_deref(), *port, *mode, descr),
        };
        match res {
            Ok(c) => {
                if r.away {
                    (self.log)(&format!(
                        "{}: reconnected to {}",
                        self.name,
                        self.describe()
                    ));
                }
                r.away = false;
                *self.conn.write().unwrap_or_else(|e| e.into_inner()) = Some(c);
            }
            Err(e) => {
                if !r.away {
                    (self.log)(&format!(
                        "{}: cannot reach {}: {}; retrying every second",
                        self.name,
                        self.describe(),
                        strerror(&e)
                    ));
                    r.away = true;
                }
            }
        }
    }

    fn disconnected(&self) {
        let mut c = self.conn.write().unwrap_or_else(|e| e.into_inner());
        if c.take().is_some() {
            let mut r = self.retry.lock().unwrap_or_else(|e| e.into_inner());
            (self.log)(&format!(
                "{}: lost {}; reconnecting",
                self.name,
                self.describe()
            ));
            r.away = true;
            r.last = None;
        }
    }
}

impl Transport for Switched {
    fn send(&self, frame: &[u8]) {
        let gone = {
            let c = self.conn.read().unwrap_or_else(|e| e.into_inner());
            let Some(c) = c.as_ref() else { return };
            let mut r = c.data.send(frame);
            // A switch's socket queue is short (net.unix.max_dgram_qlen):
            // wait a little for room rather than drop, so the guest's
            // queue, and so its TCP, slows down instead of losing frames.
            for _ in 0..5 {
                match &r {
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        ruml_platform::host::poll_writable(c.data.as_fd(), 10);
                        r = c.data.send(frame);
                    }
                    _ => break,
                }
            }
            match r {
                Err(e) => matches!(
                    e.raw_os_error(),
                    Some(libc::ECONNREFUSED | libc::ENOENT | libc::ENOTCONN)
                ),
                _ => false,
            }
        };
        if gone {
            self.disconnected();
        }
    }

    fn recv(&self, buf: &mut [u8]) -> Option<usize> {
        let c = self.conn.read().unwrap_or_else(|e| e.into_inner());
        c.as_ref()?.data.recv(buf).ok()
    }

    fn wait(&self, also: BorrowedFd<'_>, ms: i32) {
        let eof = {
            let c = self.conn.read().unwrap_or_else(|e| e.into_inner());
            match c.as_ref() {
                None => None,
                Some(c) => {
                    let r = poll(&[c.data.as_fd(), c.ctl.as_fd(), also], ms);
                    // The switch never writes on the control stream: data
                    // or EOF there both end the port.
                    Some(
                        r[1] && {
                            let mut b = [0u8; 64];
                            !matches!((&c.ctl).read(&mut b), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
                        },
                    )
                }
            }
        };
        match eof {
            Some(true) => self.disconnected(),
            Some(false) => {}
            None => {
                poll(&[also], ms.clamp(0, 200));
                self.reconnect();
            }
        }
    }
}

/// Reads the 110-byte `sockaddr_un` a switch answers with.
fn read_reply(ctl: &mut UnixStream) -> io::Result<SocketAddr> {
    let mut reply = [0u8; REPLY_LEN];
    ctl.read_exact(&mut reply).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("read of the switch's reply failed: {}", strerror(&e)),
        )
    })?;
    let bad = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "the switch's reply is not an AF_UNIX address",
        )
    };
    if u16::from_ne_bytes([reply[0], reply[1]]) != libc::AF_UNIX as u16 {
        return Err(bad());
    }
    let mut path = [0u8; SUN_PATH];
    path.copy_from_slice(&reply[2..]);
    sun_path_addr(&path).map_err(|_| bad())
}

fn request(ty: u32, own: &[u8; SUN_PATH], tail: &[u8]) -> Vec<u8> {
    let mut req = Vec::with_capacity(REQUEST_LEN + tail.len());
    req.extend_from_slice(&MAGIC.to_ne_bytes());
    req.extend_from_slice(&3u32.to_ne_bytes());
    req.extend_from_slice(&ty.to_ne_bytes());
    req.extend_from_slice(&(libc::AF_UNIX as u16).to_ne_bytes());
    req.extend_from_slice(own);
    req.extend_from_slice(tail);
    req
}

fn finish(data: UnixDatagram, ctl: UnixStream) -> io::Result<Conn> {
    data.set_nonblocking(true)?;
    ctl.set_nonblocking(true)?;
    // Large socket buffers keep bursts from being dropped.
    let s = socket2::SockRef::from(&data);
    let _ = s.set_send_buffer_size(1 << 20);
    let _ = s.set_recv_buffer_size(1 << 20);
    Ok(Conn { data, ctl })
}

fn connect_daemon(ctl_path: &Path) -> io::Result<Conn> {
    let (data, own) = bind_abstract("ruml")?;
    let mut ctl = match UnixStream::connect(ctl_path) {
        // With no socket given, a switch on uml_switch's own default path
        // (where `ruml switch` and a hand-started uml_switch listen) does.
        Err(e)
            if e.kind() == io::ErrorKind::NotFound && ctl_path == Path::new(DEFAULT_DAEMON_CTL) =>
        {
            UnixStream::connect(UML_SWITCH_DEFAULT_CTL).map_err(|_| e)?
        }
        r => r?,
    };
    // Version 3, REQ_NEW_CONTROL, and two bytes of tail padding: 124 bytes.
    ctl.write_all(&request(0, &own, &[0, 0]))?;
    ctl.set_read_timeout(Some(Duration::from_secs(5)))?;
    let sw = read_reply(&mut ctl)?;
    data.connect_addr(&sw)?;
    finish(data, ctl)
}

fn connect_vde(switch: Option<&Path>, port: u32, mode: u32, descr: &str) -> io::Result<Conn> {
    let dir = match switch {
        Some(p) => p.to_path_buf(),
        None => ["/var/run/vde.ctl", "/tmp/vde.ctl"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    "no default VDE switch (/var/run/vde.ctl, /tmp/vde.ctl)",
                )
            })?,
    };
    let dir = dir.canonicalize()?;
    // A switch directory holds its control socket; a socket given itself
    // has the client's socket in /tmp.
    let (ctl_path, data_dir) = if dir.is_dir() {
        (dir.join("ctl"), dir)
    } else {
        (dir, PathBuf::from("/tmp"))
    };
    let mut ctl = UnixStream::connect(&ctl_path)?;
    let pid = std::process::id();
    let (data, path) = (0..100_000u32)
        .find_map(|seq| {
            let p = data_dir.join(format!(".{pid:05}-{seq:05}"));
            match UnixDatagram::bind(&p) {
                Ok(d) => Some(Ok((d, p))),
                Err(e) if e.kind() == io::ErrorKind::AddrInUse => None,
                Err(e) => Some(Err(e)),
            }
        })
        .unwrap_or_else(|| Err(io::Error::from_raw_os_error(libc::EADDRINUSE)))?;
    let cleanup = Unlink(path.clone());
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))?;
    use std::os::unix::ffi::OsStrExt;
    let mut own = [0u8; SUN_PATH];
    let b = path.as_os_str().as_bytes();
    if b.len() >= SUN_PATH {
        return Err(io::Error::from_raw_os_error(libc::ENAMETOOLONG));
    }
    own[..b.len()].copy_from_slice(b);
    let user = std::env::var("USER")
        .unwrap_or_else(|_| format!("uid{}", ruml_platform::host::host_ids().0));
    let mut d = format!("{descr} user={user} pid={pid}").into_bytes();
    d.truncate(128);
    ctl.write_all(&request(port << 8, &own, &d))?;
    ctl.set_read_timeout(Some(Duration::from_secs(5)))?;
    let sw = read_reply(&mut ctl)?;
    data.connect_addr(&sw)?;
    drop(cleanup);
    finish(data, ctl)
}

/// Removes a socket file when dropped.
struct Unlink(PathBuf);
impl Drop for Unlink {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

// ---- mcast and ucast -------------------------------------------------------

/// Ethernet in UDP: to a multicast group every member hears (mcast), or
/// to one peer (ucast).
struct Udp {
    sock: UdpSocket,
    to: SocketAddrV4,
    /// mcast hears its own frames back; they are not delivered.
    own_mac: Option<[u8; 6]>,
}

impl Udp {
    fn mcast(group: Ipv4Addr, port: u16, ttl: u32, mac: [u8; 6]) -> io::Result<Self> {
        use socket2::{Domain, Protocol, Socket, Type};
        let s = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
        s.set_reuse_address(true)?;
        s.bind(&SocketAddrV4::new(group, port).into())?;
        s.set_multicast_ttl_v4(ttl)?;
        s.set_multicast_loop_v4(true)?;
        s.join_multicast_v4(&group, &Ipv4Addr::UNSPECIFIED).map_err(|e| {
            io::Error::new(e.kind(), format!("cannot join multicast group {group}: {} (does the host have a multicast route?)", strerror(&e)))
        })?;
        let sock: UdpSocket = s.into();
        sock.set_nonblocking(true)?;
        Ok(Udp {
            sock,
            to: SocketAddrV4::new(group, port),
            own_mac: Some(mac),
        })
    }

    fn ucast(remote: Ipv4Addr, listen: u16, remote_port: u16) -> io::Result<Self> {
        let sock = UdpSocket::bind(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, listen))?;
        sock.set_nonblocking(true)?;
        Ok(Udp {
            sock,
            to: SocketAddrV4::new(remote, remote_port),
            own_mac: None,
        })
    }
}

impl Transport for Udp {
    fn send(&self, frame: &[u8]) {
        let _ = self.sock.send_to(frame, self.to);
    }

    fn recv(&self, buf: &mut [u8]) -> Option<usize> {
        loop {
            let n = self.sock.recv(buf).ok()?;
            match self.own_mac {
                Some(m) if n >= 12 && buf[6..12] == m => continue,
                _ => return Some(n),
            }
        }
    }

    fn wait(&self, also: BorrowedFd<'_>, ms: i32) {
        poll(&[self.sock.as_fd(), also], ms);
    }
}

// ---- tuntap ------------------------------------------------------------------

/// A host tap device: each read is one frame, each write sends one.
#[derive(Debug)]
pub struct Tap {
    file: std::fs::File,
}

impl Tap {
    fn open(dev: &str) -> io::Result<Self> {
        let fd = ruml_platform::net::open_host_tap(dev).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot open host tap device {dev}: {}", strerror(&e)),
            )
        })?;
        Tap::from_fd(fd)
    }

    /// Wraps an open tap descriptor.
    pub fn from_fd(fd: OwnedFd) -> io::Result<Self> {
        ruml_platform::host::set_nonblocking(fd.as_fd(), true)?;
        Ok(Tap { file: fd.into() })
    }
}

impl AsFd for Tap {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }
}

impl Transport for Tap {
    fn send(&self, frame: &[u8]) {
        let _ = (&self.file).write(frame);
    }

    fn recv(&self, buf: &mut [u8]) -> Option<usize> {
        (&self.file).read(buf).ok()
    }

    fn wait(&self, also: BorrowedFd<'_>, ms: i32) {
        poll(&[self.file.as_fd(), also], ms);
    }
}
