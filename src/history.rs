//! `policy-diff log`: every change to every policy, newest first, rename-aware.
//!
//! Walks the history once; each version is parsed once (a commit's old version is the next
//! older commit's new version, kept from one step to the next).

use crate::diff::DiffOptions;
use crate::document::{Document, Format, parse_owned};
use crate::parallel::par_map_largest_first;
use crate::report::{DocumentReport, compare_documents};
use crate::rules::Rules;
use crate::source::{PolicyFilter, PolicyRepo, SourceError};
use git2::Oid;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// One commit that changed at least one policy, with its documents: each document's report,
/// or what [`walk`] was asked to make of it (its rendered output).
#[derive(Debug, Clone)]
pub struct LogEntry<D = DocumentReport> {
    /// The commit.
    pub commit: Oid,
    /// Its first parent (`None` for a root commit).
    pub parent: Option<Oid>,
    /// Commit time, seconds since the epoch.
    pub time: i64,
    /// First line of the message.
    pub summary: String,
    /// The changed policies.
    pub documents: Vec<D>,
}

impl<D> LogEntry<D> {
    /// The same entry with each document mapped by `f`.
    pub fn map_documents<E>(&self, f: impl FnMut(&D) -> E) -> LogEntry<E> {
        LogEntry {
            commit: self.commit,
            parent: self.parent,
            time: self.time,
            summary: self.summary.clone(),
            documents: self.documents.iter().map(f).collect(),
        }
    }
}

/// The commit a compared document belongs to, as [`walk`] tells the callback that takes
/// each document's report.
#[derive(Debug, Clone, Copy)]
pub struct CommitInfo<'a> {
    /// The commit.
    pub commit: Oid,
    /// Commit time, seconds since the epoch.
    pub time: i64,
    /// First line of the message.
    pub summary: &'a str,
}

/// Options of a history walk.
#[derive(Debug, Clone, Copy)]
pub struct LogOptions<'a> {
    /// How the documents at each path are read and compared.
    pub rules: &'a Rules,
    /// What each diff computes (word ops only when they are shown).
    pub diff: DiffOptions,
    /// Threads that parse and compare; 0: one per core (at most 8).
    pub threads: usize,
}

/// Commits handled together (at most): their documents are parsed and compared in parallel.
/// A batch also ends once the versions it changes reach [`BATCH_BYTES`]: large enough that a
/// round's work is not spent waiting for its largest task, small enough to bound memory
/// (a batch holds up to two versions of each changed policy).
const BATCH_COMMITS: usize = 32;

/// Bytes of changed versions (old and new) after which a batch ends.
const BATCH_BYTES: usize = 3 << 19;

/// A commit of the batch being worked on, and what changed in it.
struct Pending {
    commit: Oid,
    parent: Option<Oid>,
    time: i64,
    summary: String,
    changes: Vec<crate::source::ChangedPath>,
}

/// What the reader thread hands over for a batch of commits: what changed, and the texts of
/// the versions not read before.
struct Batch {
    /// Commits of the batch (merges included), for progress.
    commits: usize,
    pending: Vec<Pending>,
    /// (blob, path it was read under, text) of each version to parse.
    /// The text is taken (once) by the task that parses it.
    texts: Vec<(Oid, String, Mutex<String>)>,
    /// Binary versions: their documents are left out.
    skipped: HashSet<Oid>,
    warnings: Vec<String>,
}

/// Walks the history from `tip` (down to `since`, left out, when given), newest first, calling `entry` for each commit that changed
/// a policy and `progress(done, total)` as commits are done. Merge commits are skipped (their
/// changes are those of the merged commits), as `git log -p` does. Each document's report
/// is turned into what the entry holds by `document` (for example its rendered output), on
/// the thread that compared it, as soon as it is made: a report with its word ops can be
/// much larger than its output.
///
/// A reader thread walks git (sequential by nature) a batch of commits ahead, while the
/// batch before is parsed and compared on all cores; entries come out in history order.
/// Each version is read and parsed once: a commit's old version is the next older commit's
/// new version, kept from one batch to the next.
// Three callbacks (a document, an entry, progress), each run where it must be.
#[allow(clippy::too_many_arguments)]
pub fn walk<D: Send>(
    repo: &PolicyRepo,
    tip: Oid,
    since: Option<Oid>,
    filter: &PolicyFilter,
    options: LogOptions<'_>,
    warnings: &mut Vec<String>,
    document: impl Fn(CommitInfo<'_>, DocumentReport) -> D + Sync,
    mut entry: impl FnMut(LogEntry<D>) -> std::io::Result<()>,
    mut progress: impl FnMut(usize, usize),
) -> Result<(), LogError> {
    let commits = repo.history_since(tip, since)?;
    let total = commits.len();
    let threads = crate::parallel::threads(options.threads);
    let gitdir = repo.git().path().to_path_buf();
    std::thread::scope(|scope| {
        // One batch waits while one is worked on: memory stays bounded.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Batch, LogError>>(1);
        let commits = &commits;
        scope.spawn(move || read_all(&gitdir, commits, filter, tx));
        // Rounds: the versions of one batch are parsed while the pairs of the batch before
        // (already parsed) are compared, all as one set of tasks on all cores.
        let mut current: Option<(Batch, Docs)> = None;
        let mut done = 0;
        let mut incoming = rx.into_iter();
        loop {
            let next = incoming.next().transpose()?;
            if next.is_none() && current.is_none() {
                return Ok(());
            }
            let tasks = round_tasks(current.as_ref().map(|c| &c.0), next.as_ref());
            // The largest tasks first, so that the round does not end waiting on one of them.
            let docs = current.as_ref().map(|c| &c.1);
            let cost = |task: &Task| task_cost(task, docs);
            let results = par_map_largest_first(&tasks, threads, cost, |task| {
                run_task(task, docs, options, &document)
            });
            drop(tasks);
            // The next batch's documents: the versions kept from this one, and its own.
            let mut next_docs: Docs = HashMap::new();
            let mut by_commit: Vec<Vec<D>> = Vec::new();
            if let Some((batch, _)) = &current {
                by_commit = (0..batch.pending.len()).map(|_| Vec::new()).collect();
            }
            for result in results {
                match result {
                    Done::Parsed(blob, doc) => {
                        next_docs.insert(blob, doc);
                    }
                    Done::Compared(i, report) => by_commit[i].push(report),
                    Done::Hidden => {}
                }
            }
            if let Some((batch, docs)) = current.take() {
                // Keep the old versions: the next (older) batch starts with them as new ones.
                for b in old_blobs(&batch.pending) {
                    if let Some(d) = docs.get(&b) {
                        next_docs.insert(b, d.clone());
                    }
                }
                for (p, documents) in batch.pending.into_iter().zip(by_commit) {
                    if !documents.is_empty() {
                        entry(LogEntry {
                            commit: p.commit,
                            parent: p.parent,
                            time: p.time,
                            summary: p.summary,
                            documents,
                        })?;
                    }
                }
                done += batch.commits;
                progress(done, total);
            }
            if let Some(mut batch) = next {
                warnings.append(&mut batch.warnings);
                batch.texts = Vec::new();
                current = Some((batch, next_docs));
            }
        }
    })
}

/// The documents of a batch's versions, by blob.
type Docs = HashMap<Oid, Arc<Document>>;

/// The reader thread: reads the commits batch by batch and hands each batch over, until the
/// commits are done or the walk stopped (the channel closed).
fn read_all(
    gitdir: &std::path::Path,
    commits: &[Oid],
    filter: &PolicyFilter,
    tx: std::sync::mpsc::SyncSender<Result<Batch, LogError>>,
) {
    // libgit2 repositories are not shared between threads: the reader opens its own.
    let repo = match PolicyRepo::discover(gitdir) {
        Ok(repo) => repo,
        Err(e) => return drop(tx.send(Err(e.into()))),
    };
    let mut kept = HashSet::new();
    let mut rest = commits;
    while !rest.is_empty() {
        let read = read_batch(&repo, &mut rest, filter, &mut kept);
        let failed = read.is_err();
        // A closed channel: the walk stopped (an error, or a closed output).
        if tx.send(read).is_err() || failed {
            return;
        }
    }
}

/// A round's tasks: parse the versions of `next`, compare the pairs of `current` (whose
/// versions are parsed), leaving out binary versions.
fn round_tasks<'a>(current: Option<&'a Batch>, next: Option<&'a Batch>) -> Vec<Task<'a>> {
    let parse = next.iter().flat_map(|b| b.texts.iter().map(Task::Parse));
    let compare = current.into_iter().flat_map(|batch| {
        let binary = |blob: Option<Oid>| blob.is_some_and(|b| batch.skipped.contains(&b));
        batch
            .pending
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.changes.iter().map(move |c| (i, p, c)))
            .filter(move |(_, _, c)| !binary(c.old_blob) && !binary(c.new_blob))
            .map(|(i, p, c)| Task::Compare(i, p, c))
    });
    parse.chain(compare).collect()
}

/// What a task costs, roughly: the bytes it reads (comparing, with aligning, words and output,
/// costs more than parsing).
fn task_cost(task: &Task, docs: Option<&Docs>) -> usize {
    let size = |blob: &Option<Oid>| {
        blob.and_then(|b| docs?.get(&b)).map_or(0, |d| {
            d.sections.iter().map(|s| s.text.len()).sum::<usize>()
        })
    };
    match task {
        Task::Parse((_, _, text)) => text.lock().map_or(0, |t| t.len()),
        Task::Compare(_, _, c) => 4 * (size(&c.old_blob) + size(&c.new_blob)),
    }
}

/// A unit of work of a round: parse a version, or compare a pair of the batch before.
enum Task<'a> {
    Parse(&'a (Oid, String, Mutex<String>)),
    Compare(usize, &'a Pending, &'a crate::source::ChangedPath),
}

/// Does one task of a round: `docs` are the parsed versions of the batch being compared.
fn run_task<D>(
    task: &Task<'_>,
    docs: Option<&Docs>,
    options: LogOptions<'_>,
    document: &impl Fn(CommitInfo<'_>, DocumentReport) -> D,
) -> Done<D> {
    match task {
        Task::Parse((blob, name, text)) => {
            let text = std::mem::take(&mut *text.lock().expect("a parse task panicked"));
            Done::Parsed(
                *blob,
                Arc::new(parse_owned(
                    text,
                    Format::from_path(name),
                    options.rules.for_path(name).parse,
                )),
            )
        }
        Task::Compare(i, p, c) => {
            let docs = docs.expect("compare tasks have a batch");
            let doc = |blob: Option<Oid>| blob.and_then(|b| docs.get(&b)).map(|d| &**d);
            let info = CommitInfo {
                commit: p.commit,
                time: p.time,
                summary: &p.summary,
            };
            let report = compare_documents(
                &c.path,
                c.old_path.as_deref(),
                doc(c.old_blob),
                doc(c.new_blob),
                options.diff,
                &options.rules.for_path(&c.path).noise,
            );
            // A change to the metadata alone is hidden like no change.
            match report.metadata_only {
                true => Done::Hidden,
                false => Done::Compared(*i, document(info, report)),
            }
        }
    }
}

/// What a [`Task`] produced.
enum Done<D> {
    Parsed(Oid, Arc<Document>),
    Compared(usize, D),
    Hidden,
}

fn old_blobs(pending: &[Pending]) -> impl Iterator<Item = Oid> + '_ {
    pending
        .iter()
        .flat_map(|p| p.changes.iter().filter_map(|c| c.old_blob))
}

/// Reads what changed in a batch of commits and the texts of versions not read before.
/// `kept` holds the versions the parsing side keeps from the batch before (the old versions
/// of its changes); it is updated for the next batch.
fn read_batch(
    repo: &PolicyRepo,
    commits: &mut &[Oid],
    filter: &PolicyFilter,
    kept: &mut HashSet<Oid>,
) -> Result<Batch, LogError> {
    let mut pending: Vec<Pending> = Vec::new();
    let mut taken = 0;
    let mut texts: Vec<(Oid, String, Mutex<String>)> = Vec::new();
    let mut read = HashSet::new();
    let mut skipped = HashSet::new();
    let mut warnings = Vec::new();
    // Bytes of the texts read: the measure of the batch's work.
    let mut size = 0;
    while let Some((&id, rest)) = commits.split_first() {
        if taken == BATCH_COMMITS || size >= BATCH_BYTES {
            break;
        }
        *commits = rest;
        taken += 1;
        let commit = repo.git().find_commit(id)?;
        if commit.parent_count() > 1 {
            continue;
        }
        let parent = commit.parent_ids().next();
        let changes = repo.changed_paths(parent, id, filter)?;
        if changes.is_empty() {
            continue;
        }
        let full = id.to_string();
        let at = crate::source::short_id(&full);
        for c in &changes {
            let old_name = c.old_path.as_deref().unwrap_or(&c.path);
            for (blob, name) in [(c.new_blob, c.path.as_str()), (c.old_blob, old_name)] {
                let Some(blob) = blob else { continue };
                if kept.contains(&blob) || skipped.contains(&blob) || !read.insert(blob) {
                    continue;
                }
                match repo.read_blob(blob, name) {
                    Ok(text) => {
                        if let Some(w) = text.warning {
                            warnings.push(format!("{w} (at {at})"));
                        }
                        size += text.text.len();
                        texts.push((blob, name.to_string(), Mutex::new(text.text)));
                    }
                    Err(SourceError::Binary { path }) => {
                        warnings.push(format!("{path} at {at}: binary file skipped"));
                        read.remove(&blob);
                        skipped.insert(blob);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        pending.push(Pending {
            commit: id,
            parent,
            time: commit.time().seconds(),
            summary: commit.summary().ok().flatten().unwrap_or("").to_string(),
            changes,
        });
    }
    // What the parsing side will keep: the old versions it has documents for.
    let next: HashSet<Oid> = old_blobs(&pending)
        .filter(|b| kept.contains(b) || read.contains(b))
        .collect();
    *kept = next;
    Ok(Batch {
        commits: taken,
        pending,
        texts,
        skipped,
        warnings,
    })
}

/// Why the history could not be walked.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// Reading the repository failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// Writing the output failed.
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

impl From<git2::Error> for LogError {
    fn from(e: git2::Error) -> Self {
        LogError::Source(SourceError::Git(e))
    }
}
