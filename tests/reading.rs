//! How documents are read and compared, end to end (the real binary, real files and git
//! repositories): dates in several languages and orders, and noise that is no change.

mod common;
use common::*;

fn pair(old: &str, new: &str, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.md"), old).unwrap();
    std::fs::write(dir.path().join("new.md"), new).unwrap();
    let mut all = vec!["old.md", "new.md", "--format", "json"];
    all.extend_from_slice(args);
    run_in(dir.path(), &all)
}

const FR_OLD: &str = "# Conditions générales\n\nDernière mise à jour : 1er septembre 2023\n\n## Prix\n\nLe prix est de 10 euros.\n";
const FR_NEW: &str = "# Conditions générales\n\nDernière mise à jour : 17 janvier 2026\n\n## Prix\n\nLe prix est de 12 euros.\n";

#[test]
fn french_dates_are_read() {
    let json = pair(FR_OLD, FR_NEW, &[]).json();
    let doc = &json["documents"][0];
    assert_eq!(doc["old_modified"], "2023-09-01");
    assert_eq!(doc["new_modified"], "2026-01-17");
}

#[test]
fn numeric_date_order_per_path_pattern() {
    let repo = Repo::new();
    let text = |d: &str| format!("# Terms\n\nLast updated: {d}\n\nWe keep data.\n");
    repo.commit("us/terms.md", &text("01/02/2024"));
    repo.commit("eu/terms.md", &text("01/02/2024"));
    let run = repo.run(&[
        "--root",
        "HEAD",
        "--format",
        "json",
        "--date-order",
        "eu/*=dmy",
        "--date-order",
        "mdy",
    ]);
    let json = run.json();
    let date = |path: &str| {
        json["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["path"] == path)
            .unwrap()["new_modified"]
            .clone()
    };
    assert_eq!(date("eu/terms.md"), "2024-02-01");
    assert_eq!(date("us/terms.md"), "2024-01-02");
    // A bad value names the flag and says what is accepted.
    repo.run(&["--root", "HEAD", "--date-order", "ymd"])
        .code(2)
        .stderr_has("--date-order \"ymd\": the order is mdy or dmy");
}

#[test]
fn changed_link_destinations_are_no_change_with_ignore_links() {
    let old = "# Help\n\nRead [our terms](https://x.example/terms?ref=aaa).\n";
    let new = "# Help\n\nRead [our terms](https://x.example/terms?ref=bbb).\n";
    pair(old, new, &[]).code(1);
    let run = pair(old, new, &["--ignore-links"]);
    run.code(0);
    let json = run.json();
    let doc = &json["documents"][0];
    assert_eq!(doc["status"], "unchanged");
    let section = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["new_heading"] == "Help")
        .unwrap();
    assert_eq!(section["cosmetic"], true);
    // The ops still carry the real text.
    let inserted: String = section["ops"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["op"] == "insert")
        .map(|o| o["text"].as_str().unwrap().to_string())
        .collect();
    assert!(inserted.contains("ref=bbb"), "{section:#}");
    // A changed link text is still a change.
    let renamed = "# Help\n\nRead [our rules](https://x.example/terms?ref=bbb).\n";
    pair(old, renamed, &["--ignore-links"]).code(1);
}

#[test]
fn ignored_patterns_are_no_change() {
    let old = "# Page\n\nUpdated 22 days ago\n\nWe keep data.\n";
    let new = "# Page\n\nUpdated 23 days ago\n\nWe keep data.\n";
    pair(old, new, &[]).code(1);
    pair(old, new, &["--ignore", r"\d+ days ago"]).code(0);
    pair(
        old,
        "# Page\n\nUpdated 23 days ago\n\nWe sell data.\n",
        &["--ignore", r"\d+ days ago"],
    )
    .code(1);
    pair(old, new, &["--ignore", "("])
        .code(2)
        .stderr_has("--ignore: invalid pattern \"(\"");
}

#[test]
fn log_ignores_links_too() {
    let repo = Repo::new();
    repo.commit(
        "help.md",
        "# Help\n\nRead [our terms](https://x.example/?ref=1).\n",
    );
    repo.commit(
        "help.md",
        "# Help\n\nRead [our terms](https://x.example/?ref=2).\n",
    );
    let plain = repo.run(&["log", "--color", "never"]);
    assert!(
        plain.stdout.contains("help.md: modified"),
        "{}",
        plain.stdout
    );
    let quiet = repo.run(&["log", "--color", "never", "--ignore-links"]);
    assert!(
        quiet.stdout.contains("help.md: unchanged"),
        "{}",
        quiet.stdout
    );
}
