//! ruml's kernel core: the guest's view of processes, files and devices.
//!
//! It knows nothing of how guest code is trapped: it gets events from a
//! [`ruml_platform::Platform`] and answers them. `#![forbid(unsafe_code)]`:
//! all host-level unsafety lives in the platform crate.
#![forbid(unsafe_code)]

pub mod binfmt;
pub mod block;
pub mod config;
pub mod console;
pub mod errno;
pub mod exec_root;
pub mod fs;
pub mod kernel;
pub mod mm;
pub mod syscalls;
pub mod task;
pub mod vfs;

pub use config::BootConfig;
pub use errno::{Errno, SysResult};
pub use kernel::{Kernel, VmExit};
