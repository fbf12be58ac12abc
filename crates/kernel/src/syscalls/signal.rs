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
