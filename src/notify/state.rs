//! State shared by every way of running `check` (hook, cron, by hand), kept in the watched
//! repository's git directory so that it travels with it:
//!
//! - `refs/policy-diff/notified`: the last commit whose changes were fully delivered; moved
//!   with compare-and-swap only after delivery;
//! - `policy-diff/journal/<id>.log`: who already received notification `<id>`, appended to
//!   as each server acceptance comes in, so that a rerun sends only to those missing; who
//!   refused it for good; and who was deferred (a temporary failure), since when. A journal
//!   outlives its notification while someone in it is deferred: it is then the retry queue
//!   of that notification, read by every run until each deferred recipient is done;
//! - `policy-diff/lock`: one run at a time per repository.

use super::NotifyError;
use crate::private_fs::{at, open_append, private_dir};
use git2::{Oid, Repository};
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The ref that records the last fully notified commit.
pub const NOTIFIED_REF: &str = "refs/policy-diff/notified";

/// The folder for policy-diff's files inside a git directory.
pub fn state_dir(repo: &Repository) -> PathBuf {
    repo.path().join("policy-diff")
}

/// The lock of one watched repository; released when dropped (or when the process dies).
pub struct Lock {
    _file: File,
}

/// Takes the repository's lock, waiting up to `wait` for another run to finish. `Ok(None)`:
/// another run still holds it.
pub fn lock(repo: &Repository, wait: Duration) -> std::io::Result<Option<Lock>> {
    let dir = state_dir(repo);
    private_dir(&dir)?;
    let path = dir.join("lock");
    let file = open_append(&path)?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(Lock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(100))
            }
            Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
            Err(std::fs::TryLockError::Error(e)) => return Err(at(&path)(e)),
        }
    }
}

/// The notified ref as found: absent, a commit, or something `check` cannot use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notified {
    /// No baseline was recorded yet.
    Absent,
    /// The last fully notified commit (which may be gone from the object store).
    At(Oid),
    /// The ref exists but does not name a commit: what is wrong with it.
    Unreadable(String),
}

/// Reads the notified ref.
pub fn read_notified(repo: &Repository) -> Notified {
    let reference = match repo.find_reference(NOTIFIED_REF) {
        Ok(r) => r,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Notified::Absent,
        Err(e) => return Notified::Unreadable(e.message().to_string()),
    };
    let Some(id) = reference.target() else {
        let to = reference.symbolic_target().ok().flatten().unwrap_or("?");
        return Notified::Unreadable(format!("it is a symbolic ref (to {to}), not a commit id"));
    };
    match repo.find_object(id, None).map(|o| o.kind()) {
        Ok(Some(git2::ObjectType::Commit)) | Err(_) => Notified::At(id),
        Ok(kind) => Notified::Unreadable(format!(
            "it names {id}, a {} object, not a commit",
            kind.map_or("unknown", |k| k.str())
        )),
    }
}

/// The last fully notified commit, if a baseline was recorded and the ref is readable.
pub fn notified(repo: &Repository) -> Option<Oid> {
    match read_notified(repo) {
        Notified::At(id) => Some(id),
        _ => None,
    }
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

/// Replaces an unreadable notified ref with `to` (`check --rebaseline`). The broken ref is
/// removed first: git cannot update a ref it cannot read.
pub fn replace_notified(repo: &Repository, to: Oid, why: &str) -> Result<(), NotifyError> {
    let loose = repo.path().join(NOTIFIED_REF);
    match std::fs::symlink_metadata(&loose) {
        Ok(_) => std::fs::remove_file(&loose).map_err(|e| NotifyError::State {
            what: "cannot remove the unreadable notified ref",
            source: at(&loose)(e),
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(NotifyError::State {
                what: "cannot read the notified ref",
                source: at(&loose)(e),
            });
        }
    }
    if let Ok(mut r) = repo.find_reference(NOTIFIED_REF) {
        r.delete()?;
    }
    repo.reference(NOTIFIED_REF, to, true, why)?;
    Ok(())
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
    deferred: HashMap<String, Deferred>,
    skipped: Vec<usize>,
}

/// A recipient whose message failed for now: retried on each run until done, or until the
/// retry lifetime counted from `since` is over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deferred {
    /// The first temporary failure, in seconds since the Unix epoch.
    pub since: u64,
    /// What the server said then.
    pub why: String,
}

const HEADER: &str = "policy-diff journal v1";

/// What a journal file says, read leniently.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct Records {
    /// Recipients delivered to (lowercase addresses).
    pub sent: HashSet<String>,
    /// Recipients that refused for good, with the reason.
    pub failed: HashMap<String, String>,
    /// Recipients deferred by a temporary failure (the first record of each counts).
    pub deferred: HashMap<String, Deferred>,
    /// Lines (numbered from 1) that are not records.
    pub skipped: Vec<usize>,
}

impl Records {
    /// The recipients deferred and not done since (lowercase addresses), by address.
    pub fn outstanding(&self) -> Vec<(&str, &Deferred)> {
        let mut out: Vec<(&str, &Deferred)> = self
            .deferred
            .iter()
            .filter(|(who, _)| !self.sent.contains(*who) && !self.failed.contains_key(*who))
            .map(|(who, d)| (who.as_str(), d))
            .collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// The records of journal `id`, if it can be read (nothing is written).
    pub fn of(repo: &Repository, id: &str) -> Option<Records> {
        let path = state_dir(repo).join("journal").join(format!("{id}.log"));
        // Never read through a link planted in the state folder.
        if !std::fs::symlink_metadata(&path).ok()?.is_file() {
            return None;
        }
        std::fs::read(path).ok().map(|bytes| Records::read(&bytes))
    }

    /// Reads a journal's bytes: invalid UTF-8 (a crash in the middle of a record) is
    /// replaced, lines that are not records are skipped and listed.
    pub fn read(bytes: &[u8]) -> Records {
        let mut records = Records::default();
        let text = String::from_utf8_lossy(bytes);
        // A last line without its newline was cut short by a crash: a `deferred` record there
        // may have lost digits of its time, which would end the retry lifetime at once.
        let cut = (!bytes.is_empty() && !bytes.ends_with(b"\n")).then(|| text.lines().count());
        for (n, line) in text.lines().enumerate() {
            // A line ended after a crash cut it short (see `Journal::open`): not a record.
            if line.contains('\0') {
                records.skipped.push(n + 1);
                continue;
            }
            let mut parts = line.splitn(3, ' ');
            match (parts.next(), parts.next()) {
                (Some("sent"), Some(who)) if !who.is_empty() => {
                    records.sent.insert(who.to_string());
                }
                (Some("failed"), Some(who)) if !who.is_empty() => {
                    let why = parts.next().unwrap_or("").to_string();
                    records.failed.insert(who.to_string(), why);
                }
                (Some("deferred"), Some(who))
                    if !who.is_empty()
                        && cut != Some(n + 1)
                        && let Some((since, why)) = parts
                            .next()
                            .map(|rest| rest.split_once(' ').unwrap_or((rest, "")))
                        && let Ok(since) = since.parse::<u64>() =>
                {
                    records
                        .deferred
                        .entry(who.to_string())
                        .or_insert_with(|| Deferred {
                            since,
                            why: why.to_string(),
                        });
                }
                _ if line.is_empty() || (n == 0 && line.starts_with(HEADER)) => {}
                _ => records.skipped.push(n + 1),
            }
        }
        records
    }
}

impl Journal {
    /// Opens (or starts) the journal of notification `id` from `old` to `new`. A journal is
    /// read leniently: invalid UTF-8 (a crash in the middle of a record) is replaced, and
    /// lines that are not records are skipped and listed in [`Journal::skipped`].
    pub fn open(repo: &Repository, id: &str, old: Oid, new: Oid) -> std::io::Result<Journal> {
        let dir = state_dir(repo).join("journal");
        private_dir(&state_dir(repo))?;
        private_dir(&dir)?;
        let path = dir.join(format!("{id}.log"));
        let mut file = open_append(&path)?;
        let mut bytes = Vec::new();
        std::fs::File::open(&path)
            .and_then(|mut f| std::io::Read::read_to_end(&mut f, &mut bytes))
            .map_err(at(&path))?;
        let Records {
            sent,
            failed,
            deferred,
            skipped,
        } = Records::read(&bytes);
        if bytes.is_empty() {
            file.write_all(format!("{HEADER} {old} {new}\n").as_bytes())
                .map_err(at(&path))?;
        } else if !bytes.ends_with(b"\n") {
            // A line cut short by a crash: end it, marked (a NUL) so that it is never read
            // as a record, and the next record starts a line.
            file.write_all(b"\0\n").map_err(at(&path))?;
        }
        Ok(Journal {
            path,
            file,
            old,
            new,
            sent,
            failed,
            deferred,
            skipped,
        })
    }

    /// Lines of the journal (numbered from 1) that were not records, skipped when it was read.
    pub fn skipped(&self) -> &[usize] {
        &self.skipped
    }

    /// The journal's file.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// A journal left unfinished by an earlier run, going from `old`: (id, old, new).
    pub fn pending(repo: &Repository, old: Oid) -> Option<(String, Oid, Oid)> {
        Journal::list(repo).into_iter().rfind(|(_, o, _)| *o == old)
    }

    /// Every journal (id, old, new), oldest first (by when it was last written).
    pub fn list(repo: &Repository) -> Vec<(String, Oid, Oid)> {
        let dir = state_dir(repo).join("journal");
        let mut found = Vec::new();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        for entry in entries.flatten() {
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
            ) {
                let modified = entry.metadata().and_then(|m| m.modified()).ok();
                found.push((modified, id, o, n));
            }
        }
        found.sort();
        found.into_iter().map(|(_, id, o, n)| (id, o, n)).collect()
    }

    /// Already handled: delivered, or refused for good.
    pub fn is_done(&self, email: &str) -> bool {
        let key = email.to_lowercase();
        self.sent.contains(&key) || self.failed.contains_key(&key)
    }

    /// When and why a recipient was first deferred, if they were and are not done yet.
    pub fn deferred(&self, email: &str) -> Option<&Deferred> {
        let key = email.to_lowercase();
        if self.is_done(&key) {
            return None;
        }
        self.deferred.get(&key)
    }

    /// The recipients deferred and not done yet (lowercase addresses), with since when.
    pub fn outstanding(&self) -> Vec<(&str, &Deferred)> {
        let mut out: Vec<(&str, &Deferred)> = self
            .deferred
            .iter()
            .filter(|(who, _)| !self.is_done(who))
            .map(|(who, d)| (who.as_str(), d))
            .collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
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
        self.file
            .write_all(format!("sent {key}\n").as_bytes())
            .map_err(at(&self.path))?;
        self.sent.insert(key);
        Ok(())
    }

    /// Records a permanent refusal: not retried.
    pub fn record_failed(&mut self, email: &str, reason: &str) -> std::io::Result<()> {
        let key = email.to_lowercase();
        let reason = crate::config::clean_header_text(reason);
        self.file
            .write_all(format!("failed {key} {reason}\n").as_bytes())
            .map_err(at(&self.path))?;
        self.failed.insert(key, reason);
        Ok(())
    }

    /// Records a temporary failure: the recipient is retried on later runs. Only the first
    /// is written (it starts the retry lifetime); later ones change nothing.
    pub fn record_deferred(
        &mut self,
        email: &str,
        since: u64,
        reason: &str,
    ) -> std::io::Result<()> {
        let key = email.to_lowercase();
        if self.deferred.contains_key(&key) {
            return Ok(());
        }
        let why = crate::config::clean_header_text(reason);
        self.file
            .write_all(format!("deferred {key} {since} {why}\n").as_bytes())
            .map_err(at(&self.path))?;
        self.deferred.insert(key, Deferred { since, why });
        Ok(())
    }

    /// Makes the journal durable (end of a run).
    pub fn sync(&self) -> std::io::Result<()> {
        self.file.sync_data().map_err(at(&self.path))
    }

    /// The notification is complete and the ref has moved: the journal is no longer needed.
    pub fn finish(self) -> std::io::Result<()> {
        drop(self.file);
        std::fs::remove_file(&self.path).map_err(at(&self.path))
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
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
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

    #[test]
    fn the_first_deferral_of_a_recipient_counts_until_they_are_done() {
        let r = Records::read(
            b"policy-diff journal v1 a b\ndeferred ada@x.example 100 451 4.2.2 full\n\
              deferred ada@x.example 200 451 again\ndeferred bo@x.example 150\n\
              deferred cy@x.example soon 451\ndeferred \nsent bo@x.example\n",
        );
        assert_eq!(
            r.deferred.get("ada@x.example"),
            Some(&Deferred {
                since: 100,
                why: "451 4.2.2 full".into()
            })
        );
        assert_eq!(r.deferred.get("bo@x.example").map(|d| d.since), Some(150));
        // Delivered since: no longer owed.
        assert_eq!(
            r.outstanding()
                .iter()
                .map(|(who, _)| *who)
                .collect::<Vec<_>>(),
            ["ada@x.example"]
        );
        assert_eq!(r.skipped, [5, 6]);

        // A deferral cut short by a crash (its time lost digits) is not a record, neither
        // while it is the last line nor once a later run has ended it.
        let cut = Records::read(b"policy-diff journal v1 a b\ndeferred ada@x.example 17");
        assert_eq!(cut.deferred.get("ada@x.example"), None);
        assert_eq!(cut.skipped, [2]);
        let ended = Records::read(
            b"policy-diff journal v1 a b\ndeferred ada@x.example 17\0\nsent bo@x.example\n",
        );
        assert_eq!(ended.deferred.get("ada@x.example"), None);
        assert!(ended.sent.contains("bo@x.example"));

        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let (old, new) = (Oid::ZERO_SHA1, Oid::from_bytes(&[1; 20]).unwrap());
        let mut journal = Journal::open(&repo, "n1", old, new).unwrap();
        journal
            .record_deferred("Ada@x.example", 10, "451 full")
            .unwrap();
        journal
            .record_deferred("ada@x.example", 20, "451 again")
            .unwrap();
        drop(journal);
        let mut journal = Journal::open(&repo, "n1", old, new).unwrap();
        assert_eq!(journal.deferred("ada@x.example").map(|d| d.since), Some(10));
        assert!(!journal.is_done("ada@x.example"));
        journal.record_sent("ada@x.example").unwrap();
        assert!(journal.outstanding().is_empty());
        assert_eq!(journal.deferred("ada@x.example"), None);
        let text = std::fs::read_to_string(journal.path()).unwrap();
        assert_eq!(text.matches("deferred ").count(), 1, "{text}");
    }

    #[test]
    fn records_need_an_address_and_other_lines_are_skipped() {
        let r = Records::read(
            b"policy-diff journal v1 a b\nsent ada@x.example\nsent \nfailed bo@x.example 550 no\nfailed \n\nnoise\nsent jos\xc3",
        );
        assert!(r.sent.contains("ada@x.example") && r.sent.contains("jos\u{fffd}"));
        assert_eq!(r.sent.len(), 2);
        assert_eq!(
            r.failed.get("bo@x.example").map(String::as_str),
            Some("550 no")
        );
        assert_eq!(r.failed.len(), 1);
        assert_eq!(r.skipped, [3, 5, 7]);
        // The header is the first line only: elsewhere it is not a record, and a first line
        // that is not the header is reported.
        let r = Records::read(b"garbage\nsent ada@x.example\npolicy-diff journal v1 a b\n");
        assert_eq!(r.skipped, [1, 3]);
        assert_eq!(r.sent.len(), 1);
    }
}
