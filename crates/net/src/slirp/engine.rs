//! The slirp event loop: one thread, epoll (mio) over the frame descriptor,
//! the host sockets and the forwards' listeners; smoltcp terminates the
//! guest's TCP connections, the rest (ARP, ICMP echo, UDP, DHCP) is
//! answered here.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream, UdpSocket};
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet};
use smoltcp::phy::{self, ChecksumCapabilities, DeviceCapabilities, Medium};
use smoltcp::socket::tcp;
use smoltcp::wire::{
    ArpOperation, ArpPacket, ArpRepr, DhcpMessageType, DhcpOption, DhcpPacket, DhcpRepr,
    EthernetAddress, EthernetFrame, EthernetProtocol, HardwareAddress, Icmpv4Message, Icmpv4Packet,
    IpAddress, IpCidr, IpListenEndpoint, IpProtocol, Ipv4Packet, Ipv4Repr, TcpPacket, UdpPacket,
    UdpRepr,
};

use super::config::{Forward, Proto, SlirpConfig};
use super::frame;
use super::{DNS, GATEWAY, GATEWAY_MAC, GUEST, NETMASK};

pub(crate) const WAKER: Token = Token(0);
const FRAMES: Token = Token(1);

/// Frames waiting for the guest's descriptor; past this smoltcp holds its
/// segments and host reads pause.
const OUT_CAP: usize = 512;
/// Each TCP connection's buffers, each way.
const TCP_BUF: usize = 128 * 1024;
/// Frames read per loop turn before the rest of the work is done.
const READ_BURST: usize = 128;
const UDP_IDLE: Duration = Duration::from_secs(120);
const MAX_UDP_BINDINGS: usize = 512;
const MAX_TCP_CONNS: usize = 1024;
const PING_IDLE: Duration = Duration::from_secs(60);
const MAX_PING_BINDINGS: usize = 64;
const HOUSEKEEPING: Duration = Duration::from_secs(1);

fn in_subnet(a: Ipv4Addr) -> bool {
    a.octets()[..3] == GATEWAY.octets()[..3]
}

/// A host address of the guest's subnet (not the network or broadcast
/// address, not one of slirp's).
fn is_guest_addr(a: Ipv4Addr) -> bool {
    let last = a.octets()[3];
    in_subnet(a) && last != 0 && last != 255 && a != GATEWAY && a != DNS
}

/// The IP-level device smoltcp sees: packets from the guest in, packets to
/// the guest out (wrapped into frames by the engine).
struct IpDevice {
    rx: VecDeque<Vec<u8>>,
    tx: Vec<Vec<u8>>,
    room: usize,
}

struct RxTok(Vec<u8>);
struct TxTok<'a> {
    tx: &'a mut Vec<Vec<u8>>,
    room: &'a mut usize,
}

impl phy::RxToken for RxTok {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl phy::TxToken for TxTok<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut buf = vec![0u8; len];
        let r = f(&mut buf);
        *self.room = self.room.saturating_sub(1);
        self.tx.push(buf);
        r
    }
}

impl phy::Device for IpDevice {
    type RxToken<'a> = RxTok;
    type TxToken<'a> = TxTok<'a>;

    fn receive(
        &mut self,
        _: smoltcp::time::Instant,
    ) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let p = self.rx.pop_front()?;
        Some((
            RxTok(p),
            TxTok {
                tx: &mut self.tx,
                room: &mut self.room,
            },
        ))
    }

    fn transmit(&mut self, _: smoltcp::time::Instant) -> Option<Self::TxToken<'_>> {
        if self.room == 0 {
            return None;
        }
        Some(TxTok {
            tx: &mut self.tx,
            room: &mut self.room,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut c = DeviceCapabilities::default();
        c.medium = Medium::Ip;
        c.max_transmission_unit = frame::MTU;
        c
    }
}

/// One guest TCP connection and its host socket.
struct TcpConn {
    stream: TcpStream,
    /// None while the host connect is in progress.
    handle: Option<SocketHandle>,
    /// The guest's SYN (an IP packet), held until the host connects.
    syn: Option<Vec<u8>>,
    key: (SocketAddrV4, SocketAddrV4),
    readable: bool,
    writable: bool,
    /// The host sent FIN (or failed): nothing more to read.
    host_eof: bool,
    /// We shut the host socket's write side (the guest sent FIN).
    host_shut: bool,
}

/// The host socket of one guest UDP source port.
struct UdpBinding {
    sock: UdpSocket,
    guest: SocketAddrV4,
    /// Host destinations this binding sent to, and the address the guest
    /// used for each (so replies come from 10.0.2.3, 10.0.2.2, ...).
    sent_to: HashMap<SocketAddr, SocketAddrV4>,
    last: Instant,
}

/// A host ICMP socket relaying the guest's echo requests of one
/// identifier to hosts outside slirp's network.
struct PingBinding {
    sock: UdpSocket,
    /// A raw socket (replies carry their IP header, and every ICMP message
    /// the host receives arrives) rather than a ping socket (the kernel
    /// picks the identifier and hands back only the replies to it).
    raw: bool,
    guest_id: u16,
    guest: Ipv4Addr,
    last: Instant,
}

/// A `hostfwd=udp:` socket and the host peers that used it.
struct UdpFwd {
    sock: UdpSocket,
    fwd: Forward,
}

/// A host peer of a UDP forward, seen by the guest as 10.0.2.2:`port`.
struct UdpFwdPeer {
    fwd: Token,
    peer: SocketAddr,
    last: Instant,
}

pub(crate) struct Engine {
    poll: Poll,
    frames: File,
    frames_readable: bool,
    frames_writable: bool,
    frames_closed: bool,
    out: VecDeque<Vec<u8>>,
    guest_mac: Option<EthernetAddress>,
    guest_ip: Ipv4Addr,
    last_arp_probe: Option<Instant>,
    dns: Option<SocketAddrV4>,
    ip_ident: u16,
    next_token: usize,
    next_port: u16,
    start: Instant,

    iface: Interface,
    dev: IpDevice,
    sockets: SocketSet<'static>,
    tcp: HashMap<Token, TcpConn>,
    tcp_keys: HashMap<(SocketAddrV4, SocketAddrV4), Token>,
    /// Sockets whose host side is gone, left to finish TIME-WAIT.
    zombies: Vec<SocketHandle>,
    tcp_listeners: HashMap<Token, (TcpListener, Forward)>,
    udp: HashMap<Token, UdpBinding>,
    udp_keys: HashMap<SocketAddrV4, Token>,
    udp_fwds: HashMap<Token, UdpFwd>,
    udp_fwd_peers: HashMap<u16, UdpFwdPeer>,
    pings: HashMap<Token, PingBinding>,
    ping_ids: HashMap<u16, Token>,
    last_housekeeping: Instant,
}

/// A host socket for ICMP echo: a ping socket if the host allows them to
/// ruml's group, else a raw one; true for raw.
fn ping_socket() -> io::Result<(UdpSocket, bool)> {
    use socket2::{Domain, Protocol, Socket, Type};
    let (s, raw) = match Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::ICMPV4)) {
        Ok(s) => (s, false),
        Err(_) => (
            Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::ICMPV4))?,
            true,
        ),
    };
    s.set_nonblocking(true)?;
    s.set_cloexec(true)?;
    Ok((UdpSocket::from_std(s.into()), raw))
}

fn would_block(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock
}

impl Engine {
    /// Sets up the engine: the frame descriptor made non-blocking, the
    /// forwards' host sockets bound (errors here are the caller's).
    pub(crate) fn new(frames: OwnedFd, cfg: SlirpConfig, poll: Poll) -> io::Result<Engine> {
        ruml_platform::host::set_nonblocking(std::os::fd::AsFd::as_fd(&frames), true)?;
        let frames = File::from(frames);
        poll.registry().register(
            &mut SourceFd(&frames.as_raw_fd()),
            FRAMES,
            Interest::READABLE | Interest::WRITABLE,
        )?;

        let mut dev = IpDevice {
            rx: VecDeque::new(),
            tx: Vec::new(),
            room: OUT_CAP,
        };
        let mut config = Config::new(HardwareAddress::Ip);
        config.random_seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x5eed);
        let start = Instant::now();
        let mut iface = Interface::new(config, &mut dev, smoltcp::time::Instant::ZERO);
        iface.update_ip_addrs(|a| {
            let _ = a.push(IpCidr::new(IpAddress::Ipv4(GATEWAY), 24));
        });
        iface.set_any_ip(true);
        iface
            .routes_mut()
            .add_default_ipv4_route(GATEWAY)
            .map_err(|_| io::Error::other("slirp: route table full"))?;

        let dns = cfg.dns_server.or_else(|| {
            std::fs::read_to_string("/etc/resolv.conf")
                .ok()
                .and_then(|t| super::config::nameserver_of(&t))
        });

        let mut e = Engine {
            poll,
            frames,
            frames_readable: true,
            frames_writable: true,
            frames_closed: false,
            out: VecDeque::new(),
            guest_mac: None,
            guest_ip: GUEST,
            last_arp_probe: None,
            dns,
            ip_ident: 1,
            next_token: 2,
            next_port: 0,
            start,
            iface,
            dev,
            sockets: SocketSet::new(Vec::new()),
            tcp: HashMap::new(),
            tcp_keys: HashMap::new(),
            zombies: Vec::new(),
            tcp_listeners: HashMap::new(),
            udp: HashMap::new(),
            udp_keys: HashMap::new(),
            udp_fwds: HashMap::new(),
            udp_fwd_peers: HashMap::new(),
            pings: HashMap::new(),
            ping_ids: HashMap::new(),
            last_housekeeping: start,
        };
        for f in cfg.forwards {
            let addr = SocketAddr::V4(SocketAddrV4::new(f.host_addr, f.host_port));
            let tok = e.token();
            let what = |err: io::Error| {
                io::Error::new(
                    err.kind(),
                    format!("slirp: hostfwd on {addr} ({:?}): {err}", f.proto),
                )
            };
            match f.proto {
                Proto::Tcp => {
                    let mut l = TcpListener::bind(addr).map_err(what)?;
                    e.poll
                        .registry()
                        .register(&mut l, tok, Interest::READABLE)?;
                    e.tcp_listeners.insert(tok, (l, f));
                }
                Proto::Udp => {
                    let mut s = UdpSocket::bind(addr).map_err(what)?;
                    e.poll
                        .registry()
                        .register(&mut s, tok, Interest::READABLE)?;
                    e.udp_fwds.insert(tok, UdpFwd { sock: s, fwd: f });
                }
            }
        }
        Ok(e)
    }

    /// Registers a new host datagram socket for reading; its token.
    fn register_udp(&mut self, sock: &mut UdpSocket) -> Option<Token> {
        let t = self.token();
        self.poll
            .registry()
            .register(sock, t, Interest::READABLE)
            .ok()
            .map(|_| t)
    }

    fn token(&mut self) -> Token {
        self.next_token += 1;
        Token(self.next_token)
    }

    fn now(&self) -> smoltcp::time::Instant {
        smoltcp::time::Instant::from_micros(self.start.elapsed().as_micros() as i64)
    }

    /// Runs until `stop` is set (and the waker woken) or the frame
    /// descriptor's peer goes away.
    pub(crate) fn run(&mut self, stop: &AtomicBool) -> io::Result<()> {
        let mut events = Events::with_capacity(256);
        let mut buf = vec![0u8; 65536];
        loop {
            if stop.load(Ordering::Acquire) {
                return Ok(());
            }
            let timeout = self.timeout();
            if let Err(e) = self.poll.poll(&mut events, timeout) {
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(e);
                }
            }
            for ev in events.iter() {
                let t = ev.token();
                if t == WAKER {
                    continue;
                }
                if t == FRAMES {
                    self.frames_readable |= ev.is_readable() || ev.is_read_closed();
                    self.frames_writable |= ev.is_writable() || ev.is_error();
                    self.frames_closed |= ev.is_read_closed();
                } else if let Some(c) = self.tcp.get_mut(&t) {
                    c.readable |= ev.is_readable() || ev.is_read_closed() || ev.is_error();
                    c.writable |= ev.is_writable() || ev.is_write_closed() || ev.is_error();
                } else if self.tcp_listeners.contains_key(&t) {
                    self.accept(t);
                } else if self.udp.contains_key(&t) {
                    self.udp_replies(t, &mut buf);
                } else if self.udp_fwds.contains_key(&t) {
                    self.udp_fwd_in(t, &mut buf);
                } else if self.pings.contains_key(&t) {
                    self.ping_replies(t, &mut buf);
                }
            }
            if self.read_frames(&mut buf) {
                return Ok(());
            }
            self.connects();
            self.pump_all();
            self.egress();
            self.reap();
            self.flush();
            if self.last_housekeeping.elapsed() >= HOUSEKEEPING {
                self.housekeeping();
            }
        }
    }

    fn timeout(&mut self) -> Option<Duration> {
        if self.frames_readable {
            return Some(Duration::ZERO);
        }
        let mut t = HOUSEKEEPING;
        if self.out.len() < OUT_CAP {
            let now = self.now();
            if let Some(d) = self.iface.poll_delay(now, &self.sockets) {
                t = t.min(Duration::from_micros(d.total_micros()));
            }
        }
        Some(t)
    }

    /// Reads and handles a burst of frames; true when the peer is gone.
    fn read_frames(&mut self, buf: &mut [u8]) -> bool {
        for _ in 0..READ_BURST {
            if !self.frames_readable {
                return false;
            }
            match (&self.frames).read(buf) {
                Ok(0) => {
                    if self.frames_closed {
                        return true;
                    }
                    // An empty datagram: not a frame.
                }
                Ok(n) => self.frame_in(&buf[..n]),
                Err(e) if would_block(&e) => {
                    self.frames_readable = false;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    // E.g. a tap whose interface went down: wait for events.
                    self.frames_readable = false;
                }
            }
        }
        false
    }

    fn flush(&mut self) {
        while self.frames_writable {
            let Some(f) = self.out.front() else { break };
            match (&self.frames).write(f) {
                Ok(_) => {
                    self.out.pop_front();
                }
                Err(e) if would_block(&e) => self.frames_writable = false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    // Not deliverable (peer gone, too big): drop it.
                    self.out.pop_front();
                }
            }
        }
    }

    fn send_frame(&mut self, f: Vec<u8>) {
        if self.out.len() < OUT_CAP {
            self.out.push_back(f);
        }
    }

    fn next_ident(&mut self) -> u16 {
        self.ip_ident = self.ip_ident.wrapping_add(1);
        self.ip_ident
    }

    /// An IP packet (`l4` being its payload) to the guest; without the
    /// guest's MAC the packet is dropped and the guest is asked for it.
    fn send_ip(&mut self, src: Ipv4Addr, dst: Ipv4Addr, proto: IpProtocol, l4: &[u8]) {
        let dst_mac = if dst.is_broadcast() {
            EthernetAddress::BROADCAST
        } else {
            match self.guest_mac {
                Some(m) => m,
                None => return self.probe_guest(),
            }
        };
        let ident = self.next_ident();
        for f in frame::ipv4(dst_mac, GATEWAY_MAC, src, dst, proto, ident, l4) {
            self.send_frame(f);
        }
    }

    /// An ARP request for the guest's address (at most one a second).
    fn probe_guest(&mut self) {
        if self
            .last_arp_probe
            .is_some_and(|t| t.elapsed() < Duration::from_secs(1))
        {
            return;
        }
        self.last_arp_probe = Some(Instant::now());
        let f = frame::arp(
            EthernetAddress::BROADCAST,
            GATEWAY_MAC,
            ArpOperation::Request,
            GATEWAY,
            EthernetAddress([0; 6]),
            self.guest_ip,
        );
        self.send_frame(f);
    }

    fn learn(&mut self, mac: EthernetAddress, ip: Ipv4Addr) {
        if mac.is_unicast() && is_guest_addr(ip) {
            self.guest_mac = Some(mac);
            self.guest_ip = ip;
        }
    }

    /// Where a guest's packet to `d` goes on the host, if anywhere.
    fn map_dest(&self, d: SocketAddrV4) -> Option<SocketAddr> {
        let ip = *d.ip();
        if ip == GATEWAY {
            return Some(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), d.port()));
        }
        if ip == DNS {
            return if d.port() == 53 {
                self.dns.map(SocketAddr::V4)
            } else {
                None
            };
        }
        if in_subnet(ip)
            || ip.is_broadcast()
            || ip.is_multicast()
            || ip.is_unspecified()
            || ip.is_loopback()
        {
            return None;
        }
        Some(SocketAddr::V4(d))
    }

    // ---- frames from the guest ----

    pub(crate) fn frame_in(&mut self, buf: &[u8]) {
        let Ok(eth) = EthernetFrame::new_checked(buf) else {
            return;
        };
        let (dst, src) = (eth.dst_addr(), eth.src_addr());
        if !src.is_unicast() || !(dst == GATEWAY_MAC || dst.is_broadcast()) {
            return;
        }
        match eth.ethertype() {
            EthernetProtocol::Arp => self.arp_in(eth.payload()),
            EthernetProtocol::Ipv4 => self.ipv4_in(src, eth.payload()),
            _ => {}
        }
    }

    fn arp_in(&mut self, b: &[u8]) {
        let Ok(p) = ArpPacket::new_checked(b) else {
            return;
        };
        let Ok(ArpRepr::EthernetIpv4 {
            operation,
            source_hardware_addr: smac,
            source_protocol_addr: sip,
            target_protocol_addr: tip,
            ..
        }) = ArpRepr::parse(&p)
        else {
            return;
        };
        self.learn(smac, sip);
        if operation == ArpOperation::Request
            && is_guest_addr(sip)
            && in_subnet(tip)
            && tip != sip
            && tip != self.guest_ip
            && !matches!(tip.octets()[3], 0 | 255)
        {
            let f = frame::arp(smac, GATEWAY_MAC, ArpOperation::Reply, tip, smac, sip);
            self.send_frame(f);
        }
    }

    fn ipv4_in(&mut self, src_mac: EthernetAddress, b: &[u8]) {
        let caps = ChecksumCapabilities::default();
        let Ok(p) = Ipv4Packet::new_checked(b) else {
            return;
        };
        let Ok(repr) = Ipv4Repr::parse(&p, &caps) else {
            return;
        };
        // No reassembly: a guest with a 1500-byte MTU fragments only
        // oversized UDP datagrams.
        if p.more_frags() || p.frag_offset() != 0 {
            return;
        }
        let (src, dst) = (repr.src_addr, repr.dst_addr);
        let total = p.total_len() as usize;
        let payload = &p.payload()[..repr.payload_len];
        if src.is_unspecified() {
            // Only DHCP comes from 0.0.0.0.
            if repr.next_header == IpProtocol::Udp {
                self.udp_in(src_mac, src, dst, payload);
            }
            return;
        }
        if !is_guest_addr(src) {
            return;
        }
        self.learn(src_mac, src);
        match repr.next_header {
            IpProtocol::Udp => self.udp_in(src_mac, src, dst, payload),
            IpProtocol::Icmp => self.icmp_in(src, dst, payload),
            IpProtocol::Tcp => self.tcp_in(&b[..total], src, dst, payload),
            _ => {}
        }
    }

    fn icmp_in(&mut self, src: Ipv4Addr, dst: Ipv4Addr, b: &[u8]) {
        let Ok(p) = Icmpv4Packet::new_checked(b) else {
            return;
        };
        if !p.verify_checksum() || p.msg_type() != Icmpv4Message::EchoRequest || p.msg_code() != 0 {
            return;
        }
        if dst != GATEWAY && dst != DNS {
            if !in_subnet(dst) && !dst.is_loopback() && !dst.is_multicast() && !dst.is_broadcast() {
                self.ping_out(src, dst, b);
            }
            return;
        }
        let mut reply = b.to_vec();
        let mut r = Icmpv4Packet::new_unchecked(&mut reply[..]);
        r.set_msg_type(Icmpv4Message::EchoReply);
        r.fill_checksum();
        self.send_ip(dst, src, IpProtocol::Icmp, &reply);
    }

    // ---- ICMP echo to other hosts ----

    /// Sends the guest's echo request to `dst` through a host ICMP socket:
    /// a ping socket where the host's net.ipv4.ping_group_range allows
    /// ruml's group (Debian's default allows everyone), else a raw socket
    /// (with CAP_NET_RAW); without either the request is dropped, as a
    /// network without a route would.
    fn ping_out(&mut self, src: Ipv4Addr, dst: Ipv4Addr, b: &[u8]) {
        let id = u16::from_be_bytes([b[4], b[5]]);
        let t = match self.ping_ids.get(&id) {
            Some(&t) => t,
            None => {
                if self.pings.len() >= MAX_PING_BINDINGS {
                    return;
                }
                let Ok((mut sock, raw)) = ping_socket() else {
                    return;
                };
                let Some(t) = self.register_udp(&mut sock) else {
                    return;
                };
                self.pings.insert(
                    t,
                    PingBinding {
                        sock,
                        raw,
                        guest_id: id,
                        guest: src,
                        last: Instant::now(),
                    },
                );
                self.ping_ids.insert(id, t);
                t
            }
        };
        if let Some(p) = self.pings.get_mut(&t) {
            p.last = Instant::now();
            p.guest = src;
            let _ = p.sock.send_to(b, SocketAddr::V4(SocketAddrV4::new(dst, 0)));
        }
    }

    /// Echo replies from the host, for the guest.
    fn ping_replies(&mut self, t: Token, buf: &mut [u8]) {
        loop {
            let Some(p) = self.pings.get_mut(&t) else {
                return;
            };
            let (n, from) = match p.sock.recv_from(buf) {
                Ok(x) => x,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if would_block(&e) => return,
                Err(_) => continue,
            };
            let IpAddr::V4(from) = from.ip() else {
                continue;
            };
            let (guest_id, guest, raw) = (p.guest_id, p.guest, p.raw);
            // A raw socket's datagram starts with the IP header.
            let start = if raw {
                usize::from(buf[0] & 0xf) * 4
            } else {
                0
            };
            if n < start + 8 {
                continue;
            }
            let mut reply = buf[start..n].to_vec();
            let mut r = Icmpv4Packet::new_unchecked(&mut reply[..]);
            if r.msg_type() != Icmpv4Message::EchoReply || (raw && r.echo_ident() != guest_id) {
                continue;
            }
            r.set_echo_ident(guest_id);
            r.fill_checksum();
            self.send_ip(from, guest, IpProtocol::Icmp, &reply);
        }
    }

    fn expire_pings(&mut self) {
        let old: Vec<Token> = self
            .pings
            .iter()
            .filter(|(_, p)| p.last.elapsed() >= PING_IDLE)
            .map(|(&t, _)| t)
            .collect();
        for t in old {
            if let Some(mut p) = self.pings.remove(&t) {
                let _ = self.poll.registry().deregister(&mut p.sock);
                self.ping_ids.remove(&p.guest_id);
            }
        }
    }

    // ---- UDP ----

    fn udp_in(&mut self, src_mac: EthernetAddress, src: Ipv4Addr, dst: Ipv4Addr, b: &[u8]) {
        let caps = ChecksumCapabilities::default();
        let Ok(p) = UdpPacket::new_checked(b) else {
            return;
        };
        let Ok(r) = UdpRepr::parse(&p, &src.into(), &dst.into(), &caps) else {
            return;
        };
        let data = p.payload();
        if r.dst_port == 67 && r.src_port == 68 && (dst == GATEWAY || dst.is_broadcast()) {
            return self.dhcp_in(src_mac, data);
        }
        if src.is_unspecified() {
            return;
        }
        let gsrc = SocketAddrV4::new(src, r.src_port);
        let gdst = SocketAddrV4::new(dst, r.dst_port);
        if dst == GATEWAY {
            if let Some(peer) = self.udp_fwd_peers.get_mut(&r.dst_port) {
                if let Some(f) = self.udp_fwds.get(&peer.fwd) {
                    if f.fwd.guest_port == r.src_port {
                        peer.last = Instant::now();
                        let _ = f.sock.send_to(data, peer.peer);
                        return;
                    }
                }
            }
        }
        let Some(target) = self.map_dest(gdst) else {
            return;
        };
        let tok = match self.udp_keys.get(&gsrc) {
            Some(&t) => t,
            None => {
                if self.udp.len() >= MAX_UDP_BINDINGS {
                    self.expire_udp(Duration::ZERO, 1);
                }
                let Ok(mut sock) = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0).into()) else {
                    return;
                };
                let Some(t) = self.register_udp(&mut sock) else {
                    return;
                };
                self.udp.insert(
                    t,
                    UdpBinding {
                        sock,
                        guest: gsrc,
                        sent_to: HashMap::new(),
                        last: Instant::now(),
                    },
                );
                self.udp_keys.insert(gsrc, t);
                t
            }
        };
        let Some(u) = self.udp.get_mut(&tok) else {
            return;
        };
        u.last = Instant::now();
        if u.sent_to.len() < 256 || u.sent_to.contains_key(&target) {
            u.sent_to.insert(target, gdst);
        }
        let _ = u.sock.send_to(data, target);
    }

    /// Host replies to a guest's UDP binding.
    fn udp_replies(&mut self, t: Token, buf: &mut [u8]) {
        loop {
            let Some(u) = self.udp.get_mut(&t) else {
                return;
            };
            let (n, from) = match u.sock.recv_from(buf) {
                Ok(x) => x,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // WouldBlock, or an ICMP error reported on the socket.
                Err(e) if would_block(&e) => return,
                Err(_) => continue,
            };
            u.last = Instant::now();
            let guest = u.guest;
            let Some(seen_as) = u.sent_to.get(&from).copied().or_else(|| guest_view(from)) else {
                continue;
            };
            let seg = frame::udp_segment(seen_as, guest, &buf[..n]);
            self.send_ip(*seen_as.ip(), *guest.ip(), IpProtocol::Udp, &seg);
        }
    }

    /// Datagrams to a `hostfwd=udp:` port, for the guest.
    fn udp_fwd_in(&mut self, t: Token, buf: &mut [u8]) {
        loop {
            let Some(f) = self.udp_fwds.get(&t) else {
                return;
            };
            let (n, from) = match f.sock.recv_from(buf) {
                Ok(x) => x,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if would_block(&e) => return,
                Err(_) => continue,
            };
            let guest =
                SocketAddrV4::new(f.fwd.guest_addr.unwrap_or(self.guest_ip), f.fwd.guest_port);
            let port = match self
                .udp_fwd_peers
                .iter()
                .find(|(_, p)| p.fwd == t && p.peer == from)
                .map(|(&port, _)| port)
            {
                Some(p) => p,
                None => {
                    let Some(p) = self.free_port() else { continue };
                    p
                }
            };
            self.udp_fwd_peers.insert(
                port,
                UdpFwdPeer {
                    fwd: t,
                    peer: from,
                    last: Instant::now(),
                },
            );
            let src = SocketAddrV4::new(GATEWAY, port);
            let seg = frame::udp_segment(src, guest, &buf[..n]);
            self.send_ip(GATEWAY, *guest.ip(), IpProtocol::Udp, &seg);
        }
    }

    /// A port of 10.0.2.2 for a connection or peer coming from the host.
    fn free_port(&mut self) -> Option<u16> {
        for _ in 0..16384 {
            self.next_port = (self.next_port + 1) % 16384;
            let p = 49152 + self.next_port;
            let used_tcp = self
                .tcp_keys
                .keys()
                .any(|(_, r)| *r.ip() == GATEWAY && r.port() == p);
            if !used_tcp && !self.udp_fwd_peers.contains_key(&p) {
                return Some(p);
            }
        }
        None
    }

    fn expire_udp(&mut self, idle: Duration, at_least: usize) {
        let mut old: Vec<(Instant, Token)> = self
            .udp
            .iter()
            .filter(|(_, u)| u.last.elapsed() >= idle)
            .map(|(&t, u)| (u.last, t))
            .collect();
        old.sort();
        let n = if at_least > 0 { at_least } else { old.len() };
        for (_, t) in old.into_iter().take(n) {
            if let Some(mut u) = self.udp.remove(&t) {
                let _ = self.poll.registry().deregister(&mut u.sock);
                self.udp_keys.remove(&u.guest);
            }
        }
    }

    fn housekeeping(&mut self) {
        self.last_housekeeping = Instant::now();
        self.expire_udp(UDP_IDLE, 0);
        self.expire_pings();
        self.udp_fwd_peers
            .retain(|_, p| p.last.elapsed() < UDP_IDLE);
    }

    // ---- DHCP ----

    fn dhcp_in(&mut self, src_mac: EthernetAddress, b: &[u8]) {
        let Ok(p) = DhcpPacket::new_checked(b) else {
            return;
        };
        let Ok(req) = DhcpRepr::parse(&p) else {
            return;
        };
        let mac = req.client_hardware_address;
        if !mac.is_unicast() || mac != src_mac {
            return;
        }
        let lease = GUEST;
        let reply = match req.message_type {
            DhcpMessageType::Discover => DhcpMessageType::Offer,
            DhcpMessageType::Request => {
                if req.server_identifier.is_some_and(|s| s != GATEWAY) {
                    // The client chose another server.
                    return;
                }
                let wanted = req
                    .requested_ip
                    .or_else(|| (!req.client_ip.is_unspecified()).then_some(req.client_ip));
                if wanted.is_some_and(|w| w != lease) {
                    DhcpMessageType::Nak
                } else {
                    DhcpMessageType::Ack
                }
            }
            _ => return,
        };
        let ack = reply != DhcpMessageType::Nak;
        let dns = DNS.octets();
        let extra = [DhcpOption {
            kind: 6,
            data: &dns,
        }];
        let repr = DhcpRepr {
            message_type: reply,
            transaction_id: req.transaction_id,
            secs: 0,
            client_hardware_address: mac,
            client_ip: Ipv4Addr::UNSPECIFIED,
            your_ip: if ack { lease } else { Ipv4Addr::UNSPECIFIED },
            server_ip: GATEWAY,
            router: ack.then_some(GATEWAY),
            subnet_mask: ack.then_some(NETMASK),
            relay_agent_ip: Ipv4Addr::UNSPECIFIED,
            broadcast: false,
            requested_ip: None,
            client_identifier: None,
            server_identifier: Some(GATEWAY),
            parameter_request_list: None,
            dns_servers: None,
            max_size: None,
            lease_duration: ack.then_some(86400),
            renew_duration: None,
            rebind_duration: None,
            additional_options: if ack { &extra } else { &[] },
        };
        // BOOTP's minimum message size, which some clients insist on.
        let mut msg = vec![0u8; repr.buffer_len().max(300)];
        if repr
            .emit(&mut DhcpPacket::new_unchecked(&mut msg[..]))
            .is_err()
        {
            return;
        }
        if reply == DhcpMessageType::Ack {
            self.guest_mac = Some(mac);
            self.guest_ip = lease;
        }
        let seg = frame::udp_segment(
            SocketAddrV4::new(GATEWAY, 67),
            SocketAddrV4::new(Ipv4Addr::BROADCAST, 68),
            &msg,
        );
        self.send_ip(GATEWAY, Ipv4Addr::BROADCAST, IpProtocol::Udp, &seg);
    }

    // ---- TCP ----

    fn tcp_in(&mut self, packet: &[u8], src: Ipv4Addr, dst: Ipv4Addr, b: &[u8]) {
        let Ok(p) = TcpPacket::new_checked(b) else {
            return;
        };
        if !p.verify_checksum(&src.into(), &dst.into()) {
            return;
        }
        let key = (
            SocketAddrV4::new(src, p.src_port()),
            SocketAddrV4::new(dst, p.dst_port()),
        );
        if let Some(t) = self.tcp_keys.get(&key) {
            if self.tcp.get(t).is_some_and(|c| c.handle.is_some()) {
                self.feed(packet);
            }
            // Else the host connect is in progress: a retransmitted SYN.
            return;
        }
        if !(p.syn() && !p.ack() && !p.rst()) {
            // smoltcp answers strays with RST (or finishes a TIME-WAIT).
            self.feed(packet);
            return;
        }
        let refuse = |e: &mut Self| {
            let rst = frame::tcp_rst(key.0, key.1, Some(p.seq_number() + 1), Default::default());
            e.send_ip(dst, src, IpProtocol::Tcp, &rst);
        };
        let Some(target) = self.map_dest(key.1) else {
            return refuse(self);
        };
        if self.tcp.len() >= MAX_TCP_CONNS {
            return refuse(self);
        }
        let Ok(mut stream) = TcpStream::connect(target) else {
            return refuse(self);
        };
        let t = self.token();
        if self
            .poll
            .registry()
            .register(&mut stream, t, Interest::READABLE | Interest::WRITABLE)
            .is_err()
        {
            return refuse(self);
        }
        self.tcp.insert(
            t,
            TcpConn {
                stream,
                handle: None,
                syn: Some(packet.to_vec()),
                key,
                readable: false,
                writable: false,
                host_eof: false,
                host_shut: false,
            },
        );
        self.tcp_keys.insert(key, t);
    }

    /// One IP packet from the guest into smoltcp.
    fn feed(&mut self, packet: &[u8]) {
        self.dev.room = OUT_CAP.saturating_sub(self.out.len());
        self.dev.rx.push_back(packet.to_vec());
        let now = self.now();
        self.iface
            .poll_ingress_single(now, &mut self.dev, &mut self.sockets);
        self.dev.rx.clear();
        self.wrap_ip_out();
    }

    /// smoltcp's packets to the guest, as frames.
    fn wrap_ip_out(&mut self) {
        let tx = std::mem::take(&mut self.dev.tx);
        if tx.is_empty() {
            return;
        }
        let Some(mac) = self.guest_mac else {
            return self.probe_guest();
        };
        for p in tx {
            let f = frame::ethernet(mac, GATEWAY_MAC, EthernetProtocol::Ipv4, p.len(), |b| {
                b.copy_from_slice(&p)
            });
            self.send_frame(f);
        }
    }

    fn egress(&mut self) {
        self.dev.room = OUT_CAP.saturating_sub(self.out.len());
        let now = self.now();
        self.iface
            .poll_egress(now, &mut self.dev, &mut self.sockets);
        self.wrap_ip_out();
    }

    /// Host connects that finished: accept the guest's SYN, or refuse it.
    fn connects(&mut self) {
        let pending: Vec<Token> = self
            .tcp
            .iter()
            .filter(|(_, c)| c.handle.is_none() && (c.writable || c.readable))
            .map(|(&t, _)| t)
            .collect();
        for t in pending {
            let Some(c) = self.tcp.get_mut(&t) else {
                continue;
            };
            let ok = match c.stream.take_error() {
                Ok(Some(_)) | Err(_) => false,
                Ok(None) => match c.stream.peer_addr() {
                    Ok(_) => true,
                    Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                        // Spurious wake-up: still connecting.
                        c.readable = false;
                        c.writable = false;
                        continue;
                    }
                    Err(_) => false,
                },
            };
            let syn = c.syn.take().unwrap_or_default();
            let key = c.key;
            if !ok {
                self.drop_conn(t);
                if let Ok(p) = Ipv4Packet::new_checked(&syn[..]) {
                    if let Ok(tp) = TcpPacket::new_checked(p.payload()) {
                        let rst = frame::tcp_rst(
                            key.0,
                            key.1,
                            Some(tp.seq_number() + 1),
                            Default::default(),
                        );
                        self.send_ip(*key.1.ip(), *key.0.ip(), IpProtocol::Tcp, &rst);
                    }
                }
                continue;
            }
            let mut s = new_tcp_socket();
            let ep = IpListenEndpoint {
                addr: Some(IpAddress::Ipv4(*key.1.ip())),
                port: key.1.port(),
            };
            if s.listen(ep).is_err() {
                self.drop_conn(t);
                continue;
            }
            let h = self.sockets.add(s);
            if let Some(c) = self.tcp.get_mut(&t) {
                c.handle = Some(h);
            }
            self.feed(&syn);
            if self.sockets.get::<tcp::Socket>(h).state() == tcp::State::Listen {
                // smoltcp did not take the SYN.
                self.drop_conn(t);
            }
        }
    }

    /// A connection to a `hostfwd=tcp:` port: connect into the guest.
    fn accept(&mut self, lt: Token) {
        loop {
            let Some((l, f)) = self.tcp_listeners.get(&lt) else {
                return;
            };
            let guest = SocketAddrV4::new(f.guest_addr.unwrap_or(self.guest_ip), f.guest_port);
            let mut stream = match l.accept() {
                Ok((s, _)) => s,
                Err(e) if would_block(&e) => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // ECONNABORTED, EMFILE...: try again on the next event.
                Err(_) => return,
            };
            if self.tcp.len() >= MAX_TCP_CONNS {
                continue;
            }
            let Some(port) = self.free_port() else {
                continue;
            };
            let local = SocketAddrV4::new(GATEWAY, port);
            let mut s = new_tcp_socket();
            if s.connect(
                self.iface.context(),
                (IpAddress::Ipv4(*guest.ip()), guest.port()),
                (IpAddress::Ipv4(GATEWAY), port),
            )
            .is_err()
            {
                continue;
            }
            let t = self.token();
            if self
                .poll
                .registry()
                .register(&mut stream, t, Interest::READABLE | Interest::WRITABLE)
                .is_err()
            {
                continue;
            }
            let h = self.sockets.add(s);
            let key = (guest, local);
            self.tcp.insert(
                t,
                TcpConn {
                    stream,
                    handle: Some(h),
                    syn: None,
                    key,
                    readable: true,
                    writable: true,
                    host_eof: false,
                    host_shut: false,
                },
            );
            self.tcp_keys.insert(key, t);
        }
    }

    /// Moves data between each connection's host socket and smoltcp.
    fn pump_all(&mut self) {
        for c in self.tcp.values_mut() {
            let Some(h) = c.handle else { continue };
            let s = self.sockets.get_mut::<tcp::Socket>(h);
            pump(c, s);
        }
    }

    /// Forgets connections that are over.
    fn reap(&mut self) {
        let mut gone = Vec::new();
        for (&t, c) in &self.tcp {
            let Some(h) = c.handle else { continue };
            match self.sockets.get::<tcp::Socket>(h).state() {
                tcp::State::Closed => gone.push((t, false)),
                tcp::State::TimeWait if c.host_eof && c.host_shut => gone.push((t, true)),
                _ => {}
            }
        }
        for (t, zombie) in gone {
            if zombie {
                if let Some(h) = self.tcp.get_mut(&t).and_then(|c| c.handle.take()) {
                    self.zombies.push(h);
                }
            }
            self.drop_conn(t);
        }
        let sockets = &mut self.sockets;
        self.zombies.retain(|&h| {
            let closed = sockets.get::<tcp::Socket>(h).state() == tcp::State::Closed;
            if closed {
                sockets.remove(h);
            }
            !closed
        });
    }

    fn drop_conn(&mut self, t: Token) {
        if let Some(mut c) = self.tcp.remove(&t) {
            let _ = self.poll.registry().deregister(&mut c.stream);
            self.tcp_keys.remove(&c.key);
            if let Some(h) = c.handle {
                self.sockets.remove(h);
            }
        }
    }
}

fn new_tcp_socket() -> tcp::Socket<'static> {
    let mut s = tcp::Socket::new(
        tcp::SocketBuffer::new(vec![0; TCP_BUF]),
        tcp::SocketBuffer::new(vec![0; TCP_BUF]),
    );
    // Data is relayed as it comes; the host's side does its own batching.
    s.set_nagle_enabled(false);
    s
}

/// How the guest sees a host address that sent it a datagram.
fn guest_view(from: SocketAddr) -> Option<SocketAddrV4> {
    match from {
        SocketAddr::V4(a) if a.ip().is_loopback() => Some(SocketAddrV4::new(GATEWAY, a.port())),
        SocketAddr::V4(a) => Some(a),
        SocketAddr::V6(_) => None,
    }
}

/// Relays one connection both ways as far as buffers and sockets allow.
fn pump(c: &mut TcpConn, s: &mut tcp::Socket<'_>) {
    // Guest to host.
    while c.writable && !c.host_shut && s.can_recv() {
        let stream = &c.stream;
        match s.recv(|b| match (&*stream).write(b) {
            Ok(n) => (n, Ok(n)),
            Err(e) => (0, Err(e)),
        }) {
            Ok(Ok(_)) => {}
            Ok(Err(e)) if would_block(&e) => c.writable = false,
            Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
            Ok(Err(_)) => {
                // The host connection is broken: reset the guest's.
                s.abort();
                c.host_eof = true;
                c.host_shut = true;
                return;
            }
            Err(_) => break,
        }
    }
    // The guest sent FIN and all its data is delivered.
    let guest_done = matches!(
        s.state(),
        tcp::State::CloseWait | tcp::State::LastAck | tcp::State::Closing | tcp::State::TimeWait
    );
    if guest_done && !c.host_shut && s.recv_queue() == 0 {
        let _ = c.stream.shutdown(std::net::Shutdown::Write);
        c.host_shut = true;
    }
    // Host to guest.
    while c.readable && !c.host_eof && s.can_send() {
        let stream = &c.stream;
        match s.send(|b| match (&*stream).read(b) {
            Ok(n) => (n, Ok(n)),
            Err(e) => (0, Err(e)),
        }) {
            Ok(Ok(0)) => {
                c.host_eof = true;
                s.close();
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) if would_block(&e) => c.readable = false,
            Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
            Ok(Err(_)) => {
                s.abort();
                c.host_eof = true;
                c.host_shut = true;
                return;
            }
            Err(_) => break,
        }
    }
}
