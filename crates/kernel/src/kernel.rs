//! The kernel: state plus the loop that answers platform events.

use crate::config::BootConfig;
use crate::syscalls;
use crate::task::{Creds, FsContext, Process, Task, Tasks};
use crate::vfs::Vfs;
use ruml_platform::{Event, ExitStatus, Platform, Resume, Tid};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// How the VM ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VmExit {
    /// reboot(2) with POWER_OFF or HALT.
    Halt,
    /// reboot(2) with RESTART: boot again.
    Reboot,
    /// init died: the message Linux would print.
    Panic(String),
    /// ruml was told to stop (SIGTERM, SIGINT, SIGHUP).
    Terminated,
}

/// Kernel state seen by syscall handlers.
pub struct State {
    pub cfg: BootConfig,
    pub vfs: Vfs,
    pub tasks: Tasks,
    pub shutdown: Option<VmExit>,
    /// CLOCK_BOOTTIME when the VM booted.
    pub boot_ns: u64,
    /// UTS names (the host's copy in the guest's namespace is not read).
    pub hostname: String,
    pub domainname: String,
    /// /proc/sys/kernel/random/boot_id.
    pub boot_id: String,
    /// Tasks created since boot (/proc/stat "processes").
    pub forks: u64,
    /// Init has executed its program.
    pub init_started: bool,
    /// When the kernel last looked for reaped zombies.
    pub zombie_scan: std::time::Instant,
    /// Processes (by a thread of theirs now stopped in a trap) that opened a
    /// command name for writing: their PR_GET_NAME must trap from now on.
    pub want_get_name_trap: RefCell<Vec<Tid>>,
    /// procfs files open for writing (see `procfs::drain_sinks`).
    pub proc_sinks: RefCell<Vec<crate::fs::procfs::Sink>>,
    /// Files of /proc/PID a process opened of itself, by process (see
    /// `procfs::refresh_after_exec`).
    pub proc_own_files: RefCell<HashMap<Tid, Vec<crate::fs::procfs::OwnFile>>>,
    /// What to do when natively run calls return, by thread.
    pub exit_hooks: HashMap<Tid, syscalls::ExitHook>,
    pub log: Vec<u8>,
    warned: HashSet<u64>,
    pub max_tasks: usize,
    /// Canonical host path of the root hostfs directory.
    pub root_host: Vec<u8>,
    /// Log every trapped syscall (RUML_TRACE=1).
    pub trace: bool,
    /// A NETLINK_ROUTE socket in the guest's network namespace, taken from
    /// init at its first trapped call (sysfs lists the guest's devices
    /// through it).
    pub netlink: Option<std::os::fd::OwnedFd>,
    netlink_tried: bool,
    /// The VM's user and network namespaces, for objects that must be
    /// opened inside them (network sysctls, NIC taps).
    pub netns: Option<Arc<ruml_platform::net::VmNamespaces>>,
    /// The VM's devpts instance, made at the first devpts mount.
    pub devpts: Option<Arc<crate::fs::devpts::Instance>>,
    /// Whether ELF interpreters may be copied into the guests' host chroot
    /// (see [`crate::exec_root`]): `Shared` (the root hostfs directory)
    /// unless boot code makes it a private directory.
    pub exec_root: crate::exec_root::ExecRoot,
}

/// Writes to ruml's stderr; a closed or broken stderr (the terminal went
/// away) is ignored rather than stopping the kernel.
pub fn host_log(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// How often the kernel does periodic work (the OOM killer).
const TICK: std::time::Duration = std::time::Duration::from_millis(50);

/// The kernel release ruml reports in /proc/version.
pub const RELEASE: &str = "6.1.0-ruml";

/// The kernel: its state and the platform that runs guest code.
pub struct Kernel {
    pub st: State,
    pub platform: Box<dyn Platform>,
    pub terminate: Arc<AtomicBool>,
}

impl State {
    /// Logs a line to the kernel log (and to stderr unless quiet).
    pub fn printk(&mut self, msg: &str) {
        self.log_line(msg, !self.cfg.quiet);
    }

    /// Logs an error-level line: shown even with `quiet`, as Linux shows
    /// KERN_ERR messages.
    pub fn printk_err(&mut self, msg: &str) {
        self.log_line(msg, true);
    }

    fn log_line(&mut self, msg: &str, show: bool) {
        let t = (ruml_platform::host::clock_ns(libc::CLOCK_BOOTTIME) - self.boot_ns) as f64 / 1e9;
        let line = format!("[{t:12.6}] {msg}\n");
        self.log.extend_from_slice(line.as_bytes());
        if show {
            host_log(&format!("ruml: {msg}\r\n"));
        }
    }

    /// Forgets the zombies whose parent has reaped them (a failed open of
    /// /proc/PID/stat each).
    pub fn forget_reaped_zombies(&mut self, p: &mut dyn Platform) {
        let reaped: Vec<Tid> = self
            .tasks
            .zombies
            .keys()
            .copied()
            .filter(|&t| p.host_tid(t).is_none())
            .collect();
        for t in reaped {
            self.tasks.zombies.remove(&t);
            p.forget_zombie(t);
        }
        self.zombie_scan = std::time::Instant::now();
    }

    /// Logs `msg` the first time `key` is seen.
    pub fn warn_once(&mut self, key: u64, msg: &str) {
        if self.warned.insert(key) {
            let line = format!("ruml: {msg}\r\n");
            self.log.extend_from_slice(&line.as_bytes()[6..]);
            host_log(&line);
        }
    }
}

impl Kernel {
    /// A kernel for a guest whose init (tid 1) the platform has started.
    pub fn new(cfg: BootConfig, vfs: Vfs, platform: Box<dyn Platform>, boot_ns: u64) -> Kernel {
        let root = vfs.root();
        let mut tasks = Tasks::default();
        let fs = Rc::new(RefCell::new(FsContext {
            root: root.clone(),
            cwd: root,
            umask: 0o022,
            host_cwd: true,
        }));
        tasks.tasks.insert(
            1,
            Task {
                tid: 1,
                tgid: 1,
                fs,
                pending_clone: None,
                pending_exec: None,
                comm_pending: None,
            },
        );
        tasks.procs.insert(
            1,
            Process {
                tgid: 1,
                creds: Creds::root(),
                exe: Vec::new(),
                oom_score_adj: 0,
                get_name_trapped: false,
                passcred_fds: Vec::new(),
            },
        );
        let cfg_root = cfg.root_dir();
        let cfg_root_disk = cfg.root_disk.is_some();
        let hostname = cfg.hostname.clone().unwrap_or_else(|| "(none)".into());
        let max_tasks = ((cfg.mem >> 20) as usize * 16).clamp(256, 32768);
        Kernel {
            st: State {
                cfg,
                vfs,
                tasks,
                shutdown: None,
                boot_ns,
                hostname,
                domainname: "(none)".into(),
                boot_id: crate::fs::procfs::uuid(),
                forks: 1,
                init_started: false,
                zombie_scan: std::time::Instant::now(),
                exit_hooks: HashMap::new(),
                proc_sinks: RefCell::new(Vec::new()),
                proc_own_files: RefCell::new(HashMap::new()),
                want_get_name_trap: RefCell::new(Vec::new()),
                log: Vec::new(),
                warned: HashSet::new(),
                max_tasks,
                trace: std::env::var_os("RUML_TRACE").is_some(),
                netlink: None,
                netlink_tried: false,
                netns: None,
                devpts: None,
                // With the root on a disk, the guest's chroot is ruml's
                // private directory: ELF interpreters are copied there.
                exec_root: match cfg_root_disk {
                    true => crate::fs::private::get()
                        .and_then(|p| p.exec_root())
                        .ok()
                        .and_then(|p| {
                            ruml_platform::host::open_path(&p, libc::O_PATH | libc::O_DIRECTORY)
                                .ok()
                        })
                        .map_or(
                            crate::exec_root::ExecRoot::Shared,
                            crate::exec_root::ExecRoot::private,
                        ),
                    false => crate::exec_root::ExecRoot::Shared,
                },
                root_host: if cfg_root_disk {
                    crate::fs::private::get()
                        .and_then(|p| p.exec_root())
                        .unwrap_or_default()
                } else {
                    use std::os::unix::ffi::OsStrExt;
                    let d = cfg_root.canonicalize().unwrap_or(cfg_root);
                    d.as_os_str().as_bytes().to_vec()
                },
            },
            platform,
            terminate: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Runs the guest until it powers off, reboots, panics or is terminated.
    pub fn run(&mut self) -> VmExit {
        let mut last_tick = std::time::Instant::now();
        loop {
            if let Some(e) = self.st.shutdown.clone() {
                self.platform.kill_all();
                self.unmount_all();
                return e;
            }
            // The OOM check reads every process's host status: space it out
            // a little when there are many.
            let every = match self.st.tasks.procs.len() {
                0..64 => TICK,
                64..512 => TICK * 2,
                _ => TICK * 4,
            };
            if last_tick.elapsed() >= every {
                self.tick();
                // Counted from the end, so slow periodic work cannot starve
                // the guest.
                last_tick = std::time::Instant::now();
            }
            let ev = match self.platform.wait_event(TICK.as_millis() as i32) {
                Ok(Some(ev)) => ev,
                Ok(None) => continue,
                Err(e) => {
                    self.platform.kill_all();
                    self.unmount_all();
                    return VmExit::Panic(format!("Kernel panic - lost the guest: {e}"));
                }
            };
            if !self.st.proc_sinks.get_mut().is_empty() {
                crate::fs::procfs::drain_sinks(&mut self.st);
            }
            let r = match ev {
                // A thread the kernel does not know (it has seen it exit):
                // never let its call run natively.
                Event::Syscall { tid, .. } | Event::SyscallExit { tid, .. }
                    if !self.has_task(tid) =>
                {
                    self.platform
                        .resume(tid, Resume::Return(-(libc::ENOSYS as i64)))
                }
                Event::Syscall { tid, call } => {
                    if !self.st.netlink_tried {
                        self.open_guest_netlink(tid);
                    }
                    if let Some(name) = self.st.tasks.take_comm_pending(tid) {
                        self.set_host_comm(tid, &name);
                    }
                    let how = syscalls::dispatch(&mut self.st, self.platform.as_mut(), tid, &call);
                    for t in self.st.want_get_name_trap.take() {
                        if !self.st.tasks.process(t).get_name_trapped {
                            let nr = libc::SYS_prctl as u32;
                            let get = libc::PR_GET_NAME as u32;
                            let ok = self.platform.add_trap(t, nr, 0, get).is_ok();
                            self.st.tasks.process_mut(t).get_name_trapped = ok;
                        }
                    }
                    self.platform.resume(tid, how)
                }
                Event::SyscallExit { tid, ret } => {
                    let how = syscalls::finish(&mut self.st, self.platform.as_mut(), tid, ret);
                    self.platform.resume(tid, how)
                }
                Event::NewTask { tid, tgid, parent } => {
                    self.st.forks += 1;
                    self.st.tasks.add_child(tid, tgid, parent);
                    Ok(())
                }
                Event::Exec { tid, former } => {
                    // A successful exec does not return to its exit hook.
                    self.st.exit_hooks.remove(&tid);
                    self.st.exit_hooks.remove(&former);
                    if tid == 1 {
                        self.st.init_started = true;
                    }
                    self.st.tasks.exec(tid, former);
                    self.fix_auxv_ids(tid);
                    crate::fs::procfs::refresh_after_exec(&self.st, self.platform.as_ref(), tid);
                    self.platform.resume(tid, Resume::Native)
                }
                Event::Signal { tid, sig } => {
                    let how = if self.ignores(tid, sig) {
                        Resume::DropSignal
                    } else {
                        self.sender_uid(tid);
                        Resume::Signal(sig)
                    };
                    self.platform.resume(tid, how)
                }
                Event::Exited { tid, tgid, status } => {
                    self.st.exit_hooks.remove(&tid);
                    self.st.tasks.remove(tid, tgid);
                    if !self.st.tasks.procs.contains_key(&tgid) {
                        self.st.proc_own_files.get_mut().remove(&tgid);
                    }
                    if tid == 1 && self.st.shutdown.is_none() {
                        {
                            self.st.shutdown = Some(if self.terminate.load(Ordering::SeqCst) {
                                VmExit::Terminated
                            } else if !self.st.init_started {
                                let code = match status {
                                    ExitStatus::Exited(c) => c,
                                    ExitStatus::Signaled { sig, .. } => sig,
                                };
                                VmExit::Panic(format!(
                                    "Kernel panic - not syncing: Requested init {} failed (error -{code}).",
                                    self.st.cfg.init.as_deref().unwrap_or("/sbin/init")
                                ))
                            } else {
                                VmExit::Panic(init_panic(status))
                            });
                        }
                    }
                    Ok(())
                }
            };
            if let Err(e) = r {
                // The thread vanished under us (killed); its exit event follows.
                if e.raw_os_error() != Some(libc::ESRCH) {
                    self.st.printk(&format!("platform error: {e}"));
                }
            }
        }
    }

    /// Takes a NETLINK_ROUTE socket from a stopped guest thread (so it is
    /// one of the guest's network namespace), leaving its descriptors as
    /// they were.
    fn open_guest_netlink(&mut self, tid: Tid) {
        self.st.netlink_tried = true;
        let flags = libc::SOCK_DGRAM | libc::SOCK_CLOEXEC;
        let args = [libc::AF_NETLINK as u64, flags as u64, 0, 0, 0, 0];
        let Ok(fd) = self.platform.inject(tid, libc::SYS_socket as u64, args) else {
            return;
        };
        if fd < 0 {
            return;
        }
        // Bound here, its port id is the guest's pid of init, not ruml's
        // host pid (the guest sees it in /proc/net/netlink).
        let addr = self.platform.scratch(tid, 16);
        let mut sa = [0u8; 12];
        sa[..2].copy_from_slice(&(libc::AF_NETLINK as u16).to_ne_bytes());
        if self.platform.write_mem(tid, addr, &sa).is_ok() {
            let args = [fd as u64, addr, sa.len() as u64, 0, 0, 0];
            let _ = self.platform.inject(tid, libc::SYS_bind as u64, args);
        }
        self.st.netlink = self.platform.take_fd(tid, fd as i32).ok();
        self.close_guest_fd(tid, fd as i32);
    }

    fn close_guest_fd(&mut self, tid: Tid, fd: i32) {
        let _ = self
            .platform
            .inject(tid, libc::SYS_close as u64, [fd as u64, 0, 0, 0, 0, 0]);
    }

    /// Gives a stopped thread's host process the guest's command name (the
    /// host named it after the file ruml had it execute).
    fn set_host_comm(&mut self, tid: Tid, name: &[u8]) {
        let addr = self.platform.scratch(tid, 32);
        let mut buf = name.to_vec();
        buf.truncate(15);
        buf.push(0);
        if self.platform.write_mem(tid, addr, &buf).is_ok() {
            let _ = self.platform.inject(
                tid,
                libc::SYS_prctl as u64,
                [libc::PR_SET_NAME as u64, addr, 0, 0, 0, 0],
            );
        }
    }

    /// Whether a thread's process ignores `sig` (SIG_IGN, or SIG_DFL for a
    /// signal whose default is to be ignored), so delivery would discard it.
    fn ignores(&self, tid: Tid, sig: i32) -> bool {
        let Some(host) = self.platform.host_tid(tid) else {
            return false;
        };
        let Ok(status) = std::fs::read_to_string(format!("/proc/{host}/status")) else {
            return false;
        };
        let mask = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
                .unwrap_or(0)
        };
        let bit = 1u64 << (sig - 1);
        if mask("SigIgn:") & bit != 0 {
            return true;
        }
        let default_ignore = [libc::SIGCHLD, libc::SIGCONT, libc::SIGURG, libc::SIGWINCH];
        mask("SigCgt:") & bit == 0 && default_ignore.contains(&sig)
    }

    /// A signal a guest process sent carries its guest uid (the host only
    /// knows one uid for all of them).
    fn sender_uid(&mut self, tid: Tid) {
        let Some((code, pid)) = self.platform.signal_sender(tid) else {
            return;
        };
        // SI_USER, SI_QUEUE, SI_TKILL, ...: sent by a process.
        if code > 0 || pid <= 0 {
            return;
        }
        let uid = self.st.tasks.any_process(pid).map(|p| p.creds.ruid);
        if let Some(uid) = uid.filter(|&u| u != 0) {
            let _ = self.platform.set_signal_uid(tid, uid);
        }
    }

    /// After an exec stop: the new program's auxiliary vector gets the
    /// guest's ids (the host wrote its own, all 0 in the guest's user
    /// namespace).
    fn fix_auxv_ids(&mut self, tid: Tid) {
        let c = self.st.tasks.process(tid).creds.clone();
        if [c.ruid, c.euid, c.rgid, c.egid] == [0; 4] {
            return;
        }
        let Some(sp) = self.platform.stack_pointer(tid) else {
            return;
        };
        let p = self.platform.as_ref();
        let word = |a: u64| -> Option<u64> {
            let mut b = [0u8; 8];
            p.read_mem(tid, a, &mut b).ok()?;
            Some(u64::from_ne_bytes(b))
        };
        // argc, argv[] NULL, envp[] NULL, then (type, value) pairs.
        let Some(argc) = word(sp) else { return };
        let mut a = sp + 8 * (argc + 2);
        for _ in 0..100_000 {
            match word(a) {
                Some(0) => break,
                Some(_) => a += 8,
                None => return,
            }
        }
        a += 8;
        for _ in 0..64 {
            let Some(t) = word(a) else { return };
            let v = match t {
                0 => return,
                11 => Some(c.ruid), // AT_UID
                12 => Some(c.euid), // AT_EUID
                13 => Some(c.rgid), // AT_GID
                14 => Some(c.egid), // AT_EGID
                _ => None,
            };
            if let Some(v) = v {
                let _ = p.write_mem(tid, a + 8, &(v as u64).to_ne_bytes());
            }
            a += 16;
        }
    }

    /// Periodic work: the OOM killer; forgetting reaped zombies.
    /// At shutdown, with every guest process gone: each filesystem writes
    /// what it caches back to its disk and lets it go, last mounted first.
    fn unmount_all(&mut self) {
        for m in self.st.vfs.mounts.clone().iter().rev() {
            if let Err(e) = m.root.unmount() {
                let path = String::from_utf8_lossy(&m.path).into_owned();
                self.st
                    .printk_err(&format!("unmounting {path} at shutdown: {e:?}"));
            }
        }
    }

    fn tick(&mut self) {
        crate::fs::ext4::tick(self.st.cfg.mem / 4);
        crate::mm::check_oom(&mut self.st, self.platform.as_ref());
        self.st.forget_reaped_zombies(self.platform.as_mut());
    }

    /// Whether a guest thread id is live.
    pub fn has_task(&self, tid: Tid) -> bool {
        self.st.tasks.tasks.contains_key(&tid)
    }
}

fn init_panic(status: ExitStatus) -> String {
    format!(
        "Kernel panic - not syncing: Attempted to kill init! exitcode=0x{:08x}",
        status.raw()
    )
}
