//! The companion tools against the real ones (Debian's uml-utilities):
//! `ruml mkcow` / `uml_mkcow` and `ruml moo` / `uml_moo` must make the same
//! files, print the same messages and exit with the same statuses; the
//! ruml binary answers to the UML names too.

mod common;

use common::ruml;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ruml-tools-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn real(tool: &str) -> Command {
    assert!(
        Path::new("/usr/bin").join(tool).exists(),
        "{tool} missing: apt-get install uml-utilities"
    );
    Command::new(tool)
}

fn ours(tool: &str) -> Command {
    let mut c = Command::new(ruml());
    c.arg(tool);
    c
}

fn run(mut c: Command, dir: &Path, args: &[&str]) -> Output {
    c.current_dir(dir).args(args).output().unwrap()
}

/// A backing image whose sector i is filled with byte i, plus a partial
/// last sector, with a fixed mtime.
fn backing(dir: &Path) -> PathBuf {
    let p = dir.join("back.img");
    let mut data = Vec::new();
    for i in 0..2051u32 {
        data.extend(std::iter::repeat_n(i as u8, 512));
    }
    data.extend([7u8; 100]);
    std::fs::write(&p, data).unwrap();
    let t = std::fs::File::options().write(true).open(&p).unwrap();
    t.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_704_164_645))
        .unwrap();
    p
}

/// Writes `data` as sector `s` of a version 3 COW file made for a 4096-byte
/// alignment, and sets its bitmap bit (what the ubd driver does).
fn cow_write(cow: &Path, s: u64, data: &[u8]) {
    let f = std::fs::File::options()
        .read(true)
        .write(true)
        .open(cow)
        .unwrap();
    let mut hdr = [0u8; 20];
    f.read_exact_at(&mut hdr, 0).unwrap();
    let size = u64::from_be_bytes(hdr[12..20].try_into().unwrap());
    let bitmap = 8192u64;
    let data_off = (bitmap + size.div_ceil(512).div_ceil(8)).div_ceil(4096) * 4096;
    let mut b = [0u8];
    f.read_exact_at(&mut b, bitmap + s / 8).unwrap();
    b[0] |= 1 << (s % 8);
    f.write_all_at(&b, bitmap + s / 8).unwrap();
    let mut sector = data.to_vec();
    sector.resize(512, 0);
    f.write_all_at(&sector, data_off + s * 512).unwrap();
}

#[test]
fn mkcow_makes_the_same_sparse_file_as_uml_mkcow() {
    let d = scratch("mkcow");
    backing(&d);
    let a = run(real("uml_mkcow"), &d, &["a.cow", "back.img"]);
    let b = run(ours("mkcow"), &d, &["b.cow", "back.img"]);
    assert_eq!((a.status.code(), b.status.code()), (Some(0), Some(0)));
    let (fa, fb) = (
        std::fs::read(d.join("a.cow")).unwrap(),
        std::fs::read(d.join("b.cow")).unwrap(),
    );
    assert!(fa == fb, "COW files differ");
    let m = std::fs::metadata(d.join("b.cow")).unwrap();
    assert!(m.blocks() * 512 < m.size() / 10, "not sparse: {m:?}");

    // An existing file is refused without -f, reused with it.
    let a = run(real("uml_mkcow"), &d, &["a.cow", "back.img"]);
    let b = run(ours("mkcow"), &d, &["b.cow", "back.img"]);
    assert_eq!(a.status.code(), b.status.code());
    assert_eq!(a.stderr, b.stderr);
    assert_eq!(
        run(ours("mkcow"), &d, &["-f", "b.cow", "back.img"])
            .status
            .code(),
        Some(0)
    );
    // Usage.
    let a = run(real("uml_mkcow"), &d, &["only-one"]);
    let b = run(ours("mkcow"), &d, &["only-one"]);
    assert_eq!((a.status.code(), a.stderr), (b.status.code(), b.stderr));
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn moo_merges_like_uml_moo() {
    let d = scratch("moo");
    backing(&d);
    assert!(run(ours("mkcow"), &d, &["x.cow", "back.img"])
        .status
        .success());
    for (s, data) in [
        (3u64, &b"SECTOR-THREE"[..]),
        (20, b""),
        (100, b"\0"),
        (2050, b"TAIL"),
    ] {
        cow_write(&d.join("x.cow"), s, data);
    }
    let a = run(real("uml_moo"), &d, &["x.cow", "m-uml.img"]);
    let b = run(ours("moo"), &d, &["x.cow", "m-ruml.img"]);
    assert_eq!((a.status.code(), b.status.code()), (Some(0), Some(0)));
    let merged = std::fs::read(d.join("m-ruml.img")).unwrap();
    assert!(merged == std::fs::read(d.join("m-uml.img")).unwrap());
    assert_eq!(&merged[3 * 512..3 * 512 + 12], b"SECTOR-THREE");
    assert_eq!(merged[4 * 512], 4);
    assert!(merged[20 * 512..21 * 512].iter().all(|&c| c == 0));

    // In place (-d) into copies of the backing file (with its mtime), -b
    // naming the copy.
    for n in ["d1.img", "d2.img"] {
        let o = Command::new("cp")
            .args(["--preserve=timestamps", "back.img", n])
            .current_dir(&d)
            .status()
            .unwrap();
        assert!(o.success());
    }
    let p1 = d.join("d1.img").display().to_string();
    let p2 = d.join("d2.img").display().to_string();
    let a = run(real("uml_moo"), &d, &["-d", "-b", &p1, "x.cow"]);
    let b = run(ours("moo"), &d, &["-d", "-b", &p2, "x.cow"]);
    assert_eq!((a.status.code(), b.status.code()), (Some(0), Some(0)));
    assert!(std::fs::read(&p1).unwrap() == std::fs::read(&p2).unwrap());

    // A backing file that changed: same message, same status.
    std::fs::OpenOptions::new()
        .write(true)
        .open(d.join("back.img"))
        .unwrap()
        .set_modified(std::time::SystemTime::now())
        .unwrap();
    let a = run(real("uml_moo"), &d, &["x.cow", "y.img"]);
    let b = run(ours("moo"), &d, &["x.cow", "z.img"]);
    assert_eq!(a.status.code(), Some(1));
    assert_eq!((a.status.code(), &a.stderr), (b.status.code(), &b.stderr));
    // Usage and a missing COW file.
    for args in [&[][..], &["missing.cow", "out.img"][..]] {
        let a = run(real("uml_moo"), &d, args);
        let b = run(ours("moo"), &d, args);
        assert_eq!(
            (a.status.code(), &a.stderr),
            (b.status.code(), &b.stderr),
            "{args:?}"
        );
    }
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn ruml_answers_to_the_uml_tool_names() {
    let d = scratch("names");
    backing(&d);
    for name in ["uml_mkcow", "uml_moo"] {
        std::os::unix::fs::symlink(ruml(), d.join(name)).unwrap();
    }
    let o = run(
        Command::new(d.join("uml_mkcow")),
        &d,
        &["n.cow", "back.img"],
    );
    assert!(o.status.success(), "{o:?}");
    let o = run(Command::new(d.join("uml_moo")), &d, &["n.cow", "n.img"]);
    assert!(o.status.success(), "{o:?}");
    assert!(
        std::fs::read(d.join("n.img")).unwrap()[..2051 * 512]
            == std::fs::read(d.join("back.img")).unwrap()[..2051 * 512]
    );
    std::fs::remove_dir_all(d).unwrap();
}
