//! Helpers shared by the integration tests: busybox root directories,
//! guest programs compiled from `tests/guest/`, and booting ruml.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn ruml() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ruml"))
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A busybox root directory under the test's temp dir, with `init` as given.
pub fn busybox_root(name: &str, init: &str) -> PathBuf {
    let bb = Path::new("/bin/busybox");
    assert!(
        bb.exists(),
        "busybox-static must be installed (apt-get install busybox-static)"
    );
    let dir = std::env::temp_dir().join(format!("ruml-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for d in ["bin", "dev", "proc", "tmp", "sys", "etc", "root"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    std::fs::copy(bb, dir.join("bin/busybox")).unwrap();
    let list = Command::new(bb).arg("--list").output().unwrap();
    for applet in String::from_utf8_lossy(&list.stdout).lines() {
        if applet != "busybox" {
            let _ = std::os::unix::fs::symlink("busybox", dir.join("bin").join(applet));
        }
    }
    std::fs::write(dir.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    std::fs::write(dir.join("etc/group"), "root:x:0:\n").unwrap();
    write_exec(&dir.join("init"), init);
    dir
}

pub fn write_exec(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Compiles `tests/guest/NAME.c` (static, glibc) into `root/bin/NAME`.
pub fn guest_program(root: &Path, name: &str) {
    compile_into(root, "tests/guest", name);
}

/// Compiles `DIR/NAME.c` of the repository (static, glibc) into
/// `root/bin/NAME`.
pub fn compile_into(root: &Path, dir: &str, name: &str) {
    let src = repo().join(dir).join(format!("{name}.c"));
    let o = Command::new("gcc")
        .args(["-static", "-O1", "-Wall", "-Werror", "-o"])
        .arg(root.join("bin").join(name))
        .arg(&src)
        .output()
        .expect("gcc");
    assert!(
        o.status.success(),
        "gcc {}: {}",
        src.display(),
        String::from_utf8_lossy(&o.stderr)
    );
}

pub fn boot_args(root: &Path, extra: &[&str]) -> Vec<String> {
    hostfs_boot_args(root, "/init", extra)
}

/// The command line that boots `root` read-write through hostfs with
/// `init`, quietly, then `extra`.
pub fn hostfs_boot_args(root: &Path, init: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        "root=/dev/root".to_string(),
        "rootfstype=hostfs".into(),
        format!("rootflags={}", root.display()),
        "rw".into(),
        format!("init={init}"),
        "quiet".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// Runs tests/debian/build-root.sh with `args` and returns the path it
/// prints (it builds and caches; the first build needs root and, for the
/// root itself, a Debian mirror).
fn build_root(args: &[&str]) -> PathBuf {
    let o = Command::new(repo().join("tests/debian/build-root.sh"))
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .expect("tests/debian/build-root.sh");
    assert!(
        o.status.success(),
        "tests/debian/build-root.sh {args:?} failed (the first build needs root and a Debian mirror)"
    );
    PathBuf::from(String::from_utf8(o.stdout).unwrap().trim())
}

/// The Debian 12 root of tests/debian.
pub fn debian_root() -> PathBuf {
    build_root(&[])
}

/// The Debian 12 root as an ext4 image (readable by everyone).
pub fn debian_image() -> PathBuf {
    build_root(&["--image"])
}

/// `unshare` making a process root of fresh user, pid (it forks: the
/// command is pid 1), mount, uts, net and ipc namespaces: how the native
/// side of a comparison runs what ruml runs as a guest.
pub fn fresh_namespaces() -> Command {
    let mut cmd = Command::new("unshare");
    cmd.args(["-r", "-p", "-f", "-m", "-u", "-n", "-i"]);
    cmd
}

/// Boots ruml on `root` with /init and waits for it to end (at most two
/// minutes: a hung guest fails the test instead of hanging it).
pub fn boot(root: &Path, extra: &[&str]) -> Output {
    let mut cmd = Command::new(ruml());
    cmd.args(boot_args(root, extra)).stdin(Stdio::null());
    output_within(cmd, Duration::from_secs(120))
}

/// Runs a command to completion, killing it (and failing) after `limit`.
pub fn output_within(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let o = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out, &mut v);
        v
    });
    let e = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err, &mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: o.join().unwrap(),
        stderr: e.join().unwrap(),
    }
}

/// The guest's console output with the tty's CR LF turned into LF.
pub fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).replace("\r\n", "\n")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).replace("\r\n", "\n")
}

/// Host processes whose root directory is `root` (guest processes of a VM
/// booted on it).
pub fn processes_rooted_at(root: &Path) -> Vec<i32> {
    let root = std::fs::canonicalize(root).unwrap();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/root")).is_ok_and(|r| r == root))
        .collect()
}

/// A tmux server with one 100x40 window running a command, driven by keys.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn new(cmd: &str) -> Tmux {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let t = Tmux {
            socket: format!("ruml-test-{}-{n}", std::process::id()),
        };
        let ok = t
            .cmd(&[
                "new-session",
                "-d",
                "-s",
                "vm",
                "-x",
                "100",
                "-y",
                "40",
                cmd,
            ])
            .success();
        assert!(ok, "tmux must be installed (apt-get install tmux)");
        t
    }

    pub fn cmd(&self, args: &[&str]) -> std::process::ExitStatus {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .status()
            .expect("tmux")
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut a = vec!["send-keys", "-t", "vm"];
        a.extend_from_slice(keys);
        assert!(self.cmd(&a).success());
    }

    pub fn screen(&self) -> String {
        let o = Command::new("tmux")
            .args([
                "-L",
                &self.socket,
                "capture-pane",
                "-p",
                "-t",
                "vm",
                "-S",
                "-200",
            ])
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// Waits until the screen shows `needle` `count` times.
    pub fn wait_for_n(&self, needle: &str, count: usize) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.matches(needle).count() >= count {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "timed out waiting for {needle:?} x{count}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_for_n(needle, 1)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}
