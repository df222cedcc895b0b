//! File names as git has them, and where policy-diff may write them.
//!
//! Git stores a path as bytes separated by `/`; nothing else separates. On Linux `\` is an
//! ordinary character, so a file named `legal\privacy.md` is not `legal/privacy.md`, and
//! the bytes of a name need not be UTF-8. Names are carried as strings in an injective
//! spelling ([`from_git`]): two different byte names never become the same string, and
//! [`to_bytes`] gives the exact bytes back (to read or write the work tree's file).
//!
//! Every file policy-diff writes from a name (site pages, `lint --fix`) stays under its
//! root: [`check_relative`] refuses absolute names, `.`/`..` and empty parts, and control
//! characters; [`check_no_links`] refuses a folder on the way that is a symbolic link.

use std::path::{Path, PathBuf};

/// The string of a path as git has it (bytes): valid UTF-8 stays as it is, except that a
/// backslash starting `\x` and two hex digits is written `\x5c`; each byte that is not
/// valid UTF-8 is written `\xHH`.
///
/// ```
/// use policy_diff::paths::{from_git, to_bytes};
/// assert_eq!(from_git(b"legal\\privacy.md"), "legal\\privacy.md");
/// assert_eq!(from_git(b"caf\xe9.md"), "caf\\xe9.md");
/// assert_eq!(from_git(b"caf\\xe9.md"), "caf\\x5cxe9.md");
/// assert_eq!(to_bytes(&from_git(b"caf\xe9.md")), b"caf\xe9.md");
/// ```
pub fn from_git(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        push_escaping_backslashes(chunk.valid(), &mut out);
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// A backslash that would read back as a byte escape is itself escaped.
fn push_escaping_backslashes(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        if hex_escape_at(&rest.as_bytes()[i..]).is_some() {
            out.push_str("\\x5c");
        } else {
            out.push('\\');
        }
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// The byte of `\xHH` at the start of `s`, if it starts so.
fn hex_escape_at(s: &[u8]) -> Option<u8> {
    match s {
        [b'\\', b'x', h, l, ..] if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
            let digit = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            Some(digit(*h) * 16 + digit(*l))
        }
        _ => None,
    }
}

/// The bytes of a path spelled by [`from_git`].
pub fn to_bytes(name: &str) -> Vec<u8> {
    let s = name.as_bytes();
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match hex_escape_at(&s[i..]) {
            Some(b) => {
                out.push(b);
                i += 4;
            }
            None => {
                out.push(s[i]);
                i += 1;
            }
        }
    }
    out
}

/// The file of a path spelled by [`from_git`] under `root` (its real bytes).
pub fn under(root: &Path, name: &str) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    root.join(std::ffi::OsStr::from_bytes(&to_bytes(name)))
}

/// Refuses a name that could leave the folder it is written under, or act on a terminal
/// or a log: absolute, with an empty, `.` or `..` part, or with a control character. The
/// error says why, to follow "the name" (`"is an absolute path"`); the caller names the path.
pub fn check_relative(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("is empty");
    }
    if name.starts_with('/') {
        return Err("is an absolute path");
    }
    if name.chars().any(char::is_control) {
        return Err("has a control character");
    }
    for part in name.split('/') {
        match part {
            "" => return Err("has an empty part"),
            "." | ".." => return Err("has a '.' or '..' part"),
            _ => {}
        }
    }
    Ok(())
}

/// Refuses a symbolic link, or anything but a folder, among the folders from `root`
/// (excluded: it may be a link its owner made) down to `dir`, which lies under `root`.
/// Folders that do not exist yet are fine (they will be made as real folders).
pub fn check_no_links(root: &Path, dir: &Path) -> std::io::Result<()> {
    let Ok(rel) = dir.strip_prefix(root) else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{}: not under {}", dir.display(), root.display()),
        ));
    };
    let mut at = root.to_path_buf();
    for part in rel.components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!(
                        "{}: is a symbolic link; policy-diff does not write through links (remove it)",
                        at.display()
                    ),
                ));
            }
            Ok(m) if !m.is_dir() => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    format!("{}: is not a folder", at.display()),
                ));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(crate::private_fs::at(&at)(e)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_byte_names_stay_distinct_and_read_back() {
        let names: [&[u8]; 8] = [
            b"a\\b.md",
            b"a/b.md",
            b"\xff.md",
            b"\\xff.md",
            b"\\x5cxff.md",
            b"\\x5c.md",
            b"\\x",
            b"\xc3\xa9\\x4",
        ];
        let spelled: Vec<String> = names.iter().map(|n| from_git(n)).collect();
        for (i, a) in spelled.iter().enumerate() {
            assert_eq!(to_bytes(a), names[i], "{a}");
            for b in &spelled[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(spelled[0], "a\\b.md");
        assert_eq!(spelled[7], "é\\x4");
    }

    #[test]
    fn names_that_leave_their_folder_are_refused() {
        for bad in [
            "",
            "/srv/www",
            "../x.md",
            "a/../../x.md",
            "a//b.md",
            "./a.md",
            "a/.",
            "a\nb.md",
            "\u{1b}[2J.md",
            "a\u{85}.md",
        ] {
            assert!(check_relative(bad).is_err(), "{bad:?}");
        }
        for good in [
            "a.md",
            "legal\\privacy.md",
            "..\\..\\escaped.md",
            "\\srv\\www",
            "..a/b..md",
            "é/ü.md",
        ] {
            assert!(check_relative(good).is_ok(), "{good:?}");
        }
    }
}
