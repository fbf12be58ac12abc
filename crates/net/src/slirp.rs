//! User-mode networking: `eth<N>=slirp[,OPTION...]`.
//!
//! A slirp NIC gives the guest a private network with a virtual router that
//! NATs to the host's network through ordinary host sockets, so it needs no
//! privilege, no bridge and no tap on the host (as QEMU's `-netdev user`):
//!
//! | address        | what it is                                              |
//! |----------------|---------------------------------------------------------|
//! | 10.0.2.0/24    | the guest's network                                     |
//! | 10.0.2.15      | the guest (offered by DHCP)                             |
//! | 10.0.2.2       | the gateway, and the host itself: 10.0.2.2:P is the host's 127.0.0.1:P |
//! | 10.0.2.3       | DNS: queries go to the host's resolver (first IPv4 `nameserver` of /etc/resolv.conf) |
//!
//! All of slirp's addresses answer ARP with the MAC 52:55:0a:00:02:02.
//! In the guest, `udhcpc -i eth0` (or `dhclient`) configures everything; by
//! hand: `ip addr add 10.0.2.15/24 dev eth0; ip link set eth0 up;
//! ip route add default via 10.0.2.2` and `nameserver 10.0.2.3`.
//!
//! What crosses the NAT: TCP connections the guest opens to any address
//! (each becomes a host connection made by ruml; a refused one is reset),
//! UDP datagrams to any address (replies come back to the guest's port),
//! DNS over UDP and TCP to 10.0.2.3:53, and ping: 10.0.2.2 and 10.0.2.3
//! answer themselves, other hosts' echo replies come back through a host
//! ping socket (where the host's `net.ipv4.ping_group_range` allows ruml's
//! group, as Debian's default does) or a raw socket (with CAP_NET_RAW). The guest can't be reached from
//! outside except through forwards.
//!
//! Options (comma-separated after `slirp`):
//!
//! * `hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT`, as
//!   QEMU's, any number of times: the host listens on HOSTADDR:HOSTPORT
//!   (HOSTADDR defaults to 127.0.0.1; 0.0.0.0 for all interfaces) and each
//!   connection (or datagram) goes to the guest's GUESTPORT (GUESTADDR
//!   defaults to the guest's address). The protocol defaults to tcp.
//!   Example: `eth0=slirp,hostfwd=tcp::8080-:80,hostfwd=udp::5353-:53`.
//! * `dns=ADDR[:PORT]`: where DNS queries to 10.0.2.3 go instead of the
//!   host's resolver.
//!
//! Limits: IPv4 only; fragmented IP packets from the guest are dropped (the
//! guest's TCP never sends them); ICMP errors from the host are not
//! relayed.

mod config;
mod engine;
mod frame;

use std::io;
use std::net::Ipv4Addr;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use smoltcp::wire::EthernetAddress;

pub use config::{Forward, ParseError, Proto, SlirpConfig};

/// The gateway, which is also the host's loopback seen from the guest.
pub const GATEWAY: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 2);
/// The DNS relay.
pub const DNS: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 3);
/// The guest's address (the one DHCP hands out).
pub const GUEST: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 15);
/// The network's mask (10.0.2.0/24).
pub const NETMASK: Ipv4Addr = Ipv4Addr::new(255, 255, 255, 0);
/// The MAC address of all of slirp's addresses.
pub const GATEWAY_MAC_BYTES: [u8; 6] = [0x52, 0x55, 0x0a, 0x00, 0x02, 0x02];
const GATEWAY_MAC: EthernetAddress = EthernetAddress(GATEWAY_MAC_BYTES);

/// A running slirp NIC: a thread that answers the guest's frames. Stopped
/// (and joined) by [`Slirp::stop`] or on drop.
pub struct Slirp {
    stop: Arc<AtomicBool>,
    waker: Arc<mio::Waker>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl Slirp {
    /// Starts the NIC's thread on `frames`, a descriptor on which each read
    /// yields one Ethernet frame from the guest and each write sends one to
    /// it (the NIC's tap, or a datagram/seqpacket socket); it is made
    /// non-blocking. Forwards are bound before this returns, so a busy
    /// host port is an error here.
    pub fn spawn(frames: OwnedFd, cfg: SlirpConfig) -> io::Result<Slirp> {
        let poll = mio::Poll::new()?;
        let waker = Arc::new(mio::Waker::new(poll.registry(), engine::WAKER)?);
        let mut engine = engine::Engine::new(frames, cfg, poll)?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("slirp".into())
            .spawn(move || engine.run(&flag))?;
        Ok(Slirp {
            stop,
            waker,
            thread: Some(thread),
        })
    }

    /// Whether the thread ended (the frame descriptor's peer closed, or an
    /// error).
    pub fn is_finished(&self) -> bool {
        !matches!(&self.thread, Some(t) if !t.is_finished())
    }

    /// Stops the thread and returns how it ended.
    pub fn stop(mut self) -> io::Result<()> {
        self.halt()
    }

    fn halt(&mut self) -> io::Result<()> {
        self.stop.store(true, Ordering::Release);
        let _ = self.waker.wake();
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(io::Error::other("slirp: thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for Slirp {
    fn drop(&mut self) {
        let _ = self.halt();
    }
}
