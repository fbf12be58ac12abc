//! Guest memory accounting: what `mem=` means.
//!
//! Guest memory is host memory of the guest's processes. Two bounds hold it
//! to `mem=`, as Linux's heuristic overcommit and OOM killer do:
//! * the seccomp filter refuses, with ENOMEM, a private writable mapping
//!   larger than the VM's memory (see `Rule::MmapWithin`); brk runs
//!   natively (trapping it would cost every program start several stops),
//!   so a heap grown past the VM's memory meets the OOM killer instead;
//! * the kernel's OOM killer: when the resident anonymous and shared memory
//!   of all guest processes together exceeds `mem`, the biggest process
//!   (never init) is killed with SIGKILL and a log line, as Linux does.

use crate::kernel::State;
use ruml_platform::{Platform, Tid};

/// Memory of one guest process, in kB.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcMem {
    pub vm: u64,
    pub anon: u64,
    pub file: u64,
    pub shmem: u64,
}

fn status_kb(text: &str, key: &str) -> u64 {
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

impl ProcMem {
    /// What the process is charged for: resident anonymous and shared
    /// memory, in kB.
    pub fn charged(&self) -> u64 {
        self.anon + self.shmem
    }
}

/// Reads a guest process's memory from the host.
pub fn proc_mem(p: &dyn Platform, tgid: Tid) -> Option<ProcMem> {
    let host = p.host_tid(tgid)?;
    let text = std::fs::read_to_string(format!("/proc/{host}/status")).ok()?;
    Some(ProcMem {
        vm: status_kb(&text, "VmSize:"),
        anon: status_kb(&text, "RssAnon:"),
        file: status_kb(&text, "RssFile:"),
        shmem: status_kb(&text, "RssShmem:"),
    })
}

/// Memory each guest process holds.
pub fn usage(st: &State, p: &dyn Platform) -> Vec<(Tid, ProcMem)> {
    st.tasks
        .procs
        .keys()
        .filter_map(|&t| proc_mem(p, t).map(|m| (t, m)))
        .collect()
}

/// Bytes of guest memory in use: anonymous and shared resident memory of
/// all processes (pages shared after fork count once per process, an
/// upper bound).
pub fn used_bytes(st: &State, p: &dyn Platform) -> u64 {
    usage(st, p).iter().map(|(_, m)| m.charged()).sum::<u64>() * 1024
}

/// The out-of-memory killer: if the guest uses more than `mem`, kills the
/// process holding the most and logs it. Returns the victim.
pub fn check_oom(st: &mut State, p: &dyn Platform) -> Option<Tid> {
    let all = usage(st, p);
    let used: u64 = all.iter().map(|(_, m)| m.charged()).sum::<u64>() * 1024;
    if used <= st.cfg.mem {
        return None;
    }
    let (victim, m) = all
        .iter()
        .filter(|(t, _)| *t != 1)
        .max_by_key(|(_, m)| m.charged())?;
    let comm = p
        .host_tid(*victim)
        .and_then(|h| std::fs::read_to_string(format!("/proc/{h}/comm")).ok())
        .unwrap_or_default();
    p.kill(*victim, libc::SIGKILL).ok()?;
    st.printk_err(&format!(
        "Out of memory: Killed process {victim} ({}) total-vm:{}kB, anon-rss:{}kB, file-rss:{}kB, shmem-rss:{}kB",
        comm.trim(),
        m.vm,
        m.anon,
        m.file,
        m.shmem
    ));
    Some(*victim)
}
