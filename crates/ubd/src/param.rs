//! The `ubd<unit>[<flags>]=<file>[<sep><file2>][<sep><serial>]` boot
//! parameter, parsed as UML 6.1 parses it (../shared/spec/cmdline.md §3),
//! with its error messages.

use std::path::PathBuf;

/// How many ubd devices there are (`ubda`..`ubdp`).
pub const MAX_DEV: usize = 16;

/// One configured device.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UbdSpec {
    pub unit: usize,
    /// The image, or the COW file when `backing` is given.
    pub file: PathBuf,
    pub backing: Option<PathBuf>,
    pub serial: Option<String>,
    /// `r`: read-only.
    pub read_only: bool,
    /// `s`: O_SYNC writes.
    pub sync: bool,
    /// `d`: never probe the file for a COW header.
    pub no_cow: bool,
    /// `c`: shared, no host locking.
    pub shared: bool,
    /// `t`: no discard / write-zeroes.
    pub no_trim: bool,
}

impl UbdSpec {
    /// The guest's name for the device: ubda, ubdb, ...
    pub fn name(&self) -> String {
        format!("ubd{}", (b'a' + self.unit as u8) as char)
    }
}

/// C's strtoul with base 0 on a prefix of `s`: the value and the rest.
fn c_number(s: &str) -> Option<(u64, &str)> {
    let (radix, digits) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (16, h)
    } else if s.starts_with('0') && s.len() > 1 && s.as_bytes()[1].is_ascii_digit() {
        (8, &s[1..])
    } else {
        (10, s)
    };
    let end = digits
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(digits.len());
    if end == 0 {
        // "0" alone (or "0x" without digits) parses as 0 up to the x.
        return s.starts_with('0').then(|| (0, &s[1..]));
    }
    let v = u64::from_str_radix(&digits[..end], radix).ok()?;
    Some((v, &digits[end..]))
}

/// Parses what follows "ubd" in one parameter (e.g. "1r=disk.img" or
/// "a=root.cow,root.img"); `sync_default` is the `ubd=sync` state. The
/// error is UML's message for it.
pub fn parse(rest: &str, sync_default: bool) -> Result<UbdSpec, String> {
    let (unit, after) = match rest.chars().next() {
        Some(c @ 'a'..='z') => ((c as u8 - b'a') as u64, &rest[1..]),
        _ => c_number(rest).ok_or_else(|| "Couldn't parse device number".to_string())?,
    };
    if unit as usize >= MAX_DEV {
        return Err("Device number out of range".into());
    }
    let mut spec = UbdSpec {
        unit: unit as usize,
        sync: sync_default,
        ..Default::default()
    };
    let mut chars = after.char_indices();
    let mut flags = 0;
    let value = loop {
        match chars.next() {
            Some((i, '=')) => break &after[i + 1..],
            Some((_, c)) => {
                flags += 1;
                if flags > 6 {
                    return Err("Too many flags specified".into());
                }
                match c {
                    'r' => spec.read_only = true,
                    's' => spec.sync = true,
                    'd' => spec.no_cow = true,
                    'c' => spec.shared = true,
                    't' => spec.no_trim = true,
                    _ => return Err("Expected '=' or flag letter (r, s, c, t or d)".into()),
                }
            }
            None => return Err("Missing '='".into()),
        }
    };
    let mut fields = value.splitn(3, [',', ':']);
    let file = fields.next().unwrap_or("");
    let backing = fields.next().filter(|s| !s.is_empty());
    let serial = fields.next().filter(|s| !s.is_empty());
    if spec.no_cow && backing.is_some() {
        return Err("Can't specify both 'd' and a cow file".into());
    }
    spec.file = PathBuf::from(file);
    spec.backing = backing.map(PathBuf::from);
    spec.serial = serial.map(String::from);
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_flags_and_files() {
        let s = parse("0=root.cow,root.img", false).unwrap();
        assert_eq!((s.unit, s.name()), (0, "ubda".to_string()));
        assert_eq!(s.file, PathBuf::from("root.cow"));
        assert_eq!(s.backing, Some(PathBuf::from("root.img")));
        let s = parse("b=~/a.cow:/x/a.img", false).unwrap();
        assert_eq!((s.unit, s.backing.unwrap()), (1, PathBuf::from("/x/a.img")));
        let s = parse("1r=data.img", false).unwrap();
        assert!(s.read_only && !s.sync);
        let s = parse("2rsdct=/dev/null", true).unwrap();
        assert!(s.read_only && s.sync && s.no_cow && s.shared && s.no_trim);
        let s = parse("3=disk.img,,SERIAL123", false).unwrap();
        assert_eq!((s.backing, s.serial), (None, Some("SERIAL123".into())));
        assert_eq!(parse("0x0f=x", false).unwrap().unit, 15);
        assert_eq!(parse("010=x", false).unwrap().unit, 8);
        assert_eq!(parse("p=x", false).unwrap().unit, 15);
        assert!(parse("4=x", true).unwrap().sync);
    }

    #[test]
    fn uml_error_messages() {
        for (arg, msg) in [
            ("16=x", "Device number out of range"),
            ("q=x", "Device number out of range"),
            ("x=y", "Device number out of range"),
            ("_=y", "Couldn't parse device number"),
            (
                "5d=/dev/null,other",
                "Can't specify both 'd' and a cow file",
            ),
            ("1q=x", "Expected '=' or flag letter (r, s, c, t or d)"),
            ("1rrrrrrr=x", "Too many flags specified"),
            ("1r", "Missing '='"),
        ] {
            assert_eq!(parse(arg, false), Err(msg.to_string()), "{arg}");
        }
    }
}
