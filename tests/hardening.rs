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

/// The policy and the two subscribers of every site here.
const PEOPLE: &str = "policies: [{ path: privacy.md, name: Privacy Policy }]
sender: legal@acme.example
subscribers:
  - email: ada@example.com
  - email: bob@example.com
";

/// Delivery by SMTP to 127.0.0.1:`port`; `extra` adds keys (`, timeout_seconds: 1`).
fn smtp_delivery(port: u16, extra: &str) -> String {
    format!(
        "delivery:\n  transport: smtp\n  smtp: {{ host: 127.0.0.1, port: {port}, security: none{extra} }}\n"
    )
}

/// The one journal a site has.
fn only_journal(site: &Site) -> PathBuf {
    std::fs::read_dir(state_dir(site).join("journal"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
}

fn outbox_site(extra: &str) -> Site {
    let site = Site::new(&format!("{PEOPLE}{extra}"));
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
    let site = outbox_site(&smtp_delivery(server.port, ""));
    site.repo.commit("privacy.md", V2);
    site.run(&["check"]).code(1).stderr_has("will retry");
    let journal_dir = state_dir(&site).join("journal");
    let journal = only_journal(&site);
    assert_eq!(mode(&journal), 0o600);
    assert_eq!(mode(&journal_dir), 0o700);
    let victim = site.dir.path().join("victim.txt");
    std::fs::copy(&journal, &victim).unwrap();
    let kept = std::fs::read_to_string(&victim).unwrap();
    std::fs::remove_file(&journal).unwrap();
    symlink(&victim, &journal).unwrap();
    let good = SmtpServer::start(&[]);
    site.config(&format!("{PEOPLE}{}", smtp_delivery(good.port, "")));
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
    let site = outbox_site(&smtp_delivery(server.port, ""));
    site.repo.commit("privacy.md", V2);
    site.run(&["check"]).code(1);
    assert_eq!(server.messages().len(), 1, "ada got hers");
    let journal = only_journal(&site);
    let mut bytes = std::fs::read(&journal).unwrap();
    bytes.extend_from_slice(b"sent jos\xc3");
    bytes.extend_from_slice(b"\ngarbage \xff\xfe line\nsent \nfailed \n");
    std::fs::write(&journal, &bytes).unwrap();
    let good = SmtpServer::start(&[]);
    site.config(&format!("{PEOPLE}{}", smtp_delivery(good.port, "")));
    let run = site.run(&["check"]);
    run.code(0)
        .stderr_has(&format!("{}: skipped 3 lines", journal.display()))
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

/// Control characters in policy text, titles, headings, paths and commit messages reach no
/// terminal raw: not in the diff (with or without colour), `log`, `check`'s summary line,
/// `--dry-run` or `preview`. They are shown as escapes instead.
#[test]
fn control_characters_from_policies_never_reach_the_terminal() {
    let hostile_v1 = "# Privacy \u{1b}]0;owned\u{7}Policy\n\nLast updated: January 15, 2024\n\n## Data\n\nWe keep data.\n";
    let hostile_v2 = "# Privacy \u{1b}]0;owned\u{7}Policy\n\nLast updated: June 3, 2024\n\n## Data \u{1b}[2J\n\nWe keep data\rhidden \u{202e}txt.exe and \u{9b}31m \u{200f}more.\n";
    let site = Site::new(
        "policies: [{ path: \"*.md\" }]
sender: legal@acme.example
subscribers: [{ email: ada@example.com }]
",
    );
    let path = "pri\u{1b}[31mvacy.md";
    site.repo.commit(path, hostile_v1).tag("v1");
    site.run(&["check"]).code(0);
    site.repo.write(path, hostile_v2);
    site.repo.commit_all("Update \u{1b}[2J policy").tag("v2");
    let runs = [
        site.repo.run(&["v1", "v2", "--color", "never"]),
        site.repo.run(&["v1", "v2", "--color", "always"]),
        site.repo.run(&["log", "--color", "never"]),
        site.run(&["check", "--dry-run"]),
        site.run(&["preview", "v1", "v2"]),
        site.run(&["check", "-v"]),
    ];
    for run in &runs {
        for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            let raw: Vec<char> = text
                .chars()
                .filter(|c| {
                    (c.is_control() && !matches!(c, '\n' | '\t'))
                        || ('\u{202a}'..='\u{202e}').contains(c)
                        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}')
                })
                .collect();
            // With colour, policy-diff's own colour codes are the only escapes.
            let own = text.matches("\u{1b}[").count()
                - text.matches("\u{1b}[2J").count()
                - text.matches("\u{1b}[31mvacy").count();
            let allowed = if text.contains("\u{1b}[32m") { own } else { 0 };
            assert!(
                raw.len() <= allowed && !text.contains("\u{1b}[2J") && !text.contains("\u{1b}]0"),
                "{stream} carries raw controls {raw:?}:\n{text}"
            );
        }
    }
    assert!(runs[0].stdout.contains("\\x1b[2J"), "{}", runs[0].stdout);
    assert!(runs[0].stdout.contains("\\x0dhidden"), "{}", runs[0].stdout);
    assert!(
        runs[0].stdout.contains("\\u{202e}txt"),
        "{}",
        runs[0].stdout
    );
    assert!(
        runs[2].stdout.contains("pri\\x1b[31mvacy.md"),
        "{}",
        runs[2].stdout
    );
    assert!(runs[5].stdout.contains("sent 1 message"), "{:?}", runs[5]);
}

/// A file name or heading cannot break out of Markdown output: rendered by a CommonMark
/// parser, no raw HTML element, image or javascript: link comes out.
#[test]
fn markdown_output_keeps_hostile_names_and_headings_as_text() {
    let repo = Repo::new();
    let path = "a`<img src=x onerror=alert(1)>`.md";
    let old = "# Terms\n\n## Fees\n\nTen euros.\n";
    let new = "# Terms\n\n## Fees ![pixel](https://tracker.example/p.png) <script>x()</script>\n\nTwelve euros, see [this](javascript:alert(2)) and ![](https://tracker.example/q.png).\n";
    repo.commit(path, old).tag("v1");
    repo.commit(path, new).tag("v2");
    let run = repo.run(&["v1", "v2", "--format", "markdown"]);
    run.code(1);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&run.stdout));
    for bad in ["<img", "<script", "href=\"javascript:", "onerror=alert(1)>"] {
        assert!(
            !html.contains(bad),
            "{bad} in:\n{html}\nfrom:\n{}",
            run.stdout
        );
    }
    // The text is still all there, as text.
    assert!(html.contains("tracker.example/p.png"), "{html}");
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{html}"
    );
    assert!(html.contains("<ins>"), "{html}");
}

/// Links in the configuration may only be http, https or mailto (a `javascript:` link
/// would run in a reader's mail client); each is refused with its key and line.
#[test]
fn links_in_the_configuration_must_be_web_or_mail_links() {
    for (key, yaml) in [
        (
            "policies[0].url",
            "policies: [{ path: privacy.md, url: \"javascript:alert(1)\" }]\nsender: a@acme.example\n",
        ),
        (
            "notify.diff_url",
            "policies: [{ path: privacy.md }]\nsender: a@acme.example\nnotify:\n  diff_url: \"JavaScript:alert('{{ new_commit }}')\"\n",
        ),
        (
            "notify.unsubscribe_url",
            "policies: [{ path: privacy.md }]\nsender: a@acme.example\nnotify:\n  unsubscribe_url: \"data:text/html,{{ email }}\"\n",
        ),
    ] {
        let site = Site::new(yaml);
        site.repo.commit("privacy.md", V1);
        site.run(&["config", "check"])
            .code(2)
            .stderr_has(key)
            .stderr_has("https, http or mailto");
    }
}

/// Values put into URL patterns are percent-encoded: a subscriber's name cannot add a
/// second unsubscribe target or a header; long headers are folded under 998 octets.
#[test]
fn url_values_are_encoded_and_long_headers_folded() {
    let long = "a".repeat(1500);
    let site = Site::new(&format!(
        "policies: [{{ path: privacy.md, name: Privacy Policy }}]
sender: legal@acme.example
subscribers:
  - email: ada+news@example.com
    name: \"x>, <https://evil.example/steal?\"
notify:
  unsubscribe_url: \"https://acme.example/u?t={long}&email={{{{ email }}}}&n={{{{ name }}}}\"
"
    ));
    site.repo.commit("privacy.md", V1);
    site.run(&["check"]).code(0);
    site.repo.commit("privacy.md", V2);
    site.run(&["check"]).code(0).stdout_has("sent 1 message");
    let outbox = site.dir.path().join("outbox");
    let file = std::fs::read_dir(&outbox)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let raw = std::fs::read(&file).unwrap();
    for line in raw.split(|&b| b == b'\n') {
        assert!(line.len() <= 998, "a line of {} octets", line.len());
    }
    // A List-Id cannot be folded: one too long is refused.
    let config = std::fs::read_to_string(site.config_path()).unwrap();
    site.config(
        config
            .replacen(
                "notify:\n",
                &format!("notify:\n  list_id: \"{long}.acme.example\"\n"),
                1,
            )
            .split_once('\n')
            .unwrap()
            .1,
    );
    site.run(&["config", "check"])
        .code(2)
        .stderr_has("notify.list_id");
    let mails = site.outbox();
    let unsubscribe = mails[0].header("List-Unsubscribe").unwrap().to_string();
    let unfolded: String = unsubscribe.split_whitespace().collect();
    assert_eq!(unfolded.matches('<').count(), 1, "{unfolded}");
    assert!(!unfolded.contains("evil.example/steal?>"), "{unfolded}");
    assert!(
        unfolded.ends_with(
            "&email=ada%2Bnews%40example.com&n=x%3E%2C%20%3Chttps%3A%2F%2Fevil.example%2Fsteal%3F>"
        ),
        "{unfolded}"
    );
}

/// Relative paths in the configuration are relative to the configuration file, whatever the
/// current directory: here a relative `sendmail` program, run from the repository (as a
/// hook does) where a file of the same name waits.
#[cfg(unix)]
#[test]
fn a_relative_sendmail_is_found_beside_the_config_not_in_the_current_folder() {
    let site = Site::new(
        "policies: [{ path: privacy.md, name: Privacy Policy }]
sender: legal@acme.example
subscribers: [{ email: ada@example.com }, { email: bob@example.com }]
delivery:\n  transport: sendmail\n  sendmail: ./send-mail\n",
    );
    let script = |dir: &Path, marker: &str| {
        let path = dir.join("send-mail");
        std::fs::write(
            &path,
            format!("#!/bin/sh\ncat > /dev/null\ntouch \"{marker}\"\n"),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    let beside = site.dir.path().join("ran-beside-config");
    let planted = site.dir.path().join("ran-from-repository");
    script(site.dir.path(), beside.to_str().unwrap());
    script(site.repo.path(), planted.to_str().unwrap());
    site.repo.commit("privacy.md", V1);
    site.run(&["check"]).code(0).stdout_has("baseline");
    site.repo.commit("privacy.md", V2);
    let config = site.config_path();
    run_in(
        site.repo.path(),
        &["check", "--config", config.to_str().unwrap()],
    )
    .code(0)
    .stdout_has("sent 2 messages");
    assert!(beside.exists(), "the sendmail beside the config ran");
    assert!(!planted.exists(), "a program in the current folder ran");
}

/// `remote` and `branch` become git arguments and ref names: an option or a path is refused.
#[test]
fn a_remote_that_is_an_option_is_refused() {
    let marker = std::env::temp_dir().join(format!("pd-upload-pack-{}", std::process::id()));
    for (key, line) in [
        (
            "remote",
            format!("remote: \"--upload-pack=touch {}\"\n", marker.display()),
        ),
        ("remote", "remote: \"../../etc\"\n".to_string()),
        ("branch", "branch: \"-x\"\n".to_string()),
    ] {
        let site = outbox_site("");
        let config = std::fs::read_to_string(site.config_path()).unwrap();
        std::fs::write(site.config_path(), format!("{config}{line}")).unwrap();
        site.run(&["check"]).code(2).stderr_has(&format!("{key}: "));
        site.run(&["config", "check"]).code(2).stderr_has(key);
    }
    assert!(!marker.exists(), "git fetch ran the option");
}

/// A hook that names a config path that is not UTF-8 cannot work: it is refused at install,
/// with nothing written.
#[cfg(unix)]
#[test]
fn a_hook_for_a_config_path_that_is_not_utf8_is_refused() {
    use std::os::unix::ffi::OsStrExt;
    let site = outbox_site("");
    let odd = site
        .dir
        .path()
        .join(std::ffi::OsStr::from_bytes(b"policy-diff-\xff.yaml"));
    std::fs::copy(site.config_path(), &odd).unwrap();
    let out = std::process::Command::new(binary())
        .args(["hook", "install", "--config"])
        .arg(&odd)
        .output()
        .unwrap();
    let run = Run::from(out);
    run.code(2).stderr_has("is not valid UTF-8");
    assert!(!site.repo.path().join(".git/hooks/post-commit").exists());
}

/// A huge `--context` saturates instead of overflowing.
#[test]
fn a_huge_context_does_not_overflow() {
    let repo = Repo::new();
    repo.commit("privacy.md", V1).tag("v1");
    repo.commit("privacy.md", V2).tag("v2");
    for context in ["18446744073709551615", "0"] {
        repo.run(&["v1", "v2", "--context", context])
            .code(1)
            .stdout_has("privacy.md: modified");
    }
}

/// More subscribers than a YAML file may safely hold: the error points to subscribers_file.
#[test]
fn too_many_inline_subscribers_point_to_subscribers_file() {
    let mut yaml = String::from(
        "policies: [{ path: privacy.md }]\nsender: legal@acme.example\nsubscribers:\n",
    );
    for i in 0..90_000 {
        yaml.push_str(&format!("  - email: u{i}@example.com\n"));
    }
    let site = Site::new(&yaml);
    site.repo.commit("privacy.md", V1);
    site.run(&["config", "check"])
        .code(2)
        .stderr_has("too large to read safely")
        .stderr_has("subscribers_file");
}

/// A server that drips its replies one byte at a time (each read well within the timeout)
/// cannot hold a run, or the lock: the exchange is cut after twice `timeout_seconds`, the run
/// ends with exit 1 and the next run retries.
#[test]
fn a_server_that_drips_its_replies_cannot_hold_a_run() {
    for mode in ["greeting", "data"] {
        let server = FaultServer::start(mode);
        let port = server.port;
        let site = outbox_site(&smtp_delivery(port, ", timeout_seconds: 1"));
        site.repo.commit("privacy.md", V2);
        let before = site.notified();
        let started = std::time::Instant::now();
        let run = site.run(&["check"]);
        let took = started.elapsed();
        drop(server);
        run.code(1);
        assert!(took.as_secs() < 15, "{mode}: held for {took:?}");
        assert_eq!(site.notified(), before, "{mode}");
    }
}

/// `--rebaseline` over a healthy notified ref moves it to the tip (compare-and-swap from the
/// commit it named), sending nothing.
#[test]
fn rebaseline_moves_a_healthy_ref_to_the_tip() {
    let site = outbox_site("");
    let before = site.notified().unwrap();
    site.repo.commit("privacy.md", V2);
    site.run(&["check", "--rebaseline"])
        .code(0)
        .stdout_has("baseline recorded at ");
    assert_ne!(site.notified().unwrap(), before);
    assert_eq!(site.notified().unwrap(), head(&site));
    assert!(site.outbox().is_empty());
}
