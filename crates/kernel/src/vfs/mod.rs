//! The virtual filesystem: inodes, mounts and path resolution.
//!
//! A location in the tree is a [`Loc`]: the chain of (name, inode, mount)
//! from the VFS root down to the object, so ".." is a pop and the canonical
//! path is always known. Every lookup goes through [`Inode::lookup`] one
//! component at a time; filesystems never see "/", "." or "..", so no name
//! can walk out of a filesystem's root. Mount points are matched by the
//! canonical path after each step.

pub mod perm;
pub mod registry;

use crate::errno::{Errno, SysResult};
use crate::kernel::State;
use crate::task::Creds;
use ruml_platform::{Platform, Tid};
use std::any::Any;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::sync::Arc;

/// File types, as the S_IFMT bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Char,
    Block,
    Fifo,
    Socket,
}

impl Kind {
    pub fn from_mode(mode: u32) -> Kind {
        match mode & libc::S_IFMT {
            libc::S_IFDIR => Kind::Dir,
            libc::S_IFLNK => Kind::Symlink,
            libc::S_IFCHR => Kind::Char,
            libc::S_IFBLK => Kind::Block,
            libc::S_IFIFO => Kind::Fifo,
            libc::S_IFSOCK => Kind::Socket,
            _ => Kind::File,
        }
    }
    pub fn mode_bits(self) -> u32 {
        match self {
            Kind::File => libc::S_IFREG,
            Kind::Dir => libc::S_IFDIR,
            Kind::Symlink => libc::S_IFLNK,
            Kind::Char => libc::S_IFCHR,
            Kind::Block => libc::S_IFBLK,
            Kind::Fifo => libc::S_IFIFO,
            Kind::Socket => libc::S_IFSOCK,
        }
    }
    /// The d_type of getdents64.
    pub fn dtype(self) -> u8 {
        match self {
            Kind::File => libc::DT_REG,
            Kind::Dir => libc::DT_DIR,
            Kind::Symlink => libc::DT_LNK,
            Kind::Char => libc::DT_CHR,
            Kind::Block => libc::DT_BLK,
            Kind::Fifo => libc::DT_FIFO,
            Kind::Socket => libc::DT_SOCK,
        }
    }
}

/// Inode attributes, the fields of `struct stat` the guest sees.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stat {
    pub dev: u64,
    pub ino: u64,
    pub mode: u32,
    pub nlink: u64,
    pub uid: u32,
    pub gid: u32,
    pub rdev: u64,
    pub size: i64,
    pub blksize: i64,
    pub blocks: i64,
    pub atime: (i64, i64),
    pub mtime: (i64, i64),
    pub ctime: (i64, i64),
}

impl Stat {
    pub fn kind(&self) -> Kind {
        Kind::from_mode(self.mode)
    }

    /// The x86_64 `struct stat` layout (144 bytes).
    pub fn to_linux(&self) -> [u8; 144] {
        let mut b = [0u8; 144];
        let mut put = |off: usize, v: &[u8]| b[off..off + v.len()].copy_from_slice(v);
        put(0, &self.dev.to_ne_bytes());
        put(8, &self.ino.to_ne_bytes());
        put(16, &self.nlink.to_ne_bytes());
        put(24, &self.mode.to_ne_bytes());
        put(28, &self.uid.to_ne_bytes());
        put(32, &self.gid.to_ne_bytes());
        put(40, &self.rdev.to_ne_bytes());
        put(48, &self.size.to_ne_bytes());
        put(56, &self.blksize.to_ne_bytes());
        put(64, &self.blocks.to_ne_bytes());
        put(72, &self.atime.0.to_ne_bytes());
        put(80, &self.atime.1.to_ne_bytes());
        put(88, &self.mtime.0.to_ne_bytes());
        put(96, &self.mtime.1.to_ne_bytes());
        put(104, &self.ctime.0.to_ne_bytes());
        put(112, &self.ctime.1.to_ne_bytes());
        b
    }

    /// From a host `struct stat`.
    pub fn from_host(st: &libc::stat) -> Stat {
        Stat {
            dev: st.st_dev,
            ino: st.st_ino,
            mode: st.st_mode,
            nlink: st.st_nlink,
            uid: st.st_uid,
            gid: st.st_gid,
            rdev: st.st_rdev,
            size: st.st_size,
            blksize: st.st_blksize,
            blocks: st.st_blocks,
            atime: (st.st_atime, st.st_atime_nsec),
            mtime: (st.st_mtime, st.st_mtime_nsec),
            ctime: (st.st_ctime, st.st_ctime_nsec),
        }
    }
}

/// A directory entry.
#[derive(Clone, Debug)]
pub struct DirEntry {
    pub name: Vec<u8>,
    pub ino: u64,
    pub kind: Kind,
}

/// Attribute changes (chmod, chown, utimens, truncate).
#[derive(Clone, Copy, Debug, Default)]
pub struct SetAttr {
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub size: Option<i64>,
    /// UTIME_NOW / UTIME_OMIT already resolved: None = leave.
    pub atime: Option<(i64, i64)>,
    pub mtime: Option<(i64, i64)>,
}

/// Filesystem statistics (`struct statfs`).
#[derive(Clone, Copy, Debug, Default)]
pub struct StatFs {
    pub fs_type: i64,
    pub bsize: i64,
    pub blocks: u64,
    pub bfree: u64,
    pub bavail: u64,
    pub files: u64,
    pub ffree: u64,
    pub namelen: i64,
    pub frsize: i64,
    pub flags: i64,
}

impl StatFs {
    /// What a filesystem without storage (procfs, sysfs, devpts) reports:
    /// its magic, 4 KiB blocks, no space.
    pub fn pseudo(fs_type: i64) -> StatFs {
        StatFs {
            fs_type,
            bsize: 4096,
            namelen: 255,
            frsize: 4096,
            ..Default::default()
        }
    }
}

/// Who is asking, for files created on the caller's behalf.
#[derive(Clone, Copy, Debug)]
pub struct Creator {
    pub uid: u32,
    pub gid: u32,
}

/// The task on whose behalf the VFS is used, with read access to the
/// kernel. procfs answers per caller (/proc/self, /proc/PID); other
/// filesystems ignore it. Walks check search permission with the caller's
/// credentials (see [`perm`]). Before the kernel exists (at boot) there is
/// no caller.
#[derive(Clone, Copy)]
pub struct Caller<'a> {
    pub tid: Tid,
    pub kernel: Option<(&'a State, &'a dyn Platform)>,
    /// Credentials that stand for the task's own in permission checks
    /// (access(2) checks with the real ids; the kernel's own lookups with
    /// [`perm::KERNEL_CREDS`]).
    pub creds: Option<&'a Creds>,
}

impl<'a> Caller<'a> {
    /// The kernel itself, before any task runs.
    pub const BOOT: Caller<'static> = Caller {
        tid: 0,
        kernel: None,
        creds: None,
    };

    /// The credentials permission checks use: None (no checks) before the
    /// kernel exists.
    pub fn creds(&self) -> Option<&'a Creds> {
        if self.creds.is_some() {
            return self.creds;
        }
        let (st, _) = self.kernel?;
        let tgid = st.tasks.tasks.get(&self.tid)?.tgid;
        st.tasks
            .procs
            .get(&tgid)
            .or_else(|| st.tasks.zombies.get(&tgid))
            .map(|p| &p.creds)
    }

    /// The same caller for a lookup the kernel makes for itself, which no
    /// permission refuses.
    pub fn unchecked(self) -> Caller<'a> {
        Caller {
            creds: Some(&perm::KERNEL_CREDS),
            ..self
        }
    }
}

/// What a filesystem that allows no new names answers to create and
/// mkdir in `kind` of object: `in_dir` in a directory, ENOTDIR elsewhere.
pub fn no_new_names(kind: Kind, in_dir: Errno) -> Errno {
    if kind == Kind::Dir {
        in_dir
    } else {
        Errno::ENOTDIR
    }
}

/// A filesystem object. Defaults answer as Linux does for objects that do
/// not support an operation.
pub trait Inode: Send + Sync {
    fn stat(&self) -> SysResult<Stat>;
    fn kind(&self) -> Kind {
        self.stat().map(|s| s.kind()).unwrap_or(Kind::File)
    }
    /// One path component (never "", ".", ".." or containing '/').
    fn lookup(&self, _cx: &Caller<'_>, _name: &[u8]) -> SysResult<Arc<dyn Inode>> {
        Err(Errno::ENOTDIR)
    }
    fn readlink(&self, _cx: &Caller<'_>) -> SysResult<Vec<u8>> {
        Err(Errno::EINVAL)
    }
    /// For "magic" links (procfs's exe, cwd, fd/N): the object itself,
    /// which a walk jumps to instead of resolving the link's text.
    fn follow_magic(&self, _cx: &Caller<'_>, _vfs: &Vfs) -> Option<SysResult<Loc>> {
        None
    }
    /// A host descriptor to hand to the guest for an open with `flags`.
    fn open(&self, cx: &Caller<'_>, flags: i32) -> SysResult<OwnedFd>;
    fn readdir(&self, _cx: &Caller<'_>) -> SysResult<Vec<DirEntry>> {
        Err(Errno::ENOTDIR)
    }
    /// Creates and opens a regular file.
    fn create(&self, _name: &[u8], _mode: u32, _flags: i32, _who: Creator) -> SysResult<OwnedFd> {
        Err(Errno::ENOTDIR)
    }
    fn mkdir(&self, _name: &[u8], _mode: u32, _who: Creator) -> SysResult<()> {
        Err(Errno::ENOTDIR)
    }
    fn mknod(&self, _name: &[u8], _mode: u32, _rdev: u64, _who: Creator) -> SysResult<()> {
        Err(Errno::EPERM)
    }
    fn symlink(&self, _name: &[u8], _target: &[u8], _who: Creator) -> SysResult<()> {
        Err(Errno::ENOTDIR)
    }
    fn link(&self, _name: &[u8], _target: &Arc<dyn Inode>) -> SysResult<()> {
        Err(Errno::EPERM)
    }
    fn unlink(&self, _name: &[u8]) -> SysResult<()> {
        Err(Errno::ENOTDIR)
    }
    fn rmdir(&self, _name: &[u8]) -> SysResult<()> {
        Err(Errno::ENOTDIR)
    }
    /// Moves `name` to `new_dir`/`new_name` (same filesystem).
    fn rename(
        &self,
        _name: &[u8],
        _new_dir: &Arc<dyn Inode>,
        _new_name: &[u8],
        _flags: u32,
    ) -> SysResult<()> {
        Err(Errno::EXDEV)
    }
    fn setattr(&self, _a: &SetAttr) -> SysResult<()> {
        Err(Errno::EPERM)
    }
    /// Linux's `inode_operations.permission`: whether `creds` may access
    /// the object as `mask` (`perm::MAY_*`) asks.
    fn permission(&self, _cx: &Caller<'_>, creds: &Creds, mask: u32) -> SysResult<()> {
        perm::generic_permission(creds, &self.stat()?, mask)
    }
    fn statfs(&self) -> SysResult<StatFs> {
        Ok(StatFs {
            bsize: 4096,
            namelen: 255,
            frsize: 4096,
            ..Default::default()
        })
    }
    /// For objects of the root hostfs: the path relative to its root, so the
    /// guest can run the call natively inside its chroot. It is where the
    /// object is now (not the name it was found by); None when it has no
    /// name any more (removed).
    fn native_path(&self) -> Option<Vec<u8>> {
        None
    }
    /// For objects of the root hostfs: the host descriptor (`O_PATH`) that
    /// holds the object, to name it relative to when its path cannot be used.
    fn native_fd(&self) -> Option<BorrowedFd<'_>> {
        None
    }
    /// For FIFOs and sockets the guest reaches through a host object ruml
    /// holds (tmpfs ones): the host directory holding it and its name there.
    /// Opens and connects then run natively, relative to that directory.
    fn host_node(&self) -> Option<(BorrowedFd<'_>, &[u8])> {
        None
    }
    /// bind(2) of an AF_UNIX socket at `name` in this directory: the host
    /// socket the guest bound is `node`; the filesystem gets a socket
    /// inode standing for it (so `host_node` finds it for connects).
    fn add_socket(
        &self,
        _name: &[u8],
        _mode: u32,
        _who: Creator,
        _node: crate::fs::tmpfs::HostNode,
    ) -> SysResult<()> {
        Err(Errno::EOPNOTSUPP)
    }
    /// For directories of filesystems that track it: where the directory is
    /// now (Linux follows dentries, not names, so a renamed cwd moves).
    fn whereabouts(&self) -> Option<Whereabouts> {
        None
    }
    /// fsync(2) of an open file whose data the kernel caches (ext4): the
    /// data and metadata reach the disk. None: the host's descriptor is the
    /// file itself, so the call runs natively.
    fn fsync(&self) -> Option<SysResult<()>> {
        None
    }
    /// For a filesystem's root: writes everything the filesystem caches to
    /// its storage (sync, syncfs).
    fn sync_fs(&self) -> SysResult<()> {
        Ok(())
    }
    /// For a filesystem's root: a remount switching it to read-only or
    /// read-write.
    fn remount(&self, _read_only: bool) -> SysResult<()> {
        Ok(())
    }
    /// For a filesystem's root: writes everything back and lets the
    /// storage go (umount, shutdown).
    fn unmount(&self) -> SysResult<()> {
        Ok(())
    }
    fn as_any(&self) -> &dyn Any;
}

/// Where a directory is now within its filesystem.
pub struct Whereabouts {
    /// The names from the filesystem's root down to the directory (empty for
    /// the root itself).
    pub names: Vec<Vec<u8>>,
    /// The directories along those names (the last is the directory
    /// itself), when the filesystem knows them without lookups.
    pub inodes: Option<Vec<Arc<dyn Inode>>>,
    /// The directory was removed; the names say where it was.
    pub removed: bool,
}

/// A mounted filesystem.
pub struct Mount {
    pub id: usize,
    /// Canonical guest path of the mount point.
    pub path: Vec<u8>,
    pub root: Arc<dyn Inode>,
    pub fstype: String,
    pub source: String,
    pub read_only: bool,
    /// Mount is the root hostfs, reachable natively by the guest's chroot.
    pub native: bool,
}

/// One step of a [`Loc`].
#[derive(Clone)]
pub struct Step {
    pub name: Vec<u8>,
    pub inode: Arc<dyn Inode>,
    pub mount: usize,
}

/// A location: the chain from the VFS root ("/" is the first step).
#[derive(Clone)]
pub struct Loc(pub Vec<Step>);

impl Loc {
    pub fn inode(&self) -> &Arc<dyn Inode> {
        &self.0.last().expect("non-empty location").inode
    }
    pub fn mount(&self) -> usize {
        self.0.last().expect("non-empty location").mount
    }
    /// The canonical absolute path.
    pub fn path(&self) -> Vec<u8> {
        if self.0.len() == 1 {
            return b"/".to_vec();
        }
        let mut p = Vec::new();
        for s in &self.0[1..] {
            p.push(b'/');
            p.extend_from_slice(&s.name);
        }
        p
    }
    /// Whether the object is a directory that was removed.
    pub fn removed(&self) -> bool {
        self.inode().whereabouts().is_some_and(|w| w.removed)
    }

    /// The path as seen from a process whose root is `root`.
    pub fn path_from(&self, root: &Loc) -> Vec<u8> {
        let full = self.path();
        let r = root.path();
        if r == b"/" {
            return full;
        }
        match full.strip_prefix(r.as_slice()) {
            Some([]) => b"/".to_vec(),
            Some(rest) if rest.starts_with(b"/") => rest.to_vec(),
            _ => full,
        }
    }
    /// Whether `root` is this location or one of its ancestors.
    pub fn is_under(&self, root: &Loc) -> bool {
        self.0.len() >= root.0.len()
            && same_object(
                &self.0[root.0.len() - 1].inode,
                &root.0.last().expect("non-empty").inode,
            )
    }

    fn is_within(&self, root: &Loc) -> bool {
        self.0.len() >= root.0.len()
    }
}

/// Whether two inodes are the same object.
pub fn same_object(a: &Arc<dyn Inode>, b: &Arc<dyn Inode>) -> bool {
    Arc::ptr_eq(a, b)
        || match (a.stat(), b.stat()) {
            (Ok(x), Ok(y)) => (x.dev, x.ino) == (y.dev, y.ino),
            _ => false,
        }
}

/// The mount table and root.
pub struct Vfs {
    pub mounts: Vec<Arc<Mount>>,
    next_id: usize,
}

/// openat2's RESOLVE_* restrictions on a lookup.
#[derive(Clone, Copy, Debug, Default)]
pub struct Restrict {
    /// RESOLVE_NO_XDEV: no mount crossings.
    pub no_xdev: bool,
    /// RESOLVE_NO_MAGICLINKS: no procfs magic links.
    pub no_magiclinks: bool,
    /// RESOLVE_NO_SYMLINKS: no symlinks followed at all.
    pub no_symlinks: bool,
    /// RESOLVE_BENEATH: nothing outside the starting directory.
    pub beneath: bool,
    /// RESOLVE_IN_ROOT: the starting directory is the root.
    pub in_root: bool,
}

/// How a walk treats the last component.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Follow {
    Yes,
    No,
}

pub const MAX_SYMLINKS: usize = 40;

/// Appends a component to a canonical directory path ("/" + "a" = "/a").
pub fn join_path(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut p = dir.to_vec();
    if p != b"/" {
        p.push(b'/');
    }
    p.extend_from_slice(name);
    p
}

fn split(path: &[u8]) -> impl DoubleEndedIterator<Item = &[u8]> {
    path.split(|&c| c == b'/').filter(|c| !c.is_empty())
}

impl Vfs {
    pub fn new(root: Mount) -> Vfs {
        Vfs {
            mounts: vec![Arc::new(root)],
            next_id: 1,
        }
    }

    /// The location of "/".
    pub fn root(&self) -> Loc {
        let m = &self.mounts[0];
        Loc(vec![Step {
            name: Vec::new(),
            inode: m.root.clone(),
            mount: 0,
        }])
    }

    /// The mount covering a canonical path, if one is mounted exactly there.
    fn mount_at(&self, path: &[u8]) -> Option<&Arc<Mount>> {
        self.mounts.iter().rev().find(|m| m.path == path)
    }

    pub fn mount(&self, id: usize) -> &Arc<Mount> {
        self.mounts
            .iter()
            .find(|m| m.id == id)
            .unwrap_or(&self.mounts[0])
    }

    /// Adds a mount at an existing directory.
    pub fn add_mount(
        &mut self,
        at: &Loc,
        root: Arc<dyn Inode>,
        fstype: &str,
        source: &str,
        read_only: bool,
    ) -> SysResult<()> {
        if at.inode().kind() != Kind::Dir {
            return Err(Errno::ENOTDIR);
        }
        let id = self.next_id;
        self.next_id += 1;
        self.mounts.push(Arc::new(Mount {
            id,
            path: at.path(),
            root,
            fstype: fstype.into(),
            source: source.into(),
            read_only,
            native: false,
        }));
        Ok(())
    }

    /// Remounts the mount whose root is `at` read-only or read-write.
    pub fn remount(&mut self, at: &Loc, read_only: bool) -> SysResult<()> {
        let id = at.mount();
        let i = self
            .mounts
            .iter()
            .position(|m| m.id == id)
            .ok_or(Errno::EINVAL)?;
        let m = &self.mounts[i];
        if m.path != at.path() {
            return Err(Errno::EINVAL);
        }
        if m.read_only != read_only {
            m.root.remount(read_only)?;
            let new = Mount {
                id: m.id,
                path: m.path.clone(),
                root: m.root.clone(),
                fstype: m.fstype.clone(),
                source: m.source.clone(),
                read_only,
                native: m.native,
            };
            self.mounts[i] = Arc::new(new);
        }
        Ok(())
    }

    /// Removes the mount whose root is `at`.
    pub fn remove_mount(&mut self, at: &Loc) -> SysResult<()> {
        let id = at.mount();
        let p = at.path();
        let m = self.mount(id);
        if id == 0 || m.path != p {
            return Err(Errno::EINVAL);
        }
        let mut prefix = p.clone();
        prefix.push(b'/');
        if self
            .mounts
            .iter()
            .any(|m| m.id != id && m.path.starts_with(&prefix))
        {
            return Err(Errno::EBUSY);
        }
        self.mounts.retain(|m| m.id != id);
        Ok(())
    }

    /// The location as it is now: a directory may have been renamed or
    /// moved since `loc` was made (Linux tracks dentries, not names), so
    /// its chain is rebuilt from where its filesystem says it is. Other
    /// objects, and directories of filesystems that cannot tell, stay.
    pub fn refresh(&self, cx: &Caller<'_>, loc: &Loc) -> Loc {
        let last = loc.0.last().expect("non-empty location");
        let Some(w) = last.inode.whereabouts() else {
            return loc.clone();
        };
        // Where the mount the directory is on begins in the chain.
        let Some(k) = loc.0.iter().position(|s| s.mount == last.mount) else {
            return loc.clone();
        };
        let tail = &loc.0[k + 1..];
        let n = w.names.len();
        let same_step = |i: usize| {
            tail.get(i).is_some_and(|s| {
                s.name == w.names[i]
                    && w.inodes
                        .as_ref()
                        .is_none_or(|v| Arc::ptr_eq(&v[i], &s.inode))
            })
        };
        if tail.len() == n && (0..n).all(same_step) {
            return loc.clone();
        }
        let mut out = loc.0[..=k].to_vec();
        let mut diverged = false;
        for (i, name) in w.names.iter().enumerate() {
            let inode = if i + 1 == n {
                last.inode.clone()
            } else if let Some(v) = &w.inodes {
                v[i].clone()
            } else if !diverged && same_step(i) {
                tail[i].inode.clone()
            } else {
                diverged = true;
                let dir = out.last().expect("non-empty").inode.clone();
                match dir.lookup(cx, name) {
                    Ok(i) if i.kind() == Kind::Dir => i,
                    _ => return loc.clone(),
                }
            };
            out.push(Step {
                name: name.clone(),
                inode,
                mount: last.mount,
            });
        }
        Loc(out)
    }

    /// The location of an object of mount `mount` known only by its inode
    /// (a directory a guest holds open): found from where its filesystem
    /// says it is.
    pub fn locate(&self, cx: &Caller<'_>, mount: usize, inode: Arc<dyn Inode>) -> Option<Loc> {
        let m = self.mount(mount).clone();
        let top = self.root();
        let mut base = if m.id == 0 {
            top.clone()
        } else {
            self.resolve(&cx.unchecked(), &top, &top, &m.path, Follow::No)
                .ok()?
        };
        if base.mount() != m.id {
            return None;
        }
        base.0.push(Step {
            name: b"?".to_vec(),
            inode,
            mount: m.id,
        });
        let loc = self.refresh(cx, &base);
        (loc.0.len() != base.0.len() || loc.0.last()?.name != b"?").then_some(loc)
    }

    /// Resolves `path` from `cwd` (relative) or `root` (absolute).
    pub fn resolve(
        &self,
        cx: &Caller<'_>,
        root: &Loc,
        cwd: &Loc,
        path: &[u8],
        follow: Follow,
    ) -> SysResult<Loc> {
        self.resolve_with(cx, root, cwd, path, follow, Restrict::default())
    }

    /// [`Vfs::resolve`] under openat2's RESOLVE_* restrictions (for
    /// BENEATH and IN_ROOT, `root` is where the lookup starts).
    pub fn resolve_with(
        &self,
        cx: &Caller<'_>,
        root: &Loc,
        cwd: &Loc,
        path: &[u8],
        follow: Follow,
        r: Restrict,
    ) -> SysResult<Loc> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        if path.len() >= libc::PATH_MAX as usize {
            return Err(Errno::ENAMETOOLONG);
        }
        let start = if path[0] == b'/' {
            if r.beneath {
                return Err(Errno::EXDEV);
            }
            root.clone()
        } else {
            cwd.clone()
        };
        let must_dir = path.ends_with(b"/");
        let mut links = 0;
        let loc = self.walk(
            cx,
            root,
            start,
            path,
            if must_dir { Follow::Yes } else { follow },
            &mut links,
            r,
        )?;
        if must_dir && loc.inode().kind() != Kind::Dir {
            return Err(Errno::ENOTDIR);
        }
        Ok(loc)
    }

    /// Resolves all but the last component; returns the parent and the last
    /// name (which may be "." or "..", or "/" for the root itself, for the
    /// caller to reject). Trailing slashes are dropped; callers that care
    /// look at the path.
    pub fn resolve_parent(
        &self,
        cx: &Caller<'_>,
        root: &Loc,
        cwd: &Loc,
        path: &[u8],
    ) -> SysResult<(Loc, Vec<u8>)> {
        self.resolve_parent_with(cx, root, cwd, path, Restrict::default())
    }

    /// [`Vfs::resolve_parent`] under RESOLVE_* restrictions.
    pub fn resolve_parent_with(
        &self,
        cx: &Caller<'_>,
        root: &Loc,
        cwd: &Loc,
        path: &[u8],
        r: Restrict,
    ) -> SysResult<(Loc, Vec<u8>)> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        if path.len() >= libc::PATH_MAX as usize {
            return Err(Errno::ENAMETOOLONG);
        }
        let trimmed = {
            let mut p = path;
            while p.len() > 1 && p.ends_with(b"/") {
                p = &p[..p.len() - 1];
            }
            p
        };
        let (dir, name) = match trimmed.iter().rposition(|&c| c == b'/') {
            Some(0) => (&b"/"[..], &trimmed[1..]),
            Some(i) => (&trimmed[..i], &trimmed[i + 1..]),
            None => (&b"."[..], trimmed),
        };
        if name.is_empty() {
            // The path was "/".
            if r.beneath {
                return Err(Errno::EXDEV);
            }
            return Ok((root.clone(), b"/".to_vec()));
        }
        let parent = self.resolve_with(cx, root, cwd, dir, Follow::Yes, r)?;
        if parent.inode().kind() != Kind::Dir {
            return Err(Errno::ENOTDIR);
        }
        // The last name is looked up in the parent too.
        perm::may_lookup(cx, perm::searcher(cx), parent.inode())?;
        Ok((parent, name.to_vec()))
    }

    #[allow(clippy::too_many_arguments)]
    fn walk(
        &self,
        cx: &Caller<'_>,
        root: &Loc,
        start: Loc,
        path: &[u8],
        follow: Follow,
        links: &mut usize,
        r: Restrict,
    ) -> SysResult<Loc> {
        let mut loc = start;
        let comps: Vec<&[u8]> = split(path).collect();
        let n = comps.len();
        let searcher = perm::searcher(cx);
        for (i, c) in comps.into_iter().enumerate() {
            let last = i + 1 == n;
            if loc.inode().kind() != Kind::Dir {
                return Err(Errno::ENOTDIR);
            }
            // Every component, "." and ".." too, needs search permission
            // on the directory it is looked up in.
            perm::may_lookup(cx, searcher, loc.inode())?;
            if c == b"." {
                continue;
            }
            if c == b".." {
                if loc.0.len() > root.0.len() && loc.is_within(root) {
                    let k = loc.0.len();
                    if r.no_xdev && loc.0[k - 1].mount != loc.0[k - 2].mount {
                        return Err(Errno::EXDEV);
                    }
                    loc.0.pop();
                } else if r.beneath {
                    return Err(Errno::EXDEV);
                }
                continue;
            }
            let cur = loc.inode().clone();
            if c.len() > 255 {
                return Err(Errno::ENAMETOOLONG);
            }
            let child = cur.lookup(cx, c)?;
            let child_path = join_path(&loc.path(), c);
            let (inode, mount) = match self.mount_at(&child_path) {
                Some(_) if r.no_xdev => return Err(Errno::EXDEV),
                Some(m) => (m.root.clone(), m.id),
                None => (child, loc.mount()),
            };
            if inode.kind() == Kind::Symlink && (!last || follow == Follow::Yes) {
                if r.no_symlinks {
                    return Err(Errno::ELOOP);
                }
                *links += 1;
                if *links > MAX_SYMLINKS {
                    return Err(Errno::ELOOP);
                }
                if let Some(target) = inode.follow_magic(cx, self) {
                    if r.no_magiclinks {
                        return Err(Errno::ELOOP);
                    }
                    let target = target?;
                    if (r.no_xdev && target.mount() != loc.mount()) || r.beneath || r.in_root {
                        return Err(Errno::EXDEV);
                    }
                    loc = target;
                    continue;
                }
                let target = inode.readlink(cx)?;
                if target.is_empty() {
                    return Err(Errno::ENOENT);
                }
                let base = if target[0] == b'/' {
                    if r.beneath || (r.no_xdev && root.mount() != loc.mount()) {
                        return Err(Errno::EXDEV);
                    }
                    root.clone()
                } else {
                    loc.clone()
                };
                loc = self.walk(cx, root, base, &target, Follow::Yes, links, r)?;
                continue;
            }
            loc.0.push(Step {
                name: c.to_vec(),
                inode,
                mount,
            });
        }
        Ok(loc)
    }
}
