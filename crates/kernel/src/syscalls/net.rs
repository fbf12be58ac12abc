//! Networking calls. The guest's sockets live in the VM's own network
//! namespace and run natively; what ruml adds is the guest's credentials:
//! the host sees every guest process as root of that namespace, so the
//! configuration ioctls that Linux reserves to CAP_NET_ADMIN are trapped
//! and checked against the caller's guest capabilities first.

use super::{Ctx, Resume, SysResult};
use crate::errno::Errno;
use crate::task::cap;
use ruml_platform::net;
use std::os::fd::{AsFd, OwnedFd};

/// Socket ioctls that change interfaces, routes or the ARP table.
pub const NET_ADMIN_IOCTLS: &[u32] = &[
    0x890b, // SIOCADDRT
    0x890c, // SIOCDELRT
    0x8914, // SIOCSIFFLAGS
    0x8916, // SIOCSIFADDR
    0x8918, // SIOCSIFDSTADDR
    0x891a, // SIOCSIFBRDADDR
    0x891c, // SIOCSIFNETMASK
    0x891e, // SIOCSIFMETRIC
    0x8922, // SIOCSIFMTU
    0x8923, // SIOCSIFNAME
    0x8924, // SIOCSIFHWADDR
    0x8931, // SIOCADDMULTI
    0x8932, // SIOCDELMULTI
    0x8934, // SIOCSIFPFLAGS
    0x8936, // SIOCDIFADDR
    0x8937, // SIOCSIFHWBROADCAST
    0x8943, // SIOCSIFTXQLEN
    0x8953, // SIOCDARP
    0x8955, // SIOCSARP
    0x8971, // SIOCSIFMAP
];

/// ioctl with a network-configuration request: CAP_NET_ADMIN, then ruml
/// does it on the guest's socket (guest processes hold no host
/// capability), with its own copy of the argument.
pub fn sys_net_admin_ioctl(c: &mut Ctx<'_>) -> SysResult<Resume> {
    c.require(cap::NET_ADMIN)?;
    let req = c.arg(1) as u32;
    let size = match req {
        0x890b | 0x890c => 120,        // struct rtentry
        0x8953 | 0x8955 => 68,         // struct arpreq
        _ => size_of::<libc::ifreq>(), // struct ifreq
    };
    let mut buf = vec![0u8; size];
    c.read(c.arg(2), &mut buf)?;
    let sock = guest_socket(c, c.arg_i32(0))?;
    let r = net::ioctl_buf(sock.as_fd(), req as u64, &mut buf)?;
    c.write(c.arg(2), &buf)?;
    Ok(Resume::Return(r as i64))
}

/// The guest's descriptor `fd`, taken into ruml (the same open socket).
fn guest_socket(c: &Ctx<'_>, fd: i32) -> SysResult<OwnedFd> {
    c.p.take_fd(c.tid, fd).map_err(|_| Errno::EBADF)
}

/// sockaddr_nl { u16 family; u16 pad; u32 pid; u32 groups; }
const SOCKADDR_NL: usize = 12;

/// A send with destination `addr` (a guest sockaddr of `len` bytes): when
/// it is a netlink request to the kernel from a caller with CAP_NET_ADMIN,
/// ruml sends it on the guest's socket (Linux checks the sender's
/// capabilities, and guest processes hold none on the host); the kernel's
/// answers go to the guest's socket as usual. `data` gives the message.
/// None: the call runs as made (an ordinary user's configuration request
/// is then refused by the host, as Linux refuses it).
pub fn netlink_send(
    c: &mut Ctx<'_>,
    fd: i32,
    addr: u64,
    len: u64,
    flags: i32,
    data: impl FnOnce(&Ctx<'_>) -> SysResult<Vec<u8>>,
) -> SysResult<Option<Resume>> {
    if addr == 0 || (len as usize) < SOCKADDR_NL {
        return Ok(None);
    }
    let mut sa = [0u8; SOCKADDR_NL];
    c.read(addr, &mut sa)?;
    let family = u16::from_ne_bytes([sa[0], sa[1]]) as i32;
    let pid = u32::from_ne_bytes(sa[4..8].try_into().unwrap());
    // Only requests to the kernel: a send to another socket could wait
    // for room in a queue a guest fills.
    if family != libc::AF_NETLINK || pid != 0 || !c.creds_capable(cap::NET_ADMIN) {
        return Ok(None);
    }
    let msg = data(c)?;
    let sock = guest_socket(c, fd)?;
    let n = net::sendto(sock.as_fd(), &msg, flags, &sa)?;
    Ok(Some(Resume::Return(n as i64)))
}

/// The bytes a sendmsg's msghdr at `m` gathers (at most 16 MiB).
pub fn msghdr_data(c: &Ctx<'_>, m: u64) -> SysResult<Vec<u8>> {
    const MAX: usize = 16 << 20;
    let mut h = [0u8; 32];
    c.read(m, &mut h)?;
    let iov = u64::from_ne_bytes(h[16..24].try_into().unwrap());
    let n = u64::from_ne_bytes(h[24..32].try_into().unwrap());
    if n > 1024 {
        return Err(Errno::EMSGSIZE);
    }
    let mut vecs = vec![0u8; n as usize * 16];
    c.read(iov, &mut vecs)?;
    let mut out = Vec::new();
    for v in vecs.chunks(16) {
        let base = u64::from_ne_bytes(v[0..8].try_into().unwrap());
        let len = u64::from_ne_bytes(v[8..16].try_into().unwrap()) as usize;
        if out.len() + len > MAX {
            return Err(Errno::EMSGSIZE);
        }
        let at = out.len();
        out.resize(at + len, 0);
        c.read(base, &mut out[at..])?;
    }
    Ok(out)
}

/// The socket types whose creation traps (`socket`'s type & 0xf): the
/// handler decides by family (netlink sockets are SOCK_RAW or SOCK_DGRAM).
pub const CHECKED_SOCKET_TYPES: &[u32] =
    &[libc::SOCK_DGRAM as u32, libc::SOCK_RAW as u32, SOCK_PACKET];

/// The obsolete packet socket type of AF_INET (Linux makes it a packet
/// socket).
const SOCK_PACKET: u32 = 10;

/// The socket families whose sockets of unchecked types are created
/// natively (the filter traps the others).
pub const NATIVE_FAMILIES: &[u32] = &[
    libc::AF_UNIX as u32,
    libc::AF_INET as u32,
    libc::AF_INET6 as u32,
    libc::AF_NETLINK as u32,
];

/// socket(2) of a checked type or family. Only the families a VM has use
/// for reach the host: the ones above and AF_PACKET. Others fail with
/// EAFNOSUPPORT, as on a kernel built without them (AF_VSOCK, for one,
/// would share the host's vsock port space, which no network namespace
/// confines). Packet sockets of any type, and raw IPv4 and IPv6 sockets,
/// need CAP_NET_RAW in the guest's credentials, as in Linux (the host
/// would let every guest process have them); the rest (UDP, ping sockets,
/// netlink, AF_UNIX...) run natively. Not enforced: netlink configuration
/// requests from a guest user without CAP_NET_ADMIN (Linux checks the
/// sending process, which the host sees as root of the VM's namespace).
pub fn sys_socket(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let (family, ty) = (c.arg(0) as i32, c.arg(1) as i32 & 0xf);
    if !NATIVE_FAMILIES.contains(&(family as u32)) && family != libc::AF_PACKET {
        return Err(refuse_family(c, family));
    }
    let raw_ip = matches!(family, libc::AF_INET | libc::AF_INET6) && ty == libc::SOCK_RAW;
    if !(family == libc::AF_PACKET || raw_ip || ty == SOCK_PACKET as i32) {
        return Ok(Resume::Native);
    }
    c.require(cap::NET_RAW)?;
    // Guest processes hold no host capability: ruml makes the socket in
    // the VM's network namespace and hands it over.
    let netns = c.st.netns.clone().ok_or(Errno::EAFNOSUPPORT)?;
    let full = c.arg_i32(1);
    let types = full & !(libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK);
    let sock = netns.socket(family, types, c.arg_i32(2))?;
    if full & libc::SOCK_NONBLOCK != 0 {
        ruml_platform::host::set_nonblocking(sock.as_fd(), true)?;
    }
    let r =
        c.p.install_fd(c.tid, sock.as_fd(), full & libc::SOCK_CLOEXEC != 0)?;
    Ok(Resume::Return(r))
}

/// The families socketpair(2) runs natively for.
pub const SOCKETPAIR_FAMILIES: &[u32] = &[libc::AF_UNIX as u32];

/// socketpair(2) of another family than AF_UNIX: EAFNOSUPPORT (Linux's
/// own answer for most families; the few others that pair, such as TIPC,
/// are not available in the VM).
pub fn sys_socketpair(c: &mut Ctx<'_>) -> SysResult<Resume> {
    Err(refuse_family(c, c.arg(0) as i32))
}

fn refuse_family(c: &mut Ctx<'_>, family: i32) -> Errno {
    c.st.warn_once(
        0x2_0000 + (family as u32 & 0xffff) as u64,
        &format!("socket family {family} is not available in the VM (EAFNOSUPPORT)"),
    );
    Errno::EAFNOSUPPORT
}

/// The getsockopt option names that trap (the handler looks at the level).
pub const TRAPPED_SOCKOPTS: &[u32] = &[libc::SO_PEERCRED as u32];

/// getsockopt(SOL_SOCKET, SO_PEERCRED): the host reports the peer's host
/// credentials (root of the VM's namespace for every guest process); the
/// guest gets the peer process's guest effective ids, as Linux reports
/// them. (Linux takes them when the connection was made; ruml takes them
/// when asked, from the peer process if it still exists.) Other options
/// run natively.
pub fn sys_getsockopt(c: &mut Ctx<'_>) -> SysResult<Resume> {
    if c.arg_i32(1) != libc::SOL_SOCKET || c.arg_i32(2) != libc::SO_PEERCRED {
        return Ok(Resume::Native);
    }
    let (optval, optlen) = (c.arg(3), c.arg(4));
    c.rewrite_then(
        libc::SYS_getsockopt,
        c.call.args,
        Box::new(move |c, ret| {
            // struct ucred { pid_t pid; uid_t uid; gid_t gid; }, as much
            // of it as the kernel wrote.
            let mut len = [0u8; 4];
            let mut cred = [0u8; 12];
            if ret != 0 || c.read(optlen, &mut len).is_err() || c.read(optval, &mut cred).is_err() {
                return ret;
            }
            let len = (u32::from_ne_bytes(len) as usize).min(12);
            let pid = i32::from_ne_bytes(cred[0..4].try_into().unwrap());
            if let Some(p) = c.st.tasks.any_process(pid) {
                cred[4..8].copy_from_slice(&p.creds.euid.to_ne_bytes());
                cred[8..12].copy_from_slice(&p.creds.egid.to_ne_bytes());
                let _ = c.write(optval, &cred[..len]);
            }
            ret
        }),
    )
}

/// Socket options Linux reserves to CAP_NET_ADMIN (or CAP_NET_RAW), by
/// (level, name); the filter traps setsockopt for these names.
const PRIVILEGED_SOCKOPTS: &[(i32, i32)] = &[
    (libc::SOL_SOCKET, libc::SO_MARK),
    (libc::SOL_SOCKET, libc::SO_PRIORITY),
    (libc::SOL_SOCKET, libc::SO_RCVBUFFORCE),
    (libc::SOL_SOCKET, libc::SO_SNDBUFFORCE),
    (libc::SOL_SOCKET, libc::SO_BINDTODEVICE),
    (libc::SOL_IP, libc::IP_TRANSPARENT),
    (libc::SOL_IPV6, 75), // IPV6_TRANSPARENT
];

/// The setsockopt option names that trap.
pub const TRAPPED_SETSOCKOPTS: &[u32] = &[
    libc::SO_PASSCRED as u32,
    libc::SO_MARK as u32,
    libc::SO_PRIORITY as u32,
    libc::SO_RCVBUFFORCE as u32,
    libc::SO_SNDBUFFORCE as u32,
    libc::SO_BINDTODEVICE as u32,
    libc::IP_TRANSPARENT as u32,
    75,
];

/// setsockopt of an option Linux reserves to privileged callers: for a
/// caller with CAP_NET_ADMIN or CAP_NET_RAW ruml sets it on the guest's
/// socket (guest processes hold no host capability); for anyone else the
/// call runs as made, and the host refuses what Linux refuses.
pub fn sys_setsockopt(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let (level, name) = (c.arg_i32(1), c.arg_i32(2));
    if (level, name) == (libc::SOL_SOCKET, libc::SO_PASSCRED) {
        return passcred(c);
    }
    let privileged = c.creds_capable(cap::NET_ADMIN) || c.creds_capable(cap::NET_RAW);
    if !privileged || !PRIVILEGED_SOCKOPTS.contains(&(level, name)) {
        return Ok(Resume::Native);
    }
    let len = (c.arg(4) as u32 as usize).min(256);
    let mut v = vec![0u8; len];
    c.read(c.arg(3), &mut v)?;
    let sock = guest_socket(c, c.arg_i32(0))?;
    net::setsockopt(sock.as_fd(), level, name, &v)?;
    Ok(Resume::Return(0))
}

/// bind(2) of an IPv4 or IPv6 address with a port below 1024: Linux wants
/// CAP_NET_BIND_SERVICE, which guest processes do not hold on the host; for
/// a caller with it in its guest credentials ruml binds the guest's socket.
pub fn inet_bind(c: &mut Ctx<'_>, fd: i32, addr: u64, len: u64) -> SysResult<Option<Resume>> {
    if addr == 0 || !(16..=128).contains(&len) {
        return Ok(None);
    }
    let mut sa = vec![0u8; len as usize];
    c.read(addr, &mut sa)?;
    let family = u16::from_ne_bytes([sa[0], sa[1]]) as i32;
    let port = u16::from_be_bytes([sa[2], sa[3]]);
    if !matches!(family, libc::AF_INET | libc::AF_INET6)
        || port == 0
        || port >= 1024
        || !c.creds_capable(cap::NET_BIND_SERVICE)
    {
        return Ok(None);
    }
    let sock = guest_socket(c, fd)?;
    net::bind(sock.as_fd(), &sa)?;
    Ok(Some(Resume::Return(0)))
}

/// setsockopt(SO_PASSCRED) on: the host will attach its view of the
/// sender's credentials to what the socket receives (uid 0 for every guest
/// process), so from then on recvmsg on this descriptor traps in this
/// process (a filter stacked on it), and ruml puts the sender's guest ids
/// in. (A copy of the socket at another number is not covered.)
fn passcred(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let fd = c.arg_i32(0);
    c.rewrite_then(
        libc::SYS_setsockopt,
        c.call.args,
        Box::new(move |c, ret| {
            let p = c.st.tasks.process(c.tid);
            if ret == 0 && !p.passcred_fds.contains(&fd) {
                let nr = libc::SYS_recvmsg as u32;
                if c.p.add_trap(c.tid, nr, 0, fd as u32).is_ok() {
                    c.st.tasks.process_mut(c.tid).passcred_fds.push(fd);
                }
            }
            ret
        }),
    )
}

/// recvmsg on a socket given SO_PASSCRED (see [`passcred`]): runs natively,
/// then the SCM_CREDENTIALS it received carry the sending process's guest
/// ids (its real uid and gid, as Linux attaches them) instead of the
/// host's.
pub fn sys_recvmsg(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let m = c.arg(1);
    c.rewrite_then(
        libc::SYS_recvmsg,
        c.call.args,
        Box::new(move |c, ret| {
            if ret >= 0 {
                let _ = guest_credentials(c, m);
            }
            ret
        }),
    )
}

/// Rewrites the ucred of every SCM_CREDENTIALS in the control data of the
/// msghdr at `m` (as the kernel left it after a receive).
fn guest_credentials(c: &mut Ctx<'_>, m: u64) -> SysResult<()> {
    let mut h = [0u8; 48];
    c.read(m, &mut h)?;
    let control = u64::from_ne_bytes(h[32..40].try_into().unwrap());
    let len = (u64::from_ne_bytes(h[40..48].try_into().unwrap()) as usize).min(4096);
    if control == 0 || len < 16 {
        return Ok(());
    }
    let mut buf = vec![0u8; len];
    c.read(control, &mut buf)?;
    let mut at = 0;
    // struct cmsghdr { size_t len; int level; int type; } then data,
    // each aligned to 8.
    while at + 16 <= len {
        let clen = u64::from_ne_bytes(buf[at..at + 8].try_into().unwrap()) as usize;
        let level = i32::from_ne_bytes(buf[at + 8..at + 12].try_into().unwrap());
        let ty = i32::from_ne_bytes(buf[at + 12..at + 16].try_into().unwrap());
        if clen < 16 || at + clen > len {
            break;
        }
        if (level, ty) == (libc::SOL_SOCKET, libc::SCM_CREDENTIALS) && clen >= 16 + 12 {
            let d = at + 16;
            let pid = i32::from_ne_bytes(buf[d..d + 4].try_into().unwrap());
            if let Some(p) = c.st.tasks.any_process(pid) {
                buf[d + 4..d + 8].copy_from_slice(&p.creds.ruid.to_ne_bytes());
                buf[d + 8..d + 12].copy_from_slice(&p.creds.rgid.to_ne_bytes());
                c.write(control + d as u64 + 4, &buf[d + 4..d + 12])?;
            }
        }
        at += (clen + 7) & !7;
    }
    Ok(())
}
