//! Boots real busybox guests and checks what they print and do.

mod common;

use common::{boot, boot_args, busybox_root, output_within, ruml, stderr, text};
use std::process::{Command, Stdio};

#[test]
fn busybox_init_runs_as_pid1_and_powers_off() {
    let root = busybox_root(
        "pid1",
        "#!/bin/sh\necho \"pid=$$\"\necho hello > /tmp/f\ncat /tmp/f\nid -u\nhostname\nls /\n\
         mount -t proc proc /proc && grep MemTotal /proc/meminfo\necho \"arg=$1 var=$MYVAR\"\npoweroff -f\n",
    );
    let o = boot(&root, &["mem=32M", "hostname=vm1", "MYVAR=hi", "single"]);
    let out = text(&o);
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {out}\nstderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("pid=1\n"), "{out}");
    assert!(out.contains("hello\n0\nvm1\n"), "{out}");
    assert!(out.contains("MemTotal:          32768 kB"), "{out}");
    assert!(out.contains("arg=single var=hi"), "{out}");
    // The guest wrote through hostfs into the root directory.
    assert_eq!(
        std::fs::read_to_string(root.join("tmp/f")).unwrap(),
        "hello\n"
    );
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn init_exit_is_a_kernel_panic() {
    let root = busybox_root("panic", "#!/bin/sh\necho bye\nexit 3\n");
    let o = boot(&root, &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("Attempted to kill init! exitcode=0x00000300"),
        "{err}"
    );
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn guest_cannot_reach_host_files_outside_its_root() {
    let secret = std::env::temp_dir().join(format!("ruml-secret-{}", std::process::id()));
    std::fs::write(&secret, "TOPSECRET").unwrap();
    let s = secret.display().to_string();
    let init = format!(
        "#!/bin/sh\ncat {s} 2>/dev/null\ncat ../../../..{s} 2>/dev/null\nln -s {s} /tmp/l; cat /tmp/l 2>/dev/null\n\
         cd /; cd ..; cd ..; ls -d \"$PWD\"\ncat /proc/1/root{s} 2>/dev/null\nls /proc/1 2>/dev/null | head -1\n\
         echo done\npoweroff -f\n"
    );
    let root = busybox_root("escape", &init);
    let o = boot(&root, &[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(!out.contains("TOPSECRET"), "{out}");
    assert!(out.contains("/\ndone"), "{out}");
    std::fs::remove_dir_all(root).unwrap();
    std::fs::remove_file(secret).unwrap();
}

#[test]
fn bad_parameters_give_one_line_errors() {
    for (args, needle) in [
        (
            vec!["mem=lots", "rootfstype=hostfs", "rootflags=/"],
            "mem=lots",
        ),
        (
            vec!["rootfstype=hostfs", "rootflags=/nonexistent-ruml-dir"],
            "not a directory",
        ),
        (vec!["rootfstype=hostfs"], "rootflags"),
        (
            vec!["con99=null", "rootfstype=hostfs", "rootflags=/"],
            "out of range",
        ),
        // ubd parameters: UML's messages.
        (
            vec!["ubd5d=/dev/null,other.img"],
            "Failed to initialize device with \"5d=/dev/null,other.img\" : Can't specify both 'd' and a cow file",
        ),
        (
            vec!["ubd16=disk.img"],
            "Failed to initialize device with \"16=disk.img\" : Device number out of range",
        ),
        (
            vec!["ubd0=a.img", "ubda=b.img"],
            "Failed to initialize device with \"a=b.img\" : Device is already configured",
        ),
        (
            vec!["ubd1q=x"],
            "Expected '=' or flag letter (r, s, c, t or d)",
        ),
        // Root filesystems on disks.
        (
            vec!["root=/dev/ubdb", "ubda=a.img"],
            "root=/dev/ubdb: there is no such disk (give ubdb=IMAGE)",
        ),
        (vec!["root=/dev/sda1"], "root=/dev/sda1: not a ubd disk"),
        (vec!["root=98:3", "ubda=a.img"], "root=98:3: not a ubd disk"),
        (
            vec!["rootfstype=btrfs", "ubda=a.img"],
            "rootfstype=btrfs: unsupported",
        ),
        (
            vec!["ubda=/nonexistent-ruml-dir/a.img"],
            "ubda: cannot open \"/nonexistent-ruml-dir/a.img\"",
        ),
        (vec!["ubda=/dev/null"], "ubda: \"/dev/null\" is empty"),
        // Network devices.
        (vec!["eth0=bogus"], "eth0=bogus: unknown transport 'bogus'"),
        (vec!["eth0=daemon,01:02:03:04:05:06"], "is a multicast address"),
        (vec!["eth0=daemon,fe:fd:1:2:3"], "invalid MAC address 'fe:fd:1:2:3'"),
        (vec!["eth0=slirp", "eth0=slirp"], "device eth0 is already configured"),
        (vec!["eth99=slirp"], "bad device number"),
        (vec!["eth0=ucast"], "the remote address is missing"),
        (vec!["eth0=slirp,hostfwd=tcp::80"], "expected HOST-GUEST"),
        (vec!["eth0=tuntap"], "a host tap device name is needed"),
        (vec!["eth0=pcap,eth0"], "not supported by ruml"),
    ] {
        let o = Command::new(ruml())
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn version_and_syscall_table() {
    let o = Command::new(ruml()).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        env!("CARGO_PKG_VERSION")
    );
    let o = Command::new(ruml()).arg("--syscalls").output().unwrap();
    let t = String::from_utf8_lossy(&o.stdout);
    assert!(t
        .lines()
        .any(|l| l.contains("openat") && l.contains("trapped")));
    assert!(t
        .lines()
        .any(|l| l.contains("io_uring_setup") && l.contains("unsupported")));
}

#[test]
fn reboot_boots_again() {
    let root = busybox_root(
        "reboot",
        "#!/bin/sh\nif [ -e /booted ]; then echo \"second boot, pid $$\"; poweroff -f; fi\n\
         touch /booted\necho \"first boot\"\nreboot -f\n",
    );
    let o = boot(&root, &[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("first boot\n"), "{out}");
    assert!(out.contains("second boot, pid 1\n"), "{out}");
    std::fs::remove_dir_all(root).unwrap();
}

/// The VM has nr_cpus CPUs (default 1): affinity, /proc/cpuinfo, /proc/stat
/// and /sys/devices/system/cpu/online agree, and a thread cannot be pinned
/// outside them.
#[test]
fn nr_cpus_sets_the_vm_cpus() {
    let host_cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let root = busybox_root(
        "cpus",
        "#!/bin/sh\nmount -t proc proc /proc; mount -t sysfs sysfs /sys\n\
         echo \"nproc=$(nproc) cpuinfo=$(grep -c ^processor /proc/cpuinfo) \
         stat=$(grep -c '^cpu[0-9]' /proc/stat) online=$(cat /sys/devices/system/cpu/online)\"\n\
         mine=$(taskset -p $$ | sed 's/.*: //')\n\
         taskset -p 0x$(printf '%x' $(( ~0x$mine & 0xffff ))) $$ >/dev/null 2>&1 && echo pinned-outside || echo refused-outside\n\
         poweroff -f\n",
    );
    let one = text(&boot(&root, &[]));
    assert!(one.contains("nproc=1 cpuinfo=1 stat=1 online="), "{one}");
    assert!(one.contains("refused-outside"), "{one}");
    let n = host_cpus.min(2);
    let two = text(&boot(&root, &["nr_cpus=2"]));
    assert!(
        two.contains(&format!("nproc={n} cpuinfo={n} stat={n} online=")),
        "{two}"
    );
    std::fs::remove_dir_all(root).unwrap();
}

/// The private directory of a ruml that was killed is reclaimed by the
/// next ruml; one of a live process is left alone.
#[test]
fn stale_private_directories_are_reclaimed() {
    let base = std::env::temp_dir().join(format!("ruml-test-{}-xdg", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    // A pid that existed and is gone, and one that lives (ours).
    let mut c = Command::new("true").spawn().unwrap();
    let dead = c.id();
    c.wait().unwrap();
    let stale = base.join(format!("ruml-{dead}-3"));
    let live = base.join(format!("ruml-{}-4", std::process::id()));
    for d in [&stale, &live] {
        std::fs::create_dir_all(d.join("inside")).unwrap();
    }
    let root = busybox_root("reclaim", "#!/bin/sh\npoweroff -f\n");
    let mut cmd = Command::new(ruml());
    cmd.args(boot_args(&root, &[]))
        .env("XDG_RUNTIME_DIR", &base)
        .stdin(std::process::Stdio::null());
    let o = output_within(cmd, std::time::Duration::from_secs(60));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stale.exists(), "the dead ruml's directory is still there");
    assert!(live.exists(), "a live process's directory was removed");
    // Nothing of the VM's own is left either.
    let left: Vec<_> = std::fs::read_dir(&base)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    std::fs::remove_dir_all(&base).unwrap();
    std::fs::remove_dir_all(&root).unwrap();
}
