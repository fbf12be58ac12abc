//! ubd block devices against the real UML (Debian's user-mode-linux and
//! uml-utilities) and e2fsprogs: COW files and ext4 images written by one
//! system must be read, merged and checked by the other.
//!
//! Every VM boots through `tests/uml/run-uml.sh`, which runs a shell script
//! as the guest's init on a busybox hostfs root, unmounts the ubd
//! filesystems, syncs and powers off cleanly, so what the guest wrote is in
//! the image or COW file when it returns. The same driver boots ruml
//! (`--kernel target/.../ruml`): ruml takes UML's command line.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

/// The system running a guest.
#[derive(Clone, Copy, Debug)]
enum Vm {
    /// The real UML, /usr/bin/linux.uml.
    Uml,
    /// This ruml.
    Ruml,
}

impl Vm {
    fn kernel(self) -> PathBuf {
        match self {
            Vm::Uml => {
                let p = PathBuf::from("/usr/bin/linux.uml");
                assert!(
                    p.exists(),
                    "linux.uml missing: apt-get install user-mode-linux"
                );
                p
            }
            Vm::Ruml => common::ruml(),
        }
    }
}

fn tool(name: &str) -> Command {
    let found = ["/usr/bin", "/usr/sbin", "/sbin", "/bin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("{name} missing: apt-get install uml-utilities e2fsprogs"));
    Command::new(found)
}

fn run_ok(mut c: Command) -> String {
    let o = c.output().unwrap_or_else(|e| panic!("{c:?}: {e}"));
    assert!(
        o.status.success(),
        "{c:?} failed ({}):\n{}{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ruml-ubd-interop-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A sparse 64 MiB ext4 image made by `mkfs.ext4 -d` from a small tree
/// (/hello.txt, /gone.txt, /sub/keep.txt), with a fixed mtime (a COW file
/// records its backing file's mtime, which must not change afterwards).
fn image(dir: &Path) -> PathBuf {
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("sub")).unwrap();
    std::fs::write(src.join("hello.txt"), "hello from the image\n").unwrap();
    std::fs::write(src.join("gone.txt"), "to be deleted\n").unwrap();
    std::fs::write(src.join("sub/keep.txt"), "kept\n").unwrap();
    let img = dir.join("disk.ext4");
    let f = std::fs::File::create(&img).unwrap();
    f.set_len(64 << 20).unwrap();
    drop(f);
    let mut mkfs = tool("mkfs.ext4");
    mkfs.args(["-q", "-F", "-d"]).arg(&src).arg(&img);
    run_ok(mkfs);
    let f = std::fs::File::options().write(true).open(&img).unwrap();
    f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645))
        .unwrap();
    img
}

/// Boots `vm` on a fresh busybox root in `dir` with the extra kernel
/// arguments `args` (e.g. `ubdb=COW,IMAGE`), runs `script` as root inside,
/// and returns what it printed. The guest is powered off cleanly.
///
/// For ruml this runs (the control directory's name varies):
/// `ruml mem=64M root=/dev/root rootfstype=hostfs rootflags=DIR rw
/// init=/.run-uml.XXXXXX/init umid=... uml_dir=... con0=fd:0,fd:1 con=null
/// noreboot quiet ubdb=COW,IMAGE`; inside, the init mounts /proc and /sys,
/// makes /dev/ubdX nodes if /dev has none (from /proc/partitions), runs the
/// script, unmounts /dev/ubd* mounts, syncs and runs `poweroff -f`.
fn guest(vm: Vm, dir: &Path, script: &str, args: &[String]) -> String {
    let root = common::busybox_root(
        &format!("{}-{vm:?}", dir.file_name().unwrap().to_string_lossy()),
        "#!/bin/sh\npoweroff -f\n",
    );
    std::fs::create_dir_all(root.join("mnt")).unwrap();
    let script_file = dir.join(format!("script-{vm:?}.sh"));
    std::fs::write(&script_file, script).unwrap();
    let out = dir.join(format!("out-{vm:?}.txt"));
    let mut cmd = Command::new(common::repo().join("tests/uml/run-uml.sh"));
    cmd.arg("--kernel")
        .arg(vm.kernel())
        .arg("--root")
        .arg(&root)
        .arg("--out")
        .arg(&out)
        .args(["--timeout", "100"])
        .arg(&script_file)
        .args(args);
    let start = Instant::now();
    let o = common::output_within(cmd, Duration::from_secs(120));
    let took = start.elapsed();
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&root);
    assert!(
        o.status.success(),
        "{vm:?} guest failed ({}):\n{text}\n{}",
        o.status,
        common::stderr(&o)
    );
    eprintln!("{vm:?}: boot, script and poweroff took {took:.2?}");
    text
}

fn ubd(name: &str, files: &[&Path]) -> String {
    let f: Vec<_> = files.iter().map(|p| p.display().to_string()).collect();
    format!("{name}={}", f.join(","))
}

fn sha(path: &Path) -> String {
    let mut c = Command::new("sha256sum");
    c.arg(path);
    run_ok(c).split_whitespace().next().unwrap().to_string()
}

fn mtime(path: &Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

/// What the guest writer does on the mounted ubdb: reads a file of the
/// backing image, adds a directory with a text file and a 100 KiB file,
/// deletes a file, appends to another, syncs and unmounts.
const WRITER: &str = "set -e
mount /dev/ubdb /mnt
cat /mnt/hello.txt
mkdir /mnt/dir
echo 'written by the guest' > /mnt/dir/new.txt
seq 1 20000 > /mnt/dir/seq.txt
rm /mnt/gone.txt
echo appended >> /mnt/sub/keep.txt
sync
umount /mnt
echo writer done
";

/// What `seq 1 20000` prints.
fn seq() -> String {
    (1..=20000).map(|i| format!("{i}\n")).collect()
}

/// Checks an ext4 image against what WRITER leaves: `e2fsck -fn` clean and
/// the files as written (read by debugfs).
fn check_written(img: &Path) {
    let mut fsck = tool("e2fsck");
    fsck.arg("-fn").arg(img);
    run_ok(fsck);
    let cat = |path: &str| {
        let mut c = tool("debugfs");
        c.args(["-R", &format!("cat {path}")]).arg(img);
        run_ok(c)
    };
    assert_eq!(cat("/dir/new.txt"), "written by the guest\n");
    assert_eq!(cat("/dir/seq.txt"), seq());
    assert_eq!(cat("/sub/keep.txt"), "kept\nappended\n");
    assert_eq!(cat("/hello.txt"), "hello from the image\n");
    let mut ls = tool("debugfs");
    ls.args(["-R", "ls -l /"]).arg(img);
    assert!(!run_ok(ls).contains("gone.txt"), "gone.txt was not deleted");
}

/// `uml_mkcow` makes a COW over a fresh image; `writer` writes into the
/// mounted ubdb through it and powers off; `uml_moo` (and `ruml moo`) merge
/// it into a new image, which `e2fsck -fn` finds clean and which holds the
/// guest's files. The backing image is never written.
fn mkcow_write_moo(writer: Vm) {
    let d = scratch(&format!("mkcow-{writer:?}"));
    let img = image(&d);
    let (img_sha, img_mtime) = (sha(&img), mtime(&img));
    let cow = d.join("disk.cow");
    let mut mk = tool("uml_mkcow");
    mk.arg(&cow).arg(&img);
    run_ok(mk);

    let out = guest(writer, &d, WRITER, &[ubd("ubdb", &[&cow, &img])]);
    assert!(out.contains("hello from the image"), "{out}");
    assert!(out.contains("writer done"), "{out}");
    assert_eq!(sha(&img), img_sha, "the backing image was written");
    assert_eq!(mtime(&img), img_mtime, "the backing image's mtime changed");

    let merged = d.join("merged.ext4");
    let mut moo = tool("uml_moo");
    moo.arg(&cow).arg(&merged);
    run_ok(moo);
    check_written(&merged);

    // ruml's moo makes the same file.
    let ours = d.join("merged-ruml.ext4");
    let mut rmoo = Command::new(common::ruml());
    rmoo.arg("moo").arg(&cow).arg(&ours);
    run_ok(rmoo);
    assert_eq!(sha(&ours), sha(&merged), "ruml moo and uml_moo differ");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn uml_writes_through_a_uml_mkcow_cow_that_uml_moo_merges_clean() {
    mkcow_write_moo(Vm::Uml);
}

#[test]
fn ruml_writes_through_a_uml_mkcow_cow_that_uml_moo_merges_clean() {
    mkcow_write_moo(Vm::Ruml);
}

/// `writer` boots with `ubdb=COW,IMAGE` where COW does not exist yet (the
/// kernel creates it), writes; then `reader` boots with the same
/// `ubdb=COW,IMAGE` and must see the writes (and the image's untouched
/// files). The COW also merges clean with `uml_moo`.
fn cow_from_one_vm_booted_by_another(writer: Vm, reader: Vm) {
    let d = scratch(&format!("cow-{writer:?}-{reader:?}"));
    let img = image(&d);
    let (img_sha, img_mtime) = (sha(&img), mtime(&img));
    let cow = d.join("vm.cow");
    let arg = ubd("ubdb", &[&cow, &img]);

    let out = guest(writer, &d, WRITER, std::slice::from_ref(&arg));
    assert!(out.contains("writer done"), "{out}");
    assert!(cow.exists(), "{writer:?} did not create the COW file");
    assert_eq!(sha(&img), img_sha, "the backing image was written");
    assert_eq!(mtime(&img), img_mtime, "the backing image's mtime changed");

    let out = guest(
        reader,
        &d,
        "mount -o ro /dev/ubdb /mnt || exit 1
cat /mnt/dir/new.txt /mnt/sub/keep.txt /mnt/hello.txt
md5sum < /mnt/dir/seq.txt
ls /mnt
umount /mnt
",
        &[arg],
    );
    let seq_md5 = {
        let p = d.join("seq.txt");
        std::fs::write(&p, seq()).unwrap();
        let mut c = Command::new("md5sum");
        c.arg(&p);
        run_ok(c).split_whitespace().next().unwrap().to_string()
    };
    assert!(
        out.starts_with("written by the guest\nkept\nappended\nhello from the image\n"),
        "{out}"
    );
    assert!(out.contains(&seq_md5), "{out}");
    assert!(!out.contains("gone.txt"), "{out}");

    let merged = d.join("merged.ext4");
    let mut moo = tool("uml_moo");
    moo.arg(&cow).arg(&merged);
    run_ok(moo);
    check_written(&merged);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn uml_boots_a_cow_written_by_uml() {
    cow_from_one_vm_booted_by_another(Vm::Uml, Vm::Uml);
}

#[test]
fn uml_boots_a_cow_written_by_ruml() {
    cow_from_one_vm_booted_by_another(Vm::Ruml, Vm::Uml);
}

#[test]
fn ruml_boots_a_cow_written_by_uml() {
    cow_from_one_vm_booted_by_another(Vm::Uml, Vm::Ruml);
}

/// A plain image (no COW) written by `writer` is clean and holds the files.
fn plain_image(writer: Vm) {
    let d = scratch(&format!("plain-{writer:?}"));
    let img = image(&d);
    let out = guest(writer, &d, WRITER, &[ubd("ubdb", &[&img])]);
    assert!(out.contains("writer done"), "{out}");
    check_written(&img);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn uml_writes_a_plain_image() {
    plain_image(Vm::Uml);
}

#[test]
fn ruml_writes_a_plain_image() {
    plain_image(Vm::Ruml);
}
