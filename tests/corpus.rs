//! Invariants over real policy histories (../shared/corpus, see its README): for every
//! consecutive pair of versions of every policy, the diff succeeds and is lossless.
//! Skipped, with a message, where the corpus is absent (a user's clone won't have it) —
//! except under `CI`, where a missing bundle fails unless `POLICY_DIFF_CORPUS=skip` says so.

mod common;

use policy_diff::diff::{check_lossless, diff_documents};
use policy_diff::document::{Format, ParseOptions, parse};
use policy_diff::source::{PolicyFilter, PolicyRepo};
use std::path::PathBuf;

fn corpus_bundle(name: &str) -> Option<PathBuf> {
    let setting = std::env::var_os("POLICY_DIFF_CORPUS");
    if setting.as_deref() == Some(std::ffi::OsStr::new("skip")) {
        eprintln!("SKIPPED: {name}: POLICY_DIFF_CORPUS=skip");
        return None;
    }
    let dir = setting
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    let bundle = dir.join(name);
    if bundle.is_file() {
        return Some(bundle);
    }
    let message = format!(
        "{} not found (set POLICY_DIFF_CORPUS to the corpus folder, or to `skip`)",
        bundle.display()
    );
    // Under CI a skipped corpus test would pass unseen: there, only an explicit
    // POLICY_DIFF_CORPUS=skip (which .ci/run prints when it sets it) may skip.
    assert!(!in_ci(), "{message}");
    eprintln!("SKIPPED: {message}");
    None
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

#[test]
fn site_policy_history_is_lossless() {
    let Some(bundle) = corpus_bundle("site-policy.bundle") else {
        return;
    };
    let started = std::time::Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    common::git_in(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--no-checkout",
            bundle.to_str().unwrap(),
            "repo",
        ],
    );
    let repo = PolicyRepo::discover(&tmp.path().join("repo")).unwrap();
    let git = repo.git();
    let mut walk = git.revwalk().unwrap();
    walk.push(repo.resolve("origin/main").unwrap()).unwrap();
    let filter = PolicyFilter::new(&[]).unwrap();
    let (mut commits, mut pairs, mut sections) = (0, 0, 0);
    for id in walk {
        let id = id.unwrap();
        let commit = git.find_commit(id).unwrap();
        let parent = commit.parent_ids().next();
        let mut warnings = Vec::new();
        for file in repo
            .changed_files(parent, id, &filter, &mut warnings)
            .unwrap()
        {
            let read = |t: &Option<policy_diff::source::Text>, path: &str| {
                t.as_ref()
                    .map(|t| parse(&t.text, Format::from_path(path), ParseOptions::default()))
            };
            let old = read(&file.old, file.old_path.as_deref().unwrap_or(&file.path));
            let new = read(&file.new, &file.path);
            let diff = diff_documents(old.as_ref(), new.as_ref());
            if let Err(e) = check_lossless(old.as_ref(), new.as_ref(), &diff) {
                panic!("{} at {id}: {e}", file.path);
            }
            pairs += 1;
            sections += diff.sections.len();
        }
        commits += 1;
    }
    assert!(
        commits > 800 && pairs > 500,
        "only {commits} commits, {pairs} pairs"
    );
    eprintln!(
        "site-policy: {commits} commits, {pairs} version pairs, {sections} sections, lossless, in {:.1?}",
        started.elapsed()
    );
}

/// The fast Markdown heading reader agrees with the full CommonMark parse on every version
/// of every Markdown policy in both histories, and decides most of them itself.
#[test]
fn heading_readers_agree_on_every_version() {
    let mut report = Vec::new();
    for name in ["site-policy.bundle", "pga-versions.bundle"] {
        let Some(bundle) = corpus_bundle(name) else {
            continue;
        };
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("repo");
        common::git_in(
            tmp.path(),
            &["clone", "-q", "--bare", bundle.to_str().unwrap(), "repo"],
        );
        // Every Markdown blob ever committed, once.
        let out = std::process::Command::new("git")
            .args(["rev-list", "--objects", "--all"])
            .current_dir(&dir)
            .output()
            .unwrap();
        let listing = String::from_utf8(out.stdout).unwrap();
        let repo = git2::Repository::open_bare(&dir).unwrap();
        let (mut blobs, mut decided) = (0, 0);
        for line in listing.lines() {
            let Some((id, path)) = line.split_once(' ') else {
                continue;
            };
            if !path.ends_with(".md") {
                continue;
            }
            let Ok(blob) = repo.find_blob(git2::Oid::from_str(id).unwrap()) else {
                continue;
            };
            let text = String::from_utf8_lossy(blob.content());
            match policy_diff::document::compare_heading_readers(&text) {
                Ok(fast) => decided += usize::from(fast),
                Err(e) => panic!("{name}: {path} ({id}): {e}"),
            }
            blobs += 1;
        }
        assert!(blobs > 100, "{name}: only {blobs} Markdown versions");
        assert!(
            decided * 2 > blobs,
            "{name}: the line reader decided only {decided} of {blobs} versions"
        );
        report.push(format!("{name}: {blobs} versions, {decided} read by lines"));
    }
    eprintln!("heading readers agree: {}", report.join("; "));
}

/// `log` on a terminal: with standard output on the terminal too, no progress bar shares its
/// lines; with the output sent elsewhere, the bar shows on standard error.
#[test]
fn log_progress_never_shares_a_line_with_the_output() {
    use std::process::Command;
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: script(1) not found (util-linux)");
        return;
    }
    let Some(bundle) = corpus_bundle("pga-versions.bundle") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    common::git_in(
        tmp.path(),
        &["clone", "-q", bundle.to_str().unwrap(), "repo"],
    );
    let repo = tmp.path().join("repo");
    let binary = common::binary();
    let on_terminal = |command: String| {
        let out = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .current_dir(&repo)
            .envs(common::ISOLATED_GIT)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let both = on_terminal(format!("'{}' log --color never", binary.display()));
    assert!(both.contains(": modified"), "{both}");
    assert!(
        !both.contains("commits/s"),
        "a bar among the output: {both}"
    );
    // Standard output to a file: the terminal shows the bar alone.
    let out = tmp.path().join("log.txt");
    let bar = on_terminal(format!(
        "'{}' log --color never > '{}'",
        binary.display(),
        out.display()
    ));
    assert!(bar.contains("commits/s"), "no bar: {bar}");
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(!written.contains("commits/s"), "the bar in the output");
}
