//! Thin, safe wrappers over host facilities the kernel core needs that have
//! no safe std equivalent: ptys, termios, memfds, *at calls on descriptors.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;

fn cvt(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

fn cstr(b: &[u8]) -> io::Result<CString> {
    CString::new(b).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

/// Takes ownership of a descriptor a successful call returned.
fn owned(fd: libc::c_int) -> io::Result<OwnedFd> {
    let fd = cvt(fd)?;
    // SAFETY: `fd` was just returned by the kernel and is owned by no one else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// A host pseudo-terminal pair.
pub struct Pty {
    pub master: OwnedFd,
    pub slave: OwnedFd,
}

/// Opens a new host pty pair (both ends close-on-exec).
pub fn open_pty() -> io::Result<Pty> {
    // SAFETY: plain syscall wrapper with constant flags.
    let master =
        owned(unsafe { libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC) })?;
    // SAFETY: `master` is a valid pty master descriptor.
    cvt(unsafe { libc::grantpt(master.as_raw_fd()) })?;
    // SAFETY: as above.
    cvt(unsafe { libc::unlockpt(master.as_raw_fd()) })?;
    let mut n: libc::c_uint = 0;
    // SAFETY: TIOCGPTN writes one c_uint through the pointer we pass.
    cvt(unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCGPTN, &mut n) })?;
    let path = cstr(format!("/dev/pts/{n}").as_bytes())?;
    // SAFETY: `path` is a valid NUL-terminated string.
    let slave = owned(unsafe {
        libc::open(
            path.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        )
    })?;
    Ok(Pty { master, slave })
}

/// Saved terminal state, restored by [`restore_termios`].
pub type Termios = libc::termios;

/// Reads a descriptor's terminal attributes, or `None` if it is not a tty.
pub fn get_termios(fd: BorrowedFd<'_>) -> Option<Termios> {
    // SAFETY: termios is plain data; tcgetattr fills it or fails.
    let mut t: Termios = unsafe { std::mem::zeroed() };
    // SAFETY: `t` is a valid, writable termios.
    (unsafe { libc::tcgetattr(fd.as_raw_fd(), &mut t) } == 0).then_some(t)
}

/// Applies terminal attributes.
pub fn set_termios(fd: BorrowedFd<'_>, t: &Termios) -> io::Result<()> {
    // SAFETY: `t` points to a valid termios.
    cvt(unsafe { libc::tcsetattr(fd.as_raw_fd(), libc::TCSANOW, t) }).map(drop)
}

/// Raw mode as cfmakeraw(3) sets it.
pub fn make_raw(t: &Termios) -> Termios {
    let mut r = *t;
    // SAFETY: `r` is a valid termios.
    unsafe { libc::cfmakeraw(&mut r) };
    r
}

/// Window size of a tty.
pub fn get_winsize(fd: BorrowedFd<'_>) -> Option<libc::winsize> {
    // SAFETY: plain data.
    let mut w: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ writes one winsize.
    (unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCGWINSZ, &mut w) } == 0).then_some(w)
}

/// Sets the window size of a tty.
pub fn set_winsize(fd: BorrowedFd<'_>, w: &libc::winsize) -> io::Result<()> {
    // SAFETY: TIOCSWINSZ reads one winsize.
    cvt(unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCSWINSZ, w) }).map(drop)
}

/// Creates an anonymous memory file (close-on-exec).
pub fn memfd(name: &str) -> io::Result<OwnedFd> {
    let n = cstr(name.as_bytes())?;
    // SAFETY: `n` is NUL-terminated.
    owned(unsafe { libc::memfd_create(n.as_ptr(), libc::MFD_CLOEXEC) })
}

/// `openat(dir, name, flags, mode)`, close-on-exec and `O_NOCTTY` added
/// (ruml never takes a terminal it opens as its own).
pub fn openat(dir: BorrowedFd<'_>, name: &[u8], flags: i32, mode: u32) -> io::Result<OwnedFd> {
    let n = cstr(name)?;
    let flags = flags | libc::O_CLOEXEC | libc::O_NOCTTY;
    // SAFETY: `n` is NUL-terminated; the kernel validates the rest.
    owned(unsafe { libc::openat(dir.as_raw_fd(), n.as_ptr(), flags, mode) })
}

/// Opens a host path (absolute), close-on-exec and `O_NOCTTY`.
pub fn open_path(path: &[u8], flags: i32) -> io::Result<OwnedFd> {
    let n = cstr(path)?;
    // SAFETY: `n` is NUL-terminated.
    owned(unsafe { libc::open(n.as_ptr(), flags | libc::O_CLOEXEC | libc::O_NOCTTY) })
}

/// Re-opens an object held as `fd` (e.g. an O_PATH descriptor) with new
/// flags, through /proc/self/fd; gives a new open file description.
pub fn reopen(fd: BorrowedFd<'_>, flags: i32) -> io::Result<OwnedFd> {
    let p = format!("/proc/self/fd/{}", fd.as_raw_fd());
    open_path(
        p.as_bytes(),
        flags & !(libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW),
    )
}

/// Host `struct stat`.
pub type Stat = libc::stat;

/// `fstatat(dir, name, flags)`; an empty name stats `dir` itself.
pub fn fstatat(dir: BorrowedFd<'_>, name: &[u8], flags: i32) -> io::Result<Stat> {
    let n = cstr(name)?;
    let flags = if name.is_empty() {
        flags | libc::AT_EMPTY_PATH
    } else {
        flags
    };
    // SAFETY: plain data.
    let mut st: Stat = unsafe { std::mem::zeroed() };
    // SAFETY: `n` is NUL-terminated and `st` writable.
    cvt(unsafe { libc::fstatat(dir.as_raw_fd(), n.as_ptr(), &mut st, flags) })?;
    Ok(st)
}

/// `stat` of a host path (follows links).
pub fn stat_path(path: &[u8]) -> io::Result<Stat> {
    let n = cstr(path)?;
    // SAFETY: plain data.
    let mut st: Stat = unsafe { std::mem::zeroed() };
    // SAFETY: `n` is NUL-terminated and `st` writable.
    cvt(unsafe { libc::stat(n.as_ptr(), &mut st) })?;
    Ok(st)
}

/// `readlinkat(dir, name)`; an empty name reads `dir` (an O_PATH link).
pub fn readlinkat(dir: BorrowedFd<'_>, name: &[u8]) -> io::Result<Vec<u8>> {
    let n = cstr(name)?;
    let mut buf = vec![0u8; 4096];
    // SAFETY: `buf` is writable for its length.
    let r = unsafe {
        libc::readlinkat(
            dir.as_raw_fd(),
            n.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    buf.truncate(r as usize);
    Ok(buf)
}

/// `mkdirat`.
pub fn mkdirat(dir: BorrowedFd<'_>, name: &[u8], mode: u32) -> io::Result<()> {
    let n = cstr(name)?;
    // SAFETY: `n` is NUL-terminated.
    cvt(unsafe { libc::mkdirat(dir.as_raw_fd(), n.as_ptr(), mode) }).map(drop)
}

/// `unlinkat`.
pub fn unlinkat(dir: BorrowedFd<'_>, name: &[u8], flags: i32) -> io::Result<()> {
    let n = cstr(name)?;
    // SAFETY: `n` is NUL-terminated.
    cvt(unsafe { libc::unlinkat(dir.as_raw_fd(), n.as_ptr(), flags) }).map(drop)
}

/// `symlinkat`.
pub fn symlinkat(target: &[u8], dir: BorrowedFd<'_>, name: &[u8]) -> io::Result<()> {
    let t = cstr(target)?;
    let n = cstr(name)?;
    // SAFETY: both strings are NUL-terminated.
    cvt(unsafe { libc::symlinkat(t.as_ptr(), dir.as_raw_fd(), n.as_ptr()) }).map(drop)
}

/// `linkat` without following symlinks.
pub fn linkat(od: BorrowedFd<'_>, on: &[u8], nd: BorrowedFd<'_>, nn: &[u8]) -> io::Result<()> {
    let o = cstr(on)?;
    let n = cstr(nn)?;
    // SAFETY: both strings are NUL-terminated.
    cvt(unsafe { libc::linkat(od.as_raw_fd(), o.as_ptr(), nd.as_raw_fd(), n.as_ptr(), 0) })
        .map(drop)
}

/// `renameat2`.
pub fn renameat2(
    od: BorrowedFd<'_>,
    on: &[u8],
    nd: BorrowedFd<'_>,
    nn: &[u8],
    flags: u32,
) -> io::Result<()> {
    let o = cstr(on)?;
    let n = cstr(nn)?;
    // SAFETY: both strings are NUL-terminated.
    cvt(unsafe {
        libc::renameat2(
            od.as_raw_fd(),
            o.as_ptr(),
            nd.as_raw_fd(),
            n.as_ptr(),
            flags,
        )
    })
    .map(drop)
}

/// `fchmodat` on an object held by descriptor (via /proc/self/fd).
pub fn fchmod_path(fd: BorrowedFd<'_>, mode: u32) -> io::Result<()> {
    let p = cstr(format!("/proc/self/fd/{}", fd.as_raw_fd()).as_bytes())?;
    // SAFETY: `p` is NUL-terminated.
    cvt(unsafe { libc::chmod(p.as_ptr(), mode) }).map(drop)
}

/// `utimensat` on an object held by descriptor; `nofollow` for symlinks
/// held by O_PATH.
pub fn utimens_fd(fd: BorrowedFd<'_>, times: &[libc::timespec; 2]) -> io::Result<()> {
    let e = cstr(b"")?;
    // SAFETY: `times` points to two timespecs; AT_EMPTY_PATH acts on `fd`.
    cvt(unsafe {
        libc::utimensat(
            fd.as_raw_fd(),
            e.as_ptr(),
            times.as_ptr(),
            libc::AT_EMPTY_PATH,
        )
    })
    .map(drop)
}

/// `truncate` of an object held by descriptor.
pub fn truncate_fd(fd: BorrowedFd<'_>, len: i64) -> io::Result<()> {
    let f = reopen(fd, libc::O_WRONLY)?;
    // SAFETY: plain syscall on a descriptor we own.
    cvt(unsafe { libc::ftruncate(f.as_raw_fd(), len) }).map(drop)
}

/// `fstatfs`.
pub fn fstatfs(fd: BorrowedFd<'_>) -> io::Result<libc::statfs> {
    // SAFETY: plain data.
    let mut s: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: `s` is writable.
    cvt(unsafe { libc::fstatfs(fd.as_raw_fd(), &mut s) })?;
    Ok(s)
}

/// Reads a whole directory through a descriptor (names and d_type), without
/// "." and "..".
pub fn read_dir(fd: BorrowedFd<'_>) -> io::Result<Vec<(Vec<u8>, u64, u8)>> {
    let d = reopen(fd, libc::O_RDONLY | libc::O_DIRECTORY)?;
    let mut out = Vec::new();
    let mut buf = vec![0u8; 32768];
    loop {
        // SAFETY: getdents64 writes at most `buf.len()` bytes into `buf`.
        let n = unsafe {
            libc::syscall(
                libc::SYS_getdents64,
                d.as_raw_fd(),
                buf.as_mut_ptr(),
                buf.len(),
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        if n == 0 {
            return Ok(out);
        }
        let mut off = 0usize;
        while off < n as usize {
            let ino = u64::from_ne_bytes(buf[off..off + 8].try_into().unwrap());
            let reclen = u16::from_ne_bytes(buf[off + 16..off + 18].try_into().unwrap()) as usize;
            let dtype = buf[off + 18];
            let name = &buf[off + 19..off + reclen];
            let name = &name[..name.iter().position(|&c| c == 0).unwrap_or(name.len())];
            if name != b"." && name != b".." {
                out.push((name.to_vec(), ino, dtype));
            }
            off += reclen;
        }
    }
}

/// The descriptor's current file offset.
pub fn tell(fd: BorrowedFd<'_>) -> io::Result<i64> {
    // SAFETY: plain syscall.
    let r = unsafe { libc::lseek(fd.as_raw_fd(), 0, libc::SEEK_CUR) };
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// Moves the descriptor's file offset.
/// Copies `len` bytes from `inp` at `in_off` to `out` at `out_off` in the
/// kernel (sendfile; `out`'s file position is moved). Stops early at the
/// end of `inp`; returns the bytes copied.
pub fn copy_at(
    out: BorrowedFd<'_>,
    out_off: i64,
    inp: BorrowedFd<'_>,
    in_off: i64,
    len: u64,
) -> io::Result<u64> {
    seek_to(out, out_off)?;
    let mut off: libc::off_t = in_off;
    let mut done = 0u64;
    while done < len {
        let want = (len - done).min(1 << 30) as usize;
        // SAFETY: sendfile with a pointer to a live local offset.
        let n = unsafe { libc::sendfile(out.as_raw_fd(), inp.as_raw_fd(), &mut off, want) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if n == 0 {
            break;
        }
        done += n as u64;
    }
    Ok(done)
}

/// The first offset at or after `off` holding data (not a hole), or None
/// when only holes follow (lseek SEEK_DATA).
pub fn seek_data(fd: BorrowedFd<'_>, off: i64) -> io::Result<Option<i64>> {
    // SAFETY: plain syscall.
    let r = unsafe { libc::lseek(fd.as_raw_fd(), off, libc::SEEK_DATA) };
    if r >= 0 {
        return Ok(Some(r));
    }
    let e = io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::ENXIO) {
        Ok(None)
    } else {
        Err(e)
    }
}

pub fn seek_to(fd: BorrowedFd<'_>, off: i64) -> io::Result<()> {
    // SAFETY: plain syscall.
    if unsafe { libc::lseek(fd.as_raw_fd(), off, libc::SEEK_SET) } < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Positional write.
pub fn pwrite(fd: BorrowedFd<'_>, data: &[u8], off: i64) -> io::Result<usize> {
    // SAFETY: `data` is readable for its length.
    let r = unsafe { libc::pwrite(fd.as_raw_fd(), data.as_ptr().cast(), data.len(), off) };
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r as usize)
    }
}

/// Positional read.
pub fn pread(fd: BorrowedFd<'_>, buf: &mut [u8], off: i64) -> io::Result<usize> {
    // SAFETY: `buf` is writable for its length.
    let r = unsafe { libc::pread(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), off) };
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r as usize)
    }
}

/// `ftruncate`.
pub fn ftruncate(fd: BorrowedFd<'_>, len: i64) -> io::Result<()> {
    // SAFETY: plain syscall.
    cvt(unsafe { libc::ftruncate(fd.as_raw_fd(), len) }).map(drop)
}

/// `fsync`.
pub fn fsync(fd: BorrowedFd<'_>) -> io::Result<()> {
    // SAFETY: plain syscall.
    cvt(unsafe { libc::fsync(fd.as_raw_fd()) }).map(drop)
}

/// A pipe pair (close-on-exec).
pub fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut p = [0 as RawFd; 2];
    // SAFETY: `p` has room for two descriptors.
    cvt(unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC) })?;
    // SAFETY: both descriptors are fresh and ours.
    Ok(unsafe { (OwnedFd::from_raw_fd(p[0]), OwnedFd::from_raw_fd(p[1])) })
}

/// A packet-mode pipe (each write is one read), close-on-exec; the read
/// end is non-blocking.
pub fn packet_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut p = [0 as RawFd; 2];
    // SAFETY: `p` has room for two descriptors.
    cvt(unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC | libc::O_DIRECT) })?;
    // SAFETY: both descriptors are fresh and ours.
    let (r, w) = unsafe { (OwnedFd::from_raw_fd(p[0]), OwnedFd::from_raw_fd(p[1])) };
    // SAFETY: plain fcntl on our own descriptor.
    cvt(unsafe { libc::fcntl(r.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK) })?;
    Ok((r, w))
}

/// A descriptor every read and write of which fails with EINVAL (an
/// epoll instance), close-on-exec: for files that open but cannot be read.
pub fn unreadable() -> io::Result<OwnedFd> {
    // SAFETY: plain syscall; the result is a fresh descriptor or -1.
    owned(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })
}

/// A datagram socket pair (close-on-exec).
pub fn socketpair_dgram() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut p = [0 as RawFd; 2];
    // SAFETY: `p` has room for two descriptors.
    cvt(unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
            0,
            p.as_mut_ptr(),
        )
    })?;
    // SAFETY: both descriptors are fresh and ours.
    Ok(unsafe { (OwnedFd::from_raw_fd(p[0]), OwnedFd::from_raw_fd(p[1])) })
}

/// Blocking read that retries on EINTR.
pub fn read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        // SAFETY: `buf` is writable for its length.
        let r = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if r >= 0 {
            return Ok(r as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Writes all of `data`, retrying on EINTR and short writes.
pub fn write_all(fd: BorrowedFd<'_>, mut data: &[u8]) -> io::Result<()> {
    while !data.is_empty() {
        // SAFETY: `data` is readable for its length.
        let r = unsafe { libc::write(fd.as_raw_fd(), data.as_ptr().cast(), data.len()) };
        if r < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        data = &data[r as usize..];
    }
    Ok(())
}

/// poll(2) on a set of descriptors for readability; returns which are ready.
pub fn poll_readable(fds: &[BorrowedFd<'_>], timeout_ms: i32) -> io::Result<Vec<bool>> {
    let mut p: Vec<libc::pollfd> = fds
        .iter()
        .map(|f| libc::pollfd {
            fd: f.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    // SAFETY: `p` is a valid array of pollfd of the given length.
    let r = unsafe { libc::poll(p.as_mut_ptr(), p.len() as libc::nfds_t, timeout_ms) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(p.iter().map(|x| x.revents != 0).collect())
}

/// Host monotonic and real-time clocks, in nanoseconds.
pub fn clock_ns(clock: libc::clockid_t) -> u64 {
    // SAFETY: plain data.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: `ts` is writable.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// The effective uid and gid of ruml itself.
pub fn host_ids() -> (u32, u32) {
    // SAFETY: these calls cannot fail.
    unsafe { (libc::geteuid(), libc::getegid()) }
}

/// Blocks the given signals in the calling thread (and threads it spawns
/// later), so a dedicated thread can take them with [`wait_signal`].
pub fn block_signals(sigs: &[i32]) {
    // SAFETY: sigset manipulation on a local, then pthread_sigmask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for &s in sigs {
            libc::sigaddset(&mut set, s);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Waits for one of `sigs` (which must be blocked) and returns it.
pub fn wait_signal(sigs: &[i32]) -> i32 {
    // SAFETY: sigset manipulation on a local, then sigwait.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for &s in sigs {
            libc::sigaddset(&mut set, s);
        }
        let mut sig = 0;
        libc::sigwait(&set, &mut sig);
        sig
    }
}

/// Whether a path names a directory on the host.
pub fn is_dir(path: &std::path::Path) -> bool {
    stat_path(path.as_os_str().as_bytes()).is_ok_and(|s| s.st_mode & libc::S_IFMT == libc::S_IFDIR)
}

/// Borrows one of ruml's own long-lived descriptors (stdio, or a console
/// channel named on the command line), which stay open until ruml exits.
pub fn borrow_process_fd(fd: RawFd) -> BorrowedFd<'static> {
    // SAFETY: callers only pass descriptors that are open for the rest of the
    // process's life; a stale number would make calls fail with EBADF, not
    // touch memory.
    unsafe { BorrowedFd::borrow_raw(fd) }
}

/// `mkfifoat`.
pub fn mkfifoat(dir: BorrowedFd<'_>, name: &[u8], mode: u32) -> io::Result<()> {
    let n = cstr(name)?;
    // SAFETY: `n` is NUL-terminated.
    cvt(unsafe { libc::mkfifoat(dir.as_raw_fd(), n.as_ptr(), mode) }).map(drop)
}

/// `linkat(AT_FDCWD, old, dir, name, AT_SYMLINK_FOLLOW)`: links the object an
/// `/proc/self/fd/N` path names.
pub fn linkat_follow(old: &[u8], dir: BorrowedFd<'_>, name: &[u8]) -> io::Result<()> {
    let o = cstr(old)?;
    let n = cstr(name)?;
    // SAFETY: both strings are NUL-terminated.
    cvt(unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            o.as_ptr(),
            dir.as_raw_fd(),
            n.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    })
    .map(drop)
}

/// `syncfs` of the filesystem holding `fd`.
pub fn syncfs(fd: BorrowedFd<'_>) -> io::Result<()> {
    // SAFETY: plain syscall.
    cvt(unsafe { libc::syncfs(fd.as_raw_fd()) }).map(drop)
}

/// Who holds a conflicting lock on a file (the holder's pid, when the
/// lock is a process-associated one; None for open-file-description locks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockedBy(pub Option<i32>);

/// Takes a whole-file open-file-description lock on `fd` without waiting:
/// a write lock when `write`, else a read lock. It conflicts with the
/// fcntl(F_SETLK) locks UML's ubd driver takes, and, unlike those, is not
/// dropped when some other descriptor of the same file is closed. It is
/// released with the last descriptor of this open file description.
pub fn lock_file(fd: BorrowedFd<'_>, write: bool) -> io::Result<Result<(), LockedBy>> {
    // SAFETY: a zeroed flock is a valid value of the plain C struct.
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = if write { libc::F_WRLCK } else { libc::F_RDLCK } as i16;
    fl.l_whence = libc::SEEK_SET as i16;
    // SAFETY: fcntl with a pointer to a live, initialised flock.
    let r = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_OFD_SETLK, &fl) };
    if r == 0 {
        return Ok(Ok(()));
    }
    let e = io::Error::last_os_error();
    if !matches!(e.raw_os_error(), Some(libc::EAGAIN) | Some(libc::EACCES)) {
        return Err(e);
    }
    // Who holds it: F_OFD_GETLK reports a process-associated lock's pid
    // and -1 for another open file description's lock.
    // SAFETY: as above; the kernel fills the struct in.
    let r = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_OFD_GETLK, &mut fl) };
    let pid = (r == 0 && fl.l_type != libc::F_UNLCK as i16 && fl.l_pid > 0).then_some(fl.l_pid);
    Ok(Err(LockedBy(pid)))
}

/// Whether `fd`'s file is open through no other open file description
/// (nor mapped from one): a write lease can only be had then. The lease is
/// released at once. `fd` must be open read-only (a write lease is refused
/// to a writable memfd even when alone).
pub fn sole_opener(fd: BorrowedFd<'_>) -> bool {
    // SAFETY: fcntl with integer arguments on a descriptor we borrow.
    let r = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETLEASE, libc::F_WRLCK) };
    if r != 0 {
        return false;
    }
    // SAFETY: as above.
    unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETLEASE, libc::F_UNLCK) };
    true
}

/// The descriptor limit ruml was started with, before `raise_nofile`.
static STARTING_NOFILE: std::sync::Mutex<Option<(u64, u64)>> = std::sync::Mutex::new(None);

fn get_nofile() -> (u64, u64) {
    // SAFETY: a zeroed rlimit is valid; getrlimit fills it.
    let mut r: libc::rlimit = unsafe { std::mem::zeroed() };
    // SAFETY: getrlimit with a pointer to a live local.
    unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) };
    (r.rlim_cur, r.rlim_max)
}

/// Raises ruml's soft limit on open descriptors to the hard limit (its
/// page cache holds a descriptor per cached file) and returns the new soft
/// limit. Guests start with the limit ruml was started with.
pub fn raise_nofile() -> u64 {
    let (cur, max) = get_nofile();
    STARTING_NOFILE
        .lock()
        .expect("nofile")
        .get_or_insert((cur, max));
    let r = libc::rlimit {
        rlim_cur: max,
        rlim_max: max,
    };
    // SAFETY: setrlimit with a pointer to a live local.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &r) } == 0 {
        max
    } else {
        cur
    }
}

/// ruml's soft limit on open descriptors now.
pub fn nofile_limit() -> u64 {
    get_nofile().0
}

/// The descriptor limit guest processes start with: ruml's own before it
/// was raised.
pub fn guest_nofile() -> libc::rlimit {
    let (cur, max) = STARTING_NOFILE
        .lock()
        .expect("nofile")
        .unwrap_or_else(get_nofile);
    libc::rlimit {
        rlim_cur: cur,
        rlim_max: max,
    }
}

/// Sends a signal to a host process.
pub fn kill_pid(pid: i32, sig: i32) -> io::Result<()> {
    // SAFETY: plain syscall.
    cvt(unsafe { libc::kill(pid, sig) }).map(drop)
}

/// A non-blocking signalfd for `sig` (which must be blocked).
pub fn signalfd(sig: i32) -> io::Result<OwnedFd> {
    // SAFETY: sigset manipulation on a local, then signalfd.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        owned(libc::signalfd(
            -1,
            &set,
            libc::SFD_NONBLOCK | libc::SFD_CLOEXEC,
        ))
    }
}

/// Reads and discards everything pending on a signalfd.
pub fn drain_signalfd(fd: BorrowedFd<'_>) {
    let mut buf = [0u8; 128 * 8];
    // SAFETY: `buf` is writable for its length; the descriptor is non-blocking.
    while unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) } > 0 {}
}

/// `openat2(dir, name, O_PATH | flags, resolve)`: an `O_PATH` descriptor of
/// what `name` names when resolved with the given `RESOLVE_*` flags.
pub fn openat2_path(
    dir: BorrowedFd<'_>,
    name: &[u8],
    flags: u64,
    resolve: u64,
) -> io::Result<OwnedFd> {
    let n = cstr(name)?;
    // struct open_how { u64 flags; u64 mode; u64 resolve; }
    let how: [u64; 3] = [flags | (libc::O_PATH | libc::O_CLOEXEC) as u64, 0, resolve];
    // SAFETY: `n` is NUL-terminated and `how` is a valid open_how of the size
    // passed.
    let r = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            dir.as_raw_fd(),
            n.as_ptr(),
            how.as_ptr(),
            std::mem::size_of_val(&how),
        )
    };
    owned(r as libc::c_int)
}

/// The host CPUs the calling thread may run on.
pub fn allowed_cpus() -> io::Result<Vec<usize>> {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; the kernel writes at
    // most size_of::<cpu_set_t>() bytes into it.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: set is a live cpu_set_t of the size passed.
    if unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: CPU_ISSET only reads the set.
    Ok((0..libc::CPU_SETSIZE as usize)
        .filter(|&c| unsafe { libc::CPU_ISSET(c, &set) })
        .collect())
}

/// Restricts the calling thread (and what it starts later) to `cpus`.
pub fn set_cpus(cpus: &[usize]) -> io::Result<()> {
    // SAFETY: as in allowed_cpus.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    for &c in cpus {
        // SAFETY: CPU_SET writes one bit of the set (c < CPU_SETSIZE, from
        // allowed_cpus).
        unsafe { libc::CPU_SET(c, &mut set) };
    }
    // SAFETY: set is a live cpu_set_t of the size passed.
    if unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The CPU the caller runs on now.
pub fn current_cpu() -> Option<usize> {
    // SAFETY: sched_getcpu takes no arguments.
    let c = unsafe { libc::sched_getcpu() };
    (c >= 0).then_some(c as usize)
}

/// A devpts instance of ruml's own, holding only the ptys opened through
/// it (so a guest can never reach a host pty), numbered from 0 as in a
/// fresh VM. A short-lived child makes it: in a throwaway user and mount
/// namespace (where an unprivileged user may mount devpts) it mounts a new
/// instance and opens its root directory into the descriptor table it
/// shares with ruml, then exits; the mount lives on, detached, as long as
/// descriptors hold it. Returns the root directory (`O_RDONLY`).
pub fn private_devpts() -> io::Result<OwnedFd> {
    let (uid, gid) = host_ids();
    // Everything the child needs is prepared here: after the clone it only
    // makes raw syscalls.
    let uid_map = format!("0 {uid} 1");
    let gid_map = format!("0 {gid} 1");
    let files: [(&std::ffi::CStr, &[u8]); 3] = [
        (c"/proc/self/setgroups", b"deny"),
        (c"/proc/self/uid_map", uid_map.as_bytes()),
        (c"/proc/self/gid_map", gid_map.as_bytes()),
    ];
    let targets = [c"/dev/pts", c"/tmp", c"/"];
    let opts = c"newinstance,mode=0600,ptmxmode=0666";
    // The child replaces this placeholder with the devpts root.
    let slot = open_path(b"/dev/null", libc::O_RDONLY)?;
    let slot_fd = slot.as_raw_fd();
    let flags = libc::CLONE_FILES | libc::SIGCHLD;
    // SAFETY: a fork-like clone (no new stack, no shared memory) that
    // shares only the descriptor table. The child makes raw syscalls on
    // data prepared above and exits; it never returns from this block.
    let pid = unsafe { libc::syscall(libc::SYS_clone, flags, 0, 0, 0, 0) };
    if pid == 0 {
        // SAFETY: as above: raw syscalls on NUL-terminated strings and
        // buffers that live in this copy of the address space.
        unsafe {
            unsafe fn fail() -> ! {
                // SAFETY: reading this thread's errno and exiting.
                unsafe { libc::_exit(*libc::__errno_location() & 0x7f) }
            }
            if libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS) != 0 {
                fail();
            }
            // The descriptor table is ruml's: close what is opened here.
            for (path, data) in files {
                let f = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
                if f < 0 {
                    fail();
                }
                let w = libc::write(f, data.as_ptr().cast(), data.len());
                let e = *libc::__errno_location();
                libc::close(f);
                if w < 0 {
                    libc::_exit(e & 0x7f);
                }
            }
            let mut at = None;
            for t in targets {
                if libc::mount(
                    c"devpts".as_ptr(),
                    t.as_ptr(),
                    c"devpts".as_ptr(),
                    libc::MS_NOSUID | libc::MS_NOEXEC,
                    opts.as_ptr().cast(),
                ) == 0
                {
                    at = Some(t);
                    break;
                }
            }
            let Some(t) = at else { fail() };
            let d = libc::open(
                t.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
            );
            if d < 0 {
                fail();
            }
            let r = libc::dup3(d, slot_fd, libc::O_CLOEXEC);
            let e = *libc::__errno_location();
            libc::close(d);
            if r < 0 {
                libc::_exit(e & 0x7f);
            }
            libc::_exit(0);
        }
    }
    reap_helper(cvt(pid as libc::c_int)?)?;
    let st = fstatat(slot.as_fd(), b"", 0)?;
    if st.st_mode & libc::S_IFMT != libc::S_IFDIR {
        return Err(io::Error::from_raw_os_error(libc::ENODEV));
    }
    Ok(slot)
}

/// The slave of pty master `master`, opened with `flags` (TIOCGPTPEER).
pub fn pty_peer(master: BorrowedFd<'_>, flags: i32) -> io::Result<OwnedFd> {
    const TIOCGPTPEER: libc::c_ulong = 0x5441;
    // SAFETY: TIOCGPTPEER takes the open flags as an integer and returns a
    // new descriptor or fails.
    owned(unsafe { libc::ioctl(master.as_raw_fd(), TIOCGPTPEER, flags | libc::O_CLOEXEC) })
}

/// The pty number of a master (TIOCGPTN).
pub fn pty_number(master: BorrowedFd<'_>) -> io::Result<u32> {
    let mut n: libc::c_uint = 0;
    // SAFETY: TIOCGPTN writes one c_uint through the pointer we pass.
    cvt(unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCGPTN, &mut n) })?;
    Ok(n)
}

/// The session a tty belongs to, by the pid of its leader as ruml numbers
/// it (TIOCGSID; on a pty master it answers for the slave).
pub fn tty_session(fd: BorrowedFd<'_>) -> Option<i32> {
    let mut sid: libc::pid_t = 0;
    // SAFETY: TIOCGSID writes one pid_t through the pointer we pass.
    (unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCGSID, &mut sid) } == 0).then_some(sid)
}

/// Waits for a short-lived helper child that exits with 0 or with the
/// errno of what failed (EIO when it died otherwise).
pub(crate) fn reap_helper(pid: libc::pid_t) -> io::Result<()> {
    let mut status = 0;
    // SAFETY: waiting for a child of ours; `status` is writable.
    while unsafe { libc::waitpid(pid, &mut status, libc::__WALL) } < 0 {
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    match (libc::WIFEXITED(status), libc::WEXITSTATUS(status)) {
        (true, 0) => Ok(()),
        (true, code) => Err(io::Error::from_raw_os_error(code)),
        _ => Err(io::Error::from_raw_os_error(libc::EIO)),
    }
}

/// A descriptor's file status flags (F_GETFL).
pub fn status_flags(fd: BorrowedFd<'_>) -> io::Result<i32> {
    // SAFETY: F_GETFL takes no pointer.
    cvt(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) })
}

/// Queues descriptor `fd` on socket `sock` (SCM_RIGHTS with one data
/// byte), without waiting for room.
pub fn send_fd(sock: BorrowedFd<'_>, fd: BorrowedFd<'_>) -> io::Result<()> {
    let byte = [0u8; 1];
    let mut cbuf = [0u64; 3];
    let iov = libc::iovec {
        iov_base: byte.as_ptr() as *mut _,
        iov_len: 1,
    };
    // SAFETY: plain data.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &iov as *const _ as *mut _;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf.as_mut_ptr().cast();
    msg.msg_controllen = 24;
    // SAFETY: `msg` describes a control buffer of 24 bytes that holds one
    // cmsghdr and one int, as CMSG_SPACE(4) requires.
    unsafe {
        let c = libc::CMSG_FIRSTHDR(&msg);
        (*c).cmsg_level = libc::SOL_SOCKET;
        (*c).cmsg_type = libc::SCM_RIGHTS;
        (*c).cmsg_len = libc::CMSG_LEN(4) as usize;
        *(libc::CMSG_DATA(c) as *mut i32) = fd.as_raw_fd();
    }
    // SAFETY: `msg` and everything it points to are live.
    cvt(unsafe { libc::sendmsg(sock.as_raw_fd(), &msg, libc::MSG_DONTWAIT) } as libc::c_int)
        .map(drop)
}

/// Sets or clears `O_NONBLOCK` on a descriptor (the switch's `-tap`
/// device, which it reads until `EAGAIN`).
pub fn set_nonblocking(fd: BorrowedFd<'_>, on: bool) -> io::Result<()> {
    // SAFETY: F_GETFL takes no pointer.
    let flags = cvt(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) })?;
    let flags = if on {
        flags | libc::O_NONBLOCK
    } else {
        flags & !libc::O_NONBLOCK
    };
    // SAFETY: F_SETFL takes an integer.
    cvt(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags) }).map(drop)
}

/// Detaches the process from its terminal as uml_switch's `-daemon` does
/// (`daemon(3)` with `nochdir = 0, noclose = 1`): it forks, the parent
/// exits with status 0 at once (no destructors, no atexit handlers), and
/// the child, which returns, leads a new session with `/` as its working
/// directory; stdin, stdout and stderr are kept. Only for a process that
/// has a single thread (the child gets only the calling thread).
pub fn daemonize() -> io::Result<()> {
    // SAFETY: daemon() forks and the parent calls _exit(); the caller
    // guarantees there is no other thread whose locks or state the child
    // could inherit half-way.
    cvt(unsafe { libc::daemon(0, 1) }).map(drop)
}

/// Waits up to `timeout_ms` for `fd` to accept a write (POLLOUT).
pub fn poll_writable(fd: BorrowedFd<'_>, timeout_ms: i32) -> bool {
    let mut p = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    let r = unsafe { libc::poll(&mut p, 1, timeout_ms) };
    r > 0 && p.revents & libc::POLLOUT != 0
}
