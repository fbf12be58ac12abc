//! Block devices the guest sees: the ubd disks of the command line, by
//! device number (major 98, 16 minors per disk, as UML numbers them).
//! Filesystems (ext4) and raw opens of /dev/ubdX reach them here.

use crate::errno::{Errno, SysResult};
use crate::fs::devices::mkdev;
use std::collections::BTreeMap;
use std::io;
use std::os::fd::BorrowedFd;
use std::sync::{Arc, Mutex};

/// UML's ubd major number.
pub const UBD_MAJOR: u64 = 98;

/// What the kernel needs of a disk.
pub trait BlockDevice: Send {
    /// Size in bytes (a multiple of 512).
    fn size(&self) -> u64;
    fn writable(&self) -> bool;
    fn read_at(&self, buf: &mut [u8], off: u64) -> io::Result<()>;
    fn write_at(&mut self, buf: &[u8], off: u64) -> io::Result<()>;
    /// Makes what was written durable on the host.
    fn flush(&self) -> io::Result<()>;
    /// Copies `len` bytes at `off` into the host file `out` at `out_off`.
    fn copy_to(&self, out: BorrowedFd<'_>, off: u64, len: u64, out_off: u64) -> io::Result<()>;
    /// The host file holding the whole device, when one does (a plain
    /// image, not a COW pair): raw opens of the device get that file.
    fn whole_file(&self) -> Option<&std::path::Path>;
}

impl BlockDevice for ruml_ubd::disk::Disk {
    fn size(&self) -> u64 {
        ruml_ubd::disk::Disk::size(self)
    }
    fn writable(&self) -> bool {
        ruml_ubd::disk::Disk::writable(self)
    }
    fn read_at(&self, buf: &mut [u8], off: u64) -> io::Result<()> {
        ruml_ubd::disk::Disk::read_at(self, buf, off)
    }
    fn write_at(&mut self, buf: &[u8], off: u64) -> io::Result<()> {
        ruml_ubd::disk::Disk::write_at(self, buf, off)
    }
    fn flush(&self) -> io::Result<()> {
        ruml_ubd::disk::Disk::flush(self)
    }
    fn copy_to(&self, out: BorrowedFd<'_>, off: u64, len: u64, out_off: u64) -> io::Result<()> {
        ruml_ubd::disk::Disk::copy_to(self, out, off, len, out_off)
    }
    fn whole_file(&self) -> Option<&std::path::Path> {
        self.backing().is_none().then(|| self.path())
    }
}

/// A registered disk.
pub struct Disk {
    pub name: String,
    /// The serial number given on the command line (`ubdN=file,,serial`).
    pub serial: Option<String>,
    pub rdev: u64,
    pub dev: Mutex<Box<dyn BlockDevice>>,
    /// Mounted now (a disk is mounted once at a time).
    pub mounted: Mutex<bool>,
}

impl Disk {
    pub fn size(&self) -> u64 {
        self.dev.lock().expect("disk").size()
    }
}

static DISKS: Mutex<BTreeMap<u64, Arc<Disk>>> = Mutex::new(BTreeMap::new());

/// The device number of ubd unit `unit` (ubda is 0).
pub fn ubd_rdev(unit: usize) -> u64 {
    mkdev(UBD_MAJOR, unit as u64 * 16)
}

/// Makes `dev` the guest's ubd unit `unit`.
pub fn register(unit: usize, name: &str, serial: Option<String>, dev: Box<dyn BlockDevice>) {
    let rdev = ubd_rdev(unit);
    DISKS.lock().expect("disks").insert(
        rdev,
        Arc::new(Disk {
            name: name.into(),
            serial,
            rdev,
            dev: Mutex::new(dev),
            mounted: Mutex::new(false),
        }),
    );
}

/// Forgets every disk (at shutdown, which closes and unlocks their files).
pub fn clear() {
    DISKS.lock().expect("disks").clear();
}

/// The disk with device number `rdev`.
pub fn get(rdev: u64) -> SysResult<Arc<Disk>> {
    DISKS
        .lock()
        .expect("disks")
        .get(&rdev)
        .cloned()
        .ok_or(Errno::ENXIO)
}

/// Every disk, in device-number order.
pub fn all() -> Vec<Arc<Disk>> {
    DISKS.lock().expect("disks").values().cloned().collect()
}
