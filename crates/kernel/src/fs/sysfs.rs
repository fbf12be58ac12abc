//! A minimal sysfs: the standard top-level directories, empty for now.

use crate::fs::tmpfs;
use crate::vfs::Inode;
use std::sync::Arc;

/// A new sysfs root.
pub fn new() -> Arc<dyn Inode> {
    let root = tmpfs::new(0o555);
    for d in [
        "block", "bus", "class", "dev", "devices", "firmware", "fs", "kernel", "module", "power",
    ] {
        let _ = root.add_dir(d.as_bytes(), 0o755);
    }
    root
}
