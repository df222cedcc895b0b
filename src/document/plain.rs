//! Heading heuristics for plain text: after a blank line, a short line that is numbered
//! (`4. FEES`, `4.1 Refunds`, `IV. Liability`, `B. Cookies`), starts with `Section 4`/`Article 2`,
//! or is written in capitals (`TERMS OF SERVICE`).

use super::Heading;

const MAX_HEADING_CHARS: usize = 100;
const MAX_HEADING_WORDS: usize = 12;

/// Heading-like lines of a plain-text body.
pub(crate) fn headings(body: &str) -> Vec<Heading> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut after_blank = true;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim();
        if after_blank
            && !trimmed.is_empty()
            && let Some(level) = heading_level(trimmed)
        {
            out.push(Heading {
                start: pos,
                end: pos + line.len(),
                level,
                text: trimmed.split_whitespace().collect::<Vec<_>>().join(" "),
            });
        }
        after_blank = trimmed.is_empty();
        pos += line.len();
    }
    out
}

/// The level of `line` if it looks like a heading.
fn heading_level(line: &str) -> Option<u8> {
    let words = line.split_whitespace().count();
    if line.chars().count() > MAX_HEADING_CHARS || words > MAX_HEADING_WORDS {
        return None;
    }
    let letters: Vec<char> = line.chars().filter(|c| c.is_alphabetic()).collect();
    let all_caps = letters.len() >= 2 && letters.iter().all(|c| !c.is_lowercase());
    let ends_like_sentence = line.ends_with(['.', ',', ';']) && !all_caps;
    let (first, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim_start();
    let rest_starts_upper = rest.chars().next().is_some_and(char::is_uppercase);

    // Section 4 — Fees / Article IV: Liability
    let lower_first = first.to_lowercase();
    if ["section", "article", "clause"].contains(&lower_first.as_str())
        && rest.split_whitespace().next().is_some_and(|n| {
            n.chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || "IVXLC".contains(c))
        })
        && !ends_like_sentence
    {
        return Some(1);
    }
    // 4. FEES / 4.1 Refunds / 4) Fees
    let number = first.trim_end_matches(['.', ')']);
    if !number.is_empty()
        && number
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        && number.len() <= 12
        && rest_starts_upper
        && !ends_like_sentence
    {
        let depth = number.split('.').count().min(6);
        return Some(depth as u8);
    }
    // IV. Liability / B. Cookies
    if let Some(mark) = first.strip_suffix('.') {
        let roman =
            !mark.is_empty() && mark.len() <= 6 && mark.chars().all(|c| "IVXLC".contains(c));
        let letter = mark.len() == 1 && mark.chars().all(|c| c.is_ascii_uppercase());
        if (roman || letter) && rest_starts_upper && !ends_like_sentence {
            return Some(if roman { 1 } else { 2 });
        }
    }
    // TERMS OF SERVICE
    if all_caps && letters.len() >= 3 && !line.ends_with(',') {
        return Some(1);
    }
    None
}
