//! `policy-diff check`, `preview`, `hook` and `config check` end to end: real repositories,
//! the real binary, a real SMTP server on 127.0.0.1 (aiosmtpd), outbox and sendmail.

mod common;
use common::*;

const V1: &str = include_str!("../examples/privacy/v1.md");
const V2: &str = include_str!("../examples/privacy/v2.md");

const SUBSCRIBERS: &str = "subscribers:
  - email: alice@example.com
    name: Alice
  - email: bob@example.com
    name: Bob Jones
  - email: carol@example.org
";

fn privacy_config(delivery: &str) -> String {
    format!(
        "policies:
  - path: privacy.md
    name: Privacy Policy
    url: https://larkspur.example/privacy
sender: \"Larkspur Legal <legal@larkspur.example>\"
reply_to: privacy@larkspur.example
{SUBSCRIBERS}notify:
  unsubscribe_url: \"https://larkspur.example/unsubscribe?email={{{{ email }}}}\"
  diff_url: \"https://git.larkspur.example/compare/{{{{ old_commit_short }}}}...{{{{ new_commit_short }}}}\"
{delivery}"
    )
}

fn smtp(port: u16) -> String {
    format!(
        "delivery:\n  transport: smtp\n  smtp: {{ host: 127.0.0.1, port: {port}, security: none }}\n"
    )
}

#[test]
fn baseline_then_each_subscriber_gets_one_message_by_smtp() {
    let server = SmtpServer::start(&[]);
    let site = Site::new(&privacy_config(&smtp(server.port)));
    site.repo.commit("privacy.md", V1);

    let first = site.run(&["check"]);
    first.code(0).stdout_has("baseline recorded");
    assert_eq!(first.stdout.lines().count(), 1);
    assert!(server.messages().is_empty());
    assert!(site.notified().is_some());

    site.repo.commit("privacy.md", V2);
    let run = site.run(&["check"]);
    run.code(0)
        .stdout_has("sent 3 messages for Privacy Policy (last updated 2024-01-15 → 2024-06-03)");
    // Addresses are personal data: not printed at default verbosity.
    assert!(
        !run.stdout.contains("alice@") && !run.stderr.contains("alice@"),
        "{run:?}"
    );

    let mails = server.messages();
    assert_eq!(mails.len(), 3);
    // No more connections than messages (the default allows 4).
    let sessions = std::fs::read_to_string(server.dir.path().join("sessions.log")).unwrap();
    assert!((1..=3).contains(&sessions.lines().count()), "{sessions}");
    let mut rcpts: Vec<&str> = mails.iter().map(|m| m.rcpt.as_str()).collect();
    rcpts.sort();
    assert_eq!(
        rcpts,
        ["alice@example.com", "bob@example.com", "carol@example.org"]
    );
    for m in &mails {
        assert_eq!(m.count("To"), 1);
        assert!(
            m.header("To").unwrap().contains(&m.rcpt),
            "To: is the recipient alone: {:?}",
            m.header("To")
        );
        assert_eq!(m.count("Cc") + m.count("Bcc"), 0);
        assert_eq!(
            m.header("Subject"),
            Some("Privacy Policy updated — last updated June 3, 2024")
        );
        assert_eq!(
            m.header("From"),
            Some("Larkspur Legal <legal@larkspur.example>")
        );
        assert_eq!(m.header("Reply-To"), Some("privacy@larkspur.example"));
        assert_eq!(
            m.header("List-Id"),
            Some("<policy-updates.larkspur.example>")
        );
        assert_eq!(m.header("Auto-Submitted"), Some("auto-generated"));
        assert_eq!(
            m.header("List-Unsubscribe-Post"),
            Some("List-Unsubscribe=One-Click")
        );
        // Values in URL patterns are percent-encoded.
        assert_eq!(
            m.header("List-Unsubscribe").unwrap(),
            format!(
                "<https://larkspur.example/unsubscribe?email={}>",
                m.rcpt.replace('@', "%40")
            )
        );
        assert!(m.header("Date").is_some());
        assert!(
            m.header("Message-ID")
                .unwrap()
                .ends_with("@larkspur.example>")
        );
        assert_eq!(m.content_type, "multipart/alternative");
        assert_eq!(
            m.parts,
            ["multipart/alternative", "text/plain", "text/html"]
        );
        assert!(m.defects.is_empty(), "{:?}", m.defects);
        let text = m.text();
        assert!(text.contains("last updated June 3, 2024"), "{text}");
        assert!(text.contains("[-30-] {+90+} days"), "{text}");
        assert!(
            text.contains("Removed: 5. Contests and Promotions"),
            "{text}"
        );
        assert!(
            text.contains("Renamed: 3. Cookies → 4. Cookies and Similar Technologies"),
            "{text}"
        );
        assert!(text.contains("Added: 6. Your Rights"), "{text}");
        assert!(m.html().contains("<ins style=") && m.html().contains("<del style="));
    }
    let alice = mails
        .iter()
        .find(|m| m.rcpt == "alice@example.com")
        .unwrap();
    assert!(alice.text().starts_with("Hello Alice,"));
    let ids: std::collections::HashSet<_> = mails
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "one Message-ID per recipient");

    // Again: nothing new, no output at all (cron mails any output), nothing sent.
    let again = site.run(&["check"]);
    again.code(0);
    assert_eq!((again.stdout.as_str(), again.stderr.as_str()), ("", ""));
    assert_eq!(server.messages().len(), 3);
    assert_eq!(
        site.notified().unwrap(),
        site.repo.git(&["rev-parse", "HEAD"]).trim()
    );
}

#[test]
fn digest_and_per_subscriber_policy_filters() {
    let site = Site::new(
        "policies:
  - path: privacy.md
    name: Privacy Policy
  - path: \"terms/*.md\"
sender: legal@acme.example
subscribers:
  - email: all@example.com
  - email: privacy-only@example.com
    policies: [Privacy Policy]
  - email: terms-only@example.com
    policies: [\"terms/*.md\"]
",
    );
    site.repo.write("privacy.md", V1).write(
        "terms/service.md",
        "# Terms of Service\n\n## Fees\n\nYou pay 10 euros.\n",
    );
    site.repo.commit_all("first");
    site.run(&["check"]).code(0);
    site.repo.write("privacy.md", V2).write(
        "terms/service.md",
        "# Terms of Service\n\n## Fees\n\nYou pay 12 euros.\n",
    );
    site.repo.commit_all("both change in one commit");
    site.run(&["check"]).code(0).stdout_has("sent 3 messages");
    let mails = site.outbox();
    let by = |who: &str| {
        mails
            .iter()
            .find(|m| m.header("To") == Some(who))
            .unwrap_or_else(|| panic!("no mail to {who}"))
    };
    let all = by("all@example.com");
    assert_eq!(
        all.header("Subject"),
        Some("Privacy Policy, Terms of Service updated")
    );
    assert!(all.text().contains("[-10-] {+12+} euros") && all.text().contains("{+90+}"));
    let privacy = by("privacy-only@example.com");
    assert!(
        privacy
            .header("Subject")
            .unwrap()
            .starts_with("Privacy Policy updated")
    );
    assert!(!privacy.text().contains("euros"));
    let terms = by("terms-only@example.com");
    assert_eq!(terms.header("Subject"), Some("Terms of Service updated"));
    assert!(!terms.text().contains("Retention"));
}

#[test]
fn date_only_and_cosmetic_changes_follow_the_switches() {
    let base = "policies: [{ path: privacy.md, name: Privacy Policy }]\nsender: legal@acme.example\nsubscribers: [{ email: a@example.com }]\n";
    let site = Site::new(base);
    site.repo.commit("privacy.md", V1);
    site.run(&["check"]).code(0);
    // Date only: no message by default, but the change is taken as notified.
    site.repo.commit(
        "privacy.md",
        &V1.replace("January 15, 2024", "February 1, 2024"),
    );
    site.run(&["check"]).code(0);
    assert!(site.outbox().is_empty());
    assert_eq!(
        site.notified().unwrap(),
        site.repo.git(&["rev-parse", "HEAD"]).trim()
    );
    // Re-wrapped text: cosmetic, no message by default.
    site.repo.commit(
        "privacy.md",
        &V1.replace("January 15, 2024", "February 1, 2024").replace(
            "email address and the postal code",
            "email address\nand the postal code",
        ),
    );
    site.run(&["check"]).code(0);
    assert!(site.outbox().is_empty());

    // date_only alone: a date-only change is mailed, a cosmetic one still is not.
    site.config(&format!("{base}notify: {{ date_only: true }}\n"));
    let dated = V1.replace("January 15, 2024", "March 9, 2024");
    site.repo.commit("privacy.md", &dated);
    site.run(&["check"])
        .code(0)
        .stdout_has("sent 1 message for Privacy Policy (last updated 2024-02-01 → 2024-03-09)");
    let mails = site.outbox();
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].text().contains("[-February 1,-] {+March 9,+}"),
        "{}",
        mails[0].text()
    );
    let rewrapped = dated.replace("We collect the information", "We  collect the\ninformation");
    site.repo.commit("privacy.md", &rewrapped);
    site.run(&["check"]).code(0);
    assert_eq!(
        site.outbox().len(),
        1,
        "a cosmetic change is not mailed with date_only alone"
    );

    // cosmetic alone: a cosmetic change is mailed, a date-only one is not.
    site.config(&format!("{base}notify: {{ cosmetic: true }}\n"));
    site.repo.commit("privacy.md", &dated);
    site.run(&["check"]).code(0).stdout_has("sent 1 message");
    assert_eq!(site.outbox().len(), 2);
    site.repo.commit(
        "privacy.md",
        &dated.replace("March 9, 2024", "April 2, 2024"),
    );
    site.run(&["check"]).code(0);
    assert_eq!(
        site.outbox().len(),
        2,
        "a date-only change is not mailed with cosmetic alone"
    );
    assert_eq!(
        site.notified().unwrap(),
        site.repo.git(&["rev-parse", "HEAD"]).trim()
    );
}

#[test]
fn text_change_without_date_change_warns_and_still_sends() {
    let site = Site::new(
        "policies: [{ path: privacy.md }]\nsender: legal@acme.example\nsubscribers: [{ email: a@example.com }]\n",
    );
    site.repo.commit("privacy.md", V1);
    site.run(&["check"]).code(0);
    site.repo.commit(
        "privacy.md",
        &V1.replace("within 30 days", "within 45 days"),
    );
    let run = site.run(&["check"]);
    run.code(0)
        .stdout_has("sent 1 message for Larkspur Labs Privacy Policy")
        .stderr_has(
            "privacy.md: the text changed but its \"last updated\" date did not (still 2024-01-15)",
        );
}

#[test]
fn subscribers_file_and_its_errors() {
    let site = Site::new(
        "policies: [{ path: privacy.md, name: Privacy Policy }, { path: terms.md, name: Terms }]\nsender: legal@acme.example\nsubscribers_file: people.csv\n",
    );
    site.file("people.csv", "email,name,policies\nann@example.com,Ann Lee,Privacy Policy\n\"ben@example.com\",\"Ben, Jr.\",Terms;Privacy Policy\ncat@example.com,,Terms\n");
    site.run(&["config", "check"])
        .code(0)
        .stdout_has("3 subscribers");
    site.repo
        .write("privacy.md", V1)
        .write("terms.md", "# Terms\n\nBe nice.\n")
        .commit_all("one");
    site.run(&["check"]).code(0);
    site.repo.commit("privacy.md", V2);
    site.run(&["check"]).code(0).stdout_has("sent 2 messages");
    let to: Vec<String> = site
        .outbox()
        .iter()
        .map(|m| m.header("To").unwrap().to_string())
        .collect();
    assert!(
        to.contains(&"Ann Lee <ann@example.com>".to_string()),
        "{to:?}"
    );
    assert!(to.iter().any(|t| t.contains("ben@example.com")), "{to:?}");
    assert!(!to.iter().any(|t| t.contains("cat@")), "{to:?}");

    site.file(
        "people.csv",
        "email,name,policies\nann@example.com,Ann,Privacy Policy\nnot-an-address,Bad,\n",
    );
    site.run(&["config", "check"])
        .code(2)
        .stderr_has("people.csv:3: email:");
    site.file("people.csv", "dan@example.com,Dan,Cookies\n");
    site.run(&["config", "check"])
        .code(2)
        .stderr_has("people.csv:1: policies: no policy named or at 'Cookies'");
}

#[test]
fn template_override_html_escaping_and_header_injection() {
    let site = Site::new(
        "policies: [{ path: privacy.md, name: \"Privacy\\r\\nX-Injected: yes\" }]
sender: legal@acme.example
templates_dir: mytemplates
subscribers:
  - email: eve@example.com
    name: \"Eve\\r\\nBcc: mallory@example.com\"
",
    );
    site.file("mytemplates/subject.txt", "[Legal notice] {{ policies[0].name }} — {{ policies[0].new_modified_long }}\nBcc: mallory@example.com");
    site.repo.commit(
        "privacy.md",
        "# P\n\nUpdated May 1, 2024\n\n## Scripts\n\nWe run no scripts.\n",
    );
    site.run(&["check"]).code(0);
    site.repo.commit(
        "privacy.md",
        "# P\n\nUpdated June 1, 2024\n\n## Scripts\n\nWe run <script>alert('x')</script> & more.\n",
    );
    site.run(&["check"]).code(0).stdout_has("sent 1 message");
    let mails = site.outbox();
    let m = &mails[0];
    assert!(
        m.header("Subject")
            .unwrap()
            .starts_with("[Legal notice] Privacy"),
        "{:?}",
        m.header("Subject")
    );
    assert!(m.header("Subject").unwrap().contains("June 1, 2024"));
    assert_eq!(m.count("Bcc"), 0, "{:?}", m.headers);
    assert_eq!(m.count("X-Injected"), 0, "{:?}", m.headers);
    assert_eq!(m.count("To"), 1);
    assert!(m.header("To").unwrap().contains("eve@example.com"));
    assert!(m.html().contains("&lt;script&gt;alert("), "{}", m.html());
    assert!(!m.html().contains("<script>"));
    assert!(
        m.text().contains("<script>alert('x')</script>"),
        "the text part shows the text as it is"
    );
}

#[test]
fn sendmail_transport_pipes_each_message() {
    let site = Site::new("");
    let log = site.dir.path().join("sendmail.log");
    let script = site.file(
        "fake-sendmail",
        &format!(
            "#!/bin/sh\n{{ echo \"ARGS: $*\"; cat; echo '--END--'; }} >> '{}'\n",
            log.display()
        ),
    );
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    site.config(&format!(
        "policies: [{{ path: privacy.md, name: Privacy Policy }}]\nsender: legal@acme.example\n{SUBSCRIBERS}delivery:\n  transport: sendmail\n  sendmail: {}\n",
        script.display()
    ));
    site.repo.commit("privacy.md", V1);
    site.run(&["check"]).code(0);
    site.repo.commit("privacy.md", V2);
    site.run(&["check"]).code(0).stdout_has("sent 3 messages");
    let logged = std::fs::read_to_string(&log).unwrap();
    assert_eq!(logged.matches("--END--").count(), 3);
    assert!(
        logged.contains("ARGS: -i -f legal@acme.example -- alice@example.com"),
        "{logged}"
    );
    // The subject's dash (non-ASCII) is sent as an RFC 2047 encoded word.
    assert!(
        logged
            .contains("Subject: Privacy Policy updated =?utf-8?b?4oCU?= last updated June 3, 2024"),
        "{logged}"
    );
}

#[test]
fn dry_run_and_preview_send_nothing() {
    let site = Site::new(&privacy_config(""));
    site.repo.commit("privacy.md", V1).tag("v1");
    site.run(&["check", "--dry-run"])
        .code(0)
        .stdout_has("would record");
    assert!(site.notified().is_none());
    site.run(&["check"]).code(0);
    let baseline = site.notified();
    site.repo.commit("privacy.md", V2).tag("v2");
    site.run(&["check", "--dry-run"])
        .code(0)
        .stdout_has(
            "would send to alice@example.com: Privacy Policy updated — last updated June 3, 2024",
        )
        .stdout_has("dry run: 3 messages would be sent");
    assert!(site.outbox().is_empty());
    assert_eq!(site.notified(), baseline);

    let html = site.dir.path().join("preview.html");
    site.run(&[
        "preview",
        "v1",
        "v2",
        "--to",
        "bob@example.com",
        "--html",
        html.to_str().unwrap(),
    ])
    .code(0)
    .stdout_has("To: Bob Jones <bob@example.com>")
    .stdout_has("Subject: Privacy Policy updated — last updated June 3, 2024")
    .stdout_has("Hello Bob Jones,");
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .contains("<ins style=")
    );
    assert!(site.outbox().is_empty());
}

#[test]
fn hook_install_then_a_real_commit_notifies() {
    let site = Site::new(&privacy_config(""));
    site.repo.commit("privacy.md", V1);
    let install = site.run(&["hook", "install"]);
    install
        .code(0)
        .stdout_has("installed")
        .stdout_lacks("<git dir>");
    // The message names the log where it is.
    let log_path = site.repo.path().join(".git/policy-diff/check.log");
    let log_dir = std::fs::canonicalize(log_path.parent().unwrap().parent().unwrap()).unwrap();
    assert!(
        install.stdout.contains(&format!(
            "{}",
            log_dir.join("policy-diff/check.log").display()
        )) || install.stdout.contains(&format!("{}", log_path.display())),
        "{}",
        install.stdout
    );
    let hook = site.repo.path().join(".git/hooks/post-commit");
    assert!(
        std::fs::read_to_string(&hook)
            .unwrap()
            .contains("check --detach --config")
    );
    // The first commit through the hook records the baseline (in the background); the next
    // one notifies.
    site.repo.commit("README.txt", "not a policy change\n");
    wait_for("the baseline", || site.notified().is_some());
    site.repo.commit("privacy.md", V2);
    let head = site.repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    wait_for("the notification", || {
        site.notified().as_deref() == Some(head.as_str())
    });
    assert_eq!(site.outbox().len(), 3);
    let log = std::fs::read_to_string(site.repo.path().join(".git/policy-diff/check.log")).unwrap();
    assert!(log.contains("baseline recorded"), "{log}");
    assert!(log.contains("policy-diff: sent 3 messages"), "{log}");

    // Uninstalling needs no configuration: run in the repository alone.
    site.repo
        .run(&["hook", "uninstall"])
        .code(0)
        .stdout_has("removed");
    assert!(!hook.exists());
}

#[test]
fn an_existing_hook_is_never_overwritten_silently() {
    let site = Site::new(&privacy_config(""));
    site.repo.commit("privacy.md", V1);
    let hook = site.repo.path().join(".git/hooks/post-commit");
    let marker = site.dir.path().join("theirs-ran");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, format!("#!/bin/sh\ntouch '{}'\n", marker.display())).unwrap();
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    site.run(&["hook", "install"])
        .code(2)
        .stderr_has("already exists and was not written by policy-diff");
    assert!(
        !std::fs::read_to_string(&hook)
            .unwrap()
            .contains("policy-diff")
    );

    site.run(&["hook", "install", "--chain"])
        .code(0)
        .stdout_has("runs the existing hook first");
    site.repo.commit("privacy.md", V2);
    assert!(marker.exists(), "the chained hook ran");
    wait_for("policy-diff's check", || site.notified().is_some());
    site.run(&["hook", "uninstall"])
        .code(0)
        .stdout_has("restored");
    assert!(
        std::fs::read_to_string(&hook)
            .unwrap()
            .contains("theirs-ran")
    );
    site.run(&["hook", "uninstall"])
        .code(2)
        .stderr_has("not written by policy-diff");
}

#[test]
fn post_receive_hook_on_a_bare_server_repository() {
    let work = Site::new(&privacy_config(""));
    work.repo.commit("privacy.md", V1);
    let server = work.repo.bare_clone();
    let bare = server.path().join("policies.git");
    let site_dir = tempfile::tempdir().unwrap();
    let config = site_dir.path().join("policy-diff.yaml");
    std::fs::write(
        &config,
        format!("repository: {}\n{}", bare.display(), privacy_config("")),
    )
    .unwrap();
    run_in(
        site_dir.path(),
        &["hook", "install", "--config", config.to_str().unwrap()],
    )
    .code(0)
    .stdout_has("post-receive");
    run_in(
        site_dir.path(),
        &["check", "--config", config.to_str().unwrap()],
    )
    .code(0)
    .stdout_has("baseline");
    work.repo
        .git(&["remote", "add", "origin", bare.to_str().unwrap()]);
    work.repo.commit("privacy.md", V2);
    let pushed = std::process::Command::new("git")
        .args(["push", "-q", "origin", "main"])
        .current_dir(work.repo.path())
        .envs(ISOLATED_GIT)
        .output()
        .unwrap();
    assert!(pushed.status.success(), "{pushed:?}");
    // One line to the pusher: how many subscribers are configured, and where the log is.
    let told = String::from_utf8_lossy(&pushed.stderr);
    let log = bare.join("policy-diff/check.log");
    assert_eq!(
        told.trim(),
        format!(
            "remote: policy-diff: checking in the background (3 subscribers configured, mailed if a policy they follow changed); log: {}",
            log.display()
        ),
        "{told}"
    );
    let outbox_dir = site_dir.path().join("outbox");
    wait_for("the messages", || outbox(&outbox_dir).len() == 3);
}

#[test]
fn config_check_reports_each_kind_of_error() {
    let site = Site::new(&privacy_config(""));
    site.repo.commit("privacy.md", V1);
    site.run(&["config", "check"])
        .code(0)
        .stdout_has("OK — 1 policy, 3 subscribers, delivery by outbox");
    let base =
        "policies: [{ path: privacy.md, name: Privacy Policy }]\nsender: legal@acme.example\n";
    // Each error is checked whole: the file, line and column or key, and the reason.
    let cases: Vec<(String, &str)> = vec![
        (
            "policies: [\n".into(),
            "policy-diff.yaml:2:11: unclosed bracket '['",
        ),
        (
            format!("{base}subscriber: []\n"),
            "policy-diff.yaml:4:1: unknown field `subscriber`, expected one of repository, branch, remote, \
             policies, sender, reply_to, subscribers, subscribers_file, delivery, notify, lint, templates_dir, \
             date_order, language, ignore_links, ignore",
        ),
        (
            format!("{base}notify: {{ date_only: perhaps }}\n"),
            "policy-diff.yaml:4:22: invalid boolean",
        ),
        (
            format!("{base}subscribers: [{{ email: \"bob@\" }}]\n"),
            "policy-diff.yaml:4: subscribers[0].email: 'bob@' is not a valid email address (Invalid input)",
        ),
        (
            format!("{base}subscribers: [{{ email: b@example.com, policies: [Cookies] }}]\n"),
            "policy-diff.yaml:4: subscribers[0].policies: no policy named or at 'Cookies' (policies: Privacy Policy)",
        ),
        (
            "policies: [{ path: privacy.md }]\nsender: not an address\n".into(),
            "policy-diff.yaml:3: sender: 'not an address' is not a valid email address (Invalid input)",
        ),
        (
            format!(
                "{base}delivery: {{ transport: smtp, smtp: {{ host: smtp.example.com, username: u, password_env: PD_TEST_UNSET_PASSWORD }} }}\n"
            ),
            "policy-diff.yaml: delivery.smtp: the environment variable PD_TEST_UNSET_PASSWORD \
             (delivery.smtp.password_env) is not set",
        ),
        (
            format!("{base}templates_dir: bad\n"),
            "bad/subject.txt line 1: syntax error: unexpected end of block",
        ),
        (
            format!("{base}templates_dir: undefined\n"),
            "undefined/body.txt line 1: undefined value: `subscriber.nickname` is undefined",
        ),
        (
            format!("{base}branch: nope\n"),
            "policy-diff.yaml: branch 'nope' not found (key: branch)",
        ),
    ];
    site.file("bad/subject.txt", "{% if %}");
    site.file("undefined/body.txt", "Hello {{ subscriber.nickname }}");
    for (config, want) in cases {
        site.config(&config);
        let run = site.run(&["config", "check"]);
        run.code(2);
        // One line, ending with the whole message (the path before it may be absolute).
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        let line = run.stderr.trim_end();
        assert!(
            line.starts_with("policy-diff: error: ") && line.ends_with(want),
            "want …{want}\ngot  {line}"
        );
        assert_eq!(
            run.stderr
                .lines()
                .filter(|l| l.contains("panicked"))
                .count(),
            0
        );
    }
}

#[test]
fn the_example_config_is_valid() {
    let repo = Repo::new();
    repo.commit("privacy.md", V1);
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.yaml"))
            .unwrap();
    std::fs::write(repo.path().join("policy-diff.yaml"), &example).unwrap();
    repo.run(&["config", "check"])
        .code(0)
        .stdout_has("OK — 2 policies, 2 subscribers");
    // The same with the SMTP transport it documents: the password must be available.
    std::fs::write(
        repo.path().join("policy-diff.yaml"),
        example.replace("transport: outbox", "transport: smtp"),
    )
    .unwrap();
    repo.run(&["config", "check"])
        .code(2)
        .stderr_has("SMTP_PASSWORD");
}

#[test]
fn an_empty_repository_is_not_an_error() {
    let site = Site::new(&privacy_config(""));
    site.run(&["config", "check"]).code(0);
    let run = site.run(&["check"]);
    run.code(0);
    assert_eq!(run.stdout, "");
}

#[test]
fn remote_is_fetched_before_checking() {
    // The watched repository is a clone; policies are committed upstream.
    let upstream = Repo::new();
    upstream.commit("privacy.md", V1);
    let site = Site::new("");
    let clone = site.dir.path().join("clone");
    git_in(
        site.dir.path(),
        &[
            "clone",
            "-q",
            upstream.path().to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    std::fs::write(
        site.config_path(),
        format!(
            "repository: clone\nremote: origin\nbranch: main\n{}",
            privacy_config("")
        ),
    )
    .unwrap();
    site.run(&["check"]).code(0).stdout_has("baseline");
    upstream.commit("privacy.md", V2);
    site.run(&["check"]).code(0).stdout_has("sent 3 messages");
    assert_eq!(site.outbox().len(), 3);
}

#[test]
fn long_sections_are_trimmed_with_a_link() {
    let config = privacy_config("").replace("notify:\n", "notify:\n  excerpt_words: 20\n");
    let site = Site::new(&config);
    let long_old: String = (0..60).map(|i| format!("Clause {i} applies. ")).collect();
    let long_new: String = (0..60).map(|i| format!("Term {i} applies. ")).collect();
    site.repo
        .commit("privacy.md", &format!("# P\n\n## Long\n\n{long_old}\n"));
    site.run(&["check"]).code(0);
    site.repo
        .commit("privacy.md", &format!("# P\n\n## Long\n\n{long_new}\n"));
    site.run(&["check"]).code(0);
    let mails = site.outbox();
    let text = mails[0].text();
    assert!(
        text.contains("[… trimmed; all changes: https://git.larkspur.example/compare/"),
        "{text}"
    );
    assert!(!text.contains("Term 59"), "{text}");
    assert!(mails[0].html().contains("see all changes"));
}

#[test]
fn noise_set_per_policy_sends_nothing_and_dates_are_written_in_the_policys_language() {
    let base = "policies:
  - { path: help.md, name: Help, ignore_links: true }
  - { path: cgu.md, name: CGU, language: fr, ignore: ['\\d+ jours'] }
sender: legal@acme.example
subscribers: [{ email: a@example.com }]
";
    let site = Site::new(base);
    site.repo.commit(
        "help.md",
        "# Help\n\nRead [our terms](https://x.example/?ref=1).\n",
    );
    site.repo.commit(
        "cgu.md",
        "# CGU\n\nDernière mise à jour : 1er septembre 2023\n\nMis en ligne il y a 3 jours.\n\nLe prix est de 10 euros.\n",
    );
    site.run(&["check"]).code(0);
    // A changed link destination and an ignored counter: no message.
    site.repo.commit(
        "help.md",
        "# Help\n\nRead [our terms](https://x.example/?ref=2).\n",
    );
    site.repo.commit(
        "cgu.md",
        "# CGU\n\nDernière mise à jour : 1er septembre 2023\n\nMis en ligne il y a 4 jours.\n\nLe prix est de 10 euros.\n",
    );
    site.run(&["check"]).code(0);
    assert!(site.outbox().is_empty());
    // A real change: one message, its date written in French.
    site.repo.commit(
        "cgu.md",
        "# CGU\n\nDernière mise à jour : 17 janvier 2026\n\nMis en ligne il y a 5 jours.\n\nLe prix est de 12 euros.\n",
    );
    site.run(&["check"]).code(0).stdout_has("sent 1 message");
    let mails = site.outbox();
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].text().contains("17 janvier 2026"),
        "{}",
        mails[0].text()
    );
    // A bad language or pattern names its key and line.
    site.config(&base.replace("language: fr", "language: klingon"));
    site.run(&["config", "check"])
        .code(2)
        .stderr_has("policies[1].language")
        .stderr_has("unknown language");
}

/// A non-https unsubscribe link (mailto) gets List-Unsubscribe but no one-click
/// List-Unsubscribe-Post (RFC 8058 requires https); `preview --to` shows the message anyone
/// would get, subscriber or not.
#[test]
fn mailto_unsubscribe_has_no_one_click_and_preview_takes_any_address() {
    let config = privacy_config("").replace(
        "https://larkspur.example/unsubscribe?email={{ email }}",
        "mailto:leave@larkspur.example?subject={{ email }}",
    );
    let site = Site::new(&config);
    site.repo.commit("privacy.md", V1).tag("v1");
    site.run(&["check"]).code(0);
    site.repo.commit("privacy.md", V2).tag("v2");
    site.run(&["check"]).code(0).stdout_has("sent 3 messages");
    for m in site.outbox() {
        let to = m.header("To").unwrap();
        let address = to.rsplit('<').next().unwrap().trim_end_matches('>');
        assert_eq!(
            m.header("List-Unsubscribe").unwrap(),
            format!(
                "<mailto:leave@larkspur.example?subject={}>",
                address.replace('@', "%40")
            )
        );
        assert_eq!(m.header("List-Unsubscribe-Post"), None);
    }
    site.run(&["preview", "v1", "v2", "--to", "journalist@news.example"])
        .code(0)
        .stdout_has("To: journalist@news.example\n")
        .stdout_has("Subject: Privacy Policy updated — last updated June 3, 2024\n");
}

/// A message lists at most 50 of the commits it covers.
#[test]
fn at_most_fifty_commits_are_listed() {
    let site = Site::new(&format!("{}templates_dir: tpl\n", privacy_config("")));
    site.file(
        "tpl/body.txt",
        "{{ commits|length }} commits, newest {{ commits[0].summary }}\n",
    );
    site.repo.commit("privacy.md", V1);
    site.run(&["check"]).code(0);
    for i in 0..60 {
        site.repo
            .commit("privacy.md", &V2.replace("2024", &format!("{}", 2100 + i)));
    }
    site.run(&["check"]).code(0).stdout_has("sent 3 messages");
    let mails = site.outbox();
    assert!(
        mails[0]
            .text()
            .contains("50 commits, newest update privacy.md"),
        "{}",
        mails[0].text()
    );
}

/// While another process holds the lock, `check` waits 10 s, then leaves the work to it:
/// exit 0, one line, nothing sent, nothing moved.
#[test]
fn a_held_lock_is_waited_for_then_left_to_its_holder() {
    if std::process::Command::new("flock")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: util-linux `flock` is not installed");
        return;
    }
    let site = Site::new(&privacy_config(""));
    site.repo.commit("privacy.md", V1);
    site.run(&["check"]).code(0);
    site.repo.commit("privacy.md", V2);
    let lock = site.repo.path().join(".git/policy-diff/lock");
    let mut holder = std::process::Command::new("flock")
        .arg(&lock)
        .args(["sleep", "30"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let before = site.notified();
    let started = std::time::Instant::now();
    let run = site.run(&["check"]);
    let waited = started.elapsed();
    holder.kill().unwrap();
    holder.wait().unwrap();
    run.code(0)
        .stdout_has("another check is running on ")
        .stdout_has("; it delivers these changes");
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(waited.as_secs_f64() >= 9.5, "gave up after {waited:?}");
    assert!(site.outbox().is_empty());
    assert_eq!(site.notified(), before);
}

/// The message opens with what changed: quantities and obligations in plain sentences, then
/// added sections, then the changed passages; in the text part and, escaped, in the HTML one.
#[test]
fn the_message_opens_with_what_changed() {
    let site = Site::new(
        "policies: [{ path: terms.md, name: Terms }]\nsender: legal@acme.example\nsubscribers: [{ email: a@example.com }]\n",
    );
    let v1 = "# Terms\n\nLast updated: May 1, 2024\n\n## Suspension of Service\n\nWe may suspend your account when a payment is thirty (30) days overdue.\n\n## Sharing\n\nWe do not sell your personal data.\n\n## Scripts\n\nWe run no scripts.\n";
    site.repo.commit("terms.md", v1);
    site.run(&["check"]).code(0);
    let v2 = v1
        .replace("May 1, 2024", "June 1, 2024")
        .replace("thirty (30) days", "15 days")
        .replace("We do not sell", "We sell")
        .replace("no scripts", "<script>alert(1)</script> scripts")
        + "\n## Limitation Period\n\nClaims must be brought within two years.\n";
    site.repo.commit("terms.md", &v2);
    site.run(&["check"]).code(0).stdout_has("sent 1 message");
    let mails = site.outbox();
    let text = mails[0].text();
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "What changed:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(
        lines,
        [
            "- Suspension of Service: We may suspend your account when a payment is 15 days (was thirty (30) days) overdue.",
            "- Sharing: We sell (was “We do not sell”) your personal data.",
            "- Limitation Period: section added",
            "- Scripts: We run [-no-] {+<script>alert(1)</script>+} scripts.",
        ],
        "{text}"
    );
    // Before the summary of counts and the excerpts.
    assert!(
        text.find("What changed:") < text.find("In this update"),
        "{text}"
    );
    let html = mails[0].html();
    let list = html
        .split("<ul class=\"what-changed\">")
        .nth(1)
        .expect(html);
    let list = list.split("</ul>").next().unwrap();
    assert!(
        list.contains("<strong>Suspension of Service</strong>: We may suspend your account when a payment is 15 days (was thirty (30) days) overdue."),
        "{list}"
    );
    assert!(
        list.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{list}"
    );
    assert!(!html.contains("<script>"), "{html}");
}

/// A commit that changes only a policy's front matter (metadata) mails no one, and is taken
/// as notified so that the next wording change is mailed alone.
#[test]
fn a_front_matter_change_is_never_mailed() {
    let base = "policies: [{ path: privacy.md, name: Privacy Policy }]\nsender: legal@acme.example\nsubscribers: [{ email: a@example.com }]\nnotify: { date_only: true, cosmetic: true }\n";
    let site = Site::new(base);
    let page = |front: &str, body: &str| format!("---\n{front}---\n\n{body}");
    site.repo
        .commit("privacy.md", &page("title: Privacy\ntopics: [Legal]\n", V1));
    site.run(&["check"]).code(0);
    site.repo
        .commit("privacy.md", &page("title: Privacy\n", V1));
    site.run(&["check"]).code(0);
    assert!(site.outbox().is_empty(), "a metadata change was mailed");
    assert_eq!(
        site.notified().unwrap(),
        site.repo.git(&["rev-parse", "HEAD"]).trim()
    );
    site.repo
        .commit("privacy.md", &page("title: Privacy\n", V2));
    site.run(&["check"]).code(0).stdout_has("sent 1 message");
    assert_eq!(site.outbox().len(), 1);
}
