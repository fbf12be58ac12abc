//! devpts: the VM's pseudo-terminals.
//!
//! The VM's ptys are host ptys of a devpts instance ruml mounts for the VM
//! alone (`host::private_devpts`): it holds nothing but the ptys the guest
//! opened through it, so its numbering starts at 0 and TIOCGPTN,
//! TIOCGPTPEER, termios, job control and hangups are the host's own, run
//! natively on descriptors the guest holds. Opening `ptmx` gives the guest
//! a master of that instance; opening `N` gives it the slave. The guest sees
//! the instance's own device and inode numbers, so `stat` of /dev/pts/N and
//! `fstat` of the slave agree (the registry maps a slave's host identity to
//! its node); owners and modes are the kernel's (the opener's fsuid and
//! fsgid and the mount's `mode=`, as Linux's devpts gives them).
//!
//! Every devpts mount of the guest shows the VM's one instance (Linux makes
//! a new instance per mount); the options of the last mount apply.

use crate::errno::{Errno, SysResult};
use crate::vfs::registry;
use crate::vfs::{Caller, Creator, DirEntry, Inode, Kind, SetAttr, Stat, StatFs};
use ruml_platform::host;
use std::any::Any;
use std::collections::HashMap;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::{Arc, Mutex, Weak};

/// The major number of pty slaves (Unix98).
pub const PTS_MAJOR: u64 = 136;
const DEVPTS_SUPER_MAGIC: i64 = 0x1cd1;
/// devpts inode numbers: the root, ptmx, then slave N is N + 3.
const PTMX_INO: u64 = 2;
const FIRST_INO: u64 = 3;

/// Mount options (`uid=`, `gid=`, `mode=`, `ptmxmode=`).
#[derive(Clone, Copy, Debug)]
struct Opts {
    uid: Option<u32>,
    gid: Option<u32>,
    mode: u32,
    ptmxmode: u32,
}

impl Default for Opts {
    fn default() -> Opts {
        Opts {
            uid: None,
            gid: None,
            mode: 0o600,
            ptmxmode: 0,
        }
    }
}

/// The VM's devpts instance.
pub struct Instance {
    root: OwnedFd,
    dev: u64,
    opts: Mutex<Opts>,
    /// The nodes of ptys the kernel has seen, by number (kept so their
    /// owners and modes last as long as the pty).
    nodes: Mutex<HashMap<u32, Arc<PtsNode>>>,
    /// Its ptmx node (one object, so the registry can name masters opened
    /// through it).
    ptmx: Arc<dyn Inode>,
    me: Weak<Instance>,
}

impl Instance {
    /// Makes the VM's instance.
    pub fn new() -> SysResult<Arc<Instance>> {
        let root = host::private_devpts()?;
        let dev = host::fstatat(root.as_fd(), b"", 0)?.st_dev;
        Ok(Arc::new_cyclic(|me| Instance {
            root,
            dev,
            opts: Mutex::new(Opts::default()),
            nodes: Mutex::default(),
            ptmx: Arc::new(Ptmx { inst: me.clone() }),
            me: me.clone(),
        }))
    }

    /// Applies the options of a devpts mount (unknown ones are refused, as
    /// Linux does).
    pub fn set_options(&self, data: &[u8]) -> SysResult<()> {
        let mut o = Opts::default();
        let text = String::from_utf8_lossy(data);
        for opt in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (k, v) = opt.split_once('=').unwrap_or((opt, ""));
            let num = |radix| u32::from_str_radix(v, radix).map_err(|_| Errno::EINVAL);
            match k {
                "uid" => o.uid = Some(num(10)?),
                "gid" => o.gid = Some(num(10)?),
                "mode" => o.mode = num(8)? & 0o777,
                "ptmxmode" => o.ptmxmode = num(8)? & 0o777,
                "newinstance" | "max" => {}
                // Generic options mount(8) passes along.
                "rw" | "ro" | "nosuid" | "noexec" | "relatime" | "nodev" | "exec" | "suid" => {}
                _ => return Err(Errno::EINVAL),
            }
        }
        *self.opts.lock().expect("devpts") = o;
        Ok(())
    }

    /// The host device number of the instance (st_dev of its objects).
    pub fn dev(&self) -> u64 {
        self.dev
    }

    /// The root directory, for a mount.
    pub fn root_inode(&self) -> Arc<dyn Inode> {
        Arc::new(Root {
            inst: self.me.upgrade().expect("devpts instance"),
        })
    }

    /// For a host object: the number of the pty slave it is, if it is one
    /// of this instance.
    pub fn slave_number(&self, st: &host::Stat) -> Option<u32> {
        (st.st_dev == self.dev
            && st.st_mode & libc::S_IFMT == libc::S_IFCHR
            && st.st_ino >= FIRST_INO)
            .then(|| (st.st_ino - FIRST_INO) as u32)
    }

    /// For a host object: whether it is a pty master of this instance.
    pub fn is_master(&self, st: &host::Stat) -> bool {
        st.st_dev == self.dev && st.st_ino == PTMX_INO
    }

    /// The guest's name for an object of this instance (`ino`), with the
    /// instance mounted at `at`: /dev/pts/N for slaves, `ptmx_path` for
    /// masters (Linux names a master by the ptmx node it was opened by).
    pub fn name_of(&self, ino: u64, at: &[u8], ptmx_path: Option<Vec<u8>>) -> Vec<u8> {
        let mut p = at.to_vec();
        match ino {
            PTMX_INO => return ptmx_path.unwrap_or_else(|| b"/dev/ptmx".to_vec()),
            i if i >= FIRST_INO => {
                p.push(b'/');
                p.extend_from_slice((i - FIRST_INO).to_string().as_bytes());
            }
            _ => {}
        }
        p
    }

    /// Opens a new pty: its master, for the guest. The slave belongs to
    /// `who` (or the mount's `uid=`/`gid=`), with the mount's `mode=`.
    pub fn open_master(&self, who: Creator, flags: i32) -> SysResult<OwnedFd> {
        let fl = flags & (libc::O_ACCMODE | libc::O_NONBLOCK | libc::O_CLOEXEC);
        let m = host::openat(self.root.as_fd(), b"ptmx", fl, 0)?;
        let n = host::pty_number(m.as_fd())?;
        let o = *self.opts.lock().expect("devpts");
        let node = Arc::new(PtsNode {
            inst: self.me.clone(),
            n,
            attr: Mutex::new(Attr {
                uid: o.uid.unwrap_or(who.uid),
                gid: o.gid.unwrap_or(who.gid),
                mode: o.mode,
            }),
        });
        let mut nodes = self.nodes.lock().expect("devpts");
        // Forget ptys that are gone (their masters were closed).
        nodes.retain(|k, _| *k == n || self.host_stat(*k).is_ok());
        nodes.insert(n, node.clone());
        let dynode: Arc<dyn Inode> = node;
        registry::register_inode((self.dev, n as u64 + FIRST_INO), &dynode);
        Ok(m)
    }

    /// Opens the slave of pty `n`.
    pub fn open_slave(&self, n: u32, flags: i32) -> SysResult<OwnedFd> {
        let fl = flags
            & (libc::O_ACCMODE
                | libc::O_NONBLOCK
                | libc::O_CLOEXEC
                | libc::O_APPEND
                | libc::O_SYNC
                | libc::O_DSYNC);
        Ok(host::openat(
            self.root.as_fd(),
            n.to_string().as_bytes(),
            fl | libc::O_NOFOLLOW,
            0,
        )?)
    }

    fn host_stat(&self, n: u32) -> SysResult<host::Stat> {
        Ok(host::fstatat(
            self.root.as_fd(),
            n.to_string().as_bytes(),
            libc::AT_SYMLINK_NOFOLLOW,
        )?)
    }

    /// The node of pty `n`, if it exists.
    fn node(&self, n: u32) -> SysResult<Arc<PtsNode>> {
        self.host_stat(n)?;
        let o = *self.opts.lock().expect("devpts");
        let mut nodes = self.nodes.lock().expect("devpts");
        let node = nodes
            .entry(n)
            .or_insert_with(|| {
                // A pty the kernel did not see being made (a master reopened
                // through /proc): root's, as the mount says.
                Arc::new(PtsNode {
                    inst: self.me.clone(),
                    n,
                    attr: Mutex::new(Attr {
                        uid: o.uid.unwrap_or(0),
                        gid: o.gid.unwrap_or(0),
                        mode: o.mode,
                    }),
                })
            })
            .clone();
        let dynode: Arc<dyn Inode> = node.clone();
        registry::register_inode((self.dev, n as u64 + FIRST_INO), &dynode);
        Ok(node)
    }
}

fn host_stat(st: &host::Stat) -> Stat {
    let mut s = Stat::from_host(st);
    s.uid = 0;
    s.gid = 0;
    s
}

/// The root directory of the instance.
struct Root {
    inst: Arc<Instance>,
}

impl Inode for Root {
    fn stat(&self) -> SysResult<Stat> {
        let mut s = host_stat(&host::fstatat(self.inst.root.as_fd(), b"", 0)?);
        s.mode = libc::S_IFDIR | 0o755;
        Ok(s)
    }

    fn lookup(&self, _cx: &Caller<'_>, name: &[u8]) -> SysResult<Arc<dyn Inode>> {
        if name == b"ptmx" {
            return Ok(self.inst.ptmx.clone());
        }
        let n = std::str::from_utf8(name)
            .ok()
            .filter(|s| !s.starts_with('0') || s.len() == 1)
            .and_then(|s| s.parse::<u32>().ok())
            .ok_or(Errno::ENOENT)?;
        Ok(self.inst.node(n)?)
    }

    fn open(&self, _cx: &Caller<'_>, _flags: i32) -> SysResult<OwnedFd> {
        Err(Errno::EISDIR)
    }

    fn readdir(&self, _cx: &Caller<'_>) -> SysResult<Vec<DirEntry>> {
        Ok(host::read_dir(self.inst.root.as_fd())?
            .into_iter()
            .map(|(name, ino, _)| DirEntry {
                name,
                ino,
                kind: Kind::Char,
            })
            .collect())
    }

    fn statfs(&self) -> SysResult<StatFs> {
        Ok(StatFs {
            fs_type: DEVPTS_SUPER_MAGIC,
            bsize: 4096,
            namelen: 255,
            frsize: 4096,
            ..Default::default()
        })
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// /dev/pts/ptmx.
struct Ptmx {
    inst: Weak<Instance>,
}

impl Ptmx {
    fn inst(&self) -> SysResult<Arc<Instance>> {
        self.inst.upgrade().ok_or(Errno::ENOENT)
    }
}

impl Inode for Ptmx {
    fn stat(&self) -> SysResult<Stat> {
        let inst = self.inst()?;
        let mut s = host_stat(&host::fstatat(
            inst.root.as_fd(),
            b"ptmx",
            libc::AT_SYMLINK_NOFOLLOW,
        )?);
        s.mode = libc::S_IFCHR | inst.opts.lock().expect("devpts").ptmxmode;
        Ok(s)
    }

    fn open(&self, cx: &Caller<'_>, flags: i32) -> SysResult<OwnedFd> {
        let who = cx.creds().map_or(Creator { uid: 0, gid: 0 }, |c| Creator {
            uid: c.fsuid,
            gid: c.fsgid,
        });
        self.inst()?.open_master(who, flags)
    }

    fn setattr(&self, a: &SetAttr) -> SysResult<()> {
        if let Some(m) = a.mode {
            self.inst()?.opts.lock().expect("devpts").ptmxmode = m & 0o777;
        }
        Ok(())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[derive(Clone, Copy)]
struct Attr {
    uid: u32,
    gid: u32,
    mode: u32,
}

/// /dev/pts/N: a pty slave.
struct PtsNode {
    inst: Weak<Instance>,
    n: u32,
    attr: Mutex<Attr>,
}

impl PtsNode {
    fn inst(&self) -> SysResult<Arc<Instance>> {
        self.inst.upgrade().ok_or(Errno::ENOENT)
    }
}

impl Inode for PtsNode {
    fn stat(&self) -> SysResult<Stat> {
        let mut s = Stat::from_host(&self.inst()?.host_stat(self.n)?);
        let a = *self.attr.lock().expect("devpts");
        s.uid = a.uid;
        s.gid = a.gid;
        s.mode = libc::S_IFCHR | a.mode;
        Ok(s)
    }

    fn open(&self, _cx: &Caller<'_>, flags: i32) -> SysResult<OwnedFd> {
        self.inst()?.open_slave(self.n, flags)
    }

    fn setattr(&self, a: &SetAttr) -> SysResult<()> {
        let inst = self.inst()?;
        if a.size.is_some() {
            return Err(Errno::EINVAL);
        }
        if a.atime.is_some() || a.mtime.is_some() {
            let cur = Stat::from_host(&inst.host_stat(self.n)?);
            let ts = |t: Option<(i64, i64)>, old: (i64, i64)| {
                let (s, ns) = t.unwrap_or(old);
                libc::timespec {
                    tv_sec: s,
                    tv_nsec: ns,
                }
            };
            let f = host::openat(
                inst.root.as_fd(),
                self.n.to_string().as_bytes(),
                libc::O_PATH | libc::O_NOFOLLOW,
                0,
            )?;
            host::utimens_fd(f.as_fd(), &[ts(a.atime, cur.atime), ts(a.mtime, cur.mtime)])?;
        }
        let mut attr = self.attr.lock().expect("devpts");
        if let Some(m) = a.mode {
            attr.mode = m & 0o7777;
        }
        if let Some(u) = a.uid {
            attr.uid = u;
        }
        if let Some(g) = a.gid {
            attr.gid = g;
        }
        Ok(())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
