//! A file name is what git says it is: bytes, with `/` the only separator. On Linux `\` is
//! an ordinary character and a name need not be UTF-8. Each test commits such names (with
//! the system git, or a tree made with `git mktree` where git itself would refuse the name)
//! and shows that no name is read as another and nothing is written outside its folder.

mod common;
use common::*;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

const V1: &str = include_str!("../examples/privacy/v1.md");

/// Writes a file whose name is any bytes.
fn write_bytes_name(dir: &Path, name: &[u8], content: &str) {
    std::fs::write(dir.join(std::ffi::OsStr::from_bytes(name)), content).unwrap();
}

/// A commit whose tree holds `entries` (path → text) exactly as given, even names git would
/// refuse to check out (`..`): made with `git mktree` and `git commit-tree`. Returns its id.
fn crafted_commit(dir: &Path, entries: &[(&str, &str)], parent: Option<&str>) -> String {
    fn tree(dir: &Path, entries: &[(Vec<&str>, &str)]) -> String {
        let mut lines = String::new();
        let mut subdirs: Vec<&str> = Vec::new();
        for (parts, text) in entries {
            if parts.len() == 1 {
                let blob = hash_text(dir, text);
                lines.push_str(&format!("100644 blob {blob}\t{}\n", parts[0]));
            } else if !subdirs.contains(&parts[0]) {
                subdirs.push(parts[0]);
            }
        }
        for sub in subdirs {
            let inner: Vec<(Vec<&str>, &str)> = entries
                .iter()
                .filter(|(p, _)| p.len() > 1 && p[0] == sub)
                .map(|(p, t)| (p[1..].to_vec(), *t))
                .collect();
            let id = tree(dir, &inner);
            lines.push_str(&format!("040000 tree {id}\t{sub}\n"));
        }
        stdin_git(dir, &["mktree"], &lines)
    }
    let split: Vec<(Vec<&str>, &str)> = entries
        .iter()
        .map(|(p, t)| (p.split('/').collect(), *t))
        .collect();
    let tree = tree(dir, &split);
    let mut args = vec!["commit-tree", tree.as_str(), "-m", "crafted"];
    if let Some(p) = parent {
        args.extend(["-p", p]);
    }
    git_in(dir, &args).trim().to_string()
}

fn hash_text(dir: &Path, text: &str) -> String {
    stdin_git(dir, &["hash-object", "-w", "--stdin"], text)
}

/// Runs git with `input` on its stdin; its stdout, trimmed.
fn stdin_git(dir: &Path, args: &[&str], input: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(args)
        .current_dir(dir)
        .envs(ISOLATED_GIT)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?} failed");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn a_file_named_with_backslashes_is_not_the_policy_of_that_path_with_slashes() {
    // Ada follows the privacy policy at legal/privacy.md; Bob follows every policy.
    let site = Site::new(
        "policies:
  - { path: legal/privacy.md, name: Privacy Policy }
  - { path: \"*.md\" }
sender: legal@acme.example
subscribers:
  - { email: ada@example.com, policies: [Privacy Policy] }
  - { email: bob@example.com }
",
    );
    site.repo.commit("legal/privacy.md", V1);
    site.run(&["check"]).code(0).stdout_has("baseline");
    // Someone adds a file whose name only looks like that path.
    site.repo.commit(
        "legal\\privacy.md",
        "# Privacy\n\nThis policy is new. We sell your data.\n",
    );
    site.run(&["check"]).code(0);
    let mails = site.outbox();
    let to = |m: &Mail| m.header("To").unwrap_or_default().to_string();
    assert!(
        mails.iter().all(|m| !to(m).contains("ada@")),
        "the followers of legal/privacy.md were told about another file: {:?}",
        mails
            .iter()
            .map(|m| m.text().to_string())
            .collect::<Vec<_>>()
    );
    // Bob, who follows every policy, is told about a new policy.
    assert_eq!(mails.len(), 1);
    assert!(to(&mails[0]).contains("bob@"), "{}", to(&mails[0]));
    assert!(mails[0].text().contains("This policy is new"));
    // The diff shows the real name, and the policy at legal/privacy.md unchanged.
    let run = site.repo.run(&["HEAD~1", "HEAD", "--format", "json"]);
    run.code(1);
    let paths: Vec<String> = run.json()["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, ["legal\\privacy.md"]);
}

#[test]
fn names_that_are_not_utf8_never_collide() {
    let repo = Repo::new();
    // Latin-1 "café.md", and a name spelled as a lossy decoding would spell it.
    write_bytes_name(repo.path(), b"caf\xe9.md", "# A\n\nFirst text.\n");
    write_bytes_name(
        repo.path(),
        "caf\u{fffd}.md".as_bytes(),
        "# B\n\nSecond text.\n",
    );
    // And one spelled as the escape of the first.
    write_bytes_name(repo.path(), b"caf\\xe9.md", "# C\n\nThird text.\n");
    repo.commit_all("three names");
    let run = repo.run(&["4b825dc", "HEAD", "--format", "json"]);
    run.code(1);
    let mut paths: Vec<String> = run.json()["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap().to_string())
        .collect();
    paths.sort();
    assert_eq!(paths, ["caf\\x5cxe9.md", "caf\\xe9.md", "caf\u{fffd}.md"]);
}

#[test]
fn lint_fix_never_writes_outside_the_work_tree() {
    let policy = |days: &str| {
        format!("# Privacy\n\nLast updated: January 17, 2013\n\n## Data\n\nWe keep data {days}.\n")
    };
    let root = tempfile::tempdir().unwrap();
    let work = root.path().join("work");
    std::fs::create_dir(&work).unwrap();
    git_in(&work, &["init", "-q", "-b", "main"]);
    // A file outside the work tree, which a name with backslashes spells.
    let outside = root.path().join("outside.md");
    std::fs::write(&outside, policy("90 days")).unwrap();

    std::fs::write(work.join("..\\outside.md"), policy("30 days")).unwrap();
    git_in(&work, &["add", "-A"]);
    git_in(&work, &["commit", "-q", "-m", "v1"]);
    std::fs::write(work.join("..\\outside.md"), policy("90 days")).unwrap();
    git_in(&work, &["add", "-A"]);
    let run = run_in(&work, &["lint", "--fix", "--date", "2026-03-02"]);
    run.code(1).stdout_has("..\\outside.md:3: fixed:");
    // The file in the work tree is fixed; the one outside is as it was.
    assert!(
        std::fs::read_to_string(work.join("..\\outside.md"))
            .unwrap()
            .contains("March 2, 2026")
    );
    assert_eq!(
        std::fs::read_to_string(&outside).unwrap(),
        policy("90 days")
    );

    // A tree that holds a real `..` (git refuses to check it out, but a commit can hold it).
    let c1 = crafted_commit(&work, &[("../outside.md", &policy("30 days"))], None);
    let c2 = crafted_commit(&work, &[("../outside.md", &policy("90 days"))], Some(&c1));
    let run = run_in(
        &work,
        &[
            "lint",
            "--fix",
            "--date",
            "2026-03-02",
            &format!("{c1}..{c2}"),
        ],
    );
    run.code(2).stderr_has(
        "../outside.md: --fix does not write this file: the name has a '.' or '..' part",
    );
    assert_eq!(
        std::fs::read_to_string(&outside).unwrap(),
        policy("90 days")
    );
}

#[test]
fn site_pages_of_any_name_stay_in_the_output_folder() {
    let root = tempfile::tempdir().unwrap();
    let repo = Repo::new();
    repo.commit("privacy.md", V1);
    // A folder outside the site, and a file name spelling it with backslashes.
    let victim = root.path().join("victim");
    std::fs::create_dir(&victim).unwrap();
    let spelled = format!("{}\\x.md", victim.to_str().unwrap().replace('/', "\\"));
    let text = "# Terms\n\nWe sell your data.\n";
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let tip = crafted_commit(
        repo.path(),
        &[
            ("privacy.md", V1),
            (&spelled, text),
            ("..\\..\\escaped.md", text),
            // Names git would never check out, but a tree can hold.
            ("../dotdot.md", text),
            ("a\u{1b}[2Jb.md", text),
        ],
        Some(&head),
    );
    let out = root.path().join("site").join("out");
    let run = repo.run(&["site", "--rev", &tip, out.to_str().unwrap()]);
    let written: Vec<_> = std::fs::read_dir(&victim).unwrap().collect();
    assert!(written.is_empty(), "written outside the site: {written:?}");
    for outside in [
        "escaped.md",
        "site/escaped.md",
        "dotdot.md",
        "site/dotdot.md",
    ] {
        assert!(!root.path().join(outside).exists(), "{outside} written");
    }
    // Refused pages are warnings that name them, escaped; the rest is published.
    run.code(0)
        .stderr_has("../dotdot.md: not published on the site: the name has a '.' or '..' part")
        .stderr_has("a\\x1b[2Jb.md: not published on the site: the name has a control character");
    assert!(!run.stderr.contains('\u{1b}'), "{}", run.stderr);
    let policies = out.join("policies");
    for name in [spelled.as_str(), "..\\..\\escaped.md", "privacy.md"] {
        let page = policies.join(name).join(format!("{tip}.html"));
        assert!(page.is_file() || name == "privacy.md", "{}", page.display());
        assert!(policies.join(name).join("index.html").is_file(), "{name}");
    }
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("..\\..\\escaped.md") && !index.contains("dotdot"));
}

#[test]
fn bidi_controls_in_names_and_titles_are_shown_not_obeyed_in_the_email() {
    let site = Site::new(
        "policies:
  - { path: \"*.md\" }
sender: legal@acme.example
subscribers:
  - { email: bob@example.com }
",
    );
    site.repo.commit("privacy.md", V1);
    site.run(&["check"]).code(0).stdout_has("baseline");
    // A name and a title that a right-to-left override would show reversed.
    site.repo.commit(
        "privacy\u{202e}exe.md",
        "# Terms \u{202e}exe.md\n\nA new text.\n",
    );
    site.run(&["check"]).code(0);
    let mails = site.outbox();
    assert_eq!(mails.len(), 1);
    let html = mails[0].html();
    assert!(
        !html.contains('\u{202e}'),
        "a raw right-to-left override reached the email's HTML"
    );
    assert!(html.contains("Terms \\u{202e}exe.md"), "{html}");
}
