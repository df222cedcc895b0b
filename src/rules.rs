//! How the documents at each path are read and compared: how their numeric dates are
//! ordered, their language, and what is noise rather than a change (link destinations, text
//! matching patterns). Set for all documents and per policy in the configuration, per path
//! pattern on the command line.

use crate::diff::{DocumentDiff, SectionDiff, Status};
use crate::document::{DateOrder, Document, Language, ParseOptions};
use std::borrow::Cow;
use std::sync::Arc;

/// What is not a change. A section whose text differs only in noise is cosmetic: its ops
/// still carry the real text, but it is `unchanged`, and so is a document with nothing else.
#[derive(Debug, Clone, Default)]
pub struct Noise {
    /// A link's or image's destination (`[text](destination)`, `[id]: destination`,
    /// `href="…"`, `src="…"`): a changed destination with the same link text is no change.
    pub links: bool,
    /// Text matching any of these (`Updated \d+ days ago`) is no change.
    pub patterns: Vec<regex::Regex>,
}

impl Noise {
    /// True when nothing is noise.
    pub fn is_empty(&self) -> bool {
        !self.links && self.patterns.is_empty()
    }

    /// The text with its noise masked.
    pub fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut text = Cow::Borrowed(text);
        if self.links {
            text = Cow::Owned(mask_links(&text));
        }
        for pattern in &self.patterns {
            if let Cow::Owned(masked) = pattern.replace_all(&text, "\u{fffc}") {
                text = Cow::Owned(masked);
            }
        }
        text
    }

    /// Marks the modified sections of `diff` whose texts differ only in noise as cosmetic,
    /// and the document as unchanged when nothing else changed.
    pub fn apply(&self, diff: &mut DocumentDiff, old: Option<&Document>, new: Option<&Document>) {
        if self.is_empty() {
            return;
        }
        let (Some(old), Some(new)) = (old, new) else {
            return;
        };
        for row in &mut diff.sections {
            let (Some(i), Some(j)) = (row.old_index, row.new_index) else {
                continue;
            };
            let (a, b) = (&old.sections[i], &new.sections[j]);
            if row.status == Status::Modified
                && row.words_moved == 0
                && a.key == b.key
                && crate::diff::words::bodies_read_the_same(
                    &self.mask(&a.text[a.heading_len..]),
                    &self.mask(&b.text[b.heading_len..]),
                )
            {
                row.status = Status::Unchanged;
                row.cosmetic = true;
            }
        }
        if diff.status == Status::Modified && !diff.sections.iter().any(SectionDiff::is_substantive)
        {
            diff.status = Status::Unchanged;
        }
    }
}

/// Link destinations removed: `[text](destination "title")` → `[text]()`, `![alt](src)` →
/// `![alt]()`, a reference definition `[id]: destination` → `[id]:`, and the values of
/// `href=` and `src=` attributes.
fn mask_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[')
            && let Some(k) = trimmed.find("]:")
        {
            let keep = line.len() - trimmed.len() + k + 2;
            out.push_str(&line[..keep]);
            out.push_str(if line.ends_with('\n') { "\n" } else { "" });
            continue;
        }
        let mut rest = line;
        loop {
            let inline = rest.find("](");
            let attr = ["href=", "src=", "HREF=", "SRC="]
                .iter()
                .filter_map(|a| rest.find(a).map(|k| (k, a.len())))
                .min();
            match (inline, attr) {
                (Some(k), attr) if attr.is_none_or(|(a, _)| k < a) => {
                    out.push_str(&rest[..k + 2]);
                    // The destination runs to the matching `)` (balanced parentheses).
                    let mut depth = 1;
                    let end = rest[k + 2..].char_indices().find_map(|(n, c)| {
                        match c {
                            '(' => depth += 1,
                            ')' => depth -= 1,
                            _ => {}
                        }
                        (depth == 0).then_some(k + 2 + n)
                    });
                    match end {
                        Some(end) => rest = &rest[end..],
                        None => {
                            out.push_str(&rest[k + 2..]);
                            break;
                        }
                    }
                }
                (_, Some((k, len))) => {
                    let value = k + len;
                    out.push_str(&rest[..value]);
                    let quote = rest[value..].chars().next();
                    match quote.filter(|q| *q == '"' || *q == '\'') {
                        Some(q) => {
                            let close = rest[value + 1..].find(q).map(|n| value + 1 + n);
                            match close {
                                Some(close) => {
                                    out.push(q);
                                    rest = &rest[close..];
                                }
                                None => {
                                    out.push_str(&rest[value..]);
                                    break;
                                }
                            }
                        }
                        None => rest = &rest[value..],
                    }
                }
                _ => {
                    out.push_str(rest);
                    break;
                }
            }
        }
    }
    out
}

/// How one document is read and compared.
#[derive(Debug, Clone, Default)]
pub struct Rule {
    /// How its dates are read.
    pub parse: ParseOptions,
    /// What is not a change in it.
    pub noise: Arc<Noise>,
}

/// Settings for the documents matching a pattern; unset ones come from the defaults, and
/// its patterns are added to theirs.
#[derive(Debug, Clone, Default)]
pub struct RuleSettings {
    /// See [`ParseOptions::date_order`].
    pub date_order: Option<DateOrder>,
    /// See [`ParseOptions::language`].
    pub language: Option<Language>,
    /// See [`Noise::links`].
    pub ignore_links: Option<bool>,
    /// See [`Noise::patterns`].
    pub ignore: Vec<regex::Regex>,
}

/// The rule of every document: a default, and rules for path patterns (the first that
/// matches applies).
#[derive(Debug, Clone, Default)]
pub struct Rules {
    default: Rule,
    by_path: Vec<(globset::GlobMatcher, Rule)>,
}

impl Rules {
    /// Rules with these settings for every document.
    pub fn new(settings: &RuleSettings) -> Rules {
        Rules {
            default: Rule::default().with(settings),
            by_path: Vec::new(),
        }
    }

    /// Adds settings for the documents whose path matches `pattern` (a path or a glob).
    pub fn add(&mut self, pattern: &str, settings: &RuleSettings) -> Result<(), globset::Error> {
        let glob = globset::Glob::new(pattern)?.compile_matcher();
        self.by_path.push((glob, self.default.with(settings)));
        Ok(())
    }

    /// The rule for the document at `path`.
    pub fn for_path(&self, path: &str) -> &Rule {
        self.by_path
            .iter()
            .find(|(glob, _)| glob.is_match(path))
            .map_or(&self.default, |(_, rule)| rule)
    }
}

impl Rule {
    fn with(&self, s: &RuleSettings) -> Rule {
        let mut patterns = self.noise.patterns.clone();
        patterns.extend(s.ignore.iter().cloned());
        Rule {
            parse: ParseOptions {
                date_order: s.date_order.or(self.parse.date_order),
                language: s.language.or(self.parse.language),
            },
            noise: Arc::new(Noise {
                links: s.ignore_links.unwrap_or(self.noise.links),
                patterns,
            }),
        }
    }
}

/// Compiles an `--ignore`/`ignore:` pattern, naming it in the error.
pub fn ignore_pattern(pattern: &str) -> Result<regex::Regex, PatternError> {
    regex::Regex::new(pattern).map_err(|source| PatternError {
        pattern: pattern.to_string(),
        source,
    })
}

/// An `--ignore`/`ignore:` pattern that is not a regular expression.
#[derive(Debug, thiserror::Error)]
#[error("invalid pattern {pattern:?}: {source}")]
pub struct PatternError {
    /// The pattern.
    pub pattern: String,
    /// What the regular expression compiler said.
    pub source: regex::Error,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_destinations_are_masked_and_link_texts_kept() {
        let a = mask_links("See [our terms](https://x.example/terms?ref=a) and ![logo](/a.png).\n");
        let b = mask_links("See [our terms](https://x.example/terms?ref=b) and ![logo](/b.png).\n");
        assert_eq!(a, b);
        assert_eq!(a, "See [our terms]() and ![logo]().\n");
        assert_ne!(
            mask_links("See [our terms](https://x.example/t)"),
            mask_links("See [our rules](https://x.example/t)")
        );
        assert_eq!(mask_links("[id]: https://a.example/x\ntext"), "[id]:\ntext");
        assert_eq!(
            mask_links("<a href=\"https://a.example/?utm=1\">here</a>"),
            "<a href=\"\">here</a>"
        );
        assert_eq!(mask_links("a [b](c (d)) e"), "a [b]() e");
        assert_eq!(mask_links("unclosed [b](c"), "unclosed [b](c");
    }

    /// A word, or a link with its text and destination.
    #[derive(Debug, Clone)]
    enum Token {
        Word(&'static str),
        Link(&'static str, &'static str),
    }

    fn render(tokens: &[Token]) -> String {
        let words: Vec<String> = tokens
            .iter()
            .map(|t| match t {
                Token::Word(w) => w.to_string(),
                Token::Link(text, dest) => format!("[{text}]({dest})"),
            })
            .collect();
        format!("# Policy\n\n## Terms\n\n{}\n", words.join(" "))
    }

    fn token() -> impl proptest::strategy::Strategy<Value = Token> {
        use proptest::prelude::*;
        let words = proptest::sample::select(vec!["we", "keep", "data", "for", "30", "days"]);
        let dests = proptest::sample::select(vec![
            "https://a.example/x?ref=1",
            "https://a.example/x?ref=2",
            "/img/a.png",
            "https://b.example/(v)",
        ]);
        prop_oneof![
            words.clone().prop_map(Token::Word),
            (words, dests).prop_map(|(t, d)| Token::Link(t, d)),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]
        #[test]
        fn ignoring_links_never_hides_a_change_of_words(
            old in proptest::collection::vec(token(), 1..12),
            edits in proptest::collection::vec((0usize..12, token()), 0..3),
        ) {
            let mut new = old.clone();
            for (at, t) in edits {
                let at = at % new.len();
                new[at] = t;
            }
            // What a reader sees: the words and link texts, not the destinations.
            let seen = |ts: &[Token]| -> Vec<&str> {
                ts.iter().map(|t| match t { Token::Word(w) | Token::Link(w, _) => *w }).collect()
            };
            let is_link = |ts: &[Token]| -> Vec<bool> {
                ts.iter().map(|t| matches!(t, Token::Link(..))).collect()
            };
            let real = seen(&old) != seen(&new) || is_link(&old) != is_link(&new);
            let parse = |t: &str| crate::document::parse(t, crate::document::Format::Markdown, Default::default());
            let (a, b) = (parse(&render(&old)), parse(&render(&new)));
            let noise = Noise { links: true, patterns: Vec::new() };
            let report = crate::report::compare_documents("p.md", Some("p.md"), Some(&a), Some(&b), Default::default(), &noise);
            let plain = crate::report::compare_documents("p.md", Some("p.md"), Some(&a), Some(&b), Default::default(), &Noise::default());
            if real {
                proptest::prop_assert_eq!(report.diff.status, plain.diff.status);
            } else {
                proptest::prop_assert_eq!(report.diff.status, Status::Unchanged);
            }
        }
    }

    #[test]
    fn ignored_patterns_are_no_change_and_ops_keep_the_text() {
        let parse = |t: &str| {
            crate::document::parse(t, crate::document::Format::Markdown, Default::default())
        };
        let a = parse("# Page\n\nUpdated 22 days ago. We keep data.\n");
        let b = parse("# Page\n\nUpdated 23 days ago. We keep data.\n");
        let c = parse("# Page\n\nUpdated 23 days ago. We sell data.\n");
        let noise = Noise {
            links: false,
            patterns: vec![ignore_pattern(r"\d+ days ago").unwrap()],
        };
        let quiet = crate::report::compare_documents(
            "p.md",
            None,
            Some(&a),
            Some(&b),
            Default::default(),
            &noise,
        );
        assert_eq!(quiet.diff.status, Status::Unchanged);
        assert!(quiet.diff.sections.iter().any(|s| s.cosmetic));
        crate::diff::check_lossless(Some(&a), Some(&b), &quiet.diff).unwrap();
        let real = crate::report::compare_documents(
            "p.md",
            None,
            Some(&a),
            Some(&c),
            Default::default(),
            &noise,
        );
        assert_eq!(real.diff.status, Status::Modified);
    }

    #[test]
    fn rules_by_path() {
        let mut rules = Rules::new(&RuleSettings {
            ignore: vec![ignore_pattern(r"\d+ days ago").unwrap()],
            ..RuleSettings::default()
        });
        rules
            .add(
                "fr/*.md",
                &RuleSettings {
                    date_order: Some(DateOrder::Dmy),
                    ignore_links: Some(true),
                    ..RuleSettings::default()
                },
            )
            .unwrap();
        let fr = rules.for_path("fr/cgu.md");
        assert_eq!(fr.parse.date_order, Some(DateOrder::Dmy));
        assert!(fr.noise.links);
        assert_eq!(fr.noise.patterns.len(), 1);
        let other = rules.for_path("en/terms.md");
        assert_eq!(other.parse.date_order, None);
        assert!(!other.noise.links);
        assert!(
            ignore_pattern("(")
                .unwrap_err()
                .to_string()
                .contains("invalid pattern \"(\"")
        );
    }
}
