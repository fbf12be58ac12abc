//! The companion tools, as `ruml <tool>` subcommands that also answer to
//! UML's names: `mkcow` (uml_mkcow), `moo` (uml_moo) and `switch`
//! (uml_switch), with their arguments, messages and exit statuses; and
//! `image`, which makes disk images. The work is in `ruml_ubd` and
//! `ruml_net`.

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
        "switch" => Some(switch("ruml switch", args)),
        "uml_switch" => Some(switch("uml_switch", args)),
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

/// `ruml switch` (uml_switch): a virtual switch for the `daemon` transport.
/// Options as uml_switch's, in any order; `-compat-v0` is refused.
fn switch(prog: &str, args: &[String]) -> i32 {
    use ruml_net::switch::{Config, Switch, Wake};
    use ruml_platform::host;
    use std::io::{IsTerminal, Write};
    use std::os::fd::AsRawFd;

    let usage = || {
        eprintln!(
            "Usage : {prog} [ -unix control-socket ] [ -hub ] [ -tap tap-device ] [ -daemon ]"
        );
        1
    };
    let mut cfg = Config {
        control: ruml_net::param::UML_SWITCH_DEFAULT_CTL.into(),
        ..Config::default()
    };
    let mut daemon = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-unix" => match it.next() {
                Some(p) => cfg.control = p.into(),
                None => return usage(),
            },
            "-tap" => match it.next() {
                Some(d) => cfg.tap = Some(d.clone()),
                None => return usage(),
            },
            "-hub" => cfg.hub = true,
            "-daemon" => daemon = true,
            "-compat-v0" => {
                eprintln!("{prog}: -compat-v0 (control protocol version 0) is not supported");
                return 1;
            }
            _ => return usage(),
        }
    }
    // -daemon changes directory to /: keep the socket's path valid.
    if cfg.control.is_relative() {
        if let Ok(cwd) = std::env::current_dir() {
            cfg.control = cwd.join(&cfg.control);
        }
    }
    if cfg.hub {
        println!("{prog} will be a hub instead of a switch");
    }
    let mut sw = match Switch::new(&cfg) {
        Ok(sw) => sw,
        Err(e) => {
            eprintln!("{prog}: {e}");
            return 1;
        }
    };
    if let Some(tap) = &cfg.tap {
        println!("{prog} attached to tap device '{tap}'");
    }
    println!("{prog} attached to unix socket '{}'", cfg.control.display());
    let _ = std::io::stdout().flush();
    if daemon {
        // Single-threaded here: the tools run before ruml starts threads.
        if let Err(e) = host::daemonize() {
            eprintln!("{prog}: cannot become a daemon: {e}");
            return 1;
        }
    }
    // SIGINT and SIGTERM remove the control socket and end the switch.
    let sigs = [libc::SIGINT, libc::SIGTERM];
    host::block_signals(&sigs);
    let mut sigfds = Vec::new();
    for s in sigs {
        match host::signalfd(s).and_then(|fd| Ok((sw.watch(fd.as_raw_fd())?, fd, s))) {
            Ok(x) => sigfds.push(x),
            Err(e) => {
                eprintln!("{prog}: signalfd: {e}");
                return 1;
            }
        }
    }
    // As uml_switch: a terminal on stdin is read, and its EOF ends the switch.
    let tty = if !daemon && std::io::stdin().is_terminal() {
        match sw.watch(0) {
            Ok(n) => Some(n),
            Err(e) => {
                eprintln!("{prog}: {e}");
                return 1;
            }
        }
    } else {
        None
    };
    loop {
        match sw.run() {
            Ok(Wake::Extra(n)) => {
                if let Some((_, fd, sig)) = sigfds.iter().find(|(w, _, _)| *w == n) {
                    host::drain_signalfd(std::os::fd::AsFd::as_fd(fd));
                    println!("Caught signal {sig}, cleaning up and exiting");
                    drop(sw);
                    return 0;
                }
                if Some(n) == tty {
                    let mut buf = [0u8; 4096];
                    match host::read(host::borrow_process_fd(0), &mut buf) {
                        Ok(0) => {
                            drop(sw);
                            return 0;
                        }
                        Ok(_) => {}
                        Err(e) if e.kind() == ErrorKind::Interrupted => {}
                        Err(e) => {
                            eprintln!("{prog}: stdin: {e}");
                            drop(sw);
                            return 1;
                        }
                    }
                }
            }
            Err(e) => {
                eprintln!("{prog}: {e}");
                drop(sw);
                return 1;
            }
        }
    }
}
