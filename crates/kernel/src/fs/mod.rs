//! Filesystem implementations behind the VFS's [`Inode`](crate::vfs::Inode)
//! trait.

pub mod devices;
pub mod devpts;
pub mod ext4;
pub mod hostfs;
pub mod private;
pub mod procfs;
pub mod sysfs;
pub mod tmpfs;

use crate::errno::SysResult;
use crate::vfs::Inode;
use std::sync::Arc;

/// A devtmpfs: a tmpfs holding the standard device nodes and links.
pub fn devices_dir() -> SysResult<Arc<dyn Inode>> {
    let d = tmpfs::new(0o755);
    for (name, mode, major, minor) in devices::NODES {
        d.add_node(
            name.as_bytes(),
            libc::S_IFCHR | mode,
            devices::mkdev(*major, *minor),
        )?;
    }
    for disk in crate::block::all() {
        d.add_node(disk.name.as_bytes(), libc::S_IFBLK | 0o660, disk.rdev)?;
    }
    d.add_symlink(b"fd", b"/proc/self/fd")?;
    d.add_symlink(b"stdin", b"/proc/self/fd/0")?;
    d.add_symlink(b"stdout", b"/proc/self/fd/1")?;
    d.add_symlink(b"stderr", b"/proc/self/fd/2")?;
    d.add_dir(b"pts", 0o755)?;
    d.add_dir(b"shm", 0o1777)?;
    Ok(d)
}
