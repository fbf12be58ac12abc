//! Guest tasks and processes as the kernel tracks them. Scheduling, signal
//! delivery, pids, process groups and sessions are the host's (inside the
//! guest's pid namespace); the kernel keeps what the host cannot know: the
//! VFS view (root, cwd, umask), credentials and the executable's guest path.

use crate::vfs::Loc;
use ruml_platform::Tid;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Guest credentials (the host sees every guest process as one user).
#[derive(Clone, Debug)]
pub struct Creds {
    pub ruid: u32,
    pub euid: u32,
    pub suid: u32,
    pub fsuid: u32,
    pub rgid: u32,
    pub egid: u32,
    pub sgid: u32,
    pub fsgid: u32,
    pub groups: Vec<u32>,
    /// Capability sets, one bit per capability.
    pub cap_effective: u64,
    pub cap_permitted: u64,
    pub cap_inheritable: u64,
    /// The capability bounding set (PR_CAPBSET_DROP).
    pub cap_bounding: u64,
    /// PR_SET_KEEPCAPS.
    pub keep_caps: bool,
    /// PR_SET_SECUREBITS (kept, not enforced).
    pub securebits: u32,
    /// PR_SET_NO_NEW_PRIVS (the host process always has it; this is the
    /// guest's own).
    pub no_new_privs: bool,
}

/// Every capability Linux 6.1 knows (CAP_LAST_CAP is 40).
pub const ALL_CAPS: u64 = (1 << 41) - 1;

/// Capabilities, by number.
pub mod cap {
    pub const CHOWN: u32 = 0;
    pub const DAC_OVERRIDE: u32 = 1;
    pub const DAC_READ_SEARCH: u32 = 2;
    pub const FOWNER: u32 = 3;
    pub const FSETID: u32 = 4;
    pub const KILL: u32 = 5;
    pub const SETGID: u32 = 6;
    pub const SETUID: u32 = 7;
    pub const SETPCAP: u32 = 8;
    pub const NET_BIND_SERVICE: u32 = 10;
    pub const NET_ADMIN: u32 = 12;
    pub const NET_RAW: u32 = 13;
    pub const SYS_NICE: u32 = 23;
    pub const SYS_CHROOT: u32 = 18;
    pub const SYS_PTRACE: u32 = 19;
    pub const SYS_TTY_CONFIG: u32 = 26;
    pub const SYS_ADMIN: u32 = 21;
    pub const SYS_BOOT: u32 = 22;
    pub const MKNOD: u32 = 27;
    pub const MAC_OVERRIDE: u32 = 32;
}

/// The capabilities tied to the filesystem uid (Linux's CAP_FS_SET).
pub const FS_CAPS: u64 = 1 << cap::CHOWN
    | 1 << cap::DAC_OVERRIDE
    | 1 << cap::DAC_READ_SEARCH
    | 1 << cap::FOWNER
    | 1 << cap::FSETID
    | 1 << cap::MKNOD
    | 1 << cap::MAC_OVERRIDE;

impl Creds {
    pub const fn root() -> Creds {
        Creds {
            ruid: 0,
            euid: 0,
            suid: 0,
            fsuid: 0,
            rgid: 0,
            egid: 0,
            sgid: 0,
            fsgid: 0,
            groups: Vec::new(),
            cap_effective: ALL_CAPS,
            cap_permitted: ALL_CAPS,
            cap_inheritable: 0,
            cap_bounding: ALL_CAPS,
            keep_caps: false,
            securebits: 0,
            no_new_privs: false,
        }
    }

    /// Whether the effective set holds capability `c`.
    pub fn capable(&self, c: u32) -> bool {
        self.cap_effective & (1 << c) != 0
    }

    /// Whether `gid` is the effective or a supplementary group.
    pub fn in_group(&self, gid: u32) -> bool {
        self.fsgid == gid || self.groups.contains(&gid)
    }

    /// Capabilities across execve of an ordinary file (no file
    /// capabilities, no setuid bit): root keeps everything, others nothing.
    pub fn exec(&mut self) {
        if self.euid == 0 || self.ruid == 0 {
            self.cap_permitted = ALL_CAPS & self.cap_bounding;
            self.cap_effective = if self.euid == 0 {
                self.cap_permitted
            } else {
                0
            };
        } else {
            self.cap_permitted = 0;
            self.cap_effective = 0;
        }
        self.keep_caps = false;
    }
}

/// Filesystem context, shared by tasks cloned with CLONE_FS.
#[derive(Clone)]
pub struct FsContext {
    pub root: Loc,
    pub cwd: Loc,
    pub umask: u32,
    /// The host cwd of the processes is `cwd` (a root hostfs directory), so
    /// a relative AF_UNIX path can be bound natively, as the guest gave it.
    pub host_cwd: bool,
}

/// A thread group.
#[derive(Clone)]
pub struct Process {
    pub tgid: Tid,
    pub creds: Creds,
    /// Guest path of the running executable.
    pub exe: Vec<u8>,
    /// /proc/PID/oom_score_adj.
    pub oom_score_adj: i32,
    /// prctl(PR_GET_NAME) traps in this process (see `Kernel::run`).
    pub get_name_trapped: bool,
    /// Descriptors whose recvmsg traps (sockets given SO_PASSCRED: the
    /// credentials the host attaches are translated; see `net.rs`).
    pub passcred_fds: Vec<i32>,
}

/// What the kernel notes about an execve until it completes.
pub struct PendingExec {
    /// Guest path of the executable.
    pub path: Vec<u8>,
    /// The command name Linux gives the program, when it differs from the
    /// one the host gives it (see [`Task::comm_pending`]).
    pub comm: Option<Vec<u8>>,
}

/// A thread.
pub struct Task {
    pub tid: Tid,
    pub tgid: Tid,
    pub fs: Rc<RefCell<FsContext>>,
    /// Flags of a clone this task has in flight.
    pub pending_clone: Option<u64>,
    /// An execve in flight.
    pub pending_exec: Option<PendingExec>,
    /// A command name the host thread must be given (after an exec that the
    /// host named differently, or a write to /proc/PID/comm); given with
    /// prctl at the thread's next trapped call, and what procfs shows until
    /// then.
    pub comm_pending: Option<Vec<u8>>,
}

/// All tasks and processes.
#[derive(Default)]
pub struct Tasks {
    pub tasks: HashMap<Tid, Task>,
    pub procs: HashMap<Tid, Process>,
    /// Processes that have exited and that their parent has not reaped yet
    /// (as far as the kernel knows: see `Kernel::tick`).
    pub zombies: HashMap<Tid, Process>,
}

impl Tasks {
    pub fn task(&self, tid: Tid) -> &Task {
        self.tasks.get(&tid).expect("known task")
    }
    pub fn task_mut(&mut self, tid: Tid) -> &mut Task {
        self.tasks.get_mut(&tid).expect("known task")
    }
    pub fn process(&self, tid: Tid) -> &Process {
        let tgid = self.task(tid).tgid;
        self.procs.get(&tgid).expect("known process")
    }
    pub fn process_mut(&mut self, tid: Tid) -> &mut Process {
        let tgid = self.task(tid).tgid;
        self.procs.get_mut(&tgid).expect("known process")
    }

    /// Records a new task made by `parent`.
    pub fn add_child(&mut self, tid: Tid, tgid: Tid, parent: Tid) {
        // A parent the kernel no longer knows (it exited right after the
        // clone) passes on what init has; the child must still be tracked.
        let known = self.tasks.contains_key(&parent);
        let parent = if known { parent } else { 1 };
        let p = self.tasks.get_mut(&parent);
        let (flags, fs, proc_, comm) = match p {
            Some(p) => {
                let flags = if known { p.pending_clone.take() } else { None }
                    .unwrap_or(libc::SIGCHLD as u64);
                let fs = p.fs.clone();
                let ptgid = p.tgid;
                let comm = p.comm_pending.clone();
                (flags, fs, self.procs.get(&ptgid).cloned(), comm)
            }
            None => return,
        };
        let fs = if flags & libc::CLONE_FS as u64 != 0 {
            fs
        } else {
            Rc::new(RefCell::new(fs.borrow().clone()))
        };
        // A reused pid: the zombie that had it is gone.
        self.zombies.remove(&tgid);
        self.tasks.insert(
            tid,
            Task {
                tid,
                tgid,
                fs,
                pending_clone: None,
                pending_exec: None,
                comm_pending: comm,
            },
        );
        self.procs.entry(tgid).or_insert_with(|| {
            let mut p = proc_.unwrap_or_else(|| Process {
                tgid,
                creds: Creds::root(),
                exe: Vec::new(),
                oom_score_adj: 0,
                get_name_trapped: false,
                passcred_fds: Vec::new(),
            });
            p.tgid = tgid;
            p
        });
    }

    /// The command name to give the host thread of `tid`, once.
    pub fn take_comm_pending(&mut self, tid: Tid) -> Option<Vec<u8>> {
        self.tasks.get_mut(&tid)?.comm_pending.take()
    }

    /// A live or zombie process.
    pub fn any_process(&self, tgid: Tid) -> Option<&Process> {
        self.procs.get(&tgid).or_else(|| self.zombies.get(&tgid))
    }

    /// Forgets a task; the process goes with its last task, and stays a
    /// zombie until its parent reaps it.
    pub fn remove(&mut self, tid: Tid, tgid: Tid) {
        self.tasks.remove(&tid);
        if !self.tasks.values().any(|t| t.tgid == tgid) {
            if let Some(p) = self.procs.remove(&tgid) {
                self.zombies.insert(tgid, p);
            }
        }
    }

    /// An execve replaced `former` (any thread of the group) by `tid`.
    pub fn exec(&mut self, tid: Tid, former: Tid) {
        let path = self
            .tasks
            .get_mut(&former)
            .and_then(|t| t.pending_exec.take());
        if former != tid {
            if let Some(mut t) = self.tasks.remove(&former) {
                t.tid = tid;
                self.tasks.insert(tid, t);
            }
        }
        let tgid = self.task(tid).tgid;
        // Other threads are gone; exec unshares the fs context.
        self.tasks.retain(|&k, t| t.tgid != tgid || k == tid);
        let t = self.task_mut(tid);
        let fs = t.fs.borrow().clone();
        t.fs = Rc::new(RefCell::new(fs));
        self.process_mut(tid).creds.exec();
        if let Some(p) = path {
            let pr = self.process_mut(tid);
            pr.exe = p.path;
            self.task_mut(tid).comm_pending = p.comm;
        }
    }
}
