//! devpts: the VM's pseudo-terminals.
//!
//! A pty is a host pty: opening /dev/ptmx (or /dev/pts/ptmx) opens the
//! host's /dev/ptmx and hands the master to the guest, so reads, writes,
//! termios, job control and the line discipline are the host kernel's, and
//! ioctls such as TIOCGPTN and TIOCGPTPEER run natively. A pty keeps its
//! host number: the guest's /dev/pts/N is the host's /dev/pts/N (so
//! ptsname, ttyname and the fd links of /proc agree without translation).
//! Isolation: /dev/pts lists, and lets the guest open, only the ptys whose
//! master a guest process holds right now (its host fdinfo names the
//! index), never other host terminals.

use crate::errno::{Errno, SysResult};
use crate::fs::devices;
use crate::fs::hostfs::guest_ids;
use crate::vfs::{Caller, DirEntry, Inode, Kind, Stat, StatFs};
use ruml_platform::host;
use std::any::Any;
use std::collections::BTreeSet;
use std::os::fd::OwnedFd;
use std::sync::Arc;

/// Linux's devpts magic, for statfs.
const DEVPTS_SUPER_MAGIC: i64 = 0x1cd1;
/// Host majors of pty slaves (UNIX98_PTY_SLAVE_MAJOR and its overflow).
const PTS_MAJORS: std::ops::RangeInclusive<u32> = 136..=143;

/// A new devpts instance (every mount shows the same ptys: the VM's).
pub fn new() -> Arc<dyn Inode> {
    Arc::new(Root)
}

/// Whether a host device number is a pty slave's, and its index.
pub fn pts_index(rdev: u64) -> Option<u32> {
    let (major, minor) = (libc::major(rdev), libc::minor(rdev));
    PTS_MAJORS
        .contains(&major)
        .then_some((major - 136) * 256 + minor)
}

/// The host indices of the ptys whose master some guest process holds.
pub fn vm_ptys(cx: &Caller<'_>) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    let Some((st, p)) = cx.kernel else {
        return out;
    };
    for tgid in st.tasks.procs.keys() {
        let Some(host) = p.host_tid(*tgid) else {
            continue;
        };
        let Ok(dir) = std::fs::read_dir(format!("/proc/{host}/fd")) else {
            continue;
        };
        for e in dir.flatten() {
            let Ok(link) = std::fs::read_link(e.path()) else {
                continue;
            };
            if link != std::path::Path::new("/dev/ptmx")
                && link != std::path::Path::new("/dev/pts/ptmx")
            {
                continue;
            }
            let info = format!("/proc/{host}/fdinfo/{}", e.file_name().to_string_lossy());
            if let Ok(text) = std::fs::read_to_string(info) {
                if let Some(n) = text
                    .lines()
                    .find_map(|l| l.strip_prefix("tty-index:"))
                    .and_then(|v| v.trim().parse().ok())
                {
                    out.insert(n);
                }
            }
        }
    }
    out
}

/// Opens pty slave `n` of the host for the guest (never as ruml's own
/// controlling terminal; the syscall layer makes it the caller's).
pub fn open_slave(n: u32, flags: i32) -> SysResult<OwnedFd> {
    let flags = flags & !(libc::O_CREAT | libc::O_EXCL | libc::O_TRUNC | libc::O_DIRECTORY);
    Ok(host::open_path(
        format!("/dev/pts/{n}").as_bytes(),
        flags | libc::O_NOCTTY,
    )?)
}

/// Opens a new master on the host's /dev/ptmx.
pub fn open_master(flags: i32) -> SysResult<OwnedFd> {
    let flags = flags & !(libc::O_CREAT | libc::O_EXCL | libc::O_TRUNC | libc::O_DIRECTORY);
    Ok(host::open_path(b"/dev/ptmx", flags | libc::O_NOCTTY)?)
}

struct Root;

fn root_stat() -> Stat {
    let now = host::clock_ns(libc::CLOCK_REALTIME);
    let t = ((now / 1_000_000_000) as i64, (now % 1_000_000_000) as i64);
    Stat {
        dev: devices::mkdev(0, 24),
        ino: 1,
        mode: libc::S_IFDIR | 0o755,
        nlink: 2,
        uid: 0,
        gid: 0,
        rdev: 0,
        size: 0,
        blksize: 1024,
        blocks: 0,
        atime: t,
        mtime: t,
        ctime: t,
    }
}

impl Inode for Root {
    fn stat(&self) -> SysResult<Stat> {
        Ok(root_stat())
    }

    fn kind(&self) -> Kind {
        Kind::Dir
    }

    fn lookup(&self, cx: &Caller<'_>, name: &[u8]) -> SysResult<Arc<dyn Inode>> {
        if name == b"ptmx" {
            return Ok(Arc::new(Ptmx));
        }
        let n: u32 = std::str::from_utf8(name)
            .ok()
            .filter(|s| !s.starts_with('0') || s.len() == 1)
            .and_then(|s| s.parse().ok())
            .ok_or(Errno::ENOENT)?;
        if !vm_ptys(cx).contains(&n) {
            return Err(Errno::ENOENT);
        }
        Ok(Arc::new(Slave(n)))
    }

    fn open(&self, _cx: &Caller<'_>, _flags: i32) -> SysResult<OwnedFd> {
        // Directories are opened by the VFS (a stand-in it lists itself).
        Err(Errno::EISDIR)
    }

    fn readdir(&self, cx: &Caller<'_>) -> SysResult<Vec<DirEntry>> {
        let mut v = vec![
            DirEntry {
                name: b".".to_vec(),
                ino: 1,
                kind: Kind::Dir,
            },
            DirEntry {
                name: b"..".to_vec(),
                ino: 1,
                kind: Kind::Dir,
            },
            DirEntry {
                name: b"ptmx".to_vec(),
                ino: 2,
                kind: Kind::Char,
            },
        ];
        for n in vm_ptys(cx) {
            v.push(DirEntry {
                name: n.to_string().into_bytes(),
                ino: n as u64 + 3,
                kind: Kind::Char,
            });
        }
        Ok(v)
    }

    fn statfs(&self) -> SysResult<StatFs> {
        Ok(StatFs::pseudo(DEVPTS_SUPER_MAGIC))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// /dev/pts/ptmx.
struct Ptmx;

impl Inode for Ptmx {
    fn stat(&self) -> SysResult<Stat> {
        Ok(Stat {
            ino: 2,
            mode: libc::S_IFCHR | 0o666,
            nlink: 1,
            rdev: devices::mkdev(5, 2),
            size: 0,
            ..root_stat()
        })
    }

    fn open(&self, _cx: &Caller<'_>, flags: i32) -> SysResult<OwnedFd> {
        open_master(flags)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// /dev/pts/N: the host's slave, as the host describes it.
struct Slave(u32);

impl Inode for Slave {
    fn stat(&self) -> SysResult<Stat> {
        let st = host::stat_path(format!("/dev/pts/{}", self.0).as_bytes())?;
        let mut s = Stat::from_host(&st);
        guest_ids(&mut s);
        Ok(s)
    }

    fn open(&self, _cx: &Caller<'_>, flags: i32) -> SysResult<OwnedFd> {
        open_slave(self.0, flags)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
