//! Modification and effective dates: the labelled dates a reader would cite.
//!
//! Labels: "Last updated", "Last modified", "Last revised", "Date of last revision",
//! "Updated", "Revised", "Effective (date)", "Effective as of", … — with or without Markdown
//! emphasis. Dates: `January 17, 2013`, `Jan. 17th, 2013`, `17 January 2013`, `2013-01-17`,
//! `July 2026` (month precision), and numeric `01/02/2013` only when the day/month order is
//! known (a day above 12, or [`DateOrder`] from the configuration).

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

    /// The date as a reader writes it: `March 2, 2015` or `July 2026`.
    pub fn long(&self) -> String {
        let month = MONTHS[(self.month - 1) as usize];
        match self.day {
            Some(d) => format!("{month} {d}, {}", self.year),
            None => format!("{month} {}", self.year),
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

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// How to read a numeric date whose day and month could be swapped (`01/02/2013`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// Month first: 01/02/2013 is January 2.
    Mdy,
    /// Day first: 01/02/2013 is 1 February.
    Dmy,
}

/// The dates found in one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dates {
    /// See [`super::Document::modified`].
    pub modified: Option<PolicyDate>,
    /// See [`super::Document::effective`].
    pub effective: Option<PolicyDate>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Modified,
    Effective,
}

/// Words every label contains, found fast before the label regex runs on the text around
/// them only. Labels are written in lower case, Title Case or CAPITALS; the three spellings
/// of each word keep the search a fast literal one.
static KEYWORDS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    let words = ["effective", "updat", "revis", "modif", "chang"];
    let mut spellings = Vec::new();
    for w in words {
        spellings.push(w.to_string());
        spellings.push(w[..1].to_uppercase() + &w[1..]);
        spellings.push(w.to_uppercase());
    }
    // Leftmost-first semantics let the searcher use its vectorised literal prefilter.
    aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostFirst)
        .build(spellings)
        .expect("valid keywords")
});

/// How far before a keyword a label may start ("date of last revision"), and how far after
/// it the label, its linking words and a date may reach.
const BEFORE_KEYWORD: usize = 48;
const AFTER_KEYWORD: usize = 200;

/// Date labels that start a word, with where the text after them (and their linking words)
/// begins: `("Last updated", offset)`, in text order.
fn labels(text: &str) -> Vec<(&str, usize)> {
    let floor = |mut i: usize| {
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    // Windows around keywords, merged where they overlap.
    let mut windows: Vec<(usize, usize)> = Vec::new();
    for m in KEYWORDS.find_iter(text) {
        let start = floor(m.start().saturating_sub(BEFORE_KEYWORD));
        let end = floor((m.end() + AFTER_KEYWORD).min(text.len()));
        match windows.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => windows.push((start, end)),
        }
    }
    let mut out = Vec::new();
    for (start, end) in windows {
        let window = &text[start..end];
        let mut pos = 0;
        while let Some((at, label_end, all_end)) = next_label(window, pos) {
            let label = &window[at..label_end];
            // A label starts a word; a capitalised one may follow text it was glued to by a
            // scraper ("2.4MLast updated"), a lower-case one may not ("outdated").
            let before = text[..start + at].chars().next_back();
            if before.is_some_and(char::is_alphanumeric) && !label.starts_with(char::is_uppercase) {
                // Look again from the next character ("xlast updated" → "updated").
                pos = at + 1;
                continue;
            }
            out.push((label, start + all_end));
            pos = all_end.max(pos + 1);
        }
    }
    out
}

/// The first date label in `text` at or after byte `from`: where it starts, where the label
/// words end, and where the punctuation and linking words after it end.
///
/// Labels (ASCII letters in any case, any Unicode spaces between words):
/// `date of [last] revision|update|modification|change`,
/// `last updated|modified|revised|changed|update|revision|modification`,
/// `[version] effective [date]`, `updated`, `revised`, `modified` — ending a word (or
/// followed by `_`), then any run of spaces, `* _ : - – — , [ ] ( )` and the linking words
/// `on`, `as of`, `from`, `date`, `is`, `was`, `at`.
fn next_label(text: &str, from: usize) -> Option<(usize, usize, usize)> {
    let b = text.as_bytes();
    (from..b.len())
        .filter(|&i| matches!(b[i] | 0x20, b'd' | b'l' | b'v' | b'e' | b'u' | b'r' | b'm'))
        .find_map(|i| {
            let end = label_end(text, i)?;
            let after = if b.get(end) == Some(&b'_') {
                end + 1
            } else {
                end
            };
            Some((i, end, linking_end(text, after)))
        })
}

/// The end of a label starting at `i`, if one does.
fn label_end(t: &str, i: usize) -> Option<usize> {
    let b = t.as_bytes();
    // The label may end at `j`: a word ends there, or `_` follows.
    let ends =
        |j: usize| (!b.get(j).is_some_and(|&c| is_word_byte(c)) || b[j] == b'_').then_some(j);
    // The first of `words` at `i` that ends there.
    let one_of = |i: usize, words: &[&str]| words.iter().find_map(|w| ends(word(b, i, w)?));
    match b.get(i)? | 0x20 {
        b'd' => {
            let j = space(t, word(b, i, "date")?)?;
            let j = space(t, word(b, j, "of")?)?;
            let nouns = ["revision", "update", "modification", "change"];
            word(b, j, "last")
                .and_then(|k| space(t, k))
                .and_then(|k| one_of(k, &nouns))
                .or_else(|| one_of(j, &nouns))
        }
        b'l' => {
            let j = space(t, word(b, i, "last")?)?;
            let participles = [
                "updated",
                "modified",
                "revised",
                "changed",
                "update",
                "revision",
                "modification",
            ];
            one_of(j, &participles)
        }
        c @ (b'v' | b'e') => {
            let j = match c {
                b'v' => space(t, word(b, i, "version")?)?,
                _ => i,
            };
            let j = word(b, j, "effective")?;
            space(t, j)
                .and_then(|k| one_of(k, &["date"]))
                .or_else(|| ends(j))
        }
        _ => one_of(i, &["updated", "revised", "modified"]),
    }
}

/// ASCII letters, digits and `_`: what a regular-expression word boundary separates.
fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// `w` (ASCII, any case) at `i`, with the index after it.
fn word(b: &[u8], i: usize, w: &str) -> Option<usize> {
    let end = i + w.len();
    b.get(i..end)
        .is_some_and(|s| s.eq_ignore_ascii_case(w.as_bytes()))
        .then_some(end)
}

/// The end of the punctuation and linking words (`on`, `as of`, …) starting at `i`.
fn linking_end(t: &str, mut i: usize) -> usize {
    let b = t.as_bytes();
    let ends_word = |j: usize| !b.get(j).is_some_and(|&c| is_word_byte(c));
    loop {
        match t[i..].chars().next() {
            Some(c) if c.is_whitespace() || "*_:-–—,[]()".contains(c) => {
                i += c.len_utf8();
                continue;
            }
            Some(_) if i == 0 || !is_word_byte(b[i - 1]) => {}
            _ => return i,
        }
        let linked = ["on", "as", "from", "date", "is", "was", "at"]
            .iter()
            .find_map(|w| {
                let j = word(b, i, w)?;
                let j = if *w == "as" {
                    word(b, space(t, j)?, "of")?
                } else {
                    j
                };
                ends_word(j).then_some(j)
            });
        match linked {
            Some(j) => i = j,
            None => return i,
        }
    }
}

/// Parses a date at the very start of `s`.
pub fn parse_date_at(s: &str, order: Option<DateOrder>) -> Option<PolicyDate> {
    read_date(s, order).and_then(|(date, _)| date)
}

/// Reads a date written in one of the forms of the module documentation at the very start of
/// `s`: `None` when no form matches, `Some((None, _))` when one does but names no calendar
/// date (February 30) or leaves the day/month order open, and the length of the date text.
///
/// A hand-written reader rather than regular expressions: it runs on a few bytes after each
/// label, and compiling the equivalent expressions cost more than a whole diff of a large
/// policy.
fn read_date(s: &str, order: Option<DateOrder>) -> Option<(Option<PolicyDate>, usize)> {
    let b = s.as_bytes();
    // 2013-01-17, 2013/1/17
    if let Some((y, i)) = number(b, 0, 4..=4)
        && let Some(i) = one_of(b, i, b"-/")
        && let Some((m, i)) = number(b, i, 1..=2)
        && let Some(i) = one_of(b, i, b"-/")
        && let Some((d, i)) = number(b, i, 1..=2)
    {
        return Some((PolicyDate::ymd(y as i32, m, d), i));
    }
    // January 17, 2013 · Jan. 17th 2013
    if let Some((month, i)) = month(s, 0)
        && let Some((d, i)) = number(b, skip_space(s, i), 1..=2)
        && let Some(i) = ordinal_suffix(b, i, true)
        && let Some((y, i)) = number(b, skip_space(s, comma(b, i)), 4..=4)
    {
        return Some((PolicyDate::ymd(y as i32, month, d), i));
    }
    // 17 January 2013 · 17th of Jan, 2013
    if let Some((d, i)) = number(b, 0, 1..=2)
        && let Some(i) = ordinal_suffix(b, i, false)
        && let Some(i) = space(s, i)
        && let Some((month, i)) = month(s, of(s, i))
        && let Some((y, i)) = number(b, skip_space(s, comma(b, i)), 4..=4)
    {
        return Some((PolicyDate::ymd(y as i32, month, d), i));
    }
    // July 2026
    if let Some((month, i)) = month(s, 0)
        && let Some(i) = space(s, comma(b, i))
        && let Some((y, i)) = number(b, i, 4..=4)
    {
        return Some((PolicyDate::ym(y as i32, month), i));
    }
    // 01/02/2013 · 17.1.2013
    if let Some((a, i)) = number(b, 0, 1..=2)
        && let Some(i) = one_of(b, i, b"/.")
        && let Some((c, i)) = number(b, i, 1..=2)
        && let Some(i) = one_of(b, i, b"/.")
        && let Some((y, i)) = number(b, i, 4..=4)
    {
        let y = y as i32;
        let order = match (a > 12, c > 12) {
            (true, false) => Some(DateOrder::Dmy),
            (false, true) => Some(DateOrder::Mdy),
            _ if a == c => Some(DateOrder::Dmy), // 03/03/2020 reads the same either way
            _ => order,
        };
        let date = order.and_then(|order| match order {
            DateOrder::Mdy => PolicyDate::ymd(y, a, c),
            DateOrder::Dmy => PolicyDate::ymd(y, c, a),
        });
        return Some((date, i));
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

/// `of` and whitespace at `i`, skipped (`17th of January`).
fn of(s: &str, i: usize) -> usize {
    match s.as_bytes().get(i..i + 2) {
        Some(w) if w.eq_ignore_ascii_case(b"of") => space(s, i + 2).unwrap_or(i),
        _ => i,
    }
}

fn comma(b: &[u8], i: usize) -> usize {
    one_of(b, i, b",").unwrap_or(i)
}

/// `st`, `nd`, `rd` or `th` after a day number, if any; with `word_end`, what follows must not
/// continue the word (`17th,` but not `17thx`).
fn ordinal_suffix(b: &[u8], i: usize, word_end: bool) -> Option<usize> {
    let suffixed = b.get(i..i + 2).is_some_and(|w| {
        [b"st", b"nd", b"rd", b"th"]
            .iter()
            .any(|s| w.eq_ignore_ascii_case(*s))
    });
    let i = if suffixed { i + 2 } else { i };
    let continues = b
        .get(i)
        .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_');
    (!(word_end && continues)).then_some(i)
}

/// Whitespace (any, including no-break spaces) at `i`, skipped.
fn skip_space(s: &str, i: usize) -> usize {
    let rest = &s[i..];
    i + rest.len() - rest.trim_start().len()
}

/// At least one whitespace character at `i`, skipped.
fn space(s: &str, i: usize) -> Option<usize> {
    let j = skip_space(s, i);
    (j > i).then_some(j)
}

/// A month name or abbreviation at `i` (`Sept.`, `june`), with the index after it and its
/// optional full stop.
fn month(s: &str, i: usize) -> Option<(u32, usize)> {
    const SPELLINGS: [&[&str]; 12] = [
        &["jan", "january"],
        &["feb", "february"],
        &["mar", "march"],
        &["apr", "april"],
        &["may"],
        &["jun", "june"],
        &["jul", "july"],
        &["aug", "august"],
        &["sep", "sept", "september"],
        &["oct", "october"],
        &["nov", "november"],
        &["dec", "december"],
    ];
    let b = s.as_bytes();
    let n = b[i..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let word = &s[i..i + n];
    let month = SPELLINGS
        .iter()
        .position(|names| names.iter().any(|m| m.eq_ignore_ascii_case(word)))?;
    let end = i + n;
    Some((month as u32 + 1, one_of(b, end, b".").unwrap_or(end)))
}

fn label_kind(label: &str) -> Kind {
    if label.to_ascii_lowercase().contains("effective") {
        Kind::Effective
    } else {
        Kind::Modified
    }
}

/// Finds the modification and effective dates in front matter pairs and a body text.
pub fn find_dates(front: &[(String, String)], body: &str, order: Option<DateOrder>) -> Dates {
    let mut modified = None;
    let mut effective = None;
    let mut note = |kind: Kind, date: PolicyDate| {
        let slot = if kind == Kind::Modified {
            &mut modified
        } else {
            &mut effective
        };
        slot.get_or_insert(date);
    };
    // Front matter keys such as `last_updated`, `lastModified`, `effective-date`.
    for (key, value) in front {
        let words = key_words(key);
        if let Some(end) = label_end(&words, 0)
            && end == words.trim_end().len()
            && let Some(date) = parse_date_at(value, order)
        {
            note(label_kind(&words[..end]), date);
        }
    }
    for (label, end) in labels(body) {
        if let Some(date) = parse_date_at(&body[end..], order) {
            note(label_kind(label), date);
        }
    }
    let modified = modified.or(effective);
    Dates {
        modified,
        effective,
    }
}

/// The text with every labelled date removed (the label stays), so that two versions that
/// differ only in their dates compare equal.
pub fn mask_dates(text: &str, order: Option<DateOrder>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (_, end) in labels(text) {
        if end < pos {
            continue;
        }
        let rest = &text[end..];
        if parse_date_at(rest, order).is_some() {
            out.push_str(&text[pos..end]);
            pos = end + date_len(rest);
        }
    }
    out.push_str(&text[pos..]);
    out
}

/// Length of the date at the start of `s` (which [`parse_date_at`] reads).
fn date_len(s: &str) -> usize {
    read_date(s, None).map_or(0, |(_, len)| len)
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

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    fn dates(text: &str) -> (Option<String>, Option<String>) {
        let d = find_dates(&[], text, None);
        (
            d.modified.map(|d| d.to_string()),
            d.effective.map(|d| d.to_string()),
        )
    }

    #[test]
    fn every_documented_form() {
        let modified = [
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
        ];
        for (text, want) in modified {
            assert_eq!(dates(text), (Some(want.to_string()), None), "{text}");
        }
        let effective = [
            ("Effective date: March 3rd, 2020", "2020-03-03"),
            ("Effective as of 01 Jan 2024", "2024-01-01"),
            ("**Effective Date:** March 17, 2026", "2026-03-17"),
            ("Version Effective Date: April 1, 2025", "2025-04-01"),
            ("Effective July 23, 2026", "2026-07-23"),
            ("**Effective: January 15, 2026**", "2026-01-15"),
            ("Effective date: November 16, 2020", "2020-11-16"),
        ];
        for (text, want) in effective {
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
    fn defined_terms_and_prose_are_not_dates() {
        assert_eq!(
            dates("\"Effective Date\" means the date on which you sign, e.g. May 1, 2020."),
            (None, None)
        );
        assert_eq!(dates("We updated our practices in 2020."), (None, None));
        assert_eq!(dates("Last updated: soon"), (None, None));
        assert_eq!(dates("Updated February 30, 2020"), (None, None));
        // Case folding lets non-ASCII letters match a month name; no panic, no date.
        assert_eq!(dates("Updated \u{17f}ep 3, 2020"), (None, None));
    }

    #[test]
    fn numeric_dates_need_an_order() {
        assert_eq!(dates("Last updated: 01/02/2013"), (None, None));
        assert_eq!(
            dates("Last updated: 25/02/2013").0.as_deref(),
            Some("2013-02-25")
        );
        assert_eq!(
            dates("Last updated: 02/25/2013").0.as_deref(),
            Some("2013-02-25")
        );
        let d = find_dates(&[], "Last updated: 01/02/2013", Some(DateOrder::Dmy));
        assert_eq!(d.modified.unwrap().to_string(), "2013-02-01");
        let d = find_dates(&[], "Last updated: 01/02/2013", Some(DateOrder::Mdy));
        assert_eq!(d.modified.unwrap().to_string(), "2013-01-02");
    }

    #[test]
    fn labels_must_start_a_word_unless_glued_by_a_scraper() {
        assert_eq!(
            dates("Views: 2.4MLast updated: Jun 29, 2026").0.as_deref(),
            Some("2026-06-29")
        );
        assert_eq!(dates("It was reupdated: May 1, 2020").0, None);
        assert_eq!(dates("ineffective May 1, 2020"), (None, None));
        assert_eq!(
            dates("xlast updated: May 1, 2020").0.as_deref(),
            Some("2020-05-01")
        );
    }

    #[test]
    fn the_first_labelled_date_wins() {
        let text =
            "Last updated: March 2, 2015\n\nChanges: updated January 17, 2013 (first version).";
        assert_eq!(dates(text).0.as_deref(), Some("2015-03-02"));
    }

    #[test]
    fn front_matter_keys() {
        let front = vec![
            ("effectiveDate".to_string(), "2020-11-16".to_string()),
            ("last_updated".to_string(), "March 2, 2021".to_string()),
        ];
        let d = find_dates(&front, "", None);
        assert_eq!(d.modified.unwrap().to_string(), "2021-03-02");
        assert_eq!(d.effective.unwrap().to_string(), "2020-11-16");
    }

    #[test]
    fn masking_removes_only_dates() {
        let a = mask_dates("_Last updated: January 15, 2024_\n\nWe keep data.", None);
        let b = mask_dates("_Last updated: June 3, 2024_\n\nWe keep data.", None);
        assert_eq!(a, b);
        assert!(a.contains("Last updated") && a.contains("We keep data."));
        assert_ne!(
            mask_dates("Updated May 1, 2020. Fees: 10", None),
            mask_dates("Updated May 1, 2020. Fees: 12", None)
        );
    }

    /// The date forms as regular expressions: the specification [`read_date`] implements.
    fn reference_parse(s: &str, order: Option<DateOrder>) -> Option<PolicyDate> {
        const MONTH: &str = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";
        static FORMS: LazyLock<[Regex; 5]> = LazyLock::new(|| {
            let re = |s: String| Regex::new(&format!("(?i)^(?:{s})")).unwrap();
            [
                re(r"(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})(?:\D|$)".into()),
                re(format!(
                    r"{MONTH}\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?-u:\b),?\s*(?P<y>\d{{4}})(?:\D|$)"
                )),
                re(format!(
                    r"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH},?\s*(?P<y>\d{{4}})(?:\D|$)"
                )),
                re(format!(r"{MONTH},?\s+(?P<y>\d{{4}})(?:\D|$)")),
                re(r"(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{4})(?:\D|$)".into()),
            ]
        });
        let forms = &*FORMS;
        let num = |c: &regex::Captures, n: &str| c.name(n)?.as_str().parse::<u32>().ok();
        let month = |c: &regex::Captures| {
            let name = c.name("month")?.as_str().to_ascii_lowercase();
            MONTHS
                .iter()
                .position(|m| m.to_ascii_lowercase().starts_with(&name[..3]))
                .map(|i| i as u32 + 1)
        };
        if let Some(c) = forms[0].captures(s) {
            return PolicyDate::ymd(num(&c, "y")? as i32, num(&c, "m")?, num(&c, "d")?);
        }
        for form in &forms[1..3] {
            if let Some(c) = form.captures(s) {
                return PolicyDate::ymd(num(&c, "y")? as i32, month(&c)?, num(&c, "d")?);
            }
        }
        if let Some(c) = forms[3].captures(s) {
            return PolicyDate::ym(num(&c, "y")? as i32, month(&c)?);
        }
        let c = forms[4].captures(s)?;
        let (a, b, y) = (num(&c, "a")?, num(&c, "b")?, num(&c, "y")? as i32);
        let order = match (a > 12, b > 12) {
            (true, false) => DateOrder::Dmy,
            (false, true) => DateOrder::Mdy,
            _ if a == b => DateOrder::Dmy,
            _ => order?,
        };
        match order {
            DateOrder::Mdy => PolicyDate::ymd(y, a, b),
            DateOrder::Dmy => PolicyDate::ymd(y, b, a),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]
        #[test]
        fn the_date_reader_matches_its_regular_expressions(
            parts in (
                pick(&["January", "jan", "Jan.", "SEPT", "Sept.", "septe", "May", "Mayo", "june",
                       "Dec", "17", "3", "30", "02", "123", "2013", "20201", "x", ""]),
                pick(&["", " ", "  ", "\u{a0}", "\n", "th", "st", "TH ", "th of ", " of ", "of",
                       "-", "/", ".", ". ", ",", "_"]),
                pick(&["January", "jan.", "SEPT", "sept", "May", "17", "3", "13", "02", "12",
                       "123", "2013", "x", ""]),
                pick(&["", " ", ", ", ",", "th", "th, ", "-", "/", ".", "x"]),
                pick(&["2013", "2020", "17", "3", "12", "20201", "x", ""]),
                pick(&["", ".", "x", "5", " more", "-", "/2013"]),
            ),
            dmy in proptest::bool::ANY,
        ) {
            let (a, b, c, d, e, f) = parts;
            let text = [a, b, c, d, e, f].concat();
            let order = dmy.then_some(DateOrder::Dmy);
            proptest::prop_assert_eq!(parse_date_at(&text, order), reference_parse(&text, order), "{:?}", text);
        }
    }

    /// The labels as a regular expression: the specification [`next_label`] implements.
    fn reference_next_label(text: &str, from: usize) -> Option<(usize, usize, usize)> {
        static LABEL: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(
                r"(?ix-u)
                (?P<label>
                    date(?u:\s)+of(?u:\s)+(?:last(?u:\s)+)?(?:revision|update|modification|change)
                  | last(?u:\s)+(?:updated|modified|revised|changed|update|revision|modification)
                  | (?:version(?u:\s)+)?effective(?:(?u:\s)+date)?
                  | updated | revised | modified
                )(?:\b|_)
                (?:(?u:[\s*_:\-–—,\[\]()])|\b(?:on|as(?u:\s)+of|from|date|is|was|at)\b)*",
            )
            .unwrap()
        });
        let caps = LABEL.captures_at(text, from)?;
        let (all, label) = (caps.get(0)?, caps.name("label")?);
        Some((label.start(), label.end(), all.end()))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]
        #[test]
        fn the_label_reader_matches_its_regular_expression(
            parts in proptest::collection::vec(pick(&[
                "Last", "LAST", "last", "xlast", "Date", "date", "of", "Of", "revision", "update",
                "updated", "Updates", "UPDATED", "modification", "change", "changed", "revised",
                "modified", "Version", "version", "Effective", "effective", "EFFECTIVE", "dates",
                "on", "as", "at", "is", "was", "from", "onto", " ", "  ", "\u{a0}", "\n", "_",
                ":", "*", "—", "-", ",", "(", "[", "x", "é", "2020",
            ]), 1..10),
            from in 0usize..4,
        ) {
            let text = parts.concat();
            let from = (0..=from.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap();
            proptest::prop_assert_eq!(next_label(&text, from), reference_next_label(&text, from), "{:?}", text);
        }
    }

    fn pick(
        words: &'static [&'static str],
    ) -> impl proptest::strategy::Strategy<Value = &'static str> {
        proptest::sample::select(words)
    }

    #[test]
    fn long_form_and_iso_round_trip() {
        let d = PolicyDate::ymd(2015, 3, 2).unwrap();
        assert_eq!(d.long(), "March 2, 2015");
        assert_eq!(PolicyDate::parse_iso("2015-03-02"), Some(d));
        assert_eq!(
            PolicyDate::parse_iso("2026-07").unwrap().long(),
            "July 2026"
        );
    }
}
