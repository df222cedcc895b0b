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

/// Static-site repositories keep their policies under YAML front matter: a change there alone
/// is metadata, hidden like an unchanged document (one count line), absent from JSON and the
/// log, and never mailed.
#[test]
fn a_change_only_in_front_matter_is_metadata() {
    let page = |topics: &str, body: &str| {
        format!("---\ntitle: Acceptable Use\ntopics:\n{topics}---\n\n# Acceptable Use\n\n{body}\n")
    };
    let repo = Repo::new();
    repo.write("aup.md", &page("  - Policy\n", "Be kind to others."));
    repo.write("terms.md", &page("  - Policy\n", "Pay on time."));
    repo.commit_all("first");
    // Only the front matter of both changes.
    repo.write("aup.md", &page("", "Be kind to others."));
    repo.write("terms.md", &page("", "Pay on time."));
    repo.commit_all("drop topics");
    let run = repo.run(&["HEAD~1", "HEAD", "--color", "never"]);
    run.code(0)
        .stdout_has("2 documents changed only in their front matter (metadata), not shown.")
        .stdout_lacks("aup.md")
        .stdout_lacks("unchanged");
    let json = repo.run(&["HEAD~1", "HEAD", "--format", "json"]).json();
    assert_eq!(json["documents"], serde_json::json!([]), "{json}");
    let md = repo.run(&["HEAD~1", "HEAD", "--format", "markdown"]);
    md.stdout_has("2 documents changed only in their front matter (metadata), not shown.");
    // With a change of wording beside it, the wording is shown and the metadata counted.
    repo.write("aup.md", &page("  - Legal\n", "Be kind to everyone."));
    repo.write("terms.md", &page("  - Legal\n", "Pay on time."));
    repo.commit_all("reword");
    repo.run(&["HEAD~1", "HEAD", "--color", "never"])
        .code(1)
        .stdout_has("aup.md: modified")
        .stdout_has("\n1 document changed only in its front matter (metadata), not shown.")
        .stdout_lacks("terms.md");
    // Blank lines added before the first heading of a file without front matter are no
    // metadata change: such a file is shown, as before.
    repo.write("plain.md", "# Plain\n\nText.\n");
    repo.commit_all("plain");
    repo.write("plain.md", "\n\n# Plain\n\nText.\n");
    repo.commit_all("blank lines");
    repo.run(&["HEAD~1", "HEAD", "--color", "never"])
        .code(0)
        .stdout_has("plain.md: unchanged")
        .stdout_lacks("front matter");
    // The log lists the commit that changed wording, not the one that changed metadata.
    let log = repo.run(&["log", "--color", "never"]);
    assert!(log.stdout.contains("reword"), "{}", log.stdout);
    assert!(!log.stdout.contains("drop topics"), "{}", log.stdout);
    let lines = repo.run(&["log", "--format", "json"]);
    for line in lines.stdout.lines() {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_ne!(entry["summary"], "drop topics", "{line}");
        let paths: Vec<&str> = entry["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["path"].as_str().unwrap())
            .collect();
        if entry["summary"] == "reword" {
            assert_eq!(paths, ["aup.md"], "{line}");
        }
    }
}

/// A labelled date in front matter is read; other keys and the body's running text are not.
#[test]
fn front_matter_dates_come_from_labelled_keys_only() {
    let dir = tempfile::tempdir().unwrap();
    let text = "---\ntitle: Terms\ncreated: 2019-01-01\nlast_updated: 2026-02-03\n---\n\n# Terms\n\nSince 25 May 2018, the GDPR applies.\n";
    std::fs::write(dir.path().join("t.md"), text).unwrap();
    let json = run_in(dir.path(), &["t.md", "t.md", "--format", "json"]).json();
    assert_eq!(json["documents"][0]["new_modified"], "2026-02-03", "{json}");
    let text = "---\ntitle: Terms\ncreated: 2019-01-01\n---\n\n# Terms\n\nSince 25 May 2018, the GDPR applies.\n";
    std::fs::write(dir.path().join("t.md"), text).unwrap();
    let json = run_in(dir.path(), &["t.md", "t.md", "--format", "json"]).json();
    assert_eq!(
        json["documents"][0]["new_modified"],
        serde_json::Value::Null,
        "{json}"
    );
}
