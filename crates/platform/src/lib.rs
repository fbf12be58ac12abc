//! ruml's platform layer: the only code that runs guest code and talks to the
//! host kernel's process-control interfaces (namespaces, seccomp, ptrace,
//! `process_vm_*`, descriptor passing).
//!
//! The kernel core sees guest threads only through the [`Platform`] trait: it
//! asks for the next [`Event`] (a trapped syscall, a new task, an exit, a
//! signal) and answers with a [`Resume`], possibly after reading or writing
//! guest memory, injecting a syscall or installing a descriptor. Thread ids in
//! this interface are the guest's own (the pid-namespace numbering), so the
//! kernel never sees a host pid.
//!
//! Every `unsafe` block in ruml lives in this crate, each with a `// SAFETY:`
//! comment.

pub mod host;
pub mod landlock;
pub mod net;
pub mod notify;
pub mod ptrace;
pub mod seccomp;

use std::io;
use std::os::fd::{BorrowedFd, OwnedFd};

/// A guest thread id, as the guest sees it (pid namespace numbering).
pub type Tid = i32;

/// A trapped system call: number, the six argument registers and the
/// thread's instruction and stack pointers.
#[derive(Clone, Copy, Debug, Default)]
pub struct Syscall {
    pub nr: u64,
    pub args: [u64; 6],
    pub ip: u64,
    pub sp: u64,
}

/// How a guest task ended, as wait(2) would tell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    Exited(i32),
    Signaled { sig: i32, core: bool },
}

impl ExitStatus {
    /// The wait(2) status word.
    pub fn raw(self) -> i32 {
        match self {
            ExitStatus::Exited(c) => (c & 0xff) << 8,
            ExitStatus::Signaled { sig, core } => sig | if core { 0x80 } else { 0 },
        }
    }
}

/// Why a guest thread stopped.
#[derive(Debug)]
pub enum Event {
    /// The thread made a system call that needs the kernel's view. It stays
    /// stopped until [`Platform::resume`].
    Syscall { tid: Tid, call: Syscall },
    /// A call resumed with [`Resume::RewriteReport`] returned `ret`. The
    /// thread stays stopped until [`Platform::resume`] (with `Return`);
    /// syscalls can be injected meanwhile.
    SyscallExit { tid: Tid, ret: i64 },
    /// A new thread or process appeared (fork, vfork or clone). It is
    /// running; `parent` made it.
    NewTask { tid: Tid, tgid: Tid, parent: Tid },
    /// `tid` completed an execve; `former` is the thread that called it (it
    /// differs when a non-leader thread executed).
    Exec { tid: Tid, former: Tid },
    /// A signal is about to be delivered to the thread. Resume with
    /// [`Resume::Signal`] to deliver it or [`Resume::Native`] to drop it.
    Signal { tid: Tid, sig: i32 },
    /// The thread is gone; `tgid` is its process.
    Exited {
        tid: Tid,
        tgid: Tid,
        status: ExitStatus,
    },
}

/// How a stopped thread goes on.
#[derive(Clone, Copy, Debug)]
pub enum Resume {
    /// Let the trapped syscall run on the host as it is (or just continue,
    /// for non-syscall stops).
    Native,
    /// Skip the syscall; the guest sees this return value (`-errno` for
    /// errors).
    Return(i64),
    /// Run a different syscall natively in its place; its result is what the
    /// guest sees.
    Rewrite { nr: u64, args: [u64; 6] },
    /// Like `Rewrite`, but the thread stops again when the call returns and
    /// the kernel gets [`Event::SyscallExit`] with its result (to clean up
    /// or adjust it), then resumes the thread with `Return`.
    RewriteReport { nr: u64, args: [u64; 6] },
    /// Deliver a signal (for [`Event::Signal`] stops).
    Signal(i32),
    /// Discard the signal of an [`Event::Signal`] stop, as the host would
    /// have for an untraced thread that ignores it: a system call it
    /// interrupted with EINTR is restarted.
    DropSignal,
}

/// What the host says about a descriptor a guest holds.
#[derive(Clone, Debug)]
pub struct FdInfo {
    pub dev: u64,
    pub ino: u64,
    pub mode: u32,
    pub rdev: u64,
    pub size: i64,
    /// The host's name for the object (`readlink /proc/PID/fd/N`).
    pub host_path: Vec<u8>,
}

/// The mechanism that runs guest code. The ptrace+seccomp implementation is
/// [`ptrace::PtracePlatform`]; a faster trap path can replace it behind this
/// trait.
pub trait Platform {
    /// Blocks until some guest thread needs the kernel, or `timeout_ms`
    /// passes (`None`; -1 waits forever).
    fn wait_event(&mut self, timeout_ms: i32) -> io::Result<Option<Event>>;
    /// Lets a stopped thread go on.
    fn resume(&mut self, tid: Tid, how: Resume) -> io::Result<()>;
    /// Runs one extra syscall inside a thread stopped at a syscall trap and
    /// returns its raw result. The trapped syscall is still pending after.
    fn inject(&mut self, tid: Tid, nr: u64, args: [u64; 6]) -> io::Result<i64>;
    /// Copies a host descriptor into the guest process of `tid`, at the
    /// lowest free number; returns that number (or `-errno`).
    fn install_fd(&mut self, tid: Tid, fd: BorrowedFd<'_>, cloexec: bool) -> io::Result<i64>;
    /// Reads guest memory.
    fn read_mem(&self, tid: Tid, addr: u64, buf: &mut [u8]) -> io::Result<()>;
    /// Writes guest memory.
    fn write_mem(&self, tid: Tid, addr: u64, data: &[u8]) -> io::Result<()>;
    /// Describes descriptor `fd` of `tid`'s process.
    fn fd_info(&self, tid: Tid, fd: i32) -> io::Result<FdInfo>;
    /// The open flags of descriptor `fd` of `tid`'s process (as F_GETFL
    /// and /proc/PID/fdinfo show them).
    fn fd_flags(&self, tid: Tid, fd: i32) -> io::Result<i32>;
    /// Takes a duplicate of guest descriptor `fd` into ruml.
    fn take_fd(&self, tid: Tid, fd: i32) -> io::Result<OwnedFd>;
    /// The host process id of a guest thread (for reading host /proc).
    fn host_tid(&self, tid: Tid) -> Option<i32>;
    /// For a thread in an [`Event::Signal`] stop: the signal's `si_code`
    /// and, for signals a process sent, the sender's pid.
    fn signal_sender(&self, tid: Tid) -> Option<(i32, Tid)>;
    /// Rewrites the sender uid of the signal a thread is stopped for.
    fn set_signal_uid(&mut self, tid: Tid, uid: u32) -> io::Result<()>;
    /// The stack pointer of a stopped thread (at an exec stop: where argc,
    /// argv, envp and the auxiliary vector start).
    fn stack_pointer(&self, tid: Tid) -> Option<u64>;
    /// Whether a guest thread is in a job-control stop (SIGSTOP and kin).
    fn job_stopped(&self, tid: Tid) -> bool;
    /// The guest thread id of a host thread, if it is a guest thread.
    fn guest_tid(&self, host: i32) -> Option<Tid>;
    /// Guest memory that a stopped thread is not using (below its stack's
    /// red zone), `len` bytes, for arguments of injected syscalls.
    fn scratch(&self, tid: Tid, len: usize) -> u64;
    /// Sends a host signal to a guest thread's process (used for kernel
    /// generated signals such as SIGKILL on OOM).
    fn kill(&self, tid: Tid, sig: i32) -> io::Result<()>;
    /// Adds to the process of a thread stopped at a syscall trap (all its
    /// threads) a filter that traps `nr` when argument `arg` equals
    /// `value`: for calls that need the kernel only in some processes.
    fn add_trap(&mut self, tid: Tid, nr: u32, arg: u32, value: u32) -> io::Result<()>;
    /// Stops tracking an exited process whose parent has reaped it.
    fn forget_zombie(&mut self, tid: Tid);
    /// Takes the new tasks and exits (other than init's) that happened but
    /// were not reported yet, in order, so the kernel can count live tasks
    /// right now. Only `NewTask` and `Exited` events are returned.
    fn drain_exits(&mut self) -> Vec<Event>;
    /// Ends every guest thread at once.
    fn kill_all(&mut self);
}
