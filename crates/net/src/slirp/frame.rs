//! Building the Ethernet frames slirp sends to the guest.

use std::net::{Ipv4Addr, SocketAddrV4};

use smoltcp::phy::ChecksumCapabilities;
use smoltcp::wire::{
    ArpOperation, ArpPacket, ArpRepr, EthernetAddress, EthernetFrame, EthernetProtocol,
    EthernetRepr, IpAddress, IpProtocol, Ipv4Packet, TcpControl, TcpPacket, TcpRepr, TcpSeqNumber,
    UdpPacket, UdpRepr,
};

pub(crate) const ETH_HDR: usize = 14;
pub(crate) const IP_HDR: usize = 20;
/// The largest IP packet on the wire (the guest's MTU).
pub(crate) const MTU: usize = 1500;

/// One Ethernet frame of `payload_len` bytes of payload that `fill` writes.
pub(crate) fn ethernet(
    dst: EthernetAddress,
    src: EthernetAddress,
    ethertype: EthernetProtocol,
    payload_len: usize,
    fill: impl FnOnce(&mut [u8]),
) -> Vec<u8> {
    let mut buf = vec![0u8; ETH_HDR + payload_len];
    let mut f = EthernetFrame::new_unchecked(&mut buf[..]);
    EthernetRepr {
        src_addr: src,
        dst_addr: dst,
        ethertype,
    }
    .emit(&mut f);
    fill(f.payload_mut());
    buf
}

/// ARP request or reply.
pub(crate) fn arp(
    dst: EthernetAddress,
    src: EthernetAddress,
    operation: ArpOperation,
    sender_ip: Ipv4Addr,
    target_mac: EthernetAddress,
    target_ip: Ipv4Addr,
) -> Vec<u8> {
    let repr = ArpRepr::EthernetIpv4 {
        operation,
        source_hardware_addr: src,
        source_protocol_addr: sender_ip,
        target_hardware_addr: target_mac,
        target_protocol_addr: target_ip,
    };
    ethernet(dst, src, EthernetProtocol::Arp, repr.buffer_len(), |b| {
        repr.emit(&mut ArpPacket::new_unchecked(b))
    })
}

/// An IPv4 packet carrying `l4` as one or more frames (fragments when it
/// does not fit the MTU).
pub(crate) fn ipv4(
    dst_mac: EthernetAddress,
    src_mac: EthernetAddress,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    proto: IpProtocol,
    ident: u16,
    l4: &[u8],
) -> Vec<Vec<u8>> {
    // Fragment payloads are multiples of 8 bytes.
    let chunk = (MTU - IP_HDR) & !7;
    let mut out = Vec::new();
    let mut off = 0;
    loop {
        let end = (off + chunk).min(l4.len());
        let part = &l4[off..end];
        let more = end < l4.len();
        out.push(ethernet(
            dst_mac,
            src_mac,
            EthernetProtocol::Ipv4,
            IP_HDR + part.len(),
            |b| {
                let mut p = Ipv4Packet::new_unchecked(b);
                p.set_version(4);
                p.set_header_len(IP_HDR as u8);
                p.set_dscp(0);
                p.set_ecn(0);
                p.set_total_len((IP_HDR + part.len()) as u16);
                p.set_ident(ident);
                p.clear_flags();
                p.set_dont_frag(off == 0 && !more);
                p.set_more_frags(more);
                p.set_frag_offset(off as u16);
                p.set_hop_limit(64);
                p.set_next_header(proto);
                p.set_src_addr(src);
                p.set_dst_addr(dst);
                p.fill_checksum();
                p.payload_mut()[..part.len()].copy_from_slice(part);
            },
        ));
        if !more {
            return out;
        }
        off = end;
    }
}

/// The UDP header and payload of a datagram, checksummed.
pub(crate) fn udp_segment(src: SocketAddrV4, dst: SocketAddrV4, payload: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 8 + payload.len()];
    let repr = UdpRepr {
        src_port: src.port(),
        dst_port: dst.port(),
    };
    repr.emit(
        &mut UdpPacket::new_unchecked(&mut buf[..]),
        &IpAddress::Ipv4(*src.ip()),
        &IpAddress::Ipv4(*dst.ip()),
        payload.len(),
        |b| b.copy_from_slice(payload),
        &ChecksumCapabilities::default(),
    );
    buf
}

/// A TCP reset answering a segment from `guest` to `remote` with sequence
/// number `seq` and `seg_len` (SYN and FIN counted).
pub(crate) fn tcp_rst(
    guest: SocketAddrV4,
    remote: SocketAddrV4,
    ack: Option<TcpSeqNumber>,
    seq: TcpSeqNumber,
) -> Vec<u8> {
    let repr = TcpRepr {
        src_port: remote.port(),
        dst_port: guest.port(),
        control: TcpControl::Rst,
        seq_number: seq,
        ack_number: ack,
        window_len: 0,
        window_scale: None,
        max_seg_size: None,
        sack_permitted: false,
        sack_ranges: [None, None, None],
        timestamp: None,
        payload: &[],
    };
    let mut buf = vec![0u8; repr.buffer_len()];
    repr.emit(
        &mut TcpPacket::new_unchecked(&mut buf[..]),
        &IpAddress::Ipv4(*remote.ip()),
        &IpAddress::Ipv4(*guest.ip()),
        &ChecksumCapabilities::default(),
    );
    buf
}

#[cfg(test)]
mod tests {
    use super::*;
    use smoltcp::wire::Ipv4Repr;

    #[test]
    fn fragments_reassemble_to_the_datagram() {
        let mac = EthernetAddress([2, 0, 0, 0, 0, 1]);
        let (a, b) = (Ipv4Addr::new(10, 0, 2, 2), Ipv4Addr::new(10, 0, 2, 15));
        let data: Vec<u8> = (0..4000u32).map(|i| (i * 7) as u8).collect();
        let frames = ipv4(mac, mac, a, b, IpProtocol::Udp, 9, &data);
        assert_eq!(frames.len(), 3);
        let mut got = Vec::new();
        for (i, f) in frames.iter().enumerate() {
            assert!(f.len() <= ETH_HDR + MTU);
            let e = EthernetFrame::new_checked(&f[..]).unwrap();
            let p = Ipv4Packet::new_checked(e.payload()).unwrap();
            assert!(p.verify_checksum());
            assert_eq!(p.frag_offset() as usize, got.len());
            assert_eq!(p.more_frags(), i < 2);
            got.extend_from_slice(p.payload());
        }
        assert_eq!(got, data);
        let one = ipv4(mac, mac, a, b, IpProtocol::Udp, 9, &data[..100]);
        let e = EthernetFrame::new_checked(&one[0][..]).unwrap();
        let p = Ipv4Packet::new_checked(e.payload()).unwrap();
        let r = Ipv4Repr::parse(&p, &ChecksumCapabilities::default()).unwrap();
        assert_eq!(r.payload_len, 100);
        assert!(p.dont_frag());
    }
}
