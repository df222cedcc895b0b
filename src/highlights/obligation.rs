//! Words that carry a sentence's obligation: negations (`not`, `never`, `no longer`, French
//! `ne … pas`) and modal verbs of permission (`may`, `peut`) and of obligation (`must`,
//! `shall`, `will`, `doit`).

use std::ops::Range;

/// What a word does to its sentence's obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// `not`, `never`, `no longer`, `n't`, French `ne`/`n'`.
    Negation,
    /// `may`, `can`, `might`, `could`, French `peut`, `pourra`.
    May,
    /// `must`, `shall`, `will`, `required to`, French `doit`, `devra`, `est tenu de`.
    Must,
}

/// The obligation markers of `text`, with where each stands (a contraction such as
/// `won't` gives two: the modal and the negation).
pub fn markers(text: &str) -> Vec<(Marker, Range<usize>)> {
    let words: Vec<(Range<usize>, String)> = words(text);
    let lower = |i: usize| words.get(i).map_or("", |w| w.1.as_str());
    let mut out = Vec::new();
    for (i, (span, w)) in words.iter().enumerate() {
        let w = w.as_str();
        let prev = if i > 0 { lower(i - 1) } else { "" };
        let next = lower(i + 1);
        let mut push = |m: Marker| out.push((m, span.clone()));
        match w {
            "not" => {
                // Idioms with `not` that negate nothing: `not only`, `not limited to`,
                // `whether or not`, `if not`, `not necessarily`.
                let idiom = matches!(next, "only" | "limited" | "necessarily" | "just")
                    || matches!(prev, "or" | "if" | "whether");
                if !idiom {
                    push(Marker::Negation);
                }
            }
            "never" | "neither" => push(Marker::Negation),

            "no" if next == "longer" => push(Marker::Negation),
            "cannot" | "can't" => {
                push(Marker::May);
                push(Marker::Negation);
            }
            "won't" | "shan't" => {
                push(Marker::Must);
                push(Marker::Negation);
            }
            "mustn't" => {
                push(Marker::Must);
                push(Marker::Negation);
            }
            "couldn't" | "mayn't" | "mightn't" => {
                push(Marker::May);
                push(Marker::Negation);
            }
            _ if w.ends_with("n't")
                && !matches!(next, "only" | "limited" | "necessarily" | "just") =>
            {
                push(Marker::Negation)
            }
            "may" | "might" | "can" | "could" => {
                // `May` the month, capitalised after a number or before one, is a date.
                let text_word = &text[span.clone()];
                let month = text_word == "May"
                    && (words
                        .get(i + 1)
                        .is_some_and(|n| n.1.starts_with(|c: char| c.is_ascii_digit()))
                        || i > 0 && prev.starts_with(|c: char| c.is_ascii_digit()));
                if !month {
                    push(Marker::May);
                }
            }
            "must" | "shall" | "will" => push(Marker::Must),
            "required" | "obliged" | "obligated" if next == "to" => push(Marker::Must),
            // French.
            "ne" | "n'" => {
                // A negation is `ne` with its second word (`pas`, `jamais`…) close after it;
                // `ne … que` is `only`, and a `ne` alone (`avant que vous ne fournissiez`)
                // negates nothing.
                let second = (i + 1..(i + 7).min(words.len())).any(|j| french_second(lower(j)));
                if second {
                    push(Marker::Negation);
                }
            }
            "peut" | "peuvent" | "pouvez" | "pouvons" | "pourra" | "pourront" | "pourrons"
            | "pourrez" | "pourrait" | "pourraient" | "puisse" | "puissent" => push(Marker::May),
            "doit" | "doivent" | "devez" | "devons" | "devra" | "devront" | "devrons"
            | "devrez" | "tenu" | "tenue" | "tenus" | "tenues" | "obligatoire" => {
                push(Marker::Must)
            }
            _ => {}
        }
    }
    out
}

/// The words [`markers`] reads (besides `…n't` and `n'…`).
const MARKER_WORDS: [&str; 43] = [
    "not",
    "never",
    "neither",
    "no",
    "cannot",
    "can't",
    "won't",
    "shan't",
    "mustn't",
    "couldn't",
    "mayn't",
    "mightn't",
    "may",
    "might",
    "can",
    "could",
    "must",
    "shall",
    "will",
    "required",
    "obliged",
    "obligated",
    "ne",
    "peut",
    "peuvent",
    "pouvez",
    "pouvons",
    "pourra",
    "pourront",
    "pourrons",
    "pourrez",
    "pourrait",
    "pourraient",
    "puisse",
    "puissent",
    "doit",
    "doivent",
    "devez",
    "devons",
    "devra",
    "devront",
    "devrons",
    "devrez",
];

/// True when `text` may hold an obligation marker: a quick test, without reading context,
/// that [`markers`] would find none where it fails.
pub fn could_hold(text: &str) -> bool {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .any(|w| {
            // No marker is longer than `obligatoire` (a link's run is one long word).
            if w.len() > 12 || w.is_empty() {
                return false;
            }
            let lower;
            let w = if w.chars().any(char::is_uppercase) {
                lower = w.to_lowercase();
                lower.as_str()
            } else {
                w
            };
            let w = w.strip_suffix('\'').unwrap_or(w);
            MARKER_WORDS.contains(&w)
                || matches!(
                    w,
                    "tenu" | "tenue" | "tenus" | "tenues" | "obligatoire" | "jamais" | "ni"
                )
                || w.ends_with("n't")
                || w.ends_with("n’t")
                || w.starts_with("n'")
                || w.starts_with("n’")
        })
}

/// The second word of a French negation (`ne … pas`).
fn french_second(word: &str) -> bool {
    matches!(
        word,
        "pas"
            | "jamais"
            | "plus"
            | "rien"
            | "aucun"
            | "aucune"
            | "personne"
            | "guère"
            | "point"
            | "nullement"
            | "ni"
            | "nulle"
    )
}

/// The words of a run of text other than its obligation's (negations, modal verbs and the
/// auxiliaries they go with), sorted: two runs that differ only in their obligation have the
/// same rest. A word glued to a negation (`nepas`) is another word, so that a change of
/// spacing is no turn.
pub fn rest(text: &str) -> Vec<String> {
    let marked: Vec<Range<usize>> = markers(text).into_iter().map(|m| m.1).collect();
    let mut rest: Vec<String> = words(text)
        .into_iter()
        .filter(|(span, w)| {
            !marked.contains(span)
                && !matches!(
                    w.as_str(),
                    "do" | "does"
                        | "did"
                        | "be"
                        | "is"
                        | "are"
                        | "longer"
                        | "to"
                        | "not"
                        | "no"
                        | "n'"
                        | "ne"
                )
                && !french_second(w)
        })
        .map(|(_, w)| w)
        .collect();
    rest.sort();
    rest
}

/// The words of `text`, lowercase, with their spans: letters with the apostrophes inside
/// (`don't`), and French elisions (`n'`) as words of their own; none from links and paths.
fn words(text: &str) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    let mut start = None;
    let push = |out: &mut Vec<(Range<usize>, String)>, range: Range<usize>| {
        let w = text[range.clone()].to_lowercase().replace('’', "'");
        // `n'est`, `n’avons`: the elided `ne` is a word of its own.
        if w.strip_prefix("n'")
            .is_some_and(|r| !r.is_empty() && !r.starts_with('t'))
        {
            // `n` and the apostrophe as written (`'` or `’`).
            let elision = text[range.clone()]
                .char_indices()
                .nth(2)
                .map_or(range.len(), |(i, _)| i);
            out.push((range.start..range.start + elision, "n'".to_string()));
            let rest = range.start + elision..range.end;
            out.push((rest.clone(), text[rest].to_lowercase().replace('’', "'")));
            return;
        }
        out.push((range, w));
    };
    // Runs of text between spaces; a link or a path among them holds no one's words.
    let mut at = 0;
    for run in text.split(char::is_whitespace) {
        let base = at;
        at += run.len()
            + text[base + run.len()..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
        if run.is_empty() || LINK_MARKS.iter().any(|m| run.contains(m)) {
            continue;
        }
        for (i, c) in run.char_indices() {
            let inside = c.is_alphanumeric()
                || (c == '\'' || c == '’')
                    && start.is_some()
                    && run[i + c.len_utf8()..].starts_with(char::is_alphabetic);
            match (inside, start) {
                (true, None) => start = Some(base + i),
                (false, Some(s)) => {
                    push(&mut out, s..base + i);
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start.take() {
            push(&mut out, s..base + run.len());
        }
    }
    out
}

/// What makes a run of text without spaces a link, a path or an address.
const LINK_MARKS: [&str; 7] = ["://", "www.", "](", "/", "=", "%", "@"];

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Marker> {
        markers(text).into_iter().map(|m| m.0).collect()
    }

    #[test]
    fn negations_and_modals() {
        use Marker::*;
        assert_eq!(kinds("We do not sell"), [Negation]);
        assert_eq!(kinds("We don't sell"), [Negation]);
        assert_eq!(kinds("We will not sell"), [Must, Negation]);
        assert_eq!(kinds("We won't sell"), [Must, Negation]);
        assert_eq!(kinds("We may share; you must agree"), [May, Must]);
        assert_eq!(kinds("We no longer keep logs"), [Negation]);
        assert_eq!(kinds("Nous ne vendons pas vos données"), [Negation]);
        assert_eq!(kinds("Nous n'utilisons jamais"), [Negation]);
        // A typographic apostrophe is three bytes: the elided `ne` ends after it.
        let m = markers("Il n’affecte pas");
        assert_eq!(m.len(), 1);
        assert_eq!(&"Il n’affecte pas"[m[0].1.clone()], "n’");
        assert_eq!(
            kinds("Vous pouvez résilier ; vous devez payer"),
            [May, Must]
        );
    }

    #[test]
    fn the_quick_test_lets_every_marker_through() {
        for text in [
            "We do not sell",
            "We don't sell",
            "We won't",
            "Never",
            "no longer",
            "cannot",
            "We may share",
            "Must",
            "SHALL",
            "will",
            "required to",
            "Nous ne vendons pas",
            "Il n’affecte pas",
            "vous pouvez",
            "Vous Devez",
            "est tenu de",
            "obligatoire",
            "neither",
            "You can't",
        ] {
            assert!(!markers(text).is_empty(), "{text}");
            assert!(could_hold(text), "{text}");
        }
        assert!(!could_hold("We sell your data to partners."));
        assert!(!could_hold("Nous vendons vos données."));
    }

    #[test]
    fn idioms_negate_nothing() {
        assert_eq!(kinds("including but not limited to"), []);
        assert_eq!(kinds("whether or not you agree"), []);
        assert_eq!(kinds("not only data but also"), []);
        assert_eq!(kinds("Nous ne conservons que vos nom"), []);
        assert_eq!(kinds("Updated May 3, 2024"), []);
    }
}
