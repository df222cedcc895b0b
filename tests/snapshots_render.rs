//! Snapshots of the human-shaped outputs for the shipped example history. A change in the
//! output shows up as a snapshot diff to review (`cargo insta review`).

use policy_diff::render::{OutputFormat, TextOptions, render};
use policy_diff::report::{Report, compare_texts};
use policy_diff::rules::Rule;

const V1: &str = include_str!("../examples/privacy/v1.md");
const V2: &str = include_str!("../examples/privacy/v2.md");
const V3: &str = include_str!("../examples/privacy/v3.md");

fn report(old: &str, new: &str, old_name: &str, new_name: &str) -> Report {
    let doc = compare_texts(
        "privacy.md",
        Some("privacy.md"),
        Some(old),
        Some(new),
        &Rule::default(),
    );
    Report {
        old: old_name.into(),
        new: new_name.into(),
        documents: vec![doc],
        files: false,
    }
}

#[test]
fn text_v1_v2() {
    let text = render(
        &report(V1, V2, "v1", "v2"),
        OutputFormat::Text,
        &TextOptions::default(),
    );
    insta::assert_snapshot!(text);
}

#[test]
fn text_v2_v3() {
    let text = render(
        &report(V2, V3, "v2", "v3"),
        OutputFormat::Text,
        &TextOptions::default(),
    );
    insta::assert_snapshot!(text);
}

#[test]
fn markdown_v1_v2() {
    let text = render(
        &report(V1, V2, "v1", "v2"),
        OutputFormat::Markdown,
        &TextOptions::default(),
    );
    insta::assert_snapshot!(text);
}

#[test]
fn html_v1_v2() {
    let html = render(
        &report(V1, V2, "v1", "v2"),
        OutputFormat::Html,
        &TextOptions::default(),
    );
    // The style sheet is the same on every page: the snapshot keeps the page's own part.
    insta::assert_snapshot!(html.split("</style>").nth(1).unwrap());
}

#[test]
fn html_v2_v3() {
    let html = render(
        &report(V2, V3, "v2", "v3"),
        OutputFormat::Html,
        &TextOptions::default(),
    );
    insta::assert_snapshot!(html.split("</style>").nth(1).unwrap());
}
