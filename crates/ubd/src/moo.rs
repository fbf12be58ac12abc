//! Merging a COW file into an image, as uml_moo does: the backing file's
//! sectors with the COW file's where its bitmap says so, either into a new
//! file (sparse: zero sectors are skipped, but the last one is always
//! written) or into the backing file itself ("destructive").

use crate::cow::{CowError, Header};
use crate::disk::read_full;
use std::fs::File;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// What to merge where.
pub struct Merge<'a> {
    pub cow: &'a Path,
    /// Overrides the backing path the header records (`-b`).
    pub backing: Option<&'a Path>,
    /// The new image; None merges into the backing file itself (`-d`).
    pub output: Option<&'a Path>,
}

/// Runs the merge; returns the header it used.
pub fn merge(m: &Merge<'_>) -> Result<Header, CowError> {
    let cow = File::open(m.cow)?;
    let h = Header::read(&cow)?.ok_or(CowError::NotCow)?;
    let backing: PathBuf = m
        .backing
        .map_or_else(|| h.backing.clone(), Path::to_path_buf);
    h.check_backing(&backing)?;
    let mut bitmap = vec![0u8; h.bitmap_len() as usize];
    read_full(&cow, &mut bitmap, h.bitmap_offset())?;
    let src = File::open(&backing)?;
    let out = match m.output {
        Some(p) => std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(p)?,
        None => std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&backing)?,
    };
    let destructive = m.output.is_none();
    let ss = h.sectorsize as u64;
    let sectors = h.size / ss;
    let mut buf = vec![0u8; ss as usize];
    let mut old = vec![0u8; ss as usize];
    for i in 0..sectors {
        let in_cow = bitmap
            .get((i / 8) as usize)
            .is_some_and(|b| b & (1 << (i % 8)) != 0);
        if destructive && !in_cow {
            continue;
        }
        if in_cow {
            read_full(&cow, &mut buf, h.data_offset() + i * ss)?;
        } else {
            read_full(&src, &mut buf, i * ss)?;
        }
        let zero = buf.iter().all(|&c| c == 0);
        let last = i + 1 == sectors;
        if zero && !last {
            if !destructive {
                continue;
            }
            read_full(&src, &mut old, i * ss)?;
            if old.iter().all(|&c| c == 0) {
                continue;
            }
        }
        out.write_all_at(&buf, i * ss)?;
    }
    if !destructive {
        out.set_len(sectors * ss)?;
    }
    out.sync_all()?;
    Ok(h)
}
