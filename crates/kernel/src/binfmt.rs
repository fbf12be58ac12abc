//! How Linux reads the programs it executes, for the parts ruml must do
//! itself: the `#!` line of a script (fs/binfmt_script.c) and the ELF
//! interpreter an ELF program names (fs/binfmt_elf.c, up to the point where
//! it opens that interpreter and checks its headers).
//!
//! Pure functions on bytes: the caller reads the files.

use crate::errno::{Errno, SysResult};

/// How much of a file Linux looks at to pick a binary format
/// (`BINPRM_BUF_SIZE`), NUL-padded when the file is shorter.
pub const BUF_SIZE: usize = 256;

/// How many interpreters one exec may go through (fs/exec.c
/// `exec_binprm`): the sixth one is ELOOP.
pub const MAX_INTERPRETERS: usize = 5;

/// The interpreter and optional argument of a `#!` line.
#[derive(Debug, PartialEq, Eq)]
pub struct Shebang {
    pub name: Vec<u8>,
    pub arg: Option<Vec<u8>>,
}

fn spacetab(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// binfmt_script's reading of a file's first [`BUF_SIZE`] bytes: None when
/// they do not start with `#!` (not a script), ENOEXEC when the line names
/// no interpreter or the interpreter's name may be cut off by the buffer's
/// end (an argument may be cut, the interpreter rereads the script).
///
/// The line ends at the first newline before any NUL; without one it is the
/// whole buffer but its last byte, and must then have a space, tab or NUL
/// after the name. Trailing spaces and tabs are dropped; the name runs from
/// the first other byte to the next space, tab or NUL; the argument is the
/// rest of the line after the spaces and tabs that follow the name, up to a
/// NUL, internal whitespace included.
pub fn shebang(buf: &[u8; BUF_SIZE]) -> Option<SysResult<Shebang>> {
    if &buf[..2] != b"#!" {
        return None;
    }
    Some(parse_shebang(buf))
}

fn parse_shebang(buf: &[u8; BUF_SIZE]) -> SysResult<Shebang> {
    let last = BUF_SIZE - 1;
    // Both ends of each search below are inclusive, as in Linux.
    let non_spacetab = |from: usize, to: usize| (from..=to).find(|&i| !spacetab(buf[i]));
    let terminator =
        |from: usize, to: usize| (from..=to).find(|&i| spacetab(buf[i]) || buf[i] == 0);
    let newline = buf
        .iter()
        .take_while(|&&b| b != 0)
        .position(|&b| b == b'\n');
    let mut end = match newline {
        Some(i) => i,
        None => {
            let first = non_spacetab(2, last).ok_or(Errno::ENOEXEC)?;
            terminator(first, last).ok_or(Errno::ENOEXEC)?;
            last
        }
    };
    while spacetab(buf[end - 1]) {
        end -= 1;
    }
    let name = match non_spacetab(2, end) {
        Some(i) if i != end => i,
        _ => return Err(Errno::ENOEXEC),
    };
    // The line is buf[..end]; a NUL ends any string inside it early.
    let string = |from: usize, to: usize| {
        let s = &buf[from..to.max(from)];
        s[..s.iter().position(|&b| b == 0).unwrap_or(s.len())].to_vec()
    };
    let sep = terminator(name, end);
    let arg = match sep {
        Some(s) if buf[s] != 0 => non_spacetab(s, end),
        _ => None,
    };
    Ok(match (sep, arg) {
        (Some(s), Some(a)) => Shebang {
            name: string(name, s),
            arg: Some(string(a, end)),
        },
        _ => Shebang {
            name: string(name, end),
            arg: None,
        },
    })
}

const ELFMAG: &[u8; 4] = b"\x7fELF";
const ELFCLASS64: u8 = 2;
const ET_EXEC: u16 = 2;
const ET_DYN: u16 = 3;
const EM_X86_64: u16 = 62;
const PT_INTERP: u32 = 3;
const PHDR_SIZE: usize = 56;
/// `load_elf_phdrs` takes at most one page of program headers.
const MAX_PHDRS_SIZE: usize = 4096;

fn u16_at(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes([b[off], b[off + 1]])
}
fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().expect("4 bytes"))
}
fn u64_at(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().expect("8 bytes"))
}

/// Reads a file into a buffer from an offset: how many bytes it got (fewer
/// at the end of the file), None on an error.
pub type ReadAt<'a> = &'a mut dyn FnMut(u64, &mut [u8]) -> Option<usize>;

/// Whether all of `buf` could be read at `off` (Linux's `elf_read` fails on
/// a short read as on an error).
fn read_exact(read: ReadAt<'_>, off: u64, buf: &mut [u8]) -> bool {
    read(off, buf) == Some(buf.len())
}

/// The program headers `load_elf_phdrs` accepts, or None.
fn program_headers(hdr: &[u8], read: ReadAt<'_>) -> Option<Vec<u8>> {
    let phentsize = u16_at(hdr, 54) as usize;
    let size = PHDR_SIZE * u16_at(hdr, 56) as usize;
    if phentsize != PHDR_SIZE || size == 0 || size > MAX_PHDRS_SIZE {
        return None;
    }
    let mut ph = vec![0u8; size];
    read_exact(read, u64_at(hdr, 32), &mut ph).then_some(ph)
}

/// The interpreter (PT_INTERP) an x86_64 ELF program names, as binfmt_elf
/// reads it before opening it: None when the program names none, and also
/// when it is not one binfmt_elf gets that far with (no ELF magic, another
/// class, type or machine, unreadable program headers, a PT_INTERP of a
/// bad size, unreadable or not NUL-terminated): the host, loading it,
/// refuses those itself before it would look for an interpreter. `head`
/// is the file's first [`BUF_SIZE`] bytes.
pub fn elf_interpreter(head: &[u8; BUF_SIZE], read: ReadAt<'_>) -> Option<Vec<u8>> {
    if &head[..4] != ELFMAG
        || head[4] != ELFCLASS64
        || !matches!(u16_at(head, 16), ET_EXEC | ET_DYN)
        || u16_at(head, 18) != EM_X86_64
    {
        return None;
    }
    let ph = program_headers(head, read)?;
    let interp = ph
        .chunks_exact(PHDR_SIZE)
        .find(|p| u32_at(p, 0) == PT_INTERP)?;
    let (off, size) = (u64_at(interp, 8), u64_at(interp, 32));
    if !(2..=libc::PATH_MAX as u64).contains(&size) {
        return None;
    }
    let mut path = vec![0u8; size as usize];
    if !read_exact(read, off, &mut path) || path.last() != Some(&0) {
        return None;
    }
    let n = path.iter().position(|&b| b == 0).unwrap_or(path.len());
    path.truncate(n);
    Some(path)
}

/// binfmt_elf's checks of an ELF interpreter it has opened: EIO when the
/// file is shorter than an ELF header, ELIBBAD when it is not an x86_64 ELF
/// file with program headers it can load.
pub fn check_interpreter(read: ReadAt<'_>) -> SysResult<()> {
    let mut hdr = [0u8; 64];
    if !read_exact(read, 0, &mut hdr) {
        return Err(Errno::EIO);
    }
    if &hdr[..4] != ELFMAG || u16_at(&hdr, 18) != EM_X86_64 {
        return Err(Errno::ELIBBAD);
    }
    program_headers(&hdr, read).map(drop).ok_or(Errno::ELIBBAD)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buf(s: &[u8]) -> [u8; BUF_SIZE] {
        let mut b = [0u8; BUF_SIZE];
        let n = s.len().min(BUF_SIZE);
        b[..n].copy_from_slice(&s[..n]);
        b
    }

    fn sb(s: &[u8]) -> Option<SysResult<Shebang>> {
        shebang(&buf(s))
    }

    fn ok(name: &str, arg: Option<&str>) -> Option<SysResult<Shebang>> {
        Some(Ok(Shebang {
            name: name.as_bytes().to_vec(),
            arg: arg.map(|a| a.as_bytes().to_vec()),
        }))
    }

    #[test]
    fn not_scripts() {
        assert_eq!(sb(b"# !/bin/sh\n"), None);
        assert_eq!(sb(b"\x7fELF"), None);
        assert_eq!(sb(b""), None);
    }

    #[test]
    fn names_and_arguments() {
        assert_eq!(sb(b"#!/bin/sh\necho"), ok("/bin/sh", None));
        assert_eq!(
            sb(b"#! \t/bin/sh \t -e  x \t\nbody"),
            ok("/bin/sh", Some("-e  x"))
        );
        assert_eq!(sb(b"#!/bin/sh -x\r\n"), ok("/bin/sh", Some("-x\r")));
        assert_eq!(sb(b"#!/bin/sh"), ok("/bin/sh", None));
        // Without a newline the NUL padding ends the line: trailing blanks
        // there leave an empty argument.
        assert_eq!(sb(b"#!/bin/sh  "), ok("/bin/sh", Some("")));
        assert_eq!(sb(b"#!./i a\0b\n"), ok("./i", Some("a")));
        assert_eq!(sb(b"#!./i\0 a\n"), ok("./i", None));
        // A file that is just "#!": an empty name (open_exec finds the cwd).
        assert_eq!(sb(b"#!"), ok("", None));
    }

    #[test]
    fn empty_lines() {
        for s in [&b"#!\n"[..], b"#!   \t \n", b"#! \n/bin/sh\n"] {
            assert_eq!(sb(s), Some(Err(Errno::ENOEXEC)), "{s:?}");
        }
    }

    #[test]
    fn buffer_limit() {
        // A long argument is cut at the buffer's last byte.
        let mut s = b"#!/bin/sh ".to_vec();
        s.extend(vec![b'x'; 400]);
        let arg = "x".repeat(BUF_SIZE - 1 - 10);
        assert_eq!(sb(&s), ok("/bin/sh", Some(&arg)));
        // A name that reaches the end of the buffer may be cut: refused.
        let mut s = b"#!/".to_vec();
        s.extend(vec![b'a'; 400]);
        assert_eq!(sb(&s), Some(Err(Errno::ENOEXEC)));
        // Nothing but blanks: refused.
        let mut s = b"#!".to_vec();
        s.extend(vec![b' '; 400]);
        assert_eq!(sb(&s), Some(Err(Errno::ENOEXEC)));
        // A name that ends with the last byte's blank is whole.
        let mut s = b"#!/".to_vec();
        s.extend(vec![b'a'; BUF_SIZE - 4]);
        s.push(b' ');
        let name = format!("/{}", "a".repeat(BUF_SIZE - 4));
        assert_eq!(sb(&s), ok(&name, None));
    }

    /// A minimal x86_64 ELF file: a header, `phnum` program headers, and a
    /// PT_INTERP naming `interp` (with its NUL) as the first of them.
    fn elf(interp: Option<&[u8]>) -> Vec<u8> {
        let mut f = vec![0u8; 64 + 2 * PHDR_SIZE];
        f[..4].copy_from_slice(ELFMAG);
        f[4] = ELFCLASS64;
        f[16..18].copy_from_slice(&ET_DYN.to_le_bytes());
        f[18..20].copy_from_slice(&EM_X86_64.to_le_bytes());
        f[32..40].copy_from_slice(&64u64.to_le_bytes());
        f[54..56].copy_from_slice(&(PHDR_SIZE as u16).to_le_bytes());
        f[56..58].copy_from_slice(&2u16.to_le_bytes());
        // The second header is PT_LOAD (1).
        f[64 + PHDR_SIZE..64 + PHDR_SIZE + 4].copy_from_slice(&1u32.to_le_bytes());
        if let Some(i) = interp {
            let off = f.len() as u64;
            f[64..68].copy_from_slice(&PT_INTERP.to_le_bytes());
            f[72..80].copy_from_slice(&off.to_le_bytes());
            f[96..104].copy_from_slice(&(i.len() as u64).to_le_bytes());
            f.extend_from_slice(i);
        }
        f
    }

    fn interp_of(f: &[u8]) -> Option<Vec<u8>> {
        let mut read = |off: u64, b: &mut [u8]| {
            let off = (off as usize).min(f.len());
            let n = b.len().min(f.len() - off);
            b[..n].copy_from_slice(&f[off..off + n]);
            Some(n)
        };
        elf_interpreter(&buf(f), &mut read)
    }

    fn check(f: &[u8]) -> SysResult<()> {
        let mut read = |off: u64, b: &mut [u8]| {
            let off = (off as usize).min(f.len());
            let n = b.len().min(f.len() - off);
            b[..n].copy_from_slice(&f[off..off + n]);
            Some(n)
        };
        check_interpreter(&mut read)
    }

    #[test]
    fn elf_interpreters() {
        assert_eq!(interp_of(&elf(None)), None);
        let f = elf(Some(b"/lib/ld.so\0"));
        assert_eq!(interp_of(&f), Some(b"/lib/ld.so".to_vec()));
        assert_eq!(interp_of(&elf(Some(b"/a\0junk\0"))), Some(b"/a".to_vec()));
        // Refused by binfmt_elf before it looks for the interpreter.
        assert_eq!(interp_of(&elf(Some(b"/lib/ld.so"))), None);
        assert_eq!(interp_of(&elf(Some(b"\0"))), None);
        let mut g = f.clone();
        g[18] = 183; // EM_AARCH64
        assert_eq!(interp_of(&g), None);
        let mut g = f.clone();
        g[56] = 0; // no program headers
        assert_eq!(interp_of(&g), None);
        let mut g = f.clone();
        g[32] = 0xf0; // program headers past the end
        assert_eq!(interp_of(&g), None);
        let mut g = f.clone();
        g.truncate(g.len() - 3); // PT_INTERP cut short
        assert_eq!(interp_of(&g), None);
    }

    #[test]
    fn interpreter_checks() {
        assert_eq!(check(&elf(None)), Ok(()));
        assert_eq!(check(b"\x7fELF short"), Err(Errno::EIO));
        let mut g = elf(None);
        g[0] = b'#';
        assert_eq!(check(&g), Err(Errno::ELIBBAD));
        let mut g = elf(None);
        g[18] = 3; // EM_386
        assert_eq!(check(&g), Err(Errno::ELIBBAD));
        let mut g = elf(None);
        g[54] = 32; // e_phentsize
        assert_eq!(check(&g), Err(Errno::ELIBBAD));
        let mut g = elf(None);
        g.truncate(64 + 10); // program headers cut short
        assert_eq!(check(&g), Err(Errno::ELIBBAD));
    }
}
