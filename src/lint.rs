//! `policy-diff lint`: the checks to run before a policy change is published — above all,
//! that a changed text carries a new "last updated" date — on what `git commit` is about to
//! record, or on a range of commits (a pull request).

use crate::diff::Status;
use crate::document::{Document, Format, Language, PolicyDate, parse};
use crate::report::{ChangeKind, DocumentReport, compare_documents};
use crate::rules::Rules;
use crate::source::{ChangedPath, PolicyFilter, PolicyRepo, SourceError};
use serde::Serialize;
use std::collections::HashSet;

/// Why lint could not run, or could not fix.
#[derive(Debug, thiserror::Error)]
pub enum LintError {
    /// Reading the repository failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The range is not BASE..HEAD, BASE...HEAD or BASE HEAD.
    #[error(
        "lint {0:?}: give BASE..HEAD, BASE...HEAD or BASE HEAD (or nothing: the staged changes)"
    )]
    Range(String),
    /// BASE...HEAD whose two sides share no commit.
    #[error("{0}: the two revisions have no common ancestor")]
    NoMergeBase(String),
    /// `--fix` in a repository without a work tree.
    #[error("--fix edits the work tree; {0} has none")]
    NoWorkTree(String),
    /// `--fix` found no date line to change.
    #[error(
        "{0}: --fix cannot find the line of the modification date (none in the text, or only in front matter); set it by hand"
    )]
    NoDateLine(String),
    /// `--fix` cannot keep the date's style, or the new date would not read back.
    #[error("{path}:{line}: --fix {why}; nothing was written")]
    Unfixable {
        /// The policy.
        path: String,
        /// The line of its date.
        line: usize,
        /// Why.
        why: String,
    },
    /// `--fix` would write outside the work tree (the name is shown inert).
    #[error("{path}: --fix does not write this file: the name {why}")]
    UnsafePath {
        /// The policy's name, escaped for a terminal.
        path: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// Reading or writing the policy failed (the message names the file).
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The range a command line gives: none (the staged changes), `BASE..HEAD`, `BASE...HEAD`
/// (from their merge base) or `BASE HEAD`; git's empty tree as BASE stands for nothing.
pub fn range(
    repo: &PolicyRepo,
    revs: &[String],
) -> Result<Option<(Option<git2::Oid>, git2::Oid)>, LintError> {
    match revs {
        [] => Ok(None),
        [one] => {
            let (base, head, merge_base) = if let Some((b, h)) = one.split_once("...") {
                (b, h, true)
            } else if let Some((b, h)) = one.split_once("..") {
                (b, h, false)
            } else {
                return Err(LintError::Range(one.clone()));
            };
            let head = repo.resolve(if head.is_empty() { "HEAD" } else { head })?;
            let mut base = repo.resolve_or_empty(base)?;
            if merge_base && let Some(b) = base {
                base = Some(
                    repo.git()
                        .merge_base(b, head)
                        .map_err(|_| LintError::NoMergeBase(one.clone()))?,
                );
            }
            Ok(Some((base, head)))
        }
        [base, head] => Ok(Some((repo.resolve_or_empty(base)?, repo.resolve(head)?))),
        _ => Err(LintError::Range(revs.join(" "))),
    }
}

/// Fixes the date of each policy with a `stale-date` or `date-backwards` finding, in the
/// work tree (see [`fix_file`]); a line per policy saying what was done.
///
/// All or nothing: every file is read and its new text checked first; then each new text is
/// written beside its file, and only when all are written are they renamed over the files.
/// A policy that cannot be fixed leaves every file as it was.
pub fn fix(
    repo: &PolicyRepo,
    findings: &[Finding],
    rules: &Rules,
    date: chrono::NaiveDate,
) -> Result<Vec<String>, LintError> {
    let workdir = repo
        .git()
        .workdir()
        .ok_or_else(|| LintError::NoWorkTree(repo.git().path().display().to_string()))?;
    let mut done = HashSet::new();
    let mut fixes = Vec::new();
    for f in findings {
        if matches!(f.check, "stale-date" | "date-backwards") && done.insert(f.path.as_str()) {
            fixes.push(plan_fix(workdir, &f.path, rules.for_path(&f.path), date)?);
        }
    }
    write_all(&fixes)?;
    Ok(fixes.into_iter().map(|f| f.said).collect())
}

/// A date fix, checked and not yet written.
struct Fix {
    /// What to say about it.
    said: String,
    /// The file and its new text, with the file's permissions; none when already dated.
    write: Option<(std::path::PathBuf, String, std::fs::Permissions)>,
}

/// Writes every fix's new text to a new file beside its policy, then renames them all over
/// the policies: a failure before the renames (a full disk, a read-only folder) leaves every
/// policy as it was, and the new files are removed.
fn write_all(fixes: &[Fix]) -> Result<(), LintError> {
    use std::io::Write as _;
    let mut staged = Vec::with_capacity(fixes.len());
    for (file, text, permissions) in fixes.iter().filter_map(|f| f.write.as_ref()) {
        let dir = file.parent().unwrap_or(std::path::Path::new("."));
        let mut temp = tempfile::Builder::new()
            .prefix(".policy-diff-")
            .suffix(".tmp")
            .permissions(permissions.clone())
            .tempfile_in(dir)
            .map_err(crate::private_fs::at(dir))?;
        temp.write_all(text.as_bytes())
            .map_err(crate::private_fs::at(file))?;
        staged.push((temp, file));
    }
    for (temp, file) in staged {
        temp.persist(file)
            .map_err(|e| crate::private_fs::at(file)(e.error))?;
    }
    Ok(())
}

/// How much a finding weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Not checked.
    Off,
    /// Reported; the exit status stays 0.
    Warning,
    /// Reported; the exit status is 1.
    Error,
}

impl Level {
    fn word(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// The checks, by the names the configuration and the output use, with their default
/// levels (the README describes each).
pub const CHECKS: [(&str, Level); 9] = [
    ("stale-date", Level::Error),
    ("date-backwards", Level::Error),
    ("date-removed", Level::Error),
    ("future-date", Level::Warning),
    ("effective-before-modified", Level::Warning),
    ("date-only", Level::Warning),
    ("duplicate-heading", Level::Warning),
    ("empty-section", Level::Warning),
    ("numbering", Level::Warning),
];

/// Each check's level, and the future-date window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintSettings {
    /// Level by check name (every name of [`CHECKS`]).
    pub levels: Vec<(&'static str, Level)>,
    /// How many days ahead of today a modification date may be.
    pub future_days: i64,
}

impl Default for LintSettings {
    fn default() -> Self {
        LintSettings {
            levels: CHECKS.to_vec(),
            future_days: 1,
        }
    }
}

impl LintSettings {
    /// The level of a check.
    pub fn level(&self, check: &str) -> Level {
        self.levels
            .iter()
            .find(|(n, _)| *n == check)
            .map_or(Level::Off, |&(_, l)| l)
    }

    /// Sets a check's level; `Err` names the checks when `check` is none of them.
    pub fn set(&mut self, check: &str, level: Level) -> Result<(), String> {
        match self.levels.iter_mut().find(|(n, _)| *n == check) {
            Some(slot) => {
                slot.1 = level;
                Ok(())
            }
            None => Err(format!(
                "unknown check {check:?}; the checks are {}",
                CHECKS.map(|c| c.0).join(", ")
            )),
        }
    }
}

/// One finding, as a compiler would report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The policy's path in the repository.
    pub path: String,
    /// The line (1-based) of the date, of the heading, or of the first change.
    pub line: usize,
    /// error or warning.
    pub level: Level,
    /// The check's name.
    pub check: &'static str,
    /// What is wrong, in a sentence.
    pub message: String,
}

/// One changed policy: its two versions' texts.
#[derive(Debug, Clone)]
pub struct Change {
    /// Path in the new version (the old one when removed).
    pub path: String,
    /// Path in the old version.
    pub old_path: Option<String>,
    /// Old text (`None`: added).
    pub old: Option<String>,
    /// New text (`None`: removed).
    pub new: Option<String>,
}

/// The changed policies between two commits, or (`base` = `None`) between HEAD and the index.
pub fn changes(
    repo: &PolicyRepo,
    range: Option<(Option<git2::Oid>, git2::Oid)>,
    filter: &PolicyFilter,
    warnings: &mut Vec<String>,
) -> Result<Vec<Change>, SourceError> {
    let paths: Vec<ChangedPath> = match range {
        Some((base, head)) => repo.changed_paths(base, head, filter)?,
        None => repo.staged_paths(filter)?,
    };
    let mut out = Vec::new();
    for c in paths {
        let old_name = c.old_path.clone().unwrap_or_else(|| c.path.clone());
        let read = |blob: Option<git2::Oid>, name: &str| -> Result<Option<String>, SourceError> {
            blob.map(|b| repo.read_blob(b, name).map(|t| t.text))
                .transpose()
        };
        match (read(c.old_blob, &old_name), read(c.new_blob, &c.path)) {
            (Ok(old), Ok(new)) => out.push(Change {
                path: c.path,
                old_path: c.old_path,
                old,
                new,
            }),
            (Err(SourceError::Binary { path }), _) | (_, Err(SourceError::Binary { path })) => {
                warnings.push(format!("{path}: binary file skipped"))
            }
            (Err(e), _) | (_, Err(e)) => return Err(e),
        }
    }
    Ok(out)
}

/// The line (1-based) of a byte offset.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The line a date stands on, as a reader reads it (without Markdown markers).
fn date_line(text: &str, label: usize) -> String {
    let start = text[..label].rfind('\n').map_or(0, |i| i + 1);
    let end = text[label..].find('\n').map_or(text.len(), |i| label + i);
    text[start..end]
        .trim()
        .trim_matches(|c: char| "#*_>|".contains(c) || c.is_whitespace())
        .to_string()
}

/// Lints each change; `today` is the date future dates are measured from.
pub fn lint(
    changes: &[Change],
    rules: &Rules,
    settings: &LintSettings,
    today: chrono::NaiveDate,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in changes {
        let Some(new_text) = c.new.as_deref() else {
            continue;
        };
        let rule = rules.for_path(&c.path);
        let format = Format::from_path(&c.path);
        let new = parse(new_text, format, rule.parse);
        let old_name = c.old_path.as_deref().unwrap_or(&c.path);
        let old = c
            .old
            .as_deref()
            .map(|t| parse(t, Format::from_path(old_name), rule.parse));
        let report = compare_documents(
            &c.path,
            c.old_path.as_deref(),
            old.as_ref(),
            Some(&new),
            crate::diff::DiffOptions {
                word_ops: true,
                threads: 1,
            },
            &rule.noise,
        );
        let mut push = |check: &'static str, line: usize, message: String| {
            let level = settings.level(check);
            if level != Level::Off {
                out.push(Finding {
                    path: c.path.clone(),
                    line,
                    level,
                    check,
                    message,
                });
            }
        };
        document_findings(
            &report,
            old.as_ref(),
            &new,
            new_text,
            settings,
            today,
            &mut push,
        );
        for (check, line, message) in heading_findings(&new, new_text, old.as_ref()) {
            push(check, line, message);
        }
    }
    out
}

/// True when `date` is `today`, or names today's month when it gives no day.
fn is_today(date: PolicyDate, today: chrono::NaiveDate) -> bool {
    use chrono::Datelike;
    date.year == today.year()
        && date.month == today.month()
        && date.day.is_none_or(|d| d == today.day())
}

fn document_findings(
    report: &DocumentReport,
    old: Option<&Document>,
    new: &Document,
    new_text: &str,
    settings: &LintSettings,
    today: chrono::NaiveDate,
    push: &mut impl FnMut(&'static str, usize, String),
) {
    let d = &report.diff;
    let at_date = new.modified_at.as_ref().map(|s| line_of(new_text, s.label));
    let shown = new
        .modified_at
        .as_ref()
        .map(|s| date_line(new_text, s.label));
    let first_change = first_change_line(report, new_text, new).unwrap_or(1);
    let kind = report.change_kind();
    let old_date = old.and_then(|o| o.modified);
    let changed_sections = d
        .sections
        .iter()
        .filter(|s| s.status != Status::Unchanged || s.moved)
        .count();
    // A policy already dated today (a second edit on the day of the first) is not stale.
    if kind == Some(ChangeKind::Substantive)
        && old.is_some()
        && let (Some(o), Some(n)) = (old_date, new.modified)
        && o == n
        && !is_today(n, today)
    {
        let what = match changed_sections {
            1 => "1 section changed".to_string(),
            n => format!("{n} sections changed"),
        };
        push(
            "stale-date",
            at_date.unwrap_or(first_change),
            format!(
                "{what} but {} did not",
                shown.map_or_else(|| format!("the date ({n})"), |l| format!("{l:?}"))
            ),
        );
    }
    if let (Some(o), None) = (old_date, new.modified) {
        push(
            "date-removed",
            first_change,
            format!("the previous version was dated {o}; this one gives no date"),
        );
    }
    if let (Some(o), Some(n)) = (old_date, new.modified)
        && earlier(n, o)
    {
        push(
            "date-backwards",
            at_date.unwrap_or(first_change),
            format!("the modification date {n} is earlier than the previous version's ({o})"),
        );
    }
    if let Some(n) = new.modified {
        let limit = today + chrono::Duration::days(settings.future_days);
        let first_day = chrono::NaiveDate::from_ymd_opt(n.year, n.month, n.day.unwrap_or(1));
        if first_day.is_some_and(|f| f > limit) {
            push(
                "future-date",
                at_date.unwrap_or(1),
                format!(
                    "the modification date {n} is more than {} days ahead of today ({today})",
                    settings.future_days
                ),
            );
        }
        if let Some(e) = new.effective
            && earlier(e, n)
        {
            push(
                "effective-before-modified",
                at_date.unwrap_or(1),
                format!("the effective date {e} is earlier than the modification date {n}"),
            );
        }
    }
    if kind == Some(ChangeKind::DateOnly) {
        push(
            "date-only",
            at_date.unwrap_or(first_change),
            format!(
                "only the date changed ({} → {}); nothing else did",
                old_date.map_or("none".to_string(), |d| d.to_string()),
                new.modified.map_or("none".to_string(), |d| d.to_string())
            ),
        );
    }
}

/// `a` is earlier than `b` (a month-precision date is not earlier than a day of its month).
fn earlier(a: PolicyDate, b: PolicyDate) -> bool {
    (a.year, a.month) < (b.year, b.month)
        || ((a.year, a.month) == (b.year, b.month)
            && matches!((a.day, b.day), (Some(x), Some(y)) if x < y))
}

/// The line of the first changed section in the new version (its heading).
fn first_change_line(report: &DocumentReport, text: &str, new: &Document) -> Option<usize> {
    let s = report
        .diff
        .sections
        .iter()
        .find(|s| s.status != Status::Unchanged && s.new_index.is_some())?;
    let section = new.sections.get(s.new_index?)?;
    Some(line_of(text, section.text.start()))
}

/// Heading problems of the new version a reader would notice, leaving out those the old
/// version had already: (check, line, message).
fn heading_findings(
    new: &Document,
    text: &str,
    old: Option<&Document>,
) -> Vec<(&'static str, usize, String)> {
    let known: HashSet<(&'static str, String)> = old
        .map(|o| {
            heading_problems(o)
                .into_iter()
                .map(|(check, i, _)| (check, o.sections[i].key.clone()))
                .collect()
        })
        .unwrap_or_default();
    let lines = LineIndex::of(text);
    heading_problems(new)
        .into_iter()
        .filter(|(check, i, _)| !known.contains(&(*check, new.sections[*i].key.clone())))
        .map(|(check, i, message)| (check, lines.line(new.sections[i].text.start()), message))
        .collect()
}

/// Where each line of a text starts, to find the line of many offsets at once (one finding
/// per heading of a long document must not count the lines again each time).
struct LineIndex {
    /// The offset of each `\n`.
    breaks: Vec<usize>,
    len: usize,
}

impl LineIndex {
    fn of(text: &str) -> LineIndex {
        LineIndex {
            breaks: memchr::memchr_iter(b'\n', text.as_bytes()).collect(),
            len: text.len(),
        }
    }

    /// The line (from 1) of the byte at `at`, as [`line_of`] counts it.
    fn line(&self, at: usize) -> usize {
        self.breaks.partition_point(|&b| b < at.min(self.len)) + 1
    }
}

/// (check, index of the section, message) for each heading problem of a document.
fn heading_problems(doc: &Document) -> Vec<(&'static str, usize, String)> {
    let mut out = Vec::new();
    let secs = &doc.sections;
    // The first section of each (heading, parent): one look-up per heading, not a scan of
    // the sections before it.
    let mut first: std::collections::HashMap<(&str, &str), usize> =
        std::collections::HashMap::new();
    for (i, s) in secs.iter().enumerate() {
        if s.level == 0 {
            continue;
        }
        let earlier = if s.key.is_empty() {
            None
        } else {
            match first.entry((s.key.as_str(), s.parent_key.as_str())) {
                std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(i);
                    None
                }
            }
        };
        if let Some(j) = earlier {
            out.push((
                "duplicate-heading",
                i,
                format!(
                    "the heading {:?} appears twice under {} (also at section {})",
                    s.heading,
                    s.parent
                        .as_deref()
                        .map_or("the top level".to_string(), |p| format!("{p:?}")),
                    j + 1
                ),
            ));
        }
        let has_children = secs.get(i + 1).is_some_and(|n| n.level > s.level);
        if s.body().is_empty() && !has_children {
            out.push((
                "empty-section",
                i,
                format!("the section {:?} has no text", s.heading),
            ));
        }
    }
    // Numbering among siblings: the same parent and level, each numbered.
    // (parent key, level, [(section, its number)]).
    type Siblings<'a> = (&'a str, u8, Vec<(usize, Vec<u32>)>);
    let mut groups: Vec<Siblings> = Vec::new();
    let mut group_of: std::collections::HashMap<(&str, u8), usize> =
        std::collections::HashMap::new();
    for (i, s) in secs.iter().enumerate() {
        let Some(number) = section_number(&s.heading) else {
            continue;
        };
        let g = *group_of
            .entry((s.parent_key.as_str(), s.level))
            .or_insert_with(|| {
                groups.push((&s.parent_key, s.level, Vec::new()));
                groups.len() - 1
            });
        groups[g].2.push((i, number));
    }
    for (_, _, members) in groups {
        for pair in members.windows(2) {
            let ((_, a), (j, b)) = (&pair[0], &pair[1]);
            if a.len() != b.len() || a[..a.len() - 1] != b[..b.len() - 1] {
                continue;
            }
            let (x, y) = (a[a.len() - 1], b[b.len() - 1]);
            let what = if y == x {
                format!("repeats {x}")
            } else if y > x + 1 {
                format!("skips from {x} to {y}")
            } else {
                continue;
            };
            out.push((
                "numbering",
                *j,
                format!("the numbering {what} at {:?}", secs[*j].heading),
            ));
        }
    }
    out
}

/// The number a heading starts with: `3.` → [3], `4.1` → [4, 1]; none for other headings.
fn section_number(heading: &str) -> Option<Vec<u32>> {
    let h = heading.trim_start();
    let end = h
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(h.len());
    let (number, rest) = h.split_at(end);
    if number.is_empty() || !(rest.is_empty() || rest.starts_with([' ', ')', '\u{a0}'])) {
        return None;
    }
    let parts: Option<Vec<u32>> = number
        .split('.')
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().ok())
        .collect();
    parts.filter(|p| !p.is_empty() && p.len() <= 4)
}

/// Counts of findings by level: (errors, warnings).
pub fn counts(findings: &[Finding]) -> (usize, usize) {
    (
        findings.iter().filter(|f| f.level == Level::Error).count(),
        findings
            .iter()
            .filter(|f| f.level == Level::Warning)
            .count(),
    )
}

/// A finding as a compiler writes it: `privacy.md:3: error: … [stale-date]`.
pub fn text_line(f: &Finding) -> String {
    format!(
        "{}:{}: {}: {} [{}]",
        crate::render::inert(&f.path, true),
        f.line,
        f.level.word(),
        crate::render::inert(&f.message, true),
        f.check
    )
}

/// A finding as a GitHub Actions workflow command, so that it shows on the pull request.
pub fn github_line(f: &Finding) -> String {
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let property = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    format!(
        "::{} file={},line={},title={}::{}",
        f.level.word(),
        property(&f.path),
        f.line,
        property(&format!("policy-diff {}", f.check)),
        data(&f.message)
    )
}

/// Rewrites the date written as `written` to `date`, in the same style: the same order,
/// separators, padding, month names (full or cut short, in the same language and case),
/// and ordinal suffix. `None` when the style cannot be kept (a weekday in it, or a form
/// not understood).
pub fn restyle(
    written: &str,
    old: PolicyDate,
    date: chrono::NaiveDate,
    language: Language,
) -> Option<String> {
    use chrono::Datelike;
    let (y, m, d) = (date.year(), date.month(), date.day());
    // Tokens: runs of digits, of letters, and of anything else.
    let mut tokens: Vec<(char, String)> = Vec::new();
    for c in written.chars() {
        let class = if c.is_ascii_digit() {
            'd'
        } else if c.is_alphabetic() {
            'a'
        } else {
            'o'
        };
        match tokens.last_mut() {
            Some((k, t)) if *k == class => t.push(c),
            _ => tokens.push((class, c.to_string())),
        }
    }
    let numbers: Vec<usize> = (0..tokens.len()).filter(|&i| tokens[i].0 == 'd').collect();
    let month_word =
        (0..tokens.len()).find(|&i| tokens[i].0 == 'a' && month_of(&tokens[i].1).is_some());
    // Zero-padded when the date was (a leading zero, or year first as in 2013-01-17).
    let padded = numbers
        .iter()
        .any(|&i| tokens[i].1.len() == 2 && tokens[i].1.starts_with('0'))
        || (month_word.is_none() && numbers.first().is_some_and(|&i| tokens[i].1.len() == 4));
    let pad = |value: u32, _like: &str| {
        if padded {
            format!("{value:02}")
        } else {
            value.to_string()
        }
    };
    let mut out = tokens.clone();
    match month_word {
        None => {
            // Numeric: year-month-day, or day and month in the order the old date shows.
            if numbers.len() != 3 {
                return None;
            }
            let values: Vec<u32> = numbers
                .iter()
                .map(|&i| tokens[i].1.parse().ok())
                .collect::<Option<_>>()?;
            let old_day = old.day?;
            let year_at = numbers.iter().position(|&i| tokens[i].1.len() == 4)?;
            let rest: Vec<usize> = (0..3).filter(|&k| k != year_at).collect();
            let (month_at, day_at) = if values[rest[0]] == old.month && values[rest[1]] == old_day {
                (rest[0], rest[1])
            } else if values[rest[1]] == old.month && values[rest[0]] == old_day {
                (rest[1], rest[0])
            } else {
                return None;
            };
            out[numbers[year_at]].1 = y.to_string();
            out[numbers[month_at]].1 = pad(m, &tokens[numbers[month_at]].1);
            out[numbers[day_at]].1 = pad(d, &tokens[numbers[day_at]].1);
        }
        Some(mi) => {
            let word = &tokens[mi].1;
            let (lang, full) = month_of(word)?;
            let lang = if full || lang == language {
                lang
            } else {
                language
            };
            let name = crate::document::date::month_name_in(lang, m);
            let mut new_word: String = if full {
                name.to_string()
            } else {
                name.chars().take(word.chars().count()).collect()
            };
            if word.chars().all(|c| !c.is_alphabetic() || c.is_uppercase())
                && word.chars().count() > 1
            {
                new_word = new_word.to_uppercase();
            } else if word.chars().next().is_some_and(char::is_lowercase) {
                new_word = new_word.to_lowercase();
            }
            out[mi].1 = new_word;
            let year_i = *numbers.iter().find(|&&i| tokens[i].1.len() == 4)?;
            out[year_i].1 = y.to_string();
            if let Some(&day_i) = numbers.iter().find(|&&i| tokens[i].1.len() <= 2) {
                out[day_i].1 = pad(d, &tokens[day_i].1);
                // An ordinal suffix after the day: 1st, 2nd, 3rd, 4th; 1er in French.
                if let Some((k, suffix)) = out.get_mut(day_i + 1)
                    && *k == 'a'
                {
                    let lower = suffix.to_lowercase();
                    if ["st", "nd", "rd", "th"].contains(&lower.as_str()) {
                        let s = match (d % 10, d % 100) {
                            (_, 11..=13) => "th",
                            (1, _) => "st",
                            (2, _) => "nd",
                            (3, _) => "rd",
                            _ => "th",
                        };
                        *suffix = if suffix.chars().all(char::is_uppercase) {
                            s.to_uppercase()
                        } else {
                            s.to_string()
                        };
                    } else if lower == "er" && d != 1 {
                        suffix.clear();
                    }
                } else if d == 1 && lang == Language::Fr && old.day != Some(1) {
                    out[day_i].1.push_str("er");
                }
            } else if old.day.is_some() {
                return None;
            }
        }
    }
    // A weekday name would now be wrong: leave such a date alone.
    if tokens
        .iter()
        .any(|(k, t)| *k == 'a' && crate::document::date::is_weekday(t))
    {
        return None;
    }
    Some(out.into_iter().map(|(_, t)| t).collect())
}

/// The language and month of a month word, and whether it is the full name (not a shortened
/// one).
fn month_of(word: &str) -> Option<(Language, bool)> {
    crate::document::date::month_word(word)
}

/// Sets the modification date of the policy at `path` (in the work tree `workdir`) to
/// `date`, written as the document writes it; only the date changes, and the file is
/// replaced whole. Returns a line saying what was done; `Err` when the date line cannot be
/// found or its style kept (nothing is written then).
pub fn fix_file(
    workdir: &std::path::Path,
    path: &str,
    rule: &crate::rules::Rule,
    date: chrono::NaiveDate,
) -> Result<String, LintError> {
    let fix = plan_fix(workdir, path, rule, date)?;
    write_all(std::slice::from_ref(&fix))?;
    Ok(fix.said)
}

/// Reads the policy at `path` and checks its date fix, writing nothing (see [`fix_file`]).
fn plan_fix(
    workdir: &std::path::Path,
    path: &str,
    rule: &crate::rules::Rule,
    date: chrono::NaiveDate,
) -> Result<Fix, LintError> {
    use chrono::Datelike;
    // The name is git's: it must stay in the work tree, and no folder on the way may be a
    // link out of it.
    crate::paths::check_relative(path).map_err(|why| LintError::UnsafePath {
        path: crate::render::inert(path, true).into_owned(),
        why,
    })?;
    let file = crate::paths::under(workdir, path);
    if let Some(dir) = file.parent() {
        crate::paths::check_no_links(workdir, dir)?;
    }
    let text = std::fs::read_to_string(&file).map_err(crate::private_fs::at(&file))?;
    let doc = parse(&text, Format::from_path(path), rule.parse);
    let (Some(span), Some(old)) = (doc.modified_at.clone(), doc.modified) else {
        return Err(LintError::NoDateLine(path.to_string()));
    };
    let line = line_of(&text, span.label);
    let unfixable = |why: String| LintError::Unfixable {
        path: path.to_string(),
        line,
        why,
    };
    let written = &text[span.date.clone()];
    let language = doc.language.unwrap_or(Language::En);
    let new = restyle(written, old, date, language).ok_or_else(|| {
        unfixable(format!(
            "cannot rewrite {written:?} in its own style; set the date by hand"
        ))
    })?;
    let mut updated = String::with_capacity(text.len() + 8);
    updated.push_str(&text[..span.date.start]);
    updated.push_str(&new);
    updated.push_str(&text[span.date.end..]);
    let (before, after) = (
        date_line(&text, span.label),
        date_line(&updated, span.label),
    );
    if updated == text {
        return Ok(Fix {
            said: format!("{path}:{line}: already dated {date}: {before:?}"),
            write: None,
        });
    }
    // The new date must read back as written (a numeric date whose day and month are both
    // 12 or under reads only with a known date order).
    let reread = parse(&updated, Format::from_path(path), rule.parse);
    if reread.modified != PolicyDate::ymd(date.year(), date.month(), date.day()) {
        return Err(unfixable(format!(
            "would write {new:?}, which does not read back as {date} (a numeric date needs --date-order, or date_order in the configuration)"
        )));
    }
    let permissions = std::fs::metadata(&file)
        .map_err(crate::private_fs::at(&file))?
        .permissions();
    Ok(Fix {
        said: format!(
            "{path}:{line}: fixed: {before:?} → {after:?} (in the work tree; git add it)"
        ),
        write: Some((file, updated, permissions)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn restyled(written: &str, old: (i32, u32, u32), language: Language) -> Option<String> {
        let old = PolicyDate::ymd(old.0, old.1, old.2).unwrap();
        restyle(written, old, d(2026, 3, 2), language)
    }

    #[test]
    fn each_date_style_is_kept() {
        use Language::*;
        for (written, old, language, want) in [
            ("January 17, 2013", (2013, 1, 17), En, "March 2, 2026"),
            ("17 January 2013", (2013, 1, 17), En, "2 March 2026"),
            ("2013-01-17", (2013, 1, 17), En, "2026-03-02"),
            ("2013/01/17", (2013, 1, 17), En, "2026/03/02"),
            ("Jan. 17th, 2013", (2013, 1, 17), En, "Mar. 2nd, 2026"),
            ("JANUARY 17, 2013", (2013, 1, 17), En, "MARCH 2, 2026"),
            ("01/17/2013", (2013, 1, 17), En, "03/02/2026"),
            ("1/17/2013", (2013, 1, 17), En, "3/2/2026"),
            ("17.01.2013", (2013, 1, 17), De, "02.03.2026"),
            ("17 janvier 2013", (2013, 1, 17), Fr, "2 mars 2026"),
            ("1er septembre 2023", (2023, 9, 1), Fr, "2 mars 2026"),
            ("17. Januar 2013", (2013, 1, 17), De, "2. März 2026"),
            (
                "17 de enero de 2013",
                (2013, 1, 17),
                Es,
                "2 de marzo de 2026",
            ),
        ] {
            assert_eq!(
                restyled(written, old, language).as_deref(),
                Some(want),
                "{written}"
            );
        }
        // The first of the month in French: "1er".
        let old = PolicyDate::ymd(2013, 1, 17).unwrap();
        assert_eq!(
            restyle("17 janvier 2013", old, d(2026, 4, 1), Language::Fr).as_deref(),
            Some("1er avril 2026")
        );
        // A weekday would be wrong afterwards: refused.
        assert_eq!(
            restyled("Monday, January 14, 2013", (2013, 1, 14), Language::En),
            None
        );
    }

    /// The pairwise definition the linear check replaced: a heading repeats the first
    /// earlier one with the same key under the same parent.
    fn duplicates_pairwise(doc: &Document) -> Vec<(usize, usize)> {
        let secs = &doc.sections;
        (0..secs.len())
            .filter(|&i| secs[i].level > 0)
            .filter_map(|i| {
                let s = &secs[i];
                secs[..i]
                    .iter()
                    .position(|p| {
                        p.level > 0
                            && !s.key.is_empty()
                            && p.key == s.key
                            && p.parent_key == s.parent_key
                    })
                    .map(|j| (i, j))
            })
            .collect()
    }

    /// The duplicate-heading check finds exactly what comparing every pair of headings finds
    /// (same sections, same first occurrence), and its lines are those counted from the
    /// start, on a long document with repeats under several parents and levels.
    #[test]
    fn duplicate_headings_are_found_as_pairwise_in_one_pass() {
        let mut text = String::from("Preamble.\n\n# Policy\n\nIntro.\n\n");
        for i in 0..3000 {
            let level = ["##", "###", "####"][i % 3];
            let name = ["Same", "Other", "Numbered 3.", "", "Data", "same!"][(i * 7) % 6];
            text.push_str(&format!("{level} {name}\n\nText {i}.\n\n"));
            if i % 500 == 0 {
                text.push_str(&format!("# Part {}\n\nMore.\n\n", i % 1000));
            }
        }
        let doc = parse(&text, Format::Markdown, Default::default());
        let want = duplicates_pairwise(&doc);
        assert!(want.len() > 2000, "{}", want.len());
        let message = |i: usize, j: usize| {
            let s = &doc.sections[i];
            format!(
                "the heading {:?} appears twice under {} (also at section {})",
                s.heading,
                s.parent
                    .as_deref()
                    .map_or("the top level".to_string(), |p| format!("{p:?}")),
                j + 1
            )
        };
        let got: Vec<(usize, String)> = heading_problems(&doc)
            .into_iter()
            .filter(|(check, _, _)| *check == "duplicate-heading")
            .map(|(_, i, m)| (i, m))
            .collect();
        let want: Vec<(usize, String)> = want.iter().map(|&(i, j)| (i, message(i, j))).collect();
        assert_eq!(got, want);
        let lines = LineIndex::of(&text);
        for at in (0..=text.len() + 3).step_by(97) {
            assert_eq!(lines.line(at), line_of(&text, at), "{at}");
        }
    }

    #[test]
    fn numbering_that_skips_or_repeats_is_found() {
        let doc = parse(
            "# T\n\n## 1. A\n\na\n\n## 2. B\n\nb\n\n## 4. C\n\nc\n\n## 4. D\n\nd\n\n## E\n\n## F\n\nf\n\n## F\n\ng\n",
            Format::Markdown,
            Default::default(),
        );
        let problems: Vec<(&str, String)> = heading_problems(&doc)
            .into_iter()
            .map(|(c, i, _)| (c, doc.sections[i].heading.clone()))
            .collect();
        assert!(
            problems.contains(&("numbering", "4. C".into())),
            "{problems:?}"
        );
        assert!(
            problems.contains(&("numbering", "4. D".into())),
            "{problems:?}"
        );
        assert!(
            problems.contains(&("empty-section", "E".into())),
            "{problems:?}"
        );
        assert!(
            problems.contains(&("duplicate-heading", "F".into())),
            "{problems:?}"
        );
        assert_eq!(problems.len(), 4, "{problems:?}");
    }
}
