//! The kernel command line, in UML's syntax (see shared/spec/cmdline.md).
//!
//! Every argument is one word of the command line. Words ruml understands set
//! boot options; `name=value` words it does not know go to init's
//! environment and bare words to init's argv, as Linux does. UML host options
//! that UML does not drop (`mem=`) also reach init's environment, as in UML.

use std::fmt;
use std::path::PathBuf;

/// One end of a console channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Chan {
    /// A host descriptor of the ruml process.
    Fd(i32),
    /// Output discarded, no input.
    Null,
}

/// A console line's configuration: `none`, or an input and output channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    None,
    Chans { input: Chan, output: Chan },
}

/// Everything the command line decides.
#[derive(Clone, Debug)]
pub struct BootConfig {
    pub root: String,
    pub rootfstype: Option<String>,
    pub rootflags: Option<String>,
    pub read_only: bool,
    pub init: Option<String>,
    pub mem: u64,
    /// How many CPUs the VM has (`nr_cpus=`; default 1, as UML's one).
    pub nr_cpus: usize,
    /// The host CPUs the VM runs on, chosen at boot (the guest sees these
    /// numbers online).
    pub cpus: Vec<usize>,
    pub umid: Option<String>,
    pub hostname: Option<String>,
    pub hostfs_prefix: Option<PathBuf>,
    pub quiet: bool,
    /// con0..con15; con0 is the guest's /dev/console.
    pub consoles: Vec<Line>,
    pub init_args: Vec<String>,
    pub init_env: Vec<String>,
    /// The ubd disks (`ubd<N>=`), in unit order.
    pub ubd: Vec<ruml_ubd::param::UbdSpec>,
    /// The network devices (`eth<N>=`), in command-line order.
    pub nics: Vec<ruml_net::param::NicSpec>,
    /// The ubd unit the root filesystem is on (None: hostfs).
    pub root_disk: Option<usize>,
    /// The command line as the guest's /proc/cmdline shows it.
    pub cmdline: String,
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    Boot(Box<BootConfig>),
    Help,
    Version,
}

/// A bad boot parameter: printed as one line, exit status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError(pub String);

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParamError {}

fn err<T>(msg: impl Into<String>) -> Result<T, ParamError> {
    Err(ParamError(msg.into()))
}

/// Parses a size with an optional K/M/G/T suffix (Linux memparse).
pub fn parse_size(s: &str) -> Option<u64> {
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if digits == 0 {
        return None;
    }
    let n: u64 = s[..digits].parse().ok()?;
    let shift = match &s[digits..] {
        "" => 0,
        "k" | "K" => 10,
        "m" | "M" => 20,
        "g" | "G" => 30,
        "t" | "T" => 40,
        _ => return None,
    };
    n.checked_mul(1u64 << shift)
}

/// Parses a console channel spec: `<chan>` or `<in>,<out>`.
pub fn parse_line(spec: &str) -> Result<Line, String> {
    if spec == "none" {
        return Ok(Line::None);
    }
    let chan = |c: &str| -> Result<Chan, String> {
        if c == "null" {
            Ok(Chan::Null)
        } else if let Some(n) = c.strip_prefix("fd:") {
            n.parse::<i32>()
                .ok()
                .filter(|n| *n >= 0)
                .map(Chan::Fd)
                .ok_or_else(|| format!("bad fd channel '{c}'"))
        } else if ["pty", "pts", "port:", "tty:", "xterm"]
            .iter()
            .any(|p| c.starts_with(p))
        {
            Err(format!(
                "channel type '{c}' is not supported yet (use fd:N or null)"
            ))
        } else {
            Err(format!("unknown channel '{c}'"))
        }
    };
    match spec.split_once(',') {
        Some((i, o)) => Ok(Line::Chans {
            input: chan(i)?,
            output: chan(o)?,
        }),
        None => {
            let c = chan(spec)?;
            Ok(Line::Chans {
                input: c.clone(),
                output: c,
            })
        }
    }
}

/// Parses the words after the program name.
pub fn parse(args: &[String]) -> Result<Command, ParamError> {
    let mut c = BootConfig {
        root: String::new(),
        rootfstype: None,
        rootflags: None,
        read_only: true,
        init: None,
        mem: 64 << 20,
        nr_cpus: 1,
        cpus: Vec::new(),
        umid: None,
        hostname: None,
        hostfs_prefix: None,
        quiet: false,
        consoles: vec![Line::None; 16],
        init_args: Vec::new(),
        init_env: Vec::new(),
        ubd: Vec::new(),
        nics: Vec::new(),
        root_disk: None,
        cmdline: String::new(),
    };
    let mut con_default: Option<Line> = None;
    let mut con_n: Vec<Option<Line>> = vec![None; 16];
    let mut ubd: Vec<Option<ruml_ubd::param::UbdSpec>> = vec![None; ruml_ubd::param::MAX_DEV];
    let mut ubd_sync = false;
    let mut kernel_words = Vec::new();
    for a in args {
        if a == "--help" {
            return Ok(Command::Help);
        }
        if a == "--version" {
            return Ok(Command::Version);
        }
        let (key, val) = match a.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (a.as_str(), None),
        };
        if key != "umid" {
            kernel_words.push(a.clone());
        }
        match (key, val) {
            ("mem", Some(v)) => {
                c.mem = parse_size(v)
                    .ok_or_else(|| ParamError(format!("mem={v}: not a size (use e.g. 64M)")))?;
                if c.mem < 4 << 20 {
                    return err(format!("mem={v}: too small, ruml needs at least 4M"));
                }
                c.init_env.push(a.clone());
            }
            ("nr_cpus", Some(v)) => {
                c.nr_cpus = v
                    .parse()
                    .ok()
                    .filter(|n| (1..=1024).contains(n))
                    .ok_or_else(|| {
                        ParamError(format!("nr_cpus={v}: not a CPU count (1 to 1024)"))
                    })?;
            }
            ("umid", Some(v)) => {
                if v.is_empty() || v.len() > 63 || v.contains('/') {
                    return err(format!("umid={v}: must be 1 to 63 characters without '/'"));
                }
                if c.umid.is_none() {
                    c.umid = Some(v.to_string());
                }
            }
            ("root", Some(v)) => c.root = v.to_string(),
            ("rootfstype", Some(v)) => c.rootfstype = Some(v.to_string()),
            ("rootflags", Some(v)) => c.rootflags = Some(v.to_string()),
            ("rw", None) => c.read_only = false,
            ("ro", None) => c.read_only = true,
            ("init", Some(v)) => {
                if !v.starts_with('/') {
                    return err(format!("init={v}: must be an absolute path"));
                }
                c.init = Some(v.to_string());
            }
            ("hostname", Some(v)) => {
                if v.is_empty() || v.len() > 64 {
                    return err(format!("hostname={v}: must be 1 to 64 characters"));
                }
                c.hostname = Some(v.to_string());
            }
            ("hostfs", Some(v)) => {
                let dir = v.split(',').next().unwrap_or("");
                if let Some(flag) = v.split(',').nth(1).filter(|f| *f != "append") {
                    return err(format!("hostfs_args - unsupported option - {flag}"));
                }
                c.hostfs_prefix = Some(PathBuf::from(dir));
            }
            ("quiet", None) => c.quiet = true,
            ("console", Some(_)) | ("debug", None) | ("noreboot", None) => {}
            ("con", Some(v)) => {
                con_default = Some(parse_line(v).map_err(|m| {
                    ParamError(format!(
                        "Failed to set up console with configuration string \"{v}\" : {m}"
                    ))
                })?)
            }
            (k, Some(v)) if k.starts_with("con") && k[3..].bytes().all(|b| b.is_ascii_digit()) => {
                let n: usize = k[3..].parse().map_err(|_| {
                    ParamError(format!("Failed to set up console with configuration string \"{a}\" : Couldn't parse device number"))
                })?;
                if n >= 16 {
                    return err(format!(
                        "Failed to set up console with configuration string \"{}\" : Device number out of range",
                        &a[3..]
                    ));
                }
                con_n[n] = Some(parse_line(v).map_err(|m| {
                    ParamError(format!(
                        "Failed to set up console with configuration string \"{}\" : {m}",
                        &a[3..]
                    ))
                })?);
            }
            ("ubd", Some("sync")) => ubd_sync = true,
            ("ubd", _) => return err("fake major not supported any more"),
            (k, v) if k.starts_with("ubd") => {
                let rest = match v {
                    Some(v) => format!("{}={v}", &k[3..]),
                    None => k[3..].to_string(),
                };
                let spec = ruml_ubd::param::parse(&rest, ubd_sync).map_err(|m| {
                    ParamError(format!("Failed to initialize device with \"{rest}\" : {m}"))
                })?;
                if ubd[spec.unit].is_some() {
                    return err(format!(
                        "Failed to initialize device with \"{rest}\" : Device is already configured"
                    ));
                }
                let unit = spec.unit;
                ubd[unit] = Some(spec);
            }
            (k, v) if k.starts_with("eth") => {
                let spec = ruml_net::param::parse_eth(k, v.unwrap_or("")).map_err(ParamError)?;
                if c.nics.iter().any(|n| n.unit == spec.unit) {
                    return err(format!(
                        "{a}: device eth{} is already configured",
                        spec.unit
                    ));
                }
                c.nics.push(spec);
            }
            (k, _) if k.starts_with("ssl") || k.starts_with("vec") => {
                return err(format!("{a}: not supported yet by this ruml"));
            }
            (k, _) if k.starts_with("udb") => {
                return err(format!(
                    "{a} specified on command line is almost certainly a ubd -> udb TYPO"
                ));
            }
            ("uml_dir", Some("")) => return err("uml_dir can't be an empty string"),
            ("uml_dir", Some(_)) => c.init_env.push(a.clone()),
            (_, Some(_)) => c.init_env.push(a.clone()),
            (_, None) => {
                if a.starts_with('-') {
                    return err(format!("{a}: unknown option (try --help)"));
                }
                c.init_args.push(a.clone())
            }
        }
    }
    c.ubd = ubd.into_iter().flatten().collect();
    for (i, l) in con_n.into_iter().enumerate() {
        c.consoles[i] = match (l, &con_default) {
            (Some(l), _) => l,
            (None, Some(d)) => d.clone(),
            (None, None) if i == 0 => Line::Chans {
                input: Chan::Fd(0),
                output: Chan::Fd(1),
            },
            (None, None) => Line::None,
        };
    }
    if c.root.is_empty() && c.rootfstype.is_none() && c.ubd.first().is_some_and(|d| d.unit == 0) {
        // UML's default root is the first disk.
        c.root = "/dev/ubda".into();
    }
    if c.root.is_empty() {
        if c.rootfstype.is_none() {
            return err("no root filesystem: give root=/dev/root rootfstype=hostfs rootflags=DIR");
        }
        c.root = "/dev/root".into();
        kernel_words.push("root=/dev/root".into());
    }
    match c.rootfstype.as_deref() {
        Some("hostfs") => {
            if c.rootflags.is_none() {
                return err("rootfstype=hostfs needs rootflags=<host directory>");
            }
        }
        Some("ext2" | "ext3" | "ext4") | None => {
            let Some(unit) = root_disk(&c.root) else {
                return err(format!(
                    "root={}: not a ubd disk (give root=/dev/ubdX or 98:N, or rootfstype=hostfs)",
                    c.root
                ));
            };
            if !c.ubd.iter().any(|d| d.unit == unit) {
                return err(format!(
                    "root={}: there is no such disk (give ubd{}=IMAGE)",
                    c.root,
                    (b'a' + unit as u8) as char
                ));
            }
            c.root_disk = Some(unit);
        }
        Some(t) => {
            return err(format!(
                "rootfstype={t}: unsupported (hostfs, ext2, ext3 or ext4)"
            ))
        }
    }
    c.cmdline = kernel_words.join(" ");
    Ok(Command::Boot(Box::new(c)))
}

/// The ubd unit a root= value names: /dev/ubdX (X = a..p) or 98:N with N
/// a multiple of 16 (the whole disk, as UML numbers them).
fn root_disk(root: &str) -> Option<usize> {
    if let Some(l) = root.strip_prefix("/dev/ubd") {
        let b = l.as_bytes();
        return (b.len() == 1 && (b'a'..=b'p').contains(&b[0])).then(|| (b[0] - b'a') as usize);
    }
    let (maj, min) = root.split_once(':')?;
    let (maj, min): (u32, u32) = (maj.parse().ok()?, min.parse().ok()?);
    (maj == 98 && min % 16 == 0 && min < 256).then_some((min / 16) as usize)
}

impl BootConfig {
    /// The host directory of the root filesystem (hostfs= prefix applied).
    pub fn root_dir(&self) -> PathBuf {
        let flags = self.rootflags.clone().unwrap_or_default();
        match &self.hostfs_prefix {
            Some(p) => p.join(flags.trim_start_matches('/')),
            None => PathBuf::from(flags),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Command, ParamError> {
        parse(&s.split_whitespace().map(String::from).collect::<Vec<_>>())
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("64M"), Some(64 << 20));
        assert_eq!(parse_size("1g"), Some(1 << 30));
        assert_eq!(parse_size("4096"), Some(4096));
        assert_eq!(parse_size("12Q"), None);
        assert_eq!(parse_size("M"), None);
    }

    #[test]
    fn boot_line() {
        let Ok(Command::Boot(c)) =
            p("root=/dev/root rootfstype=hostfs rootflags=/srv rw init=/init mem=32M umid=vm1 hostname=vm1 FOO=bar single")
        else {
            panic!()
        };
        assert_eq!(c.mem, 32 << 20);
        assert!(!c.read_only);
        assert_eq!(c.init.as_deref(), Some("/init"));
        assert_eq!(c.umid.as_deref(), Some("vm1"));
        assert_eq!(c.init_env, vec!["mem=32M", "FOO=bar"]);
        assert_eq!(c.init_args, vec!["single"]);
        assert!(!c.cmdline.contains("umid"));
        assert_eq!(
            c.consoles[0],
            Line::Chans {
                input: Chan::Fd(0),
                output: Chan::Fd(1)
            }
        );
        assert_eq!(c.consoles[1], Line::None);
    }

    #[test]
    fn bad_params() {
        assert!(p("rootfstype=hostfs rootflags=/ mem=lots").is_err());
        assert!(p("rootfstype=hostfs rootflags=/ con99=null").is_err());
        assert!(p("rootfstype=hostfs rootflags=/ con0=pty").is_err());
        assert!(p("rootfstype=hostfs rootflags=/ init=relative").is_err());
        assert!(p("rootfstype=hostfs").is_err());
        assert!(p("mem=64M").is_err());
        assert!(matches!(p("--version"), Ok(Command::Version)));
    }

    #[test]
    fn consoles() {
        let Ok(Command::Boot(c)) = p("rootfstype=hostfs rootflags=/ con=null con0=fd:3,fd:4")
        else {
            panic!()
        };
        assert_eq!(
            c.consoles[0],
            Line::Chans {
                input: Chan::Fd(3),
                output: Chan::Fd(4)
            }
        );
        assert_eq!(
            c.consoles[5],
            Line::Chans {
                input: Chan::Null,
                output: Chan::Null
            }
        );
    }
}
