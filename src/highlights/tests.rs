use super::*;
use crate::diff::diff_documents;
use crate::document::{Format, ParseOptions, parse};

fn hl(old: &str, new: &str) -> Highlights {
    let p = |t: &str| parse(t, Format::Markdown, ParseOptions::default());
    highlights(&diff_documents(Some(&p(old)), Some(&p(new))))
}

/// The quantity changes between two versions of one paragraph under a heading.
fn changes(old: &str, new: &str) -> Vec<(String, String)> {
    hl(
        &format!("## Terms\n\n{old}\n"),
        &format!("## Terms\n\n{new}\n"),
    )
    .quantities
    .into_iter()
    .map(|q| (q.old, q.new))
    .collect()
}

/// What a naive reader of numbers would report: the numbers (runs of digits) that differ
/// between the two texts, in order. Each exclusion below is a change this would report.
fn naive(old: &str, new: &str) -> bool {
    let numbers = |t: &str| -> Vec<String> {
        t.split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect()
    };
    numbers(old) != numbers(new)
}

fn pair(old: &str, new: &str) -> Vec<(String, String)> {
    vec![(old.to_string(), new.to_string())]
}

#[test]
fn a_changed_duration_is_found_with_its_sentence() {
    let h = hl(
        "## Payment\n\nWe may suspend your account when a payment is thirty (30) days overdue. Fees are due monthly.\n",
        "## Payment\n\nWe may suspend your account when a payment is 15 days overdue. Fees are due monthly.\n",
    );
    assert_eq!(h.quantities.len(), 1, "{h:#?}");
    let q = &h.quantities[0];
    assert_eq!(
        (q.old.as_str(), q.new.as_str()),
        ("thirty (30) days", "15 days")
    );
    assert_eq!(q.kind, QuantityKind::Duration);
    assert_eq!(q.new_heading.as_deref(), Some("Payment"));
    assert_eq!(
        q.new_sentence,
        "We may suspend your account when a payment is 15 days overdue."
    );
    assert_eq!(h.highlights[0].kind, HighlightKind::Quantity);
    assert_eq!(
        h.highlights[0].statement(),
        "We may suspend your account when a payment is 15 days (was thirty (30) days) overdue."
    );
}

#[test]
fn each_kind_of_quantity() {
    for (old, new, kind) in [
        (
            "within 30 days of notice",
            "within 90 days of notice",
            QuantityKind::Duration,
        ),
        (
            "for six months after",
            "for 12 months after",
            QuantityKind::Duration,
        ),
        (
            "a fee of $50 applies",
            "a fee of $100 applies",
            QuantityKind::Money,
        ),
        (
            "a fee of €500 applies",
            "a fee of £500 applies",
            QuantityKind::Money,
        ),
        (
            "children under 13 may not",
            "children under 16 may not",
            QuantityKind::Age,
        ),
        (
            "a share of 75% goes",
            "a share of 95% goes",
            QuantityKind::Percent,
        ),
        (
            "on up to 5 devices at once",
            "on up to 10 devices at once",
            QuantityKind::Count,
        ),
        (
            "files of 2 GB at most",
            "files of 5 GB at most",
            QuantityKind::Size,
        ),
        (
            "conservées pendant trois ans",
            "conservées pendant cinq ans",
            QuantityKind::Duration,
        ),
        (
            "des frais de 10 000 € sont dus",
            "des frais de 20 000 € sont dus",
            QuantityKind::Money,
        ),
        (
            "les enfants de moins de 15 ans",
            "les enfants de moins de 16 ans",
            QuantityKind::Age,
        ),
        (
            "un délai de 48 heures",
            "un délai de 72 heures",
            QuantityKind::Duration,
        ),
        (
            "Daten werden 6 Monate gespeichert",
            "Daten werden 18 Monate gespeichert",
            QuantityKind::Duration,
        ),
    ] {
        let h = hl(&format!("## T\n\n{old}.\n"), &format!("## T\n\n{new}.\n"));
        assert_eq!(h.quantities.len(), 1, "{old} → {new}: {h:#?}");
        assert_eq!(h.quantities[0].kind, kind, "{old} → {new}");
    }
}

#[test]
fn the_same_value_rewritten_is_no_change() {
    for (old, new) in [
        ("within thirty (30) days", "within 30 days"),
        ("within seven days", "within 7 days"),
        ("for one year", "for 12 months"),
        ("for two weeks", "for 14 days"),
        ("within 48 hours", "within 2 days"),
        ("pendant trente jours", "pendant 30 jours"),
        ("a fee of 1,000 euros", "a fee of 1000 euros"),
    ] {
        assert_eq!(changes(old, new), vec![], "{old} → {new}");
    }
}

#[test]
fn what_a_naive_number_diff_reports_is_not_a_quantity() {
    for (old, new) in [
        // The document's dates and any calendar date.
        ("Last updated: May 1, 2024.", "Last updated: June 3, 2024."),
        ("Mis à jour le 3 mars 2024.", "Mis à jour le 5 avril 2024."),
        ("Effective 01/02/2024.", "Effective 03/04/2024."),
        // Section and list numbering, and references to it.
        (
            "As Section 5 says, we keep logs.",
            "As Section 6 says, we keep logs.",
        ),
        ("See article 12 for details.", "See article 14 for details."),
        // Phone numbers, postcodes, addresses.
        (
            "Call +33 1 23 45 67 89 today.",
            "Call +33 1 98 76 54 32 today.",
        ),
        (
            "Our office is at 75008 Paris.",
            "Our office is at 75009 Paris.",
        ),
        ("Write to 12 rue de la Paix.", "Write to 14 rue de la Paix."),
        // Links and e-mail addresses.
        (
            "See https://example.com/terms/30 now.",
            "See https://example.com/terms/45 now.",
        ),
        (
            "Write to dpo2023@example.com now.",
            "Write to dpo2024@example.com now.",
        ),
        // Versions and copyright years.
        (
            "This is version 2.0.1 of the terms.",
            "This is version 2.1.0 of the terms.",
        ),
        (
            "© 2023 Example Inc. All rights reserved.",
            "© 2024 Example Inc. All rights reserved.",
        ),
        // Counters.
        (
            "Updated 3 days ago by the team.",
            "Updated 4 days ago by the team.",
        ),
        ("Publié il y a 3 jours.", "Publié il y a 5 jours."),
        (
            "12 out of 40 found this helpful.",
            "13 out of 41 found this helpful.",
        ),
        // A time of day.
        ("Open from 9h to 18h.", "Open from 9h to 19h."),
    ] {
        assert!(naive(old, new), "a naive diff reports {old} → {new}");
        assert_eq!(changes(old, new), vec![], "{old} → {new}");
    }
}

#[test]
fn a_changed_date_line_is_no_highlight() {
    let h = hl(
        "# Terms\n\nLast updated: June 3, 2024\n\n## A\n\nText.\n",
        "# Terms\n\nEffective: March 1, 2025. Last revised: February 10, 2025.\n\n## A\n\nText.\n",
    );
    assert!(h.is_empty(), "{h:#?}");
}

#[test]
fn renumbered_sections_hold_no_quantity() {
    let old = "## 3. Data\n\nWe keep data for 30 days.\n\n## 4. Cookies\n\nWe use 2 cookies.\n";
    let new = "## 1. Intro\n\nHello.\n\n## 4. Data\n\nWe keep data for 30 days.\n\n## 5. Cookies\n\nWe use 2 cookies.\n";
    let h = hl(old, new);
    assert!(h.quantities.is_empty(), "{:#?}", h.quantities);
    let kinds: Vec<HighlightKind> = h.highlights.iter().map(|h| h.kind).collect();
    assert_eq!(kinds, [HighlightKind::Added]);
}

#[test]
fn a_quantity_pairs_with_the_one_at_its_place() {
    assert_eq!(
        changes(
            "You may request a refund within 14 days or a store credit within 60 days of purchase.",
            "You may request a store credit within 90 days of purchase."
        ),
        pair("60 days", "90 days")
    );
    assert_eq!(
        changes(
            "We keep chat logs for 30 days and call recordings for 90 days.",
            "We keep call recordings for 180 days."
        ),
        pair("90 days", "180 days")
    );
}

#[test]
fn a_number_put_in_or_taken_out_is_no_change_of_value() {
    assert_eq!(
        changes("We keep logs.", "We keep logs for 30 days."),
        vec![]
    );
    assert_eq!(
        changes(
            "Within 30 days we reply.",
            "Within 30 days we reply, or 60 days for businesses."
        ),
        vec![]
    );
}

#[test]
fn ranges_tables_and_scales() {
    assert_eq!(
        changes("Seats cost €13.", "Seats cost €13-€30."),
        pair("€13", "€13-€30")
    );
    assert_eq!(
        changes(
            "Delivery in 4 (quatre) à 5 (cinq) jours.",
            "Delivery in 3 (trois) à 6 (six) jours."
        ),
        pair("4 (quatre) à 5 (cinq) jours", "3 (trois) à 6 (six) jours")
    );
    assert_eq!(
        changes(
            "More than one billion claims were made.",
            "More than 2 billion claims were made."
        ),
        pair("one billion claims", "2 billion claims")
    );
    let table = |a: &str, b: &str| {
        format!(
            "| Kind | Requests | Time |\n| --- | --- | --- |\n| Access | {a} | {b} |\n| Delete | 7 | 3 days |"
        )
    };
    assert_eq!(
        changes(&table("2,284", "8 days"), &table("1,498", "4 days")),
        vec![
            ("2,284".to_string(), "1,498".to_string()),
            ("8 days".to_string(), "4 days".to_string())
        ]
    );
}

#[test]
fn a_rewritten_passage_is_a_changed_sentence_not_a_quantity() {
    let h = hl(
        "## Sponsors\n\nYou will receive your first payout within 90 days of the creation of your account.\n",
        "## Sponsors\n\nPayouts start 60 days after the first sponsorship is initiated by a customer.\n",
    );
    assert!(h.quantities.is_empty(), "{:#?}", h.quantities);
    assert_eq!(h.highlights[0].kind, HighlightKind::Changed);
}

#[test]
fn obligations_that_turn() {
    for (old, new, was, now) in [
        (
            "We do not sell your data.",
            "We sell your data.",
            "We do not sell",
            "We sell",
        ),
        (
            "We may share your data.",
            "We must share your data.",
            "We may share",
            "We must share",
        ),
        (
            "We will not keep logs.",
            "We may keep logs.",
            "We will not keep",
            "We may keep",
        ),
        (
            "Nous ne vendons pas vos données.",
            "Nous vendons vos données.",
            "Nous ne vendons pas vos",
            "Nous vendons vos",
        ),
        (
            "Vous pouvez résilier.",
            "Vous devez résilier.",
            "Vous pouvez résilier.",
            "Vous devez résilier.",
        ),
    ] {
        let h = hl(&format!("## T\n\n{old}\n"), &format!("## T\n\n{new}\n"));
        let turns: Vec<(&str, &str)> = h
            .highlights
            .iter()
            .filter(|h| h.kind == HighlightKind::Obligation)
            .map(|h| (h.old.as_deref().unwrap(), h.new.as_deref().unwrap()))
            .collect();
        assert_eq!(turns, [(was, now)], "{old} → {new}");
    }
}

#[test]
fn what_is_no_turn_of_obligation() {
    for (old, new) in [
        // The same obligation, written otherwise.
        ("We do not sell your data.", "We don't sell your data."),
        ("You must not copy it.", "You may not copy it."),
        ("Vous ne devez pas copier.", "Vous ne pouvez pas copier."),
        (
            "Including but not limited to logs.",
            "Including but aren't limited to logs.",
        ),
        // A change of spacing.
        (
            "Nous ne vendons pas vos données.",
            "Nous ne vendons pasvos données.",
        ),
        // A clause put in that happens to hold `not`.
        (
            "You can control the information we collect about you.",
            "You can control the information we collect about you and you do not have an account.",
        ),
        // `ne … que` is `only`, and `avant que vous ne` negates nothing.
        (
            "Vous pouvez payer par carte.",
            "Vous ne pouvez payer que par carte.",
        ),
        (
            "avant que vous fournissiez vos données.",
            "avant que vous ne fournissiez vos données.",
        ),
    ] {
        let h = hl(&format!("## T\n\n{old}\n"), &format!("## T\n\n{new}\n"));
        assert!(
            h.highlights
                .iter()
                .all(|h| h.kind != HighlightKind::Obligation),
            "{old} → {new}: {:#?}",
            h.highlights
        );
    }
}

#[test]
fn highlights_are_ranked_and_capped() {
    let old = "## A\n\nWe keep data for 30 days.\n\n## B\n\nOne two three four five six seven.\n\n## C\n\nAlpha beta.\n\n## Old\n\nGone soon.\n";
    let new = "## A\n\nWe keep data for 60 days.\n\n## B\n\nOne two three changed words here now seven.\n\n## C\n\nAlpha gamma.\n\n## New\n\nJust added.\n";
    let h = hl(old, new);
    let kinds: Vec<HighlightKind> = h.highlights.iter().map(|h| h.kind).collect();
    use HighlightKind::*;
    assert_eq!(kinds, [Quantity, Removed, Added, Changed, Changed]);
    // Larger changes first among changed passages.
    assert_eq!(h.highlights[3].new_heading.as_deref(), Some("B"));
    let (top, more) = h.top(2);
    assert_eq!(top.len(), 2);
    assert_eq!(
        more.sentence().as_deref(),
        Some("and 3 more changes in 3 sections")
    );
    assert_eq!(h.top(5).1.sentence(), None);
}

#[test]
fn a_new_or_withdrawn_document_and_cosmetic_edits_have_none() {
    let p = |t: &str| parse(t, Format::Markdown, ParseOptions::default());
    let doc = p("## A\n\nWe keep data for 30 days.\n");
    assert!(highlights(&diff_documents(None, Some(&doc))).is_empty());
    assert!(highlights(&diff_documents(Some(&doc), None)).is_empty());
    let reflowed = p("## A\n\nWe keep data\nfor 30 days.\n");
    assert!(highlights(&diff_documents(Some(&doc), Some(&reflowed))).is_empty());
}

#[test]
fn sentences_shown_as_a_reader_reads_them() {
    let h = hl(
        "## T\n\n- **Refunds** are paid within [30 days](https://example.com/r) of a request.\n",
        "## T\n\n- **Refunds** are paid within [14 days](https://example.com/r) of a request.\n",
    );
    assert_eq!(
        h.quantities[0].new_sentence,
        "Refunds are paid within 14 days of a request."
    );
    // Equal and deleted ops give the old sentence; equal and inserted ones the new.
    let ops = &h.highlights[0].ops;
    let side = |skip: OpKind| -> String {
        ops.iter()
            .filter(|o| o.op != skip)
            .map(|o| o.text.as_str())
            .collect::<String>()
            .trim()
            .to_string()
    };
    assert_eq!(side(OpKind::Insert), h.quantities[0].old_sentence);
    assert_eq!(side(OpKind::Delete), h.quantities[0].new_sentence);
}

#[test]
fn a_statement_keeps_a_dozen_words_around_its_change() {
    let words: Vec<String> = (0..30).map(|i| format!("w{i}")).collect();
    let old = format!(
        "## T\n\n{} keep 30 days {}.\n",
        words[..15].join(" "),
        words[15..].join(" ")
    );
    let new = old.replace("30 days", "60 days");
    let h = hl(&old, &new);
    assert_eq!(
        h.highlights[0].statement(),
        "… w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 keep 60 days (was 30 days) w15 w16 w17 w18 w19 w20 w21 w22 w23 w24 w25 w26 …"
    );
}

#[test]
fn a_long_sentence_is_shortened_around_its_change() {
    let words: Vec<String> = (0..80).map(|i| format!("w{i}")).collect();
    let old = format!(
        "## T\n\n{} keep 30 days {}.\n",
        words[..40].join(" "),
        words[40..].join(" ")
    );
    let new = format!(
        "## T\n\n{} keep 60 days {}.\n",
        words[..40].join(" "),
        words[40..].join(" ")
    );
    let h = hl(&old, &new);
    let s = &h.quantities[0].new_sentence;
    assert!(
        s.starts_with("… ") && s.contains("keep 60 days") && s.ends_with('…'),
        "{s}"
    );
    assert!(s.split_whitespace().count() < 40, "{s}");
}

#[test]
fn a_blank_line_ends_a_passage_with_crlf_line_ends_too() {
    let old = "# P\r\n\r\n## S\r\n\r\nEmail support with any question\r\n\r\nWe keep logs for 30 days\r\n";
    let new = old.replace("support", "the team").replace("30", "15");
    let h = hl(old, &new);
    let kinds: Vec<HighlightKind> = h.highlights.iter().map(|h| h.kind).collect();
    assert_eq!(
        kinds,
        [HighlightKind::Quantity, HighlightKind::Changed],
        "{h:#?}"
    );
    assert_eq!(h.quantities[0].new_sentence, "We keep logs for 15 days");
}

#[test]
fn sentences_split_at_their_ends_not_at_abbreviations_or_in_tables() {
    let text = "We use cookies, e.g. analytics. Fees are due. See Inc. and Co. terms.\n\n| a. b | c. d |\n- item one\n- item two";
    let parts: Vec<&str> = sentences(text)
        .iter()
        .map(|r| text[r.clone()].trim())
        .collect();
    assert_eq!(
        parts,
        [
            "We use cookies, e.g. analytics.",
            "Fees are due.",
            "See Inc. and Co. terms.",
            "| a. b | c. d |",
            "- item one",
            "- item two"
        ]
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn filler() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(vec![
                "we", "keep", "your", "data", "the", "service", "and", "for", "account", "users",
                "nous", "vos", "données", "with", "partners", "of", "any", "kind", "in", "when",
            ]),
            3..25,
        )
        .prop_map(|w| w.join(" "))
    }

    fn unit() -> impl Strategy<Value = (&'static str, QuantityKind)> {
        proptest::sample::select(vec![
            ("days", QuantityKind::Duration),
            ("months", QuantityKind::Duration),
            ("jours", QuantityKind::Duration),
            ("%", QuantityKind::Percent),
            ("€", QuantityKind::Money),
            ("GB", QuantityKind::Size),
            ("devices", QuantityKind::Count),
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// A quantity whose value is swapped in random text is found, with its values.
        #[test]
        fn a_swapped_quantity_is_found(
            before in filler(), after in filler(), (u, kind) in unit(), a in 2u32..500, b in 2u32..500,
        ) {
            prop_assume!(a != b);
            let old = format!("## T\n\n{before} {a} {u} {after}.\n");
            let new = format!("## T\n\n{before} {b} {u} {after}.\n");
            let h = hl(&old, &new);
            prop_assert_eq!(h.quantities.len(), 1, "{:#?}", h.quantities);
            let q = &h.quantities[0];
            prop_assert!(q.old.contains(&a.to_string()) && q.new.contains(&b.to_string()));
            prop_assert_eq!(q.kind, kind);
        }

        /// Text whose values are all equal yields no quantity change, however the rest of
        /// it changed.
        #[test]
        fn equal_values_yield_none(
            before in filler(), middle in filler(), after in filler(), other in filler(),
            (u, _k) in unit(), a in 2u32..500,
        ) {
            let old = format!("## T\n\n{before} {a} {u} {middle}.\n");
            let new = format!("## T\n\n{other} {a} {u} {after}.\n");
            let h = hl(&old, &new);
            prop_assert!(h.quantities.is_empty(), "{:#?}", h.quantities);
        }

        /// Any pair of texts: no panic, and each highlight's ops give its sentences.
        #[test]
        fn any_texts_give_consistent_highlights(old in "[ -~é’€\n]{0,200}", new in "[ -~é’€\n]{0,200}") {
            let h = hl(&old, &new);
            for item in &h.highlights {
                if item.ops.is_empty() {
                    continue;
                }
                let side = |skip: OpKind| -> String {
                    item.ops.iter().filter(|o| o.op != skip).map(|o| o.text.as_str()).collect::<String>().trim().to_string()
                };
                if let Some(s) = &item.old_sentence {
                    prop_assert_eq!(&side(OpKind::Insert), s);
                }
                if let Some(s) = &item.new_sentence {
                    prop_assert_eq!(&side(OpKind::Delete), s);
                }
            }
        }
    }
}

#[test]
fn a_window_around_a_run_outside_its_passage_stays_inside() {
    // A run of one side can stand past the passage of that side (an insertion's point on the
    // side without it): the window is taken at the passage's nearest end.
    let text = "one two three four five six";
    assert_eq!(window(text, &(20..20), &(0..9), 1), 8..9);
    assert_eq!(window(text, &(0..0), &(8..18), 1), 8..14);
    // One whole word on each side, whatever spaces stand next to the run.
    assert_eq!(window(text, &(8..13), &(0..text.len()), 1), 4..19);
    assert_eq!(window(text, &(7..14), &(0..text.len()), 1), 4..19);
}

mod edited {
    use super::*;
    use proptest::prelude::*;

    const VOCABULARY: [&str; 40] = [
        "we",
        "do",
        "not",
        "sell",
        "may",
        "must",
        "will",
        "ne",
        "pas",
        "n’est",
        "30",
        "days",
        "thirty",
        "(30)",
        "jours",
        "€",
        "$50",
        "10 000 €",
        "under",
        "13",
        "1.",
        "2.",
        "|",
        "\n",
        "\n\n",
        "- ",
        "## Title\n",
        "e.g.",
        "Inc.",
        "ago",
        "https://example.com/a/30",
        "[link](x)",
        "**",
        "_",
        "years",
        "to",
        "-",
        "%",
        "aucun",
        "3.5",
    ];

    fn text() -> impl Strategy<Value = Vec<&'static str>> {
        proptest::collection::vec(proptest::sample::select(VOCABULARY.to_vec()), 0..60)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Texts made of what the summary reads (numbers, units, negations, tables, lists,
        /// links), edited at random: no panic, and each highlight's ops give its sentences.
        #[test]
        fn edited_policies_give_consistent_highlights(
            words in text(),
            edits in proptest::collection::vec((0usize..60, proptest::sample::select(VOCABULARY.to_vec()), 0u8..3), 0..8),
        ) {
            let old = words.join(" ");
            let mut new_words = words.clone();
            for (at, word, kind) in edits {
                let at = at.min(new_words.len());
                match kind {
                    0 => new_words.insert(at, word),
                    1 if at < new_words.len() => { new_words.remove(at); }
                    _ if at < new_words.len() => new_words[at] = word,
                    _ => {}
                }
            }
            let new = new_words.join(" ");
            let h = hl(&format!("## T\n\n{old}\n"), &format!("## T\n\n{new}\n"));
            for item in &h.highlights {
                let _ = item.statement();
                let side = |skip: OpKind| -> String {
                    item.ops.iter().filter(|o| o.op != skip).map(|o| o.text.as_str()).collect::<String>().trim().to_string()
                };
                if let (Some(s), false) = (&item.old_sentence, item.ops.is_empty()) {
                    prop_assert_eq!(&side(OpKind::Insert), s);
                }
                if let (Some(s), false) = (&item.new_sentence, item.ops.is_empty()) {
                    prop_assert_eq!(&side(OpKind::Delete), s);
                }
            }
        }
    }
}

#[test]
fn a_change_at_a_paragraphs_end_stays_in_its_paragraph() {
    let h = hl(
        "## S\n\nWe share data only with our payment processor.\n\nWe keep logs for 30 days.\n",
        "## S\n\nWe share data with advertisers, brokers and any partner we choose.\n\nWe keep logs for 15 days.\n",
    );
    let kinds: Vec<HighlightKind> = h.highlights.iter().map(|h| h.kind).collect();
    assert_eq!(
        kinds,
        [HighlightKind::Quantity, HighlightKind::Changed],
        "{h:#?}"
    );
    assert_eq!(h.quantities[0].new_sentence, "We keep logs for 15 days.");
    assert_eq!(
        h.highlights[1].new_sentence.as_deref(),
        Some("We share data with advertisers, brokers and any partner we choose.")
    );
}

#[test]
fn what_it_was_is_said_where_the_change_is() {
    let statement = |old: &str, new: &str| {
        let h = hl(&format!("## T\n\n{old}\n"), &format!("## T\n\n{new}\n"));
        h.highlights[0].statement()
    };
    assert_eq!(
        statement(
            "Retained for 115 days, or 30 days after closure.",
            "Retained for 115 days, or 15 days after closure."
        ),
        "Retained for 115 days, or 15 days (was 30 days) after closure."
    );
    assert_eq!(
        statement(
            "After 15 days we send a reminder, and you must pay within 30 days of the invoice.",
            "After 15 days we send a reminder, and you must pay within 15 days of the invoice."
        ),
        "After 15 days we send a reminder, and you must pay within 15 days (was 30 days) of the invoice."
    );
    assert_eq!(
        statement(
            "When we sell items, we do not sell it to brokers.",
            "When we sell items, we sell it to brokers."
        ),
        "When we sell items, we sell (was “we do not sell”) it to brokers."
    );
}

#[test]
fn only_markdown_marks_are_taken_off_sentences() {
    let h = hl(
        "## T\n\nWrite to privacy_team@example.com or see [!WARNING] in C:\\Users\\New within 30 days, *really*.\n",
        "## T\n\nWrite to privacy_team@example.com or see [!WARNING] in C:\\Users\\New within 45 days, *really*.\n",
    );
    assert_eq!(
        h.quantities[0].new_sentence,
        "Write to privacy_team@example.com or see [!WARNING] in C:\\Users\\New within 45 days, really."
    );
}

#[test]
fn a_negation_put_in_is_told_with_the_words_around_it() {
    let h = hl(
        "## T\n\nIn line with our commitment, we allow people to misrepresent themselves.\n",
        "## T\n\nIn line with our commitment, we don't allow people to misrepresent themselves.\n",
    );
    let turn = &h.highlights[0];
    assert_eq!(turn.kind, HighlightKind::Obligation);
    assert_eq!(
        (turn.old.as_deref(), turn.new.as_deref()),
        (Some("we allow"), Some("we don't allow"))
    );
}

#[test]
fn a_change_a_reader_cannot_see_is_no_highlight() {
    let h = hl(
        "## T\n\nRead our [Privacy Statement](https://example.com/a?x=1).\n\nWe keep logs.\n",
        "## T\n\nRead our [Privacy Statement](https://example.com/b?x=2).\n\nWe keep logs.\n",
    );
    assert!(h.is_empty(), "{h:#?}");
}
