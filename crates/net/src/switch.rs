//! The switch (`ruml switch`, also as `uml_switch`): a virtual Ethernet
//! switch for the `daemon` transport of UML (and ruml), speaking
//! uml_switch's protocol.
//!
//! * Control: a `SOCK_STREAM` Unix socket at a path. Each client connects,
//!   writes one request naming its `SOCK_DGRAM` data socket ([`request`])
//!   and reads the 110-byte address of the switch's data socket. The
//!   connection stays open for the life of the port: EOF, or any further
//!   byte, removes the port.
//! * Data: one datagram is one Ethernet frame, at most 1514 bytes (longer
//!   ones are truncated), at least 14 (shorter ones are dropped). A frame's
//!   port is found by the address it came from, compared with the address
//!   each client registered, taken as opaque bytes.
//! * Switching: source addresses are learned ([`mac`]); a frame for a
//!   known unicast address goes to that port only, all others to every
//!   port but the one it came from. A hub floods everything. Frames from
//!   an unregistered address are flooded too, as uml_switch does.
//! * `-tap`: a host tap device is one more port.
//!
//! Single-threaded, event-driven (mio); no allocation per frame.

pub mod mac;
pub mod request;

use mac::{Learned, MacTable};
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use request::{Parse, REQUEST_LEN, SUN_PATH_LEN};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, ErrorKind, Read, Write};
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::{SocketAddr, UnixDatagram, UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Longest frame carried; longer datagrams are truncated to this.
pub const MAX_FRAME: usize = 1514;
/// Shortest frame carried (an Ethernet header); shorter ones are dropped.
pub const MIN_FRAME: usize = 14;

const LISTENER: Token = Token(0);
const DATA: Token = Token(1);
const TAP: Token = Token(2);
/// Tokens of descriptors the caller watches start here.
const EXTRA: usize = 16;
/// Tokens of control connections: this plus their descriptor number.
const CONN: usize = 1 << 20;
/// How often aged addresses are swept out.
const SWEEP: Duration = Duration::from_secs(2);

/// Why the switch could not start.
#[derive(Debug, thiserror::Error)]
pub enum SwitchError {
    /// Another switch answers on the control socket.
    #[error("another switch is already attached to '{0}'")]
    InUse(PathBuf),
    /// Something that is not a socket is at the control path.
    #[error("'{0}' exists and is not a socket")]
    NotSocket(PathBuf),
    /// The control socket could not be made.
    #[error("cannot bind the control socket '{0}': {1}")]
    Control(PathBuf, io::Error),
    /// The tap device could not be opened.
    #[error("cannot open tap device '{0}': {1}")]
    Tap(String, io::Error),
    /// Other set-up failures (data socket, poll).
    #[error("{0}: {1}")]
    Io(&'static str, io::Error),
}

/// How to run a switch.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The control socket's path.
    pub control: PathBuf,
    /// Flood every frame (a hub), without learning.
    pub hub: bool,
    /// A host tap device to add as a port.
    pub tap: Option<String>,
    /// Print nothing on stdout.
    pub quiet: bool,
}

/// A registered data address, normalised: an abstract name keeps all its
/// bytes, a path is cut at its first NUL and zero-filled.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Key([u8; SUN_PATH_LEN]);

impl Key {
    fn of_request(p: &[u8; SUN_PATH_LEN]) -> Key {
        if p[0] == 0 {
            return Key(*p);
        }
        let mut k = [0; SUN_PATH_LEN];
        let n = p.iter().position(|&b| b == 0).unwrap_or(SUN_PATH_LEN);
        k[..n].copy_from_slice(&p[..n]);
        Key(k)
    }

    /// The key of an address `recvfrom` gave; None for an unnamed socket.
    fn of_addr(a: &SocketAddr) -> Option<Key> {
        let mut k = [0; SUN_PATH_LEN];
        if let Some(name) = a.as_abstract_name() {
            let n = name.len().min(SUN_PATH_LEN - 1);
            k[1..1 + n].copy_from_slice(&name[..n]);
        } else {
            let p = a.as_pathname()?.as_os_str().as_bytes();
            let n = p.len().min(SUN_PATH_LEN - 1);
            k[..n].copy_from_slice(&p[..n]);
        }
        Some(Key(k))
    }
}

enum Dest {
    Unix(SocketAddr),
    Tap,
}

struct Port {
    dest: Dest,
    key: Option<Key>,
    /// Its number in messages: the control connection's descriptor, as
    /// uml_switch numbers ports.
    number: RawFd,
}

struct Conn {
    stream: UnixStream,
    req: [u8; REQUEST_LEN],
    got: usize,
    port: Option<usize>,
}

/// What ended [`Switch::run`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// The descriptor the caller registered as number N is readable.
    Extra(usize),
}

/// A running switch.
pub struct Switch {
    poll: Poll,
    events: Events,
    control: PathBuf,
    listener: UnixListener,
    data: UnixDatagram,
    data_path: [u8; SUN_PATH_LEN],
    tap: Option<File>,
    hub: bool,
    quiet: bool,
    conns: HashMap<Token, Conn>,
    ports: Vec<Option<Port>>,
    by_key: HashMap<Key, usize>,
    macs: MacTable,
    start: Instant,
    last_sweep: u64,
    unknown_logged: Option<u64>,
    buf: Box<[u8]>,
    extras: usize,
}

/// Binds the control socket at `path`, replacing a stale socket file that
/// nobody answers on.
fn bind_control(path: &Path) -> Result<UnixListener, SwitchError> {
    let err = match UnixListener::bind(path) {
        Ok(l) => return Ok(l),
        Err(e) => e,
    };
    if err.kind() != ErrorKind::AddrInUse {
        return Err(SwitchError::Control(path.into(), err));
    }
    match UnixStream::connect(path) {
        Ok(_) => return Err(SwitchError::InUse(path.into())),
        Err(e) if e.raw_os_error() == Some(libc::ECONNREFUSED) => {}
        Err(e) => return Err(SwitchError::Control(path.into(), e)),
    }
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_socket() => {}
        Ok(_) => return Err(SwitchError::NotSocket(path.into())),
        Err(e) => return Err(SwitchError::Control(path.into(), e)),
    }
    std::fs::remove_file(path).map_err(|e| SwitchError::Control(path.into(), e))?;
    UnixListener::bind(path).map_err(|e| SwitchError::Control(path.into(), e))
}

impl Switch {
    /// Opens the tap device (if any), binds the control and data sockets.
    pub fn new(cfg: &Config) -> Result<Switch, SwitchError> {
        let tap = match &cfg.tap {
            None => None,
            Some(name) => {
                let fd = ruml_platform::net::open_host_tap(name)
                    .map_err(|e| SwitchError::Tap(name.clone(), e))?;
                ruml_platform::host::set_nonblocking(fd.as_fd(), true)
                    .map_err(|e| SwitchError::Tap(name.clone(), e))?;
                Some(File::from(fd))
            }
        };
        let (data, data_path) =
            request::bind_abstract("ruml-switch").map_err(|e| SwitchError::Io("data socket", e))?;
        data.set_nonblocking(true)
            .map_err(|e| SwitchError::Io("data socket", e))?;
        let listener = bind_control(&cfg.control)?;
        let control = cfg.control.clone();
        let mut sw = Switch {
            poll: Poll::new().map_err(|e| SwitchError::Io("poll", e))?,
            events: Events::with_capacity(256),
            control,
            listener,
            data,
            data_path,
            tap,
            hub: cfg.hub,
            quiet: cfg.quiet,
            conns: HashMap::new(),
            ports: Vec::new(),
            by_key: HashMap::new(),
            macs: MacTable::default(),
            start: Instant::now(),
            last_sweep: 0,
            unknown_logged: None,
            buf: vec![0; MAX_FRAME].into_boxed_slice(),
            extras: 0,
        };
        // From here on, dropping `sw` removes the control socket.
        let setup = |sw: &mut Switch| -> io::Result<()> {
            sw.listener.set_nonblocking(true)?;
            let reg = sw.poll.registry();
            reg.register(
                &mut SourceFd(&sw.listener.as_raw_fd()),
                LISTENER,
                Interest::READABLE,
            )?;
            reg.register(
                &mut SourceFd(&sw.data.as_raw_fd()),
                DATA,
                Interest::READABLE,
            )?;
            if let Some(t) = &sw.tap {
                reg.register(&mut SourceFd(&t.as_raw_fd()), TAP, Interest::READABLE)?;
            }
            Ok(())
        };
        setup(&mut sw).map_err(|e| SwitchError::Io("poll", e))?;
        if sw.tap.is_some() {
            sw.add_port(Dest::Tap, None, -1);
        }
        Ok(sw)
    }

    /// The control socket's path.
    pub fn control_path(&self) -> &Path {
        &self.control
    }

    /// `sun_path` of the switch's data socket (what clients are told).
    pub fn data_path(&self) -> &[u8; SUN_PATH_LEN] {
        &self.data_path
    }

    /// Also watches `fd` (a signalfd, a terminal) for readability: [`run`]
    /// returns [`Wake::Extra`] with the number returned here when it is.
    /// Readiness is edge-triggered: the caller reads what is there.
    ///
    /// [`run`]: Switch::run
    pub fn watch(&mut self, fd: RawFd) -> io::Result<usize> {
        let n = self.extras;
        self.poll
            .registry()
            .register(&mut SourceFd(&fd), Token(EXTRA + n), Interest::READABLE)?;
        self.extras += 1;
        Ok(n)
    }

    /// Number of ports (clients and tap).
    pub fn port_count(&self) -> usize {
        self.ports.iter().flatten().count()
    }

    fn now(&self) -> u64 {
        self.start.elapsed().as_secs()
    }

    fn log(&self, args: std::fmt::Arguments<'_>) {
        if !self.quiet {
            let mut out = io::stdout().lock();
            let _ = out.write_fmt(args);
            let _ = out.write_all(b"\n");
        }
    }

    /// Switches frames until a watched descriptor is readable.
    pub fn run(&mut self) -> io::Result<Wake> {
        loop {
            if let Err(e) = self.poll.poll(&mut self.events, Some(SWEEP)) {
                if e.kind() == ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            let now = self.now();
            if now >= self.last_sweep + SWEEP.as_secs() {
                self.macs.expire(now);
                self.last_sweep = now;
            }
            let mut wake = None;
            // The token list is copied out so handlers may borrow self; a
            // fixed-size array, so no allocation.
            let mut tokens = [Token(0); 256];
            let mut n = 0;
            for ev in self.events.iter() {
                tokens[n] = ev.token();
                n += 1;
            }
            for &t in &tokens[..n] {
                match t {
                    LISTENER => self.accept(),
                    DATA => self.on_data(),
                    TAP => self.on_tap(),
                    Token(x) if x >= CONN => self.on_conn(t),
                    Token(x) if x >= EXTRA => wake = Some(Wake::Extra(x - EXTRA)),
                    _ => {}
                }
            }
            if let Some(w) = wake {
                return Ok(w);
            }
        }
    }

    fn accept(&mut self) {
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    let fd = stream.as_raw_fd();
                    let token = Token(CONN + fd as usize);
                    let ok = stream.set_nonblocking(true).and_then(|()| {
                        self.poll
                            .registry()
                            .register(&mut SourceFd(&fd), token, Interest::READABLE)
                    });
                    if let Err(e) = ok {
                        self.log(format_args!("Failed to set up connection: {e}"));
                        continue;
                    }
                    self.log(format_args!("New connection"));
                    self.conns.insert(
                        token,
                        Conn {
                            stream,
                            req: [0; REQUEST_LEN],
                            got: 0,
                            port: None,
                        },
                    );
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.log(format_args!("accept failed: {e}"));
                    return;
                }
            }
        }
    }

    fn on_conn(&mut self, token: Token) {
        loop {
            let Some(c) = self.conns.get_mut(&token) else {
                return;
            };
            let mut extra = [0u8; 1];
            let r = if c.port.is_none() {
                c.stream.read(&mut c.req[c.got..])
            } else {
                c.stream.read(&mut extra)
            };
            let number = c.stream.as_raw_fd();
            match r {
                Ok(0) => {
                    let msg = match (c.port, c.got) {
                        (Some(_), _) | (None, 0) => format!("Closed connection {number}"),
                        (None, got) => format!(
                            "Bad request on connection {number}: short request \
                             ({got} of {REQUEST_LEN} bytes), closed"
                        ),
                    };
                    self.log(format_args!("{msg}"));
                    return self.close_conn(token);
                }
                Ok(n) if c.port.is_some() => {
                    let _ = n;
                    self.log(format_args!(
                        "Bad request on connection {number}: data after the request, closed"
                    ));
                    return self.close_conn(token);
                }
                Ok(n) => {
                    c.got += n;
                    match request::parse(&c.req[..c.got]) {
                        Parse::Incomplete => {}
                        Parse::Bad(why) => {
                            self.log(format_args!(
                                "Bad request on connection {number}: {why}, closed"
                            ));
                            return self.close_conn(token);
                        }
                        Parse::Request(r) => {
                            if let Err(why) = self.new_port(token, &r) {
                                self.log(format_args!(
                                    "Bad request on connection {number}: {why}, closed"
                                ));
                                return self.close_conn(token);
                            }
                        }
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    self.log(format_args!("Connection {number}: {e}, closed"));
                    return self.close_conn(token);
                }
            }
        }
    }

    fn new_port(&mut self, token: Token, r: &request::Request) -> Result<(), String> {
        let key = Key::of_request(&r.sun_path);
        if self.by_key.contains_key(&key) {
            return Err("data socket address already in use by another port".into());
        }
        let addr = request::sun_path_addr(&r.sun_path)
            .map_err(|e| format!("bad data socket address: {e}"))?;
        let reply = request::reply(&self.data_path);
        let c = self.conns.get_mut(&token).ok_or("no connection")?;
        // A fresh connection's buffer takes 110 bytes at once.
        match c.stream.write(&reply) {
            Ok(n) if n == reply.len() => {}
            Ok(n) => return Err(format!("short reply write ({n} bytes)")),
            Err(e) => return Err(format!("reply: {e}")),
        }
        let number = c.stream.as_raw_fd();
        let id = self.add_port(Dest::Unix(addr), Some(key), number);
        if let Some(c) = self.conns.get_mut(&token) {
            c.port = Some(id);
        }
        if let Some(mac) = r.mac {
            let now = self.now();
            if self.macs.learn(mac, id, now) != Learned::Ignored {
                self.log(format_args!(" Addr: {} New port {number}", fmt_mac(&mac)));
            }
        }
        Ok(())
    }

    fn add_port(&mut self, dest: Dest, key: Option<Key>, number: RawFd) -> usize {
        let port = Port { dest, key, number };
        let id = match self.ports.iter().position(Option::is_none) {
            Some(i) => {
                self.ports[i] = Some(port);
                i
            }
            None => {
                self.ports.push(Some(port));
                self.ports.len() - 1
            }
        };
        if let Some(k) = key {
            self.by_key.insert(k, id);
        }
        id
    }

    fn close_conn(&mut self, token: Token) {
        let Some(c) = self.conns.remove(&token) else {
            return;
        };
        let _ = self
            .poll
            .registry()
            .deregister(&mut SourceFd(&c.stream.as_raw_fd()));
        if let Some(id) = c.port {
            if let Some(p) = self.ports[id].take() {
                if let Some(k) = p.key {
                    self.by_key.remove(&k);
                }
            }
            self.macs.remove_port(id);
        }
    }

    fn on_data(&mut self) {
        let mut buf = std::mem::take(&mut self.buf);
        loop {
            let (n, from) = match self.data.recv_from(&mut buf) {
                Ok(x) => x,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.log(format_args!("recvfrom on the data socket: {e}"));
                    break;
                }
            };
            let src = Key::of_addr(&from).and_then(|k| self.by_key.get(&k).copied());
            if src.is_none() {
                let now = self.now();
                if self.unknown_logged != Some(now) {
                    self.unknown_logged = Some(now);
                    self.log(format_args!(
                        "Unknown connection for packet, shouldn't happen"
                    ));
                }
            }
            self.forward(src, &buf[..n]);
        }
        self.buf = buf;
    }

    fn on_tap(&mut self) {
        let Some(tap_port) = self.ports.iter().position(|p| {
            matches!(
                p,
                Some(Port {
                    dest: Dest::Tap,
                    ..
                })
            )
        }) else {
            return;
        };
        let mut buf = std::mem::take(&mut self.buf);
        while let Some(mut tap) = self.tap.as_ref() {
            match tap.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => self.forward(Some(tap_port), &buf[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => {
                    self.log(format_args!("read from the tap device: {e}"));
                    break;
                }
            }
        }
        self.buf = buf;
    }

    /// Sends `frame`, which came from port `src` (None: an unregistered
    /// address), where it belongs.
    fn forward(&mut self, src: Option<usize>, frame: &[u8]) {
        if frame.len() < MIN_FRAME {
            return;
        }
        let mut dst = [0; 6];
        dst.copy_from_slice(&frame[0..6]);
        let mut smac = [0; 6];
        smac.copy_from_slice(&frame[6..12]);
        let now = self.now();
        if let (Some(p), false) = (src, self.hub) {
            match self.macs.learn(smac, p, now) {
                Learned::New | Learned::Moved => {
                    let number = self.ports[p].as_ref().map_or(-1, |p| p.number);
                    self.log(format_args!(" Addr: {} New port {number}", fmt_mac(&smac)));
                }
                Learned::Refreshed | Learned::Ignored => {}
            }
        }
        if !self.hub && dst[0] & 1 == 0 {
            if let Some(to) = self.macs.lookup(&dst, now) {
                if Some(to) != src {
                    self.send(to, frame);
                }
                return;
            }
        }
        for to in 0..self.ports.len() {
            if Some(to) != src {
                self.send(to, frame);
            }
        }
    }

    fn send(&self, to: usize, frame: &[u8]) {
        // Errors are the receiver's problem: a client whose data socket is
        // gone (ENOENT, ECONNREFUSED) or full (EAGAIN) loses the frame.
        match self.ports.get(to) {
            Some(Some(Port {
                dest: Dest::Unix(addr),
                ..
            })) => {
                let _ = self.data.send_to_addr(frame, addr);
            }
            Some(Some(Port {
                dest: Dest::Tap, ..
            })) => {
                if let Some(mut t) = self.tap.as_ref() {
                    let _ = t.write(frame);
                }
            }
            _ => {}
        }
    }
}

impl Drop for Switch {
    /// Removes the control socket.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.control);
    }
}

/// A MAC address as `fe:fd:00:00:00:01`.
pub fn fmt_mac(m: &[u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}
