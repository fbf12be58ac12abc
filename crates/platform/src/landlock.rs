//! The filesystem fence: a Landlock domain every guest process runs in.
//!
//! A layer under ruml's own checks: should a guest call ever reach the
//! host unseen (a filter bypass, a chroot escape), the host kernel still
//! lets guest processes open, create, remove or execute by path only
//! beneath the directories the VM was given (its root, ruml's private
//! directory for it, the `hostfs=` directory). Descriptors ruml opens and
//! installs are not affected (Landlock checks at open, and ruml is not in
//! the domain), nor are memfds. Where Landlock offers scopes (ABI 6),
//! abstract unix sockets and signals are scoped to the VM too. Without
//! Landlock the VM still starts; ruml logs that the fence is missing.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;

const CREATE_RULESET_VERSION: u32 = 1;
const RULE_PATH_BENEATH: u32 = 1;
const SCOPE_ABSTRACT_UNIX_SOCKET: u64 = 1;
const SCOPE_SIGNAL: u64 = 2;

/// `struct landlock_ruleset_attr` (its size grows with the ABI).
#[repr(C)]
struct RulesetAttr {
    handled_access_fs: u64,
    handled_access_net: u64,
    scoped: u64,
}

/// `struct landlock_path_beneath_attr` (packed in the kernel's header).
#[repr(C, packed)]
struct PathBeneath {
    allowed_access: u64,
    parent_fd: i32,
}

/// A ruleset ready for the first guest process to enforce on itself.
pub struct Fence {
    ruleset: OwnedFd,
    /// The host's Landlock ABI version.
    pub abi: i32,
}

impl Fence {
    pub fn raw_fd(&self) -> RawFd {
        self.ruleset.as_raw_fd()
    }

    /// Allows everything beneath the directory (or on the file) `fd` holds.
    pub fn allow_beneath(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
        let rule = PathBeneath {
            allowed_access: fs_rights(self.abi),
            parent_fd: fd.as_raw_fd(),
        };
        // SAFETY: `rule` is a live path_beneath attribute; both descriptors
        // are ours.
        let r = unsafe {
            libc::syscall(
                libc::SYS_landlock_add_rule,
                self.ruleset.as_raw_fd(),
                RULE_PATH_BENEATH,
                &rule,
                0u32,
            )
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

/// The filesystem rights Landlock knows at ABI `abi` (all handled).
fn fs_rights(abi: i32) -> u64 {
    let mut r = (1u64 << 13) - 1; // EXECUTE .. MAKE_SYM
    if abi >= 2 {
        r |= 1 << 13; // REFER
    }
    if abi >= 3 {
        r |= 1 << 14; // TRUNCATE
    }
    if abi >= 5 {
        r |= 1 << 15; // IOCTL_DEV
    }
    r
}

/// The host's Landlock ABI version, or None without Landlock.
pub fn abi() -> Option<i32> {
    // SAFETY: the version query takes no attribute pointer.
    let v = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<RulesetAttr>(),
            0usize,
            CREATE_RULESET_VERSION,
        )
    };
    (v >= 1).then_some(v as i32)
}

/// A ruleset that allows everything beneath `dirs` and nothing else by
/// path; None where the host has no Landlock.
pub fn fence(dirs: &[&Path]) -> io::Result<Option<Fence>> {
    let Some(abi) = abi() else {
        return Ok(None);
    };
    let rights = fs_rights(abi);
    let attr = RulesetAttr {
        handled_access_fs: rights,
        handled_access_net: 0,
        scoped: if abi >= 6 {
            SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        } else {
            0
        },
    };
    let size: usize = match abi {
        1..=3 => 8,
        4 | 5 => 16,
        _ => 24,
    };
    // SAFETY: `attr` is readable for `size` bytes (at most its full size).
    let fd = unsafe { libc::syscall(libc::SYS_landlock_create_ruleset, &attr, size, 0u32) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh descriptor owned by us.
    let ruleset = unsafe { OwnedFd::from_raw_fd(fd as RawFd) };
    let fence = Fence { ruleset, abi };
    for d in dirs {
        use std::os::unix::ffi::OsStrExt;
        let parent =
            crate::host::open_path(d.as_os_str().as_bytes(), libc::O_PATH | libc::O_DIRECTORY)?;
        fence.allow_beneath(parent.as_fd())?;
    }
    Ok(Some(fence))
}
