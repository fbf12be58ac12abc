//! Signals sent between guest processes. Delivery is the host's (guest
//! processes are host processes in the guest's pid namespace); what the
//! host cannot check is permission, because every guest process is the
//! same host user. The kill family is trapped: calls from a guest root run
//! natively, others are checked against the guest credentials as Linux
//! does (the sender's real or effective uid must match the target's real
//! or saved uid) and refused with EPERM.

use super::Ctx;
use crate::errno::{Errno, SysResult};
use crate::task::Creds;
use crate::vfs::registry::{self, Object};
use ruml_platform::{Resume, Tid};

fn may_signal(sender: &Creds, target: &Creds) -> bool {
    sender.capable(crate::task::cap::KILL)
        || sender.euid == target.suid
        || sender.euid == target.ruid
        || sender.ruid == target.suid
        || sender.ruid == target.ruid
}

/// A guest process's id of kind `key` ("NSpgid:", "NSsid:"), from its host
/// status.
fn ns_id(c: &Ctx<'_>, tgid: Tid, key: &str) -> Option<i32> {
    let host = c.p.host_tid(tgid)?;
    let status = std::fs::read_to_string(format!("/proc/{host}/status")).ok()?;
    crate::fs::procfs::ns_last(&status, key)
}

fn pgid_of(c: &Ctx<'_>, tgid: Tid) -> Option<i32> {
    ns_id(c, tgid, "NSpgid:")
}

fn sid_of(c: &Ctx<'_>, tgid: Tid) -> Option<i32> {
    ns_id(c, tgid, "NSsid:")
}

/// Checks a signal to one thread group; `Ok` lets the call run natively.
/// SIGCONT may always be sent within a session.
fn check_one(c: &Ctx<'_>, sender: &Creds, tgid: Tid, sig: i32) -> SysResult<()> {
    let me = c.st.tasks.task(c.tid).tgid;
    if sig == libc::SIGCONT && sid_of(c, me).is_some() && sid_of(c, me) == sid_of(c, tgid) {
        return Ok(());
    }
    match c.st.tasks.procs.get(&tgid) {
        Some(p) if !may_signal(sender, &p.creds) => Err(Errno::EPERM),
        // Unknown pids (and zombies) are the host's to answer (ESRCH).
        _ => Ok(()),
    }
}

pub fn sys_kill(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let sender = c.st.tasks.process(c.tid).creds.clone();
    if sender.capable(crate::task::cap::KILL) {
        return Ok(Resume::Native);
    }
    let pid = c.arg_i32(0);
    if pid > 0 {
        let tgid = c.st.tasks.tasks.get(&pid).map_or(pid, |t| t.tgid);
        check_one(c, &sender, tgid, c.arg_i32(1))?;
        return Ok(Resume::Native);
    }
    // A group or everyone: signal each permitted member from the sender,
    // as Linux does; EPERM only if none was permitted.
    let me = c.st.tasks.task(c.tid).tgid;
    let group = match pid {
        0 => pgid_of(c, me),
        -1 => None,
        p => Some(-p),
    };
    let mut targets: Vec<Tid> =
        c.st.tasks
            .procs
            .keys()
            .copied()
            .filter(|&t| match (pid, group) {
                (-1, _) => t != 1 && t != me,
                (_, Some(g)) => pgid_of(c, t) == Some(g),
                _ => false,
            })
            .collect();
    targets.sort_unstable();
    if targets.is_empty() {
        return Err(Errno::ESRCH);
    }
    let sig = c.arg(1);
    let mut sent = false;
    let mut last = -(libc::EPERM as i64);
    for t in targets {
        if check_one(c, &sender, t, sig as i32).is_ok() {
            let r =
                c.p.inject(c.tid, libc::SYS_kill as u64, [t as u64, sig, 0, 0, 0, 0])?;
            sent |= r == 0;
            last = r;
        }
    }
    // Linux's kill(-1) succeeds unless an attempt failed other than with
    // EPERM; a group kill succeeds if any member was signalled.
    if sent || (pid == -1 && (last == 0 || last == -(libc::EPERM as i64))) {
        Ok(Resume::Return(0))
    } else {
        Ok(Resume::Return(last))
    }
}

/// tkill(tid, sig), tgkill(tgid, tid, sig), rt_sigqueueinfo(tgid, sig,
/// ...), rt_tgsigqueueinfo(tgid, tid, sig, ...): one target, named by
/// argument `arg`, the signal in argument `sig_arg`.
fn thread_target(c: &mut Ctx<'_>, arg: usize, sig_arg: usize) -> SysResult<Resume> {
    let sender = c.st.tasks.process(c.tid).creds.clone();
    if sender.capable(crate::task::cap::KILL) {
        return Ok(Resume::Native);
    }
    let id = c.arg_i32(arg);
    let tgid = c.st.tasks.tasks.get(&id).map_or(id, |t| t.tgid);
    check_one(c, &sender, tgid, c.arg_i32(sig_arg))?;
    Ok(Resume::Native)
}

pub fn sys_tkill(c: &mut Ctx<'_>) -> SysResult<Resume> {
    thread_target(c, 0, 1)
}

pub fn sys_tgkill(c: &mut Ctx<'_>) -> SysResult<Resume> {
    thread_target(c, 1, 2)
}

pub fn sys_rt_sigqueueinfo(c: &mut Ctx<'_>) -> SysResult<Resume> {
    thread_target(c, 0, 1)
}

pub fn sys_rt_tgsigqueueinfo(c: &mut Ctx<'_>) -> SysResult<Resume> {
    thread_target(c, 1, 2)
}

/// The process a descriptor passed to pidfd_send_signal names.
enum PidfdTarget {
    /// A host pidfd (pidfd_open, clone's CLONE_PIDFD): the host knows it.
    Host(Tid),
    /// A /proc/PID directory of ruml's procfs, which the host does not
    /// take for a pidfd: the process and the thread PID names.
    ProcDir(Tid, Tid),
}

fn pidfd_target(c: &Ctx<'_>, fd: i32) -> SysResult<PidfdTarget> {
    if fd < 0 {
        return Err(Errno::EBADF);
    }
    let info = c.p.fd_info(c.tid, fd).map_err(|_| Errno::EBADF)?;
    let flags = c.p.fd_flags(c.tid, fd).map_err(|_| Errno::EBADF)?;
    if flags & libc::O_PATH != 0 {
        return Err(Errno::EBADF);
    }
    if let Some(Object::At(loc)) = registry::lookup_standin((info.dev, info.ino), &info.host_path) {
        return crate::fs::procfs::pid_of_dir(&loc)
            .map(|(tgid, tid)| PidfdTarget::ProcDir(tgid, tid))
            .ok_or(Errno::EBADF);
    }
    let host = c.p.host_tid(c.tid).ok_or(Errno::ESRCH)?;
    let fdinfo =
        std::fs::read_to_string(format!("/proc/{host}/fdinfo/{fd}")).map_err(|_| Errno::EBADF)?;
    if !fdinfo.lines().any(|l| l.starts_with("Pid:")) {
        return Err(Errno::EBADF);
    }
    // NSpid's last value is the pid in the guest's namespace; an exited
    // process has none (the host answers ESRCH).
    Ok(PidfdTarget::Host(
        crate::fs::procfs::ns_last(&fdinfo, "NSpid:").unwrap_or(0),
    ))
}

const PIDFD_SIGNAL_THREAD: u64 = 1;
const PIDFD_SIGNAL_THREAD_GROUP: u64 = 2;
const PIDFD_SIGNAL_PROCESS_GROUP: u64 = 4;

/// pidfd_send_signal(pidfd, sig, info, flags): checked like kill against
/// the process the descriptor names. A host pidfd runs natively; a /proc/PID
/// directory (Linux accepts those as pidfds, the host cannot know ruml's)
/// becomes kill(2) or rt_sigqueueinfo(2) with the caller's siginfo (tgkill
/// or rt_tgsigqueueinfo for PIDFD_SIGNAL_THREAD, kill of the process
/// group for PIDFD_SIGNAL_PROCESS_GROUP, which loses a siginfo's code).
pub fn sys_pidfd_send_signal(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let (fd, sig, info, flags) = (c.arg_i32(0), c.arg_i32(1), c.arg(2), c.arg(3) as u32 as u64);
    let all = PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP | PIDFD_SIGNAL_PROCESS_GROUP;
    if flags & !all != 0 || flags.count_ones() > 1 {
        return Err(Errno::EINVAL);
    }
    // PIDFD_SELF_THREAD and PIDFD_SELF_THREAD_GROUP: the caller itself.
    if fd == -10000 || fd == -20000 {
        return Ok(Resume::Native);
    }
    let target = pidfd_target(c, fd)?;
    let sender = c.st.tasks.process(c.tid).creds.clone();
    let (tgid, tid) = match target {
        PidfdTarget::Host(t) => {
            if !sender.capable(crate::task::cap::KILL) && t > 0 {
                check_one(c, &sender, t, sig)?;
            }
            return Ok(Resume::Native);
        }
        PidfdTarget::ProcDir(tgid, tid) => (tgid, tid),
    };
    if info != 0 {
        let mut signo = [0u8; 4];
        c.read(info, &mut signo)?;
        if i32::from_ne_bytes(signo) != sig {
            return Err(Errno::EINVAL);
        }
    }
    if c.st.tasks.any_process(tgid).is_none() {
        return Err(Errno::ESRCH);
    }
    if !(0..=64).contains(&sig) {
        return Err(Errno::EINVAL);
    }
    if !sender.capable(crate::task::cap::KILL) {
        check_one(c, &sender, tgid, sig)?;
    }
    let (sig, tgid, tid) = (sig as u64, tgid as u64, tid as u64);
    let (nr, args) = match (flags, info) {
        (PIDFD_SIGNAL_THREAD, 0) => (libc::SYS_tgkill, [tgid, tid, sig, 0, 0, 0]),
        (PIDFD_SIGNAL_THREAD, _) => (libc::SYS_rt_tgsigqueueinfo, [tgid, tid, sig, info, 0, 0]),
        (PIDFD_SIGNAL_PROCESS_GROUP, _) => {
            let pgid = pgid_of(c, tgid as Tid).ok_or(Errno::ESRCH)?;
            (libc::SYS_kill, [(-pgid) as u64, sig, 0, 0, 0, 0])
        }
        (_, 0) => (libc::SYS_kill, [tgid, sig, 0, 0, 0, 0]),
        (_, _) => (libc::SYS_rt_sigqueueinfo, [tgid, sig, info, 0, 0, 0]),
    };
    Ok(Resume::Rewrite {
        nr: nr as u64,
        args,
    })
}
