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
    /// Where the label starts, and where the date starts and ends.
    start: usize,
    date_start: usize,
    date_end: usize,
    read: Read,
    /// The date of another version or another text (see [`other_version`]).
    excluded: bool,
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
/// English (by their commonest short words).
fn maybe_not_english(text: &str) -> bool {
    // A short text costs little to search for everything.
    if text.len() < 4_096 {
        return true;
    }
    let sample = &text[..floor_boundary(text, 4_000)];
    let (mut english, mut others) = (0, 0);
    for m in COMMON_WORDS.find_iter(sample) {
        match m.pattern().as_usize() < words::ENGLISH_WORDS.len() {
            true => english += 1,
            false => others += 1,
        }
    }
    others > english
}

/// The commonest short words of English, then of the other languages.
static COMMON_WORDS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    let all = words::ENGLISH_WORDS.iter().chain(words::COMMON_WORDS);
    aho_corasick::AhoCorasick::new(all).expect("valid words")
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
                        (holds_stem && (!label.line_start || starts_line(text, i)))
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
        match read_marked(text, date_start) {
            Some((read, date_end)) => {
                out.push(Candidate {
                    kind: label.kind,
                    language: label.language,
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

/// Reads a date at `i`, looking through Markdown emphasis (`**August 5,** **2026**`): what
/// it reads as and where it ends in `text`.
fn read_marked(text: &str, i: usize) -> Option<(Read, usize)> {
    let window = &text[i..floor_boundary(text, i + 80)];
    // Every form starts with a digit or a letter (a month or weekday name).
    if !window
        .trim_start_matches(['*', '_'])
        .starts_with(char::is_alphanumeric)
    {
        return None;
    }
    if !window.contains(['*', '_']) {
        return read_date(window).map(|(read, len)| (read, i + len));
    }
    let mut clean = String::new();
    let mut at: Vec<usize> = Vec::new();
    for (k, c) in text[i..].char_indices().take(80) {
        if c == '*' || c == '_' {
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
    if let Some((w, end)) = word_at(s, 0)
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
    let line_start = text[..c.start].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..c.start];
    // A statute or another text named just before (`the Regulation … entered into force on`).
    let near = &before[floor_boundary(before, before.len().saturating_sub(100))..];
    let near: String = near.chars().map(fold).collect();
    if near
        .split(|ch: char| !ch.is_alphanumeric())
        .any(|w| words::OTHER_TEXTS.contains(&w))
    {
        return true;
    }
    // In a heading, after other words.
    let heading = heads.partition_point(|h| h.start <= c.start);
    if let Some(h) = heading.checked_sub(1).map(|k| &heads[k])
        && c.start < h.end
        && text[h.start..c.start]
            .trim_start_matches(|ch: char| ch == '#' || ch.is_whitespace())
            .contains(char::is_alphabetic)
    {
        return true;
    }
    // A list item or link under a heading (or an enclosing one) that lists other versions.
    let line_end = text[c.start..]
        .find('\n')
        .map_or(text.len(), |k| c.start + k);
    let line = &text[line_start..line_end];
    let listed = line.trim_start().starts_with(['-', '*', '+', '[']) || line.contains("](");
    let mut level = u8::MAX;
    for h in heads[..heading].iter().rev() {
        if h.level < level {
            level = h.level;
            let folded: String = h.text.chars().map(fold).collect();
            if listed && words::OTHER_VERSIONS.iter().any(|w| folded.contains(w)) {
                return true;
            }
        }
    }
    false
}

/// Dates standing alone on a line near the title (`July 29, 2026 ([View archived version](…))`):
/// read as the modification date when no label is near the title.
fn bare_dates(text: &str, head_end: usize) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text[..head_end].split_inclusive('\n').take(12) {
        let start = at;
        at += line.len();
        let lead = line.len()
            - line
                .trim_start_matches(|c: char| c.is_whitespace() || "#*_>-|".contains(c))
                .len();
        let line_end = start + line.len();
        let Some((read, end)) = read_marked(&text[..line_end], start + lead) else {
            continue;
        };
        let rest =
            text[end..line_end].trim_matches(|c: char| c.is_whitespace() || "*_.".contains(c));
        if rest.is_empty() || rest.starts_with(['(', '[', '|', '—', '-', '–']) {
            out.push(Candidate {
                kind: Kind::Modified,
                language: Language::En,
                start: start + lead,
                date_start: start + lead,
                date_end: end,
                read,
                excluded: false,
            });
        }
    }
    out
}

/// Bytes after the start of the document within which a date is near its title (at least;
/// up to the second heading, within [`HEAD_MAX`]).
const HEAD_BYTES: usize = 2_000;
const HEAD_MAX: usize = 5_000;

/// Finds the modification and effective dates in front matter pairs and a body text whose
/// headings are `heads`.
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
    let bare = bare_dates(body, head_end.min(floor_boundary(body, head_end)));

    // The language: configured, else that of the labels read.
    let language = options.language.or_else(|| {
        candidates
            .iter()
            .find(|c| !c.excluded && c.start < head_end)
            .or_else(|| candidates.iter().find(|c| !c.excluded))
            .map(|c| c.language)
    });
    // The order of numeric dates: configured, else decided by another date of the document
    // (a value above 12), else by the language.
    let order = options
        .order
        .or_else(|| numeric_evidence(body, &candidates))
        .or_else(|| language.and_then(Language::date_order));
    let value = |c: &Candidate| match c.read {
        Read::Date(d) => Some(d),
        Read::Ambiguous(a, b, y) => resolve(a, b, y, order?),
        Read::Invalid => None,
    };
    let pick = |kind: Kind| -> Option<(PolicyDate, DateSpan)> {
        let usable = |c: &&Candidate| c.kind == kind && !c.excluded && value(c).is_some();
        let labelled = || candidates.iter().filter(usable);
        let chosen = labelled()
            .find(|c| c.start < head_end)
            .or_else(|| {
                (kind == Kind::Modified)
                    .then(|| bare.iter().find(|c| value(c).is_some()))
                    .flatten()
            })
            .or_else(|| labelled().find(|c| c.start < page_end && prominent(body, c)))
            .or_else(|| labelled().find(|c| prominent(body, c)))?;
        let span = DateSpan {
            label: chosen.start,
            date: chosen.date_start..chosen.date_end,
        };
        value(chosen).map(|d| (d, span))
    };
    let mut dates = Dates {
        modified: None,
        effective: None,
        language,
        modified_at: None,
    };
    // Front matter keys such as `last_updated`, `lastModified`, `effective-date` come first.
    for (key, value) in front {
        let key = key_words(key);
        let label = LABELS
            .values()
            .flatten()
            .find(|l| phrase_at(&key, 0, l.words).is_some_and(|end| end == key.trim_end().len()));
        if let Some(label) = label
            && let Some(date) = parse_date_at(value, order)
        {
            let slot = match label.kind {
                Kind::Modified => &mut dates.modified,
                Kind::Effective => &mut dates.effective,
            };
            slot.get_or_insert(date);
        }
    }
    let mut effective_at = None;
    if dates.modified.is_none()
        && let Some((date, span)) = pick(Kind::Modified)
    {
        dates.modified = Some(date);
        dates.modified_at = Some(span);
    }
    if dates.effective.is_none()
        && let Some((date, span)) = pick(Kind::Effective)
    {
        dates.effective = Some(date);
        effective_at = Some(span);
    }
    if dates.modified.is_none() {
        dates.modified = dates.effective;
        dates.modified_at = effective_at;
    }
    dates
}

/// True when a date's label leads its line (after Markdown markup) or the line is short: a
/// date a reader would see, not one inside a sentence about something else.
fn prominent(text: &str, c: &Candidate) -> bool {
    let line_start = text[..c.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[c.start..]
        .find('\n')
        .map_or(text.len(), |k| c.start + k);
    let lead = text[line_start..c.start]
        .trim_start_matches(|ch: char| ch.is_whitespace() || "#*_>-|([".contains(ch));
    lead.chars().count() <= 40 || line_end - line_start <= 120
}

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
