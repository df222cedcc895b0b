//! policy-diff tells people how a legal policy changed, section by section.
//!
//! The pipeline runs in one direction; each stage owns its types and knows nothing of the
//! stages to its right:
//!
//! - [`source`]: git revisions or files → policy texts (rename-aware);
//! - [`document`]: text → [`document::Document`] (sections, title, modification and
//!   effective dates in seven languages);
//! - [`rules`]: how each path is read and compared (date order, language, noise);
//! - [`diff`]: two documents → [`diff::DocumentDiff`] (aligned sections, word-level ops,
//!   cosmetic edits recognised);
//! - [`report`]: the two steps above for a pair of texts, as [`report::DocumentReport`]s;
//! - [`render`]: a [`report::Report`] → terminal text, JSON or Markdown;
//! - [`history`]: `policy-diff log` — every change of every policy, versions parsed once and
//!   compared on all cores;
//! - [`config`] and [`notify`]: `policy-diff check` — who follows what, messages, delivery
//!   exactly once.
//!
//! **Read a document.** Sections, title and dates:
//!
//! ```
//! use policy_diff::document::{parse, Format, ParseOptions};
//! let doc = parse(
//!     "# Conditions\n\nDernière mise à jour : 1er septembre 2023\n\n## Prix\n\n10 euros.\n",
//!     Format::Markdown,
//!     ParseOptions::default(),
//! );
//! assert_eq!(doc.title.as_deref(), Some("Conditions"));
//! assert_eq!(doc.modified.unwrap().to_string(), "2023-09-01");
//! assert_eq!(doc.sections.len(), 2);
//! ```
//!
//! **Compare two documents.** Sections are matched (renamed, moved, added, removed) and
//! compared word by word:
//!
//! ```
//! use policy_diff::document::{parse, Format, ParseOptions};
//! use policy_diff::diff::{diff_documents, Status};
//! let read = |t| parse(t, Format::Markdown, ParseOptions::default());
//! let old = read("# Privacy\n\nLast updated: May 1, 2024\n\n## Retention\n\nWe keep data 30 days.\n");
//! let new = read("# Privacy\n\nLast updated: June 3, 2024\n\n## Retention\n\nWe keep data 90 days.\n");
//! let diff = diff_documents(Some(&old), Some(&new));
//! assert_eq!(diff.new.unwrap().modified.unwrap().to_string(), "2024-06-03");
//! assert_eq!(diff.sections[1].status, Status::Modified);
//! assert_eq!(diff.sections[1].words_added, 1);
//! ```
//!
//! **Say what is noise, and render.** A report of two texts, with changed link destinations
//! as no change, rendered as text:
//!
//! ```
//! use policy_diff::report::{compare_texts, Report};
//! use policy_diff::render::{render, OutputFormat, TextOptions};
//! use policy_diff::rules::{Rules, RuleSettings};
//! let rules = Rules::new(&RuleSettings { ignore_links: Some(true), ..Default::default() });
//! let old = "# Help\n\nRead [the terms](https://x.example/?ref=1).\n\n## Fees\n\nTen euros.\n";
//! let new = "# Help\n\nRead [the terms](https://x.example/?ref=2).\n\n## Fees\n\nTwelve euros.\n";
//! let doc = compare_texts("help.md", Some("help.md"), Some(old), Some(new), rules.for_path("help.md"));
//! let report = Report { old: "v1".into(), new: "v2".into(), documents: vec![doc], files: false };
//! assert!(report.has_changes());
//! let text = render(&report, OutputFormat::Text, &TextOptions { color: false, context: 8 });
//! assert!(text.contains("[-Ten-] {+Twelve+}"), "{text}");
//! assert!(text.contains("1 modified; 1 unchanged (1 only reformatted)"), "{text}");
//! ```
//!
//! Two files or two revisions of a repository are compared the same way by
//! [`report::compare_files`] and [`report::compare_revisions`] (what `policy-diff OLD NEW`
//! shows), and [`report::compare_changes`] for commit ids (what `check` and `preview` plan
//! from: each policy compared once).
//!
//! **Walk a history.** Every commit that changed a policy, newest first, with each
//! document turned into what the caller needs (here its status):
//!
//! ```
//! # let dir = tempfile::tempdir().unwrap();
//! # let git = git2::Repository::init(dir.path()).unwrap();
//! # let sign = git2::Signature::now("A", "a@example.org").unwrap();
//! # let mut parent: Option<git2::Oid> = None;
//! # for text in ["# Terms\n\nWe keep data.\n", "# Terms\n\nWe sell data.\n"] {
//! #     std::fs::write(dir.path().join("terms.md"), text).unwrap();
//! #     let mut index = git.index().unwrap();
//! #     index.add_path(std::path::Path::new("terms.md")).unwrap();
//! #     let tree = git.find_tree(index.write_tree().unwrap()).unwrap();
//! #     let parents: Vec<git2::Commit> = parent.iter().map(|p| git.find_commit(*p).unwrap()).collect();
//! #     let parents: Vec<&git2::Commit> = parents.iter().collect();
//! #     parent = Some(git.commit(Some("HEAD"), &sign, &sign, "edit", &tree, &parents).unwrap());
//! # }
//! use policy_diff::history::{walk, LogOptions};
//! use policy_diff::rules::Rules;
//! use policy_diff::source::{PolicyFilter, PolicyRepo};
//! let repo = PolicyRepo::discover(dir.path()).unwrap();
//! let tip = repo.resolve("HEAD").unwrap();
//! let rules = Rules::default();
//! let options = LogOptions { rules: &rules, diff: Default::default(), threads: 1 };
//! let mut statuses = Vec::new();
//! walk(&repo, tip, None, &PolicyFilter::new(&[]).unwrap(), options, &mut Vec::new(),
//!      |_, report| report.diff.status.word(),
//!      |entry| { statuses.extend(entry.documents); Ok(()) },
//!      |_, _| {}).unwrap();
//! assert_eq!(statuses, ["modified", "added"]);
//! ```
//!
//! **Notify.** The configuration says which files are policies, who follows them, how they
//! are read and how messages go out; [`notify::check`] delivers every change since the last
//! notification, exactly once:
//!
//! ```
//! use policy_diff::config::Config;
//! let config = Config::parse(
//!     "policies:\n  - { path: \"fr/*.md\", language: fr }\nsender: legal@example.org\nsubscribers: [{ email: a@example.org }]\n",
//!     std::path::Path::new("/srv/policies/policy-diff.yaml"),
//! ).unwrap();
//! assert_eq!(config.subscribers.len(), 1);
//! assert!(config.rules.for_path("fr/cgu.md").parse.language.is_some());
//! ```
#![warn(missing_docs)]

pub mod background;
pub mod cli;
pub mod config;
pub mod diff;
pub mod document;
pub mod highlights;
pub mod history;
pub mod hook;
pub mod lint;
pub mod notify;
mod parallel;
pub mod paths;
pub mod private_fs;
pub mod render;
pub mod report;
pub mod rules;
pub mod site;
pub mod source;
