//! Character devices the guest can open, by device number. Memory devices
//! map to the host's own (they touch nothing but the caller); terminals map
//! to the VM's console line.

use crate::errno::{Errno, SysResult};
use crate::vfs::Caller;
use ruml_platform::host;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::OnceLock;

static CONSOLE: OnceLock<OwnedFd> = OnceLock::new();

/// Makes `fd` the object behind /dev/console and /dev/tty*.
pub fn set_console(fd: OwnedFd) {
    let _ = CONSOLE.set(fd);
}

/// The host device number of the console's host object (a pty slave).
pub fn console_rdev() -> Option<u64> {
    let c = CONSOLE.get()?;
    host::fstatat(c.as_fd(), b"", 0).ok().map(|s| s.st_rdev)
}

/// The host inode number of the console's host object.
pub fn console_ino() -> Option<u64> {
    let c = CONSOLE.get()?;
    host::fstatat(c.as_fd(), b"", 0).ok().map(|s| s.st_ino)
}

pub const fn mkdev(major: u64, minor: u64) -> u64 {
    ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & !0xff) << 12) | ((major & !0xfff) << 32)
}

/// The device nodes of /dev: name, mode, major, minor.
pub const NODES: &[(&str, u32, u64, u64)] = &[
    ("null", 0o666, 1, 3),
    ("zero", 0o666, 1, 5),
    ("full", 0o666, 1, 7),
    ("random", 0o666, 1, 8),
    ("urandom", 0o666, 1, 9),
    ("tty", 0o666, 5, 0),
    ("ptmx", 0o666, 5, 2),
    ("console", 0o600, 5, 1),
    ("tty0", 0o620, 4, 0),
];

/// Opens a character device for the guest.
pub fn open_char(cx: &Caller<'_>, rdev: u64, flags: i32) -> SysResult<OwnedFd> {
    let flags = flags & !(libc::O_CREAT | libc::O_EXCL | libc::O_TRUNC | libc::O_DIRECTORY);
    let host_dev = |p: &[u8]| host::open_path(p, flags).map_err(Errno::from);
    let console = || -> SysResult<OwnedFd> {
        let c = CONSOLE.get().ok_or(Errno::ENXIO)?;
        Ok(host::reopen(c.as_fd(), flags | libc::O_NOCTTY)?)
    };
    match rdev {
        r if r == mkdev(1, 3) => host_dev(b"/dev/null"),
        r if r == mkdev(1, 5) => host_dev(b"/dev/zero"),
        r if r == mkdev(1, 7) => host_dev(b"/dev/full"),
        r if r == mkdev(1, 8) => host_dev(b"/dev/random"),
        r if r == mkdev(1, 9) => host_dev(b"/dev/urandom"),
        r if r == mkdev(5, 2) => crate::fs::devpts::open_master(flags),
        // /dev/tty: the caller's controlling terminal.
        r if r == mkdev(5, 0) => match controlling_tty(cx) {
            Some(t) if Some(t) == console_rdev() => console(),
            Some(t) => match crate::fs::devpts::pts_index(t) {
                Some(n) => crate::fs::devpts::open_slave(n, flags),
                None => Err(Errno::ENXIO),
            },
            None => Err(Errno::ENXIO),
        },
        r if r == mkdev(5, 1) || r == mkdev(4, 0) || r == mkdev(4, 1) => console(),
        _ => Err(Errno::ENXIO),
    }
}

/// The host device number of the calling process's controlling terminal
/// (field 7 of its host /proc stat), if it has one.
pub fn controlling_tty(cx: &Caller<'_>) -> Option<u64> {
    let (_, p) = cx.kernel?;
    let host = p.host_tid(cx.tid)?;
    let text = std::fs::read_to_string(format!("/proc/{host}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 2..];
    let tty: u64 = rest.split_whitespace().nth(4)?.parse().ok()?;
    (tty != 0).then_some(tty)
}
