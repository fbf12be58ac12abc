//! Pseudo-terminals in a Debian guest: `script`, python's pty module, an
//! interactive bash with job control inside `script`, `tty` and `ps`.
//!
//! Boots the Debian 12 root that `tests/debian/build-root.sh` builds (and
//! caches; the first build needs root). The init script is written under
//! the root's /tmp.

mod common;

use common::{output_within, ruml, text};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Boots the Debian root with `script` as init (after it mounts /proc,
/// /sys and devpts); returns the console output.
fn boot_debian(name: &str, script: &str) -> String {
    let root = common::debian_root();
    let rel = format!("tmp/ruml-pty-{}-{name}.sh", std::process::id());
    let init = format!(
        "#!/bin/bash\nmount -t proc proc /proc; mount -t sysfs sysfs /sys\n\
         mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /dev/shm\n{script}\n\
         perl -e 'syscall(169, 0xfee1dead, 672274793, 0x4321fedc)'\n"
    );
    common::write_exec(&root.join(&rel), &init);
    let mut cmd = Command::new(ruml());
    cmd.args(common::hostfs_boot_args(
        &root,
        &format!("/{rel}"),
        &["mem=256M"],
    ))
    .stdin(Stdio::null());
    let o = output_within(cmd, Duration::from_secs(120));
    let _ = std::fs::remove_file(root.join(&rel));
    let out = text(&o);
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {out}\nstderr: {}",
        common::stderr(&o)
    );
    out
}

/// The line after `marker:` in the output.
fn after<'a>(out: &'a str, marker: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(marker))
        .unwrap_or_else(|| panic!("no {marker} in:\n{out}"))
        .trim()
}

#[test]
fn script_python_pty_and_tty() {
    let out = boot_debian(
        "basic",
        r#"echo "before: $(ls /dev/pts | tr '\n' ' ')"
echo "script: $(script -q -c tty /dev/null | tr -d '\r')"
python3 -c 'import pty; pty.spawn(["echo", "pty ok"])'
python3 - <<'PY'
import os, pty
pid, fd = pty.fork()
if pid == 0:
    print("child:", os.ttyname(0), os.getsid(0) == os.getpid(), os.tcgetpgrp(0) == os.getpgrp())
    os._exit(0)
out = b""
while True:
    try:
        d = os.read(fd, 1024)
    except OSError:
        break
    if not d:
        break
    out += d
os.waitpid(pid, 0)
print("parent read:", out.decode().strip())
PY
echo "after: $(ls /dev/pts | tr '\n' ' ')"
echo "console: $(tty) $(ps -o tty= -p $$)""#,
    );
    // Only this VM's ptys are in its devpts, numbered from 0.
    assert_eq!(after(&out, "before:"), "ptmx", "{out}");
    assert_eq!(after(&out, "script:"), "/dev/pts/0", "{out}");
    assert!(out.contains("pty ok\n"), "{out}");
    assert_eq!(
        after(&out, "parent read:"),
        "child: /dev/pts/0 True True",
        "{out}"
    );
    assert_eq!(after(&out, "after:"), "ptmx", "{out}");
    assert_eq!(after(&out, "console:"), "/dev/console console", "{out}");
}

#[test]
fn interactive_bash_in_script_has_job_control() {
    let out = boot_debian(
        "bash",
        "printf '%s\\n' 'echo tty=$(tty)' 'sleep 2 &' 'jobs' 'fg' 'echo fg-status=$?' \
         'echo ps-tty=$(ps -o tty= -p $$)' 'echo pgrp-is-fg=$(($(ps -o tpgid= -p $$) == $(ps -o pgid= -p $$)))' \
         'exit' | script -q -c 'bash --norc -i' /dev/null\n\
         echo \"script rc=$?\"\n",
    );
    assert!(!out.contains("no job control"), "{out}");
    assert!(!out.contains("cannot set terminal process group"), "{out}");
    assert!(out.contains("tty=/dev/pts/0"), "{out}");
    assert!(out.contains("Running"), "{out}");
    assert!(out.contains("fg-status=0"), "{out}");
    assert!(out.contains("ps-tty=pts/0"), "{out}");
    // bash made its own group the foreground one.
    assert!(out.contains("pgrp-is-fg=1"), "{out}");
    assert!(out.contains("script rc=0"), "{out}");
}
