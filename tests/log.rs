//! `policy-diff log`: the history of each policy, newest first, rename-aware.

mod common;
use common::*;

const V1: &str = include_str!("../examples/privacy/v1.md");
const V2: &str = include_str!("../examples/privacy/v2.md");
const V3: &str = include_str!("../examples/privacy/v3.md");

fn history() -> Repo {
    let repo = Repo::new();
    repo.commit("privacy.md", V1);
    repo.commit(
        "README.txt",
        "not a policy, but .txt files are policies by default\n",
    );
    repo.commit("logo.svg", "<svg/>");
    repo.commit("privacy.md", V2);
    std::fs::create_dir(repo.path().join("legal")).unwrap();
    repo.git(&["mv", "privacy.md", "legal/privacy.md"]);
    repo.write("legal/privacy.md", V3)
        .commit_all("move and revise the privacy policy");
    repo
}

#[test]
fn text_log_newest_first() {
    let repo = history();
    let run = repo.run(&["log", "--color", "never", "--", "privacy.md", "legal/"]);
    run.code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{}", run.stdout);
    assert!(lines[0].ends_with("move and revise the privacy policy"));
    assert!(lines[1].starts_with("    legal/privacy.md (renamed from privacy.md): modified; last updated 2024-06-03 → 2025-02-10; 2 modified, 1 added"), "{}", lines[1]);
    assert!(lines[3].starts_with("    privacy.md: modified; last updated 2024-01-15 → 2024-06-03; 4 modified, 1 added, 1 removed, 1 moved, 1 renamed"), "{}", lines[3]);
    assert!(
        lines[5].starts_with("    privacy.md: added; last updated none → 2024-01-15"),
        "{}",
        lines[5]
    );
    assert!(!run.stdout.contains("logo.svg"));
    // Without PATH: every .md and .txt file.
    repo.run(&["log", "--color", "never"])
        .code(0)
        .stdout_has("README.txt: added");
    // Piped: no progress bar on stderr.
    assert_eq!(run.stderr, "");
}

#[test]
fn json_log_has_the_diff_schema() {
    let repo = history();
    let run = repo.run(&["log", "--format", "json", "--", "*.md", "legal/"]);
    run.code(0);
    let entries: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), 3);
    let newest = &entries[0];
    assert_eq!(newest["summary"], "move and revise the privacy policy");
    assert_eq!(
        newest["commit"].as_str().unwrap(),
        repo.git(&["rev-parse", "HEAD"]).trim()
    );
    let doc = &newest["documents"][0];
    assert_eq!(
        (doc["path"].as_str(), doc["old_path"].as_str()),
        (Some("legal/privacy.md"), Some("privacy.md"))
    );
    assert_eq!(doc["new_effective"], "2025-03-01");
    // The same sections and ops as `policy-diff OLD NEW`, so the new text is rebuilt.
    assert_eq!(rebuilt_words(doc, "insert"), body_words(V3));
    let diff = repo.run(&["HEAD~1", "HEAD", "--format", "json"]).json();
    assert_eq!(doc["sections"], diff["documents"][0]["sections"]);
    assert!(entries[2]["parent"].is_null() || entries[2]["documents"][0]["status"] == "added");
}

#[test]
fn closed_pipe_ends_the_log_quietly() {
    let repo = Repo::new();
    for i in 0..200 {
        repo.commit(
            "terms.md",
            &format!("# Terms\n\n## Fees\n\nYou pay {i} euros.\n"),
        );
    }
    let (status, stderr) = piped_into_head(repo.path(), "log");
    assert_eq!(status, 0, "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("error"),
        "{stderr}"
    );
}
