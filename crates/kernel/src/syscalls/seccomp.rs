//! seccomp(2) and prctl(PR_SET_SECCOMP): a guest program's own filter,
//! stacked on ruml's.
//!
//! The host stacks it as Linux would, with two differences that keep ruml
//! in charge: ruml installs a copy of the program it read once, prefixed
//! so that ruml's descriptor installs always pass
//! (`seccomp::wrap_guest_filter`); and a filter with a notification
//! listener is refused with EBUSY, as the host refuses a second listener
//! in a chain (ruml's filter has the first), so no guest filter can answer
//! calls in ruml's place. Strict mode fails with EINVAL, as it does on a
//! host for a process that already runs under a filter.

use super::Ctx;
use crate::errno::{Errno, SysResult};
use ruml_platform::seccomp::{wrap_guest_filter, MAX_INSNS};
use ruml_platform::Resume;

const SECCOMP_SET_MODE_STRICT: u64 = 0;
const SECCOMP_SET_MODE_FILTER: u64 = 1;

/// The seccomp operations the filter traps (the others run natively).
pub const TRAPPED_OPS: &[u32] = &[
    SECCOMP_SET_MODE_STRICT as u32,
    SECCOMP_SET_MODE_FILTER as u32,
];

pub fn sys_seccomp(c: &mut Ctx<'_>) -> SysResult<Resume> {
    match c.arg(0) {
        SECCOMP_SET_MODE_FILTER => install(c, c.arg(1), c.arg(2)),
        SECCOMP_SET_MODE_STRICT => Err(Errno::EINVAL),
        _ => Ok(Resume::Native),
    }
}

/// prctl(PR_SET_SECCOMP, mode, prog).
pub fn prctl_set_seccomp(c: &mut Ctx<'_>) -> SysResult<Resume> {
    match c.arg(1) {
        2 => install(c, 0, c.arg(2)),
        _ => Err(Errno::EINVAL),
    }
}

fn install(c: &mut Ctx<'_>, flags: u64, fprog: u64) -> SysResult<Resume> {
    // Linux's rule for an unprivileged filter (the host process always
    // has no_new_privs, so it would not ask).
    let creds = &c.st.tasks.process(c.tid).creds;
    if !creds.no_new_privs && !creds.capable(crate::task::cap::SYS_ADMIN) {
        return Err(Errno::EACCES);
    }
    if flags & libc::SECCOMP_FILTER_FLAG_NEW_LISTENER != 0 {
        return Err(Errno::EBUSY);
    }
    // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
    let mut hdr = [0u8; 16];
    c.read(fprog, &mut hdr)?;
    let len = u16::from_ne_bytes([hdr[0], hdr[1]]) as usize;
    if len == 0 || len > MAX_INSNS {
        return Err(Errno::EINVAL);
    }
    let mut prog = vec![0u8; len * 8];
    c.read(
        u64::from_ne_bytes(hdr[8..16].try_into().unwrap()),
        &mut prog,
    )?;
    let prog = wrap_guest_filter(&prog).ok_or(Errno::EINVAL)?;
    let at = c.p.scratch(c.tid, 16 + prog.len());
    let mut hdr = [0u8; 16];
    hdr[0..2].copy_from_slice(&((prog.len() / 8) as u16).to_ne_bytes());
    hdr[8..16].copy_from_slice(&(at + 16).to_ne_bytes());
    c.write(at, &hdr)?;
    c.write(at + 16, &prog)?;
    let r = c.p.inject(
        c.tid,
        libc::SYS_seccomp as u64,
        [SECCOMP_SET_MODE_FILTER, flags, at, 0, 0, 0],
    )?;
    Ok(Resume::Return(r))
}
