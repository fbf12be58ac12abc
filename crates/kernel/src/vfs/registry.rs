//! Which VFS object stands behind a host descriptor a guest holds.
//!
//! Guest descriptors are real host descriptors; when a trapped call names
//! one (fstat, getdents64, fchdir, openat relative to it), the kernel asks
//! the host for the object's (dev, ino) and looks it up here. Entries are
//! weak for files; locations are kept so *at calls can resolve relative to
//! directories. Descriptors that stand for virtual objects (see
//! `fs::private`) are also known by the host's name for them, so an entry
//! is never taken for a later host object that reuses the inode number.

use crate::vfs::{Inode, Loc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// What a host object is to the VFS.
#[derive(Clone)]
pub enum Object {
    Inode(Weak<dyn Inode>),
    /// An open directory, or an object a stand-in descriptor holds: its
    /// location.
    At(Loc),
}

#[derive(Clone)]
struct Entry {
    obj: Object,
    /// For stand-ins: the host's name for the descriptor.
    tag: Option<Vec<u8>>,
}

type Map = HashMap<(u64, u64), Entry>;

fn map() -> &'static Mutex<Map> {
    static M: OnceLock<Mutex<Map>> = OnceLock::new();
    M.get_or_init(Mutex::default)
}

const MAX_DIRS: usize = 16384;

fn insert(id: (u64, u64), e: Entry) {
    let mut m = map().lock().expect("registry");
    if m.len() > MAX_DIRS && matches!(e.obj, Object::At(_)) {
        // Forget locations first; hostfs ones can be recomputed from the
        // host's name for the directory.
        m.retain(|_, e| matches!(&e.obj, Object::Inode(w) if w.strong_count() > 0));
    }
    m.insert(id, e);
}

pub fn register_inode(id: (u64, u64), inode: &Arc<dyn Inode>) {
    insert(
        id,
        Entry {
            obj: Object::Inode(Arc::downgrade(inode)),
            tag: None,
        },
    );
}

/// Like [`register_inode`], for a host object the kernel made (a memfd),
/// known only while the host's name for it is `tag`.
pub fn register_tagged_inode(id: (u64, u64), tag: Vec<u8>, inode: &Arc<dyn Inode>) {
    insert(
        id,
        Entry {
            obj: Object::Inode(Arc::downgrade(inode)),
            tag: Some(tag),
        },
    );
}

pub fn register_dir(id: (u64, u64), loc: Loc) {
    insert(
        id,
        Entry {
            obj: Object::At(loc),
            tag: None,
        },
    );
}

/// Registers a stand-in descriptor (see `fs::private`) for `loc`; `tag` is
/// the host's name for it.
pub fn register_standin(id: (u64, u64), tag: Vec<u8>, loc: Loc) {
    insert(
        id,
        Entry {
            obj: Object::At(loc),
            tag: Some(tag),
        },
    );
}

/// The object behind a host object, given its identity and the host's name
/// for it (as /proc/PID/fd shows it).
pub fn lookup(id: (u64, u64), host_path: &[u8]) -> Option<Object> {
    let m = map().lock().expect("registry");
    let e = m.get(&id)?;
    match &e.tag {
        Some(t) if t.as_slice() != host_path => None,
        _ => Some(e.obj.clone()),
    }
}

/// Like [`lookup`], only for stand-ins (virtual objects).
pub fn lookup_standin(id: (u64, u64), host_path: &[u8]) -> Option<Object> {
    let m = map().lock().expect("registry");
    let e = m.get(&id)?;
    match &e.tag {
        Some(t) if t.as_slice() == host_path => Some(e.obj.clone()),
        _ => None,
    }
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
