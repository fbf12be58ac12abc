//! The differential syscall suite: every C program in `tests/syscalls/` is
//! compiled static (with musl-gcc and with glibc's gcc), run natively and
//! inside ruml, and the two outputs must be identical.
//!
//! Each program runs with a fresh, empty scratch directory as its working
//! directory, stdout and stderr going to one regular file, and a fixed
//! environment (`PATH=/bin HOME=/ TERM=linux LANG=C`). Natively it runs in
//! fresh pid, uts, ipc, net and mount namespaces (with a user namespace when
//! the host user is not root), as a child of `busybox sh`, which is pid 1
//! there, as ruml's init is in the guest. Inside ruml it runs twice: with
//! its scratch directory on the root hostfs and on a tmpfs.
//!
//! A program's first lines may hold directives:
//! `// difftest: glibc-only`, `musl-only`, `dynamic` (glibc only, linked
//! dynamically; the guest root holds the host's loader and libc),
//! `needs-root` (the native run needs real root, e.g. to set uids; skipped
//! elsewhere), `no-tmpfs`, `timeout=SECONDS`.
//!
//! `tests/syscalls/KNOWN_DIFFERENCES` lists expected mismatches, one
//! `name[:variant] reason` per line (variant: `musl`, `glibc`, `hostfs`,
//! `tmpfs` or `musl.tmpfs`...); a listed case that matches fails the suite
//! too, so the list stays true. `name[:variant]@TEXT reason` excuses only
//! the lines that contain TEXT: the rest of the output must still match.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tmp() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|v| v == "0"))
        })
        .unwrap_or(false)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Libc {
    Musl,
    Glibc,
}

impl Libc {
    fn name(self) -> &'static str {
        match self {
            Libc::Musl => "musl",
            Libc::Glibc => "glibc",
        }
    }
}

#[derive(Clone, Debug)]
struct Case {
    name: String,
    src: PathBuf,
    musl: bool,
    glibc: bool,
    needs_root: bool,
    dynamic: bool,
    tmpfs: bool,
    timeout: u64,
}

fn parse_case(src: &Path) -> Case {
    let text = std::fs::read_to_string(src).unwrap();
    let mut c = Case {
        name: src.file_stem().unwrap().to_string_lossy().into_owned(),
        src: src.to_path_buf(),
        musl: true,
        glibc: true,
        needs_root: false,
        dynamic: false,
        tmpfs: true,
        timeout: 30,
    };
    for line in text.lines().take(20) {
        let Some(d) = line.trim().strip_prefix("// difftest:") else {
            continue;
        };
        // A parenthesised remark after the directives says why.
        let d = d.split('(').next().unwrap_or("");
        for w in d.split_whitespace() {
            match w {
                "glibc-only" => c.musl = false,
                "musl-only" => c.glibc = false,
                "needs-root" => c.needs_root = true,
                "dynamic" => {
                    c.dynamic = true;
                    c.musl = false;
                }
                "no-tmpfs" => c.tmpfs = false,
                w if w.starts_with("timeout=") => c.timeout = w[8..].parse().unwrap(),
                w => panic!("{}: unknown difftest directive {w}", src.display()),
            }
        }
    }
    c
}

/// Compiles `c` for `libc` into `out` unless it is up to date.
fn compile(c: &Case, libc: Libc, out: &Path) -> Result<(), String> {
    // Up to date if newer than its source and the shared headers.
    let dir = c.src.parent().unwrap();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "h"))
        .collect();
    inputs.push(c.src.clone());
    let fresh = |p: &Path| -> bool {
        let Ok(a) = std::fs::metadata(p).and_then(|m| m.modified()) else {
            return false;
        };
        inputs.iter().all(|s| {
            std::fs::metadata(s)
                .and_then(|m| m.modified())
                .map_or(true, |b| a >= b)
        })
    };
    if fresh(out) {
        return Ok(());
    }
    let cc = match libc {
        Libc::Musl => "musl-gcc",
        Libc::Glibc => "gcc",
    };
    let o = Command::new(cc)
        .args(if c.dynamic { &[][..] } else { &["-static"][..] })
        .args([
            "-O1",
            "-g",
            "-Wall",
            "-Werror",
            "-pthread",
            "-D_GNU_SOURCE",
            "-o",
        ])
        .arg(out)
        .arg(&c.src)
        .output()
        .map_err(|e| format!("{cc}: {e} (CI installs musl-tools and gcc)"))?;
    if !o.status.success() {
        return Err(format!(
            "{cc} {}: {}",
            c.src.display(),
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    Ok(())
}

/// The guest root shared by all ruml runs: busybox, the test binaries under
/// /t, and an init that runs one case given on the command line.
fn build_root(bins: &Path) -> PathBuf {
    let root = tmp().join(format!("difftest-root-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for d in ["bin", "dev", "proc", "tmp", "sys", "etc", "runs", "root"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::copy("/bin/busybox", root.join("bin/busybox"))
        .expect("busybox-static must be installed (apt-get install busybox-static)");
    let list = Command::new("/bin/busybox").arg("--list").output().unwrap();
    for applet in String::from_utf8_lossy(&list.stdout).lines() {
        if applet != "busybox" {
            let _ = std::os::unix::fs::symlink("busybox", root.join("bin").join(applet));
        }
    }
    // The host's glibc loader and libc, for dynamically linked cases.
    for lib in [
        "/lib64/ld-linux-x86-64.so.2",
        "/lib/x86_64-linux-gnu/libc.so.6",
    ] {
        let dst = root.join(lib.trim_start_matches('/'));
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(std::fs::canonicalize(lib).unwrap(), &dst).unwrap();
    }
    std::fs::write(root.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    std::fs::write(root.join("etc/group"), "root:x:0:\n").unwrap();
    std::os::unix::fs::symlink(bins, root.join("t-host")).ok();
    std::fs::create_dir_all(root.join("t")).unwrap();
    for e in std::fs::read_dir(bins).unwrap() {
        let e = e.unwrap();
        std::fs::hard_link(e.path(), root.join("t").join(e.file_name()))
            .or_else(|_| std::fs::copy(e.path(), root.join("t").join(e.file_name())).map(drop))
            .unwrap();
    }
    std::fs::remove_file(root.join("t-host")).ok();
    // RUN names the run directory; SCRATCH is "hostfs" or "tmpfs".
    let init = r#"#!/bin/sh
mount -t proc proc /proc
mount -t tmpfs tmpfs /tmp
if [ "$SCRATCH" = tmpfs ]; then s=/tmp/scratch; else s=/runs/$RUN/scratch; fi
mkdir -p $s /runs/$RUN
cd $s
env -i PATH=/bin HOME=/ TERM=linux LANG=C /t/$TEST > /runs/$RUN/out 2>&1
echo "exit status $?" >> /runs/$RUN/out
poweroff -f
"#;
    std::fs::write(root.join("init"), init).unwrap();
    Command::new("chmod")
        .arg("755")
        .arg(root.join("init"))
        .status()
        .unwrap();
    root
}

/// Runs `cmd` with a time limit; returns whether it finished.
fn run_limited(mut cmd: Command, secs: u64) -> (bool, String) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    loop {
        if let Some(_st) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            child.stderr.take().unwrap().read_to_string(&mut err).ok();
            return (true, err);
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            return (false, String::new());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn native(c: &Case, bin: &Path, work: &Path) -> Result<String, String> {
    let scratch = work.join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let out = work.join("out");
    let script = format!(
        "cd {s} && env -i PATH=/bin HOME=/ TERM=linux LANG=C {b} > {o} 2>&1; echo \"exit status $?\" >> {o}",
        s = scratch.display(),
        b = bin.display(),
        o = out.display()
    );
    let mut cmd = Command::new("unshare");
    if !is_root() {
        cmd.args(["--user", "--map-root-user"]);
    }
    cmd.args([
        "--pid",
        "--fork",
        "--uts",
        "--ipc",
        "--net",
        "--mount",
        "--mount-proc",
    ])
    .args(["/bin/busybox", "sh", "-c", &script]);
    let (done, err) = run_limited(cmd, c.timeout);
    if !done {
        return Err("native run timed out".into());
    }
    std::fs::read_to_string(&out).map_err(|e| format!("native: no output ({e}): {err}"))
}

fn in_ruml(c: &Case, root: &Path, bin: &str, run: &str, scratch: &str) -> Result<String, String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ruml"));
    cmd.args([
        "root=/dev/root",
        "rootfstype=hostfs",
        &format!("rootflags={}", root.display()),
        "rw",
        "init=/init",
        "quiet",
        "mem=256M",
        &format!("TEST={bin}"),
        &format!("RUN={run}"),
        &format!("SCRATCH={scratch}"),
    ]);
    let (done, err) = run_limited(cmd, c.timeout);
    let out = root.join("runs").join(run).join("out");
    if !done {
        return Err(format!("ruml run timed out after {}s", c.timeout));
    }
    std::fs::read_to_string(&out).map_err(|e| format!("ruml: no output ({e}); stderr: {err}"))
}

/// The names a run is listed under in KNOWN_DIFFERENCES: the program, or
/// with `:LIBC`, `:SCRATCH` or `:LIBC.SCRATCH` (`key` is NAME.LIBC.SCRATCH).
fn listed_as(key: &str) -> Vec<String> {
    let (name, rest) = key.split_once('.').unwrap();
    let mut parts = rest.split('.');
    let (libc, scratch) = (parts.next().unwrap(), parts.next().unwrap());
    vec![
        name.to_string(),
        format!("{name}:{libc}"),
        format!("{name}:{scratch}"),
        format!("{name}:{rest}"),
    ]
}

/// Native and ruml outputs of run `key` compared, without the lines a
/// `NAME@TEXT` entry excuses (those must still differ, or the entry is
/// stale).
fn compare(
    want: &str,
    got: &str,
    key: &str,
    excused: &BTreeMap<String, String>,
) -> Result<(), String> {
    let names = listed_as(key);
    let texts: Vec<(&str, &str)> = excused
        .iter()
        .filter_map(|(k, why)| {
            let (n, text) = k.split_once('@')?;
            names.iter().any(|m| m == n).then_some((text, why.as_str()))
        })
        .collect();
    if texts.is_empty() {
        return if got == want {
            Ok(())
        } else {
            Err(format!("outputs differ\n{}", diff(want, got)))
        };
    }
    if got == want {
        let (text, why) = texts[0];
        return Err(format!(
            "matches now but KNOWN_DIFFERENCES excuses lines with '{text}' ({why}); remove the line"
        ));
    }
    let keep = |s: &str| -> String {
        s.lines()
            .filter(|l| !texts.iter().any(|(t, _)| l.contains(t)))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    let (w, g) = (keep(want), keep(got));
    if w == g {
        Ok(())
    } else {
        Err(format!(
            "outputs differ (beyond the excused lines)\n{}",
            diff(&w, &g)
        ))
    }
}

fn known_differences() -> BTreeMap<String, String> {
    let p = repo().join("tests/syscalls/KNOWN_DIFFERENCES");
    let text = std::fs::read_to_string(p).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, why) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            assert!(
                !why.trim().is_empty(),
                "KNOWN_DIFFERENCES: '{k}' needs a reason"
            );
            (k.to_string(), why.trim().to_string())
        })
        .collect()
}

fn diff(a: &str, b: &str) -> String {
    let (al, bl): (Vec<_>, Vec<_>) = (a.lines().collect(), b.lines().collect());
    let mut out = String::new();
    for i in 0..al.len().max(bl.len()) {
        let (x, y) = (al.get(i), bl.get(i));
        if x != y {
            out += &format!(
                "  line {}:\n    native: {:?}\n    ruml:   {:?}\n",
                i + 1,
                x,
                y
            );
            if out.len() > 1500 {
                out += "  ...\n";
                break;
            }
        }
    }
    out
}

#[test]
fn native_and_ruml_outputs_match() {
    let dir = repo().join("tests/syscalls");
    let filter = std::env::var("DIFFTEST").ok();
    let mut cases: Vec<Case> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .map(|p| parse_case(&p))
        .filter(|c| {
            filter
                .as_deref()
                .is_none_or(|f| f.split(',').any(|f| c.name.contains(f)))
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(
        filter.is_some() || cases.len() >= 80,
        "only {} programs",
        cases.len()
    );
    let bins = tmp().join("difftest-bin");
    std::fs::create_dir_all(&bins).unwrap();
    // Build every (case, libc) pair; the binary's name carries the variant.
    let mut jobs = Vec::new();
    let mut errors = Vec::new();
    for c in &cases {
        for (libc, on) in [(Libc::Musl, c.musl), (Libc::Glibc, c.glibc)] {
            if !on {
                continue;
            }
            let bin = bins.join(format!("{}.{}", c.name, libc.name()));
            match compile(c, libc, &bin) {
                Ok(()) => jobs.push((c.clone(), libc)),
                Err(e) => errors.push(e),
            }
        }
    }
    assert!(errors.is_empty(), "compile errors:\n{}", errors.join("\n"));
    let root = build_root(&bins);
    let (known, excused): (BTreeMap<_, _>, BTreeMap<_, _>) = known_differences()
        .into_iter()
        .partition(|(k, _)| !k.contains('@'));
    let excused = Arc::new(excused);
    let root_user = is_root();
    let results = Arc::new(Mutex::new(Vec::<(String, Result<(), String>)>::new()));
    let queue = Arc::new(Mutex::new(jobs));
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(4);
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let (queue, results, root, bins, excused) = (
                queue.clone(),
                results.clone(),
                root.clone(),
                bins.clone(),
                excused.clone(),
            );
            std::thread::spawn(move || loop {
                let Some((c, libc)) = queue.lock().unwrap().pop() else {
                    return;
                };
                let bin_name = format!("{}.{}", c.name, libc.name());
                if c.needs_root && !root_user {
                    eprintln!("skip {bin_name}: the native run needs host root");
                    continue;
                }
                let work = tmp().join(format!("difftest-native-{}-{bin_name}", std::process::id()));
                let _ = std::fs::remove_dir_all(&work);
                let want = native(&c, &bins.join(&bin_name), &work);
                let _ = std::fs::remove_dir_all(&work);
                let mut scratches = vec!["hostfs"];
                if c.tmpfs {
                    scratches.push("tmpfs");
                }
                for s in scratches {
                    let key = format!("{bin_name}.{s}");
                    let r = match &want {
                        Err(e) => Err(e.clone()),
                        Ok(want) => match in_ruml(&c, &root, &bin_name, &key, s) {
                            Err(e) => Err(e),
                            Ok(got) => compare(want, &got.replace("\r\n", "\n"), &key, &excused),
                        },
                    };
                    results.lock().unwrap().push((key, r));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let mut results = Arc::try_unwrap(results).unwrap().into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let mut failures = Vec::new();
    let mut passed = 0;
    for (key, r) in &results {
        let listed = listed_as(key).iter().find_map(|k| known.get(k));
        match (r, listed) {
            (Ok(()), None) => passed += 1,
            (Err(_), Some(_)) => {}
            (Ok(()), Some(why)) => failures.push(format!(
                "{key}: matches now but KNOWN_DIFFERENCES lists it ({why}); remove the line"
            )),
            (Err(e), None) => failures.push(format!("{key}: {e}")),
        }
    }
    eprintln!("difftest: {passed} of {} runs match", results.len());
    if failures.is_empty() {
        let _ = std::fs::remove_dir_all(&root);
    }
    assert!(
        failures.is_empty(),
        "{} of {} runs differ:\n{}",
        failures.len(),
        results.len(),
        failures.join("\n")
    );
}
