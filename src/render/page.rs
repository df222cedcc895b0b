//! HTML pages: the redline of `policy-diff OLD NEW --format html`, and the pages of
//! `policy-diff site` (which uses the same redline for each change).
//!
//! Pages are self-contained (one file, its style sheet inside, no script, nothing loaded
//! from elsewhere), readable in light and dark mode and in print. The page templates
//! (minijinja, in `templates/`) are built into the binary; they escape everything they print
//! unless it is HTML this module made (already escaped).

use super::redline::{PAGE_MARKS, body_changed, body_ops, lay_out, to_html};
use super::{counts_summary, date_change, section_label, section_notes};
use crate::diff::{DocumentDiff, SectionDiff, Status};
use crate::document::Format;
use crate::report::{DocumentReport, Report};
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

/// The page templates, by name.
const PAGE_TEMPLATES: [(&str, &str); 6] = [
    ("page.css", include_str!("../../templates/page.css")),
    ("page.html", include_str!("../../templates/page.html")),
    ("redline.html", include_str!("../../templates/redline.html")),
    (
        "redline-document.html",
        include_str!("../../templates/redline-document.html"),
    ),
    (
        "site-index.html",
        include_str!("../../templates/site-index.html"),
    ),
    (
        "site-policy.html",
        include_str!("../../templates/site-policy.html"),
    ),
];

/// The loaded page templates.
pub struct Pages {
    env: Environment<'static>,
}

impl Default for Pages {
    fn default() -> Self {
        Pages::new()
    }
}

/// The formatter of every HTML template (pages and email): names, paths and commit summaries
/// are escaped as the policy text is — markup escaped, controls and bidirectional overrides
/// shown instead of obeyed.
pub(crate) fn text_formatter(
    out: &mut minijinja::Output<'_>,
    state: &mut minijinja::State<'_, '_>,
    value: &Value,
) -> Result<(), minijinja::Error> {
    if let (minijinja::AutoEscape::Html, false, Some(text)) =
        (state.auto_escape(), value.is_safe(), value.as_str())
    {
        let mut escaped = String::with_capacity(text.len() + 8);
        super::redline::escape(text, &mut escaped);
        return out.write_str(&escaped).map_err(minijinja::Error::from);
    }
    minijinja::escape_formatter(out, state, value)
}

impl Pages {
    /// Loads the built-in page templates.
    pub fn new() -> Pages {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_formatter(text_formatter);
        for (name, source) in PAGE_TEMPLATES {
            env.add_template(name, source)
                .expect("the built-in page templates compile");
        }
        Pages { env }
    }

    /// Renders one document of a redline page (to be given to the page as a fragment).
    pub fn document(&self, doc: &PageDocument) -> Value {
        #[derive(Serialize)]
        struct One<'a> {
            d: &'a PageDocument,
        }
        Value::from_safe_string(self.render("redline-document.html", &One { d: doc }))
    }

    /// Renders a page template with a context.
    pub fn render(&self, name: &str, context: &impl Serialize) -> String {
        self.env
            .get_template(name)
            .and_then(|t| t.render(Value::from(minijinja::value::Serde(context))))
            .unwrap_or_else(|e| panic!("the built-in template {name} renders: {e:#}"))
    }
}

/// One document of a redline page.
#[derive(Debug, Clone, Serialize)]
pub struct PageDocument {
    /// Anchor of the document's header (`d1`).
    pub anchor: String,
    /// Path in the new version (the old one when removed).
    pub path: String,
    /// Path in the old version, when it differs.
    pub old_path: Option<String>,
    /// True when two files were compared (a different old path is no rename).
    pub files: bool,
    /// added, removed, modified or unchanged.
    pub status: Status,
    /// "2024-01-15 → 2024-06-03", "2024-01-15 (unchanged)", or none.
    pub modified: Option<String>,
    /// Effective dates, likewise.
    pub effective: Option<String>,
    /// The text changed, the date did not.
    pub stale_date: bool,
    /// "2 modified, 1 added; 4 unchanged".
    pub counts: String,
    /// What changed, as an HTML list whose items link to their sections (escaped; safe to
    /// print), or "".
    pub what_changed: Value,
    /// The changed sections, for the table of contents.
    pub toc: Vec<TocEntry>,
    /// Every section, in the new document's order (removed ones where they stood).
    pub sections: Vec<PageSection>,
}

/// A line of the table of contents.
#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    /// The section's anchor.
    pub anchor: String,
    /// Added, Removed, Modified, Renamed, Moved.
    pub label: &'static str,
    /// The heading (new, else old).
    pub title: String,
    /// It also moved (labelled besides its status).
    pub also_moved: bool,
}

/// One section of a redline page.
#[derive(Debug, Clone, Serialize)]
pub struct PageSection {
    /// Its anchor (`d1-s4`).
    pub anchor: String,
    /// Added, Removed, Modified, Renamed, Moved; Unchanged for the others.
    pub label: &'static str,
    /// The heading as HTML: `<del>Old</del> → <ins>New</ins>` when renamed.
    pub title_html: Value,
    /// What happened to it, in a few words.
    pub notes: String,
    /// A reader would call it changed (its text is shown open).
    pub changed: bool,
    /// Changed, and moved too (labelled besides its status).
    pub also_moved: bool,
    /// Its text changed (not only its place or heading): shown open, with marks.
    pub text_changed: bool,
    /// The body as HTML, with `<ins>`/`<del>`.
    pub body_html: Value,
}

/// Builds the view of one compared document; `n` numbers it on its page.
pub fn page_document(doc: &DocumentReport, n: usize, files: bool) -> PageDocument {
    let d = &doc.diff;
    let markdown = Format::from_path(&doc.path) == Format::Markdown;
    let anchor = format!("d{n}");
    let mut toc = Vec::new();
    let mut sections = Vec::with_capacity(d.sections.len());
    for (i, s) in d.sections.iter().enumerate() {
        let section = page_section(s, &format!("{anchor}-s{}", i + 1), markdown);
        if section.changed {
            toc.push(TocEntry {
                anchor: section.anchor.clone(),
                label: section.label,
                title: super::heading_or_preamble(s.heading()),
                also_moved: section.also_moved,
            });
        }
        sections.push(section);
    }
    let what_changed = Value::from_safe_string(super::what_changed_html(
        &doc.highlights,
        &PAGE_MARKS,
        Some(&anchor),
    ));
    PageDocument {
        anchor,
        path: doc.path.clone(),
        old_path: doc.old_path.clone().filter(|p| *p != doc.path),
        files,
        status: d.status,
        modified: date_change(d, |m| m.modified),
        effective: date_change(d, |m| m.effective),
        stale_date: stale_date(d),
        counts: counts_summary(&d.counts()),
        what_changed,
        toc,
        sections,
    }
}

/// The text changed but the modification date did not.
pub fn stale_date(d: &DocumentDiff) -> bool {
    d.status == Status::Modified
        && d.old.as_ref().is_some_and(|m| m.modified.is_some())
        && !d.date_changed()
}

fn page_section(s: &SectionDiff, anchor: &str, markdown: bool) -> PageSection {
    let body = body_ops(s);
    let changed = s.is_substantive();
    let text_changed = body_changed(s, &body);
    let mut title = String::new();
    match (s.renamed, &s.old_heading, &s.new_heading) {
        (true, Some(o), Some(n)) => {
            title.push_str("<del>");
            super::redline::escape(&super::heading_or_preamble(o), &mut title);
            title.push_str("</del> → <ins>");
            super::redline::escape(&super::heading_or_preamble(n), &mut title);
            title.push_str("</ins>");
        }
        _ => super::redline::escape(&super::heading_or_preamble(s.heading()), &mut title),
    }
    let label = if changed {
        section_label(s)
    } else {
        "Unchanged"
    };
    PageSection {
        anchor: anchor.to_string(),
        label,
        title_html: Value::from_safe_string(title),
        notes: if s.moved && s.status != Status::Unchanged {
            format!("moved, {}", section_notes(s))
        } else {
            section_notes(s)
        },
        changed,
        also_moved: changed && s.moved && s.status != Status::Unchanged,
        text_changed,
        body_html: Value::from_safe_string(to_html(&lay_out(&body, None), markdown, PAGE_MARKS)),
    }
}

/// What the redline template is given.
#[derive(Debug, Serialize)]
pub struct RedlineContext<'a> {
    /// The page title.
    pub title: String,
    /// The policy's name, on a change page of the site.
    pub name: String,
    /// Old and new version as given (revision or file).
    pub old: &'a str,
    /// See `old`.
    pub new: &'a str,
    /// The commit of a change page of the site (id, short, date, summary), if any.
    pub commit: Option<CommitView>,
    /// Links back to the site's pages (relative), if any: `index`, `policy`.
    pub nav: Option<Nav>,
    /// The documents.
    pub documents: Vec<PageDocument>,
    /// Documents already rendered by [`Pages::document`].
    pub fragments: Vec<Value>,
}

/// A commit as pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct CommitView {
    /// Full id.
    pub id: String,
    /// Short id.
    pub short: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// First line of the message.
    pub summary: String,
}

/// Relative links from a page of the site to its other pages.
#[derive(Debug, Clone, Serialize)]
pub struct Nav {
    /// The index of the policies.
    pub index: String,
    /// The timeline of this policy.
    pub policy: Option<String>,
    /// The feed of this policy (or of all).
    pub feed: String,
}

/// Renders a report as one self-contained HTML page.
pub fn render_html(report: &Report) -> String {
    let documents = report
        .shown()
        .enumerate()
        .map(|(n, d)| page_document(d, n + 1, report.files))
        .collect();
    Pages::new().render(
        "redline.html",
        &RedlineContext {
            title: format!("Policy changes: {} → {}", report.old, report.new),
            name: String::new(),
            old: &report.old,
            new: &report.new,
            commit: None,
            nav: None,
            documents,
            fragments: Vec::new(),
        },
    )
}
