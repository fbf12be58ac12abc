//! Character devices the guest can open, by device number. Memory devices
//! map to the host's own (they touch nothing but the caller); /dev/console
//! is the VM's console line; /dev/ptmx makes a pty of the VM's devpts
//! instance (see `fs::devpts`); /dev/tty is the caller's controlling
//! terminal.

use crate::errno::{Errno, SysResult};
use crate::kernel::State;
use crate::vfs::{Caller, Creator, Follow, Vfs};
use ruml_platform::host;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::{Arc, Mutex};

/// The console's host objects: the pty slave the guest gets, and its
/// master (to ask which session the console belongs to).
struct ConsoleFds {
    slave: OwnedFd,
    master: Option<OwnedFd>,
}

static CONSOLE: Mutex<Option<Arc<ConsoleFds>>> = Mutex::new(None);

fn console() -> Option<Arc<ConsoleFds>> {
    CONSOLE.lock().expect("console").clone()
}

/// Makes `slave` the object behind /dev/console (and /dev/tty for processes
/// whose controlling terminal it is); `master` is its pty master, if the
/// console is a pty.
pub fn set_console(slave: OwnedFd, master: Option<OwnedFd>) {
    *CONSOLE.lock().expect("console") = Some(Arc::new(ConsoleFds { slave, master }));
}

/// The host device number of the console's host object (a pty slave).
pub fn console_rdev() -> Option<u64> {
    let c = console()?;
    host::fstatat(c.slave.as_fd(), b"", 0)
        .ok()
        .map(|s| s.st_rdev)
}

/// The host identity (dev, ino) of the console's host object.
pub fn console_id() -> Option<(u64, u64)> {
    let c = console()?;
    host::fstatat(c.slave.as_fd(), b"", 0)
        .ok()
        .map(|s| (s.st_dev, s.st_ino))
}

/// Makes the console's host object known as /dev/console of `vfs`, so
/// `fstat` of the console descriptors init starts with agrees with `stat`
/// of /dev/console (and ttyname finds it), as on Linux.
pub fn register_console_node(vfs: &Vfs) {
    let top = vfs.root();
    if let (Ok(loc), Some(id)) = (
        vfs.resolve(&Caller::BOOT, &top, &top, b"/dev/console", Follow::No),
        console_id(),
    ) {
        crate::vfs::registry::register_inode(id, loc.inode());
    }
}

/// The session the console is the controlling terminal of, by the host pid
/// of its leader.
fn console_session() -> Option<i32> {
    host::tty_session(console()?.master.as_ref()?.as_fd())
}

pub const fn mkdev(major: u64, minor: u64) -> u64 {
    ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & !0xff) << 12) | ((major & !0xfff) << 32)
}

pub const fn major(dev: u64) -> u64 {
    ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff)
}

pub const fn minor(dev: u64) -> u64 {
    (dev & 0xff) | ((dev >> 12) & !0xff)
}

/// The device nodes of /dev: name, mode, major, minor.
pub const NODES: &[(&str, u32, u64, u64)] = &[
    ("null", 0o666, 1, 3),
    ("zero", 0o666, 1, 5),
    ("full", 0o666, 1, 7),
    ("random", 0o666, 1, 8),
    ("urandom", 0o666, 1, 9),
    ("tty", 0o666, 5, 0),
    ("console", 0o600, 5, 1),
    ("ptmx", 0o666, 5, 2),
    ("tty0", 0o620, 4, 0),
];

/// A controlling terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ctty {
    /// The VM's console.
    Console,
    /// Slave N of the VM's devpts instance.
    Pts(u32),
}

/// The controlling terminal of a process, from what its host
/// /proc/PID/stat says: `tty_nr` (a host device number) and its session
/// (a host pid). The console is a host pty from another instance than the
/// VM's ptys, so its number may equal a VM pty's: it is the console only
/// if the process's session is the console's.
pub fn ctty_from(tty_nr: u64, host_sid: i32) -> Option<Ctty> {
    if tty_nr == 0 {
        return None;
    }
    if Some(tty_nr) == console_rdev() && console_session() == Some(host_sid) {
        return Some(Ctty::Console);
    }
    (major(tty_nr) == crate::fs::devpts::PTS_MAJOR).then(|| Ctty::Pts(minor(tty_nr) as u32))
}

/// The controlling terminal of the process of host thread `host`.
pub fn ctty_of(host: i32) -> Option<Ctty> {
    let text = std::fs::read_to_string(format!("/proc/{host}/stat")).ok()?;
    let f: Vec<&str> = text[text.rfind(')')? + 1..].split_whitespace().collect();
    // f[0] is field 3 (state): session is field 6, tty_nr field 7.
    let sid = f.get(3)?.parse().ok()?;
    let tty = f.get(4)?.parse::<i64>().ok()? as u32 as u64;
    ctty_from(tty, sid)
}

/// Whether `st` has a devpts mount (Linux's ptmx finds its instance at
/// "pts" next to it; the VM has one instance).
fn devpts_mounted(st: &State) -> bool {
    st.vfs.mounts.iter().any(|m| m.fstype == "devpts")
}

/// Opens a character device for the guest.
pub fn open_char(cx: &Caller<'_>, rdev: u64, flags: i32) -> SysResult<OwnedFd> {
    let flags = flags & !(libc::O_CREAT | libc::O_EXCL | libc::O_TRUNC | libc::O_DIRECTORY);
    let host_dev = |p: &[u8]| host::open_path(p, flags).map_err(Errno::from);
    let console_fd = || {
        let c = console().ok_or(Errno::ENXIO)?;
        Ok(host::reopen(c.slave.as_fd(), flags)?)
    };
    match rdev {
        r if r == mkdev(1, 3) => host_dev(b"/dev/null"),
        r if r == mkdev(1, 5) => host_dev(b"/dev/zero"),
        r if r == mkdev(1, 7) => host_dev(b"/dev/full"),
        r if r == mkdev(1, 8) => host_dev(b"/dev/random"),
        r if r == mkdev(1, 9) => host_dev(b"/dev/urandom"),
        r if r == mkdev(5, 0) => {
            let (st, p) = cx.kernel.ok_or(Errno::ENXIO)?;
            let host = p.host_tid(cx.tid).ok_or(Errno::ENXIO)?;
            match ctty_of(host) {
                Some(Ctty::Console) => console_fd(),
                Some(Ctty::Pts(n)) => {
                    let d = st.devpts.as_ref().ok_or(Errno::EIO)?;
                    // Its master was closed: the terminal is hung up.
                    d.open_slave(n, flags).map_err(|_| Errno::EIO)
                }
                None => Err(Errno::ENXIO),
            }
        }
        r if r == mkdev(5, 2) => {
            let (st, _) = cx.kernel.ok_or(Errno::ENODEV)?;
            let d = st.devpts.as_ref().ok_or(Errno::ENODEV)?;
            if !devpts_mounted(st) {
                return Err(Errno::ENODEV);
            }
            let who = cx.creds().map_or(Creator { uid: 0, gid: 0 }, |c| Creator {
                uid: c.fsuid,
                gid: c.fsgid,
            });
            d.open_master(who, flags)
        }
        r if r == mkdev(5, 1) || r == mkdev(4, 0) || r == mkdev(4, 1) => console_fd(),
        _ => Err(Errno::ENXIO),
    }
}

/// Opens a block device (a ubd disk) for the guest. A disk that is one
/// host file (a plain image) is that file; a COW disk has no such file
/// and cannot be opened raw yet.
pub fn open_block(rdev: u64, flags: i32) -> SysResult<OwnedFd> {
    let disk = crate::block::get(rdev)?;
    let flags = flags & !(libc::O_CREAT | libc::O_EXCL | libc::O_TRUNC | libc::O_DIRECTORY);
    let writes = flags & libc::O_ACCMODE != libc::O_RDONLY;
    let d = disk.dev.lock().expect("disk");
    if writes && !d.writable() {
        return Err(Errno::EROFS);
    }
    let Some(path) = d.whole_file() else {
        crate::kernel::host_log(&format!(
            "ruml: {}: raw access to a COW disk is not supported yet (mount it instead)\n",
            disk.name
        ));
        return Err(Errno::ENXIO);
    };
    use std::os::unix::ffi::OsStrExt;
    let f = host::open_path(path.as_os_str().as_bytes(), flags | libc::O_CLOEXEC)?;
    let st = host::fstatat(f.as_fd(), b"", libc::AT_EMPTY_PATH)?;
    RAW_FILES
        .lock()
        .expect("raw")
        .insert((st.st_dev, st.st_ino), rdev);
    Ok(f)
}

/// Host files handed out as raw block devices: (dev, ino) -> device number.
static RAW_FILES: Mutex<std::collections::BTreeMap<(u64, u64), u64>> =
    Mutex::new(std::collections::BTreeMap::new());

/// The block device a host file stands for, when it was handed out raw.
pub fn raw_block_device(id: (u64, u64)) -> Option<u64> {
    RAW_FILES.lock().expect("raw").get(&id).copied()
}
