//! Modification and effective dates: the labelled dates a reader would cite.
//!
//! Labels: "Last updated", "Last modified", "Last revised", "Date of last revision",
//! "Updated", "Revised", "Effective (date)", "Effective as of", … — with or without Markdown
//! emphasis. Dates: `January 17, 2013`, `Jan. 17th, 2013`, `17 January 2013`, `2013-01-17`,
//! `July 2026` (month precision), and numeric `01/02/2013` only when the day/month order is
//! known (a day above 12, or [`DateOrder`] from the configuration).

use chrono::NaiveDate;
use regex::Regex;
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

// No leading context in the pattern, so that the regex engine can scan for its literal
// prefixes; `labels` checks that a label starts a word.
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        (?P<label>
            date\s+of\s+(?:last\s+)?(?:revision|update|modification|change)
          | last\s+(?:updated|modified|revised|changed|update|revision|modification)
          | (?:version\s+)?effective(?:\s+date)?
          | updated | revised | modified
        )(?:(?-u:\b)|_)
        # between label and date: emphasis, punctuation, and a few linking words
        (?:[\s*_:\-–—,\[\]()]|(?-u:\b)(?:on|as\s+of|from|date|is|was|at)(?-u:\b))*",
    )
    .expect("valid label regex")
});

const MONTH: &str = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";

static DATE_FORMS: LazyLock<[Regex; 5]> = LazyLock::new(|| {
    let re = |s: String| Regex::new(&format!("(?i)^(?:{s})")).expect("valid date regex");
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

fn month_number(name: &str) -> Option<u32> {
    // Compare three letters without slicing bytes: case folding may have matched a
    // non-ASCII letter (the long s of "ſept").
    let prefix: String = name.chars().take(3).flat_map(char::to_lowercase).collect();
    MONTHS
        .iter()
        .position(|m| m.to_ascii_lowercase().starts_with(&prefix))
        .map(|i| i as u32 + 1)
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
    aho_corasick::AhoCorasick::new(spellings).expect("valid keywords")
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
        while let Some(caps) = LABEL.captures_at(window, pos) {
            let (Some(all), Some(label)) = (caps.get(0), caps.name("label")) else {
                break;
            };
            // A label starts a word; a capitalised one may follow text it was glued to by a
            // scraper ("2.4MLast updated"), a lower-case one may not ("outdated").
            let before = text[..start + label.start()].chars().next_back();
            if before.is_some_and(char::is_alphanumeric)
                && !label.as_str().starts_with(char::is_uppercase)
            {
                // Look again from the next character ("xlast updated" → "updated").
                pos = label.start() + label.as_str().chars().next().map_or(1, char::len_utf8);
                continue;
            }
            out.push((label.as_str(), start + all.end()));
            pos = all.end().max(pos + 1);
        }
    }
    out
}

/// Parses a date at the very start of `s`.
pub fn parse_date_at(s: &str, order: Option<DateOrder>) -> Option<PolicyDate> {
    let forms = &*DATE_FORMS;
    let num = |c: &regex::Captures, n: &str| c.name(n).and_then(|m| m.as_str().parse::<u32>().ok());
    if let Some(c) = forms[0].captures(s) {
        return PolicyDate::ymd(num(&c, "y")? as i32, num(&c, "m")?, num(&c, "d")?);
    }
    for form in &forms[1..3] {
        if let Some(c) = form.captures(s) {
            let month = month_number(c.name("month")?.as_str())?;
            return PolicyDate::ymd(num(&c, "y")? as i32, month, num(&c, "d")?);
        }
    }
    if let Some(c) = forms[3].captures(s) {
        let month = month_number(c.name("month")?.as_str())?;
        return PolicyDate::ym(num(&c, "y")? as i32, month);
    }
    if let Some(c) = forms[4].captures(s) {
        let (a, b, y) = (num(&c, "a")?, num(&c, "b")?, num(&c, "y")? as i32);
        let order = match (a > 12, b > 12) {
            (true, false) => DateOrder::Dmy,
            (false, true) => DateOrder::Mdy,
            _ if a == b => DateOrder::Dmy, // 03/03/2020 reads the same either way
            _ => order?,
        };
        return match order {
            DateOrder::Mdy => PolicyDate::ymd(y, a, b),
            DateOrder::Dmy => PolicyDate::ymd(y, b, a),
        };
    }
    None
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
        if let Some(m) = LABEL.captures(&words).and_then(|c| c.name("label"))
            && m.start() == 0
            && m.end() == words.trim_end().len()
            && let Some(date) = parse_date_at(value, order)
        {
            note(label_kind(m.as_str()), date);
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
    DATE_FORMS.iter().find_map(|re| re.find(s)).map_or(0, |m| {
        m.as_str()
            .trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
            .len()
    })
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
