//! `policy-diff site OUTDIR`: a static changelog of the whole history — an index of the
//! policies, a timeline page per policy, a redline page per change, and Atom feeds (one per
//! policy, one for all).
//!
//! Page names follow from the commit and the path, so a link to a change can be made without
//! the site at hand:
//!
//! ```text
//! index.html                                   the policies, their date and last change
//! feed.atom                                    every change, newest first
//! policies/<path>/index.html                   the timeline of one policy
//! policies/<path>/feed.atom                    its changes
//! policies/<path>/<commit>.html                the redline of one change
//! ```
//!
//! `<path>` is the policy's path in the repository, each part percent-encoded in links. A
//! part named like a page of a policy's folder (`index.html`, `feed.atom`, `<commit>.html`)
//! or starting with `~` is written with a `~` before it, so that a policy `a.md` and a
//! policy `a.md/feed.atom/b.md` never need the same name for a file and a folder. A policy
//! whose name could leave the site's folder (absolute, `..`, a control character) is not
//! published; a warning names it.
//!
//! What the site was built from is kept in `OUTDIR/.policy-diff-site.json`: a rerun reads
//! only the commits that are new, writes their pages and the pages and feeds that list them,
//! and writes nothing when nothing is new. The manifest lists the files the site wrote: a
//! whole rebuild removes those it no longer makes, and never touches another file.
//!
//! No page is written through a symbolic link inside the output folder (the folder itself
//! may be one).

use crate::diff::{Counts, DiffOptions, Status};
use crate::history::{LogEntry, LogOptions, walk};
use crate::render::page::{CommitView, Nav, Pages, RedlineContext, page_document};
use crate::render::{counts_summary, date_change};
use crate::report::DocumentReport;
use crate::rules::Rules;
use crate::source::{PolicyFilter, PolicyRepo};
use git2::Oid;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The file in the output folder that records what the site was built from.
pub const MANIFEST: &str = ".policy-diff-site.json";

/// Entries a feed lists (the newest).
pub const FEED_ENTRIES: usize = 100;

/// What to build.
#[derive(Debug, Clone, Copy)]
pub struct SiteOptions<'a> {
    /// The output folder.
    pub out: &'a Path,
    /// Where the site will be published (`https://policies.example.com/`): feeds link to
    /// absolute addresses. Without it, links are relative.
    pub base_url: Option<&'a str>,
    /// The title of the index page and of the feed of all policies.
    pub title: &'a str,
    /// How documents are read and compared.
    pub rules: &'a Rules,
    /// Threads (0: one per core).
    pub threads: usize,
    /// What else decides the pages (paths, reading options): a site built with other
    /// settings is rebuilt whole.
    pub settings: &'a str,
}

/// What a run did.
#[derive(Debug, Default, Clone, Copy)]
pub struct SiteSummary {
    /// Commits that changed a policy, read in this run.
    pub new_changes: usize,
    /// Files written (pages and feeds).
    pub files_written: usize,
    /// Everything was built again (first run, other settings, or rewritten history).
    pub rebuilt: bool,
    /// Files of an earlier build that the site no longer has, removed.
    pub files_removed: usize,
}

/// One change of one policy, as the site lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    commit: String,
    time: i64,
    summary: String,
    path: String,
    old_path: Option<String>,
    name: String,
    status: Status,
    modified: Option<String>,
    new_modified: Option<String>,
    effective: Option<String>,
    stale_date: bool,
    counts: Counts,
    /// What changed, one line each (the summary's first few, and "and N more…").
    #[serde(default)]
    highlights: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    generator: String,
    settings: String,
    tip: String,
    /// Newest first.
    changes: Vec<Record>,
    /// Every file the site wrote (relative to its folder), but this one.
    #[serde(default)]
    files: Vec<String>,
}

/// The files an earlier manifest lists, even when the rest of it cannot be read.
#[derive(Debug, Default, Deserialize)]
struct ManifestFiles {
    #[serde(default)]
    files: Vec<String>,
}

fn generator() -> String {
    // The number after the version is the manifest's: a site written with another one is
    // built again.
    format!("policy-diff {} (2)", env!("CARGO_PKG_VERSION"))
}

/// Why the site could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// Walking the history failed.
    #[error(transparent)]
    Log(#[from] crate::history::LogError),
    /// Reading the repository failed.
    #[error(transparent)]
    Source(#[from] crate::source::SourceError),
    /// Writing failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Builds (or brings up to date) the site of the history from `tip`.
pub fn build(
    repo: &PolicyRepo,
    tip: Oid,
    filter: &PolicyFilter,
    options: SiteOptions<'_>,
    warnings: &mut Vec<String>,
    progress: impl FnMut(usize, usize),
) -> Result<SiteSummary, SiteError> {
    let out = options.out;
    std::fs::create_dir_all(out).map_err(crate::private_fs::at(out))?;
    let manifest_path = out.join(MANIFEST);
    let (previous, previous_files) = read_manifest(&manifest_path, warnings)?;
    let usable = previous.filter(|m| {
        m.generator == generator()
            && m.settings == options.settings
            && Oid::from_str(&m.tip)
                .is_ok_and(|t| t == tip || repo.git().graph_descendant_of(tip, t).unwrap_or(false))
    });
    if let Some(m) = &usable
        && m.tip == tip.to_string()
    {
        return Ok(SiteSummary::default());
    }
    let since = usable.as_ref().and_then(|m| Oid::from_str(&m.tip).ok());
    let mut old_records = usable.map(|m| m.changes).unwrap_or_default();
    let rebuilt = since.is_none();
    let pages = Pages::new();
    let writer = Writer::new(out);
    // Policies whose names cannot be written under the site's folder, and why.
    let mut refused: BTreeMap<String, &'static str> = BTreeMap::new();
    let mut new_records: Vec<Record> = Vec::new();
    let log = LogOptions {
        rules: options.rules,
        diff: DiffOptions {
            word_ops: true,
            threads: 1,
        },
        threads: options.threads,
    };
    let mut new_changes = 0;
    let mut io_error: Option<std::io::Error> = None;
    walk(
        repo,
        tip,
        since,
        filter,
        log,
        warnings,
        // Each change page is made and written on the thread that compared its versions.
        |commit, report: DocumentReport| {
            if let Err(why) = crate::paths::check_relative(&report.path) {
                return Ok(Made::Refused(report.path, why));
            }
            let record = Record {
                commit: commit.commit.to_string(),
                time: commit.time,
                summary: commit.summary.to_string(),
                ..record_of(&report)
            };
            let fragment = pages.document(&page_document(&report, 1, false));
            let html = change_page(&pages, &record, fragment);
            writer
                .write(&change_file(&record.path, &record.commit), &html)
                .map(|()| Made::Page(Box::new(record)))
        },
        |entry: LogEntry<std::io::Result<Made>>| {
            new_changes += 1;
            for record in entry.documents {
                match record {
                    Ok(Made::Page(record)) => new_records.push(*record),
                    Ok(Made::Refused(path, why)) => {
                        refused.insert(path, why);
                    }
                    Err(e) => {
                        io_error = Some(e);
                        return Err(std::io::Error::other("stopped"));
                    }
                }
            }
            Ok(())
        },
        progress,
    )
    .map_err(|e| match io_error.take() {
        Some(io) => SiteError::Io(io),
        None => SiteError::Log(e),
    })?;
    for (path, why) in &refused {
        warnings.push(format!(
            "{path}: not published on the site: the name {why}, and its pages would be named by it"
        ));
    }
    let changed_paths: BTreeSet<String> = new_records
        .iter()
        .flat_map(|r| std::iter::once(r.path.clone()).chain(r.old_path.clone()))
        .collect();
    new_records.append(&mut old_records);
    let records = new_records;
    // Policies, by the path they have now (renames followed back).
    let groups = group(&records);
    let root_id = repo
        .history(tip)?
        .last()
        .map(|id| id.to_string())
        .unwrap_or_default();
    let mut index_rows = Vec::new();
    for (key, members) in &groups {
        let touched = rebuilt
            || members
                .iter()
                .any(|&i| changed_paths.contains(&records[i].path));
        let row = policy_row(key, members, &records);
        if touched {
            let entries: Vec<&Record> = members.iter().map(|&i| &records[i]).collect();
            // The timeline and feed in the folder of every path the policy had: the change
            // pages made under an earlier name link to them there.
            let dirs: BTreeSet<&str> = entries
                .iter()
                .map(|r| r.path.as_str())
                .chain([key.as_str()])
                .collect();
            for dir in dirs {
                let html = policy_page(&pages, dir, &row, &entries);
                writer.write(&policy_dir(dir).join("index.html"), &html)?;
                let feed = feed(
                    &format!("{}: changes", row.name),
                    &feed_id(&root_id, key),
                    &format!("{}/feed.atom", policy_url(key)),
                    &format!("{}/index.html", policy_url(key)),
                    &entries,
                    options.base_url,
                    &policy_url(dir),
                );
                writer.write(&policy_dir(dir).join("feed.atom"), &feed)?;
            }
        }
        index_rows.push(row);
    }
    index_rows.sort_by_key(|a| a.name.to_lowercase());
    let all: Vec<&Record> = records.iter().collect();
    let html = pages.render(
        "site-index.html",
        &IndexContext {
            title: options.title,
            feed: "feed.atom",
            changes: records.len(),
            policies: index_rows,
        },
    );
    writer.write(Path::new("index.html"), &html)?;
    let feed_all = feed(
        options.title,
        &feed_id(&root_id, ""),
        "feed.atom",
        "index.html",
        &all,
        options.base_url,
        "",
    );
    writer.write(Path::new("feed.atom"), &feed_all)?;
    let written = writer.files();
    let files_written = written.len();
    // A whole rebuild makes every page the site has: the others it made earlier are stale.
    let files_removed = if rebuilt {
        remove_stale(out, &previous_files, &written, warnings)
    } else {
        0
    };
    let files: Vec<String> = if rebuilt {
        written.into_iter().collect()
    } else {
        previous_files
            .into_iter()
            .chain(written)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    // Last: a run stopped before this point is done again by the next.
    let manifest = Manifest {
        generator: generator(),
        settings: options.settings.to_string(),
        tip: tip.to_string(),
        changes: records,
        files,
    };
    let json = serde_json::to_vec(&manifest).map_err(std::io::Error::other)?;
    writer.write_bytes(Path::new(MANIFEST), &json)?;
    Ok(SiteSummary {
        new_changes,
        files_written,
        rebuilt,
        files_removed,
    })
}

/// What the site made of one changed document.
enum Made {
    /// Its change page was written.
    Page(Box<Record>),
    /// Its name cannot be written under the site's folder (the name, why).
    Refused(String, &'static str),
}

/// The manifest of an earlier build (`None` when there is none or it cannot be read), and
/// the files it lists (read on their own when the rest cannot be).
fn read_manifest(
    path: &Path,
    warnings: &mut Vec<String>,
) -> Result<(Option<Manifest>, Vec<String>), SiteError> {
    match std::fs::read(path) {
        Ok(bytes) => match serde_json::from_slice::<Manifest>(&bytes) {
            Ok(mut m) => {
                let files = std::mem::take(&mut m.files);
                Ok((Some(m), files))
            }
            Err(e) => {
                warnings.push(format!(
                    "{}: unreadable ({e}); the site is built again",
                    path.display()
                ));
                let files = serde_json::from_slice::<ManifestFiles>(&bytes)
                    .map(|f| f.files)
                    .unwrap_or_default();
                Ok((None, files))
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((None, Vec::new())),
        Err(e) => Err(crate::private_fs::at(path)(e).into()),
    }
}

/// Removes the files an earlier build wrote (`previous`) that this one did not (`written`):
/// only plain files the manifest lists, under `out`, never through a link; the folders they
/// leave empty go too. What cannot be removed is a warning. Returns how many were removed.
fn remove_stale(
    out: &Path,
    previous: &[String],
    written: &BTreeSet<String>,
    warnings: &mut Vec<String>,
) -> usize {
    let mut removed = 0;
    for rel in previous.iter().filter(|f| !written.contains(*f)) {
        if rel == MANIFEST || crate::paths::check_relative(rel).is_err() {
            continue;
        }
        let path = out.join(rel);
        let Some(dir) = path.parent() else { continue };
        if let Err(e) = crate::paths::check_no_links(out, dir) {
            warnings.push(format!("{e}; the stale page {} is left", path.display()));
            continue;
        }
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_file() => match std::fs::remove_file(&path) {
                Ok(()) => removed += 1,
                Err(e) => warnings.push(format!(
                    "{}: the stale page cannot be removed: {e}",
                    path.display()
                )),
            },
            _ => continue,
        }
        // Folders left empty, up to the site's own.
        let mut dir = dir;
        while dir != out && std::fs::remove_dir(dir).is_ok() {
            let Some(parent) = dir.parent() else { break };
            dir = parent;
        }
    }
    removed
}

fn record_of(report: &DocumentReport) -> Record {
    let d = &report.diff;
    // Named by its path: in archives of other companies' policies, the first heading is
    // often a section's, not the policy's name.
    let name = policy_name(&report.path);
    let highlights = crate::render::what_changed(
        &report.highlights,
        &|t| t.to_string(),
        &crate::render::plain_mark,
    );
    Record {
        highlights,
        commit: String::new(),
        time: 0,
        summary: String::new(),
        path: report.path.clone(),
        old_path: report.old_path.clone().filter(|p| *p != report.path),
        name,
        status: d.status,
        modified: date_change(d, |m| m.modified),
        new_modified: d
            .new
            .as_ref()
            .and_then(|m| m.modified)
            .map(|d| d.to_string()),
        effective: date_change(d, |m| m.effective),
        stale_date: crate::render::page::stale_date(d),
        counts: d.counts(),
    }
}

/// A policy's name on the site: its path without the ending (`Facebook/Privacy Policy`).
pub fn policy_name(path: &str) -> String {
    let lower = path.to_ascii_lowercase();
    crate::source::DEFAULT_EXTENSIONS
        .iter()
        .find(|e| lower.ends_with(*e) && lower.len() > e.len())
        .map_or(path, |e| &path[..path.len() - e.len()])
        .to_string()
}

/// Groups the records (newest first) by policy: a renamed policy's earlier changes go with
/// its later path. Keys are the newest paths.
fn group(records: &[Record]) -> BTreeMap<String, Vec<usize>> {
    let mut alias: HashMap<&str, String> = HashMap::new();
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        let key = alias
            .get(r.path.as_str())
            .cloned()
            .unwrap_or_else(|| r.path.clone());
        if let Some(old) = &r.old_path {
            alias.insert(old, key.clone());
        }
        groups.entry(key).or_default().push(i);
    }
    groups
}

/// The address of a policy's folder below `policies/` (see [`page_path`]), each part
/// percent-encoded, keeping the slashes.
pub fn url_path(path: &str) -> String {
    page_path(path)
        .split('/')
        .map(|part| crate::render::email::percent_encode_keeping(part, b""))
        .collect::<Vec<_>>()
        .join("/")
}

/// The folder of a policy's pages below `policies/`: its path, with a `~` before each part
/// that is named like a page of a policy's folder (`index.html`, `feed.atom`,
/// `<commit>.html`) or starts with `~` — so that no file of one policy is ever a folder of
/// another.
///
/// ```
/// use policy_diff::site::page_path;
/// assert_eq!(page_path("legal/privacy.md"), "legal/privacy.md");
/// assert_eq!(page_path("a.md/feed.atom/b.md"), "a.md/~feed.atom/b.md");
/// assert_eq!(page_path("~a/index.html"), "~~a/~index.html");
/// ```
pub fn page_path(path: &str) -> String {
    let reserved = |part: &str| {
        part.starts_with('~')
            || part == "index.html"
            || part == "feed.atom"
            || part.strip_suffix(".html").is_some_and(|id| {
                matches!(id.len(), 40 | 64) && id.bytes().all(|b| b.is_ascii_hexdigit())
            })
    };
    path.split('/')
        .map(|part| {
            if reserved(part) {
                format!("~{part}")
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The folder of a policy's pages, relative to the site.
fn policy_dir(path: &str) -> PathBuf {
    Path::new("policies").join(page_path(path))
}

/// The address of a policy's folder, relative to the site's root.
fn policy_url(path: &str) -> String {
    format!("policies/{}", url_path(path))
}

/// The file of a change page, relative to the site.
fn change_file(path: &str, commit: &str) -> PathBuf {
    policy_dir(path).join(format!("{commit}.html"))
}

/// The address of a change page, relative to the site's root.
pub fn change_url(path: &str, commit: &str) -> String {
    format!("{}/{commit}.html", policy_url(path))
}

/// `../` enough times to go from the folder of `path`'s pages to the site's root.
fn up_from(path: &str) -> String {
    "../".repeat(path.split('/').count() + 1)
}

fn commit_view(r: &Record) -> CommitView {
    CommitView {
        short: crate::source::short_id(&r.commit).to_string(),
        id: r.commit.clone(),
        date: day(r.time),
        summary: r.summary.clone(),
    }
}

fn day(time: i64) -> String {
    chrono::DateTime::from_timestamp(time, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn change_page(pages: &Pages, r: &Record, fragment: minijinja::Value) -> String {
    let up = up_from(&r.path);
    pages.render(
        "redline.html",
        &RedlineContext {
            title: format!("{} — change of {}", r.name, day(r.time)),
            name: r.name.clone(),
            old: "",
            new: "",
            commit: Some(commit_view(r)),
            nav: Some(Nav {
                index: format!("{up}index.html"),
                policy: Some("index.html".to_string()),
                feed: "feed.atom".to_string(),
            }),
            documents: Vec::new(),
            fragments: vec![fragment],
        },
    )
}

#[derive(Serialize)]
struct IndexContext<'a> {
    title: &'a str,
    feed: &'a str,
    changes: usize,
    policies: Vec<PolicyRow>,
}

#[derive(Serialize)]
struct PolicyRow {
    name: String,
    path: String,
    page: String,
    feed: String,
    current_date: Option<String>,
    removed: bool,
    last_change: String,
    last_page: String,
    changes: usize,
}

fn policy_row(key: &str, members: &[usize], records: &[Record]) -> PolicyRow {
    let newest = &records[members[0]];
    PolicyRow {
        name: newest.name.clone(),
        path: key.to_string(),
        page: format!("{}/index.html", policy_url(key)),
        feed: format!("{}/feed.atom", policy_url(key)),
        current_date: newest.new_modified.clone(),
        removed: newest.status == Status::Removed,
        last_change: day(newest.time),
        last_page: change_url(&newest.path, &newest.commit),
        changes: members.len(),
    }
}

#[derive(Serialize)]
struct TimelineEntry<'a> {
    date: String,
    short: &'a str,
    summary: &'a str,
    path: &'a str,
    status: Status,
    modified: Option<&'a str>,
    stale_date: bool,
    counts: String,
    page: String,
}

#[derive(Serialize)]
struct PolicyContext<'a> {
    title: String,
    name: &'a str,
    path: &'a str,
    index: String,
    feed: &'a str,
    current_date: Option<&'a str>,
    entries: Vec<TimelineEntry<'a>>,
}

/// The timeline page of a policy, to be written in the folder of `dir` (its path now, or
/// one it had).
fn policy_page(pages: &Pages, dir: &str, row: &PolicyRow, entries: &[&Record]) -> String {
    let up = up_from(dir);
    let entries = entries
        .iter()
        .map(|r| TimelineEntry {
            date: day(r.time),
            short: crate::source::short_id(&r.commit),
            summary: &r.summary,
            path: &r.path,
            status: r.status,
            modified: r.modified.as_deref(),
            stale_date: r.stale_date,
            counts: counts_summary(&r.counts),
            page: format!("{up}{}", change_url(&r.path, &r.commit)),
        })
        .collect();
    pages.render(
        "site-policy.html",
        &PolicyContext {
            title: format!("{}: changes", row.name),
            name: &row.name,
            path: &row.path,
            index: format!("{up}index.html"),
            feed: "feed.atom",
            current_date: row.current_date.as_deref(),
            entries,
        },
    )
}

/// A stable `urn:uuid:` from a name (the SHA-1 of it, shaped as a version 5 UUID).
fn uuid_urn(name: &str) -> String {
    let hash = Oid::hash_object(git2::ObjectType::Blob, name.as_bytes())
        .map(|o| o.as_bytes().to_vec())
        .unwrap_or_else(|_| vec![0; 20]);
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The id of a feed: from the repository's first commit and the policy's path ("" for all).
fn feed_id(root: &str, path: &str) -> String {
    uuid_urn(&format!("policy-diff feed\n{root}\n{path}"))
}

/// The id of an entry: from its commit and path, the same on every run.
pub fn entry_id(commit: &str, path: &str) -> String {
    uuid_urn(&format!("policy-diff change\n{commit}\n{path}"))
}

/// The Atom feed of some changes (newest first). Links are made from the site's root:
/// absolute with `base_url`, else relative to the feed, which lives in `feed_dir`.
fn feed(
    title: &str,
    id: &str,
    self_href: &str,
    alternate: &str,
    records: &[&Record],
    base_url: Option<&str>,
    feed_dir: &str,
) -> String {
    use atom_syndication::{Entry, Feed, FixedDateTime, Generator, Link, Person, Text};
    let up = if feed_dir.is_empty() {
        String::new()
    } else {
        "../".repeat(feed_dir.split('/').count())
    };
    let href = |from_root: &str| match base_url {
        Some(base) => feed_text(&format!("{}/{from_root}", base.trim_end_matches('/'))),
        None => format!("{up}{from_root}"),
    };
    let time = |t: i64| -> FixedDateTime {
        chrono::DateTime::from_timestamp(t, 0)
            .unwrap_or_default()
            .fixed_offset()
    };
    let link = |href: String, rel: &str, mime: Option<&str>| Link {
        href,
        rel: rel.to_string(),
        mime_type: mime.map(str::to_string),
        ..Link::default()
    };
    let entries: Vec<Entry> = records
        .iter()
        .take(FEED_ENTRIES)
        .map(|r| {
            let mut e = Entry::default();
            e.set_id(entry_id(&r.commit, &r.path));
            e.set_title(Text::plain(feed_text(&entry_title(r))));
            e.set_updated(time(r.time));
            e.set_summary(Some(Text::plain(feed_text(&entry_summary(r)))));
            e.set_links(vec![link(
                href(&change_url(&r.path, &r.commit)),
                "alternate",
                Some("text/html"),
            )]);
            e
        })
        .collect();
    let mut f = Feed::default();
    f.set_title(Text::plain(feed_text(title)));
    f.set_id(id);
    f.set_updated(time(records.first().map_or(0, |r| r.time)));
    f.set_authors(vec![Person {
        name: "policy-diff".to_string(),
        ..Person::default()
    }]);
    f.set_generator(Some(Generator {
        value: "policy-diff".to_string(),
        uri: None,
        version: Some(env!("CARGO_PKG_VERSION").to_string()),
    }));
    let mut links = vec![link(href(alternate), "alternate", Some("text/html"))];
    if base_url.is_some() {
        links.push(link(href(self_href), "self", Some("application/atom+xml")));
    }
    f.set_links(links);
    f.set_entries(entries);
    f.to_string()
}

/// Text for a feed, from names, summaries and titles that may hold anything: what XML 1.0
/// cannot hold (most control characters, U+FFFE, U+FFFF) and what would act on a reader
/// (bidirectional controls) is shown as an escape (`\u{1b}`), as on the pages.
fn feed_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if crate::render::redline::shown_not_obeyed(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn entry_title(r: &Record) -> String {
    let what = match r.status {
        Status::Added => "published",
        Status::Removed => "withdrawn",
        Status::Modified => "changed",
        Status::Unchanged => "reformatted",
    };
    match &r.new_modified {
        Some(date) if r.status != Status::Removed => {
            format!("{} {what} (last updated {date})", r.name)
        }
        _ => format!("{} {what}", r.name),
    }
}

fn entry_summary(r: &Record) -> String {
    let mut out = String::new();
    if !r.highlights.is_empty() {
        out.push_str("What changed:");
        for item in &r.highlights {
            out.push(' ');
            out.push_str(item);
            if !item.ends_with(['.', '!', '?', '…']) {
                out.push('.');
            }
        }
        out.push(' ');
    }
    if let Some(m) = &r.modified {
        out.push_str(&format!("Last updated: {m}"));
        if r.stale_date {
            out.push_str(" — not updated, although the text changed");
        }
        out.push_str(". ");
    }
    if let Some(e) = &r.effective {
        out.push_str(&format!("Effective: {e}. "));
    }
    out.push_str(&format!("Sections: {}.", counts_summary(&r.counts)));
    if let Some(old) = &r.old_path {
        out.push_str(&format!(" Renamed from {old}."));
    }
    out
}

/// Writes the site's files, readable by all (a site is for publishing), keeping their names.
/// A new file is written in place (nothing links to it until the pages that list it are
/// written, and a run stopped half-way is done again by the next); a file that exists is
/// replaced whole (a new file renamed over it), so that a server never sends half of it.
/// Neither follows a link; no folder inside the site's may be a link.
struct Writer<'a> {
    out: &'a Path,
    /// Files written, relative to `out` (the manifest aside).
    written: std::sync::Mutex<BTreeSet<String>>,
    /// Folders made (or found) already, and checked.
    dirs: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
}

impl<'a> Writer<'a> {
    fn new(out: &'a Path) -> Writer<'a> {
        Writer {
            out,
            written: Default::default(),
            dirs: Default::default(),
        }
    }

    /// The files written so far (relative to the site's folder).
    fn files(&self) -> BTreeSet<String> {
        self.written.lock().map(|w| w.clone()).unwrap_or_default()
    }

    fn write(&self, rel: &Path, text: &str) -> std::io::Result<()> {
        self.write_bytes(rel, text.as_bytes())
    }

    fn write_bytes(&self, rel: &Path, bytes: &[u8]) -> std::io::Result<()> {
        use std::os::unix::fs::OpenOptionsExt;
        let out = self.out;
        let path = out.join(rel);
        let dir = path.parent().unwrap_or(out);
        let known = self.dirs.lock().map(|d| d.contains(dir)).unwrap_or(false);
        if !known {
            // Checked before (a link would be followed by create_dir_all) and after.
            crate::paths::check_no_links(out, dir)?;
            std::fs::create_dir_all(dir).map_err(crate::private_fs::at(dir))?;
            crate::paths::check_no_links(out, dir)?;
            if let Ok(mut d) = self.dirs.lock() {
                d.insert(dir.to_path_buf());
            }
        }
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
        {
            Ok(mut file) => file
                .write_all(bytes)
                .map_err(crate::private_fs::at(&path))?,
            Err(_) if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) => {
                // Not one of the site's folders (those get a `~`): left by a user, or by a
                // build older than that naming. Never removed without being asked.
                return Err(std::io::Error::other(format!(
                    "{}: a folder stands where the site writes a page; policy-diff did not make \
                     it and does not remove it: move it away and run again",
                    path.display()
                )));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                crate::private_fs::replace_whole(
                    &path,
                    bytes,
                    std::os::unix::fs::PermissionsExt::from_mode(0o644),
                )?;
            }
            Err(e) => return Err(crate::private_fs::at(&path)(e)),
        }
        if rel != Path::new(MANIFEST)
            && let Ok(mut w) = self.written.lock()
        {
            w.insert(rel.to_string_lossy().into_owned());
        }
        Ok(())
    }
}
