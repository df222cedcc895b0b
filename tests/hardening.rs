//! Hardening: what an attacker with a writable folder, or an unlucky operator, can do to a
//! run — links planted where the tool writes, broken state, hostile templates and text.
//! Each test shows the attack or the fault and what the tool does instead.

mod common;
use common::*;
#[cfg(unix)]
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

const V1: &str = include_str!("../examples/privacy/v1.md");
const V2: &str = include_str!("../examples/privacy/v2.md");
const V3: &str = include_str!("../examples/privacy/v3.md");

fn outbox_site(extra: &str) -> Site {
    let site = Site::new(&format!(
        "policies: [{{ path: privacy.md, name: Privacy Policy }}]
sender: legal@acme.example
subscribers:
  - email: ada@example.com
  - email: bob@example.com
{extra}"
    ));
    site.repo.commit("privacy.md", V1);
    site.run(&["check"]).code(0).stdout_has("baseline");
    site
}

fn state_dir(site: &Site) -> PathBuf {
    site.repo.path().join(".git/policy-diff")
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

fn head(site: &Site) -> String {
    site.repo.git(&["rev-parse", "HEAD"]).trim().to_string()
}

/// Links planted under every name a run writes in the outbox (the messages and the
/// temporary files they are written to) are replaced, never written through.
#[cfg(unix)]
#[test]
fn links_planted_in_the_outbox_are_not_written_through() {
    let site = outbox_site("");
    let outbox = site.dir.path().join("outbox");
    site.repo.commit("privacy.md", V2);
    // A first run shows which names the messages get; then the run is undone.
    let before = site.notified().unwrap();
    site.run(&["check"]).code(0).stdout_has("sent 2 messages");
    let names: Vec<String> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    site.repo
        .git(&["update-ref", "refs/policy-diff/notified", &before]);
    let victim = site.dir.path().join("victim.txt");
    std::fs::write(&victim, "precious\n").unwrap();
    for name in &names {
        let stem = name.trim_end_matches(".eml");
        for planted in [name.clone(), format!(".{stem}.eml.tmp")] {
            let path = outbox.join(planted);
            let _ = std::fs::remove_file(&path);
            symlink(&victim, &path).unwrap();
        }
    }
    site.run(&["check"]).code(0).stdout_has("sent 2 messages");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    for name in &names {
        let path = outbox.join(name);
        assert!(
            !std::fs::symlink_metadata(&path)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("Privacy Policy")
        );
        assert_eq!(mode(&path), 0o600, "{name}");
    }
    assert_eq!(mode(&outbox), 0o700);
}

/// The state folder, the lock and a journal that are links are refused, by path; nothing is
/// created where they point and nothing is sent.
#[cfg(unix)]
#[test]
fn state_files_that_are_links_are_refused_by_path() {
    let site = outbox_site("");
    site.repo.commit("privacy.md", V2);
    let state = state_dir(&site);
    assert_eq!(mode(&state), 0o700);
    assert_eq!(mode(&state.join("lock")), 0o600);

    // The lock: a link to a file that does not exist yet.
    let elsewhere = site.dir.path().join("created-by-a-link");
    std::fs::remove_file(state.join("lock")).unwrap();
    symlink(&elsewhere, state.join("lock")).unwrap();
    let run = site.run(&["check"]);
    run.code(2).stderr_has("lock: is a symbolic link");
    assert!(!elsewhere.exists(), "the lock was created through the link");
    std::fs::remove_file(state.join("lock")).unwrap();

    // The state folder itself.
    let other = site.dir.path().join("other-state");
    std::fs::rename(&state, &other).unwrap();
    symlink(&other, &state).unwrap();
    site.run(&["check"])
        .code(2)
        .stderr_has(&format!("{}: is a symbolic link", state.display()));
    std::fs::remove_file(&state).unwrap();
    std::fs::rename(&other, &state).unwrap();
    assert!(site.outbox().is_empty());
}

/// A journal replaced by a link (to a file the attacker wants appended to) is refused.
#[cfg(unix)]
#[test]
fn a_journal_that_is_a_link_is_refused() {
    let server = SmtpServer::start(&["--reject-temp", "ada@example.com,bob@example.com"]);
    let site = outbox_site(&format!(
        "delivery:\n  transport: smtp\n  smtp: {{ host: 127.0.0.1, port: {}, security: none }}\n",
        server.port
    ));
    site.repo.commit("privacy.md", V2);
    site.run(&["check"]).code(1).stderr_has("will retry");
    let journal_dir = state_dir(&site).join("journal");
    let journal = std::fs::read_dir(&journal_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert_eq!(mode(&journal), 0o600);
    assert_eq!(mode(&journal_dir), 0o700);
    let victim = site.dir.path().join("victim.txt");
    std::fs::copy(&journal, &victim).unwrap();
    let kept = std::fs::read_to_string(&victim).unwrap();
    std::fs::remove_file(&journal).unwrap();
    symlink(&victim, &journal).unwrap();
    let good = SmtpServer::start(&[]);
    site.config(&format!(
        "policies: [{{ path: privacy.md, name: Privacy Policy }}]
sender: legal@acme.example
subscribers:
  - email: ada@example.com
  - email: bob@example.com
delivery:\n  transport: smtp\n  smtp: {{ host: 127.0.0.1, port: {}, security: none }}\n",
        good.port
    ));
    site.run(&["check"])
        .code(2)
        .stderr_has(&format!("{}: is a symbolic link", journal.display()));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), kept);
    assert!(good.messages().is_empty());
}

/// State and outbox folders others can write to are refused, with the chmod that fixes them.
#[cfg(unix)]
#[test]
fn folders_others_can_write_to_are_refused_with_the_fix() {
    let site = outbox_site("");
    site.repo.commit("privacy.md", V2);
    let outbox = site.dir.path().join("outbox");
    std::fs::create_dir_all(&outbox).unwrap();
    std::fs::set_permissions(&outbox, std::fs::Permissions::from_mode(0o777)).unwrap();
    site.run(&["check"])
        .code(2)
        .stderr_has(&format!("chmod go-w {}", outbox.display()));
    assert!(site.outbox().is_empty());
    std::fs::set_permissions(&outbox, std::fs::Permissions::from_mode(0o755)).unwrap();

    let state = state_dir(&site);
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o770)).unwrap();
    site.run(&["check"])
        .code(2)
        .stderr_has(&format!("chmod go-w {}", state.display()));
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).unwrap();
    site.run(&["check"]).code(0).stdout_has("sent 2 messages");
}

/// Each way the notified ref can be unreadable is reported by name; `--rebaseline` (and its
/// dry run) repairs it.
#[test]
fn an_unreadable_notified_ref_is_named_and_rebaseline_repairs_it() {
    let site = outbox_site("");
    site.repo.commit("privacy.md", V2);
    let git = site.repo.path().join(".git");
    let ref_file = git.join("refs/policy-diff/notified");
    let blob = site
        .repo
        .git(&["rev-parse", "HEAD:privacy.md"])
        .trim()
        .to_string();
    site.repo.git(&["tag", "-a", "-m", "a tag", "t1"]);
    let tag = site.repo.git(&["rev-parse", "t1"]).trim().to_string();
    let cases: [(&str, String, &str); 5] = [
        ("garbage", "not a ref at all\n".into(), ""),
        ("empty", String::new(), ""),
        ("symbolic", "ref: refs/heads/main\n".into(), "symbolic ref"),
        ("blob", format!("{blob}\n"), "a blob object"),
        ("tag", format!("{tag}\n"), "a tag object"),
    ];
    for (what, content, says) in cases {
        std::fs::write(&ref_file, &content).unwrap();
        let run = site.run(&["check"]);
        run.code(2)
            .stderr_has("refs/policy-diff/notified")
            .stderr_has("is unreadable")
            .stderr_has(says)
            .stderr_has("check --rebaseline");
        site.run(&["check", "--rebaseline", "--dry-run"])
            .code(0)
            .stdout_has("would record");
        assert_eq!(
            std::fs::read_to_string(&ref_file).unwrap(),
            content,
            "{what}"
        );
        site.run(&["check", "--rebaseline"])
            .code(0)
            .stdout_has("baseline recorded");
        assert_eq!(site.notified().unwrap(), head(&site), "{what}");
        site.run(&["check"]).code(0);
    }
    assert!(site.outbox().is_empty());
}

/// A journal with invalid UTF-8 and a garbled line (a crash in the middle of a non-ASCII
/// address) is read: the good records count, the bad lines are reported by file and line.
#[test]
fn a_journal_with_invalid_utf8_is_read_and_its_bad_lines_reported() {
    let server = SmtpServer::start(&["--reject-temp", "bob@example.com"]);
    let site = outbox_site(&format!(
        "delivery:\n  transport: smtp\n  smtp: {{ host: 127.0.0.1, port: {}, security: none }}\n",
        server.port
    ));
    site.repo.commit("privacy.md", V2);
    site.run(&["check"]).code(1);
    assert_eq!(server.messages().len(), 1, "ada got hers");
    let journal_dir = state_dir(&site).join("journal");
    let journal = std::fs::read_dir(&journal_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut bytes = std::fs::read(&journal).unwrap();
    bytes.extend_from_slice(b"sent jos\xc3");
    bytes.extend_from_slice(b"\ngarbage \xff\xfe line\n");
    std::fs::write(&journal, &bytes).unwrap();
    let good = SmtpServer::start(&[]);
    site.config(&format!(
        "policies: [{{ path: privacy.md, name: Privacy Policy }}]
sender: legal@acme.example
subscribers:
  - email: ada@example.com
  - email: bob@example.com
delivery:\n  transport: smtp\n  smtp: {{ host: 127.0.0.1, port: {}, security: none }}\n",
        good.port
    ));
    let run = site.run(&["check"]);
    run.code(0)
        .stderr_has(&format!("{}: skipped 1 line", journal.display()))
        .stdout_has("sent 1 message");
    let to: Vec<String> = good.messages().iter().map(|m| m.rcpt.clone()).collect();
    assert_eq!(to, ["bob@example.com"], "ada is not sent a second copy");
    assert_eq!(site.notified().unwrap(), head(&site));
    let _ = V3;
}

/// A site with the given `body.txt` template, two named subscribers, and a change waiting.
fn template_site(body: &str) -> Site {
    let site = outbox_site("templates_dir: tpl\n");
    site.config(
        "policies: [{ path: privacy.md, name: Privacy Policy }]
sender: legal@acme.example
subscribers:
  - email: ada@example.com
    name: Ada Lovelace
  - email: bob@example.com
    name: Bob
templates_dir: tpl
",
    );
    site.file("tpl/body.txt", body);
    site.repo.commit("privacy.md", V2);
    site
}

/// Templates that loop or grow without end fail `config check` and `check` in seconds,
/// naming the template; nothing is sent and the notified ref does not move.
#[test]
fn runaway_templates_are_stopped_in_seconds_with_nothing_sent() {
    let doubling: String = "{% set s = \"0123456789abcdef\" %}".to_string()
        + &"{% set s = s ~ s %}".repeat(40)
        + "{{ s|length }}";
    let cases = [
        (
            "nested loops",
            "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}"
                .to_string(),
        ),
        ("a string doubled 40 times", doubling),
        (
            "huge output",
            "{% for a in range(100000) %}{{ \"y\" * 1000 }}{% endfor %}".to_string(),
        ),
    ];
    for (what, body) in cases {
        let site = template_site(&body);
        let before = site.notified();
        let started = std::time::Instant::now();
        site.run(&["config", "check"])
            .code(2)
            .stderr_has("body.txt")
            .stderr_has("gave up");
        site.run(&["check"])
            .code(2)
            .stderr_has("body.txt")
            .stderr_has("gave up");
        let took = started.elapsed();
        assert!(took.as_secs() < 20, "{what}: {took:?}");
        assert!(site.outbox().is_empty(), "{what}");
        assert_eq!(site.notified(), before, "{what}");
    }
}

/// A template that fails for one subscriber only (here: one without a family name) fails
/// `config check`, and `check` sends nothing to anyone — no partial mailing — naming the
/// template, its line and where the subscriber is listed.
#[test]
fn a_template_failing_for_one_subscriber_sends_nothing_to_anyone() {
    let site = template_site("Dear Mx {{ (subscriber.name|split)[1] }},\n\nA policy changed.\n");
    let config_line = |address: &str| {
        let text = std::fs::read_to_string(site.config_path()).unwrap();
        text.lines().position(|l| l.contains(address)).unwrap() + 1
    };
    let bob = format!("policy-diff.yaml:{}", config_line("bob@example.com"));
    site.run(&["config", "check"])
        .code(2)
        .stderr_has("body.txt line 1")
        .stderr_has(&bob);
    let before = site.notified();
    site.run(&["check"])
        .code(2)
        .stderr_has("body.txt line 1")
        .stderr_has(&bob)
        .stderr_has("nothing was sent");
    assert!(site.outbox().is_empty(), "ada was sent hers alone");
    assert_eq!(site.notified(), before);
    // Once the template is fixed, everyone is told.
    site.file(
        "tpl/body.txt",
        "Dear {{ subscriber.name }},\n\nA policy changed.\n",
    );
    site.run(&["check"]).code(0).stdout_has("sent 2 messages");
}
