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
        let now = std::time::Instant::now();
        if now.duration_since(c.st.zombie_scan) > std::time::Duration::from_millis(50) {
            let reaped: Vec<_> =
                c.st.tasks
                    .zombies
                    .keys()
                    .copied()
                    .filter(|&z| c.p.host_tid(z).is_none())
                    .collect();
            for z in reaped {
                c.st.tasks.zombies.remove(&z);
                c.p.forget_zombie(z);
            }
            c.st.zombie_scan = std::time::Instant::now();
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
    if c.st.tasks.process(c.tid).creds.euid != 0 {
        return Err(Errno::EPERM);
    }
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

/// prctl(PR_GET_NAME): trapped so that a command name the kernel still owes
/// the host thread (see `Task::comm_pending`) is given to it first; the
/// kernel does that before any trapped call, so the call then runs natively.
pub fn sys_prctl_get_name(_c: &mut Ctx<'_>) -> SysResult<Resume> {
    Ok(Resume::Native)
}
