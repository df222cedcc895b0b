//! Property test: random edits to a generated policy keep the lossless invariant, and
//! edits that only reflow or re-emphasise text are recognised as cosmetic.

use policy_diff::diff::{Status, check_lossless, diff_documents};
use policy_diff::document::{Format, ParseOptions, parse};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "we",
    "you",
    "data",
    "collect",
    "share",
    "the",
    "your",
    "account",
    "cookies",
    "partners",
    "may",
    "not",
    "delete",
    "retain",
    "days",
    "law",
    "request",
    "email",
    "policy",
    "service",
    "“notice”",
    "—",
    "*must*",
    "30",
    "2024",
    "e.g.",
    "rights",
    "opt-out",
];

#[derive(Debug, Clone)]
struct Sec {
    level: usize,
    number: usize,
    title: Vec<usize>,
    paragraphs: Vec<Vec<usize>>,
}

#[derive(Debug, Clone)]
struct Policy {
    preamble: Vec<usize>,
    sections: Vec<Sec>,
}

fn words(ix: &[usize]) -> Vec<&'static str> {
    ix.iter().map(|&i| WORDS[i % WORDS.len()]).collect()
}

impl Policy {
    /// Markdown, each paragraph wrapped at `width` words per line.
    fn render(&self, width: usize, setext: bool) -> String {
        let mut out = String::new();
        let wrap = |p: &[usize], out: &mut String| {
            for line in words(p).chunks(width.max(1)) {
                out.push_str(&line.join(" "));
                out.push('\n');
            }
            out.push('\n');
        };
        if !self.preamble.is_empty() {
            wrap(&self.preamble, &mut out);
        }
        for s in &self.sections {
            let title = format!("{}. {}", s.number, words(&s.title).join(" "));
            if setext && s.level <= 2 {
                let bar = if s.level == 1 { "=" } else { "-" };
                out.push_str(&format!(
                    "{title}\n{}\n\n",
                    bar.repeat(title.chars().count())
                ));
            } else {
                out.push_str(&format!("{} {title}\n\n", "#".repeat(s.level)));
            }
            for p in &s.paragraphs {
                wrap(p, &mut out);
            }
        }
        out
    }
}

fn word_list(max: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..WORDS.len(), 1..max)
}

fn policy() -> impl Strategy<Value = Policy> {
    let section = (
        1..4usize,
        1..20usize,
        word_list(5),
        prop::collection::vec(word_list(40), 0..4),
    )
        .prop_map(|(level, number, title, paragraphs)| Sec {
            level,
            number,
            title,
            paragraphs,
        });
    (
        prop::collection::vec(0..WORDS.len(), 0..20),
        prop::collection::vec(section, 0..10),
    )
        .prop_map(|(preamble, sections)| Policy { preamble, sections })
}

#[derive(Debug, Clone)]
enum Edit {
    ReplaceWord {
        section: usize,
        at: usize,
        word: usize,
    },
    InsertWord {
        section: usize,
        at: usize,
        word: usize,
    },
    DeleteWord {
        section: usize,
        at: usize,
    },
    Rename {
        section: usize,
        title: Vec<usize>,
    },
    Move {
        from: usize,
        to: usize,
    },
    Remove {
        section: usize,
    },
    Add {
        at: usize,
        title: Vec<usize>,
        body: Vec<usize>,
    },
    Renumber {
        section: usize,
        number: usize,
    },
    Relevel {
        section: usize,
        level: usize,
    },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<usize>(), 0..WORDS.len())
            .prop_map(|(section, at, word)| Edit::ReplaceWord { section, at, word }),
        (any::<usize>(), any::<usize>(), 0..WORDS.len())
            .prop_map(|(section, at, word)| Edit::InsertWord { section, at, word }),
        (any::<usize>(), any::<usize>()).prop_map(|(section, at)| Edit::DeleteWord { section, at }),
        (any::<usize>(), word_list(5)).prop_map(|(section, title)| Edit::Rename { section, title }),
        (any::<usize>(), any::<usize>()).prop_map(|(from, to)| Edit::Move { from, to }),
        any::<usize>().prop_map(|section| Edit::Remove { section }),
        (any::<usize>(), word_list(5), word_list(30)).prop_map(|(at, title, body)| Edit::Add {
            at,
            title,
            body
        }),
        (any::<usize>(), 1..30usize)
            .prop_map(|(section, number)| Edit::Renumber { section, number }),
        (any::<usize>(), 1..4usize).prop_map(|(section, level)| Edit::Relevel { section, level }),
    ]
}

fn apply(p: &mut Policy, e: &Edit) {
    let n = p.sections.len();
    if n == 0 {
        if let Edit::Add { title, body, .. } = e {
            p.sections.push(Sec {
                level: 2,
                number: 1,
                title: title.clone(),
                paragraphs: vec![body.clone()],
            });
        }
        return;
    }
    match e.clone() {
        Edit::ReplaceWord { section, at, word } | Edit::InsertWord { section, at, word } => {
            let s = &mut p.sections[section % n];
            if s.paragraphs.is_empty() {
                s.paragraphs.push(vec![word]);
                return;
            }
            let k = at % s.paragraphs.len();
            let para = &mut s.paragraphs[k];
            let i = at % para.len().max(1);
            if matches!(e, Edit::ReplaceWord { .. }) && !para.is_empty() {
                para[i] = word;
            } else {
                para.insert(i.min(para.len()), word);
            }
        }
        Edit::DeleteWord { section, at } => {
            let s = &mut p.sections[section % n];
            if let Some(para) = s.paragraphs.iter_mut().find(|p| p.len() > 1) {
                para.remove(at % para.len());
            }
        }
        Edit::Rename { section, title } => p.sections[section % n].title = title,
        Edit::Move { from, to } => {
            let s = p.sections.remove(from % n);
            p.sections.insert(to % n, s);
        }
        Edit::Remove { section } => {
            p.sections.remove(section % n);
        }
        Edit::Add { at, title, body } => p.sections.insert(
            at % (n + 1),
            Sec {
                level: 2,
                number: n + 1,
                title,
                paragraphs: vec![body],
            },
        ),
        Edit::Renumber { section, number } => p.sections[section % n].number = number,
        Edit::Relevel { section, level } => p.sections[section % n].level = level,
    }
}

fn md(text: &str) -> policy_diff::document::Document {
    parse(text, Format::Markdown, ParseOptions::default())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_edits_stay_lossless(
        base in policy(),
        edits in prop::collection::vec(edit(), 0..8),
        widths in (3..15usize, 3..15usize),
        setext in any::<(bool, bool)>(),
    ) {
        let mut changed = base.clone();
        for e in &edits {
            apply(&mut changed, e);
        }
        let (old_text, new_text) = (base.render(widths.0, setext.0), changed.render(widths.1, setext.1));
        let (old, new) = (md(&old_text), md(&new_text));
        let diff = diff_documents(Some(&old), Some(&new));
        prop_assert!(check_lossless(Some(&old), Some(&new), &diff).is_ok(),
            "{:?}\n--- old\n{old_text}\n--- new\n{new_text}", check_lossless(Some(&old), Some(&new), &diff));
        // Added and removed documents are lossless too.
        let added = diff_documents(None, Some(&new));
        prop_assert!(check_lossless(None, Some(&new), &added).is_ok());
        let removed = diff_documents(Some(&old), None);
        prop_assert!(check_lossless(Some(&old), None, &removed).is_ok());
    }

    #[test]
    fn reflow_alone_is_never_a_change(base in policy(), widths in (3..15usize, 3..15usize)) {
        let (old, new) = (md(&base.render(widths.0, false)), md(&base.render(widths.1, false)));
        let diff = diff_documents(Some(&old), Some(&new));
        prop_assert_eq!(diff.status, Status::Unchanged);
    }
}

/// Text made of the characters that matter to the parsers: heading marks, underlines,
/// numbering, front matter fences, line breaks, emphasis, and some non-ASCII.
fn markup_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("# ".to_string()),
        Just("## ".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\n\n".to_string()),
        Just("===\n".to_string()),
        Just("---\n".to_string()),
        Just("1. ".to_string()),
        Just("IV. ".to_string()),
        Just("Section 4 — ".to_string()),
        Just("TERMS ".to_string()),
        Just("**".to_string()),
        Just("Last updated: May 5, 2024".to_string()),
        Just("> ".to_string()),
        Just("```\n".to_string()),
        Just("\u{feff}".to_string()),
        "[a-zA-Z ]{1,12}",
        "\\PC{1,6}",
    ];
    prop::collection::vec(piece, 0..60).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn any_text_parses_and_diffs_losslessly(old in markup_text(), new in markup_text()) {
        for format in [Format::Markdown, Format::Plain] {
            let (a, b) = (parse(&old, format, ParseOptions::default()), parse(&new, format, ParseOptions::default()));
            let joined: String = a.sections.iter().map(|s| s.text.as_str()).collect();
            // The sections are the text after the BOM and front matter (but for blank lines
            // before a first heading): a parser that lost or invented text, or returned no
            // sections, fails.
            let body = &old[policy_diff::document::body_offset(&old)..];
            prop_assert!(body.ends_with(&joined), "{:?} is not the end of {:?}", joined, body);
            prop_assert!(body[..body.len() - joined.len()].trim().is_empty(), "text lost before {:?}", joined);
            let diff = diff_documents(Some(&a), Some(&b));
            prop_assert!(check_lossless(Some(&a), Some(&b), &diff).is_ok(), "{:?}", check_lossless(Some(&a), Some(&b), &diff));
        }
    }
}

/// Distinct section titles, so that each section of a generated policy can be told apart
/// in the diff by its heading alone.
const TITLES: &[&str] = &[
    "Scope",
    "Cookies",
    "Retention",
    "Sharing",
    "Security",
    "Children",
    "Transfers",
    "Contact",
    "Rights",
    "Changes",
];

/// What the random edits did to one section of the old version.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fate {
    Untouched,
    WordChanged,
    Renamed,
    Removed,
}

/// A policy of sections with distinct titles, each section with a body of its own; edits
/// are recorded per section so the diff can be checked against what was really done.
#[derive(Debug, Clone)]
struct Tracked {
    /// (index into TITLES, number shown, body words)
    sections: Vec<(usize, usize, Vec<usize>)>,
}

impl Tracked {
    fn render(&self, width: usize, renamed: &[usize]) -> String {
        let mut out = String::from("# Privacy policy\n\n");
        for (id, number, body) in &self.sections {
            let title = if renamed.contains(id) {
                format!("Notice about {}", TITLES[*id].to_lowercase())
            } else {
                TITLES[*id].to_string()
            };
            out.push_str(&format!("## {number}. {title}\n\n"));
            // A word no other section has, so bodies differ from one another.
            let mut words = vec![TITLES[*id].to_lowercase()];
            words.extend(body.iter().map(|&w| WORDS[w % WORDS.len()].to_string()));
            for line in words.chunks(width) {
                out.push_str(&line.join(" "));
                out.push('\n');
            }
            out.push('\n');
        }
        out
    }
}

fn tracked() -> impl Strategy<Value = Tracked> {
    prop::sample::subsequence((0..TITLES.len()).collect::<Vec<_>>(), 3..=8)
        .prop_flat_map(|ids| {
            let n = ids.len();
            (Just(ids), prop::collection::vec(word_list(30), n..=n))
        })
        .prop_map(|(ids, bodies)| Tracked {
            sections: ids
                .into_iter()
                .zip(bodies)
                .enumerate()
                .map(|(k, (id, mut body))| {
                    // At least ten words: one changed word must not look like a new section.
                    while body.len() < 10 {
                        body.push(body.len() * 7 + k);
                    }
                    (id, k + 1, body)
                })
                .collect(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Each section ends up with one fate (untouched, one word changed, renamed or removed),
    /// one untouched section may move two or more places, and the sections may be
    /// renumbered and re-wrapped. The diff must report exactly that: untouched sections
    /// unchanged, the moved one moved and no other, the changed ones modified, the renamed
    /// ones renamed, the removed ones removed.
    #[test]
    fn edits_are_reported_where_they_were_made(
        base in tracked(),
        fates in prop::collection::vec(prop_oneof![
            4 => Just(Fate::Untouched),
            1 => Just(Fate::WordChanged),
            1 => Just(Fate::Renamed),
            1 => Just(Fate::Removed),
        ], 8),
        change in (any::<usize>(), 0..WORDS.len()),
        movement in (any::<usize>(), any::<usize>()),
        renumber in any::<bool>(),
        widths in (3..15usize, 3..15usize),
    ) {
        let fate_of = |k: usize| fates[k];
        let mut new = base.clone();
        let mut renamed = Vec::new();
        for (k, (id, _, body)) in new.sections.iter_mut().enumerate() {
            match fate_of(k) {
                Fate::WordChanged => {
                    let at = change.0 % body.len();
                    // A word different from the one there (and never the same by modulo).
                    let was = body[at] % WORDS.len();
                    body[at] = if change.1 == was { (was + 1) % WORDS.len() } else { change.1 };
                }
                Fate::Renamed => renamed.push(*id),
                _ => {}
            }
        }
        let mut kept: Vec<_> = new
            .sections
            .iter()
            .enumerate()
            .filter(|(k, _)| fate_of(*k) != Fate::Removed)
            .map(|(_, s)| s.clone())
            .collect();
        // Move one untouched section two or more places (a one-place move is ambiguous:
        // either of the two sections may be the one that moved).
        let mut moved = None;
        let untouched: Vec<usize> = (0..kept.len())
            .filter(|&i| fate_of(base.sections.iter().position(|s| s.0 == kept[i].0).unwrap()) == Fate::Untouched)
            .collect();
        if !untouched.is_empty() && kept.len() >= 3 {
            let from = untouched[movement.0 % untouched.len()];
            let to = movement.1 % kept.len();
            if from.abs_diff(to) >= 2 {
                let s = kept.remove(from);
                moved = Some(s.0);
                kept.insert(to, s);
            }
        }
        if renumber {
            for (k, s) in kept.iter_mut().enumerate() {
                s.1 = k + 1;
            }
        }
        new.sections = kept;
        let (old_text, new_text) = (base.render(widths.0, &[]), new.render(widths.1, &renamed));
        let diff = diff_documents(Some(&md(&old_text)), Some(&md(&new_text)));
        let context = format!("--- old\n{old_text}\n--- new\n{new_text}\n--- diff\n{:#?}", diff.sections);
        for (k, (id, _, _)) in base.sections.iter().enumerate() {
            let title = TITLES[*id];
            let row = diff
                .sections
                .iter()
                .find(|r| r.old_heading.as_deref().is_some_and(|h| h.ends_with(title)))
                .unwrap_or_else(|| panic!("no row for {title}\n{context}"));
            let fate = fate_of(k);
            let expected = match fate {
                Fate::Untouched => Status::Unchanged,
                Fate::WordChanged | Fate::Renamed => Status::Modified,
                Fate::Removed => Status::Removed,
            };
            prop_assert_eq!(row.status, expected, "{} ({:?})\n{}", title, fate, context);
            prop_assert_eq!(row.renamed, fate == Fate::Renamed, "{} renamed?\n{}", title, context);
            prop_assert_eq!(row.moved, moved == Some(*id), "{} moved?\n{}", title, context);
        }
        prop_assert!(check_lossless(Some(&md(&old_text)), Some(&md(&new_text)), &diff).is_ok());
    }
}

// Clause structure without Markdown headings: titles in numbered bold list items (with
// clauses nested under them, titled in bold and running into their text), bold lines,
// escaped numbers and capitals. Each title is found, the sections still make up the text,
// and a word changed in one clause is reported in that clause alone.

const TITLE_WORDS: &[&str] = &[
    "Fees",
    "Payment",
    "Data",
    "Retention",
    "Your",
    "Account",
    "Cookies",
    "Liability",
    "Termination",
    "Privacy",
    "Sharing",
    "Disputes",
    "Security",
    "Content",
    "Notices",
];

/// A clause: its title's words, its text, and clauses nested under it.
#[derive(Debug, Clone)]
struct Clause {
    title: Vec<usize>,
    body: Vec<usize>,
    nested: Vec<(Vec<usize>, Vec<usize>)>,
}

/// How a document writes its clause titles.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Style {
    BoldListItems,
    BoldLines,
    EscapedNumbers,
    Capitals,
}

fn title_words(ix: &[usize]) -> String {
    ix.iter()
        .map(|&i| TITLE_WORDS[i % TITLE_WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

fn sentence(ix: &[usize]) -> String {
    let w = words(ix).join(" ");
    format!("Clause text {w}.")
}

fn clause_document(intro: &[usize], clauses: &[Clause], style: Style) -> (String, Vec<String>) {
    let mut out = format!("{}\n\n", sentence(intro));
    let mut titles = Vec::new();
    for (i, c) in clauses.iter().enumerate() {
        let n = i + 1;
        let title = title_words(&c.title);
        let shown = match style {
            Style::BoldListItems => {
                out.push_str(&format!("{n}.  **{title}**\n\n"));
                if c.nested.is_empty() {
                    out.push_str(&format!("    {}\n\n", sentence(&c.body)));
                }
                for (j, (t, b)) in c.nested.iter().enumerate() {
                    let t = title_words(t);
                    out.push_str(&format!("    {}.  **{t}**. {}\n", j + 1, sentence(b)));
                    titles.push(format!("{}. {t}", j + 1));
                }
                out.push('\n');
                format!("{n}. {title}")
            }
            Style::BoldLines => {
                out.push_str(&format!("**{n}\\. {title}**\n\n{}\n\n", sentence(&c.body)));
                format!("{n}. {title}")
            }
            Style::EscapedNumbers => {
                out.push_str(&format!("{n}\\. {title}\n\n{}\n\n", sentence(&c.body)));
                format!("{n}. {title}")
            }
            Style::Capitals => {
                let caps = title.to_uppercase();
                out.push_str(&format!("{caps}\n\n{}\n\n", sentence(&c.body)));
                caps
            }
        };
        titles.push(shown);
    }
    (out, titles)
}

/// The title of clause `index` (of its first nested clause, if `nested`), as it is shown.
fn title_of(
    titles: &[String],
    clauses: &[Clause],
    index: usize,
    style: Style,
    nested: bool,
) -> String {
    if style != Style::BoldListItems {
        return titles[index].clone();
    }
    // Titles are listed nested ones first, then their parent.
    let at: usize = clauses[..index].iter().map(|c| c.nested.len() + 1).sum();
    if nested {
        titles[at].clone()
    } else {
        titles[at + clauses[index].nested.len()].clone()
    }
}

fn clauses() -> impl Strategy<Value = Vec<Clause>> {
    let title = prop::collection::vec(0..TITLE_WORDS.len(), 1..4);
    let nested = prop::collection::vec(
        (title.clone(), prop::collection::vec(0..WORDS.len(), 3..12)),
        0..3,
    );
    prop::collection::vec(
        (title, prop::collection::vec(0..WORDS.len(), 3..20), nested).prop_map(
            |(title, body, nested)| Clause {
                title,
                body,
                nested,
            },
        ),
        1..6,
    )
}

fn style() -> impl Strategy<Value = Style> {
    prop_oneof![
        Just(Style::BoldListItems),
        Just(Style::BoldLines),
        Just(Style::EscapedNumbers),
        Just(Style::Capitals),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn clause_titles_are_found_and_sections_stay_lossless(
        intro in prop::collection::vec(0..WORDS.len(), 3..12),
        clauses in clauses(),
        style in style(),
        edit in (0..6usize, 0..40usize),
    ) {
        let (text, titles) = clause_document(&intro, &clauses, style);
        let doc = md(&text);
        let joined: String = doc.sections.iter().map(|s| s.text.as_str()).collect();
        prop_assert_eq!(&joined, &text);
        let headings: Vec<&str> = doc.sections.iter().map(|s| s.heading.as_str()).collect();
        for t in &titles {
            prop_assert!(headings.contains(&t.as_str()), "{t:?} not in {headings:?}\n{text}");
        }
        // One word changed in one clause's text: that clause alone is modified.
        let mut changed = clauses.clone();
        let index = edit.0 % clauses.len();
        let c = &mut changed[index];
        let (target, expected) = if c.nested.is_empty() || style != Style::BoldListItems {
            (&mut c.body, title_of(&titles, &clauses, index, style, false))
        } else {
            (&mut c.nested[0].1, title_of(&titles, &clauses, index, style, true))
        };
        let at = edit.1 % target.len();
        target[at] = (target[at] + 1) % WORDS.len();
        let (new_text, _) = clause_document(&intro, &changed, style);
        let new = md(&new_text);
        let diff = diff_documents(Some(&doc), Some(&new));
        prop_assert!(check_lossless(Some(&doc), Some(&new), &diff).is_ok());
        let modified: Vec<&str> = diff
            .sections
            .iter()
            .filter(|s| s.status != Status::Unchanged)
            .map(|s| s.heading())
            .collect();
        prop_assert_eq!(modified, vec![expected.as_str()], "--- old\n{}\n--- new\n{}", text, new_text);
    }
}
