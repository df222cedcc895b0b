//! The data email templates see, and the template set itself (minijinja).
//!
//! Templates `subject.txt`, `body.txt` and `body.html` are embedded from `templates/`; a
//! configured folder replaces any of them file by file. Undefined variables are errors, and
//! `.html` templates escape everything they print unless it is marked safe.

use super::redline::{EMAIL_MARKS, body_ops, lay_out, to_html, to_text};
use super::{date_change_long, section_label, section_title};
use crate::diff::{Counts, DocumentDiff, OpKind, SectionDiff, Status};
use crate::highlights::{Highlights, SHOWN};
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;
use std::path::Path;

/// The templates, by name, with their embedded defaults.
pub const TEMPLATES: [(&str, &str); 3] = [
    ("subject.txt", include_str!("../../templates/subject.txt")),
    ("body.txt", include_str!("../../templates/body.txt")),
    ("body.html", include_str!("../../templates/body.html")),
];

/// The work one template may do to render one message, in minijinja's fuel: one unit per
/// instruction, and one per 64 bytes of data it makes or writes. The default templates use
/// well under a hundredth of it for a notification about hundreds of changed sections (see
/// the tests); a template that loops or grows without end runs out within a second or two.
pub const TEMPLATE_FUEL: u64 = 20_000_000;

/// The largest text one template may write: no part of an email is larger.
pub const MAX_RENDERED_BYTES: usize = 8 << 20;

/// A writer that refuses to grow past [`MAX_RENDERED_BYTES`].
struct Bounded(Vec<u8>);

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_RENDERED_BYTES {
            return Err(std::io::Error::other("output too large"));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A template that failed to load or render.
#[derive(Debug, thiserror::Error)]
#[error("template {name}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
pub struct TemplateError {
    /// Template name (`body.html`), with the folder when overridden.
    pub name: String,
    /// Line in the template, when known.
    pub line: Option<usize>,
    /// What went wrong.
    pub message: String,
}

impl TemplateError {
    fn from_minijinja(e: &minijinja::Error, origin: &str) -> TemplateError {
        TemplateError::rendering(e, origin, "?")
    }

    /// An error from rendering template `name` (which minijinja does not name when the
    /// output failed).
    fn rendering(e: &minijinja::Error, origin: &str, name: &str) -> TemplateError {
        let mut message = match e.kind() {
            minijinja::ErrorKind::OutOfFuel => format!(
                "gave up: the template did more work than any message needs (more than {TEMPLATE_FUEL} steps); \
                 does it loop or grow without end?"
            ),
            minijinja::ErrorKind::WriteFailure => format!(
                "gave up: the template wrote more than {} MB; does it loop or grow without end?",
                MAX_RENDERED_BYTES >> 20
            ),
            _ => e
                .detail()
                .map_or_else(|| e.kind().to_string(), |d| format!("{}: {d}", e.kind())),
        };
        if message.is_empty() {
            message = e.to_string();
        }
        TemplateError {
            name: format!("{origin}{}", e.name().unwrap_or(name)),
            line: e.line(),
            message,
        }
    }
}

/// The loaded email templates.
pub struct Templates {
    env: Environment<'static>,
    /// For the URL patterns of the configuration: each value printed is percent-encoded
    /// unless marked `|safe`.
    urls: Environment<'static>,
    /// Where overrides came from, shown in error messages (`templates/`), or "".
    origin: String,
}

impl Templates {
    /// Loads the embedded templates, replaced by those present in `dir`.
    pub fn load(dir: Option<&Path>) -> Result<Templates, TemplateError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(TEMPLATE_FUEL));
        env.set_formatter(super::page::text_formatter);
        let mut origin = String::new();
        for (name, default) in TEMPLATES {
            let mut source = default.to_string();
            let mut from = String::new();
            if let Some(dir) = dir {
                let path = dir.join(name);
                if path.is_file() {
                    source = std::fs::read_to_string(&path).map_err(|e| TemplateError {
                        name: path.display().to_string(),
                        line: None,
                        message: e.to_string(),
                    })?;
                    from = format!("{}/", dir.display());
                    origin = from.clone();
                }
            }
            env.add_template_owned(name, source)
                .map_err(|e| TemplateError::from_minijinja(&e, &from))?;
        }
        let mut urls = Environment::new();
        urls.set_undefined_behavior(UndefinedBehavior::Strict);
        urls.set_fuel(Some(TEMPLATE_FUEL));
        urls.set_formatter(|out, _state, value| {
            if value.is_none() || value.is_undefined() {
                Ok(())
            } else if value.is_safe() {
                write!(out, "{value}").map_err(minijinja::Error::from)
            } else {
                out.write_str(&percent_encode(&value.to_string()))
                    .map_err(minijinja::Error::from)
            }
        });
        Ok(Templates { env, urls, origin })
    }

    /// Renders one template with a context.
    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String, TemplateError> {
        let origin = if self.origin.is_empty() {
            ""
        } else {
            &self.origin
        };
        let template = self
            .env
            .get_template(name)
            .map_err(|e| TemplateError::from_minijinja(&e, origin))?;
        let mut out = Bounded(Vec::new());
        template
            .render_captured_to(Value::from(minijinja::value::Serde(context)), &mut out)
            .map_err(|e| TemplateError::rendering(&e, origin, name))?;
        // minijinja writes only UTF-8.
        Ok(String::from_utf8(out.0)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }

    /// Renders a URL pattern from the config (`key` names it in errors): values are
    /// percent-encoded unless marked `|safe`, and the result must be an https, http or mailto
    /// link with nothing in it that could end it.
    pub fn render_url(
        &self,
        key: &str,
        source: &str,
        context: &Value,
    ) -> Result<String, TemplateError> {
        let error = |message: String| TemplateError {
            name: key.to_string(),
            line: None,
            message,
        };
        let url = self
            .urls
            .render_str(source, context.clone())
            .map_err(|e| error(e.detail().unwrap_or(&e.to_string()).to_string()))?;
        if !crate::config::is_safe_link(&url)
            || url
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>\"".contains(c))
        {
            return Err(error(format!(
                "the link {:?} is not a single https, http or mailto link (a value marked |safe?)",
                crate::render::inert(&url, true)
            )));
        }
        Ok(url)
    }
}

/// Percent-encodes all but unreserved characters (RFC 3986) and `%` (so that a value
/// already encoded with `|urlencode` stays as it is).
pub fn percent_encode(value: &str) -> String {
    percent_encode_keeping(value, b"%")
}

/// Percent-encodes all but unreserved characters (RFC 3986) and the bytes in `keep`.
pub fn percent_encode_keeping(value: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') || keep.contains(&b)
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One changed policy.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyContext {
    /// Display name (config `name`, else the document title, else the path).
    pub name: String,
    /// Path in the new version.
    pub path: String,
    /// Path in the old version (differs when renamed).
    pub old_path: Option<String>,
    /// Where readers find the policy.
    pub url: Option<String>,
    /// added, removed, modified or unchanged (cosmetic-only).
    pub status: Status,
    /// Dates as `YYYY-MM-DD` (or `YYYY-MM`), and as readers write them (`March 2, 2015`).
    pub old_modified: Option<String>,
    /// See `old_modified`.
    pub new_modified: Option<String>,
    /// See `old_modified`.
    pub old_modified_long: Option<String>,
    /// See `old_modified`.
    pub new_modified_long: Option<String>,
    /// Effective dates, likewise.
    pub old_effective: Option<String>,
    /// See `old_effective`.
    pub new_effective: Option<String>,
    /// See `old_effective`.
    pub old_effective_long: Option<String>,
    /// See `old_effective`.
    pub new_effective_long: Option<String>,
    /// The modification date changed.
    pub date_changed: bool,
    /// Section counts.
    pub counts: Counts,
    /// One paragraph: what changed, in words.
    pub summary: String,
    /// The newest commit of the notification that changed this policy (a change page of
    /// `policy-diff site` is named by it and the path).
    pub commit: String,
    /// `notify.diff_url` rendered for this policy (its `path` and `commit`), if configured.
    pub diff_url: Option<String>,
    /// The changed sections (added, removed, modified, moved), in document order.
    pub sections: Vec<SectionContext>,
    /// What changed, ranked (the first few: see `more`).
    pub highlights: Vec<HighlightContext>,
    /// "and 3 more changes in 2 sections", when highlights were left out.
    pub more: Option<String>,
    /// Every quantity whose value changed (see the JSON output).
    pub quantities: Vec<crate::highlights::QuantityChange>,
    /// `highlights` and `more` as an HTML list (escaped; safe to print), or "".
    pub highlights_html: Value,
}

/// One thing that changed, as the summary says it.
#[derive(Debug, Clone, Serialize)]
pub struct HighlightContext {
    /// quantity, obligation, added, removed, renamed or changed.
    pub kind: crate::highlights::HighlightKind,
    /// The section's heading (new, else old).
    pub heading: String,
    /// What changed in plain words (`… 15 days (was 30 days) overdue.`, `section added`); for
    /// a changed passage, the passage with `{+added+}` and `[-removed-]` words.
    pub text: String,
    /// See the JSON output.
    pub old: Option<String>,
    /// See the JSON output.
    pub new: Option<String>,
    /// See the JSON output.
    pub old_sentence: Option<String>,
    /// See the JSON output.
    pub new_sentence: Option<String>,
}

/// One changed section.
#[derive(Debug, Clone, Serialize)]
pub struct SectionContext {
    /// added, removed, modified or unchanged (moved only).
    pub status: Status,
    /// Added, Removed, Renamed, Modified or Moved.
    pub label: &'static str,
    /// The heading to show (`Old → New` when renamed).
    pub title: String,
    /// Old heading, if the section existed before.
    pub old_heading: Option<String>,
    /// New heading, if the section exists now.
    pub new_heading: Option<String>,
    /// See the JSON output.
    pub renamed: bool,
    /// See the JSON output.
    pub moved: bool,
    /// Words inserted.
    pub words_added: usize,
    /// Words deleted.
    pub words_removed: usize,
    /// All ops (`op`: equal, insert, delete; `text`).
    pub ops: Vec<crate::diff::WordOp>,
    /// The changed words with some context, as text with `{+…+}` and `[-…-]`.
    pub text_excerpt: String,
    /// The same as HTML with `<ins>`/`<del>` (already escaped; safe to print).
    pub html_excerpt: Value,
    /// The excerpt was cut to `notify.excerpt_words`.
    pub truncated: bool,
}

/// Builds the template data for one changed policy.
pub fn policy_context(
    name: &str,
    path: &str,
    old_path: Option<&str>,
    url: Option<&str>,
    diff: &DocumentDiff,
    highlights: &Highlights,
    excerpt_words: usize,
) -> PolicyContext {
    let date = |old: bool, effective: bool| {
        let meta = if old {
            diff.old.as_ref()
        } else {
            diff.new.as_ref()
        };
        meta.and_then(|m| if effective { m.effective } else { m.modified })
    };
    let iso = |d: Option<crate::document::PolicyDate>| d.map(|d| d.to_string());
    // Long dates in the policy's language (configured, or as its date labels tell).
    let language = (diff.new.as_ref().or(diff.old.as_ref()))
        .and_then(|m| m.language)
        .unwrap_or(crate::document::Language::En);
    let long = |d: Option<crate::document::PolicyDate>| d.map(|d| d.long_in(language));
    let counts = diff.counts();
    let markdown = crate::document::Format::from_path(path) == crate::document::Format::Markdown;
    PolicyContext {
        name: name.to_string(),
        path: path.to_string(),
        old_path: old_path.map(str::to_string),
        url: url.map(str::to_string),
        status: diff.status,
        old_modified: iso(date(true, false)),
        new_modified: iso(date(false, false)),
        old_modified_long: long(date(true, false)),
        new_modified_long: long(date(false, false)),
        old_effective: iso(date(true, true)),
        new_effective: iso(date(false, true)),
        old_effective_long: long(date(true, true)),
        new_effective_long: long(date(false, true)),
        date_changed: diff.date_changed(),
        counts,
        summary: summary(diff, &counts),
        commit: String::new(),
        diff_url: None,
        sections: diff
            .sections
            .iter()
            .filter(|s| s.is_substantive())
            .map(|s| section_context(s, excerpt_words, markdown))
            .collect(),
        highlights: highlights_context(highlights),
        more: highlights.top(SHOWN).1.sentence(),
        quantities: highlights.quantities.clone(),
        highlights_html: Value::from_safe_string(super::what_changed_html(
            highlights,
            &EMAIL_MARKS,
            None,
        )),
    }
}

/// The highlights a message shows.
fn highlights_context(h: &Highlights) -> Vec<HighlightContext> {
    let plain = |t: &str| t.to_string();
    h.top(SHOWN)
        .0
        .iter()
        .map(|item| HighlightContext {
            kind: item.kind,
            heading: super::heading_or_preamble(item.heading()),
            text: super::highlight_text(item, &plain, &super::plain_mark),
            old: item.old.clone(),
            new: item.new.clone(),
            old_sentence: item.old_sentence.clone(),
            new_sentence: item.new_sentence.clone(),
        })
        .collect()
}

fn section_context(s: &SectionDiff, excerpt_words: usize, markdown: bool) -> SectionContext {
    // The heading is the excerpt's title: its line is left out of the text (a renumbered
    // heading is no change to show).
    let (ops, truncated) = budget(&body_ops(s), excerpt_words);
    let show = s.status != Status::Unchanged;
    let marked = lay_out(&ops, Some(8));
    let text_excerpt = if show {
        to_text(&marked, markdown)
    } else {
        String::new()
    };
    let html_excerpt = if show {
        to_html(&marked, markdown, EMAIL_MARKS)
    } else {
        String::new()
    };
    SectionContext {
        status: s.status,
        label: section_label(s),
        title: section_title(s),
        old_heading: s.old_heading.clone(),
        new_heading: s.new_heading.clone(),
        renamed: s.renamed,
        moved: s.moved,
        words_added: s.words_added,
        words_removed: s.words_removed,
        ops: s.ops.clone(),
        text_excerpt,
        html_excerpt: Value::from_safe_string(html_excerpt),
        truncated,
    }
}

/// Cuts ops down to about `words` words, keeping the changes first in line: equal runs are
/// what context elision shortens, so the budget is spent on inserted and deleted text.
fn budget(ops: &[crate::diff::WordOp], words: usize) -> (Vec<crate::diff::WordOp>, bool) {
    let mut out = Vec::new();
    let mut used = 0;
    for op in ops {
        let n = op.text.split_whitespace().count();
        let cost = if op.op == OpKind::Equal { n.min(16) } else { n };
        if used + cost > words && used > 0 {
            return (out, true);
        }
        used += cost;
        out.push(op.clone());
    }
    (out, false)
}

/// One paragraph saying what changed, for the top of a message.
fn summary(diff: &DocumentDiff, c: &Counts) -> String {
    let part = |n: usize, one: &str, many: &str| match n {
        0 => None,
        1 => Some(format!("1 section was {one}")),
        n => Some(format!("{n} sections were {many}")),
    };
    let parts: Vec<String> = [
        part(c.modified, "changed", "changed"),
        part(c.added, "added", "added"),
        part(c.removed, "removed", "removed"),
        part(c.moved, "moved", "moved"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut text = match diff.status {
        Status::Added => "This policy is new.".to_string(),
        Status::Removed => "This policy was withdrawn.".to_string(),
        _ if parts.is_empty() => {
            "Only the formatting or the date of this policy changed; its wording is the same."
                .to_string()
        }
        _ => format!("In this update, {}.", join_words(&parts)),
    };
    if let Some(dates) = date_change_long(diff) {
        text.push(' ');
        text.push_str(&dates);
    }
    text
}

/// "a", "a and b", "a, b and c".
fn join_words(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_templates_compile() {
        assert!(Templates::load(None).is_ok());
    }

    #[test]
    fn syntax_errors_name_template_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("body.txt"), "Hello\n{% for x in %}\n").unwrap();
        let e = Templates::load(Some(dir.path())).err().unwrap().to_string();
        assert!(e.contains("body.txt line 2"), "{e}");
    }
}
