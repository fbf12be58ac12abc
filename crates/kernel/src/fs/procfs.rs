//! procfs: the system-wide files and one directory per guest process.
//!
//! Guest processes are host processes, so most per-process facts (state,
//! memory, times, open descriptors, maps, argv, environment) are the host's
//! own /proc, read at open time and translated to the guest's view: pids to
//! the guest's numbering, host paths of the root hostfs to guest paths,
//! ruml's own descriptors and tracer status hidden, credentials and the
//! executable's path from the kernel. Files are rendered into a memfd when
//! opened, so reads and seeks run natively.
//!
//! `exe`, `cwd`, `root` and `fd/N` are magic links: a path walk jumps to the
//! object itself (see [`Inode::follow_magic`]).

use crate::errno::{Errno, SysResult};
use crate::fs::devices::{self, Ctty};
use crate::fs::devpts;
use crate::kernel::State;
use crate::task::Creds;
use crate::vfs::{perm, registry, Caller, DirEntry, Follow, Inode, Kind, Loc, Stat, Step, Vfs};
use ruml_platform::{host, Platform, Tid};
use std::any::Any;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;

/// procfs's device number (st_dev of its objects).
const PROC_DEV: u64 = 0x16;
const CONSOLE_RDEV: u64 = crate::fs::devices::mkdev(5, 1);

/// What a procfs object is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    Root,
    /// A file of the root (index into [`ROOT_FILES`]).
    RootFile(usize),
    /// A symlink of the root with fixed text ("mounts" -> "self/mounts").
    RootLink(&'static str, &'static str),
    SelfLink,
    ThreadSelf,
    /// /proc/sys and below: the path under /proc/sys ("" for the top).
    Sys(&'static str),
    /// /proc/PID, or /proc/PID/task/TID when `tid` differs from `tgid`.
    Pid {
        tgid: Tid,
        tid: Tid,
    },
    Task {
        tgid: Tid,
    },
    /// A file of a process directory (index into [`PID_FILES`]).
    PidFile {
        tgid: Tid,
        tid: Tid,
        file: usize,
    },
    Link {
        tgid: Tid,
        what: LinkKind,
    },
    FdDir {
        tgid: Tid,
        info: bool,
    },
    Fd {
        tgid: Tid,
        fd: i32,
    },
    FdInfo {
        tgid: Tid,
        fd: i32,
    },
    /// /proc/PID/ns.
    NsDir {
        tgid: Tid,
    },
    /// A namespace link of /proc/PID/ns (index into [`NS_NAMES`]).
    Ns {
        tgid: Tid,
        ns: usize,
    },
    /// /proc/PID/net and below: the host's view of the guest's network
    /// namespace; the path under net ("" for net itself).
    Net {
        tgid: Tid,
        /// The process's host pid, when it was looked up.
        host: i32,
        path: String,
    },
}

/// The entries of /proc/PID/ns, in Linux's order.
const NS_NAMES: &[&str] = &[
    "net",
    "uts",
    "ipc",
    "pid",
    "pid_for_children",
    "user",
    "mnt",
    "cgroup",
    "time",
    "time_for_children",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LinkKind {
    Exe,
    Cwd,
    Root,
}

/// What a write to a procfs file changes.
#[derive(Clone, Debug)]
pub enum ProcWrite {
    Comm(Tid),
    OomScoreAdj(Tid),
    Hostname,
    Domainname,
    /// A /proc/sys/net file of the VM's network namespace, opened there by
    /// ruml (writing it needs CAP_NET_ADMIN, which guest processes do not
    /// hold on the host).
    NetSysctl(std::sync::Arc<OwnedFd>),
}

/// The kernel's end of a procfs file the guest opened for writing.
pub struct Sink {
    pub fd: OwnedFd,
    pub target: ProcWrite,
}

/// Applies everything written to open procfs files; drops sinks whose
/// writers are all closed.
pub fn drain_sinks(st: &mut State) {
    let mut sinks = std::mem::take(&mut *st.proc_sinks.borrow_mut());
    sinks.retain(|s| {
        let mut buf = [0u8; 4096];
        loop {
            match host::read(s.fd.as_fd(), &mut buf) {
                Ok(0) => return false,
                Ok(n) => apply_write(st, &s.target, &buf[..n]),
                Err(_) => return true,
            }
        }
    });
    st.proc_sinks.borrow_mut().extend(sinks);
}

fn apply_write(st: &mut State, target: &ProcWrite, data: &[u8]) {
    // Sysctl strings end at the first newline or NUL.
    let line = || {
        let end = data
            .iter()
            .position(|&b| b == b'\n' || b == 0)
            .unwrap_or(data.len());
        String::from_utf8_lossy(&data[..end.min(64)]).into_owned()
    };
    match target {
        ProcWrite::Comm(tid) => {
            if let Some(t) = st.tasks.tasks.get_mut(tid) {
                let mut c = data.to_vec();
                c.truncate(15);
                if let Some(i) = c.iter().position(|&b| b == 0) {
                    c.truncate(i);
                }
                t.comm_pending = Some(c);
            }
        }
        ProcWrite::OomScoreAdj(tgid) => {
            let v = line().trim().parse::<i32>().unwrap_or(0).clamp(-1000, 1000);
            if let Some(p) = st.tasks.procs.get_mut(tgid) {
                p.oom_score_adj = v;
            }
        }
        ProcWrite::Hostname => st.hostname = line(),
        ProcWrite::Domainname => st.domainname = line(),
        ProcWrite::NetSysctl(fd) => {
            // As a write at the start of the file (Linux's strict sysctl
            // writes), made in the VM's user namespace; a bad value is
            // refused there, as on Linux.
            if let Some(ns) = &st.netns {
                let _ = ns.write_sysctl(fd.as_fd(), data);
            }
        }
    }
}

/// /proc/sys/net/...: the file of the VM's own network namespace, opened
/// there and handed to the guest, which reads it natively (None when the
/// kernel has no namespace to open it in). Writing needs CAP_NET_ADMIN,
/// which guest processes do not hold on the host: a caller with it in its
/// guest credentials gets a packet pipe whose writes ruml applies to the
/// file before it serves the next trapped call (others get EACCES, as the
/// files are root's and 0644).
fn net_sysctl(cx: &Caller<'_>, path: &str, flags: i32) -> Option<SysResult<OwnedFd>> {
    if !path.starts_with("net/") {
        return None;
    }
    let (st, _) = kernel(cx).ok()?;
    let ns = st.netns.as_ref()?;
    let open = |acc: i32| {
        ns.open(
            &format!("/proc/sys/{path}"),
            acc | (flags & libc::O_CLOEXEC),
        )
        .map_err(Errno::from)
    };
    if flags & libc::O_ACCMODE == libc::O_RDONLY {
        return Some(open(libc::O_RDONLY));
    }
    if !cx
        .creds()
        .is_some_and(|c| c.capable(crate::task::cap::NET_ADMIN))
    {
        return Some(Err(Errno::EACCES));
    }
    Some((|| {
        let file = open(libc::O_WRONLY)?;
        let (r, w) = host::packet_pipe()?;
        st.proc_sinks.borrow_mut().push(Sink {
            fd: r,
            target: ProcWrite::NetSysctl(std::sync::Arc::new(file)),
        });
        Ok(host::reopen(
            w.as_fd(),
            libc::O_WRONLY | (flags & libc::O_CLOEXEC),
        )?)
    })())
}

/// A procfs object.
pub struct ProcInode {
    node: Node,
    /// Owner and group: root, or for a process's objects the process's
    /// effective ids when it was looked up (as for a dumpable process).
    owner: (u32, u32),
}

/// A new procfs root.
pub fn new() -> Arc<dyn Inode> {
    node(Node::Root)
}

fn node(n: Node) -> Arc<dyn Inode> {
    owned(n, (0, 0))
}

fn owned(n: Node, owner: (u32, u32)) -> Arc<dyn Inode> {
    Arc::new(ProcInode { node: n, owner })
}

/// The kernel state a caller gives access to; procfs needs it for
/// everything but the root's static files.
fn kernel<'a>(cx: &Caller<'a>) -> SysResult<(&'a State, &'a dyn Platform)> {
    cx.kernel.ok_or(Errno::ENOENT)
}

type RootGen = fn(&State, &dyn Platform) -> String;

const ROOT_FILES: &[(&str, RootGen)] = &[
    ("cmdline", |st, _| format!("{}\n", st.cfg.cmdline)),
    ("cpuinfo", cpuinfo),
    ("devices", |_, _| {
        "Character devices:\n  1 mem\n  4 tty\n  5 /dev/tty\n  5 /dev/console\n  5 /dev/ptmx\n\
         128 ptm\n136 pts\n\nBlock devices:\n"
            .into()
    }),
    ("diskstats", |_, _| String::new()),
    ("filesystems", |_, _| {
        "nodev\tsysfs\nnodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tproc\nnodev\tdevpts\n\text3\n\text2\n\text4\nnodev\thostfs\n"
            .into()
    }),
    ("loadavg", loadavg),
    ("meminfo", meminfo),
    ("partitions", |_, _| {
        let mut s = String::from("major minor  #blocks  name\n\n");
        for d in crate::block::all() {
            s += &format!(
                "{:4}  {:7} {:10} {}\n",
                crate::fs::devices::major(d.rdev),
                crate::fs::devices::minor(d.rdev),
                d.size() / 1024,
                d.name
            );
        }
        s
    }),
    ("stat", stat_file),
    ("swaps", |_, _| {
        "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n".into()
    }),
    ("uptime", |st, _| {
        let up = uptime_ns(st) as f64 / 1e9;
        format!("{up:.2} {:.2}\n", up * 0.9)
    }),
    ("version", |_, _| version_string() + "\n"),
    ("vmstat", |_, _| {
        std::fs::read_to_string("/proc/vmstat").unwrap_or_default()
    }),
];

/// /proc/sys: directories and files (path under /proc/sys, generator).
type SysGen = fn(&State) -> String;
const SYS_DIRS: &[&str] = &[
    "",
    "fs",
    "kernel",
    "kernel/random",
    "net",
    "net/core",
    "net/ipv4",
    "net/ipv4/conf",
    "net/ipv4/conf/all",
    "net/ipv4/conf/default",
    "net/ipv6",
    "net/ipv6/conf",
    "net/ipv6/conf/all",
    "net/ipv6/conf/default",
    "vm",
];
const SYS_FILES: &[(&str, SysGen)] = &[
    ("fs/file-max", |_| "9223372036854775807\n".into()),
    ("fs/nr_open", |_| "1048576\n".into()),
    ("fs/pipe-max-size", |_| "1048576\n".into()),
    ("kernel/cap_last_cap", |_| "40\n".into()),
    ("kernel/domainname", |st| format!("{}\n", st.domainname)),
    ("kernel/hostname", |st| format!("{}\n", st.hostname)),
    ("kernel/ngroups_max", |_| "65536\n".into()),
    ("kernel/osrelease", |_| {
        format!("{}\n", crate::kernel::RELEASE)
    }),
    ("kernel/ostype", |_| "Linux\n".into()),
    ("kernel/overflowgid", |_| "65534\n".into()),
    ("kernel/overflowuid", |_| "65534\n".into()),
    ("kernel/pid_max", |_| "4194304\n".into()),
    ("kernel/random/boot_id", |st| format!("{}\n", st.boot_id)),
    ("kernel/random/entropy_avail", |_| "256\n".into()),
    ("kernel/random/uuid", |_| format!("{}\n", uuid())),
    ("kernel/threads-max", |st| format!("{}\n", st.max_tasks)),
    ("kernel/version", |_| format!("{}\n", VERSION_TAG)),
    // The VM's network namespace's own files (`net_sysctl`); the text here
    // is only for a kernel without one.
    ("net/core/somaxconn", |_| "4096\n".into()),
    ("net/ipv4/conf/all/forwarding", |_| "0\n".into()),
    ("net/ipv4/conf/all/rp_filter", |_| "0\n".into()),
    ("net/ipv4/conf/default/forwarding", |_| "0\n".into()),
    ("net/ipv4/conf/default/rp_filter", |_| "0\n".into()),
    ("net/ipv4/icmp_echo_ignore_all", |_| "0\n".into()),
    ("net/ipv4/icmp_echo_ignore_broadcasts", |_| "1\n".into()),
    ("net/ipv4/ip_default_ttl", |_| "64\n".into()),
    ("net/ipv4/ip_forward", |_| "0\n".into()),
    ("net/ipv4/ip_local_port_range", |_| "32768\t60999\n".into()),
    ("net/ipv4/ping_group_range", |_| "1\t0\n".into()),
    ("net/ipv4/tcp_keepalive_time", |_| "7200\n".into()),
    ("net/ipv6/conf/all/disable_ipv6", |_| "0\n".into()),
    ("net/ipv6/conf/all/forwarding", |_| "0\n".into()),
    ("net/ipv6/conf/default/disable_ipv6", |_| "0\n".into()),
    ("net/ipv6/conf/default/forwarding", |_| "0\n".into()),
    ("vm/overcommit_memory", |_| "0\n".into()),
    ("vm/swappiness", |_| "60\n".into()),
];

const VERSION_TAG: &str = "#1 SMP PREEMPT ruml";

/// The text of /proc/version (and `uname -v` material).
pub fn version_string() -> String {
    format!(
        "Linux version {} (ruml {}) {}",
        crate::kernel::RELEASE,
        env!("CARGO_PKG_VERSION"),
        VERSION_TAG
    )
}

/// A random version-4 UUID.
pub fn uuid() -> String {
    let mut b = [0u8; 16];
    let _ = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut b));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        h[0..4].concat(),
        h[4..6].concat(),
        h[6..8].concat(),
        h[8..10].concat(),
        h[10..16].concat()
    )
}

fn uptime_ns(st: &State) -> u64 {
    host::clock_ns(libc::CLOCK_BOOTTIME).saturating_sub(st.boot_ns)
}

fn loadavg(st: &State, _: &dyn Platform) -> String {
    let host = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let avgs: Vec<&str> = host.split_whitespace().take(3).collect();
    let last = st.tasks.tasks.keys().max().copied().unwrap_or(1);
    format!(
        "{} {}/{} {}\n",
        if avgs.len() == 3 {
            avgs.join(" ")
        } else {
            "0.00 0.00 0.00".into()
        },
        1,
        st.tasks.tasks.len(),
        last
    )
}

fn meminfo(st: &State, p: &dyn Platform) -> String {
    let kb = |b: u64| b / 1024;
    let total = st.cfg.mem;
    let used = crate::mm::used_bytes(st, p).min(total);
    let free = total - used;
    // Linux's rows, in its order (those of optional features left out).
    let rows: &[(&str, u64)] = &[
        ("MemTotal", kb(total)),
        ("MemFree", kb(free)),
        ("MemAvailable", kb(free)),
        ("Buffers", 0),
        ("Cached", 0),
        ("SwapCached", 0),
        ("Active", kb(used)),
        ("Inactive", 0),
        ("Active(anon)", kb(used)),
        ("Inactive(anon)", 0),
        ("Active(file)", 0),
        ("Inactive(file)", 0),
        ("Unevictable", 0),
        ("Mlocked", 0),
        ("SwapTotal", 0),
        ("SwapFree", 0),
        ("Dirty", 0),
        ("Writeback", 0),
        ("AnonPages", kb(used)),
        ("Mapped", 0),
        ("Shmem", 0),
        ("KReclaimable", 0),
        ("Slab", 0),
        ("SReclaimable", 0),
        ("SUnreclaim", 0),
        ("KernelStack", 0),
        ("PageTables", 0),
        ("SecPageTables", 0),
        ("NFS_Unstable", 0),
        ("Bounce", 0),
        ("WritebackTmp", 0),
        // Heuristic overcommit: no swap, so the limit is half of memory.
        ("CommitLimit", kb(total) / 2),
        ("Committed_AS", kb(used)),
        ("VmallocTotal", 34_359_738_367),
        ("VmallocUsed", 0),
        ("VmallocChunk", 0),
        ("Percpu", 0),
        ("HardwareCorrupted", 0),
        ("AnonHugePages", 0),
        ("ShmemHugePages", 0),
        ("ShmemPmdMapped", 0),
        ("FileHugePages", 0),
        ("FilePmdMapped", 0),
    ];
    let mut s = String::new();
    for (k, v) in rows {
        s += &format!("{:<16}{v:>8} kB\n", format!("{k}:"));
    }
    for k in [
        "HugePages_Total:",
        "HugePages_Free:",
        "HugePages_Rsvd:",
        "HugePages_Surp:",
    ] {
        s += &format!("{k:<16}{:>8}\n", 0);
    }
    for (k, v) in [
        ("Hugepagesize:", 2048),
        ("Hugetlb:", 0),
        ("DirectMap4k:", kb(total)),
        ("DirectMap2M:", 0),
        ("DirectMap1G:", 0),
    ] {
        s += &format!("{k:<16}{v:>8} kB\n");
    }
    s
}

/// The host's cpuinfo, for the VM's CPUs only.
fn cpuinfo(st: &State, _: &dyn Platform) -> String {
    let host = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    host.split_inclusive("\n\n")
        .filter(|block| {
            let n = block
                .lines()
                .find_map(|l| l.strip_prefix("processor"))
                .and_then(|v| {
                    v.trim_start_matches([' ', '\t', ':'])
                        .trim()
                        .parse::<usize>()
                        .ok()
                });
            st.cfg.cpus.is_empty() || n.is_some_and(|n| st.cfg.cpus.contains(&n))
        })
        .collect()
}

fn stat_file(st: &State, _: &dyn Platform) -> String {
    let host = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let boot_s = (host::clock_ns(libc::CLOCK_REALTIME) - uptime_ns(st)) / 1_000_000_000;
    let mut out = String::new();
    for l in host.lines() {
        let key = l.split_whitespace().next().unwrap_or("");
        let line = match key {
            "btime" => format!("btime {boot_s}"),
            "processes" => format!("processes {}", st.forks),
            "procs_running" => "procs_running 1".into(),
            "procs_blocked" => "procs_blocked 0".into(),
            // Only the VM's CPUs.
            k if k.strip_prefix("cpu").is_some_and(|n| {
                n.parse::<usize>()
                    .is_ok_and(|n| !st.cfg.cpus.is_empty() && !st.cfg.cpus.contains(&n))
            }) =>
            {
                continue
            }
            k if k.starts_with("cpu") || k == "ctxt" || k == "intr" || k == "softirq" => {
                l.to_string()
            }
            _ => continue,
        };
        out += &line;
        out.push('\n');
    }
    out
}

/// Per-process files: name, whether it is per thread too, generator.
type PidGen = fn(&PidView<'_>) -> SysResult<Vec<u8>>;
const PID_FILES: &[(&str, PidGen)] = &[
    ("cgroup", |_| Ok(b"0::/\n".to_vec())),
    ("auxv", |v| v.host_file("auxv")),
    ("cmdline", |v| v.host_file("cmdline")),
    ("comm", |v| Ok([v.comm()?, b"\n".to_vec()].concat())),
    ("environ", |v| v.host_file("environ")),
    ("limits", |v| v.host_file("limits")),
    ("loginuid", |_| Ok(b"4294967295".to_vec())),
    ("maps", |v| v.maps("maps")),
    ("mountinfo", |v| Ok(mountinfo(v.st).into_bytes())),
    ("mounts", |v| Ok(mounts(v.st).into_bytes())),
    ("oom_adj", |_| Ok(b"0\n".to_vec())),
    ("smaps", |v| v.maps("smaps")),
    ("smaps_rollup", |v| v.maps("smaps_rollup")),
    ("oom_score", |_| Ok(b"0\n".to_vec())),
    ("personality", |v| v.host_file("personality")),
    ("oom_score_adj", |v| {
        let adj =
            v.st.tasks
                .any_process(v.tgid)
                .map_or(0, |p| p.oom_score_adj);
        Ok(format!("{adj}\n").into_bytes())
    }),
    ("stat", |v| v.stat()),
    ("statm", |v| v.host_file("statm")),
    ("status", |v| v.status()),
    ("wchan", |_| Ok(b"0".to_vec())),
];

/// The mount table as /proc/mounts shows it.
pub fn mounts(st: &State) -> String {
    let mut s = String::new();
    for m in &st.vfs.mounts {
        let opts = if m.read_only { "ro" } else { "rw" };
        s += &format!(
            "{} {} {} {},relatime 0 0\n",
            m.source,
            String::from_utf8_lossy(&m.path),
            m.fstype,
            opts
        );
    }
    s
}

fn mountinfo(st: &State) -> String {
    let mut s = String::new();
    for m in &st.vfs.mounts {
        let parent = st
            .vfs
            .mounts
            .iter()
            .filter(|p| p.id != m.id && m.path.starts_with(&p.path))
            .map(|p| p.id)
            .next_back()
            .unwrap_or(m.id);
        let opts = if m.read_only { "ro" } else { "rw" };
        s += &format!(
            "{} {} 0:{} / {} {},relatime - {} {} {}\n",
            m.id + 1,
            parent + 1,
            m.id + 20,
            String::from_utf8_lossy(&m.path),
            opts,
            m.fstype,
            m.source,
            opts
        );
    }
    s
}

/// A process (or thread) as procfs renders it.
struct PidView<'a> {
    st: &'a State,
    p: &'a dyn Platform,
    tgid: Tid,
    tid: Tid,
    host: i32,
}

impl PidView<'_> {
    fn new<'a>(cx: &Caller<'a>, tgid: Tid, tid: Tid) -> SysResult<PidView<'a>> {
        let (st, p) = kernel(cx)?;
        if st.tasks.any_process(tgid).is_none() {
            return Err(Errno::ESRCH);
        }
        let host = p.host_tid(tid).ok_or(Errno::ESRCH)?;
        Ok(PidView {
            st,
            p,
            tgid,
            tid,
            host,
        })
    }

    fn host_file(&self, name: &str) -> SysResult<Vec<u8>> {
        std::fs::read(format!("/proc/{}/{name}", self.host)).map_err(|_| Errno::ESRCH)
    }

    fn host_text(&self, name: &str) -> SysResult<String> {
        Ok(String::from_utf8_lossy(&self.host_file(name)?).into_owned())
    }

    /// The command name: the kernel's, while the host thread has yet to be
    /// given it; else the host's.
    fn comm(&self) -> SysResult<Vec<u8>> {
        if let Some(c) = self
            .st
            .tasks
            .tasks
            .get(&self.tid)
            .and_then(|t| t.comm_pending.clone())
        {
            return Ok(c);
        }
        let host = self.host_file("comm")?;
        Ok(host.strip_suffix(b"\n").unwrap_or(&host).to_vec())
    }

    /// A host pid as the guest numbers it (0 for ruml or unknown).
    fn guest_pid(&self, host: i32) -> Tid {
        self.p.guest_tid(host).unwrap_or(0)
    }

    fn stat(&self) -> SysResult<Vec<u8>> {
        let text = self.host_text("stat")?;
        let status = self.host_text("status")?;
        let close = text.rfind(')').ok_or(Errno::ESRCH)?;
        let mut f: Vec<String> = text[close + 2..]
            .split_whitespace()
            .map(String::from)
            .collect();
        // f[0] is field 3 (state).
        if f.len() < 20 {
            return Err(Errno::ESRCH);
        }
        let num = |s: &str| s.parse::<i64>().unwrap_or(0);
        f[0] = self.state(f[0].chars().next().unwrap_or('S')).0.to_string();
        f[1] = self.guest_pid(num(&f[1]) as i32).to_string();
        f[2] = ns_last(&status, "NSpgid:").unwrap_or(0).to_string();
        let host_sid = std::mem::replace(
            &mut f[3],
            ns_last(&status, "NSsid:").unwrap_or(0).to_string(),
        );
        // The controlling terminal, by the number its node has in the
        // guest: the console's, or a pty of the VM's devpts instance.
        let tty = num(&f[4]) as u32 as u64;
        f[4] = match devices::ctty_from(tty, num(&host_sid) as i32) {
            Some(Ctty::Console) => CONSOLE_RDEV.to_string(),
            Some(Ctty::Pts(n)) => devices::mkdev(devpts::PTS_MAJOR, n as u64).to_string(),
            None => "0".into(),
        };
        let tpgid = num(&f[5]);
        f[5] = if tpgid > 0 {
            self.p
                .guest_tid(tpgid as i32)
                .map_or(-1, |t| t as i64)
                .to_string()
        } else {
            "-1".into()
        };
        // starttime, in clock ticks since boot: the guest's boot.
        let boot_ticks = self.st.boot_ns / 10_000_000;
        f[19] = (num(&f[19]) as u64).saturating_sub(boot_ticks).to_string();
        let comm = String::from_utf8_lossy(&self.comm()?).into_owned();
        Ok(format!("{} ({}) {}\n", self.tid, comm, f.join(" ")).into_bytes())
    }

    /// The guest's view of the host's scheduler state letter `host`: a
    /// thread stopped in one of ruml's traps is running as far as the guest
    /// can tell.
    fn state(&self, host: char) -> (char, &'static str) {
        match host {
            't' if self.p.job_stopped(self.tid) => ('T', "stopped"),
            // Stopped in one of ruml's traps: executing a system call.
            't' => ('R', "running"),
            'R' => ('R', "running"),
            'D' => ('D', "disk sleep"),
            'T' => ('T', "stopped"),
            'Z' => ('Z', "zombie"),
            'X' => ('X', "dead"),
            'I' => ('I', "idle"),
            _ => ('S', "sleeping"),
        }
    }

    fn status(&self) -> SysResult<Vec<u8>> {
        let text = self.host_text("status")?;
        let pr = self.st.tasks.any_process(self.tgid).ok_or(Errno::ESRCH)?;
        let c = &pr.creds;
        let mut out = String::new();
        for l in text.lines() {
            let key = l.split(':').next().unwrap_or("");
            let line = match key {
                "Name" => format!("Name:\t{}", String::from_utf8_lossy(&self.comm()?)),
                "State" => {
                    let host = l[6..].trim_start().chars().next().unwrap_or('S');
                    let (c, n) = self.state(host);
                    format!("State:\t{c} ({n})")
                }
                "Tgid" | "NStgid" => format!("{key}:\t{}", self.tgid),
                "Pid" | "NSpid" => format!("{key}:\t{}", self.tid),
                "PPid" => {
                    let h: i32 = l[5..].trim().parse().unwrap_or(0);
                    format!("PPid:\t{}", self.guest_pid(h))
                }
                "TracerPid" => "TracerPid:\t0".into(),
                "NSpgid" | "NSsid" => {
                    format!("{key}:\t{}", ns_last(&text, key).unwrap_or(0))
                }
                "Uid" => format!("Uid:\t{}\t{}\t{}\t{}", c.ruid, c.euid, c.suid, c.fsuid),
                "Gid" => format!("Gid:\t{}\t{}\t{}\t{}", c.rgid, c.egid, c.sgid, c.fsgid),
                "Groups" => {
                    let g: Vec<String> = c.groups.iter().map(|g| g.to_string()).collect();
                    format!("Groups:\t{} ", g.join(" "))
                }
                // The guest's capability sets, not the host's (which
                // show every guest process as root of its namespace).
                "CapInh" => format!("CapInh:\t{:016x}", c.cap_inheritable),
                "CapPrm" => format!("CapPrm:\t{:016x}", c.cap_permitted),
                "CapEff" => format!("CapEff:\t{:016x}", c.cap_effective),
                "CapBnd" => format!("CapBnd:\t{:016x}", c.cap_bounding),
                "CapAmb" => "CapAmb:\t0000000000000000".into(),
                "NoNewPrivs" => format!("NoNewPrivs:\t{}", c.no_new_privs as u8),
                "Seccomp" => "Seccomp:\t0".into(),
                "Seccomp_filters" => "Seccomp_filters:\t0".into(),
                _ => l.to_string(),
            };
            out += &line;
            out.push('\n');
        }
        Ok(out.into_bytes())
    }

    /// maps, smaps or smaps_rollup, with the paths of mapped files
    /// translated (other lines as the host has them).
    fn maps(&self, file: &str) -> SysResult<Vec<u8>> {
        let text = self.host_text(file)?;
        let mut out = String::new();
        for l in text.lines() {
            // addr perms offset dev inode [path]
            let mut parts = l.splitn(6, ' ');
            let head: Vec<&str> = (0..5).map_while(|_| parts.next()).collect();
            let path = parts.next().map(str::trim_start).unwrap_or("");
            let is_range = head.first().is_some_and(|a| {
                a.contains('-') && a.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
            });
            if head.len() < 5 || !is_range {
                out += l;
                out.push('\n');
                continue;
            }
            let dev = head[3]
                .split_once(':')
                .and_then(|(a, b)| {
                    Some(crate::fs::devices::mkdev(
                        u64::from_str_radix(a, 16).ok()?,
                        u64::from_str_radix(b, 16).ok()?,
                    ))
                })
                .unwrap_or(0);
            let ino: u64 = head[4].parse().unwrap_or(0);
            let guest = if path.starts_with('/') {
                self.guest_path(path.as_bytes(), (dev, ino))
            } else {
                path.as_bytes().to_vec()
            };
            let g = String::from_utf8_lossy(&guest);
            let prefix = head.join(" ");
            if g.is_empty() {
                out += &format!("{prefix} \n");
            } else {
                out += &format!("{prefix:<72} {g}\n");
            }
        }
        Ok(out.into_bytes())
    }

    /// A host path of one of the guest's objects, as the guest names it.
    fn guest_path(&self, host_path: &[u8], id: (u64, u64)) -> Vec<u8> {
        guest_path(self.st, host_path, id)
    }
}

/// How many opened procfs files stay known to the registry (so fstat of
/// the guest's descriptor describes the procfs file, not ruml's memfd).
const KEEP_OPENED: usize = 1024;

/// Keeps the latest opened procfs files alive: the registry only holds
/// them weakly, and the kernel cannot tell when the guest closes its
/// descriptor.
fn keep_alive(inode: Arc<dyn Inode>) {
    static KEPT: std::sync::Mutex<std::collections::VecDeque<Arc<dyn Inode>>> =
        std::sync::Mutex::new(std::collections::VecDeque::new());
    let mut k = KEPT.lock().expect("procfs keep-alive");
    if k.len() >= KEEP_OPENED {
        k.pop_front();
    }
    k.push_back(inode);
}

/// A file of /proc/PID (PID_FILES index `file`) its process opened of
/// itself, as the memfd (dev, ino) the guest holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OwnFile {
    id: (u64, u64),
    file: usize,
}

/// How many such files the kernel remembers per process (the latest).
const OWN_FILES_MAX: usize = 32;

fn note_own_file(cx: &Caller<'_>, tgid: Tid, id: (u64, u64), file: usize) {
    let Ok((st, _)) = kernel(cx) else { return };
    let mut m = st.proc_own_files.borrow_mut();
    let v = m.entry(tgid).or_default();
    if v.len() >= OWN_FILES_MAX {
        v.remove(0);
    }
    v.push(OwnFile { id, file });
}

/// After an exec: Linux renders /proc files when they are read, so a file
/// a process opened of itself before exec (`cmd < /proc/self/cmdline`,
/// which the shell's child opens before it executes `cmd`) shows the new
/// program. Re-renders those the process still holds.
pub fn refresh_after_exec(st: &State, p: &dyn Platform, tid: Tid) {
    let Some(tgid) = st.tasks.tasks.get(&tid).map(|t| t.tgid) else {
        return;
    };
    let Some(files) = st.proc_own_files.borrow_mut().remove(&tgid) else {
        return;
    };
    let Some(host) = p.host_tid(tid) else { return };
    let Ok(dir) = std::fs::read_dir(format!("/proc/{host}/fd")) else {
        return;
    };
    let cx = Caller {
        tid,
        kernel: Some((st, p)),
        creds: None,
    };
    let mut kept: Vec<OwnFile> = Vec::new();
    for e in dir.flatten() {
        let Some(fd) = e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else {
            continue;
        };
        let link = e.path();
        let is_proc = std::fs::read_link(&link)
            .is_ok_and(|l| l.to_string_lossy().starts_with("/memfd:proc "));
        if !is_proc {
            continue;
        }
        let Ok(s) = host::stat_path(link.to_string_lossy().as_bytes()) else {
            continue;
        };
        let Some(f) = files.iter().find(|f| f.id == (s.st_dev, s.st_ino)) else {
            continue;
        };
        if kept.contains(f) {
            continue;
        }
        kept.push(*f);
        let node = ProcInode {
            node: Node::PidFile {
                tgid,
                tid: tgid,
                file: f.file,
            },
            owner: (0, 0),
        };
        // Files that hold the memory map they were opened for read as
        // empty once it is gone (Linux's proc_mem_open).
        let text = if matches!(
            PID_FILES[f.file].0,
            "environ" | "maps" | "smaps" | "smaps_rollup"
        ) {
            Ok(Vec::new())
        } else {
            node.render(&cx)
        };
        let (Ok(text), Ok(held)) = (text, p.take_fd(tid, fd)) else {
            continue;
        };
        if let Ok(w) = host::reopen(held.as_fd(), libc::O_RDWR) {
            let _ = host::ftruncate(w.as_fd(), 0);
            let _ = host::pwrite(w.as_fd(), &text, 0);
        }
    }
    if !kept.is_empty() {
        st.proc_own_files.borrow_mut().insert(tgid, kept);
    }
}

/// The process and thread a /proc/PID directory stands for (what Linux
/// accepts as a pidfd: not a task/TID directory).
pub fn pid_of_dir(loc: &Loc) -> Option<(Tid, Tid)> {
    let n = loc.0.len();
    let me = loc.0.last()?.inode.as_any().downcast_ref::<ProcInode>()?;
    let parent = loc
        .0
        .get(n.checked_sub(2)?)?
        .inode
        .as_any()
        .downcast_ref::<ProcInode>()?;
    match (&me.node, &parent.node) {
        (Node::Pid { tgid, tid }, Node::Root) => Some((*tgid, *tid)),
        _ => None,
    }
}

/// The innermost (guest) value of an NS* line ("NSpgid:", "NSsid:"...) of
/// a host /proc/PID/status.
pub fn ns_last(status: &str, key: &str) -> Option<i32> {
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|v| v.parse().ok())
}

/// Translates a host path (as host /proc shows it) of an object identified
/// by (dev, ino) to the guest's name for it.
fn guest_path(st: &State, host_path: &[u8], id: (u64, u64)) -> Vec<u8> {
    if let Some(registry::Object::At(loc)) = registry::lookup_standin(id, host_path) {
        return loc.path();
    }
    let (path, deleted) = match host_path.strip_suffix(b" (deleted)") {
        Some(p) => (p, true),
        None => (host_path, false),
    };
    let root = st.root_host.as_slice();
    let mut deleted = deleted;
    let devpts = st.devpts.as_ref().filter(|d| d.dev() == id.0);
    let mut out = if path == root {
        b"/".to_vec()
    } else if path.starts_with(root) && path.get(root.len()) == Some(&b'/') {
        path[root.len()..].to_vec()
    } else if let Some(d) = devpts {
        // A pty of the VM (the host names it in ruml's private mount).
        let at = st
            .vfs
            .mounts
            .iter()
            .find(|m| m.fstype == "devpts")
            .map_or(b"/dev/pts".to_vec(), |m| m.path.clone());
        deleted = false;
        d.name_of(id.1, &at, registry::path_of(id))
    } else if Some(id) == crate::fs::devices::console_id() {
        b"/dev/console".to_vec()
    } else if let Some(p) = registry::path_of(id) {
        // A host object standing for a guest file (a tmpfs memfd, which the
        // host always calls deleted): deleted if the guest's file is.
        deleted = match registry::lookup(id, host_path) {
            // Gone from the kernel's tree, or unlinked but still open.
            Some(registry::Object::Inode(w)) => w
                .upgrade()
                .is_none_or(|i| i.stat().is_ok_and(|s| s.nlink == 0)),
            _ => false,
        };
        p
    } else if let Some(registry::Object::At(loc)) = registry::lookup(id, host_path) {
        loc.path()
    } else {
        path.to_vec()
    };
    if deleted {
        out.extend_from_slice(b" (deleted)");
    }
    out
}

/// The guest path of the file a process executes: the host's answer (the
/// interpreter, for scripts), translated; the kernel's record otherwise.
fn exe_path(st: &State, p: &dyn Platform, tgid: Tid) -> SysResult<Vec<u8>> {
    let pr = st.tasks.any_process(tgid).ok_or(Errno::ENOENT)?;
    let host = p.host_tid(tgid).ok_or(Errno::ENOENT)?;
    let link = format!("/proc/{host}/exe");
    match (std::fs::read_link(&link), host::stat_path(link.as_bytes())) {
        (Ok(l), Ok(s)) => {
            use std::os::unix::ffi::OsStrExt;
            Ok(guest_path(
                st,
                l.as_os_str().as_bytes(),
                (s.st_dev, s.st_ino),
            ))
        }
        _ => Ok(pr.exe.clone()),
    }
}

/// What `/proc/PID/fd/N` names, as the guest sees it.
fn fd_target(st: &State, p: &dyn Platform, tid: Tid, fd: i32) -> SysResult<Vec<u8>> {
    let info = p.fd_info(tid, fd).map_err(|_| Errno::ENOENT)?;
    Ok(guest_path(st, &info.host_path, (info.dev, info.ino)))
}

/// An object reached through a magic link that has no path of its own (a
/// pipe, a socket, a deleted file): ruml holds a duplicate of the guest's
/// descriptor, and opening it reopens the object, as Linux does.
struct FdObject {
    fd: OwnedFd,
}

impl Inode for FdObject {
    fn stat(&self) -> SysResult<Stat> {
        let st = host::fstatat(self.fd.as_fd(), b"", 0)?;
        Ok(Stat::from_host(&st))
    }
    fn open(&self, _cx: &Caller<'_>, flags: i32) -> SysResult<OwnedFd> {
        let kind = self.stat()?.kind();
        if kind == Kind::Socket {
            return Err(Errno::ENXIO);
        }
        Ok(host::reopen(self.fd.as_fd(), flags & !libc::O_NOCTTY)?)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn stat_of(ino: u64, mode: u32, uid: u32, gid: u32) -> Stat {
    let now = host::clock_ns(libc::CLOCK_REALTIME);
    let t = ((now / 1_000_000_000) as i64, (now % 1_000_000_000) as i64);
    Stat {
        dev: PROC_DEV,
        ino,
        mode,
        nlink: if mode & libc::S_IFMT == libc::S_IFDIR {
            2
        } else {
            1
        },
        uid,
        gid,
        blksize: 1024,
        atime: t,
        mtime: t,
        ctime: t,
        ..Default::default()
    }
}

fn hash_ino(parts: &[u64]) -> u64 {
    // FNV-1a: stable inode numbers for generated objects.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.to_le_bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x100_0000_01b3);
        }
    }
    (h >> 16) | 0x1000
}

/// The inode number of a /proc/PID/net object.
fn net_ino(tgid: Tid, path: &str) -> u64 {
    let mut parts = vec![13, tgid as u64];
    parts.extend(path.bytes().map(u64::from));
    hash_ino(&parts)
}

/// Linux's ptrace_may_access(PTRACE_MODE_READ_FSCREDS), which guards the
/// namespace links: the caller's own process, a process whose user and
/// group ids all equal the caller's filesystem ids, or CAP_SYS_PTRACE.
fn may_inspect(cx: &Caller<'_>, tgid: Tid) -> bool {
    let Ok((st, _)) = kernel(cx) else {
        return true;
    };
    if caller_tgid(cx) == Ok(tgid) {
        return true;
    }
    let (Some(me), Some(t)) = (cx.creds(), st.tasks.any_process(tgid)) else {
        return true;
    };
    let c = &t.creds;
    me.capable(crate::task::cap::SYS_PTRACE)
        || ([c.ruid, c.euid, c.suid].iter().all(|&u| u == me.fsuid)
            && [c.rgid, c.egid, c.sgid].iter().all(|&g| g == me.fsgid))
}

/// The host's /proc/PID/ns link of a guest process's namespace (EACCES
/// for a caller that may not inspect the process).
fn ns_host_path(cx: &Caller<'_>, tgid: Tid, ns: usize) -> SysResult<String> {
    if !may_inspect(cx, tgid) {
        return Err(Errno::EACCES);
    }
    let (_, p) = kernel(cx)?;
    let host = p.host_tid(tgid).ok_or(Errno::ENOENT)?;
    Ok(format!("/proc/{host}/ns/{}", NS_NAMES[ns]))
}

/// A file of /proc/PID/net as the guest sees it: the host's view of the
/// guest's network namespace, read by ruml, which is outside the guest's
/// user namespace. Socket owners are shown as the guest's user namespace
/// shows them (ruml's host user is its root, any other user the overflow
/// id), and socket paths of the root hostfs as guest paths.
fn net_file(st: &State, path: &str, text: Vec<u8>) -> Vec<u8> {
    match path {
        "tcp" | "tcp6" | "udp" | "udp6" | "udplite" | "udplite6" | "raw" | "raw6" | "packet" => {
            let text = String::from_utf8_lossy(&text);
            let (host_uid, _) = host::host_ids();
            let mut out = String::new();
            for (i, l) in text.lines().enumerate() {
                out += &if i == 0 {
                    l.to_string()
                } else {
                    // The uid is the eighth column of each of these files.
                    replace_column(l, 7, |uid| {
                        if uid.parse() == Ok(host_uid) {
                            "0".into()
                        } else {
                            "65534".into()
                        }
                    })
                };
                out.push('\n');
            }
            out.into_bytes()
        }
        "unix" => {
            let root = st.root_host.as_slice();
            let mut out = Vec::new();
            for l in text.split_inclusive(|&b| b == b'\n') {
                // Num RefCount Protocol Flags Type St Inode [Path]
                let (body, nl) = match l.strip_suffix(b"\n") {
                    Some(b) => (b, &b"\n"[..]),
                    None => (l, &b""[..]),
                };
                let path_at = body.windows(root.len() + 2).position(|w| {
                    w[0] == b' ' && &w[1..=root.len()] == root && w[root.len() + 1] == b'/'
                });
                match path_at {
                    Some(i) if !root.is_empty() => {
                        out.extend_from_slice(&body[..=i]);
                        out.extend_from_slice(&body[i + 1 + root.len()..]);
                    }
                    _ => out.extend_from_slice(body),
                }
                out.extend_from_slice(nl);
            }
            out
        }
        _ => text,
    }
}

/// `line` with its whitespace-separated column `n` replaced by `f` of it,
/// kept right-aligned in the same width where it fits.
fn replace_column(line: &str, n: usize, f: impl Fn(&str) -> String) -> String {
    let mut start = None;
    let mut col = 0;
    let mut in_word = false;
    for (i, c) in line.char_indices() {
        if c.is_whitespace() {
            if in_word {
                if let Some(s) = start {
                    let new = f(&line[s..i]);
                    let width = i - s;
                    return format!("{}{new:>width$}{}", &line[..s], &line[i..]);
                }
                col += 1;
            }
            in_word = false;
        } else if !in_word {
            in_word = true;
            if col == n {
                start = Some(i);
            }
        }
    }
    match start {
        Some(s) => format!("{}{}", &line[..s], f(&line[s..])),
        None => line.to_string(),
    }
}

fn caller_tgid(cx: &Caller<'_>) -> SysResult<Tid> {
    let (st, _) = kernel(cx)?;
    st.tasks
        .tasks
        .get(&cx.tid)
        .map(|t| t.tgid)
        .ok_or(Errno::ENOENT)
}

fn pid_node(st: &State, tgid: Tid, tid: Tid) -> SysResult<Arc<dyn Inode>> {
    let pr = st.tasks.any_process(tgid).ok_or(Errno::ENOENT)?;
    Ok(owned(
        Node::Pid { tgid, tid },
        (pr.creds.euid, pr.creds.egid),
    ))
}

fn entry(name: impl Into<Vec<u8>>, ino: u64, kind: Kind) -> DirEntry {
    DirEntry {
        name: name.into(),
        ino,
        kind,
    }
}

fn parse_num(name: &[u8]) -> Option<i32> {
    if name.is_empty() || name.len() > 10 || (name[0] == b'0' && name.len() > 1) {
        return None;
    }
    std::str::from_utf8(name).ok()?.parse().ok()
}

impl ProcInode {
    fn ino(&self) -> u64 {
        match &self.node {
            Node::Root => 1,
            Node::RootFile(i) => 0x100 + *i as u64,
            Node::RootLink(n, _) => hash_ino(&[2, n.len() as u64, n.as_bytes()[0] as u64]),
            Node::SelfLink => 0x80,
            Node::ThreadSelf => 0x81,
            Node::Sys(p) => hash_ino(&[3, p.as_ptr() as u64]),
            Node::Pid { tgid, tid, .. } => hash_ino(&[4, *tgid as u64, *tid as u64]),
            Node::Task { tgid } => hash_ino(&[5, *tgid as u64]),
            Node::PidFile { tgid, tid, file } => {
                hash_ino(&[6, *tgid as u64, *tid as u64, *file as u64])
            }
            Node::Link { tgid, what } => hash_ino(&[7, *tgid as u64, *what as u64]),
            Node::FdDir { tgid, info } => hash_ino(&[8, *tgid as u64, *info as u64]),
            Node::Fd { tgid, fd } => hash_ino(&[9, *tgid as u64, *fd as u64]),
            Node::FdInfo { tgid, fd } => hash_ino(&[10, *tgid as u64, *fd as u64]),
            Node::NsDir { tgid } => hash_ino(&[11, *tgid as u64]),
            Node::Ns { tgid, ns } => hash_ino(&[12, *tgid as u64, *ns as u64]),
            Node::Net { tgid, path, .. } => net_ino(*tgid, path),
        }
    }

    fn owner(&self) -> (u32, u32) {
        self.owner
    }

    /// The text of a regular file.
    fn render(&self, cx: &Caller<'_>) -> SysResult<Vec<u8>> {
        match &self.node {
            Node::RootFile(i) => {
                let (st, p) = kernel(cx)?;
                Ok(ROOT_FILES[*i].1(st, p).into_bytes())
            }
            Node::Sys(path) => {
                let (st, _) = kernel(cx)?;
                let f = SYS_FILES
                    .iter()
                    .find(|(n, _)| n == path)
                    .ok_or(Errno::EISDIR)?;
                Ok(f.1(st).into_bytes())
            }
            Node::PidFile { tgid, tid, file } => {
                let v = PidView::new(cx, *tgid, *tid)?;
                PID_FILES[*file].1(&v)
            }
            Node::FdInfo { tgid, fd } => {
                let v = PidView::new(cx, *tgid, *tgid)?;
                v.host_file(&format!("fdinfo/{fd}"))
                    .map_err(|_| Errno::ENOENT)
            }
            Node::Net { tgid, path, .. } => {
                let v = PidView::new(cx, *tgid, *tgid)?;
                let text = v
                    .host_file(&format!("net/{path}"))
                    .map_err(|_| Errno::ENOENT)?;
                Ok(net_file(v.st, path, text))
            }
            _ => Err(Errno::EISDIR),
        }
    }

    fn pid_dir_entries(&self, cx: &Caller<'_>, tgid: Tid, tid: Tid) -> SysResult<Vec<DirEntry>> {
        let (st, _) = kernel(cx)?;
        if st.tasks.any_process(tgid).is_none() {
            return Err(Errno::ENOENT);
        }
        let mut v: Vec<DirEntry> = PID_FILES
            .iter()
            .enumerate()
            .map(|(i, (n, _))| {
                entry(
                    n.as_bytes(),
                    hash_ino(&[6, tgid as u64, tid as u64, i as u64]),
                    Kind::File,
                )
            })
            .collect();
        for (n, k) in [
            ("exe", LinkKind::Exe),
            ("cwd", LinkKind::Cwd),
            ("root", LinkKind::Root),
        ] {
            v.push(entry(
                n,
                hash_ino(&[7, tgid as u64, k as u64]),
                Kind::Symlink,
            ));
        }
        v.push(entry("fd", hash_ino(&[8, tgid as u64, 0]), Kind::Dir));
        v.push(entry("ns", hash_ino(&[11, tgid as u64]), Kind::Dir));
        v.push(entry("net", net_ino(tgid, ""), Kind::Dir));
        v.push(entry("fdinfo", hash_ino(&[8, tgid as u64, 1]), Kind::Dir));
        if tid == tgid {
            v.push(entry("task", hash_ino(&[5, tgid as u64]), Kind::Dir));
        }
        Ok(v)
    }

    fn pid_lookup(
        &self,
        cx: &Caller<'_>,
        tgid: Tid,
        tid: Tid,
        name: &[u8],
    ) -> SysResult<Arc<dyn Inode>> {
        let (st, _) = kernel(cx)?;
        if st.tasks.any_process(tgid).is_none() {
            return Err(Errno::ENOENT);
        }
        if let Some(i) = PID_FILES.iter().position(|(n, _)| n.as_bytes() == name) {
            return Ok(owned(Node::PidFile { tgid, tid, file: i }, self.owner));
        }
        let n = match name {
            b"exe" => Node::Link {
                tgid,
                what: LinkKind::Exe,
            },
            b"cwd" => Node::Link {
                tgid,
                what: LinkKind::Cwd,
            },
            b"root" => Node::Link {
                tgid,
                what: LinkKind::Root,
            },
            b"fd" => Node::FdDir { tgid, info: false },
            b"fdinfo" => Node::FdDir { tgid, info: true },
            b"ns" => Node::NsDir { tgid },
            b"net" => Node::Net {
                tgid,
                host: kernel(cx)?.1.host_tid(tgid).ok_or(Errno::ENOENT)?,
                path: String::new(),
            },
            b"task" if tid == tgid => Node::Task { tgid },
            _ => return Err(Errno::ENOENT),
        };
        Ok(owned(n, self.owner))
    }

    /// Open descriptors of a process.
    fn fds(cx: &Caller<'_>, tgid: Tid) -> SysResult<Vec<i32>> {
        let (_, p) = kernel(cx)?;
        let host = p.host_tid(tgid).ok_or(Errno::ENOENT)?;
        let mut v: Vec<i32> = std::fs::read_dir(format!("/proc/{host}/fd"))
            .map_err(|_| Errno::ENOENT)?
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect();
        v.sort_unstable();
        Ok(v)
    }

    /// The location a magic link names.
    fn magic(&self, cx: &Caller<'_>, vfs: &Vfs) -> SysResult<Loc> {
        let (st, p) = kernel(cx)?;
        match &self.node {
            Node::Link { tgid, what } => {
                let task = st.tasks.tasks.get(tgid).ok_or(Errno::ENOENT)?;
                let fs = task.fs.borrow();
                match what {
                    LinkKind::Cwd => Ok(fs.cwd.clone()),
                    LinkKind::Root => Ok(fs.root.clone()),
                    LinkKind::Exe => {
                        let exe = exe_path(st, p, *tgid)?;
                        let top = vfs.root();
                        let host = p.host_tid(*tgid).ok_or(Errno::ENOENT)?;
                        let link = format!("/proc/{host}/exe");
                        let id = host::stat_path(link.as_bytes())
                            .ok()
                            .map(|s| (s.st_dev, s.st_ino));
                        if let Ok(loc) = vfs.resolve(&cx.unchecked(), &top, &top, &exe, Follow::Yes)
                        {
                            if loc.inode().stat().is_ok_and(|s| Some((s.dev, s.ino)) == id) {
                                return Ok(loc);
                            }
                        }
                        // Deleted, on tmpfs, a memfd: the file itself.
                        let fd = host::open_path(link.as_bytes(), libc::O_PATH)?;
                        let mut loc = top;
                        loc.0.push(Step {
                            name: exe,
                            inode: Arc::new(FdObject { fd }),
                            mount: loc.mount(),
                        });
                        Ok(loc)
                    }
                }
            }
            Node::Fd { tgid, fd } => {
                let info = p.fd_info(*tgid, *fd).map_err(|_| Errno::ENOENT)?;
                let id = (info.dev, info.ino);
                if let Some(registry::Object::At(loc)) = registry::lookup(id, &info.host_path) {
                    return Ok(loc);
                }
                let path = guest_path(st, &info.host_path, id);
                let top = vfs.root();
                if path.starts_with(b"/") && !path.ends_with(b" (deleted)") {
                    if let Ok(loc) = vfs.resolve(&cx.unchecked(), &top, &top, &path, Follow::No) {
                        let same = loc
                            .inode()
                            .stat()
                            .is_ok_and(|s| (s.dev, s.ino) == id || registry::path_of(id).is_some());
                        if same {
                            return Ok(loc);
                        }
                    }
                }
                let fd = p.take_fd(*tgid, *fd).map_err(|_| Errno::ENOENT)?;
                let mut loc = top;
                loc.0.push(Step {
                    name: path,
                    inode: Arc::new(FdObject { fd }),
                    mount: loc.mount(),
                });
                Ok(loc)
            }
            Node::Ns { tgid, ns } => {
                // The namespace itself (an nsfs object, as on Linux).
                let link = ns_host_path(cx, *tgid, *ns)?;
                let fd =
                    host::open_path(link.as_bytes(), libc::O_PATH).map_err(|_| Errno::ENOENT)?;
                let name = self.readlink(cx)?;
                let mut loc = vfs.root();
                loc.0.push(Step {
                    name,
                    inode: Arc::new(FdObject { fd }),
                    mount: loc.mount(),
                });
                Ok(loc)
            }
            _ => Err(Errno::EINVAL),
        }
    }
}

impl ProcInode {
    /// For /proc/PID/net objects: the host's path for them (the process's
    /// own /proc/PID/net shows its network namespace).
    fn net_host_path(&self) -> Option<String> {
        let Node::Net { host, path, .. } = &self.node else {
            return None;
        };
        if !path.is_empty()
            && path
                .split('/')
                .any(|c| c.is_empty() || c == "." || c == "..")
        {
            return None;
        }
        Some(if path.is_empty() {
            format!("/proc/{host}/net")
        } else {
            format!("/proc/{host}/net/{path}")
        })
    }

    /// The mode of a /proc/PID/net object: the host's.
    fn net_mode(&self) -> u32 {
        self.net_host_path()
            .and_then(|p| std::fs::symlink_metadata(p).ok())
            .map_or(libc::S_IFDIR | 0o555, |m| {
                use std::os::unix::fs::MetadataExt;
                m.mode()
            })
    }

    /// What writing this file changes, if it is writable.
    fn write_target(&self, cx: &Caller<'_>) -> Option<ProcWrite> {
        match &self.node {
            Node::Sys("kernel/hostname") => Some(ProcWrite::Hostname),
            Node::Sys("kernel/domainname") => Some(ProcWrite::Domainname),
            Node::PidFile { tgid, tid, file } => match PID_FILES[*file].0 {
                "comm" => {
                    // Only a thread of the same process may rename a thread.
                    let (st, _) = kernel(cx).ok()?;
                    (st.tasks.tasks.get(&cx.tid)?.tgid == *tgid).then_some(ProcWrite::Comm(*tid))
                }
                "oom_score_adj" => Some(ProcWrite::OomScoreAdj(*tgid)),
                _ => None,
            },
            _ => None,
        }
    }
}

impl Inode for ProcInode {
    fn stat(&self) -> SysResult<Stat> {
        let (uid, gid) = self.owner();
        let mode = match &self.node {
            Node::Root | Node::Task { .. } => libc::S_IFDIR | 0o555,
            Node::FdDir { .. } => libc::S_IFDIR | 0o500,
            Node::NsDir { .. } => libc::S_IFDIR | 0o511,
            Node::Ns { .. } => libc::S_IFLNK | 0o777,
            Node::Net { .. } => self.net_mode(),
            Node::Pid { .. } => libc::S_IFDIR | 0o555,
            Node::Sys(p) if SYS_DIRS.contains(p) => libc::S_IFDIR | 0o555,
            Node::Sys(p) if p.starts_with("net/") => libc::S_IFREG | 0o644,
            Node::Sys(p) if matches!(*p, "kernel/hostname" | "kernel/domainname") => {
                libc::S_IFREG | 0o644
            }
            Node::Sys(_) => libc::S_IFREG | 0o444,
            Node::RootLink(..) | Node::SelfLink | Node::ThreadSelf => libc::S_IFLNK | 0o777,
            Node::Link { .. } | Node::Fd { .. } => libc::S_IFLNK | 0o777,
            Node::PidFile { file, .. }
                if matches!(PID_FILES[*file].0, "environ" | "personality") =>
            {
                libc::S_IFREG | 0o400
            }
            Node::PidFile { file, .. }
                if matches!(PID_FILES[*file].0, "comm" | "oom_score_adj" | "oom_adj") =>
            {
                libc::S_IFREG | 0o644
            }
            Node::RootFile(_) | Node::PidFile { .. } | Node::FdInfo { .. } => libc::S_IFREG | 0o444,
        };
        Ok(stat_of(self.ino(), mode, uid, gid))
    }

    fn kind(&self) -> Kind {
        match &self.node {
            Node::Root
            | Node::Pid { .. }
            | Node::Task { .. }
            | Node::FdDir { .. }
            | Node::NsDir { .. } => Kind::Dir,
            Node::Net { .. } => Kind::from_mode(self.net_mode()),
            Node::Sys(p) if SYS_DIRS.contains(p) => Kind::Dir,
            Node::RootLink(..)
            | Node::SelfLink
            | Node::ThreadSelf
            | Node::Link { .. }
            | Node::Fd { .. }
            | Node::Ns { .. } => Kind::Symlink,
            _ => Kind::File,
        }
    }

    fn lookup(&self, cx: &Caller<'_>, name: &[u8]) -> SysResult<Arc<dyn Inode>> {
        match &self.node {
            Node::Root => {
                if let Some(i) = ROOT_FILES.iter().position(|(n, _)| n.as_bytes() == name) {
                    return Ok(node(Node::RootFile(i)));
                }
                match name {
                    b"self" => return Ok(node(Node::SelfLink)),
                    b"thread-self" => return Ok(node(Node::ThreadSelf)),
                    b"mounts" => return Ok(node(Node::RootLink("mounts", "self/mounts"))),
                    b"net" => return Ok(node(Node::RootLink("net", "self/net"))),
                    b"sys" => return Ok(node(Node::Sys(""))),
                    _ => {}
                }
                let pid = parse_num(name).ok_or(Errno::ENOENT)?;
                let (st, _) = kernel(cx)?;
                if st.tasks.zombies.contains_key(&pid) {
                    let (_, p) = kernel(cx)?;
                    if p.host_tid(pid).is_none() {
                        return Err(Errno::ENOENT);
                    }
                    return pid_node(st, pid, pid);
                }
                // Threads are reachable as /proc/TID too, though not listed.
                let tgid = st.tasks.tasks.get(&pid).ok_or(Errno::ENOENT)?.tgid;
                pid_node(st, tgid, pid)
            }
            Node::Sys(dir) => {
                let full = if dir.is_empty() {
                    String::from_utf8_lossy(name).into_owned()
                } else {
                    format!("{dir}/{}", String::from_utf8_lossy(name))
                };
                if let Some(d) = SYS_DIRS.iter().find(|d| **d == full) {
                    return Ok(node(Node::Sys(d)));
                }
                SYS_FILES
                    .iter()
                    .find(|(n, _)| *n == full)
                    .map(|(n, _)| node(Node::Sys(n)))
                    .ok_or(Errno::ENOENT)
            }
            Node::Pid { tgid, tid, .. } => self.pid_lookup(cx, *tgid, *tid, name),
            Node::Task { tgid } => {
                let tid = parse_num(name).ok_or(Errno::ENOENT)?;
                let (st, _) = kernel(cx)?;
                match st.tasks.tasks.get(&tid) {
                    Some(t) if t.tgid == *tgid => pid_node(st, *tgid, tid),
                    _ => Err(Errno::ENOENT),
                }
            }
            Node::FdDir { tgid, info } => {
                let fd = parse_num(name).ok_or(Errno::ENOENT)?;
                if !Self::fds(cx, *tgid)?.contains(&fd) {
                    return Err(Errno::ENOENT);
                }
                Ok(owned(
                    if *info {
                        Node::FdInfo { tgid: *tgid, fd }
                    } else {
                        Node::Fd { tgid: *tgid, fd }
                    },
                    self.owner,
                ))
            }
            Node::NsDir { tgid } => {
                let ns = NS_NAMES
                    .iter()
                    .position(|n| n.as_bytes() == name)
                    .ok_or(Errno::ENOENT)?;
                Ok(owned(Node::Ns { tgid: *tgid, ns }, self.owner))
            }
            Node::Net { tgid, host, path } => {
                if self.kind() != Kind::Dir {
                    return Err(Errno::ENOTDIR);
                }
                let name = std::str::from_utf8(name).map_err(|_| Errno::ENOENT)?;
                let path = if path.is_empty() {
                    name.to_string()
                } else {
                    format!("{path}/{name}")
                };
                let n = ProcInode {
                    node: Node::Net {
                        tgid: *tgid,
                        host: *host,
                        path,
                    },
                    owner: (0, 0),
                };
                if n.net_host_path()
                    .and_then(|p| std::fs::symlink_metadata(p).ok())
                    .is_none()
                {
                    return Err(Errno::ENOENT);
                }
                Ok(Arc::new(n))
            }
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn readlink(&self, cx: &Caller<'_>) -> SysResult<Vec<u8>> {
        match &self.node {
            Node::RootLink(_, t) => Ok(t.as_bytes().to_vec()),
            Node::SelfLink => Ok(caller_tgid(cx)?.to_string().into_bytes()),
            Node::ThreadSelf => Ok(format!("{}/task/{}", caller_tgid(cx)?, cx.tid).into_bytes()),
            Node::Link { tgid, what } => {
                let (st, p) = kernel(cx)?;
                let me_root = st
                    .tasks
                    .tasks
                    .get(&cx.tid)
                    .map(|t| t.fs.borrow().root.clone());
                let task = st.tasks.tasks.get(tgid).ok_or(Errno::ENOENT)?;
                let fs = task.fs.borrow();
                let rel = |l: &Loc| match &me_root {
                    Some(r) => l.path_from(r),
                    None => l.path(),
                };
                Ok(match what {
                    LinkKind::Cwd => rel(&fs.cwd),
                    LinkKind::Root => rel(&fs.root),
                    LinkKind::Exe => exe_path(st, p, *tgid)?,
                })
            }
            Node::Fd { tgid, fd } => {
                let (st, p) = kernel(cx)?;
                fd_target(st, p, *tgid, *fd)
            }
            Node::Ns { tgid, ns } => {
                use std::os::unix::ffi::OsStrExt;
                let link = ns_host_path(cx, *tgid, *ns)?;
                let l = std::fs::read_link(link).map_err(|_| Errno::ENOENT)?;
                Ok(l.as_os_str().as_bytes().to_vec())
            }
            _ => Err(Errno::EINVAL),
        }
    }

    fn statfs(&self) -> SysResult<crate::vfs::StatFs> {
        Ok(crate::vfs::StatFs::pseudo(0x9fa0)) // PROC_SUPER_MAGIC
    }

    fn create(
        &self,
        _name: &[u8],
        _mode: u32,
        _flags: i32,
        _who: crate::vfs::Creator,
    ) -> SysResult<OwnedFd> {
        Err(crate::vfs::no_new_names(self.kind(), Errno::ENOENT))
    }

    fn mkdir(&self, _name: &[u8], _mode: u32, _who: crate::vfs::Creator) -> SysResult<()> {
        Err(crate::vfs::no_new_names(self.kind(), Errno::ENOENT))
    }

    fn permission(&self, cx: &Caller<'_>, creds: &Creds, mask: u32) -> SysResult<()> {
        let r = perm::generic_permission(creds, &self.stat()?, mask);
        match &self.node {
            // A process may always look at its own descriptors
            // (proc_fd_permission).
            Node::FdDir { tgid, .. } if r.is_err() && caller_tgid(cx) == Ok(*tgid) => Ok(()),
            _ => r,
        }
    }

    fn follow_magic(&self, cx: &Caller<'_>, vfs: &Vfs) -> Option<SysResult<Loc>> {
        match &self.node {
            Node::Link { .. } | Node::Fd { .. } | Node::Ns { .. } => Some(self.magic(cx, vfs)),
            _ => None,
        }
    }

    fn open(&self, cx: &Caller<'_>, flags: i32) -> SysResult<OwnedFd> {
        if self.kind() == Kind::Dir {
            return Err(Errno::EISDIR);
        }
        if let Node::Sys(p) = &self.node {
            if let Some(fd) = net_sysctl(cx, p, flags) {
                return fd;
            }
        }
        let writable = self.stat()?.mode & 0o200 != 0;
        if flags & libc::O_ACCMODE != libc::O_RDONLY && !writable {
            return Err(Errno::EACCES);
        }
        if flags & libc::O_ACCMODE == libc::O_WRONLY {
            if let Some(target) = self.write_target(cx) {
                // Each write(2) of the guest is one packet that the kernel
                // applies before it serves the guest's next trapped call.
                let (r, w) = host::packet_pipe()?;
                let (st, _) = kernel(cx)?;
                if matches!(target, ProcWrite::Comm(_)) {
                    // Its PR_GET_NAME must see the name the kernel owes it.
                    st.want_get_name_trap.borrow_mut().push(cx.tid);
                }
                st.proc_sinks.borrow_mut().push(Sink { fd: r, target });
                return Ok(host::reopen(
                    w.as_fd(),
                    libc::O_WRONLY | (flags & libc::O_CLOEXEC),
                )?);
            }
        }
        let text = self.render(cx)?;
        let fd = host::memfd("proc")?;
        host::pwrite(fd.as_fd(), &text, 0)?;
        let st = host::fstatat(fd.as_fd(), b"", 0)?;
        let me: Arc<dyn Inode> = Arc::new(ProcInode {
            node: self.node.clone(),
            owner: self.owner,
        });
        registry::register_tagged_inode(
            (st.st_dev, st.st_ino),
            b"/memfd:proc (deleted)".to_vec(),
            &me,
        );
        keep_alive(me);
        if let Node::PidFile { tgid, tid, file } = self.node {
            if tid == tgid && caller_tgid(cx) == Ok(tgid) {
                note_own_file(cx, tgid, (st.st_dev, st.st_ino), file);
            }
        }
        // The guest reads it through its own description, from offset 0.
        let acc = if writable {
            flags & libc::O_ACCMODE
        } else {
            libc::O_RDONLY
        };
        Ok(host::reopen(fd.as_fd(), acc | (flags & libc::O_CLOEXEC))?)
    }

    fn readdir(&self, cx: &Caller<'_>) -> SysResult<Vec<DirEntry>> {
        match &self.node {
            Node::Root => {
                let (st, _) = kernel(cx)?;
                let mut v: Vec<DirEntry> = ROOT_FILES
                    .iter()
                    .enumerate()
                    .map(|(i, (n, _))| entry(n.as_bytes(), 0x100 + i as u64, Kind::File))
                    .collect();
                v.push(entry("self", 0x80, Kind::Symlink));
                v.push(entry("thread-self", 0x81, Kind::Symlink));
                v.push(entry(
                    "mounts",
                    hash_ino(&[2, 6, b'm' as u64]),
                    Kind::Symlink,
                ));
                v.push(entry("net", hash_ino(&[2, 3, b'n' as u64]), Kind::Symlink));
                v.push(entry(
                    "sys",
                    hash_ino(&[3, SYS_DIRS[0].as_ptr() as u64]),
                    Kind::Dir,
                ));
                let (_, p) = kernel(cx)?;
                let zombies = st
                    .tasks
                    .zombies
                    .keys()
                    .filter(|&&z| p.host_tid(z).is_some());
                let mut pids: Vec<Tid> = st.tasks.procs.keys().chain(zombies).copied().collect();
                pids.sort_unstable();
                for pid in pids {
                    v.push(entry(
                        pid.to_string(),
                        hash_ino(&[4, pid as u64, pid as u64]),
                        Kind::Dir,
                    ));
                }
                Ok(v)
            }
            Node::Sys(dir) => {
                let prefix = if dir.is_empty() {
                    String::new()
                } else {
                    format!("{dir}/")
                };
                let child = |p: &'static str| -> Option<&'static str> {
                    let rest = p.strip_prefix(prefix.as_str())?;
                    (!rest.is_empty() && !rest.contains('/')).then_some(rest)
                };
                let mut v = Vec::new();
                for d in SYS_DIRS {
                    if let Some(n) = child(d) {
                        v.push(entry(n, hash_ino(&[3, d.as_ptr() as u64]), Kind::Dir));
                    }
                }
                for (f, _) in SYS_FILES {
                    if let Some(n) = child(f) {
                        v.push(entry(n, hash_ino(&[3, f.as_ptr() as u64]), Kind::File));
                    }
                }
                Ok(v)
            }
            Node::Pid { tgid, tid, .. } => self.pid_dir_entries(cx, *tgid, *tid),
            Node::Task { tgid } => {
                let (st, _) = kernel(cx)?;
                let mut tids: Vec<Tid> = st
                    .tasks
                    .tasks
                    .values()
                    .filter(|t| t.tgid == *tgid)
                    .map(|t| t.tid)
                    .collect();
                tids.sort_unstable();
                Ok(tids
                    .into_iter()
                    .map(|t| {
                        entry(
                            t.to_string(),
                            hash_ino(&[4, *tgid as u64, t as u64]),
                            Kind::Dir,
                        )
                    })
                    .collect())
            }
            Node::NsDir { tgid } => Ok(NS_NAMES
                .iter()
                .enumerate()
                .map(|(i, n)| entry(*n, hash_ino(&[12, *tgid as u64, i as u64]), Kind::Symlink))
                .collect()),
            Node::Net { tgid, path, .. } => {
                let dir = self.net_host_path().ok_or(Errno::ENOENT)?;
                let rd = std::fs::read_dir(dir).map_err(|_| Errno::ENOENT)?;
                let mut v = Vec::new();
                for e in rd.flatten() {
                    let Some(name) = e.file_name().to_str().map(String::from) else {
                        continue;
                    };
                    let kind = match e.file_type() {
                        Ok(t) if t.is_dir() => Kind::Dir,
                        Ok(t) if t.is_symlink() => Kind::Symlink,
                        _ => Kind::File,
                    };
                    let sub = if path.is_empty() {
                        name.clone()
                    } else {
                        format!("{path}/{name}")
                    };
                    v.push(entry(name, net_ino(*tgid, &sub), kind));
                }
                v.sort_by(|a, b| a.name.cmp(&b.name));
                Ok(v)
            }
            Node::FdDir { tgid, info } => Ok(Self::fds(cx, *tgid)?
                .into_iter()
                .map(|fd| {
                    entry(
                        fd.to_string(),
                        hash_ino(&[if *info { 10 } else { 9 }, *tgid as u64, fd as u64]),
                        if *info { Kind::File } else { Kind::Symlink },
                    )
                })
                .collect()),
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
