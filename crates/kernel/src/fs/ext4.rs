//! ext4 (and ext2, ext3) on a ubd disk, read-write, through the rsext4
//! crate; ruml keeps the VFS and the page cache.
//!
//! Metadata calls (lookup, create, rename, setattr...) go to rsext4 at once.
//! File data lives in ruml's page cache: one host memfd per open regular
//! file, filled from the image on first open. The guest gets its own open
//! file description of it (as for tmpfs), so read, write and mmap run
//! natively. Dirty data goes back to the image on fsync, sync, syncfs,
//! unmount and shutdown (comparing the memfd with the image chunk by chunk,
//! so even writes through shared mappings are seen), and every few seconds
//! for files whose memfd's size or mtime moved. rsext4 journals metadata;
//! the kernel commits the journal every [`COMMIT_OPS`] changes, every
//! [`COMMIT_EVERY`], and on every sync.

use crate::block;
use crate::errno::{Errno, SysResult};
use crate::fs::devices;
use crate::fs::tmpfs::HostNode;
use crate::vfs::{self, Caller, Creator, DirEntry, Inode, Kind, SetAttr, Stat, StatFs};
use rsext4::{
    BlockIo, Clock, DeviceCapabilities, DeviceGeometry, DeviceNumber, DirectoryCursor,
    DirectoryEntryType, EntropySource, Ext4, Ext4Error, Ext4ErrorKind, Ext4Result, Ext4Timestamp,
    FileExtentState, FileExtentTarget, FileName, FilePermissions, InodeInfo, InodeMetadataUpdate,
    InodeNumber, MountOptions, MountServices, MountedServices, MutationContext, NoopObserver,
    RenameOptions, SectorId, SpecialInodeKind,
};
use ruml_platform::host;
use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

/// Commit the journal after this many changes...
pub const COMMIT_OPS: u32 = 512;
/// ...or this long after the first uncommitted one (Linux's commit=5).
pub const COMMIT_EVERY: Duration = Duration::from_secs(5);
/// Unit of data write-back and comparison.
const CHUNK: usize = 1 << 20;
/// The nanoseconds ruml gives a clean memfd's mtime: a write by the guest
/// sets the host's (coarse) clock there, which is never this, so a clean
/// file whose data changed is told from one that did not even within one
/// clock tick.
const CLEAN_NSEC: i64 = 1;
const EXT4_SUPER_MAGIC: i64 = 0xEF53;

struct Dev(Arc<block::Disk>);

fn io_err(_: std::io::Error) -> Ext4Error {
    Ext4Error::io()
}

impl BlockIo for Dev {
    fn write(&mut self, buf: &[u8], sector: SectorId, _count: u32) -> Ext4Result<()> {
        let mut d = self.0.dev.lock().expect("disk");
        d.write_at(buf, sector.raw() * 512).map_err(io_err)
    }
    fn read(&mut self, buf: &mut [u8], sector: SectorId, _count: u32) -> Ext4Result<()> {
        let d = self.0.dev.lock().expect("disk");
        d.read_at(buf, sector.raw() * 512).map_err(io_err)
    }
    fn geometry(&self) -> DeviceGeometry {
        DeviceGeometry::new(512, self.0.size() / 512)
    }
    fn capabilities(&self) -> DeviceCapabilities {
        DeviceCapabilities {
            flush: true,
            read_only: !self.0.dev.lock().expect("disk").writable(),
            ..Default::default()
        }
    }
    fn flush(&mut self) -> Ext4Result<()> {
        self.0.dev.lock().expect("disk").flush().map_err(io_err)
    }
}

struct HostClock;
impl Clock for HostClock {
    fn now(&self) -> Ext4Result<Ext4Timestamp> {
        let ns = host::clock_ns(libc::CLOCK_REALTIME);
        Ok(Ext4Timestamp::new(
            (ns / 1_000_000_000) as i64,
            (ns % 1_000_000_000) as u32,
        ))
    }
}

/// Random bytes for new directory hash seeds and UUIDs.
struct HostRandom;
impl EntropySource for HostRandom {
    fn fill_bytes(&mut self, out: &mut [u8]) -> Ext4Result<()> {
        use std::io::Read;
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(out))
            .map_err(io_err)
    }
}

type Fs = Ext4<Dev, MountedServices<HostRandom, NoopObserver, ()>>;

fn errno(e: Ext4Error) -> Errno {
    use Ext4ErrorKind as K;
    match e.kind() {
        K::NotFound => Errno::ENOENT,
        K::AlreadyExists => Errno::EEXIST,
        K::NotDirectory => Errno::ENOTDIR,
        K::IsDirectory => Errno::EISDIR,
        K::NotEmpty => Errno::ENOTEMPTY,
        K::NoSpace => Errno::ENOSPC,
        K::ReadOnly => Errno::EROFS,
        K::TooManyLinks => Errno::EMLINK,
        K::PermissionDenied => Errno::EPERM,
        K::Busy => Errno::EBUSY,
        K::InvalidInput => Errno::EINVAL,
        K::Overflow => Errno::EOVERFLOW,
        K::FileTooLarge => Errno::EFBIG,
        K::NoMemory => Errno::ENOMEM,
        K::QuotaExceeded => Errno::EDQUOT,
        K::BadFileDescriptor => Errno::EBADF,
        K::Unsupported | K::UnsupportedFeature | K::UnsupportedCapability => Errno::EOPNOTSUPP,
        _ => {
            crate::kernel::host_log(&format!("ext4: I/O error: {e:?}\n"));
            Errno::EIO
        }
    }
}

trait Ext4ResultExt<T> {
    fn sys(self) -> SysResult<T>;
}
impl<T> Ext4ResultExt<T> for Ext4Result<T> {
    fn sys(self) -> SysResult<T> {
        self.map_err(errno)
    }
}

fn name(n: &[u8]) -> SysResult<FileName<'_>> {
    if n.len() > 255 {
        return Err(Errno::ENAMETOOLONG);
    }
    FileName::new(n).map_err(|_| Errno::EINVAL)
}

fn perms(mode: u32) -> SysResult<FilePermissions> {
    FilePermissions::new((mode & 0o7777) as u16).map_err(|_| Errno::EINVAL)
}

fn ctx(who: Creator) -> MutationContext {
    MutationContext::new(who.uid, who.gid, 0, 0)
}

fn kind_of(t: DirectoryEntryType) -> Kind {
    match t {
        DirectoryEntryType::Directory => Kind::Dir,
        DirectoryEntryType::Symlink => Kind::Symlink,
        DirectoryEntryType::CharacterDevice => Kind::Char,
        DirectoryEntryType::BlockDevice => Kind::Block,
        DirectoryEntryType::Fifo => Kind::Fifo,
        DirectoryEntryType::Socket => Kind::Socket,
        DirectoryEntryType::RegularFile | DirectoryEntryType::Unknown => Kind::File,
    }
}

fn ts(t: (i64, i64)) -> Ext4Timestamp {
    Ext4Timestamp::new(t.0, t.1 as u32)
}

/// What a memfd looked like when it last matched the image.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Stamp {
    size: i64,
    mtime: (i64, i64),
}

fn stamp_of(fd: &OwnedFd) -> SysResult<Stamp> {
    let st = host::fstatat(fd.as_fd(), b"", libc::AT_EMPTY_PATH)?;
    Ok(Stamp {
        size: st.st_size,
        mtime: (st.st_mtime, st.st_mtime_nsec),
    })
}

/// A cached file: its data in a memfd.
struct Cached {
    /// Held read-only (see `evict`).
    memfd: OwnedFd,
    clean: Stamp,
    /// What the periodic write-back saw last time, and since when the data
    /// has been dirty: a file still being written is left alone (one
    /// write-back when it settles, not one per second) unless it has been
    /// dirty for [`DIRTY_EXPIRE`].
    seen: Option<Stamp>,
    dirty_since: Option<Instant>,
    /// Keeps the inode (and so the registry entry for the memfd) alive.
    _inode: Arc<Ext4Inode>,
}

struct Inner {
    fs: Option<Fs>,
    cache: HashMap<u32, Cached>,
    /// Inodes with no names left that are cached (maybe open): freed when
    /// the cache lets them go.
    orphans: HashSet<u32>,
    live: HashMap<u32, Weak<Ext4Inode>>,
    /// Host FIFOs and bound sockets standing for FIFO and socket inodes,
    /// kept while their inodes have names (see `tmpfs::HostNode`).
    nodes: HashMap<u32, Arc<HostNode>>,
    read_only: bool,
    /// Size of `live` at which dead entries are swept.
    live_limit: usize,
    ops: u32,
    first_change: Option<Instant>,
    block_size: i64,
}

impl Inner {
    fn fs(&mut self) -> SysResult<&mut Fs> {
        self.fs.as_mut().ok_or(Errno::EIO)
    }

    /// Counts a change; commits the journal when enough are pending.
    fn changed(&mut self) -> SysResult<()> {
        self.ops += 1;
        let first = *self.first_change.get_or_insert_with(Instant::now);
        if self.ops >= COMMIT_OPS || first.elapsed() >= COMMIT_EVERY {
            self.commit()?;
        }
        Ok(())
    }

    fn commit(&mut self) -> SysResult<()> {
        self.ops = 0;
        self.first_change = None;
        self.fs()?.sync().sys()
    }

    /// Writes inode `ino`'s cached data back to the image if it changed
    /// (`force`: compare the data even if size and mtime did not move).
    fn write_back(&mut self, ino: u32, force: bool) -> SysResult<()> {
        let Some(c) = self.cache.get(&ino) else {
            return Ok(());
        };
        if self.orphans.contains(&ino) {
            return Ok(());
        }
        let now = stamp_of(&c.memfd)?;
        if !force && now == c.clean {
            return Ok(());
        }
        let memfd = c.memfd.try_clone()?;
        let n = InodeNumber::new(ino).map_err(errno)?;
        let fs = self.fs()?;
        let old = fs.inode(n).sys()?.size;
        let size = now.size.max(0) as u64;
        if size < old {
            fs.truncate_inode(n, size).sys()?;
        }
        let buf_len = CHUNK.min(size as usize);
        let mut mine = vec![0u8; buf_len];
        let mut theirs = vec![0u8; buf_len];
        let mut off = 0u64;
        let mut writes = 0;
        while off < size {
            let len = CHUNK.min((size - off) as usize);
            let got = host::pread(memfd.as_fd(), &mut mine[..len], off as i64)?;
            mine[got..len].fill(0);
            let same = if off < old.min(size) {
                let mut k = 0;
                while k < len {
                    match fs
                        .read_inode(n, off + k as u64, &mut theirs[k..len])
                        .sys()?
                    {
                        0 => break,
                        r => k += r,
                    }
                }
                theirs[k..len].fill(0);
                mine[..len] == theirs[..len]
            } else {
                // Past the old end, what the guest never wrote (a hole of
                // the memfd) stays a hole; written zeros are written.
                host::seek_data(memfd.as_fd(), off as i64)?
                    .is_none_or(|d| d >= (off + len as u64) as i64)
            };
            if !same {
                fs.write_inode(n, off, &mine[..len]).sys()?;
                writes += 1;
            }
            off += len as u64;
        }
        if fs.inode(n).sys()?.size != size {
            fs.truncate_inode(n, size).sys()?;
        }
        // The image gets the file's mtime; the memfd is marked clean.
        let mtime = (now.mtime.0, 0);
        fs.update_inode_metadata(
            n,
            InodeMetadataUpdate {
                mtime: Some(ts(mtime)),
                ..Default::default()
            },
        )
        .sys()?;
        let clean = mark_clean(&memfd, mtime.0, size as i64)?;
        if let Some(c) = self.cache.get_mut(&ino) {
            c.clean = clean;
        }
        for _ in 0..writes.max(1) {
            self.changed()?;
        }
        Ok(())
    }

    /// The periodic write-back: files whose data moved and then settled
    /// (same size and mtime as a second ago), or have been dirty long.
    fn write_back_settled(&mut self) {
        let mut due = Vec::new();
        for (&ino, c) in self.cache.iter_mut() {
            let Ok(now) = stamp_of(&c.memfd) else {
                continue;
            };
            if now == c.clean {
                c.seen = None;
                c.dirty_since = None;
                continue;
            }
            let since = *c.dirty_since.get_or_insert_with(Instant::now);
            if c.seen == Some(now) || since.elapsed() >= DIRTY_EXPIRE {
                due.push(ino);
            }
            c.seen = Some(now);
        }
        for ino in due {
            let _ = self.write_back(ino, false);
            if let Some(c) = self.cache.get_mut(&ino) {
                c.seen = None;
                c.dirty_since = None;
            }
        }
    }

    fn write_back_all(&mut self, force: bool) -> SysResult<()> {
        let inos: Vec<u32> = self.cache.keys().copied().collect();
        let mut first_err = Ok(());
        for ino in inos {
            if let Err(e) = self.write_back(ino, force) {
                if first_err.is_ok() {
                    first_err = Err(e);
                }
            }
        }
        first_err
    }

    /// Drops a cached file no guest holds; one without names is freed.
    fn let_go(&mut self, ino: u32) {
        self.cache.remove(&ino);
        if self.orphans.remove(&ino) {
            if let (Ok(n), Ok(fs)) = (InodeNumber::new(ino), self.fs()) {
                let _ = fs.reap_unlinked_inode(n);
                let _ = self.changed();
            }
        }
    }

    /// Keeps the number of cached files below a share of ruml's descriptor
    /// limit (each holds a memfd): when it is reached, files no guest has
    /// open are written back if dirty and let go, down to three quarters.
    fn make_room(&mut self) {
        let limit = (host::nofile_limit() as usize / 4).clamp(64, 1 << 16);
        if self.cache.len() < limit {
            return;
        }
        let target = limit * 3 / 4;
        let inos: Vec<u32> = self.cache.keys().copied().collect();
        for ino in inos {
            if self.cache.len() <= target {
                break;
            }
            let unused = self
                .cache
                .get(&ino)
                .is_some_and(|c| host::sole_opener(c.memfd.as_fd()));
            if !unused {
                continue;
            }
            if self.orphans.contains(&ino) || self.write_back(ino, false).is_ok() {
                self.let_go(ino);
            }
        }
    }

    /// Lets go of cached files no guest has open (or mapped): removed ones
    /// always (their blocks are freed then), clean ones, largest first,
    /// while the cache holds more than `budget` bytes.
    fn evict(&mut self, budget: u64) {
        let unused = |c: &Cached| host::sole_opener(c.memfd.as_fd());
        let orphans: Vec<u32> = self
            .orphans
            .iter()
            .copied()
            .filter(|o| self.cache.get(o).is_some_and(unused))
            .collect();
        for o in orphans {
            self.let_go(o);
        }
        let mut sizes: Vec<(u64, u32)> = self
            .cache
            .iter()
            .filter_map(|(&ino, c)| {
                let st = host::fstatat(c.memfd.as_fd(), b"", libc::AT_EMPTY_PATH).ok()?;
                Some((st.st_blocks as u64 * 512, ino))
            })
            .collect();
        let mut total: u64 = sizes.iter().map(|s| s.0).sum();
        if total <= budget {
            return;
        }
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        for (size, ino) in sizes {
            if total <= budget / 2 {
                break;
            }
            let Some(c) = self.cache.get(&ino) else {
                continue;
            };
            if stamp_of(&c.memfd).is_ok_and(|s| s == c.clean) && unused(c) {
                self.cache.remove(&ino);
                total -= size;
            }
        }
    }

    /// Frees an inode that lost its last name, now or when its cached
    /// data is let go.
    fn unlinked(&mut self, ino: InodeNumber) -> SysResult<()> {
        self.nodes.remove(&ino.raw());
        if self.cache.contains_key(&ino.raw()) {
            self.orphans.insert(ino.raw());
            return Ok(());
        }
        self.fs()?.reap_unlinked_inode(ino).sys()
    }
}

/// Sets a memfd's mtime to (`sec`, [`CLEAN_NSEC`]) and returns its stamp.
fn mark_clean(fd: &OwnedFd, sec: i64, size: i64) -> SysResult<Stamp> {
    let omit = libc::timespec {
        tv_sec: 0,
        tv_nsec: libc::UTIME_OMIT,
    };
    let m = libc::timespec {
        tv_sec: sec,
        tv_nsec: CLEAN_NSEC,
    };
    host::utimens_fd(fd.as_fd(), &[omit, m])?;
    Ok(Stamp {
        size,
        mtime: (sec, CLEAN_NSEC),
    })
}

/// One mounted ext filesystem.
pub struct Ext4Fs {
    disk: Arc<block::Disk>,
    inner: Mutex<Inner>,
}

/// Every mounted ext4 filesystem, for the periodic write-back.
static MOUNTED: Mutex<Vec<Weak<Ext4Fs>>> = Mutex::new(Vec::new());

/// Why a disk cannot be mounted.
#[derive(Debug)]
pub struct MountError {
    pub errno: Errno,
    /// The kernel's log line for it.
    pub message: String,
}

/// Reads a disk's ext2/3/4 superblock: (block size, block count), or None
/// when there is no ext superblock.
fn probe(disk: &block::Disk) -> std::io::Result<Option<(u64, u64)>> {
    let mut sb = [0u8; 1024];
    if disk.size() < 2048 {
        return Ok(None);
    }
    disk.dev.lock().expect("disk").read_at(&mut sb, 1024)?;
    if u16::from_le_bytes([sb[56], sb[57]]) != 0xEF53 {
        return Ok(None);
    }
    let log = u32::from_le_bytes(sb[24..28].try_into().expect("4 bytes"));
    if log > 6 {
        return Ok(None);
    }
    let bs = 1024u64 << log;
    let lo = u32::from_le_bytes(sb[4..8].try_into().expect("4 bytes")) as u64;
    let incompat = u32::from_le_bytes(sb[96..100].try_into().expect("4 bytes"));
    let hi = if incompat & 0x80 != 0 {
        u32::from_le_bytes(sb[0x150..0x154].try_into().expect("4 bytes")) as u64
    } else {
        0
    };
    Ok(Some((bs, lo | (hi << 32))))
}

/// Mounts the ext filesystem on `disk`; returns its root directory.
pub fn mount(disk: Arc<block::Disk>, read_only: bool) -> Result<Arc<Ext4Inode>, MountError> {
    let fail = |errno: Errno, message: String| MountError { errno, message };
    let name = disk.name.clone();
    let (bs, blocks) = match probe(&disk) {
        Ok(Some(g)) => g,
        Ok(None) => {
            return Err(fail(
                Errno::EINVAL,
                format!("EXT4-fs ({name}): VFS: Can't find ext4 filesystem"),
            ))
        }
        Err(e) => return Err(fail(Errno::EIO, format!("{name}: read error: {e}"))),
    };
    let dev_blocks = disk.size() / bs;
    if blocks > dev_blocks {
        return Err(fail(
            Errno::EINVAL,
            format!(
                "EXT4-fs ({name}): bad geometry: block count {blocks} exceeds size of device ({dev_blocks} blocks)"
            ),
        ));
    }
    let writable = disk.dev.lock().expect("disk").writable();
    if !read_only && !writable {
        return Err(fail(
            Errno::EACCES,
            format!("{name}: write-protected, mount read-only"),
        ));
    }
    {
        let mut m = disk.mounted.lock().expect("disk");
        if *m {
            return Err(fail(Errno::EBUSY, format!("{name}: already mounted")));
        }
        *m = true;
    }
    // As Linux, a read-only mount still replays the journal when the disk
    // is writable (so it can be remounted read-write later).
    let options = match (read_only, writable) {
        (false, _) => MountOptions::read_write(),
        (true, true) => MountOptions {
            readonly: true,
            ..MountOptions::read_write()
        },
        (true, false) => MountOptions::read_only_no_journal_replay(),
    };
    let services = MountServices::new(HostClock, HostRandom, NoopObserver);
    let fs = match Ext4::mount(Dev(disk.clone()), services, options) {
        Ok(fs) => fs,
        Err(e) => {
            *disk.mounted.lock().expect("disk") = false;
            let errno = match e.kind() {
                Ext4ErrorKind::Io => Errno::EIO,
                _ => Errno::EINVAL,
            };
            return Err(fail(
                errno,
                format!("EXT4-fs ({name}): cannot mount: {e:?}"),
            ));
        }
    };
    let root_no = fs.root_inode();
    let fs = Arc::new(Ext4Fs {
        disk,
        inner: Mutex::new(Inner {
            fs: Some(fs),
            cache: HashMap::new(),
            orphans: HashSet::new(),
            live: HashMap::new(),
            nodes: HashMap::new(),
            live_limit: 4096,
            read_only,
            ops: 0,
            first_change: None,
            block_size: bs as i64,
        }),
    });
    MOUNTED.lock().expect("ext4").push(Arc::downgrade(&fs));
    let root = fs.inode_arc(&mut fs.lock(), root_no.raw(), Kind::Dir);
    Ok(root)
}

/// How often the periodic work runs.
const WRITEBACK_EVERY: Duration = Duration::from_secs(1);
/// A file dirty this long is written back even while still being written
/// (Linux's dirty_expire_centisecs is 30 s).
const DIRTY_EXPIRE: Duration = Duration::from_secs(10);

/// The periodic work (from the kernel's tick, at most once a second):
/// write back files whose data moved, commit the journal when a commit is
/// due, and let go of cached files nobody has open while the cache holds
/// more than `budget` bytes.
pub fn tick(budget: u64) {
    static LAST: Mutex<Option<Instant>> = Mutex::new(None);
    {
        let mut last = LAST.lock().expect("ext4 tick");
        if last.is_some_and(|t| t.elapsed() < WRITEBACK_EVERY) {
            return;
        }
        *last = Some(Instant::now());
    }
    let all: Vec<Arc<Ext4Fs>> = {
        let mut m = MOUNTED.lock().expect("ext4");
        m.retain(|w| w.strong_count() > 0);
        m.iter().filter_map(Weak::upgrade).collect()
    };
    for fs in all {
        let mut g = fs.lock();
        if g.fs.is_none() || g.read_only {
            continue;
        }
        g.write_back_settled();
        g.evict(budget);
        if g.first_change.is_some_and(|t| t.elapsed() >= COMMIT_EVERY) {
            let _ = g.commit();
        }
    }
}

impl Ext4Fs {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().expect("ext4")
    }

    fn inode_arc(self: &Arc<Self>, g: &mut Inner, ino: u32, kind: Kind) -> Arc<Ext4Inode> {
        if let Some(i) = g.live.get(&ino).and_then(Weak::upgrade) {
            return i;
        }
        if g.live.len() > g.live_limit {
            g.live.retain(|_, w| w.strong_count() > 0);
            g.live_limit = (g.live.len() * 2).max(4096);
        }
        let node = std::sync::OnceLock::new();
        if let Some(n) = g.nodes.get(&ino) {
            let _ = node.set(n.clone());
        }
        let i = Arc::new_cyclic(|me| Ext4Inode {
            fs: self.clone(),
            me: me.clone(),
            ino,
            kind,
            node,
        });
        g.live.insert(ino, Arc::downgrade(&i));
        i
    }

    /// Writes everything back and commits.
    fn sync(&self) -> SysResult<()> {
        let mut g = self.lock();
        if g.fs.is_none() || g.read_only {
            return Ok(());
        }
        let r = g.write_back_all(true);
        g.commit()?;
        r
    }

    /// Switches between read-only and read-write.
    fn remount(&self, read_only: bool) -> SysResult<()> {
        let mut g = self.lock();
        if read_only {
            g.write_back_all(true)?;
            g.commit()?;
        } else if !self.disk.dev.lock().expect("disk").writable() {
            return Err(Errno::EACCES);
        }
        let options = MountOptions {
            readonly: read_only,
            ..MountOptions::read_write()
        };
        g.fs()?.remount(options).sys()?;
        g.read_only = read_only;
        Ok(())
    }

    /// Writes everything back, frees orphans and unmounts.
    fn unmount(&self) -> SysResult<()> {
        let mut g = self.lock();
        if g.fs.is_none() {
            return Ok(());
        }
        let read_only = g.read_only;
        let r = if read_only {
            Ok(())
        } else {
            g.write_back_all(true)
        };
        g.cache.clear();
        let orphans: Vec<u32> = g.orphans.drain().collect();
        for o in orphans {
            if let (Ok(n), false) = (InodeNumber::new(o), read_only) {
                let _ = g.fs()?.reap_unlinked_inode(n);
            }
        }
        let mut fs = g.fs.take().expect("mounted");
        let u = if read_only {
            Ok(())
        } else {
            fs.unmount().map_err(|e| {
                crate::kernel::host_log(&format!("ext4 ({}): unmount: {e:?}\n", self.disk.name));
                errno(e)
            })
        };
        *self.disk.mounted.lock().expect("disk") = false;
        r.and(u)
    }
}

/// An object of a mounted ext filesystem.
pub struct Ext4Inode {
    fs: Arc<Ext4Fs>,
    me: Weak<Ext4Inode>,
    ino: u32,
    kind: Kind,
    /// For FIFOs and bound sockets: the host object standing for it.
    node: std::sync::OnceLock<Arc<HostNode>>,
}

impl Ext4Inode {
    fn number(&self) -> SysResult<InodeNumber> {
        InodeNumber::new(self.ino).map_err(errno)
    }

    fn info(&self, g: &mut Inner) -> SysResult<InodeInfo> {
        let n = self.number()?;
        g.fs()?.inode(n).sys()
    }

    fn child(&self, g: &mut Inner, info: &InodeInfo) -> Arc<dyn Inode> {
        self.fs
            .inode_arc(g, info.number.raw(), kind_of(info.file_type()))
    }

    /// Fills `fd` with the file's data straight from the disk, in the host
    /// kernel, following the file's extents. Only when nothing is
    /// uncommitted (so every data block is on the disk); false when the
    /// file does not lend itself (inline data, too many extents).
    fn load_direct(
        &self,
        g: &mut Inner,
        n: InodeNumber,
        size: u64,
        fd: &OwnedFd,
    ) -> SysResult<bool> {
        if size == 0 {
            return Ok(true);
        }
        let map = g
            .fs()?
            .inode_extents(n, 0, size, FileExtentTarget::Data, 1 << 16)
            .sys()?;
        if !map.complete
            || map
                .extents
                .iter()
                .any(|e| e.state == FileExtentState::Inline)
        {
            return Ok(false);
        }
        let dev = self.fs.disk.dev.lock().expect("disk");
        for e in &map.extents {
            if e.state != FileExtentState::Initialized || e.logical_start >= size {
                continue;
            }
            let len = e.length.min(size - e.logical_start);
            dev.copy_to(fd.as_fd(), e.physical_start, len, e.logical_start)?;
        }
        Ok(true)
    }

    /// Fills `fd` with the file's data read through rsext4.
    fn load_through_fs(
        &self,
        g: &mut Inner,
        n: InodeNumber,
        size: u64,
        fd: &OwnedFd,
    ) -> SysResult<()> {
        let mut buf = vec![0u8; CHUNK.min(size as usize)];
        let mut off = 0u64;
        while off < size {
            let len = CHUNK.min((size - off) as usize);
            let mut k = 0;
            while k < len {
                match g
                    .fs()?
                    .read_inode(n, off + k as u64, &mut buf[k..len])
                    .sys()?
                {
                    0 => break,
                    r => k += r,
                }
            }
            buf[k..len].fill(0);
            // Zero chunks stay holes.
            if buf[..len].iter().any(|&b| b != 0) {
                host::pwrite(fd.as_fd(), &buf[..len], off as i64)?;
            }
            off += len as u64;
        }
        Ok(())
    }

    /// The cached data of this regular file, loaded on first use.
    fn memfd(&self, g: &mut Inner) -> SysResult<OwnedFd> {
        if let Some(c) = g.cache.get(&self.ino) {
            return Ok(c.memfd.try_clone()?);
        }
        g.make_room();
        let n = self.number()?;
        let info = g.fs()?.inode(n).sys()?;
        let fd = host::memfd("ext4")?;
        if !(g.ops == 0 && self.load_direct(g, n, info.size, &fd)?) {
            self.load_through_fs(g, n, info.size, &fd)?;
        }
        host::ftruncate(fd.as_fd(), info.size as i64)?;
        // The cache holds it read-only, so a write lease can tell when no
        // guest has it open (see `evict`).
        let fd = host::reopen(fd.as_fd(), libc::O_RDONLY)?;
        let clean = mark_clean(&fd, info.mtime as i64, info.size as i64)?;
        let me = self.me.upgrade().ok_or(Errno::EIO)?;
        let st = host::fstatat(fd.as_fd(), b"", libc::AT_EMPTY_PATH)?;
        let dyn_me: Arc<dyn Inode> = me.clone();
        vfs::registry::register_inode((st.st_dev, st.st_ino), &dyn_me);
        let out = fd.try_clone()?;
        g.cache.insert(
            self.ino,
            Cached {
                memfd: fd,
                clean,
                seen: None,
                dirty_since: None,
                _inode: me,
            },
        );
        Ok(out)
    }

    fn same_fs(&self, other: &Arc<dyn Inode>) -> SysResult<u32> {
        match other.as_any().downcast_ref::<Ext4Inode>() {
            Some(o) if Arc::ptr_eq(&o.fs, &self.fs) => Ok(o.ino),
            _ => Err(Errno::EXDEV),
        }
    }
}

impl Inode for Ext4Inode {
    fn stat(&self) -> SysResult<Stat> {
        let mut g = self.fs.lock();
        let info = self.info(&mut g)?;
        let rdev = info
            .device_number
            .map_or(0, |d| devices::mkdev(d.major() as u64, d.minor() as u64));
        let mut s = Stat {
            dev: self.fs.disk.rdev,
            ino: self.ino as u64,
            mode: info.mode as u32,
            nlink: info.links as u64,
            uid: info.uid,
            gid: info.gid,
            rdev,
            size: info.size as i64,
            blksize: g.block_size,
            blocks: info.blocks as i64,
            atime: (info.atime as i64, 0),
            mtime: (info.mtime as i64, 0),
            ctime: (info.ctime as i64, 0),
        };
        if let Some(c) = g.cache.get(&self.ino) {
            let st = host::fstatat(c.memfd.as_fd(), b"", libc::AT_EMPTY_PATH)?;
            let now = Stamp {
                size: st.st_size,
                mtime: (st.st_mtime, st.st_mtime_nsec),
            };
            if now != c.clean {
                s.size = st.st_size;
                s.blocks = st.st_blocks;
                s.mtime = now.mtime;
                s.ctime = s.ctime.max((st.st_ctime, st.st_ctime_nsec));
            }
        }
        Ok(s)
    }

    fn kind(&self) -> Kind {
        self.kind
    }

    fn lookup(&self, _cx: &Caller<'_>, n: &[u8]) -> SysResult<Arc<dyn Inode>> {
        if self.kind != Kind::Dir {
            return Err(Errno::ENOTDIR);
        }
        let mut g = self.fs.lock();
        let dir = self.number()?;
        let info = g
            .fs()?
            .lookup_child(dir, name(n)?)
            .sys()?
            .ok_or(Errno::ENOENT)?;
        Ok(self.child(&mut g, &info))
    }

    fn readlink(&self, _cx: &Caller<'_>) -> SysResult<Vec<u8>> {
        if self.kind != Kind::Symlink {
            return Err(Errno::EINVAL);
        }
        let mut g = self.fs.lock();
        let n = self.number()?;
        let size = g.fs()?.inode(n).sys()?.size as usize;
        let mut buf = vec![0u8; size];
        let mut k = 0;
        while k < size {
            match g.fs()?.read_inode(n, k as u64, &mut buf[k..]).sys()? {
                0 => break,
                r => k += r,
            }
        }
        buf.truncate(k);
        Ok(buf)
    }

    fn open(&self, cx: &Caller<'_>, flags: i32) -> SysResult<OwnedFd> {
        match self.kind {
            Kind::File => {
                let fd = self.memfd(&mut self.fs.lock())?;
                Ok(host::reopen(
                    fd.as_fd(),
                    flags & !(libc::O_NOCTTY | libc::O_DIRECTORY | libc::O_CREAT | libc::O_EXCL),
                )?)
            }
            Kind::Dir => Err(Errno::EISDIR),
            Kind::Symlink => Err(Errno::ELOOP),
            Kind::Char | Kind::Block => {
                let rdev = self.stat()?.rdev;
                if self.kind == Kind::Char {
                    devices::open_char(cx, rdev, flags)
                } else {
                    devices::open_block(rdev, flags)
                }
            }
            // FIFOs are opened natively through `host_node`; sockets are
            // not opened (as on Linux).
            Kind::Fifo | Kind::Socket => Err(Errno::ENXIO),
        }
    }

    fn readdir(&self, _cx: &Caller<'_>) -> SysResult<Vec<DirEntry>> {
        if self.kind != Kind::Dir {
            return Err(Errno::ENOTDIR);
        }
        let mut g = self.fs.lock();
        let dir = self.number()?;
        let fs = g.fs()?;
        let mut reader = fs.open_directory_reader(dir).sys()?;
        let mut cursor = DirectoryCursor::Start;
        let mut out = Vec::new();
        loop {
            let batch = fs
                .read_directory_with_reader(&mut reader, cursor, 256)
                .sys()?;
            let Some(last) = batch.last() else { break };
            cursor = last.next_cursor;
            for e in batch {
                if e.name == b"." || e.name == b".." {
                    continue;
                }
                out.push(DirEntry {
                    name: e.name,
                    ino: e.inode.raw() as u64,
                    kind: kind_of(e.file_type),
                });
            }
            if cursor == DirectoryCursor::End {
                break;
            }
        }
        Ok(out)
    }

    fn create(&self, n: &[u8], mode: u32, flags: i32, who: Creator) -> SysResult<OwnedFd> {
        let child = {
            let mut g = self.fs.lock();
            let dir = self.number()?;
            let info = g
                .fs()?
                .create_regular_file(ctx(who), dir, name(n)?, perms(mode)?)
                .sys()?;
            g.changed()?;
            self.fs.inode_arc(&mut g, info.number.raw(), Kind::File)
        };
        let cx = Caller::BOOT;
        child.open(&cx, flags)
    }

    fn mkdir(&self, n: &[u8], mode: u32, who: Creator) -> SysResult<()> {
        let mut g = self.fs.lock();
        let dir = self.number()?;
        g.fs()?
            .create_directory(ctx(who), dir, name(n)?, perms(mode)?)
            .sys()?;
        g.changed()
    }

    fn mknod(&self, n: &[u8], mode: u32, rdev: u64, who: Creator) -> SysResult<()> {
        let dn = || {
            DeviceNumber::new(devices::major(rdev) as u32, devices::minor(rdev) as u32)
                .map_err(|_| Errno::EINVAL)
        };
        let kind = match Kind::from_mode(mode) {
            Kind::Char => SpecialInodeKind::CharacterDevice(dn()?),
            Kind::Block => SpecialInodeKind::BlockDevice(dn()?),
            Kind::Fifo => SpecialInodeKind::Fifo,
            Kind::Socket => SpecialInodeKind::Socket,
            _ => return Err(Errno::EINVAL),
        };
        let mut g = self.fs.lock();
        let dir = self.number()?;
        g.fs()?
            .create_special_inode(ctx(who), dir, name(n)?, perms(mode)?, kind)
            .sys()?;
        g.changed()
    }

    fn symlink(&self, n: &[u8], target: &[u8], who: Creator) -> SysResult<()> {
        let mut g = self.fs.lock();
        let dir = self.number()?;
        g.fs()?
            .create_symlink(ctx(who), dir, name(n)?, target)
            .sys()?;
        g.changed()
    }

    fn link(&self, n: &[u8], target: &Arc<dyn Inode>) -> SysResult<()> {
        let t = InodeNumber::new(self.same_fs(target)?).map_err(errno)?;
        let mut g = self.fs.lock();
        let dir = self.number()?;
        g.fs()?.hard_link(t, dir, name(n)?).sys()?;
        g.changed()
    }

    fn unlink(&self, n: &[u8]) -> SysResult<()> {
        let mut g = self.fs.lock();
        let dir = self.number()?;
        let out = g.fs()?.unlink(dir, name(n)?).sys()?;
        if out.requires_reap() {
            g.unlinked(out.inode)?;
        }
        g.changed()
    }

    fn rmdir(&self, n: &[u8]) -> SysResult<()> {
        let mut g = self.fs.lock();
        let dir = self.number()?;
        let out = g.fs()?.remove_empty_directory(dir, name(n)?).sys()?;
        if out.requires_reap() {
            g.unlinked(out.inode)?;
        }
        g.changed()
    }

    fn rename(
        &self,
        n: &[u8],
        new_dir: &Arc<dyn Inode>,
        new_name: &[u8],
        flags: u32,
    ) -> SysResult<()> {
        let to = InodeNumber::new(self.same_fs(new_dir)?).map_err(errno)?;
        let opts = match flags & 7 {
            0 => RenameOptions::REPLACE,
            libc::RENAME_NOREPLACE => RenameOptions::NO_REPLACE,
            libc::RENAME_EXCHANGE => RenameOptions::EXCHANGE,
            _ => return Err(Errno::EINVAL),
        };
        let mut g = self.fs.lock();
        let dir = self.number()?;
        let out = g
            .fs()?
            .rename(dir, name(n)?, to, name(new_name)?, opts)
            .sys()?;
        if let Some(r) = out.replaced.filter(|r| r.requires_reap()) {
            g.unlinked(r.inode)?;
        }
        g.changed()
    }

    fn setattr(&self, a: &SetAttr) -> SysResult<()> {
        let mut g = self.fs.lock();
        let n = self.number()?;
        // Cached data first, so its write-back cannot undo these changes.
        let cached = g.cache.contains_key(&self.ino);
        if cached {
            g.write_back(self.ino, false)?;
        }
        if let Some(size) = a.size {
            if let Some(c) = g.cache.get(&self.ino) {
                let w = host::reopen(c.memfd.as_fd(), libc::O_RDWR)?;
                host::ftruncate(w.as_fd(), size)?;
            }
            g.fs()?.truncate_inode(n, size as u64).sys()?;
        }
        let owner = match (a.uid, a.gid) {
            (None, None) => None,
            (u, gid) => {
                let cur = g.fs()?.inode(n).sys()?;
                Some((u.unwrap_or(cur.uid), gid.unwrap_or(cur.gid)))
            }
        };
        let info = g
            .fs()?
            .update_inode_metadata(
                n,
                InodeMetadataUpdate {
                    permissions: a.mode.map(perms).transpose()?,
                    owner,
                    atime: a.atime.map(ts),
                    mtime: a.mtime.map(ts),
                    ..Default::default()
                },
            )
            .sys()?;
        if let Some(c) = g.cache.get_mut(&self.ino) {
            c.clean = mark_clean(&c.memfd, info.mtime as i64, info.size as i64)?;
        }
        g.changed()
    }

    fn statfs(&self) -> SysResult<StatFs> {
        let mut g = self.fs.lock();
        let s = g.fs()?.statfs();
        Ok(StatFs {
            fs_type: EXT4_SUPER_MAGIC,
            bsize: s.block_size as i64,
            blocks: s.total_blocks,
            bfree: s.free_blocks,
            bavail: s.free_blocks,
            files: s.total_inodes as u64,
            ffree: s.free_inodes as u64,
            namelen: 255,
            frsize: s.block_size as i64,
            flags: 0,
        })
    }

    fn host_node(&self) -> Option<(BorrowedFd<'_>, &[u8])> {
        if self.kind == Kind::Fifo && self.node.get().is_none() {
            let mut g = self.fs.lock();
            let n = match g.nodes.get(&self.ino) {
                Some(n) => n.clone(),
                None => {
                    let n = Arc::new(HostNode::fifo().ok()?);
                    g.nodes.insert(self.ino, n.clone());
                    n
                }
            };
            let _ = self.node.set(n);
        }
        self.node.get().map(|n| n.parts())
    }

    fn add_socket(&self, n: &[u8], mode: u32, who: Creator, node: HostNode) -> SysResult<()> {
        let mut g = self.fs.lock();
        let dir = self.number()?;
        let info = g
            .fs()?
            .create_special_inode(
                ctx(who),
                dir,
                name(n)?,
                perms(mode)?,
                SpecialInodeKind::Socket,
            )
            .sys()?;
        g.nodes.insert(info.number.raw(), Arc::new(node));
        g.changed()
    }

    fn fsync(&self) -> Option<SysResult<()>> {
        let mut g = self.fs.lock();
        if g.fs.is_none() {
            return Some(Err(Errno::EIO));
        }
        Some(g.write_back(self.ino, true).and_then(|()| g.commit()))
    }

    fn sync_fs(&self) -> SysResult<()> {
        self.fs.sync()
    }

    fn unmount(&self) -> SysResult<()> {
        self.fs.unmount()
    }

    fn remount(&self, read_only: bool) -> SysResult<()> {
        self.fs.remount(read_only)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
