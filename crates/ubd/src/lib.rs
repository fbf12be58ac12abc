//! Block devices as UML's ubd driver sees them: plain image files and
//! UML's copy-on-write (COW) overlay files (`cow`), and the logic of the
//! companion tools `uml_mkcow` (`cow::create`) and `uml_moo` (`moo`).
#![forbid(unsafe_code)]

pub mod cow;
pub mod disk;
pub mod image;
pub mod moo;
pub mod param;
