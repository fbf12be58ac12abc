//! The exec root: the host directory guest processes are chrooted in, seen
//! from the one thing the host kernel still looks up there by itself, the
//! ELF interpreter (PT_INTERP) of a program ruml has it load.
//!
//! ruml resolves every program, and every `#!` interpreter, through its
//! VFS. A program the host cannot reach by path (tmpfs, a block device's
//! filesystem) is handed to the host as a descriptor; the host then opens
//! the interpreter the program names by that name, inside the process's
//! host chroot. When that finds the file the VFS finds (the root hostfs
//! holds it), nothing is needed. Otherwise:
//!
//! * [`ExecRoot::Shared`]: the chroot is the user's root hostfs directory.
//!   ruml never writes there, so the exec fails with ENOENT (logged once).
//! * [`ExecRoot::Private`]: the chroot is a directory ruml made for this VM
//!   alone (an empty one, when the root filesystem is not hostfs).
//!   [`ExecRoot::provide`] then makes the interpreter's absolute path there
//!   a copy of the VFS file, with its parent directories, and copies it
//!   again when the VFS file has changed since.
//!
//! The kernel starts with `Shared`; boot code that chroots guests into a
//! private directory sets `State::exec_root` to [`ExecRoot::private`] of a
//! descriptor of that directory.

use crate::vfs::Stat;
use ruml_platform::host;
use std::collections::HashMap;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

/// Which file a copy was made from: its identity, size and times.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Version {
    dev: u64,
    ino: u64,
    size: i64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl Version {
    fn of(st: &Stat) -> Version {
        Version {
            dev: st.dev,
            ino: st.ino,
            size: st.size,
            mtime: st.mtime,
            ctime: st.ctime,
        }
    }
}

/// One interpreter copied into a private exec root.
struct Copied {
    from: Version,
    /// The copy's host (dev, ino), to notice it was replaced.
    host: (u64, u64),
}

/// A directory ruml owns that guest processes are chrooted in.
pub struct Private {
    dir: OwnedFd,
    copies: HashMap<Vec<u8>, Copied>,
    made: u64,
}

/// Whether ruml may materialize ELF interpreters in the guests' host chroot
/// (see the module documentation).
pub enum ExecRoot {
    /// The chroot is the user's root hostfs directory: never written.
    Shared,
    /// The chroot is ruml's own directory.
    Private(Private),
}

impl ExecRoot {
    /// A private exec root: `dir` (any descriptor of the directory, `O_PATH`
    /// will do) is the directory guest processes are chrooted in, made by
    /// ruml for this VM and used by nothing else.
    pub fn private(dir: OwnedFd) -> ExecRoot {
        ExecRoot::Private(Private {
            dir,
            copies: HashMap::new(),
            made: 0,
        })
    }

    /// Makes absolute `path` in a private exec root a copy (mode 0755) of the
    /// file `src` whose VFS attributes are `st`, unless the copy made last
    /// time is still current. The error says why it cannot: a shared root,
    /// a relative path or one with "..", a host error.
    pub fn provide(&mut self, path: &[u8], src: BorrowedFd<'_>, st: &Stat) -> Result<(), String> {
        let ExecRoot::Private(p) = self else {
            return Err(
                "the guests' chroot is the root hostfs directory, which ruml does not write".into(),
            );
        };
        if path.first() != Some(&b'/') {
            return Err("a relative path names it".into());
        }
        let names: Vec<&[u8]> = path
            .split(|&b| b == b'/')
            .filter(|n| !n.is_empty() && *n != b".")
            .collect();
        if names.contains(&&b".."[..]) {
            return Err("its path has \"..\" in it".into());
        }
        let Some((last, dirs)) = names.split_last() else {
            return Err("its path names a directory".into());
        };
        let from = Version::of(st);
        if let Some(c) = p.copies.get(path) {
            let now = host::fstatat(p.dir.as_fd(), &path[1..], libc::AT_SYMLINK_NOFOLLOW)
                .map(|s| (s.st_dev, s.st_ino));
            if c.from == from && now.ok() == Some(c.host) {
                return Ok(());
            }
        }
        let err = |what: &str, e: std::io::Error| format!("{what}: {e}");
        let mut dir = host::reopen(p.dir.as_fd(), libc::O_PATH | libc::O_DIRECTORY)
            .map_err(|e| err("exec root", e))?;
        for d in dirs {
            match host::mkdirat(dir.as_fd(), d, 0o755) {
                Err(e) if e.raw_os_error() != Some(libc::EEXIST) => return Err(err("mkdir", e)),
                _ => {}
            }
            dir = host::openat(
                dir.as_fd(),
                d,
                libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW,
                0,
            )
            .map_err(|e| err("directory", e))?;
        }
        p.made += 1;
        let tmp = format!(".ruml-interp-{}-{}", std::process::id(), p.made);
        let out = host::openat(
            dir.as_fd(),
            tmp.as_bytes(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL,
            0o700,
        )
        .map_err(|e| err("create", e))?;
        let copied = copy(src, out.as_fd())
            .and_then(|()| host::fchmod_path(out.as_fd(), 0o755))
            .and_then(|()| host::fstatat(out.as_fd(), b"", 0))
            .and_then(|s| {
                host::renameat2(dir.as_fd(), tmp.as_bytes(), dir.as_fd(), last, 0)?;
                Ok(s)
            });
        match copied {
            Ok(s) => {
                p.copies.insert(
                    path.to_vec(),
                    Copied {
                        from,
                        host: (s.st_dev, s.st_ino),
                    },
                );
                Ok(())
            }
            Err(e) => {
                let _ = host::unlinkat(dir.as_fd(), tmp.as_bytes(), 0);
                Err(err("copy", e))
            }
        }
    }
}

/// Copies all of `src` (from its start) to `out`.
fn copy(src: BorrowedFd<'_>, out: BorrowedFd<'_>) -> std::io::Result<()> {
    let mut buf = vec![0u8; 1 << 16];
    let mut off = 0i64;
    loop {
        let n = host::pread(src, &mut buf, off)?;
        if n == 0 {
            return Ok(());
        }
        let mut done = 0;
        while done < n {
            done += host::pwrite(out, &buf[done..n], off + done as i64)?;
        }
        off += n as i64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::path::{Path, PathBuf};

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("ruml-exec-root-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn open(p: &Path) -> OwnedFd {
        host::open_path(p.as_os_str().as_encoded_bytes(), libc::O_RDONLY).unwrap()
    }

    fn stat(fd: &OwnedFd) -> Stat {
        Stat::from_host(&host::fstatat(fd.as_fd(), b"", 0).unwrap())
    }

    #[test]
    fn shared_root_is_never_written() {
        let d = scratch("shared");
        std::fs::write(d.join("src"), b"x").unwrap();
        let src = open(&d.join("src"));
        let r = ExecRoot::Shared.provide(b"/lib/ld.so", src.as_fd(), &stat(&src));
        assert!(r.is_err());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn copies_and_recopies() {
        let d = scratch("private");
        let root = d.join("root");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(d.join("src"), b"first").unwrap();
        let mut er = ExecRoot::private(open(&root));
        let src = open(&d.join("src"));
        er.provide(b"/lib64/x/ld.so", src.as_fd(), &stat(&src))
            .unwrap();
        let copy = root.join("lib64/x/ld.so");
        assert_eq!(std::fs::read(&copy).unwrap(), b"first");
        let m = std::fs::metadata(&copy).unwrap();
        assert_eq!(m.permissions().mode() & 0o7777, 0o755);
        // Unchanged source: the same copy.
        er.provide(b"/lib64/x/ld.so", src.as_fd(), &stat(&src))
            .unwrap();
        assert_eq!(std::fs::metadata(&copy).unwrap().ino(), m.ino());
        // A changed source is copied again.
        std::fs::write(d.join("src"), b"second, longer").unwrap();
        er.provide(b"/lib64/x/ld.so", src.as_fd(), &stat(&src))
            .unwrap();
        assert_eq!(std::fs::read(&copy).unwrap(), b"second, longer");
        // A copy removed behind ruml's back is made again.
        std::fs::remove_file(&copy).unwrap();
        er.provide(b"/lib64/x/ld.so", src.as_fd(), &stat(&src))
            .unwrap();
        assert_eq!(std::fs::read(&copy).unwrap(), b"second, longer");
        // No temporary files are left.
        let names: Vec<_> = std::fs::read_dir(root.join("lib64/x"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["ld.so"]);
        // Paths it will not make.
        for p in [&b"lib/ld.so"[..], b"/lib/../ld.so", b"/", b"//."] {
            assert!(er.provide(p, src.as_fd(), &stat(&src)).is_err(), "{p:?}");
        }
        // Nor through a symlink, which could lead out of the root.
        std::os::unix::fs::symlink("/", root.join("out")).unwrap();
        assert!(er.provide(b"/out/ld.so", src.as_fd(), &stat(&src)).is_err());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
