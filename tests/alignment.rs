//! Section matching on the shapes real archives of observed policies take: headings that
//! appear or vanish over text that stays, text before the first heading, repeated headings,
//! renamed title sections, numbering glued to headings. Each test is a small policy written
//! for it; each checks what a reader would be told (statuses, renames, moves) and that the
//! change is never reported bigger than it is.

use policy_diff::diff::{
    DocumentDiff, OpKind, SectionDiff, Status, check_lossless, diff_documents,
};
use policy_diff::document::{Format, ParseOptions, parse};

fn diff(old: &str, new: &str) -> DocumentDiff {
    let p = |t: &str| parse(t, Format::Markdown, ParseOptions::default());
    let (o, n) = (p(old), p(new));
    let d = diff_documents(Some(&o), Some(&n));
    check_lossless(Some(&o), Some(&n), &d).expect("lossless");
    d
}

/// Words reported added plus removed over the whole document.
fn changed_words(d: &DocumentDiff) -> usize {
    d.sections
        .iter()
        .map(|s| s.words_added + s.words_removed)
        .sum()
}

/// (status, old heading, new heading, renamed, moved) per row, for assertions that read.
fn rows(d: &DocumentDiff) -> Vec<(Status, String, String, bool, bool)> {
    let h = |x: &Option<String>| x.clone().unwrap_or_else(|| "-".into());
    d.sections
        .iter()
        .map(|s| {
            (
                s.status,
                h(&s.old_heading),
                h(&s.new_heading),
                s.renamed,
                s.moved,
            )
        })
        .collect()
}

fn count(d: &DocumentDiff, status: Status) -> usize {
    d.sections.iter().filter(|s| s.status == status).count()
}

fn find<'a>(d: &'a DocumentDiff, heading: &str) -> &'a SectionDiff {
    d.sections
        .iter()
        .find(|s| s.heading() == heading)
        .unwrap_or_else(|| panic!("no section {heading:?} in {:?}", rows(d)))
}

/// A paragraph of `n` words that no other paragraph shares.
fn para(topic: &str, n: usize) -> String {
    (0..n)
        .map(|i| format!("{topic}{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

// 1. Heading markup appears or vanishes while the text stays.

#[test]
fn title_losing_its_underline_is_a_heading_change_not_a_rewrite() {
    let body = para("intro", 60);
    let old = format!(
        "Northwind Privacy Notice\n========================\n\n{body}\n\n## Cookies\n\n{}\n",
        para("cookie", 40)
    );
    let new = format!(
        "Northwind Privacy Notice\n\n{body}\n\n## Cookies\n\n{}\n",
        para("cookie", 40)
    );
    let d = diff(&old, &new);
    // Only the underline went: one word. The title's text is now the text before the first
    // heading: the same section, renamed.
    assert_eq!(changed_words(&d), 1, "{:?}", rows(&d));
    let title = find(&d, "");
    assert_eq!(
        title.old_heading.as_deref(),
        Some("Northwind Privacy Notice")
    );
    assert!(title.renamed && title.status == Status::Modified);
    assert_eq!(count(&d, Status::Added) + count(&d, Status::Removed), 0);
}

#[test]
fn sub_headings_put_over_existing_text_report_only_the_headings() {
    let parts: Vec<String> = (0..6).map(|k| para(&format!("rule{k}x"), 30)).collect();
    let old = format!("## Rules\n\n{}\n", parts.join("\n\n"));
    let mut new = "## Rules\n\n".to_string();
    for (k, p) in parts.iter().enumerate() {
        new.push_str(&format!("### Rule {k}\n\n{p}\n\n"));
    }
    let d = diff(&old, &new);
    // Six headings of three words each ("###", "Rule", "k").
    assert_eq!(changed_words(&d), 18, "{:?}", rows(&d));
    let added: Vec<&SectionDiff> = d
        .sections
        .iter()
        .filter(|s| s.status == Status::Added)
        .collect();
    assert_eq!(added.len(), 6);
    assert!(added.iter().all(|s| s.heading_added && s.words_added == 3));
    // And back again in the next version: the headings go, the text stays.
    let back = diff(&new, &old);
    assert_eq!(changed_words(&back), 18);
    assert!(
        back.sections
            .iter()
            .filter(|s| s.status == Status::Removed)
            .all(|s| s.heading_removed)
    );
}

#[test]
fn bold_line_becoming_a_heading_is_the_same_section() {
    // A bold line of its own over text is a clause title: made a heading, it is the same
    // section, and only its formatting changed.
    let (a, b) = (para("fee", 40), para("refund", 40));
    let old = format!("## Payment\n\n{a}\n\n**Refunds**\n\n{b}\n");
    let new = format!("## Payment\n\n{a}\n\n## Refunds\n\n{b}\n");
    let d = diff(&old, &new);
    assert!(changed_words(&d) <= 4, "{:?}", rows(&d));
    let refunds = find(&d, "Refunds");
    assert_eq!(refunds.status, Status::Unchanged, "{:?}", rows(&d));
    assert!(refunds.cosmetic && !refunds.heading_added);
}

#[test]
fn bold_words_starting_a_paragraph_put_under_a_heading_move_no_text() {
    let (a, b) = (para("fee", 40), para("refund", 40));
    let old = format!("## Payment\n\n{a}\n\n**Refunds** work like this:\n{b}\n");
    let new = format!("## Payment\n\n{a}\n\n## Refunds\n\nRefunds work like this:\n{b}\n");
    let d = diff(&old, &new);
    assert!(changed_words(&d) <= 4, "{:?}", rows(&d));
    let refunds = find(&d, "Refunds");
    assert!(refunds.heading_added);
    // The moved text is flagged, so renderers can show it as it is: where it now stands.
    assert!(
        refunds
            .ops
            .iter()
            .any(|o| o.moved && o.op == OpKind::Insert && o.text.contains("refund0"))
    );
}

// 2. Text before the first heading.

#[test]
fn preamble_gaining_a_title_is_matched_by_its_text() {
    let intro = para("welcome", 50);
    let old = format!("{intro}\n\n## Data\n\n{}\n", para("data", 30));
    let new = format!(
        "# Tailspin Terms\n\n{intro}\n\n## Data\n\n{}\n",
        para("data", 30)
    );
    let d = diff(&old, &new);
    assert_eq!(
        count(&d, Status::Added) + count(&d, Status::Removed),
        0,
        "{:?}",
        rows(&d)
    );
    assert_eq!(changed_words(&d), 3, "{:?}", rows(&d));
    let title = find(&d, "Tailspin Terms");
    assert_eq!(title.old_heading.as_deref(), Some(""));
}

// 3. Repeated headings.

#[test]
fn a_repeated_heading_added_does_not_shift_its_namesakes() {
    let notes: Vec<String> = (0..5).map(|k| para(&format!("note{k}y"), 25)).collect();
    let mut old = String::new();
    for (k, n) in notes.iter().enumerate() {
        old.push_str(&format!(
            "## Topic {k}\n\n{}\n\n### Note\n\n{n}\n\n",
            para(&format!("t{k}z"), 20)
        ));
    }
    // A new note under topic 1; the others stay as they were.
    let new = old.replacen(
        "## Topic 1\n",
        &format!(
            "## Topic 1\n\n### Note\n\n{}\n\n## Topic 1b\n",
            para("fresh", 12)
        ),
        1,
    );
    let d = diff(&old, &new);
    assert_eq!(
        d.sections.iter().filter(|s| s.moved).count(),
        0,
        "{:?}",
        rows(&d)
    );
    assert_eq!(count(&d, Status::Modified), 1, "{:?}", rows(&d));
    assert!(changed_words(&d) <= 12 + 2 + 3 + 3, "{:?}", rows(&d));
}

#[test]
fn both_copies_of_a_renamed_repeated_title_are_renamed() {
    let old = format!(
        "# Contoso Terms of Use\n\nLast updated: May 1, 2025\n\n## Contoso Terms of Use\n\n{}\n",
        para("term", 80)
    );
    let new = format!(
        "# Contoso Supplemental Terms of Use\n\nLast updated: June 2, 2026\n\n## Contoso Supplemental Terms of Use\n\n{}\n",
        para("term", 80)
    );
    let d = diff(&old, &new);
    assert_eq!(
        rows(&d)
            .iter()
            .map(|(status, _, _, renamed, _)| (*status, *renamed))
            .collect::<Vec<_>>(),
        [(Status::Modified, true), (Status::Modified, true)],
        "{:?}",
        rows(&d)
    );
}

// 4. A title section renamed, its short body changed a little.

#[test]
fn title_section_renamed_with_a_new_date_is_one_renamed_section() {
    let old = format!(
        "# Fabrikam Terms of Use\n\nEffective: March 3, 2024\n\n## Accounts\n\n{}\n",
        para("acct", 30)
    );
    let new = format!(
        "# Fabrikam Supplemental Terms of Use\n\nEffective: July 9, 2026\n\n## Accounts\n\n{}\n",
        para("acct", 30)
    );
    let d = diff(&old, &new);
    let title = find(&d, "Fabrikam Supplemental Terms of Use");
    assert_eq!(title.status, Status::Modified);
    assert!(title.renamed);
    assert_eq!(title.old_heading.as_deref(), Some("Fabrikam Terms of Use"));
    assert_eq!(count(&d, Status::Added) + count(&d, Status::Removed), 0);
}

// 5. Numbering and punctuation are not part of a heading's identity.

#[test]
fn numbering_glued_to_a_heading_is_not_a_rename() {
    let body = para("svc", 20);
    for (a, b) in [
        ("1.Services", "Services"),
        ("1、Overview:", "1. Overview:"),
        ("What its for", "What it’s for"),
    ] {
        let d = diff(
            &format!("## {a}\n\n{body}\n"),
            &format!("## {b}\n\n{body}\n"),
        );
        assert_eq!(d.sections.len(), 1, "{a} → {b}");
        assert!(!d.sections[0].renamed, "{a} → {b}: {:?}", rows(&d));
    }
}

// Headings swapped over bodies that stayed: the texts say which section is which.

#[test]
fn headings_swapped_over_their_bodies_are_renames() {
    let (a, b) = (para("licence", 45), para("ending", 45));
    let old = format!("## 4 - Ownership\n\n{a}\n\n## 5 - Termination\n\n{b}\n");
    let new = format!("## 4 - Termination\n\n{a}\n\n## 5 - Ownership\n\n{b}\n");
    let d = diff(&old, &new);
    assert!(changed_words(&d) <= 4, "{:?}", rows(&d));
    assert!(d.sections.iter().all(|s| s.renamed), "{:?}", rows(&d));
}

// The yardstick: never more change than a word diff of the whole document would show.

#[test]
fn heading_moved_down_over_a_paragraph_is_not_a_rewrite() {
    let (a, b, c) = (para("alpha", 40), para("beta", 40), para("gamma", 40));
    let old = format!("## First\n\n{a}\n\n{b}\n\n## Second\n\n{c}\n");
    let new = format!("## First\n\n{a}\n\n## Second\n\n{b}\n\n{c}\n");
    let d = diff(&old, &new);
    assert!(changed_words(&d) <= 4, "{:?}", rows(&d));
}

#[test]
fn section_moved_up_over_the_text_it_now_follows() {
    let (intro, age, who) = (para("intro", 60), para("age", 40), para("who", 40));
    let old = format!("## Last updated\n\n{intro}\n\n## Age\n\n{age}\n\n## Who we are\n\n{who}\n");
    let new = format!("## Last updated\n\n## Who we are\n\n{intro}\n\n{who}\n\n## Age\n\n{age}\n");
    let d = diff(&old, &new);
    // The heading moved (4 words out, 4 in); the introduction stayed where it was.
    assert!(changed_words(&d) <= 10, "{:?}", rows(&d));
}

// Text written without spaces (Japanese, Chinese).

#[test]
fn partner_added_to_a_japanese_list_changes_only_its_own_words() {
    // A list of partners in Latin letters, separated by full-width marks and written without
    // spaces, as Japanese policies give them; the new version adds a partner named in kana
    // and kanji. Every version is cut into words the same way, so the rest of the list stays
    // equal (it used to be one word without the new name's characters, dozens with them).
    let partners = [
        "NorthwindAds",
        "Contoso",
        "FabrikamAnalytics",
        "Tailspin",
        "AdventureWorks",
        "Litware",
        "ProsewareMetrics",
        "WingtipToys",
        "Lucerne",
        "Fourth.Coffee",
        "TreyResearch",
        "BlueYonder",
        "Coho-Vineyard",
        "Margie's.Travel",
    ];
    for mark in ["｜", "／", "！"] {
        let list = partners.join(mark);
        let policy = |list: &str| {
            format!(
                "# プライバシーポリシー\n\n当社は、お客様の情報を大切に扱います。\n\n\
                 ## 第三者への提供\n\n当社は、広告の配信と効果の測定のため、次の提携先に\
                 情報を提供することがあります。\n\n{list}\n\n\
                 提携先は、当社との契約に従って情報を取り扱います。\n\n\
                 ## お問い合わせ\n\nご質問は、サポート窓口までご連絡ください。\n"
            )
        };
        let old = policy(&list);
        let new = policy(&format!("{list}{mark}デルタ分析"));
        let d = diff(&old, &new);
        // The mark and the new name (a katakana word and two ideographs), nothing more.
        assert!(
            changed_words(&d) <= 6,
            "{mark}: {} words: {:?}",
            changed_words(&d),
            d.sections
                .iter()
                .flat_map(|s| &s.ops)
                .filter(|o| o.op != OpKind::Equal)
                .map(|o| (o.op, o.text.as_str()))
                .collect::<Vec<_>>()
        );
        assert_eq!(count(&d, Status::Modified), 1, "{:?}", rows(&d));
    }
}

// Issue 24, part 2: the last alignment failures seen on unseen archives.

/// One copy of a help article, as help centres stitch many into one page: a title of its
/// own, an "Important" and a "Note" label over short texts (or the labels exchanged), and
/// the same "Related articles" list in every copy.
fn help_page(product: &str, labels_exchanged: bool) -> String {
    let (first, second) = match labels_exchanged {
        false => ("Important", "Note"),
        true => ("Note", "Important"),
    };
    format!(
        "# Sharing in {product}\n\nHow to share folders with your team in {product}.\n\n\
         ## {first}\n\nBefore you turn on sharing in {product}, ask every member of the team to \
         sign in once, or the invitations will not reach them.\n\n\
         ## {second}\n\nSharing settings for {product} take up to an hour to reach every device \
         linked to the account.\n\n\
         ## Related articles\n\n- Sharing basics\n- Team accounts\n\n"
    )
}

#[test]
fn labels_exchanged_in_every_copy_of_an_article_are_renames_in_place() {
    let products: Vec<String> = (0..10).map(|k| format!("Quillbox{k}")).collect();
    let old: String = products.iter().map(|p| help_page(p, false)).collect();
    let new: String = products.iter().map(|p| help_page(p, true)).collect();
    let d = diff(&old, &new);
    // A word diff of the page changes two labels per copy: four words.
    assert!(changed_words(&d) <= 4 * products.len(), "{:?}", rows(&d));
    assert!(d.sections.iter().all(|s| !s.moved), "{:?}", rows(&d));
    assert_eq!(count(&d, Status::Added) + count(&d, Status::Removed), 0);
    // Each text stays with itself: "Important" over the sign-in text is now "Note".
    for s in d.sections.iter().filter(|s| s.status != Status::Unchanged) {
        assert!(s.renamed, "{:?}", rows(&d));
        assert!(s.words_added == 1 && s.words_removed == 1, "{:?}", rows(&d));
    }
}

#[test]
fn repeated_sections_pair_within_their_own_copy() {
    let products: Vec<String> = (0..8).map(|k| format!("Quillbox{k}")).collect();
    let old: String = products.iter().map(|p| help_page(p, false)).collect();
    // Copy 2 goes to the end, copy 5 goes away, copy 6 gets a new related article.
    let mut new = String::new();
    for (k, p) in products.iter().enumerate() {
        match k {
            2 | 5 => {}
            6 => new.push_str(&help_page(p, false).replace(
                "- Team accounts\n",
                "- Team accounts\n- Sharing with guests\n",
            )),
            _ => new.push_str(&help_page(p, false)),
        }
    }
    new.push_str(&help_page(&products[2], false));
    let d = diff(&old, &new);
    let (o, n) = (
        parse(&old, Format::Markdown, ParseOptions::default()),
        parse(&new, Format::Markdown, ParseOptions::default()),
    );
    for s in &d.sections {
        if let (Some(i), Some(j)) = (s.old_index, s.new_index) {
            assert_eq!(o.sections[i].parent, n.sections[j].parent, "{:?}", rows(&d));
        }
    }
    // Copy 2 moved whole (its four sections), copy 5 was removed whole, one line added.
    assert_eq!(
        d.sections.iter().filter(|s| s.moved).count(),
        4,
        "{:?}",
        rows(&d)
    );
    assert_eq!(count(&d, Status::Removed), 4, "{:?}", rows(&d));
    assert_eq!(count(&d, Status::Modified), 1, "{:?}", rows(&d));
}

#[test]
fn an_empty_parent_heading_does_not_take_a_renamed_siblings_place() {
    let (control, secrecy, access) = (para("ctl", 20), para("secret", 30), para("acc", 25));
    let (defs, limits, duties) = (para("def", 40), para("lim", 40), para("duty", 60));
    let old = format!(
        "# Hosting Terms\n\n## E. Private Folders\n\n### 1. Control of Private Folders.\n\n{control}\n\n\
         ### 2. Confidentiality of Private Folders.\n\n{secrecy}\n\n### 3. Access.\n\n{access}\n\n\
         ## R. Confidentiality\n\n### 1. Definitions\n\n{defs}\n\n### 2. Limits\n\n{limits}\n\n\
         ### 3. Duties\n\n{duties}\n\n## S. Services\n\n{}\n",
        para("svc", 30)
    );
    // Sub-headings shortened; section R loses its sub-sections, its last text kept under it.
    let new = format!(
        "# Hosting Terms\n\n## E. Private Folders\n\n### 1. Control.\n\n{control}\n\n\
         ### 2. Confidentiality.\n\n{secrecy} Customer\n\n### 3. Access.\n\n{access}\n\n\
         ## R. Confidentiality\n\n{duties}\n\n## S. Services\n\n{}\n",
        para("svc", 30)
    );
    let d = diff(&old, &new);
    let r = find(&d, "R. Confidentiality");
    assert_eq!(
        r.old_heading.as_deref(),
        Some("R. Confidentiality"),
        "{:?}",
        rows(&d)
    );
    assert!(!r.moved, "{:?}", rows(&d));
    let e2 = find(&d, "2. Confidentiality.");
    assert_eq!(
        e2.old_heading.as_deref(),
        Some("2. Confidentiality of Private Folders."),
        "{:?}",
        rows(&d)
    );
    assert!(d.sections.iter().all(|s| !s.moved), "{:?}", rows(&d));
}

#[test]
fn a_heading_turned_into_bold_text_is_a_heading_taken_away_not_a_removal() {
    use policy_diff::render::{section_label, section_notes};
    let (a, b) = (para("fee", 40), para("refund", 40));
    let old = format!("## Payment\n\n{a}\n\n## Refunds\n\n{b}\n");
    // Bold words that run into the paragraph (a bold line of its own would be a clause
    // title, the same section reformatted).
    let new = format!("## Payment\n\n{a}\n\n**Refunds** as follows:\n{b}\n");
    let d = diff(&old, &new);
    assert!(changed_words(&d) <= 6, "{:?}", rows(&d));
    let refunds = find(&d, "Refunds");
    assert!(refunds.heading_removed, "{:?}", rows(&d));
    assert_eq!(section_label(refunds), "Heading taken away");
    assert!(section_notes(refunds).contains("text kept"));
    for s in &d.sections {
        assert_ne!(section_label(s), "Removed", "{:?}", rows(&d));
    }
}

#[test]
fn a_page_replaced_by_an_error_stub_is_a_removal_and_an_addition() {
    use policy_diff::render::{section_label, section_notes};
    // The site's cookie banner ends the policy page and the stub alike.
    let banner = para("cookiebanner", 60);
    let old = format!(
        "## Privacy Policy\n\n{}\n\n{}\n\n{banner}\n",
        para("policy", 200),
        para("rights", 150)
    );
    let new = "## This page isn't available right now\n\nSomething went wrong. Try reloading \
               this page.\n\n"
        .to_string()
        + &banner
        + "\n";
    let d = diff(&old, &new);
    assert!(d.sections.iter().all(|s| !s.renamed), "{:?}", rows(&d));
    let stub = find(&d, "This page isn't available right now");
    assert_eq!(stub.status, Status::Added);
    assert!(!stub.heading_added, "{:?}", rows(&d));
    assert_eq!(section_label(stub), "Added");
    assert!(!section_notes(stub).contains("heading put over"));
    assert_eq!(count(&d, Status::Removed), 1, "{:?}", rows(&d));
}

#[test]
fn text_before_the_first_heading_is_never_said_to_gain_a_heading() {
    use policy_diff::render::{section_label, section_notes, section_title};
    let (intro, more, data) = (para("intro", 40), para("more", 40), para("data", 40));
    let old = format!("## Welcome\n\n{intro}\n\n{more}\n\n## Data\n\n{data}\n");
    let new = format!("{intro}\n\n## Welcome\n\n{more}\n\n## Data\n\n{data}\n");
    let d = diff(&old, &new);
    assert!(changed_words(&d) <= 4, "{:?}", rows(&d));
    for s in &d.sections {
        let line = format!(
            "{}: {} ({})",
            section_label(s),
            section_title(s),
            section_notes(s)
        );
        let preamble = line.contains("(text before the first heading)");
        assert!(!(preamble && line.contains("heading put over")), "{line}");
        assert!(!(preamble && line.contains("heading taken away")), "{line}");
    }
}

#[test]
fn bullets_kept_in_a_section_rewritten_with_new_sub_headings_are_followed() {
    let bullets: Vec<String> = (0..6)
        .map(|k| format!("- {}", para(&format!("item{k}x"), 12)))
        .collect();
    let old = format!(
        "## Intro\n\n{}\n\n## Sharing\n\n{}\n\n{}\n\n{}\n\n## End\n\n{}\n",
        para("hello", 20),
        para("before", 60),
        bullets.join("\n"),
        para("closing", 40),
        para("bye", 20)
    );
    let new = format!(
        "## Intro\n\n{}\n\n## Sharing\n\n{}\n\n### With partners\n\n{}\n\n{}\n\n\
         ### With authorities\n\n{}\n\n{}\n\n## End\n\n{}\n",
        para("hello", 20),
        para("after", 50),
        para("partner", 30),
        bullets[..3].join("\n"),
        para("authority", 30),
        bullets[3..].join("\n"),
        para("bye", 20)
    );
    let d = diff(&old, &new);
    // Rewritten: 60 + 40 words out, 50 + 2 × 30 in, and two headings of three words.
    assert!(changed_words(&d) <= 216, "{:?}", rows(&d));
    // Each kept bullet is moved into its new sub-section, not deleted and added again.
    for s in &d.sections {
        for o in s.ops.iter().filter(|o| o.text.contains("item0x3")) {
            assert!(o.op == OpKind::Equal || o.moved, "{:?}", s.ops);
        }
    }
}

#[test]
fn a_sub_heading_put_over_text_of_a_section_that_moved_and_was_reworded() {
    let bodies: Vec<String> = (0..4).map(|k| para(&format!("rule{k}y"), 50)).collect();
    let old: String = (0..4)
        .map(|k| format!("## Policy {k}\n\n{}\n\n", bodies[k]))
        .collect();
    // Every policy gets a summary, its text goes under "Policy details" with one word
    // changed, and policy 1 comes first.
    let new: String = [1usize, 0, 2, 3]
        .iter()
        .map(|&k| {
            format!(
                "## Policy {k}\n\nSummary {k} of this policy.\n\n### Policy details\n\n{}\n\n",
                bodies[k].replacen(&format!("rule{k}y7 "), "changed ", 1)
            )
        })
        .collect();
    let d = diff(&old, &new);
    // Per policy: a five-word summary, a three-word heading, one word out and one in.
    assert!(changed_words(&d) <= 4 * 10, "{:?}", rows(&d));
    let details: Vec<&SectionDiff> = d
        .sections
        .iter()
        .filter(|s| s.heading() == "Policy details")
        .collect();
    assert_eq!(details.len(), 4);
    assert!(details.iter().all(|s| s.heading_added), "{:?}", rows(&d));
}
