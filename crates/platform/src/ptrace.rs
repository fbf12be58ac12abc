//! The ptrace + seccomp platform.
//!
//! Guest processes are host processes in fresh user, pid, uts, ipc and
//! network namespaces, chrooted into the root directory, with a seccomp filter
//! that lets safe syscalls run natively and stops the thread for ruml
//! (`SECCOMP_RET_TRACE`) on the rest. ruml is their ptrace tracer
//! (`PTRACE_SEIZE` with `PTRACE_O_EXITKILL`, so no guest process outlives it).
//! Because the guest lives in its own pid namespace, pids the guest sees are
//! real pids there: getpid, kill, wait4, process groups and ptys' job control
//! all work natively, and the guest cannot name a host process.
//!
//! Syscall injection works from a seccomp stop: the trapped call is replaced
//! by the injected one and the thread runs to its syscall-exit stop; further
//! injections rewind the instruction pointer to the same `syscall`
//! instruction. Descriptors are installed by injecting the filter's
//! install number, which ruml's seccomp listener answers with the
//! descriptor (`notify.rs`): no guest process holds a descriptor of ruml's.

use crate::notify::{Install, Listener};
use crate::{Event, ExitStatus, FdInfo, Platform, Resume, Syscall, Tid};
use std::collections::{HashMap, VecDeque};
use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

type Regs = libc::user_regs_struct;

const EVENT_STOP: i32 = 128; // PTRACE_EVENT_STOP
const SYSCALL_INFO_EXIT: u8 = 2;
const SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: libc::c_ulong = 1 << 5;

/// What the first guest process is started with.
pub struct BootSpec {
    /// Host directory the guest processes are chrooted into.
    pub chroot_dir: PathBuf,
    /// UTS nodename for the guest (None leaves "(none)"... set by the kernel).
    pub hostname: Vec<u8>,
    /// Host descriptors that become the guest init's fds 0, 1 and 2.
    pub stdio: [RawFd; 3],
    /// Make stdin the controlling terminal of init's new session.
    pub controlling_tty: bool,
    /// Guest path of init, its argv and environment.
    pub init: Vec<u8>,
    pub argv: Vec<Vec<u8>>,
    pub envp: Vec<Vec<u8>>,
    /// Syscall numbers allowed to run natively (the rest trap).
    pub native: Vec<(u32, crate::seccomp::Rule)>,
    /// The Landlock ruleset guest processes enforce (None: no fence).
    pub fence: Option<crate::landlock::Fence>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stop {
    /// Stopped at a seccomp trap; `regs` are as the guest made the call.
    Seccomp,
    /// An injected syscall has completed (syscall-exit stop); the original
    /// call's registers are in `regs`.
    Injected,
    /// Some other stop (signal, event), resumed with PTRACE_CONT.
    Other,
    /// Registered from its parent's fork event; its first stop is pending.
    Fresh,
    Running,
}

struct Thread {
    host: i32,
    host_tgid: i32,
    tgid: Tid,
    stop: Stop,
    regs: Regs,
    /// The next seccomp stop with this exact call is ruml's own re-issue of
    /// a trapped call and runs without a new trap.
    pass: Option<(u64, [u64; 6], u64)>,
    /// Signals that arrived while ruml injected syscalls (their siginfo),
    /// queued again on resume.
    deferred: Vec<[u8; 128]>,
    /// In a job-control stop (held with PTRACE_LISTEN).
    job_stopped: bool,
    /// Runs a call ruml rewrote and waits for its result
    /// ([`Resume::RewriteReport`]).
    await_exit: bool,
    /// Runs a call ruml rewrote: the guest's own registers, put back (all
    /// but the result) when it returns, so the rewrite is invisible.
    restore: Option<Regs>,
}

/// The ptrace platform.
pub struct PtracePlatform {
    threads: HashMap<Tid, Thread>,
    by_host: HashMap<i32, Tid>,
    /// Host tids of auto-attached children seen stopped before their parent's
    /// fork event; they stay stopped until registered.
    unclaimed: Vec<i32>,
    pending: VecDeque<Event>,
    /// ruml's seccomp notification listener (descriptor installs).
    listener: Listener,
    init_host: i32,
    /// Readable when a tracee changed state (SIGCHLD, blocked in ruml).
    sigchld: OwnedFd,
    /// Host pids of exited processes (thread group leaders) whose parent
    /// may not have reaped them yet.
    zombies: HashMap<Tid, i32>,
}

fn cvt(r: libc::c_long) -> io::Result<libc::c_long> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

fn ptrace(req: libc::c_uint, pid: i32, addr: usize, data: usize) -> io::Result<libc::c_long> {
    // SAFETY: every request we issue passes either integers or pointers to
    // live, correctly sized buffers owned by the caller.
    cvt(unsafe { libc::ptrace(req, pid, addr, data) })
}

fn get_regs(pid: i32) -> io::Result<Regs> {
    // SAFETY: plain data.
    let mut r: Regs = unsafe { std::mem::zeroed() };
    ptrace(libc::PTRACE_GETREGS, pid, 0, &mut r as *mut Regs as usize)?;
    Ok(r)
}

fn set_regs(pid: i32, r: &Regs) -> io::Result<()> {
    ptrace(libc::PTRACE_SETREGS, pid, 0, r as *const Regs as usize).map(drop)
}

/// The `op` byte of PTRACE_GET_SYSCALL_INFO.
fn syscall_op(pid: i32) -> io::Result<u8> {
    let mut buf = [0u8; 88];
    ptrace(0x420e, pid, buf.len(), buf.as_mut_ptr() as usize)?;
    Ok(buf[0])
}

fn event_msg(pid: i32) -> io::Result<u64> {
    let mut m: libc::c_ulong = 0;
    ptrace(
        libc::PTRACE_GETEVENTMSG,
        pid,
        0,
        &mut m as *mut libc::c_ulong as usize,
    )?;
    Ok(m)
}

fn waitpid(pid: i32) -> io::Result<(i32, i32)> {
    loop {
        let mut status = 0;
        // SAFETY: `status` is a valid out-pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::__WALL) };
        if r >= 0 {
            return Ok((r, status));
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// `waitpid(-1, WNOHANG)` over all tracees: `None` when none has changed.
fn waitpid_any_nohang() -> io::Result<Option<(i32, i32)>> {
    waitpid_nohang(-1)
}

/// `waitpid(pid, WNOHANG)`: `None` when it has not changed.
fn waitpid_nohang(pid: i32) -> io::Result<Option<(i32, i32)>> {
    loop {
        let mut status = 0;
        // SAFETY: `status` is a valid out-pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::__WALL | libc::WNOHANG) };
        if r > 0 {
            return Ok(Some((r, status)));
        }
        if r == 0 {
            return Ok(None);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

fn exit_status(status: i32) -> ExitStatus {
    if libc::WIFEXITED(status) {
        ExitStatus::Exited(libc::WEXITSTATUS(status))
    } else {
        ExitStatus::Signaled {
            sig: libc::WTERMSIG(status),
            core: libc::WCOREDUMP(status),
        }
    }
}

/// Reads the guest (innermost namespace) tid and tgid of a host thread.
fn ns_ids(host: i32) -> io::Result<(Tid, Tid, i32)> {
    let s = std::fs::read_to_string(format!("/proc/{host}/status"))?;
    let last = |key: &str| -> Option<i32> {
        s.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().last())
            .and_then(|v| v.parse().ok())
    };
    let first = |key: &str| -> Option<i32> {
        s.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
    };
    match (last("NSpid:"), last("NStgid:"), first("Tgid:")) {
        (Some(t), Some(g), Some(hg)) => Ok((t, g, hg)),
        _ => Err(io::Error::other("malformed /proc status")),
    }
}

fn regs_call(r: &Regs) -> Syscall {
    Syscall {
        nr: r.orig_rax,
        args: [r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9],
        ip: r.rip,
        sp: r.rsp,
    }
}

fn set_call(r: &mut Regs, nr: u64, a: [u64; 6]) {
    r.orig_rax = nr;
    r.rax = nr;
    r.rdi = a[0];
    r.rsi = a[1];
    r.rdx = a[2];
    r.r10 = a[3];
    r.r8 = a[4];
    r.r9 = a[5];
}

struct ChildArgs {
    root: CString,
    hostname: Vec<u8>,
    stdio: [RawFd; 3],
    ctty: bool,
    /// Read twice: once ruml has written the id maps, once it has taken
    /// the seccomp listener.
    sync: RawFd,
    /// Where the child writes its listener's descriptor number.
    ready: RawFd,
    /// A Landlock ruleset to enforce, or -1.
    fence: RawFd,
    init: CString,
    argv: Vec<*const libc::c_char>,
    envp: Vec<*const libc::c_char>,
    filter: libc::sock_fprog,
    /// The descriptor limit the guest starts with (ruml's own soft limit
    /// may have been raised; see `host::raise_nofile`).
    nofile: libc::rlimit,
}

/// The first guest process, between clone and its trapped execve of init.
/// Runs in a forked copy of ruml: only raw syscalls, no allocation.
fn child_main(a: &ChildArgs) -> ! {
    // SAFETY: every call below is a plain syscall on integers or on pointers
    // into `a`, which the parent built before the clone and which this copy
    // of its address space still holds. Nothing here allocates or locks.
    unsafe {
        let mut b = 0u8;
        if libc::read(a.sync, (&mut b as *mut u8).cast(), 1) != 1 {
            libc::_exit(126);
        }
        // A clean signal state and umask, as Linux gives init.
        let mut empty: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut empty);
        libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
        for s in 1..32 {
            libc::signal(s, libc::SIG_DFL);
        }
        libc::umask(0o022);
        libc::setrlimit(libc::RLIMIT_NOFILE, &a.nofile);
        if !a.hostname.is_empty() {
            libc::sethostname(a.hostname.as_ptr().cast(), a.hostname.len());
        }
        libc::setsid();
        for (i, &fd) in a.stdio.iter().enumerate() {
            libc::dup2(fd, i as i32);
        }
        if a.ctty {
            libc::ioctl(0, libc::TIOCSCTTY, 0);
        }
        if a.fence >= 0 && libc::syscall(libc::SYS_landlock_restrict_self, a.fence, 0) != 0 {
            libc::_exit(122);
        }
        // Close everything but the two handshake descriptors.
        let (lo, hi) = (a.sync.min(a.ready) as u32, a.sync.max(a.ready) as u32);
        libc::syscall(libc::SYS_close_range, 3, lo.wrapping_sub(1), 0);
        libc::syscall(libc::SYS_close_range, lo + 1, hi - 1, 0);
        libc::syscall(libc::SYS_close_range, hi + 1, u32::MAX, 0);
        if libc::chroot(a.root.as_ptr()) != 0 || libc::chdir(c"/".as_ptr()) != 0 {
            libc::_exit(125);
        }
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        drop_privileges();
        // Once ruml has taken a notification, only SIGKILL interrupts the
        // wait for its answer (WAIT_KILLABLE_RECV, Linux 5.19; without it
        // a signal makes the call restart).
        let install = |flags: libc::c_ulong| {
            libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                libc::SECCOMP_FILTER_FLAG_NEW_LISTENER | flags,
                &a.filter,
            ) as i32
        };
        let mut listener = install(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
        if listener < 0 {
            listener = install(0);
        }
        if listener < 0 {
            libc::_exit(124);
        }
        // Hand ruml the listener's number, wait until it has taken the
        // listener (pidfd_getfd), then drop ours. read, write and close run
        // natively under the filter.
        let n = listener.to_ne_bytes();
        if libc::write(a.ready, n.as_ptr().cast(), 4) != 4
            || libc::read(a.sync, (&mut b as *mut u8).cast(), 1) != 1
        {
            libc::_exit(123);
        }
        libc::close(listener);
        libc::close(a.ready);
        libc::close(a.sync);
        libc::execve(a.init.as_ptr(), a.argv.as_ptr(), a.envp.as_ptr());
        // The exit status tells the kernel why init could not start.
        libc::_exit(*libc::__errno_location() & 0x7f);
    }
}

/// A copy of descriptor `fd` of the host process `host` (EBADF when it
/// has none); `flags` for pidfd_open.
fn pidfd_getfd(host: i32, fd: i32, flags: i32) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_open returns a new descriptor or fails.
    let pidfd = cvt(unsafe { libc::syscall(libc::SYS_pidfd_open, host, flags) })? as RawFd;
    // SAFETY: `pidfd` is ours; wrap it so it is closed.
    let pidfd = unsafe { OwnedFd::from_raw_fd(pidfd) };
    // SAFETY: pidfd_getfd returns a new descriptor or fails.
    let r = unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd.as_raw_fd(), fd, 0) };
    let r = cvt(r).map_err(|_| io::Error::from_raw_os_error(libc::EBADF))? as RawFd;
    // SAFETY: `r` is a fresh descriptor owned by us.
    Ok(unsafe { OwnedFd::from_raw_fd(r) })
}

/// Leaves the first guest process, and so every guest process, without
/// host privilege: no capability in any set (the bounding set included),
/// securebits that keep uid 0 from regaining them at exec (locked), and
/// no_new_privs. What guest root may do that needs a capability, ruml
/// does on its behalf after checking the guest's credentials; the guest
/// sees its own capability sets, securebits and no_new_privs (the kernel
/// keeps them).
///
/// # Safety
/// Raw syscalls only: called in the child between clone and exec.
unsafe fn drop_privileges() {
    const SECBIT_NOROOT: libc::c_ulong = 1 << 0;
    const SECBIT_NOROOT_LOCKED: libc::c_ulong = 1 << 1;
    const SECBIT_NO_SETUID_FIXUP: libc::c_ulong = 1 << 2;
    const SECBIT_NO_SETUID_FIXUP_LOCKED: libc::c_ulong = 1 << 3;
    const SECBIT_KEEP_CAPS_LOCKED: libc::c_ulong = 1 << 5;
    const SECBIT_NO_CAP_AMBIENT_RAISE: libc::c_ulong = 1 << 6;
    const SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED: libc::c_ulong = 1 << 7;
    // SAFETY: prctl and capset on integers and on a local buffer.
    unsafe {
        libc::prctl(
            libc::PR_SET_SECUREBITS,
            SECBIT_NOROOT
                | SECBIT_NOROOT_LOCKED
                | SECBIT_NO_SETUID_FIXUP
                | SECBIT_NO_SETUID_FIXUP_LOCKED
                | SECBIT_KEEP_CAPS_LOCKED
                | SECBIT_NO_CAP_AMBIENT_RAISE
                | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
        );
        for cap in 0..64 {
            libc::prctl(libc::PR_CAPBSET_DROP, cap);
        }
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL,
            0,
            0,
            0,
        );
        // struct __user_cap_header_struct { u32 version; int pid; } and
        // two empty __user_cap_data_struct (version 3).
        let header: [u32; 2] = [0x2008_0522, 0];
        let data = [0u32; 6];
        libc::syscall(libc::SYS_capset, header.as_ptr(), data.as_ptr());
        libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    }
}

fn write_file(path: String, data: &str) -> io::Result<()> {
    std::fs::write(path, data)
}

impl PtracePlatform {
    fn next_event(&mut self, timeout_ms: i32) -> io::Result<Option<Event>> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Ok(Some(e));
            }
            // Take every tracee that is ready before serving any, so a busy
            // group of tracees cannot starve the others (waitpid favours
            // the most recently attached).
            let mut batch = Vec::new();
            loop {
                match waitpid_any_nohang() {
                    Ok(Some(s)) => batch.push(s),
                    Ok(None) => break,
                    // No tracee left: report what was collected first.
                    Err(_) if !batch.is_empty() => break,
                    Err(e) => return Err(e),
                }
            }
            if batch.is_empty() {
                // Nothing has changed: sleep until a tracee does (or a guest
                // made the install number itself: it gets ENOSYS).
                let ready = crate::host::poll_readable(
                    &[self.sigchld.as_fd_borrowed(), self.listener.as_fd()],
                    timeout_ms,
                )?;
                if ready[1] {
                    self.listener.answer_one(None);
                }
                if !ready[0] {
                    if ready[1] {
                        continue;
                    }
                    return Ok(None);
                }
                crate::host::drain_signalfd(self.sigchld.as_fd_borrowed());
                continue;
            }
            for (host, status) in batch {
                match self.handle_status(host, status) {
                    Ok(Some(e)) => self.pending.push_back(e),
                    Ok(None) => {}
                    // The tracee vanished (killed) between wait and ptrace.
                    Err(e) if e.raw_os_error() == Some(libc::ESRCH) => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }

    /// Turns one wait status into an event, or handles it internally.
    fn handle_status(&mut self, host: i32, status: i32) -> io::Result<Option<Event>> {
        if libc::WIFEXITED(status) || libc::WIFSIGNALED(status) {
            self.exited(host, status);
            return Ok(None);
        }
        if !libc::WIFSTOPPED(status) {
            return Ok(None);
        }
        let sig = libc::WSTOPSIG(status);
        let event = status >> 16;
        let Some(&tid) = self.by_host.get(&host) else {
            // A new auto-attached child, stopped until its parent's
            // fork/clone event registers it.
            self.unclaimed.push(host);
            return Ok(None);
        };
        self.thread(tid)?.job_stopped = false;
        match event {
            libc::PTRACE_EVENT_SECCOMP => {
                let regs = get_regs(host)?;
                let call = regs_call(&regs);
                let t = self.thread(tid)?;
                t.regs = regs;
                if t.pass.take() == Some((call.nr, call.args, call.ip)) {
                    t.stop = Stop::Running;
                    self.go(host, 0)?;
                    return Ok(None);
                }
                t.stop = Stop::Seccomp;
                return Ok(Some(Event::Syscall { tid, call }));
            }
            libc::PTRACE_EVENT_FORK | libc::PTRACE_EVENT_VFORK | libc::PTRACE_EVENT_CLONE => {
                let child = event_msg(host)? as i32;
                let reg = self.register(child, host);
                self.go(host, 0)?;
                let (ctid, ctgid) = match reg {
                    Ok(ids) => ids,
                    Err(_) => return Ok(None), // already gone
                };
                if let Some(i) = self.unclaimed.iter().position(|&h| h == child) {
                    self.unclaimed.swap_remove(i);
                    Self::cont(child, 0)?;
                } else if let Some(t) = self.threads.get_mut(&ctid) {
                    // Its initial stop is still to come; resume it then.
                    t.stop = Stop::Fresh;
                }
                return Ok(Some(Event::NewTask {
                    tid: ctid,
                    tgid: ctgid,
                    parent: tid,
                }));
            }
            libc::PTRACE_EVENT_EXEC => {
                let former_host = event_msg(host)? as i32;
                let former = if former_host != host {
                    let f = self.by_host.remove(&former_host);
                    if let Some(f) = f {
                        self.threads.remove(&f);
                    }
                    f.unwrap_or(tid)
                } else {
                    tid
                };
                let t = self.thread(tid)?;
                // The registers are the new program's now; its exec's
                // syscall-exit stop just lets it go.
                t.restore = None;
                t.await_exit = false;
                t.stop = Stop::Other;
                return Ok(Some(Event::Exec { tid, former }));
            }
            EVENT_STOP => {
                let t = self.thread(tid)?;
                if t.stop == Stop::Fresh {
                    // The initial stop of a new child.
                    t.stop = Stop::Running;
                    self.go(host, 0)?;
                } else if matches!(
                    sig,
                    libc::SIGSTOP | libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU
                ) {
                    // Group stop: stay stopped until SIGCONT.
                    t.job_stopped = true;
                    ptrace(libc::PTRACE_LISTEN, host, 0, 0)?;
                } else {
                    self.go(host, 0)?;
                }
            }
            0 if sig == libc::SIGTRAP | 0x80 => {
                let t = self.thread(tid)?;
                let rewritten = t.await_exit || t.restore.is_some();
                let at = t.restore.map(|r| (r.rip, r.rsp));
                if rewritten && syscall_op(host)? == SYSCALL_INFO_EXIT {
                    let regs = get_regs(host)?;
                    let ret = regs.rax as i64;
                    // Only the rewritten call's own return counts (not a
                    // call of a signal handler that interrupted it), and not
                    // an interrupted return that will restart.
                    let ours = at.is_none_or(|a| a == (regs.rip, regs.rsp));
                    if ours && !(-516..=-512).contains(&ret) {
                        let t = self.thread(tid)?;
                        let mut orig = t.restore.take().unwrap_or(regs);
                        orig.rax = regs.rax;
                        if std::mem::take(&mut t.await_exit) {
                            t.regs = orig;
                            t.stop = Stop::Injected;
                            return Ok(Some(Event::SyscallExit { tid, ret }));
                        }
                        set_regs(host, &orig)?;
                    }
                }
                self.go(host, 0)?
            }
            0 => {
                self.thread(tid)?.stop = Stop::Other;
                return Ok(Some(Event::Signal { tid, sig }));
            }
            _ => self.go(host, 0)?,
        }
        Ok(None)
    }

    /// Starts the guest's first process (pid 1 of a new pid namespace) and
    /// returns the platform and init's tid. Init's first act is a trapped
    /// execve of `spec.init`.
    pub fn boot(spec: &BootSpec) -> io::Result<(Self, Tid)> {
        let sigchld = crate::host::signalfd(libc::SIGCHLD)?;
        let (sync_r, sync_w) = crate::host::pipe()?;
        let (ready_r, ready_w) = crate::host::pipe()?;
        let cs = |b: &[u8]| CString::new(b).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL));
        let argv: Vec<CString> = spec.argv.iter().map(|a| cs(a)).collect::<io::Result<_>>()?;
        let envp: Vec<CString> = spec.envp.iter().map(|a| cs(a)).collect::<io::Result<_>>()?;
        let mut filter = crate::seccomp::build_filter(&spec.native);
        let args = ChildArgs {
            nofile: crate::host::guest_nofile(),
            root: cs(spec.chroot_dir.as_os_str().as_bytes())?,
            hostname: spec.hostname.clone(),
            stdio: spec.stdio,
            ctty: spec.controlling_tty,
            sync: sync_r.as_raw_fd(),
            ready: ready_w.as_raw_fd(),
            fence: spec.fence.as_ref().map_or(-1, |f| f.raw_fd()),
            init: cs(&spec.init)?,
            argv: argv
                .iter()
                .map(|a| a.as_ptr())
                .chain([std::ptr::null()])
                .collect(),
            envp: envp
                .iter()
                .map(|a| a.as_ptr())
                .chain([std::ptr::null()])
                .collect(),
            filter: libc::sock_fprog {
                len: filter.len() as u16,
                filter: filter.as_mut_ptr(),
            },
        };
        let flags = libc::CLONE_NEWUSER
            | libc::CLONE_NEWPID
            | libc::CLONE_NEWUTS
            | libc::CLONE_NEWIPC
            | libc::CLONE_NEWNET
            | libc::SIGCHLD;
        // SAFETY: a fork-like clone (no new stack): the child gets a copy of
        // our address space and runs only `child_main`, which never returns.
        let pid = unsafe { libc::syscall(libc::SYS_clone, flags, 0, 0, 0, 0) };
        if pid == 0 {
            child_main(&args);
        }
        let pid = cvt(pid)? as i32;
        drop(sync_r);
        drop(ready_w);
        let opts = libc::PTRACE_O_TRACESYSGOOD
            | libc::PTRACE_O_TRACEFORK
            | libc::PTRACE_O_TRACEVFORK
            | libc::PTRACE_O_TRACECLONE
            | libc::PTRACE_O_TRACEEXEC
            | libc::PTRACE_O_TRACESECCOMP
            | libc::PTRACE_O_EXITKILL;
        let setup = (|| {
            ptrace(libc::PTRACE_SEIZE, pid, 0, opts as usize)?;
            let (uid, gid) = crate::host::host_ids();
            write_file(format!("/proc/{pid}/setgroups"), "deny")?;
            write_file(format!("/proc/{pid}/uid_map"), &format!("0 {uid} 1"))?;
            write_file(format!("/proc/{pid}/gid_map"), &format!("0 {gid} 1"))?;
            crate::host::write_all(sync_w.as_fd_borrowed(), b"g")?;
            // The child's seccomp listener: its number, then the listener.
            let mut n = [0u8; 4];
            if crate::host::read(ready_r.as_fd_borrowed(), &mut n)? != 4 {
                return Err(io::Error::other(
                    "the first guest process could not install its seccomp filter",
                ));
            }
            let listener = pidfd_getfd(pid, i32::from_ne_bytes(n), 0)?;
            crate::host::write_all(sync_w.as_fd_borrowed(), b"l")?;
            Ok(Listener::new(listener))
        })();
        let listener = match setup {
            Ok(l) => l,
            Err(e) => {
                // SAFETY: killing the child we just created.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                let _ = waitpid(pid);
                return Err(e);
            }
        };
        drop(sync_w);
        let mut p = PtracePlatform {
            threads: HashMap::new(),
            by_host: HashMap::new(),
            unclaimed: Vec::new(),
            pending: VecDeque::new(),
            listener,
            init_host: pid,
            sigchld,
            zombies: HashMap::new(),
        };
        p.register(pid, pid)?;
        Ok((p, 1))
    }

    fn register(&mut self, host: i32, _parent_host: i32) -> io::Result<(Tid, Tid)> {
        let (tid, tgid, host_tgid) = ns_ids(host)?;
        self.zombies.remove(&tid);
        self.threads.insert(
            tid,
            Thread {
                host,
                host_tgid,
                tgid,
                stop: Stop::Running,
                // SAFETY: plain data.
                regs: unsafe { std::mem::zeroed() },
                pass: None,
                deferred: Vec::new(),
                job_stopped: false,
                await_exit: false,
                restore: None,
            },
        );
        self.by_host.insert(host, tid);
        Ok((tid, tgid))
    }

    fn thread(&mut self, tid: Tid) -> io::Result<&mut Thread> {
        self.threads
            .get_mut(&tid)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::ESRCH))
    }

    fn cont(host: i32, sig: i32) -> io::Result<()> {
        ptrace(libc::PTRACE_CONT, host, 0, sig as usize).map(drop)
    }

    /// Lets a tracee run: to its next syscall exit if the kernel waits for
    /// the result of a call it let run natively, else freely.
    fn go(&self, host: i32, sig: i32) -> io::Result<()> {
        let awaiting = self
            .by_host
            .get(&host)
            .and_then(|t| self.threads.get(t))
            .is_some_and(|t| t.await_exit || t.restore.is_some());
        let req = if awaiting {
            libc::PTRACE_SYSCALL
        } else {
            libc::PTRACE_CONT
        };
        ptrace(req, host, 0, sig as usize).map(drop)
    }

    fn exited(&mut self, host: i32, status: i32) {
        if let Some(tid) = self.by_host.remove(&host) {
            if let Some(t) = self.threads.remove(&tid) {
                if t.tgid == tid {
                    self.zombies.insert(tid, host);
                }
                self.pending.push_back(Event::Exited {
                    tid,
                    tgid: t.tgid,
                    status: exit_status(status),
                });
            }
        }
    }

    /// Runs the thread (already set up) until its syscall-exit stop. With
    /// `install`, the call is the install number: the listener's
    /// notification from this thread is answered with that descriptor.
    fn run_to_exit(&mut self, tid: Tid, mut install: Option<Install>) -> io::Result<Regs> {
        let host = self.thread(tid)?.host;
        ptrace(libc::PTRACE_SYSCALL, host, 0, 0)?;
        loop {
            let status = match install {
                None => waitpid(host)?.1,
                Some(i) => match waitpid_nohang(host)? {
                    Some((_, status)) => status,
                    None => {
                        // Blocked in the notification, or not there yet.
                        let ready = crate::host::poll_readable(
                            &[self.sigchld.as_fd_borrowed(), self.listener.as_fd()],
                            -1,
                        )?;
                        if ready[0] {
                            crate::host::drain_signalfd(self.sigchld.as_fd_borrowed());
                        }
                        if ready[1] && self.listener.answer_one(Some(i)).is_some() {
                            install = None;
                        }
                        continue;
                    }
                },
            };
            if libc::WIFEXITED(status) || libc::WIFSIGNALED(status) {
                self.exited(host, status);
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            let sig = libc::WSTOPSIG(status);
            if sig == libc::SIGTRAP | 0x80 || status >> 16 == libc::PTRACE_EVENT_SECCOMP {
                if syscall_op(host)? == SYSCALL_INFO_EXIT {
                    let regs = get_regs(host)?;
                    // A signal interrupted the install call before ruml
                    // took its notification: the kernel restarts it once
                    // the (deferred) signal is out of the way.
                    let restart = (-516..=-512).contains(&(regs.rax as i64));
                    if !(install.is_some() && restart) {
                        return Ok(regs);
                    }
                }
                ptrace(libc::PTRACE_SYSCALL, host, 0, 0)?;
            } else if status >> 16 == 0 {
                // A signal arrived on the way; hold it until we resume.
                let mut info = [0u8; 128];
                ptrace(libc::PTRACE_GETSIGINFO, host, 0, info.as_mut_ptr() as usize)?;
                self.thread(tid)?.deferred.push(info);
                ptrace(libc::PTRACE_SYSCALL, host, 0, 0)?;
            } else {
                ptrace(libc::PTRACE_SYSCALL, host, 0, 0)?;
            }
        }
    }

    /// Runs syscall `nr(args)` in the stopped thread in place of its
    /// trapped call (see [`Platform::inject`]).
    fn inject_with(
        &mut self,
        tid: Tid,
        nr: u64,
        args: [u64; 6],
        install: Option<Install>,
    ) -> io::Result<i64> {
        let t = self.thread(tid)?;
        let host = t.host;
        let mut regs = t.regs;
        match t.stop {
            Stop::Seccomp => {}
            Stop::Injected => regs.rip -= 2,
            _ => return Err(io::Error::from_raw_os_error(libc::EINVAL)),
        }
        set_call(&mut regs, nr, args);
        set_regs(host, &regs)?;
        let out = self.run_to_exit(tid, install)?;
        self.thread(tid)?.stop = Stop::Injected;
        Ok(out.rax as i64)
    }

    /// Installs `fd` at the thread's lowest free number through ruml's
    /// seccomp listener.
    fn add_fd(&mut self, tid: Tid, fd: BorrowedFd<'_>, cloexec: bool) -> io::Result<i64> {
        let install = Install {
            host: self.thread(tid)?.host,
            fd: fd.as_raw_fd(),
            cloexec,
        };
        let nr = crate::seccomp::INSTALL_FD_NR as u64;
        self.inject_with(tid, nr, [0; 6], Some(install))
    }

    /// Installs an `O_PATH` descriptor, which the listener cannot add: it
    /// travels through a socket pair made for this one install (so the
    /// socket holds nothing but this descriptor, meant for this process),
    /// whose guest end the listener adds and the thread receives from; the
    /// received descriptor then takes the socket's (lowest free) number.
    fn install_path_fd(&mut self, tid: Tid, fd: BorrowedFd<'_>, cloexec: bool) -> io::Result<i64> {
        let (mine, theirs) = crate::host::socketpair_dgram()?;
        crate::host::send_fd(mine.as_fd_borrowed(), fd)?;
        let n = self.add_fd(tid, theirs.as_fd_borrowed(), true)?;
        if n < 0 {
            return Ok(n);
        }
        // recvmsg(n, msghdr in scratch memory, MSG_CMSG_CLOEXEC)
        let s = self.scratch(tid, 128);
        let mut m = [0u8; 128];
        let put =
            |m: &mut [u8], off: usize, v: u64| m[off..off + 8].copy_from_slice(&v.to_ne_bytes());
        put(&mut m, 16, s + 64); // msg_iov
        put(&mut m, 24, 1); // msg_iovlen
        put(&mut m, 32, s + 96); // msg_control
        put(&mut m, 40, 24); // msg_controllen
        put(&mut m, 64, s + 80); // iov_base
        put(&mut m, 72, 1); // iov_len
        self.write_mem(tid, s, &m)?;
        let flags = (libc::MSG_DONTWAIT | libc::MSG_CMSG_CLOEXEC) as u64;
        let r = self.inject(tid, libc::SYS_recvmsg as u64, [n as u64, s, flags, 0, 0, 0])?;
        let got = if r < 0 {
            r
        } else {
            self.read_mem(tid, s, &mut m)?;
            let clen = u64::from_ne_bytes(m[96..104].try_into().unwrap());
            if clen < 20 {
                -(libc::EMFILE as i64)
            } else {
                i32::from_ne_bytes(m[112..116].try_into().unwrap()) as i64
            }
        };
        let close = |p: &mut Self, fd: i64| {
            p.inject(tid, libc::SYS_close as u64, [fd as u64, 0, 0, 0, 0, 0])
        };
        if got < 0 {
            close(self, n)?;
            return Ok(got);
        }
        let dup_flags = if cloexec { libc::O_CLOEXEC as u64 } else { 0 };
        let r = self.inject(
            tid,
            libc::SYS_dup3 as u64,
            [got as u64, n as u64, dup_flags, 0, 0, 0],
        )?;
        close(self, got)?;
        if r < 0 {
            close(self, n)?;
            return Ok(r);
        }
        Ok(n)
    }

    /// Queues again the signals that arrived during injections, with their
    /// siginfo: the thread sends them to itself (rt_tgsigqueueinfo, which
    /// lets a thread queue any siginfo to itself) before it resumes, with
    /// every signal blocked meanwhile so none is taken again by the next
    /// injection.
    fn reraise_deferred(&mut self, tid: Tid) -> io::Result<()> {
        let t = self.thread(tid)?;
        if t.deferred.is_empty() || !matches!(t.stop, Stop::Seccomp | Stop::Injected) {
            return Ok(());
        }
        let (tgid, infos) = (t.tgid, std::mem::take(&mut t.deferred));
        let at = self.scratch(tid, 128 + 16);
        let (all, old) = (at + 128, at + 136);
        self.write_mem(tid, all, &u64::MAX.to_ne_bytes())?;
        let mask = |p: &mut Self, set: u64, save: u64| {
            let args = [libc::SIG_SETMASK as u64, set, save, 8, 0, 0];
            p.inject(tid, libc::SYS_rt_sigprocmask as u64, args)
        };
        mask(self, all, old)?;
        for info in infos {
            let sig = i32::from_ne_bytes(info[0..4].try_into().unwrap());
            self.write_mem(tid, at, &info)?;
            let args = [tgid as u64, tid as u64, sig as u64, at, 0, 0];
            self.inject(tid, libc::SYS_rt_tgsigqueueinfo as u64, args)?;
        }
        mask(self, old, 0)?;
        Ok(())
    }
}

trait AsFdBorrowed {
    fn as_fd_borrowed(&self) -> BorrowedFd<'_>;
}
impl AsFdBorrowed for OwnedFd {
    fn as_fd_borrowed(&self) -> BorrowedFd<'_> {
        std::os::fd::AsFd::as_fd(self)
    }
}

impl Platform for PtracePlatform {
    fn wait_event(&mut self, timeout_ms: i32) -> io::Result<Option<Event>> {
        self.next_event(timeout_ms)
    }

    fn resume(&mut self, tid: Tid, how: Resume) -> io::Result<()> {
        self.reraise_deferred(tid)?;
        let t = self.thread(tid)?;
        let host = t.host;
        let stop = t.stop;
        t.stop = Stop::Running;
        let mut regs = t.regs;
        let res = match (stop, how) {
            (Stop::Seccomp, Resume::Native) => self.go(host, 0),
            (Stop::Seccomp, Resume::Return(v)) => {
                regs.orig_rax = u64::MAX;
                regs.rax = v as u64;
                set_regs(host, &regs).and_then(|_| self.go(host, 0))
            }
            (
                Stop::Seccomp | Stop::Injected,
                Resume::Rewrite { nr, args } | Resume::RewriteReport { nr, args },
            ) => {
                let t = self.thread(tid)?;
                // Kept from a first rewrite if this is its restart.
                t.restore.get_or_insert(regs);
                t.await_exit = matches!(how, Resume::RewriteReport { .. });
                set_call(&mut regs, nr, args);
                if stop == Stop::Injected {
                    // Re-issue from the syscall instruction; the seccomp
                    // stop it meets lets it pass.
                    self.thread(tid)?.pass = Some((nr, args, regs.rip));
                    regs.rip -= 2;
                }
                set_regs(host, &regs).and_then(|_| self.go(host, 0))
            }
            (Stop::Injected, Resume::Return(v)) => {
                regs.rax = v as u64;
                set_regs(host, &regs).and_then(|_| self.go(host, 0))
            }
            (Stop::Injected, Resume::Native) => {
                let (nr, args) = (
                    regs.orig_rax,
                    [regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9],
                );
                set_call(&mut regs, nr, args);
                self.thread(tid)?.pass = Some((nr, args, regs.rip));
                regs.rip -= 2;
                set_regs(host, &regs).and_then(|_| self.go(host, 0))
            }
            (_, Resume::Signal(sig)) => self.go(host, sig),
            (Stop::Other, Resume::DropSignal) => {
                // A traced thread is woken even by signals it ignores; undo
                // the interruption of a call that failed with EINTR.
                let mut r = get_regs(host)?;
                if r.orig_rax as i64 >= 0 && r.rax as i64 == -(libc::EINTR as i64) {
                    r.rax = r.orig_rax;
                    r.rip -= 2;
                    set_regs(host, &r)?;
                }
                self.go(host, 0)
            }
            (_, _) => self.go(host, 0),
        };
        res
    }

    fn inject(&mut self, tid: Tid, nr: u64, args: [u64; 6]) -> io::Result<i64> {
        self.inject_with(tid, nr, args, None)
    }

    fn install_fd(&mut self, tid: Tid, fd: BorrowedFd<'_>, cloexec: bool) -> io::Result<i64> {
        if crate::host::status_flags(fd)? & libc::O_PATH != 0 {
            return self.install_path_fd(tid, fd, cloexec);
        }
        self.add_fd(tid, fd, cloexec)
    }

    fn read_mem(&self, tid: Tid, addr: u64, buf: &mut [u8]) -> io::Result<()> {
        let host = self
            .threads
            .get(&tid)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::ESRCH))?
            .host;
        let mut done = 0usize;
        while done < buf.len() {
            let local = libc::iovec {
                iov_base: buf[done..].as_mut_ptr().cast(),
                iov_len: buf.len() - done,
            };
            let remote = libc::iovec {
                iov_base: (addr + done as u64) as *mut _,
                iov_len: buf.len() - done,
            };
            // SAFETY: `local` points into `buf`, writable for the given length;
            // the remote side is validated by the kernel.
            let n = unsafe { libc::process_vm_readv(host, &local, 1, &remote, 1, 0) };
            if n <= 0 {
                return Err(io::Error::from_raw_os_error(libc::EFAULT));
            }
            done += n as usize;
        }
        Ok(())
    }

    fn write_mem(&self, tid: Tid, addr: u64, data: &[u8]) -> io::Result<()> {
        let host = self
            .threads
            .get(&tid)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::ESRCH))?
            .host;
        let mut done = 0usize;
        while done < data.len() {
            let local = libc::iovec {
                iov_base: data[done..].as_ptr() as *mut _,
                iov_len: data.len() - done,
            };
            let remote = libc::iovec {
                iov_base: (addr + done as u64) as *mut _,
                iov_len: data.len() - done,
            };
            // SAFETY: `local` points into `data`, readable for the given
            // length; the remote side is validated by the kernel.
            let n = unsafe { libc::process_vm_writev(host, &local, 1, &remote, 1, 0) };
            if n <= 0 {
                // Fall back to /proc/PID/mem, which also writes read-only
                // mappings (as ptrace pokes do).
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(format!("/proc/{host}/mem"));
                return match f {
                    Ok(f) => {
                        use std::os::unix::fs::FileExt;
                        f.write_all_at(&data[done..], addr + done as u64)
                            .map_err(|_| io::Error::from_raw_os_error(libc::EFAULT))
                    }
                    Err(_) => Err(io::Error::from_raw_os_error(libc::EFAULT)),
                };
            }
            done += n as usize;
        }
        Ok(())
    }

    fn fd_info(&self, tid: Tid, fd: i32) -> io::Result<FdInfo> {
        let host = self
            .threads
            .get(&tid)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::ESRCH))?
            .host;
        let p = format!("/proc/{host}/fd/{fd}");
        let st = crate::host::stat_path(p.as_bytes())
            .map_err(|_| io::Error::from_raw_os_error(libc::EBADF))?;
        let link = std::fs::read_link(&p)
            .map(|l| l.as_os_str().as_bytes().to_vec())
            .unwrap_or_default();
        Ok(FdInfo {
            dev: st.st_dev,
            ino: st.st_ino,
            mode: st.st_mode,
            rdev: st.st_rdev,
            size: st.st_size,
            host_path: link,
        })
    }

    fn fd_flags(&self, tid: Tid, fd: i32) -> io::Result<i32> {
        let host = self
            .threads
            .get(&tid)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::ESRCH))?
            .host;
        let text = std::fs::read_to_string(format!("/proc/{host}/fdinfo/{fd}"))
            .map_err(|_| io::Error::from_raw_os_error(libc::EBADF))?;
        text.lines()
            .find_map(|l| l.strip_prefix("flags:"))
            .and_then(|v| i32::from_str_radix(v.trim(), 8).ok())
            .ok_or_else(|| io::Error::from_raw_os_error(libc::EBADF))
    }

    fn take_fd(&self, tid: Tid, fd: i32) -> io::Result<OwnedFd> {
        // By the thread group leader, whose descriptor table the threads
        // share (pidfd_open takes only a leader), else by the thread itself
        // (PIDFD_THREAD, Linux 6.9) when the leader has exited.
        let t = self
            .threads
            .get(&tid)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::ESRCH))?;
        pidfd_getfd(t.host_tgid, fd, 0).or_else(|_| pidfd_getfd(t.host, fd, libc::O_EXCL))
    }

    fn host_tid(&self, tid: Tid) -> Option<i32> {
        if let Some(t) = self.threads.get(&tid) {
            return Some(t.host);
        }
        // An exited process stays visible while the host keeps its zombie
        // under the same guest pid (checked cheaply first: a reaped pid's
        // /proc entry is gone or no longer a zombie).
        let host = *self.zombies.get(&tid)?;
        let stat = std::fs::read_to_string(format!("/proc/{host}/stat")).ok()?;
        let state = stat.rfind(')').and_then(|i| stat[i + 2..].chars().next());
        if state != Some('Z') {
            return None;
        }
        let (gtid, _, _) = ns_ids(host).ok()?;
        (gtid == tid).then_some(host)
    }

    fn signal_sender(&self, tid: Tid) -> Option<(i32, Tid)> {
        let host = self.threads.get(&tid)?.host;
        let mut si = [0u8; 128];
        ptrace(libc::PTRACE_GETSIGINFO, host, 0, si.as_mut_ptr() as usize).ok()?;
        let code = i32::from_ne_bytes(si[8..12].try_into().unwrap());
        let pid = i32::from_ne_bytes(si[16..20].try_into().unwrap());
        Some((code, pid))
    }

    fn set_signal_uid(&mut self, tid: Tid, uid: u32) -> io::Result<()> {
        let host = self.thread(tid)?.host;
        let mut si = [0u8; 128];
        ptrace(libc::PTRACE_GETSIGINFO, host, 0, si.as_mut_ptr() as usize)?;
        si[20..24].copy_from_slice(&uid.to_ne_bytes());
        ptrace(libc::PTRACE_SETSIGINFO, host, 0, si.as_ptr() as usize).map(drop)
    }

    fn stack_pointer(&self, tid: Tid) -> Option<u64> {
        get_regs(self.threads.get(&tid)?.host).ok().map(|r| r.rsp)
    }

    fn job_stopped(&self, tid: Tid) -> bool {
        self.threads.get(&tid).is_some_and(|t| t.job_stopped)
    }

    fn guest_tid(&self, host: i32) -> Option<Tid> {
        self.by_host.get(&host).copied()
    }

    fn scratch(&self, tid: Tid, len: usize) -> u64 {
        let sp = self.threads.get(&tid).map(|t| t.regs.rsp).unwrap_or(0);
        (sp - 256 - len as u64) & !63
    }

    fn kill(&self, tid: Tid, sig: i32) -> io::Result<()> {
        let t = self
            .threads
            .get(&tid)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::ESRCH))?;
        // SAFETY: signalling a guest process.
        cvt(unsafe { libc::kill(t.host_tgid, sig) } as libc::c_long).map(drop)
    }

    fn add_trap(&mut self, tid: Tid, nr: u32, arg: u32, value: u32) -> io::Result<()> {
        let prog = crate::seccomp::build_trap_filter(nr, arg, value);
        let mut code = Vec::with_capacity(prog.len() * 8);
        for i in &prog {
            code.extend_from_slice(&i.code.to_ne_bytes());
            code.push(i.jt);
            code.push(i.jf);
            code.extend_from_slice(&i.k.to_ne_bytes());
        }
        let s = self.scratch(tid, 16 + code.len());
        // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
        let mut fprog = [0u8; 16];
        fprog[0..2].copy_from_slice(&(prog.len() as u16).to_ne_bytes());
        fprog[8..16].copy_from_slice(&(s + 16).to_ne_bytes());
        self.write_mem(tid, s, &fprog)?;
        self.write_mem(tid, s + 16, &code)?;
        let r = self.inject(
            tid,
            libc::SYS_seccomp as u64,
            [
                libc::SECCOMP_SET_MODE_FILTER as u64,
                libc::SECCOMP_FILTER_FLAG_TSYNC,
                s,
                0,
                0,
                0,
            ],
        )?;
        if r != 0 {
            return Err(io::Error::from_raw_os_error(if r < 0 {
                -r as i32
            } else {
                libc::EAGAIN
            }));
        }
        Ok(())
    }

    fn forget_zombie(&mut self, tid: Tid) {
        self.zombies.remove(&tid);
    }

    fn drain_exits(&mut self) -> Vec<Event> {
        while let Ok(Some((host, status))) = waitpid_any_nohang() {
            if let Ok(Some(e)) = self.handle_status(host, status) {
                self.pending.push_back(e);
            }
        }
        let mut out = Vec::new();
        let mut keep = VecDeque::new();
        for e in self.pending.drain(..) {
            match e {
                Event::NewTask { .. } => out.push(e),
                Event::Exited { tid, .. } if tid != 1 => out.push(e),
                e => keep.push_back(e),
            }
        }
        // Nothing else is left to report about threads that exited.
        let gone: Vec<Tid> = out
            .iter()
            .filter_map(|e| match e {
                Event::Exited { tid, .. } => Some(*tid),
                _ => None,
            })
            .collect();
        keep.retain(|e| match e {
            Event::Syscall { tid, .. }
            | Event::SyscallExit { tid, .. }
            | Event::Signal { tid, .. }
            | Event::Exec { tid, .. } => !gone.contains(tid),
            _ => true,
        });
        self.pending = keep;
        out
    }

    fn kill_all(&mut self) {
        // Killing pid 1 of the namespace takes every guest process with it.
        // SAFETY: signalling our own child.
        unsafe { libc::kill(self.init_host, libc::SIGKILL) };
        while let Ok((h, status)) = waitpid(-1) {
            if libc::WIFEXITED(status) || libc::WIFSIGNALED(status) {
                self.by_host.remove(&h);
            }
        }
        self.threads.clear();
    }
}
