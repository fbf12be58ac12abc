//! Which VFS object stands behind a host descriptor a guest holds.
//!
//! Guest descriptors are real host descriptors; when a trapped call names
//! one (fstat, getdents64, fchdir, openat relative to it), the kernel asks
//! the host for the object's (dev, ino) and looks it up here. Entries are
//! weak for files; directory locations are kept so *at calls can resolve
//! relative to them.

use crate::vfs::{Inode, Loc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// What a host object is to the VFS.
#[derive(Clone)]
pub enum Object {
    Inode(Weak<dyn Inode>),
    /// An open directory: its location (and, for virtual directories, the
    /// memfd that stands for it in the guest).
    Dir(Loc),
}

type Map = HashMap<(u64, u64), Object>;

fn map() -> &'static Mutex<Map> {
    static M: OnceLock<Mutex<Map>> = OnceLock::new();
    M.get_or_init(Mutex::default)
}

const MAX_DIRS: usize = 16384;

pub fn register_inode(id: (u64, u64), inode: &Arc<dyn Inode>) {
    map()
        .lock()
        .expect("registry")
        .insert(id, Object::Inode(Arc::downgrade(inode)));
}

pub fn register_dir(id: (u64, u64), loc: Loc) {
    let mut m = map().lock().expect("registry");
    if m.len() > MAX_DIRS {
        // Forget directory locations first; hostfs ones can be recomputed
        // from the host path.
        m.retain(|_, o| matches!(o, Object::Inode(w) if w.strong_count() > 0));
    }
    m.insert(id, Object::Dir(loc));
}

pub fn lookup(id: (u64, u64)) -> Option<Object> {
    map().lock().expect("registry").get(&id).cloned()
}

type Paths = HashMap<(u64, u64), Vec<u8>>;

fn paths() -> &'static Mutex<Paths> {
    static P: OnceLock<Mutex<Paths>> = OnceLock::new();
    P.get_or_init(Mutex::default)
}

/// Remembers the guest path a host object was last opened by (for objects
/// the host cannot name: tmpfs memfds, devices), for /proc/PID/fd and maps.
pub fn set_path(id: (u64, u64), path: Vec<u8>) {
    let mut m = paths().lock().expect("registry");
    if m.len() > 4 * MAX_DIRS {
        m.clear();
    }
    m.insert(id, path);
}

/// The guest path recorded for a host object.
pub fn path_of(id: (u64, u64)) -> Option<Vec<u8>> {
    paths().lock().expect("registry").get(&id).cloned()
}
