//! hostfs: a host directory as a guest filesystem.
//!
//! Every inode holds an `O_PATH | O_NOFOLLOW` descriptor of its host object,
//! and lookups are `openat(parent, name)` of one component, never "..": no
//! path, symlink or ".." can leave the directory (symlinks are resolved by
//! the VFS, in the guest's tree). Device nodes cannot be opened (as with
//! `nodev`). Files owned by ruml's own host user appear as owned by root,
//! as they would inside a user namespace.

use crate::errno::{Errno, SysResult};
use crate::vfs::{Caller, Creator, DirEntry, Inode, Kind, SetAttr, Stat, StatFs, Whereabouts};
use ruml_platform::host;
use std::any::Any;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::Path;
use std::sync::Arc;

/// A mounted host directory.
pub struct HostFs {
    host_uid: u32,
    host_gid: u32,
    /// The host's name for the mount's root directory.
    root_path: Vec<u8>,
}

/// An object in a hostfs mount. Its descriptor is the authority on where
/// it is: paths are computed from the host's name for it, so they follow
/// renames as Linux's dentries do.
pub struct HostInode {
    fs: Arc<HostFs>,
    fd: OwnedFd,
    kind: Kind,
    /// This mount is the root filesystem, the guest's chroot on the host.
    native: bool,
}

/// The host's name for an object held by descriptor, and whether it was
/// removed (" (deleted)" is then stripped).
fn host_name(fd: BorrowedFd<'_>) -> Option<(Vec<u8>, bool)> {
    use std::os::unix::ffi::OsStrExt;
    let p = std::fs::read_link(format!("/proc/self/fd/{}", fd.as_raw_fd())).ok()?;
    let p = p.as_os_str().as_bytes();
    match p.strip_suffix(b" (deleted)") {
        Some(q)
            if host::fstatat(fd, b"", libc::AT_SYMLINK_NOFOLLOW).is_ok_and(|s| s.st_nlink == 0) =>
        {
            Some((q.to_vec(), true))
        }
        _ => Some((p.to_vec(), false)),
    }
}

/// The set-user-ID and set-group-ID bits never reach a host file (hostfs
/// is nosuid towards the host: a guest could otherwise leave a set-ID
/// program owned by ruml's host user, root's when ruml runs as root).
/// Directories keep set-group-ID, which only passes on a group.
pub fn nosuid(mode: u32) -> u32 {
    mode & !(libc::S_ISUID | libc::S_ISGID)
}

/// Opens a host directory as a filesystem root.
pub fn mount(dir: &Path, native: bool) -> SysResult<Arc<dyn Inode>> {
    use std::os::unix::ffi::OsStrExt;
    let fd = host::open_path(dir.as_os_str().as_bytes(), libc::O_PATH | libc::O_DIRECTORY)?;
    mount_fd(fd, dir, native)
}

/// A guest's `mount -t hostfs none DIR -o PATH`: `PATH` resolved beneath
/// the `hostfs=` directory `prefix` by the host itself (openat2 with
/// RESOLVE_BENEATH): no "..", absolute symlink or symlink that climbs out
/// of it is followed (EXDEV), so the guest reaches nothing else of the host
/// however it arranges symlinks in what it may write.
pub fn mount_beneath(prefix: &Path, path: &[u8]) -> SysResult<Arc<dyn Inode>> {
    use std::os::unix::ffi::OsStrExt;
    const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
    const RESOLVE_BENEATH: u64 = 0x08;
    let top = host::open_path(
        prefix.as_os_str().as_bytes(),
        libc::O_PATH | libc::O_DIRECTORY,
    )?;
    let rel: Vec<u8> = path.iter().copied().skip_while(|&b| b == b'/').collect();
    let rel = if rel.is_empty() { b".".to_vec() } else { rel };
    let fd = host::openat2_path(
        top.as_fd(),
        &rel,
        libc::O_DIRECTORY as u64,
        RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    )?;
    mount_fd(fd, prefix, false)
}

/// A filesystem whose root is the host directory held by `fd` (`dir` names
/// it where the host cannot say).
fn mount_fd(fd: OwnedFd, dir: &Path, native: bool) -> SysResult<Arc<dyn Inode>> {
    use std::os::unix::ffi::OsStrExt;
    let (host_uid, host_gid) = host::host_ids();
    let root_path = host_name(fd.as_fd())
        .map(|(p, _)| p)
        .unwrap_or_else(|| dir.as_os_str().as_bytes().to_vec());
    let fs = Arc::new(HostFs {
        host_uid,
        host_gid,
        root_path,
    });
    Ok(Arc::new(HostInode {
        fs,
        fd,
        kind: Kind::Dir,
        native,
    }))
}

impl HostInode {
    /// An inode for a host object held by `fd` (e.g. a guest's descriptor),
    /// on the same filesystem as `self`; None if it lies outside it.
    pub fn adopt(&self, fd: OwnedFd) -> Option<Arc<dyn Inode>> {
        let (p, _) = host_name(fd.as_fd())?;
        self.rel_of(&p)?;
        let fd = host::reopen(fd.as_fd(), libc::O_PATH | libc::O_NOFOLLOW).ok()?;
        let st = host::fstatat(fd.as_fd(), b"", libc::AT_SYMLINK_NOFOLLOW).ok()?;
        Some(Arc::new(HostInode {
            fs: self.fs.clone(),
            fd,
            kind: Kind::from_mode(st.st_mode),
            native: self.native,
        }))
    }

    /// A host path relative to the mount's root ("" for the root).
    fn rel_of<'a>(&self, host_path: &'a [u8]) -> Option<&'a [u8]> {
        let root = self.fs.root_path.as_slice();
        let rest = if root == b"/" {
            host_path
        } else {
            host_path.strip_prefix(root)?
        };
        match rest {
            [] | [b'/'] => Some(b""),
            [b'/', ..] => Some(rest),
            _ => None,
        }
    }

    /// Where the object is now, relative to the mount's root, and whether
    /// it was removed.
    fn location(&self) -> Option<(Vec<u8>, bool)> {
        let (p, removed) = host_name(self.fd.as_fd())?;
        Some((self.rel_of(&p)?.to_vec(), removed))
    }

    fn map_ids(&self, st: &mut Stat) {
        if st.uid == self.fs.host_uid {
            st.uid = 0;
        }
        if st.gid == self.fs.host_gid {
            st.gid = 0;
        }
    }
}

/// The owner and group the guest sees of a host object: ruml's own host
/// user and group appear as root, as they would inside a user namespace.
pub fn guest_ids(st: &mut Stat) {
    let (uid, gid) = host::host_ids();
    if st.uid == uid {
        st.uid = 0;
    }
    if st.gid == gid {
        st.gid = 0;
    }
}

fn check_name(name: &[u8]) -> SysResult<()> {
    if name.is_empty() || name == b"." || name == b".." || name.contains(&b'/') {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

impl Inode for HostInode {
    fn stat(&self) -> SysResult<Stat> {
        let st = host::fstatat(self.fd.as_fd(), b"", libc::AT_SYMLINK_NOFOLLOW)?;
        let mut s = Stat::from_host(&st);
        self.map_ids(&mut s);
        Ok(s)
    }

    fn kind(&self) -> Kind {
        self.kind
    }

    fn lookup(&self, _cx: &Caller<'_>, name: &[u8]) -> SysResult<Arc<dyn Inode>> {
        check_name(name)?;
        let fd = host::openat(self.fd.as_fd(), name, libc::O_PATH | libc::O_NOFOLLOW, 0)?;
        let st = host::fstatat(fd.as_fd(), b"", libc::AT_SYMLINK_NOFOLLOW)?;
        Ok(Arc::new(HostInode {
            fs: self.fs.clone(),
            fd,
            kind: Kind::from_mode(st.st_mode),
            native: self.native,
        }))
    }

    fn readlink(&self, _cx: &Caller<'_>) -> SysResult<Vec<u8>> {
        if self.kind != Kind::Symlink {
            return Err(Errno::EINVAL);
        }
        Ok(host::readlinkat(self.fd.as_fd(), b"")?)
    }

    fn open(&self, _cx: &Caller<'_>, flags: i32) -> SysResult<OwnedFd> {
        if flags & libc::O_PATH != 0 {
            return Ok(host::reopen(self.fd.as_fd(), libc::O_PATH)?);
        }
        match self.kind {
            Kind::Char | Kind::Block => return Err(Errno::EACCES),
            Kind::Symlink => return Err(Errno::ELOOP),
            Kind::Socket => return Err(Errno::ENXIO),
            _ => {}
        }
        Ok(host::reopen(self.fd.as_fd(), flags & !libc::O_NOCTTY)?)
    }

    fn readdir(&self, _cx: &Caller<'_>) -> SysResult<Vec<DirEntry>> {
        Ok(host::read_dir(self.fd.as_fd())?
            .into_iter()
            .map(|(name, ino, dt)| DirEntry {
                name,
                ino,
                kind: dtype_kind(dt),
            })
            .collect())
    }

    fn create(&self, name: &[u8], mode: u32, flags: i32, _who: Creator) -> SysResult<OwnedFd> {
        check_name(name)?;
        Ok(host::openat(
            self.fd.as_fd(),
            name,
            flags | libc::O_CREAT | libc::O_NOFOLLOW,
            nosuid(mode),
        )?)
    }

    fn mkdir(&self, name: &[u8], mode: u32, _who: Creator) -> SysResult<()> {
        check_name(name)?;
        Ok(host::mkdirat(self.fd.as_fd(), name, mode)?)
    }

    fn mknod(&self, name: &[u8], mode: u32, _rdev: u64, _who: Creator) -> SysResult<()> {
        check_name(name)?;
        match Kind::from_mode(mode) {
            Kind::Fifo => Ok(host::mkfifoat(
                self.fd.as_fd(),
                name,
                nosuid(mode & 0o7777),
            )?),
            Kind::File => {
                host::openat(
                    self.fd.as_fd(),
                    name,
                    libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY,
                    nosuid(mode & 0o7777),
                )?;
                Ok(())
            }
            _ => Err(Errno::EPERM),
        }
    }

    fn symlink(&self, name: &[u8], target: &[u8], _who: Creator) -> SysResult<()> {
        check_name(name)?;
        Ok(host::symlinkat(target, self.fd.as_fd(), name)?)
    }

    fn link(&self, name: &[u8], target: &Arc<dyn Inode>) -> SysResult<()> {
        check_name(name)?;
        let t = target
            .as_any()
            .downcast_ref::<HostInode>()
            .ok_or(Errno::EXDEV)?;
        let p = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&t.fd));
        Ok(host::linkat_follow(p.as_bytes(), self.fd.as_fd(), name)?)
    }

    fn unlink(&self, name: &[u8]) -> SysResult<()> {
        check_name(name)?;
        Ok(host::unlinkat(self.fd.as_fd(), name, 0)?)
    }

    fn rmdir(&self, name: &[u8]) -> SysResult<()> {
        check_name(name)?;
        Ok(host::unlinkat(self.fd.as_fd(), name, libc::AT_REMOVEDIR)?)
    }

    fn rename(
        &self,
        name: &[u8],
        new_dir: &Arc<dyn Inode>,
        new_name: &[u8],
        flags: u32,
    ) -> SysResult<()> {
        check_name(name)?;
        check_name(new_name)?;
        let nd = new_dir
            .as_any()
            .downcast_ref::<HostInode>()
            .ok_or(Errno::EXDEV)?;
        Ok(host::renameat2(
            self.fd.as_fd(),
            name,
            nd.fd.as_fd(),
            new_name,
            flags,
        )?)
    }

    fn setattr(&self, a: &SetAttr) -> SysResult<()> {
        if let Some(m) = a.mode {
            if self.kind == Kind::Symlink {
                return Err(Errno::EOPNOTSUPP);
            }
            let m = if self.kind == Kind::Dir { m } else { nosuid(m) };
            host::fchmod_path(self.fd.as_fd(), m & 0o7777)?;
        }
        if a.uid.is_some() || a.gid.is_some() {
            // The host cannot store other owners for us: allow only no-ops.
            let st = self.stat()?;
            if a.uid.is_some_and(|u| u != st.uid) || a.gid.is_some_and(|g| g != st.gid) {
                return Err(Errno::EPERM);
            }
        }
        if let Some(sz) = a.size {
            host::truncate_fd(self.fd.as_fd(), sz)?;
        }
        if a.atime.is_some() || a.mtime.is_some() {
            let omit = libc::timespec {
                tv_sec: 0,
                tv_nsec: libc::UTIME_OMIT,
            };
            let ts = |t: Option<(i64, i64)>| {
                t.map(|(s, n)| libc::timespec {
                    tv_sec: s,
                    tv_nsec: n,
                })
                .unwrap_or(omit)
            };
            host::utimens_fd(self.fd.as_fd(), &[ts(a.atime), ts(a.mtime)])?;
        }
        Ok(())
    }

    fn statfs(&self) -> SysResult<StatFs> {
        let s = host::fstatfs(self.fd.as_fd())?;
        Ok(StatFs {
            fs_type: 0x00c0ffee, // HOSTFS_SUPER_MAGIC
            bsize: s.f_bsize,
            blocks: s.f_blocks,
            bfree: s.f_bfree,
            bavail: s.f_bavail,
            files: s.f_files,
            ffree: s.f_ffree,
            namelen: s.f_namelen,
            frsize: s.f_frsize,
            flags: 0,
        })
    }

    fn native_path(&self) -> Option<Vec<u8>> {
        if !self.native {
            return None;
        }
        match self.location()? {
            (_, true) => None,
            (rel, false) if rel.is_empty() => Some(b"/".to_vec()),
            (rel, false) => Some(rel),
        }
    }

    fn native_fd(&self) -> Option<BorrowedFd<'_>> {
        self.native.then(|| self.fd.as_fd())
    }

    fn whereabouts(&self) -> Option<Whereabouts> {
        if self.kind != Kind::Dir {
            return None;
        }
        let (rel, removed) = self.location()?;
        Some(Whereabouts {
            names: rel
                .split(|&c| c == b'/')
                .filter(|c| !c.is_empty())
                .map(<[u8]>::to_vec)
                .collect(),
            inodes: None,
            removed,
        })
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn dtype_kind(dt: u8) -> Kind {
    match dt {
        libc::DT_DIR => Kind::Dir,
        libc::DT_LNK => Kind::Symlink,
        libc::DT_CHR => Kind::Char,
        libc::DT_BLK => Kind::Block,
        libc::DT_FIFO => Kind::Fifo,
        libc::DT_SOCK => Kind::Socket,
        _ => Kind::File,
    }
}
