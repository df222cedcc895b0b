//! `check --detach`: what the hooks run, so that a commit or a push never waits for the
//! mail. The check starts in its own session (no terminal, standard input from /dev/null)
//! with its output appended to `<git dir>/policy-diff/check.log`, and the command returns at
//! once. The log is bounded: above [`LOG_LIMIT`] it is moved to `check.log.1` (replacing the
//! one before) and a new one is started.
//!
//! Runs stay safe together: the state lock lets one check deliver at a time, up to the branch
//! tip, and a later run finishes what a killed one left.

use crate::config::Config;
use std::path::{Path, PathBuf};

/// The size at which the background log is moved aside.
pub const LOG_LIMIT: u64 = 1 << 20;

/// Why the background check could not be started.
#[derive(Debug, thiserror::Error)]
pub enum BackgroundError {
    /// The configured repository cannot be opened.
    #[error("{} (key: repository): {source}", path.display())]
    Repository {
        /// The repository.
        path: PathBuf,
        /// Why.
        source: git2::Error,
    },
    /// The log, or its folder, cannot be written.
    #[error("{source}")]
    Log {
        /// Why (naming the file).
        source: std::io::Error,
    },
    /// The check cannot be started.
    #[error("cannot start policy-diff check in the background: {0}")]
    Spawn(std::io::Error),
}

/// The background log of a repository.
pub fn log_path(repo: &git2::Repository) -> PathBuf {
    crate::notify::state::state_dir(repo).join("check.log")
}

/// Starts `policy-diff check --config CONFIG` (with `-v` when `verbose`) in the background
/// and returns the line to show: how many subscribers are configured, and where the log is.
pub fn detach(
    config: &Config,
    config_path: &Path,
    verbose: bool,
) -> Result<String, BackgroundError> {
    let repo = git2::Repository::discover(&config.repository).map_err(|source| {
        BackgroundError::Repository {
            path: config.repository.clone(),
            source,
        }
    })?;
    let log = log_path(&repo);
    let mut file = open_log(&log).map_err(|source| BackgroundError::Log { source })?;
    let binary = std::env::current_exe().map_err(BackgroundError::Spawn)?;
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC");
    std::io::Write::write_all(
        &mut file,
        format!("--- {now}: policy-diff check, started in the background ---\n").as_bytes(),
    )
    .map_err(|source| BackgroundError::Log {
        source: crate::private_fs::at(&log)(source),
    })?;
    let errors = file.try_clone().map_err(BackgroundError::Spawn)?;
    let mut command = std::process::Command::new(binary);
    command.arg("check").arg("--config").arg(config_path);
    if verbose {
        command.arg("-v");
    }
    command
        .stdin(std::process::Stdio::null())
        .stdout(file)
        .stderr(errors);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let highest = highest_descriptor();
        // SAFETY: setsid, fcntl and the close_range system call are async-signal-safe and
        // touch no memory: the child becomes the leader of a new session, without a
        // controlling terminal, so that closing the terminal or the hook's process group
        // does not end it; and every descriptor above 2 is closed at exec, so that the check
        // holds no pipe of the hook's callers open.
        unsafe {
            command.pre_exec(move || {
                if libc::setsid() == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                close_inherited_at_exec(highest);
                Ok(())
            });
        }
    }
    command.spawn().map_err(BackgroundError::Spawn)?;
    // Who is mailed is known only once the check has compared the versions: the line says
    // what is configured, not who will be told.
    let n = config.subscribers.len();
    Ok(format!(
        "checking in the background ({n} subscriber{} configured, mailed if a policy they follow changed); log: {}",
        if n == 1 { "" } else { "s" },
        log.display()
    ))
}

/// The highest descriptor number the process may hold (its `RLIMIT_NOFILE`, bounded), read
/// before the fork so that the child only makes system calls.
#[cfg(unix)]
fn highest_descriptor() -> libc::c_int {
    const BOUND: libc::rlim_t = 1 << 20;
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes only into the struct given.
    let got = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    let n = if got == 0 && limit.rlim_cur != libc::RLIM_INFINITY {
        limit.rlim_cur.min(BOUND)
    } else {
        BOUND
    };
    libc::c_int::try_from(n).unwrap_or(libc::c_int::MAX)
}

/// Marks every descriptor above 2 close-on-exec (in the child, between fork and exec).
/// Marking rather than closing keeps the descriptor through which the standard library
/// reports a failed exec working until the exec itself.
#[cfg(unix)]
fn close_inherited_at_exec(highest: libc::c_int) {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: close_range (Linux 5.11) only changes descriptor flags.
        let done = unsafe {
            libc::syscall(
                libc::SYS_close_range,
                3 as libc::c_uint,
                libc::c_uint::MAX,
                libc::CLOSE_RANGE_CLOEXEC,
            )
        };
        if done == 0 {
            return;
        }
    }
    for fd in 3..highest {
        // SAFETY: fcntl on a descriptor that may not be open fails with EBADF and does
        // nothing else.
        unsafe {
            libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
        }
    }
}

/// Opens the log for appending (private, never through a link), first moving it aside when
/// it has grown past [`LOG_LIMIT`].
fn open_log(log: &Path) -> std::io::Result<std::fs::File> {
    let dir = log.parent().unwrap_or(Path::new("."));
    crate::private_fs::private_dir(dir)?;
    if std::fs::symlink_metadata(log).is_ok_and(|m| m.len() > LOG_LIMIT) {
        let old = log.with_extension("log.1");
        std::fs::rename(log, &old).map_err(crate::private_fs::at(log))?;
    }
    crate::private_fs::open_append(log)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_is_moved_aside_past_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let log = state.join("check.log");
        drop(open_log(&log).unwrap());
        std::fs::write(&log, vec![b'x'; LOG_LIMIT as usize + 1]).unwrap();
        let mut file = open_log(&log).unwrap();
        std::io::Write::write_all(&mut file, b"new\n").unwrap();
        assert_eq!(std::fs::read(&log).unwrap(), b"new\n");
        assert_eq!(
            std::fs::metadata(state.join("check.log.1")).unwrap().len(),
            LOG_LIMIT + 1
        );
        // Under the limit, it is appended to.
        drop(open_log(&log).unwrap());
        assert_eq!(std::fs::read(&log).unwrap(), b"new\n");
    }
}
