//! tmpfs: a filesystem in ruml's memory. Regular files are host memfds that
//! ruml owns; the guest gets its own open file description of the memfd
//! (through /proc/self/fd), so reads, writes and mmap run natively.

use crate::errno::{Errno, SysResult};
use crate::fs::{devices, private};
use crate::vfs::{
    self, Caller, Creator, DirEntry, Inode, Kind, SetAttr, Stat, StatFs, Whereabouts,
};
use ruml_platform::host;
use std::any::Any;
use std::collections::BTreeMap;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

static NEXT_DEV: AtomicU64 = AtomicU64::new(0x20);

/// One tmpfs instance.
pub struct TmpFs {
    dev: u64,
    next_ino: AtomicU64,
    /// Size limits from the mount options (size=, nr_inodes=), in pages
    /// and inodes; 0 is unlimited. Reported by statfs, not enforced (the
    /// guest writes its files' memfds natively).
    max_blocks: u64,
    max_inodes: u64,
    /// Inodes alive now.
    inodes: AtomicU64,
    root: std::sync::OnceLock<Weak<TmpInode>>,
}

const PAGE: u64 = 4096;

/// Limits of a tmpfs: (pages, inodes), 0 for unlimited.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    pub blocks: u64,
    pub inodes: u64,
}

impl Limits {
    /// Linux's defaults for a machine with `mem` bytes: half of memory, and
    /// as many inodes as half of its pages.
    pub fn default_for(mem: u64) -> Limits {
        Limits {
            blocks: mem / PAGE / 2,
            inodes: mem / PAGE / 2,
        }
    }
}

#[derive(Clone, Copy)]
struct Meta {
    mode: u32,
    uid: u32,
    gid: u32,
    nlink: u64,
    rdev: u64,
    atime: (i64, i64),
    mtime: (i64, i64),
    ctime: (i64, i64),
}

enum Data {
    Dir(Mutex<BTreeMap<Vec<u8>, Arc<TmpInode>>>),
    File(OwnedFd),
    Symlink(Vec<u8>),
    /// Device nodes, and sockets made by mknod.
    Special,
    /// FIFOs and bound sockets: a host object in ruml's private directory
    /// that the guest opens or connects to natively.
    Host(HostNode),
}

/// A host FIFO or socket standing for a tmpfs one.
pub struct HostNode {
    /// The host directory holding it.
    dir: OwnedFd,
    /// Its name there.
    name: Vec<u8>,
    /// The entry of the private directory to remove with it.
    owned: Vec<u8>,
    private: Arc<private::Private>,
}

impl HostNode {
    /// A host FIFO, alone in a directory of its own (the guest is lent
    /// that directory to open it).
    pub fn fifo() -> SysResult<HostNode> {
        let p = private::get()?;
        let top = p.unique("p");
        host::mkdirat(p.fd(), &top, 0o700)?;
        let made = host::mkfifoat(p.fd(), &[&top[..], b"/fifo"].concat(), 0o600)
            .and_then(|()| host::openat(p.fd(), &top, libc::O_PATH | libc::O_DIRECTORY, 0));
        let dir = match made {
            Ok(d) => d,
            Err(e) => {
                use std::os::unix::ffi::OsStrExt;
                let _ = std::fs::remove_dir_all(std::ffi::OsStr::from_bytes(&p.host_path(&top)));
                return Err(e.into());
            }
        };
        Ok(HostNode {
            dir,
            name: b"fifo".to_vec(),
            owned: top,
            private: p,
        })
    }

    /// A socket bound at `dir`/`name`; `owned` is the private directory's
    /// entry holding it.
    pub fn socket(
        p: Arc<private::Private>,
        dir: OwnedFd,
        name: Vec<u8>,
        owned: Vec<u8>,
    ) -> HostNode {
        HostNode {
            dir,
            name,
            owned,
            private: p,
        }
    }

    /// The host directory holding the object, and its name there.
    pub fn parts(&self) -> (BorrowedFd<'_>, &[u8]) {
        (self.dir.as_fd(), &self.name)
    }

    fn id(&self) -> Option<(u64, u64)> {
        let st = host::fstatat(self.dir.as_fd(), &self.name, libc::AT_SYMLINK_NOFOLLOW).ok()?;
        Some((st.st_dev, st.st_ino))
    }
}

impl Drop for HostNode {
    fn drop(&mut self) {
        let _ = host::unlinkat(self.dir.as_fd(), &self.name, 0);
        if self.owned != self.name {
            use std::os::unix::ffi::OsStrExt;
            let p = self.private.host_path(&self.owned);
            let _ = std::fs::remove_dir_all(std::ffi::OsStr::from_bytes(&p));
        }
    }
}

/// A tmpfs object.
pub struct TmpInode {
    fs: Arc<TmpFs>,
    me: Weak<TmpInode>,
    ino: u64,
    meta: Mutex<Meta>,
    data: Data,
    /// For directories: the directory holding this one and the name there
    /// (None for the root). Kept after removal, as Linux keeps a removed
    /// directory's parent for "..".
    parent: Mutex<Option<(Weak<TmpInode>, Vec<u8>)>>,
}

fn now() -> (i64, i64) {
    let ns = host::clock_ns(libc::CLOCK_REALTIME);
    ((ns / 1_000_000_000) as i64, (ns % 1_000_000_000) as i64)
}

/// A new, empty tmpfs without size limits; returns its root directory.
pub fn new(mode: u32) -> Arc<TmpInode> {
    new_owned(mode, Creator { uid: 0, gid: 0 }, Limits::default())
}

/// A new, empty tmpfs whose root directory has `mode` and owner `who`.
pub fn new_owned(mode: u32, who: Creator, limits: Limits) -> Arc<TmpInode> {
    let fs = Arc::new(TmpFs {
        dev: NEXT_DEV.fetch_add(1, Ordering::Relaxed),
        next_ino: AtomicU64::new(1),
        max_blocks: limits.blocks,
        max_inodes: limits.inodes,
        inodes: AtomicU64::new(0),
        root: std::sync::OnceLock::new(),
    });
    let root = TmpInode::new(
        &fs,
        libc::S_IFDIR | (mode & 0o7777),
        who,
        0,
        Data::Dir(Mutex::default()),
    );
    let _ = fs.root.set(Arc::downgrade(&root));
    root
}

/// Linux's memparse: a number (decimal, 0x hex or 0 octal) with an
/// optional k, m, g, t, p or e suffix.
fn memparse(v: &str) -> Option<u64> {
    let (num, shift) = match v.chars().last()? {
        'k' | 'K' => (&v[..v.len() - 1], 10),
        'm' | 'M' => (&v[..v.len() - 1], 20),
        'g' | 'G' => (&v[..v.len() - 1], 30),
        't' | 'T' => (&v[..v.len() - 1], 40),
        'p' | 'P' => (&v[..v.len() - 1], 50),
        'e' | 'E' => (&v[..v.len() - 1], 60),
        _ => (v, 0),
    };
    let n = if let Some(h) = num.strip_prefix("0x").or_else(|| num.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()?
    } else if num.len() > 1 && num.starts_with('0') {
        u64::from_str_radix(&num[1..], 8).ok()?
    } else {
        num.parse().ok()?
    };
    n.checked_mul(1u64 << shift)
}

/// A tmpfs for a mount with options `data` ("mode=0755,uid=0,gid=0,
/// size=1m,nr_inodes=1k") on a machine of `mem` bytes: the root is 1777
/// and owned by the mounter's filesystem ids, and the size is half of
/// memory, unless the options say otherwise (EINVAL for a malformed
/// value).
pub fn mount(data: &[u8], who: Creator, mem: u64) -> SysResult<Arc<TmpInode>> {
    let (mut mode, mut who) = (0o1777, who);
    let mut limits = Limits::default_for(mem);
    for opt in data.split(|&b| b == b',') {
        let text = String::from_utf8_lossy(opt);
        let Some((k, v)) = text.split_once('=') else {
            continue;
        };
        match k {
            "mode" => mode = u32::from_str_radix(v, 8).map_err(|_| Errno::EINVAL)? & 0o7777,
            "uid" => who.uid = v.parse().map_err(|_| Errno::EINVAL)?,
            "gid" => who.gid = v.parse().map_err(|_| Errno::EINVAL)?,
            "size" => {
                let bytes = match v.strip_suffix('%') {
                    Some(pct) => {
                        let pct: u64 = pct.parse().map_err(|_| Errno::EINVAL)?;
                        (mem / PAGE).saturating_mul(pct) / 100 * PAGE
                    }
                    None => memparse(v).ok_or(Errno::EINVAL)?,
                };
                limits.blocks = bytes.div_ceil(PAGE);
            }
            "nr_blocks" => limits.blocks = memparse(v).ok_or(Errno::EINVAL)?,
            "nr_inodes" => limits.inodes = memparse(v).ok_or(Errno::EINVAL)?,
            _ => {}
        }
    }
    Ok(new_owned(mode, who, limits))
}

impl TmpInode {
    fn new(fs: &Arc<TmpFs>, mode: u32, who: Creator, rdev: u64, data: Data) -> Arc<TmpInode> {
        let t = now();
        let dir = mode & libc::S_IFMT == libc::S_IFDIR;
        fs.inodes.fetch_add(1, Ordering::Relaxed);
        Arc::new_cyclic(|me| TmpInode {
            fs: fs.clone(),
            me: me.clone(),
            ino: fs.next_ino.fetch_add(1, Ordering::Relaxed),
            meta: Mutex::new(Meta {
                mode,
                uid: who.uid,
                gid: who.gid,
                nlink: if dir { 2 } else { 1 },
                rdev,
                atime: t,
                mtime: t,
                ctime: t,
            }),
            data,
            parent: Mutex::new(None),
        })
    }

    fn is_dir(&self) -> bool {
        matches!(self.data, Data::Dir(_))
    }

    /// Memory pages the files at and below this object hold (each file
    /// once, however many links it has: `seen` holds inode numbers).
    fn pages_below(&self, seen: &mut std::collections::HashSet<u64>) -> u64 {
        match &self.data {
            Data::File(fd) if seen.insert(self.ino) => host::fstatat(fd.as_fd(), b"", 0)
                .map_or(0, |st| (st.st_blocks as u64 * 512).div_ceil(PAGE)),
            Data::Dir(d) => {
                let kids: Vec<Arc<TmpInode>> =
                    d.lock().expect("tmpfs lock").values().cloned().collect();
                kids.iter().map(|k| k.pages_below(seen)).sum()
            }
            _ => 0,
        }
    }

    /// A directory that was removed (rmdir, or replaced by a rename).
    fn removed(&self) -> bool {
        self.is_dir() && self.meta.lock().expect("tmpfs lock").nlink == 0
    }

    fn set_parent(&self, dir: &TmpInode, name: &[u8]) {
        if self.is_dir() {
            *self.parent.lock().expect("tmpfs lock") = Some((dir.me.clone(), name.to_vec()));
        }
    }

    /// Marks a directory removed from its parent.
    fn set_removed(&self) {
        let mut m = self.meta.lock().expect("tmpfs lock");
        m.nlink = 0;
        m.ctime = now();
    }

    /// The group and mode bits of a new object in this directory: a setgid
    /// directory passes on its group, and its setgid bit to directories.
    fn inherit(&self, mode: u32, who: Creator) -> (u32, Creator) {
        let m = *self.meta.lock().expect("tmpfs lock");
        if m.mode & libc::S_ISGID == 0 {
            return (mode, who);
        }
        let mode = if mode & libc::S_IFMT == libc::S_IFDIR {
            mode | libc::S_ISGID
        } else {
            mode
        };
        (
            mode,
            Creator {
                uid: who.uid,
                gid: m.gid,
            },
        )
    }

    /// Names longer than NAME_MAX cannot exist.
    fn check_name(name: &[u8]) -> SysResult<()> {
        if name.len() > 255 {
            return Err(Errno::ENAMETOOLONG);
        }
        Ok(())
    }

    fn entries(&self) -> SysResult<std::sync::MutexGuard<'_, BTreeMap<Vec<u8>, Arc<TmpInode>>>> {
        match &self.data {
            Data::Dir(d) => Ok(d.lock().expect("tmpfs lock")),
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn touch(&self) {
        let t = now();
        let mut m = self.meta.lock().expect("tmpfs lock");
        m.mtime = t;
        m.ctime = t;
    }

    /// Adds a child object; EEXIST if the name is taken.
    fn add(
        &self,
        name: &[u8],
        mode: u32,
        who: Creator,
        rdev: u64,
        data: Data,
    ) -> SysResult<Arc<TmpInode>> {
        Self::check_name(name)?;
        let mut e = self.entries()?;
        if e.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        if self.removed() {
            return Err(Errno::ENOENT);
        }
        let (mode, who) = self.inherit(mode, who);
        let child = TmpInode::new(&self.fs, mode, who, rdev, data);
        if mode & libc::S_IFMT == libc::S_IFDIR {
            self.meta.lock().expect("tmpfs lock").nlink += 1;
            child.set_parent(self, name);
        }
        e.insert(name.to_vec(), child.clone());
        drop(e);
        self.touch();
        Ok(child)
    }

    /// Adds a socket bound natively at `node` (bind(2) on tmpfs).
    fn add_socket_node(
        &self,
        name: &[u8],
        mode: u32,
        who: Creator,
        node: HostNode,
    ) -> SysResult<()> {
        Self::check_name(name)?;
        let child = self.add(
            name,
            libc::S_IFSOCK | (mode & 0o7777),
            who,
            0,
            Data::Host(node),
        )?;
        child.register_host();
        Ok(())
    }

    /// Lets fstat of the guest's descriptors of a host FIFO find this inode.
    fn register_host(self: &Arc<Self>) {
        if let Data::Host(n) = &self.data {
            if let Some(id) = n.id() {
                let me: Arc<dyn Inode> = self.clone();
                vfs::registry::register_inode(id, &me);
            }
        }
    }

    /// Adds a device node (used to populate /dev).
    pub fn add_node(&self, name: &[u8], mode: u32, rdev: u64) -> SysResult<()> {
        self.add(name, mode, Creator { uid: 0, gid: 0 }, rdev, Data::Special)
            .map(drop)
    }

    /// Adds a directory and returns it.
    pub fn add_dir(&self, name: &[u8], mode: u32) -> SysResult<Arc<TmpInode>> {
        self.add(
            name,
            libc::S_IFDIR | mode,
            Creator { uid: 0, gid: 0 },
            0,
            Data::Dir(Mutex::default()),
        )
    }

    /// Adds a symlink.
    pub fn add_symlink(&self, name: &[u8], target: &[u8]) -> SysResult<()> {
        self.add(
            name,
            libc::S_IFLNK | 0o777,
            Creator { uid: 0, gid: 0 },
            0,
            Data::Symlink(target.to_vec()),
        )
        .map(drop)
    }

    fn new_file(&self, name: &[u8], mode: u32, who: Creator) -> SysResult<Arc<TmpInode>> {
        let fd = host::memfd("tmpfs")?;
        let child = self.add(
            name,
            libc::S_IFREG | (mode & 0o7777),
            who,
            0,
            Data::File(fd),
        )?;
        if let Data::File(fd) = &child.data {
            let st = host::fstatat(fd.as_fd(), b"", 0)?;
            let me: Arc<dyn Inode> = child.clone();
            vfs::registry::register_inode((st.st_dev, st.st_ino), &me);
        }
        Ok(child)
    }
}

impl Inode for TmpInode {
    fn stat(&self) -> SysResult<Stat> {
        let m = *self.meta.lock().expect("tmpfs lock");
        let mut s = Stat {
            dev: self.fs.dev,
            ino: self.ino,
            mode: m.mode,
            nlink: m.nlink,
            uid: m.uid,
            gid: m.gid,
            rdev: m.rdev,
            size: 0,
            blksize: 4096,
            blocks: 0,
            atime: m.atime,
            mtime: m.mtime,
            ctime: m.ctime,
        };
        match &self.data {
            Data::File(fd) => {
                // The memfd keeps the times: writes through the guest's
                // descriptors update them natively, utimensat sets them.
                let st = host::fstatat(fd.as_fd(), b"", 0)?;
                s.size = st.st_size;
                s.blocks = st.st_blocks;
                s.atime = (st.st_atime, st.st_atime_nsec);
                s.mtime = (st.st_mtime, st.st_mtime_nsec);
                if (st.st_ctime, st.st_ctime_nsec) > s.ctime {
                    s.ctime = (st.st_ctime, st.st_ctime_nsec);
                }
            }
            Data::Symlink(t) => s.size = t.len() as i64,
            Data::Dir(d) => s.size = 40 + 20 * d.lock().expect("tmpfs lock").len() as i64,
            Data::Special | Data::Host(_) => {}
        }
        Ok(s)
    }

    fn kind(&self) -> Kind {
        Kind::from_mode(self.meta.lock().expect("tmpfs lock").mode)
    }

    fn lookup(&self, _cx: &Caller<'_>, name: &[u8]) -> SysResult<Arc<dyn Inode>> {
        Self::check_name(name)?;
        let e = self.entries()?;
        e.get(name)
            .map(|c| c.clone() as Arc<dyn Inode>)
            .ok_or(Errno::ENOENT)
    }

    fn readlink(&self, _cx: &Caller<'_>) -> SysResult<Vec<u8>> {
        match &self.data {
            Data::Symlink(t) => Ok(t.clone()),
            _ => Err(Errno::EINVAL),
        }
    }

    fn open(&self, cx: &Caller<'_>, flags: i32) -> SysResult<OwnedFd> {
        match &self.data {
            Data::File(fd) => Ok(host::reopen(
                fd.as_fd(),
                flags & !(libc::O_NOCTTY | libc::O_DIRECTORY),
            )?),
            Data::Dir(_) => Err(Errno::EISDIR),
            Data::Symlink(_) => Err(Errno::ELOOP),
            Data::Host(n) if flags & libc::O_PATH != 0 => Ok(host::openat(
                n.dir.as_fd(),
                &n.name,
                libc::O_PATH | libc::O_NOFOLLOW,
                0,
            )?),
            // FIFOs are opened natively (see `host_node`).
            Data::Host(_) => Err(Errno::ENXIO),
            Data::Special => {
                let m = *self.meta.lock().expect("tmpfs lock");
                match Kind::from_mode(m.mode) {
                    Kind::Char => devices::open_char(cx, m.rdev, flags),
                    Kind::Block => {
                        // fstat of the image file the guest gets shows
                        // this node, as on Linux.
                        let f = devices::open_block(m.rdev, flags)?;
                        let st = host::fstatat(f.as_fd(), b"", libc::AT_EMPTY_PATH)?;
                        if let Some(me) = self.me.upgrade() {
                            let me: Arc<dyn Inode> = me;
                            vfs::registry::register_inode((st.st_dev, st.st_ino), &me);
                        }
                        Ok(f)
                    }
                    Kind::Fifo => Err(Errno::ENXIO),
                    _ => Err(Errno::ENXIO),
                }
            }
        }
    }

    fn readdir(&self, _cx: &Caller<'_>) -> SysResult<Vec<DirEntry>> {
        if self.removed() {
            return Err(Errno::ENOENT);
        }
        Ok(self
            .entries()?
            .iter()
            .map(|(n, c)| DirEntry {
                name: n.clone(),
                ino: c.ino,
                kind: c.kind(),
            })
            .collect())
    }

    fn create(&self, name: &[u8], mode: u32, flags: i32, who: Creator) -> SysResult<OwnedFd> {
        let child = self.new_file(name, mode, who)?;
        child.open(&Caller::BOOT, flags & !(libc::O_CREAT | libc::O_EXCL))
    }

    fn mkdir(&self, name: &[u8], mode: u32, who: Creator) -> SysResult<()> {
        self.add(
            name,
            libc::S_IFDIR | (mode & (0o777 | libc::S_ISVTX)),
            who,
            0,
            Data::Dir(Mutex::default()),
        )
        .map(drop)
    }

    fn mknod(&self, name: &[u8], mode: u32, rdev: u64, who: Creator) -> SysResult<()> {
        match Kind::from_mode(mode) {
            Kind::File => self.new_file(name, mode, who).map(drop),
            Kind::Char | Kind::Block | Kind::Fifo | Kind::Socket => {
                let data = if Kind::from_mode(mode) == Kind::Fifo {
                    Data::Host(HostNode::fifo()?)
                } else {
                    Data::Special
                };
                let child = self.add(name, mode, who, rdev, data)?;
                child.register_host();
                Ok(())
            }
            _ => Err(Errno::EINVAL),
        }
    }

    fn symlink(&self, name: &[u8], target: &[u8], who: Creator) -> SysResult<()> {
        self.add(
            name,
            libc::S_IFLNK | 0o777,
            who,
            0,
            Data::Symlink(target.to_vec()),
        )
        .map(drop)
    }

    fn link(&self, name: &[u8], target: &Arc<dyn Inode>) -> SysResult<()> {
        Self::check_name(name)?;
        let t = target
            .as_any()
            .downcast_ref::<TmpInode>()
            .ok_or(Errno::EXDEV)?;
        if !Arc::ptr_eq(&t.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        if matches!(t.data, Data::Dir(_)) {
            return Err(Errno::EPERM);
        }
        let t = t.me.upgrade().ok_or(Errno::ENOENT)?;
        let mut e = self.entries()?;
        if e.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        if self.removed() {
            return Err(Errno::ENOENT);
        }
        if t.meta.lock().expect("tmpfs lock").nlink == 0 {
            return Err(Errno::ENOENT);
        }
        t.meta.lock().expect("tmpfs lock").nlink += 1;
        t.meta.lock().expect("tmpfs lock").ctime = now();
        e.insert(name.to_vec(), t);
        drop(e);
        self.touch();
        Ok(())
    }

    fn unlink(&self, name: &[u8]) -> SysResult<()> {
        Self::check_name(name)?;
        let mut e = self.entries()?;
        let c = e.get(name).ok_or(Errno::ENOENT)?;
        if matches!(c.data, Data::Dir(_)) {
            return Err(Errno::EISDIR);
        }
        let c = e.remove(name).expect("present");
        drop(e);
        let mut m = c.meta.lock().expect("tmpfs lock");
        m.nlink = m.nlink.saturating_sub(1);
        m.ctime = now();
        drop(m);
        self.touch();
        Ok(())
    }

    fn rmdir(&self, name: &[u8]) -> SysResult<()> {
        Self::check_name(name)?;
        let mut e = self.entries()?;
        let c = e.get(name).ok_or(Errno::ENOENT)?;
        if !c.entries()?.is_empty() {
            return Err(Errno::ENOTEMPTY);
        }
        let c = e.remove(name).expect("present");
        drop(e);
        c.set_removed();
        self.meta.lock().expect("tmpfs lock").nlink -= 1;
        self.touch();
        Ok(())
    }

    fn rename(
        &self,
        name: &[u8],
        new_dir: &Arc<dyn Inode>,
        new_name: &[u8],
        flags: u32,
    ) -> SysResult<()> {
        Self::check_name(name)?;
        Self::check_name(new_name)?;
        let nd = new_dir
            .as_any()
            .downcast_ref::<TmpInode>()
            .ok_or(Errno::EXDEV)?;
        if !Arc::ptr_eq(&nd.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        let same = std::ptr::eq(nd, self);
        let child = self.entries()?.get(name).cloned().ok_or(Errno::ENOENT)?;
        let target = nd.entries()?.get(new_name).cloned();
        if flags & libc::RENAME_NOREPLACE != 0 && target.is_some() {
            return Err(Errno::EEXIST);
        }
        if nd.removed() {
            return Err(Errno::ENOENT);
        }
        let is_dir = child.is_dir();
        if flags & libc::RENAME_EXCHANGE != 0 {
            let t = target.ok_or(Errno::ENOENT)?;
            if Arc::ptr_eq(&t, &child) {
                return Ok(());
            }
            if (is_dir && is_ancestor(&child, nd)) || (t.is_dir() && is_ancestor(&t, self)) {
                return Err(Errno::EINVAL);
            }
            self.entries()?.insert(name.to_vec(), t.clone());
            nd.entries()?.insert(new_name.to_vec(), child.clone());
            t.set_parent(self, name);
            child.set_parent(nd, new_name);
            if !same && is_dir != t.is_dir() {
                let (gain, lose) = if is_dir { (nd, self) } else { (self, nd) };
                gain.meta.lock().expect("tmpfs lock").nlink += 1;
                lose.meta.lock().expect("tmpfs lock").nlink -= 1;
            }
            let t_now = now();
            child.meta.lock().expect("tmpfs lock").ctime = t_now;
            t.meta.lock().expect("tmpfs lock").ctime = t_now;
            self.touch();
            nd.touch();
            return Ok(());
        }
        if is_dir && is_ancestor(&child, nd) {
            return Err(Errno::EINVAL);
        }
        if let Some(t) = &target {
            if Arc::ptr_eq(t, &child) {
                return Ok(());
            }
            match (t.is_dir(), is_dir) {
                (true, false) => return Err(Errno::EISDIR),
                (false, true) => return Err(Errno::ENOTDIR),
                (true, true) => {
                    if !t.entries()?.is_empty() {
                        return Err(Errno::ENOTEMPTY);
                    }
                    nd.meta.lock().expect("tmpfs lock").nlink -= 1;
                    t.set_removed();
                }
                (false, false) => {
                    let mut m = t.meta.lock().expect("tmpfs lock");
                    m.nlink = m.nlink.saturating_sub(1);
                    m.ctime = now();
                }
            }
        }
        self.entries()?.remove(name);
        nd.entries()?.insert(new_name.to_vec(), child.clone());
        child.set_parent(nd, new_name);
        if is_dir && !same {
            self.meta.lock().expect("tmpfs lock").nlink -= 1;
            nd.meta.lock().expect("tmpfs lock").nlink += 1;
        }
        child.meta.lock().expect("tmpfs lock").ctime = now();
        self.touch();
        nd.touch();
        Ok(())
    }

    fn setattr(&self, a: &SetAttr) -> SysResult<()> {
        if let Some(sz) = a.size {
            match &self.data {
                Data::File(fd) => host::ftruncate(fd.as_fd(), sz)?,
                Data::Dir(_) => return Err(Errno::EISDIR),
                _ => return Err(Errno::EINVAL),
            }
        }
        if let Data::File(fd) = &self.data {
            if a.atime.is_some() || a.mtime.is_some() {
                let ts = |t: Option<(i64, i64)>| {
                    let (s, n) = t.unwrap_or((0, libc::UTIME_OMIT));
                    libc::timespec {
                        tv_sec: s,
                        tv_nsec: n,
                    }
                };
                host::utimens_fd(fd.as_fd(), &[ts(a.atime), ts(a.mtime)])?;
            }
        }
        let mut m = self.meta.lock().expect("tmpfs lock");
        if let Some(mode) = a.mode {
            m.mode = (m.mode & libc::S_IFMT) | (mode & 0o7777);
        }
        if let Some(u) = a.uid {
            m.uid = u;
        }
        if let Some(g) = a.gid {
            m.gid = g;
        }
        if let Some(t) = a.atime {
            m.atime = t;
        }
        if let Some(t) = a.mtime {
            m.mtime = t;
        }
        m.ctime = now();
        Ok(())
    }

    fn statfs(&self) -> SysResult<StatFs> {
        let fs = &self.fs;
        let used = fs
            .root
            .get()
            .and_then(Weak::upgrade)
            .map_or(0, |r| r.pages_below(&mut std::collections::HashSet::new()));
        let inodes = fs.inodes.load(Ordering::Relaxed);
        // An unlimited size or inode count shows as 0, as on Linux.
        let free = |max: u64, used: u64| {
            if max == 0 {
                0
            } else {
                max.saturating_sub(used)
            }
        };
        Ok(StatFs {
            fs_type: 0x0102_1994, // TMPFS_MAGIC
            bsize: PAGE as i64,
            blocks: fs.max_blocks,
            bfree: free(fs.max_blocks, used),
            bavail: free(fs.max_blocks, used),
            files: fs.max_inodes,
            ffree: free(fs.max_inodes, inodes),
            namelen: 255,
            frsize: PAGE as i64,
            flags: 0,
        })
    }

    fn whereabouts(&self) -> Option<Whereabouts> {
        if !self.is_dir() {
            return None;
        }
        let mut names = Vec::new();
        let mut inodes: Vec<Arc<dyn Inode>> = Vec::new();
        let mut removed = false;
        let mut cur = self.me.upgrade()?;
        loop {
            removed |= cur.removed();
            let up = cur.parent.lock().expect("tmpfs lock").clone();
            let Some((p, name)) = up else { break };
            names.push(name);
            inodes.push(cur.clone());
            cur = p.upgrade()?;
        }
        names.reverse();
        inodes.reverse();
        Some(Whereabouts {
            names,
            inodes: Some(inodes),
            removed,
        })
    }

    fn host_node(&self) -> Option<(BorrowedFd<'_>, &[u8])> {
        match &self.data {
            Data::Host(n) => Some((n.dir.as_fd(), &n.name)),
            _ => None,
        }
    }

    fn add_socket(&self, name: &[u8], mode: u32, who: Creator, node: HostNode) -> SysResult<()> {
        self.add_socket_node(name, mode, who, node)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Drop for TmpInode {
    fn drop(&mut self) {
        self.fs.inodes.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Whether directory `a` is `d` or one of its ancestors.
fn is_ancestor(a: &Arc<TmpInode>, d: &TmpInode) -> bool {
    let mut cur = d.me.upgrade();
    while let Some(c) = cur {
        if Arc::ptr_eq(&c, a) {
            return true;
        }
        cur = c
            .parent
            .lock()
            .expect("tmpfs lock")
            .as_ref()
            .and_then(|(p, _)| p.upgrade());
    }
    false
}
