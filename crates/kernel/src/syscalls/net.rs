//! Networking calls. The guest's sockets live in the VM's own network
//! namespace and run natively; what ruml adds is the guest's credentials:
//! the host sees every guest process as root of that namespace, so the
//! configuration ioctls that Linux reserves to CAP_NET_ADMIN are trapped
//! and checked against the caller's guest capabilities first.

use super::{Ctx, Resume, SysResult};
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

/// socket(2) of a checked type: packet sockets of any type, and raw IPv4
/// and IPv6 sockets, need CAP_NET_RAW in the guest's credentials, as in
/// Linux (the host would let every guest process have them); the rest
/// (UDP, ping sockets, netlink, AF_UNIX...) run natively. Not enforced:
/// netlink configuration requests from a guest user without
/// CAP_NET_ADMIN (Linux checks the sending process, which the host sees as
/// root of the VM's namespace).
pub fn sys_socket(c: &mut Ctx<'_>) -> SysResult<Resume> {
    let (family, ty) = (c.arg(0) as i32, c.arg(1) as i32 & 0xf);
    let raw_ip = matches!(family, libc::AF_INET | libc::AF_INET6) && ty == libc::SOCK_RAW;
    if family == libc::AF_PACKET || raw_ip || ty == SOCK_PACKET as i32 {
        c.require(cap::NET_RAW)?;
    }
    Ok(Resume::Native)
}
