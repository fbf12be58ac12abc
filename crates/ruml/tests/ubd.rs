//! ubd disks with ext4 on them: a busybox guest mounts images made by
//! mkfs.ext4, reads and writes them, and the host checks the result with
//! e2fsprogs (e2fsck -fn, debugfs) and uml-utilities (uml_mkcow, uml_moo).

mod common;

use common::{busybox_root, output_within, ruml, stderr, text};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ruml-ubd-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn tool(name: &str) -> Command {
    let found = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("{name} missing: apt-get install e2fsprogs uml-utilities"));
    Command::new(found)
}

fn sh(dir: &Path, script: &str) -> Output {
    let o = Command::new("sh")
        .current_dir(dir)
        .args(["-ec", script])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// A 64 MiB sparse ext4 image made by `mkfs.ext4 -d` from a small tree:
/// text, a 600 KB file, a symlink, a hard link, modes and an old mtime.
fn image(dir: &Path, name: &str) -> PathBuf {
    sh(
        dir,
        &format!(
            "rm -rf tree && mkdir -p tree/sub/deep && echo hello > tree/hello.txt
             seq 1 100000 > tree/sub/numbers && ln -s hello.txt tree/link
             ln tree/hello.txt tree/sub/hard && chmod 0640 tree/sub/numbers
             echo secret > tree/sub/deep/mode700 && chmod 700 tree/sub/deep/mode700
             touch -d '2001-02-03 04:05:06 UTC' tree/hello.txt
             dd if=/dev/zero of={name} bs=1 count=1 seek=64M 2>/dev/null
             mkfs.ext4 -q -d tree {name}"
        ),
    );
    dir.join(name)
}

/// Boots a busybox guest whose /init runs `script` after mounting /proc,
/// with `disks` as extra parameters; returns the output.
fn boot_with(dir: &Path, name: &str, script: &str, disks: &[String]) -> Output {
    let init = format!(
        "#!/bin/sh\nmount -t proc proc /proc\nmkdir -p /mnt\n{script}\necho init-done\npoweroff -f\n"
    );
    let root = busybox_root(name, &init);
    let mut cmd = vm(dir, &root, &["mem=64M"]);
    cmd.args(disks);
    let o = output_within(cmd, Duration::from_secs(120));
    let _ = std::fs::remove_dir_all(&root);
    o
}

fn fsck_clean(img: &Path) {
    let o = tool("e2fsck").arg("-fn").arg(img).output().unwrap();
    assert!(
        o.status.success(),
        "e2fsck -fn {}: {}{}",
        img.display(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn debugfs_cat(img: &Path, path: &str) -> String {
    let o = tool("debugfs")
        .arg("-R")
        .arg(format!("cat {path}"))
        .arg(img)
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What the guest does to a mounted image, and prints about it.
const WORKLOAD: &str = "
mount /dev/ubdb /mnt && echo mounted
cat /mnt/hello.txt /mnt/link /mnt/sub/hard
md5sum /mnt/sub/numbers | cut -d' ' -f1
stat -c '%n %a %s %Y' /mnt/hello.txt /mnt/sub/numbers /mnt/sub/deep/mode700
stat -c '%n %h' /mnt/hello.txt
readlink /mnt/link
echo written-by-ruml > /mnt/new.txt
mkdir -p /mnt/newdir/inner && for i in 1 2 3 4 5; do echo file$i > /mnt/newdir/f$i; done
mv /mnt/newdir/f5 /mnt/newdir/inner/moved && rm /mnt/newdir/f4
echo appended >> /mnt/hello.txt && chmod 600 /mnt/new.txt
dd if=/dev/urandom of=/mnt/big bs=64k count=40 2>/dev/null && md5sum /mnt/big > /mnt/big.md5
truncate -s 1000 /mnt/sub/numbers
ln -s /mnt/new.txt /mnt/newlink && ln /mnt/new.txt /mnt/newdir/hardnew
rm /mnt/link
ls /mnt /mnt/newdir | tr '\\n' ' '; echo
sync
umount /mnt && echo unmounted
";

#[test]
fn ext4_image_mounts_read_write_and_fsck_stays_clean() {
    let d = scratch("rw");
    let img = image(&d, "fs.ext4");
    let o = boot_with(&d, "ubd-rw", WORKLOAD, &["ubdb=fs.ext4".into()]);
    let out = text(&o);
    assert!(out.contains("init-done"), "{out}{}", stderr(&o));
    let native_md5 = sh(&d, "md5sum < tree/sub/numbers | cut -d' ' -f1").stdout;
    for want in [
        "mounted\nhello\nhello\nhello\n",
        String::from_utf8_lossy(&native_md5).trim(),
        "/mnt/hello.txt 644 6 981173106",
        "/mnt/sub/numbers 640 588895",
        "/mnt/sub/deep/mode700 700 7",
        "/mnt/hello.txt 2\n",
        "hello.txt\n",
        "unmounted",
    ] {
        assert!(
            out.contains(want),
            "missing {want:?} in:\n{out}{}",
            stderr(&o)
        );
    }
    fsck_clean(&img);
    assert_eq!(debugfs_cat(&img, "/new.txt"), "written-by-ruml\n");
    assert_eq!(debugfs_cat(&img, "/newdir/hardnew"), "written-by-ruml\n");
    assert_eq!(debugfs_cat(&img, "/newdir/inner/moved"), "file5\n");
    assert_eq!(debugfs_cat(&img, "/hello.txt"), "hello\nappended\n");
    assert_eq!(debugfs_cat(&img, "/sub/numbers").len(), 1000);
    assert_eq!(debugfs_cat(&img, "/newdir/f4"), "");
    // The 2.5 MB random file's checksum, as the guest computed it.
    let big = tool("debugfs")
        .args(["-R", "dump /big big.out"])
        .arg(&img)
        .current_dir(&d)
        .output()
        .unwrap();
    assert!(big.status.success());
    let host_sum = sh(&d, "md5sum < big.out | cut -d' ' -f1").stdout;
    let guest_sum = debugfs_cat(&img, "/big.md5");
    assert!(
        guest_sum.starts_with(String::from_utf8_lossy(&host_sum).trim()),
        "{guest_sum} vs {host_sum:?}"
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_moved_backing_file_is_switched_to_as_uml_does() {
    let d = scratch("switch");
    image(&d, "base.ext4");
    let o = ruml_cmd(&d, &["mkcow", "vm.cow", "base.ext4"]);
    assert!(o.status.success());
    // The image moves (timestamps kept); the COW file names the old path.
    sh(
        &d,
        "mkdir moved && cp -p base.ext4 moved/base.ext4 && rm base.ext4",
    );
    let o = boot_with(
        &d,
        "ubd-switch",
        "mount /dev/ubdb /mnt && cat /mnt/hello.txt && umount /mnt",
        &["ubdb=vm.cow,moved/base.ext4".into()],
    );
    let e = stderr(&o);
    assert!(text(&o).contains("hello\n"), "{}{e}", text(&o));
    assert!(
        e.contains("Backing file mismatch - \"moved/base.ext4\" requested"),
        "{e}"
    );
    assert!(
        e.contains("Switching backing file to 'moved/base.ext4'"),
        "{e}"
    );
    // The header now names the new place: uml_moo needs no -b.
    let m = tool("uml_moo")
        .current_dir(&d)
        .args(["vm.cow", "merged.img"])
        .output()
        .unwrap();
    assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn ext2_and_ext3_images_too() {
    for (fs, name) in [("ext2", "fs.ext2"), ("ext3", "fs.ext3")] {
        let d = scratch(fs);
        sh(
            &d,
            &format!(
                "mkdir -p tree/sub/deep && echo hello > tree/hello.txt
                 seq 1 100000 > tree/sub/numbers && ln -s hello.txt tree/link
                 ln tree/hello.txt tree/sub/hard && chmod 0640 tree/sub/numbers
                 echo secret > tree/sub/deep/mode700 && chmod 700 tree/sub/deep/mode700
                 touch -d '2001-02-03 04:05:06 UTC' tree/hello.txt
                 dd if=/dev/zero of={name} bs=1 count=1 seek=64M 2>/dev/null
                 mkfs.{fs} -q -d tree {name}"
            ),
        );
        let script = WORKLOAD.replace(
            "mount /dev/ubdb /mnt",
            &format!("mount -t {fs} /dev/ubdb /mnt"),
        );
        let o = boot_with(&d, &format!("ubd-{fs}"), &script, &[format!("ubdb={name}")]);
        let out = text(&o);
        assert!(
            out.contains("mounted\nhello\nhello\nhello\n"),
            "{fs}: {out}{}",
            stderr(&o)
        );
        assert!(out.contains("unmounted"), "{fs}: {out}{}", stderr(&o));
        let img = d.join(name);
        fsck_clean(&img);
        assert_eq!(debugfs_cat(&img, "/newdir/inner/moved"), "file5\n");
        assert_eq!(debugfs_cat(&img, "/hello.txt"), "hello\nappended\n");
        std::fs::remove_dir_all(&d).unwrap();
    }
}

#[test]
fn cow_writes_leave_the_backing_untouched_and_merge_like_uml_moo() {
    let d = scratch("cow");
    let img = image(&d, "base.ext4");
    let before = std::fs::read(&img).unwrap();
    let mtime = std::fs::metadata(&img).unwrap().mtime();
    let o = boot_with(&d, "ubd-cow", WORKLOAD, &["ubdb=vm.cow,base.ext4".into()]);
    let out = text(&o);
    assert!(out.contains("unmounted"), "{out}{}", stderr(&o));
    assert!(
        stderr(&o).contains("Creating \"vm.cow\" as COW file for \"base.ext4\""),
        "{}",
        stderr(&o)
    );
    assert!(
        std::fs::read(&img).unwrap() == before,
        "backing file changed"
    );
    assert_eq!(std::fs::metadata(&img).unwrap().mtime(), mtime);
    // Sparse: far less on disk than its length.
    let m = std::fs::metadata(d.join("vm.cow")).unwrap();
    assert!(m.blocks() * 512 < m.len() / 4, "COW file not sparse");
    // ruml moo and the real uml_moo merge it into the same image.
    let a = ruml_cmd(&d, &["moo", "vm.cow", "ours.img"]);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let b = tool("uml_moo")
        .current_dir(&d)
        .args(["vm.cow", "theirs.img"])
        .output()
        .unwrap();
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    assert!(
        std::fs::read(d.join("ours.img")).unwrap() == std::fs::read(d.join("theirs.img")).unwrap(),
        "ruml moo and uml_moo disagree"
    );
    fsck_clean(&d.join("theirs.img"));
    assert_eq!(
        debugfs_cat(&d.join("theirs.img"), "/new.txt"),
        "written-by-ruml\n"
    );
    // Booted again from the COW file alone: the guest sees its writes.
    let o = boot_with(
        &d,
        "ubd-cow2",
        "mount /dev/ubdb /mnt && cat /mnt/newdir/inner/moved && umount /mnt",
        &["ubdb=vm.cow".into()],
    );
    assert!(text(&o).contains("file5\n"), "{}{}", text(&o), stderr(&o));
    std::fs::remove_dir_all(&d).unwrap();
}

/// ruml booting the busybox `root` (hostfs, /init) in `dir` with `extra`
/// parameters, stdin closed.
fn vm(dir: &Path, root: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(ruml());
    cmd.current_dir(dir)
        .args(common::boot_args(root, extra))
        .stdin(Stdio::null());
    cmd
}

fn ruml_cmd(dir: &Path, args: &[&str]) -> Output {
    Command::new(ruml())
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cow_made_by_uml_mkcow_is_used_and_merged_by_uml_moo() {
    let d = scratch("mkcow");
    let img = image(&d, "base.ext4");
    let o = tool("uml_mkcow")
        .current_dir(&d)
        .args(["their.cow", "base.ext4"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = boot_with(
        &d,
        "ubd-mkcow",
        "mount /dev/ubdb /mnt && echo via-uml-mkcow > /mnt/from-guest && umount /mnt && echo ok",
        &["ubdb=their.cow,base.ext4".into()],
    );
    assert!(text(&o).contains("ok\n"), "{}{}", text(&o), stderr(&o));
    let o = tool("uml_moo")
        .current_dir(&d)
        .args(["their.cow", "merged.img"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    fsck_clean(&d.join("merged.img"));
    assert_eq!(
        debugfs_cat(&d.join("merged.img"), "/from-guest"),
        "via-uml-mkcow\n"
    );
    fsck_clean(&img);
    assert_eq!(debugfs_cat(&img, "/from-guest"), "");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn guest_sees_disk_sizes() {
    let d = scratch("sizes");
    image(&d, "a.ext4");
    sh(&d, "truncate -s 10M raw.img");
    let o = boot_with(
        &d,
        "ubd-sizes",
        "cat /proc/partitions; ls -l /dev/ubdb /dev/ubdc | cut -c1-10,35-50
         blockdev --getsize64 /dev/ubdc; blockdev --getsize64 /dev/ubdb
         dd if=/dev/ubdc bs=4096 count=1 2>/dev/null | wc -c
         echo x > /dev/ubdc || echo ubdc-is-read-only
         mount -t sysfs sysfs /sys; ls /sys/block | tr '\\n' ' '; echo
         for a in dev size ro serial; do echo $a=$(cat /sys/block/ubdc/$a); done",
        &["ubdb=a.ext4".into(), "ubdcr=raw.img,,SER-42".into()],
    );
    let out = text(&o);
    for want in [
        "  98       16      65536 ubdb\n",
        "  98       32      10240 ubdc\n",
        "10485760\n",
        "67109376\n",
        "4096\n",
        "ubdc-is-read-only\n",
        "ubdb ubdc \n",
        "dev=98:32\nsize=20480\nro=1\nserial=SER-42\n",
    ] {
        assert!(
            out.contains(want),
            "missing {want:?} in:\n{out}{}",
            stderr(&o)
        );
    }
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn bad_disks_are_refused_with_one_line_and_nothing_written() {
    let d = scratch("bad");
    let img = image(&d, "base.ext4");
    let root = busybox_root("ubd-bad", "#!/bin/sh\npoweroff -f\n");
    let boot = |disk: &str| {
        let cmd = vm(&d, &root, &[disk]);
        output_within(cmd, Duration::from_secs(60))
    };
    let refused = |o: &Output, want: &str| {
        let e = stderr(o);
        assert_eq!(o.status.code(), Some(2), "{e}");
        assert!(e.contains(want), "{want:?} not in {e:?}");
        assert_eq!(e.trim_end().lines().count(), 1, "{e}");
    };
    // A COW file with the wrong magic is not touched.
    std::fs::write(d.join("junk.cow"), vec![0x55u8; 8192]).unwrap();
    refused(
        &boot("ubdb=junk.cow,base.ext4"),
        "Failed to read COW header from COW file \"junk.cow\"",
    );
    assert!(std::fs::read(d.join("junk.cow")).unwrap() == vec![0x55u8; 8192]);
    // A COW whose backing file changed since.
    let o = ruml_cmd(&d, &["mkcow", "old.cow", "base.ext4"]);
    assert!(o.status.success());
    let cow_before = std::fs::read(d.join("old.cow")).unwrap();
    sh(&d, "touch -d '2030-01-01' base.ext4");
    refused(&boot("ubdb=old.cow,base.ext4"), "mtime mismatch (");
    assert!(std::fs::read(d.join("old.cow")).unwrap() == cow_before);
    // A missing image.
    refused(
        &boot("ubdb=nothere.img"),
        "ubdb: cannot open \"nothere.img\"",
    );
    // An image another VM has open read-write.
    let holder = busybox_root("ubd-holder", "#!/bin/sh\n: > /tmp/holding\nsleep 30\n");
    let mut first = Command::new(ruml())
        .current_dir(&d)
        .args(common::boot_args(&holder, &["ubdb=base.ext4"]))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The disk is locked before init runs: wait until the holder's has.
    let t = std::time::Instant::now();
    while !holder.join("tmp/holding").exists() {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "the holder VM never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut o = boot("ubdb=base.ext4");
    for _ in 0..50 {
        if o.status.code() == Some(2) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        o = boot("ubdb=base.ext4");
    }
    // With the c (shared) flag nothing is locked, as in UML.
    let shared = boot("ubdbc=base.ext4");
    let _ = first.kill();
    let _ = first.wait();
    refused(&o, "ubdb: \"base.ext4\" is locked by");
    assert_eq!(shared.status.code(), Some(0), "{}", stderr(&shared));
    // With the d flag a COW file is a plain image: its own size, no header.
    let o = ruml_cmd(&d, &["mkcow", "plain.cow", "base.ext4"]);
    assert!(o.status.success());
    let root_d = busybox_root(
        "ubd-dflag",
        "#!/bin/sh\nmount -t proc proc /proc\ngrep ubdb /proc/partitions\npoweroff -f\n",
    );
    let cmd = vm(&d, &root_d, &["ubdbd=plain.cow"]);
    let o = output_within(cmd, Duration::from_secs(60));
    let cow_kib = std::fs::metadata(d.join("plain.cow"))
        .unwrap()
        .len()
        .div_ceil(512)
        * 512
        / 1024;
    assert!(
        text(&o).contains(&format!(" {cow_kib} ubdb")),
        "{}{}",
        text(&o),
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&root_d);
    fsck_clean(&img);
    let _ = std::fs::remove_dir_all(&root);
    let _ = std::fs::remove_dir_all(&holder);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn images_that_are_not_ext_or_are_truncated_do_not_mount() {
    let d = scratch("notext");
    image(&d, "cut.ext4");
    sh(
        &d,
        "truncate -s 32M cut.ext4 && cp cut.ext4 cut.orig
         head -c 1048576 /dev/urandom > junk.img && cp junk.img junk.orig",
    );
    let o = boot_with(
        &d,
        "ubd-notext",
        "mount -t ext4 /dev/ubdb /mnt; echo rc=$?; mount /dev/ubdc /mnt; echo rc=$?
         dmesg | grep -c EXT4-fs",
        &["ubdb=cut.ext4".into(), "ubdc=junk.img".into()],
    );
    let out = text(&o);
    assert_eq!(out.matches("rc=").count(), 2, "{out}");
    assert!(!out.contains("rc=0"), "{out}");
    assert!(
        stderr(&o).contains("bad geometry: block count 65536 exceeds size of device"),
        "{}",
        stderr(&o)
    );
    assert!(
        std::fs::read(d.join("cut.ext4")).unwrap() == std::fs::read(d.join("cut.orig")).unwrap()
    );
    assert!(
        std::fs::read(d.join("junk.img")).unwrap() == std::fs::read(d.join("junk.orig")).unwrap()
    );
    std::fs::remove_dir_all(&d).unwrap();
}

/// The issue's workload, run by busybox sh in a directory given as $1:
/// untar 5,000 files, edit some, delete half, sync.
const TREE_WORKLOAD: &str = r#"
set -e
cd "$1"
tar xf "$2"
for d in 0 1 2 3 4 5 6 7 8 9; do
  for f in tree/d$d/f1*; do echo "edited $f" >> "$f"; done
done
sed -i 's/line/LINE/' tree/d3/f2*
for d in 0 1 2 3 4 5 6 7 8 9; do rm -f tree/d$d/f*[02468]; done
mv tree/d9 tree/d9-renamed
ln -s ../d0/f1 tree/d1/link-to-d0
sync
"#;

#[test]
fn untar_edit_delete_workload_matches_a_host_directory() {
    let d = scratch("tree");
    // 10 directories of 500 files, of sizes up to 12 KB.
    sh(
        &d,
        "mkdir -p src/tree && cd src/tree
         for dd in 0 1 2 3 4 5 6 7 8 9; do mkdir d$dd; done
         awk 'BEGIN { for (i = 0; i < 5000; i++) {
                f = sprintf(\"d%d/f%d\", i % 10, i); n = (i * 37) % 300
                for (j = 0; j < n; j++) printf(\"line %d of %d\\n\", j, i) > f
                if (n == 0) printf(\"\") > f
                close(f) } }'
         cd .. && tar cf ../tree.tar tree && cd .. && rm -rf src
         dd if=/dev/zero of=fs.ext4 bs=1 count=1 seek=300M 2>/dev/null
         mkfs.ext4 -q fs.ext4 && mkdir native",
    );
    std::fs::write(d.join("workload.sh"), TREE_WORKLOAD).unwrap();
    // Natively, with the same busybox.
    let o = Command::new("/bin/busybox")
        .current_dir(&d)
        .args(["sh", "workload.sh"])
        .arg(d.join("native"))
        .arg(d.join("tree.tar"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // In ruml, on ext4 over ubd; the script and archive come in on hostfs.
    let root = busybox_root(
        "ubd-tree",
        "#!/bin/sh\nmount -t proc proc /proc\nmkdir -p /mnt\nmount /dev/ubdb /mnt\n\
         sh /data/workload.sh /mnt /data/tree.tar && echo workload-ok\npoweroff -f\n",
    );
    std::fs::create_dir_all(root.join("data")).unwrap();
    std::fs::copy(d.join("workload.sh"), root.join("data/workload.sh")).unwrap();
    std::fs::copy(d.join("tree.tar"), root.join("data/tree.tar")).unwrap();
    let cmd = vm(&d, &root, &["ubdb=fs.ext4"]);
    let o = output_within(cmd, Duration::from_secs(300));
    assert!(
        text(&o).contains("workload-ok"),
        "{}{}",
        text(&o),
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&root);
    fsck_clean(&d.join("fs.ext4"));
    // The image's tree, copied out by debugfs, equals the native one.
    sh(
        &d,
        "mkdir out && debugfs -R 'rdump /tree out' fs.ext4 2>/dev/null",
    );
    let diff = Command::new("diff")
        .args(["-r", "--no-dereference", "native/tree", "out/tree"])
        .current_dir(&d)
        .output()
        .unwrap();
    assert!(
        diff.status.success(),
        "{}",
        String::from_utf8_lossy(&diff.stdout)
            .lines()
            .take(20)
            .collect::<Vec<_>>()
            .join("\n")
    );
    let count = sh(&d, "find out/tree -type f | wc -l").stdout;
    assert_eq!(String::from_utf8_lossy(&count).trim(), "2500");
    std::fs::remove_dir_all(&d).unwrap();
}

/// Whether the image's journal holds transactions a mount must replay.
fn needs_recovery(img: &Path) -> bool {
    let h = tool("dumpe2fs").arg("-h").arg(img).output().unwrap();
    String::from_utf8_lossy(&h.stdout).contains("needs_recovery")
}

/// e2fsck -fn, after replaying the journal as Linux's mount would (on a
/// copy, with e2fsck -fy) when the image needs recovery.
fn fsck_clean_after_replay(dir: &Path, img: &Path) {
    let o = tool("e2fsck").arg("-fn").arg(img).output().unwrap();
    if o.status.success() && !needs_recovery(img) {
        return;
    }
    let copy = dir.join("replayed.img");
    std::fs::copy(img, &copy).unwrap();
    let _ = tool("e2fsck").arg("-fy").arg(&copy).output().unwrap();
    let o2 = tool("e2fsck").arg("-fn").arg(&copy).output().unwrap();
    assert!(
        o2.status.success(),
        "not clean even after replay: {}\nfirst: {}",
        String::from_utf8_lossy(&o2.stdout),
        String::from_utf8_lossy(&o.stdout)
    );
    let first = String::from_utf8_lossy(&o.stdout);
    assert!(
        first.contains("recover") || first.contains("journal"),
        "e2fsck complained of more than a journal to replay: {first}"
    );
    std::fs::rename(&copy, img).unwrap();
}

#[test]
fn data_synced_before_sigkill_is_on_disk() {
    let d = scratch("crash");
    let img = image(&d, "plain.ext4");
    image(&d, "base.ext4");
    let root = busybox_root(
        "ubd-crash",
        "#!/bin/sh\nmount -t proc proc /proc\nmkdir -p /mnt/a /mnt/b\n\
         mount /dev/ubdb /mnt/a && mount /dev/ubdc /mnt/b || exit 1\n\
         for m in a b; do mkdir /mnt/$m/kept; i=0\n\
           while [ $i -lt 200 ]; do echo \"synced $i\" > /mnt/$m/kept/f$i; i=$((i+1)); done\n\
           seq 1 50000 > /mnt/$m/numbers; rm /mnt/$m/hello.txt; done\n\
         sync\necho SYNCED\n\
         echo after-sync > /mnt/a/unsynced; sleep 100\n",
    );
    let mut child = Command::new(ruml())
        .current_dir(&d)
        .args(common::boot_args(
            &root,
            &["ubdb=plain.ext4", "ubdc=vm.cow,base.ext4"],
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("SYNCED") {
        assert!(std::time::Instant::now() < deadline, "no SYNCED");
        let n = std::io::Read::read(&mut out, &mut buf).unwrap();
        assert!(n > 0, "guest ended: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    // At once, as a power cut would.
    child.kill().unwrap();
    child.wait().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        common::processes_rooted_at(&root).is_empty(),
        "guest left behind"
    );
    let merged = d.join("merged.img");
    let o = ruml_cmd(&d, &["moo", "vm.cow", "merged.img"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A mount replays the journal, as Linux's does: afterwards the image
    // is clean without e2fsck's help.
    let o = boot_with(
        &d,
        "ubd-replay",
        "mount /dev/ubdb /mnt && cat /mnt/kept/f5 && umount /mnt && echo replayed",
        &["ubdb=plain.ext4".into()],
    );
    assert!(
        text(&o).contains("synced 5\nreplayed"),
        "{}{}",
        text(&o),
        stderr(&o)
    );
    assert!(!needs_recovery(&img));
    fsck_clean(&img);
    for img in [&img, &merged] {
        fsck_clean_after_replay(&d, img);
        assert_eq!(debugfs_cat(img, "/kept/f0"), "synced 0\n");
        assert_eq!(debugfs_cat(img, "/kept/f199"), "synced 199\n");
        assert_eq!(debugfs_cat(img, "/numbers").lines().count(), 50000);
        assert_eq!(debugfs_cat(img, "/hello.txt"), "");
    }
    let _ = std::fs::remove_dir_all(&root);
    std::fs::remove_dir_all(&d).unwrap();
}

/// A busybox root filesystem image (ext4, 64 MiB) made from a busybox root
/// directory by mkfs.ext4 -d.
fn busybox_image(dir: &Path, name: &str) -> PathBuf {
    let tree = busybox_root(&format!("img-{name}"), "#!/bin/sh\necho unused\n");
    std::fs::create_dir_all(tree.join("mnt")).unwrap();
    let img = dir.join(name);
    sh(
        dir,
        &format!(
            "dd if=/dev/zero of={name} bs=1 count=1 seek=64M 2>/dev/null
             mkfs.ext4 -q -d {} {name}",
            tree.display()
        ),
    );
    let _ = std::fs::remove_dir_all(&tree);
    img
}

/// Boots ruml with `args`, feeding `commands` to the console shell.
fn boot_console(dir: &Path, args: &[&str], commands: &str) -> std::process::Child {
    let mut child = Command::new(ruml())
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), commands.as_bytes()).unwrap();
    child
}

fn finish(child: std::process::Child) -> Output {
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}{}", text(&o), stderr(&o));
    o
}

#[test]
fn two_vms_boot_from_one_backing_file_through_their_own_cow_files() {
    let d = scratch("share");
    let img = busybox_image(&d, "rootfs.ext4");
    let before = std::fs::read(&img).unwrap();
    let script = |vm: &str| {
        format!(
            "mount -t proc proc /proc; mount -o remount,rw /\n\
             echo root=$(cut -d' ' -f1-3 /proc/mounts | head -1)\n\
             hostname; mkdir /{vm}-dir; i=0; while [ $i -lt 300 ]; do echo {vm} $i > /{vm}-dir/f$i; i=$((i+1)); done\n\
             cat /{vm}-dir/f299; ls / | tr '\\n' ' '; echo; sync; poweroff -f\n"
        )
    };
    let a = boot_console(
        &d,
        &[
            "umid=vm1",
            "hostname=vm1",
            "ubda=vm1.cow,rootfs.ext4",
            "mem=32M",
            "init=/bin/sh",
        ],
        &script("vm1"),
    );
    let b = boot_console(
        &d,
        &[
            "umid=vm2",
            "hostname=vm2",
            "ubda=vm2.cow,rootfs.ext4",
            "mem=32M",
            "init=/bin/sh",
        ],
        &script("vm2"),
    );
    let (a, b) = (finish(a), finish(b));
    for (o, vm, other) in [(&a, "vm1", "vm2"), (&b, "vm2", "vm1")] {
        let out = text(o);
        assert!(out.contains("root=/dev/ubda / ext4"), "{out}");
        assert!(out.contains(&format!("\n{vm}\n")), "{out}");
        assert!(out.contains(&format!("{vm} 299\n")), "{out}");
        assert!(!out.contains(&format!("{other}-dir")), "{out}");
        let merged = d.join(format!("{vm}.img"));
        let m = ruml_cmd(&d, &["moo", &format!("{vm}.cow"), &format!("{vm}.img")]);
        assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
        fsck_clean_after_replay(&d, &merged);
        assert_eq!(
            debugfs_cat(&merged, &format!("/{vm}-dir/f7")),
            format!("{vm} 7\n")
        );
        assert_eq!(debugfs_cat(&merged, &format!("/{other}-dir/f7")), "");
    }
    assert!(
        std::fs::read(&img).unwrap() == before,
        "backing file changed"
    );
    fsck_clean(&img);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn default_busybox_image_boots_with_busybox_init_and_powers_off() {
    let d = scratch("default");
    let o = ruml_cmd(&d, &["image", "busybox", "bb.ext4"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    fsck_clean(&d.join("bb.ext4"));
    // Refused over an existing file, with usage errors as one line.
    let o = ruml_cmd(&d, &["image", "busybox", "bb.ext4"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists"));
    let o = ruml_cmd(&d, &["image", "from-dir", "/nonexistent-dir", "x.img"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a directory"));
    assert!(!d.join("x.img").exists());
    // The README's default VM: busybox init, rcS, a shell, poweroff.
    let child = boot_console(
        &d,
        &[
            "umid=default",
            "hostname=ruml",
            "ubda=default.cow,bb.ext4",
            "mem=64M",
        ],
        "sleep 1; echo shell-$((6*7)); cut -d' ' -f1-3 /proc/mounts; hostname; poweroff\n",
    );
    let o = finish(child);
    let out = text(&o);
    for want in [
        "ruml: 6.1.0-ruml on ruml; poweroff to leave",
        "shell-42",
        "/dev/ubda / ext4",
        "devpts /dev/pts devpts",
        "Requesting system poweroff",
    ] {
        assert!(out.contains(want), "missing {want:?}:\n{out}{}", stderr(&o));
    }
    std::fs::remove_dir_all(&d).unwrap();
}

/// ruml's cached ext4 files (memfds named "ext4") of the ruml process `pid`.
fn cached_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|rd| {
            rd.flatten()
                .filter(|e| {
                    std::fs::read_link(e.path())
                        .is_ok_and(|l| l.to_string_lossy().starts_with("/memfd:ext4"))
                })
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn page_cache_lets_go_of_files_nobody_has_open() {
    let d = scratch("evict");
    image(&d, "fs.ext4");
    let root = busybox_root(
        "ubd-evict",
        "#!/bin/sh\nmount -t proc proc /proc\nmkdir -p /mnt\nmount /dev/ubdb /mnt || exit 1\n\
         i=0; while [ $i -lt 12 ]; do dd if=/dev/urandom of=/mnt/f$i bs=1M count=2 2>/dev/null; \
         md5sum /mnt/f$i >> /mnt/sums; i=$((i+1)); done\n\
         sync; df -k /mnt | tail -1 | awk '{print \"used-before\", $3}'\n\
         exec 3</mnt/f0; rm /mnt/f0\n\
         echo WROTE; read x; exec 3<&-\n\
         sleep 3; sync; df -k /mnt | tail -1 | awk '{print \"used-after\", $3}'\n\
         md5sum -c /mnt/sums 2>&1 | grep -c ': OK'\numount /mnt\necho nofile=$(ulimit -n)\npoweroff -f\n",
    );
    let mut child = Command::new(ruml())
        .current_dir(&d)
        .args(common::boot_args(&root, &["ubdb=fs.ext4", "mem=32M"]))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut out = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("WROTE") {
        let n = std::io::Read::read(&mut out, &mut buf).unwrap();
        assert!(n > 0, "{}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    // 24 MiB written by a 32 MiB VM: after a few seconds at most a quarter
    // of its memory stays cached, and the removed file still open is kept.
    std::thread::sleep(Duration::from_secs(3));
    let cached = cached_files(pid);
    assert!((1..=6).contains(&cached), "{cached} files cached");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"go\n").unwrap();
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut out, &mut rest).unwrap();
    seen.extend_from_slice(&rest);
    child.wait().unwrap();
    let text = String::from_utf8_lossy(&seen).replace("\r\n", "\n");
    let num = |key: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {key} in {text}"))
    };
    // The removed file's 2 MiB came back once its last user closed it.
    assert!(num("used-before") >= num("used-after") + 2000, "{text}");
    // The other files read back intact through the refilled cache.
    assert!(text.contains("\n11\n"), "{text}");
    // ruml raised its own descriptor limit for its cache, not the guest's.
    let soft = std::fs::read_to_string("/proc/self/limits")
        .unwrap()
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3).map(String::from))
        .unwrap();
    assert!(text.contains(&format!("nofile={soft}\n")), "{text}");
    fsck_clean(&d.join("fs.ext4"));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::remove_dir_all(&d).unwrap();
}

/// rsext4 fixes (vendor/rsext4/RUML-PATCHES.md): a directory of 12,000
/// entries on 1 KiB blocks grows a deep extent tree, fills several inode
/// groups and overflows the journal's transaction, and must unmount clean.
#[test]
fn twelve_thousand_files_in_one_directory_on_1k_blocks() {
    let d = scratch("many");
    sh(
        &d,
        "dd if=/dev/zero of=fs.ext4 bs=1 count=1 seek=300M 2>/dev/null
         mkfs.ext4 -q -b 1024 fs.ext4",
    );
    let o = boot_with(
        &d,
        "ubd-many",
        "mount /dev/ubdb /mnt && mkdir /mnt/d && i=0
         while [ $i -lt 12000 ]; do echo $i > /mnt/d/f$i; i=$((i+1)); done
         ls /mnt/d | wc -l; umount /mnt && echo unmounted",
        &["ubdb=fs.ext4".into()],
    );
    let out = text(&o);
    assert!(out.contains("12000\nunmounted"), "{out}{}", stderr(&o));
    assert!(!stderr(&o).contains("unmount"), "{}", stderr(&o));
    let img = d.join("fs.ext4");
    assert!(!needs_recovery(&img));
    fsck_clean(&img);
    assert_eq!(debugfs_cat(&img, "/d/f11999"), "11999\n");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn fifos_and_unix_sockets_live_on_ext4() {
    let d = scratch("fifo");
    image(&d, "fs.ext4");
    let init = "#!/bin/sh\nmount -t proc proc /proc\nmkdir -p /mnt\nmount /dev/ubdb /mnt || exit 1\n\
                mkdir /mnt/run && /bin/fifosock /mnt/run\numount /mnt && echo unmounted\npoweroff -f\n";
    let root = busybox_root("ubd-fifo", init);
    common::guest_program(&root, "fifosock");
    let o = output_within(vm(&d, &root, &["ubdb=fs.ext4"]), Duration::from_secs(60));
    let out = text(&o);
    for want in [
        "fifo is a fifo: 1\nfifo read: through the fifo\n",
        "sock is a socket: 1\nsocket read: through the socket\nchild status: 0\nremoved: 1\n",
        "unmounted",
    ] {
        assert!(out.contains(want), "missing {want:?}:\n{out}{}", stderr(&o));
    }
    fsck_clean(&d.join("fs.ext4"));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::remove_dir_all(&d).unwrap();
}
