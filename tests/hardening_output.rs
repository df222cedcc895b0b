//! Hardening of what the tool leaves behind and shows: a background check holds no pipe of
//! its callers, every number of the configuration is bounded, a carriage return never hides
//! text on a terminal, `lint --fix` writes all files or none, and huge inputs stay cheap.

mod common;

use common::*;
use std::process::{Command, Stdio};

const V2: &str = include_str!("../examples/privacy/v2.md");

/// `check --detach` keeps no descriptor above 2 of the hook that started it: a commit run as
/// `git commit … 3>&1 | cat` gives its reader end-of-file while the slow delivery goes on.
#[test]
fn a_detached_check_closes_inherited_descriptors() {
    let server = SmtpServer::start(&["--delay", "0.05"]);
    let site = smtp_site(server.port, 100, ", connections: 1");
    site.run(&["hook", "install"]).code(0);
    site.repo.write("privacy.md", V2);
    site.repo.git(&["add", "-A"]);
    // `cat` ends when every holder of the pipe's write end has closed it: fd 3 goes from
    // the shell to git, to the hook, to `check --detach` and, before the fix, to the check.
    let out = Command::new("bash")
        .arg("-c")
        .arg(
            "git -c user.name=Test -c user.email=test@example.com -c commit.gpgsign=false \
             commit -q -m v2 3>&1 | cat",
        )
        .current_dir(site.repo.path())
        .envs(ISOLATED_GIT)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 100 messages at 50 ms each: the delivery takes 5 s at least, and is not over.
    let sent = server.messages_count();
    assert!(
        sent < 100,
        "the pipe stayed open until all {sent} messages were sent"
    );
    wait_for("the whole delivery", || server.messages_count() == 100);
    each_once(&server.messages(), 100);
}

/// Every number of the configuration is bounded: a value out of bounds is refused by
/// `config check` and by `check` with the file, the line and the key (exit 2), never a panic
/// (before: `config check` accepted these and `check` exited 101 when it sent).
#[test]
fn every_configured_number_is_bounded() {
    let server = SmtpServer::start(&[]);
    let site = smtp_site(server.port, 3, "");
    let baseline = site.notified();
    site.repo.commit("privacy.md", V2);
    let config = |extra: &str| {
        format!(
            "policies: [{{ path: privacy.md, name: Privacy Policy }}]
sender: legal@acme.example
subscribers_file: people.csv
delivery:
  transport: smtp
  smtp:
    host: 127.0.0.1
    port: {}
    security: none
{extra}",
            server.port
        )
    };
    for (extra, want) in [
        (
            "    rate_limit: 1e-300\n",
            "policy-diff.yaml:11: delivery.smtp.rate_limit: 1e-300 is not a number of messages per second from 0.001 to 10000",
        ),
        (
            "    rate_limit: 1e-19\n",
            "policy-diff.yaml:11: delivery.smtp.rate_limit: 1e-19 is not a number of messages per second from 0.001 to 10000",
        ),
        (
            "    timeout_seconds: 18446744073709551615\n",
            "policy-diff.yaml:11: delivery.smtp.timeout_seconds: 18446744073709551615 is not a number of seconds from 1 to 3600",
        ),
        (
            "    max_messages_per_connection: 18446744073709551615\n",
            "policy-diff.yaml:11: delivery.smtp.max_messages_per_connection: 18446744073709551615 is not a number of messages from 1 to 1000000",
        ),
        (
            "notify: { excerpt_words: 18446744073709551615 }\n",
            "policy-diff.yaml:11: notify.excerpt_words: 18446744073709551615 is not a number of words from 10 to 100000",
        ),
    ] {
        site.config(&config(extra));
        for command in [&["config", "check"][..], &["check"][..]] {
            let run = site.run(command);
            assert!(
                !run.stderr.contains("panicked"),
                "{command:?} {extra}: {}",
                run.stderr
            );
            run.code(2).stderr_has(want);
        }
        assert_eq!(server.messages_count(), 0, "nothing sent for {extra}");
        assert_eq!(site.notified(), baseline, "nothing moved for {extra}");
    }
    // The bounds themselves are accepted, and the run delivers.
    site.config(&config(
        "    rate_limit: 10000\n    timeout_seconds: 3600\n    max_messages_per_connection: 1000000\n",
    ));
    site.run(&["config", "check"]).code(0);
    site.run(&["check"]).code(0);
    each_once(&server.messages(), 3);
}

/// A carriage return that ends no line reaches no terminal raw, wherever it stands (between
/// words of a change, in a heading): it is shown as `\x0d`, in plain, coloured and Markdown
/// output. Before, `Zz sells data.\r We never sell…` showed only the second sentence.
#[test]
fn a_lone_carriage_return_is_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        "a.md",
        "# Privacy\n\nWe never sell your data.\n\n## Logs\n\nWe keep logs.\n",
    );
    write(
        "b.md",
        "# Privacy\n\nZz sells data.\r We never sell your data.\n\n## Lo\rgs\n\nWe keep logs.\n",
    );
    for format in [
        &["--color", "never"][..],
        &["--color", "always"][..],
        &["--format", "markdown"][..],
    ] {
        let mut args = vec!["a.md", "b.md"];
        args.extend(format);
        let run = run_in(dir.path(), &args);
        run.code(1);
        assert!(!run.stdout.contains('\r'), "{format:?}: {:?}", run.stdout);
        let shown = run.stdout.replace(r"\\x0d", r"\x0d");
        assert!(
            shown.contains(r"Zz sells data."),
            "{format:?}: {}",
            run.stdout
        );
        assert!(
            shown.contains(r"\x0d We never sell"),
            "{format:?}: {}",
            run.stdout
        );
        assert!(shown.contains(r"Lo\x0dgs"), "{format:?}: {}", run.stdout);
    }
    run_in(dir.path(), &["a.md", "b.md", "--color", "never"])
        .stdout_has(r"{+Zz sells data.+}\x0d We never sell your data.");
}

/// CRLF line ends stay line ends: no escape, and no carriage return left at the end of a
/// line (in a coloured or Markdown insertion spanning lines either).
#[test]
fn crlf_line_ends_are_line_ends() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        "a.md",
        "# Privacy\r\n\r\nWe never sell your data.\r\nWe keep logs.\r\n",
    );
    write(
        "b.md",
        "# Privacy\r\n\r\nWe never sell your data.\r\nWe keep some logs.\r\nAnd more lines\r\nhere.\r\n",
    );
    for format in [
        &["--color", "never"][..],
        &["--color", "always"][..],
        &["--format", "markdown"][..],
    ] {
        let mut args = vec!["a.md", "b.md"];
        args.extend(format);
        let run = run_in(dir.path(), &args);
        run.code(1);
        assert!(!run.stdout.contains('\r'), "{format:?}: {:?}", run.stdout);
        assert!(!run.stdout.contains("x0d"), "{format:?}: {}", run.stdout);
        assert!(
            run.stdout.contains("And more lines"),
            "{format:?}: {}",
            run.stdout
        );
    }
}

/// `lint --fix` is all or nothing: when one policy cannot be fixed, no policy is rewritten
/// (before: `a.md` was rewritten, then `b.md` failed with "nothing was written"); when all
/// can, all are.
#[test]
fn lint_fix_writes_every_file_or_none() {
    let policy = |date: &str, days: &str| {
        format!(
            "# Privacy\n\nLast updated: {date}\n\nWe make garden software.\n\n## Data\n\nWe keep data for {days}.\n"
        )
    };
    let repo = Repo::new();
    repo.write("a.md", &policy("January 17, 2013", "30 days"));
    repo.write("b.md", &policy("01/17/2013", "30 days"));
    repo.commit_all("v1");
    let a = policy("January 17, 2013", "90 days");
    // 03/02/2026 would not read back without a date order: b.md cannot be fixed.
    let b = policy("01/17/2013", "90 days");
    repo.write("a.md", &a);
    repo.write("b.md", &b);
    repo.git(&["add", "-A"]);
    repo.run(&["lint", "--fix", "--date", "2026-03-02"])
        .code(2)
        .stderr_has("b.md:3: --fix would write \"03/02/2026\"")
        .stderr_has("nothing was written");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("a.md")).unwrap(),
        a
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("b.md")).unwrap(),
        b
    );
    let left: Vec<_> = std::fs::read_dir(repo.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // Both fixable: both are written.
    repo.run(&[
        "lint",
        "--fix",
        "--date",
        "2026-03-02",
        "--date-order",
        "mdy",
    ])
    .code(1)
    .stdout_has("a.md:3: fixed")
    .stdout_has("b.md:3: fixed");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("a.md")).unwrap(),
        a.replace("January 17, 2013", "March 2, 2026")
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("b.md")).unwrap(),
        b.replace("01/17/2013", "03/02/2026")
    );
}

/// Sentences of 8 to 20 words from a vocabulary of 3,000 words and a few common ones
/// (deterministic: a linear congruential generator seeded by `seed`), about `words` words.
fn prose(seed: u64, words: usize) -> Vec<String> {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    let common = [
        "the", "we", "data", "your", "and", "of", "to", "a", "in", "may",
    ];
    let (mut sentences, mut count) = (Vec::new(), 0);
    while count < words {
        let n = 8 + next(13) as usize;
        let mut s: Vec<String> = (0..n)
            .map(|_| match next(4) {
                0 => common[next(10) as usize].to_string(),
                _ => format!("w{}", next(3000)),
            })
            .collect();
        s[0] = format!("W{}", &s[0][1..]);
        s[n - 1].push('.');
        count += n;
        sentences.push(s.join(" "));
    }
    sentences
}

/// The word diff's cost is bounded: a paragraph of 100,000 words rewritten throughout is
/// replaced in a few long runs (the fallback for huge rewrites, not a word-by-word search),
/// and a huge text with scattered edits is still compared finely; both stay lossless (the
/// ops rebuild each version's words). Before, the rewrite was searched word by word.
#[test]
fn a_huge_rewrite_is_diffed_coarsely_and_losslessly() {
    let dir = tempfile::tempdir().unwrap();
    let old = prose(1, 100_000);
    let new = prose(2, 100_000);
    let write = |name: &str, sentences: &[String]| {
        std::fs::write(
            dir.path().join(name),
            format!("# Policy\n\n{}\n", sentences.join(" ")),
        )
        .unwrap()
    };
    write("old.md", &old);
    write("new.md", &new);
    // Every 40th sentence rewritten, on one line of some 600 kB.
    let edited: Vec<String> = old
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if i % 40 == 7 {
                format!("Now {s}")
            } else {
                s.clone()
            }
        })
        .collect();
    write("edited.md", &edited);

    let run = run_in(dir.path(), &["old.md", "new.md", "--format", "json"]);
    run.code(1);
    let doc = &run.json()["documents"][0];
    let kinds: Vec<&str> = doc["sections"][0]["ops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["op"].as_str().unwrap())
        .collect();
    // Replaced in a few long runs (equal only where whole pieces of text recur), not
    // searched word by word for every common word the two texts share.
    assert!(
        kinds.len() < 100,
        "{} ops: the rewrite is compared word by word",
        kinds.len()
    );
    let removed = doc["sections"][0]["words_removed"].as_u64().unwrap() as usize;
    let old_words: usize = old.iter().map(|s| s.split(' ').count()).sum();
    assert!(
        removed * 100 >= old_words * 95,
        "{removed} of {old_words} words removed"
    );
    let words = |s: &[String]| -> Vec<String> {
        std::iter::once("#".to_string())
            .chain(std::iter::once("Policy".to_string()))
            .chain(s.iter().flat_map(|s| s.split(' ').map(str::to_string)))
            .collect()
    };
    assert!(
        rebuilt_words(doc, "delete") == words(&old),
        "old text rebuilt"
    );
    assert!(
        rebuilt_words(doc, "insert") == words(&new),
        "new text rebuilt"
    );

    let run = run_in(dir.path(), &["old.md", "edited.md", "--format", "json"]);
    run.code(1);
    let doc = &run.json()["documents"][0];
    let section = &doc["sections"][0];
    let changes = old.len().div_ceil(40);
    assert_eq!(
        section["words_added"], changes,
        "one word added per edited sentence"
    );
    assert_eq!(section["words_removed"], 0);
    assert!(
        rebuilt_words(doc, "delete") == words(&old),
        "old text rebuilt"
    );
    assert!(
        rebuilt_words(doc, "insert") == words(&edited),
        "edited text rebuilt"
    );
}
