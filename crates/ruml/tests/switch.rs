//! `ruml switch` (uml_switch) against clients that speak the protocol as
//! UML's daemon transport does: a `SOCK_DGRAM` data socket bound to an
//! abstract name with the full 110-byte address (its tail filled with
//! non-zero bytes, as UML's uninitialised heap), a 124-byte request on the
//! control socket, a 110-byte reply. The scenarios that uml_switch defines
//! run against the real `/usr/bin/uml_switch` too, which shows the clients
//! are faithful; and two real UML guests ping each other across the switch.

mod common;

use common::ruml;
use std::io::{Read, Write};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram, UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const MAGIC: u32 = 0xfeed_face;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Impl {
    Ours,
    Real,
}

impl Impl {
    fn command(self) -> Command {
        match self {
            Impl::Ours => {
                let mut c = Command::new(ruml());
                c.arg("switch");
                c
            }
            Impl::Real => {
                assert!(
                    Path::new("/usr/bin/uml_switch").exists(),
                    "uml_switch missing: apt-get install uml-utilities"
                );
                Command::new("/usr/bin/uml_switch")
            }
        }
    }
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ruml-switch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A running switch, killed when dropped.
struct Sw {
    child: Child,
    ctl: PathBuf,
    log: PathBuf,
}

fn start(which: Impl, dir: &Path, extra: &[&str]) -> Sw {
    let ctl = dir.join("ctl");
    let log = dir.join(format!(
        "switch-{}.log",
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    let f = std::fs::File::create(&log).unwrap();
    let child = which
        .command()
        .arg("-unix")
        .arg(&ctl)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(f.try_clone().unwrap())
        .stderr(f)
        .spawn()
        .unwrap();
    let mut sw = Sw { child, ctl, log };
    let t = Instant::now();
    while !sw.ctl.exists() {
        if let Some(st) = sw.child.try_wait().unwrap() {
            panic!("{which:?} switch exited ({st}): {}", sw.log_text());
        }
        assert!(t.elapsed() < Duration::from_secs(10), "no control socket");
        std::thread::sleep(Duration::from_millis(10));
    }
    sw
}

impl Sw {
    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn assert_alive(&mut self) {
        if let Some(st) = self.child.try_wait().unwrap() {
            panic!("the switch died ({st}): {}", self.log_text());
        }
    }

    fn signal(&mut self, sig: i32) -> std::process::ExitStatus {
        let r = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(r.success());
        wait_within(&mut self.child, Duration::from_secs(10))
    }
}

impl Drop for Sw {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The scratch directory (failures print the log before this).
        if let Some(d) = self.ctl.parent() {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

fn wait_within(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let t = Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st;
        }
        assert!(t.elapsed() < limit, "process did not exit");
        std::thread::sleep(Duration::from_millis(10));
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A 108-byte abstract `sun_path` as UML makes one: NUL, a unique tag, and
/// non-zero filler up to the end (all of it is part of the name).
fn abstract_path() -> [u8; 108] {
    let mut p = [0u8; 108];
    for (i, b) in p.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(37) | 0x80;
    }
    p[0] = 0;
    let tag = format!(
        "ruml-test-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    p[1..1 + tag.len()].copy_from_slice(tag.as_bytes());
    p
}

fn v3_request(path: &[u8; 108]) -> Vec<u8> {
    let mut r = Vec::with_capacity(124);
    r.extend_from_slice(&MAGIC.to_ne_bytes());
    r.extend_from_slice(&3u32.to_ne_bytes());
    r.extend_from_slice(&0u32.to_ne_bytes());
    r.extend_from_slice(&1u16.to_ne_bytes());
    r.extend_from_slice(path);
    r.extend_from_slice(&[0xde, 0xad]); // uninitialised tail padding
    assert_eq!(r.len(), 124);
    r
}

fn v1_request(mac: [u8; 6], path: &[u8; 108]) -> Vec<u8> {
    let mut r = Vec::with_capacity(124);
    r.extend_from_slice(&MAGIC.to_ne_bytes());
    r.extend_from_slice(&0u32.to_ne_bytes());
    r.extend_from_slice(&mac);
    r.extend_from_slice(&1u16.to_ne_bytes());
    r.extend_from_slice(path);
    assert_eq!(r.len(), 124);
    r
}

/// A port: the data socket and the control connection.
struct Client {
    data: UnixDatagram,
    ctl: Option<UnixStream>,
    switch: SocketAddr,
    mac: [u8; 6],
}

fn connect_ctl(ctl: &Path) -> UnixStream {
    let t = Instant::now();
    loop {
        match UnixStream::connect(ctl) {
            Ok(s) => return s,
            Err(e) if t.elapsed() < Duration::from_secs(5) => {
                let _ = e;
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("connect {}: {e}", ctl.display()),
        }
    }
}

impl Client {
    fn new(ctl: &Path, n: u8) -> Client {
        Client::with_request(ctl, n, false)
    }

    fn with_request(ctl: &Path, n: u8, v1: bool) -> Client {
        let mac = [0xfe, 0xfd, 0x0a, 0, 0, n];
        let path = abstract_path();
        // Bound with all 107 name bytes: the 110-byte address UML binds.
        let data =
            UnixDatagram::bind_addr(&SocketAddr::from_abstract_name(&path[1..]).unwrap()).unwrap();
        let mut c = connect_ctl(ctl);
        let req = if v1 {
            v1_request(mac, &path)
        } else {
            v3_request(&path)
        };
        c.write_all(&req).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut reply = [0u8; 110];
        c.read_exact(&mut reply).unwrap();
        assert_eq!(u16::from_ne_bytes([reply[0], reply[1]]), 1, "sun_family");
        let switch = if reply[2] == 0 {
            SocketAddr::from_abstract_name(&reply[3..]).unwrap()
        } else {
            let end = reply[2..].iter().position(|&b| b == 0).unwrap() + 2;
            let p = <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(&reply[2..end]);
            SocketAddr::from_pathname(p).unwrap()
        };
        Client {
            data,
            ctl: Some(c),
            switch,
            mac,
        }
    }

    fn send(&self, frame: &[u8]) {
        self.data.send_to_addr(frame, &self.switch).unwrap();
    }

    /// Sends a frame from this client's MAC to `dst`.
    fn send_to(&self, dst: [u8; 6], payload: &[u8]) -> Vec<u8> {
        let f = frame(dst, self.mac, payload);
        self.send(&f);
        f
    }

    fn recv(&self, wait: Duration) -> Option<Vec<u8>> {
        self.data.set_read_timeout(Some(wait)).unwrap();
        let mut buf = vec![0u8; 4096];
        match self.data.recv(&mut buf) {
            Ok(n) => {
                buf.truncate(n);
                Some(buf)
            }
            Err(_) => None,
        }
    }

    fn expect(&self, f: &[u8], what: &str) {
        match self.recv(Duration::from_secs(5)) {
            Some(got) => assert_eq!(got, f, "{what}: wrong frame"),
            None => panic!("{what}: nothing arrived"),
        }
    }

    fn expect_nothing(&self, what: &str) {
        if let Some(got) = self.recv(Duration::from_millis(300)) {
            panic!(
                "{what}: unexpected frame of {} bytes: {:02x?}",
                got.len(),
                &got[..got.len().min(20)]
            );
        }
    }

    fn drain(&self) {
        while self.recv(Duration::from_millis(200)).is_some() {}
    }
}

const BCAST: [u8; 6] = [0xff; 6];

fn frame(dst: [u8; 6], src: [u8; 6], payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    f.extend_from_slice(&[0x08, 0x00]);
    f.extend_from_slice(payload);
    f
}

/// Runs a scenario against ruml's switch and the real uml_switch.
macro_rules! both {
    ($scenario:ident, $ours:ident, $real:ident) => {
        #[test]
        fn $ours() {
            $scenario(Impl::Ours);
        }
        #[test]
        fn $real() {
            $scenario(Impl::Real);
        }
    };
}

fn flooding_and_learning(which: Impl) {
    let dir = scratch(&format!("learn-{which:?}"));
    let mut sw = start(which, &dir, &[]);
    let (a, b, c) = (
        Client::new(&sw.ctl, 1),
        Client::new(&sw.ctl, 2),
        Client::new(&sw.ctl, 3),
    );
    let f = a.send_to(BCAST, b"hello, everyone");
    b.expect(&f, "broadcast at B");
    c.expect(&f, "broadcast at C");
    a.expect_nothing("broadcast back at its sender");
    // A's MAC is learned: B's reply goes to A only.
    let f = b.send_to(a.mac, b"to A");
    a.expect(&f, "unicast at A");
    c.expect_nothing("unicast for A at C");
    b.expect_nothing("unicast back at its sender");
    // Multicast destinations and unknown unicast ones are flooded.
    let f = c.send_to([0x01, 0x00, 0x5e, 0, 0, 1], b"multicast");
    a.expect(&f, "multicast at A");
    b.expect(&f, "multicast at B");
    let f = c.send_to([0xfe, 0xfd, 0x0a, 0, 0, 99], b"unknown");
    a.expect(&f, "unknown unicast at A");
    b.expect(&f, "unknown unicast at B");
    c.expect_nothing("flood back at its sender");
    // C learned by now too.
    let f = a.send_to(c.mac, b"to C");
    c.expect(&f, "unicast at C");
    b.expect_nothing("unicast for C at B");
    sw.assert_alive();
}
both!(
    flooding_and_learning,
    flooding_and_learning_ours,
    flooding_and_learning_uml_switch
);

fn hub(which: Impl) {
    let dir = scratch(&format!("hub-{which:?}"));
    let mut sw = start(which, &dir, &["-hub"]);
    let (a, b, c) = (
        Client::new(&sw.ctl, 1),
        Client::new(&sw.ctl, 2),
        Client::new(&sw.ctl, 3),
    );
    let f = a.send_to(BCAST, b"hi");
    b.expect(&f, "broadcast at B");
    c.expect(&f, "broadcast at C");
    let f = b.send_to(a.mac, b"to A");
    a.expect(&f, "unicast at A");
    c.expect(&f, "a hub floods unicast too");
    b.expect_nothing("a hub does not send back to the sender");
    sw.assert_alive();
}
both!(hub, hub_ours, hub_uml_switch);

fn oversized_datagrams_are_truncated(which: Impl) {
    let dir = scratch(&format!("trunc-{which:?}"));
    let mut sw = start(which, &dir, &[]);
    let (a, b) = (Client::new(&sw.ctl, 1), Client::new(&sw.ctl, 2));
    let payload: Vec<u8> = (0..1586u32).map(|i| i as u8).collect();
    let f = a.send_to(BCAST, &payload);
    assert_eq!(f.len(), 1600);
    b.expect(&f[..1514], "1600-byte datagram, cut at 1514");
    let f = a.send_to(BCAST, &payload[..1500]);
    b.expect(&f, "1514-byte frame, whole");
    sw.assert_alive();
}
both!(
    oversized_datagrams_are_truncated,
    oversized_datagrams_are_truncated_ours,
    oversized_datagrams_are_truncated_uml_switch
);

fn control_eof_removes_the_port(which: Impl) {
    let dir = scratch(&format!("eof-{which:?}"));
    let mut sw = start(which, &dir, &[]);
    let (mut a, b, c) = (
        Client::new(&sw.ctl, 1),
        Client::new(&sw.ctl, 2),
        Client::new(&sw.ctl, 3),
    );
    let f = a.send_to(BCAST, b"learn A");
    b.expect(&f, "broadcast at B");
    c.expect(&f, "broadcast at C");
    drop(a.ctl.take());
    std::thread::sleep(Duration::from_millis(200));
    // A's port and its learned MAC are gone: a frame for A is flooded to
    // the ports that remain, and nothing reaches A's data socket.
    let f = b.send_to(a.mac, b"for the departed");
    c.expect(&f, "frame for a removed port's MAC, flooded");
    a.expect_nothing("a removed port");
    let f = b.send_to(BCAST, b"broadcast");
    c.expect(&f, "broadcast at C");
    a.expect_nothing("broadcast at a removed port");
    sw.assert_alive();
}
both!(
    control_eof_removes_the_port,
    control_eof_removes_the_port_ours,
    control_eof_removes_the_port_uml_switch
);

fn v1_requests(which: Impl) {
    let dir = scratch(&format!("v1-{which:?}"));
    let mut sw = start(which, &dir, &[]);
    let a = Client::with_request(&sw.ctl, 1, true);
    let b = Client::new(&sw.ctl, 2);
    let f = a.send_to(BCAST, b"from a v1 client");
    b.expect(&f, "broadcast from the v1 port");
    let f = b.send_to(a.mac, b"to the v1 client");
    a.expect(&f, "unicast to the v1 port");
    sw.assert_alive();
}
both!(v1_requests, v1_requests_ours, v1_requests_uml_switch);

fn garbage_does_not_hurt(which: Impl) {
    let dir = scratch(&format!("garbage-{which:?}"));
    let mut sw = start(which, &dir, &[]);
    let (a, b) = (Client::new(&sw.ctl, 1), Client::new(&sw.ctl, 2));
    // Control connections: text, a request with bad magic, a short request
    // then EOF, a request followed by more bytes, an oversized request.
    let mut g = connect_ctl(&sw.ctl);
    let _ = g.write_all(b"GET / HTTP/1.0\r\n\r\n");
    let mut g2 = connect_ctl(&sw.ctl);
    let mut bad = v3_request(&abstract_path());
    bad[0] = 0x11;
    let _ = g2.write_all(&bad);
    // uml_switch takes these 50 bytes for a whole request, answers on the
    // closed connection and dies of SIGPIPE: ruml's switch only.
    if which == Impl::Ours {
        let mut g3 = connect_ctl(&sw.ctl);
        let _ = g3.write_all(&v3_request(&abstract_path())[..50]);
        drop(g3);
    }
    let mut g4 = connect_ctl(&sw.ctl);
    let mut long = v3_request(&abstract_path());
    long.extend_from_slice(&[0x42; 400]);
    let _ = g4.write_all(&long);
    // Datagrams from an address no port registered, short and long.
    let stranger = UnixDatagram::unbound().unwrap();
    for len in [0usize, 1, 5, 13, 14, 60, 1000, 3000] {
        let junk: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
        let _ = stranger.send_to_addr(&junk, &a.switch);
    }
    // Short frames from a real port.
    for len in [0usize, 1, 13] {
        a.send(&vec![0xff; len]);
    }
    std::thread::sleep(Duration::from_millis(300));
    sw.assert_alive();
    a.drain();
    b.drain();
    // The real ports still work.
    let f = a.send_to(BCAST, b"still there?");
    b.expect(&f, "broadcast after the garbage");
    let f = b.send_to(a.mac, b"yes");
    a.expect(&f, "unicast after the garbage");
    let c = Client::new(&sw.ctl, 3);
    let f = c.send_to(BCAST, b"newcomer");
    a.expect(&f, "broadcast from a new port at A");
    b.expect(&f, "broadcast from a new port at B");
    drop((g, g2, g4));
    sw.assert_alive();
}
both!(
    garbage_does_not_hurt,
    garbage_does_not_hurt_ours,
    garbage_does_not_hurt_uml_switch
);

fn a_stale_control_socket_is_replaced(which: Impl) {
    let dir = scratch(&format!("stale-{which:?}"));
    drop(UnixListener::bind(dir.join("ctl")).unwrap());
    assert!(dir.join("ctl").exists(), "the stale socket file");
    let mut sw = start(which, &dir, &[]);
    let (a, b) = (Client::new(&sw.ctl, 1), Client::new(&sw.ctl, 2));
    let f = a.send_to(BCAST, b"on the new socket");
    b.expect(&f, "broadcast");
    sw.assert_alive();
}
both!(
    a_stale_control_socket_is_replaced,
    a_stale_control_socket_is_replaced_ours,
    a_stale_control_socket_is_replaced_uml_switch
);

fn output_within(mut cmd: Command) -> Output {
    cmd.stdin(Stdio::null());
    common::output_within(cmd, Duration::from_secs(10))
}

fn a_second_switch_on_a_live_socket_fails(which: Impl) {
    let dir = scratch(&format!("second-{which:?}"));
    let mut sw = start(which, &dir, &[]);
    let mut cmd = which.command();
    cmd.arg("-unix").arg(&sw.ctl);
    let o = output_within(cmd);
    assert!(!o.status.success(), "the second switch must fail");
    if which == Impl::Ours {
        assert_eq!(o.status.code(), Some(1));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("another switch is already attached"), "{err}");
    }
    // The first one is untouched.
    assert!(sw.ctl.exists());
    let (a, b) = (Client::new(&sw.ctl, 1), Client::new(&sw.ctl, 2));
    let f = a.send_to(BCAST, b"first switch");
    b.expect(&f, "broadcast on the first switch");
    sw.assert_alive();
}
both!(
    a_second_switch_on_a_live_socket_fails,
    a_second_switch_on_a_live_socket_fails_ours,
    a_second_switch_on_a_live_socket_fails_uml_switch
);

fn sigint_removes_the_control_socket(which: Impl) {
    let dir = scratch(&format!("sigint-{which:?}"));
    let mut sw = start(which, &dir, &[]);
    let _a = Client::new(&sw.ctl, 1);
    let st = sw.signal(libc::SIGINT);
    assert!(!sw.ctl.exists(), "control socket left after SIGINT");
    if which == Impl::Ours {
        assert_eq!(st.code(), Some(0));
    }
}
both!(
    sigint_removes_the_control_socket,
    sigint_removes_the_control_socket_ours,
    sigint_removes_the_control_socket_uml_switch
);

fn bad_options_give_usage(which: Impl) {
    for args in [&["-bogus"][..], &["-unix"], &["-tap"], &["extra"]] {
        let mut cmd = which.command();
        cmd.args(args);
        let o = output_within(cmd);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(all.contains("Usage"), "{args:?}: {all}");
    }
}
both!(
    bad_options_give_usage,
    bad_options_give_usage_ours,
    bad_options_give_usage_uml_switch
);

#[test]
fn sigterm_removes_the_control_socket() {
    let dir = scratch("sigterm");
    let mut sw = start(Impl::Ours, &dir, &[]);
    let _a = Client::new(&sw.ctl, 1);
    let st = sw.signal(libc::SIGTERM);
    assert_eq!(st.code(), Some(0));
    assert!(!sw.ctl.exists(), "control socket left after SIGTERM");
    let log = sw.log_text();
    assert!(log.contains("attached to unix socket"), "{log}");
    assert!(log.contains("New connection"), "{log}");
}

#[test]
fn messages_as_uml_switch() {
    let dir = scratch("messages");
    let mut sw = start(Impl::Ours, &dir, &[]);
    let (a, b) = (Client::new(&sw.ctl, 1), Client::new(&sw.ctl, 2));
    let f = a.send_to(BCAST, b"x");
    b.expect(&f, "broadcast");
    drop(a);
    std::thread::sleep(Duration::from_millis(200));
    sw.signal(libc::SIGINT);
    let log = sw.log_text();
    for want in [
        "ruml switch attached to unix socket",
        "New connection",
        " Addr: fe:fd:0a:00:00:01 New port ",
        "Closed connection",
        "Caught signal 2",
    ] {
        assert!(log.contains(want), "missing {want:?} in:\n{log}");
    }
}

#[test]
fn frames_shorter_than_a_header_are_dropped() {
    let dir = scratch("short");
    let mut sw = start(Impl::Ours, &dir, &[]);
    let (a, b) = (Client::new(&sw.ctl, 1), Client::new(&sw.ctl, 2));
    a.send(&[0xff; 13]);
    b.expect_nothing("13-byte frame");
    let f = [0xffu8; 14];
    a.send(&f);
    b.expect(&f, "14-byte frame");
    sw.assert_alive();
}

#[test]
fn a_client_whose_data_socket_vanished_does_not_hurt() {
    let dir = scratch("vanished");
    let mut sw = start(Impl::Ours, &dir, &[]);
    let (a, b, c) = (
        Client::new(&sw.ctl, 1),
        Client::new(&sw.ctl, 2),
        Client::new(&sw.ctl, 3),
    );
    let f = a.send_to(BCAST, b"learn A");
    b.expect(&f, "B");
    c.expect(&f, "C");
    // A's data socket closes, its control connection stays.
    let Client {
        data, ctl: _keep, ..
    } = a;
    drop(data);
    for i in 0..100u8 {
        b.send_to([0xfe, 0xfd, 0x0a, 0, 0, 1], &[i; 40]);
        b.send_to(BCAST, &[i; 40]);
    }
    sw.assert_alive();
    c.drain();
    let f = b.send_to(c.mac, b"still switching");
    c.expect(&f, "unicast after sends to a vanished socket");
    sw.assert_alive();
}

#[test]
fn an_unopenable_tap_is_one_error_line() {
    let dir = scratch("tap");
    let mut cmd = Impl::Ours.command();
    cmd.arg("-unix")
        .arg(dir.join("ctl"))
        .args(["-tap", "no-such-tap-name-is-this-long"]);
    let o = output_within(cmd);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("tap device 'no-such-tap-name-is-this-long'"),
        "{err}"
    );
    assert!(!dir.join("ctl").exists(), "no control socket left behind");
}

#[test]
fn compat_v0_is_refused() {
    let o = output_within({
        let mut c = Impl::Ours.command();
        c.arg("-compat-v0");
        c
    });
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not supported"));
}

#[test]
fn answers_to_uml_switch() {
    let dir = scratch("argv0");
    let link = dir.join("uml_switch");
    std::os::unix::fs::symlink(ruml(), &link).unwrap();
    let o = output_within({
        let mut c = Command::new(&link);
        c.arg("-bogus");
        c
    });
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("Usage : uml_switch "), "{err}");
}

/// Pids of processes whose command line mentions `needle`.
fn pids_with_arg(needle: &str) -> Vec<i32> {
    let mut v = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if let Ok(cmd) = std::fs::read(e.path().join("cmdline")) {
            if cmd.split(|&b| b == 0).any(|a| a == needle.as_bytes()) {
                v.push(pid);
            }
        }
    }
    v
}

#[test]
fn daemon_detaches() {
    let dir = scratch("daemon");
    let ctl = dir.join("ctl");
    // The daemon keeps stdout and stderr (as uml_switch): a file, not a
    // pipe that would stay open.
    let log = dir.join("daemon.log");
    let f = std::fs::File::create(&log).unwrap();
    let mut child = Impl::Ours
        .command()
        .arg("-unix")
        .arg(&ctl)
        .arg("-daemon")
        .stdin(Stdio::null())
        .stdout(f.try_clone().unwrap())
        .stderr(f)
        .spawn()
        .unwrap();
    let st = wait_within(&mut child, Duration::from_secs(10));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(st.success(), "{text}");
    assert!(text.contains("attached to unix socket"), "{text}");
    assert!(ctl.exists(), "the socket is there when the parent returns");
    let pids = pids_with_arg(ctl.to_str().unwrap());
    assert_eq!(pids.len(), 1, "one daemon: {pids:?}");
    let (a, b) = (Client::new(&ctl, 1), Client::new(&ctl, 2));
    let f = a.send_to(BCAST, b"daemon");
    b.expect(&f, "broadcast through the daemon");
    Command::new("kill")
        .arg(pids[0].to_string())
        .status()
        .unwrap();
    let t = Instant::now();
    while ctl.exists() {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "daemon did not clean up"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Boots a real UML guest (linux.uml) with `eth0` on the switch at `ctl`,
/// address 10.0.0.`me`, that pings 10.0.0.`peer` until it answers (the
/// two VMs boot at different times), then pings 3 times and keeps running
/// a little so the peer can reach it too.
fn uml_guest(dir: &Path, ctl: &Path, me: u8, peer: u8) -> std::thread::JoinHandle<(bool, String)> {
    let script = dir.join(format!("guest{me}.sh"));
    std::fs::write(
        &script,
        format!(
            "ifconfig eth0 10.0.0.{me} netmask 255.255.255.0 up\n\
             n=0\n\
             while [ $n -lt 30 ]; do\n\
             \x20 if ping -c 1 -W 1 10.0.0.{peer} >/dev/null 2>&1; then\n\
             \x20   ping -c 3 -W 2 10.0.0.{peer}; r=$?; sleep 5; exit $r\n\
             \x20 fi\n\
             \x20 n=$((n+1))\n\
             done\n\
             echo 10.0.0.{peer} unreachable; exit 1\n"
        ),
    )
    .unwrap();
    let out = dir.join(format!("out{me}.txt"));
    let log = dir.join(format!("console{me}.txt"));
    let mut cmd = Command::new(common::repo().join("tests/uml/run-uml.sh"));
    cmd.arg("--out")
        .arg(&out)
        .arg("--log")
        .arg(&log)
        .args(["--timeout", "100"])
        .arg(&script)
        .arg(format!(
            "eth0=daemon,fe:fd:0a:00:00:{me:02x},unix,{}",
            ctl.display()
        ));
    std::thread::spawn(move || {
        let o = common::output_within(cmd, Duration::from_secs(130));
        let text = format!(
            "status {}\n--- script output:\n{}\n--- run-uml.sh:\n{}{}",
            o.status,
            std::fs::read_to_string(&out).unwrap_or_default(),
            String::from_utf8_lossy(&o.stdout),
            common::stderr(&o)
        );
        (o.status.success(), text)
    })
}

#[test]
fn two_uml_guests_ping_across_the_switch() {
    if Command::new("sh")
        .args(["-c", "command -v linux.uml"])
        .output()
        .map_or(true, |o| !o.status.success())
    {
        eprintln!("SKIPPED: linux.uml is not installed (apt-get install user-mode-linux)");
        return;
    }
    let dir = scratch("uml");
    let mut sw = start(Impl::Ours, &dir, &[]);
    let g1 = uml_guest(&dir, &sw.ctl, 1, 2);
    let g2 = uml_guest(&dir, &sw.ctl, 2, 1);
    let (ok1, t1) = g1.join().unwrap();
    let (ok2, t2) = g2.join().unwrap();
    sw.assert_alive();
    assert!(
        ok1 && ok2,
        "guest 1:\n{t1}\nguest 2:\n{t2}\nswitch:\n{}",
        sw.log_text()
    );
    for (t, peer) in [(&t1, 2), (&t2, 1)] {
        assert!(
            t.contains(&format!("64 bytes from 10.0.0.{peer}")) && t.contains(" 0% packet loss"),
            "{t}"
        );
    }
    let log = sw.log_text();
    assert!(log.contains(" Addr: fe:fd:0a:00:00:01 New port"), "{log}");
    assert!(log.contains(" Addr: fe:fd:0a:00:00:02 New port"), "{log}");
}
