//! `policy-diff OLD NEW` end to end: real git repositories, the real binary.

mod common;
use common::*;

const V1: &str = include_str!("../examples/privacy/v1.md");
const V2: &str = include_str!("../examples/privacy/v2.md");
const V3: &str = include_str!("../examples/privacy/v3.md");

/// A repository with the example privacy policy committed three times, tagged v1..v3.
fn history() -> Repo {
    let repo = Repo::new();
    repo.commit("privacy.md", V1).tag("v1");
    repo.commit("privacy.md", V2).tag("v2");
    repo.commit("privacy.md", V3).tag("v3");
    repo
}

fn section<'a>(doc: &'a serde_json::Value, new_heading: &str) -> &'a serde_json::Value {
    doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["new_heading"] == new_heading
                || (s["new_heading"].is_null() && s["old_heading"] == new_heading)
        })
        .unwrap_or_else(|| panic!("no section {new_heading:?} in {doc:#}"))
}

#[test]
fn json_between_two_tags() {
    let repo = history();
    let run = repo.run(&["v1", "v2", "--format", "json"]);
    run.code(1);
    let json = run.json();
    assert_eq!(json["old"], "v1");
    assert_eq!(json["new"], "v2");
    let docs = json["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 1);
    let doc = &docs[0];
    assert_eq!(doc["path"], "privacy.md");
    assert_eq!(doc["old_path"], "privacy.md");
    assert_eq!(doc["status"], "modified");
    assert_eq!(doc["old_modified"], "2024-01-15");
    assert_eq!(doc["new_modified"], "2024-06-03");
    assert!(doc["old_effective"].is_null() && doc["new_effective"].is_null());

    let cookies = section(doc, "4. Cookies and Similar Technologies");
    assert_eq!(cookies["old_heading"], "3. Cookies");
    assert_eq!(cookies["status"], "modified");
    assert_eq!(cookies["renamed"], true);

    let retention = section(doc, "3. Data Retention");
    assert_eq!(retention["moved"], true);
    assert_eq!(retention["renamed"], false, "renumbering is not renaming");
    let ops = retention["ops"].as_array().unwrap();
    assert!(
        ops.iter()
            .any(|o| o["op"] == "insert" && o["text"].as_str().unwrap().trim() == "90")
    );
    assert!(
        ops.iter()
            .any(|o| o["op"] == "delete" && o["text"].as_str().unwrap().trim() == "30")
    );

    let contests = section(doc, "5. Contests and Promotions");
    assert_eq!(contests["status"], "removed");
    assert!(contests["new_heading"].is_null());
    assert_eq!(section(doc, "6. Your Rights")["status"], "added");

    let reflowed = section(doc, "2. How We Use Information");
    assert_eq!(
        (reflowed["status"].as_str(), reflowed["cosmetic"].as_bool()),
        (Some("unchanged"), Some(true))
    );
    let renumbered = section(doc, "5. Sharing Your Information");
    assert_eq!(
        (
            renumbered["status"].as_str(),
            renumbered["cosmetic"].as_bool()
        ),
        (Some("unchanged"), Some(true))
    );

    // Lossless: the new side, in order, is the new file; the old side has the old file's words.
    assert_eq!(rebuilt_words(doc, "insert"), body_words(V2));
    let mut old_side = rebuilt_words(doc, "delete");
    let mut old_words = body_words(V1);
    old_side.sort();
    old_words.sort();
    assert_eq!(old_side, old_words);
    // Sections come in the new order, the removed one where it stood in the old.
    let order: Vec<&str> = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["new_heading"]
                .as_str()
                .or(s["old_heading"].as_str())
                .unwrap()
        })
        .collect();
    assert_eq!(
        order,
        [
            "Larkspur Labs Privacy Policy",
            "1. Information We Collect",
            "2. How We Use Information",
            "3. Data Retention",
            "4. Cookies and Similar Technologies",
            "5. Sharing Your Information",
            "5. Contests and Promotions",
            "6. Your Rights",
            "7. Contact Us"
        ]
    );
}

#[test]
fn text_output_names_each_change() {
    let repo = history();
    repo.run(&["v1", "v2", "--color", "never"])
        .code(1)
        .stdout_has("privacy.md: modified")
        .stdout_has("last updated: 2024-01-15 → 2024-06-03")
        .stdout_has("Renamed: 3. Cookies → 4. Cookies and Similar Technologies")
        .stdout_has("Modified: 3. Data Retention (moved")
        .stdout_has("[-30-] {+90+} days")
        .stdout_has("- Removed: 5. Contests and Promotions")
        .stdout_has("+ Added: 6. Your Rights")
        .stdout_has("3 unchanged (2 only reformatted)")
        // Unchanged sections are collapsed to a count, not printed.
        .stdout_lacks("Contact Us")
        .stdout_lacks("\x1b[");
    repo.run(&["v2", "v3", "--color", "never"])
        .code(1)
        .stdout_has("last updated: 2024-06-03 → 2025-02-10")
        .stdout_has("effective:    none → 2025-03-01")
        .stdout_has("+ Added: 7. Children's Privacy");
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let repo = history();
    let run = repo.run(&["v1", "v2", "--color", "always"]);
    run.code(1).stdout_has("\x1b[32m").stdout_lacks("{+");
    // Not a terminal: no colour by default.
    repo.run(&["v1", "v2"])
        .code(1)
        .stdout_lacks("\x1b[")
        .stdout_has("{+");
}

#[test]
fn same_revision_exits_zero() {
    let repo = history();
    repo.run(&["v2", "v2"])
        .code(0)
        .stdout_has("No policy documents differ");
    let json = repo
        .run(&["HEAD", "HEAD", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(json["documents"], serde_json::json!([]));
    assert_eq!(json["old"], "HEAD");
}

#[test]
fn cosmetic_only_change_exits_zero() {
    let repo = Repo::new();
    repo.commit(
        "terms.md",
        "# Terms\n\n## Fees\n\nYou pay *ten* euros\na month.\n",
    )
    .tag("a");
    repo.commit(
        "terms.md",
        "# Terms\n\n### FEES\n\nYou pay ten euros a month.\n",
    )
    .tag("b");
    let run = repo.run(&["a", "b", "--format", "json"]);
    run.code(0);
    let json = run.json();
    let doc = &json["documents"][0];
    assert_eq!(doc["status"], "unchanged");
    let fees = section(doc, "FEES");
    assert_eq!(fees["status"], "unchanged");
    assert_eq!(fees["cosmetic"], true);
    assert_eq!(fees["old_heading"], "Fees");
    repo.run(&["a", "b", "--color", "never"])
        .code(0)
        .stdout_has("terms.md: unchanged (formatting only)");
}

#[test]
fn two_files_outside_any_repository() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.md"), V1).unwrap();
    std::fs::write(dir.path().join("new.md"), V2).unwrap();
    let run = run_in(dir.path(), &["old.md", "new.md", "--format", "json"]);
    run.code(1);
    let json = run.json();
    assert_eq!(json["documents"][0]["path"], "new.md");
    assert_eq!(json["documents"][0]["old_path"], "old.md");
    assert_eq!(json["documents"][0]["new_modified"], "2024-06-03");
    run_in(dir.path(), &["old.md", "old.md"]).code(0);
    run_in(
        dir.path(),
        &["diff", "old.md", "new.md", "--color", "never"],
    )
    .code(1)
    .stdout_has("old.md → new.md: modified");
}

#[test]
fn bare_repository() {
    let repo = history();
    let bare = repo.bare_clone();
    let git_dir = bare.path().join("policies.git");
    let run = run_in(
        bare.path(),
        &[
            "--repo",
            git_dir.to_str().unwrap(),
            "v2",
            "v3",
            "--format",
            "json",
        ],
    );
    run.code(1);
    assert_eq!(run.json()["documents"][0]["new_effective"], "2025-03-01");
    // From inside the bare repository, without --repo.
    run_in(&git_dir, &["v1", "v2"])
        .code(1)
        .stdout_has("privacy.md: modified");
}

#[test]
fn renamed_file_is_one_document() {
    let repo = Repo::new();
    repo.commit("privacy.md", V2).tag("before");
    std::fs::create_dir(repo.path().join("legal")).unwrap();
    repo.git(&["mv", "privacy.md", "legal/privacy.md"]);
    let edited = V2.replace("within 90 days", "within 60 days");
    repo.write("legal/privacy.md", &edited)
        .commit_all("move and edit")
        .tag("after");
    let run = repo.run(&["before", "after", "--format", "json"]);
    run.code(1);
    let json = run.json();
    let docs = json["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 1, "{json:#}");
    assert_eq!(docs[0]["path"], "legal/privacy.md");
    assert_eq!(docs[0]["old_path"], "privacy.md");
    assert_eq!(docs[0]["status"], "modified");
    repo.run(&["before", "after", "--color", "never"])
        .stdout_has("legal/privacy.md (renamed from privacy.md): modified")
        .stdout_has("[-90-] {+60+}");
}

#[test]
fn added_and_removed_documents_and_path_filters() {
    let repo = Repo::new();
    repo.write("privacy.md", V1)
        .write("terms.txt", "TERMS\n\nBe nice.\n")
        .write("logo.svg", "<svg/>");
    repo.commit_all("first").tag("a");
    std::fs::remove_file(repo.path().join("terms.txt")).unwrap();
    repo.write("cookies.md", "# Cookies\n\nWe use two cookies.\n")
        .write("privacy.md", V2)
        .write("logo.svg", "<svg></svg>");
    repo.commit_all("second").tag("b");
    let json = repo.run(&["a", "b", "--format", "json"]).json();
    let docs: Vec<(&str, &str)> = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        docs,
        [
            ("cookies.md", "added"),
            ("privacy.md", "modified"),
            ("terms.txt", "removed")
        ]
    );
    assert!(json["documents"][0]["old_path"].is_null());
    // PATH arguments: exact paths and globs.
    let only = repo
        .run(&["a", "b", "--format", "json", "--", "terms.txt"])
        .json();
    assert_eq!(only["documents"].as_array().unwrap().len(), 1);
    assert_eq!(only["documents"][0]["status"], "removed");
    let glob = repo
        .run(&["a", "b", "--format", "json", "--", "*.md"])
        .json();
    assert_eq!(glob["documents"].as_array().unwrap().len(), 2);
    // A PATH that names nothing is a mistake, not "no change".
    repo.run(&["a", "b", "--", "nothing-here.md"])
        .code(2)
        .stderr_has("'nothing-here.md' matches no file in a or b");
}

#[test]
fn plain_text_policies_split_at_numbered_headings() {
    let repo = Repo::new();
    let old = "ACME TERMS OF SERVICE\n\nLast updated: 2021-06-30\n\n1. ACCEPTANCE\n\nBy using Acme you accept these terms.\n\n2. FEES\n\nYou pay 10 euros a month.\n";
    let new = "ACME TERMS OF SERVICE\n\nLast updated: 2022-01-10\n\n1. ACCEPTANCE\n\nBy using Acme you accept these terms.\n\n2. PRIVACY\n\nSee our privacy policy.\n\n3. FEES\n\nYou pay 12 euros a month.\n";
    repo.commit("terms.txt", old).tag("a");
    repo.commit("terms.txt", new).tag("b");
    let json = repo.run(&["a", "b", "--format", "json"]).json();
    let doc = &json["documents"][0];
    assert_eq!(doc["new_modified"], "2022-01-10");
    let fees = section(doc, "3. FEES");
    assert_eq!(
        (fees["old_heading"].as_str(), fees["renamed"].as_bool()),
        (Some("2. FEES"), Some(false))
    );
    assert_eq!(fees["words_added"], 2); // "3." and "12"
    assert_eq!(section(doc, "2. PRIVACY")["status"], "added");
    assert_eq!(section(doc, "1. ACCEPTANCE")["status"], "unchanged");
}

#[test]
fn markdown_output() {
    let repo = history();
    repo.run(&["v1", "v2", "--format", "markdown"])
        .code(1)
        .stdout_has("## `privacy.md` — modified")
        .stdout_has("<del>30</del> <ins>90</ins>")
        .stdout_has("### Removed: 5. Contests and Promotions");
}

#[test]
fn trouble_exits_two_with_one_line() {
    let repo = history();
    let run = repo.run(&["v1", "nope"]);
    run.code(2).stderr_has("unknown revision 'nope'");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stdout.is_empty());

    let dir = tempfile::tempdir().unwrap();
    run_in(dir.path(), &["a.md", "b.md"])
        .code(2)
        .stderr_has("'a.md' and 'b.md' are not a file");
    std::fs::write(dir.path().join("a.md"), "x").unwrap();
    run_in(dir.path(), &["a.md", "b.md"])
        .code(2)
        .stderr_has("'b.md' is not a file");
    std::fs::write(dir.path().join("bin.md"), b"x\0y").unwrap();
    run_in(dir.path(), &["a.md", "bin.md"])
        .code(2)
        .stderr_has("bin.md: binary file");
    run_in(dir.path(), &["--format", "yaml", "a.md", "a.md"])
        .code(2)
        .stderr_has("invalid value 'yaml' for '--format <FORMAT>'")
        .stderr_has("[possible values: text, json, markdown, html]");
    run_in(dir.path(), &["a.md"])
        .code(2)
        .stderr_has("two versions are needed");
}

#[test]
fn invalid_utf8_is_read_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), b"# T\n\nCaf\xe9 open.\n").unwrap();
    std::fs::write(dir.path().join("b.md"), b"# T\n\nCaf\xe9 closed.\n").unwrap();
    run_in(dir.path(), &["a.md", "b.md", "--color", "never"])
        .code(1)
        .stderr_has("a.md: not valid UTF-8")
        .stdout_has("[-open.-] {+closed.+}");
}

#[test]
fn closed_pipe_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let para = "We may share this information with partners. ".repeat(40);
    let old: String = (0..300)
        .map(|i| format!("## Part {i}\n\n{para}\n\n"))
        .collect();
    let new = old.replace("partners", "affiliates");
    std::fs::write(dir.path().join("a.md"), old).unwrap();
    std::fs::write(dir.path().join("b.md"), new).unwrap();
    let (status, stderr) = piped_into_head(dir.path(), "a.md b.md");
    assert_eq!(status, 1, "{stderr}");
    // The reader went away: nothing to say about it (no broken-pipe error, no panic).
    assert_eq!(stderr, "", "{stderr}");
}

#[test]
fn root_compares_a_revision_with_nothing() {
    let repo = history();
    for args in [
        &["--root", "v1", "--format", "json"][..],
        &["4b825dc", "v1", "--format", "json"][..],
        &[
            "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
            "v1",
            "--format",
            "json",
        ][..],
    ] {
        let run = repo.run(args);
        run.code(1);
        let json = run.json();
        let doc = &json["documents"][0];
        assert_eq!(doc["status"], "added", "{args:?}");
        assert!(doc["old_path"].is_null());
        let sections = doc["sections"].as_array().unwrap();
        assert!(sections.iter().all(|s| s["status"] == "added"));
        assert!(
            sections
                .iter()
                .all(|s| s["words_added"].as_u64().unwrap() > 0)
        );
    }
    // --root takes exactly one revision.
    repo.run(&["--root", "v1", "v2"]).code(2);
}

#[test]
fn a_heading_put_over_existing_text_reads_as_a_heading_change() {
    let refunds = "Refunds are paid to the card used for the order within fourteen days of our \
                   receiving the returned goods in their original packaging.";
    let old = format!("## Payment\n\nYou pay when you order.\n\n{refunds}\n");
    let new = format!("## Payment\n\nYou pay when you order.\n\n## Refunds\n\n{refunds}\n");
    let repo = Repo::new();
    repo.commit("terms.md", &old).tag("v1");
    repo.commit("terms.md", &new).tag("v2");
    // A bold title of its own line made a heading is the same clause, reformatted.
    let bold = format!("## Payment\n\nYou pay when you order.\n\n**Refunds**\n\n{refunds}\n");
    repo.commit("terms.md", &bold).tag("v3");
    repo.run(&["v2", "v3", "--color", "never"])
        .code(0)
        .stdout_has("unchanged (formatting only)");
    let run = repo.run(&["v1", "v2", "--color", "never"]);
    run.code(1)
        .stdout_has("+ Added: Refunds (heading put over existing text, 2 words new)")
        .stdout_has("moved across a heading")
        // The moved paragraph is neither struck out where it stood nor marked inserted.
        .stdout_lacks("[-Refunds are paid")
        .stdout_lacks("{+Refunds are paid");
    let json = repo.run(&["v1", "v2", "--format", "json"]).json();
    let added = section(&json["documents"][0], "Refunds");
    assert_eq!(added["heading_added"], true);
    assert!(added["words_moved"].as_u64().unwrap() >= 20);
    assert!(
        added["ops"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["moved"] == true && o["op"] == "insert")
    );
}

#[test]
fn shell_completions_and_manual_page_come_from_the_one_definition() {
    let dir = tempfile::tempdir().unwrap();
    let bash = run_in(dir.path(), &["completions", "bash"]);
    bash.code(0)
        .stdout_has("_policy__diff()")
        .stdout_has("--ignore-links");
    // The script is valid bash.
    let script = dir.path().join("policy-diff.bash");
    std::fs::write(&script, &bash.stdout).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    run_in(dir.path(), &["completions", "zsh"])
        .code(0)
        .stdout_has("#compdef policy-diff");
    run_in(dir.path(), &["completions", "fish"])
        .code(0)
        .stdout_has("complete -c policy-diff");
    run_in(dir.path(), &["completions", "tcsh"]).code(2);
    run_in(dir.path(), &["man"])
        .code(0)
        .stdout_has(".TH policy-diff")
        .stdout_has("Section\\-by\\-section diffs of legal policies");
}

/// On a terminal, colour is on by default and `NO_COLOR` turns it off (a real pseudo-terminal,
/// through util-linux `script`).
#[test]
fn no_color_is_honoured_on_a_terminal() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: util-linux `script` is not installed (no pseudo-terminal)");
        return;
    }
    let repo = history();
    let on_terminal = |no_color: Option<&str>| -> String {
        let mut command = std::process::Command::new("script");
        command
            .args([
                "-qec",
                &format!("'{}' v1 v2", binary().display()),
                "/dev/null",
            ])
            .current_dir(repo.path())
            .envs(ISOLATED_GIT)
            .env("TERM", "xterm")
            .env_remove("NO_COLOR");
        if let Some(value) = no_color {
            command.env("NO_COLOR", value);
        }
        String::from_utf8_lossy(&command.output().unwrap().stdout).into_owned()
    };
    let plain = on_terminal(None);
    assert!(
        plain.contains("\x1b[32m"),
        "no colour on a terminal:\n{plain}"
    );
    let quiet = on_terminal(Some("1"));
    assert!(
        !quiet.contains("\x1b[32m") && quiet.contains("{+"),
        "{quiet}"
    );
    // An empty NO_COLOR does not count (no-color.org).
    assert!(on_terminal(Some("")).contains("\x1b[32m"));
}

/// `--context N` keeps N unchanged words on each side of a change, eliding the rest.
#[test]
fn context_sets_the_words_kept_around_each_change() {
    let repo = Repo::new();
    let words: Vec<String> = (0..60).map(|i| format!("w{i}")).collect();
    let old = format!("# T\n\n{}\n", words.join(" "));
    let new = old.replace("w30", "CHANGED");
    repo.commit("p.md", &old).tag("v1");
    repo.commit("p.md", &new).tag("v2");
    // The section's text (the summary before it shows the changed sentence on its own terms).
    let section = |run: &common::Run| -> String {
        let at = run.stdout.find("~ Modified").expect("a modified section");
        run.stdout[at..].to_string()
    };
    let two = repo.run(&["v1", "v2", "--context", "2", "--color", "never"]);
    two.code(1);
    let text = section(&two);
    assert!(
        text.contains("… w28 w29 [-w30-] {+CHANGED+} w31 w32 …"),
        "{text}"
    );
    assert!(!text.contains("w27"), "{text}");
    let all = repo.run(&["v1", "v2", "--context", "100", "--color", "never"]);
    all.code(1);
    let text = section(&all);
    assert!(text.contains("w0 w1") && text.contains("w58 w59"), "{text}");
    assert!(!text.contains('…'), "{text}");
}

/// The stale-date note: the text changed but the modification date did not.
#[test]
fn a_date_that_did_not_move_with_the_text_is_pointed_out() {
    let repo = history();
    let stale = V2.replace("We keep", "We retain");
    repo.commit("privacy.md", &stale).tag("v2b");
    repo.run(&["v2", "v2b", "--color", "never"])
        .code(1)
        .stdout_has(
            "last updated: 2024-06-03 (unchanged) — not updated, although the text changed",
        );
    repo.run(&["v1", "v2", "--color", "never"])
        .code(1)
        .stdout_lacks("not updated");
}

/// `log` skips merge commits (their changes are listed where they were made), and its
/// output does not depend on the number of threads.
#[test]
fn log_skips_merges_and_does_not_depend_on_jobs() {
    let repo = history();
    repo.git(&["checkout", "-q", "-b", "side", "v1"]);
    repo.commit("terms.md", "# Terms\n\nSide branch text.\n");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-ff", "-m", "Merge side", "side"]);
    let one = repo.run(&["log", "--jobs", "1", "--color", "never"]);
    one.code(0)
        .stdout_lacks("Merge side")
        .stdout_has("terms.md: added");
    assert_eq!(
        one.stdout.matches("terms.md: added").count(),
        1,
        "{}",
        one.stdout
    );
    let four = repo.run(&["log", "--jobs", "4", "--color", "never"]);
    assert_eq!(one.stdout, four.stdout);
}

/// Binary files among the policies are skipped with a warning, in `diff` and in `log`; a
/// path that cannot be read as a file is trouble (exit 2) naming it.
#[test]
fn binary_files_are_skipped_and_unreadable_files_are_trouble() {
    let repo = Repo::new();
    repo.write("privacy.md", V1)
        .write("logo.md", "x")
        .commit_all("one")
        .tag("v1");
    std::fs::write(repo.path().join("logo.md"), b"\x89PNG\0\0\0").unwrap();
    repo.write("privacy.md", V2).commit_all("two").tag("v2");
    repo.run(&["v1", "v2", "--color", "never"])
        .code(1)
        .stdout_has("privacy.md: modified")
        .stderr_has("logo.md: binary file skipped");
    repo.run(&["log", "--color", "never"])
        .code(0)
        .stdout_has("privacy.md: modified")
        .stderr_has("binary file skipped");
    std::fs::create_dir(repo.path().join("folder.md")).unwrap();
    repo.run(&["folder.md", "privacy.md"])
        .code(2)
        .stderr_has("folder.md");
}

#[test]
fn a_small_edit_in_a_document_without_headings_is_reported_in_its_clause() {
    // Terms written as a numbered list with bold titles and clauses nested under them: no
    // Markdown heading at all.
    let old = r#"Example Terms

These terms govern your use of Example.

1.  **SUBSCRIPTION TERM, FEES AND PAYMENT**

    1.  **Term**. This agreement lasts one year from the day you sign up.
    2.  **Fees and Payment**. All fees are due in advance. Invoices are payable within thirty (30) days.

        Late payments carry interest at one percent a month.

2.  **CONFIDENTIALITY**

    Each party keeps the other's confidential information secret.
"#;
    let new = old.replace("thirty (30) days", "fifteen (15) days");
    let repo = Repo::new();
    repo.commit("terms.md", old).tag("v1");
    repo.commit("terms.md", &new).tag("v2");
    repo.run(&["v1", "v2", "--color", "never"])
        .code(1)
        .stdout_has("1 modified; 4 unchanged")
        .stdout_has("~ Modified: 2. Fees and Payment (+2 −2 words)")
        // The clause's lines without the list's indentation.
        .stdout_has("\n      Late payments carry interest");
    repo.run(&["v1", "v2", "--format", "markdown"])
        .code(1)
        .stdout_has("\n> Late payments carry interest");
    let json = repo.run(&["v1", "v2", "--format", "json"]).json();
    let doc = &json["documents"][0];
    let changed: Vec<&str> = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] != "unchanged")
        .map(|s| s["new_heading"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["2. Fees and Payment"]);
    assert_eq!(
        section(doc, "2. Fees and Payment")["old_heading"],
        "2. Fees and Payment"
    );
    // The redline shows the clause's text as text: its title apart, its indented lines not
    // turned into code.
    let html = repo.run(&["v1", "v2", "--format", "html"]);
    html.code(1)
        .stdout_has("Modified</span>2. Fees and Payment</h")
        .stdout_has("<p>All fees are due in advance. Invoices are payable within <del>thirty (30)</del> <ins>fifteen (15)</ins> days.</p>")
        .stdout_has("<p>Late payments carry interest")
        .stdout_lacks("<pre");
}

#[test]
fn a_run_in_clause_title_respaced_never_hides_or_breaks_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    // The old title has more spaces than the new one, and its text starts with a letter of
    // two bytes: the redline once cut inside it (a panic) or swallowed deleted words.
    write("o.md", "Intro.\n\n4.2 Late   fees. Éat more cake now.\n");
    write("n.md", "Intro.\n\n4.2 Late fees. Éat less cake now.\n");
    run_in(dir.path(), &["o.md", "n.md", "--format", "html"])
        .code(1)
        .stdout_has("<p>Éat <del>more</del> <ins>less</ins> cake now.</p>");
    write(
        "o.md",
        "Intro.\n\n4.2 Late              fees. Nothing is refunded ever. We bill monthly.\n",
    );
    write("n.md", "Intro.\n\n4.2 Late fees. We bill monthly.\n");
    run_in(dir.path(), &["o.md", "n.md", "--format", "html"])
        .code(1)
        .stdout_has("<del>Nothing is refunded ever.</del> We bill monthly.");
}

#[test]
fn a_symbol_changed_in_a_title_is_a_change_not_formatting() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    for (old, new) in [
        ("1\\. Monthly Fee $10", "1\\. Monthly Fee £10"),
        ("## Late Fee: $10 + 5%", "## Late Fee: $10 / 5%"),
    ] {
        write(
            "o.md",
            &format!("Intro.\n\n{old}\n\nCharged on the first day.\n"),
        );
        write(
            "n.md",
            &format!("Intro.\n\n{new}\n\nCharged on the first day.\n"),
        );
        run_in(dir.path(), &["o.md", "n.md", "--color", "never"])
            .code(1)
            .stdout_has("1 modified")
            .stdout_lacks("formatting only");
    }
}

/// What changed, in every output of `policy-diff OLD NEW` and in `log`.
#[test]
fn every_output_says_what_changed() {
    let repo = Repo::new();
    let v1 = "# Terms\n\n## Refunds\n\nWe refund purchases within 30 days.\n\n## Sharing\n\nWe may share your data with partners.\n\n## Old\n\nThis goes.\n";
    let v2 = "# Terms\n\n## Refunds\n\nWe refund purchases within 14 days.\n\n## Sharing\n\nWe must share your data with partners.\n";
    repo.commit("terms.md", v1).tag("v1");
    repo.commit("terms.md", v2).tag("v2");
    repo.run(&["v1", "v2", "--color", "never"])
        .code(1)
        .stdout_has("  what changed:\n    • Refunds: We refund purchases within 14 days (was 30 days).\n    • Sharing: We must share (was “We may share”) your data with partners.\n    • Old: section removed\n");
    repo.run(&["v1", "v2", "--format", "markdown"])
        .code(1)
        .stdout_has(
            "**What changed**\n\n- Refunds: We refund purchases within 14 days (was 30 days).\n",
        );
    let json = repo.run(&["v1", "v2", "--format", "json"]).json();
    let doc = &json["documents"][0];
    assert_eq!(
        doc["quantities"],
        serde_json::json!([{
            "old": "30 days", "new": "14 days", "kind": "duration",
            "old_heading": "Refunds", "new_heading": "Refunds",
            "old_sentence": "We refund purchases within 30 days.",
            "new_sentence": "We refund purchases within 14 days."
        }])
    );
    let kinds: Vec<&str> = doc["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["quantity", "obligation", "removed"]);
    assert_eq!(doc["highlights"][1]["old"], "We may share");
    assert_eq!(doc["highlights"][1]["new"], "We must share");
    // log's JSON has them too.
    let log = repo.run(&["log", "--format", "json"]);
    let first: serde_json::Value =
        serde_json::from_str(log.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["documents"][0]["quantities"][0]["new"], "14 days");
}

/// A mistyped PATH is an error naming it (exit 2), with the closest existing path; a missing
/// file beside an existing one is named as a file, not as an unknown revision.
#[test]
fn a_path_that_names_nothing_is_an_error_with_the_closest() {
    let repo = Repo::new();
    repo.commit("terms/privacy.md", "# Privacy\n\nWe keep little.\n");
    repo.commit("terms/privacy.md", "# Privacy\n\nWe keep less.\n");
    repo.run(&["HEAD~1", "HEAD", "--", "terms/privcy.md"])
        .code(2)
        .stderr_has("'terms/privcy.md' matches no file in HEAD~1 or HEAD")
        .stderr_has("did you mean 'terms/privacy.md'?");
    let far = repo.run(&["HEAD~1", "HEAD", "--", "nothing-like-it.md"]);
    far.code(2)
        .stderr_has("'nothing-like-it.md' matches no file");
    assert!(!far.stderr.contains("did you mean"), "{}", far.stderr);
    repo.run(&["HEAD~1", "HEAD", "--", "legal/*.md"])
        .code(2)
        .stderr_has("'legal/*.md' matches no file");
    // What exists is read, a folder and a glob included.
    for path in ["terms/privacy.md", "terms", "terms/*.md"] {
        repo.run(&["HEAD~1", "HEAD", "--color", "never", "--", path])
            .code(1)
            .stdout_has("terms/privacy.md: modified");
    }
    // `log`: anywhere in the history counts, even a file since removed.
    repo.commit("old.md", "# Old\n\nGone soon.\n");
    repo.git(&["rm", "-q", "old.md"]);
    repo.git(&["commit", "-q", "-m", "remove old"]);
    repo.run(&["log", "--color", "never", "--", "old.md"])
        .code(0)
        .stdout_has("old.md");
    repo.run(&["log", "--", "terms/privacy.mdx"])
        .code(2)
        .stderr_has("'terms/privacy.mdx' matches no file in the history of HEAD")
        .stderr_has("did you mean 'terms/privacy.md'?");
    // Two files, one missing: the missing one is named.
    std::fs::write(repo.path().join("a.md"), "# A\n").unwrap();
    repo.run(&["a.md", "nope.md"])
        .code(2)
        .stderr_has("nope.md: no such file");
}
