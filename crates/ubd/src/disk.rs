//! A ubd disk: a plain image file, or a COW file over a backing file that
//! is opened read-only and never written (../shared/spec/cow.md §6).
//!
//! Opening follows UML's ubd driver: a missing COW file is created, a file
//! given alone is probed for a COW header (unless the `d` flag), the files
//! are locked on the host (unless `c`) so two VMs cannot both write one
//! image, and a COW file whose backing file's size or mtime changed is
//! refused. Reads of a COW disk come from the COW file where its bitmap
//! says so and from the backing file elsewhere; writes go to the COW file's
//! data area, then its bitmap.

use crate::cow::{self, CowError, Header, Layout};
use crate::param::UbdSpec;
use ruml_platform::host;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsFd;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Why a disk could not be opened; the message names the device and file.
#[derive(Debug, thiserror::Error)]
pub enum DiskError {
    #[error("{dev}: cannot open \"{path}\": {err}")]
    Open {
        dev: String,
        path: PathBuf,
        err: io::Error,
    },
    #[error("{dev}: \"{path}\" is locked by {holder}: it is in use by another VM (use the 'c' flag to share it)")]
    Locked {
        dev: String,
        path: PathBuf,
        holder: String,
    },
    #[error("{dev}: Failed to read COW header from COW file \"{path}\": {err}")]
    BadCow {
        dev: String,
        path: PathBuf,
        err: CowError,
    },
    #[error("{dev}: COW file \"{path}\": {err}")]
    Backing {
        dev: String,
        path: PathBuf,
        err: CowError,
    },
    #[error("{dev}: cannot create COW file \"{path}\": {err}")]
    Create {
        dev: String,
        path: PathBuf,
        err: CowError,
    },
    #[error("{dev}: \"{path}\" is empty")]
    Empty { dev: String, path: PathBuf },
}

/// The COW half of a disk.
struct Cow {
    header: Header,
    backing: File,
    backing_path: PathBuf,
    /// The bitmap, as on disk (bit n % 8 of byte n / 8 is sector n).
    bitmap: Vec<u8>,
    /// Bytes the bitmap may grow into before the data area (v1 and v2
    /// files under-count the bitmap by one byte in some sizes).
    bitmap_room: u64,
}

impl Cow {
    fn ss(&self) -> u64 {
        self.header.sectorsize as u64
    }

    /// The byte range [off, end) cut into runs of sectors that are all in
    /// the COW file or all in the backing file: (start, stop, in COW).
    fn runs(&self, off: u64, end: u64) -> Vec<(u64, u64, bool)> {
        let ss = self.ss();
        let mut out = Vec::new();
        let mut pos = off;
        while pos < end {
            let s = pos / ss;
            let in_cow = self.has(s);
            let mut next = s + 1;
            while next * ss < end && self.has(next) == in_cow {
                next += 1;
            }
            let stop = end.min(next * ss);
            out.push((pos, stop, in_cow));
            pos = stop;
        }
        out
    }

    fn has(&self, sector: u64) -> bool {
        let byte = (sector / 8) as usize;
        self.bitmap
            .get(byte)
            .is_some_and(|b| b & (1 << (sector % 8)) != 0)
    }
}

/// An open ubd disk.
pub struct Disk {
    name: String,
    path: PathBuf,
    file: File,
    cow: Option<Cow>,
    size: u64,
    writable: bool,
}

/// Reads `buf.len()` bytes at `off`, zero-filling past the end of file
/// (short reads are zero-filled, as the ubd driver does).
pub(crate) fn read_full(f: &File, buf: &mut [u8], off: u64) -> io::Result<()> {
    let mut n = 0;
    while n < buf.len() {
        match f.read_at(&mut buf[n..], off + n as u64) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf[n..].fill(0);
    Ok(())
}

fn lock(dev: &str, path: &Path, f: &File, write: bool) -> Result<(), DiskError> {
    match host::lock_file(f.as_fd(), write) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(host::LockedBy(pid))) => Err(DiskError::Locked {
            dev: dev.into(),
            path: path.into(),
            holder: match pid {
                Some(p) => format!("pid {p}"),
                None => "another process".into(),
            },
        }),
        Err(err) => Err(DiskError::Open {
            dev: dev.into(),
            path: path.into(),
            err,
        }),
    }
}

impl Disk {
    /// Opens the disk `spec` describes. `log` receives UML's notices
    /// ("Creating ... as COW file", "Switching backing file").
    pub fn open(spec: &UbdSpec, log: &mut dyn FnMut(String)) -> Result<Disk, DiskError> {
        let dev = spec.name();
        let open_err = |path: &Path, err: io::Error| DiskError::Open {
            dev: dev.clone(),
            path: path.into(),
            err,
        };
        if let Some(b) = &spec.backing {
            if !spec.file.exists() {
                log(format!(
                    "Creating \"{}\" as COW file for \"{}\"",
                    spec.file.display(),
                    b.display()
                ));
                cow::create(&spec.file, b, false).map_err(|err| DiskError::Create {
                    dev: dev.clone(),
                    path: spec.file.clone(),
                    err,
                })?;
            }
        }
        let open = |path: &Path, write: bool| {
            let mut o = OpenOptions::new();
            o.read(true).write(write);
            if spec.sync && write {
                o.custom_flags(libc::O_SYNC);
            }
            o.open(path)
        };
        // Read-write unless the r flag; a file the host will not let us
        // write is used read-only, as UML does.
        let (file, writable) = if spec.read_only {
            (
                open(&spec.file, false).map_err(|e| open_err(&spec.file, e))?,
                false,
            )
        } else {
            match open(&spec.file, true) {
                Ok(f) => (f, true),
                Err(e) if matches!(e.raw_os_error(), Some(libc::EROFS) | Some(libc::EACCES)) => {
                    log(format!(
                        "{dev}: \"{}\" is not writable on the host: opened read-only",
                        spec.file.display()
                    ));
                    (
                        open(&spec.file, false).map_err(|e| open_err(&spec.file, e))?,
                        false,
                    )
                }
                Err(e) => return Err(open_err(&spec.file, e)),
            }
        };
        if !spec.shared {
            lock(&dev, &spec.file, &file, writable)?;
        }
        let header = if spec.no_cow {
            None
        } else {
            match Header::read(&file) {
                Ok(h) => h,
                Err(err) => {
                    return Err(DiskError::BadCow {
                        dev,
                        path: spec.file.clone(),
                        err,
                    })
                }
            }
        };
        let cow = match (header, &spec.backing) {
            (None, Some(_)) => {
                return Err(DiskError::BadCow {
                    dev,
                    path: spec.file.clone(),
                    err: CowError::NotCow,
                })
            }
            (None, None) => None,
            (Some(h), given) => Some(Self::open_cow(spec, &dev, &file, h, given, writable, log)?),
        };
        let size = match &cow {
            Some(c) => c.header.size.div_ceil(512) * 512,
            None => {
                let len = file.metadata().map_err(|e| open_err(&spec.file, e))?.len();
                if len == 0 {
                    return Err(DiskError::Empty {
                        dev,
                        path: spec.file.clone(),
                    });
                }
                len.div_ceil(512) * 512
            }
        };
        Ok(Disk {
            name: dev,
            path: spec.file.clone(),
            file,
            cow,
            size,
            writable,
        })
    }

    /// The COW half: the backing file checked against the header (and the
    /// header switched to a backing file named on the command line, when
    /// that one matches and the recorded one is another file, as UML does).
    fn open_cow(
        spec: &UbdSpec,
        dev: &str,
        file: &File,
        mut header: Header,
        given: &Option<PathBuf>,
        writable: bool,
        log: &mut dyn FnMut(String),
    ) -> Result<Cow, DiskError> {
        let backing_err = |err: CowError| DiskError::Backing {
            dev: dev.into(),
            path: spec.file.clone(),
            err,
        };
        let same_file = |a: &Path, b: &Path| match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => (x.dev(), x.ino()) == (y.dev(), y.ino()),
            _ => false,
        };
        let mut backing_path = header.backing.clone();
        if let Some(g) = given {
            if *g != header.backing && !same_file(g, &header.backing) {
                log(format!(
                    "Backing file mismatch - \"{}\" requested, \"{}\" specified in COW header of \"{}\"",
                    g.display(),
                    header.backing.display(),
                    spec.file.display()
                ));
                let abs = cow::absolute_backing(g).map_err(|e| backing_err(e.into()))?;
                let fits = std::fs::metadata(&abs)
                    .is_ok_and(|m| m.size() == header.size && m.mtime() == header.mtime as i64);
                if fits && writable && header.layout == Layout::V3 {
                    log(format!("Switching backing file to '{}'", g.display()));
                    header.backing = abs.clone();
                    let bytes = header.to_v3_bytes().map_err(backing_err)?;
                    file.write_all_at(&bytes, 0)
                        .map_err(|e| backing_err(e.into()))?;
                    backing_path = abs;
                }
            } else {
                backing_path = g.clone();
            }
        }
        header.check_backing(&backing_path).map_err(backing_err)?;
        let backing = File::open(&backing_path).map_err(|err| DiskError::Open {
            dev: dev.into(),
            path: backing_path.clone(),
            err,
        })?;
        if !spec.shared {
            lock(dev, &backing_path, &backing, false)?;
        }
        let mut bitmap = vec![0u8; header.bitmap_len() as usize];
        read_full(file, &mut bitmap, header.bitmap_offset()).map_err(|e| backing_err(e.into()))?;
        let bitmap_room = header.data_offset() - header.bitmap_offset();
        Ok(Cow {
            header,
            backing,
            backing_path,
            bitmap,
            bitmap_room,
        })
    }

    /// The device's name (ubda, ...).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file given on the command line (the image, or the COW file).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The backing file of a COW disk.
    pub fn backing(&self) -> Option<&Path> {
        self.cow.as_ref().map(|c| c.backing_path.as_path())
    }

    /// The device size in bytes (a multiple of 512).
    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn writable(&self) -> bool {
        self.writable
    }

    fn check_range(&self, len: usize, off: u64) -> io::Result<()> {
        if off
            .checked_add(len as u64)
            .is_none_or(|end| end > self.size)
        {
            return Err(io::Error::from_raw_os_error(libc::EIO));
        }
        Ok(())
    }

    /// Reads `buf.len()` bytes at byte offset `off`.
    pub fn read_at(&self, buf: &mut [u8], off: u64) -> io::Result<()> {
        self.check_range(buf.len(), off)?;
        let Some(c) = &self.cow else {
            return read_full(&self.file, buf, off);
        };
        let data = c.header.data_offset();
        for (pos, stop, in_cow) in c.runs(off, off + buf.len() as u64) {
            let chunk = &mut buf[(pos - off) as usize..(stop - off) as usize];
            if in_cow {
                read_full(&self.file, chunk, data + pos)?;
            } else {
                read_full(&c.backing, chunk, pos)?;
            }
        }
        Ok(())
    }

    /// Copies `len` bytes of the device at `off` into `out` at `out_off`,
    /// in the host kernel (no copy through ruml's memory).
    pub fn copy_to(
        &self,
        out: std::os::fd::BorrowedFd<'_>,
        off: u64,
        len: u64,
        out_off: u64,
    ) -> io::Result<()> {
        self.check_range(len as usize, off)?;
        let copy = |f: &File, from: u64, n: u64, to: u64| -> io::Result<()> {
            let got = host::copy_at(out, to as i64, f.as_fd(), from as i64, n)?;
            if got < n {
                // Past the end of the file: zeros (a hole of `out`).
                let zeros = vec![0u8; (n - got) as usize];
                host::pwrite(out, &zeros, (to + got) as i64)?;
            }
            Ok(())
        };
        let Some(c) = &self.cow else {
            return copy(&self.file, off, len, out_off);
        };
        let data = c.header.data_offset();
        for (pos, stop, in_cow) in c.runs(off, off + len) {
            let to = out_off + (pos - off);
            if in_cow {
                copy(&self.file, data + pos, stop - pos, to)?;
            } else {
                copy(&c.backing, pos, stop - pos, to)?;
            }
        }
        Ok(())
    }

    /// Writes `buf` at byte offset `off`.
    pub fn write_at(&mut self, buf: &[u8], off: u64) -> io::Result<()> {
        if !self.writable {
            return Err(io::Error::from_raw_os_error(libc::EROFS));
        }
        self.check_range(buf.len(), off)?;
        if buf.is_empty() {
            return Ok(());
        }
        let Some(c) = &self.cow else {
            return self.file.write_all_at(buf, off);
        };
        let ss = c.ss();
        let end = off + buf.len() as u64;
        // Partly written sectors not yet in the COW file are completed
        // from the backing file first.
        let first = off / ss;
        let last = (end - 1) / ss;
        let mut head = Vec::new();
        let mut tail = Vec::new();
        if !off.is_multiple_of(ss) && !c.has(first) {
            head = vec![0u8; ss as usize];
            read_full(&c.backing, &mut head, first * ss)?;
        }
        if !end.is_multiple_of(ss) && !c.has(last) && (last != first || head.is_empty()) {
            tail = vec![0u8; ss as usize];
            read_full(&c.backing, &mut tail, last * ss)?;
        }
        let data = c.header.data_offset();
        if !head.is_empty() {
            let at = (off - first * ss) as usize;
            let n = (ss as usize - at).min(buf.len());
            head[at..at + n].copy_from_slice(&buf[..n]);
            self.file.write_all_at(&head, data + first * ss)?;
        }
        if !tail.is_empty() {
            let n = (end - last * ss) as usize;
            tail[..n].copy_from_slice(&buf[buf.len() - n..]);
            self.file.write_all_at(&tail, data + last * ss)?;
        }
        // The rest goes straight to the data area.
        let from = if head.is_empty() {
            off
        } else {
            (first + 1) * ss
        };
        let to = if tail.is_empty() { end } else { last * ss };
        if from < to {
            self.file.write_all_at(
                &buf[(from - off) as usize..(to - off) as usize],
                data + from,
            )?;
        }
        // Then the bitmap: the bytes whose bits changed.
        let c = self.cow.as_mut().expect("cow disk");
        let (mut lo, mut hi) = (usize::MAX, 0usize);
        for s in first..=last {
            let byte = (s / 8) as usize;
            if byte as u64 >= c.bitmap_room {
                return Err(io::Error::from_raw_os_error(libc::EIO));
            }
            if byte >= c.bitmap.len() {
                c.bitmap.resize(byte + 1, 0);
            }
            let bit = 1u8 << (s % 8);
            if c.bitmap[byte] & bit == 0 {
                c.bitmap[byte] |= bit;
                lo = lo.min(byte);
                hi = hi.max(byte);
            }
        }
        if lo <= hi {
            self.file
                .write_all_at(&c.bitmap[lo..=hi], c.header.bitmap_offset() + lo as u64)?;
        }
        Ok(())
    }

    /// Makes everything written so far durable (the image or COW file's
    /// fdatasync; the backing file is never written).
    pub fn flush(&self) -> io::Result<()> {
        if self.writable {
            self.file.sync_data()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("ruml-ubd-disk-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn spec(file: &Path, backing: Option<&Path>) -> UbdSpec {
        UbdSpec {
            file: file.into(),
            backing: backing.map(Path::to_path_buf),
            ..Default::default()
        }
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i / 512) as u8 ^ (i as u8)).collect()
    }

    #[test]
    fn cow_reads_backing_until_written_and_never_writes_it() {
        let d = tmp("cow");
        let back = d.join("back.img");
        let orig = pattern(64 * 1024 + 100);
        let whole = 64 * 1024; // what moo merges: whole sectors
        std::fs::write(&back, &orig).unwrap();
        let cowp = d.join("a.cow");
        let mut notes = Vec::new();
        let mut disk = Disk::open(&spec(&cowp, Some(&back)), &mut |m| notes.push(m)).unwrap();
        assert!(notes[0].starts_with("Creating \""), "{notes:?}");
        assert_eq!(disk.size(), (64 * 1024 + 512) as u64);
        let mut all = vec![0u8; disk.size() as usize];
        disk.read_at(&mut all, 0).unwrap();
        assert!(all[..orig.len()] == orig[..], "reads before writes differ");
        assert!(all[orig.len()..].iter().all(|&b| b == 0));
        // Unaligned writes across sector boundaries.
        let mut expect = all.clone();
        for (off, len) in [(100usize, 10usize), (1000, 2000), (4096, 512), (65000, 600)] {
            let w: Vec<u8> = (0..len).map(|i| 0xA0 ^ i as u8).collect();
            disk.write_at(&w, off as u64).unwrap();
            expect[off..off + len].copy_from_slice(&w);
        }
        disk.read_at(&mut all, 0).unwrap();
        assert!(all == expect, "reads after writes differ");
        // Copied in the kernel, at an offset and in pieces, the same.
        let out = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(d.join("copy"))
            .unwrap();
        disk.copy_to(out.as_fd(), 0, 4000, 100).unwrap();
        disk.copy_to(out.as_fd(), 4000, all.len() as u64 - 4000, 4100)
            .unwrap();
        let copied = std::fs::read(d.join("copy")).unwrap();
        assert!(copied[100..] == expect[..], "copy_to differs");
        disk.flush().unwrap();
        drop(disk);
        assert!(
            std::fs::read(&back).unwrap() == orig,
            "backing file changed"
        );
        // Reopened from the COW file alone: the header names the backing.
        let disk = Disk::open(&spec(&cowp, None), &mut |_| {}).unwrap();
        let mut again = vec![0u8; disk.size() as usize];
        disk.read_at(&mut again, 0).unwrap();
        assert!(again == expect, "reopened reads differ");
        // And merged by moo, the image is what the disk showed.
        let out = d.join("merged.img");
        crate::moo::merge(&crate::moo::Merge {
            cow: &cowp,
            backing: None,
            output: Some(&out),
        })
        .unwrap();
        let merged = std::fs::read(&out).unwrap();
        assert!(merged[..whole] == expect[..whole], "merged image differs");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn locks_refuse_a_second_writer_and_changed_backing_is_refused() {
        let d = tmp("lock");
        let img = d.join("plain.img");
        std::fs::write(&img, vec![7u8; 4096]).unwrap();
        let first = Disk::open(&spec(&img, None), &mut |_| {}).unwrap();
        let e = Disk::open(&spec(&img, None), &mut |_| {}).err().unwrap();
        assert!(matches!(e, DiskError::Locked { .. }), "{e}");
        drop(first);
        let mut w = Disk::open(&spec(&img, None), &mut |_| {}).unwrap();
        w.write_at(b"xy", 10).unwrap();
        drop(w);
        assert_eq!(&std::fs::read(&img).unwrap()[9..13], &[7, b'x', b'y', 7]);

        let back = d.join("back.img");
        std::fs::write(&back, vec![1u8; 8192]).unwrap();
        let cowp = d.join("b.cow");
        drop(Disk::open(&spec(&cowp, Some(&back)), &mut |_| {}).unwrap());
        std::fs::write(&back, vec![1u8; 8193]).unwrap();
        let e = Disk::open(&spec(&cowp, Some(&back)), &mut |_| {})
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("Size mismatch (8192 vs 8193)"), "{e}");
        std::fs::write(d.join("junk.cow"), b"not a cow file at all").unwrap();
        let e = Disk::open(&spec(&d.join("junk.cow"), Some(&back)), &mut |_| {})
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("Failed to read COW header"), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
