//! System calls: one declarative table and one module per family.
//!
//! The table is the single source of truth: it decides which calls run
//! natively on the host (the seccomp filter is built from it), which trap to
//! a handler here, and what `ruml --syscalls` reports. A call the table does
//! not know returns ENOSYS and is logged once with its name; it never reaches
//! the host.

pub mod cred;
pub mod exec;
pub mod fs;
pub mod misc;
pub mod names;
pub mod net;
pub mod process;
pub mod seccomp;
pub mod signal;

use crate::errno::{Errno, SysResult};
use crate::kernel::State;
use ruml_platform::seccomp::Rule;
use ruml_platform::{Platform, Resume, Syscall, Tid};

/// A syscall handler: decides the call's outcome.
pub type Handler = fn(&mut Ctx<'_>) -> SysResult<Resume>;

/// How a call is served.
#[derive(Clone, Copy)]
pub enum Kind {
    /// Runs on the host untouched: it only affects the caller's own memory,
    /// threads, or descriptors ruml gave it, inside its namespaces. The
    /// string says why that holds for this call (the reviewed list of the
    /// host kernel surface, printed by `ruml --syscalls`).
    Native(&'static str),
    /// Trapped to a handler.
    Trap(Handler),
    /// Native, but a private writable mapping larger than the VM's memory
    /// is refused with ENOMEM by the filter itself (mmap).
    NativeMem,
    /// Native, except when argument `arg` (masked with `mask`) is one of
    /// `values`: then trapped to `then` (the filter checks the argument, so
    /// the common case stays native).
    NativeUnless {
        arg: u8,
        mask: u32,
        values: &'static [u32],
        /// And only when argument `.0` is one of `.1` (else trapped too).
        only: Option<(u8, &'static [u32])>,
        then: Handler,
    },
    /// Native when argument `arg` is zero (e.g. a NULL pointer), else
    /// trapped to `then`.
    NativeIfZero { arg: u8, then: Handler },
    /// Native for the filter, like `Native`; where a filter the kernel
    /// stacked on a process traps it (`Platform::add_trap`), served by the
    /// handler.
    NativeOr(&'static str, Handler),
}

const fn unless(arg: u8, mask: u32, values: &'static [u32], then: Handler) -> Kind {
    Kind::NativeUnless {
        arg,
        mask,
        values,
        only: None,
        then,
    }
}

/// Support status, as `ruml --syscalls` prints it.
#[derive(Clone, Copy, Debug)]
pub enum Status {
    Full,
    Partial(&'static str),
}

/// One row of the table.
pub struct Entry {
    pub nr: u32,
    pub name: &'static str,
    pub kind: Kind,
    pub status: Status,
}

/// What a handler gets: the kernel state, the platform, and the call.
pub struct Ctx<'a> {
    pub st: &'a mut State,
    pub p: &'a mut dyn Platform,
    pub tid: Tid,
    pub call: Syscall,
}

impl Ctx<'_> {
    /// The calling task, as the VFS sees it.
    pub fn caller(&self) -> crate::vfs::Caller<'_> {
        crate::vfs::Caller {
            tid: self.tid,
            kernel: Some((&*self.st, &*self.p)),
            creds: None,
        }
    }

    /// Whether the caller's effective guest capabilities hold `cap`.
    pub fn creds_capable(&self, cap: u32) -> bool {
        self.st.tasks.process(self.tid).creds.capable(cap)
    }

    /// EPERM unless the caller's effective capabilities hold `cap`.
    pub fn require(&self, cap: u32) -> SysResult<()> {
        if self.st.tasks.process(self.tid).creds.capable(cap) {
            Ok(())
        } else {
            Err(Errno::EPERM)
        }
    }

    pub fn arg(&self, i: usize) -> u64 {
        self.call.args[i]
    }
    pub fn arg_i32(&self, i: usize) -> i32 {
        self.call.args[i] as i32
    }

    pub fn read(&self, addr: u64, buf: &mut [u8]) -> SysResult<()> {
        if buf.is_empty() {
            return Ok(());
        }
        self.p
            .read_mem(self.tid, addr, buf)
            .map_err(|_| Errno::EFAULT)
    }

    pub fn write(&self, addr: u64, data: &[u8]) -> SysResult<()> {
        if data.is_empty() {
            return Ok(());
        }
        self.p
            .write_mem(self.tid, addr, data)
            .map_err(|_| Errno::EFAULT)
    }

    pub fn read_u64(&self, addr: u64) -> SysResult<u64> {
        let mut b = [0u8; 8];
        self.read(addr, &mut b)?;
        Ok(u64::from_ne_bytes(b))
    }

    /// Reads a NUL-terminated string of at most `max` bytes (without NUL).
    pub fn read_cstr(&self, addr: u64, max: usize) -> SysResult<Vec<u8>> {
        if addr == 0 {
            return Err(Errno::EFAULT);
        }
        let mut out = Vec::new();
        let mut a = addr;
        loop {
            // Read up to the end of the page, so a string at the end of a
            // mapping does not fault on the next page.
            let chunk = (4096 - (a % 4096)) as usize;
            let mut buf = vec![0u8; chunk.min(256)];
            self.read(a, &mut buf)?;
            if let Some(i) = buf.iter().position(|&c| c == 0) {
                out.extend_from_slice(&buf[..i]);
                if out.len() > max {
                    return Err(Errno::ENAMETOOLONG);
                }
                return Ok(out);
            }
            out.extend_from_slice(&buf);
            a += buf.len() as u64;
            if out.len() > max {
                return Err(Errno::ENAMETOOLONG);
            }
        }
    }

    /// Reads a path argument.
    pub fn read_path(&self, addr: u64) -> SysResult<Vec<u8>> {
        self.read_cstr(addr, libc::PATH_MAX as usize - 1)
    }

    /// Writes `data` (plus a NUL) into scratch guest memory and returns its
    /// address; `slot` keeps several strings of one call apart.
    pub fn scratch_str(&self, data: &[u8], slot: u64) -> SysResult<u64> {
        let a = self.p.scratch(self.tid, 8192 * (slot as usize + 1) + 1024);
        let mut v = data.to_vec();
        v.push(0);
        self.write(a, &v)?;
        Ok(a)
    }
}

macro_rules! table {
    ($($nr:literal $name:ident => $kind:expr, $status:expr;)*) => {
        /// The syscall table.
        pub static TABLE: &[Entry] = &[
            $(Entry { nr: $nr, name: stringify!($name), kind: $kind, status: $status },)*
        ];
    };
}

use Kind::{Native as N, Trap as T};

/// prctl options that need the kernel's view (see `process::sys_prctl`;
/// PR_GET_NAME is trapped only in processes that rename threads through
/// /proc, by a filter the kernel adds to them).
const PRCTL_TRAPPED: &[u32] = &[
    libc::PR_CAPBSET_READ as u32,
    libc::PR_CAPBSET_DROP as u32,
    libc::PR_GET_SECUREBITS as u32,
    libc::PR_SET_SECUREBITS as u32,
    libc::PR_GET_NO_NEW_PRIVS as u32,
    libc::PR_SET_NO_NEW_PRIVS as u32,
    libc::PR_GET_KEEPCAPS as u32,
    libc::PR_SET_KEEPCAPS as u32,
    libc::PR_SET_SECCOMP as u32,
];
use Status::{Full, Partial};

// Why a call may run natively: each natively allowed call names one of
// these in the table.
const FD: &str = "acts on a descriptor the process holds: one ruml installed, or one the host made in the VM's namespaces";
const NEW_FD: &str = "makes an anonymous object of the process's own (pipe, epoll, eventfd, timerfd, signalfd, inotify instance, memfd): no path, nothing shared with the host";
const MEM: &str = "the process's own address space (mapping sizes bounded by the filter, memory use by ruml's OOM accounting)";
const SIG: &str = "the process's own signal handlers, masks and waits; delivery stays within the VM's pid namespace";
const CLOCK: &str = "reads the host's clocks or sleeps; setting them traps (settimeofday, clock_settime) or needs CAP_SYS_TIME, which the host does not give";
const TIMER: &str = "the process's own timers";
const PID: &str = "process ids, groups, sessions, waits and exits within the VM's pid namespace, where every pid names a guest process";
const IPC: &str = "System V and POSIX IPC objects of the VM's own IPC namespace";
const SCHED: &str = "scheduling of guest threads, within what the host allows ruml's user (affinity traps, to keep threads on the VM's CPUs)";
const THREAD: &str = "the calling thread's own state (TLS, futexes on its memory, robust lists, rseq, personality, random bytes)";
const LIMIT: &str = "resource limits of guest processes (raising a hard limit needs a capability the host does not give)";

/// The extended-attribute calls' support.
const XATTRS: Status = Partial("the host file's on the root hostfs, EOPNOTSUPP elsewhere");

table! {
    0 read => N(FD), Full;
    1 write => N(FD), Full;
    2 open => T(fs::sys_open), Full;
    3 close => N(FD), Full;
    4 stat => T(fs::sys_stat), Full;
    5 fstat => T(fs::sys_fstat), Full;
    6 lstat => T(fs::sys_lstat), Full;
    7 poll => N(FD), Full;
    8 lseek => N(FD), Full;
    9 mmap => Kind::NativeMem, Full;
    10 mprotect => N(MEM), Full;
    11 munmap => N(MEM), Full;
    12 brk => N(MEM), Full;
    13 rt_sigaction => N(SIG), Full;
    14 rt_sigprocmask => N(SIG), Full;
    15 rt_sigreturn => N(SIG), Full;
    16 ioctl => unless(1, !0, fs::TRAPPED_IOCTLS, fs::sys_ioctl), Partial("host semantics on the descriptors ruml gave (ptys, pipes, files, sockets of the VM's network); block-device requests answered for ubd disks; network configuration needs CAP_NET_ADMIN");
    17 pread64 => N(FD), Full;
    18 pwrite64 => N(FD), Full;
    19 readv => N(FD), Full;
    20 writev => N(FD), Full;
    21 access => T(fs::sys_access), Full;
    22 pipe => N(NEW_FD), Full;
    23 select => N(FD), Full;
    24 sched_yield => N(SCHED), Full;
    25 mremap => N(MEM), Full;
    26 msync => N(MEM), Full;
    27 mincore => N(MEM), Full;
    28 madvise => N(MEM), Full;
    29 shmget => N(IPC), Full;
    30 shmat => N(IPC), Full;
    31 shmctl => N(IPC), Full;
    32 dup => N(FD), Full;
    33 dup2 => N(FD), Full;
    34 pause => N(SIG), Full;
    35 nanosleep => N(CLOCK), Full;
    36 getitimer => N(TIMER), Full;
    37 alarm => N(TIMER), Full;
    38 setitimer => N(TIMER), Full;
    39 getpid => N(PID), Full;
    40 sendfile => N(FD), Full;
    41 socket => Kind::NativeUnless { arg: 1, mask: 0xf, values: net::CHECKED_SOCKET_TYPES, only: Some((0, net::NATIVE_FAMILIES)), then: net::sys_socket }, Partial("families: unix, inet, inet6, netlink, packet (with CAP_NET_RAW); others EAFNOSUPPORT");
    42 connect => T(misc::sys_connect), Partial("AF_UNIX paths on the root hostfs and tmpfs");
    43 accept => N(FD), Full;
    44 sendto => Kind::NativeIfZero { arg: 4, then: misc::sys_sendto }, Full;
    45 recvfrom => N(FD), Full;
    46 sendmsg => T(misc::sys_sendmsg), Full;
    47 recvmsg => Kind::NativeOr(FD, net::sys_recvmsg), Partial("SCM_CREDENTIALS carry the sender's guest ids on sockets given SO_PASSCRED");
    48 shutdown => N(FD), Full;
    49 bind => T(misc::sys_bind), Partial("AF_UNIX paths on the root hostfs and tmpfs; an absolute path on a tmpfs is bound by its last name");
    50 listen => N(FD), Full;
    51 getsockname => N(FD), Full;
    52 getpeername => N(FD), Full;
    53 socketpair => Kind::NativeUnless { arg: 0, mask: !0, values: &[], only: Some((0, net::SOCKETPAIR_FAMILIES)), then: net::sys_socketpair }, Partial("AF_UNIX; others EAFNOSUPPORT");
    54 setsockopt => unless(2, !0, net::TRAPPED_SETSOCKOPTS, net::sys_setsockopt), Full;
    55 getsockopt => unless(2, !0, net::TRAPPED_SOCKOPTS, net::sys_getsockopt), Partial("SO_PEERCRED gives the peer's guest ids when asked, not when connected");
    56 clone => T(process::sys_clone), Full;
    57 fork => T(process::sys_fork), Full;
    58 vfork => T(process::sys_vfork), Full;
    59 execve => T(exec::sys_execve), Full;
    60 exit => N(PID), Full;
    61 wait4 => N(PID), Full;
    62 kill => T(signal::sys_kill), Full;
    63 uname => T(misc::sys_uname), Full;
    64 semget => N(IPC), Full;
    65 semop => N(IPC), Full;
    66 semctl => N(IPC), Full;
    67 shmdt => N(IPC), Full;
    68 msgget => N(IPC), Full;
    69 msgsnd => N(IPC), Full;
    70 msgrcv => N(IPC), Full;
    71 msgctl => N(IPC), Full;
    72 fcntl => N(FD), Full;
    73 flock => N(FD), Full;
    74 fsync => T(fs::sys_fsync), Full;
    75 fdatasync => T(fs::sys_fsync), Full;
    76 truncate => T(fs::sys_truncate), Full;
    77 ftruncate => N(FD), Full;
    78 getdents => T(fs::sys_getdents), Partial("only on ruml's virtual directories and hostfs");
    79 getcwd => T(fs::sys_getcwd), Full;
    80 chdir => T(fs::sys_chdir), Full;
    81 fchdir => T(fs::sys_fchdir), Full;
    82 rename => T(fs::sys_rename), Full;
    83 mkdir => T(fs::sys_mkdir), Full;
    84 rmdir => T(fs::sys_rmdir), Full;
    85 creat => T(fs::sys_creat), Full;
    86 link => T(fs::sys_link), Full;
    87 unlink => T(fs::sys_unlink), Full;
    88 symlink => T(fs::sys_symlink), Full;
    89 readlink => T(fs::sys_readlink), Full;
    90 chmod => T(fs::sys_chmod), Full;
    91 fchmod => T(fs::sys_fchmod), Full;
    92 chown => T(fs::sys_chown), Partial("hostfs keeps host owners");
    93 fchown => T(fs::sys_fchown), Partial("hostfs keeps host owners");
    94 lchown => T(fs::sys_lchown), Partial("hostfs keeps host owners");
    95 umask => T(fs::sys_umask), Full;
    96 gettimeofday => N(CLOCK), Full;
    97 getrlimit => N(LIMIT), Full;
    98 getrusage => N(PID), Full;
    99 sysinfo => T(misc::sys_sysinfo), Full;
    100 times => N(CLOCK), Full;
    102 getuid => T(cred::sys_getuid), Full;
    103 syslog => T(misc::sys_syslog), Partial("read and size actions");
    104 getgid => T(cred::sys_getgid), Full;
    105 setuid => T(cred::sys_setuid), Full;
    106 setgid => T(cred::sys_setgid), Full;
    107 geteuid => T(cred::sys_geteuid), Full;
    108 getegid => T(cred::sys_getegid), Full;
    109 setpgid => N(PID), Full;
    110 getppid => N(PID), Full;
    111 getpgrp => N(PID), Full;
    112 setsid => N(PID), Full;
    113 setreuid => T(cred::sys_setreuid), Full;
    114 setregid => T(cred::sys_setregid), Full;
    115 getgroups => T(cred::sys_getgroups), Full;
    116 setgroups => T(cred::sys_setgroups), Full;
    117 setresuid => T(cred::sys_setresuid), Full;
    118 getresuid => T(cred::sys_getresuid), Full;
    119 setresgid => T(cred::sys_setresgid), Full;
    120 getresgid => T(cred::sys_getresgid), Full;
    121 getpgid => N(PID), Full;
    122 setfsuid => T(cred::sys_setfsuid), Full;
    123 setfsgid => T(cred::sys_setfsgid), Full;
    124 getsid => N(PID), Full;
    125 capget => T(cred::sys_capget), Partial("root has all capabilities, others none");
    126 capset => T(cred::sys_capset), Partial("accepted, not enforced");
    127 rt_sigpending => N(SIG), Full;
    128 rt_sigtimedwait => N(SIG), Full;
    129 rt_sigqueueinfo => T(signal::sys_rt_sigqueueinfo), Full;
    130 rt_sigsuspend => N(SIG), Full;
    131 sigaltstack => N(SIG), Full;
    132 utime => T(fs::sys_utime), Full;
    133 mknod => T(fs::sys_mknod), Partial("device nodes only on tmpfs");
    135 personality => N(THREAD), Full;
    137 statfs => T(fs::sys_statfs), Full;
    138 fstatfs => T(fs::sys_fstatfs), Full;
    140 getpriority => N(SCHED), Full;
    141 setpriority => T(process::sys_setpriority), Full;
    142 sched_setparam => N(SCHED), Full;
    143 sched_getparam => N(SCHED), Full;
    144 sched_setscheduler => N(SCHED), Full;
    145 sched_getscheduler => N(SCHED), Full;
    146 sched_get_priority_max => N(SCHED), Full;
    147 sched_get_priority_min => N(SCHED), Full;
    148 sched_rr_get_interval => N(SCHED), Full;
    149 mlock => N(MEM), Full;
    150 munlock => N(MEM), Full;
    151 mlockall => N(MEM), Full;
    152 munlockall => N(MEM), Full;
    153 vhangup => T(misc::sys_vhangup), Partial("succeeds without revoking the terminal");
    157 prctl => unless(0, !0, PRCTL_TRAPPED, process::sys_prctl), Full;
    158 arch_prctl => N(THREAD), Full;
    159 adjtimex => N(CLOCK), Partial("reading runs natively; the host refuses changes with EPERM");
    160 setrlimit => N(LIMIT), Full;
    161 chroot => T(fs::sys_chroot), Full;
    162 sync => T(fs::sys_sync), Full;
    164 settimeofday => T(misc::sys_set_time), Partial("EPERM: the clock is the host's");
    165 mount => T(fs::sys_mount), Partial("proc, sysfs, tmpfs, devtmpfs, devpts, hostfs");
    166 umount2 => T(fs::sys_umount2), Full;
    169 reboot => T(process::sys_reboot), Full;
    170 sethostname => T(misc::sys_sethostname), Full;
    171 setdomainname => T(misc::sys_setdomainname), Full;
    186 gettid => N(PID), Full;
    187 readahead => N(FD), Full;
    188 setxattr => T(fs::sys_xattr), XATTRS;
    189 lsetxattr => T(fs::sys_xattr), XATTRS;
    190 fsetxattr => T(fs::sys_fxattr), XATTRS;
    191 getxattr => T(fs::sys_xattr), XATTRS;
    192 lgetxattr => T(fs::sys_xattr), XATTRS;
    193 fgetxattr => T(fs::sys_fxattr), XATTRS;
    194 listxattr => T(fs::sys_xattr), XATTRS;
    195 llistxattr => T(fs::sys_xattr), XATTRS;
    196 flistxattr => T(fs::sys_fxattr), XATTRS;
    197 removexattr => T(fs::sys_xattr), XATTRS;
    198 lremovexattr => T(fs::sys_xattr), XATTRS;
    199 fremovexattr => T(fs::sys_fxattr), XATTRS;
    200 tkill => T(signal::sys_tkill), Full;
    201 time => N(CLOCK), Full;
    202 futex => N(THREAD), Full;
    203 sched_setaffinity => T(process::sys_sched_setaffinity), Full;
    204 sched_getaffinity => N(SCHED), Full;
    213 epoll_create => N(NEW_FD), Full;
    217 getdents64 => T(fs::sys_getdents64), Full;
    218 set_tid_address => N(PID), Full;
    219 restart_syscall => N(SIG), Full;
    220 semtimedop => N(IPC), Full;
    221 fadvise64 => N(FD), Full;
    222 timer_create => N(TIMER), Full;
    223 timer_settime => N(TIMER), Full;
    224 timer_gettime => N(TIMER), Full;
    225 timer_getoverrun => N(TIMER), Full;
    226 timer_delete => N(TIMER), Full;
    227 clock_settime => T(misc::sys_set_time), Partial("EPERM: the clock is the host's");
    228 clock_gettime => N(CLOCK), Full;
    229 clock_getres => N(CLOCK), Full;
    230 clock_nanosleep => N(CLOCK), Full;
    231 exit_group => N(PID), Full;
    232 epoll_wait => N(FD), Full;
    233 epoll_ctl => N(FD), Full;
    234 tgkill => T(signal::sys_tgkill), Full;
    235 utimes => T(fs::sys_utimes), Full;
    240 mq_open => T(misc::sys_mq_open), Full;
    241 mq_unlink => N(IPC), Full;
    242 mq_timedsend => N(FD), Full;
    243 mq_timedreceive => N(FD), Full;
    244 mq_notify => N(FD), Full;
    245 mq_getsetattr => N(FD), Full;
    247 waitid => N(PID), Full;
    251 ioprio_set => N(SCHED), Full;
    252 ioprio_get => N(SCHED), Full;
    253 inotify_init => N(NEW_FD), Full;
    254 inotify_add_watch => T(fs::sys_inotify_add_watch), Partial("watches on the root hostfs; EOPNOTSUPP elsewhere");
    255 inotify_rm_watch => N(FD), Full;
    257 openat => T(fs::sys_openat), Full;
    258 mkdirat => T(fs::sys_mkdirat), Full;
    259 mknodat => T(fs::sys_mknodat), Partial("device nodes only on tmpfs");
    260 fchownat => T(fs::sys_fchownat), Partial("hostfs keeps host owners");
    261 futimesat => T(fs::sys_futimesat), Full;
    262 newfstatat => T(fs::sys_newfstatat), Full;
    263 unlinkat => T(fs::sys_unlinkat), Full;
    264 renameat => T(fs::sys_renameat), Full;
    265 linkat => T(fs::sys_linkat), Full;
    266 symlinkat => T(fs::sys_symlinkat), Full;
    267 readlinkat => T(fs::sys_readlinkat), Full;
    268 fchmodat => T(fs::sys_fchmodat), Full;
    269 faccessat => T(fs::sys_faccessat), Full;
    270 pselect6 => N(FD), Full;
    271 ppoll => N(FD), Full;
    272 unshare => T(misc::sys_unshare), Partial("CLONE_FS/FILES/SYSVSEM only; EINVAL for namespaces, as a kernel without them");
    273 set_robust_list => N(THREAD), Full;
    274 get_robust_list => N(THREAD), Full;
    275 splice => N(FD), Full;
    276 tee => N(FD), Full;
    277 sync_file_range => N(FD), Full;
    278 vmsplice => N(FD), Full;
    280 utimensat => T(fs::sys_utimensat), Full;
    281 epoll_pwait => N(FD), Full;
    282 signalfd => N(NEW_FD), Full;
    283 timerfd_create => N(NEW_FD), Full;
    284 eventfd => N(NEW_FD), Full;
    285 fallocate => N(FD), Full;
    286 timerfd_settime => N(FD), Full;
    287 timerfd_gettime => N(FD), Full;
    288 accept4 => N(FD), Full;
    289 signalfd4 => N(NEW_FD), Full;
    290 eventfd2 => N(NEW_FD), Full;
    291 epoll_create1 => N(NEW_FD), Full;
    292 dup3 => N(FD), Full;
    293 pipe2 => N(NEW_FD), Full;
    294 inotify_init1 => N(NEW_FD), Full;
    295 preadv => N(FD), Full;
    296 pwritev => N(FD), Full;
    297 rt_tgsigqueueinfo => T(signal::sys_rt_tgsigqueueinfo), Full;
    299 recvmmsg => N(FD), Full;
    302 prlimit64 => N(LIMIT), Full;
    305 clock_adjtime => N(CLOCK), Partial("reading runs natively; the host refuses changes with EPERM");
    306 syncfs => T(fs::sys_syncfs), Full;
    307 sendmmsg => N(FD), Partial("AF_UNIX destination paths resolve on the host, not in the VFS");
    308 setns => T(misc::sys_setns), Partial("EINVAL: no namespaces inside the VM");
    309 getcpu => N(SCHED), Full;
    312 kcmp => N(PID), Full;
    314 sched_setattr => N(SCHED), Full;
    315 sched_getattr => N(SCHED), Full;
    316 renameat2 => T(fs::sys_renameat2), Full;
    317 seccomp => unless(0, !0, seccomp::TRAPPED_OPS, seccomp::sys_seccomp), Partial("filters stack on ruml's; no notification listener (EBUSY); strict mode EINVAL");
    318 getrandom => N(THREAD), Full;
    319 memfd_create => N(NEW_FD), Full;
    322 execveat => T(exec::sys_execveat), Full;
    324 membarrier => N(MEM), Full;
    325 mlock2 => N(MEM), Full;
    326 copy_file_range => N(FD), Full;
    327 preadv2 => N(FD), Full;
    328 pwritev2 => N(FD), Full;
    332 statx => T(fs::sys_statx), Full;
    334 rseq => N(THREAD), Full;
    424 pidfd_send_signal => T(signal::sys_pidfd_send_signal), Partial("PIDFD_SIGNAL_PROCESS_GROUP through a /proc/PID directory sends SI_USER whatever the siginfo");
    434 pidfd_open => N(PID), Full;
    435 clone3 => T(process::sys_clone3), Full;
    436 close_range => N(FD), Full;
    437 openat2 => T(fs::sys_openat2), Partial("RESOLVE_CACHED is ignored");
    439 faccessat2 => T(fs::sys_faccessat2), Full;
    441 epoll_pwait2 => N(FD), Full;
}

/// Table lookup.
pub fn entry(nr: u64) -> Option<&'static Entry> {
    TABLE.iter().find(|e| e.nr as u64 == nr)
}

/// The syscall numbers the seccomp filter lets run natively, and when, for
/// a VM of `mem` bytes.
pub fn native_rules(mem: u64) -> Vec<(u32, Rule)> {
    TABLE
        .iter()
        .filter_map(|e| match e.kind {
            Kind::Native(_) | Kind::NativeOr(..) => Some((e.nr, Rule::Allow)),
            Kind::NativeMem => Some((e.nr, Rule::MmapWithin { limit: mem })),
            Kind::NativeUnless {
                arg,
                mask,
                values,
                only,
                ..
            } => Some((
                e.nr,
                Rule::TraceIfArgIn {
                    arg,
                    mask,
                    values,
                    only,
                },
            )),
            Kind::NativeIfZero { arg, .. } => Some((e.nr, Rule::AllowIfArgZero { arg })),
            Kind::Trap(_) => None,
        })
        .collect()
}

/// Work to do when a call the kernel let run natively returns (see
/// `Resume::RewriteReport`): gets the result, returns what the guest sees.
pub type ExitHook = Box<dyn FnOnce(&mut Ctx<'_>, i64) -> i64>;

impl Ctx<'_> {
    /// Runs `nr(args)` natively in place of the trapped call, then `hook`
    /// with its result.
    pub fn rewrite_then(&mut self, nr: i64, args: [u64; 6], hook: ExitHook) -> SysResult<Resume> {
        self.st.exit_hooks.insert(self.tid, hook);
        Ok(Resume::RewriteReport {
            nr: nr as u64,
            args,
        })
    }
}

/// Finishes a call resumed with `RewriteReport`.
pub fn finish(st: &mut State, p: &mut dyn Platform, tid: Tid, ret: i64) -> Resume {
    let Some(hook) = st.exit_hooks.remove(&tid) else {
        return Resume::Return(ret);
    };
    let mut ctx = Ctx {
        st,
        p,
        tid,
        call: Syscall::default(),
    };
    Resume::Return(hook(&mut ctx, ret))
}

/// Serves one trapped call. Errors become `-errno` here and only here.
pub fn dispatch(st: &mut State, p: &mut dyn Platform, tid: Tid, call: &Syscall) -> Resume {
    let Some(e) = entry(call.nr) else {
        let name = names::name(call.nr).unwrap_or("unknown");
        st.warn_once(
            call.nr,
            &format!("unsupported syscall {} ({name}) returns ENOSYS", call.nr),
        );
        return Resume::Return(-(libc::ENOSYS as i64));
    };
    let r = match e.kind {
        // A native call traps only when a guest-installed filter asked
        // for a trace.
        Kind::Native(_) | Kind::NativeMem => Ok(Resume::Native),
        Kind::NativeUnless {
            arg,
            mask,
            values,
            only,
            ..
        } if !values.contains(&(call.args[arg as usize] as u32 & mask))
            && only.is_none_or(|(a, vs)| vs.contains(&(call.args[a as usize] as u32))) =>
        {
            Ok(Resume::Native)
        }
        Kind::NativeIfZero { arg, .. } if call.args[arg as usize] == 0 => Ok(Resume::Native),
        Kind::Trap(h)
        | Kind::NativeOr(_, h)
        | Kind::NativeUnless { then: h, .. }
        | Kind::NativeIfZero { then: h, .. } => {
            let mut ctx = Ctx {
                st,
                p,
                tid,
                call: *call,
            };
            h(&mut ctx)
        }
    };
    let out = match r {
        Ok(r) => r,
        Err(e) => Resume::Return(-(e.0 as i64)),
    };
    if st.trace {
        crate::kernel::host_log(&format!(
            "ruml: [{tid}] {}({:#x}, {:#x}, {:#x}) -> {out:?}\r\n",
            e.name, call.args[0], call.args[1], call.args[2]
        ));
    }
    out
}

/// The table as `ruml --syscalls` prints it.
pub fn describe() -> String {
    let mut out = String::new();
    for (nr, name) in names::NAMES {
        let line = match entry(*nr as u64) {
            Some(e) => {
                let how = match e.kind {
                    Kind::Native(_) | Kind::NativeMem => "native",
                    Kind::NativeUnless { .. } | Kind::NativeIfZero { .. } | Kind::NativeOr(..) => {
                        "native*"
                    }
                    Kind::Trap(_) => "trapped",
                };
                let mut l = match e.status {
                    Status::Full => format!("{nr:4} {name:24} full     {how}"),
                    Status::Partial(n) => format!("{nr:4} {name:24} partial  {how}: {n}"),
                };
                if let Kind::Native(why) | Kind::NativeOr(why, _) = e.kind {
                    l += &format!(" [why native: {why}]");
                }
                l + "\n"
            }
            None => format!("{nr:4} {name:24} unsupported (ENOSYS)\n"),
        };
        out.push_str(&line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_named() {
        for w in TABLE.windows(2) {
            assert!(w[0].nr < w[1].nr, "{} then {}", w[0].name, w[1].name);
        }
        for e in TABLE {
            assert_eq!(names::name(e.nr as u64), Some(e.name), "syscall {}", e.nr);
        }
    }

    #[test]
    fn dangerous_calls_never_native() {
        for n in [
            "open_by_handle_at",
            "ptrace",
            "io_uring_setup",
            "mount",
            "chroot",
            "bpf",
            "setns",
            "unshare",
            "process_vm_writev",
        ] {
            let nr = names::NAMES.iter().find(|(_, s)| *s == n).unwrap().0;
            assert!(
                !native_rules(64 << 20).iter().any(|(x, _)| *x == nr),
                "{n} must not run natively"
            );
        }
    }
}
