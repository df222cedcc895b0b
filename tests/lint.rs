//! `policy-diff lint`: each finding on staged changes and on committed ranges, the three
//! output formats, `--fix` on each date style, the `lint:` configuration, the pre-commit
//! hook stopping a real `git commit`, and the pre-commit framework's own run of the manifest.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

fn policy(date_line: &str, retention: &str) -> String {
    format!(
        "# Example Privacy Policy\n\n{date_line}\n\nWe make garden software.\n\n## 1. Data\n\nWe keep data for {retention}.\n\n## 2. Contact\n\nWrite to us.\n"
    )
}

const DATED: &str = "_Last updated: January 15, 2024_";

/// A repository whose one commit has the policy dated January 15, 2024.
fn repo() -> Repo {
    let repo = Repo::new();
    repo.commit("privacy.md", &policy(DATED, "30 days"));
    repo
}

/// Stages a new version of the policy.
fn stage(repo: &Repo, text: &str) {
    repo.write("privacy.md", text);
    repo.git(&["add", "privacy.md"]);
}

#[test]
fn a_changed_text_with_the_old_date_is_an_error_on_the_dates_line() {
    let repo = repo();
    stage(&repo, &policy(DATED, "90 days"));
    let run = repo.run(&["lint"]);
    run.code(1);
    assert_eq!(
        run.stdout,
        "privacy.md:3: error: 1 section changed but \"Last updated: January 15, 2024\" did not [stale-date]\n"
    );
    assert!(run.stderr.contains("1 error, 0 warnings"), "{}", run.stderr);
    // The same change with a new date is clean.
    stage(&repo, &policy("_Last updated: June 3, 2024_", "90 days"));
    let run = repo.run(&["lint"]);
    run.code(0);
    assert_eq!(run.stdout, "");
    // Nothing staged: nothing to say.
    repo.git(&["reset", "-q"]);
    repo.run(&["lint"]).code(0);
}

#[test]
fn each_date_finding() {
    let today = chrono::Local::now().date_naive();
    let cases: Vec<(String, i32, &str, &str)> = vec![
        (
            policy("_Last updated: June 3, 2023_", "90 days"),
            1,
            "privacy.md:3: error:",
            "date-backwards",
        ),
        (
            policy("", "90 days"),
            1,
            "privacy.md:1: error: the previous version was dated 2024-01-15; this one gives no date",
            "date-removed",
        ),
        (
            policy("_Last updated: March 1, 2099_", "90 days"),
            0,
            "privacy.md:3: warning: the modification date 2099-03-01 is more than 1 days ahead",
            "future-date",
        ),
        (
            policy(
                "_Last updated: June 3, 2024_\n\n_Effective: May 1, 2024_",
                "90 days",
            ),
            0,
            "privacy.md:3: warning: the effective date 2024-05-01 is earlier than the modification date 2024-06-03",
            "effective-before-modified",
        ),
        (
            policy("_Last updated: June 3, 2024_", "30 days"),
            0,
            "privacy.md:3: warning: only the date changed (2024-01-15 → 2024-06-03)",
            "date-only",
        ),
    ];
    for (text, code, line, check) in cases {
        let repo = repo();
        stage(&repo, &text);
        let run = repo.run(&["lint"]);
        run.code(code);
        assert!(
            run.stdout.starts_with(line) && run.stdout.contains(&format!("[{check}]")),
            "{check} (today {today}): {}",
            run.stdout
        );
    }
}

#[test]
fn heading_problems_are_warnings_when_new() {
    let repo = repo();
    let text = policy("_Last updated: June 3, 2024_", "90 days")
        + "\n## 4. Cookies\n\nWe use none.\n\n## 4. Cookies\n\nStill none.\n\n## 5. Rights\n";
    stage(&repo, &text);
    let run = repo.run(&["lint", "--format", "json"]);
    run.code(0);
    let json = run.json();
    let found: Vec<(String, u64)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["level"], "warning");
            (
                f["check"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("duplicate-heading".to_string(), 19),
            ("empty-section".to_string(), 23),
            ("numbering".to_string(), 15),
            ("numbering".to_string(), 19),
        ],
        "{json}"
    );
    assert_eq!(json["errors"], 0);
    assert_eq!(json["warnings"], 4);
    // Committed, the same problems are not new in the next change: not reported again.
    repo.git(&["commit", "-q", "-m", "v2"]);
    stage(
        &repo,
        &text
            .replace("June 3", "June 4")
            .replace("Still none", "None at all"),
    );
    let run = repo.run(&["lint"]);
    run.code(0);
    assert_eq!(run.stdout, "");
}

#[test]
fn committed_ranges_and_the_github_format() {
    let repo = repo();
    repo.git(&["tag", "base"]);
    repo.commit("privacy.md", &policy(DATED, "60 days"));
    repo.commit("terms.md", "# Terms\n\nUpdated: 2024-02-01\n\nBe nice.\n");
    for args in [
        vec!["lint", "base..HEAD"],
        vec!["lint", "base", "HEAD"],
        vec!["lint", "base...HEAD"],
    ] {
        let run = repo.run(&args);
        run.code(1);
        assert_eq!(
            run.stdout,
            "privacy.md:3: error: 1 section changed but \"Last updated: January 15, 2024\" did not [stale-date]\n",
            "{args:?}"
        );
    }
    let run = repo.run(&["lint", "base..HEAD", "--format", "github"]);
    run.code(1);
    assert_eq!(
        run.stdout,
        "::error file=privacy.md,line=3,title=policy-diff stale-date::1 section changed but \"Last updated: January 15, 2024\" did not\n"
    );
    // PATH arguments choose the files.
    repo.run(&["lint", "base..HEAD", "--", "terms.md"]).code(0);
    repo.run(&["lint", "nope..HEAD"]).code(2).stderr_has("nope");
    repo.run(&["lint", "HEAD"]).code(2).stderr_has("BASE..HEAD");
}

#[test]
fn fix_writes_the_date_in_the_documents_own_style_and_nothing_else() {
    for (line, old, new, reading) in [
        (
            "_Last updated: January 17, 2013_",
            "January 17, 2013",
            "March 2, 2026",
            &[][..],
        ),
        (
            "Last updated: 17 January 2013",
            "17 January 2013",
            "2 March 2026",
            &[],
        ),
        (
            "**Effective date:** 2013-01-17",
            "2013-01-17",
            "2026-03-02",
            &[],
        ),
        (
            "Last revised Jan. 17th, 2013",
            "Jan. 17th, 2013",
            "Mar. 2nd, 2026",
            &[],
        ),
        (
            "*Dernière mise à jour : 17 janvier 2013*",
            "17 janvier 2013",
            "2 mars 2026",
            &[],
        ),
        (
            "Last updated: 01/17/2013",
            "01/17/2013",
            "03/02/2026",
            &["--date-order", "mdy"],
        ),
    ] {
        let repo = Repo::new();
        let original = policy(line, "30 days");
        repo.commit("privacy.md", &original);
        let changed = policy(line, "90 days");
        stage(&repo, &changed);
        let mut args = vec!["lint", "--fix", "--date", "2026-03-02"];
        args.extend(reading);
        let run = repo.run(&args);
        run.code(1);
        assert!(run.stdout.contains("fixed:"), "{line}: {}", run.stdout);
        let fixed = std::fs::read_to_string(repo.path().join("privacy.md")).unwrap();
        assert_eq!(fixed, changed.replace(old, new), "{line}");
        // Staged, the fix makes the change clean.
        repo.git(&["add", "privacy.md"]);
        let mut args = vec!["lint"];
        args.extend(reading);
        repo.run(&args).code(0);
    }
    // A numeric date that would not read back (03/02: which is the month?) is not written.
    let repo = Repo::new();
    let original = policy("Last updated: 01/17/2013", "30 days");
    repo.commit("privacy.md", &original);
    stage(&repo, &policy("Last updated: 01/17/2013", "90 days"));
    repo.run(&["lint", "--fix", "--date", "2026-03-02"])
        .code(2)
        .stderr_has("does not read back as 2026-03-02");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("privacy.md")).unwrap(),
        policy("Last updated: 01/17/2013", "90 days")
    );
    // No date line to change: refused, nothing written.
    let repo = Repo::new();
    repo.commit(
        "privacy.md",
        "---\nlast_updated: 2024-01-15\n---\n\n# P\n\nText.\n",
    );
    stage(
        &repo,
        "---\nlast_updated: 2024-01-15\n---\n\n# P\n\nOther text.\n",
    );
    let run = repo.run(&["lint", "--fix"]);
    run.code(2)
        .stderr_has("privacy.md: --fix cannot find the line of the modification date");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("privacy.md")).unwrap(),
        "---\nlast_updated: 2024-01-15\n---\n\n# P\n\nOther text.\n"
    );
}

#[test]
fn the_lint_section_sets_each_checks_level() {
    let repo = repo();
    let config = repo.path().join("policy-diff.yaml");
    std::fs::write(
        &config,
        "policies: [{ path: privacy.md }]\nsender: a@example.com\nlint:\n  stale_date: warning\n  date_only: off\n",
    )
    .unwrap();
    stage(&repo, &policy(DATED, "90 days"));
    let run = repo.run(&["lint"]);
    run.code(0);
    assert!(
        run.stdout.contains("warning: 1 section changed"),
        "{}",
        run.stdout
    );
    std::fs::write(
        &config,
        "policies: [{ path: privacy.md }]\nsender: a@example.com\nlint:\n  stale_dates: error\n",
    )
    .unwrap();
    let run = repo.run(&["lint"]);
    run.code(2).stderr_has("policy-diff.yaml:4:");
    run.stderr_has("stale_dates");
}

#[test]
fn the_pre_commit_hook_stops_a_bad_commit_and_lets_a_good_one_through() {
    let repo = repo();
    repo.run(&["hook", "install", "--pre-commit"])
        .code(0)
        .stdout_has("pre-commit");
    let head = repo.git(&["rev-parse", "HEAD"]);
    stage(&repo, &policy(DATED, "90 days"));
    let commit = |args: &[&str]| {
        Command::new("git")
            .args([
                "-c",
                "user.name=T",
                "-c",
                "user.email=t@example.com",
                "commit",
                "-q",
                "-m",
                "x",
            ])
            .args(args)
            .current_dir(repo.path())
            .envs(ISOLATED_GIT)
            .output()
            .unwrap()
    };
    let out = commit(&[]);
    assert!(!out.status.success());
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        shown.contains("privacy.md:3: error:") && shown.contains("[stale-date]"),
        "{shown}"
    );
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head, "nothing recorded");
    // `git commit -a` stages into a temporary index: the hook reads that one.
    repo.git(&["reset", "-q"]);
    let out = commit(&["-a"]);
    assert!(!out.status.success(), "commit -a went through");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
    // With a new date the commit goes through.
    stage(&repo, &policy("_Last updated: June 3, 2024_", "90 days"));
    assert!(commit(&[]).status.success());
    assert_ne!(repo.git(&["rev-parse", "HEAD"]), head);
    // --no-verify skips the hook, as with any hook.
    let head = repo.git(&["rev-parse", "HEAD"]);
    stage(&repo, &policy("_Last updated: June 3, 2024_", "120 days"));
    assert!(commit(&["--no-verify"]).status.success());
    assert_ne!(repo.git(&["rev-parse", "HEAD"]), head);
    repo.run(&["hook", "uninstall", "--pre-commit"]).code(0);
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());
}

/// The pre-commit framework, from PyPI (scripts/test installs it).
fn pre_commit() -> Option<std::path::PathBuf> {
    let out = Command::new("python3")
        .args(["-c", "import pre_commit, sys; print(sys.executable)"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

#[test]
fn the_pre_commit_framework_runs_the_manifest() {
    let Some(python) = pre_commit() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "pre-commit is missing under CI (scripts/test installs it from PyPI)"
        );
        eprintln!(
            "SKIPPED: the pre-commit framework is missing (python3 -m pip install pre-commit)"
        );
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let home = tempfile::tempdir().unwrap();
    let bin_dir = binary().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // What the framework printed, and whether it succeeded.
    let framework = |dir: &Path, args: &[&str]| -> (bool, String) {
        let out = Command::new(&python)
            .args(["-m", "pre_commit"])
            .args(args)
            .current_dir(dir)
            .envs(ISOLATED_GIT)
            .env("PRE_COMMIT_HOME", home.path())
            .env("PATH", &path)
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let (ok, shown) = framework(root, &["validate-manifest", ".pre-commit-hooks.yaml"]);
    assert!(ok, "{shown}");
    // try-repo: the hooks of this checkout, on a repository of policies.
    let repo = repo();
    stage(&repo, &policy(DATED, "90 days"));
    let root_s = root.to_str().unwrap();
    let (ok, shown) = framework(
        repo.path(),
        &["try-repo", root_s, "policy-diff-lint-system"],
    );
    assert!(!ok, "{shown}");
    assert!(
        shown.contains("[stale-date]") && shown.contains("Failed"),
        "{shown}"
    );
    stage(&repo, &policy("_Last updated: June 3, 2024_", "90 days"));
    let (ok, shown) = framework(
        repo.path(),
        &["try-repo", root_s, "policy-diff-lint-system"],
    );
    assert!(ok && shown.contains("Passed"), "{shown}");
}

/// A second edit on the day the policy was already dated: today's date is not stale, so
/// `lint` passes and `--fix` has nothing to do.
#[test]
fn a_policy_already_dated_today_is_not_stale() {
    let today = chrono::Local::now().date_naive();
    let dated = format!("_Last updated: {}_", today.format("%B %-d, %Y"));
    let repo = Repo::new();
    repo.commit("privacy.md", &policy(&dated, "30 days"));
    stage(&repo, &policy(&dated, "90 days"));
    let run = repo.run(&["lint"]);
    run.code(0);
    assert!(!run.stdout.contains("stale-date"), "{}", run.stdout);
    repo.run(&["lint", "--fix"]).code(0);
    // A date of another day still is.
    let repo = Repo::new();
    repo.commit("privacy.md", &policy(DATED, "30 days"));
    stage(&repo, &policy(DATED, "90 days"));
    repo.run(&["lint"]).code(1).stdout_has("[stale-date]");
}
