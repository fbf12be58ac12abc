//! Disk images for VMs: an ext4 image made from a host directory (by
//! e2fsprogs' `mke2fs -d`), and the default busybox root image.

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{0}: already exists (use -f to replace it)")]
    Exists(PathBuf),
    #[error("{0}: not a directory")]
    NotDir(PathBuf),
    #[error("mke2fs not found: install e2fsprogs (apt-get install e2fsprogs)")]
    NoMke2fs,
    #[error("mke2fs failed: {0}")]
    Mke2fs(String),
    #[error("busybox not found: install busybox-static (apt-get install busybox-static)")]
    NoBusybox,
    #[error("{0} is linked dynamically: install busybox-static (apt-get install busybox-static)")]
    DynamicBusybox(PathBuf),
    #[error("{0}: {1}")]
    Io(PathBuf, io::Error),
}

fn io_at(p: &Path) -> impl FnOnce(io::Error) -> ImageError + '_ {
    move |e| ImageError::Io(p.to_path_buf(), e)
}

fn find_program(name: &str, extra: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(extra.iter().map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Bytes of the files under `dir` (what the image must hold).
fn tree_bytes(dir: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => 4096 + tree_bytes(&e.path()),
            // Allocated size: sparse files (lastlog) stay sparse.
            Ok(t) if t.is_file() => e.metadata().map_or(0, |m| {
                use std::os::unix::fs::MetadataExt;
                (m.blocks() * 512).div_ceil(4096) * 4096
            }),
            _ => 4096,
        })
        .sum()
}

/// The default size of an image for `dir`: its contents twice over, and
/// at least 64 MiB, in whole MiB.
pub fn default_size(dir: &Path) -> u64 {
    let want = (tree_bytes(dir) * 2).max(64 << 20);
    want.div_ceil(1 << 20) << 20
}

/// Makes `image`, a sparse ext4 filesystem of `size` bytes holding a copy
/// of `dir` (owners, modes and times kept), as `mkfs.ext4 -d` does.
pub fn from_dir(dir: &Path, image: &Path, size: u64, force: bool) -> Result<(), ImageError> {
    if !dir.is_dir() {
        return Err(ImageError::NotDir(dir.into()));
    }
    if image.exists() && !force {
        return Err(ImageError::Exists(image.into()));
    }
    let mke2fs = find_program("mke2fs", &["/sbin", "/usr/sbin"]).ok_or(ImageError::NoMke2fs)?;
    let f = std::fs::File::create(image).map_err(io_at(image))?;
    f.set_len(size).map_err(io_at(image))?;
    drop(f);
    let o = Command::new(mke2fs)
        .args(["-q", "-F", "-t", "ext4", "-d"])
        .arg(dir)
        .arg(image)
        .output()
        .map_err(io_at(image))?;
    if !o.status.success() {
        let _ = std::fs::remove_file(image);
        let msg = String::from_utf8_lossy(&o.stderr);
        return Err(ImageError::Mke2fs(
            msg.lines().last().unwrap_or("").trim().to_string(),
        ));
    }
    Ok(())
}

/// Whether the ELF file at `p` asks for a program interpreter (is linked
/// dynamically).
fn is_dynamic(p: &Path) -> io::Result<bool> {
    let b = std::fs::read(p)?;
    let u16_at = |o: usize| b.get(o..o + 2).map(|s| u16::from_le_bytes([s[0], s[1]]));
    let u64_at = |o: usize| {
        b.get(o..o + 8)
            .map(|s| u64::from_le_bytes(s.try_into().expect("8 bytes")))
    };
    if b.len() < 64 || &b[..4] != b"\x7fELF" || b[4] != 2 {
        return Ok(false);
    }
    let (Some(phoff), Some(phentsize), Some(phnum)) = (u64_at(32), u16_at(54), u16_at(56)) else {
        return Ok(false);
    };
    Ok((0..phnum as usize).any(|i| {
        let o = phoff as usize + i * phentsize as usize;
        b.get(o..o + 4) == Some(&3u32.to_le_bytes()) // PT_INTERP
    }))
}

/// Fills `dir` with a minimal busybox system: the static busybox and its
/// applet links, /etc (passwd, group, hostname, inittab, fstab), an rcS
/// that mounts /proc, /sys and /dev/pts and remounts / read-write, and a
/// root shell on the console.
pub fn busybox_tree(dir: &Path) -> Result<(), ImageError> {
    let bb = find_program("busybox", &["/bin", "/usr/bin"]).ok_or(ImageError::NoBusybox)?;
    let bb = std::fs::canonicalize(&bb).map_err(io_at(&bb))?;
    if is_dynamic(&bb).map_err(io_at(&bb))? {
        return Err(ImageError::DynamicBusybox(bb));
    }
    let mk = |p: &str| std::fs::create_dir_all(dir.join(p)).map_err(io_at(&dir.join(p)));
    for d in [
        "bin",
        "sbin",
        "usr/bin",
        "usr/sbin",
        "dev",
        "proc",
        "sys",
        "tmp",
        "etc/init.d",
        "root",
        "mnt",
        "var/log",
        "run",
    ] {
        mk(d)?;
    }
    use std::os::unix::fs::PermissionsExt;
    let set_mode = |p: &Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).map_err(io_at(p))
    };
    set_mode(&dir.join("tmp"), 0o1777)?;
    set_mode(&dir.join("root"), 0o700)?;
    let target = dir.join("bin/busybox");
    std::fs::copy(&bb, &target).map_err(io_at(&target))?;
    set_mode(&target, 0o755)?;
    let list = Command::new(&bb)
        .arg("--list-full")
        .output()
        .map_err(io_at(&bb))?;
    for applet in String::from_utf8_lossy(&list.stdout).lines() {
        let applet = applet.trim_start_matches('/');
        if applet.is_empty() || applet == "bin/busybox" {
            continue;
        }
        let depth = applet.matches('/').count();
        let link = format!("{}bin/busybox", "../".repeat(depth));
        let at = dir.join(applet);
        let _ = std::fs::remove_file(&at);
        std::os::unix::fs::symlink(link, &at).map_err(io_at(&at))?;
    }
    let files: &[(&str, &str, u32)] = &[
        ("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0o644),
        ("etc/group", "root:x:0:\n", 0o644),
        ("etc/hostname", "ruml\n", 0o644),
        (
            "etc/fstab",
            "proc /proc proc defaults 0 0\nsysfs /sys sysfs defaults 0 0\n",
            0o644,
        ),
        (
            "etc/inittab",
            "::sysinit:/bin/sh /etc/init.d/rcS\n\
             ::respawn:/bin/cttyhack /bin/sh -l\n\
             ::ctrlaltdel:/sbin/reboot\n\
             ::shutdown:/bin/sync\n",
            0o644,
        ),
        (
            "etc/init.d/rcS",
            "#!/bin/sh\n\
             mount -t proc proc /proc\n\
             mount -t sysfs sysfs /sys\n\
             mount -o remount,rw /\n\
             mkdir -p /dev/pts /dev/shm\n\
             mount -t devpts devpts /dev/pts\n\
             mount -t tmpfs tmpfs /dev/shm\n\
             [ -s /etc/hostname ] && [ \"$(hostname)\" = \"(none)\" ] && hostname -F /etc/hostname\n\
             echo \"ruml: $(uname -r) on $(hostname); poweroff to leave\"\n",
            0o755,
        ),
        ("root/.profile", "PS1='\\h:\\w\\$ '\nexport PS1\n", 0o644),
    ];
    for (name, text, mode) in files {
        let p = dir.join(name);
        std::fs::write(&p, text).map_err(io_at(&p))?;
        set_mode(&p, *mode)?;
    }
    Ok(())
}

/// Builds the default busybox root image at `image` (`size` bytes, or
/// 64 MiB).
pub fn busybox(image: &Path, size: Option<u64>, force: bool) -> Result<(), ImageError> {
    if image.exists() && !force {
        return Err(ImageError::Exists(image.into()));
    }
    let tmp = std::env::temp_dir().join(format!("ruml-image-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let r = busybox_tree(&tmp).and_then(|()| {
        from_dir(
            &tmp,
            image,
            size.unwrap_or_else(|| default_size(&tmp)),
            force,
        )
    });
    let _ = std::fs::remove_dir_all(&tmp);
    r
}
