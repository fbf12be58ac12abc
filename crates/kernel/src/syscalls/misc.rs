//! System information, the kernel log, and socket addresses that name paths.

use super::{Ctx, ExitHook};
use crate::errno::{Errno, SysResult};
use crate::fs::{private, tmpfs};
use crate::vfs::{join_path, same_object, Follow, Inode, Kind, Loc, Step};
use ruml_platform::{host, Resume};
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::Arc;

pub fn sys_sysinfo(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let up = (host::clock_ns(libc::CLOCK_BOOTTIME) - c.st.boot_ns) / 1_000_000_000;
    let total = c.st.cfg.mem;
    let used = crate::mm::used_bytes(c.st, c.p);
    let mut b = [0u8; 112];
    b[0..8].copy_from_slice(&(up as i64).to_ne_bytes());
    b[32..40].copy_from_slice(&total.to_ne_bytes());
    b[40..48].copy_from_slice(&total.saturating_sub(used).to_ne_bytes());
    b[80..82].copy_from_slice(&(c.st.tasks.tasks.len() as u16).to_ne_bytes());
    b[104..108].copy_from_slice(&1u32.to_ne_bytes());
    c.write(c.arg(0), &b)?;
    Ok(Resume::Return(0))
}

pub fn sys_syslog(c: &mut Ctx<'_>) -> SysResult<Resume> {
    match c.arg_i32(0) {
        2..=4 => {
            let n = c.st.log.len().min(c.arg(2) as usize);
            let start = c.st.log.len() - n;
            let data = c.st.log[start..].to_vec();
            c.write(c.arg(1), &data)?;
            Ok(Resume::Return(n as i64))
        }
        9 | 10 => Ok(Resume::Return(c.st.log.len().max(1 << 14) as i64)),
        0 | 1 | 5..=8 => Ok(Resume::Return(0)),
        _ => Err(Errno::EINVAL),
    }
}

// ---- AF_UNIX addresses -------------------------------------------------------
//
// A path in a sockaddr_un names a file in the guest's tree. bind must give
// the host the guest's own bytes, since getsockname, getpeername, accept
// and recvfrom show them; connect, sendto and sendmsg only need to reach
// the socket. Sockets on the root hostfs are host sockets in the guest's
// root; sockets on a tmpfs are host sockets in ruml's private directory
// (see fs::private), reached with the caller's host cwd moved there for
// the length of the call.

/// sun_path's size: a path must leave room for its NUL.
const SUN_PATH: usize = 108;

/// The path of an AF_UNIX address; None for other families, abstract and
/// unnamed addresses, and malformed ones (the host judges those).
fn unix_path(c: &Ctx<'_>, addr: u64, len: u64) -> SysResult<Option<Vec<u8>>> {
    if addr == 0 || !(3..=2 + SUN_PATH as u64).contains(&len) {
        return Ok(None);
    }
    let mut sa = vec![0u8; len as usize];
    c.read(addr, &mut sa)?;
    if u16::from_ne_bytes([sa[0], sa[1]]) != libc::AF_UNIX as u16 || sa[2] == 0 {
        return Ok(None);
    }
    Ok(Some(
        sa[2..].iter().take_while(|&&b| b != 0).copied().collect(),
    ))
}

/// A sockaddr_un holding `path`.
fn sockaddr(path: &[u8]) -> SysResult<Vec<u8>> {
    if path.len() >= SUN_PATH {
        return Err(Errno::ENAMETOOLONG);
    }
    Ok([&(libc::AF_UNIX as u16).to_ne_bytes()[..], path, b"\0"].concat())
}

/// Guest memory for a rewritten address (and the msghdr that holds it).
fn addr_scratch(c: &Ctx<'_>) -> u64 {
    c.p.scratch(c.tid, 8192 * 3)
}

/// Refuses things that are not sockets before any path is looked at
/// (Linux looks the socket up first).
fn check_socket(c: &Ctx<'_>, fd: i32) -> SysResult<()> {
    let info = c.p.fd_info(c.tid, fd).map_err(|_| Errno::EBADF)?;
    if info.mode & libc::S_IFMT != libc::S_IFSOCK {
        return Err(Errno::ENOTSOCK);
    }
    Ok(())
}

/// Where a connect or send reaches a socket file.
enum Dest {
    /// By this absolute path in the chroot.
    Path(Vec<u8>),
    /// By a name relative to a host directory: the inode's native directory
    /// (a root hostfs socket whose path is too long), or its host node (a
    /// tmpfs socket).
    Native(Arc<dyn Inode>, Vec<u8>),
    Node(Arc<dyn Inode>),
}

fn resolve_dest(c: &Ctx<'_>, path: &[u8]) -> SysResult<Dest> {
    let loc = c.resolve_at(libc::AT_FDCWD, path, Follow::Yes)?;
    // unix_find_bsd: write permission on the socket file.
    crate::vfs::perm::permission(&c.caller(), loc.inode(), crate::vfs::perm::MAY_WRITE)?;
    if loc.inode().kind() != Kind::Socket {
        return Err(Errno::ECONNREFUSED);
    }
    if let Some((dir, name)) = c.native_target(&loc) {
        return Ok(match c.native(&loc) {
            Some(p) if p.len() < SUN_PATH => Dest::Path(p),
            _ => Dest::Native(dir, name),
        });
    }
    if loc.inode().host_node().is_some() {
        return Ok(Dest::Node(loc.inode().clone()));
    }
    // A socket inode nothing is bound to (mknod).
    Err(Errno::ECONNREFUSED)
}

/// Runs a connect/sendto/sendmsg whose address is at `addr_arg` (or, for
/// sendmsg, inside the msghdr at args[1]) with the address of `dest`.
fn send_to(c: &mut Ctx<'_>, nr: i64, mut args: [u64; 6], dest: Dest) -> SysResult<Resume> {
    let a = addr_scratch(c);
    let (name, dir): (Vec<u8>, Option<Arc<dyn Inode>>) = match dest {
        Dest::Path(p) => (p, None),
        Dest::Native(d, n) => (n, Some(d)),
        Dest::Node(i) => {
            let n = i.host_node().expect("a host node").1.to_vec();
            (n, Some(i))
        }
    };
    let sa = sockaddr(&name)?;
    c.write(a, &sa)?;
    match nr {
        libc::SYS_connect => {
            args[1] = a;
            args[2] = sa.len() as u64;
        }
        libc::SYS_sendto => {
            args[4] = a;
            args[5] = sa.len() as u64;
        }
        _ => {
            // sendmsg: a copy of the msghdr naming the new address.
            let mut m = [0u8; 56];
            c.read(args[1], &mut m)?;
            m[0..8].copy_from_slice(&a.to_ne_bytes());
            m[8..12].copy_from_slice(&(sa.len() as u32).to_ne_bytes());
            c.write(a + 128, &m)?;
            args[1] = a + 128;
        }
    }
    match dir {
        None => Ok(Resume::Rewrite {
            nr: nr as u64,
            args,
        }),
        Some(i) => {
            let fd = match i.host_node() {
                Some((fd, _)) => fd,
                None => i.native_fd().ok_or(Errno::ENOENT)?,
            };
            let fd = host::reopen(fd, libc::O_PATH | libc::O_DIRECTORY)?;
            run_in_dir(c, fd.as_fd(), nr, args, None)
        }
    }
}

/// Runs `nr(args)` natively with the caller's host cwd moved to `dir` (a
/// host directory ruml holds, lent for the call), then puts the cwd back
/// and runs `then` with the result.
fn run_in_dir(
    c: &mut Ctx<'_>,
    dir: BorrowedFd<'_>,
    nr: i64,
    args: [u64; 6],
    then: Option<ExitHook>,
) -> SysResult<Resume> {
    let inject = |c: &mut Ctx<'_>, nr: i64, a: [u64; 6]| c.p.inject(c.tid, nr as u64, a);
    let lent = c.lend(dir)? as u64;
    let dot = addr_scratch(c) + 256;
    c.write(dot, b".\0")?;
    let saved = inject(
        c,
        libc::SYS_openat,
        [
            libc::AT_FDCWD as u64,
            dot,
            (libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC) as u64,
            0,
            0,
            0,
        ],
    )?;
    let moved = if saved >= 0 {
        inject(c, libc::SYS_fchdir, [lent, 0, 0, 0, 0, 0])?
    } else {
        saved
    };
    if moved < 0 {
        if saved >= 0 {
            inject(c, libc::SYS_close, [saved as u64, 0, 0, 0, 0, 0])?;
        }
        inject(c, libc::SYS_close, [lent, 0, 0, 0, 0, 0])?;
        return Err(Errno(-moved as i32));
    }
    c.rewrite_then(
        nr,
        args,
        Box::new(move |c, ret| {
            let _ = inject(c, libc::SYS_fchdir, [saved as u64, 0, 0, 0, 0, 0]);
            let _ = inject(c, libc::SYS_close, [saved as u64, 0, 0, 0, 0, 0]);
            let _ = inject(c, libc::SYS_close, [lent, 0, 0, 0, 0, 0]);
            match then {
                Some(h) => h(c, ret),
                None => ret,
            }
        }),
    )
}

/// Whether the host, resolving `path` itself from the caller's host cwd
/// (or its root), reaches `parent`: it walks the root hostfs only (no
/// mounts on the way) and, where symlinks are followed, from the guest's
/// own root (no chroot), so it sees what the VFS sees.
fn host_resolves_alike(c: &Ctx<'_>, path: &[u8], parent: &Loc) -> bool {
    let fs = c.st.tasks.task(c.tid).fs.clone();
    let f = fs.borrow();
    let start = if path.first() == Some(&b'/') {
        f.root.clone()
    } else {
        if !f.host_cwd {
            return false;
        }
        f.cwd.clone()
    };
    let comps: Vec<&[u8]> = path
        .split(|&b| b == b'/')
        .filter(|p| !p.is_empty())
        .collect();
    let Some((_, dirs)) = comps.split_last() else {
        return false;
    };
    let global_root = f.root.0.len() == 1;
    if !global_root && path.first() == Some(&b'/') {
        return false;
    }
    let mut links = 0;
    host_walk(c, start, dirs, global_root, &mut links)
        .is_some_and(|l| same_object(l.inode(), parent.inode()))
}

/// The host's walk of `comps` from `loc` (see `host_resolves_alike`); None
/// where it could differ from the VFS's or fails.
fn host_walk(
    c: &Ctx<'_>,
    mut loc: Loc,
    comps: &[&[u8]],
    global_root: bool,
    links: &mut usize,
) -> Option<Loc> {
    if !c.st.vfs.mount(loc.mount()).native {
        return None;
    }
    for &comp in comps {
        match comp {
            b"." => {}
            b".." => {
                if loc.0.len() > 1 {
                    loc.0.pop();
                } else if !global_root {
                    return None;
                }
            }
            name => {
                let child = loc.inode().lookup(&c.caller(), name).ok()?;
                let p = join_path(&loc.path(), name);
                if c.st.vfs.mounts.iter().any(|m| m.path == p) {
                    return None;
                }
                match child.kind() {
                    Kind::Dir => loc.0.push(Step {
                        name: name.to_vec(),
                        inode: child,
                        mount: 0,
                    }),
                    Kind::Symlink if global_root => {
                        *links += 1;
                        if *links > crate::vfs::MAX_SYMLINKS {
                            return None;
                        }
                        let t = child.readlink(&c.caller()).ok()?;
                        let tc: Vec<&[u8]> =
                            t.split(|&b| b == b'/').filter(|p| !p.is_empty()).collect();
                        let from = if t.first() == Some(&b'/') {
                            c.st.vfs.root()
                        } else {
                            loc
                        };
                        loc = host_walk(c, from, &tc, global_root, links)?;
                    }
                    _ => return None,
                }
            }
        }
    }
    Some(loc)
}

pub fn sys_bind(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let (fd, addr, len) = (c.arg_i32(0), c.arg(1), c.arg(2));
    if let Some(r) = super::net::inet_bind(c, fd, addr, len)? {
        return Ok(r);
    }
    let Some(path) = unix_path(c, addr, len)? else {
        return Ok(Resume::Native);
    };
    check_socket(c, fd)?;
    let (parent, name) = c.resolve_parent_at(libc::AT_FDCWD, &path)?;
    if [&b"."[..], b"..", b"/"].contains(&name.as_slice()) {
        return Err(Errno::EADDRINUSE);
    }
    match parent.inode().lookup(&c.caller(), &name) {
        Ok(_) => return Err(Errno::EADDRINUSE),
        Err(Errno::ENOENT) => {}
        Err(e) => return Err(e),
    }
    if path.ends_with(b"/") {
        return Err(Errno::ENOENT);
    }
    if c.st.vfs.mount(parent.mount()).read_only {
        return Err(Errno::EROFS);
    }
    // The socket file is made as by mknod (may_create).
    crate::vfs::perm::may_create(&c.caller(), parent.inode())?;
    if let Some((dir, name)) = c.native_child(&parent, &name) {
        if host_resolves_alike(c, &path, &parent) {
            // The host binds the guest's own bytes.
            return Ok(Resume::Native);
        }
        // Elsewhere (a symlink or ".." on the way): the socket's canonical
        // path stands for the guest's (getsockname shows it).
        let full = dir.native_path().map(|p| join_path(&p, &name));
        let a = addr_scratch(c);
        return match full.filter(|p| p.len() < SUN_PATH) {
            Some(p) => {
                let sa = sockaddr(&p)?;
                c.write(a, &sa)?;
                Ok(Resume::Rewrite {
                    nr: libc::SYS_bind as u64,
                    args: [fd as u64, a, sa.len() as u64, 0, 0, 0],
                })
            }
            None => {
                let sa = sockaddr(&name)?;
                c.write(a, &sa)?;
                let d = host::reopen(dir.native_fd().ok_or(Errno::ENOENT)?, libc::O_PATH)?;
                run_in_dir(
                    c,
                    d.as_fd(),
                    libc::SYS_bind,
                    [fd as u64, a, sa.len() as u64, 0, 0, 0],
                    None,
                )
            }
        };
    }
    if parent.inode().as_any().is::<tmpfs::TmpInode>()
        || parent.inode().as_any().is::<crate::fs::ext4::Ext4Inode>()
    {
        return node_bind(c, fd, &path, parent.inode().clone(), name);
    }
    c.st.warn_once(
        0x3_0000,
        "AF_UNIX sockets are supported on the root hostfs, tmpfs and ext4 only",
    );
    Err(Errno::EOPNOTSUPP)
}

/// Components of a path below the private directory.
type Comps = Vec<Vec<u8>>;

/// Lays out, below the private directory's entry `top`, the directories a
/// relative socket path's directory part `dirs` walks through, from a base
/// deep enough that no ".." leaves `top`. Returns the base (where the bind
/// runs) and the directory the socket lands in.
fn socket_dirs(
    p: &private::Private,
    top: &[u8],
    dirs: &[&[u8]],
    relative: bool,
) -> SysResult<(Comps, Comps)> {
    let mut base = vec![top.to_vec()];
    if !relative {
        return Ok((base.clone(), base));
    }
    for i in 0..dirs.iter().filter(|&&d| d == b"..").count() {
        base.push(format!("u{i}").into_bytes());
        host::mkdirat(p.fd(), &base.join(&b'/'), 0o700)?;
    }
    let mut cur = base.clone();
    for &d in dirs {
        match d {
            b"." => {}
            b".." => {
                cur.pop();
            }
            d => {
                cur.push(d.to_vec());
                match host::mkdirat(p.fd(), &cur.join(&b'/'), 0o700) {
                    Err(e) if e.raw_os_error() != Some(libc::EEXIST) => return Err(e.into()),
                    _ => {}
                }
            }
        }
    }
    Ok((base, cur))
}

/// bind on a tmpfs or ext4: the host socket goes into a fresh directory of
/// ruml's private directory, laid out so that the guest's own (relative)
/// path leads to it from there, and the filesystem gets a socket inode for
/// it (`Inode::add_socket`).
fn node_bind(
    c: &mut Ctx<'_>,
    fd: i32,
    path: &[u8],
    parent: Arc<dyn Inode>,
    name: Vec<u8>,
) -> SysResult<Resume> {
    let p = private::get()?;
    let top = p.unique("s");
    host::mkdirat(p.fd(), &top, 0o700)?;
    let cleanup = |p: &private::Private, top: &[u8]| {
        use std::os::unix::ffi::OsStrExt;
        let _ = std::fs::remove_dir_all(std::ffi::OsStr::from_bytes(&p.host_path(top)));
    };
    let relative = path.first() != Some(&b'/');
    let comps: Vec<&[u8]> = path
        .split(|&b| b == b'/')
        .filter(|p| !p.is_empty())
        .collect();
    let (&last, dirs) = comps.split_last().ok_or(Errno::ENOENT)?;
    let (base, cur) = match socket_dirs(&p, &top, dirs, relative) {
        Ok(v) => v,
        Err(e) => {
            cleanup(&p, &top);
            return Err(e);
        }
    };
    let open =
        |v: &[Vec<u8>]| host::openat(p.fd(), &v.join(&b'/'), libc::O_PATH | libc::O_DIRECTORY, 0);
    let (cwd_fd, dir_fd) = match (open(&base), open(&cur)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            cleanup(&p, &top);
            return Err(e.into());
        }
    };
    // The node removes the directory again if the bind fails.
    let node = tmpfs::HostNode::socket(p.clone(), dir_fd, last.to_vec(), top);
    let (a, alen) = if relative {
        (c.arg(1), c.arg(2))
    } else {
        // An absolute path cannot be bound as given outside the guest's
        // root: the name alone stands for it.
        let sa = sockaddr(last)?;
        let a = addr_scratch(c);
        c.write(a, &sa)?;
        (a, sa.len() as u64)
    };
    let mode = 0o777 & !c.umask();
    let who = c.creator();
    run_in_dir(
        c,
        cwd_fd.as_fd(),
        libc::SYS_bind,
        [fd as u64, a, alen, 0, 0, 0],
        Some(Box::new(move |_, ret| {
            if ret != 0 {
                return ret;
            }
            match parent.add_socket(&name, mode, who, node) {
                Ok(()) => 0,
                Err(e) => -(e.0 as i64),
            }
        })),
    )
}

/// connect(fd, addr, len) and sendto(fd, ..., addr, len): an AF_UNIX
/// destination is resolved in the guest's tree (argument `addr_arg` holds
/// the address, the next one its length).
fn unix_dest_call(c: &mut Ctx<'_>, nr: i64, addr_arg: usize) -> SysResult<Resume> {
    let (fd, addr, len) = (c.arg_i32(0), c.arg(addr_arg), c.arg(addr_arg + 1));
    let Some(path) = unix_path(c, addr, len)? else {
        return Ok(Resume::Native);
    };
    check_socket(c, fd)?;
    let dest = resolve_dest(c, &path)?;
    let args = c.call.args;
    send_to(c, nr, args, dest)
}

pub fn sys_connect(c: &mut Ctx<'_>) -> SysResult<Resume> {
    unix_dest_call(c, libc::SYS_connect, 1)
}

pub fn sys_sendto(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let (fd, buf, n, flags) = (c.arg_i32(0), c.arg(1), c.arg(2) as usize, c.arg_i32(3));
    let sent = super::net::netlink_send(c, fd, c.arg(4), c.arg(5), flags, |c| {
        if n > 16 << 20 {
            return Err(Errno::EMSGSIZE);
        }
        let mut v = vec![0u8; n];
        c.read(buf, &mut v)?;
        Ok(v)
    })?;
    if let Some(r) = sent {
        return Ok(r);
    }
    unix_dest_call(c, libc::SYS_sendto, 4)
}

pub fn sys_sendmsg(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let fd = c.arg_i32(0);
    let mut m = [0u8; 16];
    if c.read(c.arg(1), &mut m).is_err() {
        return Ok(Resume::Native);
    }
    let name = u64::from_ne_bytes(m[0..8].try_into().unwrap());
    let len = u32::from_ne_bytes(m[8..12].try_into().unwrap()) as u64;
    let (msg, flags) = (c.arg(1), c.arg_i32(2));
    let sent =
        super::net::netlink_send(c, fd, name, len, flags, |c| super::net::msghdr_data(c, msg))?;
    if let Some(r) = sent {
        return Ok(r);
    }
    let Some(path) = unix_path(c, name, len)? else {
        return Ok(Resume::Native);
    };
    check_socket(c, fd)?;
    let dest = resolve_dest(c, &path)?;
    let args = c.call.args;
    send_to(c, libc::SYS_sendmsg, args, dest)
}

fn uts_field(s: &str) -> [u8; 65] {
    let mut f = [0u8; 65];
    let n = s.len().min(64);
    f[..n].copy_from_slice(&s.as_bytes()[..n]);
    f
}

pub fn sys_uname(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let mut b = Vec::with_capacity(390);
    for s in [
        "Linux",
        c.st.hostname.as_str(),
        crate::kernel::RELEASE,
        "#1 SMP PREEMPT ruml",
        "x86_64",
        c.st.domainname.as_str(),
    ] {
        b.extend_from_slice(&uts_field(s));
    }
    c.write(c.arg(0), &b)?;
    Ok(Resume::Return(0))
}

fn set_uts_name(c: &mut Ctx<'_>, domain: bool) -> SysResult<Resume> {
    c.require(crate::task::cap::SYS_ADMIN)?;
    let len = c.arg(1) as usize;
    if len > 64 {
        return Err(Errno::EINVAL);
    }
    let mut buf = vec![0u8; len];
    c.read(c.arg(0), &mut buf)?;
    let name = String::from_utf8_lossy(&buf).into_owned();
    if domain {
        c.st.domainname = name;
    } else {
        c.st.hostname = name;
    }
    // uname(2) traps and answers from here; the host's copy in the VM's
    // UTS namespace keeps the boot name (guest processes hold no host
    // capability to change it).
    Ok(Resume::Return(0))
}

pub fn sys_sethostname(c: &mut Ctx<'_>) -> SysResult<Resume> {
    set_uts_name(c, false)
}

pub fn sys_setdomainname(c: &mut Ctx<'_>) -> SysResult<Resume> {
    set_uts_name(c, true)
}

/// unshare and setns: the VM's kernel is built without namespaces inside
/// it, as Linux answers without CONFIG_*_NS (a bare CLONE_FS or
/// CLONE_FILES unshare needs no namespace and runs natively).
pub fn sys_unshare(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let flags = c.arg(0);
    if flags & !((libc::CLONE_FS | libc::CLONE_FILES | libc::CLONE_SYSVSEM) as u64) == 0 {
        return Ok(Resume::Native);
    }
    Err(Errno::EINVAL)
}

pub fn sys_setns(_c: &mut Ctx<'_>) -> SysResult<Resume> {
    Err(Errno::EINVAL)
}

/// Setting the clock is the host's business: the guest is told it lacks
/// CAP_SYS_TIME, as an unprivileged Linux caller is.
pub fn sys_set_time(_c: &mut Ctx<'_>) -> SysResult<Resume> {
    Err(Errno::EPERM)
}

/// vhangup: getty calls it on its terminal before opening it again; the
/// VM's terminals are not revoked, so it succeeds doing nothing.
pub fn sys_vhangup(c: &mut Ctx<'_>) -> SysResult<Resume> {
    c.require(crate::task::cap::SYS_TTY_CONFIG)?;
    Ok(Resume::Return(0))
}

/// mq_open(2): ruml opens the queue in the VM's IPC namespace (guest
/// processes, fenced by Landlock, cannot reach its mqueue filesystem by
/// name) and installs it. The rest of the mq_* calls run natively on the
/// descriptor (mq_unlink by name too: Landlock does not fence it).
pub fn sys_mq_open(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let (name_p, flags, mode, attr_p) = (c.arg(0), c.arg_i32(1), c.arg(2) as u32, c.arg(3));
    let name = c.read_cstr(name_p, 255)?;
    let attr = if flags & libc::O_CREAT != 0 && attr_p != 0 {
        let mut a = [0u8; 64];
        c.read(attr_p, &mut a)?;
        Some(a)
    } else {
        None
    };
    let ns = c.st.netns.clone().ok_or(Errno::ENOSYS)?;
    let q = ns.mq_open(&name, flags, mode & !c.umask(), attr)?;
    let r =
        c.p.install_fd(c.tid, q.as_fd(), flags & libc::O_CLOEXEC != 0)?;
    Ok(Resume::Return(r))
}
