//! Networking calls. The guest's sockets live in the VM's own network
//! namespace and run natively; what ruml adds is the guest's credentials:
//! the host sees every guest process as root of that namespace, so the
//! configuration ioctls that Linux reserves to CAP_NET_ADMIN are trapped
//! and checked against the caller's guest capabilities first.

use super::{Ctx, Resume, SysResult};
use crate::errno::Errno;
use crate::task::cap;

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

/// ioctl with a network-configuration request: CAP_NET_ADMIN, then the
/// host does it in the VM's namespace.
pub fn sys_net_admin_ioctl(c: &mut Ctx<'_>) -> SysResult<Resume> {
    c.require(cap::NET_ADMIN)?;
    Ok(Resume::Native)
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
    if family == libc::AF_PACKET || raw_ip || ty == SOCK_PACKET as i32 {
        c.require(cap::NET_RAW)?;
    }
    Ok(Resume::Native)
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
