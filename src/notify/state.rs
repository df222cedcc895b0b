//! State shared by every way of running `check` (hook, cron, by hand), kept in the watched
//! repository's git directory so that it travels with it:
//!
//! - `refs/policy-diff/notified`: the last commit whose changes were fully delivered; moved
//!   with compare-and-swap only after delivery;
//! - `policy-diff/journal/<id>.log`: who already received notification `<id>`, appended to
//!   as each server acceptance comes in, so that a rerun sends only to those missing;
//! - `policy-diff/lock`: one run at a time per repository.

use git2::{Oid, Repository};
use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The ref that records the last fully notified commit.
pub const NOTIFIED_REF: &str = "refs/policy-diff/notified";

/// The folder for policy-diff's files inside a git directory.
pub fn state_dir(repo: &Repository) -> PathBuf {
    repo.path().join("policy-diff")
}

/// Creates a folder readable by the owner only.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Opens a file for appending, creating it readable by the owner only.
pub fn open_private(path: &Path, append: bool) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true);
    if append {
        options.append(true);
    } else {
        options.write(true).truncate(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// The lock of one watched repository; released when dropped (or when the process dies).
pub struct Lock {
    _file: File,
}

/// Takes the repository's lock, waiting up to `wait` for another run to finish. `Ok(None)`:
/// another run still holds it.
pub fn lock(repo: &Repository, wait: Duration) -> std::io::Result<Option<Lock>> {
    let dir = state_dir(repo);
    create_private_dir(&dir)?;
    let file = open_private(&dir.join("lock"), true)?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(Lock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(100))
            }
            Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
    }
}

/// The last fully notified commit, if a baseline was recorded.
pub fn notified(repo: &Repository) -> Option<Oid> {
    repo.refname_to_id(NOTIFIED_REF).ok()
}

/// Moves the notified ref from `from` to `to`, failing if someone else moved it meanwhile.
pub fn move_notified(
    repo: &Repository,
    from: Option<Oid>,
    to: Oid,
    why: &str,
) -> Result<(), git2::Error> {
    match from {
        Some(from) => repo
            .reference_matching(NOTIFIED_REF, to, true, from, why)
            .map(|_| ()),
        None => repo.reference(NOTIFIED_REF, to, false, why).map(|_| ()),
    }
}

/// Who already received one notification.
pub struct Journal {
    path: PathBuf,
    file: File,
    /// The commits the notification goes from and to.
    pub old: Oid,
    /// See `old`.
    pub new: Oid,
    sent: HashSet<String>,
    failed: HashMap<String, String>,
}

const HEADER: &str = "policy-diff journal v1";

impl Journal {
    /// Opens (or starts) the journal of notification `id` from `old` to `new`.
    pub fn open(repo: &Repository, id: &str, old: Oid, new: Oid) -> std::io::Result<Journal> {
        let dir = state_dir(repo).join("journal");
        create_private_dir(&dir)?;
        let path = dir.join(format!("{id}.log"));
        let (mut sent, mut failed) = (HashSet::new(), HashMap::new());
        if path.exists() {
            for line in BufReader::new(File::open(&path)?).lines() {
                let line = line?;
                let mut parts = line.splitn(3, ' ');
                match (parts.next(), parts.next()) {
                    (Some("sent"), Some(who)) => {
                        sent.insert(who.to_string());
                    }
                    (Some("failed"), Some(who)) => {
                        failed.insert(who.to_string(), parts.next().unwrap_or("").to_string());
                    }
                    _ => {}
                }
            }
        }
        let mut file = open_private(&path, true)?;
        let len = file.metadata()?.len();
        if len == 0 {
            file.write_all(format!("{HEADER} {old} {new}\n").as_bytes())?;
        } else if !std::fs::read(&path)?.ends_with(b"\n") {
            // A line cut short by a crash: end it, so that the next record starts a line.
            file.write_all(b"\n")?;
        }
        Ok(Journal {
            path,
            file,
            old,
            new,
            sent,
            failed,
        })
    }

    /// A journal left unfinished by an earlier run, going from `old`: (id, old, new).
    pub fn pending(repo: &Repository, old: Oid) -> Option<(String, Oid, Oid)> {
        let dir = state_dir(repo).join("journal");
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).ok()?.flatten() {
            let path = entry.path();
            let Some(id) = path
                .file_stem()
                .and_then(|s| s.to_str())
                .map(str::to_string)
            else {
                continue;
            };
            let Ok(file) = File::open(&path) else {
                continue;
            };
            let mut first = String::new();
            if BufReader::new(file).read_line(&mut first).is_err() {
                continue;
            }
            let mut words = first
                .trim()
                .strip_prefix(HEADER)
                .unwrap_or("")
                .split_whitespace();
            if let (Some(Ok(o)), Some(Ok(n))) = (
                words.next().map(Oid::from_str),
                words.next().map(Oid::from_str),
            ) && o == old
            {
                let modified = entry.metadata().and_then(|m| m.modified()).ok();
                found.push((modified, id, o, n));
            }
        }
        found.sort();
        found.pop().map(|(_, id, o, n)| (id, o, n))
    }

    /// Already handled: delivered, or refused for good.
    pub fn is_done(&self, email: &str) -> bool {
        let key = email.to_lowercase();
        self.sent.contains(&key) || self.failed.contains_key(&key)
    }

    /// How many recipients were delivered to.
    pub fn sent_count(&self) -> usize {
        self.sent.len()
    }

    /// Records a delivery. Written before the next message is sent: a crash after this line
    /// cannot cause a second copy.
    pub fn record_sent(&mut self, email: &str) -> std::io::Result<()> {
        let key = email.to_lowercase();
        // One write per record: a crash leaves whole lines, or a cut last line that the
        // next run ends before appending.
        self.file.write_all(format!("sent {key}\n").as_bytes())?;
        self.sent.insert(key);
        Ok(())
    }

    /// Records a permanent refusal: not retried.
    pub fn record_failed(&mut self, email: &str, reason: &str) -> std::io::Result<()> {
        let key = email.to_lowercase();
        let reason = crate::config::clean_header_text(reason);
        self.file
            .write_all(format!("failed {key} {reason}\n").as_bytes())?;
        self.failed.insert(key, reason);
        Ok(())
    }

    /// Makes the journal durable (end of a run).
    pub fn sync(&self) -> std::io::Result<()> {
        self.file.sync_data()
    }

    /// The notification is complete and the ref has moved: the journal is no longer needed.
    pub fn finish(self) -> std::io::Result<()> {
        drop(self.file);
        std::fs::remove_file(&self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_cut_short_by_a_crash_does_not_swallow_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let (old, new) = (Oid::ZERO_SHA1, Oid::from_bytes(&[1; 20]).unwrap());
        let mut journal = Journal::open(&repo, "n1", old, new).unwrap();
        journal.record_sent("ada@example.org").unwrap();
        let path = journal.path.clone();
        drop(journal);
        // A crash in the middle of a record.
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"sent bo").unwrap();
        drop(file);
        let mut journal = Journal::open(&repo, "n1", old, new).unwrap();
        journal.record_sent("cy@example.org").unwrap();
        drop(journal);
        let journal = Journal::open(&repo, "n1", old, new).unwrap();
        assert!(journal.is_done("ada@example.org"));
        assert!(journal.is_done("cy@example.org"));
        assert!(!journal.is_done("bob@example.org"));
    }
}
