//! slirp with Linux's own stack as the guest: a tap in a private network
//! namespace (as a VM's NIC), busybox udhcpc configuring it by DHCP, then
//! ping of the gateway and an HTTP fetch from a server on the host's
//! loopback through 10.0.2.2, and a host connection through hostfwd.
//! Skipped where busybox, unshare or /dev/net/tun is missing.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ruml_net::slirp::{Slirp, SlirpConfig};
use ruml_platform::net::VmNamespaces;

struct Ns(Child);

impl Drop for Ns {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn busybox() -> Option<&'static str> {
    ["/bin/busybox", "/usr/bin/busybox"]
        .into_iter()
        .find(|p| Path::new(p).exists())
}

/// A process in new user and network namespaces.
fn namespace() -> Option<Ns> {
    let child = Command::new("unshare")
        .args(["-Urn", "sleep", "120"])
        .stdin(Stdio::null())
        .spawn()
        .ok()?;
    let ns = Ns(child);
    let pid = ns.0.id();
    let ours = std::fs::read_link("/proc/self/ns/net").ok()?;
    let end = Instant::now() + Duration::from_secs(5);
    while Instant::now() < end {
        match std::fs::read_link(format!("/proc/{pid}/ns/net")) {
            Ok(l) if l != ours => {
                // unshare has made the namespaces; wait for the exec.
                if std::fs::read_link(format!("/proc/{pid}/exe"))
                    .is_ok_and(|e| e.ends_with("sleep"))
                {
                    return Some(ns);
                }
            }
            Ok(_) => {}
            Err(_) => return None,
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

fn in_ns(ns: &Ns, script: &str) -> std::process::Output {
    Command::new("nsenter")
        .args([
            "-t",
            &ns.0.id().to_string(),
            "-U",
            "-n",
            "--preserve-credentials",
        ])
        .args([busybox().unwrap(), "sh", "-c", script])
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn busybox_guest_dhcp_ping_http_and_hostfwd() {
    let (Some(bb), true) = (busybox(), Path::new("/dev/net/tun").exists()) else {
        eprintln!("skipped: no busybox or /dev/net/tun");
        return;
    };
    let Some(ns) = namespace() else {
        eprintln!("skipped: cannot make user and network namespaces");
        return;
    };
    let vm = VmNamespaces::of(ns.0.id() as i32).unwrap();
    let tap = match vm.tap("eth0", [0x52, 0x54, 0, 0x12, 0x34, 0x56]) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("skipped: no tap in the namespace: {e}");
            return;
        }
    };
    let fwd_port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = SlirpConfig::parse(&format!("hostfwd=tcp::{fwd_port}-:8000")).unwrap();
    let slirp = Slirp::spawn(tap, cfg).unwrap();

    // A one-shot HTTP server on the host's loopback.
    let web = TcpListener::bind("127.0.0.1:0").unwrap();
    let web_port = web.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut c, _) = web.accept().unwrap();
        let mut req = [0u8; 1024];
        let _ = c.read(&mut req).unwrap();
        let body = "hello from the host\n".repeat(5000);
        write!(
            c,
            "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        body
    });

    let dir = std::env::temp_dir().join(format!("slirp-udhcpc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let hook = dir.join("hook.sh");
    std::fs::write(
        &hook,
        format!(
            "#!{bb} sh\ncase \"$1\" in bound|renew)\n  {bb} ip addr add \"$ip/$mask\" dev \"$interface\"\n  {bb} ip route add default via \"$router\"\n  echo \"lease $ip $router $dns\" ;;\nesac\n"
        ),
    )
    .unwrap();
    let out = in_ns(
        &ns,
        &format!(
            "chmod +x {hook} && {bb} ip link set lo up && {bb} ip link set eth0 up && \
             {bb} udhcpc -i eth0 -f -q -n -t 5 -T 1 -s {hook} && \
             {bb} ping -c 1 -W 3 10.0.2.2 && \
             {bb} wget -q -O - http://10.0.2.2:{web_port}/",
            hook = hook.display()
        ),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "guest script failed: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("lease 10.0.2.15 10.0.2.2 10.0.2.3"),
        "{stdout}"
    );
    let body = server.join().unwrap();
    assert!(stdout.ends_with(&body), "body differs");

    // hostfwd: a server in the guest, a client on the host.
    let mut guest_srv = Command::new("nsenter")
        .args([
            "-t",
            &ns.0.id().to_string(),
            "-U",
            "-n",
            "--preserve-credentials",
        ])
        .args([bb, "sh", "-c", "echo from-guest | nc -l -p 8000"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let end = Instant::now() + Duration::from_secs(10);
    let reply = loop {
        let mut r = String::new();
        if let Ok(mut c) = TcpStream::connect(("127.0.0.1", fwd_port)) {
            c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            c.write_all(b"from-host\n").unwrap();
            let _ = c.read_to_string(&mut r);
        }
        if !r.is_empty() || Instant::now() > end {
            break r;
        }
        // The guest's nc was not listening yet: the connection was reset.
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = guest_srv.kill();
    let mut got = String::new();
    let _ = guest_srv.stdout.take().unwrap().read_to_string(&mut got);
    let _ = guest_srv.wait();
    assert_eq!(reply, "from-guest\n");
    assert_eq!(got, "from-host\n");
    let _ = std::fs::remove_dir_all(&dir);
    slirp.stop().unwrap();
}
