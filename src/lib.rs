//! policy-diff tells people how a legal policy changed, section by section.
//!
//! The pipeline runs in one direction; each stage owns its types and knows nothing of the
//! stages to its right:
//!
//! - [`source`]: git revisions or files → policy texts (rename-aware);
//! - [`document`]: text → [`document::Document`] (sections, title, modification and
//!   effective dates);
//! - [`diff`]: two documents → [`diff::DocumentDiff`] (aligned sections, word-level ops,
//!   cosmetic edits recognised);
//! - [`render`]: a [`report::Report`] → terminal text, JSON or Markdown.
//!
//! ```
//! use policy_diff::document::{parse, Format, ParseOptions};
//! use policy_diff::diff::diff_documents;
//! let read = |t| parse(t, Format::Markdown, ParseOptions::default());
//! let old = read("# Privacy\n\nLast updated: May 1, 2024\n\n## Retention\n\nWe keep data 30 days.\n");
//! let new = read("# Privacy\n\nLast updated: June 3, 2024\n\n## Retention\n\nWe keep data 90 days.\n");
//! let diff = diff_documents(Some(&old), Some(&new));
//! assert_eq!(diff.new.unwrap().modified.unwrap().to_string(), "2024-06-03");
//! assert_eq!(diff.sections[1].words_added, 1);
//! ```
#![warn(missing_docs)]

pub mod cli;
pub mod config;
pub mod diff;
pub mod document;
pub mod history;
pub mod hook;
pub mod notify;
mod parallel;
pub mod render;
pub mod report;
pub mod rules;
pub mod source;
