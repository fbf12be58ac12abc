//! The companion tools, as `ruml <tool>` subcommands that also answer to
//! UML's names: `mkcow` (uml_mkcow) and `moo` (uml_moo), with their
//! arguments, messages and exit statuses; and `image`, which makes disk
//! images. The work is in `ruml_ubd`.

use ruml_ubd::{cow, image, moo};
use std::io::ErrorKind;
use std::path::Path;

const MKCOW_USAGE: &str = "uml_mkcow usage: \n\
\tuml_mkcow [-f] <COW file> <backing file>\n\
\t-f forces overwrite of an existing COW file\n";

const MOO_USAGE: &str = "uml_moo usage:\n\
\tuml_moo [ -b <actual backing file> ] <COW file> <new backing file>\n\
\tuml_moo [ -b <actual backing file> ] -d <COW file>\n\
Creates a new filesystem image from the COW file and its backing file.\n\
Specifying -d will cause a destructive, in-place merge of the COW file into\n\
its current backing file\n\
Specifying -b overrides the backing_file specified in the COW file.  This is\n\
needed when dealing with a COW file that was created inside a chroot jail.\n\
uml_moo supports version 1,2 and 3 COW files.\n";

/// Runs the tool `name` ("mkcow", "moo") with `args`; returns its exit
/// status, or None if there is no such tool.
pub fn run(name: &str, args: &[String]) -> Option<i32> {
    match name {
        "mkcow" | "uml_mkcow" => Some(mkcow(args)),
        "moo" | "uml_moo" => Some(moo(args)),
        "image" => Some(image_tool(args)),
        _ => None,
    }
}

fn mkcow(args: &[String]) -> i32 {
    let (force, rest) = match args.first().map(String::as_str) {
        Some("-f") => (true, &args[1..]),
        _ => (false, args),
    };
    let [cow_file, backing] = rest else {
        eprint!("{MKCOW_USAGE}");
        return 2;
    };
    match cow::create(Path::new(cow_file), Path::new(backing), force) {
        Ok(_) => 0,
        Err(cow::CowError::Io(e)) if e.kind() == ErrorKind::AlreadyExists => {
            eprintln!("open COW file: File exists");
            1
        }
        Err(e) => {
            eprintln!("write_cow_header: {e}");
            1
        }
    }
}

fn moo(args: &[String]) -> i32 {
    // Strictly positional, as uml_moo: -d only first, -b right after it.
    let mut rest = args;
    let destructive = rest.first().map(String::as_str) == Some("-d");
    if destructive {
        rest = &rest[1..];
    }
    let mut backing = None;
    if rest.first().map(String::as_str) == Some("-b") {
        let Some(b) = rest.get(1) else {
            eprint!("{MOO_USAGE}");
            return 1;
        };
        backing = Some(Path::new(b.as_str()));
        rest = &rest[2..];
    }
    let (cow_file, output) = match (destructive, rest) {
        (true, [c]) => (c, None),
        (false, [c, o]) => (c, Some(Path::new(o.as_str()))),
        _ => {
            eprint!("{MOO_USAGE}");
            return 1;
        }
    };
    let m = moo::Merge {
        cow: Path::new(cow_file.as_str()),
        backing,
        output,
    };
    match moo::merge(&m) {
        Ok(_) => 0,
        Err(cow::CowError::Io(e)) if !Path::new(cow_file.as_str()).exists() => {
            eprintln!("COW file open: {}", io_text(&e));
            1
        }
        Err(e @ (cow::CowError::Size { .. } | cow::CowError::Mtime { .. })) => {
            eprintln!("{e}");
            1
        }
        Err(cow::CowError::NotCow) => {
            eprintln!("read_cow_header: \"{cow_file}\" is not a COW file");
            1
        }
        Err(e) => {
            eprintln!("uml_moo: {e}");
            1
        }
    }
}

/// An I/O error as C's perror words it ("No such file or directory").
fn io_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

const IMAGE_USAGE: &str = "usage:\n\
\truml image busybox [-f] IMAGE [SIZE]\n\
\t\tthe default busybox root filesystem (ext4) as IMAGE\n\
\truml image from-dir [-f] DIR IMAGE [SIZE]\n\
\t\tan ext4 image holding a copy of the host directory DIR (mke2fs -d)\n\
SIZE takes K, M or G (default: twice the contents, at least 64M); the image\n\
is sparse. -f replaces an existing IMAGE.\n";

fn image_tool(args: &[String]) -> i32 {
    let Some((what, rest)) = args.split_first() else {
        eprint!("{IMAGE_USAGE}");
        return 2;
    };
    let force = rest.first().map(String::as_str) == Some("-f");
    let rest: Vec<&str> = rest[usize::from(force)..]
        .iter()
        .map(String::as_str)
        .collect();
    let size = |s: Option<&&str>| -> Result<Option<u64>, i32> {
        match s {
            None => Ok(None),
            Some(v) => match ruml_kernel::config::parse_size(v) {
                Some(n) if n >= 1 << 20 => Ok(Some(n)),
                _ => {
                    eprintln!("ruml image: {v}: not a size of at least 1M");
                    Err(2)
                }
            },
        }
    };
    let r = match (what.as_str(), rest.as_slice()) {
        ("busybox", [img] | [img, _]) => match size(rest.get(1)) {
            Ok(sz) => image::busybox(Path::new(img), sz, force),
            Err(c) => return c,
        },
        ("from-dir", [dir, img] | [dir, img, _]) => match size(rest.get(2)) {
            Ok(sz) => {
                let dir = Path::new(dir);
                let sz = sz.unwrap_or_else(|| image::default_size(dir));
                image::from_dir(dir, Path::new(img), sz, force)
            }
            Err(c) => return c,
        },
        _ => {
            eprint!("{IMAGE_USAGE}");
            return 2;
        }
    };
    match r {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("ruml image: {e}");
            1
        }
    }
}
