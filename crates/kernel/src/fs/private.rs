//! ruml's private host directory.
//!
//! Some guest objects need a host object the guest's descriptors can refer
//! to, and the guest's root cannot hold them: tmpfs FIFOs and sockets (so
//! opens, connects and I/O run natively, blocking as the host blocks), and
//! the descriptors that stand for virtual directories and symlinks (so
//! read, write and fcntl on them fail or answer as on the real thing).
//! They live in one directory that only ruml's host user can enter
//! (`$XDG_RUNTIME_DIR` or `/tmp`, mode 0700), created at boot (the Landlock
//! fence of guest processes names it) and removed when the VM stops; those
//! of ruml processes that were killed are removed by the next ruml. The
//! guest never gets a path into it; at most a descriptor of it for the
//! length of one call ruml runs natively.

use crate::errno::{Errno, SysResult};
use ruml_platform::host;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The private directory of this VM.
pub struct Private {
    fd: OwnedFd,
    path: Vec<u8>,
    next: AtomicU64,
}

static CURRENT: Mutex<Option<Arc<Private>>> = Mutex::new(None);

/// The private directory, created on first use.
pub fn get() -> SysResult<Arc<Private>> {
    let mut cur = CURRENT.lock().expect("private dir lock");
    if let Some(p) = &*cur {
        return Ok(p.clone());
    }
    let p = Arc::new(Private::create()?);
    *cur = Some(p.clone());
    Ok(p)
}

/// Removes the private directory and everything in it (at power-off).
pub fn cleanup() {
    if let Some(p) = CURRENT.lock().expect("private dir lock").take() {
        use std::os::unix::ffi::OsStrExt;
        let _ = std::fs::remove_dir_all(std::ffi::OsStr::from_bytes(&p.path));
    }
}

/// Removes the private directories (`ruml-PID-N`, ours) of ruml processes
/// that no longer exist: a ruml that was killed (SIGKILL, a crash) could
/// not remove its own.
fn reclaim_stale(base: &std::path::Path) {
    use std::os::unix::fs::MetadataExt;
    let Ok(dir) = std::fs::read_dir(base) else {
        return;
    };
    let me = host::host_ids().0;
    for e in dir.flatten() {
        let name = e.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix("ruml-")) else {
            continue;
        };
        let Some((pid, n)) = rest.split_once('-') else {
            continue;
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(pid) || !digits(n) || std::path::Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let path = e.path();
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir() && m.uid() == me) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

impl Private {
    fn create() -> SysResult<Private> {
        use std::os::unix::ffi::OsStrExt;
        let base = std::env::var_os("XDG_RUNTIME_DIR")
            .filter(|d| host::is_dir(std::path::Path::new(d)))
            .unwrap_or_else(|| "/tmp".into());
        reclaim_stale(std::path::Path::new(&base));
        let base_fd = host::open_path(base.as_bytes(), libc::O_PATH | libc::O_DIRECTORY)?;
        let pid = std::process::id();
        for i in 0..1000 {
            let name = format!("ruml-{pid}-{i}");
            match host::mkdirat(base_fd.as_fd(), name.as_bytes(), 0o700) {
                Ok(()) => {}
                Err(e) if e.raw_os_error() == Some(libc::EEXIST) => continue,
                Err(e) => return Err(e.into()),
            }
            let fd = host::openat(
                base_fd.as_fd(),
                name.as_bytes(),
                libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW,
                0,
            )?;
            let path = std::fs::read_link(format!("/proc/self/fd/{}", fd.as_raw_fd()))
                .map(|p| p.as_os_str().as_bytes().to_vec())
                .map_err(|_| Errno::EIO)?;
            return Ok(Private {
                fd,
                path,
                next: AtomicU64::new(0),
            });
        }
        Err(Errno::EEXIST)
    }

    /// The directory, for *at calls.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// The host's name for an entry of the directory.
    pub fn host_path(&self, name: &[u8]) -> Vec<u8> {
        [&self.path[..], b"/", name].concat()
    }

    /// The directory guest processes are chrooted into when the root
    /// filesystem is not a host directory (ext4 on a disk): empty, made on
    /// first use. Programs run from descriptors, so nothing needs to be
    /// there; the host finds nothing of the guest's by path.
    /// The host's name for the directory.
    pub fn path(&self) -> &[u8] {
        &self.path
    }

    pub fn exec_root(&self) -> SysResult<Vec<u8>> {
        let name = b"root";
        match host::mkdirat(self.fd(), name, 0o755) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(self.host_path(name))
    }

    /// A name not used before in the directory.
    pub fn unique(&self, prefix: &str) -> Vec<u8> {
        format!("{prefix}{}", self.next.fetch_add(1, Ordering::Relaxed)).into_bytes()
    }

    /// A descriptor that stands for a virtual directory: a fresh empty host
    /// directory, already removed, opened with `flags` (`O_PATH`, or
    /// read-only). Returns it and the host's name for it, which tells this
    /// descriptor from any later object with the same inode number.
    pub fn standin_dir(&self, flags: i32) -> SysResult<(OwnedFd, Vec<u8>)> {
        let name = self.unique("d");
        host::mkdirat(self.fd(), &name, 0o500)?;
        let keep = libc::O_PATH
            | libc::O_NONBLOCK
            | libc::O_NOATIME
            | libc::O_SYNC
            | libc::O_DSYNC
            | libc::O_APPEND
            | libc::O_DIRECTORY;
        let fd = host::openat(
            self.fd(),
            &name,
            (flags & keep) | libc::O_RDONLY | libc::O_NOFOLLOW,
            0,
        );
        let _ = host::unlinkat(self.fd(), &name, libc::AT_REMOVEDIR);
        let mut tag = self.host_path(&name);
        tag.extend_from_slice(b" (deleted)");
        Ok((fd?, tag))
    }

    /// An `O_PATH` descriptor that stands for a virtual symlink: a host
    /// symlink, already removed.
    pub fn standin_symlink(&self) -> SysResult<(OwnedFd, Vec<u8>)> {
        let name = self.unique("l");
        host::symlinkat(b"/", self.fd(), &name)?;
        let fd = host::openat(self.fd(), &name, libc::O_PATH | libc::O_NOFOLLOW, 0);
        let _ = host::unlinkat(self.fd(), &name, 0);
        let mut tag = self.host_path(&name);
        tag.extend_from_slice(b" (deleted)");
        Ok((fd?, tag))
    }
}
