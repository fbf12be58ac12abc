//! execve and execveat.
//!
//! The VFS resolves the program. When the host, running the call as the
//! guest made it, finds the same file (and the same file for each `#!`
//! interpreter it would go through), the call runs natively, so the program
//! sees its own path (AT_EXECFN, a script's argv, the command name) as on
//! Linux. Otherwise ruml does what the host would have looked up by path
//! itself:
//!
//! * `#!` scripts: ruml reads the line as fs/binfmt_script.c does
//!   ([`binfmt::shebang`]), resolves the interpreter through the VFS (from
//!   the caller's cwd), checks it, follows nested scripts up to Linux's
//!   limit, and executes the final program with the argument vector Linux
//!   builds (`[interpreter, optional argument, script name as given or
//!   /dev/fd/N, argv[1..]]` per script), written in the caller's memory.
//! * The final program runs by its host path when it is on the root
//!   hostfs, else through a descriptor (execveat with AT_EMPTY_PATH). In
//!   the latter case the host still looks up the ELF interpreter the
//!   program names (PT_INTERP), in its chroot: ruml resolves it through the
//!   VFS first, returns Linux's errors for a missing or bad one, and when
//!   the host would not find the same file, asks the exec root
//!   ([`crate::exec_root`]) to provide it there, or fails with ENOENT.

use super::Ctx;
use crate::binfmt::{self, Shebang, BUF_SIZE};
use crate::errno::{Errno, SysResult};
use crate::fs::hostfs;
use crate::task::PendingExec;
use crate::vfs::{perm, Follow, Inode, Kind, Loc, Stat};
use ruml_platform::{host, Resume};
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::Arc;

const AT_FDCWD: i32 = libc::AT_FDCWD;
/// execveat: only check that the file could be executed (Linux 6.14).
const AT_EXECVE_CHECK: i32 = 0x10000;
/// How many argument pointers fit in the largest argument space Linux
/// allows (6 MiB); MAX_ARG_STRINGS is larger.
const MAX_ARGS: usize = (6 << 20) / 8;
/// Linux's MAX_ARG_STRLEN: the longest argument or environment string.
const MAX_ARG_STRLEN: usize = 32 * 4096;
/// Scratch memory below the stack pointer the exec's other strings use
/// (`Ctx::scratch_str` slot 0, with its alignment): a built argument vector
/// goes below it.
const SCRATCH_USED: usize = 8192 + 1024 + 64;

/// The command name Linux derives from an executed path: its last
/// component, at most 15 bytes.
fn comm_of(path: &[u8]) -> Vec<u8> {
    let mut n = path
        .rsplit(|&b| b == b'/')
        .find(|n| !n.is_empty())
        .unwrap_or(b"")
        .to_vec();
    n.truncate(15);
    n
}

/// The first [`BUF_SIZE`] bytes of a file, NUL-padded as Linux reads them;
/// None when it cannot be read.
fn head_of(f: BorrowedFd<'_>) -> Option<[u8; BUF_SIZE]> {
    let mut b = [0u8; BUF_SIZE];
    let n = read_at(f, 0, &mut b)?;
    b[n..].fill(0);
    Some(b)
}

/// Reads as much of `buf` as the file holds at `off`.
fn read_at(f: BorrowedFd<'_>, off: u64, buf: &mut [u8]) -> Option<usize> {
    let mut n = 0;
    while n < buf.len() {
        match host::pread(f, &mut buf[n..], (off + n as u64) as i64) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(_) => return None,
        }
    }
    Some(n)
}

/// do_open_execat's checks on a resolved program or interpreter: a
/// regular file the caller may execute.
fn may_exec(c: &Ctx<'_>, loc: &Loc) -> SysResult<Stat> {
    let st = loc.inode().stat()?;
    match st.kind() {
        Kind::File => {}
        Kind::Symlink => return Err(Errno::ELOOP),
        _ => return Err(Errno::EACCES),
    }
    // The caller's execute permission (root's needs some execute bit).
    perm::permission(&c.caller(), loc.inode(), perm::MAY_EXEC)?;
    Ok(st)
}

/// Resolves an interpreter's name as open_exec does, from the caller's cwd;
/// an empty name is the cwd itself.
fn resolve_interpreter(c: &Ctx<'_>, name: &[u8]) -> SysResult<Loc> {
    let name = if name.is_empty() { b"." } else { name };
    c.resolve_at(AT_FDCWD, name, Follow::Yes)
}

/// Whether the host, looking up an interpreter `name` itself during an
/// exec of the caller (an absolute name in its chroot, the root hostfs;
/// another from its cwd), reaches the file the VFS found (`want`).
fn host_finds(c: &Ctx<'_>, name: &[u8], want: &Stat) -> bool {
    const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
    const RESOLVE_IN_ROOT: u64 = 0x10;
    if name.first() != Some(&b'/') {
        return c.natively_same(AT_FDCWD, name, Follow::Yes, want);
    }
    let root = c.st.vfs.mount(0);
    let Some(dir) = root.root.native_fd().filter(|_| root.native) else {
        return false;
    };
    host::openat2_path(dir, name, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
        .and_then(|f| host::fstatat(f.as_fd(), b"", 0))
        .is_ok_and(|s| (s.st_dev, s.st_ino) == (want.dev, want.ino))
}

/// Reads a NULL-terminated array of pointers (argv, envp) from the
/// caller's memory; a NULL array is empty.
fn read_pointers(c: &Ctx<'_>, addr: u64) -> SysResult<Vec<u64>> {
    let mut out = Vec::new();
    if addr == 0 {
        return Ok(out);
    }
    let mut a = addr;
    loop {
        // Up to the end of the page, so the read cannot fault past the
        // array's end.
        let words = ((4096 - (a % 4096) as usize) / 8).max(1);
        let mut buf = vec![0u8; words * 8];
        c.read(a, &mut buf)?;
        for w in buf.chunks_exact(8) {
            let p = u64::from_ne_bytes(w.try_into().expect("8 bytes"));
            if p == 0 {
                return Ok(out);
            }
            if out.len() == MAX_ARGS {
                return Err(Errno::E2BIG);
            }
            out.push(p);
        }
        a += (words * 8) as u64;
    }
}

/// An error found while going through the program's binary formats, which
/// Linux reaches only after it has copied the arguments and environment:
/// the EFAULT or E2BIG copying them would give comes first.
fn after_args(c: &Ctx<'_>, argv: u64, envp: u64, e: Errno) -> Errno {
    let mut strings = Vec::new();
    for v in [argv, envp] {
        match read_pointers(c, v) {
            Ok(p) => strings.extend(p),
            Err(e) => return e,
        }
    }
    for s in strings {
        match c.read_cstr(s, MAX_ARG_STRLEN - 1) {
            Ok(_) => {}
            Err(Errno::ENAMETOOLONG) => return Errno::E2BIG,
            Err(e) => return e,
        }
    }
    e
}

/// A program reached through `#!` lines.
struct Chain {
    /// The scripts' lines, the program's own first.
    lines: Vec<Shebang>,
    /// The program that finally runs.
    program: Loc,
    /// The host, running the exec as the guest made it, finds the same
    /// files all the way.
    native: bool,
}

/// binfmt_script, done by ruml for a file whose first bytes are `head`:
/// parses its `#!` line, resolves and checks the interpreter (from the
/// caller's cwd), and goes on while the interpreter is a script itself.
/// None if the file is no script. `inaccessible`: the script's name is a
/// /dev/fd path of a close-on-exec descriptor, which the interpreter could
/// not open (ENOENT). `native`: the host reaches the file by the guest's
/// own words.
fn follow_scripts(
    c: &Ctx<'_>,
    head: &[u8; BUF_SIZE],
    inaccessible: bool,
    mut native: bool,
) -> SysResult<Option<Chain>> {
    let mut lines = Vec::new();
    let mut head = *head;
    let mut program = None;
    while let Some(line) = binfmt::shebang(&head) {
        let line = line?;
        if inaccessible {
            return Err(Errno::ENOENT);
        }
        let loc = resolve_interpreter(c, &line.name)?;
        let st = may_exec(c, &loc)?;
        if lines.len() == binfmt::MAX_INTERPRETERS {
            return Err(Errno::ELOOP);
        }
        native = native && c.st.vfs.mount(loc.mount()).native && host_finds(c, &line.name, &st);
        lines.push(line);
        let next = loc
            .inode()
            .open(&c.caller(), libc::O_RDONLY)
            .ok()
            .and_then(|f| head_of(f.as_fd()));
        program = Some(loc);
        match next {
            Some(h) => head = h,
            // Unreadable to ruml (a hostfs file): the host reads it.
            None => break,
        }
    }
    Ok(program.map(|program| Chain {
        lines,
        program,
        native,
    }))
}

/// Guest memory holding a built argument vector; a mapping made for it is
/// unmapped if the exec fails.
#[derive(Clone, Copy)]
struct Block {
    addr: u64,
    mapped: Option<(u64, usize)>,
}

impl Block {
    fn release(self, c: &mut Ctx<'_>) {
        if let Some((a, n)) = self.mapped {
            let _ =
                c.p.inject(c.tid, libc::SYS_munmap as u64, [a, n as u64, 0, 0, 0, 0]);
        }
    }
}

/// Room below the caller's stack pointer.
#[derive(PartialEq)]
enum Room {
    /// Memory from the address up to the stack pointer is all in the
    /// writable mapping the stack pointer is in.
    Yes,
    /// Not yet, but that mapping is the main thread's stack, which grows.
    Grows,
    No,
}

fn stack_room(c: &Ctx<'_>, addr: u64) -> Room {
    let (Some(h), Some(sp)) = (c.p.host_tid(c.tid), c.p.stack_pointer(c.tid)) else {
        return Room::No;
    };
    let Ok(maps) = std::fs::read_to_string(format!("/proc/{h}/maps")) else {
        return Room::No;
    };
    for l in maps.lines() {
        let f: Vec<&str> = l.split_whitespace().collect();
        let Some((s, e)) = f.first().and_then(|r| r.split_once('-')) else {
            continue;
        };
        let (Ok(s), Ok(e)) = (u64::from_str_radix(s, 16), u64::from_str_radix(e, 16)) else {
            continue;
        };
        if !(s < sp && sp <= e) || f.get(1).and_then(|p| p.as_bytes().get(1)) != Some(&b'w') {
            continue;
        }
        return if s <= addr {
            Room::Yes
        } else if f.get(5) == Some(&"[stack]") {
            Room::Grows
        } else {
            Room::No
        };
    }
    Room::No
}

/// Whether `len` bytes at `addr`, below the caller's stack pointer, are in
/// its stack, after growing the main thread's stack down to them as a
/// fault there would (the host's kernel writing there for an injected call
/// faults it in; writing the caller's memory from outside does not).
fn stack_holds(c: &mut Ctx<'_>, addr: u64) -> bool {
    match stack_room(c, addr) {
        Room::Yes => true,
        Room::No => false,
        Room::Grows => {
            let ts = libc::CLOCK_MONOTONIC as u64;
            let _ = c.p.inject(
                c.tid,
                libc::SYS_clock_gettime as u64,
                [ts, addr, 0, 0, 0, 0],
            );
            stack_room(c, addr) == Room::Yes
        }
    }
}

/// The argument vector an exec passes on.
enum Args {
    /// The guest's own.
    Guest(u64),
    /// Strings ruml adds in front of the guest's argv[1..] (at `guest`).
    Built { new: Vec<Vec<u8>>, guest: u64 },
}

impl Args {
    /// Puts the vector in the caller's memory: below its stack pointer when
    /// its stack has room, else in a new mapping (a thread's stack too
    /// small for a long vector). A process sharing its memory with the
    /// caller (vfork) keeps such a mapping when the exec succeeds; vfork
    /// children run on their parent's stack, which grows, and
    /// posix_spawn's stack has room for the vector.
    fn place(&self, c: &mut Ctx<'_>) -> SysResult<Block> {
        let (new, guest) = match self {
            Args::Guest(a) => {
                return Ok(Block {
                    addr: *a,
                    mapped: None,
                })
            }
            Args::Built { new, guest } => (new, *guest),
        };
        let all = read_pointers(c, guest)?;
        let tail = all.get(1..).unwrap_or(&[]);
        let ptrs = (new.len() + tail.len() + 1) * 8;
        let len = ptrs + new.iter().map(|s| s.len() + 1).sum::<usize>();
        let below = c.p.scratch(c.tid, SCRATCH_USED + len);
        let block = if stack_holds(c, below) {
            Block {
                addr: below,
                mapped: None,
            }
        } else {
            let size = len.div_ceil(4096) * 4096;
            let prot = (libc::PROT_READ | libc::PROT_WRITE) as u64;
            let flags = (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS) as u64;
            let r = c.p.inject(
                c.tid,
                libc::SYS_mmap as u64,
                [0, size as u64, prot, flags, u64::MAX, 0],
            )?;
            if r < 0 {
                return Err(Errno(-r as i32));
            }
            Block {
                addr: r as u64,
                mapped: Some((r as u64, size)),
            }
        };
        let mut b = Vec::with_capacity(len);
        let mut s = block.addr + ptrs as u64;
        for x in new {
            b.extend_from_slice(&s.to_ne_bytes());
            s += x.len() as u64 + 1;
        }
        for p in tail.iter().chain([&0]) {
            b.extend_from_slice(&p.to_ne_bytes());
        }
        for x in new {
            b.extend_from_slice(x);
            b.push(0);
        }
        if let Err(e) = c.write(block.addr, &b) {
            block.release(c);
            return Err(e);
        }
        Ok(block)
    }

    /// The guest's argv, for its errors (see [`after_args`]).
    fn guest(&self) -> u64 {
        match self {
            Args::Guest(a) | Args::Built { guest: a, .. } => *a,
        }
    }
}

/// What the kernel notes for an exec and how the host runs it.
struct Run {
    /// The program's guest path (/proc/PID/exe).
    exe: Vec<u8>,
    /// The command name Linux gives it.
    comm: Vec<u8>,
    args: Args,
    envp: u64,
    /// AT_EXECVE_CHECK, passed on.
    check: i32,
}

/// The exit hook of a rewritten exec: what a failed one leaves undone.
fn undo(block: Block, fd: Option<i64>) -> super::ExitHook {
    Box::new(move |c, ret| {
        if let Some(fd) = fd {
            let _ =
                c.p.inject(c.tid, libc::SYS_close as u64, [fd as u64, 0, 0, 0, 0, 0]);
        }
        block.release(c);
        if let Some(t) = c.st.tasks.tasks.get_mut(&c.tid) {
            t.pending_exec = None;
        }
        ret
    })
}

/// Executes a program of the root hostfs by its host path `np`.
fn exec_by_path(c: &mut Ctx<'_>, np: &[u8], run: Run) -> SysResult<Resume> {
    let block = run.args.place(c)?;
    let host_comm = comm_of(np);
    let differs = host_comm != run.comm;
    c.st.tasks.task_mut(c.tid).pending_exec = Some(PendingExec {
        path: run.exe,
        comm: differs.then_some(run.comm),
    });
    if differs {
        c.st.want_get_name_trap.borrow_mut().push(c.tid);
    }
    let a = c.scratch_str(np, 0)?;
    let (nr, args) = if run.check != 0 {
        let fdcwd = AT_FDCWD as u64;
        let check = run.check as u64;
        (
            libc::SYS_execveat,
            [fdcwd, a, block.addr, run.envp, check, 0],
        )
    } else {
        (libc::SYS_execve, [a, block.addr, run.envp, 0, 0, 0])
    };
    c.rewrite_then(nr, args, undo(block, None))
}

/// Executes a program the host cannot reach by path through a descriptor
/// (close-on-exec: only a script's interpreter would need it, and ruml runs
/// the interpreter itself).
fn exec_by_fd(c: &mut Ctx<'_>, inode: &Arc<dyn Inode>, run: Run) -> SysResult<Resume> {
    let f = inode.open(&c.caller(), libc::O_RDONLY)?;
    if run.check == 0 {
        if let Some(head) = head_of(f.as_fd()) {
            check_elf_interpreter(c, f.as_fd(), &head)
                .map_err(|e| after_args(c, run.args.guest(), run.envp, e))?;
        }
    }
    let block = run.args.place(c)?;
    let fd = match c.p.install_fd(c.tid, f.as_fd(), true) {
        Ok(fd) if fd >= 0 => fd,
        r => {
            block.release(c);
            return Ok(Resume::Return(r?));
        }
    };
    c.st.tasks.task_mut(c.tid).pending_exec = Some(PendingExec {
        path: run.exe,
        comm: Some(run.comm),
    });
    // The host names the program after the descriptor: until the kernel
    // gives it its name, PR_GET_NAME must ask the kernel.
    c.st.want_get_name_trap.borrow_mut().push(c.tid);
    let empty = c.scratch_str(b"", 0)?;
    let flags = (libc::AT_EMPTY_PATH | run.check) as u64;
    c.rewrite_then(
        libc::SYS_execveat,
        [fd as u64, empty, block.addr, run.envp, flags, 0],
        undo(block, Some(fd)),
    )
}

/// binfmt_elf's lookup of the ELF interpreter of a program (open as `f`,
/// starting with `head`) that the host loads through a descriptor and whose
/// interpreter it then looks up by name in its chroot. The VFS resolves the
/// name: Linux's errors for a missing, non-executable or broken
/// interpreter; when the host would not find that same file, the exec root
/// must provide it, else ENOENT (logged once per name).
fn check_elf_interpreter(
    c: &mut Ctx<'_>,
    f: BorrowedFd<'_>,
    head: &[u8; BUF_SIZE],
) -> SysResult<()> {
    let Some(name) = binfmt::elf_interpreter(head, &mut |off, b| read_at(f, off, b)) else {
        return Ok(());
    };
    let loc = resolve_interpreter(c, &name)?;
    let st = may_exec(c, &loc)?;
    if c.st.vfs.mount(loc.mount()).native && host_finds(c, &name, &st) {
        return Ok(());
    }
    let file = loc.inode().open(&c.caller(), libc::O_RDONLY)?;
    binfmt::check_interpreter(&mut |off, b| read_at(file.as_fd(), off, b))?;
    if let Err(why) = c.st.exec_root.provide(&name, file.as_fd(), &st) {
        let key = name.iter().fold(0xcbf2_9ce4u32, |h, &b| {
            (h ^ b as u32).wrapping_mul(0x0100_0193)
        });
        c.st.warn_once(
            0x4_0000_0000 | key as u64,
            &format!(
                "exec: the host cannot reach ELF interpreter {} as the guest sees it ({why}): ENOENT",
                String::from_utf8_lossy(&name)
            ),
        );
        return Err(Errno::ENOENT);
    }
    Ok(())
}

/// Runs the program a chain of scripts leads to, with the argument vector
/// binfmt_script builds. `filename` is the exec's name for the first
/// script; `comm_from_dentry`: the exec named a descriptor alone, so the
/// command name is the program file's own name (Linux 6.14).
fn run_chain(
    c: &mut Ctx<'_>,
    chain: Chain,
    filename: &[u8],
    comm_from_dentry: bool,
    argv: u64,
    envp: u64,
) -> SysResult<Resume> {
    let root = c.st.tasks.task(c.tid).fs.borrow().root.clone();
    let exe = chain.program.path_from(&root);
    if chain.native {
        c.st.tasks.task_mut(c.tid).pending_exec = Some(PendingExec {
            path: exe,
            comm: None,
        });
        return Ok(Resume::Native);
    }
    let comm = if comm_from_dentry {
        comm_of(&chain.program.0.last().expect("non-empty location").name)
    } else {
        comm_of(filename)
    };
    let mut new = Vec::new();
    for line in chain.lines.into_iter().rev() {
        new.push(line.name);
        new.extend(line.arg);
    }
    new.push(filename.to_vec());
    let run = Run {
        exe,
        comm,
        args: Args::Built { new, guest: argv },
        envp,
        check: 0,
    };
    let program = chain.program;
    // By path only for a caller whose checks nothing can race (see
    // `Ctx::native_allowed`): the host walks the path again.
    match program.inode().native_path() {
        Some(np) if c.st.vfs.mount(program.mount()).native && c.native_allowed() => {
            exec_by_path(c, &np, run)
        }
        _ => exec_by_fd(c, program.inode(), run),
    }
}

/// execveat(fd, "", AT_EMPTY_PATH): the host runs the descriptor's file,
/// except that ruml follows a script's `#!` line and checks an ELF
/// program's interpreter.
fn exec_fd(c: &mut Ctx<'_>, fd: i32, argv: u64, envp: u64, flags: i32) -> SysResult<Resume> {
    if flags & AT_EXECVE_CHECK != 0 {
        return Ok(Resume::Native);
    }
    // The host refuses what is no regular file (or no descriptor).
    let Ok(f) = c.p.take_fd(c.tid, fd) else {
        return Ok(Resume::Native);
    };
    let Ok(hst) = host::fstatat(f.as_fd(), b"", 0) else {
        return Ok(Resume::Native);
    };
    if hst.st_mode & libc::S_IFMT != libc::S_IFREG {
        return Ok(Resume::Native);
    }
    // An O_PATH descriptor cannot be read: the file can.
    let head = head_of(f.as_fd()).or_else(|| {
        host::reopen(f.as_fd(), libc::O_RDONLY)
            .ok()
            .and_then(|r| head_of(r.as_fd()))
    });
    let Some(head) = head else {
        return Ok(Resume::Native);
    };
    if binfmt::shebang(&head).is_none() {
        check_elf_interpreter(c, f.as_fd(), &head).map_err(|e| after_args(c, argv, envp, e))?;
        return Ok(Resume::Native);
    }
    // A script: the descriptor's file must be executable, then ruml runs
    // the interpreter.
    match super::fs::fd_object(c, fd)? {
        Some(inode) => perm::permission(&c.caller(), &inode, perm::MAY_EXEC)?,
        None => {
            let mut st = Stat::from_host(&hst);
            hostfs::guest_ids(&mut st);
            if let Some(cr) = c.caller().creds() {
                perm::generic_permission(cr, &st, perm::MAY_EXEC)?;
            }
        }
    }
    let inaccessible = c.p.fd_flags(c.tid, fd)? & libc::O_CLOEXEC != 0;
    let chain = follow_scripts(c, &head, inaccessible, true)
        .map_err(|e| after_args(c, argv, envp, e))?
        .ok_or(Errno::ENOEXEC)?;
    run_chain(
        c,
        chain,
        format!("/dev/fd/{fd}").as_bytes(),
        true,
        argv,
        envp,
    )
}

fn do_exec(
    c: &mut Ctx<'_>,
    dirfd: i32,
    path_ptr: u64,
    argv: u64,
    envp: u64,
    flags: i32,
) -> SysResult<Resume> {
    let path = c.read_path(path_ptr)?;
    if path.is_empty() && flags & libc::AT_EMPTY_PATH == 0 {
        return Err(Errno::ENOENT);
    }
    if flags & !(libc::AT_EMPTY_PATH | libc::AT_SYMLINK_NOFOLLOW | AT_EXECVE_CHECK) != 0 {
        return Err(Errno::EINVAL);
    }
    if path.is_empty() {
        return exec_fd(c, dirfd, argv, envp, flags);
    }
    let follow = if flags & libc::AT_SYMLINK_NOFOLLOW != 0 {
        Follow::No
    } else {
        Follow::Yes
    };
    let loc = c.resolve_at(dirfd, &path, follow)?;
    let st = may_exec(c, &loc)?;
    let root = c.st.tasks.task(c.tid).fs.borrow().root.clone();
    let exe = loc.path_from(&root);
    let native_mount = c.st.vfs.mount(loc.mount()).native;
    // The host finds the same file from the guest's own words.
    let same = native_mount && c.natively_same(dirfd, &path, follow, &st);
    let check = flags & AT_EXECVE_CHECK;
    if check == 0 {
        let head = loc
            .inode()
            .open(&c.caller(), libc::O_RDONLY)
            .ok()
            .and_then(|f| head_of(f.as_fd()));
        if let Some(head) = head.filter(|h| binfmt::shebang(h).is_some()) {
            // The script's name, as its interpreter gets it.
            let at_fd = dirfd != AT_FDCWD && path[0] != b'/';
            let filename = if at_fd {
                [format!("/dev/fd/{dirfd}/").as_bytes(), &path].concat()
            } else {
                path.clone()
            };
            let inaccessible = at_fd
                && c.p
                    .fd_flags(c.tid, dirfd)
                    .is_ok_and(|f| f & libc::O_CLOEXEC != 0);
            let chain = follow_scripts(c, &head, inaccessible, same)
                .map_err(|e| after_args(c, argv, envp, e))?
                .ok_or(Errno::ENOEXEC)?;
            return run_chain(c, chain, &filename, false, argv, envp);
        }
    }
    if same {
        c.st.tasks.task_mut(c.tid).pending_exec = Some(PendingExec {
            path: exe,
            comm: None,
        });
        return Ok(Resume::Native);
    }
    // The command name comes from the name the program was run by, not
    // from the file a final symlink leads to.
    let comm = comm_of(&path);
    let run = Run {
        exe,
        comm,
        args: Args::Guest(argv),
        envp,
        check,
    };
    if native_mount && c.native_allowed() {
        if let Some(mut np) = loc.inode().native_path() {
            // A final symlink on the root hostfs is passed by its own name;
            // the host follows it inside the guest's chroot.
            if let Ok((parent, last)) = c.resolve_parent_at(dirfd, &path) {
                let link = parent.inode().lookup(&c.caller(), &last);
                if follow == Follow::Yes && link.is_ok_and(|l| l.kind() == Kind::Symlink) {
                    if let Some(pp) = c.native(&parent) {
                        np = crate::vfs::join_path(&pp, &last);
                    }
                }
            }
            return exec_by_path(c, &np, run);
        }
    }
    exec_by_fd(c, loc.inode(), run)
}

pub fn sys_execve(c: &mut Ctx<'_>) -> SysResult<Resume> {
    do_exec(c, AT_FDCWD, c.arg(0), c.arg(1), c.arg(2), 0)
}

pub fn sys_execveat(c: &mut Ctx<'_>) -> SysResult<Resume> {
    do_exec(c, c.arg_i32(0), c.arg(1), c.arg(2), c.arg(3), c.arg_i32(4))
}
