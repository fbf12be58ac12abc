//! Bad input and misbehaving guests: ruml gives a clear message, keeps the
//! host safe and exits with a sane status.

mod common;

use common::{
    boot, boot_args, busybox_root, guest_program, processes_rooted_at, ruml, stderr, text,
};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn malformed_init_is_a_clear_kernel_panic() {
    let root = busybox_root("badinit", "#!/bin/sh\nexit 0\n");
    for (name, bytes) in [
        ("garbage", &b"\x7fELF\x02\x01\x01\x00garbage"[..]),
        ("empty", &b""[..]),
        (
            "truncated",
            &b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00"[..],
        ),
    ] {
        let p = root.join(name);
        std::fs::write(&p, bytes).unwrap();
        common::write_exec(&p, &String::from_utf8_lossy(bytes));
        std::fs::write(&p, bytes).unwrap();
        let mut args = boot_args(&root, &[]);
        args.retain(|a| a != "init=/init");
        args.push(format!("init=/{name}"));
        let o = Command::new(ruml())
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(
            err.contains(&format!("Requested init /{name} failed (error -8)")),
            "{name}: {err}"
        );
    }
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn missing_init_and_bad_root_are_one_line_errors() {
    let root = busybox_root("noinit", "#!/bin/sh\n");
    let mut args = boot_args(&root, &[]);
    args.retain(|a| a != "init=/init");
    args.push("init=/sbin/nothing-here".into());
    let o = Command::new(ruml())
        .args(&args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("/sbin/nothing-here"));
    // A file where a directory should be.
    let file = root.join("init");
    let o = Command::new(ruml())
        .args([
            "rootfstype=hostfs",
            &format!("rootflags={}", file.display()),
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a directory"), "{}", stderr(&o));
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn fork_bomb_is_contained() {
    let root = busybox_root(
        "forkbomb",
        "#!/bin/sh\nmount -t proc proc /proc\nbomb() { bomb | bomb & }\n(bomb) 2>/dev/null &\nsleep 3\n\
         kill -9 -1\necho killed\nsleep 1\necho \"left: $(ls /proc | grep -c '^[0-9]')\"\npoweroff -f\n",
    );
    let start = Instant::now();
    let o = boot(&root, &["mem=64M"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{}", stderr(&o));
    assert!(out.contains("killed\n"), "{out}");
    // init, the shell running the command substitution, and ls.
    let left: usize = out
        .lines()
        .find_map(|l| l.strip_prefix("left: "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(999);
    assert!(left <= 4, "{out}");
    assert!(stderr(&o).contains("task limit"), "{}", stderr(&o));
    assert!(start.elapsed() < Duration::from_secs(60));
    assert!(processes_rooted_at(&root).is_empty());
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn memory_hogs_get_enomem_or_are_oom_killed() {
    let root = busybox_root(
        "memhog",
        "#!/bin/sh\nmount -t proc proc /proc\n/bin/memhog big 100\n/bin/memhog big 16\n/bin/memhog\necho \"hog status $?\"\n\
         /bin/memhog 4\nfree | grep Mem\necho alive\npoweroff -f\n",
    );
    guest_program(&root, "memhog");
    let o = boot(&root, &["mem=64M"]);
    let out = text(&o);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    // One mapping larger than the VM is refused, as Linux's heuristic
    // overcommit refuses it; a smaller one is fine.
    assert!(
        out.contains("mmap of 100 MiB: Cannot allocate memory\n"),
        "{out}"
    );
    assert!(out.contains("mmap of 16 MiB: ok\n"), "{out}");
    // A hog that keeps taking memory is OOM-killed (SIGKILL: status 137)
    // before it holds much more than the VM has.
    assert!(out.contains("hog status 137\n"), "{out}");
    let most = out
        .lines()
        .filter_map(|l| l.strip_suffix(" MiB"))
        .filter_map(|n| n.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    assert!(most < 1024, "{out}");
    // Together, they overcommit and the OOM killer takes them.
    assert!(out.contains("a hog was killed by signal 9"), "{out}");
    assert!(err.contains("Out of memory: Killed process"), "{err}");
    assert!(out.contains("all hogs done\n"), "{out}");
    assert!(out.contains("alive\n"), "{out}");
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn sigterm_and_sigkill_leave_no_guest_behind() {
    for sig in [libc::SIGTERM, libc::SIGKILL] {
        let root = busybox_root(
            &format!("sig{sig}"),
            "#!/bin/sh\n(sleep 1000; echo late) &\nsleep 1000 &\ntouch /started\nwait\n",
        );
        let mut child = Command::new(ruml())
            .args(boot_args(&root, &[]))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while !root.join("started").exists() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "guest did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(processes_rooted_at(&root).len() >= 3);
        // Signal the ruml process we started.
        Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        assert!(!status.success(), "signal {sig}: {status:?}");
        // Guest processes go with ruml (EXITKILL / PDEATHSIG); give the
        // host a moment to reap them.
        let start = Instant::now();
        while !processes_rooted_at(&root).is_empty() {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "signal {sig}: guest processes outlived ruml: {:?}",
                processes_rooted_at(&root)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        std::fs::remove_dir_all(root).unwrap();
    }
}

#[test]
fn guest_cannot_signal_host_processes_or_use_inherited_fds() {
    let secret = std::env::temp_dir().join(format!("ruml-fdsecret-{}", std::process::id()));
    std::fs::write(&secret, "FDSECRET").unwrap();
    let me = std::process::id();
    let init = format!(
        "#!/bin/sh\nmount -t proc proc /proc\nkill -0 {me} 2>/dev/null && echo reached-host-pid\n\
         kill -9 {me} 2>/dev/null\nfor fd in 3 4 5 6 7 8 9; do cat /proc/self/fd/$fd 2>/dev/null; cat <&$fd 2>/dev/null; done\n\
         ls /proc/self/fd\necho done\npoweroff -f\n"
    );
    let root = busybox_root("hostsig", &init);
    // ruml inherits an open descriptor of a secret file as fd 5.
    let f = std::fs::File::open(&secret).unwrap();
    use std::os::fd::AsRawFd;
    let raw = f.as_raw_fd();
    let mut cmd = Command::new(ruml());
    cmd.args(boot_args(&root, &[])).stdin(Stdio::null());
    // SAFETY: dup2 in the child between fork and exec is async-signal-safe.
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(move || {
            if libc::dup2(raw, 5) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let o = cmd.output().unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(!out.contains("FDSECRET"), "{out}");
    assert!(!out.contains("reached-host-pid"), "{out}");
    assert!(out.contains("done\n"), "{out}");
    std::fs::remove_dir_all(root).unwrap();
    std::fs::remove_file(secret).unwrap();
}
