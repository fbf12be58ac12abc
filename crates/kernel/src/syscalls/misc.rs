//! System information, the kernel log, and socket addresses that name paths.

use super::Ctx;
use crate::errno::{Errno, SysResult};
use crate::vfs::{join_path, Follow};
use ruml_platform::{host, Resume};

pub fn sys_sysinfo(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let up = (host::clock_ns(libc::CLOCK_BOOTTIME) - c.st.boot_ns) / 1_000_000_000;
    let total = c.st.cfg.mem;
    let used = crate::fs::procfs::used_memory(c.st, c.p);
    let mut b = [0u8; 112];
    b[0..8].copy_from_slice(&(up as i64).to_ne_bytes());
    b[32..40].copy_from_slice(&total.to_ne_bytes());
    b[40..48].copy_from_slice(&total.saturating_sub(used).to_ne_bytes());
    b[80..82].copy_from_slice(&(c.st.tasks.tasks.len() as u16).to_ne_bytes());
    b[104..108].copy_from_slice(&1u32.to_ne_bytes());
    c.write(c.arg(0), &b)?;
    Ok(Resume::Return(0))
}

pub fn sys_syslog(c: &mut Ctx<'_>) -> SysResult<Resume> {
    match c.arg_i32(0) {
        2..=4 => {
            let n = c.st.log.len().min(c.arg(2) as usize);
            let start = c.st.log.len() - n;
            let data = c.st.log[start..].to_vec();
            c.write(c.arg(1), &data)?;
            Ok(Resume::Return(n as i64))
        }
        9 | 10 => Ok(Resume::Return(c.st.log.len().max(1 << 14) as i64)),
        0 | 1 | 5..=8 => Ok(Resume::Return(0)),
        _ => Err(Errno::EINVAL),
    }
}

/// bind/connect: an AF_UNIX path is resolved in the guest's tree.
fn unix_addr(c: &mut Ctx<'_>, nr: i64) -> SysResult<Resume> {
    let (addr, len) = (c.arg(1), c.arg(2) as usize);
    if addr == 0 || !(3..=110).contains(&len) {
        return Ok(Resume::Native);
    }
    let mut sa = vec![0u8; len];
    c.read(addr, &mut sa)?;
    if u16::from_ne_bytes([sa[0], sa[1]]) != libc::AF_UNIX as u16 || sa[2] == 0 {
        return Ok(Resume::Native);
    }
    let path: Vec<u8> = sa[2..].iter().take_while(|&&b| b != 0).copied().collect();
    let native = if nr == libc::SYS_bind {
        let (parent, name) = c.resolve_parent_at(libc::AT_FDCWD, &path)?;
        let np =
            c.st.vfs
                .mount(parent.mount())
                .native
                .then(|| parent.inode().native_path())
                .flatten();
        np.map(|p| join_path(&p, &name))
    } else {
        let loc = c.resolve_at(libc::AT_FDCWD, &path, Follow::Yes)?;
        c.st.vfs
            .mount(loc.mount())
            .native
            .then(|| loc.inode().native_path())
            .flatten()
    };
    let Some(np) = native else {
        c.st.warn_once(
            0x3_0000,
            "AF_UNIX sockets outside the root hostfs are not supported yet",
        );
        return Err(Errno::EOPNOTSUPP);
    };
    if np.len() > 107 {
        return Err(Errno::ENAMETOOLONG);
    }
    let mut out = vec![0u8; 2 + np.len() + 1];
    out[0..2].copy_from_slice(&(libc::AF_UNIX as u16).to_ne_bytes());
    out[2..2 + np.len()].copy_from_slice(&np);
    let a = c.p.scratch(c.tid, 8192 * 3);
    c.write(a, &out)?;
    Ok(Resume::Rewrite {
        nr: nr as u64,
        args: [c.arg(0), a, out.len() as u64, 0, 0, 0],
    })
}

pub fn sys_bind(c: &mut Ctx<'_>) -> SysResult<Resume> {
    unix_addr(c, libc::SYS_bind)
}

pub fn sys_connect(c: &mut Ctx<'_>) -> SysResult<Resume> {
    unix_addr(c, libc::SYS_connect)
}

fn uts_field(s: &str) -> [u8; 65] {
    let mut f = [0u8; 65];
    let n = s.len().min(64);
    f[..n].copy_from_slice(&s.as_bytes()[..n]);
    f
}

pub fn sys_uname(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let mut b = Vec::with_capacity(390);
    for s in [
        "Linux",
        c.st.hostname.as_str(),
        crate::kernel::RELEASE,
        "#1 SMP PREEMPT ruml",
        "x86_64",
        c.st.domainname.as_str(),
    ] {
        b.extend_from_slice(&uts_field(s));
    }
    c.write(c.arg(0), &b)?;
    Ok(Resume::Return(0))
}

fn set_uts_name(c: &mut Ctx<'_>, domain: bool) -> SysResult<Resume> {
    if c.st.tasks.process(c.tid).creds.euid != 0 {
        return Err(Errno::EPERM);
    }
    let len = c.arg(1) as usize;
    if len > 64 {
        return Err(Errno::EINVAL);
    }
    let mut buf = vec![0u8; len];
    c.read(c.arg(0), &mut buf)?;
    let name = String::from_utf8_lossy(&buf).into_owned();
    if domain {
        c.st.domainname = name;
    } else {
        c.st.hostname = name;
    }
    // The host's copy in the guest's UTS namespace follows, for native
    // readers such as gethostname(3) via uname(2) of other tools.
    Ok(Resume::Native)
}

pub fn sys_sethostname(c: &mut Ctx<'_>) -> SysResult<Resume> {
    set_uts_name(c, false)
}

pub fn sys_setdomainname(c: &mut Ctx<'_>) -> SysResult<Resume> {
    set_uts_name(c, true)
}
