//! The console as a user drives it: ruml runs in a tmux pane with a busybox
//! shell as init, and keys are typed into it (line editing, ^C, ^Z, job
//! control, the window size, exit of init).

mod common;

use common::{boot_args, busybox_root, ruml, Tmux};
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn shell_on_the_console_with_job_control() {
    let root = busybox_root("tty", "#!/bin/sh\n");
    let mut args = boot_args(&root, &[]);
    args.retain(|a| a != "init=/init" && a != "quiet");
    args.push("init=/bin/sh".into());
    let cmd = format!(
        "{} {}; echo RUML-EXIT=$?; sleep 60",
        ruml().display(),
        args.join(" ")
    );
    let t = Tmux::new(&cmd);
    t.wait_for("/ #");

    // A command runs, with line editing (a typo fixed with backspace).
    t.keys(&["echo hellp", "BSpace", "o $((6*7))", "Enter"]);
    t.wait_for("hello 42");

    // ^C interrupts the foreground job and the shell survives.
    t.keys(&["sleep 100", "Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["C-c"]);
    t.keys(&["echo survived", "Enter"]);
    t.wait_for("\nsurvived");

    // Background jobs: jobs, kill %1.
    t.keys(&["sleep 100 &", "Enter"]);
    t.keys(&["jobs", "Enter"]);
    t.wait_for("Running                    sleep 100");
    t.keys(&["kill %1", "Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    // The shell reports the finished job before its next prompt.
    t.keys(&["jobs", "Enter"]);
    t.wait_for("Terminated                 sleep 100");

    // ^Z stops the foreground job; bg and fg resume it.
    t.keys(&["sleep 50", "Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["C-z"]);
    t.wait_for("Stopped                    sleep 50");
    t.keys(&["bg", "Enter"]);
    t.keys(&["jobs", "Enter"]);
    t.wait_for("Running                    sleep 50");
    t.keys(&["fg", "Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["C-c"]);
    t.keys(&["echo after-fg", "Enter"]);
    t.wait_for("\nafter-fg");

    // The guest sees the terminal's size, and follows when it changes
    // (ruml takes SIGWINCH and resizes the console; the shell gets it too).
    t.keys(&["stty size", "Enter"]);
    t.wait_for("40 100");
    t.keys(&["trap 'echo got-winch' WINCH", "Enter"]);
    assert!(t
        .cmd(&["resize-window", "-t", "vm", "-x", "90", "-y", "25"])
        .success());
    t.wait_for("got-winch");
    t.keys(&["stty size", "Enter"]);
    t.wait_for("25 90");

    // exit of init ends the VM with Linux's panic message.
    t.keys(&["exit", "Enter"]);
    let s = t.wait_for("RUML-EXIT=");
    assert!(
        s.contains("Kernel panic - not syncing: Attempted to kill init!"),
        "{s}"
    );
    assert!(s.contains("RUML-EXIT=1"), "{s}");
    drop(t);
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn closing_the_terminal_shuts_the_vm_down() {
    let root = busybox_root("hangup", "#!/bin/sh\n");
    let mut args = boot_args(&root, &[]);
    args.retain(|a| a != "init=/init" && a != "quiet");
    args.push("init=/bin/sh".into());
    let t = Tmux::new(&format!("{} {}", ruml().display(), args.join(" ")));
    t.wait_for("/ #");
    assert!(!common::processes_rooted_at(&root).is_empty());
    // The pane's terminal goes away: ruml gets SIGHUP, with its stderr gone.
    drop(t);
    let start = Instant::now();
    while !common::processes_rooted_at(&root).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the VM outlived its terminal"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let ps = Command::new("ps").args(["-eo", "args"]).output().unwrap();
    let needle = format!("rootflags={}", root.display());
    assert!(
        !String::from_utf8_lossy(&ps.stdout).contains(&needle),
        "ruml outlived its terminal"
    );
    std::fs::remove_dir_all(root).unwrap();
}
