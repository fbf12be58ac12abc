//! Process creation and the machine's life cycle. fork/clone run natively
//! (the child is auto-attached by the platform); the kernel notes the clone
//! flags to know what the child shares, and bounds the number of tasks.

use super::Ctx;
use crate::errno::{Errno, SysResult};
use crate::kernel::VmExit;
use ruml_platform::{Event, Resume};

const NS_FLAGS: u64 = (libc::CLONE_NEWNS
    | libc::CLONE_NEWUSER
    | libc::CLONE_NEWPID
    | libc::CLONE_NEWNET
    | libc::CLONE_NEWUTS
    | libc::CLONE_NEWIPC
    | libc::CLONE_NEWCGROUP) as u64;

/// Tasks that count against the limit, as Linux counts them: live ones,
/// zombies not yet reaped, and clones allowed but not yet seen to complete.
fn task_count(c: &Ctx<'_>) -> usize {
    let t = &c.st.tasks;
    t.tasks.len()
        + t.zombies.len()
        + t.tasks
            .values()
            .filter(|x| x.pending_clone.is_some())
            .count()
}

fn clone_with(c: &mut Ctx<'_>, flags: u64) -> SysResult<Resume> {
    if flags & NS_FLAGS != 0 {
        // New namespaces inside the guest are not supported; the checks
        // Linux makes first still come first.
        let fs = libc::CLONE_FS as u64;
        if flags & fs != 0 && flags & (libc::CLONE_NEWNS | libc::CLONE_NEWUSER) as u64 != 0 {
            return Err(Errno::EINVAL);
        }
        return Err(Errno::EPERM);
    }
    if task_count(c) >= c.st.max_tasks {
        // Tasks may have died, and zombies been reaped, without the kernel
        // having heard yet.
        for e in c.p.drain_exits() {
            match e {
                Event::NewTask { tid, tgid, parent } => c.st.tasks.add_child(tid, tgid, parent),
                Event::Exited { tid, tgid, .. } => {
                    c.st.exit_hooks.remove(&tid);
                    c.st.tasks.remove(tid, tgid);
                }
                _ => {}
            }
        }
        // Looking for reaped zombies reads the host's /proc for each: at
        // most every 50 ms, or a process hammering fork at the limit would
        // keep the kernel busy.
        if c.st.zombie_scan.elapsed() > std::time::Duration::from_millis(50) {
            c.st.forget_reaped_zombies(c.p);
        }
        if !c.st.tasks.tasks.contains_key(&c.tid) {
            // The caller itself was killed while it waited for us.
            return Err(Errno::EAGAIN);
        }
    }
    if task_count(c) >= c.st.max_tasks {
        c.st.warn_once(
            0x2_0000,
            &format!(
                "task limit ({}) reached: fork/clone fail with EAGAIN",
                c.st.max_tasks
            ),
        );
        return Err(Errno::EAGAIN);
    }
    c.st.tasks.task_mut(c.tid).pending_clone = Some(flags);
    Ok(Resume::Native)
}

pub fn sys_clone(c: &mut Ctx<'_>) -> SysResult<Resume> {
    clone_with(c, c.arg(0))
}

pub fn sys_clone3(c: &mut Ctx<'_>) -> SysResult<Resume> {
    if c.arg(1) < 64 {
        return Err(Errno::EINVAL);
    }
    let flags = c.read_u64(c.arg(0))?;
    clone_with(c, flags)
}

pub fn sys_fork(c: &mut Ctx<'_>) -> SysResult<Resume> {
    clone_with(c, libc::SIGCHLD as u64)
}

pub fn sys_vfork(c: &mut Ctx<'_>) -> SysResult<Resume> {
    clone_with(
        c,
        (libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD) as u64,
    )
}

pub fn sys_reboot(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let (m1, m2, cmd) = (c.arg(0) as u32, c.arg(1) as u32, c.arg(2) as u32);
    if m1 != 0xfee1_dead || ![672274793, 85072278, 369367448, 537993216].contains(&m2) {
        return Err(Errno::EINVAL);
    }
    c.require(crate::task::cap::SYS_BOOT)?;
    match cmd {
        0x4321_fedc | 0xcdef_0123 => {
            c.st.printk("reboot: Power down");
            c.st.shutdown = Some(VmExit::Halt);
        }
        0x0123_4567 | 0xa1b2_c3d4 => {
            c.st.printk("reboot: Restarting system");
            c.st.shutdown = Some(VmExit::Reboot);
        }
        0x89ab_cdef | 0 => {}
        _ => return Err(Errno::EINVAL),
    }
    Ok(Resume::Return(0))
}

/// The prctl options that need the kernel's view:
/// * PR_GET_NAME: a command name the kernel still owes the host thread (see
///   `Task::comm_pending`) is given to it before any trapped call, so the
///   call then runs natively;
/// * PR_CAPBSET_DROP needs CAP_SETPCAP in the guest's credentials (it then
///   drops from the host's bounding set too, which PR_CAPBSET_READ reads);
/// * PR_SET_KEEPCAPS / PR_GET_KEEPCAPS are part of the guest's credentials.
pub fn sys_prctl(c: &mut Ctx<'_>) -> SysResult<Resume> {
    // Capability bounding set, securebits and no_new_privs are the
    // guest's own: the host process has none of the first, locked
    // securebits and no_new_privs set (see the platform's boot).
    let a = c.call.args;
    let creds = &mut c.st.tasks.process_mut(c.tid).creds;
    let last_cap = crate::task::ALL_CAPS.count_ones() as u64;
    match a[0] as i32 {
        libc::PR_CAPBSET_READ if a[1] >= last_cap => Err(Errno::EINVAL),
        libc::PR_CAPBSET_READ => Ok(Resume::Return((creds.cap_bounding >> a[1] & 1) as i64)),
        libc::PR_CAPBSET_DROP if !creds.capable(crate::task::cap::SETPCAP) => Err(Errno::EPERM),
        libc::PR_CAPBSET_DROP if a[1] >= last_cap => Err(Errno::EINVAL),
        libc::PR_CAPBSET_DROP => {
            creds.cap_bounding &= !(1 << a[1]);
            Ok(Resume::Return(0))
        }
        libc::PR_GET_SECUREBITS => Ok(Resume::Return(creds.securebits as i64)),
        libc::PR_SET_SECUREBITS if !creds.capable(crate::task::cap::SETPCAP) => Err(Errno::EPERM),
        libc::PR_SET_SECUREBITS if a[1] > 0xff => Err(Errno::EINVAL),
        libc::PR_SET_SECUREBITS => {
            creds.securebits = a[1] as u32;
            Ok(Resume::Return(0))
        }
        libc::PR_GET_NO_NEW_PRIVS if a[1..5].iter().any(|&v| v != 0) => Err(Errno::EINVAL),
        libc::PR_GET_NO_NEW_PRIVS => Ok(Resume::Return(creds.no_new_privs as i64)),
        libc::PR_SET_NO_NEW_PRIVS if a[1] != 1 || a[2..5].iter().any(|&v| v != 0) => {
            Err(Errno::EINVAL)
        }
        libc::PR_SET_NO_NEW_PRIVS => {
            creds.no_new_privs = true;
            Ok(Resume::Return(0))
        }
        libc::PR_GET_KEEPCAPS => Ok(Resume::Return(creds.keep_caps as i64)),
        libc::PR_SET_KEEPCAPS => match c.call.args[1] {
            v @ (0 | 1) => {
                creds.keep_caps = v == 1;
                Ok(Resume::Return(0))
            }
            _ => Err(Errno::EINVAL),
        },
        libc::PR_SET_SECCOMP => super::seccomp::prctl_set_seccomp(c),
        _ => Ok(Resume::Native),
    }
}

/// setpriority: Linux's permission rules against the guest's credentials
/// (the host sees one user for all guest processes); allowed calls run
/// natively.
pub fn sys_setpriority(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let creds = c.st.tasks.process(c.tid).creds.clone();
    if creds.capable(crate::task::cap::SYS_NICE) {
        return Ok(Resume::Native);
    }
    let (which, who) = (c.arg_i32(0), c.arg_i32(1));
    if which == libc::PRIO_PROCESS as i32 && who != 0 {
        let tgid = c.st.tasks.tasks.get(&who).map(|t| t.tgid);
        if let Some(t) = tgid.and_then(|t| c.st.tasks.procs.get(&t)) {
            if t.creds.euid != creds.euid && t.creds.ruid != creds.euid {
                return Err(Errno::EPERM);
            }
        }
    }
    Ok(Resume::Native)
}

/// sched_setaffinity: threads choose among the VM's CPUs only (Linux's
/// EINVAL when the mask holds none of them; the others are dropped).
pub fn sys_sched_setaffinity(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let vm = &c.st.cfg.cpus;
    if vm.is_empty() {
        return Ok(Resume::Native);
    }
    let len = (c.arg(1) as usize).min(1024 / 8);
    let mut mask = vec![0u8; len];
    c.read(c.arg(2), &mut mask)?;
    let wanted = |cpu: usize| mask.get(cpu / 8).is_some_and(|b| b & (1 << (cpu % 8)) != 0);
    let requested: Vec<usize> = (0..len * 8).filter(|&cpu| wanted(cpu)).collect();
    if requested.iter().all(|cpu| vm.contains(cpu)) {
        return if requested.is_empty() {
            Err(Errno::EINVAL)
        } else {
            Ok(Resume::Native)
        };
    }
    let mut kept = vec![0u8; len];
    for &cpu in requested.iter().filter(|cpu| vm.contains(cpu)) {
        kept[cpu / 8] |= 1 << (cpu % 8);
    }
    if kept.iter().all(|b| *b == 0) {
        return Err(Errno::EINVAL);
    }
    let p = c.scratch_str(&kept, 0)?;
    Ok(Resume::Rewrite {
        nr: libc::SYS_sched_setaffinity as u64,
        args: [c.arg(0), len as u64, p, 0, 0, 0],
    })
}
