//! Virtual networks: ruml VMs (and real UML VMs) wired through switches,
//! running busybox's network tools and checking what they print.
//!
//! Every VM runs through tests/uml/run-uml.sh (ruml with `--kernel`, or the
//! real linux.uml) on a shared busybox root, with its script's output in a
//! file. The VMs of one test boot concurrently; their scripts wait for each
//! other by pinging and by retrying connections.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A directory for one test: the shared root and the VMs' files.
struct Lab {
    dir: PathBuf,
    root: PathBuf,
    vms: Vec<(String, Child, PathBuf)>,
    daemons: Vec<Child>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kernel {
    Ruml,
    Uml,
}

impl Lab {
    fn new(name: &str) -> Lab {
        let root = busybox_root(&format!("net-{name}"), "#!/bin/sh\n");
        guest_program(&root, "udpecho");
        let dir = root.with_extension("lab");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Lab {
            dir,
            root,
            vms: Vec::new(),
            daemons: Vec::new(),
        }
    }

    /// Starts a host daemon (a switch) and waits for `ready` to exist. Its
    /// stdin is a pipe kept open (vde_switch ends at EOF on it).
    fn daemon(&mut self, cmd: &mut Command, ready: &Path) {
        let c = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn switch");
        self.daemons.push(c);
        let t = Instant::now();
        while !ready.exists() {
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "{ready:?} never appeared"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Boots VM `name` with `kernel`, running `script` (after a common
    /// prologue), with extra kernel arguments `args`.
    fn vm(&mut self, name: &str, kernel: Kernel, script: &str, args: &[String]) {
        let file = self.dir.join(format!("{name}.sh"));
        std::fs::write(&file, format!("{PROLOGUE}{script}")).unwrap();
        let out = self.dir.join(format!("{name}.out"));
        let mut cmd = Command::new(repo().join("tests/uml/run-uml.sh"));
        if kernel == Kernel::Ruml {
            cmd.arg("--kernel").arg(ruml());
        }
        cmd.arg("--root")
            .arg(&self.root)
            .arg("--out")
            .arg(&out)
            .arg("--log")
            .arg(self.dir.join(format!("{name}.log")))
            .args(["--timeout", "150"])
            .arg(&file)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = cmd.spawn().expect("run-uml.sh");
        self.vms.push((name.to_string(), child, out));
    }

    /// Waits for every VM; returns each one's output by name.
    fn wait(&mut self) -> Vec<(String, String)> {
        let mut outs = Vec::new();
        for (name, mut child, out) in std::mem::take(&mut self.vms) {
            let status = child.wait().unwrap();
            let text = std::fs::read_to_string(&out).unwrap_or_default();
            let log =
                std::fs::read_to_string(self.dir.join(format!("{name}.log"))).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(15).collect();
            assert!(
                status.code() == Some(0),
                "VM {name} ended with {status:?}\n--- its output:\n{text}\n--- its log (last lines, newest first):\n{}",
                tail.join("\n")
            );
            outs.push((name, text));
        }
        outs
    }

    /// The device files a test should not leave behind.
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for (_, c, _) in &mut self.vms {
            let _ = c.kill();
            let _ = c.wait();
        }
        for d in &mut self.daemons {
            let _ = d.kill();
            let _ = d.wait();
        }
        let _ = std::fs::remove_dir_all(&self.root);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Shell functions for the guest scripts.
const PROLOGUE: &str = r#"
# wait_for ADDR: until ADDR answers a ping (at most 60 s).
wait_for() {
    i=0
    while ! ping -c 1 -W 1 "$1" >/dev/null 2>&1; do
        i=$((i+1)); [ $i -lt 60 ] || { echo "no answer from $1"; return 1; }
    done
}
# send ADDR PORT FILE: connect (retrying until the peer listens) and send.
send() {
    i=0
    while ! nc "$1" "$2" < "$3"; do
        i=$((i+1)); [ $i -lt 100 ] || { echo "cannot send to $1:$2"; return 1; }
        sleep 0.3
    done
}
# receive PORT OUT: accept one connection and store what it sends.
receive() { nc -l -p "$1" -e sh -c "cat > $2"; }
"#;

fn eth(unit: u32, spec: String) -> String {
    format!("eth{unit}={spec}")
}

fn sha_lines(text: &str, tag: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix(tag))
        .map(|s| s.split_whitespace().next().unwrap_or("").to_string())
        .collect()
}

/// Two VMs on one segment: addresses by ifconfig on one and by `ip` on the
/// other; ping both ways, arping, a TCP transfer of `mib` MiB from b to a
/// and (when `both`) back, UDP echo; between two ruml VMs also IPv6 (the
/// Debian UML kernel has none).
fn two_vms(lab: &mut Lab, a: (Kernel, String), b: (Kernel, String), mib: u32, both: bool) {
    let v6 = a.0 == Kernel::Ruml && b.0 == Kernel::Ruml;
    let a_script = format!(
        r#"
ifconfig eth0 10.0.0.1 netmask 255.255.255.0 up
{v6a}
/bin/udpecho server 7000 &
wait_for 10.0.0.2 || exit 1
ping -c 5 -i 0.2 10.0.0.2 | grep -E 'packets transmitted'
arping -c 2 -I eth0 10.0.0.2 | grep -E '^Received'
receive 5000 /tmp/a-in
echo "A-GOT $(sha256sum < /tmp/a-in)"
{back}
receive 5002 /tmp/a-done
rm -f /tmp/a-in /tmp/a-out
"#,
        v6a = if v6 {
            "ip -6 addr add fd00::1/64 dev eth0"
        } else {
            ""
        },
        back = if both {
            format!("dd if=/dev/urandom of=/tmp/a-out bs=1M count={mib} 2>/dev/null\necho \"A-SENT $(sha256sum < /tmp/a-out)\"\nsend 10.0.0.2 5001 /tmp/a-out || exit 1")
        } else {
            String::new()
        }
    );
    let b_script = format!(
        r#"
ip addr add 10.0.0.2/24 dev eth0
ip link set eth0 up
wait_for 10.0.0.1 || exit 1
ping -c 5 -i 0.2 10.0.0.1 | grep -E 'packets transmitted'
arping -c 2 -I eth0 10.0.0.1 | grep -E '^Received'
{v6b}
dd if=/dev/urandom of=/tmp/b-out bs=1M count={mib} 2>/dev/null
echo "B-SENT $(sha256sum < /tmp/b-out)"
send 10.0.0.1 5000 /tmp/b-out || exit 1
{back}
/bin/udpecho client 10.0.0.1 7000 50
echo bye > /tmp/b-bye
send 10.0.0.1 5002 /tmp/b-bye
rm -f /tmp/b-in /tmp/b-out /tmp/b-bye
"#,
        v6b = if v6 {
            "ip -6 addr add fd00::2/64 dev eth0\n\
             i=0; until ping6 -c 1 -W 1 fd00::1 >/dev/null 2>&1; do i=$((i+1)); [ $i -lt 20 ] || break; done\n\
             ping6 -c 3 -i 0.2 fd00::1 | grep -E 'transmitted' | sed 's/^/v6: /'"
        } else {
            ""
        },
        back = if both {
            "receive 5001 /tmp/b-in\necho \"B-GOT $(sha256sum < /tmp/b-in)\"".to_string()
        } else {
            String::new()
        }
    );
    lab.vm("a", a.0, &a_script, &[a.1]);
    lab.vm("b", b.0, &b_script, &[b.1]);
    let outs = lab.wait();
    let (ta, tb) = (&outs[0].1, &outs[1].1);
    for t in [ta, tb] {
        assert!(
            t.contains("5 packets transmitted, 5 packets received"),
            "ping:\n{ta}\n---\n{tb}"
        );
        assert!(
            t.contains("Received ") && !t.contains("Received 0 response"),
            "arping:\n{ta}\n---\n{tb}"
        );
    }
    let (sent, got) = (sha_lines(tb, "B-SENT "), sha_lines(ta, "A-GOT "));
    assert!(sent.len() == 1 && sent == got, "TCP b->a:\n{ta}\n---\n{tb}");
    if both {
        let (sent, got) = (sha_lines(ta, "A-SENT "), sha_lines(tb, "B-GOT "));
        assert!(sent.len() == 1 && sent == got, "TCP a->b:\n{ta}\n---\n{tb}");
    }
    assert!(tb.contains("udp echo ok 50"), "UDP:\n{tb}");
    if v6 {
        assert!(
            tb.contains("v6: 3 packets transmitted, 3 packets received"),
            "IPv6:\n{tb}"
        );
    }
}

fn uml_switch(lab: &mut Lab) -> String {
    let ctl = lab.path("uml_switch.ctl");
    lab.daemon(Command::new("uml_switch").arg("-unix").arg(&ctl), &ctl);
    ctl.display().to_string()
}

/// `ruml switch` for a segment (its control socket path).
fn ruml_switch(lab: &mut Lab, name: &str) -> String {
    let ctl = lab.path(&format!("{name}.ctl"));
    lab.daemon(
        Command::new(ruml()).arg("switch").arg("-unix").arg(&ctl),
        &ctl,
    );
    ctl.display().to_string()
}

/// Two VMs (`a`, `b`) on one daemon-protocol switch: ruml's, or the real
/// uml_switch; `mib` MiB over TCP from b to a, and back when `both`.
fn on_switch(name: &str, real: bool, a: Kernel, b: Kernel, mib: u32, both: bool) {
    let mut lab = Lab::new(name);
    let ctl = if real {
        uml_switch(&mut lab)
    } else {
        ruml_switch(&mut lab, "sw")
    };
    let nic = |n: u8| eth(0, format!("daemon,fe:fd:0a:00:00:{n:02x},unix,{ctl}"));
    two_vms(&mut lab, (a, nic(1)), (b, nic(2)), mib, both);
}

#[test]
fn two_ruml_vms_on_ruml_switch() {
    on_switch("rswitch", false, Kernel::Ruml, Kernel::Ruml, 64, false);
}

#[test]
fn ruml_and_uml_on_ruml_switch() {
    on_switch("mixed-rswitch", false, Kernel::Ruml, Kernel::Uml, 16, true);
}

#[test]
fn two_ruml_vms_on_the_real_uml_switch() {
    on_switch("uswitch", true, Kernel::Ruml, Kernel::Ruml, 64, false);
}

#[test]
fn ruml_and_uml_on_the_real_uml_switch() {
    on_switch("mixed-uswitch", true, Kernel::Uml, Kernel::Ruml, 16, true);
}

#[test]
fn ruml_vms_on_the_real_vde_switch() {
    let mut lab = Lab::new("vde");
    let sw = lab.path("vde.sw");
    lab.daemon(
        Command::new("vde_switch")
            .arg("-s")
            .arg(&sw)
            .arg("-M")
            .arg(lab.path("vde.mgmt")),
        &sw.join("ctl"),
    );
    let sw = sw.display().to_string();
    two_vms(
        &mut lab,
        (Kernel::Ruml, eth(0, format!("vde,{sw},fe:fd:0a:00:00:01"))),
        (Kernel::Uml, eth(0, format!("vde,{sw},fe:fd:0a:00:00:02"))),
        16,
        true,
    );
}

#[test]
fn ruml_vms_on_ucast() {
    let mut lab = Lab::new("ucast");
    two_vms(
        &mut lab,
        (
            Kernel::Ruml,
            eth(0, "ucast,fe:fd:0a:00:00:01,127.0.0.1,15611,15612".into()),
        ),
        (
            Kernel::Ruml,
            eth(0, "ucast,fe:fd:0a:00:00:02,127.0.0.1,15612,15611".into()),
        ),
        16,
        false,
    );
}

/// Three segments joined by two router VMs with two NICs each; the hosts
/// at the ends reach each other through both routers (static routes and
/// ip_forward set by the routers' init scripts).
#[test]
fn routing_across_two_router_vms() {
    let mut lab = Lab::new("routing");
    let s: Vec<String> = (1..=3)
        .map(|i| ruml_switch(&mut lab, &format!("s{i}")))
        .collect();
    let nic = |unit: u32, sw: &String, mac: u8| {
        eth(unit, format!("daemon,fe:fd:0a:00:01:{mac:02x},unix,{sw}"))
    };
    let router = |lan: &str, wan: &str, peer: &str, far: &str| {
        format!(
            r#"
ifconfig eth0 {lan} netmask 255.255.255.0 up
ip addr add {wan}/24 dev eth1
ip link set eth1 up
route add -net {far} netmask 255.255.255.0 gw {peer}
echo 1 > /proc/sys/net/ipv4/ip_forward
echo "forwarding $(cat /proc/sys/net/ipv4/ip_forward)"
receive 5009 /tmp/bye-{lan}
"#
        )
    };
    lab.vm(
        "r1",
        Kernel::Ruml,
        &router("10.0.1.1", "10.0.2.1", "10.0.2.2", "10.0.3.0"),
        &[nic(0, &s[0], 0x11), nic(1, &s[1], 0x12)],
    );
    lab.vm(
        "r2",
        Kernel::Ruml,
        &router("10.0.3.1", "10.0.2.2", "10.0.2.1", "10.0.1.0"),
        &[nic(0, &s[2], 0x21), nic(1, &s[1], 0x22)],
    );
    lab.vm(
        "h1",
        Kernel::Ruml,
        r#"
ifconfig eth0 10.0.1.2 netmask 255.255.255.0 up
route add default gw 10.0.1.1
wait_for 10.0.3.2 || exit 1
ping -c 3 -i 0.2 10.0.3.2 | grep -E 'transmitted|seq=0'
dd if=/dev/urandom of=/tmp/h1-out bs=1M count=8 2>/dev/null
echo "H1-SENT $(sha256sum < /tmp/h1-out)"
send 10.0.3.2 5000 /tmp/h1-out || exit 1
receive 5001 /tmp/h1-in
echo "H1-GOT $(sha256sum < /tmp/h1-in)"
echo bye > /tmp/h1-bye
send 10.0.1.1 5009 /tmp/h1-bye
rm -f /tmp/h1-*
"#,
        &[nic(0, &s[0], 0x01)],
    );
    lab.vm(
        "h3",
        Kernel::Ruml,
        r#"
ip addr add 10.0.3.2/24 dev eth0
ip link set eth0 up
ip route add default via 10.0.3.1
ip route
receive 5000 /tmp/h3-in
echo "H3-GOT $(sha256sum < /tmp/h3-in)"
dd if=/dev/urandom of=/tmp/h3-out bs=1M count=8 2>/dev/null
echo "H3-SENT $(sha256sum < /tmp/h3-out)"
send 10.0.1.2 5001 /tmp/h3-out || exit 1
echo bye > /tmp/h3-bye
send 10.0.3.1 5009 /tmp/h3-bye
rm -f /tmp/h3-*
"#,
        &[nic(0, &s[2], 0x03)],
    );
    let outs = lab.wait();
    let all: String = outs.iter().map(|(n, t)| format!("--- {n}:\n{t}")).collect();
    let text = |n: &str| &outs.iter().find(|(m, _)| m == n).unwrap().1;
    assert!(
        text("r1").contains("forwarding 1") && text("r2").contains("forwarding 1"),
        "{all}"
    );
    // Two routers on the way: the echo replies arrive with ttl 64 - 2.
    assert!(
        text("h1").contains("3 packets transmitted, 3 packets received"),
        "{all}"
    );
    assert!(text("h1").contains("ttl=62"), "{all}");
    let (a, b) = (
        sha_lines(text("h1"), "H1-SENT "),
        sha_lines(text("h3"), "H3-GOT "),
    );
    assert!(a.len() == 1 && a == b, "{all}");
    let (a, b) = (
        sha_lines(text("h3"), "H3-SENT "),
        sha_lines(text("h1"), "H1-GOT "),
    );
    assert!(a.len() == 1 && a == b, "{all}");
}

#[test]
fn ruml_vms_on_mcast() {
    let mut lab = Lab::new("mcast");
    // A group and port of this test's own, so parallel runs do not meet.
    let port = 20000 + std::process::id() % 20000;
    let spec = |mac: u8| {
        format!(
            "mcast,fe:fd:0a:00:02:{mac:02x},239.192.77.{},{port}",
            1 + std::process::id() % 250
        )
    };
    two_vms(
        &mut lab,
        (Kernel::Ruml, eth(0, spec(1))),
        (Kernel::Ruml, eth(0, spec(2))),
        16,
        false,
    );
}

/// The switch goes away while two VMs use it and comes back at the same
/// path: the VMs keep running, their NICs reconnect, traffic resumes. And
/// garbage sent to a ucast NIC's port changes nothing.
#[test]
fn switch_restart_and_garbage_do_not_hurt_the_vms() {
    let mut lab = Lab::new("restart");
    let ctl = lab.path("restart.ctl");
    let start = |lab: &mut Lab| {
        lab.daemon(
            Command::new(ruml()).arg("switch").arg("-unix").arg(&ctl),
            &ctl,
        )
    };
    start(&mut lab);
    let c = ctl.display().to_string();
    lab.vm(
        "a",
        Kernel::Ruml,
        "ifconfig eth0 10.0.0.1 netmask 255.255.255.0 up\nifconfig eth1 10.0.9.1 netmask 255.255.255.0 up\nreceive 5009 /tmp/a-bye\necho a alive\n",
        &[
            eth(0, format!("daemon,fe:fd:0a:00:03:01,unix,{c}")),
            eth(1, "ucast,fe:fd:0a:00:03:11,127.0.0.1,15621,15622".into()),
        ],
    );
    lab.vm(
        "b",
        Kernel::Ruml,
        r#"
ifconfig eth0 10.0.0.2 netmask 255.255.255.0 up
wait_for 10.0.0.1 || exit 1
touch /tmp/restart-up
state=up; i=0
while [ $i -lt 300 ]; do
    if ping -c 1 -W 1 10.0.0.1 >/dev/null 2>&1; then
        [ $state = lost ] && { echo resumed; break; }
    else
        [ $state = up ] && echo lost
        state=lost
    fi
    i=$((i+1)); sleep 0.1
done
echo bye > /tmp/b-bye
send 10.0.0.1 5009 /tmp/b-bye
"#,
        &[eth(0, format!("daemon,fe:fd:0a:00:03:02,unix,{c}"))],
    );
    let up = lab.root.join("tmp/restart-up");
    let t = Instant::now();
    while !up.exists() {
        assert!(t.elapsed() < Duration::from_secs(60), "the VMs never met");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Garbage and oversized datagrams at a's ucast NIC.
    let u = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    for n in [0usize, 1, 13, 14, 60, 1514, 9000, 65000] {
        let _ = u.send_to(&vec![0xa5; n], "127.0.0.1:15621");
    }
    // The switch dies (SIGKILL: its socket file stays, as after a crash)
    // and a new one starts on the same path.
    let mut old = lab.daemons.pop().unwrap();
    old.kill().unwrap();
    old.wait().unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let _ = std::fs::remove_file(&ctl);
    start(&mut lab);
    let outs = lab.wait();
    let (ta, tb) = (&outs[0].1, &outs[1].1);
    assert!(tb.contains("lost\nresumed"), "a:\n{ta}\n---\nb:\n{tb}");
    assert!(ta.contains("a alive"), "a:\n{ta}\n---\nb:\n{tb}");
    let _ = std::fs::remove_file(up);
}

/// User networking: the guest gets its address by DHCP, fetches a page
/// over HTTP from a server on the host's loopback through the NAT
/// (10.0.2.2 is the host), and a host client reaches a server in the guest
/// through a port forward.
#[test]
fn slirp_nat_dhcp_and_port_forward() {
    use std::io::{Read, Write};
    let mut lab = Lab::new("slirp");
    // The host's web server.
    let web = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let web_port = web.local_addr().unwrap().port();
    let page = format!("hello from the host {}\n", std::process::id());
    let body = page.clone();
    std::thread::spawn(move || {
        for c in web.incoming().flatten() {
            let mut c = c;
            let mut req = [0u8; 1024];
            let _ = c.read(&mut req);
            let _ = write!(
                c,
                "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
        }
    });
    // A free host port for the forward.
    let fwd_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    write_exec(
        &lab.root.join("bin/dhcp.sh"),
        "#!/bin/sh\n[ \"$1\" = bound ] || exit 0\nifconfig $interface $ip netmask $subnet up\nroute add default gw $router\necho \"leased $ip via $router\"\n",
    );
    let ready = lab.root.join("tmp/slirp-ready");
    let _ = std::fs::remove_file(&ready);
    lab.vm(
        "g",
        Kernel::Ruml,
        &format!(
            r#"
ip link set eth0 up
udhcpc -i eth0 -n -q -s /bin/dhcp.sh 2>/dev/null | grep leased
ip route | grep default
wget -q -O - http://10.0.2.2:{web_port}/index.html
touch /tmp/slirp-ready
nc -l -p 80 -e sh -c 'read line; echo "guest got: $line"'
echo served
"#
        ),
        &[eth(0, format!("slirp,,hostfwd=tcp::{fwd_port}-:80"))],
    );
    let t = Instant::now();
    while !ready.exists() {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "the guest never got ready"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut reply = String::new();
    for _ in 0..50 {
        if let Ok(mut c) = std::net::TcpStream::connect(("127.0.0.1", fwd_port)) {
            c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            c.write_all(b"ping-from-host\n").unwrap();
            let _ = c.read_to_string(&mut reply);
            if !reply.is_empty() {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let outs = lab.wait();
    let g = &outs[0].1;
    assert!(g.contains("leased 10.0.2.15 via 10.0.2.2"), "{g}");
    assert!(g.contains("default via 10.0.2.2"), "{g}");
    assert!(g.contains(&page), "{g}");
    assert!(g.contains("served"), "{g}");
    assert_eq!(reply, "guest got: ping-from-host\n");
    let _ = std::fs::remove_file(ready);
}

/// A host tap device for a test, removed when dropped; None (after saying
/// so) where the test may not make one (it needs root).
struct HostTap(String);

impl HostTap {
    fn new(test: &str, addr: &str) -> Option<HostTap> {
        let name = format!("rt{}{}", test, std::process::id() % 10000);
        if !ip(&["tuntap", "add", "dev", &name, "mode", "tap"]) {
            eprintln!("{test}: skipped: cannot create a host tap device here (needs root)");
            return None;
        }
        let t = HostTap(name);
        assert!(ip(&["addr", "add", addr, "dev", &t.0]));
        assert!(ip(&["link", "set", &t.0, "up"]));
        Some(t)
    }
}

impl Drop for HostTap {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["link", "del", &self.0]).output();
    }
}

fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// `tuntap`: a host tap device the user may open; the guest pings the host
/// through it.
#[test]
fn tuntap_reaches_the_host() {
    let Some(tap) = HostTap::new("tt", "10.77.0.1/24") else {
        return;
    };
    let mut lab = Lab::new("tuntap");
    let nic = eth(0, format!("tuntap,{},fe:fd:0a:00:04:01", tap.0));
    pings_the_host(&mut lab, "10.77.0.2", "10.77.0.1", nic);
}

/// Boots a VM with `nic` at `guest` (a /24) that pings `host` three times.
fn pings_the_host(lab: &mut Lab, guest: &str, host: &str, nic: String) {
    lab.vm(
        "g",
        Kernel::Ruml,
        &format!(
            "ifconfig eth0 {guest} netmask 255.255.255.0 up\n\
             wait_for {host} && ping -c 3 -i 0.2 {host} | grep transmitted\n"
        ),
        &[nic],
    );
    let out = lab.wait().remove(0).1;
    assert!(
        out.contains("3 packets transmitted, 3 packets received"),
        "{out}"
    );
}

/// `ruml switch -tap DEV`: a host tap device as a port of the switch; a VM
/// on the switch pings the host through it.
#[test]
fn switch_tap_port_reaches_the_host() {
    let Some(tap) = HostTap::new("st", "10.78.0.1/24") else {
        return;
    };
    let mut lab = Lab::new("swtap");
    let ctl = lab.path("swtap.ctl");
    lab.daemon(
        Command::new(ruml())
            .arg("switch")
            .arg("-unix")
            .arg(&ctl)
            .arg("-tap")
            .arg(&tap.0),
        &ctl,
    );
    let nic = eth(
        0,
        format!("daemon,fe:fd:0a:00:04:02,unix,{}", ctl.display()),
    );
    pings_the_host(&mut lab, "10.78.0.2", "10.78.0.1", nic);
}

/// A NIC that cannot start stops the boot with one line and status 1: a
/// slirp forward whose host port is taken.
#[test]
fn a_nic_that_cannot_start_fails_the_boot_with_one_line() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let root = busybox_root("net-busy", "#!/bin/sh\necho guest ran\npoweroff -f\n");
    let o = boot(&root, &[&format!("eth0=slirp,hostfwd=tcp::{port}-:80")]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert_eq!(e.trim_end().lines().count(), 1, "{e}");
    assert!(e.contains("eth0:") && e.contains(&port.to_string()), "{e}");
    assert!(!text(&o).contains("guest ran"));
    let _ = std::fs::remove_dir_all(root);
}

/// A firewall: a Debian VM (nftables) routes between two segments and
/// rejects TCP to port 5001; the busybox hosts on both sides still ping and
/// exchange data on port 5000 through it, and a connection to 5001 is
/// refused by the firewall's reset.
#[test]
fn debian_vm_as_nftables_firewall() {
    let deb = debian_root();
    let mut lab = Lab::new("firewall");
    let (s1, s2) = (ruml_switch(&mut lab, "s1"), ruml_switch(&mut lab, "s2"));
    let nic = |unit: u32, sw: &String, mac: u8| {
        eth(unit, format!("daemon,fe:fd:0a:00:05:{mac:02x},unix,{sw}"))
    };
    // The firewall runs from a directory of its own in the Debian root's
    // /tmp (world-writable), and ends when the test creates `stop` there.
    let dir = deb.join(format!("tmp/ruml-fw-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let inside = format!("/tmp/ruml-fw-{}", std::process::id());
    write_exec(
        &dir.join("init.sh"),
        &format!(
            r#"#!/bin/sh
mount -t proc proc /proc
ip addr add 10.1.0.1/24 dev eth0 && ip link set eth0 up
ip addr add 10.2.0.1/24 dev eth1 && ip link set eth1 up
echo 1 > /proc/sys/net/ipv4/ip_forward
nft -f - <<'RULES'
table inet fw {{
    chain forward {{
        type filter hook forward priority 0; policy accept;
        tcp dport 5001 counter reject with tcp reset
    }}
}}
RULES
echo "rules loaded: $?"
while [ ! -e {inside}/stop ]; do sleep 0.2; done
nft list chain inet fw forward | grep -o 'counter packets [0-9]*'
poweroff -f
"#
        ),
    );
    let mut fw = Command::new(ruml());
    fw.args(hostfs_boot_args(
        &deb,
        &format!("{inside}/init.sh"),
        &["mem=128M", &nic(0, &s1, 1), &nic(1, &s2, 2)],
    ))
    .stdin(Stdio::null());
    let fw = std::thread::spawn(move || output_within(fw, Duration::from_secs(150)));
    lab.vm(
        "h1",
        Kernel::Ruml,
        r#"
ifconfig eth0 10.1.0.2 netmask 255.255.255.0 up
route add default gw 10.1.0.1
wait_for 10.2.0.2 || exit 1
ping -c 2 -i 0.2 10.2.0.2 | grep transmitted
head -c 1000000 /dev/urandom > /tmp/h1-out
echo "H1-SENT $(sha256sum < /tmp/h1-out)"
send 10.2.0.2 5000 /tmp/h1-out || exit 1
echo x | nc 10.2.0.2 5001 2>&1 | head -1
echo "nc 5001 status: $?"
echo bye > /tmp/h1-bye
send 10.2.0.2 5002 /tmp/h1-bye
rm -f /tmp/h1-*
"#,
        &[nic(0, &s1, 3)],
    );
    lab.vm(
        "h2",
        Kernel::Ruml,
        r#"
ifconfig eth0 10.2.0.2 netmask 255.255.255.0 up
route add default gw 10.2.0.1
nc -l -p 5001 -e sh -c 'echo should-not-happen > /tmp/h2-5001' &
receive 5000 /tmp/h2-in
echo "H2-GOT $(sha256sum < /tmp/h2-in)"
receive 5002 /tmp/h2-bye
cat /tmp/h2-5001 2>/dev/null
rm -f /tmp/h2-*
"#,
        &[nic(0, &s2, 4)],
    );
    let outs = lab.wait();
    std::fs::write(dir.join("stop"), "").unwrap();
    let fo = fw.join().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let f = text(&fo);
    let all = format!("{outs:#?}\n--- firewall:\n{f}{}", stderr(&fo));
    let text = |n: &str| &outs.iter().find(|(m, _)| m == n).unwrap().1;
    assert!(f.contains("rules loaded: 0"), "{all}");
    assert!(f.contains("counter packets 1"), "{all}");
    assert!(
        text("h1").contains("2 packets transmitted, 2 packets received"),
        "{all}"
    );
    let (a, b) = (
        sha_lines(text("h1"), "H1-SENT "),
        sha_lines(text("h2"), "H2-GOT "),
    );
    assert!(a.len() == 1 && a == b, "{all}");
    assert!(text("h1").contains("Connection refused"), "{all}");
    assert!(!text("h2").contains("should-not-happen"), "{all}");
}

/// Many tiny VMs (32 MB each) on one switch: seven clients ping a server VM
/// and each sends it a greeting over TCP.
#[test]
fn many_tiny_vms_on_one_switch() {
    const CLIENTS: u32 = 7;
    let mut lab = Lab::new("many");
    let sw = ruml_switch(&mut lab, "sw");
    let nic = |i: u32| eth(0, format!("daemon,fe:fd:0a:00:06:{:02x},unix,{sw}", i + 1));
    lab.vm(
        "server",
        Kernel::Ruml,
        &format!(
            "ifconfig eth0 10.0.6.1 netmask 255.255.255.0 up\n\
             : > /tmp/many-all\n\
             nc -ll -p 5000 -e sh -c 'cat >> /tmp/many-all' &\n\
             i=0; while [ $(wc -l < /tmp/many-all) -lt {CLIENTS} ] && [ $i -lt 600 ]; do sleep 0.2; i=$((i+1)); done\n\
             kill %1; cat /tmp/many-all; rm /tmp/many-all\n\
             free | awk '/Mem:/ {{ print \"total memory\", $2 }}'\n"
        ),
        &[nic(0), "mem=32M".into()],
    );
    for c in 1..=CLIENTS {
        lab.vm(
            &format!("c{c}"),
            Kernel::Ruml,
            &format!(
                "ifconfig eth0 10.0.6.{} netmask 255.255.255.0 up\n\
                 wait_for 10.0.6.1 || exit 1\n\
                 ping -c 2 -i 0.2 10.0.6.1 | grep transmitted\n\
                 echo hello from c{c} > /tmp/hello-{c}\n\
                 send 10.0.6.1 5000 /tmp/hello-{c} || exit 1\n\
                 rm /tmp/hello-{c}\n",
                c + 1
            ),
            &[nic(c), "mem=32M".into()],
        );
    }
    let outs = lab.wait();
    let server = &outs[0].1;
    for c in 1..=CLIENTS {
        assert!(server.contains(&format!("hello from c{c}\n")), "{server}");
        let t = &outs[c as usize].1;
        assert!(
            t.contains("2 packets transmitted, 2 packets received"),
            "c{c}: {t}"
        );
    }
    let total: u64 = server
        .lines()
        .find_map(|l| l.strip_prefix("total memory "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    assert!(total > 0 && total <= 32 * 1024, "{server}");
}

/// slirp relays ping to hosts outside its network: the guest pings the
/// host's own (non-loopback) address through the NAT. Needs a host ICMP
/// socket: a ping socket the host's ping_group_range allows, or root.
#[test]
fn slirp_relays_ping_to_the_host_network() {
    let addr = Command::new("ip")
        .args(["-4", "-o", "addr", "show", "scope", "global"])
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .skip_while(|w| *w != "inet")
                .nth(1)
                .and_then(|a| a.split('/').next().map(str::to_string))
        });
    let Some(addr) = addr else {
        eprintln!(
            "slirp_relays_ping_to_the_host_network: skipped: the host has no global IPv4 address"
        );
        return;
    };
    let gid = std::fs::metadata("/proc/self").map(|m| {
        use std::os::unix::fs::MetadataExt;
        m.gid()
    });
    let allowed = std::fs::read_to_string("/proc/sys/net/ipv4/ping_group_range")
        .ok()
        .and_then(|r| {
            let v: Vec<u32> = r
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            gid.as_ref()
                .ok()
                .map(|g| v.len() == 2 && v[0] <= *g && *g <= v[1])
        })
        .unwrap_or(false);
    let root = std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false);
    if !allowed && !root {
        eprintln!("slirp_relays_ping_to_the_host_network: skipped: the host allows neither ping sockets to this group nor raw sockets to this user");
        return;
    }
    let mut lab = Lab::new("slirp-ping");
    lab.vm(
        "g",
        Kernel::Ruml,
        &format!(
            "ip link set eth0 up\nip addr add 10.0.2.15/24 dev eth0\nip route add default via 10.0.2.2\n\
             ping -c 3 -i 0.2 -W 2 {addr} | grep -E 'transmitted|seq=0'\n"
        ),
        &[eth(0, "slirp".into())],
    );
    let out = lab.wait().remove(0).1;
    assert!(
        out.contains("3 packets transmitted, 3 packets received"),
        "{out}"
    );
    assert!(out.contains(&format!("from {addr}: seq=0")), "{out}");
}
