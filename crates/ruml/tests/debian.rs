//! The Debian userland acceptance suite: a Debian 12 (bookworm) minbase
//! root, built once by `tests/debian/build-root.sh`, booted through hostfs.
//! Every scenario in `tests/debian/scenarios/` runs natively (chrooted into
//! the same root, in fresh namespaces, as `native-run.sh` sets up) and inside
//! ruml; the outputs must be identical, and ruml must log no unsupported
//! syscall. `DEBIAN_SCENARIOS=a,b` runs only the named scenarios. The same
//! root is also booted from an ext4 image through a COW file.

mod common;

use common::{debian_root, fresh_namespaces, hostfs_boot_args, output_within, repo, ruml, Tmux};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// A fresh run directory inside the root's /tmp with the scripts and
/// scenarios copied in: (host path, path inside the guest).
fn run_dir(root: &Path, tag: &str) -> (PathBuf, String) {
    run_dir_of(root, tag, "scenarios")
}

/// As `run_dir`, with the scenarios taken from `tests/debian/<set>`.
fn run_dir_of(root: &Path, tag: &str, set: &str) -> (PathBuf, String) {
    let inside = format!("/tmp/ruml-deb-{}-{tag}", std::process::id());
    let host = root.join(&inside[1..]);
    let _ = std::fs::remove_dir_all(&host);
    std::fs::create_dir_all(host.join("scenarios")).unwrap();
    let src = repo().join("tests/debian");
    for f in ["run-scenarios.sh", "guest-init.sh", "native-run.sh"] {
        common::write_exec(
            &host.join(f),
            &std::fs::read_to_string(src.join(f)).unwrap(),
        );
    }
    for e in std::fs::read_dir(src.join(set)).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, host.join("scenarios").join(p.file_name().unwrap())).unwrap();
    }
    // Helper programs, dynamically linked against the host's glibc (the
    // same release as bookworm's), run by the scenarios from $SCENARIO_DIR.
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "c") {
            let out = host.join(p.file_stem().unwrap());
            let o = Command::new("gcc")
                .args(["-O1", "-Wall", "-Werror", "-pthread", "-o"])
                .arg(&out)
                .arg(&p)
                .arg("-lrt")
                .output()
                .expect("gcc");
            assert!(
                o.status.success(),
                "gcc {}: {}",
                p.display(),
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
    (host, inside)
}

fn only(host: &Path, names: &[String]) {
    std::fs::write(host.join("only"), names.join("\n")).unwrap();
}

/// Runs the scenarios natively (as root of fresh namespaces, chrooted).
fn native(root: &Path, inside: &str) -> Output {
    let mut cmd = fresh_namespaces();
    cmd.arg("/bin/sh")
        .arg(root.join(&inside[1..]).join("native-run.sh"))
        .arg(root)
        .arg(inside)
        .stdin(Stdio::null());
    output_within(cmd, Duration::from_secs(1200))
}

/// Boots ruml on the Debian root with `init` and its arguments.
fn in_ruml(root: &Path, init: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(ruml());
    cmd.args(hostfs_boot_args(
        root,
        init,
        &["hostname=debtest", "mem=512M"],
    ))
    .args(args)
    .stdin(Stdio::null());
    output_within(cmd, Duration::from_secs(1200))
}

fn scenario_names() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(repo().join("tests/debian/scenarios"))
        .unwrap()
        .filter_map(|e| {
            let n = e.ok()?.file_name().into_string().ok()?;
            Some(n.strip_suffix(".sh")?.to_string())
        })
        .collect();
    v.sort();
    v
}

/// Lines of ruml's log that name a syscall it does not support.
fn unsupported(o: &Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter(|l| l.contains("unsupported syscall"))
        .map(String::from)
        .collect()
}

#[test]
fn debian_scenarios_match_native() {
    let all = scenario_names();
    let selected: Vec<String> = match std::env::var("DEBIAN_SCENARIOS") {
        Ok(s) if !s.is_empty() => s.split(',').map(String::from).collect(),
        _ => {
            assert!(all.len() >= 40, "only {} scenarios", all.len());
            all.clone()
        }
    };
    let root = debian_root();
    let (nhost, ninside) = run_dir(&root, "native");
    let (rhost, rinside) = run_dir(&root, "ruml");
    only(&nhost, &selected);
    only(&rhost, &selected);

    let n = native(&root, &ninside);
    assert!(
        nhost.join("out/.complete").exists(),
        "native run did not finish: {}",
        String::from_utf8_lossy(&n.stderr)
    );
    let init = format!("{rinside}/guest-init.sh");
    let r = in_ruml(&root, &init, &[&rinside]);
    let log = String::from_utf8_lossy(&r.stderr).to_string();
    assert!(
        rhost.join("out/.complete").exists(),
        "ruml run did not finish (status {:?}):\n{}\n{log}",
        r.status,
        String::from_utf8_lossy(&r.stdout)
    );

    let mut report = String::new();
    let mut same = 0;
    for name in &selected {
        let read = |d: &Path| {
            std::fs::read_to_string(d.join("out").join(format!("{name}.out")))
                .unwrap_or_else(|e| format!("(no output: {e})\n"))
        };
        let (want, got) = (read(&nhost), read(&rhost));
        if want == got {
            same += 1;
            continue;
        }
        report += &format!("=== scenario {name} differs\n");
        let (w, g): (Vec<_>, Vec<_>) = (want.lines().collect(), got.lines().collect());
        let mut shown = 0;
        for i in 0..w.len().max(g.len()) {
            if w.get(i) != g.get(i) && shown < 12 {
                shown += 1;
                report += &format!(
                    "line {}:\n  native: {:?}\n  ruml:   {:?}\n",
                    i + 1,
                    w.get(i),
                    g.get(i)
                );
            }
        }
    }
    let bad = unsupported(&r);
    assert!(
        report.is_empty() && bad.is_empty(),
        "{same}/{} scenarios match\n{report}\nunsupported syscalls logged: {bad:?}\nruml log:\n{log}",
        selected.len()
    );
    let _ = std::fs::remove_dir_all(nhost);
    let _ = std::fs::remove_dir_all(rhost);
}

#[test]
fn python_thread_and_process_stress_20_times() {
    let root = debian_root();
    let (host, inside) = run_dir_of(&root, "stress", "stress");
    let r = in_ruml(&root, &format!("{inside}/guest-init.sh"), &[&inside]);
    let out = std::fs::read_to_string(host.join("out/python_stress.out")).unwrap_or_default();
    // 64 threads x 10,000 increments; the sum of squares below 10,000.
    let want_pool: u64 = (0..10_000u64).map(|x| x * x).sum();
    let want = format!("threads 640000 pool {want_pool}");
    let good = out.lines().filter(|l| l.ends_with(&want)).count();
    assert!(
        good == 20 && out.ends_with("exit status 0\n"),
        "{good}/20 runs right:\n{out}\nruml log:\n{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(unsupported(&r).is_empty(), "{:?}", unsupported(&r));
    let _ = std::fs::remove_dir_all(host);
}

/// A login shell on the console, driven through tmux: job control (^Z,
/// bg, fg, ^C, jobs) and programs on ptys (script, python's pty.spawn).
#[test]
fn debian_login_shell_on_the_console() {
    let root = debian_root();
    let (host, inside) = run_dir_of(&root, "tty", "stress");
    common::write_exec(
        &host.join("login-init.sh"),
        "#!/bin/bash\nmount -t proc proc /proc\nmount -t sysfs sysfs /sys\n\
         mount -t devpts devpts /dev/pts\nmount -t tmpfs tmpfs /dev/shm\n\
         export HOME=/root; cd /root\nexec -l /bin/bash\n",
    );
    let cmd = format!(
        "{} root=/dev/root rootfstype=hostfs rootflags={} rw init={inside}/login-init.sh \
         hostname=debtest mem=256M; echo RUML-EXIT=$?; sleep 60",
        ruml().display(),
        root.display()
    );
    let t = Tmux::new(&cmd);
    t.wait_for("root@debtest:~#");
    t.keys(&["shopt -q login_shell && echo LOGIN-$((6*7))", "Enter"]);
    t.wait_for("LOGIN-42");

    // ^C ends the foreground job; the shell survives.
    t.keys(&["sleep 100", "Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["C-c"]);
    t.keys(&["echo survived", "Enter"]);
    t.wait_for("\nsurvived");

    // A background job, jobs, fg, ^Z, bg, kill.
    t.keys(&["sleep 100 &", "Enter"]);
    t.keys(&["jobs", "Enter"]);
    t.wait_for("Running                 sleep 100 &");
    t.keys(&["fg", "Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["C-z"]);
    t.wait_for("Stopped                 sleep 100");
    t.keys(&["bg", "Enter"]);
    t.wait_for("[1]+ sleep 100 &");
    t.keys(&["echo running-$(jobs -l | grep -c Running)", "Enter"]);
    t.wait_for("\nrunning-1");
    t.keys(&["kill %1; wait %1; echo killed-$?", "Enter"]);
    t.wait_for("killed-143");

    // set -m off: no job control for background jobs.
    t.keys(&[
        "set +m; sleep 0.1 & wait; set -m; echo jobctl-$((1+1))-$-",
        "Enter",
    ]);
    t.wait_for("jobctl-2-himBHs");

    // Programs on ptys.
    t.keys(&[
        "script -q -c 'tty; echo in-script-$((2*2))' /dev/null",
        "Enter",
    ]);
    t.wait_for("in-script-4");
    let s = t.screen();
    assert!(s.contains("/dev/pts/"), "{s}");
    // script passes what is typed to its pty until its child is gone:
    // type the next command only once the shell's prompt is back.
    let start = std::time::Instant::now();
    while !t
        .screen()
        .split("in-script-4")
        .nth(1)
        .is_some_and(|rest| rest.contains("root@debtest:~#"))
    {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no prompt after script:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    t.keys(&[
        "python3 -c 'import pty; pty.spawn([\"bash\", \"--norc\", \"-i\"])'",
        "Enter",
    ]);
    // pty.spawn sets the console raw with TCSAFLUSH: type after the prompt.
    t.wait_for("bash-5.2#");
    t.keys(&["echo inner-$((2+3)); tty", "Enter"]);
    t.wait_for("inner-5");
    t.keys(&["sleep 100", "Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["C-c"]);
    t.keys(&["exit", "Enter"]);
    t.wait_for("\nexit\nroot@debtest:~#");
    t.keys(&["echo back-$((3+4))", "Enter"]);
    t.wait_for("back-7");

    t.keys(&[
        "perl -e 'syscall(169, 0xfee1dead, 672274793, 0x4321fedc)'",
        "Enter",
    ]);
    let s = t.wait_for("RUML-EXIT=");
    assert!(s.contains("RUML-EXIT=0"), "{s}");
    drop(t);
    let _ = std::fs::remove_dir_all(host);
}

/// The Debian root as an ext4 image (made by `build-root.sh --image`, with
/// mke2fs -d), booted as the root filesystem through a COW file: dynamic
/// programs load their ELF interpreter and libraries from the disk, and
/// the shared image is never written.
#[test]
fn debian_root_on_an_ext4_disk_through_a_cow_file() {
    let root = debian_root();
    let dir = std::env::temp_dir().join(format!("ruml-deb-ext4-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let img = common::debian_image();
    let stamp = |p: &Path| {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(p).unwrap();
        (m.len(), m.mtime(), m.mtime_nsec())
    };
    let before = stamp(&img);
    let libs = std::fs::read_dir(root.join("usr/lib/x86_64-linux-gnu"))
        .unwrap()
        .count();
    let script = "mount -t proc proc /proc; mount -o remount,rw /\n\
        echo bash=$((6*7))\n\
        python3 -c 'import json, sqlite3; print(\"python=\" + json.dumps(sqlite3.connect(\":memory:\").execute(\"select 6*7\").fetchone()))'\n\
        perl -MPOSIX -e 'print \"perl=\", POSIX::floor(42.5), \"\\n\"'\n\
        echo libs=$(ls /usr/lib/x86_64-linux-gnu | wc -l)\n\
        echo written-in-deb > /root/note && sync && echo synced\n\
        perl -e 'syscall(169, 0xfee1dead, 672274793, 0x4321fedc)'\n";
    let mut child = Command::new(ruml())
        .current_dir(&dir)
        .arg(format!("ubda=deb.cow,{}", img.display()))
        .args(["init=/bin/bash", "mem=256M", "quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), script.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout).replace("\r\n", "\n");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for want in [
        "bash=42\n".to_string(),
        "python=[42]\n".into(),
        "perl=42\n".into(),
        format!("libs={libs}\n"),
        "synced\n".into(),
    ] {
        assert!(out.contains(&want), "missing {want:?}:\n{out}");
    }
    assert!(unsupported(&o).is_empty(), "{:?}", unsupported(&o));
    let merged = dir.join("merged.img");
    let m = Command::new(ruml())
        .current_dir(&dir)
        .args(["moo", "deb.cow", "merged.img"])
        .output()
        .unwrap();
    assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    let d = Command::new("debugfs")
        .args(["-R", "cat /root/note"])
        .arg(&merged)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&d.stdout), "written-in-deb\n");
    assert_eq!(stamp(&img), before, "the shared image was written");
    std::fs::remove_dir_all(&dir).unwrap();
}
