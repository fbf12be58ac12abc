//! slirp driven through a datagram socket pair: hand-built frames for
//! ARP, ICMP and DHCP, and a smoltcp stack as the guest for TCP and UDP.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixDatagram;
use std::time::{Duration, Instant};

use ruml_net::slirp::{Slirp, SlirpConfig, DNS, GATEWAY, GATEWAY_MAC_BYTES, GUEST};
use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet};
use smoltcp::phy::{self, ChecksumCapabilities, DeviceCapabilities, Medium};
use smoltcp::socket::{dhcpv4, tcp, udp};
use smoltcp::wire::*;

const GUEST_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x15]);
const GW_MAC: EthernetAddress = EthernetAddress(GATEWAY_MAC_BYTES);

fn start(opts: &str) -> (Slirp, UnixDatagram) {
    let (ours, theirs) = UnixDatagram::pair().unwrap();
    let s = Slirp::spawn(OwnedFd::from(theirs), SlirpConfig::parse(opts).unwrap()).unwrap();
    ours.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    (s, ours)
}

/// The next frame slirp sends that `want` accepts, within 3 s.
fn expect(wire: &UnixDatagram, want: impl Fn(&[u8]) -> bool) -> Option<Vec<u8>> {
    let end = Instant::now() + Duration::from_secs(3);
    let mut buf = vec![0u8; 65536];
    while Instant::now() < end {
        if let Ok(n) = wire.recv(&mut buf) {
            if want(&buf[..n]) {
                return Some(buf[..n].to_vec());
            }
        }
    }
    None
}

/// No frame that `want` accepts within `ms`.
fn silent(wire: &UnixDatagram, ms: u64, want: impl Fn(&[u8]) -> bool) -> bool {
    let end = Instant::now() + Duration::from_millis(ms);
    let mut buf = vec![0u8; 65536];
    while Instant::now() < end {
        if let Ok(n) = wire.recv(&mut buf) {
            if want(&buf[..n]) {
                return false;
            }
        }
    }
    true
}

fn eth(dst: EthernetAddress, proto: EthernetProtocol, payload: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; 14 + payload.len()];
    let mut f = EthernetFrame::new_unchecked(&mut b[..]);
    EthernetRepr {
        src_addr: GUEST_MAC,
        dst_addr: dst,
        ethertype: proto,
    }
    .emit(&mut f);
    f.payload_mut().copy_from_slice(payload);
    b
}

fn arp_request(sender: Ipv4Addr, target: Ipv4Addr) -> Vec<u8> {
    let r = ArpRepr::EthernetIpv4 {
        operation: ArpOperation::Request,
        source_hardware_addr: GUEST_MAC,
        source_protocol_addr: sender,
        target_hardware_addr: EthernetAddress([0; 6]),
        target_protocol_addr: target,
    };
    let mut b = vec![0u8; r.buffer_len()];
    r.emit(&mut ArpPacket::new_unchecked(&mut b[..]));
    eth(EthernetAddress::BROADCAST, EthernetProtocol::Arp, &b)
}

fn arp_reply_for(target: Ipv4Addr) -> impl Fn(&[u8]) -> bool {
    move |f| {
        let Ok(e) = EthernetFrame::new_checked(f) else {
            return false;
        };
        if e.ethertype() != EthernetProtocol::Arp {
            return false;
        }
        let Ok(p) = ArpPacket::new_checked(e.payload()) else {
            return false;
        };
        matches!(ArpRepr::parse(&p), Ok(ArpRepr::EthernetIpv4 {
            operation: ArpOperation::Reply,
            source_hardware_addr,
            source_protocol_addr,
            target_hardware_addr,
            target_protocol_addr,
        }) if source_hardware_addr == GW_MAC && source_protocol_addr == target
            && target_hardware_addr == GUEST_MAC && target_protocol_addr == GUEST
            && e.dst_addr() == GUEST_MAC && e.src_addr() == GW_MAC)
    }
}

fn ipv4(src: Ipv4Addr, dst: Ipv4Addr, proto: IpProtocol, l4: &[u8]) -> Vec<u8> {
    let r = Ipv4Repr {
        src_addr: src,
        dst_addr: dst,
        next_header: proto,
        payload_len: l4.len(),
        hop_limit: 64,
    };
    let mut b = vec![0u8; 20 + l4.len()];
    let mut p = Ipv4Packet::new_unchecked(&mut b[..]);
    r.emit(&mut p, &ChecksumCapabilities::default());
    p.payload_mut().copy_from_slice(l4);
    b
}

#[test]
fn arp_answers_for_slirp_addresses_only() {
    let (_s, wire) = start("");
    wire.send(&arp_request(GUEST, GATEWAY)).unwrap();
    assert!(expect(&wire, arp_reply_for(GATEWAY)).is_some());
    wire.send(&arp_request(GUEST, DNS)).unwrap();
    assert!(expect(&wire, arp_reply_for(DNS)).is_some());
    // The guest's own address (a duplicate-address probe) is not claimed.
    wire.send(&arp_request(GUEST, GUEST)).unwrap();
    assert!(silent(&wire, 300, |f| f.len() >= 14 && f[12..14] == [8, 6]));
}

fn echo_request(dst: Ipv4Addr, ident: u16, data: &[u8]) -> Vec<u8> {
    let r = Icmpv4Repr::EchoRequest {
        ident,
        seq_no: 7,
        data,
    };
    let mut b = vec![0u8; r.buffer_len()];
    r.emit(
        &mut Icmpv4Packet::new_unchecked(&mut b[..]),
        &ChecksumCapabilities::default(),
    );
    eth(
        GW_MAC,
        EthernetProtocol::Ipv4,
        &ipv4(GUEST, dst, IpProtocol::Icmp, &b),
    )
}

fn echo_reply(from: Ipv4Addr, ident: u16, data: &'static [u8]) -> impl Fn(&[u8]) -> bool {
    move |f| {
        let Ok(e) = EthernetFrame::new_checked(f) else {
            return false;
        };
        let Ok(p) = Ipv4Packet::new_checked(e.payload()) else {
            return false;
        };
        let caps = ChecksumCapabilities::default();
        let Ok(r) = Ipv4Repr::parse(&p, &caps) else {
            return false;
        };
        if r.next_header != IpProtocol::Icmp || r.src_addr != from || r.dst_addr != GUEST {
            return false;
        }
        let Ok(ip) = Icmpv4Packet::new_checked(p.payload()) else {
            return false;
        };
        e.dst_addr() == GUEST_MAC
            && matches!(Icmpv4Repr::parse(&ip, &caps),
            Ok(Icmpv4Repr::EchoReply { ident: i, seq_no: 7, data: d }) if i == ident && d == data)
    }
}

#[test]
fn ping_the_gateway_and_dns() {
    let (_s, wire) = start("");
    wire.send(&echo_request(GATEWAY, 0x1234, b"ping payload"))
        .unwrap();
    assert!(expect(&wire, echo_reply(GATEWAY, 0x1234, b"ping payload")).is_some());
    wire.send(&echo_request(DNS, 0x4321, b"dns?")).unwrap();
    assert!(expect(&wire, echo_reply(DNS, 0x4321, b"dns?")).is_some());
}

#[test]
fn garbage_is_dropped_and_slirp_lives_on() {
    let (s, wire) = start("");
    let mut junk: Vec<Vec<u8>> = vec![
        vec![],
        vec![0xff],
        vec![0; 13],
        vec![0xab; 60000],
        echo_request(GATEWAY, 1, b"x")[..30].to_vec(),
    ];
    // Every prefix of a valid ping, and a ping with each byte flipped.
    let good = echo_request(GATEWAY, 9, b"0123456789");
    for n in 0..good.len() {
        junk.push(good[..n].to_vec());
        let mut bad = good.clone();
        bad[n] ^= 0x5a;
        junk.push(bad);
    }
    // A pseudo-random spray.
    let mut x: u32 = 12345;
    for _ in 0..300 {
        let len = (x % 1600) as usize;
        let mut f = Vec::with_capacity(len);
        for _ in 0..len {
            x = x.wrapping_mul(1103515245).wrapping_add(12345);
            f.push((x >> 16) as u8);
        }
        if f.len() >= 14 {
            f[..6].copy_from_slice(&GATEWAY_MAC_BYTES);
            f[12..14].copy_from_slice(&[8, (x % 2) as u8 * 6]);
        }
        junk.push(f);
    }
    for f in &junk {
        let _ = wire.send(f);
    }
    assert!(!s.is_finished());
    silent(&wire, 300, |_| false);
    wire.send(&echo_request(GATEWAY, 77, b"alive")).unwrap();
    assert!(expect(&wire, echo_reply(GATEWAY, 77, b"alive")).is_some());
    s.stop().unwrap();
}

fn dhcp(msg: DhcpMessageType, requested: Option<Ipv4Addr>) -> Vec<u8> {
    let r = DhcpRepr {
        message_type: msg,
        transaction_id: 0xdeadbeef,
        secs: 0,
        client_hardware_address: GUEST_MAC,
        client_ip: Ipv4Addr::UNSPECIFIED,
        your_ip: Ipv4Addr::UNSPECIFIED,
        server_ip: Ipv4Addr::UNSPECIFIED,
        router: None,
        subnet_mask: None,
        relay_agent_ip: Ipv4Addr::UNSPECIFIED,
        broadcast: true,
        requested_ip: requested,
        client_identifier: Some(GUEST_MAC),
        server_identifier: requested.map(|_| GATEWAY),
        parameter_request_list: Some(&[1, 3, 6]),
        dns_servers: None,
        max_size: None,
        lease_duration: None,
        renew_duration: None,
        rebind_duration: None,
        additional_options: &[],
    };
    let mut d = vec![0u8; r.buffer_len()];
    r.emit(&mut DhcpPacket::new_unchecked(&mut d[..])).unwrap();
    let (src, dst) = (Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST);
    let u = UdpRepr {
        src_port: 68,
        dst_port: 67,
    };
    let mut b = vec![0u8; 8 + d.len()];
    u.emit(
        &mut UdpPacket::new_unchecked(&mut b[..]),
        &src.into(),
        &dst.into(),
        d.len(),
        |p| p.copy_from_slice(&d),
        &ChecksumCapabilities::default(),
    );
    eth(
        EthernetAddress::BROADCAST,
        EthernetProtocol::Ipv4,
        &ipv4(src, dst, IpProtocol::Udp, &b),
    )
}

/// The DHCP reply in a frame: (type, yiaddr, router, mask, dns option).
type DhcpReply = (
    DhcpMessageType,
    Ipv4Addr,
    Option<Ipv4Addr>,
    Option<Ipv4Addr>,
    Vec<Ipv4Addr>,
);

fn parse_dhcp(f: &[u8]) -> Option<DhcpReply> {
    let e = EthernetFrame::new_checked(f).ok()?;
    let p = Ipv4Packet::new_checked(e.payload()).ok()?;
    let caps = ChecksumCapabilities::default();
    let r = Ipv4Repr::parse(&p, &caps).ok()?;
    let up = UdpPacket::new_checked(p.payload()).ok()?;
    let u = UdpRepr::parse(&up, &r.src_addr.into(), &r.dst_addr.into(), &caps).ok()?;
    if (u.src_port, u.dst_port) != (67, 68) || r.src_addr != GATEWAY {
        return None;
    }
    let dp = DhcpPacket::new_checked(up.payload()).ok()?;
    let d = DhcpRepr::parse(&dp).ok()?;
    if d.transaction_id != 0xdeadbeef || d.client_hardware_address != GUEST_MAC {
        return None;
    }
    Some((
        d.message_type,
        d.your_ip,
        d.router,
        d.subnet_mask,
        d.dns_servers.map(|v| v.to_vec()).unwrap_or_default(),
    ))
}

#[test]
fn dhcp_discover_request_and_nak() {
    let (_s, wire) = start("");
    wire.send(&dhcp(DhcpMessageType::Discover, None)).unwrap();
    let offer = expect(&wire, |f| parse_dhcp(f).is_some()).expect("no DHCPOFFER");
    let lease = (
        DhcpMessageType::Offer,
        GUEST,
        Some(GATEWAY),
        Some(Ipv4Addr::new(255, 255, 255, 0)),
        vec![DNS],
    );
    assert_eq!(parse_dhcp(&offer).unwrap(), lease);
    wire.send(&dhcp(DhcpMessageType::Request, Some(GUEST)))
        .unwrap();
    let ack = expect(&wire, |f| parse_dhcp(f).is_some()).expect("no DHCPACK");
    let mut acked = lease.clone();
    acked.0 = DhcpMessageType::Ack;
    assert_eq!(parse_dhcp(&ack).unwrap(), acked);
    wire.send(&dhcp(
        DhcpMessageType::Request,
        Some(Ipv4Addr::new(10, 0, 2, 99)),
    ))
    .unwrap();
    let nak = expect(&wire, |f| parse_dhcp(f).is_some()).expect("no DHCPNAK");
    assert_eq!(parse_dhcp(&nak).unwrap().0, DhcpMessageType::Nak);
}

// ---- a smoltcp guest ----

struct Wire {
    sock: UnixDatagram,
}

struct Rx(Vec<u8>);
struct Tx<'a>(&'a UnixDatagram);

impl phy::RxToken for Rx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl phy::TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut b = vec![0u8; len];
        let r = f(&mut b);
        // Blocking: waits while slirp's queue is full.
        let _ = self.0.send(&b);
        r
    }
}

impl phy::Device for Wire {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx<'a>;
    fn receive(&mut self, _: smoltcp::time::Instant) -> Option<(Rx, Tx<'_>)> {
        let ready = ruml_platform::host::poll_readable(&[self.sock.as_fd()], 0).ok()?;
        if !ready[0] {
            return None;
        }
        let mut b = vec![0u8; 65536];
        let n = self.sock.recv(&mut b).ok()?;
        b.truncate(n);
        Some((Rx(b), Tx(&self.sock)))
    }
    fn transmit(&mut self, _: smoltcp::time::Instant) -> Option<Tx<'_>> {
        Some(Tx(&self.sock))
    }
    fn capabilities(&self) -> DeviceCapabilities {
        let mut c = DeviceCapabilities::default();
        c.medium = Medium::Ethernet;
        c.max_transmission_unit = 1514;
        c
    }
}

struct Guest {
    iface: Interface,
    dev: Wire,
    sockets: SocketSet<'static>,
    start: Instant,
}

impl Guest {
    /// A guest with 10.0.2.15/24 and a default route via 10.0.2.2 (or no
    /// address at all, for DHCP).
    fn new(sock: UnixDatagram, configured: bool) -> Guest {
        sock.set_read_timeout(None).unwrap();
        let mut dev = Wire { sock };
        let mut cfg = Config::new(HardwareAddress::Ethernet(GUEST_MAC));
        cfg.random_seed = 42;
        let mut iface = Interface::new(cfg, &mut dev, smoltcp::time::Instant::ZERO);
        if configured {
            iface.update_ip_addrs(|a| {
                a.push(IpCidr::new(IpAddress::Ipv4(GUEST), 24)).unwrap();
            });
            iface.routes_mut().add_default_ipv4_route(GATEWAY).unwrap();
        }
        Guest {
            iface,
            dev,
            sockets: SocketSet::new(Vec::new()),
            start: Instant::now(),
        }
    }

    fn now(&self) -> smoltcp::time::Instant {
        smoltcp::time::Instant::from_micros(self.start.elapsed().as_micros() as i64)
    }

    /// Runs the stack until `done` says so (panics after `secs`).
    fn run_until<T>(&mut self, secs: u64, mut done: impl FnMut(&mut Self) -> Option<T>) -> T {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            let now = self.now();
            self.iface.poll(now, &mut self.dev, &mut self.sockets);
            if let Some(t) = done(self) {
                return t;
            }
            assert!(Instant::now() < end, "guest timed out");
            let _ = ruml_platform::host::poll_readable(&[self.dev.sock.as_fd()], 2);
        }
    }

    fn tcp(&mut self) -> SocketHandle {
        let s = tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0; 256 * 1024]),
            tcp::SocketBuffer::new(vec![0; 256 * 1024]),
        );
        self.sockets.add(s)
    }
}

fn guest(opts: &str) -> (Slirp, Guest) {
    let (s, wire) = start(opts);
    (s, Guest::new(wire, true))
}

#[test]
fn dhcp_client_gets_the_lease() {
    let (_s, wire) = start("");
    let mut g = Guest::new(wire, false);
    let h = g.sockets.add(dhcpv4::Socket::new());
    let (addr, router, dns) = g.run_until(10, |g| {
        match g.sockets.get_mut::<dhcpv4::Socket>(h).poll() {
            Some(dhcpv4::Event::Configured(c)) => Some((
                c.address,
                c.router,
                c.dns_servers.iter().copied().collect::<Vec<_>>(),
            )),
            _ => None,
        }
    });
    assert_eq!(addr, Ipv4Cidr::new(GUEST, 24));
    assert_eq!(router, Some(GATEWAY));
    assert_eq!(dns, vec![DNS]);
}

/// The guest connects to a host echo server on 127.0.0.1 through
/// 10.0.2.2, sends 1 MiB, reads it back, closes; the server sees EOF.
#[test]
fn tcp_to_host_loopback_one_mebibyte_echo() {
    let srv = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = srv.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut c, peer) = srv.accept().unwrap();
        let mut buf = vec![0u8; 65536];
        let mut total = 0usize;
        loop {
            let n = c.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            total += n;
            c.write_all(&buf[..n]).unwrap();
        }
        (total, peer)
    });
    let (_s, mut g) = guest("");
    let h = g.tcp();
    let cx = g.iface.context();
    g.sockets
        .get_mut::<tcp::Socket>(h)
        .connect(cx, (IpAddress::Ipv4(GATEWAY), port), 40000)
        .unwrap();
    let data: Vec<u8> = (0..1 << 20).map(|i: u32| (i ^ (i >> 9)) as u8).collect();
    let (mut sent, mut got) = (0usize, Vec::with_capacity(data.len()));
    g.run_until(60, |g| {
        let s = g.sockets.get_mut::<tcp::Socket>(h);
        if s.can_send() && sent < data.len() {
            sent += s.send_slice(&data[sent..]).unwrap();
            if sent == data.len() {
                s.close();
            }
        }
        while s.can_recv() {
            s.recv(|b| {
                got.extend_from_slice(b);
                (b.len(), ())
            })
            .unwrap();
        }
        assert!(
            s.is_open() || got.len() == data.len(),
            "connection died: {}",
            s.state()
        );
        (got.len() == data.len() && !s.may_recv()).then_some(())
    });
    assert!(got == data, "echo differs");
    let (total, peer) = server.join().unwrap();
    assert_eq!(total, data.len());
    assert!(peer.ip().is_loopback());
}

#[test]
fn tcp_refused_by_host_is_reset() {
    // A port nobody listens on.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (_s, mut g) = guest("");
    let h = g.tcp();
    let cx = g.iface.context();
    g.sockets
        .get_mut::<tcp::Socket>(h)
        .connect(cx, (IpAddress::Ipv4(GATEWAY), port), 40001)
        .unwrap();
    // Reset well before any retransmission timeout would give up.
    g.run_until(3, |g| {
        (g.sockets.get::<tcp::Socket>(h).state() == tcp::State::Closed).then_some(())
    });
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A host client reaches a server in the guest through hostfwd.
#[test]
fn tcp_hostfwd_reaches_guest_server() {
    let port = free_port();
    let (_s, mut g) = guest(&format!("hostfwd=tcp:127.0.0.1:{port}-:8000"));
    let h = g.tcp();
    g.sockets.get_mut::<tcp::Socket>(h).listen(8000).unwrap();
    let client = std::thread::spawn(move || {
        let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        c.write_all(b"hello guest").unwrap();
        c.shutdown(std::net::Shutdown::Write).unwrap();
        let mut r = Vec::new();
        c.read_to_end(&mut r).unwrap();
        r
    });
    let mut got = Vec::new();
    let mut replied = false;
    let mut peer = None;
    g.run_until(20, |g| {
        let s = g.sockets.get_mut::<tcp::Socket>(h);
        while s.can_recv() {
            s.recv(|b| {
                got.extend_from_slice(b);
                (b.len(), ())
            })
            .unwrap();
        }
        if !replied && got == b"hello guest" && !s.may_recv() {
            s.send_slice(b"hello host").unwrap();
            s.close();
            replied = true;
        }
        peer = peer.or(s.remote_endpoint());
        // Until the host has acknowledged the reply and the FIN.
        (replied && matches!(s.state(), tcp::State::Closed | tcp::State::TimeWait)).then_some(())
    });
    let peer = peer.expect("no connection");
    assert_eq!(peer.addr, IpAddress::Ipv4(GATEWAY));
    let r = client.join().unwrap();
    assert_eq!(r, b"hello host");
}

fn udp_socket(g: &mut Guest, port: u16) -> SocketHandle {
    let mut s = udp::Socket::new(
        udp::PacketBuffer::new(vec![udp::PacketMetadata::EMPTY; 8], vec![0; 65536]),
        udp::PacketBuffer::new(vec![udp::PacketMetadata::EMPTY; 8], vec![0; 65536]),
    );
    s.bind(port).unwrap();
    g.sockets.add(s)
}

/// The guest's datagram to 10.0.2.2:P reaches 127.0.0.1:P; the reply comes
/// back from 10.0.2.2:P. A large reply arrives in fragments the guest
/// reassembles.
#[test]
fn udp_echo_through_host_loopback() {
    let srv = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = srv.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let mut buf = [0u8; 2048];
        let (n, from) = srv.recv_from(&mut buf).unwrap();
        let mut reply = buf[..n].to_vec();
        reply.reverse();
        srv.send_to(&reply, from).unwrap();
        // Larger than the MTU: slirp sends it in fragments.
        let big: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        srv.send_to(&big, from).unwrap();
        from
    });
    let (_s, mut g) = guest("");
    let h = udp_socket(&mut g, 5000);
    g.sockets
        .get_mut::<udp::Socket>(h)
        .send_slice(b"datagram!", (IpAddress::Ipv4(GATEWAY), port))
        .unwrap();
    let (data, from) = g.run_until(10, |g| {
        let s = g.sockets.get_mut::<udp::Socket>(h);
        s.recv().ok().map(|(d, m)| (d.to_vec(), m.endpoint))
    });
    assert_eq!(data, b"!margatad");
    assert_eq!(from, IpEndpoint::new(IpAddress::Ipv4(GATEWAY), port));
    let big = g.run_until(10, |g| {
        let s = g.sockets.get_mut::<udp::Socket>(h);
        s.recv().ok().map(|(d, _)| d.to_vec())
    });
    assert_eq!(
        big,
        (0..5000u32).map(|i| (i % 251) as u8).collect::<Vec<_>>()
    );
    let seen: SocketAddr = server.join().unwrap();
    assert!(seen.ip().is_loopback());
}

/// A query to 10.0.2.3:53 goes to the configured resolver; the answer
/// comes from 10.0.2.3:53.
#[test]
fn dns_is_forwarded_to_the_host_resolver() {
    let srv = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = srv.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        let (n, from) = srv.recv_from(&mut buf).unwrap();
        let mut reply = b"answer to ".to_vec();
        reply.extend_from_slice(&buf[..n]);
        srv.send_to(&reply, from).unwrap();
    });
    let (_s, mut g) = guest(&format!("dns=127.0.0.1:{port}"));
    let h = udp_socket(&mut g, 5353);
    g.sockets
        .get_mut::<udp::Socket>(h)
        .send_slice(b"query", (IpAddress::Ipv4(DNS), 53))
        .unwrap();
    let (data, from) = g.run_until(10, |g| {
        let s = g.sockets.get_mut::<udp::Socket>(h);
        s.recv().ok().map(|(d, m)| (d.to_vec(), m.endpoint))
    });
    assert_eq!(data, b"answer to query");
    assert_eq!(from, IpEndpoint::new(IpAddress::Ipv4(DNS), 53));
    server.join().unwrap();
}

/// hostfwd=udp: a host datagram reaches the guest's port, the guest's
/// answer returns to the host sender.
#[test]
fn udp_hostfwd_round_trip() {
    let port = {
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        s.local_addr().unwrap().port()
    };
    let (_s, mut g) = guest(&format!("hostfwd=udp::{port}-:7000"));
    let h = udp_socket(&mut g, 7000);
    // slirp learns the guest's MAC by ARP on the first datagram, which
    // is lost: the client repeats.
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    client
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buf = [0u8; 64];
    let mut last_send = Instant::now() - Duration::from_secs(1);
    let answer = g.run_until(15, |g| {
        if last_send.elapsed() > Duration::from_millis(500) {
            client.send_to(b"to guest", ("127.0.0.1", port)).unwrap();
            last_send = Instant::now();
        }
        let s = g.sockets.get_mut::<udp::Socket>(h);
        if let Ok((d, m)) = s.recv() {
            assert_eq!(d, b"to guest");
            assert_eq!(m.endpoint.addr, IpAddress::Ipv4(GATEWAY));
            let ep = m.endpoint;
            s.send_slice(b"to host", ep).unwrap();
        }
        client
            .set_nonblocking(true)
            .and_then(|_| client.recv_from(&mut buf))
            .ok()
            .map(|(n, _)| buf[..n].to_vec())
    });
    assert_eq!(answer, b"to host");
}
