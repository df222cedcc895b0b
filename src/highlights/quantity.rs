//! Quantities in a sentence: a number (in digits or in words, English or French) with its
//! unit or noun — durations, money, ages, percentages, sizes and counts — and what is not
//! one: dates, numbering, phone numbers, postcodes, addresses, links, versions, counters.

use serde::Serialize;
use std::ops::Range;

/// What a quantity measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QuantityKind {
    /// A length of time: `30 days`, `six months`, `48 heures`.
    Duration,
    /// An amount of money: `$50`, `€500`, `10 euros`.
    Money,
    /// An age: `under 13`, `16 years of age`, `moins de 15 ans`.
    Age,
    /// A percentage: `5%`, `10 percent`.
    Percent,
    /// A number of things: `up to 5 devices`, `three tiers`.
    Count,
    /// A size or a data limit: `2 GB`, `500 characters`.
    Size,
    /// Any other measure.
    Other,
}

impl QuantityKind {
    /// The kind as JSON writes it.
    pub fn word(self) -> &'static str {
        match self {
            QuantityKind::Duration => "duration",
            QuantityKind::Money => "money",
            QuantityKind::Age => "age",
            QuantityKind::Percent => "percent",
            QuantityKind::Count => "count",
            QuantityKind::Size => "size",
            QuantityKind::Other => "other",
        }
    }
}

/// One quantity found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// Its value in the unit of `unit` (durations in days, months or seconds; sizes in
    /// bytes), so that the same value rewritten (`thirty (30)`, `1 year` / `12 months`)
    /// compares equal.
    pub value: f64,
    /// What it counts, in one canonical word (`day`, `month`, `eur`, `percent`, the noun's
    /// stem for counts): two quantities are of one measure when their units agree.
    pub unit: String,
    /// What it measures.
    pub kind: QuantityKind,
    /// The bytes of the text it spans: the number and its unit or noun, as written.
    pub span: Range<usize>,
    /// In a table: the row's first cell and the column, which a changed value keeps.
    pub cell: Option<(String, usize)>,
    /// The upper end of a range (`€13-€30`, `2 to 5 days`), in the unit of `value`.
    pub upper: Option<f64>,
}

impl Quantity {
    /// True when `other` measures the same thing (so that a change of value can be told).
    pub fn comparable(&self, other: &Quantity) -> bool {
        self.cell == other.cell
            && self.kind == other.kind
            && (self.unit == other.unit
                || matches!(
                    self.kind,
                    QuantityKind::Duration | QuantityKind::Money | QuantityKind::Size
                ))
    }

    /// True when `other` says the same value in the same measure.
    pub fn same_value(&self, other: &Quantity) -> bool {
        let close = |a: f64, b: f64| (a - b).abs() <= a.abs() * 1e-9;
        self.unit == other.unit
            && close(self.value, other.value)
            && match (self.upper, other.upper) {
                (Some(a), Some(b)) => close(a, b),
                (None, None) => true,
                _ => false,
            }
    }
}

/// A word of the text, with where it stands.
#[derive(Debug, Clone)]
struct Token<'a> {
    /// As written.
    text: &'a str,
    /// Lowercase, apostrophes made straight.
    lower: String,
    span: Range<usize>,
    /// A number's value (digits, or a number word).
    number: Option<Number>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Number {
    value: f64,
    /// Written in digits (else in words).
    digits: bool,
    /// Digits with a dot between groups that are no decimals (`2.0.1`, `4.2.3`) or a number
    /// ending in a dot or a parenthesis (`3.`, `2)`): numbering or a version.
    dotted: bool,
    /// A number word that is also an article or a pronoun (`one`, `un`, `une`, `a`).
    weak: bool,
}

/// Splits `text` into words: runs of letters and digits (with the dots, commas and thin
/// spaces inside a number, apostrophes and hyphens inside a word), and each other
/// character that is not a space on its own.
fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        if c.is_ascii_digit() {
            // Digits, with separators between digit groups: `1,000`, `2.5`, `10 000` (a
            // no-break or thin space), `4.2.3`.
            while j < chars.len() {
                let d = chars[j].1;
                let digit_next = chars.get(j + 1).is_some_and(|n| n.1.is_ascii_digit());
                if d.is_ascii_digit()
                    || matches!(d, '.' | ',' | '\u{a0}' | '\u{202f}' | '\u{2009}') && digit_next
                {
                    j += 1;
                } else if d == ' '
                    && chars
                        .get(j + 1..j + 4)
                        .is_some_and(|g| g.iter().all(|n| n.1.is_ascii_digit()))
                    && !chars
                        .get(j + 4)
                        .is_some_and(|n| n.1.is_ascii_digit() || n.1 == '.')
                    && space_grouped(&chars[i..j])
                {
                    // `10 000 €`: a group of three after one of one to three digits.
                    j += 1;
                } else {
                    break;
                }
            }
        } else if c.is_alphabetic() {
            while j < chars.len() {
                let d = chars[j].1;
                let letter_next = chars.get(j + 1).is_some_and(|n| n.1.is_alphabetic());
                if d.is_alphabetic()
                    || d.is_ascii_digit()
                    || matches!(d, '-' | '\'' | '’') && letter_next
                {
                    j += 1;
                } else {
                    break;
                }
            }
        }
        let end = chars.get(j).map_or(text.len(), |n| n.0);
        // Emphasis marks (`**30** days`) stand between nothing a quantity is made of.
        if matches!(c, '*' | '_') && j == i + 1 {
            i = j;
            continue;
        }
        let word = &text[start..end];
        let lower = word.to_lowercase().replace('’', "'");
        out.push(Token {
            text: word,
            number: None,
            lower,
            span: start..end,
        });
        i = j;
    }
    for k in 0..out.len() {
        let n = if out[k].text.starts_with(|c: char| c.is_ascii_digit()) {
            digits_value(out[k].text).map(|(value, dotted)| Number {
                value,
                digits: true,
                dotted: dotted
                    || (matches!(out.get(k + 1).map(|t| t.text), Some(".") | Some(")"))
                        && starts_line(text, out[k].span.start)),
                weak: false,
            })
        } else {
            word_number(&out[k].lower).map(|(value, weak)| Number {
                value,
                digits: false,
                dotted: false,
                weak,
            })
        };
        out[k].number = n;
    }
    out
}

/// True when `digits` is one to three digits followed by groups of three after spaces
/// (`1 216 372`): a number that a further ` 000` continues.
fn space_grouped(digits: &[(usize, char)]) -> bool {
    let text: String = digits.iter().map(|c| c.1).collect();
    let mut groups = text.split(' ');
    groups
        .next()
        .is_some_and(|g| (1..=3).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit()))
        && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// True when only markers (`#`, `*`, `-`, `|`, `(`, spaces) stand before `at` on its line:
/// a number there followed by `.` or `)` numbers a heading or a list item.
fn starts_line(text: &str, at: usize) -> bool {
    let line = text[..at].rsplit('\n').next().unwrap_or("");
    line.chars().all(|c| {
        c.is_whitespace() || matches!(c, '#' | '*' | '_' | '-' | '+' | '|' | '>' | '(' | '[')
    })
}

/// The value of a number in digits, and whether it is dotted (numbering or a version).
fn digits_value(text: &str) -> Option<(f64, bool)> {
    let groups: Vec<&str> = text
        .split(['.', ',', '\u{a0}', '\u{202f}', '\u{2009}', ' '])
        .collect();
    let seps: Vec<char> = text.chars().filter(|c| !c.is_ascii_digit()).collect();
    if seps.is_empty() {
        return text.parse().ok().map(|v| (v, false));
    }
    let dots = seps.iter().filter(|&&c| c == '.').count();
    let commas = seps.iter().filter(|&&c| c == ',').count();
    let spaces = seps.len() - dots - commas;
    let thousands = |g: &[&str]| g[1..].iter().all(|g| g.len() == 3) && g[0].len() <= 3;
    // `4.2.3`, `1.2` before a title: numbering or a version. Several dots with groups
    // of three are thousands (`1.000.000`).
    if dots >= 2 && commas == 0 && spaces == 0 {
        return if thousands(&groups) {
            groups.concat().parse().ok().map(|v| (v, false))
        } else {
            Some((0.0, true))
        };
    }
    let last = *seps.last()?;
    let last_group = groups.last()?;
    // The last separator is a decimal mark when it is the only one of its kind and not
    // followed by exactly three digits, or when other separators came before it.
    let decimal = (last == '.' || last == ',')
        && (seps.iter().filter(|&&c| c == last).count() == 1)
        && (last_group.len() != 3 || seps.len() > 1);
    let (int_groups, frac) = if decimal {
        (&groups[..groups.len() - 1], Some(*last_group))
    } else {
        (&groups[..], None)
    };
    let int = int_groups.concat();
    let text = match frac {
        Some(f) => format!("{int}.{f}"),
        None => int,
    };
    text.parse().ok().map(|v| (v, false))
}

/// True when `word` (lowercase) is a number written in letters that is no article
/// (`thirty`, `quatre-vingt`; not `one`, `un`).
pub fn number_word(word: &str) -> bool {
    word_number(word).is_some_and(|(_, weak)| !weak)
}

/// A number word's value, and whether the word is as often an article or a pronoun.
fn word_number(word: &str) -> Option<(f64, bool)> {
    // Compound words, `twenty-four`, `quatre-vingt-dix`, `dix-sept`.
    if word.contains('-') {
        let parts: Vec<&str> = word.split('-').filter(|p| *p != "et").collect();
        let mut values = Vec::with_capacity(parts.len());
        for p in &parts {
            values.push(small_number(p)?.0);
        }
        return Some((combine(&values), false));
    }
    small_number(word)
}

/// Adds up number words as they are said: `quatre vingt` is 80, `deux cents` 200.
fn combine(values: &[f64]) -> f64 {
    let (mut total, mut current) = (0.0f64, 0.0f64);
    for &v in values {
        if v == 100.0 {
            current = current.max(1.0) * 100.0;
        } else if v >= 1000.0 {
            total += current.max(1.0) * v;
            current = 0.0;
        } else if v == 20.0 && current == 4.0 {
            current = 80.0;
        } else {
            current += v;
        }
    }
    total + current
}

fn small_number(word: &str) -> Option<(f64, bool)> {
    let v = match word {
        "zero" | "zéro" => 0.0,
        "one" | "un" | "une" | "a" | "an" => return Some((1.0, true)),
        "two" | "deux" => 2.0,
        "three" | "trois" => 3.0,
        "four" | "quatre" => 4.0,
        "five" | "cinq" => 5.0,
        "six" => 6.0,
        "seven" | "sept" => 7.0,
        "eight" | "huit" => 8.0,
        "nine" | "neuf" => 9.0,
        "ten" | "dix" => 10.0,
        "eleven" | "onze" => 11.0,
        "twelve" | "douze" => 12.0,
        "thirteen" | "treize" => 13.0,
        "fourteen" | "quatorze" => 14.0,
        "fifteen" | "quinze" => 15.0,
        "sixteen" | "seize" => 16.0,
        "seventeen" => 17.0,
        "eighteen" => 18.0,
        "nineteen" => 19.0,
        "twenty" | "vingt" | "vingts" => 20.0,
        "thirty" | "trente" => 30.0,
        "forty" | "quarante" => 40.0,
        "fifty" | "cinquante" => 50.0,
        "sixty" | "soixante" => 60.0,
        "seventy" => 70.0,
        "eighty" => 80.0,
        "ninety" => 90.0,
        "hundred" | "cent" | "cents" => 100.0,
        "thousand" | "mille" => 1000.0,
        "million" | "millions" => 1e6,
        "billion" | "milliard" | "milliards" => 1e9,
        _ => return None,
    };
    Some((v, false))
}

/// Seconds in a day: durations up to weeks are counted in seconds (`48 hours` is `2 days`);
/// months and years in months (`1 year` is `12 months`, but not `365 days`).
const DAY: f64 = 86_400.0;

/// A unit after a number: its canonical word, its kind, and the factor to the canonical
/// unit.
fn unit_after(word: &str) -> Option<(&'static str, QuantityKind, f64)> {
    use QuantityKind::*;
    Some(match word {
        "second" | "seconds" | "sec" | "secs" | "seconde" | "secondes" => ("second", Duration, 1.0),
        "minute" | "minutes" | "min" | "mins" => ("second", Duration, 60.0),
        "hour" | "hours" | "hr" | "hrs" | "heure" | "heures" | "h" | "stunde" | "stunden"
        | "horas" | "uur" => ("second", Duration, 3600.0),
        "day" | "days" | "jour" | "jours" | "journée" | "journées" | "tag" | "tage" | "tagen"
        | "días" | "dias" | "giorni" | "giorno" | "dagen" | "dag" => ("second", Duration, DAY),
        "week" | "weeks" | "semaine" | "semaines" | "woche" | "wochen" | "semanas"
        | "settimane" | "weken" => ("second", Duration, 7.0 * DAY),
        "fortnight" | "fortnights" => ("second", Duration, 14.0 * DAY),
        "month" | "months" | "mois" | "monat" | "monate" | "monaten" | "meses" | "mes" | "mesi"
        | "maanden" => ("month", Duration, 1.0),
        "year" | "years" | "yr" | "yrs" | "an" | "ans" | "année" | "années" | "jahr" | "jahre"
        | "jahren" | "años" | "anos" | "anni" | "jaar" | "jaren" => ("month", Duration, 12.0),
        "%" | "percent" | "per-cent" | "pourcent" | "pourcents" => ("percent", Percent, 1.0),
        "€" | "eur" | "euro" | "euros" => ("eur", Money, 1.0),
        "$" | "usd" | "dollar" | "dollars" => ("usd", Money, 1.0),
        "£" | "gbp" | "pound" | "pounds" => ("gbp", Money, 1.0),
        "chf" => ("chf", Money, 1.0),
        "dts" | "sdr" | "sdrs" | "xdr" => ("sdr", Money, 1.0),
        "cad" => ("cad", Money, 1.0),
        "aud" => ("aud", Money, 1.0),
        "¥" | "jpy" | "yen" => ("jpy", Money, 1.0),
        "₹" | "inr" | "rupees" => ("inr", Money, 1.0),
        "cent" | "cents" | "centime" | "centimes" => ("eur-cent", Money, 1.0),
        "b" | "byte" | "bytes" | "octet" | "octets" => ("byte", Size, 1.0),
        "kb" | "ko" | "kib" | "kilobyte" | "kilobytes" => ("byte", Size, 1e3),
        "mb" | "mo" | "mib" | "megabyte" | "megabytes" => ("byte", Size, 1e6),
        "gb" | "go" | "gib" | "gigabyte" | "gigabytes" => ("byte", Size, 1e9),
        "tb" | "to" | "tib" | "terabyte" | "terabytes" => ("byte", Size, 1e12),
        "character" | "characters" | "caractère" | "caractères" | "chars" => {
            ("character", Size, 1.0)
        }
        "px" | "pixels" | "pixel" => ("pixel", Size, 1.0),
        _ => return None,
    })
}

/// A currency written before its amount: `$50`, `€ 500`, `EUR 10`, `US$ 5`.
fn currency_before(word: &str) -> Option<&'static str> {
    Some(match word {
        "$" | "usd" | "us$" => "usd",
        "€" | "eur" => "eur",
        "£" | "gbp" => "gbp",
        "chf" => "chf",
        "cad" | "c$" | "ca$" => "cad",
        "aud" | "a$" | "au$" => "aud",
        "¥" | "jpy" => "jpy",
        "₹" | "inr" | "rs" => "inr",
        _ => return None,
    })
}

/// Words between a number and its unit that do not change what it measures:
/// `30 calendar days`, `5 business days`, `30 jours calendaires` (after the unit).
fn unit_adjective(word: &str) -> bool {
    matches!(
        word,
        "calendar"
            | "business"
            | "working"
            | "consecutive"
            | "full"
            | "additional"
            | "more"
            | "further"
            | "banking"
            | "bank"
            | "whole"
            | "complete"
            | "clear"
            | "successive"
            | "days'"
            | "last"
            | "first"
            | "next"
            | "previous"
            | "past"
            | "derniers"
            | "dernières"
            | "premiers"
            | "premières"
            | "prochains"
            | "prochaines"
            | "-"
    )
}

/// Words that a count's noun cannot be: function words, and words that make the number
/// something else (`3 days ago` is a counter, `2 of`…).
fn not_a_noun(word: &str) -> bool {
    matches!(
        word,
        "a" | "an"
            | "the"
            | "of"
            | "and"
            | "or"
            | "to"
            | "in"
            | "on"
            | "at"
            | "by"
            | "for"
            | "with"
            | "from"
            | "as"
            | "is"
            | "are"
            | "was"
            | "were"
            | "be"
            | "been"
            | "it"
            | "its"
            | "this"
            | "that"
            | "these"
            | "those"
            | "which"
            | "who"
            | "we"
            | "you"
            | "they"
            | "he"
            | "she"
            | "if"
            | "than"
            | "then"
            | "per"
            | "into"
            | "onto"
            | "ago"
            | "after"
            | "before"
            | "above"
            | "below"
            | "under"
            | "over"
            | "times"
            | "time"
            | "st"
            | "nd"
            | "rd"
            | "th"
            | "er"
            | "e"
            | "ème"
            | "re"
            | "de"
            | "du"
            | "des"
            | "le"
            | "la"
            | "les"
            | "l"
            | "et"
            | "ou"
            | "à"
            | "au"
            | "aux"
            | "en"
            | "dans"
            | "par"
            | "pour"
            | "sur"
            | "avec"
            | "sans"
            | "est"
            | "sont"
            | "qui"
            | "que"
            | "dont"
            | "il"
            | "y"
            | "se"
            | "ce"
            | "cette"
            | "ces"
            | "son"
            | "sa"
            | "ses"
            | "vous"
            | "nous"
            | "votre"
            | "vos"
            | "notre"
            | "nos"
            | "plus"
            | "moins"
            | "fois"
            | "mai"
            | "may"
            | "am"
            | "pm"
            | "utc"
            | "gmt"
            | "cet"
            | "est."
            | "pst"
            | "et."
            | "s"
            | "d"
            | "n"
            | "m"
            | "x"
            | "via"
            | "no"
            | "not"
            | "our"
            | "your"
            | "their"
            | "his"
            | "her"
            | "will"
            | "shall"
            | "can"
            | "must"
            | "also"
            | "only"
            | "all"
            | "any"
            | "each"
            | "every"
            | "such"
            | "other"
            | "new"
            | "old"
            | "and/or"
            | "etc"
            | "sont-ils"
            | "vs"
            | "versus"
            | "toutes"
            | "tous"
            | "tout"
            | "toute"
            | "does"
            | "do"
            | "did"
            | "has"
            | "have"
            | "had"
            | "avenue"
            | "rue"
            | "boulevard"
            | "street"
            | "road"
            | "allée"
            | "place"
            | "chemin"
            | "quai"
            | "cours"
            | "impasse"
            | "route"
            | "bis"
            | "ter"
            | "lane"
            | "drive"
            | "square"
            | "parkway"
            | "out"
            | "found"
            | "views"
            | "likes"
            | "followers"
            | "votes"
            | "reviews"
            | "comments"
            | "ratings"
            | "vues"
            | "avis"
            | "abonnés"
            | "j'aime"
            | "through"
            | "between"
            | "within"
            | "until"
            | "since"
            | "during"
            | "against"
            | "without"
            | "upon"
            | "about"
            | "around"
            | "beyond"
            | "except"
            | "including"
            | "like"
            | "unlike"
            | "near"
            | "toward"
            | "towards"
            | "today"
            | "tomorrow"
            | "yesterday"
            | "now"
            | "here"
            | "there"
            | "again"
            | "aujourd'hui"
    ) || month(word)
}

/// An English or French month's name, or a day of the week: a number beside one is a date.
fn month(word: &str) -> bool {
    matches!(
        word,
        "january"
            | "february"
            | "march"
            | "april"
            | "june"
            | "july"
            | "august"
            | "september"
            | "october"
            | "november"
            | "december"
            | "jan"
            | "feb"
            | "mar"
            | "apr"
            | "jun"
            | "jul"
            | "aug"
            | "sep"
            | "sept"
            | "oct"
            | "nov"
            | "dec"
            | "janvier"
            | "février"
            | "fevrier"
            | "mars"
            | "avril"
            | "mai"
            | "juin"
            | "juillet"
            | "août"
            | "aout"
            | "septembre"
            | "octobre"
            | "novembre"
            | "décembre"
            | "decembre"
            | "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
            | "lundi"
            | "mardi"
            | "mercredi"
            | "jeudi"
            | "vendredi"
            | "samedi"
            | "dimanche"
            | "may"
    )
}

/// Words before a number that make it a reference, not a measure: `Section 5`, `article
/// 12`, `version 2`, `n° 3`, `+33`.
fn reference_before(word: &str) -> bool {
    matches!(
        word,
        "section"
            | "sections"
            | "article"
            | "articles"
            | "art"
            | "clause"
            | "clauses"
            | "paragraph"
            | "paragraphs"
            | "paragraphe"
            | "§"
            | "chapter"
            | "chapitre"
            | "part"
            | "partie"
            | "point"
            | "points"
            | "annex"
            | "annexe"
            | "appendix"
            | "schedule"
            | "exhibit"
            | "version"
            | "v"
            | "n°"
            | "no"
            | "nº"
            | "number"
            | "numéro"
            | "item"
            | "step"
            | "étape"
            | "level"
            | "tier"
            | "page"
            | "pages"
            | "line"
            | "ligne"
            | "title"
            | "titre"
            | "alinéa"
            | "rule"
            | "règle"
            | "+"
            | "#"
            | "suite"
            | "unit"
            | "box"
            | "bp"
            | "cs"
            | "cedex"
            | "room"
            | "floor"
            | "route"
            | "rue"
            | "avenue"
            | "boulevard"
            | "bd"
            | "street"
            | "road"
            | "ave"
            | "l."
            | "r."
            | "directive"
            | "regulation"
            | "règlement"
            | "loi"
            | "law"
            | "act"
            | "décret"
            | "decree"
            | "code"
            | "iso"
            | "rfc"
            | "windows"
            | "ios"
            | "android"
            | "macos"
            | "html"
            | "http"
            | "https"
            | "ipv"
            | "gdpr"
            | "rgpd"
            | "ccpa"
            | "siret"
            | "siren"
            | "rcs"
            | "tva"
            | "vat"
            | "capital"
            | "©"
            | "copyright"
            | "(c)"
            | "covid"
    )
}

/// The quantities in `text`.
pub fn quantities(text: &str) -> Vec<Quantity> {
    let toks = tokens(text);
    let mut out = Vec::new();
    let mut k = 0;
    while k < toks.len() {
        match quantity_at(text, &toks, k) {
            Some((mut q, mut next)) => {
                q.cell = table_cell(text, q.span.start);
                // A range: `€13-€30`, `2 to 5 days`, `de 3 à 5 jours`.
                if matches!(
                    toks.get(next).map(|t| t.lower.as_str()),
                    Some("-" | "–" | "—" | "to" | "à" | "au")
                ) {
                    let upper = (next + 1..(next + 5).min(toks.len()))
                        .take_while(|&j| {
                            j == next + 1
                                || currency_before(&toks[j - 1].lower).is_some()
                                || toks[j - 1].lower == "/"
                        })
                        .find(|&j| toks[j].number.is_some())
                        .and_then(|j| quantity_at(text, &toks, j));
                    if let Some((r, after)) =
                        upper.filter(|(r, _)| r.unit == q.unit && r.kind == q.kind)
                    {
                        q.upper = Some(r.value);
                        q.span.end = r.span.end;
                        next = after;
                    }
                }
                out.push(q);
                k = next;
            }
            None => {
                // `4 (quatre) à 5 (cinq) jours`, `2-5 days`: a bare number, then a range
                // whose upper end carries the unit.
                if let Some(q) = range_before_unit(text, &toks, k) {
                    k = q.1;
                    out.push(q.0);
                } else {
                    k += 1;
                }
            }
        }
    }
    out
}

/// A range whose lower end is a bare number at token `k` (`4 (quatre)`) and whose upper end
/// is a quantity with its unit: the range in that unit, and the token after it.
fn range_before_unit(text: &str, toks: &[Token], k: usize) -> Option<(Quantity, usize)> {
    let n = toks[k].number.filter(|n| !n.dotted && !n.weak)?;
    let mut j = k + 1;
    if written_twice(toks, j).is_some() {
        j += 3;
    }
    if !matches!(
        toks.get(j).map(|t| t.lower.as_str()),
        Some("-" | "–" | "à" | "to" | "/")
    ) {
        return None;
    }
    if k > 0 && (reference_before(&toks[k - 1].lower) || month(&toks[k - 1].lower)) {
        return None;
    }
    let (upper, next) = quantity_at(text, toks, j + 1)?;
    if upper.kind == QuantityKind::Count || upper.span.start != toks[j + 1].span.start {
        return None;
    }
    let factor = upper.value
        / toks[j + 1]
            .number
            .map_or(1.0, |m| m.value)
            .max(f64::MIN_POSITIVE);
    Some((
        Quantity {
            value: n.value * factor,
            upper: Some(upper.value),
            span: toks[k].span.start..upper.span.end,
            cell: table_cell(text, toks[k].span.start),
            ..upper
        },
        next,
    ))
}

/// True when token `k` stands inside a link, an e-mail address, a path or an identifier:
/// the run of text without spaces around it holds `://`, `www.`, `@`, `/` or `_`.
fn in_link(text: &str, span: &Range<usize>) -> bool {
    let start = text[..span.start]
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let end = text[span.end..]
        .find(char::is_whitespace)
        .map_or(text.len(), |i| span.end + i);
    link_run(&text[start..end])
}

/// True when a run of text without spaces is a link, an e-mail address, a path or an
/// identifier: its numbers measure nothing.
pub fn link_run(run: &str) -> bool {
    run.contains("://")
        || run.contains("www.")
        || run.contains('@')
        || run.contains("](")
        || run.contains('=')
        || run.contains('#')
        || run.contains('_')
        || run.matches('/').count() >= 2
        || run.starts_with('/')
        || run.contains(".com")
        || run.contains(".fr")
}

/// The number in parentheses at token `at` (`(30)` after `thirty`), which says again the
/// number before it.
fn written_twice(toks: &[Token], at: usize) -> Option<Number> {
    let word = |i: usize| toks.get(i).map(|t| t.lower.as_str());
    if word(at) == Some("(") && word(at + 2) == Some(")") {
        toks.get(at + 1).and_then(|t| t.number)
    } else {
        None
    }
}

/// The quantity whose number is token `k`, and the token after it.
fn quantity_at(text: &str, toks: &[Token], k: usize) -> Option<(Quantity, usize)> {
    let n = toks.get(k)?.number?;
    if n.dotted || in_link(text, &toks[k].span) {
        return None;
    }
    let lower = |i: usize| toks.get(i).map_or("", |t| t.lower.as_str());
    let before = k.checked_sub(1).map_or("", lower);
    // A reference (`Section 5`), a date (`May 30`, `le 3 mars`), a counter (`il y a 3
    // jours`), a phone number (digits after `+` or in several groups).
    if reference_before(before) || month(before) {
        return None;
    }
    // A number right after another (`45 67 89`): a phone number or a code.
    if k > 0 && toks[k - 1].number.is_some_and(|p| p.digits) && n.digits {
        return None;
    }
    if before == "a" && k >= 2 && lower(k - 2) == "y" {
        return None;
    }
    // A number word that stands for itself only in some uses (`one of`, `un délai`) and
    // words joined to the number in its own token are checked as the unit comes.
    let mut value = n.value;
    let mut end = k + 1;
    // `thirty (30)`, `30 (thirty)`: one number written twice.
    if let Some(inner) = written_twice(toks, end) {
        value = if inner.digits { inner.value } else { value };
        end += 3;
    }
    // More number words: `twenty four`, `one hundred and twenty`, `deux cents`, `vingt et un`.
    if !n.digits {
        let mut values = vec![n.value];
        let mut e = end;
        while let Some(next) = toks.get(e) {
            if let Some(m) = next.number.filter(|m| {
                !m.digits && !m.weak
                    || next.lower == "un" && !values.is_empty() && lower(e - 1) == "et"
            }) {
                values.push(m.value);
                e += 1;
            } else if matches!(next.lower.as_str(), "and" | "et")
                && toks
                    .get(e + 1)
                    .and_then(|t| t.number)
                    .is_some_and(|m| !m.digits)
                && values.last().is_some_and(|&v| v >= 20.0)
            {
                e += 1;
            } else {
                break;
            }
        }
        if e > end {
            value = combine(&values);
            end = e;
            if let Some(inner) = written_twice(toks, end).filter(|i| i.digits) {
                value = inner.value;
                end += 3;
            }
        }
    }
    let start_byte = |i: usize| toks[i].span.start;
    let end_byte = |i: usize| toks[i - 1].span.end;

    // A currency before the number: `$50`, `€ 500`, `EUR 10`.
    if let Some(cur) = currency_before(before).filter(|_| n.digits) {
        let mut e = end;
        let mut value = value;
        match lower(e) {
            "million" | "millions" => {
                value *= 1e6;
                e += 1;
            }
            "billion" | "milliard" | "milliards" => {
                value *= 1e9;
                e += 1;
            }
            _ => {}
        }
        // `$50 USD`: the code after the amount says it again.
        if unit_after(lower(e)).is_some_and(|u| u.1 == QuantityKind::Money) {
            e += 1;
        }
        return Some((
            Quantity {
                value,
                unit: cur.to_string(),
                kind: QuantityKind::Money,
                span: start_byte(k - 1)..end_byte(e),
                cell: None,
                upper: None,
            },
            e,
        ));
    }

    // `25 or more claims`, `3 ou plus`: the bound says nothing of the unit.
    if matches!(lower(end), "or" | "ou")
        && matches!(lower(end + 1), "more" | "fewer" | "less" | "plus" | "moins")
    {
        end += 2;
    }
    // The unit after the number, past adjectives and a hyphen (`30-day`, `30 calendar days`).
    let mut u = end;
    // Working days are not days (`24 hours` → `1 business day` is a change).
    let mut working = false;
    while unit_adjective(lower(u)) && u < end + 2 {
        working |= matches!(lower(u), "business" | "working" | "banking" | "bank");
        u += 1;
    }
    let mut unit_word = lower(u);
    let mut scale = 1.0;
    // Where a count's noun must stand: right after the number (and its scale).
    let mut noun_at = end;
    if matches!(
        unit_word,
        "million" | "millions" | "thousand" | "mille" | "billion" | "milliards" | "milliard"
    ) && n.digits
    {
        scale = word_number(unit_word).map_or(1.0, |w| w.0);
        u += 1;
        unit_word = lower(u);
        noun_at = u;
    }
    // Age: `under 13`, `over 16`, `aged 13`, `age of 16`, `moins de 15 ans`, `13 years
    // old`, `16 years of age`.
    let age_before = matches!(before, "under" | "over" | "aged" | "below" | "above")
        || before == "of" && k >= 2 && matches!(lower(k - 2), "age" | "ages")
        || before == "de"
            && k >= 2
            && matches!(
                lower(k - 2),
                "âge" | "âgé" | "âgée" | "âgés" | "âgées" | "moins" | "plus" | "l'âge"
            )
        || before == "than" && k >= 2 && matches!(lower(k - 2), "younger" | "older");
    // `under 13` is an age, `over 2 billion claims` a count.
    let age_before = age_before
        && (unit_after(unit_word).is_some()
            || !unit_word.starts_with(char::is_alphabetic)
            || matches!(
                unit_word,
                "and"
                    | "or"
                    | "et"
                    | "ou"
                    | "to"
                    | "who"
                    | "are"
                    | "is"
                    | "may"
                    | "must"
                    | "qui"
                    | "sont"
                    | "in"
                    | "require"
                    | "need"
            ));
    let years = matches!(unit_word, "year" | "years" | "ans" | "an");
    let older = |i: usize| {
        matches!(lower(i), "and" | "or" | "et" | "ou")
            && matches!(lower(i + 1), "older" | "over" | "above" | "plus" | "up")
    };
    let age_after = years
        && (matches!(lower(u + 1), "old" | "olds" | "d'âge" | "révolus")
            || lower(u + 1) == "of" && lower(u + 2) == "age"
            || older(u + 1));
    if !years && older(end) && !n.weak {
        // `16 and older`, `18 or over`.
        return Some((
            Quantity {
                value,
                unit: "age".to_string(),
                kind: QuantityKind::Age,
                span: start_byte(k)..end_byte(end + 2),
                cell: None,
                upper: None,
            },
            end + 2,
        ));
    }
    if (age_before && (years || unit_after(unit_word).is_none()) || age_after) && !n.weak {
        let (last, span_start) = if years { (u + 1, k) } else { (end, k) };
        let span_start = if age_before && !years {
            k - 1
        } else {
            span_start
        };
        let last = if age_after {
            if lower(u + 1) == "of" || older(u + 1) {
                u + 3
            } else {
                u + 2
            }
        } else {
            last
        };
        return Some((
            Quantity {
                value,
                unit: "age".to_string(),
                kind: QuantityKind::Age,
                span: start_byte(span_start)..end_byte(last),
                cell: None,
                upper: None,
            },
            last,
        ));
    }
    if let Some((unit, kind, factor)) = unit_after(unit_word) {
        // `a`, `an`, `un`, `une` count only before a unit of time (`a year`, `un an`); `h`
        // and `an` stand for units only after digits; a unit word that is also a French
        // article (`to`, `mo`) only after digits too.
        let weak_ok = !n.weak
            || kind == QuantityKind::Duration && !matches!(unit_word, "h" | "min" | "an" | "ans")
            || kind == QuantityKind::Duration && matches!(toks[k].lower.as_str(), "un");
        // `de 9h à 20h`, `jusqu'à 19h`: a time of day, not a duration.
        let clock = unit_word == "h"
            && value < 24.0
            && matches!(
                before,
                "à" | "de"
                    | "dès"
                    | "jusqu'à"
                    | "avant"
                    | "après"
                    | "vers"
                    | "entre"
                    | "et"
                    | "from"
                    | "until"
                    | "to"
                    | "at"
            );
        if clock {
            return None;
        }
        let short = matches!(
            unit_word,
            "h" | "to" | "mo" | "go" | "b" | "min" | "sec" | "e" | "ko"
        );
        if !weak_ok || short && !n.digits {
            return None;
        }
        // `3 days ago`: a counter, not a term.
        if matches!(lower(u + 1), "ago") {
            return None;
        }
        let mut last = u + 1;
        // `30 jours calendaires`, `10 jours ouvrés`.
        if matches!(
            lower(last),
            "calendaires" | "ouvrés" | "ouvrables" | "francs" | "pleins" | "consécutifs"
        ) {
            working |= matches!(lower(last), "ouvrés" | "ouvrables");
            last += 1;
        }
        let unit = if working && kind == QuantityKind::Duration {
            "working-day"
        } else {
            unit
        };
        let factor = if working { 1.0 } else { factor };
        return Some((
            Quantity {
                value: value * scale * factor,
                unit: unit.to_string(),
                kind,
                span: start_byte(k)..end_byte(last),
                cell: None,
                upper: None,
            },
            last,
        ));
    }
    if matches!(unit_word, "per" | "pour") && matches!(lower(u + 1), "cent" | "cents") {
        return Some((
            Quantity {
                value,
                unit: "percent".to_string(),
                kind: QuantityKind::Percent,
                span: start_byte(k)..end_byte(u + 2),
                cell: None,
                upper: None,
            },
            u + 2,
        ));
    }
    // A number alone in a table's cell: a count of what its row and column say.
    if n.digits && before == "|" && lower(end) == "|" && !(1900.0..2100.0).contains(&value) {
        let line_start = text[..toks[k].span.start].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[line_start..toks[k].span.start];
        let column = line.matches('|').count();
        let label = line
            .split('|')
            .map(str::trim)
            .find(|c| !c.is_empty())
            .unwrap_or("")
            .to_lowercase();
        return Some((
            Quantity {
                value,
                unit: format!("cell:{column}:{label}"),
                kind: QuantityKind::Count,
                span: toks[k].span.clone(),
                cell: None,
                upper: None,
            },
            end,
        ));
    }
    // A count: a number and the noun it counts (`5 devices`, `three tiers`). Not a year
    // (`2023 users`?), not a capitalised name (`75008 Paris`, `10 Downing`), not a number
    // word used as an article or a pronoun.
    // A large number said with its scale (`2 billion`, `one billion`) counts by itself.
    let large = scale >= 1e6 || !n.digits && value >= 1e6;
    let noun = toks.get(u);
    if large && noun.is_none_or(|t| !t.text.starts_with(char::is_lowercase) || not_a_noun(&t.lower))
    {
        return Some((
            Quantity {
                value: value * scale,
                unit: "large".to_string(),
                kind: QuantityKind::Count,
                span: start_byte(k)..end_byte(u),
                cell: None,
                upper: None,
            },
            u,
        ));
    }
    let noun = noun?;
    if n.weak && value <= 1.0
        || u != noun_at
        || !noun.text.starts_with(char::is_lowercase)
        || noun.lower.chars().count() < 3
        || not_a_noun(&noun.lower)
        || noun.number.is_some()
        || (1900.0..2100.0).contains(&value) && n.digits && value.fract() == 0.0
        || unit_after(&noun.lower).is_some()
        || n.digits
            && scale == 1.0
            && toks[k].text.contains(['.', ','])
            && digits_value(toks[k].text).is_some_and(|(v, _)| {
                v.fract() != 0.0 || toks[k].text.contains('.') && !toks[k].text.contains(',')
            })
        || n.digits && toks[k].text.len() >= 5 && !toks[k].text.contains([',', '.', '\u{a0}', ' '])
    {
        return None;
    }
    Some((
        Quantity {
            value: value * scale,
            unit: format!("noun:{}", stem(&noun.lower)),
            kind: QuantityKind::Count,
            span: start_byte(k)..noun.span.end,
            cell: None,
            upper: None,
        },
        u + 1,
    ))
}

/// The table cell `at` stands in: its row's first cell (lowercase) and its column, when its
/// line is a table's row.
fn table_cell(text: &str, at: usize) -> Option<(String, usize)> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let before = &text[line_start..at];
    if !before.trim_start().starts_with('|') {
        return None;
    }
    // The row's first cell, its numbers left out (they may be what changed).
    let label = text[line_start..line_end]
        .split('|')
        .map(str::trim)
        .find(|c| !c.is_empty())
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .collect::<String>()
        .to_lowercase();
    Some((label, before.matches('|').count()))
}

/// A noun without its plural ending, so that `1 device` and `5 devices` count one thing.
fn stem(word: &str) -> &str {
    word.strip_suffix("ies")
        .or_else(|| word.strip_suffix('s'))
        .or_else(|| word.strip_suffix('x'))
        .unwrap_or(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, f64, &'static str)> {
        quantities(text)
            .into_iter()
            .map(|q| (text[q.span.clone()].to_string(), q.value, q.kind.word()))
            .collect()
    }

    fn phrases(text: &str) -> Vec<String> {
        found(text).into_iter().map(|f| f.0).collect()
    }

    #[test]
    fn durations_in_digits_and_words() {
        assert_eq!(
            found("within thirty (30) days, or 6 months, or one (1) year"),
            vec![
                ("thirty (30) days".to_string(), 30.0 * DAY, "duration"),
                ("6 months".to_string(), 6.0, "duration"),
                ("one (1) year".to_string(), 12.0, "duration"),
            ]
        );
        assert_eq!(found("a 30-day notice")[0].0, "30-day");
        assert_eq!(found("5 business days")[0].0, "5 business days");
        assert_eq!(found("twenty-four hours")[0].1, 24.0 * 3600.0);
        assert_eq!(
            found("sous trente jours calendaires")[0].0,
            "trente jours calendaires"
        );
        assert_eq!(found("pendant trois ans")[0].1, 36.0);
        assert_eq!(found("quatre-vingt-dix jours")[0].1, 90.0 * DAY);
        assert_eq!(found("vingt et un jours")[0].1, 21.0 * DAY);
        assert_eq!(found("one hundred and twenty days")[0].1, 120.0 * DAY);
        assert_eq!(found("for a year")[0].0, "a year");
        assert_eq!(found("pendant un an")[0].0, "un an");
    }

    #[test]
    fn the_same_value_rewritten_is_equal() {
        let q = |t: &str| quantities(t).remove(0);
        assert!(q("thirty (30) days").same_value(&q("30 days")));
        assert!(q("seven days").same_value(&q("7 days")));
        assert!(q("one year").same_value(&q("12 months")));
        assert!(q("two weeks").same_value(&q("14 days")));
        assert!(!q("six months").same_value(&q("12 months")));
        assert!(!q("€500").same_value(&q("£500")));
        assert!(q("€500").comparable(&q("£500")));
    }

    #[test]
    fn money_percent_size_and_counts() {
        assert_eq!(phrases("a fee of $50 per month"), ["$50"]);
        assert_eq!(phrases("un capital de 10 000 €"), ["10 000 €"]);
        assert_eq!(found("un capital de 10 000 €")[0].1, 10000.0);
        assert_eq!(
            phrases("EUR 1,500.50 or 2,5 euros"),
            ["EUR 1,500.50", "2,5 euros"]
        );
        assert_eq!(found("EUR 1,500.50")[0].1, 1500.5);
        assert_eq!(found("2,5 euros")[0].1, 2.5);
        assert_eq!(
            phrases("a share of 75% and 10 percent"),
            ["75%", "10 percent"]
        );
        assert_eq!(phrases("up to 5 devices and 2 GB"), ["5 devices", "2 GB"]);
        assert_eq!(found("2 GB")[0].1, 2e9);
        assert_eq!(phrases("three tiers of review"), ["three tiers"]);
        assert_eq!(found("10 %")[0].2, "percent");
    }

    #[test]
    fn ages() {
        assert_eq!(phrases("children under 13"), ["under 13"]);
        assert_eq!(phrases("you must be 16 years of age"), ["16 years of age"]);
        assert_eq!(phrases("at least 18 years old"), ["18 years old"]);
        assert_eq!(phrases("les enfants de moins de 15 ans"), ["15 ans"]);
        assert_eq!(found("les enfants de moins de 15 ans")[0].2, "age");
    }

    #[test]
    fn what_is_not_a_quantity() {
        for text in [
            "Last updated May 30, 2024",
            "Mis à jour le 3 mars 2024",
            "See Section 5 and article 12",
            "3. Data Retention",
            "4.2 Refunds",
            "version 2.0.1",
            "Call +33 1 23 45 67 89",
            "75008 Paris",
            "1600 Amphitheatre Parkway",
            "https://example.com/terms/30days",
            "Write to privacy@example.com",
            "© 2024 Example Inc.",
            "Updated 3 days ago",
            "publié il y a 3 jours",
            "one of our partners",
            "un délai raisonnable",
            "in 2023 we changed",
            "Copyright 2019",
            "[link](https://example.com/page?id=45)",
        ] {
            assert_eq!(phrases(text), Vec::<String>::new(), "{text}");
        }
    }
}
