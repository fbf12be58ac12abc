//! Discretionary access control against the guest's credentials, as Linux
//! does it (fs/namei.c `generic_permission`, `may_delete`, `may_create`,
//! the sticky-directory rule; fs/attr.c `setattr_prepare`).
//!
//! The host runs every guest process as one user, root of the guest's user
//! namespace, so it enforces nothing the guest's uids mean: every check is
//! made here, on the owner and mode the guest sees (`Inode::stat`), before
//! the kernel performs a call or lets the host run it.
//!
//! Checks take the caller's credentials from its [`Caller`]; a caller
//! without a kernel (boot) is never refused. A caller with
//! CAP_DAC_OVERRIDE passes every read, write and directory check without
//! the object being looked at, so root pays nothing for them.

use super::{Caller, Inode, Kind, Stat};
use crate::errno::{Errno, SysResult};
use crate::task::{cap, Creds};
use std::sync::Arc;

pub const MAY_EXEC: u32 = 1;
pub const MAY_WRITE: u32 = 2;
pub const MAY_READ: u32 = 4;

/// The credentials of the kernel's own lookups (refreshing a moved
/// directory's chain, following procfs links): never refused.
pub static KERNEL_CREDS: Creds = Creds::root();

/// Linux's `generic_permission`: the owner, group or other bits by the
/// filesystem ids, then CAP_DAC_OVERRIDE (everything on a directory; read
/// and write on anything else, execute when some execute bit is set) and
/// CAP_DAC_READ_SEARCH (reading anything, searching directories).
pub fn generic_permission(cr: &Creds, st: &Stat, mask: u32) -> SysResult<()> {
    let mask = mask & (MAY_READ | MAY_WRITE | MAY_EXEC);
    let bits = if st.uid == cr.fsuid {
        st.mode >> 6
    } else if cr.in_group(st.gid) {
        st.mode >> 3
    } else {
        st.mode
    } & 7;
    if mask & !bits == 0 {
        return Ok(());
    }
    if st.kind() == Kind::Dir {
        if mask & MAY_WRITE == 0 && cr.capable(cap::DAC_READ_SEARCH) {
            return Ok(());
        }
        if cr.capable(cap::DAC_OVERRIDE) {
            return Ok(());
        }
        return Err(Errno::EACCES);
    }
    if mask == MAY_READ && cr.capable(cap::DAC_READ_SEARCH) {
        return Ok(());
    }
    if (mask & MAY_EXEC == 0 || st.mode & 0o111 != 0) && cr.capable(cap::DAC_OVERRIDE) {
        return Ok(());
    }
    Err(Errno::EACCES)
}

/// Whether `cr` may do anything `mask` asks of `inode` without its mode
/// being looked at: CAP_DAC_OVERRIDE grants everything on directories and
/// all but execution on anything else.
fn overrides(cr: &Creds, inode: &Arc<dyn Inode>, mask: u32) -> bool {
    cr.capable(cap::DAC_OVERRIDE) && (mask & MAY_EXEC == 0 || inode.kind() == Kind::Dir)
}

/// Linux's `inode_permission` (less the read-only and immutable checks,
/// which callers make): whether the caller may access `inode` with `mask`.
pub fn permission(cx: &Caller<'_>, inode: &Arc<dyn Inode>, mask: u32) -> SysResult<()> {
    let Some(cr) = cx.creds() else {
        return Ok(());
    };
    if overrides(cr, inode, mask) {
        return Ok(());
    }
    inode.permission(cx, cr, mask)
}

/// The credentials a walk checks search permission with: None when it
/// need not (no caller, or CAP_DAC_OVERRIDE, which searches everything).
pub fn searcher<'a>(cx: &Caller<'a>) -> Option<&'a Creds> {
    cx.creds().filter(|cr| !cr.capable(cap::DAC_OVERRIDE))
}

/// Search permission on a directory a walk passes (`may_lookup`), for the
/// credentials [`searcher`] gave.
pub fn may_lookup(cx: &Caller<'_>, cr: Option<&Creds>, dir: &Arc<dyn Inode>) -> SysResult<()> {
    match cr {
        Some(cr) => dir.permission(cx, cr, MAY_EXEC),
        None => Ok(()),
    }
}

/// Linux's `may_create`: write and search permission on the directory a
/// new entry goes into.
pub fn may_create(cx: &Caller<'_>, dir: &Arc<dyn Inode>) -> SysResult<()> {
    permission(cx, dir, MAY_WRITE | MAY_EXEC)
}

/// Linux's `may_delete`, less the type checks (the filesystem makes them):
/// write and search permission on the directory, and in a sticky directory
/// (EPERM) ownership of the victim or of the directory, or CAP_FOWNER.
pub fn may_delete(cx: &Caller<'_>, dir: &Arc<dyn Inode>, victim: &Arc<dyn Inode>) -> SysResult<()> {
    let Some(cr) = cx.creds() else {
        return Ok(());
    };
    if cr.capable(cap::DAC_OVERRIDE) && cr.capable(cap::FOWNER) {
        return Ok(());
    }
    let d = dir.stat()?;
    dir.permission(cx, cr, MAY_WRITE | MAY_EXEC)?;
    if d.mode & libc::S_ISVTX != 0 {
        let v = victim.stat()?;
        if v.uid != cr.fsuid && d.uid != cr.fsuid && !cr.capable(cap::FOWNER) {
            return Err(Errno::EPERM);
        }
    }
    Ok(())
}

/// Linux's `inode_owner_or_capable`: the filesystem uid owns the object,
/// or the caller has CAP_FOWNER.
pub fn owner_or_capable(cr: &Creds, st: &Stat) -> bool {
    st.uid == cr.fsuid || cr.capable(cap::FOWNER)
}

/// Linux's `in_group_or_capable`: the caller is in `gid`, or has
/// CAP_FSETID.
pub fn in_group_or_capable(cr: &Creds, gid: u32) -> bool {
    cr.in_group(gid) || cr.capable(cap::FSETID)
}

/// Linux's `mode_strip_sgid`: a new non-directory with setgid and group
/// execute in a setgid directory keeps setgid only if the caller is in the
/// directory's group or has CAP_FSETID.
pub fn strip_sgid(cr: &Creds, dir: &Stat, mode: u32) -> u32 {
    if mode & (libc::S_ISGID | libc::S_IXGRP) != libc::S_ISGID | libc::S_IXGRP
        || mode & libc::S_IFMT == libc::S_IFDIR
        || dir.mode & libc::S_ISGID == 0
        || in_group_or_capable(cr, dir.gid)
    {
        return mode;
    }
    mode & !libc::S_ISGID
}

/// chmod's part of `setattr_prepare`: only the owner (or CAP_FOWNER) may
/// change the mode (EPERM), and setgid is dropped when the caller is not
/// in the file's group and lacks CAP_FSETID. Returns the mode to set.
pub fn chmod_mode(cr: &Creds, st: &Stat, mode: u32) -> SysResult<u32> {
    if !owner_or_capable(cr, st) {
        return Err(Errno::EPERM);
    }
    if !in_group_or_capable(cr, st.gid) {
        return Ok(mode & !libc::S_ISGID);
    }
    Ok(mode)
}

/// chown's part of `setattr_prepare` (`chown_ok`, `chgrp_ok`): changing
/// the owner needs CAP_CHOWN unless it stays the same and the caller owns
/// the file; changing the group needs CAP_CHOWN unless the caller owns the
/// file and the group is one it belongs to (or stays the same).
pub fn chown_ok(cr: &Creds, st: &Stat, uid: Option<u32>, gid: Option<u32>) -> SysResult<()> {
    if cr.capable(cap::CHOWN) {
        return Ok(());
    }
    let owner = st.uid == cr.fsuid;
    let uid_ok = uid.is_none_or(|u| owner && u == st.uid);
    let gid_ok = gid.is_none_or(|g| owner && (g == st.gid || cr.in_group(g)));
    if uid_ok && gid_ok {
        Ok(())
    } else {
        Err(Errno::EPERM)
    }
}

/// How utimensat and the utimes family set times.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TimesSet {
    /// To the current time (no times given, or both UTIME_NOW): the owner,
    /// CAP_FOWNER or write permission.
    Touch,
    /// To times the caller chose: only the owner or CAP_FOWNER (EPERM).
    Explicit,
}

/// Whether `cr` may set the times of an object with attributes `st` as
/// `how` says (fs/attr.c, fs/utimes.c).
pub fn may_set_times(cr: &Creds, st: &Stat, how: TimesSet) -> SysResult<()> {
    if owner_or_capable(cr, st) {
        return Ok(());
    }
    match how {
        TimesSet::Explicit => Err(Errno::EPERM),
        TimesSet::Touch => generic_permission(cr, st, MAY_WRITE),
    }
}

/// The credentials access(2) checks with: the real ids, and the full
/// permitted set for a real root, none otherwise (do_faccessat's
/// `access_override_creds`).
pub fn access_creds(cr: &Creds) -> Creds {
    let mut c = cr.clone();
    c.fsuid = c.ruid;
    c.fsgid = c.rgid;
    c.cap_effective = if c.ruid == 0 { c.cap_permitted } else { 0 };
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(mode: u32, uid: u32, gid: u32) -> Stat {
        Stat {
            mode,
            uid,
            gid,
            ..Default::default()
        }
    }

    fn user(uid: u32, gid: u32, groups: &[u32]) -> Creds {
        let mut c = Creds::root();
        c.ruid = uid;
        c.euid = uid;
        c.suid = uid;
        c.fsuid = uid;
        c.rgid = gid;
        c.egid = gid;
        c.sgid = gid;
        c.fsgid = gid;
        c.groups = groups.to_vec();
        c.cap_effective = 0;
        c.cap_permitted = 0;
        c
    }

    #[test]
    fn owner_group_other() {
        let u = user(1000, 100, &[50]);
        let f = |m| st(libc::S_IFREG | m, 0, 0);
        assert!(generic_permission(&u, &f(0o644), MAY_READ).is_ok());
        assert!(generic_permission(&u, &f(0o644), MAY_WRITE).is_err());
        assert!(generic_permission(&u, &f(0o640), MAY_READ).is_err());
        let g = st(libc::S_IFREG | 0o040, 0, 50);
        assert!(generic_permission(&u, &g, MAY_READ).is_ok());
        // The owner's bits count even when others have more.
        let o = st(libc::S_IFREG | 0o077, 1000, 50);
        assert!(generic_permission(&u, &o, MAY_READ).is_err());
    }

    #[test]
    fn capabilities() {
        let r = Creds::root();
        let f = |m| st(libc::S_IFREG | m, 1000, 1000);
        assert!(generic_permission(&r, &f(0), MAY_READ | MAY_WRITE).is_ok());
        assert!(generic_permission(&r, &f(0o600), MAY_EXEC).is_err());
        assert!(generic_permission(&r, &f(0o001), MAY_EXEC).is_ok());
        let d = st(libc::S_IFDIR, 1000, 1000);
        assert!(generic_permission(&r, &d, MAY_EXEC | MAY_WRITE).is_ok());
        let mut rs = user(1000, 100, &[]);
        rs.cap_effective = 1 << cap::DAC_READ_SEARCH;
        assert!(generic_permission(&rs, &d, MAY_READ | MAY_EXEC).is_ok());
        assert!(generic_permission(&rs, &d, MAY_WRITE).is_err());
        assert!(generic_permission(&rs, &f(0), MAY_READ).is_ok());
        assert!(generic_permission(&rs, &f(0), MAY_READ | MAY_WRITE).is_err());
    }

    #[test]
    fn chown_rules() {
        let u = user(1000, 100, &[50]);
        let mine = st(libc::S_IFREG | 0o644, 1000, 100);
        assert!(chown_ok(&u, &mine, Some(1000), Some(50)).is_ok());
        assert!(chown_ok(&u, &mine, None, Some(77)).is_err());
        assert!(chown_ok(&u, &mine, Some(1001), None).is_err());
        let theirs = st(libc::S_IFREG | 0o644, 0, 100);
        assert!(chown_ok(&u, &theirs, None, Some(100)).is_err());
        assert!(chown_ok(&Creds::root(), &theirs, Some(5), Some(6)).is_ok());
    }

    #[test]
    fn chmod_rules() {
        let u = user(1000, 100, &[]);
        let mine = st(libc::S_IFREG | 0o644, 1000, 77);
        assert_eq!(chmod_mode(&u, &mine, 0o2755), Ok(0o755));
        let mine100 = st(libc::S_IFREG | 0o644, 1000, 100);
        assert_eq!(chmod_mode(&u, &mine100, 0o2755), Ok(0o2755));
        let theirs = st(libc::S_IFREG | 0o644, 0, 100);
        assert_eq!(chmod_mode(&u, &theirs, 0o600), Err(Errno::EPERM));
    }
}
