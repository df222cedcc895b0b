//! Modification and effective dates: the dates a reader would cite.
//!
//! Labels ("Last updated", "Effective date", "Dernière mise à jour", "Stand", "Última
//! actualización", … in English, French, German, Spanish, Italian, Dutch and Portuguese; see
//! `date_words`) followed by a date in one of the forms `read_date` reads. Among
//! several dates, the document's own is the one near its title, else at its very end, else
//! in its first page; dates of other versions (a range, a statute in parentheses, a heading
//! announcing a clause, a list of previous versions) are left out. See docs/guide.md, "How
//! documents are read".

use super::date_words::{self as words, Kind, fold};
use chrono::NaiveDate;
use std::fmt;
use std::sync::LazyLock;

/// A calendar date, possibly known only to the month (`July 2026`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PolicyDate {
    /// Year, e.g. 2026.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
    /// Day of month, when the text gives one.
    pub day: Option<u32>,
}

impl PolicyDate {
    /// A full date, if it exists in the calendar.
    pub fn ymd(year: i32, month: u32, day: u32) -> Option<PolicyDate> {
        NaiveDate::from_ymd_opt(year, month, day)?;
        plausible_year(year).then_some(PolicyDate {
            year,
            month,
            day: Some(day),
        })
    }

    /// A month-precision date.
    pub fn ym(year: i32, month: u32) -> Option<PolicyDate> {
        ((1..=12).contains(&month) && plausible_year(year)).then_some(PolicyDate {
            year,
            month,
            day: None,
        })
    }

    /// Reads the ISO forms this type prints: `2013-01-17` or `2026-07`.
    pub fn parse_iso(s: &str) -> Option<PolicyDate> {
        let mut parts = s.trim().split('-');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next()?.parse().ok()?;
        match parts.next() {
            Some(d) => PolicyDate::ymd(year, month, d.parse().ok()?),
            None => PolicyDate::ym(year, month),
        }
    }

    /// The date as a reader writes it in English: `March 2, 2015` or `July 2026`.
    pub fn long(&self) -> String {
        self.long_in(Language::En)
    }

    /// The date as a reader writes it in `language`: `March 2, 2015`, `2 mars 2015`,
    /// `2. März 2015`, `2 de marzo de 2015`, …; `July 2026`, `juillet 2026`, ….
    pub fn long_in(&self, language: Language) -> String {
        let month = words::month_name(language, self.month);
        let year = self.year;
        match (language, self.day) {
            (Language::En, Some(d)) => format!("{month} {d}, {year}"),
            (Language::Fr, Some(1)) => format!("1er {month} {year}"),
            (Language::De, Some(d)) => format!("{d}. {month} {year}"),
            (Language::Es | Language::Pt, Some(d)) => format!("{d} de {month} de {year}"),
            (_, Some(d)) => format!("{d} {month} {year}"),
            (Language::Es | Language::Pt, None) => format!("{month} de {year}"),
            (_, None) => format!("{month} {year}"),
        }
    }
}

impl fmt::Display for PolicyDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.day {
            Some(d) => write!(f, "{:04}-{:02}-{:02}", self.year, self.month, d),
            None => write!(f, "{:04}-{:02}", self.year, self.month),
        }
    }
}

impl serde::Serialize for PolicyDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn plausible_year(year: i32) -> bool {
    (1970..=2200).contains(&year)
}

/// How to read a numeric date whose day and month could be swapped (`01/02/2013`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// Month first: 01/02/2013 is January 2.
    Mdy,
    /// Day first: 01/02/2013 is 1 February.
    Dmy,
}

/// A language dates are read and written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English.
    En,
    /// French.
    Fr,
    /// German.
    De,
    /// Spanish.
    Es,
    /// Italian.
    It,
    /// Dutch.
    Nl,
    /// Portuguese.
    Pt,
}

impl Language {
    /// The numeric date order of the language's readers, when it has one (day first in
    /// every language read here but English, where it depends on the country).
    pub fn date_order(self) -> Option<DateOrder> {
        (self != Language::En).then_some(DateOrder::Dmy)
    }
}

/// How dates are read in one document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateOptions {
    /// The order of ambiguous numeric dates; `None`: decided by the document (a day above 12
    /// in another of its dates, or the language of its labels), else left unread.
    pub order: Option<DateOrder>,
    /// The document's language; `None`: the language of the label its date was read under.
    pub language: Option<Language>,
}

/// The dates found in one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dates {
    /// See [`super::Document::modified`].
    pub modified: Option<PolicyDate>,
    /// See [`super::Document::effective`].
    pub effective: Option<PolicyDate>,
    /// The language of the document as its dates tell (or as configured).
    pub language: Option<Language>,
    /// Where the modification date was read in the body (`None` when it came from front
    /// matter, or there is none).
    pub modified_at: Option<DateSpan>,
}

/// Where a date was read: its label (if any) and the date itself, as byte offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateSpan {
    /// Where the label starts (the date's start when it has no label).
    pub label: usize,
    /// The date as written.
    pub date: std::ops::Range<usize>,
}

/// Where a heading is in the body: its line(s), level and text.
#[derive(Debug, Clone, Copy)]
pub struct HeadingSpan<'a> {
    /// Where the heading line(s) start in the body.
    pub start: usize,
    /// Where they end (after the line break).
    pub end: usize,
    /// Level, 1 (top) to 6.
    pub level: u8,
    /// The heading as a reader sees it.
    pub text: &'a str,
}

/// What a date reads as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    Date(PolicyDate),
    /// A numeric date whose day and month could be swapped: (first, second, year).
    Ambiguous(u32, u32, i32),
    /// A date form naming no calendar date (February 30).
    Invalid,
}

/// A date after a label (or standing alone under the title).
#[derive(Debug, Clone, Copy)]
struct Candidate {
    kind: Kind,
    language: Language,
    /// The label is written alike in several languages (`Version`): its language is the
    /// document's, not `language`.
    neutral: bool,
    /// Where the label starts, and where the date starts and ends.
    start: usize,
    date_start: usize,
    date_end: usize,
    read: Read,
    /// The date of another version or another text (see [`other_version`]).
    excluded: bool,
}

impl Candidate {
    /// A date with no label (standing alone, or a changelog's entry), from `start` to `end`:
    /// a modification date, of no language.
    fn unlabelled(start: usize, end: usize, read: Read) -> Candidate {
        Candidate {
            kind: Kind::Modified,
            language: Language::En,
            neutral: true,
            start,
            date_start: start,
            date_end: end,
            read,
            excluded: false,
        }
    }
}

/// Searches the stems of English labels, written in lower case, Title Case and CAPITALS: a few
/// literal strings let the searcher use its vectorised prefilter, and most documents are
/// searched for nothing else.
static ENGLISH_STEMS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    let mut spellings = Vec::new();
    for w in words::ENGLISH_STEMS {
        spellings.push(w.to_string());
        spellings.push(w[..1].to_uppercase() + &w[1..]);
        spellings.push(w.to_uppercase());
    }
    aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostFirst)
        .build(spellings)
        .expect("valid stems")
});

/// Searches the stems of every label (ASCII, any case), for documents that look written in
/// another language than English.
static STEMS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(words::STEMS)
        .expect("valid stems")
});

/// True when `text` is short, or its start reads more like one of the other languages than
/// English (by their commonest short words), or holds too few of them to tell.
fn maybe_not_english(text: &str) -> bool {
    // A short text costs little to search for everything.
    if text.len() < 4_096 {
        return true;
    }
    let counts = language_counts(text);
    // Few English words either (a menu, a list of links): nothing tells; search everything.
    counts[0] < 3 || counts[1..].iter().sum::<usize>() > counts[0]
}

/// How many of each language's commonest short words the start of `text` holds, in the
/// order of [`words::LANGUAGE_WORDS`].
fn language_counts(text: &str) -> [usize; words::LANGUAGE_WORDS.len()] {
    let sample = &text[..floor_boundary(text, 4_000)];
    let mut counts = [0; words::LANGUAGE_WORDS.len()];
    for m in COMMON_WORDS.0.find_iter(sample) {
        counts[COMMON_WORDS.1[m.pattern().as_usize()]] += 1;
    }
    counts
}

/// The language whose commonest words the start of `text` holds most (and at least 3).
fn guess_language(text: &str) -> Option<Language> {
    let counts = language_counts(text);
    let (best, &n) = counts
        .iter()
        .enumerate()
        .filter(|(k, _)| words::LANGUAGE_WORDS[*k].0.is_some())
        .max_by_key(|&(k, n)| (n, std::cmp::Reverse(k)))?;
    (n >= 3).then_some(words::LANGUAGE_WORDS[best].0).flatten()
}

/// The commonest short words of every language, with the index of their language in
/// [`words::LANGUAGE_WORDS`].
static COMMON_WORDS: LazyLock<(aho_corasick::AhoCorasick, Vec<usize>)> = LazyLock::new(|| {
    let (mut all, mut language) = (Vec::<&str>::new(), Vec::new());
    for (k, (_, list)) in words::LANGUAGE_WORDS.iter().enumerate() {
        all.extend(list.iter());
        language.extend(std::iter::repeat_n(k, list.len()));
    }
    (
        aho_corasick::AhoCorasick::new(all).expect("valid words"),
        language,
    )
});

/// Linking words by their first word.
static LINKING: LazyLock<rustc_hash::FxHashMap<&'static str, Vec<&'static str>>> =
    LazyLock::new(|| {
        let mut map: rustc_hash::FxHashMap<&str, Vec<&str>> = Default::default();
        for w in words::LINKING {
            map.entry(w.split(' ').next().unwrap_or_default())
                .or_default()
                .push(w);
        }
        map
    });

/// Labels by their first word, longest first.
static LABELS: LazyLock<rustc_hash::FxHashMap<&'static str, Vec<&'static words::Label>>> =
    LazyLock::new(|| {
        let mut map: rustc_hash::FxHashMap<&str, Vec<&words::Label>> = Default::default();
        for label in words::LABELS {
            let first = label.words.split(' ').next().unwrap_or_default();
            map.entry(first).or_default().push(label);
        }
        for labels in map.values_mut() {
            labels.sort_by_key(|l| std::cmp::Reverse(l.words.split(' ').count()));
        }
        map
    });

/// How far before a stem a label may start (`datum der letzten Aktualisierung`).
const BEFORE_STEM: usize = 32;

/// The word (a run of letters) starting at `i`, folded, with its end.
fn word_at(text: &str, i: usize) -> Option<(String, usize)> {
    let rest = text.get(i..)?;
    let mut folded = String::new();
    let mut end = i;
    for c in rest.chars() {
        if !c.is_alphabetic() {
            break;
        }
        folded.push(fold(c));
        end += c.len_utf8();
    }
    (end > i).then_some((folded, end))
}

/// The end of the word (a run of letters) starting at `i`.
fn word_end(text: &str, i: usize) -> usize {
    text[i..]
        .char_indices()
        .find(|&(_, c)| !c.is_alphabetic())
        .map_or(text.len(), |(k, _)| i + k)
}

/// True when `word` folds to `folded` (without building the folded word).
fn folds_to(word: &str, folded: &str) -> bool {
    let mut expected = folded.chars();
    word.chars().all(|c| expected.next() == Some(fold(c))) && expected.next().is_none()
}

/// `phrase` (folded words separated by single spaces) at `i`, its words separated by
/// whitespace, emphasis or apostrophes only: the index after it.
fn phrase_at(text: &str, mut i: usize, phrase: &str) -> Option<usize> {
    for (n, expected) in phrase.split(' ').enumerate() {
        if n > 0 {
            let gap = text[i..]
                .char_indices()
                .find(|&(_, c)| !(c.is_whitespace() || "*_'’".contains(c)))
                .map_or(text.len() - i, |(k, _)| k);
            if gap == 0 {
                return None;
            }
            i += gap;
        }
        let end = word_end(text, i);
        if end == i || !folds_to(&text[i..end], expected) {
            return None;
        }
        i = end;
    }
    Some(i)
}

/// Skips what may separate a label from its date: spaces, `* _ : - – — , [ ] ( )`, and
/// linking words (`on`, `as of`, `le`, `à compter du`, `am`, `de`, …).
fn linking_end(text: &str, mut i: usize) -> usize {
    loop {
        let start = i;
        for c in text[i..].chars() {
            if c.is_whitespace() || "*_:-–—,[]()\u{200b}\u{feff}".contains(c) {
                i += c.len_utf8();
            } else {
                break;
            }
        }
        let end = word_end(text, i);
        let first: String = text[i..end].chars().map(fold).collect();
        let linked = LINKING.get(first.as_str()).and_then(|phrases| {
            phrases
                .iter()
                .filter_map(|w| phrase_at(text, i, w))
                .filter(|&end| !text[end..].starts_with(char::is_alphabetic))
                .max()
        });
        match linked {
            Some(end) => i = end,
            None if i == start => return i,
            None => {}
        }
        if i == start {
            return i;
        }
    }
}

/// True when the word starting at `i` starts its line (after spaces and Markdown markup).
fn starts_line(text: &str, i: usize) -> bool {
    text[..i]
        .chars()
        .rev()
        .take_while(|&c| c != '\n')
        .all(|c| c.is_whitespace() || "#*_>-|".contains(c))
}

/// True when a label at `i` leads its line, or, for a `Version` label, stands after an
/// opening parenthesis, a comma or a dash (`Conditions générales (version au …)`,
/// `Conditions générales, version décembre 2025`) rather than inside a sentence (`the
/// previous version, 12 May 2023`).
fn leads(text: &str, i: usize, after_punctuation: bool) -> bool {
    starts_line(text, i)
        || (after_punctuation
            && text[..i]
                .trim_end()
                .ends_with(['(', '[', ',', '–', '—', '-', '|', ':']))
}

/// Every labelled date of `text`, in text order.
fn labelled(text: &str) -> Vec<Candidate> {
    let stems: &aho_corasick::AhoCorasick = if maybe_not_english(text) {
        &STEMS
    } else {
        &ENGLISH_STEMS
    };
    let mut out = Vec::new();
    let mut first = String::new();
    // Where the last label found (and its date) ended: stems before it are inside it.
    let mut done = 0;
    for m in stems.find_iter(text) {
        if m.start() < done {
            continue;
        }
        // A label holding this stem starts at a word at most BEFORE_STEM bytes before it.
        let lo = floor_boundary(text, m.start().saturating_sub(BEFORE_STEM)).max(done);
        let mut i = lo;
        let mut found = None;
        while i <= m.start() {
            let Some(offset) = text[i..].find(char::is_alphabetic) else {
                break;
            };
            i += offset;
            if i > m.start() {
                break;
            }
            let end = word_end(text, i);
            let starts_word = !text[..i].ends_with(char::is_alphabetic);
            if starts_word {
                first.clear();
                first.extend(text[i..end].chars().map(fold));
                found = LABELS.get(first.as_str()).and_then(|labels| {
                    labels.iter().find_map(|label| {
                        let label_end = phrase_at(text, i, label.words)?;
                        let holds_stem = label_end > m.start();
                        (holds_stem && (!label.line_start || leads(text, i, label.neutral)))
                            .then_some((i, *label, label_end))
                    })
                });
                if found.is_some() {
                    break;
                }
            }
            i = end;
        }
        let Some((start, label, label_end)) = found else {
            continue;
        };
        let mut date_start = linking_end(text, label_end);
        // `Version n° 30 du 4 mai 2024`, `Version 2.1 of March 3, 2026`: a version number
        // between the label and the date.
        if label.neutral
            && read_marked(text, date_start).is_none()
            && let Some(end) = version_number_end(text, date_start)
        {
            date_start = linking_end(text, end);
        }
        // `Date d'entrée en vigueur en dehors de l'EEE : 13 mars 2024`: a few words between
        // the label and a colon, then the date.
        if read_marked(text, date_start).is_none()
            && let Some(colon) = text[date_start..floor_boundary(text, date_start + 90)]
                .split(['\n', '.'])
                .next()
                .and_then(|line| line.find(':'))
        {
            date_start = linking_end(text, date_start + colon + 1);
        }
        match read_marked(text, date_start)
            .filter(|&(_, date_end)| !label.alone || ends_line(text, date_end))
        {
            Some((read, date_end)) => {
                out.push(Candidate {
                    kind: label.kind,
                    language: label.language,
                    neutral: label.neutral,
                    start,
                    date_start,
                    date_end,
                    read,
                    excluded: false,
                });
                done = date_end;
            }
            None => done = label_end,
        }
    }
    out
}

/// The end of a version number at `i` (`n° 30`, `No. 4`, `2.1`, `v3`), when a linking word
/// or punctuation follows it.
fn version_number_end(text: &str, i: usize) -> Option<usize> {
    let mut j = i;
    if let Some((w, end)) = word_at(text, j)
        && ["n", "no", "nr", "numero", "number", "nummer", "v"].contains(&w.as_str())
    {
        j = end;
        j += text[j..]
            .char_indices()
            .find(|&(_, c)| !(c == '.' || c == '°' || c == 'º' || c.is_whitespace()))
            .map_or(text.len() - j, |(k, _)| k);
    }
    let b = text.as_bytes();
    let digits = b[j..]
        .iter()
        .take_while(|c| c.is_ascii_digit() || **c == b'.')
        .count();
    let number = text[j..j + digits].trim_end_matches('.');
    if number.is_empty() || !number.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let end = j + number.len();
    (linking_end(text, end) > end).then_some(end)
}

/// Reads a date at `i`, looking through Markdown emphasis and escapes (`**August 5,**
/// **2026**`, `24\. März 2021`): what it reads as and where it ends in `text`.
fn read_marked(text: &str, i: usize) -> Option<(Read, usize)> {
    let window = &text[i..floor_boundary(text, i + 80)];
    // Every form starts with a digit or a letter (a month or weekday name).
    if !window
        .trim_start_matches(['*', '_'])
        .starts_with(char::is_alphanumeric)
    {
        return None;
    }
    if !window.contains(['*', '_', '\\']) {
        return read_date(window).map(|(read, len)| (read, i + len));
    }
    let mut clean = String::new();
    let mut at: Vec<usize> = Vec::new();
    for (k, c) in text[i..].char_indices().take(80) {
        // Emphasis, and Markdown's escapes (`24\. März`).
        if c == '*' || c == '_' || c == '\\' {
            continue;
        }
        clean.push(c);
        at.extend(std::iter::repeat_n(i + k, c.len_utf8()));
    }
    let (read, len) = read_date(&clean)?;
    let end = if len == 0 {
        i
    } else {
        let last = at[len - 1];
        last + text[last..].chars().next().map_or(1, char::len_utf8)
    };
    Some((read, end))
}

/// Parses a date at the very start of `s` (the forms of `read_date`); a numeric date whose
/// day and month could be swapped is read in `order`, if given.
pub fn parse_date_at(s: &str, order: Option<DateOrder>) -> Option<PolicyDate> {
    match read_date(s)?.0 {
        Read::Date(d) => Some(d),
        Read::Ambiguous(a, c, y) => resolve(a, c, y, order?),
        Read::Invalid => None,
    }
}

fn resolve(a: u32, c: u32, year: i32, order: DateOrder) -> Option<PolicyDate> {
    match order {
        DateOrder::Mdy => PolicyDate::ymd(year, a, c),
        DateOrder::Dmy => PolicyDate::ymd(year, c, a),
    }
}

/// Reads a date at the very start of `s`, with its length. Forms (any case, month names in
/// the seven languages, optionally after a weekday name):
/// `2013-01-17` (also with `/` or `.`); `January 17, 2013`, `Jan. 17th 2013`, `August 29，2023`;
/// `17 January 2013`, `17th of January, 2013`, `1er septembre 2023`, `17. Januar 2026`,
/// `17 de enero de 2026`; `July 2026`, `enero de 2026` (month precision); numeric
/// `01/02/2013`, `17.01.2026`, `17-01-2026` (day and month decided by a value above 12, else
/// [`Read::Ambiguous`]).
fn read_date(s: &str) -> Option<(Read, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    if WEEKDAY_STARTS.contains(&first_three(s, 0))
        && let Some((w, end)) = word_at(s, 0)
        && words::WEEKDAYS.contains(&w.as_str())
    {
        i = skip_space(s, comma(s, end));
    }
    let date = |d: Option<PolicyDate>| d.map_or(Read::Invalid, Read::Date);
    // 2013-01-17
    if let Some((y, j)) = number(b, i, 4..=4)
        && let Some(j) = one_of(b, j, b"-/.")
        && let Some((m, j)) = number(b, j, 1..=2)
        && let Some(j) = one_of(b, j, b"-/.")
        && let Some((d, j)) = number(b, j, 1..=2)
    {
        return Some((date(PolicyDate::ymd(y as i32, m, d)), j));
    }
    // January 17, 2013
    if let Some((month, j)) = month(s, i)
        && let Some((d, j)) = number(b, skip_space(s, j), 1..=2)
        && let Some(j) = ordinal(s, j, &["st", "nd", "rd", "th"], true)
        && let Some((y, j)) = number(b, skip_space(s, comma(s, j)), 4..=4)
    {
        return Some((date(PolicyDate::ymd(y as i32, month, d)), j));
    }
    // XX mars 2025: a day not filled in, read to the month.
    if let Some(j) = ["XX", "xx"]
        .iter()
        .find(|p| s[i..].starts_with(**p))
        .map(|p| i + p.len())
        && let Some(j) = space(s, j)
        && let Some((month, j)) = month(s, particle(s, j, &["of", "de"]))
        && let Some((y, j)) = number(
            b,
            particle(s, skip_space(s, comma(s, j)), &["de", "del"]),
            4..=4,
        )
    {
        return Some((date(PolicyDate::ym(y as i32, month)), j));
    }
    // 17 January 2013 · 1er septembre 2023 · 17. Januar 2026 · 17 de enero de 2026
    if let Some((d, j)) = number(b, i, 1..=2)
        && let Some(j) = ordinal(
            s,
            j,
            &[
                "st", "nd", "rd", "th", "ème", "eme", "er", "º", "ª", "°", ".",
            ],
            false,
        )
        && let Some(j) = space(s, j)
        && let Some((month, j)) = month(s, particle(s, j, &["of", "de"]))
        && let Some((y, j)) = number(
            b,
            particle(s, skip_space(s, comma(s, j)), &["de", "del"]),
            4..=4,
        )
    {
        return Some((date(PolicyDate::ymd(y as i32, month, d)), j));
    }
    // July 2026 · enero de 2026
    if let Some((month, j)) = month(s, i)
        && let Some(j) = space(s, comma(s, j))
        && let Some((y, j)) = number(b, particle(s, j, &["de", "del"]), 4..=4)
    {
        return Some((date(PolicyDate::ym(y as i32, month)), j));
    }
    // 01/02/2013 · 17.1.2013 · 17-01-2026 · 15. 07. 2019
    if let Some((a, j)) = number(b, i, 1..=2)
        && let Some((sep, j)) = b.get(j).filter(|c| b"/.-".contains(c)).map(|&c| (c, j + 1))
        && let Some((c, j)) = number(b, if sep == b'.' { skip_space(s, j) } else { j }, 1..=2)
        && let Some(j) = one_of(b, j, &[sep])
        && let Some((y, j)) = number(b, if sep == b'.' { skip_space(s, j) } else { j }, 4..=4)
            .or_else(|| {
                // `10/05/23`: a year of two digits, up to 69 this century's, else the last.
                let (y, j) = number(b, j, 2..=2).filter(|_| sep == b'/')?;
                let century = if y < 70 { 2000 } else { 1900 };
                (!s[j..].starts_with(['/', '.', ':'])
                    || !s[j + 1..].starts_with(|c: char| c.is_ascii_digit()))
                .then_some((century + y, j))
            })
    {
        let y = y as i32;
        let read = match (a > 12, c > 12) {
            (true, false) => date(resolve(a, c, y, DateOrder::Dmy)),
            (false, true) => date(resolve(a, c, y, DateOrder::Mdy)),
            (true, true) => Read::Invalid,
            // 03/03/2020 reads the same either way.
            _ if a == c => date(PolicyDate::ymd(y, a, a)),
            _ => Read::Ambiguous(a, c, y),
        };
        return Some((read, j));
    }
    None
}

/// A run of ASCII digits at `i` whose length is in `len` (a longer run is no match), with
/// the index after it.
fn number(b: &[u8], i: usize, len: std::ops::RangeInclusive<usize>) -> Option<(u32, usize)> {
    let n = b
        .get(i..)?
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    len.contains(&n).then(|| {
        let value = b[i..i + n]
            .iter()
            .fold(0, |v, &c| v * 10 + u32::from(c - b'0'));
        (value, i + n)
    })
}

fn one_of(b: &[u8], i: usize, set: &[u8]) -> Option<usize> {
    b.get(i).is_some_and(|c| set.contains(c)).then_some(i + 1)
}

/// One of `words` (folded) and the spaces after it at `i`, skipped (`17th of January`,
/// `17 de enero`).
fn particle(s: &str, i: usize, words: &[&str]) -> usize {
    match word_at(s, i) {
        Some((w, end)) if words.contains(&w.as_str()) => space(s, end).unwrap_or(i),
        _ => i,
    }
}

/// A comma (ASCII or full-width) at `i`, skipped.
fn comma(s: &str, i: usize) -> usize {
    [",", "，"]
        .iter()
        .find(|c| s[i..].starts_with(**c))
        .map_or(i, |c| i + c.len())
}

/// One of the ordinal `suffixes` after a day number (`17th`, `1er`, `1º`, `17.`), if any;
/// with `word_end`, what follows must not continue the word (`17th,` but not `17thx`).
fn ordinal(s: &str, i: usize, suffixes: &[&str], word_end: bool) -> Option<usize> {
    let rest = &s[i..];
    let i = suffixes
        .iter()
        .find(|x| {
            rest.get(..x.len())
                .is_some_and(|r| r.eq_ignore_ascii_case(x))
        })
        .map_or(i, |x| i + x.len());
    let continues = s[i..].starts_with(|c: char| c.is_alphanumeric() || c == '_');
    (!(word_end && continues)).then_some(i)
}

/// Whitespace (any, including no-break and zero-width spaces) at `i`, skipped.
fn skip_space(s: &str, i: usize) -> usize {
    let rest = &s[i..];
    i + rest.len()
        - rest
            .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{200b}')
            .len()
}

/// At least one whitespace character at `i`, skipped.
fn space(s: &str, i: usize) -> Option<usize> {
    let j = skip_space(s, i);
    (j > i).then_some(j)
}

/// A month name or abbreviation at `i` (`Sept.`, `june`, `février`, `Januar`), with the index
/// after it and its optional full stop.
fn month(s: &str, i: usize) -> Option<(u32, usize)> {
    if !MONTH_STARTS.contains(&first_three(s, i)) {
        return None;
    }
    let (w, end) = word_at(s, i)?;
    let month = words::MONTHS.iter().find(|(name, _)| *name == w)?.1;
    Some((month, one_of(s.as_bytes(), end, b".").unwrap_or(end)))
}

/// The text, as far as the window of a date goes, after `i` (for the range test).
fn next_words(text: &str, i: usize) -> usize {
    let mut j = i;
    for c in text[i..].chars() {
        if c.is_whitespace() || ",)*_".contains(c) {
            j += c.len_utf8();
        } else {
            break;
        }
    }
    j
}

/// True when the date `c` is the date of another version or of another text than the
/// document: the start of a range (`from June 24, 2021, until …`), inside parentheses after
/// other words (`(as amended by …, effective December 16, 2020)`), in a heading after other
/// words (`Transparency (Effective February 3, 2027)`), or in a section listing other
/// versions.
fn other_version(text: &str, c: &Candidate, heads: &[HeadingSpan]) -> bool {
    // A range.
    let after = next_words(text, c.date_end);
    let range = words::RANGE.iter().any(|w| {
        phrase_at(text, after, w).is_some_and(|end| {
            !text[end..].starts_with(char::is_alphabetic)
                && read_marked(text, linking_end(text, end)).is_some()
        })
    });
    if range {
        return true;
    }
    let (line_start, line_end) = line_around(text, c.start);
    let before = &text[line_start..c.start];
    // The date of a text linked just before (`our [Cookie Policy](/cookies) (updated January
    // 5, 2021)`).
    if before.trim_end_matches([' ', '(', '*', '_']).ends_with(')')
        && before.trim_end().ends_with('(')
        && before.contains("](")
    {
        return true;
    }
    // A statute or another text named just before (`the Regulation … entered into force on`).
    let near = &before[floor_boundary(before, before.len().saturating_sub(100))..];
    let near: String = near.chars().map(fold).collect();
    if near
        .split(|ch: char| !ch.is_alphanumeric())
        .any(|w| words::OTHER_TEXTS.contains(&w))
    {
        return true;
    }
    // In a heading after other words, unless it is the title (`Conditions générales de
    // vente applicables à compter du 26/06/2019`).
    let heading = heads.partition_point(|h| h.start <= c.start);
    if let Some(h) = heading.checked_sub(1).map(|k| &heads[k])
        && c.start < h.end
        && !(heading == 1 && h.start < HEAD_BYTES)
        && text[h.start..c.start]
            .trim_start_matches(|ch: char| ch == '#' || ch.is_whitespace())
            .contains(char::is_alphabetic)
    {
        return true;
    }
    // A list item or link under a heading (or an enclosing one) that lists other versions.
    let line = &text[line_start..line_end];
    let listed = line.trim_start().starts_with(['-', '*', '+', '[']) || line.contains("](");
    listed && under_heading(heads, c.start, words::OTHER_VERSIONS)
}

/// A date standing alone on the line `start..line_end` (after Markdown markup), or followed
/// only by a parenthesis, a link or a table cell: `July 29, 2026 ([View archived
/// version](…))`, `_7 May 2026_`, `**August 21, 2026**`, `XX mars 2025`.
fn bare_date(text: &str, start: usize, line_end: usize) -> Option<Candidate> {
    let line = &text[start..line_end];
    let mut lead = line.len()
        - line
            .trim_start_matches(|c: char| c.is_whitespace() || "#*_>-|".contains(c))
            .len();
    // `Vienne, juillet 2024`, `Paris, le 3 mars 2024`: the place it was written.
    if read_marked(&text[..line_end], start + lead).is_none()
        && let Some(comma) = line[lead..].find(", ")
        && line[lead..lead + comma].starts_with(char::is_uppercase)
        && line[lead..lead + comma]
            .chars()
            .all(|c| c.is_alphabetic() || c == '-' || c == ' ')
        && line[lead..lead + comma].split(' ').count() <= 2
    {
        lead = linking_end(line, lead + comma + 1);
    }
    let (read, end) = read_marked(&text[..line_end], start + lead)?;
    ends_line(&text[..line_end], end).then_some(Candidate::unlabelled(start + lead, end, read))
}

/// True when nothing but a full stop, a parenthesis, a link or a table cell follows `end` on
/// its line: the date there stands on its own.
fn ends_line(text: &str, end: usize) -> bool {
    let line_end = line_around(text, end).1;
    let rest = text[end..line_end].trim_matches(|c: char| c.is_whitespace() || "*_.".contains(c));
    rest.is_empty() || rest.starts_with(['(', '[', '|', '—', '-', '–'])
}

/// Dates standing alone on one of the first lines, before `head_end`.
fn bare_dates_at_head(text: &str, head_end: usize) -> Vec<Candidate> {
    let mut at = 0;
    let mut out = Vec::new();
    for line in text[..head_end].split_inclusive('\n').take(12) {
        out.extend(bare_date(text, at, at + line.len()));
        at += line.len();
    }
    out
}

/// A date standing alone on one of the last lines of `text` (`**August 21, 2026**` closing
/// the document).
fn bare_date_at_end(text: &str) -> Option<Candidate> {
    let mut end = text.len();
    let mut lines = 0;
    while lines < END_LINES && end > 0 {
        let line = text[..end].strip_suffix('\n').unwrap_or(&text[..end]);
        let start = line.rfind('\n').map_or(0, |i| i + 1);
        if !text[start..end].trim().is_empty() {
            lines += 1;
            if let Some(c) = bare_date(text, start, end) {
                return Some(c);
            }
        }
        end = start;
    }
    None
}

/// Non-blank lines at the end of a document searched for a date standing alone.
const END_LINES: usize = 4;

/// Bytes at the start and at the end of a document searched for a changelog.
const CHANGELOG_REACH: usize = 16_384;

/// The newest entry of a changelog: lines that open with a date followed by a colon or a
/// dash and words (`**July 15, 2025:** We're making a minor update…`, `* 2025-10-29: We've
/// updated…`), or at least two dates standing alone on their lines, each over its entry
/// (`**21\. August 2026**`); one entry at least speaks of a change, or they stand under a
/// heading naming a history of versions. A changelog opens or closes the document: only its
/// first and last [`CHANGELOG_REACH`] bytes are read.
fn changelog_date(
    text: &str,
    heads: &[HeadingSpan],
    value: impl Fn(&Candidate) -> Option<PolicyDate>,
) -> Option<Candidate> {
    let mut newest: Option<(PolicyDate, Candidate)> = None;
    let (mut speaks_of_change, mut inline, mut alone) = (false, 0, 0);
    let line_start = |i: usize| {
        let i = floor_boundary(text, i);
        text[..i].rfind('\n').map_or(0, |k| k + 1)
    };
    let parts = if text.len() <= 2 * CHANGELOG_REACH {
        [0..text.len(), text.len()..text.len()]
    } else {
        let head = line_start(CHANGELOG_REACH);
        [
            0..head,
            line_start(text.len() - CHANGELOG_REACH).max(head)..text.len(),
        ]
    };
    let mut word = String::new();
    for part in parts {
        let mut at = part.start;
        let mut lines = text[part].split_inclusive('\n');
        while let Some(line) = lines.next() {
            let start = at;
            at += line.len();
            let lead = line.len()
                - line
                    .trim_start_matches(|c: char| c.is_whitespace() || "*_>-+|".contains(c))
                    .len();
            if !opens_with_date_word(&line[lead..], &mut word) {
                continue;
            }
            let Some((read, end)) = read_marked(&text[..at], start + lead) else {
                continue;
            };
            let after = text[end..at].trim_start_matches(['*', '_']);
            let entry = match [":", " —", " –", " -"]
                .iter()
                .find_map(|sep| after.strip_prefix(sep))
            {
                Some(entry) => {
                    inline += 1;
                    entry
                }
                None if after.trim().is_empty() => {
                    alone += 1;
                    // The entry is the next line that holds words.
                    lines
                        .clone()
                        .find(|l| !l.trim().is_empty())
                        .unwrap_or_default()
                }
                None => continue,
            };
            let entry = entry.trim_start_matches(|c: char| c.is_whitespace() || "*_-+".contains(c));
            if !entry.starts_with(|c: char| c.is_alphabetic() || c == '[') {
                continue;
            }
            let c = Candidate::unlabelled(start + lead, end, read);
            let Some(date) = value(&c) else { continue };
            let folded: String = entry.chars().take(160).map(fold).collect();
            speaks_of_change |= words::CHANGE_WORDS.iter().any(|w| folded.contains(w))
                || under_heading(heads, start, words::OTHER_VERSIONS);
            if newest.as_ref().is_none_or(|(d, _)| date > *d) {
                newest = Some((date, c));
            }
        }
    }
    newest
        .filter(|_| speaks_of_change && (inline > 0 || alone > 1))
        .map(|(_, c)| c)
}

/// True when `s` starts with what a date may start with: a digit, or a month's or weekday's
/// name (a quick test before reading a date).
fn opens_with_date_word(s: &str, folded: &mut String) -> bool {
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        return true;
    }
    let end = word_end(s, 0);
    // The longest month or weekday name is 10 letters (`septiembre`), 20 bytes at most; the
    // shortest 3. Most words are ruled out by their first three letters.
    if !(3..=20).contains(&end) {
        return false;
    }
    let first = first_three(s, 0);
    if !MONTH_STARTS.contains(&first) && !WEEKDAY_STARTS.contains(&first) {
        return false;
    }
    folded.clear();
    folded.extend(s[..end].chars().map(fold));
    DATE_WORDS.contains(folded.as_str())
}

/// The first three characters at `i`, folded (`\0` past the end): most words are told
/// from month and weekday names by them, without folding the whole word.
fn first_three(s: &str, i: usize) -> [char; 3] {
    let mut first = ['\0'; 3];
    for (slot, c) in first.iter_mut().zip(s[i..].chars()) {
        *slot = fold(c);
    }
    first
}

/// The first three letters of names (folded; every name has three at least).
fn starts_of<'a>(names: impl Iterator<Item = &'a str>) -> rustc_hash::FxHashSet<[char; 3]> {
    names.map(|w| first_three(w, 0)).collect()
}

static MONTH_STARTS: LazyLock<rustc_hash::FxHashSet<[char; 3]>> =
    LazyLock::new(|| starts_of(words::MONTHS.iter().map(|(w, _)| *w)));
static WEEKDAY_STARTS: LazyLock<rustc_hash::FxHashSet<[char; 3]>> =
    LazyLock::new(|| starts_of(words::WEEKDAYS.iter().copied()));

/// Month and weekday names (folded).
static DATE_WORDS: LazyLock<rustc_hash::FxHashSet<&'static str>> = LazyLock::new(|| {
    words::MONTHS
        .iter()
        .map(|(w, _)| *w)
        .chain(words::WEEKDAYS.iter().copied())
        .collect()
});

/// True when the heading over `at` (or one enclosing it) holds one of `parts` (folded); a
/// heading holding `at` is not over it.
fn under_heading(heads: &[HeadingSpan], at: usize, parts: &[&str]) -> bool {
    let k = heads.partition_point(|h| h.end <= at);
    let mut level = u8::MAX;
    heads[..k].iter().rev().any(|h| {
        if h.level >= level {
            return false;
        }
        level = h.level;
        let folded: String = h.text.chars().map(fold).collect();
        parts.iter().any(|w| folded.contains(w))
    })
}

/// Bytes after the start of the document within which a date is near its title (at least;
/// up to the second heading, within [`HEAD_MAX`]).
const HEAD_BYTES: usize = 2_000;
const HEAD_MAX: usize = 5_000;

/// Bytes after the document's own date within which its other dates stand (`Effective: …` /
/// `Last updated: …` in one title block); a labelled date further on belongs to another
/// part of the text.
const BLOCK_BYTES: usize = 500;

/// Finds the modification and effective dates in front matter pairs and a body text whose
/// headings are `heads`.
///
/// The document's own date is the one at its head (the title block, the first section): a
/// labelled date there, else a date standing alone under the title. Only when the head has
/// none is a later one read: a labelled date leading its line in the first page, a date
/// standing alone at the very end, a labelled date leading its line anywhere, and last the
/// newest entry of a changelog. The modification and effective dates are read from the one
/// title block found that way: a labelled date far below belongs to what stands around it.
pub fn find_dates(
    front: &[(String, String)],
    body: &str,
    heads: &[HeadingSpan],
    options: DateOptions,
) -> Dates {
    let mut candidates = labelled(body);
    for c in &mut candidates {
        c.excluded = other_version(body, c, heads);
    }
    // Near the title: up to the second heading (the first after the title), at least
    // HEAD_BYTES, at most HEAD_MAX; a file of several pages ends its first at the second
    // top-level heading.
    let second = match heads.first() {
        Some(h) if h.start < HEAD_BYTES => heads.get(1),
        first => first,
    };
    let head_end = second
        .map_or(HEAD_BYTES, |h| h.start.clamp(HEAD_BYTES, HEAD_MAX))
        .min(body.len());
    let top = heads.iter().map(|h| h.level).min().unwrap_or(0);
    let page_end = heads
        .iter()
        .filter(|h| h.level == top && top <= 1)
        .nth(1)
        .map_or(body.len(), |h| h.start);

    // The language: configured, else that of the labels read, else that of the words.
    let told = options.language.or_else(|| {
        let told = |c: &&Candidate| !c.excluded && !c.neutral;
        candidates
            .iter()
            .filter(told)
            .find(|c| c.start < head_end)
            .or_else(|| candidates.iter().find(told))
            .map(|c| c.language)
    });
    // Else that of the words, looked at only when a date needs it.
    let guessed = std::cell::OnceCell::new();
    let language = || told.or_else(|| *guessed.get_or_init(|| guess_language(body)));
    // The order of numeric dates: configured, else decided by another date of the document
    // (a value above 12), else by the language, else by an English text's spelling; decided
    // only when an ambiguous date is read.
    let decided = std::cell::OnceCell::new();
    let order = || {
        *decided.get_or_init(|| {
            options
                .order
                .or_else(|| numeric_evidence(body, &candidates))
                .or_else(|| language().and_then(Language::date_order))
                .or_else(|| {
                    (language() == Some(Language::En))
                        .then(|| english_spelling(body))
                        .flatten()
                })
        })
    };
    let value = |c: &Candidate| match c.read {
        Read::Date(d) => Some(d),
        Read::Ambiguous(a, b, y) => resolve(a, b, y, order()?),
        Read::Invalid => None,
    };
    let mut dates = Dates {
        modified: None,
        effective: None,
        language: told,
        modified_at: None,
    };
    // Front matter keys such as `last_updated`, `lastModified`, `effective-date` come first.
    for (key, value) in front {
        let key = key_words(key);
        let first: String = key
            .split(' ')
            .next()
            .unwrap_or_default()
            .chars()
            .map(fold)
            .collect();
        let label =
            LABELS.get(first.as_str()).into_iter().flatten().find(|l| {
                phrase_at(&key, 0, l.words).is_some_and(|end| end == key.trim_end().len())
            });
        if let Some(label) = label
            && let Some(date) = parse_date_at(value, order())
        {
            let slot = match label.kind {
                Kind::Modified => &mut dates.modified,
                Kind::Effective => &mut dates.effective,
            };
            slot.get_or_insert(date);
        }
    }

    // The document's own date, and whether it opens a title block of labelled dates.
    let usable = |c: &&Candidate| !c.excluded && value(c).is_some();
    let labelled = || candidates.iter().filter(usable);
    let alone = |c: Option<Candidate>| c.filter(|c| value(c).is_some()).map(|c| (c, false));
    let changelog_read = std::cell::OnceCell::new();
    let changelog = || *changelog_read.get_or_init(|| changelog_date(body, heads, value));
    let at_head = || labelled().filter(|c| c.start < head_end);
    let own = at_head()
        .find(|c| prominent(body, c))
        .or_else(|| at_head().next())
        .map(|c| (*c, true))
        .or_else(|| {
            alone(
                bare_dates_at_head(body, floor_boundary(body, head_end))
                    .into_iter()
                    .find(|c| value(c).is_some()),
            )
        })
        .or_else(|| {
            labelled()
                .find(|c| c.start < page_end && prominent(body, c))
                .map(|c| (*c, true))
        })
        .or_else(|| {
            // A date standing alone at the very end, unless it is a changelog's entry.
            alone(bare_date_at_end(body)).filter(|_| changelog().is_none())
        })
        .or_else(|| labelled().find(|c| prominent(body, c)).map(|c| (*c, true)))
        .or_else(|| labelled().find(|c| says_last(body, c)).map(|c| (*c, true)));
    // The language the words tell, when they date the document and no label told it.
    let finish = |mut dates: Dates| {
        if dates.language.is_none() && (dates.modified.is_some() || dates.effective.is_some()) {
            dates.language = language();
        }
        dates
    };
    let Some((own, block)) = own else {
        // Last, the newest entry of a changelog: a date, but no date line of the document
        // to rewrite (`lint --fix` adds no entry).
        if dates.modified.is_none() {
            dates.modified = changelog().and_then(|c| value(&c));
        }
        return finish(dates);
    };
    let span = |c: &Candidate| DateSpan {
        label: c.start,
        date: c.date_start..c.date_end,
    };
    let (mut modified, mut effective) = (None, None);
    if block {
        let in_block = labelled().filter(|c| {
            c.start >= own.start
                && c.start <= own.date_end + BLOCK_BYTES
                && (c.start == own.start || c.start < head_end || prominent(body, c))
        });
        for c in in_block {
            let slot = match c.kind {
                Kind::Modified => &mut modified,
                Kind::Effective => &mut effective,
            };
            slot.get_or_insert(*c);
        }
    } else {
        modified = Some(own);
    }
    if dates.modified.is_none()
        && let Some(c) = modified.or(effective)
    {
        dates.modified = value(&c);
        dates.modified_at = Some(span(&c));
    }
    if dates.effective.is_none() {
        dates.effective = effective.and_then(|c| value(&c));
    }
    finish(dates)
}

/// True when a date's label says it is the last change (`last updated`, `actualisées la
/// dernière fois le`, `zuletzt geändert`): the document's own date even inside a sentence.
fn says_last(text: &str, c: &Candidate) -> bool {
    let label: String = text[c.start..c.date_start].chars().map(fold).collect();
    label
        .split(|ch: char| !ch.is_alphanumeric())
        .any(|w| words::LAST.contains(&w))
}

/// True when a date's label leads its line (after Markdown markup) or the line is short: a
/// date a reader would see, not one inside a sentence about something else.
fn prominent(text: &str, c: &Candidate) -> bool {
    let (line_start, line_end) = line_around(text, c.start);
    let lead = text[line_start..c.start]
        .trim_start_matches(|ch: char| ch.is_whitespace() || "#*_>-|([".contains(ch));
    lead.chars().count() <= 40 || line_end - line_start <= 120
}

/// The line around `i` (its start and end), looked for at most [`LINE_REACH`] bytes either
/// way: in a huge line of many dates, each is read in its own neighbourhood.
fn line_around(text: &str, i: usize) -> (usize, usize) {
    let lo = floor_boundary(text, i.saturating_sub(LINE_REACH));
    let hi = floor_boundary(text, i + LINE_REACH);
    let start = text[lo..i].rfind('\n').map_or(lo, |k| lo + k + 1);
    let end = text[i..hi].find('\n').map_or(hi, |k| i + k);
    (start, end)
}

/// How far [`line_around`] looks for a line's ends.
const LINE_REACH: usize = 4_096;

/// The largest character boundary at or below `i`.
fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The order the document's own numeric dates show: one with a first value above 12 is day
/// first, a second value above 12 month first (when all such dates agree).
fn numeric_evidence(body: &str, candidates: &[Candidate]) -> Option<DateOrder> {
    if !candidates
        .iter()
        .any(|c| matches!(c.read, Read::Ambiguous(..)))
    {
        return None;
    }
    let (mut dmy, mut mdy) = (false, false);
    for c in candidates {
        let b = &body.as_bytes()[c.date_start..c.date_end];
        if let Some((a, j)) = number(b, 0, 1..=2)
            && let Some(j) = one_of(b, j, b"/.-")
            && let Some((m, _)) = number(b, j, 1..=2)
        {
            dmy |= a > 12 && m <= 12;
            mdy |= m > 12 && a <= 12;
        }
    }
    match (dmy, mdy) {
        (true, false) => Some(DateOrder::Dmy),
        (false, true) => Some(DateOrder::Mdy),
        _ => None,
    }
}

/// The order of numeric dates an English text's spelling tells: American spellings
/// (`behavior`, `organization`, `center`) say month first, British ones (`behaviour`,
/// `organisation`, `centre`) day first, when one kind clearly outnumbers the other.
fn english_spelling(body: &str) -> Option<DateOrder> {
    let (mut us, mut uk) = (0, 0);
    for m in SPELLINGS.find_iter(body) {
        match m.pattern().as_usize() % 2 {
            0 => us += 1,
            _ => uk += 1,
        }
    }
    if us >= 2 && us >= 3 * uk {
        Some(DateOrder::Mdy)
    } else if uk >= 2 && uk >= 3 * us {
        Some(DateOrder::Dmy)
    } else {
        None
    }
}

/// American and British spellings, in pairs.
static SPELLINGS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(words::SPELLINGS.iter().flat_map(|(us, uk)| [us, uk]))
        .expect("valid spellings")
});

/// The text with every labelled date removed (the label stays), so that two versions that
/// differ only in their dates compare equal.
pub fn mask_dates(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for c in labelled(text) {
        if c.date_start < pos {
            continue;
        }
        out.push_str(&text[pos..c.date_start]);
        pos = c.date_end;
    }
    out.push_str(&text[pos..]);
    out
}

/// `lastUpdated` / `last_updated` / `last-updated` → `last updated`.
fn key_words(key: &str) -> String {
    let mut out = String::new();
    for (i, c) in key.chars().enumerate() {
        if c == '_' || c == '-' {
            out.push(' ');
        } else if c.is_uppercase() && i > 0 {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A month's name in a language (`June`, `juin`, `Juni`).
pub fn month_name_in(language: Language, month: u32) -> &'static str {
    words::month_name(language, month)
}

/// True for a weekday name in one of the seven languages (`Monday`, `lundi`).
pub fn is_weekday(word: &str) -> bool {
    let folded: String = word.chars().map(fold).collect();
    words::WEEKDAYS.contains(&folded.as_str())
}

/// The language a month word is written in, and whether it is the full name (`January`)
/// rather than a shortened one (`Jan`); `None` when it names no month.
pub fn month_word(word: &str) -> Option<(Language, bool)> {
    use Language::*;
    let folded: String = word.chars().map(fold).collect();
    if !words::MONTHS.iter().any(|(w, _)| *w == folded) {
        return None;
    }
    let languages = [En, Fr, De, Es, It, Nl, Pt];
    let name =
        |l: Language, m: u32| -> String { words::month_name(l, m).chars().map(fold).collect() };
    for l in languages {
        if (1..=12).any(|m| name(l, m) == folded) {
            return Some((l, true));
        }
    }
    languages
        .into_iter()
        .find(|&l| (1..=12).any(|m| name(l, m).starts_with(&folded)))
        .map(|l| (l, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates_with(text: &str, options: DateOptions) -> (Option<String>, Option<String>) {
        let d = find_dates(&[], text, &[], options);
        (
            d.modified.map(|d| d.to_string()),
            d.effective.map(|d| d.to_string()),
        )
    }

    fn dates(text: &str) -> (Option<String>, Option<String>) {
        dates_with(text, DateOptions::default())
    }

    fn modified(text: &str) -> Option<String> {
        dates(text).0
    }

    /// Lines written the way real policies write them (each form transcribed by hand, not
    /// copied), with the modification date a reader would cite.
    #[test]
    fn hand_labelled_modification_dates() {
        let lines = [
            // English labels
            ("Updated January 17, 2013", "2013-01-17"),
            ("Last updated: 2021-06-30", "2021-06-30"),
            ("Last Modified: 5 May 2019", "2019-05-05"),
            (
                "This policy was last revised on Sept. 9, 2018.",
                "2018-09-09",
            ),
            ("**Last updated:** December 1, 2022", "2022-12-01"),
            ("Date of Last Revision: August 24, 2017", "2017-08-24"),
            ("_Last updated: July 2026_", "2026-07"),
            ("Last Updated: December 2025", "2025-12"),
            ("Updated: Jan. 17th, 2013", "2013-01-17"),
            ("Last updated 17 January 2013.", "2013-01-17"),
            ("Revision date: 14 March 2024", "2024-03-14"),
            ("Released: February 2, 2025", "2025-02-02"),
            ("Date: 3 November 2025", "2025-11-03"),
            ("**Date:** April 9, 2024", "2024-04-09"),
            ("Version date: 2024-10-01", "2024-10-01"),
            ("It was most recently updated in October 2025.", "2025-10"),
            ("LAST UPDATED: MARCH 4, 2026", "2026-03-04"),
            ("Last amended on 12 June 2023", "2023-06-12"),
            ("Last reviewed: 30 September 2025", "2025-09-30"),
            // Forms
            ("_**Last Modified: August 5,**_ **2026**", "2026-08-05"),
            ("Last updated: August 29，2023", "2023-08-29"),
            ("Last updated: Monday, May 4, 2026", "2026-05-04"),
            ("Last updated: 25/02/2013", "2013-02-25"),
            ("Last updated: 02/25/2013", "2013-02-25"),
            ("Updated on 2025/07/14", "2025-07-14"),
            ("Last updated: 17th of January, 2013", "2013-01-17"),
            // French
            ("Dernière mise à jour : 17 janvier 2026", "2026-01-17"),
            ("Dernière mise à jour : 1er septembre 2023", "2023-09-01"),
            ("Mise à jour le 30/10/2024", "2024-10-30"),
            ("Mise à jour le 02/03/2024", "2024-03-02"),
            ("Mis à jour le 5 février 2025", "2025-02-05"),
            ("DERNIÈRE MISE À JOUR : 12 MARS 2025", "2025-03-12"),
            ("Derniere mise a jour: 8 aout 2024", "2024-08-08"),
            ("Version du 14 juin 2023", "2023-06-14"),
            ("Dernière modification : 3 décembre 2024", "2024-12-03"),
            ("Date de mise à jour : 20/11/2025", "2025-11-20"),
            ("Conditions à jour au 1er janvier 2026", "2026-01-01"),
            ("Mise à jour : lundi 6 octobre 2025", "2025-10-06"),
            ("Dernière mise à jour : juillet 2025", "2025-07"),
            // German
            ("Stand: 17. Januar 2026", "2026-01-17"),
            ("Zuletzt aktualisiert am 17.01.2026", "2026-01-17"),
            ("Letzte Aktualisierung: 3. März 2025", "2025-03-03"),
            ("Stand: 04.05.2024", "2024-05-04"),
            ("Zuletzt geändert: 1. Oktober 2024", "2024-10-01"),
            ("(en vigueur à compter du 15. 07. 2019)", "2019-07-15"),
            (
                "Cette version a été mise à jour pour la dernière fois le 17 mai 2023.",
                "2023-05-17",
            ),
            (
                "Dernière date de mise à jour des CGV : 21 janvier 2022",
                "2022-01-21",
            ),
            (
                "Date d'entrée en vigueur en dehors de l'UE et de la Suisse : 13 mars 2024",
                "2024-03-13",
            ),
            (
                "Dernière mise à jour \u{200b}: le \u{200b}2 Juin 2021",
                "2021-06-02",
            ),
            ("Mise à jour du 4 juillet2024", "2024-07-04"),
            ("Dernière mise à jour réalisée le 07/07/2021", "2021-07-07"),
            (
                "**DATE D'ENTRÉE EN VIGUEUR : 28ème Juillet, 2026**",
                "2026-07-28",
            ),
            ("Dernière mise à jour en décembre 2025.", "2025-12"),
            (
                "Conditions (utilisateur \"Particulier\" en vigueur au 17 octobre 2016)",
                "2016-10-17",
            ),
            // Spanish
            ("Última actualización: 17 de enero de 2026", "2026-01-17"),
            (
                "Fecha de la última actualización: 5 de mayo de 2025",
                "2025-05-05",
            ),
            ("Actualizado el 09/06/2024", "2024-06-09"),
            ("Ultima actualizacion: 1º de marzo de 2025", "2025-03-01"),
            // Italian
            ("Ultimo aggiornamento: 17 gennaio 2026", "2026-01-17"),
            ("Aggiornato il 3 luglio 2024", "2024-07-03"),
            ("Ultima modifica: 10/11/2025", "2025-11-10"),
            // Dutch
            ("Laatst bijgewerkt: 17 januari 2026", "2026-01-17"),
            ("Laatst gewijzigd op 2 maart 2025", "2025-03-02"),
            ("Bijgewerkt op 14-06-2024", "2024-06-14"),
            // Portuguese
            ("Última atualização: 17 de janeiro de 2026", "2026-01-17"),
            ("Atualizado em 4 de novembro de 2025", "2025-11-04"),
            ("Data da última atualização: 01/12/2024", "2024-12-01"),
        ];
        for (text, want) in lines {
            assert_eq!(modified(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn hand_labelled_effective_dates() {
        let lines = [
            ("Effective date: March 3rd, 2020", "2020-03-03"),
            ("Effective as of 01 Jan 2024", "2024-01-01"),
            ("**Effective Date:** March 17, 2026", "2026-03-17"),
            ("Version Effective Date: April 1, 2025", "2025-04-01"),
            ("Effective July 23, 2026", "2026-07-23"),
            ("**Effective: January 15, 2026**", "2026-01-15"),
            (
                "These terms apply with effect from: 5 February 2026",
                "2026-02-05",
            ),
            (
                "This version went into effect on June 7, 2023.",
                "2023-06-07",
            ),
            (
                "Date d'entrée en vigueur : 1er septembre 2023",
                "2023-09-01",
            ),
            ("En vigueur au 15 avril 2025", "2025-04-15"),
            (
                "Conditions applicables à compter du 2 juin 2025",
                "2025-06-02",
            ),
            ("Gültig ab 1. Februar 2026", "2026-02-01"),
            (
                "Fecha de entrada en vigor: 3 de marzo de 2025",
                "2025-03-03",
            ),
            ("In vigore dal 1° aprile 2025", "2025-04-01"),
            ("Ingangsdatum: 1 mei 2025", "2025-05-01"),
            ("Em vigor a partir de 10 de fevereiro de 2026", "2026-02-10"),
        ];
        for (text, want) in lines {
            let w = Some(want.to_string());
            assert_eq!(dates(text), (w.clone(), w), "{text}");
        }
    }

    /// Version and validity forms (written for these tests), with the date a reader cites.
    #[test]
    fn version_and_validity_forms_in_each_language() {
        let lines = [
            // French
            ("Version à jour au 14 février 2026", "2026-02-14"),
            ("Version n° 12 du 3 avril 2025", "2025-04-03"),
            (
                "Conditions d'utilisation (version au 9 juin 2024)",
                "2024-06-09",
            ),
            ("Version en date du 21 mars 2026", "2026-03-21"),
            ("Version à la date du : 28.11.2023", "2023-11-28"),
            ("Version : Janvier 2025", "2025-01"),
            ("Conditions générales, version décembre 2025", "2025-12"),
            ("Version du :_ _05/12/2023", "2023-12-05"),
            ("Conditions mises à jour le 02/03/2026", "2026-03-02"),
            ("Applicables au 15/04/2026", "2026-04-15"),
            ("_Applicable au 09 décembre 2020_", "2020-12-09"),
            ("Elles sont valables à compter du 4 mai 2026.", "2026-05-04"),
            ("Dernière mise à jour : XX mars 2025", "2025-03"),
            ("Dernière révision : 31 juillet 2023", "2023-07-31"),
            (
                "Ces informations ont été actualisées la dernière fois le 22.08.2024.",
                "2024-08-22",
            ),
            ("_Publication : 27 mars 2025_", "2025-03-27"),
            (
                "Cette déclaration est valable actuellement et porte la version juin 2018.",
                "2018-06",
            ),
            ("Prise d'effet le 25 juin 2025 / Version 1.2", "2025-06-25"),
            (
                "Effectif depuis le 16 septembre 2024. Relu le 16 août 2024",
                "2024-08-16",
            ),
            ("Mise à jour : 10/05/23", "2023-05-10"),
            ("Mise à jour : 15/03/99", "1999-03-15"),
            // German
            ("Fassung vom 1. März 2026", "2026-03-01"),
            (
                "Version vom 12.01.2026\n\nDie Rechte der Nutzer und die Pflichten der Anbieter.",
                "2026-01-12",
            ),
            ("Diese Erklärung hat den Stand Mai 2018.", "2018-05"),
            ("Stand Juni 2025", "2025-06"),
            // Spanish, Italian, Dutch, Portuguese
            ("Versión de 3 de marzo de 2026", "2026-03-03"),
            ("Vigente a partir del 1 de julio de 2025", "2025-07-01"),
            ("Versione del 12 gennaio 2026", "2026-01-12"),
            ("Aggiornato al 30 settembre 2025", "2025-09-30"),
            ("In vigore a partire dal 1° marzo 2026", "2026-03-01"),
            ("Versie van 4 februari 2026", "2026-02-04"),
            ("Geldig per 1 januari 2026", "2026-01-01"),
            ("Versão de 5 de maio de 2025", "2025-05-05"),
            ("Válido a partir de 2 de junho de 2025", "2025-06-02"),
            // English
            ("Published: **July 30, 2025**", "2025-07-30"),
            ("Version 3 of March 4, 2026", "none"),
            ("Version 4.2, dated: March 4, 2026", "2026-03-04"),
        ];
        for (text, want) in lines {
            let want = (want != "none").then(|| want.to_string());
            assert_eq!(modified(text), want, "{text}");
        }
        // A version label tells nothing of the language: the words do.
        let text = "Version : 03/04/2026\n\nLes présentes conditions régissent l'usage du service et les droits des utilisateurs.";
        assert_eq!(modified(text).as_deref(), Some("2026-04-03"));
        assert_eq!(
            find_dates(&[], text, &[], DateOptions::default()).language,
            Some(Language::Fr)
        );
    }

    #[test]
    fn a_clause_opening_with_a_date_is_no_label() {
        // `À compter du …` dates the document only on a line of its own.
        assert_eq!(
            modified("À compter du 11 décembre 2025 | [Versions archivées](https://a.example/)")
                .as_deref(),
            Some("2025-12-11")
        );
        assert_eq!(
            modified(
                "À partir du 15 janvier 2017, les mineurs voyageant seuls présentent une autorisation."
            ),
            None
        );
        assert_eq!(
            modified("Les frais sont dus à compter du 1er mars 2026 pour toute commande."),
            None
        );
    }

    #[test]
    fn english_numeric_dates_follow_the_spelling() {
        let us = "Last modified on 08/12/2026\n\nWe use cookies to analyze behavior and to personalize the color of the help center for your organization.";
        assert_eq!(modified(us).as_deref(), Some("2026-08-12"));
        let uk = "Last modified on 08/12/2026\n\nWe use cookies to study behaviour and to personalise the colour of the help centre for your organisation.";
        assert_eq!(modified(uk).as_deref(), Some("2026-12-08"));
        // Neither: left unread.
        assert_eq!(
            modified("Last modified on 08/12/2026\n\nWe use cookies."),
            None
        );
    }

    /// Where the document's own date is: its head, before a later page's.
    /// Prose holding no date, long enough to push what follows it out of the head.
    fn prose() -> String {
        "We describe what we collect and why we collect it, in plain words. ".repeat(40)
    }

    /// Reads each text (`{prose}` standing for [`prose`]) for its modification date.
    fn assert_modified(cases: &[(&str, Option<&str>)]) {
        let prose = prose();
        for (text, want) in cases {
            let text = text.replace("{prose}", &prose);
            assert_eq!(modified(&text).as_deref(), *want, "{text}");
        }
    }

    /// Where the document's own date is: its head, before a later page's.
    #[test]
    fn the_head_dates_a_stitched_document() {
        // An effective date at the head, another page's "Last update" far below.
        let text = format!(
            "Effective December 12, 2025 | [Printable version](https://a.example/p.pdf)\n\n{}\n\nLast update: May 3, 2025\n",
            prose()
        );
        let both = |d: &str| (Some(d.to_string()), Some(d.to_string()));
        assert_eq!(dates(&text), both("2025-12-12"));
        // The head's title block holds both dates; a later "Updated" is another page's.
        let text = format!(
            "Effective: 29 October 2026\nLast updated: 20 October 2026\n\n{}\n\nUpdated: July 17, 2025\n",
            prose()
        );
        assert_eq!(
            dates(&text),
            (Some("2026-10-20".into()), Some("2026-10-29".into()))
        );
        let short = "Our checkout terms follow. ".repeat(20);
        assert_modified(&[
            // Within the head, a labelled date well below the first belongs to another part.
            (
                &format!("Effective January 1, 2026\n\n{short}\n\nUPDATED SEP 23, 2025\n"),
                Some("2026-01-01"),
            ),
            // At the head, a label leading its line wins over an event told in a sentence.
            (
                "# Corporate Terms\n\n> The Corporate Terms of Service of Example Inc. were withdrawn effective 30 November 2021 and are no longer offered; they apply only to customers whose signed contracts name them expressly.\n\nVersion Effective Date: November 16, 2020\n",
                Some("2020-11-16"),
            ),
            // The date of a text linked near the title is that text's.
            (
                "# Privacy\n\nSee also our [Cookie Policy](/cookies) (updated January 5, 2021).\n\n{prose}\n\nLast updated: March 3, 2026\n",
                Some("2026-03-03"),
            ),
            // No date at the head: one standing alone at the very end.
            (
                "# Rules\n\n{prose}\n\n**August 21, 2026**\n",
                Some("2026-08-21"),
            ),
            ("# Rules\n\n{prose}\n\n_7 May 2026_\n\n", Some("2026-05-07")),
            // The place and date a text was signed, under its title.
            (
                "# Conditions\n\nVienne, juillet 2024\n\nTexte.",
                Some("2024-07"),
            ),
            (
                "# Conditions\n\nParis, le 3 mars 2024\n\nTexte.",
                Some("2024-03-03"),
            ),
        ]);
        // A heading announcing the date, with a link to the previous version; the title
        // itself carrying the date (a setext heading over two lines).
        let headed = [
            (
                "#### Effective as of February 11, 2026 ([view previous version](https://a.example/old))\n\nThe rules.\n",
                4,
                "2026-02-11",
            ),
            (
                "Conditions générales de vente\nMise à jour du 4 juillet 2024\n======\n\nTexte.\n",
                1,
                "2024-07-04",
            ),
        ];
        for (text, level, want) in headed {
            let end = text.find("\n\n").unwrap() + 1;
            let heads = [HeadingSpan {
                start: 0,
                end,
                level,
                text: &text[..end],
            }];
            let d = find_dates(&[], text, &heads, DateOptions::default());
            assert_eq!(d.modified.unwrap().to_string(), want, "{text}");
        }
    }

    #[test]
    fn a_changelog_dates_the_document_by_its_newest_entry() {
        assert_modified(&[
            (
                "# Privacy\n\n{prose}\n\n## Changes\n\n**March 2, 2025:** We clarified how long we keep logs.\n\n**July 15, 2025:** We're making a minor update to the sharing section.\n",
                Some("2025-07-15"),
            ),
            (
                "# Terms\n\n{prose}\n\n* 2025-10-29: We've updated the fees.\n* 2024-01-03: First version.\n",
                Some("2025-10-29"),
            ),
            // Dates alone on their lines, each over its entry (Markdown escapes the point).
            (
                "# Datenschutz\n\n{prose}\n\n**3\\. Februar 2022**\n\n*   Abschnitt 4 aktualisiert.\n\n**21\\. August 2026**\n\n*   Abschnitt 8 erweitert.\n",
                Some("2026-08-21"),
            ),
            // A labelled date wins over the changelog.
            (
                "# Terms\n\nLast updated: May 5, 2025\n\n{prose}\n\n* 2025-10-29: We've updated the fees.\n",
                Some("2025-05-05"),
            ),
            // Timelines of events and price lists are no changelogs.
            (
                "# Terms\n\n{prose}\n\n- January 1, 2020: The state law takes force.\n- March 3, 2021: The court rules.\n",
                None,
            ),
            (
                "# Terms\n\n{prose}\n\n- May 25, 2018: The regulation enters into force and changes how data is handled.\n- June 28, 2018: A state adopts its own law.\n",
                None,
            ),
            (
                "# Prices\n\n{prose}\n\n- 2025-01-01: new customers get 20% off\n- 2025-06-01: prices rise by 5%\n",
                None,
            ),
        ]);
        // Newest first, each date on a line of its own at the end: the newest. No one line
        // holds the document's date, so `lint --fix` has none to rewrite (not an entry's).
        for entries in [
            "**July 15, 2025**\n\nWe updated the sharing section.\n\n**March 2, 2024**\n\nFirst version.\n",
            "* 2025-07-15: We've updated the fees.\n* 2024-03-02: First version.\n",
        ] {
            let text = format!("# Privacy\n\n{}\n\n## Changes\n\n{entries}", prose());
            let d = find_dates(&[], &text, &[], DateOptions::default());
            assert_eq!(d.modified.unwrap().to_string(), "2025-07-15", "{entries}");
            assert_eq!(d.modified_at, None, "{entries}");
        }
    }

    #[test]
    fn dates_in_running_text_are_not_the_documents() {
        let traps = [
            "Under the regulation of 27 April 2016, you may object to processing.",
            "The offer runs from March 1, 2026 until March 31, 2026 for new customers.",
            "Since 25 May 2018, the GDPR applies to every company operating in the Union.",
            "Minors travelling alone from 15 January 2017 must carry an authorisation.",
            "Orders placed before 1 July 2025 keep their former delivery fees.",
            "© 2026 Example Inc. All rights reserved.",
            "We will publish a new version on 1 June 2026 for all users.",
            "The previous version, 12 May 2023, remains available on request.",
            "In 2024 we released version 5 on March 3, 2024 to customers.",
            "La versión de 3 de marzo de 2020 sigue vigente para los contratos antiguos.",
            "Cette offre est valable au 31 décembre 2026 dans la limite des stocks.",
            "Les prix sont applicables au 1er janvier 2026 pour toute commande.",
            "Für Verträge vor 2020 gilt die Fassung vom 1. Januar 2019.",
        ];
        let prose = prose();
        for trap in traps {
            let text = format!("# Terms\n\n{prose}\n\n{trap}\n\n{prose}\n");
            assert_eq!(dates(&text), (None, None), "{trap}");
        }
    }

    #[test]
    fn effective_and_revised_on_one_line() {
        assert_eq!(
            dates("Effective: July 1, 2026. Last Revised: May 26, 2026."),
            (Some("2026-05-26".into()), Some("2026-07-01".into()))
        );
    }

    #[test]
    fn dates_of_other_versions_and_other_texts_are_left_out() {
        // A range describing an old version.
        assert_eq!(
            modified("The prior terms were effective from June 24, 2021, until October 6, 2025."),
            None
        );
        // A statute in parentheses.
        assert_eq!(
            modified("the CCPA (as amended by Proposition 24, effective December 16, 2020) gives"),
            None
        );
        // A statute named before the label.
        assert_eq!(
            modified("Conformément au Règlement (RGPD) entré en vigueur le 25 mai 2018, nous"),
            None
        );
        // A heading announcing a future clause.
        let text = "# Terms\n\n## Transparency (Effective February 3, 2027)\n\nWe will publish.\n";
        let heads = [
            HeadingSpan {
                start: 0,
                end: 8,
                level: 1,
                text: "Terms",
            },
            HeadingSpan {
                start: 9,
                end: 54,
                level: 2,
                text: "Transparency (Effective February 3, 2027)",
            },
        ];
        let d = find_dates(&[], text, &heads, DateOptions::default());
        assert_eq!((d.modified, d.effective), (None, None));
        // A list of previous versions.
        let text = "# Privacy\n\nLast updated: May 2, 2026\n\n## Previous versions\n\n- Effective March 1, 2024\n";
        let heads = [
            HeadingSpan {
                start: 0,
                end: 10,
                level: 1,
                text: "Privacy",
            },
            HeadingSpan {
                start: 38,
                end: 59,
                level: 2,
                text: "Previous versions",
            },
        ];
        let d = find_dates(&[], text, &heads, DateOptions::default());
        assert_eq!(d.modified.unwrap().to_string(), "2026-05-02");
        assert_eq!(d.effective, None);
        // …but a range's end is no label, and a date in parentheses right after the title is.
        assert_eq!(
            modified("Privacy Policy (Last updated: March 2, 2026)").as_deref(),
            Some("2026-03-02")
        );
    }

    #[test]
    fn the_date_near_the_title_wins_over_a_later_page() {
        let filler = "We describe our practices here in plain words. ".repeat(60);
        let text = format!(
            "# Terms of Service\n\nLast updated: April 3, 2026\n\n## Use\n\n{filler}\n\n# Add-on Terms\n\nLast updated: May 9, 2019\n\n{filler}\n"
        );
        let start = |needle: &str| text.find(needle).unwrap();
        let heads = [
            HeadingSpan {
                start: 0,
                end: 19,
                level: 1,
                text: "Terms of Service",
            },
            HeadingSpan {
                start: start("## Use"),
                end: start("## Use") + 7,
                level: 2,
                text: "Use",
            },
            HeadingSpan {
                start: start("# Add-on"),
                end: start("# Add-on") + 16,
                level: 1,
                text: "Add-on Terms",
            },
        ];
        let d = find_dates(&[], &text, &heads, DateOptions::default());
        assert_eq!(d.modified.unwrap().to_string(), "2026-04-03");
        // No date near the title: the first of the first page, at its end here, not the
        // next page's.
        let text = format!(
            "# Terms of Service\n\n{filler}\n\nLast updated: April 3, 2026\n\n# Add-on Terms\n\nLast updated: May 9, 2019\n"
        );
        let start = |needle: &str| text.find(needle).unwrap();
        let heads = [
            HeadingSpan {
                start: 0,
                end: 19,
                level: 1,
                text: "Terms of Service",
            },
            HeadingSpan {
                start: start("# Add-on"),
                end: start("# Add-on") + 16,
                level: 1,
                text: "Add-on Terms",
            },
        ];
        let d = find_dates(&[], &text, &heads, DateOptions::default());
        assert_eq!(d.modified.unwrap().to_string(), "2026-04-03");
        // A date at the very end, under a heading of archived versions, is still the
        // document's when it is no list item or link.
        let text = "# Policy\n\nText.\n\n## Archived versions\n\n- [2019 version](https://a.example/2019.pdf), effective May 9, 2019\n\nDate of last update: July 31, 2026\n";
        let heads = [
            HeadingSpan {
                start: 0,
                end: 9,
                level: 1,
                text: "Policy",
            },
            HeadingSpan {
                start: 17,
                end: 38,
                level: 2,
                text: "Archived versions",
            },
        ];
        let d = find_dates(&[], text, &heads, DateOptions::default());
        assert_eq!(d.modified.unwrap().to_string(), "2026-07-31");
        assert_eq!(d.effective, None);
    }

    #[test]
    fn a_date_standing_alone_under_the_title() {
        let text = "# Acceptable Use Policy\n\nJuly 29, 2026 ([View archived version](https://example.org/a))\n\nThe rules.\n";
        let heads = [HeadingSpan {
            start: 0,
            end: 24,
            level: 1,
            text: "Acceptable Use Policy",
        }];
        let d = find_dates(&[], text, &heads, DateOptions::default());
        assert_eq!(d.modified.unwrap().to_string(), "2026-07-29");
        // A date opening a sentence is not one.
        let text = "# Policy\n\nJuly 29, 2026 is when the new rules start for everyone.\n";
        let heads = [HeadingSpan {
            start: 0,
            end: 9,
            level: 1,
            text: "Policy",
        }];
        let d = find_dates(&[], text, &heads, DateOptions::default());
        assert_eq!(d.modified, None);
    }

    #[test]
    fn defined_terms_and_prose_are_not_dates() {
        assert_eq!(
            dates("\"Effective Date\" means the date on which you sign, e.g. May 1, 2020."),
            (None, None)
        );
        assert_eq!(dates("We updated our practices in 2020."), (None, None));
        assert_eq!(dates("Last updated: soon"), (None, None));
        assert_eq!(dates("Updated February 30, 2020"), (None, None));
        assert_eq!(dates("Updated \u{17f}ep 3, 2020"), (None, None));
        assert_eq!(dates("It was reupdated: May 1, 2020").0, None);
        assert_eq!(dates("ineffective May 1, 2020"), (None, None));
        assert_eq!(dates("The date of the contract, May 1, 2020"), (None, None));
        assert_eq!(dates("Stand der Technik am 1. Mai 2020"), (None, None));
    }

    #[test]
    fn numeric_dates_in_the_documents_order() {
        assert_eq!(modified("Last updated: 01/02/2013"), None);
        let with = |order| DateOptions {
            order: Some(order),
            language: None,
        };
        assert_eq!(
            dates_with("Last updated: 01/02/2013", with(DateOrder::Dmy))
                .0
                .as_deref(),
            Some("2013-02-01")
        );
        assert_eq!(
            dates_with("Last updated: 01/02/2013", with(DateOrder::Mdy))
                .0
                .as_deref(),
            Some("2013-01-02")
        );
        // Another date of the document decides.
        assert_eq!(
            modified("Last updated: 01/06/2023\n\nEffective: 25/05/2023").as_deref(),
            Some("2023-06-01")
        );
        assert_eq!(
            modified("Last updated: 01/06/2023\n\nEffective: 05/25/2023").as_deref(),
            Some("2023-01-06")
        );
        // The language of the label decides (day first outside English).
        assert_eq!(
            modified("Mise à jour le 02/03/2024").as_deref(),
            Some("2024-03-02")
        );
        // The configured language too.
        let fr = DateOptions {
            order: None,
            language: Some(Language::Fr),
        };
        assert_eq!(
            dates_with("Last updated: 01/02/2013", fr).0.as_deref(),
            Some("2013-02-01")
        );
    }

    #[test]
    fn the_language_of_the_label_is_the_documents() {
        let d = find_dates(
            &[],
            "Dernière mise à jour : 17 janvier 2026",
            &[],
            DateOptions::default(),
        );
        assert_eq!(d.language, Some(Language::Fr));
        let d = find_dates(
            &[],
            "Last updated: January 17, 2026",
            &[],
            DateOptions::default(),
        );
        assert_eq!(d.language, Some(Language::En));
    }

    #[test]
    fn labels_must_start_a_word_unless_glued_by_a_scraper() {
        assert_eq!(
            modified("Views: 2.4MLast updated: Jun 29, 2026").as_deref(),
            Some("2026-06-29")
        );
        assert_eq!(
            modified("xlast updated: May 1, 2020").as_deref(),
            Some("2020-05-01")
        );
    }

    #[test]
    fn the_first_labelled_date_wins() {
        let text =
            "Last updated: March 2, 2015\n\nChanges: updated January 17, 2013 (first version).";
        assert_eq!(modified(text).as_deref(), Some("2015-03-02"));
    }

    #[test]
    fn front_matter_keys() {
        let front = vec![
            ("effectiveDate".to_string(), "2020-11-16".to_string()),
            ("last_updated".to_string(), "March 2, 2021".to_string()),
        ];
        let d = find_dates(&front, "", &[], DateOptions::default());
        assert_eq!(d.modified.unwrap().to_string(), "2021-03-02");
        assert_eq!(d.effective.unwrap().to_string(), "2020-11-16");
    }

    #[test]
    fn masking_removes_only_dates() {
        let a = mask_dates("_Last updated: January 15, 2024_\n\nWe keep data.");
        let b = mask_dates("_Last updated: June 3, 2024_\n\nWe keep data.");
        assert_eq!(a, b);
        assert!(a.contains("Last updated") && a.contains("We keep data."));
        assert_ne!(
            mask_dates("Updated May 1, 2020. Fees: 10"),
            mask_dates("Updated May 1, 2020. Fees: 12")
        );
        assert_eq!(
            mask_dates("Stand: 17. Januar 2026\n\nText"),
            mask_dates("Stand: 3. März 2026\n\nText")
        );
    }

    #[test]
    fn long_forms_in_each_language() {
        let d = PolicyDate::ymd(2015, 3, 2).unwrap();
        assert_eq!(d.long(), "March 2, 2015");
        assert_eq!(d.long_in(Language::Fr), "2 mars 2015");
        assert_eq!(d.long_in(Language::De), "2. März 2015");
        assert_eq!(d.long_in(Language::Es), "2 de marzo de 2015");
        assert_eq!(d.long_in(Language::It), "2 marzo 2015");
        assert_eq!(d.long_in(Language::Nl), "2 maart 2015");
        assert_eq!(d.long_in(Language::Pt), "2 de março de 2015");
        assert_eq!(
            PolicyDate::ymd(2023, 9, 1).unwrap().long_in(Language::Fr),
            "1er septembre 2023"
        );
        assert_eq!(
            PolicyDate::parse_iso("2026-07").unwrap().long(),
            "July 2026"
        );
        assert_eq!(PolicyDate::parse_iso("2015-03-02"), Some(d));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn any_text_reads_without_panic_and_masks_to_itself_when_dateless(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "Last", "updated", "Mise", "à", "jour", "le", "Stand", ":", " ", "\n", "*", "_",
                "17", "1er", "01/02/2013", "janvier", "May", "2026", "，", "(", ")", "until",
                "é", "日", "#", "de", "enero", "effective", "from", "2.", "\u{a0}",
            ]), 0..16),
        ) {
            let text = parts.concat();
            let d = find_dates(&[], &text, &[], DateOptions::default());
            let masked = mask_dates(&text);
            if d.modified.is_none() && d.effective.is_none() && labelled(&text).is_empty() {
                proptest::prop_assert_eq!(masked, text);
            }
        }
    }
}
