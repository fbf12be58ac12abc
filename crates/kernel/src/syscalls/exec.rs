//! execve and execveat. The VFS resolves the program; the host kernel loads
//! it (its PT_INTERP and `#!` interpreter resolve inside the guest's chroot).

use super::Ctx;
use crate::errno::{Errno, SysResult};
use crate::task::{ExecFd, PendingExec};
use crate::vfs::{Follow, Kind};
use ruml_platform::{host, Resume};
use std::os::fd::AsFd;

/// The command name Linux derives from an executed path: its last
/// component, at most 15 bytes.
fn comm_of(path: &[u8]) -> Vec<u8> {
    let mut n = path
        .rsplit(|&b| b == b'/')
        .find(|n| !n.is_empty())
        .unwrap_or(b"")
        .to_vec();
    n.truncate(15);
    n
}

fn do_exec(
    c: &mut Ctx<'_>,
    dirfd: i32,
    path_ptr: u64,
    argv: u64,
    envp: u64,
    flags: i32,
) -> SysResult<Resume> {
    let path = c.read_path(path_ptr)?;
    let follow = if flags & libc::AT_SYMLINK_NOFOLLOW != 0 {
        Follow::No
    } else {
        Follow::Yes
    };
    let loc = c.resolve_at(dirfd, &path, follow)?;
    let st = loc.inode().stat()?;
    match st.kind() {
        Kind::File => {}
        Kind::Symlink => return Err(Errno::ELOOP),
        _ => return Err(Errno::EACCES),
    }
    // may_open(MAY_EXEC): the caller's execute permission (root's needs
    // some execute bit).
    crate::vfs::perm::permission(&c.caller(), loc.inode(), crate::vfs::perm::MAY_EXEC)?;
    let root = c.st.tasks.task(c.tid).fs.borrow().root.clone();
    let exe = loc.path_from(&root);
    // The name the program was run by: Linux takes the command name from
    // it, not from the file a final symlink leads to.
    let name = path
        .rsplit(|&b| b == b'/')
        .find(|n| !n.is_empty())
        .unwrap_or(b"")
        .to_vec();
    if c.st.vfs.mount(loc.mount()).native {
        if c.natively_same(dirfd, &path, follow, &st) {
            // The host finds the same file from the guest's own words:
            // let the call run as made, so the program sees its path
            // (AT_EXECFN, a script's argv, the command name) as on Linux.
            c.st.tasks.task_mut(c.tid).pending_exec = Some(PendingExec {
                path: exe,
                comm: None,
            });
            return Ok(Resume::Native);
        }
        if let Some(mut np) = loc.inode().native_path() {
            // A final symlink on the root hostfs is passed by its own name;
            // the host follows it inside the guest's chroot.
            if let Ok((parent, last)) = c.resolve_parent_at(dirfd, &path) {
                let link = parent.inode().lookup(&c.caller(), &last);
                if follow == Follow::Yes && link.is_ok_and(|l| l.kind() == Kind::Symlink) {
                    if let Some(pp) = c.native(&parent) {
                        np = crate::vfs::join_path(&pp, &last);
                    }
                }
            }
            let host_name = comm_of(&np);
            let guest_name = comm_of(&name);
            c.st.tasks.task_mut(c.tid).pending_exec = Some(PendingExec {
                path: exe,
                comm: (host_name != guest_name).then_some(guest_name),
            });
            let a = c.scratch_str(&np, 0)?;
            return Ok(Resume::Rewrite {
                nr: libc::SYS_execve as u64,
                args: [a, argv, envp, 0, 0, 0],
            });
        }
    }
    // A file the host cannot reach by path (tmpfs): executed through a
    // descriptor. It must survive the exec for a script's interpreter to
    // open it (as /dev/fd/N), so it is not close-on-exec (see `ExecFd`);
    // a failed exec closes it at once.
    let f = loc.inode().open(&c.caller(), libc::O_RDONLY)?;
    let mut magic = [0u8; 2];
    let script = host::pread(f.as_fd(), &mut magic, 0).is_ok_and(|n| n == 2) && &magic == b"#!";
    let fd = c.p.install_fd(c.tid, f.as_fd(), false)?;
    if fd < 0 {
        return Ok(Resume::Return(fd));
    }
    c.st.tasks.task_mut(c.tid).pending_exec = Some(PendingExec {
        path: exe,
        comm: Some(comm_of(&name)),
    });
    c.st.tasks.task_mut(c.tid).close_after_exec = Some(ExecFd {
        fd: fd as i32,
        script,
    });
    // The host names the program after the descriptor: until the kernel
    // gives it its name, PR_GET_NAME must ask the kernel.
    c.st.want_get_name_trap.borrow_mut().push(c.tid);
    let empty = c.scratch_str(b"", 1)?;
    c.rewrite_then(
        libc::SYS_execveat,
        [fd as u64, empty, argv, envp, libc::AT_EMPTY_PATH as u64, 0],
        Box::new(move |c, ret| {
            let _ =
                c.p.inject(c.tid, libc::SYS_close as u64, [fd as u64, 0, 0, 0, 0, 0]);
            if let Some(t) = c.st.tasks.tasks.get_mut(&c.tid) {
                t.close_after_exec = None;
                t.pending_exec = None;
            }
            ret
        }),
    )
}

pub fn sys_execve(c: &mut Ctx<'_>) -> SysResult<Resume> {
    do_exec(c, libc::AT_FDCWD, c.arg(0), c.arg(1), c.arg(2), 0)
}

pub fn sys_execveat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let flags = c.arg_i32(4);
    if flags & libc::AT_EMPTY_PATH != 0 && c.read_path(c.arg(1))?.is_empty() {
        // fexecve of a descriptor the guest holds: the host can do it.
        return Ok(Resume::Native);
    }
    do_exec(c, c.arg_i32(0), c.arg(1), c.arg(2), c.arg(3), flags)
}
