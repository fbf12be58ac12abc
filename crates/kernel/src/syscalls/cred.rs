//! Credentials. The host sees every guest process as one user (root of the
//! guest's user namespace); the guest's uids and gids live here.

use super::Ctx;
use crate::errno::{Errno, SysResult};
use crate::task::Creds;
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

fn arg_id(v: u64) -> Option<u32> {
    (v as u32 != u32::MAX).then_some(v as u32)
}

/// setresuid-style update shared by the uid calls: `None` leaves a field.
fn set_uids(c: &mut Ctx<'_>, r: Option<u32>, e: Option<u32>, s: Option<u32>) -> SysResult<Resume> {
    let cr = creds(c).clone();
    if cr.euid != 0 {
        let ok = |v: Option<u32>| v.is_none_or(|v| v == cr.ruid || v == cr.euid || v == cr.suid);
        if !(ok(r) && ok(e) && ok(s)) {
            return Err(Errno::EPERM);
        }
    }
    let m = creds_mut(c);
    if let Some(v) = r {
        m.ruid = v;
    }
    if let Some(v) = e {
        m.euid = v;
    }
    if let Some(v) = s {
        m.suid = v;
    }
    m.fsuid = m.euid;
    ret(0)
}

fn set_gids(c: &mut Ctx<'_>, r: Option<u32>, e: Option<u32>, s: Option<u32>) -> SysResult<Resume> {
    let cr = creds(c).clone();
    if cr.euid != 0 {
        let ok = |v: Option<u32>| v.is_none_or(|v| v == cr.rgid || v == cr.egid || v == cr.sgid);
        if !(ok(r) && ok(e) && ok(s)) {
            return Err(Errno::EPERM);
        }
    }
    let m = creds_mut(c);
    if let Some(v) = r {
        m.rgid = v;
    }
    if let Some(v) = e {
        m.egid = v;
    }
    if let Some(v) = s {
        m.sgid = v;
    }
    m.fsgid = m.egid;
    ret(0)
}

pub fn sys_setuid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let u = c.arg(0) as u32;
    if creds(c).euid == 0 {
        set_uids(c, Some(u), Some(u), Some(u))
    } else {
        set_uids(c, None, Some(u), None)
    }
}

pub fn sys_setgid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let g = c.arg(0) as u32;
    if creds(c).euid == 0 {
        set_gids(c, Some(g), Some(g), Some(g))
    } else {
        set_gids(c, None, Some(g), None)
    }
}

pub fn sys_setreuid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let (r, e) = (arg_id(c.arg(0)), arg_id(c.arg(1)));
    let s = if r.is_some() || e.is_some_and(|e| e != creds(c).ruid) {
        e.or(Some(creds(c).euid))
    } else {
        None
    };
    set_uids(c, r, e, s)
}

pub fn sys_setregid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let (r, e) = (arg_id(c.arg(0)), arg_id(c.arg(1)));
    let s = if r.is_some() || e.is_some_and(|e| e != creds(c).rgid) {
        e.or(Some(creds(c).egid))
    } else {
        None
    };
    set_gids(c, r, e, s)
}

pub fn sys_setresuid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    set_uids(c, arg_id(c.arg(0)), arg_id(c.arg(1)), arg_id(c.arg(2)))
}

pub fn sys_setresgid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    set_gids(c, arg_id(c.arg(0)), arg_id(c.arg(1)), arg_id(c.arg(2)))
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

pub fn sys_setfsuid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let old = creds(c).fsuid;
    let v = c.arg(0) as u32;
    let cr = creds(c).clone();
    if cr.euid == 0 || [cr.ruid, cr.euid, cr.suid, cr.fsuid].contains(&v) {
        creds_mut(c).fsuid = v;
    }
    ret(old)
}

pub fn sys_setfsgid(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let old = creds(c).fsgid;
    let v = c.arg(0) as u32;
    let cr = creds(c).clone();
    if cr.euid == 0 || [cr.rgid, cr.egid, cr.sgid, cr.fsgid].contains(&v) {
        creds_mut(c).fsgid = v;
    }
    ret(old)
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
    if creds(c).euid != 0 {
        return Err(Errno::EPERM);
    }
    let n = c.arg(0) as usize;
    if n > 65536 {
        return Err(Errno::EINVAL);
    }
    let mut b = vec![0u8; n * 4];
    c.read(c.arg(1), &mut b)?;
    creds_mut(c).groups = b
        .chunks(4)
        .map(|x| u32::from_ne_bytes(x.try_into().unwrap()))
        .collect();
    ret(0)
}

pub fn sys_capget(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let (hdr, data) = (c.arg(0), c.arg(1));
    let mut h = [0u8; 8];
    c.read(hdr, &mut h)?;
    let version = u32::from_ne_bytes(h[0..4].try_into().unwrap());
    let words = match version {
        0x1998_0330 => 1,
        0x2007_1026 | 0x2008_0522 => 2,
        _ => {
            c.write(hdr, &0x2008_0522u32.to_ne_bytes())?;
            return if data == 0 {
                ret(0)
            } else {
                Err(Errno::EINVAL)
            };
        }
    };
    if data == 0 {
        return ret(0);
    }
    let all: u64 = if creds(c).euid == 0 {
        (1u64 << 41) - 1
    } else {
        0
    };
    let mut out = Vec::new();
    for w in 0..words {
        let v = (all >> (32 * w)) as u32;
        for _ in 0..3 {
            out.extend_from_slice(&v.to_ne_bytes());
        }
    }
    c.write(data, &out)?;
    ret(0)
}

pub fn sys_capset(c: &mut Ctx<'_>) -> SysResult<Resume> {
    if creds(c).euid != 0 {
        return Err(Errno::EPERM);
    }
    ret(0)
}
