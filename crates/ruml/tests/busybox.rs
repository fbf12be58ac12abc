//! The busybox acceptance script (`tests/busybox/applets.sh`): run natively
//! with busybox, as pid 1 of fresh namespaces chrooted into a busybox root,
//! and as init inside ruml on the same root; outputs must be identical.

mod common;

use common::{boot, busybox_root, repo, stderr, text};
use std::collections::BTreeSet;
use std::process::{Command, Stdio};

/// Runs `script` (a path inside `root`) natively as a child of pid 1 of new
/// user, pid, mount, uts, net and ipc namespaces, chrooted into `root`, with
/// host device nodes bound over /dev (as the script runs in ruml: a child
/// of init).
fn native(root: &std::path::Path, script: &str) -> String {
    let setup = format!(
        "set -e; for d in null zero full random urandom tty; do touch {r}/dev/$d; \
         mount --bind /dev/$d {r}/dev/$d; done; exec chroot {r} /bin/sh -c '/bin/sh {script} > /native.out 2>&1; true'",
        r = root.display()
    );
    let mut cmd = common::fresh_namespaces();
    cmd.args(["/bin/busybox", "sh", "-c", &setup])
        .stdin(Stdio::null());
    let o = common::output_within(cmd, std::time::Duration::from_secs(120));
    assert!(
        o.status.success(),
        "native run: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read_to_string(root.join("native.out")).unwrap()
}

#[test]
fn busybox_script_matches_native() {
    let script = std::fs::read_to_string(repo().join("tests/busybox/applets.sh")).unwrap();
    // The script must exercise at least 60 distinct applets.
    let list = Command::new("/bin/busybox").arg("--list").output().unwrap();
    let applets: BTreeSet<String> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .map(String::from)
        .collect();
    let used: BTreeSet<&str> = script
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .filter(|w| applets.contains(*w))
        .collect();
    assert!(used.len() >= 60, "only {} applets: {used:?}", used.len());

    let root = busybox_root(
        "applets",
        "#!/bin/sh\n/bin/sh /applets.sh > /applets.out 2>&1\npoweroff -f\n",
    );
    std::fs::write(root.join("applets.sh"), &script).unwrap();
    std::fs::create_dir_all(root.join("work")).unwrap();
    let want = native(&root, "/applets.sh");
    assert!(
        want.contains("\ndone\n"),
        "native run did not finish:\n{want}"
    );
    let o = boot(&root, &["hostname=ignored", "mem=128M"]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", text(&o), stderr(&o));
    let got = std::fs::read_to_string(root.join("applets.out")).unwrap();
    if got != want {
        let (w, g): (Vec<_>, Vec<_>) = (want.lines().collect(), got.lines().collect());
        let mut report = String::new();
        for i in 0..w.len().max(g.len()) {
            if w.get(i) != g.get(i) {
                report += &format!(
                    "line {}:\n  native: {:?}\n  ruml:   {:?}\n",
                    i + 1,
                    w.get(i),
                    g.get(i)
                );
            }
        }
        panic!("busybox script output differs:\n{report}");
    }
    std::fs::remove_dir_all(root).unwrap();
}
