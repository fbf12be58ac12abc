//! Host network objects for the VM's network devices: tap devices (in the
//! VM's own network namespace, or on the host for `tuntap` and the switch's
//! `-tap`), and descriptors opened inside the VM's network namespace.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

fn cvt(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// The namespaces of a running VM, held open so devices can be made in
/// them at any time (hot-plug included), whatever its init does.
#[derive(Debug)]
pub struct VmNamespaces {
    user: OwnedFd,
    net: OwnedFd,
    ipc: OwnedFd,
}

impl VmNamespaces {
    /// The user and network namespaces of host process `pid` (the VM's init).
    pub fn of(pid: i32) -> io::Result<Self> {
        let open = |what: &str| {
            crate::host::open_path(
                format!("/proc/{pid}/ns/{what}").as_bytes(),
                libc::O_RDONLY | libc::O_CLOEXEC,
            )
        };
        Ok(VmNamespaces {
            user: open("user")?,
            net: open("net")?,
            ipc: open("ipc")?,
        })
    }

    /// Opens `path` as a process inside the VM's user and network
    /// namespaces would (so `/dev/net/tun` gives a tap in the VM's
    /// network, `/proc/sys/net/...` the VM's settings).
    pub fn open(&self, path: &str, flags: i32) -> io::Result<OwnedFd> {
        let path = CString::new(path).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
        self.in_ns(|| {
            // SAFETY: open on a NUL-terminated string that lives in this
            // copy of the address space.
            unsafe { libc::open(path.as_ptr(), flags | libc::O_CLOEXEC) }
        })
    }

    /// Runs `make` in a short-lived child that joined the VM's user and
    /// network namespaces (see [`in_namespaces`]).
    fn in_ns(&self, make: impl Fn() -> libc::c_int) -> io::Result<OwnedFd> {
        in_namespaces(
            &[
                (self.user.as_fd(), libc::CLONE_NEWUSER),
                (self.net.as_fd(), libc::CLONE_NEWNET),
            ],
            make,
        )
    }

    /// A socket of the VM's network made with the privilege of the VM's
    /// namespaces (packet and raw sockets, which guest processes, holding
    /// no host capability, cannot make themselves).
    pub fn socket(&self, family: i32, ty: i32, protocol: i32) -> io::Result<OwnedFd> {
        self.in_ns(|| {
            // SAFETY: plain syscall on integers.
            unsafe { libc::socket(family, ty | libc::SOCK_CLOEXEC, protocol) }
        })
    }

    /// mq_open(2) in the VM's IPC namespace (the queues live in its mqueue
    /// filesystem, which the Landlock fence of guest processes does not
    /// reach): `name` as the guest gave it, `attr` its struct mq_attr.
    pub fn mq_open(
        &self,
        name: &[u8],
        flags: i32,
        mode: u32,
        attr: Option<[u8; 64]>,
    ) -> io::Result<OwnedFd> {
        let name = CString::new(name).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
        let attr_ptr = attr.as_ref().map_or(std::ptr::null(), |a| a.as_ptr());
        in_namespaces(
            &[
                (self.user.as_fd(), libc::CLONE_NEWUSER),
                (self.ipc.as_fd(), libc::CLONE_NEWIPC),
            ],
            || {
                // SAFETY: mq_open on a NUL-terminated name and an attribute
                // buffer (or NULL) that live in this copy of the address
                // space.
                unsafe {
                    // The mode is the guest's, its umask already applied.
                    libc::umask(0);
                    libc::syscall(
                        libc::SYS_mq_open,
                        name.as_ptr(),
                        flags | libc::O_CLOEXEC,
                        mode,
                        attr_ptr,
                    ) as libc::c_int
                }
            },
        )
    }

    /// Writes `data` at the start of a /proc/sys/net file of the VM (`fd`,
    /// opened with [`VmNamespaces::open`]) as a process of the VM's user
    /// namespace with its capabilities (ids in the value, such as
    /// ping_group_range's, are read in that namespace).
    pub fn write_sysctl(&self, fd: BorrowedFd<'_>, data: &[u8]) -> io::Result<()> {
        let (fd, buf, len) = (fd.as_raw_fd(), data.as_ptr(), data.len());
        self.in_ns(|| {
            // SAFETY: `buf` is readable for `len` bytes in this copy of the
            // address space; the helper hands back a copy of `fd` as its
            // result, which the caller drops.
            unsafe {
                if libc::pwrite(fd, buf.cast(), len, 0) < 0 {
                    return -1;
                }
                libc::dup(fd)
            }
        })
        .map(drop)
    }

    /// A tap device named `name` in the VM's network (raw Ethernet frames,
    /// no packet information header), with hardware address `mac`.
    pub fn tap(&self, name: &str, mac: [u8; 6]) -> io::Result<OwnedFd> {
        let fd = self.open("/dev/net/tun", libc::O_RDWR)?;
        attach_tap(fd.as_fd(), name)?;
        set_mac(fd.as_fd(), mac)?;
        Ok(fd)
    }
}

/// Runs `make` in a short-lived child that joined namespaces `ns` (in
/// order: a user namespace first) and shares ruml's descriptor table; the
/// descriptor it returns is moved into a slot ruml holds. `make` must only
/// make raw syscalls on data prepared before the call (the child is a copy
/// of a possibly multithreaded process).
fn in_namespaces(
    ns: &[(BorrowedFd<'_>, libc::c_int)],
    make: impl Fn() -> libc::c_int,
) -> io::Result<OwnedFd> {
    let slot = crate::host::open_path(b"/dev/null", libc::O_RDONLY | libc::O_CLOEXEC)?;
    let slot_fd = slot.as_raw_fd();
    let ns: Vec<(i32, libc::c_int)> = ns.iter().map(|(f, t)| (f.as_raw_fd(), *t)).collect();
    let flags = libc::CLONE_FILES | libc::SIGCHLD;
    // SAFETY: a fork-like clone (no new stack, no shared memory) that
    // shares only the descriptor table. The child makes raw syscalls
    // and exits; it never returns from this block.
    let pid = unsafe { libc::syscall(libc::SYS_clone, flags, 0, 0, 0, 0) };
    if pid == 0 {
        // SAFETY: raw syscalls on integers; `make` is documented to do
        // the same. The child exits with the errno of what failed.
        unsafe {
            let errno = || *libc::__errno_location() & 0x7f;
            for &(fd, kind) in &ns {
                if libc::setns(fd, kind) != 0 {
                    libc::_exit(errno());
                }
            }
            let fd = make();
            if fd < 0 {
                libc::_exit(errno());
            }
            let r = libc::dup3(fd, slot_fd, libc::O_CLOEXEC);
            let e = errno();
            libc::close(fd);
            libc::_exit(if r < 0 { e } else { 0 });
        }
    }
    crate::host::reap_helper(cvt(pid as libc::c_int)?)?;
    Ok(slot)
}

fn ifreq(name: &str) -> io::Result<libc::ifreq> {
    // SAFETY: ifreq is plain data; all zeroes is a valid value.
    let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
    if name.is_empty() || name.len() >= ifr.ifr_name.len() || name.contains('\0') {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    for (d, s) in ifr.ifr_name.iter_mut().zip(name.bytes()) {
        *d = s as libc::c_char;
    }
    Ok(ifr)
}

/// Attaches a `/dev/net/tun` descriptor to tap device `name` (created if
/// it does not exist), raw frames without a packet information header.
fn attach_tap(fd: BorrowedFd<'_>, name: &str) -> io::Result<()> {
    let mut ifr = ifreq(name)?;
    ifr.ifr_ifru.ifru_flags = (libc::IFF_TAP | libc::IFF_NO_PI) as libc::c_short;
    // SAFETY: TUNSETIFF reads (and writes back) one ifreq we own.
    cvt(unsafe { libc::ioctl(fd.as_raw_fd(), libc::TUNSETIFF, &mut ifr) })?;
    Ok(())
}

/// Sets the hardware address of the tap device `fd` is attached to.
fn set_mac(fd: BorrowedFd<'_>, mac: [u8; 6]) -> io::Result<()> {
    // SAFETY: ifreq is plain data; all zeroes is a valid value.
    let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
    let mut sa: libc::sockaddr = libc::sockaddr {
        sa_family: libc::ARPHRD_ETHER,
        sa_data: [0; 14],
    };
    for (d, s) in sa.sa_data.iter_mut().zip(mac) {
        *d = s as libc::c_char;
    }
    ifr.ifr_ifru.ifru_hwaddr = sa;
    // SAFETY: SIOCSIFHWADDR on a tun descriptor reads one ifreq we own.
    cvt(unsafe { libc::ioctl(fd.as_raw_fd(), libc::SIOCSIFHWADDR, &mut ifr) })?;
    Ok(())
}

/// Opens host tap device `name` (created if missing; the caller needs
/// CAP_NET_ADMIN or to own a persistent tap of that name).
pub fn open_host_tap(name: &str) -> io::Result<OwnedFd> {
    let fd = crate::host::open_path(b"/dev/net/tun", libc::O_RDWR | libc::O_CLOEXEC)?;
    attach_tap(fd.as_fd(), name)?;
    Ok(fd)
}

// What ruml does on a guest socket on behalf of guest root (ruml holds the
// capabilities of the VM's network namespace as the owner of its user
// namespace; guest processes hold none). The socket is the guest's own,
// taken with pidfd_getfd; every buffer is ruml's copy of the guest's.

fn cvt_len(r: isize) -> io::Result<usize> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r as usize)
    }
}

/// ioctl(fd, request, buf): a request whose argument is the buffer.
pub fn ioctl_buf(fd: BorrowedFd<'_>, request: u64, buf: &mut [u8]) -> io::Result<i32> {
    // SAFETY: `buf` is writable for its length, which the caller sized for
    // the request's argument.
    cvt(unsafe { libc::ioctl(fd.as_raw_fd(), request as _, buf.as_mut_ptr()) })
}

/// sendto(fd, data, flags | MSG_DONTWAIT, addr): never waits.
pub fn sendto(fd: BorrowedFd<'_>, data: &[u8], flags: i32, addr: &[u8]) -> io::Result<usize> {
    // SAFETY: both buffers are readable for their lengths.
    cvt_len(unsafe {
        libc::sendto(
            fd.as_raw_fd(),
            data.as_ptr().cast(),
            data.len(),
            flags | libc::MSG_DONTWAIT,
            addr.as_ptr().cast(),
            addr.len() as libc::socklen_t,
        )
    })
}

/// setsockopt(fd, level, name, value).
pub fn setsockopt(fd: BorrowedFd<'_>, level: i32, name: i32, value: &[u8]) -> io::Result<()> {
    // SAFETY: `value` is readable for its length.
    cvt(unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            value.as_ptr().cast(),
            value.len() as libc::socklen_t,
        )
    })
    .map(drop)
}

/// bind(fd, addr).
pub fn bind(fd: BorrowedFd<'_>, addr: &[u8]) -> io::Result<()> {
    // SAFETY: `addr` is readable for its length.
    cvt(unsafe {
        libc::bind(
            fd.as_raw_fd(),
            addr.as_ptr().cast(),
            addr.len() as libc::socklen_t,
        )
    })
    .map(drop)
}
