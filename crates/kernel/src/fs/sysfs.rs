//! A minimal sysfs: the standard top-level directories, and the network
//! devices of the guest's network namespace (`class/net/NAME`, a link to
//! `devices/virtual/net/NAME` with the usual attributes and statistics).
//!
//! The devices are the host's: guest processes live in a network namespace
//! of their own, which the kernel queries over a NETLINK_ROUTE socket it
//! took from the guest at boot (see `Kernel::open_guest_netlink`); every
//! lookup and open asks again, so the files show the state at open time.

use crate::errno::{Errno, SysResult};
use crate::kernel::State;
use crate::vfs::{Caller, DirEntry, Inode, Kind, Stat, StatFs};
use ruml_platform::host;
use std::any::Any;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// sysfs's device number (st_dev of its objects).
const SYS_DEV: u64 = 0x17;

/// The static directories (path under /sys; "" for the top).
const DIRS: &[&str] = &[
    "",
    "block",
    "bus",
    "class",
    "dev",
    "devices",
    "devices/system",
    "devices/system/cpu",
    "devices/virtual",
    "firmware",
    "fs",
    "kernel",
    "module",
    "power",
];

/// What a sysfs object is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    Dir(&'static str),
    /// class/net: one link per device.
    NetClass,
    /// class/net/NAME.
    NetClassLink(String),
    /// devices/virtual/net.
    NetDevices,
    /// devices/virtual/net/NAME.
    NetDev(String),
    /// An attribute of a device (index into [`ATTRS`]).
    Attr(String, usize),
    /// devices/virtual/net/NAME/statistics.
    Stats(String),
    /// One counter (index into [`STATS`]).
    Stat(String, usize),
    /// devices/virtual/net/NAME/subsystem.
    Subsystem(String),
    /// devices/system/cpu/{online,possible,present,kernel_max}.
    Cpu(&'static str),
    /// block/NAME: a disk.
    Disk(String),
    /// block/NAME/ATTR.
    DiskAttr(String, &'static str),
}

/// The attributes of a disk (block/NAME).
const DISK_ATTRS: &[&str] = &["dev", "removable", "ro", "serial", "size"];

fn disk(name: &str) -> SysResult<Arc<crate::block::Disk>> {
    crate::block::all()
        .into_iter()
        .find(|d| d.name == name)
        .ok_or(Errno::ENOENT)
}

fn disk_attr(name: &str, attr: &str) -> SysResult<String> {
    let d = disk(name)?;
    let (size, writable) = {
        let dev = d.dev.lock().expect("disk");
        (dev.size(), dev.writable())
    };
    Ok(match attr {
        "dev" => format!(
            "{}:{}",
            crate::fs::devices::major(d.rdev),
            crate::fs::devices::minor(d.rdev)
        ),
        "removable" => "0".into(),
        "ro" => u8::from(!writable).to_string(),
        "serial" => d.serial.clone().unwrap_or_default(),
        _ => (size / 512).to_string(),
    })
}

/// The files of devices/system/cpu.
const CPU_FILES: &[&str] = &["kernel_max", "online", "possible", "present"];

/// CPU numbers as Linux's cpulist format writes them ("0-3,6").
pub fn cpu_list(cpus: &[usize]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < cpus.len() {
        let mut j = i;
        while j + 1 < cpus.len() && cpus[j + 1] == cpus[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            cpus[i].to_string()
        } else {
            format!("{}-{}", cpus[i], cpus[j])
        });
        i = j + 1;
    }
    out.join(",")
}

/// The text of devices/system/cpu/NAME: the VM's CPUs are online and
/// present; the host's possible ones stay possible (CPU numbers are the
/// host's, so sched_getcpu and affinity masks agree with them).
fn cpu_file(cx: &Caller<'_>, name: &str) -> SysResult<String> {
    let host_text = |f: &str| {
        std::fs::read_to_string(format!("/sys/devices/system/cpu/{f}"))
            .map(|t| t.trim().to_string())
            .unwrap_or_else(|_| "0".into())
    };
    let vm = cx
        .kernel
        .map(|(st, _)| st.cfg.cpus.clone())
        .unwrap_or_default();
    Ok(match name {
        "online" | "present" if !vm.is_empty() => cpu_list(&vm),
        f => host_text(f),
    })
}

/// A sysfs object.
pub struct SysInode {
    node: Node,
}

/// A new sysfs root.
pub fn new() -> Arc<dyn Inode> {
    Arc::new(SysInode {
        node: Node::Dir(""),
    })
}

/// One network device, as RTM_NEWLINK describes it.
#[derive(Clone, Debug, Default)]
pub struct Link {
    pub index: i32,
    pub kind: u16,
    pub flags: u32,
    pub name: String,
    pub address: Vec<u8>,
    pub broadcast: Vec<u8>,
    pub mtu: u32,
    pub link: Option<i32>,
    pub txqlen: u32,
    pub operstate: u8,
    pub linkmode: u8,
    pub ifalias: String,
    pub group: u32,
    pub carrier: u8,
    pub carrier_changes: u32,
    pub carrier_up: u32,
    pub carrier_down: u32,
    pub proto_down: u8,
    pub stats: [u64; 24],
}

/// The counters of `struct rtnl_link_stats64`, in its order, as the
/// statistics directory names them.
const STATS: &[&str] = &[
    "rx_packets",
    "tx_packets",
    "rx_bytes",
    "tx_bytes",
    "rx_errors",
    "tx_errors",
    "rx_dropped",
    "tx_dropped",
    "multicast",
    "collisions",
    "rx_length_errors",
    "rx_over_errors",
    "rx_crc_errors",
    "rx_frame_errors",
    "rx_fifo_errors",
    "rx_missed_errors",
    "tx_aborted_errors",
    "tx_carrier_errors",
    "tx_fifo_errors",
    "tx_heartbeat_errors",
    "tx_window_errors",
    "rx_compressed",
    "tx_compressed",
    "rx_nohandler",
];

const IFF_UP: u32 = 0x1;
/// Flags dev_get_flags adds to a device's own (sysfs `flags` shows these).
const IFF_COMPUTED: u32 = 0x40 | 0x1_0000 | 0x2_0000; // RUNNING, LOWER_UP, DORMANT

type AttrGen = fn(&Link) -> SysResult<String>;

fn mac(b: &[u8]) -> String {
    let h: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
    h.join(":")
}

/// Device attributes: name, mode, generator.
const ATTRS: &[(&str, u32, AttrGen)] = &[
    ("addr_len", 0o444, |l| Ok(l.address.len().to_string())),
    ("address", 0o444, |l| Ok(mac(&l.address))),
    ("broadcast", 0o444, |l| Ok(mac(&l.broadcast))),
    ("carrier", 0o644, |l| {
        if l.flags & IFF_UP == 0 {
            return Err(Errno::EINVAL);
        }
        Ok(l.carrier.to_string())
    }),
    ("carrier_changes", 0o444, |l| {
        Ok(l.carrier_changes.to_string())
    }),
    ("carrier_down_count", 0o444, |l| {
        Ok(l.carrier_down.to_string())
    }),
    ("carrier_up_count", 0o444, |l| Ok(l.carrier_up.to_string())),
    ("dormant", 0o444, |l| {
        if l.flags & IFF_UP == 0 {
            return Err(Errno::EINVAL);
        }
        Ok(u8::from(l.operstate == 5).to_string())
    }),
    ("flags", 0o644, |l| {
        Ok(format!("{:#x}", l.flags & !IFF_COMPUTED))
    }),
    ("ifalias", 0o644, |l| Ok(l.ifalias.clone())),
    ("ifindex", 0o444, |l| Ok(l.index.to_string())),
    ("iflink", 0o444, |l| {
        Ok(l.link.unwrap_or(l.index).to_string())
    }),
    ("link_mode", 0o444, |l| Ok(l.linkmode.to_string())),
    ("mtu", 0o644, |l| Ok(l.mtu.to_string())),
    ("netdev_group", 0o644, |l| Ok(l.group.to_string())),
    ("operstate", 0o444, |l| {
        Ok([
            "unknown",
            "notpresent",
            "down",
            "lowerlayerdown",
            "testing",
            "dormant",
            "up",
        ]
        .get(l.operstate as usize)
        .unwrap_or(&"unknown")
        .to_string())
    }),
    ("proto_down", 0o644, |l| Ok(l.proto_down.to_string())),
    ("testing", 0o444, |l| {
        if l.flags & IFF_UP == 0 {
            return Err(Errno::EINVAL);
        }
        Ok(u8::from(l.operstate == 4).to_string())
    }),
    ("tx_queue_len", 0o644, |l| Ok(l.txqlen.to_string())),
    ("type", 0o444, |l| Ok(l.kind.to_string())),
    ("uevent", 0o644, |l| {
        Ok(format!("INTERFACE={}\nIFINDEX={}", l.name, l.index))
    }),
];

// ---- netlink ----------------------------------------------------------------

const RTM_NEWLINK: u16 = 16;
const RTM_GETLINK: u16 = 18;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST: u16 = 1;
const NLM_F_DUMP: u16 = 0x300;

static SEQ: AtomicU32 = AtomicU32::new(1);

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(i..i + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

/// The network devices of the namespace `sock` (a NETLINK_ROUTE socket)
/// belongs to, by index.
pub fn links(sock: BorrowedFd<'_>) -> SysResult<Vec<Link>> {
    // Whatever an earlier, interrupted dump left unread.
    let mut buf = vec![0u8; 65536];
    while host::poll_readable(&[sock], 0)?.first() == Some(&true) {
        host::read(sock, &mut buf)?;
    }
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    let mut req = Vec::with_capacity(32);
    req.extend_from_slice(&32u32.to_ne_bytes());
    req.extend_from_slice(&RTM_GETLINK.to_ne_bytes());
    req.extend_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    req.extend_from_slice(&seq.to_ne_bytes());
    req.extend_from_slice(&0u32.to_ne_bytes());
    req.extend_from_slice(&[0u8; 16]); // struct ifinfomsg, AF_UNSPEC
    host::write_all(sock, &req)?;
    let mut out = Vec::new();
    loop {
        if host::poll_readable(&[sock], 1000)?.first() != Some(&true) {
            return Err(Errno::EIO);
        }
        let n = host::read(sock, &mut buf)?;
        let mut off = 0;
        while off + 16 <= n {
            let len = u32_at(&buf, off).ok_or(Errno::EIO)? as usize;
            let kind = u16_at(&buf, off + 4).ok_or(Errno::EIO)?;
            if len < 16 || off + len > n {
                return Err(Errno::EIO);
            }
            let msg = &buf[off..off + len];
            if u32_at(msg, 8) == Some(seq) {
                match kind {
                    NLMSG_DONE => return Ok(out),
                    NLMSG_ERROR => return Err(Errno::EIO),
                    RTM_NEWLINK => out.extend(parse_link(&msg[16..])),
                    _ => {}
                }
            }
            off += len.next_multiple_of(4);
        }
    }
}

/// A device from the payload of an RTM_NEWLINK message.
fn parse_link(b: &[u8]) -> Option<Link> {
    let mut l = Link {
        kind: u16_at(b, 2)?,
        index: u32_at(b, 4)? as i32,
        flags: u32_at(b, 8)?,
        ..Default::default()
    };
    let mut off = 16;
    while off + 4 <= b.len() {
        let len = u16_at(b, off)? as usize;
        let ty = u16_at(b, off + 2)? & 0x3fff;
        if len < 4 || off + len > b.len() {
            break;
        }
        let v = &b[off + 4..off + len];
        let u32v = || u32_at(v, 0).unwrap_or(0);
        let u8v = || v.first().copied().unwrap_or(0);
        let text = || {
            let end = v.iter().position(|&c| c == 0).unwrap_or(v.len());
            String::from_utf8_lossy(&v[..end]).into_owned()
        };
        match ty {
            1 => l.address = v.to_vec(),
            2 => l.broadcast = v.to_vec(),
            3 => l.name = text(),
            4 => l.mtu = u32v(),
            5 => l.link = Some(u32v() as i32),
            13 => l.txqlen = u32v(),
            16 => l.operstate = u8v(),
            17 => l.linkmode = u8v(),
            20 => l.ifalias = text(),
            23 => {
                for (i, c) in v.chunks_exact(8).take(STATS.len()).enumerate() {
                    l.stats[i] = u64::from_ne_bytes(c.try_into().ok()?);
                }
            }
            27 => l.group = u32v(),
            33 => l.carrier = u8v(),
            35 => l.carrier_changes = u32v(),
            39 => l.proto_down = u8v(),
            47 => l.carrier_up = u32v(),
            48 => l.carrier_down = u32v(),
            _ => {}
        }
        off += len.next_multiple_of(4);
    }
    (!l.name.is_empty()).then_some(l)
}

/// The guest's network devices (none if the kernel has no socket in its
/// namespace).
fn guest_links(cx: &Caller<'_>) -> Vec<Link> {
    cx.kernel
        .and_then(|(st, _): (&State, _)| st.netlink.as_ref())
        .and_then(|s| links(s.as_fd()).ok())
        .unwrap_or_default()
}

fn guest_link(cx: &Caller<'_>, name: &str) -> SysResult<Link> {
    guest_links(cx)
        .into_iter()
        .find(|l| l.name == name)
        .ok_or(Errno::ENOENT)
}

// ---- the tree -----------------------------------------------------------------

fn hash_ino(parts: &[&[u8]]) -> u64 {
    // FNV-1a: stable inode numbers for generated objects.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in p.iter().chain(&[0xff]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x100_0000_01b3);
        }
    }
    (h >> 16) | 0x1000
}

fn node(n: Node) -> Arc<dyn Inode> {
    Arc::new(SysInode { node: n })
}

fn entry(name: impl Into<Vec<u8>>, n: &Node) -> DirEntry {
    let i = SysInode { node: n.clone() };
    DirEntry {
        name: name.into(),
        ino: i.ino(),
        kind: i.kind(),
    }
}

impl SysInode {
    fn ino(&self) -> u64 {
        match &self.node {
            Node::Dir("") => 1,
            Node::Dir(p) => hash_ino(&[b"d", p.as_bytes()]),
            Node::NetClass => hash_ino(&[b"nc"]),
            Node::NetClassLink(n) => hash_ino(&[b"ncl", n.as_bytes()]),
            Node::NetDevices => hash_ino(&[b"nd"]),
            Node::NetDev(n) => hash_ino(&[b"dev", n.as_bytes()]),
            Node::Attr(n, i) => hash_ino(&[b"a", n.as_bytes(), ATTRS[*i].0.as_bytes()]),
            Node::Stats(n) => hash_ino(&[b"s", n.as_bytes()]),
            Node::Stat(n, i) => hash_ino(&[b"st", n.as_bytes(), STATS[*i].as_bytes()]),
            Node::Subsystem(n) => hash_ino(&[b"sub", n.as_bytes()]),
            Node::Cpu(f) => hash_ino(&[b"cpu", f.as_bytes()]),
            Node::Disk(n) => hash_ino(&[b"blk", n.as_bytes()]),
            Node::DiskAttr(n, a) => hash_ino(&[b"blka", n.as_bytes(), a.as_bytes()]),
        }
    }

    /// The text of an attribute file.
    fn render(&self, cx: &Caller<'_>) -> SysResult<String> {
        match &self.node {
            Node::Attr(n, i) => {
                let text = ATTRS[*i].2(&guest_link(cx, n)?)?;
                // An unset alias is an empty file.
                if ATTRS[*i].0 == "ifalias" && text.is_empty() {
                    return Ok(text);
                }
                Ok(text + "\n")
            }
            Node::Stat(n, i) => Ok(format!("{}\n", guest_link(cx, n)?.stats[*i])),
            Node::Cpu(f) => Ok(cpu_file(cx, f)? + "\n"),
            Node::DiskAttr(n, a) => Ok(disk_attr(n, a)? + "\n"),
            _ => Err(Errno::EISDIR),
        }
    }
}

impl Inode for SysInode {
    fn stat(&self) -> SysResult<Stat> {
        let mode = match &self.node {
            Node::Dir(_)
            | Node::NetClass
            | Node::NetDevices
            | Node::NetDev(_)
            | Node::Stats(_)
            | Node::Disk(_) => libc::S_IFDIR | 0o755,
            Node::DiskAttr(..) => libc::S_IFREG | 0o444,
            Node::NetClassLink(_) | Node::Subsystem(_) => libc::S_IFLNK | 0o777,
            Node::Attr(_, i) => libc::S_IFREG | ATTRS[*i].1,
            Node::Stat(..) | Node::Cpu(_) => libc::S_IFREG | 0o444,
        };
        let now = host::clock_ns(libc::CLOCK_REALTIME);
        let t = ((now / 1_000_000_000) as i64, (now % 1_000_000_000) as i64);
        let file = mode & libc::S_IFMT == libc::S_IFREG;
        Ok(Stat {
            dev: SYS_DEV,
            ino: self.ino(),
            mode,
            nlink: if mode & libc::S_IFMT == libc::S_IFDIR {
                2
            } else {
                1
            },
            size: if file { 4096 } else { 0 },
            blksize: 4096,
            atime: t,
            mtime: t,
            ctime: t,
            ..Default::default()
        })
    }

    fn kind(&self) -> Kind {
        match &self.node {
            Node::NetClassLink(_) | Node::Subsystem(_) => Kind::Symlink,
            Node::Attr(..) | Node::Stat(..) | Node::Cpu(_) | Node::DiskAttr(..) => Kind::File,
            _ => Kind::Dir,
        }
    }

    fn lookup(&self, cx: &Caller<'_>, name: &[u8]) -> SysResult<Arc<dyn Inode>> {
        let name = std::str::from_utf8(name).map_err(|_| Errno::ENOENT)?;
        match &self.node {
            Node::Dir(dir) => {
                let full = if dir.is_empty() {
                    name.to_string()
                } else {
                    format!("{dir}/{name}")
                };
                if dir == &"devices/system/cpu" {
                    if let Some(f) = CPU_FILES.iter().find(|f| **f == name) {
                        return Ok(node(Node::Cpu(f)));
                    }
                }
                if *dir == "block" {
                    disk(name)?;
                    return Ok(node(Node::Disk(name.into())));
                }
                match full.as_str() {
                    "class/net" => return Ok(node(Node::NetClass)),
                    "devices/virtual/net" => return Ok(node(Node::NetDevices)),
                    _ => {}
                }
                DIRS.iter()
                    .find(|d| **d == full)
                    .map(|d| node(Node::Dir(d)))
                    .ok_or(Errno::ENOENT)
            }
            Node::NetClass => {
                guest_link(cx, name)?;
                Ok(node(Node::NetClassLink(name.into())))
            }
            Node::NetDevices => {
                guest_link(cx, name)?;
                Ok(node(Node::NetDev(name.into())))
            }
            Node::NetDev(dev) => {
                if let Some(i) = ATTRS.iter().position(|a| a.0 == name) {
                    return Ok(node(Node::Attr(dev.clone(), i)));
                }
                match name {
                    "statistics" => Ok(node(Node::Stats(dev.clone()))),
                    "subsystem" => Ok(node(Node::Subsystem(dev.clone()))),
                    _ => Err(Errno::ENOENT),
                }
            }
            Node::Stats(dev) => STATS
                .iter()
                .position(|s| *s == name)
                .map(|i| node(Node::Stat(dev.clone(), i)))
                .ok_or(Errno::ENOENT),
            Node::Disk(d) => DISK_ATTRS
                .iter()
                .find(|a| **a == name)
                .map(|a| node(Node::DiskAttr(d.clone(), a)))
                .ok_or(Errno::ENOENT),
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn readlink(&self, _cx: &Caller<'_>) -> SysResult<Vec<u8>> {
        match &self.node {
            Node::NetClassLink(n) => Ok(format!("../../devices/virtual/net/{n}").into_bytes()),
            Node::Subsystem(_) => Ok(b"../../../../class/net".to_vec()),
            _ => Err(Errno::EINVAL),
        }
    }

    fn open(&self, cx: &Caller<'_>, flags: i32) -> SysResult<OwnedFd> {
        if self.kind() == Kind::Dir {
            return Err(Errno::EISDIR);
        }
        if flags & libc::O_ACCMODE != libc::O_RDONLY {
            // Changing devices through sysfs is not supported.
            return Err(Errno::EACCES);
        }
        let text = match self.render(cx) {
            // Linux opens the attribute and fails the read.
            Err(Errno::EINVAL) => return Ok(host::unreadable()?),
            r => r?,
        };
        let fd = host::memfd("sysfs")?;
        host::pwrite(fd.as_fd(), text.as_bytes(), 0)?;
        Ok(host::reopen(
            fd.as_fd(),
            libc::O_RDONLY | (flags & libc::O_CLOEXEC),
        )?)
    }

    fn readdir(&self, cx: &Caller<'_>) -> SysResult<Vec<DirEntry>> {
        let mut v = Vec::new();
        match &self.node {
            Node::Dir(dir) => {
                let prefix = if dir.is_empty() {
                    String::new()
                } else {
                    format!("{dir}/")
                };
                for d in DIRS {
                    if let Some(rest) = d.strip_prefix(prefix.as_str()) {
                        if !rest.is_empty() && !rest.contains('/') {
                            v.push(entry(rest, &Node::Dir(d)));
                        }
                    }
                }
                match *dir {
                    "devices/system/cpu" => {
                        for f in CPU_FILES {
                            v.push(entry(*f, &Node::Cpu(f)));
                        }
                    }
                    "class" => v.push(entry("net", &Node::NetClass)),
                    "block" => {
                        for d in crate::block::all() {
                            v.push(entry(d.name.clone(), &Node::Disk(d.name.clone())));
                        }
                    }
                    "devices/virtual" => v.push(entry("net", &Node::NetDevices)),
                    _ => {}
                }
            }
            Node::NetClass => {
                for l in guest_links(cx) {
                    v.push(entry(l.name.clone(), &Node::NetClassLink(l.name)));
                }
            }
            Node::NetDevices => {
                for l in guest_links(cx) {
                    v.push(entry(l.name.clone(), &Node::NetDev(l.name)));
                }
            }
            Node::NetDev(dev) => {
                for (i, a) in ATTRS.iter().enumerate() {
                    v.push(entry(a.0, &Node::Attr(dev.clone(), i)));
                }
                v.push(entry("statistics", &Node::Stats(dev.clone())));
                v.push(entry("subsystem", &Node::Subsystem(dev.clone())));
            }
            Node::Stats(dev) => {
                for (i, s) in STATS.iter().enumerate() {
                    v.push(entry(*s, &Node::Stat(dev.clone(), i)));
                }
            }
            Node::Disk(d) => {
                for a in DISK_ATTRS {
                    v.push(entry(*a, &Node::DiskAttr(d.clone(), a)));
                }
            }
            _ => return Err(Errno::ENOTDIR),
        }
        Ok(v)
    }

    fn statfs(&self) -> SysResult<StatFs> {
        Ok(StatFs::pseudo(0x6265_6572)) // SYSFS_MAGIC
    }

    fn create(
        &self,
        _name: &[u8],
        _mode: u32,
        _flags: i32,
        _who: crate::vfs::Creator,
    ) -> SysResult<OwnedFd> {
        Err(crate::vfs::no_new_names(self.kind(), Errno::EACCES))
    }

    fn mkdir(&self, _name: &[u8], _mode: u32, _who: crate::vfs::Creator) -> SysResult<()> {
        Err(crate::vfs::no_new_names(self.kind(), Errno::EACCES))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
