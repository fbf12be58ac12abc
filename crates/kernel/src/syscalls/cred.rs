//! Credentials and capabilities. The host sees every guest process as one
//! user (root of the guest's user namespace); the guest's uids, gids and
//! capability sets live here and follow Linux's rules (kernel/sys.c and
//! security/commoncap.c): who may change which id, and how capabilities
//! follow uid changes and exec.

use super::Ctx;
use crate::errno::{Errno, SysResult};
use crate::task::{cap, Creds, ALL_CAPS, FS_CAPS};
use ruml_platform::Resume;

fn creds<'a>(c: &'a Ctx<'_>) -> &'a Creds {
    &c.st.tasks.process(c.tid).creds
}

fn creds_mut<'a>(c: &'a mut Ctx<'_>) -> &'a mut Creds {
    &mut c.st.tasks.process_mut(c.tid).creds
}

fn ret(v: u32) -> SysResult<Resume> {
    Ok(Resume::Return(v as i64))
}

pub fn sys_getuid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    ret(creds(c).ruid)
}
pub fn sys_geteuid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    ret(creds(c).euid)
}
pub fn sys_getgid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    ret(creds(c).rgid)
}
pub fn sys_getegid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    ret(creds(c).egid)
}

/// An id argument: -1 means "leave unchanged".
fn arg_id(v: u64) -> Option<u32> {
    (v as u32 != u32::MAX).then_some(v as u32)
}

/// Capabilities after a uid change (cap_emulate_setxuid).
fn fix_caps_after_setuid(old: &Creds, new: &mut Creds) {
    let had_root = old.ruid == 0 || old.euid == 0 || old.suid == 0;
    let has_root = new.ruid == 0 || new.euid == 0 || new.suid == 0;
    if had_root && !has_root && !new.keep_caps {
        new.cap_permitted = 0;
        new.cap_effective = 0;
    }
    if old.euid == 0 && new.euid != 0 {
        new.cap_effective = 0;
    }
    if old.euid != 0 && new.euid == 0 {
        new.cap_effective = new.cap_permitted;
    }
    fix_caps_after_setfsuid(old.fsuid, new);
}

/// Capabilities after an fsuid change (only the filesystem ones).
fn fix_caps_after_setfsuid(old_fsuid: u32, new: &mut Creds) {
    if old_fsuid == 0 && new.fsuid != 0 {
        new.cap_effective &= !FS_CAPS;
    }
    if old_fsuid != 0 && new.fsuid == 0 {
        new.cap_effective |= new.cap_permitted & FS_CAPS;
    }
}

fn commit_uids(c: &mut Ctx<'_>, new: Creds) -> SysResult<Resume> {
    let old = creds(c).clone();
    let mut new = new;
    fix_caps_after_setuid(&old, &mut new);
    *creds_mut(c) = new;
    ret(0)
}

pub fn sys_setuid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let u = arg_id(c.arg(0)).ok_or(Errno::EINVAL)?;
    let mut n = creds(c).clone();
    if n.capable(cap::SETUID) {
        (n.ruid, n.suid) = (u, u);
    } else if u != n.ruid && u != n.suid {
        return Err(Errno::EPERM);
    }
    (n.euid, n.fsuid) = (u, u);
    commit_uids(c, n)
}

pub fn sys_setgid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let g = arg_id(c.arg(0)).ok_or(Errno::EINVAL)?;
    let n = creds_mut(c);
    if n.capable(cap::SETGID) {
        (n.rgid, n.sgid) = (g, g);
    } else if g != n.rgid && g != n.sgid {
        return Err(Errno::EPERM);
    }
    (n.egid, n.fsgid) = (g, g);
    ret(0)
}

pub fn sys_setreuid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let (r, e) = (arg_id(c.arg(0)), arg_id(c.arg(1)));
    let old = creds(c).clone();
    let privileged = old.capable(cap::SETUID);
    let mut n = old.clone();
    if let Some(r) = r {
        if !privileged && r != old.ruid && r != old.euid {
            return Err(Errno::EPERM);
        }
        n.ruid = r;
    }
    if let Some(e) = e {
        if !privileged && e != old.ruid && e != old.euid && e != old.suid {
            return Err(Errno::EPERM);
        }
        n.euid = e;
    }
    if r.is_some() || e.is_some_and(|e| e != old.ruid) {
        n.suid = n.euid;
    }
    n.fsuid = n.euid;
    commit_uids(c, n)
}

pub fn sys_setregid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let (r, e) = (arg_id(c.arg(0)), arg_id(c.arg(1)));
    let old = creds(c).clone();
    let privileged = old.capable(cap::SETGID);
    let mut n = old.clone();
    if let Some(r) = r {
        if !privileged && r != old.rgid && r != old.egid {
            return Err(Errno::EPERM);
        }
        n.rgid = r;
    }
    if let Some(e) = e {
        if !privileged && e != old.rgid && e != old.egid && e != old.sgid {
            return Err(Errno::EPERM);
        }
        n.egid = e;
    }
    if r.is_some() || e.is_some_and(|e| e != old.rgid) {
        n.sgid = n.egid;
    }
    n.fsgid = n.egid;
    *creds_mut(c) = n;
    ret(0)
}

pub fn sys_setresuid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let ids = [arg_id(c.arg(0)), arg_id(c.arg(1)), arg_id(c.arg(2))];
    let old = creds(c).clone();
    let allowed = [old.ruid, old.euid, old.suid];
    if !old.capable(cap::SETUID) && ids.iter().flatten().any(|v| !allowed.contains(v)) {
        return Err(Errno::EPERM);
    }
    let mut n = old;
    if let Some(v) = ids[0] {
        n.ruid = v;
    }
    if let Some(v) = ids[1] {
        n.euid = v;
    }
    if let Some(v) = ids[2] {
        n.suid = v;
    }
    n.fsuid = n.euid;
    commit_uids(c, n)
}

pub fn sys_setresgid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let ids = [arg_id(c.arg(0)), arg_id(c.arg(1)), arg_id(c.arg(2))];
    let old = creds(c).clone();
    let allowed = [old.rgid, old.egid, old.sgid];
    if !old.capable(cap::SETGID) && ids.iter().flatten().any(|v| !allowed.contains(v)) {
        return Err(Errno::EPERM);
    }
    let n = creds_mut(c);
    if let Some(v) = ids[0] {
        n.rgid = v;
    }
    if let Some(v) = ids[1] {
        n.egid = v;
    }
    if let Some(v) = ids[2] {
        n.sgid = v;
    }
    n.fsgid = n.egid;
    ret(0)
}

fn put3(c: &Ctx<'_>, v: [u32; 3]) -> SysResult<Resume> {
    for (i, x) in v.iter().enumerate() {
        c.write(c.arg(i), &x.to_ne_bytes())?;
    }
    ret(0)
}

pub fn sys_getresuid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let cr = creds(c);
    put3(c, [cr.ruid, cr.euid, cr.suid])
}

pub fn sys_getresgid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let cr = creds(c);
    put3(c, [cr.rgid, cr.egid, cr.sgid])
}

/// setfsuid always returns the old value; an id it may not take (or -1)
/// changes nothing.
pub fn sys_setfsuid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let cr = creds(c).clone();
    if let Some(v) = arg_id(c.arg(0)) {
        if cr.capable(cap::SETUID) || [cr.ruid, cr.euid, cr.suid, cr.fsuid].contains(&v) {
            let n = creds_mut(c);
            n.fsuid = v;
            fix_caps_after_setfsuid(cr.fsuid, n);
        }
    }
    ret(cr.fsuid)
}

pub fn sys_setfsgid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let cr = creds(c).clone();
    if let Some(v) = arg_id(c.arg(0)) {
        if cr.capable(cap::SETGID) || [cr.rgid, cr.egid, cr.sgid, cr.fsgid].contains(&v) {
            creds_mut(c).fsgid = v;
        }
    }
    ret(cr.fsgid)
}

pub fn sys_getgroups(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let g = creds(c).groups.clone();
    let size = c.arg_i32(0);
    if size < 0 {
        return Err(Errno::EINVAL);
    }
    if size == 0 {
        return ret(g.len() as u32);
    }
    if (size as usize) < g.len() {
        return Err(Errno::EINVAL);
    }
    let bytes: Vec<u8> = g.iter().flat_map(|x| x.to_ne_bytes()).collect();
    c.write(c.arg(1), &bytes)?;
    ret(g.len() as u32)
}

pub fn sys_setgroups(c: &mut Ctx<'_>) -> SysResult<Resume> {
    if !creds(c).capable(cap::SETGID) {
        return Err(Errno::EPERM);
    }
    let n = c.arg(0) as usize;
    if n > 65536 {
        return Err(Errno::EINVAL);
    }
    let mut b = vec![0u8; n * 4];
    c.read(c.arg(1), &mut b)?;
    let mut groups: Vec<u32> = b
        .chunks(4)
        .map(|x| u32::from_ne_bytes(x.try_into().unwrap()))
        .collect();
    groups.sort_unstable();
    creds_mut(c).groups = groups;
    ret(0)
}

const CAP_V1: u32 = 0x1998_0330;
const CAP_V2: u32 = 0x2007_1026;
const CAP_V3: u32 = 0x2008_0522;

/// Reads a capability header: the version's number of 32-bit words and the
/// pid. An unknown version is answered with the preferred one and EINVAL.
fn cap_header(c: &Ctx<'_>, data: u64) -> SysResult<Result<(usize, i32), Resume>> {
    let hdr = c.arg(0);
    let mut h = [0u8; 8];
    c.read(hdr, &mut h)?;
    let version = u32::from_ne_bytes(h[0..4].try_into().unwrap());
    let pid = i32::from_ne_bytes(h[4..8].try_into().unwrap());
    Ok(match version {
        CAP_V1 => Ok((1, pid)),
        CAP_V2 | CAP_V3 => Ok((2, pid)),
        _ => {
            c.write(hdr, &CAP_V3.to_ne_bytes())?;
            Err(if data == 0 {
                Resume::Return(0)
            } else {
                Resume::Return(-(libc::EINVAL as i64))
            })
        }
    })
}

pub fn sys_capget(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let data = c.arg(1);
    let (words, pid) = match cap_header(c, data)? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    if pid < 0 {
        return Err(Errno::EINVAL);
    }
    let target = if pid == 0 {
        creds(c).clone()
    } else {
        let tgid = c.st.tasks.tasks.get(&pid).ok_or(Errno::ESRCH)?.tgid;
        c.st.tasks
            .procs
            .get(&tgid)
            .ok_or(Errno::ESRCH)?
            .creds
            .clone()
    };
    if data == 0 {
        return ret(0);
    }
    let mut out = Vec::new();
    for w in 0..words {
        for set in [
            target.cap_effective,
            target.cap_permitted,
            target.cap_inheritable,
        ] {
            out.extend_from_slice(&((set >> (32 * w)) as u32).to_ne_bytes());
        }
    }
    c.write(data, &out)?;
    ret(0)
}

pub fn sys_capset(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let data = c.arg(1);
    let (words, pid) = match cap_header(c, data)? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let me = c.st.tasks.task(c.tid).tgid;
    if pid != 0 && pid != c.tid && pid != me {
        return Err(Errno::EPERM);
    }
    let mut b = vec![0u8; 12 * words];
    c.read(data, &mut b)?;
    let (mut eff, mut perm, mut inh) = (0u64, 0u64, 0u64);
    for w in 0..words {
        let get = |i: usize| {
            u32::from_ne_bytes(b[12 * w + 4 * i..12 * w + 4 * i + 4].try_into().unwrap()) as u64
        };
        eff |= get(0) << (32 * w);
        perm |= get(1) << (32 * w);
        inh |= get(2) << (32 * w);
    }
    let old = creds(c).clone();
    let inh_limit = if old.capable(cap::SETPCAP) {
        ALL_CAPS
    } else {
        old.cap_inheritable | old.cap_permitted
    };
    if inh & !inh_limit != 0 || perm & !old.cap_permitted != 0 || eff & !perm != 0 {
        return Err(Errno::EPERM);
    }
    let n = creds_mut(c);
    (n.cap_effective, n.cap_permitted, n.cap_inheritable) = (eff, perm, inh & ALL_CAPS);
    ret(0)
}
