//! procfs. This first version serves the system-wide files from a snapshot
//! the kernel refreshes; per-process directories are still to come.

use crate::errno::{Errno, SysResult};
use crate::syscalls::Ctx;
use crate::vfs::{registry, DirEntry, Inode, Kind, Stat};
use ruml_platform::host;
use std::any::Any;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::{Arc, Mutex, OnceLock};

/// What the kernel publishes for procfs to read.
#[derive(Default, Clone)]
pub struct Snapshot {
    pub mem: u64,
    pub boot_ns: u64,
    pub cmdline: String,
    pub mounts: String,
    pub used: u64,
}

fn snap() -> &'static Mutex<Snapshot> {
    static S: OnceLock<Mutex<Snapshot>> = OnceLock::new();
    S.get_or_init(Mutex::default)
}

/// Updates the snapshot.
pub fn publish(f: impl FnOnce(&mut Snapshot)) {
    f(&mut snap().lock().expect("procfs snapshot"));
}

/// Resident memory of all guest processes, in bytes.
pub fn guest_rss(c: &Ctx<'_>) -> u64 {
    let page = host::page_size();
    c.st.tasks
        .procs
        .keys()
        .filter_map(|&t| c.p.host_tid(t))
        .filter_map(|h| std::fs::read_to_string(format!("/proc/{h}/statm")).ok())
        .filter_map(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u64>().ok())
        })
        .sum::<u64>()
        * page
}

type Gen = fn(&Snapshot) -> String;

const FILES: &[(&str, Gen)] = &[
    ("cmdline", |s| format!("{}\n", s.cmdline)),
    ("cpuinfo", |_| {
        std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default()
    }),
    ("filesystems", |_| {
        "nodev\tsysfs\nnodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tproc\nnodev\thostfs\n".into()
    }),
    ("loadavg", |_| "0.00 0.00 0.00 1/1 1\n".into()),
    ("meminfo", |s| {
        let kb = |b: u64| b / 1024;
        let free = s.mem.saturating_sub(s.used);
        format!(
            "MemTotal:       {:8} kB\nMemFree:        {:8} kB\nMemAvailable:   {:8} kB\nBuffers:               0 kB\nCached:                0 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n",
            kb(s.mem),
            kb(free),
            kb(free)
        )
    }),
    ("mounts", |s| s.mounts.clone()),
    ("uptime", |s| {
        let up = (host::clock_ns(libc::CLOCK_MONOTONIC) - s.boot_ns) as f64 / 1e9;
        format!("{up:.2} {up:.2}\n")
    }),
    ("version", |_| {
        format!(
            "Linux version {} (ruml) #1 {}\n",
            crate::kernel::RELEASE,
            env!("CARGO_PKG_VERSION")
        )
    }),
];

struct ProcRoot;

struct ProcFile {
    ino: u64,
    gen: Gen,
}

/// A new procfs root.
pub fn new() -> Arc<dyn Inode> {
    Arc::new(ProcRoot)
}

fn stat_of(ino: u64, mode: u32) -> Stat {
    Stat {
        dev: 0x3,
        ino,
        mode,
        nlink: 1,
        blksize: 4096,
        ..Default::default()
    }
}

impl Inode for ProcRoot {
    fn stat(&self) -> SysResult<Stat> {
        Ok(Stat {
            nlink: 2,
            ..stat_of(1, libc::S_IFDIR | 0o555)
        })
    }
    fn kind(&self) -> Kind {
        Kind::Dir
    }
    fn lookup(&self, name: &[u8]) -> SysResult<Arc<dyn Inode>> {
        FILES
            .iter()
            .enumerate()
            .find(|(_, (n, _))| n.as_bytes() == name)
            .map(|(i, (_, g))| {
                Arc::new(ProcFile {
                    ino: 10 + i as u64,
                    gen: *g,
                }) as Arc<dyn Inode>
            })
            .ok_or(Errno::ENOENT)
    }
    fn open(&self, _flags: i32) -> SysResult<OwnedFd> {
        Err(Errno::EISDIR)
    }
    fn readdir(&self) -> SysResult<Vec<DirEntry>> {
        Ok(FILES
            .iter()
            .enumerate()
            .map(|(i, (n, _))| DirEntry {
                name: n.as_bytes().to_vec(),
                ino: 10 + i as u64,
                kind: Kind::File,
            })
            .collect())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Inode for ProcFile {
    fn stat(&self) -> SysResult<Stat> {
        Ok(stat_of(self.ino, libc::S_IFREG | 0o444))
    }
    fn kind(&self) -> Kind {
        Kind::File
    }
    fn open(&self, flags: i32) -> SysResult<OwnedFd> {
        if flags & libc::O_ACCMODE != libc::O_RDONLY {
            return Err(Errno::EACCES);
        }
        let text = (self.gen)(&snap().lock().expect("procfs snapshot"));
        let fd = host::memfd("proc")?;
        host::pwrite(fd.as_fd(), text.as_bytes(), 0)?;
        let st = host::fstatat(fd.as_fd(), b"", 0)?;
        let me: Arc<dyn Inode> = Arc::new(ProcFile {
            ino: self.ino,
            gen: self.gen,
        });
        registry::register_inode((st.st_dev, st.st_ino), &me);
        // The guest reads it through its own description, from offset 0.
        Ok(host::reopen(
            fd.as_fd(),
            libc::O_RDONLY | (flags & libc::O_CLOEXEC),
        )?)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
