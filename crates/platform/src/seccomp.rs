//! Builds the seccomp BPF program every guest process runs under.
//!
//! The program is data derived from the kernel's syscall table: syscalls the
//! table marks as native run on the host untouched (`SECCOMP_RET_ALLOW`);
//! everything else, including numbers the table does not know, stops the
//! thread for the tracer (`SECCOMP_RET_TRACE`). One number that is no
//! syscall, [`INSTALL_FD_NR`], goes to ruml's notification listener
//! (`libc::SECCOMP_RET_USER_NOTIF`): the platform injects it to hand a guest
//! process a descriptor (`SECCOMP_IOCTL_NOTIF_ADDFD`), so no guest process
//! holds any descriptor of ruml's. Because the filter has a listener, the
//! host refuses every further listener in a guest process (EBUSY): no guest
//! filter can answer calls in ruml's place.

/// The number the platform injects to install a descriptor: outside the
/// x86_64 table (a guest making it gets ENOSYS from ruml).
pub const INSTALL_FD_NR: u32 = 0x3fff_0fd0;

/// One classic-BPF instruction, laid out as the kernel's `struct sock_filter`.
pub type Insn = libc::sock_filter;

const BPF_LD_W_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
const BPF_JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
const BPF_JGE_K: u16 = (libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K) as u16;
const BPF_JGT_K: u16 = (libc::BPF_JMP | libc::BPF_JGT | libc::BPF_K) as u16;
const BPF_JSET_K: u16 = (libc::BPF_JMP | libc::BPF_JSET | libc::BPF_K) as u16;
const BPF_ALU_AND_K: u16 = (libc::BPF_ALU | libc::BPF_AND | libc::BPF_K) as u16;
const BPF_RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;

const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
const X32_SYSCALL_BIT: u32 = 0x4000_0000;

// Offsets inside `struct seccomp_data`.
const OFF_NR: u32 = 0;
const OFF_ARCH: u32 = 4;
const fn off_arg_lo(n: u32) -> u32 {
    16 + 8 * n
}

fn stmt(code: u16, k: u32) -> Insn {
    Insn {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(code: u16, k: u32, jt: u8, jf: u8) -> Insn {
    Insn { code, jt, jf, k }
}

/// How the filter treats one syscall number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Runs natively.
    Allow,
    /// Runs natively unless argument `arg` (its low 32 bits, masked with
    /// `mask`) is one of `values`, when it is trapped.
    TraceIfArgIn {
        arg: u8,
        mask: u32,
        values: &'static [u32],
        /// And only when argument `.0` (low 32 bits) is one of `.1`:
        /// other values trap too (e.g. socket families outside a list).
        only: Option<(u8, &'static [u32])>,
    },
    /// Runs natively when argument `arg` is 0, else traps.
    AllowIfArgZero { arg: u8 },
    /// mmap: runs natively, but a private writable mapping (without
    /// MAP_NORESERVE) longer than `limit` fails with ENOMEM, as Linux's
    /// heuristic overcommit refuses an allocation larger than all memory.
    MmapWithin { limit: u64 },
}

/// The filter program for a guest, given the syscall numbers allowed to run
/// natively (all other numbers trap).
///
/// Calls whose rule does not look at arguments (`Rule::Allow`) get a
/// verdict from the number alone, so the host kernel's seccomp action cache
/// lets them run without evaluating the filter at all.
pub fn build_filter(native: &[(u32, Rule)]) -> Vec<Insn> {
    let ret_allow = stmt(BPF_RET_K, libc::SECCOMP_RET_ALLOW);
    let ret_trace = stmt(BPF_RET_K, libc::SECCOMP_RET_TRACE);
    let ret_enosys = stmt(BPF_RET_K, libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32);
    let mut p = vec![
        // 32-bit (int 0x80) and x32 system calls are not part of the guest ABI.
        stmt(BPF_LD_W_ABS, OFF_ARCH),
        jump(BPF_JEQ_K, AUDIT_ARCH_X86_64, 1, 0),
        ret_enosys,
        stmt(BPF_LD_W_ABS, OFF_NR),
        jump(BPF_JGE_K, X32_SYSCALL_BIT, 0, 1),
        ret_enosys,
        jump(BPF_JEQ_K, INSTALL_FD_NR, 0, 1),
        stmt(BPF_RET_K, libc::SECCOMP_RET_USER_NOTIF),
    ];
    for &(nr, rule) in native {
        // The block for this number; the accumulator holds the number on
        // entry, and every path out of the block returns.
        let mut b = Vec::new();
        match rule {
            Rule::Allow => b.push(ret_allow),
            Rule::TraceIfArgIn {
                arg,
                mask,
                values,
                only,
            } => {
                if let Some((oa, allowed)) = only {
                    b.push(stmt(BPF_LD_W_ABS, off_arg_lo(oa as u32)));
                    let n = allowed.len();
                    for (i, &v) in allowed.iter().enumerate() {
                        // On a match, jump past the other compares and the trace.
                        b.push(jump(BPF_JEQ_K, v, (n - 1 - i) as u8 + 1, 0));
                    }
                    b.push(ret_trace);
                }
                b.push(stmt(BPF_LD_W_ABS, off_arg_lo(arg as u32)));
                b.push(stmt(BPF_ALU_AND_K, mask));
                let n = values.len();
                for (i, &v) in values.iter().enumerate() {
                    // On a match, jump to the trace after the last compare.
                    b.push(jump(BPF_JEQ_K, v, (n - 1 - i) as u8 + 1, 0));
                }
                b.push(ret_allow);
                b.push(ret_trace);
            }
            Rule::AllowIfArgZero { arg } => {
                b.push(stmt(BPF_LD_W_ABS, off_arg_lo(arg as u32)));
                b.push(jump(BPF_JEQ_K, 0, 0, 2));
                b.push(stmt(BPF_LD_W_ABS, off_arg_lo(arg as u32) + 4));
                b.push(jump(BPF_JEQ_K, 0, 1, 0));
                b.push(ret_trace);
                b.push(ret_allow);
            }
            Rule::MmapWithin { limit } => {
                let (hi, lo) = ((limit >> 32) as u32, limit as u32);
                let ret_enomem = stmt(BPF_RET_K, libc::SECCOMP_RET_ERRNO | libc::ENOMEM as u32);
                let not_private = (libc::MAP_SHARED | libc::MAP_NORESERVE) as u32;
                // prot & PROT_WRITE, else allow
                b.push(stmt(BPF_LD_W_ABS, off_arg_lo(2)));
                b.push(jump(BPF_JSET_K, libc::PROT_WRITE as u32, 0, 8));
                // flags & (MAP_SHARED | MAP_NORESERVE): allow
                b.push(stmt(BPF_LD_W_ABS, off_arg_lo(3)));
                b.push(jump(BPF_JSET_K, not_private, 6, 0));
                // length, high word then low word, against the limit
                b.push(stmt(BPF_LD_W_ABS, off_arg_lo(1) + 4));
                b.push(jump(BPF_JGT_K, hi, 3, 0));
                b.push(jump(BPF_JEQ_K, hi, 0, 3));
                b.push(stmt(BPF_LD_W_ABS, off_arg_lo(1)));
                b.push(jump(BPF_JGT_K, lo, 0, 1));
                b.push(ret_enomem);
                b.push(ret_allow);
            }
        }
        assert!(b.len() < 256, "filter block too long");
        p.push(jump(BPF_JEQ_K, nr, 0, b.len() as u8));
        p.extend(b);
    }
    p.push(ret_trace);
    p
}

/// The most instructions a classic BPF program may have (BPF_MAXINSNS).
pub const MAX_INSNS: usize = 4096;

/// A guest's own filter program (`len` raw `struct sock_filter`s), made
/// safe to stack: a prefix lets [`INSTALL_FD_NR`] through (ALLOW, the
/// weakest action, so ruml's listener still gets it whatever the guest's
/// program says of unknown numbers), then clears the accumulator and runs
/// the guest's program as written (its jumps are relative, forward only).
/// `None` when the result would be longer than the kernel accepts.
pub fn wrap_guest_filter(prog: &[u8]) -> Option<Vec<u8>> {
    const BPF_LD_IMM: u16 = (libc::BPF_LD | libc::BPF_IMM) as u16;
    let prefix = [
        stmt(BPF_LD_W_ABS, OFF_NR),
        jump(BPF_JEQ_K, INSTALL_FD_NR, 0, 1),
        stmt(BPF_RET_K, libc::SECCOMP_RET_ALLOW),
        stmt(BPF_LD_IMM, 0),
    ];
    if prog.is_empty() || !prog.len().is_multiple_of(8) || prog.len() / 8 + prefix.len() > MAX_INSNS
    {
        return None;
    }
    let mut out = Vec::with_capacity(prefix.len() * 8 + prog.len());
    for i in prefix {
        out.extend_from_slice(&i.code.to_ne_bytes());
        out.push(i.jt);
        out.push(i.jf);
        out.extend_from_slice(&i.k.to_ne_bytes());
    }
    out.extend_from_slice(prog);
    Some(out)
}

/// A filter to stack on a process: trap `nr` when argument `arg` (low 32
/// bits) equals `value`, allow everything else (the process's own filter
/// still applies: stacked filters can only tighten).
pub fn build_trap_filter(nr: u32, arg: u32, value: u32) -> Vec<Insn> {
    vec![
        stmt(BPF_LD_W_ABS, OFF_NR),
        jump(BPF_JEQ_K, nr, 0, 3),
        stmt(BPF_LD_W_ABS, off_arg_lo(arg)),
        jump(BPF_JEQ_K, value, 0, 1),
        stmt(BPF_RET_K, libc::SECCOMP_RET_TRACE),
        stmt(BPF_RET_K, libc::SECCOMP_RET_ALLOW),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny classic-BPF interpreter, enough for the instructions we emit.
    fn run(prog: &[Insn], nr: u32, arch: u32, args: [u64; 6]) -> u32 {
        let mut data = [0u8; 64];
        data[0..4].copy_from_slice(&nr.to_ne_bytes());
        data[4..8].copy_from_slice(&arch.to_ne_bytes());
        for (i, a) in args.iter().enumerate() {
            data[16 + 8 * i..24 + 8 * i].copy_from_slice(&a.to_ne_bytes());
        }
        let mut acc = 0u32;
        let mut pc = 0usize;
        loop {
            let i = prog[pc];
            match i.code {
                BPF_LD_W_ABS => {
                    let o = i.k as usize;
                    acc = u32::from_ne_bytes(data[o..o + 4].try_into().unwrap());
                    pc += 1;
                }
                BPF_JEQ_K => pc += 1 + if acc == i.k { i.jt } else { i.jf } as usize,
                BPF_JGE_K => pc += 1 + if acc >= i.k { i.jt } else { i.jf } as usize,
                BPF_JGT_K => pc += 1 + if acc > i.k { i.jt } else { i.jf } as usize,
                BPF_ALU_AND_K => {
                    acc &= i.k;
                    pc += 1;
                }
                BPF_JSET_K => pc += 1 + if acc & i.k != 0 { i.jt } else { i.jf } as usize,
                BPF_RET_K => return i.k,
                c => panic!("unexpected opcode {c}"),
            }
        }
    }

    #[test]
    fn refuses_mappings_larger_than_memory() {
        let p = build_filter(&[(9, Rule::MmapWithin { limit: 64 << 20 }), (0, Rule::Allow)]);
        let a = AUDIT_ARCH_X86_64;
        let enomem = libc::SECCOMP_RET_ERRNO | libc::ENOMEM as u32;
        let rw = (libc::PROT_READ | libc::PROT_WRITE) as u64;
        let anon = (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS) as u64;
        let mmap = |len: u64, prot: u64, flags: u64| run(&p, 9, a, [0, len, prot, flags, 0, 0]);
        assert_eq!(mmap(100 << 20, rw, anon), enomem);
        assert_eq!(mmap(1 << 40, rw, anon), enomem);
        assert_eq!(mmap(64 << 20, rw, anon), libc::SECCOMP_RET_ALLOW);
        assert_eq!(mmap(1 << 20, rw, anon), libc::SECCOMP_RET_ALLOW);
        assert_eq!(
            mmap(1 << 40, libc::PROT_READ as u64, anon),
            libc::SECCOMP_RET_ALLOW
        );
        let noreserve = anon | libc::MAP_NORESERVE as u64;
        assert_eq!(mmap(1 << 40, rw, noreserve), libc::SECCOMP_RET_ALLOW);
        let shared = (libc::MAP_SHARED | libc::MAP_ANONYMOUS) as u64;
        assert_eq!(mmap(1 << 40, rw, shared), libc::SECCOMP_RET_ALLOW);
        // The next rule still sees the syscall number.
        assert_eq!(run(&p, 0, a, [0; 6]), libc::SECCOMP_RET_ALLOW);
        assert_eq!(run(&p, 1, a, [0; 6]), libc::SECCOMP_RET_TRACE);
    }

    #[test]
    fn stacked_trap_filter() {
        let p = build_trap_filter(157, 0, 16);
        let a = AUDIT_ARCH_X86_64;
        assert_eq!(
            run(&p, 157, a, [16, 0, 0, 0, 0, 0]),
            libc::SECCOMP_RET_TRACE
        );
        assert_eq!(
            run(&p, 157, a, [15, 0, 0, 0, 0, 0]),
            libc::SECCOMP_RET_ALLOW
        );
        assert_eq!(run(&p, 0, a, [16, 0, 0, 0, 0, 0]), libc::SECCOMP_RET_ALLOW);
    }

    #[test]
    fn classifies_calls() {
        let p = build_filter(&[
            (0, Rule::Allow),
            (39, Rule::Allow),
            (
                302,
                Rule::TraceIfArgIn {
                    arg: 1,
                    mask: !0,
                    values: &[2, 7],
                    only: None,
                },
            ),
            (
                41,
                Rule::TraceIfArgIn {
                    arg: 1,
                    mask: 0xf,
                    values: &[3],
                    only: Some((0, &[1, 2, 10])),
                },
            ),
            (12, Rule::AllowIfArgZero { arg: 0 }),
        ]);
        let a = AUDIT_ARCH_X86_64;
        let allow = libc::SECCOMP_RET_ALLOW;
        let trace = libc::SECCOMP_RET_TRACE;
        assert_eq!(run(&p, 0, a, [0; 6]), allow);
        assert_eq!(run(&p, 0, a, [1023, 1 << 40, 0, 0, 0, 0]), allow);
        assert_eq!(run(&p, 2, a, [0; 6]), trace);
        assert_eq!(run(&p, 39, a, [7; 6]), allow);
        assert_eq!(run(&p, 302, a, [0, 2, 0, 0, 0, 0]), trace);
        assert_eq!(run(&p, 302, a, [0, 3, 0, 0, 0, 0]), allow);
        assert_eq!(run(&p, 302, a, [0, 7, 0, 0, 0, 0]), trace);
        assert_eq!(run(&p, 41, a, [2, 0x80003, 0, 0, 0, 0]), trace);
        assert_eq!(run(&p, 41, a, [2, 0x80001, 0, 0, 0, 0]), allow);
        assert_eq!(run(&p, 41, a, [10, 1, 0, 0, 0, 0]), allow);
        // A family outside the list traps whatever the type.
        assert_eq!(run(&p, 41, a, [40, 1, 0, 0, 0, 0]), trace);
        assert_eq!(run(&p, 41, a, [(1 << 32) | 40, 1, 0, 0, 0, 0]), trace);
        assert_eq!(run(&p, 12, a, [0; 6]), allow);
        assert_eq!(run(&p, 12, a, [0x1000, 0, 0, 0, 0, 0]), trace);
        assert_eq!(run(&p, 12, a, [1 << 32, 0, 0, 0, 0, 0]), trace);
        // The descriptor-install number goes to ruml's listener, whatever
        // its arguments.
        assert_eq!(
            run(&p, INSTALL_FD_NR, a, [0; 6]),
            libc::SECCOMP_RET_USER_NOTIF
        );
        assert_eq!(
            run(&p, INSTALL_FD_NR, a, [9; 6]),
            libc::SECCOMP_RET_USER_NOTIF
        );
        assert_eq!(
            run(&p, 0, 0x4000_0003, [0; 6]) & 0xffff_0000,
            libc::SECCOMP_RET_ERRNO
        );
        assert_eq!(
            run(&p, X32_SYSCALL_BIT, a, [0; 6]) & 0xffff_0000,
            libc::SECCOMP_RET_ERRNO
        );
        assert_eq!(
            run(&p, X32_SYSCALL_BIT | INSTALL_FD_NR, a, [0; 6]) & 0xffff_0000,
            libc::SECCOMP_RET_ERRNO
        );
    }
}
