//! The files policy-diff writes (its state folder, journals, lock, outbox): never through a
//! symbolic link, readable by their owner only (files 0600, folders 0700), and only in
//! folders no one else can write to — a file planted there could otherwise redirect a write
//! made by a privileged cron job, as ssh refuses a `~/.ssh` others can write to.
//!
//! Every error names the path.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// An error about `path`, keeping the kind of `e`.
pub fn at(path: &Path) -> impl Fn(io::Error) -> io::Error + '_ {
    move |e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return io::Error::new(
                e.kind(),
                format!(
                    "{}: is a symbolic link; policy-diff does not write through links (remove it)",
                    path.display()
                ),
            );
        }
        io::Error::new(e.kind(), format!("{}: {e}", path.display()))
    }
}

/// Creates `dir` (and its missing parents) readable by its owner only, then checks it with
/// [`check_dir`].
pub fn private_dir(dir: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(dir).map_err(at(dir))?;
        }
        Err(e) => return Err(at(dir)(e)),
        Ok(_) => {}
    }
    check_dir(dir)
}

/// Refuses a folder that is a symbolic link, is not a folder, or that group or others can
/// write to; the error says how to fix it.
pub fn check_dir(dir: &Path) -> io::Result<()> {
    let meta = std::fs::symlink_metadata(dir).map_err(at(dir))?;
    let refuse = |why: String| Err(io::Error::new(io::ErrorKind::PermissionDenied, why));
    if meta.file_type().is_symlink() {
        return refuse(format!(
            "{}: is a symbolic link; policy-diff writes only into a real folder (replace the link with a folder)",
            dir.display()
        ));
    }
    if !meta.is_dir() {
        return refuse(format!("{}: is not a folder", dir.display()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o022 != 0 {
            let who = match (mode & 0o020 != 0, mode & 0o002 != 0) {
                (true, true) => "its group and all users",
                (true, false) => "its group",
                _ => "all users",
            };
            return refuse(format!(
                "{}: can be written to by {who} (mode {mode:o}), who could plant links in it; fix it with: chmod go-w {}",
                dir.display(),
                dir.display()
            ));
        }
    }
    Ok(())
}

/// Opens `path` for appending, creating it readable by its owner only. Refuses a symbolic
/// link and anything but a regular file.
pub fn open_append(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(at(path))?;
    if !file.metadata().map_err(at(path))?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: is not a regular file", path.display()),
        ));
    }
    Ok(file)
}

/// Writes a whole file: into a new file with an unpredictable name in the same folder,
/// synced, then renamed over `path` (a rename replaces a link; it never writes through one).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::Builder::new()
        .prefix(".policy-diff-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(at(dir))?;
    file.write_all(bytes).map_err(at(file.path()))?;
    file.as_file().sync_data().map_err(at(path))?;
    file.persist(path).map_err(|e| at(path)(e.error))?;
    Ok(())
}

/// Replaces a file whole with `bytes` (a new file in the same folder, renamed over it), with
/// the given permissions, not synced: for files that are published or edited (pages of a
/// site, a policy in a work tree), not for state. Errors name the path.
pub fn replace_whole(
    path: &Path,
    bytes: &[u8],
    permissions: std::fs::Permissions,
) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::Builder::new()
        .prefix(".policy-diff-")
        .suffix(".tmp")
        .permissions(permissions)
        .tempfile_in(dir)
        .map_err(at(dir))?;
    file.write_all(bytes).map_err(at(path))?;
    file.persist(path).map_err(|e| at(path)(e.error))?;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn links_and_shared_folders_are_refused_with_the_fix() {
        let root = tempfile::tempdir().unwrap();
        let real = root.path().join("real");
        private_dir(&real).unwrap();
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        let link = root.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let e = private_dir(&link).unwrap_err().to_string();
        assert!(e.contains("link: is a symbolic link"), "{e}");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o770)).unwrap();
        let e = private_dir(&real).unwrap_err().to_string();
        assert!(e.contains("its group") && e.contains("chmod go-w"), "{e}");
    }

    #[test]
    fn appending_never_follows_a_link() {
        let root = tempfile::tempdir().unwrap();
        let victim = root.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let link = root.path().join("journal.log");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let e = open_append(&link).unwrap_err().to_string();
        assert!(e.contains("journal.log: is a symbolic link"), "{e}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        let file = root.path().join("new.log");
        open_append(&file).unwrap();
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn an_atomic_write_replaces_a_link_instead_of_following_it() {
        let root = tempfile::tempdir().unwrap();
        let victim = root.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let path = root.path().join("m.eml");
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        write_atomic(&path, b"message").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "message");
        assert!(
            !std::fs::symlink_metadata(&path)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
