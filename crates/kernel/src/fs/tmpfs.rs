//! tmpfs: a filesystem in ruml's memory. Regular files are host memfds that
//! ruml owns; the guest gets its own open file description of the memfd
//! (through /proc/self/fd), so reads, writes and mmap run natively.

use crate::errno::{Errno, SysResult};
use crate::fs::devices;
use crate::vfs::{self, Caller, Creator, DirEntry, Inode, Kind, SetAttr, Stat, StatFs};
use ruml_platform::host;
use std::any::Any;
use std::collections::BTreeMap;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

static NEXT_DEV: AtomicU64 = AtomicU64::new(0x20);

/// One tmpfs instance.
pub struct TmpFs {
    dev: u64,
    next_ino: AtomicU64,
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
    Special,
}

/// A tmpfs object.
pub struct TmpInode {
    fs: Arc<TmpFs>,
    me: Weak<TmpInode>,
    ino: u64,
    meta: Mutex<Meta>,
    data: Data,
}

fn now() -> (i64, i64) {
    let ns = host::clock_ns(libc::CLOCK_REALTIME);
    ((ns / 1_000_000_000) as i64, (ns % 1_000_000_000) as i64)
}

/// A new, empty tmpfs; returns its root directory.
pub fn new(mode: u32) -> Arc<TmpInode> {
    let fs = Arc::new(TmpFs {
        dev: NEXT_DEV.fetch_add(1, Ordering::Relaxed),
        next_ino: AtomicU64::new(1),
    });
    TmpInode::new(
        &fs,
        libc::S_IFDIR | (mode & 0o7777),
        Creator { uid: 0, gid: 0 },
        0,
        Data::Dir(Mutex::default()),
    )
}

impl TmpInode {
    fn new(fs: &Arc<TmpFs>, mode: u32, who: Creator, rdev: u64, data: Data) -> Arc<TmpInode> {
        let t = now();
        let dir = mode & libc::S_IFMT == libc::S_IFDIR;
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
        })
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
        let mut e = self.entries()?;
        if e.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        let child = TmpInode::new(&self.fs, mode, who, rdev, data);
        if mode & libc::S_IFMT == libc::S_IFDIR {
            self.meta.lock().expect("tmpfs lock").nlink += 1;
        }
        e.insert(name.to_vec(), child.clone());
        drop(e);
        self.touch();
        Ok(child)
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
                let st = host::fstatat(fd.as_fd(), b"", 0)?;
                s.size = st.st_size;
                s.blocks = st.st_blocks;
                if (st.st_mtime, st.st_mtime_nsec) > s.mtime {
                    s.mtime = (st.st_mtime, st.st_mtime_nsec);
                }
                if (st.st_ctime, st.st_ctime_nsec) > s.ctime {
                    s.ctime = (st.st_ctime, st.st_ctime_nsec);
                }
            }
            Data::Symlink(t) => s.size = t.len() as i64,
            Data::Dir(d) => s.size = 40 + 20 * d.lock().expect("tmpfs lock").len() as i64,
            Data::Special => {}
        }
        Ok(s)
    }

    fn kind(&self) -> Kind {
        Kind::from_mode(self.meta.lock().expect("tmpfs lock").mode)
    }

    fn lookup(&self, _cx: &Caller<'_>, name: &[u8]) -> SysResult<Arc<dyn Inode>> {
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

    fn open(&self, _cx: &Caller<'_>, flags: i32) -> SysResult<OwnedFd> {
        match &self.data {
            Data::File(fd) => Ok(host::reopen(
                fd.as_fd(),
                flags & !(libc::O_NOCTTY | libc::O_DIRECTORY),
            )?),
            Data::Dir(_) => Err(Errno::EISDIR),
            Data::Symlink(_) => Err(Errno::ELOOP),
            Data::Special => {
                let m = *self.meta.lock().expect("tmpfs lock");
                match Kind::from_mode(m.mode) {
                    Kind::Char => devices::open_char(m.rdev, flags),
                    Kind::Fifo => Err(Errno::ENXIO),
                    _ => Err(Errno::ENXIO),
                }
            }
        }
    }

    fn readdir(&self, _cx: &Caller<'_>) -> SysResult<Vec<DirEntry>> {
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
            libc::S_IFDIR | (mode & 0o7777),
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
                self.add(name, mode, who, rdev, Data::Special).map(drop)
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
        t.meta.lock().expect("tmpfs lock").nlink += 1;
        t.meta.lock().expect("tmpfs lock").ctime = now();
        e.insert(name.to_vec(), t);
        drop(e);
        self.touch();
        Ok(())
    }

    fn unlink(&self, name: &[u8]) -> SysResult<()> {
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
        let mut e = self.entries()?;
        let c = e.get(name).ok_or(Errno::ENOENT)?;
        if !c.entries()?.is_empty() {
            return Err(Errno::ENOTEMPTY);
        }
        e.remove(name);
        drop(e);
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
        let nd = new_dir
            .as_any()
            .downcast_ref::<TmpInode>()
            .ok_or(Errno::EXDEV)?;
        if !Arc::ptr_eq(&nd.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        let same = std::ptr::eq(nd, self);
        let child = self.entries()?.get(name).cloned().ok_or(Errno::ENOENT)?;
        let is_dir = matches!(child.data, Data::Dir(_));
        if is_dir && is_ancestor(&child, nd) {
            return Err(Errno::EINVAL);
        }
        {
            let target = nd.entries()?.get(new_name).cloned();
            if let Some(t) = &target {
                if Arc::ptr_eq(t, &child) {
                    return Ok(());
                }
                if flags & libc::RENAME_NOREPLACE != 0 {
                    return Err(Errno::EEXIST);
                }
                match (&t.data, is_dir) {
                    (Data::Dir(_), false) => return Err(Errno::EISDIR),
                    (Data::Dir(d), true) if !d.lock().expect("tmpfs lock").is_empty() => {
                        return Err(Errno::ENOTEMPTY)
                    }
                    (Data::Dir(_), true) => nd.meta.lock().expect("tmpfs lock").nlink -= 1,
                    (_, true) => return Err(Errno::ENOTDIR),
                    _ => {}
                }
                let mut m = t.meta.lock().expect("tmpfs lock");
                m.nlink = m.nlink.saturating_sub(1);
            }
        }
        self.entries()?.remove(name);
        nd.entries()?.insert(new_name.to_vec(), child.clone());
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
        Ok(StatFs {
            fs_type: 0x0102_1994, // TMPFS_MAGIC
            bsize: 4096,
            blocks: 0,
            bfree: 0,
            bavail: 0,
            files: 0,
            ffree: 0,
            namelen: 255,
            frsize: 4096,
            flags: 0,
        })
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn is_ancestor(a: &Arc<TmpInode>, d: &TmpInode) -> bool {
    if std::ptr::eq(a.as_ref(), d) {
        return true;
    }
    if let Data::Dir(e) = &a.data {
        return e
            .lock()
            .expect("tmpfs lock")
            .values()
            .any(|c| matches!(c.data, Data::Dir(_)) && is_ancestor(c, d));
    }
    false
}
