//! ruml's seccomp notification listener: how the platform hands a guest
//! process a descriptor without any descriptor of ruml's in the guest.
//!
//! The guest filter sends one number that is no syscall
//! ([`INSTALL_FD_NR`](crate::seccomp::INSTALL_FD_NR)) to this listener. To
//! install a descriptor, the platform injects that number into a stopped
//! thread; the thread blocks in the host kernel until ruml answers with
//! `SECCOMP_IOCTL_NOTIF_ADDFD` (`SECCOMP_ADDFD_FLAG_SEND`), which puts the
//! descriptor at the thread's lowest free number and returns that number as
//! the call's result, in one step. Any other notification (a guest making
//! the number itself) is answered with ENOSYS.
//!
//! The listener also closes a door: the host allows one listener per filter
//! chain, so no guest process can install a filter with a listener of its
//! own (EBUSY) and answer its own calls in ruml's place.

use crate::seccomp::INSTALL_FD_NR;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

/// The listener, taken from the first guest process at boot.
pub struct Listener {
    fd: OwnedFd,
}

/// A descriptor waiting to be installed in the thread with host tid `host`.
#[derive(Clone, Copy)]
pub struct Install {
    pub host: i32,
    pub fd: RawFd,
    pub cloexec: bool,
}

impl Listener {
    pub fn new(fd: OwnedFd) -> Listener {
        Listener { fd }
    }

    pub fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// Takes one pending notification (the caller polled the listener) and
    /// answers it: with the descriptor of `ours` when it is that thread's
    /// install call, else with ENOSYS. Returns the install's result
    /// (the new descriptor number or `-errno`) when it was `ours`.
    pub fn answer_one(&self, ours: Option<Install>) -> Option<i64> {
        // SAFETY: plain data; the kernel wants it zeroed.
        let mut n: libc::seccomp_notif = unsafe { std::mem::zeroed() };
        // SAFETY: `n` is a correctly sized, writable seccomp_notif.
        let r = unsafe {
            libc::ioctl(
                self.fd.as_raw_fd(),
                libc::SECCOMP_IOCTL_NOTIF_RECV,
                &mut n as *mut libc::seccomp_notif,
            )
        };
        if r < 0 {
            // The notifying thread was killed meanwhile (ENOENT), or a
            // signal interrupted us: nothing to answer.
            return None;
        }
        match ours {
            Some(i) if n.pid == i.host as u32 && n.data.nr == INSTALL_FD_NR as i32 => {
                let add = libc::seccomp_notif_addfd {
                    id: n.id,
                    flags: libc::SECCOMP_ADDFD_FLAG_SEND as u32,
                    srcfd: i.fd as u32,
                    newfd: 0,
                    newfd_flags: if i.cloexec { libc::O_CLOEXEC as u32 } else { 0 },
                };
                // SAFETY: `add` is a correctly sized seccomp_notif_addfd; the
                // kernel only reads it.
                let r = unsafe {
                    libc::ioctl(
                        self.fd.as_raw_fd(),
                        libc::SECCOMP_IOCTL_NOTIF_ADDFD,
                        &add as *const libc::seccomp_notif_addfd,
                    )
                };
                if r >= 0 {
                    return Some(r as i64);
                }
                let e = io::Error::last_os_error()
                    .raw_os_error()
                    .unwrap_or(libc::EIO);
                if e == libc::ENOENT {
                    // A signal took the thread out of the call, which will
                    // restart and notify again.
                    return None;
                }
                // Not installed (EMFILE past the thread's limit, ...): the
                // call fails with that error.
                self.respond(n.id, e);
                Some(-(e as i64))
            }
            _ => {
                self.respond(n.id, libc::ENOSYS);
                None
            }
        }
    }

    /// Fails the notified call with `errno`.
    fn respond(&self, id: u64, errno: i32) {
        let resp = libc::seccomp_notif_resp {
            id,
            val: 0,
            error: -errno,
            flags: 0,
        };
        // SAFETY: `resp` is a correctly sized seccomp_notif_resp; the kernel
        // only reads it. A failure (the thread is gone) needs no answer.
        unsafe {
            libc::ioctl(
                self.fd.as_raw_fd(),
                libc::SECCOMP_IOCTL_NOTIF_SEND,
                &resp as *const libc::seccomp_notif_resp,
            )
        };
    }
}
