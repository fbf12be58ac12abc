//! UML's COW file format (see ../shared/spec/cow.md): a header naming the
//! backing file with its size and mtime, a bitmap with one bit per sector
//! (set: the sector's data is in this file), and the data area.
//!
//! Versions 1 (host byte order), 2 and 3 (big-endian), and the "broken"
//! 64-bit v3 layout are read; new files are always version 3.

use std::fs::File;
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

pub const MAGIC: u32 = 0x4F4F_4F4D;
pub const SECTOR: u32 = 512;
/// Alignment of the bitmap and data in new files: the host page size.
pub const ALIGNMENT: u32 = 4096;
const PATH_LEN_V1: usize = 256;
const PATH_LEN: usize = 4096;
const HEADER_V1: usize = 280;
const HEADER_V2: usize = 4120;
const HEADER_V3: usize = 4128;
const HEADER_V3_BROKEN: usize = 4136;

#[derive(Debug, thiserror::Error)]
pub enum CowError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("short COW header ({0} bytes)")]
    Short(usize),
    #[error("invalid COW version {0}")]
    Version(u32),
    #[error("not a COW file")]
    NotCow,
    #[error("COW header has alignment or sector size 0")]
    Geometry,
    #[error("Size mismatch ({header} vs {actual}) of COW header vs backing file \"{path}\"")]
    Size {
        header: u64,
        actual: u64,
        path: String,
    },
    #[error("mtime mismatch ({header} vs {actual}) of COW header vs backing file \"{path}\"")]
    Mtime {
        header: u64,
        actual: i64,
        path: String,
    },
    #[error("backing file path is too long (at most 4095 bytes)")]
    PathTooLong,
}

/// Which on-disk layout a header has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    V1,
    V2,
    V3,
    /// Version 3 written by old 64-bit builds without packing.
    V3Broken,
}

/// A parsed COW header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub layout: Layout,
    pub backing: PathBuf,
    /// The backing file's mtime when the COW file was made (32 bits).
    pub mtime: u32,
    /// The backing file's size in bytes.
    pub size: u64,
    pub sectorsize: u32,
    pub alignment: u32,
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn be64(b: &[u8], at: usize) -> u64 {
    u64::from_be_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

fn ne32(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn ne64(b: &[u8], at: usize) -> u64 {
    u64::from_ne_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// The path in a fixed-size field: up to the first NUL (what follows is
/// unspecified: UML leaves heap garbage there).
fn path_field(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    PathBuf::from(std::ffi::OsStr::from_bytes(&b[..end]))
}

fn round_up(v: u64, to: u64) -> u64 {
    v.div_ceil(to) * to
}

impl Header {
    /// Parses the start of a file: `Ok(None)` when it is not a COW file
    /// (a plain image), an error when it is one but cannot be used.
    pub fn parse(b: &[u8]) -> Result<Option<Header>, CowError> {
        if b.len() < 8 {
            return Ok(None);
        }
        let magic = ne32(b, 0);
        let version = if magic == MAGIC {
            ne32(b, 4)
        } else if magic == MAGIC.swap_bytes() {
            be32(b, 4)
        } else {
            return Ok(None);
        };
        let need = |n: usize| {
            if b.len() < n {
                Err(CowError::Short(b.len()))
            } else {
                Ok(())
            }
        };
        let h = match version {
            1 => {
                need(HEADER_V1)?;
                let sectorsize = ne32(b, 276);
                Header {
                    layout: Layout::V1,
                    backing: path_field(&b[8..8 + PATH_LEN_V1]),
                    mtime: ne32(b, 264),
                    size: ne64(b, 268),
                    sectorsize,
                    alignment: sectorsize,
                }
            }
            2 => {
                need(HEADER_V2)?;
                let sectorsize = be32(b, 4116);
                Header {
                    layout: Layout::V2,
                    backing: path_field(&b[8..8 + PATH_LEN]),
                    mtime: be32(b, 4104),
                    size: be64(b, 4108),
                    sectorsize,
                    alignment: sectorsize,
                }
            }
            3 if need(36).is_ok() && ne32(b, 32) == 0 => {
                need(HEADER_V3_BROKEN)?;
                Header {
                    layout: Layout::V3Broken,
                    backing: path_field(&b[36..36 + PATH_LEN]),
                    mtime: be32(b, 8),
                    size: be64(b, 16),
                    sectorsize: be32(b, 24),
                    alignment: be32(b, 28),
                }
            }
            3 => {
                need(HEADER_V3)?;
                Header {
                    layout: Layout::V3,
                    backing: path_field(&b[32..32 + PATH_LEN]),
                    mtime: be32(b, 8),
                    size: be64(b, 12),
                    sectorsize: be32(b, 20),
                    alignment: be32(b, 24),
                }
            }
            v => return Err(CowError::Version(v)),
        };
        if h.sectorsize == 0 || h.alignment == 0 {
            return Err(CowError::Geometry);
        }
        Ok(Some(h))
    }

    /// Reads the header of the file at `f`.
    pub fn read(f: &File) -> Result<Option<Header>, CowError> {
        let mut b = vec![0u8; HEADER_V3_BROKEN];
        let mut n = 0;
        while n < b.len() {
            match f.read_at(&mut b[n..], n as u64)? {
                0 => break,
                k => n += k,
            }
        }
        b.truncate(n);
        Header::parse(&b)
    }

    /// A version 3 header for `backing` (absolute) of `size` bytes.
    pub fn new_v3(backing: PathBuf, mtime: u32, size: u64) -> Header {
        Header {
            layout: Layout::V3,
            backing,
            mtime,
            size,
            sectorsize: SECTOR,
            alignment: ALIGNMENT,
        }
    }

    /// The 4128 bytes of a version 3 header (the path zero-filled).
    pub fn to_v3_bytes(&self) -> Result<Vec<u8>, CowError> {
        use std::os::unix::ffi::OsStrExt;
        let path = self.backing.as_os_str().as_bytes();
        if path.len() >= PATH_LEN {
            return Err(CowError::PathTooLong);
        }
        let mut b = vec![0u8; HEADER_V3];
        b[0..4].copy_from_slice(&MAGIC.to_be_bytes());
        b[4..8].copy_from_slice(&3u32.to_be_bytes());
        b[8..12].copy_from_slice(&self.mtime.to_be_bytes());
        b[12..20].copy_from_slice(&self.size.to_be_bytes());
        b[20..24].copy_from_slice(&self.sectorsize.to_be_bytes());
        b[24..28].copy_from_slice(&self.alignment.to_be_bytes());
        b[32..32 + path.len()].copy_from_slice(path);
        Ok(b)
    }

    /// Sectors of the backing file (a partial last one counts).
    pub fn sectors(&self) -> u64 {
        self.size.div_ceil(self.sectorsize as u64)
    }

    pub fn bitmap_offset(&self) -> u64 {
        match self.layout {
            Layout::V1 => HEADER_V1 as u64,
            Layout::V2 => HEADER_V2 as u64,
            Layout::V3 => round_up(HEADER_V3 as u64, self.alignment as u64),
            Layout::V3Broken => round_up(HEADER_V3_BROKEN as u64, self.alignment as u64),
        }
    }

    /// Bytes of bitmap (versions 1 and 2 keep their historical rounding).
    pub fn bitmap_len(&self) -> u64 {
        match self.layout {
            Layout::V1 | Layout::V2 => {
                (self.size + self.sectorsize as u64 - 1) / (8 * self.sectorsize as u64)
            }
            _ => self.sectors().div_ceil(8),
        }
    }

    pub fn data_offset(&self) -> u64 {
        round_up(
            self.bitmap_offset() + self.bitmap_len(),
            self.alignment as u64,
        )
    }

    /// Checks that `backing` is still the file the COW file was made for:
    /// same size, same mtime (as UML compares them).
    pub fn check_backing(&self, backing: &Path) -> Result<(), CowError> {
        let m = std::fs::metadata(backing)?;
        let path = backing.display().to_string();
        if m.size() != self.size {
            return Err(CowError::Size {
                header: self.size,
                actual: m.size(),
                path,
            });
        }
        if m.mtime() != self.mtime as i64 {
            return Err(CowError::Mtime {
                header: self.mtime as u64,
                actual: m.mtime(),
                path,
            });
        }
        Ok(())
    }
}

/// `path` made absolute as UML does: the directory part resolved (symlinks
/// in it followed), the last component kept as written.
pub fn absolute_backing(path: &Path) -> io::Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.canonicalize()?,
        _ => std::env::current_dir()?,
    };
    Ok(dir.join(name))
}

/// Creates the COW file `cow` over `backing` as uml_mkcow and the ubd
/// driver do: a version 3 header, and the file's length set to the end of
/// its data area, all of it a hole. Refuses an existing file unless
/// `force`, which reuses it (rewriting header and length).
pub fn create(cow: &Path, backing: &Path, force: bool) -> Result<Header, CowError> {
    let abs = absolute_backing(backing)?;
    let m = std::fs::metadata(&abs)?;
    let h = Header::new_v3(abs, m.mtime() as u32, m.size());
    let bytes = h.to_v3_bytes()?;
    let mut o = std::fs::OpenOptions::new();
    o.read(true).write(true).mode(0o644);
    if force {
        o.create(true);
    } else {
        o.create_new(true);
    }
    let f = o.open(cow)?;
    f.write_all_at(&bytes, 0)?;
    match h.size {
        0 => f.set_len(h.data_offset())?,
        n => f.write_all_at(&[0], h.data_offset() + n - 1)?,
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    fn v1() -> Vec<u8> {
        let mut b = vec![0u8; HEADER_V1];
        b[0..4].copy_from_slice(&MAGIC.to_ne_bytes());
        b[4..8].copy_from_slice(&1u32.to_ne_bytes());
        b[8..14].copy_from_slice(b"/b.img");
        b[264..268].copy_from_slice(&77u32.to_ne_bytes());
        b[268..276].copy_from_slice(&MIB.to_ne_bytes());
        b[276..280].copy_from_slice(&512u32.to_ne_bytes());
        b
    }

    fn v2() -> Vec<u8> {
        let mut b = vec![0u8; HEADER_V2];
        b[0..4].copy_from_slice(&MAGIC.to_be_bytes());
        b[4..8].copy_from_slice(&2u32.to_be_bytes());
        b[8..14].copy_from_slice(b"/b.img");
        b[4104..4108].copy_from_slice(&77u32.to_be_bytes());
        b[4108..4116].copy_from_slice(&MIB.to_be_bytes());
        b[4116..4120].copy_from_slice(&512u32.to_be_bytes());
        b
    }

    fn v3_broken() -> Vec<u8> {
        let mut b = vec![0u8; HEADER_V3_BROKEN];
        b[0..4].copy_from_slice(&MAGIC.to_be_bytes());
        b[4..8].copy_from_slice(&3u32.to_be_bytes());
        b[8..12].copy_from_slice(&77u32.to_be_bytes());
        b[16..24].copy_from_slice(&MIB.to_be_bytes());
        b[24..28].copy_from_slice(&512u32.to_be_bytes());
        b[28..32].copy_from_slice(&4096u32.to_be_bytes());
        b[36..42].copy_from_slice(b"/b.img");
        b
    }

    /// (bitmap offset, bitmap length, data offset) as the spec's examples
    /// for a 1 MiB backing file give them.
    fn geometry(h: &Header) -> (u64, u64, u64) {
        (h.bitmap_offset(), h.bitmap_len(), h.data_offset())
    }

    #[test]
    fn legacy_layouts_parse_with_their_offsets() {
        let h = Header::parse(&v1()).unwrap().unwrap();
        assert_eq!((h.layout, h.mtime, h.size), (Layout::V1, 77, MIB));
        assert_eq!(h.backing, PathBuf::from("/b.img"));
        assert_eq!(geometry(&h), (280, 256, 1024));
        let h = Header::parse(&v2()).unwrap().unwrap();
        assert_eq!(h.layout, Layout::V2);
        assert_eq!(geometry(&h), (4120, 256, 4608));
        let h = Header::parse(&v3_broken()).unwrap().unwrap();
        assert_eq!((h.layout, h.mtime, h.size), (Layout::V3Broken, 77, MIB));
        assert_eq!(geometry(&h), (8192, 256, 12288));
    }

    #[test]
    fn v3_round_trips_and_follows_its_alignment() {
        let mut h = Header::new_v3(PathBuf::from("/x/b.img"), 0x6593_7d25, 10 * MIB);
        let b = h.to_v3_bytes().unwrap();
        assert_eq!(&b[0..8], &[0x4f, 0x4f, 0x4f, 0x4d, 0, 0, 0, 3]);
        assert_eq!(Header::parse(&b).unwrap().unwrap(), h);
        assert_eq!(geometry(&h), (8192, 2560, 12288));
        h.alignment = 512;
        h.size = MIB;
        assert_eq!(geometry(&h), (4608, 256, 5120));
    }

    #[test]
    fn plain_images_and_bad_headers() {
        assert_eq!(Header::parse(&[0u8; 4096]).unwrap(), None);
        assert_eq!(Header::parse(b"OOO").unwrap(), None);
        let mut b = v2();
        b[4..8].copy_from_slice(&9u32.to_be_bytes());
        assert!(matches!(Header::parse(&b), Err(CowError::Version(9))));
        assert!(matches!(
            Header::parse(&v2()[..100]),
            Err(CowError::Short(100))
        ));
        let mut b = v2();
        b[4116..4120].copy_from_slice(&0u32.to_be_bytes());
        assert!(matches!(Header::parse(&b), Err(CowError::Geometry)));
    }
}
