//! File and path system calls.
//!
//! Paths are always resolved by the VFS. When the result lies on the root
//! hostfs (the guest's chroot on the host), the call is rewritten to the
//! canonical path and runs natively; otherwise the kernel performs it and,
//! for opens, installs the resulting host descriptor in the guest.

use super::Ctx;
use crate::errno::{Errno, SysResult};
use crate::fs::{hostfs, private, procfs, tmpfs};
use crate::task::{cap, FS_CAPS};
use crate::vfs::perm::{self, TimesSet, MAY_EXEC, MAY_READ, MAY_WRITE};
use crate::vfs::registry::{self, Object};
use crate::vfs::{
    join_path, same_object, Creator, Follow, Inode, Kind, Loc, Restrict, SetAttr, Stat,
};
use ruml_platform::{host, Resume};
use std::ops::Not;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::Arc;

const AT_FDCWD: i32 = libc::AT_FDCWD;

fn rewrite(nr: i64, args: [u64; 6]) -> SysResult<Resume> {
    Ok(Resume::Rewrite {
        nr: nr as u64,
        args,
    })
}

impl Ctx<'_> {
    /// The caller's root and cwd, as they are now (renames move them).
    fn fs_root_cwd(&self) -> (Loc, Loc) {
        let fs = self.st.tasks.task(self.tid).fs.clone();
        let (root, cwd) = {
            let f = fs.borrow();
            (f.root.clone(), f.cwd.clone())
        };
        let cx = self.caller();
        let (r, w) = (
            self.st.vfs.refresh(&cx, &root),
            self.st.vfs.refresh(&cx, &cwd),
        );
        let mut f = fs.borrow_mut();
        if !same_chain(&r, &root) {
            f.root = r.clone();
        }
        if !same_chain(&w, &cwd) {
            f.cwd = w.clone();
        }
        (r, w)
    }

    pub fn umask(&self) -> u32 {
        self.st.tasks.task(self.tid).fs.borrow().umask
    }

    pub fn creator(&self) -> Creator {
        let c = &self.st.tasks.process(self.tid).creds;
        Creator {
            uid: c.fsuid,
            gid: c.fsgid,
        }
    }

    /// The location a guest descriptor refers to (a directory).
    pub fn fd_loc(&self, fd: i32) -> SysResult<Loc> {
        let info = self.p.fd_info(self.tid, fd).map_err(|_| Errno::EBADF)?;
        if let Some(Object::At(loc)) = registry::lookup((info.dev, info.ino), &info.host_path) {
            return Ok(self.st.vfs.refresh(&self.caller(), &loc));
        }
        if info.mode & libc::S_IFMT != libc::S_IFDIR {
            return Err(Errno::ENOTDIR);
        }
        // A directory of the root hostfs the registry forgot: the host
        // knows where it is.
        let root = self.st.vfs.mount(0).root.clone();
        let h = root
            .as_any()
            .downcast_ref::<hostfs::HostInode>()
            .ok_or(Errno::ENOTDIR)?;
        let fd = self.p.take_fd(self.tid, fd).map_err(|_| Errno::EBADF)?;
        let inode = h.adopt(fd).ok_or(Errno::ENOTDIR)?;
        let loc = self
            .st
            .vfs
            .locate(&self.caller(), 0, inode)
            .ok_or(Errno::ENOTDIR)?;
        registry::register_dir((info.dev, info.ino), loc.clone());
        Ok(loc)
    }

    /// The root and start of a lookup under RESOLVE_* restrictions: with
    /// BENEATH or IN_ROOT the starting directory is also the root.
    fn scoped_base(&self, dirfd: i32, path: &[u8], r: Restrict) -> SysResult<(Loc, Loc)> {
        if !(r.beneath || r.in_root) {
            return self.base(dirfd, path);
        }
        let start = if dirfd == AT_FDCWD {
            self.fs_root_cwd().1
        } else {
            self.fd_loc(dirfd)?
        };
        Ok((start.clone(), start))
    }

    fn base(&self, dirfd: i32, path: &[u8]) -> SysResult<(Loc, Loc)> {
        let (root, cwd) = self.fs_root_cwd();
        if path.first() == Some(&b'/') || dirfd == AT_FDCWD {
            return Ok((root, cwd));
        }
        Ok((root, self.fd_loc(dirfd)?))
    }

    pub fn resolve_at(&self, dirfd: i32, path: &[u8], follow: Follow) -> SysResult<Loc> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        let (root, base) = self.base(dirfd, path)?;
        self.st
            .vfs
            .resolve(&self.caller(), &root, &base, path, follow)
    }

    pub fn resolve_parent_at(&self, dirfd: i32, path: &[u8]) -> SysResult<(Loc, Vec<u8>)> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        let (root, base) = self.base(dirfd, path)?;
        self.st
            .vfs
            .resolve_parent(&self.caller(), &root, &base, path)
    }

    fn read_only(&self, loc: &Loc) -> bool {
        self.st.vfs.mount(loc.mount()).read_only
    }

    /// The native (chroot) path of a location on the root hostfs, where it
    /// is now.
    pub fn native(&self, loc: &Loc) -> Option<Vec<u8>> {
        let (dir, name) = self.native_target(loc)?;
        let p = dir.native_path()?;
        Some(if name == b"." {
            p
        } else {
            join_path(&p, &name)
        })
    }

    /// Whether a call ruml checked may run natively on the root hostfs.
    /// Only for a caller holding every capability that overrides file
    /// permission checks: the host reads the path from guest memory again
    /// and walks it again, so for anyone else a racing thread could swap
    /// the path or a symlink between ruml's check and the host's walk.
    /// Other callers get ruml's own operations on the objects it checked
    /// (descriptors held since the lookup, one name at a time).
    pub fn native_allowed(&self) -> bool {
        self.creds().cap_effective & FS_CAPS == FS_CAPS
    }

    /// How a native call names a location on the root hostfs: a directory
    /// by itself ("."), anything else by its directory and name.
    pub fn native_target(&self, loc: &Loc) -> Option<(Arc<dyn Inode>, Vec<u8>)> {
        if !self.native_allowed()
            || !self.st.vfs.mount(loc.mount()).native
            || loc.inode().native_fd().is_none()
        {
            return None;
        }
        let n = loc.0.len();
        if n == 1 || loc.inode().kind() == Kind::Dir {
            return Some((loc.inode().clone(), b".".to_vec()));
        }
        let parent = &loc.0[n - 2];
        parent.inode.native_fd()?;
        Some((parent.inode.clone(), loc.0[n - 1].name.clone()))
    }

    /// A new entry `name` in a directory on the root hostfs.
    pub fn native_child(&self, parent: &Loc, name: &[u8]) -> Option<(Arc<dyn Inode>, Vec<u8>)> {
        if !self.native_allowed()
            || !self.st.vfs.mount(parent.mount()).native
            || parent.inode().native_fd().is_none()
        {
            return None;
        }
        Some((parent.inode().clone(), name.to_vec()))
    }

    /// The (dirfd, path) arguments of a natively run *at call naming
    /// `name` in native directory `dir`: its absolute path in the chroot
    /// when it has one that fits, else the name relative to a descriptor of
    /// `dir` lent to the guest for the call (a removed directory, a path
    /// longer than PATH_MAX).
    pub fn native_at(
        &mut self,
        lent: &mut Lent,
        (dir, name): &(Arc<dyn Inode>, Vec<u8>),
        slot: u64,
    ) -> SysResult<(u64, u64)> {
        if let Some(p) = dir.native_path() {
            let full = if name == b"." { p } else { join_path(&p, name) };
            if full.len() < libc::PATH_MAX as usize {
                return Ok((AT_FDCWD as u64, self.scratch_str(&full, slot)?));
            }
        }
        let fd = dir.native_fd().ok_or(Errno::ENOENT)?;
        let n = self.lend(fd)?;
        lent.0.push(n);
        Ok((n as u64, self.scratch_str(name, slot)?))
    }

    /// Lends a host descriptor to the guest for the length of one call: it
    /// is installed close-on-exec, above the numbers programs use, so it
    /// does not take the lowest free number from the call itself.
    pub fn lend(&mut self, fd: BorrowedFd<'_>) -> SysResult<i64> {
        // A directory goes as a plain descriptor: the platform installs
        // O_PATH descriptors only the slow way.
        let dir = host::reopen(fd, libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC).ok();
        let fd = dir.as_ref().map_or(fd, |d| d.as_fd());
        let n = self.p.install_fd(self.tid, fd, true)?;
        if n < 0 {
            return Err(Errno(-n as i32));
        }
        let high = self.p.inject(
            self.tid,
            libc::SYS_fcntl as u64,
            [n as u64, libc::F_DUPFD_CLOEXEC as u64, 512, 0, 0, 0],
        )?;
        if high < 0 {
            return Ok(n);
        }
        self.p
            .inject(self.tid, libc::SYS_close as u64, [n as u64, 0, 0, 0, 0, 0])?;
        Ok(high)
    }

    /// Whether the host, running the call as the guest made it (inside the
    /// guest's chroot, from the guest process's own cwd or `dirfd`), would
    /// reach the object the VFS resolved (`want`, its stat). Magic links and
    /// relative paths that leave their start directory are never judged
    /// the same.
    pub fn natively_same(&self, dirfd: i32, path: &[u8], follow: Follow, want: &Stat) -> bool {
        const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
        const RESOLVE_BENEATH: u64 = 0x08;
        const RESOLVE_IN_ROOT: u64 = 0x10;
        let nofollow = if follow == Follow::No {
            libc::O_NOFOLLOW as u64
        } else {
            0
        };
        if !self.native_allowed() {
            return false;
        }
        // The guest's root and cwd must be the host process's, as the VFS
        // knows them.
        let (root, _) = self.fs_root_cwd();
        if root.0.len() != 1 {
            return false;
        }
        let Some(root_fd) = self.st.vfs.mount(0).root.native_fd() else {
            return false;
        };
        let in_root = |p: &[u8]| {
            host::openat2_path(
                root_fd,
                p,
                nofollow,
                RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
            )
        };
        let found = if path.first() == Some(&b'/') {
            in_root(path)
        } else if dirfd == AT_FDCWD {
            // Relative to the cwd: the host process must be in the guest's
            // cwd, and the path is checked from the root as the cwd's path
            // plus it (".." and absolute symlinks then resolve as in the
            // chroot).
            let (_, cwd) = self.fs_root_cwd();
            let Some(h) = self.p.host_tid(self.tid) else {
                return false;
            };
            let (Some(cwd_path), Ok(host_cwd), Ok(guest_cwd)) = (
                self.native(&cwd),
                host::stat_path(format!("/proc/{h}/cwd").as_bytes()),
                cwd.inode().stat(),
            ) else {
                return false;
            };
            if (host_cwd.st_dev, host_cwd.st_ino) != (guest_cwd.dev, guest_cwd.ino) {
                return false;
            }
            in_root(&join_path(&cwd_path, path))
        } else {
            let Ok(start) = self.p.take_fd(self.tid, dirfd) else {
                return false;
            };
            host::openat2_path(
                start.as_fd(),
                path,
                nofollow,
                RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
            )
        };
        let Ok(found) = found else {
            return false;
        };
        let Ok(s) = host::fstatat(found.as_fd(), b"", libc::AT_SYMLINK_NOFOLLOW) else {
            return false;
        };
        // An object under one of ruml's mounts has another identity than
        // the one the VFS found there.
        (s.st_dev, s.st_ino) == (want.dev, want.ino)
    }

    /// Like [`Ctx::natively_same`] for the directory a path names its last
    /// component in: whether the host, resolving the path's own directory
    /// part, reaches `parent` (so a call creating or removing the last
    /// name can run as the guest made it).
    pub fn natively_same_parent(&self, dirfd: i32, path: &[u8], parent: &Loc) -> bool {
        if path.ends_with(b"/") {
            return false;
        }
        let Ok(st) = parent.inode().stat() else {
            return false;
        };
        let dir = match path.iter().rposition(|&b| b == b'/') {
            None => &b"."[..],
            Some(0) => &b"/"[..],
            Some(i) => &path[..i],
        };
        self.natively_same(dirfd, dir, Follow::Yes, &st)
    }

    /// Whether the trapped call is the plain form (open, openat, stat...)
    /// that runs natively with the guest's own arguments.
    fn plain_call(&self, nrs: &[i64]) -> bool {
        nrs.contains(&(self.call.nr as i64))
    }

    /// Changes the caller's host cwd to native directory `dir`.
    pub fn native_chdir(&mut self, dir: &Arc<dyn Inode>) -> SysResult<()> {
        let r = match dir
            .native_path()
            .filter(|p| p.len() < libc::PATH_MAX as usize)
        {
            Some(p) => {
                let a = self.scratch_str(&p, 0)?;
                self.p
                    .inject(self.tid, libc::SYS_chdir as u64, [a, 0, 0, 0, 0, 0])?
            }
            None => {
                let fd = dir.native_fd().ok_or(Errno::ENOENT)?;
                let n = self.lend(fd)?;
                let r =
                    self.p
                        .inject(self.tid, libc::SYS_fchdir as u64, [n as u64, 0, 0, 0, 0, 0])?;
                self.p
                    .inject(self.tid, libc::SYS_close as u64, [n as u64, 0, 0, 0, 0, 0])?;
                r
            }
        };
        if r < 0 {
            return Err(Errno(-r as i32));
        }
        Ok(())
    }

    /// Runs `nr(args)` natively in place of the trapped call, then closes
    /// the descriptors lent for it.
    pub fn run_native(&mut self, lent: Lent, nr: i64, args: [u64; 6]) -> SysResult<Resume> {
        if lent.0.is_empty() {
            return rewrite(nr, args);
        }
        self.rewrite_then(
            nr,
            args,
            Box::new(move |c, ret| {
                for fd in lent.0 {
                    let _ =
                        c.p.inject(c.tid, libc::SYS_close as u64, [fd as u64, 0, 0, 0, 0, 0]);
                }
                ret
            }),
        )
    }

    fn install(&mut self, fd: OwnedFd, flags: i32) -> SysResult<Resume> {
        let r = self
            .p
            .install_fd(self.tid, fd.as_fd(), flags & libc::O_CLOEXEC != 0)?;
        Ok(Resume::Return(r))
    }

    /// Whether a location is the root of a mount other than "/".
    fn is_mountpoint(&self, parent: &Loc, name: &[u8]) -> bool {
        let p = join_path(&parent.path(), name);
        self.st.vfs.mounts.iter().any(|m| m.id != 0 && m.path == p)
    }

    /// The caller's credentials, for permission checks.
    fn creds(&self) -> &crate::task::Creds {
        &self.st.tasks.process(self.tid).creds
    }

    /// Whether the caller may make a new entry `name` in `parent`, in
    /// Linux's order: EEXIST, EROFS, then write and search permission on
    /// the directory (`filename_create`, `may_create`). Callers without
    /// CAP_DAC_OVERRIDE only; the others pass and the operation itself
    /// finds what exists.
    pub fn check_create(&self, parent: &Loc, name: &[u8]) -> SysResult<()> {
        if self.creds().capable(cap::DAC_OVERRIDE) {
            return Ok(());
        }
        let cx = self.caller();
        if parent.inode().lookup(&cx, name).is_ok() || self.is_mountpoint(parent, name) {
            return Err(Errno::EEXIST);
        }
        if self.read_only(parent) {
            return Err(Errno::EROFS);
        }
        perm::may_create(&cx, parent.inode())
    }

    /// Whether the caller may remove entry `name` of `parent` (Linux's
    /// `may_delete`): ENOENT if there is none, then write and search
    /// permission on the directory and the sticky-directory rule.
    fn check_delete(&self, parent: &Loc, name: &[u8]) -> SysResult<()> {
        let cr = self.creds();
        if cr.capable(cap::DAC_OVERRIDE) && cr.capable(cap::FOWNER) {
            return Ok(());
        }
        let cx = self.caller();
        let victim = parent.inode().lookup(&cx, name)?;
        perm::may_delete(&cx, parent.inode(), &victim)
    }

    /// The mode of a new object in `parent`: setgid stripped as Linux's
    /// `mode_strip_sgid` does.
    fn create_mode(&self, parent: &Loc, mode: u32) -> u32 {
        if mode & (libc::S_ISGID | libc::S_IXGRP) != libc::S_ISGID | libc::S_IXGRP {
            return mode;
        }
        match parent.inode().stat() {
            Ok(d) => perm::strip_sgid(self.creds(), &d, mode),
            Err(_) => mode,
        }
    }
}

/// What the guest sees of the object behind a descriptor that no VFS
/// inode stands for, when it is a file, directory or symlink of the root
/// hostfs (owners as hostfs shows them); None for anything else (pipes,
/// sockets, memfds the guest made), which the host serves as it is.
fn fd_host_stat(c: &Ctx<'_>, fd: i32) -> SysResult<Option<Stat>> {
    let info = c.p.fd_info(c.tid, fd).map_err(|_| Errno::EBADF)?;
    if !matches!(
        info.mode & libc::S_IFMT,
        libc::S_IFREG | libc::S_IFDIR | libc::S_IFLNK
    ) || !info.host_path.starts_with(&c.st.root_host)
    {
        return Ok(None);
    }
    let f = c.p.take_fd(c.tid, fd).map_err(|_| Errno::EBADF)?;
    let st = host::fstatat(f.as_fd(), b"", libc::AT_SYMLINK_NOFOLLOW)?;
    let mut s = Stat::from_host(&st);
    hostfs::guest_ids(&mut s);
    Ok(Some(s))
}

/// Guest descriptors ruml lent for one natively run call (see
/// [`Ctx::native_at`]); closed when the call returns.
#[derive(Default)]
pub struct Lent(pub Vec<i64>);

/// Whether two locations are the same chain of objects.
fn same_chain(a: &Loc, b: &Loc) -> bool {
    a.0.len() == b.0.len()
        && a.0
            .iter()
            .zip(&b.0)
            .all(|(x, y)| x.name == y.name && Arc::ptr_eq(&x.inode, &y.inode))
}

fn host_id(inode: &Arc<dyn Inode>) -> SysResult<(u64, u64)> {
    let s = inode.stat()?;
    Ok((s.dev, s.ino))
}

/// Rejects the last names that are not a plain entry: ".", ".." and the
/// root itself ("/", see `Vfs::resolve_parent`).
fn reject_dots(name: &[u8], err: Errno) -> SysResult<()> {
    if name == b"." || name == b".." || name == b"/" {
        return Err(err);
    }
    Ok(())
}

/// Whether a path ends in a slash after a last component (so that component
/// must be a directory).
fn trailing_slash(path: &[u8]) -> bool {
    path.len() > 1 && path.ends_with(b"/") && path.iter().any(|&b| b != b'/')
}

/// The flags an `O_PATH` open keeps (the others are ignored).
const O_PATH_FLAGS: i32 = libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;

fn do_open(c: &mut Ctx<'_>, dirfd: i32, path_ptr: u64, flags: i32, mode: u32) -> SysResult<Resume> {
    do_open_with(c, dirfd, path_ptr, flags, mode, Restrict::default())
}

fn do_open_with(
    c: &mut Ctx<'_>,
    dirfd: i32,
    path_ptr: u64,
    flags: i32,
    mode: u32,
    r: Restrict,
) -> SysResult<Resume> {
    let flags = if flags & libc::O_PATH != 0 {
        flags & O_PATH_FLAGS
    } else {
        flags
    };
    let path = c.read_path(path_ptr)?;
    let follow = if flags & libc::O_NOFOLLOW != 0 {
        Follow::No
    } else {
        Follow::Yes
    };
    let acc = flags & libc::O_ACCMODE;
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    let (root, base) = c.scoped_base(dirfd, &path, r)?;
    let loc = match c
        .st
        .vfs
        .resolve_with(&c.caller(), &root, &base, &path, follow, r)
    {
        Ok(l) => {
            if flags & (libc::O_CREAT | libc::O_EXCL) == (libc::O_CREAT | libc::O_EXCL) {
                return Err(Errno::EEXIST);
            }
            l
        }
        Err(Errno::ENOENT) if flags & libc::O_CREAT != 0 => {
            match create_target(c, (root, base), &path, flags, r)? {
                Created::Exists(l) => l,
                Created::At(parent, name) => {
                    // Created where the guest's own path leads, with the mode
                    // the host would give it: the call runs as made.
                    let plain = c.plain_call(&[libc::SYS_open, libc::SYS_openat, libc::SYS_creat]);
                    if plain
                        && hostfs::nosuid(mode) == mode
                        && c.native_child(&parent, &name).is_some()
                        && c.create_mode(&parent, mode & 0o7777) == mode & 0o7777
                        && c.read_only(&parent).not()
                        && perm::may_create(&c.caller(), parent.inode()).is_ok()
                        && name.as_slice() == path.rsplit(|&b| b == b'/').next().unwrap_or(b"")
                        && c.natively_same_parent(dirfd, &path, &parent)
                    {
                        return Ok(Resume::Native);
                    }
                    return create_file(c, parent, &name, flags, mode);
                }
            }
        }
        Err(e) => return Err(e),
    };
    let kind = loc.inode().kind();
    if flags & libc::O_CREAT != 0 && kind == Kind::Dir {
        return Err(Errno::EISDIR);
    }
    if flags & libc::O_DIRECTORY != 0 && kind != Kind::Dir {
        return Err(Errno::ENOTDIR);
    }
    if flags & libc::O_PATH == 0 {
        if kind == Kind::Symlink {
            return Err(Errno::ELOOP);
        }
        let writes = acc != libc::O_RDONLY || flags & libc::O_TRUNC != 0;
        if kind == Kind::Dir && writes {
            return Err(Errno::EISDIR);
        }
        if writes && kind == Kind::File && c.read_only(&loc) {
            return Err(Errno::EROFS);
        }
        // may_open: read and write permission as the access mode and
        // O_TRUNC ask; O_NOATIME only for the owner.
        let mut mask = match acc {
            libc::O_RDONLY => MAY_READ,
            libc::O_WRONLY => MAY_WRITE,
            _ => MAY_READ | MAY_WRITE,
        };
        if flags & libc::O_TRUNC != 0 {
            mask |= MAY_WRITE;
        }
        perm::permission(&c.caller(), loc.inode(), mask)?;
        if flags & libc::O_NOATIME != 0 {
            let st = loc.inode().stat()?;
            if !perm::owner_or_capable(c.creds(), &st) {
                return Err(Errno::EPERM);
            }
        }
    }
    if let Some(t) = c.native_target(&loc) {
        if !matches!(kind, Kind::Char | Kind::Block) {
            if kind == Kind::Dir {
                registry::register_dir(host_id(loc.inode())?, loc.clone());
            }
            // The host reaches the same file from the guest's own words:
            // the call runs as made (no rewrite to undo afterwards).
            if c.plain_call(&[libc::SYS_open, libc::SYS_openat])
                && c.natively_same(dirfd, &path, follow, &loc.inode().stat()?)
            {
                return Ok(Resume::Native);
            }
            let mut lent = Lent::default();
            let (d, a) = c.native_at(&mut lent, &t, 0)?;
            return c.run_native(
                lent,
                libc::SYS_openat,
                [d, a, flags as u64, mode as u64, 0, 0],
            );
        }
    }
    if flags & libc::O_PATH == 0 && kind == Kind::Fifo {
        if let Some((dir, name)) = loc.inode().host_node() {
            // A tmpfs FIFO: the guest opens the host FIFO standing for it
            // itself, so it blocks (or not) as Linux decides.
            if let Ok(st) = host::fstatat(dir, name, libc::AT_SYMLINK_NOFOLLOW) {
                registry::set_path((st.st_dev, st.st_ino), loc.path());
            }
            let name = name.to_vec();
            let n = c.lend(dir)?;
            let a = c.scratch_str(&name, 0)?;
            let f = (flags & !(libc::O_CREAT | libc::O_EXCL)) | libc::O_NOFOLLOW;
            return c.run_native(
                Lent(vec![n]),
                libc::SYS_openat,
                [n as u64, a, f as u64, 0, 0, 0],
            );
        }
    }
    let opened = loc.inode().open(&c.caller(), flags);
    let standin = match (&opened, kind) {
        // A virtual directory, or an O_PATH descriptor of a virtual symlink:
        // the guest holds a host object of the same type that stands for it.
        (Err(_), Kind::Dir) => Some(
            private::get()
                .and_then(|p| p.standin_dir(flags))
                .or_else(|_| memfd_standin())?,
        ),
        (Err(_), Kind::Symlink) if flags & libc::O_PATH != 0 => {
            Some(private::get()?.standin_symlink()?)
        }
        _ => None,
    };
    if let Some((fd, tag)) = standin {
        let st = host::fstatat(fd.as_fd(), b"", libc::AT_SYMLINK_NOFOLLOW)?;
        registry::register_standin((st.st_dev, st.st_ino), tag, loc.clone());
        return c.install(fd, flags);
    }
    if kind == Kind::Dir {
        let fd = opened?;
        let st = host::fstatat(fd.as_fd(), b"", 0)?;
        registry::register_dir((st.st_dev, st.st_ino), loc.clone());
        return c.install(fd, flags);
    }
    let fd = opened?;
    let mut pty_slave = false;
    if let Ok(st) = host::fstatat(fd.as_fd(), b"", 0) {
        registry::set_path((st.st_dev, st.st_ino), loc.path());
        if let Some(d) = &c.st.devpts {
            pty_slave = d.slave_number(&st).is_some();
            if d.is_master(&st) {
                // A master is the ptmx node it was opened through (fstat,
                // fchmod, ttyname), as on Linux.
                registry::register_inode((st.st_dev, st.st_ino), loc.inode());
            }
        }
    }
    let r = c.install(fd, flags)?;
    if let (true, Resume::Return(n @ 0..)) = (pty_slave && flags & libc::O_NOCTTY == 0, r) {
        // Linux makes a terminal opened without O_NOCTTY the controlling
        // terminal of a session leader that has none, if it belongs to no
        // session: what TIOCSCTTY(0) does under the same conditions (it
        // fails harmlessly otherwise).
        let _ = c.p.inject(
            c.tid,
            libc::SYS_ioctl as u64,
            [n as u64, libc::TIOCSCTTY, 0, 0, 0, 0],
        );
    }
    Ok(r)
}

/// Without a private directory (no writable $XDG_RUNTIME_DIR or /tmp), a
/// memfd stands for a virtual directory: listing and *at calls work, but
/// read and write do not fail as on a directory.
fn memfd_standin() -> SysResult<(OwnedFd, Vec<u8>)> {
    let fd = host::reopen(host::memfd("ruml-dir")?.as_fd(), libc::O_RDONLY)?;
    let tag = std::fs::read_link(format!("/proc/self/fd/{}", fd.as_raw_fd()))
        .map(|p| p.into_os_string().into_encoded_bytes())
        .map_err(|_| Errno::EIO)?;
    Ok((fd, tag))
}

/// Where an `O_CREAT` open that found nothing creates its file.
enum Created {
    /// The name exists after all (it appeared meanwhile).
    Exists(Loc),
    /// Create `name` in this directory.
    At(Loc, Vec<u8>),
}

/// Finds where `O_CREAT` creates `path`: its last component, or what a
/// dangling symlink there points to (as Linux follows it unless
/// `O_EXCL` or `O_NOFOLLOW` is given).
fn create_target(
    c: &Ctx<'_>,
    (root, mut base): (Loc, Loc),
    path: &[u8],
    flags: i32,
    r: Restrict,
) -> SysResult<Created> {
    let mut p = path.to_vec();
    let mut links = 0;
    loop {
        let (parent, name) =
            c.st.vfs
                .resolve_parent_with(&c.caller(), &root, &base, &p, r)?;
        reject_dots(&name, Errno::EISDIR)?;
        if p.ends_with(b"/") {
            return Err(Errno::EISDIR);
        }
        match parent.inode().lookup(&c.caller(), &name) {
            Err(Errno::ENOENT) => return Ok(Created::At(parent, name)),
            Err(e) => return Err(e),
            Ok(i)
                if i.kind() == Kind::Symlink && flags & (libc::O_EXCL | libc::O_NOFOLLOW) == 0 =>
            {
                links += 1;
                if links > crate::vfs::MAX_SYMLINKS || r.no_symlinks {
                    return Err(Errno::ELOOP);
                }
                let target = i.readlink(&c.caller())?;
                if target.is_empty() {
                    return Err(Errno::ENOENT);
                }
                if target[0] == b'/' && r.beneath {
                    return Err(Errno::EXDEV);
                }
                p = target;
                base = parent;
            }
            Ok(_) => {
                if flags & libc::O_EXCL != 0 {
                    return Err(Errno::EEXIST);
                }
                let l = c.st.vfs.resolve_with(
                    &c.caller(),
                    &root,
                    &parent,
                    &name,
                    if flags & libc::O_NOFOLLOW != 0 {
                        Follow::No
                    } else {
                        Follow::Yes
                    },
                    r,
                )?;
                return Ok(Created::Exists(l));
            }
        }
    }
}

/// Creates and opens a regular file `name` in `parent`.
fn create_file(
    c: &mut Ctx<'_>,
    parent: Loc,
    name: &[u8],
    flags: i32,
    mode: u32,
) -> SysResult<Resume> {
    if c.read_only(&parent) {
        return Err(Errno::EROFS);
    }
    perm::may_create(&c.caller(), parent.inode())?;
    let mode = c.create_mode(&parent, mode & 0o7777);
    if let Some(t) = c.native_child(&parent, name) {
        let mut lent = Lent::default();
        let (d, a) = c.native_at(&mut lent, &t, 0)?;
        let mode = hostfs::nosuid(mode);
        return c.run_native(
            lent,
            libc::SYS_openat,
            [d, a, flags as u64, mode as u64, 0, 0],
        );
    }
    let fd = parent
        .inode()
        .create(name, mode & !c.umask() & 0o7777, flags, c.creator())?;
    if let Ok(st) = host::fstatat(fd.as_fd(), b"", 0) {
        registry::set_path((st.st_dev, st.st_ino), join_path(&parent.path(), name));
    }
    c.install(fd, flags)
}

pub fn sys_open(c: &mut Ctx<'_>) -> SysResult<Resume> {
    do_open(c, AT_FDCWD, c.arg(0), c.arg_i32(1), c.arg(2) as u32)
}

pub fn sys_openat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    do_open(c, c.arg_i32(0), c.arg(1), c.arg_i32(2), c.arg(3) as u32)
}

pub fn sys_creat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    do_open(
        c,
        AT_FDCWD,
        c.arg(0),
        libc::O_CREAT | libc::O_WRONLY | libc::O_TRUNC,
        c.arg(1) as u32,
    )
}

/// The O_ flags open(2) knows (VALID_OPEN_FLAGS).
const VALID_OPEN_FLAGS: u64 = 0x7f_ffc3;
const RESOLVE_NO_XDEV: u64 = 0x01;
const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
const RESOLVE_NO_SYMLINKS: u64 = 0x04;
const RESOLVE_BENEATH: u64 = 0x08;
const RESOLVE_IN_ROOT: u64 = 0x10;
const RESOLVE_CACHED: u64 = 0x20;

pub fn sys_openat2(c: &mut Ctx<'_>) -> SysResult<Resume> {
    // struct open_how { u64 flags; u64 mode; u64 resolve; }
    let (how, size) = (c.arg(2), c.arg(3));
    if size < 24 {
        return Err(Errno::EINVAL);
    }
    if size > 4096 {
        return Err(Errno::E2BIG);
    }
    let mut b = vec![0u8; size as usize];
    c.read(how, &mut b)?;
    if b[24..].iter().any(|&x| x != 0) {
        return Err(Errno::E2BIG);
    }
    let word = |i: usize| u64::from_ne_bytes(b[i * 8..i * 8 + 8].try_into().unwrap());
    let (flags, mode, resolve) = (word(0), word(1), word(2));
    let creates = flags & (libc::O_CREAT as u64 | 0x40_0000) != 0; // O_CREAT | __O_TMPFILE
    if flags & !VALID_OPEN_FLAGS != 0
        || resolve
            & !(RESOLVE_NO_XDEV
                | RESOLVE_NO_MAGICLINKS
                | RESOLVE_NO_SYMLINKS
                | RESOLVE_BENEATH
                | RESOLVE_IN_ROOT
                | RESOLVE_CACHED)
            != 0
        || resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT) == RESOLVE_BENEATH | RESOLVE_IN_ROOT
        || (creates && mode & !0o7777 != 0)
        || (!creates && mode != 0)
        || (flags & libc::O_PATH as u64 != 0 && flags & !(O_PATH_FLAGS as u64) != 0)
    {
        return Err(Errno::EINVAL);
    }
    let r = Restrict {
        no_xdev: resolve & RESOLVE_NO_XDEV != 0,
        no_magiclinks: resolve & RESOLVE_NO_MAGICLINKS != 0,
        no_symlinks: resolve & RESOLVE_NO_SYMLINKS != 0,
        beneath: resolve & RESOLVE_BENEATH != 0,
        in_root: resolve & RESOLVE_IN_ROOT != 0,
    };
    do_open_with(c, c.arg_i32(0), c.arg(1), flags as i32, mode as u32, r)
}

// ---- stat family ----------------------------------------------------------

pub(crate) fn fd_object(c: &Ctx<'_>, fd: i32) -> SysResult<Option<Arc<dyn Inode>>> {
    let info = c.p.fd_info(c.tid, fd).map_err(|_| Errno::EBADF)?;
    Ok(
        match registry::lookup((info.dev, info.ino), &info.host_path) {
            Some(Object::Inode(w)) => w.upgrade(),
            Some(Object::At(loc)) => Some(loc.inode().clone()),
            None => None,
        },
    )
}

/// The object behind a descriptor for a call that changes it (fchmod,
/// fchown, futimens): an `O_PATH` descriptor does not allow that.
fn fd_object_to_change(c: &Ctx<'_>, fd: i32) -> SysResult<Option<Arc<dyn Inode>>> {
    let o = fd_object(c, fd)?;
    if o.is_some() && c.p.fd_flags(c.tid, fd)? & libc::O_PATH != 0 {
        return Err(Errno::EBADF);
    }
    Ok(o)
}

fn write_stat(c: &Ctx<'_>, buf: u64, st: &Stat) -> SysResult<Resume> {
    c.write(buf, &st.to_linux())?;
    Ok(Resume::Return(0))
}

fn major(dev: u64) -> u32 {
    (((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff)) as u32
}
fn minor(dev: u64) -> u32 {
    ((dev & 0xff) | ((dev >> 12) & !0xff)) as u32
}

fn write_statx(c: &Ctx<'_>, buf: u64, st: &Stat) -> SysResult<Resume> {
    let mut b = [0u8; 256];
    let mut put = |off: usize, v: &[u8]| b[off..off + v.len()].copy_from_slice(v);
    put(0, &0x7ffu32.to_ne_bytes()); // STATX_BASIC_STATS
    put(4, &(st.blksize as u32).to_ne_bytes());
    put(16, &(st.nlink as u32).to_ne_bytes());
    put(20, &st.uid.to_ne_bytes());
    put(24, &st.gid.to_ne_bytes());
    put(28, &(st.mode as u16).to_ne_bytes());
    put(32, &st.ino.to_ne_bytes());
    put(40, &st.size.to_ne_bytes());
    put(48, &st.blocks.to_ne_bytes());
    for (off, t) in [(64, st.atime), (96, st.ctime), (112, st.mtime)] {
        put(off, &t.0.to_ne_bytes());
        put(off + 8, &(t.1 as u32).to_ne_bytes());
    }
    put(128, &major(st.rdev).to_ne_bytes());
    put(132, &minor(st.rdev).to_ne_bytes());
    put(136, &major(st.dev).to_ne_bytes());
    put(140, &minor(st.dev).to_ne_bytes());
    c.write(buf, &b)?;
    Ok(Resume::Return(0))
}

pub fn sys_fstat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    match fd_object(c, c.arg_i32(0))? {
        Some(i) => write_stat(c, c.arg(1), &i.stat()?),
        None => Ok(Resume::Native),
    }
}

#[derive(Clone, Copy)]
enum StatKind {
    Stat,
    Statx,
}

fn stat_at(
    c: &mut Ctx<'_>,
    dirfd: i32,
    path_ptr: u64,
    buf: u64,
    flags: i32,
    kind: StatKind,
) -> SysResult<Resume> {
    let path = c.read_path(path_ptr)?;
    let inode = if path.is_empty() {
        if flags & libc::AT_EMPTY_PATH == 0 {
            return Err(Errno::ENOENT);
        }
        if dirfd == AT_FDCWD {
            c.fs_root_cwd().1.inode().clone()
        } else {
            match fd_object(c, dirfd)? {
                Some(i) => i,
                None => return Ok(Resume::Native),
            }
        }
    } else {
        let follow = if flags & libc::AT_SYMLINK_NOFOLLOW != 0 {
            Follow::No
        } else {
            Follow::Yes
        };
        let loc = c.resolve_at(dirfd, &path, follow)?;
        if let Some(t) = c.native_target(&loc) {
            let plain = [
                libc::SYS_stat,
                libc::SYS_lstat,
                libc::SYS_newfstatat,
                libc::SYS_statx,
            ];
            if c.plain_call(&plain) && c.natively_same(dirfd, &path, follow, &loc.inode().stat()?) {
                return Ok(Resume::Native);
            }
            let mut lent = Lent::default();
            let (d, a) = c.native_at(&mut lent, &t, 0)?;
            let fl = (flags | libc::AT_SYMLINK_NOFOLLOW) as u64;
            return match kind {
                StatKind::Stat => c.run_native(lent, libc::SYS_newfstatat, [d, a, buf, fl, 0, 0]),
                StatKind::Statx => {
                    c.run_native(lent, libc::SYS_statx, [d, a, fl, c.arg(3), buf, 0])
                }
            };
        }
        loc.inode().clone()
    };
    let st = inode.stat()?;
    match kind {
        StatKind::Stat => write_stat(c, buf, &st),
        StatKind::Statx => write_statx(c, buf, &st),
    }
}

pub fn sys_stat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    stat_at(c, AT_FDCWD, c.arg(0), c.arg(1), 0, StatKind::Stat)
}

pub fn sys_lstat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    stat_at(
        c,
        AT_FDCWD,
        c.arg(0),
        c.arg(1),
        libc::AT_SYMLINK_NOFOLLOW,
        StatKind::Stat,
    )
}

/// AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC.
const AT_STATX_SYNC_TYPE: i32 = 0x6000;
const STAT_FLAGS: i32 =
    libc::AT_SYMLINK_NOFOLLOW | libc::AT_NO_AUTOMOUNT | libc::AT_EMPTY_PATH | AT_STATX_SYNC_TYPE;

pub fn sys_newfstatat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    if c.arg_i32(3) & !STAT_FLAGS != 0 {
        return Err(Errno::EINVAL);
    }
    stat_at(
        c,
        c.arg_i32(0),
        c.arg(1),
        c.arg(2),
        c.arg_i32(3),
        StatKind::Stat,
    )
}

pub fn sys_statx(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let flags = c.arg_i32(2);
    if flags & !STAT_FLAGS != 0
        || flags & AT_STATX_SYNC_TYPE == AT_STATX_SYNC_TYPE
        || c.arg(3) as u32 & 0x8000_0000 != 0
    {
        // Unknown flags, both sync types, or STATX__RESERVED in the mask.
        return Err(Errno::EINVAL);
    }
    stat_at(
        c,
        c.arg_i32(0),
        c.arg(1),
        c.arg(4),
        c.arg_i32(2),
        StatKind::Statx,
    )
}

fn access_at(
    c: &mut Ctx<'_>,
    dirfd: i32,
    path_ptr: u64,
    mode: i32,
    flags: i32,
) -> SysResult<Resume> {
    if mode & !7 != 0
        || flags & !(libc::AT_EACCESS | libc::AT_SYMLINK_NOFOLLOW | libc::AT_EMPTY_PATH) != 0
    {
        return Err(Errno::EINVAL);
    }
    let path = c.read_path(path_ptr)?;
    let follow = if flags & libc::AT_SYMLINK_NOFOLLOW != 0 {
        Follow::No
    } else {
        Follow::Yes
    };
    // access(2) checks, and walks, with the real ids unless AT_EACCESS.
    let creds = if flags & libc::AT_EACCESS != 0 {
        c.creds().clone()
    } else {
        perm::access_creds(c.creds())
    };
    if path.is_empty() && flags & libc::AT_EMPTY_PATH != 0 && dirfd != AT_FDCWD {
        // The descriptor's own object.
        return match fd_object(c, dirfd)? {
            Some(i) => access_check(c, &creds, &i, mode),
            None => match fd_host_stat(c, dirfd)? {
                Some(st) => {
                    access_mask_check(&creds, &st, mode)?;
                    Ok(Resume::Return(0))
                }
                None => Ok(Resume::Native),
            },
        };
    }
    let loc = if path.is_empty() && flags & libc::AT_EMPTY_PATH != 0 {
        c.fs_root_cwd().1
    } else {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        let (root, base) = c.base(dirfd, &path)?;
        let cx = crate::vfs::Caller {
            creds: Some(&creds),
            ..c.caller()
        };
        c.st.vfs.resolve(&cx, &root, &base, &path, follow)?
    };
    if mode & libc::W_OK != 0 && c.read_only(&loc) {
        return Err(Errno::EROFS);
    }
    access_check(c, &creds, loc.inode(), mode)
}

/// access(2)'s permission check of `inode` with `creds`.
fn access_check(
    c: &Ctx<'_>,
    creds: &crate::task::Creds,
    inode: &Arc<dyn Inode>,
    mode: i32,
) -> SysResult<Resume> {
    let cx = crate::vfs::Caller {
        creds: Some(creds),
        ..c.caller()
    };
    // The mode bits are the MAY_ ones (R_OK = MAY_READ, ...).
    perm::permission(&cx, inode, mode as u32)?;
    Ok(Resume::Return(0))
}

/// access(2)'s check against attributes only (a descriptor of the root
/// hostfs).
fn access_mask_check(creds: &crate::task::Creds, st: &Stat, mode: i32) -> SysResult<()> {
    perm::generic_permission(creds, st, mode as u32)
}

pub fn sys_access(c: &mut Ctx<'_>) -> SysResult<Resume> {
    access_at(c, AT_FDCWD, c.arg(0), c.arg_i32(1), 0)
}

pub fn sys_faccessat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    access_at(c, c.arg_i32(0), c.arg(1), c.arg_i32(2), 0)
}

pub fn sys_faccessat2(c: &mut Ctx<'_>) -> SysResult<Resume> {
    access_at(c, c.arg_i32(0), c.arg(1), c.arg_i32(2), c.arg_i32(3))
}

fn readlink_at(
    c: &mut Ctx<'_>,
    dirfd: i32,
    path_ptr: u64,
    buf: u64,
    size: u64,
) -> SysResult<Resume> {
    if (size as i64) <= 0 {
        return Err(Errno::EINVAL);
    }
    let path = c.read_path(path_ptr)?;
    if path.is_empty() {
        // The descriptor's own object, which must be a symlink.
        let inode = if dirfd == AT_FDCWD {
            c.fs_root_cwd().1.inode().clone()
        } else {
            match fd_object(c, dirfd)? {
                Some(i) => i,
                None => return Ok(Resume::Native),
            }
        };
        if inode.kind() != Kind::Symlink {
            return Err(Errno::ENOENT);
        }
        let target = inode.readlink(&c.caller())?;
        let n = target.len().min(size as usize);
        c.write(buf, &target[..n])?;
        return Ok(Resume::Return(n as i64));
    }
    let loc = c.resolve_at(dirfd, &path, Follow::No)?;
    let target = loc.inode().readlink(&c.caller())?;
    let n = target.len().min(size as usize);
    c.write(buf, &target[..n])?;
    Ok(Resume::Return(n as i64))
}

pub fn sys_readlink(c: &mut Ctx<'_>) -> SysResult<Resume> {
    readlink_at(c, AT_FDCWD, c.arg(0), c.arg(1), c.arg(2))
}

pub fn sys_readlinkat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    readlink_at(c, c.arg_i32(0), c.arg(1), c.arg(2), c.arg(3))
}

// ---- directories ----------------------------------------------------------

fn getdents(c: &mut Ctx<'_>, is64: bool) -> SysResult<Resume> {
    let fd = c.arg_i32(0);
    let (buf, count) = (c.arg(1), c.arg(2) as usize);
    let info = c.p.fd_info(c.tid, fd).map_err(|_| Errno::EBADF)?;
    let Some(Object::At(loc)) = registry::lookup_standin((info.dev, info.ino), &info.host_path)
    else {
        if info.mode & libc::S_IFMT == libc::S_IFDIR {
            return Ok(Resume::Native);
        }
        return Err(Errno::ENOTDIR);
    };
    if c.p.fd_flags(c.tid, fd)? & libc::O_PATH != 0 {
        return Err(Errno::EBADF);
    }
    let me = loc.inode().stat()?.ino;
    let parent = if loc.0.len() > 1 {
        loc.0[loc.0.len() - 2]
            .inode
            .stat()
            .map(|s| s.ino)
            .unwrap_or(me)
    } else {
        me
    };
    let mut entries = vec![
        crate::vfs::DirEntry {
            name: b".".to_vec(),
            ino: me,
            kind: Kind::Dir,
        },
        crate::vfs::DirEntry {
            name: b"..".to_vec(),
            ino: parent,
            kind: Kind::Dir,
        },
    ];
    entries.extend(loc.inode().readdir(&c.caller())?);
    let f = c.p.take_fd(c.tid, fd)?;
    let mut pos = host::tell(f.as_fd())? as usize;
    let mut out = Vec::new();
    while pos < entries.len() {
        let e = &entries[pos];
        let rec = if is64 {
            (19 + e.name.len() + 1 + 7) & !7
        } else {
            (18 + e.name.len() + 2 + 7) & !7
        };
        if out.len() + rec > count {
            break;
        }
        let start = out.len();
        out.resize(start + rec, 0);
        let r = &mut out[start..];
        r[0..8].copy_from_slice(&e.ino.to_ne_bytes());
        r[8..16].copy_from_slice(&((pos + 1) as u64).to_ne_bytes());
        r[16..18].copy_from_slice(&(rec as u16).to_ne_bytes());
        if is64 {
            r[18] = e.kind.dtype();
            r[19..19 + e.name.len()].copy_from_slice(&e.name);
        } else {
            r[18..18 + e.name.len()].copy_from_slice(&e.name);
            r[rec - 1] = e.kind.dtype();
        }
        pos += 1;
    }
    if out.is_empty() && pos < entries.len() {
        return Err(Errno::EINVAL);
    }
    c.write(buf, &out)?;
    host::seek_to(f.as_fd(), pos as i64)?;
    Ok(Resume::Return(out.len() as i64))
}

pub fn sys_getdents64(c: &mut Ctx<'_>) -> SysResult<Resume> {
    getdents(c, true)
}

pub fn sys_getdents(c: &mut Ctx<'_>) -> SysResult<Resume> {
    getdents(c, false)
}

pub fn sys_getcwd(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let (root, cwd) = c.fs_root_cwd();
    if cwd.removed() {
        return Err(Errno::ENOENT);
    }
    let mut p = if cwd.is_under(&root) {
        cwd.path_from(&root)
    } else {
        [&b"(unreachable)"[..], &cwd.path()].concat()
    };
    p.push(0);
    if p.len() > libc::PATH_MAX as usize {
        return Err(Errno::ENAMETOOLONG);
    }
    if p.len() > c.arg(1) as usize {
        return Err(Errno::ERANGE);
    }
    c.write(c.arg(0), &p)?;
    Ok(Resume::Return(p.len() as i64))
}

fn set_cwd(c: &mut Ctx<'_>, loc: Loc) -> SysResult<Resume> {
    if loc.inode().kind() != Kind::Dir {
        return Err(Errno::ENOTDIR);
    }
    perm::permission(&c.caller(), loc.inode(), MAY_EXEC)?;
    // The host cwd follows when the directory is on the root hostfs (for
    // calls that take paths natively: AF_UNIX binds).
    let host_cwd = match c.native_target(&loc) {
        Some((dir, _)) => c.native_chdir(&dir).is_ok(),
        None => false,
    };
    let fs = c.st.tasks.task(c.tid).fs.clone();
    let mut f = fs.borrow_mut();
    f.cwd = loc;
    f.host_cwd = host_cwd;
    Ok(Resume::Return(0))
}

pub fn sys_chdir(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let path = c.read_path(c.arg(0))?;
    let loc = c.resolve_at(AT_FDCWD, &path, Follow::Yes)?;
    set_cwd(c, loc)
}

pub fn sys_fchdir(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let loc = c.fd_loc(c.arg_i32(0))?;
    set_cwd(c, loc)
}

pub fn sys_chroot(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let path = c.read_path(c.arg(0))?;
    let loc = c.resolve_at(AT_FDCWD, &path, Follow::Yes)?;
    if loc.inode().kind() != Kind::Dir {
        return Err(Errno::ENOTDIR);
    }
    perm::permission(&c.caller(), loc.inode(), MAY_EXEC)?;
    c.require(cap::SYS_CHROOT)?;
    c.st.tasks.task(c.tid).fs.borrow_mut().root = loc;
    Ok(Resume::Return(0))
}

fn mkdir_at(c: &mut Ctx<'_>, dirfd: i32, path_ptr: u64, mode: u32) -> SysResult<Resume> {
    let path = c.read_path(path_ptr)?;
    let (parent, name) = c.resolve_parent_at(dirfd, &path)?;
    reject_dots(&name, Errno::EEXIST)?;
    if parent.inode().lookup(&c.caller(), &name).is_ok() || c.is_mountpoint(&parent, &name) {
        return Err(Errno::EEXIST);
    }
    if c.read_only(&parent) {
        return Err(Errno::EROFS);
    }
    perm::may_create(&c.caller(), parent.inode())?;
    if let Some(t) = c.native_child(&parent, &name) {
        if c.plain_call(&[libc::SYS_mkdir, libc::SYS_mkdirat])
            && c.create_mode(&parent, mode & 0o7777) == mode & 0o7777
            && c.natively_same_parent(dirfd, &path, &parent)
        {
            return Ok(Resume::Native);
        }
        let mut lent = Lent::default();
        let (d, a) = c.native_at(&mut lent, &t, 0)?;
        return c.run_native(lent, libc::SYS_mkdirat, [d, a, mode as u64, 0, 0, 0]);
    }
    parent
        .inode()
        .mkdir(&name, mode & !c.umask() & 0o7777, c.creator())?;
    Ok(Resume::Return(0))
}

pub fn sys_mkdir(c: &mut Ctx<'_>) -> SysResult<Resume> {
    mkdir_at(c, AT_FDCWD, c.arg(0), c.arg(1) as u32)
}

pub fn sys_mkdirat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    mkdir_at(c, c.arg_i32(0), c.arg(1), c.arg(2) as u32)
}

fn unlink_at(c: &mut Ctx<'_>, dirfd: i32, path_ptr: u64, flags: i32) -> SysResult<Resume> {
    if flags & !libc::AT_REMOVEDIR != 0 {
        return Err(Errno::EINVAL);
    }
    let rmdir = flags & libc::AT_REMOVEDIR != 0;
    let path = c.read_path(path_ptr)?;
    let (parent, name) = c.resolve_parent_at(dirfd, &path)?;
    if rmdir {
        match name.as_slice() {
            b"." => return Err(Errno::EINVAL),
            b".." => return Err(Errno::ENOTEMPTY),
            b"/" => return Err(Errno::EBUSY),
            _ => {}
        }
    } else {
        reject_dots(&name, Errno::EISDIR)?;
        if path.ends_with(b"/") {
            let l = parent.inode().lookup(&c.caller(), &name)?;
            return Err(if l.kind() == Kind::Dir {
                Errno::EISDIR
            } else {
                Errno::ENOTDIR
            });
        }
    }
    if c.read_only(&parent) {
        return Err(Errno::EROFS);
    }
    c.check_delete(&parent, &name)?;
    if c.is_mountpoint(&parent, &name) {
        return Err(Errno::EBUSY);
    }
    if let Some(t) = c.native_child(&parent, &name) {
        if c.plain_call(&[libc::SYS_unlink, libc::SYS_rmdir, libc::SYS_unlinkat])
            && c.natively_same_parent(dirfd, &path, &parent)
        {
            return Ok(Resume::Native);
        }
        let mut lent = Lent::default();
        let (d, a) = c.native_at(&mut lent, &t, 0)?;
        return c.run_native(lent, libc::SYS_unlinkat, [d, a, flags as u64, 0, 0, 0]);
    }
    if rmdir {
        parent.inode().rmdir(&name)?;
    } else {
        parent.inode().unlink(&name)?;
    }
    Ok(Resume::Return(0))
}

pub fn sys_unlink(c: &mut Ctx<'_>) -> SysResult<Resume> {
    unlink_at(c, AT_FDCWD, c.arg(0), 0)
}

pub fn sys_rmdir(c: &mut Ctx<'_>) -> SysResult<Resume> {
    unlink_at(c, AT_FDCWD, c.arg(0), libc::AT_REMOVEDIR)
}

pub fn sys_unlinkat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    unlink_at(c, c.arg_i32(0), c.arg(1), c.arg_i32(2))
}

fn rename_at(
    c: &mut Ctx<'_>,
    od: i32,
    op: u64,
    nd: i32,
    np_: u64,
    flags: u32,
) -> SysResult<Resume> {
    let (noreplace, exchange, whiteout) = (
        flags & libc::RENAME_NOREPLACE != 0,
        flags & libc::RENAME_EXCHANGE != 0,
        flags & libc::RENAME_WHITEOUT != 0,
    );
    if flags & !(libc::RENAME_NOREPLACE | libc::RENAME_EXCHANGE | libc::RENAME_WHITEOUT) != 0
        || ((noreplace || whiteout) && exchange)
    {
        return Err(Errno::EINVAL);
    }
    let opath = c.read_path(op)?;
    let npath = c.read_path(np_)?;
    let (oparent, oname) = c.resolve_parent_at(od, &opath)?;
    let (nparent, nname) = c.resolve_parent_at(nd, &npath)?;
    if oparent.mount() != nparent.mount() {
        return Err(Errno::EXDEV);
    }
    reject_dots(&oname, Errno::EBUSY)?;
    reject_dots(&nname, Errno::EBUSY)?;
    if c.read_only(&oparent) {
        return Err(Errno::EROFS);
    }
    let old = oparent.inode().lookup(&c.caller(), &oname)?;
    let new = match nparent.inode().lookup(&c.caller(), &nname) {
        Ok(i) => Some(i),
        Err(Errno::ENOENT) => None,
        Err(e) => return Err(e),
    };
    if noreplace && new.is_some() {
        return Err(Errno::EEXIST);
    }
    if exchange {
        let Some(n) = &new else {
            return Err(Errno::ENOENT);
        };
        if n.kind() != Kind::Dir && trailing_slash(&npath) {
            return Err(Errno::ENOTDIR);
        }
    }
    if old.kind() != Kind::Dir && (trailing_slash(&opath) || (!exchange && trailing_slash(&npath)))
    {
        return Err(Errno::ENOTDIR);
    }
    if !new.as_ref().is_some_and(|n| same_object(&old, n)) {
        // vfs_rename: may_delete of the source, may_create or may_delete
        // at the target, and a directory moving to another parent must be
        // writable (its ".." changes).
        let cx = c.caller();
        perm::may_delete(&cx, oparent.inode(), &old)?;
        match &new {
            None => perm::may_create(&cx, nparent.inode())?,
            Some(n) => perm::may_delete(&cx, nparent.inode(), n)?,
        }
        if !same_object(oparent.inode(), nparent.inode()) {
            if old.kind() == Kind::Dir {
                perm::permission(&cx, &old, MAY_WRITE)?;
            }
            if let Some(n) = new.as_ref().filter(|n| exchange && n.kind() == Kind::Dir) {
                perm::permission(&cx, n, MAY_WRITE)?;
            }
        }
    }
    if c.is_mountpoint(&oparent, &oname) || c.is_mountpoint(&nparent, &nname) {
        return Err(Errno::EBUSY);
    }
    if let (Some(a), Some(b)) = (
        c.native_child(&oparent, &oname),
        c.native_child(&nparent, &nname),
    ) {
        let mut lent = Lent::default();
        let (ad, a) = c.native_at(&mut lent, &a, 0)?;
        let (bd, b) = c.native_at(&mut lent, &b, 1)?;
        return c.run_native(lent, libc::SYS_renameat2, [ad, a, bd, b, flags as u64, 0]);
    }
    oparent
        .inode()
        .rename(&oname, nparent.inode(), &nname, flags)?;
    Ok(Resume::Return(0))
}

pub fn sys_rename(c: &mut Ctx<'_>) -> SysResult<Resume> {
    rename_at(c, AT_FDCWD, c.arg(0), AT_FDCWD, c.arg(1), 0)
}

pub fn sys_renameat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    rename_at(c, c.arg_i32(0), c.arg(1), c.arg_i32(2), c.arg(3), 0)
}

pub fn sys_renameat2(c: &mut Ctx<'_>) -> SysResult<Resume> {
    rename_at(
        c,
        c.arg_i32(0),
        c.arg(1),
        c.arg_i32(2),
        c.arg(3),
        c.arg(4) as u32,
    )
}

fn link_at(c: &mut Ctx<'_>, od: i32, op: u64, nd: i32, np_: u64, flags: i32) -> SysResult<Resume> {
    if flags & !(libc::AT_SYMLINK_FOLLOW | libc::AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let opath = c.read_path(op)?;
    let npath = c.read_path(np_)?;
    let follow = if flags & libc::AT_SYMLINK_FOLLOW != 0 {
        Follow::Yes
    } else {
        Follow::No
    };
    let old = c.resolve_at(od, &opath, follow)?;
    let (nparent, nname) = c.resolve_parent_at(nd, &npath)?;
    reject_dots(&nname, Errno::EEXIST)?;
    if nname.len() > 255 {
        return Err(Errno::ENAMETOOLONG);
    }
    if trailing_slash(&npath) {
        return Err(match nparent.inode().lookup(&c.caller(), &nname) {
            Ok(_) => Errno::EEXIST,
            Err(_) => Errno::ENOENT,
        });
    }
    if !c.creds().capable(cap::DAC_OVERRIDE)
        && (nparent.inode().lookup(&c.caller(), &nname).is_ok()
            || c.is_mountpoint(&nparent, &nname))
    {
        return Err(Errno::EEXIST);
    }
    if c.read_only(&nparent) {
        return Err(Errno::EROFS);
    }
    if old.mount() != nparent.mount() {
        return Err(Errno::EXDEV);
    }
    may_linkat(c, old.inode())?;
    perm::may_create(&c.caller(), nparent.inode())?;
    if old.inode().kind() == Kind::Dir {
        return Err(Errno::EPERM);
    }
    if let (Some(a), Some(b)) = (c.native_target(&old), c.native_child(&nparent, &nname)) {
        let mut lent = Lent::default();
        let (ad, a) = c.native_at(&mut lent, &a, 0)?;
        let (bd, b) = c.native_at(&mut lent, &b, 1)?;
        return c.run_native(lent, libc::SYS_linkat, [ad, a, bd, b, 0, 0]);
    }
    nparent.inode().link(&nname, old.inode())?;
    Ok(Resume::Return(0))
}

/// Linux's `may_linkat` with fs.protected_hardlinks = 1 (as distributions
/// set it): only the owner (or CAP_FOWNER) may link a file that is not a
/// regular, non-setuid, non-setgid-executable file it may read and write.
fn may_linkat(c: &Ctx<'_>, inode: &Arc<dyn Inode>) -> SysResult<()> {
    let cr = c.creds();
    if cr.capable(cap::FOWNER) {
        return Ok(());
    }
    let st = inode.stat()?;
    if st.uid == cr.fsuid {
        return Ok(());
    }
    let safe = st.kind() == Kind::File
        && st.mode & libc::S_ISUID == 0
        && st.mode & (libc::S_ISGID | libc::S_IXGRP) != libc::S_ISGID | libc::S_IXGRP
        && perm::permission(&c.caller(), inode, MAY_READ | MAY_WRITE).is_ok();
    if safe {
        Ok(())
    } else {
        Err(Errno::EPERM)
    }
}

pub fn sys_link(c: &mut Ctx<'_>) -> SysResult<Resume> {
    link_at(c, AT_FDCWD, c.arg(0), AT_FDCWD, c.arg(1), 0)
}

pub fn sys_linkat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    link_at(
        c,
        c.arg_i32(0),
        c.arg(1),
        c.arg_i32(2),
        c.arg(3),
        c.arg_i32(4),
    )
}

fn symlink_at(c: &mut Ctx<'_>, target_ptr: u64, nd: i32, np_: u64) -> SysResult<Resume> {
    let target = c.read_path(target_ptr)?;
    if target.is_empty() {
        return Err(Errno::ENOENT);
    }
    let npath = c.read_path(np_)?;
    let (parent, name) = c.resolve_parent_at(nd, &npath)?;
    reject_dots(&name, Errno::EEXIST)?;
    if trailing_slash(&npath) {
        return Err(match parent.inode().lookup(&c.caller(), &name) {
            Ok(_) => Errno::EEXIST,
            Err(_) => Errno::ENOENT,
        });
    }
    c.check_create(&parent, &name)?;
    if c.read_only(&parent) {
        return Err(Errno::EROFS);
    }
    if let Some(t) = c.native_child(&parent, &name) {
        let mut lent = Lent::default();
        let (d, a) = c.native_at(&mut lent, &t, 0)?;
        return c.run_native(lent, libc::SYS_symlinkat, [target_ptr, d, a, 0, 0, 0]);
    }
    parent.inode().symlink(&name, &target, c.creator())?;
    Ok(Resume::Return(0))
}

pub fn sys_symlink(c: &mut Ctx<'_>) -> SysResult<Resume> {
    symlink_at(c, c.arg(0), AT_FDCWD, c.arg(1))
}

pub fn sys_symlinkat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    symlink_at(c, c.arg(0), c.arg_i32(1), c.arg(2))
}

// ---- attributes -------------------------------------------------------------

/// chown: only CAP_CHOWN gives a file away or to a group the caller is
/// not in (EPERM); a change of owner of anything but a directory clears
/// setuid, and setgid when the group may execute (even when the owner
/// stays the same).
fn chown_inode(c: &Ctx<'_>, inode: &Arc<dyn Inode>, mut a: SetAttr) -> SysResult<()> {
    let st = inode.stat()?;
    perm::chown_ok(c.creds(), &st, a.uid, a.gid)?;
    if st.kind() != Kind::Dir {
        let mut m = st.mode & 0o7777;
        m &= !libc::S_ISUID;
        if m & (libc::S_ISGID | libc::S_IXGRP) == libc::S_ISGID | libc::S_IXGRP {
            m &= !libc::S_ISGID;
        }
        if m != st.mode & 0o7777 {
            a.mode = Some(m);
        }
    }
    inode.setattr(&a)
}

fn chown_path(
    c: &mut Ctx<'_>,
    dirfd: i32,
    path_ptr: u64,
    follow: Follow,
    a: SetAttr,
) -> SysResult<Resume> {
    let path = c.read_path(path_ptr)?;
    let loc = c.resolve_at(dirfd, &path, follow)?;
    if c.read_only(&loc) {
        return Err(Errno::EROFS);
    }
    chown_inode(c, loc.inode(), a)?;
    Ok(Resume::Return(0))
}

/// The mode chmod sets on `inode` for the caller (see
/// [`perm::chmod_mode`]).
fn chmod_mode(c: &Ctx<'_>, inode: &Arc<dyn Inode>, mode: u32) -> SysResult<u32> {
    let cr = c.creds();
    if cr.capable(cap::FOWNER) && cr.capable(cap::FSETID) {
        return Ok(mode);
    }
    perm::chmod_mode(cr, &inode.stat()?, mode)
}

fn chmod_at(c: &mut Ctx<'_>, dirfd: i32, path_ptr: u64, mode: u32) -> SysResult<Resume> {
    let path = c.read_path(path_ptr)?;
    let loc = c.resolve_at(dirfd, &path, Follow::Yes)?;
    if c.read_only(&loc) {
        return Err(Errno::EROFS);
    }
    let mode = chmod_mode(c, loc.inode(), mode & 0o7777)?;
    if let Some(t) = c.native_target(&loc) {
        let mode = match loc.inode().kind() {
            Kind::Dir => mode,
            _ => hostfs::nosuid(mode),
        };
        let mut lent = Lent::default();
        let (d, a) = c.native_at(&mut lent, &t, 0)?;
        return c.run_native(lent, libc::SYS_fchmodat, [d, a, mode as u64, 0, 0, 0]);
    }
    loc.inode().setattr(&SetAttr {
        mode: Some(mode),
        ..Default::default()
    })?;
    Ok(Resume::Return(0))
}

pub fn sys_chmod(c: &mut Ctx<'_>) -> SysResult<Resume> {
    chmod_at(c, AT_FDCWD, c.arg(0), c.arg(1) as u32)
}

pub fn sys_fchmodat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    chmod_at(c, c.arg_i32(0), c.arg(1), c.arg(2) as u32)
}

pub fn sys_fchmod(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let (fd, mode) = (c.arg_i32(0), c.arg(1) as u32 & 0o7777);
    match fd_object_to_change(c, fd)? {
        Some(i) => {
            let mode = chmod_mode(c, &i, mode)?;
            i.setattr(&SetAttr {
                mode: Some(mode),
                ..Default::default()
            })?;
            Ok(Resume::Return(0))
        }
        None => {
            let cr = c.creds();
            let privileged = cr.capable(cap::FOWNER) && cr.capable(cap::FSETID);
            if privileged && hostfs::nosuid(mode) == mode {
                return Ok(Resume::Native);
            }
            let Some(st) = fd_host_stat(c, fd)? else {
                return Ok(Resume::Native);
            };
            let m = if privileged {
                mode
            } else {
                perm::chmod_mode(c.creds(), &st, mode)?
            };
            // A host object: no set-ID bits on its host file.
            let m = if st.kind() == Kind::Dir {
                m
            } else {
                hostfs::nosuid(m)
            };
            rewrite(libc::SYS_fchmod, [fd as u64, m as u64, 0, 0, 0, 0])
        }
    }
}

fn owner(c: &Ctx<'_>, ui: usize) -> SetAttr {
    let id = |v: u64| (v as u32 != u32::MAX).then_some(v as u32);
    SetAttr {
        uid: id(c.arg(ui)),
        gid: id(c.arg(ui + 1)),
        ..Default::default()
    }
}

pub fn sys_chown(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let a = owner(c, 1);
    chown_path(c, AT_FDCWD, c.arg(0), Follow::Yes, a)
}

pub fn sys_lchown(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let a = owner(c, 1);
    chown_path(c, AT_FDCWD, c.arg(0), Follow::No, a)
}

pub fn sys_fchownat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let a = owner(c, 2);
    let flags = c.arg_i32(4);
    if flags & !(libc::AT_SYMLINK_NOFOLLOW | libc::AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let path = c.read_path(c.arg(1))?;
    if path.is_empty() && flags & libc::AT_EMPTY_PATH != 0 {
        // AT_EMPTY_PATH works on O_PATH descriptors, fchown does not.
        return match fd_object(c, c.arg_i32(0))? {
            Some(i) => {
                chown_inode(c, &i, a)?;
                Ok(Resume::Return(0))
            }
            None => chown_native_fd(c, c.arg_i32(0), a),
        };
    }
    let follow = if flags & libc::AT_SYMLINK_NOFOLLOW != 0 {
        Follow::No
    } else {
        Follow::Yes
    };
    chown_path(c, c.arg_i32(0), c.arg(1), follow, a)
}

fn fchown_fd(c: &mut Ctx<'_>, fd: i32, a: SetAttr) -> SysResult<Resume> {
    match fd_object_to_change(c, fd)? {
        Some(i) => {
            chown_inode(c, &i, a)?;
            Ok(Resume::Return(0))
        }
        None => chown_native_fd(c, fd, a),
    }
}

/// fchown of a descriptor the host serves: checked against what the guest
/// sees of a root hostfs object, then run as made.
fn chown_native_fd(c: &mut Ctx<'_>, fd: i32, a: SetAttr) -> SysResult<Resume> {
    if !c.creds().capable(cap::CHOWN) {
        if let Some(st) = fd_host_stat(c, fd)? {
            perm::chown_ok(c.creds(), &st, a.uid, a.gid)?;
        }
    }
    Ok(Resume::Native)
}

pub fn sys_fchown(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let a = owner(c, 1);
    fchown_fd(c, c.arg_i32(0), a)
}

pub fn sys_umask(c: &mut Ctx<'_>) -> SysResult<Resume> {
    c.st.tasks.task(c.tid).fs.borrow_mut().umask = c.arg(0) as u32 & 0o777;
    // The host process keeps the same umask for calls it runs natively.
    Ok(Resume::Native)
}

fn now() -> (i64, i64) {
    let ns = host::clock_ns(libc::CLOCK_REALTIME);
    ((ns / 1_000_000_000) as i64, (ns % 1_000_000_000) as i64)
}

fn times_from(c: &Ctx<'_>, ptr: u64) -> SysResult<SetAttr> {
    if ptr == 0 {
        let t = now();
        return Ok(SetAttr {
            atime: Some(t),
            mtime: Some(t),
            ..Default::default()
        });
    }
    let mut b = [0u8; 32];
    c.read(ptr, &mut b)?;
    let ts = |o: usize| -> SysResult<Option<(i64, i64)>> {
        let s = i64::from_ne_bytes(b[o..o + 8].try_into().unwrap());
        let n = i64::from_ne_bytes(b[o + 8..o + 16].try_into().unwrap());
        match n {
            libc::UTIME_OMIT => Ok(None),
            libc::UTIME_NOW => Ok(Some(now())),
            0..=999_999_999 => Ok(Some((s, n))),
            _ => Err(Errno::EINVAL),
        }
    };
    Ok(SetAttr {
        atime: ts(0)?,
        mtime: ts(16)?,
        ..Default::default()
    })
}

/// How utimensat's `times` argument sets times; None when both are
/// UTIME_OMIT, which does nothing at all (not even look at the path).
fn times_how(c: &Ctx<'_>, ptr: u64) -> SysResult<Option<TimesSet>> {
    if ptr == 0 {
        return Ok(Some(TimesSet::Touch));
    }
    let mut b = [0u8; 32];
    c.read(ptr, &mut b)?;
    let ns = |o: usize| i64::from_ne_bytes(b[o..o + 8].try_into().unwrap());
    Ok(match (ns(8), ns(24)) {
        (libc::UTIME_OMIT, libc::UTIME_OMIT) => None,
        (libc::UTIME_NOW, libc::UTIME_NOW) => Some(TimesSet::Touch),
        _ => Some(TimesSet::Explicit),
    })
}

/// Whether the caller may set the times of `inode` as `how` says.
fn check_times(c: &Ctx<'_>, inode: &Arc<dyn Inode>, how: TimesSet) -> SysResult<()> {
    let cr = c.creds();
    if cr.capable(cap::FOWNER) {
        return Ok(());
    }
    perm::may_set_times(cr, &inode.stat()?, how)
}

/// The same for a descriptor the host serves (then the call runs as made).
fn check_times_native_fd(c: &Ctx<'_>, fd: i32, how: TimesSet) -> SysResult<Resume> {
    if !c.creds().capable(cap::FOWNER) {
        if let Some(st) = fd_host_stat(c, fd)? {
            perm::may_set_times(c.creds(), &st, how)?;
        }
    }
    Ok(Resume::Native)
}

pub fn sys_utimensat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let (dirfd, path_ptr, times, flags) = (c.arg_i32(0), c.arg(1), c.arg(2), c.arg_i32(3));
    let Some(how) = times_how(c, times)? else {
        return Ok(Resume::Return(0));
    };
    let a = times_from(c, times)?;
    if path_ptr == 0 && dirfd != AT_FDCWD {
        if flags != 0 {
            return Err(Errno::EINVAL);
        }
        return match fd_object_to_change(c, dirfd)? {
            Some(i) => {
                check_times(c, &i, how)?;
                i.setattr(&a)?;
                Ok(Resume::Return(0))
            }
            None => check_times_native_fd(c, dirfd, how),
        };
    }
    if flags & !(libc::AT_SYMLINK_NOFOLLOW | libc::AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let path = c.read_path(path_ptr)?;
    if path.is_empty() && flags & libc::AT_EMPTY_PATH != 0 && dirfd != AT_FDCWD {
        return match fd_object(c, dirfd)? {
            Some(i) => {
                check_times(c, &i, how)?;
                i.setattr(&a)?;
                Ok(Resume::Return(0))
            }
            None => check_times_native_fd(c, dirfd, how),
        };
    }
    let follow = if flags & libc::AT_SYMLINK_NOFOLLOW != 0 {
        Follow::No
    } else {
        Follow::Yes
    };
    let loc = c.resolve_at(dirfd, &path, follow)?;
    if c.read_only(&loc) {
        return Err(Errno::EROFS);
    }
    check_times(c, loc.inode(), how)?;
    if let Some(t) = c.native_target(&loc) {
        let mut lent = Lent::default();
        let (d, p) = c.native_at(&mut lent, &t, 0)?;
        return c.run_native(
            lent,
            libc::SYS_utimensat,
            [
                d,
                p,
                times,
                (flags | libc::AT_SYMLINK_NOFOLLOW) as u64,
                0,
                0,
            ],
        );
    }
    loc.inode().setattr(&a)?;
    Ok(Resume::Return(0))
}

fn utimes_common(
    c: &mut Ctx<'_>,
    dirfd: i32,
    path_ptr: u64,
    tv: u64,
    nr: i64,
) -> SysResult<Resume> {
    let path = c.read_path(path_ptr)?;
    let loc = c.resolve_at(dirfd, &path, Follow::Yes)?;
    if c.read_only(&loc) {
        return Err(Errno::EROFS);
    }
    let how = if tv == 0 {
        TimesSet::Touch
    } else {
        TimesSet::Explicit
    };
    check_times(c, loc.inode(), how)?;
    if let Some(t) = c.native_target(&loc) {
        let tv = if nr == libc::SYS_utime && tv != 0 {
            // struct utimbuf as the two timevals futimesat takes.
            let mut b = [0u8; 16];
            c.read(tv, &mut b)?;
            let mut out = [0u8; 32];
            out[0..8].copy_from_slice(&b[0..8]);
            out[16..24].copy_from_slice(&b[8..16]);
            let a = c.p.scratch(c.tid, 8192 * 3 + 64);
            c.write(a, &out)?;
            a
        } else {
            tv
        };
        let mut lent = Lent::default();
        let (d, p) = c.native_at(&mut lent, &t, 0)?;
        return c.run_native(lent, libc::SYS_futimesat, [d, p, tv, 0, 0, 0]);
    }
    let a = if tv == 0 {
        times_from(c, 0)?
    } else if nr == libc::SYS_utime {
        let mut b = [0u8; 16];
        c.read(tv, &mut b)?;
        let at = i64::from_ne_bytes(b[0..8].try_into().unwrap());
        let mt = i64::from_ne_bytes(b[8..16].try_into().unwrap());
        SetAttr {
            atime: Some((at, 0)),
            mtime: Some((mt, 0)),
            ..Default::default()
        }
    } else {
        let mut b = [0u8; 32];
        c.read(tv, &mut b)?;
        let g = |o: usize| i64::from_ne_bytes(b[o..o + 8].try_into().unwrap());
        SetAttr {
            atime: Some((g(0), g(8) * 1000)),
            mtime: Some((g(16), g(24) * 1000)),
            ..Default::default()
        }
    };
    loc.inode().setattr(&a)?;
    Ok(Resume::Return(0))
}

pub fn sys_utimes(c: &mut Ctx<'_>) -> SysResult<Resume> {
    utimes_common(c, AT_FDCWD, c.arg(0), c.arg(1), libc::SYS_utimes)
}

pub fn sys_utime(c: &mut Ctx<'_>) -> SysResult<Resume> {
    utimes_common(c, AT_FDCWD, c.arg(0), c.arg(1), libc::SYS_utime)
}

pub fn sys_futimesat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    utimes_common(c, c.arg_i32(0), c.arg(1), c.arg(2), libc::SYS_futimesat)
}

pub fn sys_truncate(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let path = c.read_path(c.arg(0))?;
    let loc = c.resolve_at(AT_FDCWD, &path, Follow::Yes)?;
    if loc.inode().kind() == Kind::Dir {
        return Err(Errno::EISDIR);
    }
    if c.read_only(&loc) {
        return Err(Errno::EROFS);
    }
    perm::permission(&c.caller(), loc.inode(), MAY_WRITE)?;
    if let Some(np) = c.native(&loc).filter(|p| p.len() < libc::PATH_MAX as usize) {
        let p = c.scratch_str(&np, 0)?;
        return rewrite(libc::SYS_truncate, [p, c.arg(1), 0, 0, 0, 0]);
    }
    loc.inode().setattr(&SetAttr {
        size: Some(c.arg(1) as i64),
        ..Default::default()
    })?;
    Ok(Resume::Return(0))
}

fn mknod_at(c: &mut Ctx<'_>, dirfd: i32, path_ptr: u64, mode: u32, dev: u64) -> SysResult<Resume> {
    match mode & libc::S_IFMT {
        0 | libc::S_IFREG | libc::S_IFCHR | libc::S_IFBLK | libc::S_IFIFO | libc::S_IFSOCK => {}
        libc::S_IFDIR => return Err(Errno::EPERM),
        _ => return Err(Errno::EINVAL),
    }
    let path = c.read_path(path_ptr)?;
    let (parent, name) = c.resolve_parent_at(dirfd, &path)?;
    reject_dots(&name, Errno::EEXIST)?;
    if trailing_slash(&path) {
        return Err(match parent.inode().lookup(&c.caller(), &name) {
            Ok(_) => Errno::EEXIST,
            Err(_) => Errno::ENOENT,
        });
    }
    c.check_create(&parent, &name)?;
    if c.read_only(&parent) {
        return Err(Errno::EROFS);
    }
    let mode = if mode & libc::S_IFMT == 0 {
        mode | libc::S_IFREG
    } else {
        mode
    };
    let is_dev = matches!(mode & libc::S_IFMT, libc::S_IFCHR | libc::S_IFBLK);
    // A character device 0:0 is a whiteout, which needs no capability.
    let whiteout = mode & libc::S_IFMT == libc::S_IFCHR && dev == 0;
    if is_dev && !whiteout && !c.creds().capable(cap::MKNOD) {
        return Err(Errno::EPERM);
    }
    let mode = c.create_mode(&parent, mode);
    if let Some(t) = c.native_child(&parent, &name) {
        let mut lent = Lent::default();
        let (d, a) = c.native_at(&mut lent, &t, 0)?;
        let mode = hostfs::nosuid(mode);
        return c.run_native(lent, libc::SYS_mknodat, [d, a, mode as u64, dev, 0, 0]);
    }
    let m = (mode & libc::S_IFMT) | (mode & 0o7777 & !c.umask());
    parent.inode().mknod(&name, m, dev, c.creator())?;
    Ok(Resume::Return(0))
}

pub fn sys_mknod(c: &mut Ctx<'_>) -> SysResult<Resume> {
    mknod_at(c, AT_FDCWD, c.arg(0), c.arg(1) as u32, c.arg(2))
}

pub fn sys_mknodat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    mknod_at(c, c.arg_i32(0), c.arg(1), c.arg(2) as u32, c.arg(3))
}

fn write_statfs(
    c: &Ctx<'_>,
    buf: u64,
    s: &crate::vfs::StatFs,
    read_only: bool,
) -> SysResult<Resume> {
    let mut b = [0u8; 120];
    let mut put = |off: usize, v: &[u8]| b[off..off + v.len()].copy_from_slice(v);
    put(0, &s.fs_type.to_ne_bytes());
    put(8, &s.bsize.to_ne_bytes());
    put(16, &s.blocks.to_ne_bytes());
    put(24, &s.bfree.to_ne_bytes());
    put(32, &s.bavail.to_ne_bytes());
    put(40, &s.files.to_ne_bytes());
    put(48, &s.ffree.to_ne_bytes());
    put(64, &s.namelen.to_ne_bytes());
    put(72, &s.frsize.to_ne_bytes());
    let flags = s.flags | if read_only { libc::ST_RDONLY as i64 } else { 0 } | 0x20; // ST_VALID
    put(80, &flags.to_ne_bytes());
    c.write(buf, &b)?;
    Ok(Resume::Return(0))
}

pub fn sys_statfs(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let path = c.read_path(c.arg(0))?;
    let loc = c.resolve_at(AT_FDCWD, &path, Follow::Yes)?;
    let s = c.st.vfs.mount(loc.mount()).root.statfs()?;
    write_statfs(c, c.arg(1), &s, c.read_only(&loc))
}

pub fn sys_fstatfs(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let fd = c.arg_i32(0);
    if let Some(i) = fd_object(c, fd)? {
        return write_statfs(c, c.arg(1), &i.statfs()?, false);
    }
    let info = c.p.fd_info(c.tid, fd).map_err(|_| Errno::EBADF)?;
    if info.host_path.starts_with(&c.st.root_host) {
        let root = c.st.vfs.mount(0).clone();
        return write_statfs(c, c.arg(1), &root.root.statfs()?, root.read_only);
    }
    Ok(Resume::Native)
}

pub fn sys_sync(c: &mut Ctx<'_>) -> SysResult<Resume> {
    for m in &c.st.vfs.mounts {
        let _ = m.root.sync_fs();
    }
    let _ =
        c.st.vfs
            .mount(0)
            .root
            .open(&c.caller(), libc::O_RDONLY | libc::O_DIRECTORY)
            .map(|f| host::syncfs(f.as_fd()));
    Ok(Resume::Return(0))
}

pub fn sys_syncfs(c: &mut Ctx<'_>) -> SysResult<Resume> {
    c.p.fd_info(c.tid, c.arg_i32(0)).map_err(|_| Errno::EBADF)?;
    sys_sync(c)
}

const BLKROGET: u32 = 0x125e;
const BLKRRPART: u32 = 0x125f;
const BLKGETSIZE: u32 = 0x1260;
const BLKFLSBUF: u32 = 0x1261;
const BLKSSZGET: u32 = 0x1268;
const BLKBSZGET: u32 = 0x8008_1270;
const BLKGETSIZE64: u32 = 0x8008_1272;
const BLKDISCARD: u32 = 0x1277;
const BLKIOMIN: u32 = 0x1278;
const BLKIOOPT: u32 = 0x1279;
const BLKPBSZGET: u32 = 0x127b;
const HDIO_GETGEO: u32 = 0x0301;

/// TIOCGPTPEER: a pty master opens its slave by path, which the Landlock
/// fence of guest processes does not reach (the VM's pty instance is
/// ruml's); ruml opens it.
const TIOCGPTPEER: u32 = 0x5441;

/// The ioctl requests that trap: the block-device ones (answered for ubd
/// disks), TIOCGPTPEER and the network-configuration ones
/// (`net::NET_ADMIN_IOCTLS`).
pub const TRAPPED_IOCTLS: &[u32] = &TRAPPED;
const TRAPPED: [u32; BLOCK_IOCTLS.len() + 1 + super::net::NET_ADMIN_IOCTLS.len()] = concat(
    &concat::<{ BLOCK_IOCTLS.len() + 1 }>(BLOCK_IOCTLS, &[TIOCGPTPEER]),
    super::net::NET_ADMIN_IOCTLS,
);

const fn concat<const N: usize>(a: &[u32], b: &[u32]) -> [u32; N] {
    let mut out = [0; N];
    let mut i = 0;
    while i < a.len() {
        out[i] = a[i];
        i += 1;
    }
    while i < N {
        out[i] = b[i - a.len()];
        i += 1;
    }
    out
}

/// A trapped ioctl: see `TRAPPED_IOCTLS`.
pub fn sys_ioctl(c: &mut Ctx<'_>) -> SysResult<Resume> {
    if super::net::NET_ADMIN_IOCTLS.contains(&(c.arg(1) as u32)) {
        return super::net::sys_net_admin_ioctl(c);
    }
    if c.arg(1) as u32 == TIOCGPTPEER {
        // The master is the guest's own descriptor; its slave opens in
        // ruml and is installed (Linux's errors come from the host).
        let flags = c.arg_i32(2);
        let master = c.p.take_fd(c.tid, c.arg_i32(0)).map_err(|_| Errno::EBADF)?;
        let slave = host::pty_peer(master.as_fd(), flags)?;
        return c.install(slave, flags);
    }
    sys_block_ioctl(c)
}

/// The ioctl requests of block devices, which the kernel answers for the
/// guest's ubd disks (a raw disk is the image file on the host).
pub const BLOCK_IOCTLS: &[u32] = &[
    BLKROGET,
    BLKRRPART,
    BLKGETSIZE,
    BLKFLSBUF,
    BLKSSZGET,
    BLKBSZGET,
    BLKGETSIZE64,
    BLKDISCARD,
    BLKIOMIN,
    BLKIOOPT,
    BLKPBSZGET,
    HDIO_GETGEO,
];

/// A block-device ioctl: answered for descriptors of ubd disks; on any
/// other descriptor the host answers (ENOTTY for files, as Linux).
pub fn sys_block_ioctl(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let info = c.p.fd_info(c.tid, c.arg_i32(0)).map_err(|_| Errno::EBADF)?;
    let Some(rdev) = crate::fs::devices::raw_block_device((info.dev, info.ino)) else {
        return Ok(Resume::Native);
    };
    let disk = crate::block::get(rdev)?;
    let (size, writable) = {
        let d = disk.dev.lock().expect("disk");
        (d.size(), d.writable())
    };
    let arg = c.arg(2);
    let int = |c: &Ctx<'_>, v: i32| c.write(arg, &v.to_ne_bytes());
    match c.arg(1) as u32 {
        BLKGETSIZE64 => c.write(arg, &size.to_ne_bytes())?,
        BLKGETSIZE => c.write(arg, &(size / 512).to_ne_bytes())?,
        BLKSSZGET | BLKPBSZGET | BLKIOMIN => int(c, 512)?,
        BLKBSZGET => int(c, 4096)?,
        BLKIOOPT => int(c, 0)?,
        BLKROGET => int(c, i32::from(!writable))?,
        BLKFLSBUF => {
            disk.dev.lock().expect("disk").flush()?;
        }
        // ubd disks carry no partition table ruml reads.
        BLKRRPART => return Err(Errno::EINVAL),
        BLKDISCARD => return Err(Errno::EOPNOTSUPP),
        HDIO_GETGEO => {
            // UML's ubd geometry: 128 heads, 32 sectors per track.
            let mut g = [0u8; 16];
            g[0] = 128;
            g[1] = 32;
            let cyl = (size / (128 * 32 * 512)).min(u16::MAX as u64) as u16;
            g[2..4].copy_from_slice(&cyl.to_ne_bytes());
            c.write(arg, &g)?;
        }
        _ => return Ok(Resume::Native),
    }
    Ok(Resume::Return(0))
}

/// fsync and fdatasync: files whose data the kernel caches (ext4) are
/// written back; every other descriptor is the file itself, and the host
/// syncs it.
pub fn sys_fsync(c: &mut Ctx<'_>) -> SysResult<Resume> {
    match fd_object(c, c.arg_i32(0))?.and_then(|i| i.fsync()) {
        Some(r) => r.map(|()| Resume::Return(0)),
        None => Ok(Resume::Native),
    }
}

/// What an extended-attribute call does to the attributes.
#[derive(Clone, Copy, PartialEq)]
enum XattrOp {
    Get,
    Set,
    Remove,
    List,
}

fn xattr_op(nr: u64) -> XattrOp {
    match nr as i64 {
        libc::SYS_setxattr | libc::SYS_lsetxattr | libc::SYS_fsetxattr => XattrOp::Set,
        libc::SYS_removexattr | libc::SYS_lremovexattr | libc::SYS_fremovexattr => XattrOp::Remove,
        libc::SYS_listxattr | libc::SYS_llistxattr | libc::SYS_flistxattr => XattrOp::List,
        _ => XattrOp::Get,
    }
}

/// Linux's xattr_permission for the attribute named at guest address
/// `name_p` on `inode`: user.* needs read or write permission and exists
/// only on regular files and directories; trusted.* needs CAP_SYS_ADMIN,
/// and so does changing a security.* attribute. File capabilities
/// (security.capability) are never written to a host file: they would
/// give a host program privileges. Returns the name, as read once.
fn xattr_permission(
    c: &mut Ctx<'_>,
    inode: Option<&Arc<dyn Inode>>,
    op: XattrOp,
    name_p: u64,
) -> SysResult<Vec<u8>> {
    if op == XattrOp::List {
        return Ok(Vec::new());
    }
    let name = c.read_cstr(name_p, 256)?;
    let changes = matches!(op, XattrOp::Set | XattrOp::Remove);
    if changes && name == b"security.capability" {
        c.st.warn_once(
            0x1_0004,
            "file capabilities (security.capability) are not stored on host files",
        );
        return Err(Errno::EPERM);
    }
    if name.starts_with(b"trusted.") || (changes && name.starts_with(b"security.")) {
        c.require(cap::SYS_ADMIN)?;
        return Ok(name);
    }
    if let (true, Some(inode)) = (name.starts_with(b"user."), inode) {
        if !matches!(inode.kind(), Kind::File | Kind::Dir) {
            return Err(if op == XattrOp::Get {
                Errno::ENODATA
            } else {
                Errno::EPERM
            });
        }
        let mask = if op == XattrOp::Get {
            MAY_READ
        } else {
            MAY_WRITE
        };
        perm::permission(&c.caller(), inode, mask)?;
    }
    Ok(name)
}

/// The call's arguments with the attribute name (argument 1) replaced by
/// the copy ruml checked, so the host acts on the name that was checked.
fn with_checked_name(c: &Ctx<'_>, name: &[u8]) -> SysResult<[u64; 6]> {
    let mut args = c.call.args;
    if !name.is_empty() {
        args[1] = c.scratch_str(name, 1)?;
    }
    Ok(args)
}

/// getxattr, setxattr, removexattr and listxattr by path (the l* forms do
/// not follow a final symlink). Objects on the root hostfs carry the host
/// file's attributes: the call runs natively on the canonical path. The
/// kernel's own filesystems (tmpfs, procfs, devices) keep none, as procfs
/// and Linux 6.1's tmpfs for user.* attributes.
pub fn sys_xattr(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let op = xattr_op(c.call.nr);
    let follow = match c.call.nr as i64 {
        libc::SYS_lsetxattr
        | libc::SYS_lgetxattr
        | libc::SYS_llistxattr
        | libc::SYS_lremovexattr => Follow::No,
        _ => Follow::Yes,
    };
    let path = c.read_path(c.arg(0))?;
    let loc = c.resolve_at(AT_FDCWD, &path, follow)?;
    if matches!(op, XattrOp::Set | XattrOp::Remove) && c.read_only(&loc) {
        return Err(Errno::EROFS);
    }
    let name = xattr_permission(c, Some(loc.inode()), op, c.arg(1))?;
    match c.native(&loc).filter(|p| p.len() < libc::PATH_MAX as usize) {
        Some(np) => {
            let mut args = with_checked_name(c, &name)?;
            args[0] = c.scratch_str(&np, 0)?;
            rewrite(c.call.nr as i64, args)
        }
        None if op == XattrOp::List => Ok(Resume::Return(0)),
        None => Err(Errno::EOPNOTSUPP),
    }
}

/// The f* forms: a host object (a root hostfs file, pipe or socket) answers
/// natively; the kernel's own objects keep no attributes.
pub fn sys_fxattr(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let op = xattr_op(c.call.nr);
    match fd_object(c, c.arg_i32(0))? {
        Some(i) if i.native_path().is_none() => {
            if op == XattrOp::List {
                Ok(Resume::Return(0))
            } else {
                Err(Errno::EOPNOTSUPP)
            }
        }
        // A root hostfs file, pipe or socket: the host's attributes.
        i => {
            let name = xattr_permission(c, i.as_ref(), op, c.arg(1))?;
            rewrite(c.call.nr as i64, with_checked_name(c, &name)?)
        }
    }
}

/// inotify_add_watch: watches on root hostfs objects are the host's own
/// (events for what guests and the host do there); the kernel's own
/// filesystems have no watch support yet and say so.
pub fn sys_inotify_add_watch(c: &mut Ctx<'_>) -> SysResult<Resume> {
    const IN_DONT_FOLLOW: u64 = 0x0200_0000;
    const IN_ONLYDIR: u64 = 0x0100_0000;
    let (fd, mask) = (c.arg_i32(0), c.arg(2));
    let path = c.read_path(c.arg(1))?;
    let follow = if mask & IN_DONT_FOLLOW != 0 {
        Follow::No
    } else {
        Follow::Yes
    };
    let loc = c.resolve_at(AT_FDCWD, &path, follow)?;
    if mask & IN_ONLYDIR != 0 && loc.inode().kind() != Kind::Dir {
        return Err(Errno::ENOTDIR);
    }
    perm::permission(&c.caller(), loc.inode(), MAY_READ)?;
    match c.native(&loc).filter(|p| p.len() < libc::PATH_MAX as usize) {
        Some(np) => {
            let p = c.scratch_str(&np, 0)?;
            rewrite(
                libc::SYS_inotify_add_watch,
                [fd as u64, p, mask | IN_DONT_FOLLOW, 0, 0, 0],
            )
        }
        None => {
            c.st.warn_once(
                0x1_0002,
                "inotify watches on tmpfs, procfs and devices are not supported yet",
            );
            Err(Errno::EOPNOTSUPP)
        }
    }
}

// ---- mounts -----------------------------------------------------------------

pub fn sys_mount(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let (src_p, target_p, type_p, flags, data_p) =
        (c.arg(0), c.arg(1), c.arg(2), c.arg(3), c.arg(4));
    c.require(cap::SYS_ADMIN)?;
    let target = c.read_path(target_p)?;
    let loc = c.resolve_at(AT_FDCWD, &target, Follow::Yes)?;
    if loc.inode().kind() != Kind::Dir {
        return Err(Errno::ENOTDIR);
    }
    if flags & libc::MS_REMOUNT != 0 {
        let m = c.st.vfs.mount(loc.mount());
        if m.fstype == "devpts" && m.path == loc.path() && data_p != 0 {
            // devpts takes new options on a remount (for ptys made from
            // now on; ptmxmode at once).
            if let Some(d) = &c.st.devpts {
                d.set_options(&c.read_cstr(data_p, 4096)?)?;
            }
        }
        if flags & libc::MS_BIND == 0 {
            c.st.vfs.remount(&loc, flags & libc::MS_RDONLY != 0)?;
        }
        return Ok(Resume::Return(0));
    }
    if flags & (libc::MS_BIND | libc::MS_MOVE) != 0 {
        c.st.warn_once(0x1_0000, "mount --bind and --move are not supported yet");
        return Err(Errno::EINVAL);
    }
    let fstype = String::from_utf8_lossy(&c.read_cstr(type_p, 64)?).into_owned();
    let source = if src_p != 0 {
        String::from_utf8_lossy(&c.read_cstr(src_p, 4096)?).into_owned()
    } else {
        "none".into()
    };
    let data = if data_p != 0 {
        c.read_cstr(data_p, 4096).unwrap_or_default()
    } else {
        Vec::new()
    };
    let ro = flags & libc::MS_RDONLY != 0;
    let root: Arc<dyn Inode> = match fstype.as_str() {
        "proc" => procfs::new(),
        "tmpfs" | "ramfs" => tmpfs::mount(&data, c.creator(), c.st.cfg.mem)?,
        "devtmpfs" => crate::fs::devices_dir()?,
        "sysfs" => crate::fs::sysfs::new(),
        "devpts" => {
            let d = match &c.st.devpts {
                Some(d) => d.clone(),
                None => {
                    let d = crate::fs::devpts::Instance::new().inspect_err(|e| {
                        c.st.warn_once(
                            0x1_0002,
                            &format!("devpts: cannot make the VM's pty instance ({e:?})"),
                        );
                    })?;
                    c.st.devpts = Some(d.clone());
                    d
                }
            };
            d.set_options(&data)?;
            d.root_inode()
        }
        "mqueue" | "cgroup" | "cgroup2" | "securityfs" | "debugfs" | "tracefs" | "configfs" => {
            tmpfs::new(0o755)
        }
        "hostfs" => {
            let Some(prefix) = c.st.cfg.hostfs_prefix.clone() else {
                c.st.warn_once(
                    0x1_0001,
                    "hostfs mounts need hostfs=<dir> on the command line",
                );
                return Err(Errno::EPERM);
            };
            let rel = String::from_utf8_lossy(&data).into_owned();
            let rel = rel
                .split(',')
                .next()
                .unwrap_or("")
                .trim_start_matches('/')
                .to_string();
            hostfs::mount_beneath(&prefix, rel.as_bytes()).map_err(|e| {
                if e == Errno::EXDEV {
                    c.st.warn_once(
                        0x1_0003,
                        "a hostfs mount may not leave the hostfs= directory",
                    );
                    Errno::EPERM
                } else {
                    Errno::ENOENT
                }
            })?
        }
        "ext2" | "ext3" | "ext4" => {
            let src = c.resolve_at(AT_FDCWD, source.as_bytes(), Follow::Yes)?;
            let st = src.inode().stat()?;
            if st.kind() != Kind::Block {
                return Err(Errno::ENOTBLK);
            }
            let disk = crate::block::get(st.rdev)?;
            match crate::fs::ext4::mount(disk, ro) {
                Ok(r) => r,
                Err(e) => {
                    c.st.printk_err(&e.message);
                    return Err(e.errno);
                }
            }
        }
        _ => return Err(Errno::ENODEV),
    };
    c.st.vfs.add_mount(&loc, root, &fstype, &source, ro)?;
    Ok(Resume::Return(0))
}

pub fn sys_umount2(c: &mut Ctx<'_>) -> SysResult<Resume> {
    c.require(cap::SYS_ADMIN)?;
    let target = c.read_path(c.arg(0))?;
    let loc = c.resolve_at(AT_FDCWD, &target, Follow::Yes)?;
    let root = c.st.vfs.mount(loc.mount()).root.clone();
    c.st.vfs.remove_mount(&loc)?;
    if let Err(e) = root.unmount() {
        c.st.printk_err(&format!(
            "umount {}: {e:?}",
            String::from_utf8_lossy(&target)
        ));
    }
    Ok(Resume::Return(0))
}
