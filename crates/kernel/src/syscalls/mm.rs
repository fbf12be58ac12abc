//! Memory system calls. Mappings run natively in the guest process (the
//! filter refuses a private writable mmap larger than the VM, see
//! `crate::mm`); brk is trapped so that heap growth larger than the VM's
//! memory fails as Linux's heuristic overcommit makes it fail.

use super::Ctx;
use crate::errno::SysResult;
use ruml_platform::Resume;

pub fn sys_brk(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let want = c.arg(0);
    let cur = c.p.inject(c.tid, libc::SYS_brk as u64, [0; 6])? as u64;
    if want > cur && want - cur > c.st.cfg.mem {
        // brk reports failure by returning the unchanged break.
        return Ok(Resume::Return(cur as i64));
    }
    Ok(Resume::Native)
}
