//! Reliability: nothing lost, nothing sent twice — under crashes, server faults, concurrent
//! runs, rewritten history and bad input. Each test breaks something on purpose against real
//! processes (the binary, git, an SMTP server on 127.0.0.1).

mod common;
use common::*;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const V1: &str = include_str!("../examples/privacy/v1.md");
const V2: &str = include_str!("../examples/privacy/v2.md");
const V3: &str = include_str!("../examples/privacy/v3.md");

fn head(site: &Site) -> String {
    site.repo.git(&["rev-parse", "HEAD"]).trim().to_string()
}

/// Guarantee 1: a run killed mid-way is finished by the next; every recipient ends with
/// exactly one copy, except at most the messages in flight — one per connection (4 by
/// default) — which repeat their Message-IDs.
#[test]
fn killed_run_is_finished_by_the_next_without_duplicates() {
    let server = SmtpServer::start(&["--delay", "0.01"]);
    let site = smtp_site(server.port, 500, "");
    site.repo.commit("privacy.md", V2);
    site.kill_check_when("100 messages", || server.messages_count() >= 100);
    let before = server.messages_count();
    assert!(
        (100..500).contains(&before),
        "killed part-way: {before} delivered"
    );
    assert_ne!(
        site.notified().unwrap(),
        head(&site),
        "the ref moves only when all are delivered"
    );

    let run = site.run(&["check"]);
    run.code(0).stdout_has("sent");
    let counts = per_recipient(&server.messages());
    assert_eq!(counts.len(), 500, "every recipient got a message");
    let duplicated: Vec<_> = counts.iter().filter(|(_, ids)| ids.len() > 1).collect();
    assert!(
        duplicated.len() <= 4,
        "at most the messages in flight (one per connection) repeat: {duplicated:?}"
    );
    for (_, ids) in duplicated {
        assert!(
            ids.iter().all(|id| *id == ids[0]),
            "a repeat carries the same Message-ID: {ids:?}"
        );
    }
    eprintln!(
        "kill test: {before} delivered before the kill, {} after the rerun; {} recipients, max {} per recipient",
        counts.values().map(Vec::len).sum::<usize>(),
        counts.len(),
        counts.values().map(Vec::len).max().unwrap()
    );
    assert_eq!(site.notified().unwrap(), head(&site));
    site.run(&["check"]).code(0);
    assert_eq!(
        server.messages().len(),
        counts.values().map(Vec::len).sum::<usize>(),
        "nothing more is sent"
    );
}

/// Guarantee 2: server down — bounded wait, exit 1, state unchanged; the next run delivers.
#[test]
fn server_down_then_back() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let site = Site::new(&format!(
        "policies: [{{ path: privacy.md }}]\nsender: legal@acme.example\nsubscribers: [{{ email: a@example.com }}, {{ email: b@example.com }}]\n\
         delivery: {{ transport: smtp, smtp: {{ host: 127.0.0.1, port: {port}, security: none, timeout_seconds: 3 }} }}\n"
    ));
    site.repo.commit("privacy.md", V1);
    site.run(&["check"]).code(0);
    let baseline = site.notified();
    site.repo.commit("privacy.md", V2);
    let run = site.run(&["check"]);
    run.code(1)
        .stderr_has(&format!("cannot use the SMTP server 127.0.0.1:{port}"));
    assert_eq!(site.notified(), baseline);
    // The server comes up on that port.
    let server = SmtpServer::start_on(port, &[]);
    site.run(&["check"]).code(0).stdout_has("sent 2 messages");
    assert_eq!(server.messages().len(), 2);
    assert_eq!(site.notified().unwrap(), head(&site));
}

/// Guarantee 2: temporary (4xx) and permanent (5xx) refusals.
#[test]
fn temporary_refusals_are_retried_permanent_ones_reported_once() {
    let server = SmtpServer::start(&[
        "--reject-temp",
        "user0001@example.com",
        "--reject-perm",
        "user0003@example.com",
    ]);
    let site = smtp_site(server.port, 5, "");
    site.repo.commit("privacy.md", V2);
    let run = site.run(&["check"]);
    run.code(1)
        .stdout_has("sent 3 messages")
        .stderr_has("not delivered to the subscriber listed at")
        .stderr_has("will retry")
        .stderr_has("refused for the subscriber listed at")
        .stderr_has("550");
    assert!(
        !run.stderr.contains("user0001@") && !run.stderr.contains("user0003@"),
        "addresses only with -v: {}",
        run.stderr
    );
    assert_eq!(
        site.notified().unwrap(),
        head(&site),
        "a temporary failure of one recipient holds nobody else back: the ref moves"
    );
    drop(server);

    // The rejected recipient is retried; the others, and the refused one, are not sent again.
    let server = SmtpServer::start_on(site_port(&site), &["--reject-perm", "user0003@example.com"]);
    let run = site.run(&["check", "-v"]);
    run.code(0).stdout_has("sent 1 message");
    let mails = server.messages();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt, "user0001@example.com");
    assert_eq!(site.notified().unwrap(), head(&site));
}

fn site_port(site: &Site) -> u16 {
    let text = std::fs::read_to_string(site.config_path()).unwrap();
    let at = text.find("127.0.0.1, port: ").unwrap() + 17;
    text[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Guarantee 2: a server refusing everything permanently does not make us record everyone
/// as refused (and so lose the notification).
#[test]
fn a_server_refusing_everything_stops_the_run() {
    let server = SmtpServer::start(&[
        "--reject-perm",
        "user0000@example.com,user0001@example.com,user0002@example.com,user0003@example.com",
    ]);
    let site = smtp_site(server.port, 4, "");
    site.repo.commit("privacy.md", V2);
    site.run(&["check"])
        .code(1)
        .stderr_has("refused each of the first 3 messages");
    assert_ne!(site.notified().unwrap(), head(&site));
}

/// Guarantee 2: the connection dropped mid-message: not delivered; the next run sends it.
#[test]
fn dropped_connection_is_not_a_delivery() {
    let server = SmtpServer::start(&["--drop-after", "2"]);
    let site = smtp_site(server.port, 5, "");
    site.repo.commit("privacy.md", V2);
    site.run(&["check"]).code(1).stderr_has("delivery stopped");
    assert_eq!(server.messages().len(), 2);
    let port = server.port;
    drop(server);
    let server = SmtpServer::start_on(port, &[]);
    site.run(&["check"]).code(0).stdout_has("sent 3 messages");
    each_once(&server.messages(), 3);
}

/// Guarantee 3: eight runs at once (hook, cron and a person) deliver each message once.
#[test]
fn eight_concurrent_runs_deliver_each_message_once() {
    let server = SmtpServer::start(&["--delay", "0.02"]);
    let site = smtp_site(server.port, 20, "");
    site.repo.commit("privacy.md", V2);
    let config = site.config_path();
    let children: Vec<_> = (0..8)
        .map(|_| {
            Command::new(binary())
                .args(["check", "--config", config.to_str().unwrap()])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    each_once(&server.messages(), 20);
    assert_eq!(site.notified().unwrap(), head(&site));
}

/// Guarantee 4: history rewritten — the notified commit still exists: diff from it; gone:
/// refuse, and say how to re-baseline.
#[test]
fn rewritten_history() {
    let site = Site::new(
        "policies: [{ path: privacy.md }]\nsender: legal@acme.example\nsubscribers: [{ email: a@example.com }]\n",
    );
    site.repo.commit("privacy.md", V1);
    site.run(&["check"]).code(0);
    site.repo.commit("privacy.md", V2);
    site.run(&["check"]).code(0).stdout_has("sent 1 message");
    // Force-push style rewrite: the notified commit is no longer on the branch.
    site.repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    site.repo.commit("privacy.md", V3);
    site.run(&["check"]).code(0).stdout_has("sent 1 message");
    let mails = site.outbox();
    let latest = mails
        .iter()
        .find(|m| m.text().contains("Children"))
        .expect("the second message");
    // From the notified commit (v2) to the new tip (v3): v2's sections are the old side.
    assert!(
        latest.text().contains("last updated June 3, 2024")
            || latest.text().contains("June 3, 2024 to February 10, 2025"),
        "{}",
        latest.text()
    );
    assert!(
        !latest.text().contains("Contests"),
        "v1's removed section is not news: {}",
        latest.text()
    );

    // The notified commit is gone from the object store.
    let ref_file = site.repo.path().join(".git/refs/policy-diff/notified");
    std::fs::write(&ref_file, "1111111111111111111111111111111111111111\n").unwrap();
    site.repo.commit("privacy.md", V1);
    site.run(&["check"])
        .code(2)
        .stderr_has("no longer exists")
        .stderr_has("policy-diff check --rebaseline");
    assert_eq!(site.outbox().len(), 2, "nothing sent");
    site.run(&["check", "--rebaseline"])
        .code(0)
        .stdout_has("baseline recorded");
    assert_eq!(site.notified().unwrap(), head(&site));
}

/// Guarantee 5 (configuration): every bad config makes `check` exit 2 before sending anything
/// or moving anything, with the file and the line or key.
#[test]
fn bad_configuration_never_half_sends() {
    let good = "policies: [{ path: privacy.md, name: Privacy Policy }]\nsender: legal@acme.example\nsubscribers: [{ email: a@example.com }]\n";
    let site = Site::new(good);
    site.repo.commit("privacy.md", V1);
    site.run(&["check"]).code(0);
    let baseline = site.notified();
    site.repo.commit("privacy.md", V2);
    site.file("broken/body.html", "<p>{{ policies[0].name }</p>");
    site.file(
        "undefined/body.txt",
        "{% for p in policies %}{{ p.nmae }}{% endfor %}",
    );
    let cases: Vec<(String, &str)> = vec![
        ("policies: [{ path: privacy.md }\nsender: x\n".into(), "policy-diff.yaml:3:7: illegal placement of ':' indicator"),
        (format!("{good}colour: red\n"), "unknown field `colour`"),
        (format!("{good}notify: {{ excerpt_words: many }}\n"), "policy-diff.yaml:5:"),
        ("policies: [{ path: privacy.md }]\nsender: legal@acme.example\nsubscribers: [{ email: \"a@@example.com\" }]\n".into(), "subscribers[0].email"),
        ("policies: [{ path: privacy.md, name: P }]\nsender: legal@acme.example\nsubscribers: [{ email: a@example.com, policies: [Q] }]\n".into(), "subscribers[0].policies"),
        (format!("{good}templates_dir: broken\n"), "body.html line 1"),
        (format!("{good}templates_dir: undefined\n"), "body.txt"),
        (format!("{good}delivery: {{ transport: smtp, smtp: {{ host: mail.example.com, username: u, password_file: nofile }} }}\n"), "password_file"),
        (format!("{good}delivery: {{ transport: smtp, smtp: {{ host: mail.example.com, security: none, username: u, password_env: X }} }}\n"), "refusing to send credentials unencrypted"),
    ];
    for (config, want) in cases {
        site.config(&config);
        let run = site.run(&["check"]);
        run.code(2).stderr_has(want);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(site.outbox().is_empty(), "nothing sent for {config}");
        assert_eq!(site.notified(), baseline, "nothing moved for {config}");
    }
}

/// Guarantee 5 (documents): odd inputs never panic; each gives a clear outcome.
#[test]
fn odd_documents_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        name.to_string()
    };
    let big_section =
        "We may process your information for the purposes described here. ".repeat(40);
    let big: String = (0..8000)
        .map(|i| format!("## Part {i}\n\n{big_section}\n\n"))
        .collect();
    assert!(big.len() > 20_000_000);
    let many: String = (0..10_000)
        .map(|i| format!("### Heading {i}\n\nText {i}.\n\n"))
        .collect();
    let cases: Vec<(String, String, i32, &str)> = vec![
        (
            write("empty-a.md", b""),
            write("empty-b.md", b""),
            0,
            "empty-a.md → empty-b.md: unchanged\n  sections:     no section changed; 0 unchanged",
        ),
        (
            write("empty.md", b""),
            write("some.md", b"# T\n\nText.\n"),
            1,
            "Added",
        ),
        (
            write("lf.md", b"# T\n\n## A\n\nSame text.\n"),
            write(
                "crlf-bom.md",
                "\u{feff}# T\r\n\r\n## A\r\n\r\nSame text.\r\n".as_bytes(),
            ),
            0,
            "lf.md → crlf-bom.md: unchanged (formatting only)\n  sections:     no section changed; 2 unchanged (2 only reformatted)",
        ),
        (
            write("latin1.md", b"# T\n\nCaf\xe9.\n"),
            write("utf8.md", "# T\n\nCafé.\n".as_bytes()),
            1,
            "[-Caf\u{fffd}.-] {+Café.+}",
        ),
        (
            write("big-a.md", big.as_bytes()),
            write(
                "big-b.md",
                big.replacen("Part 4000\n", "Part 4000 (revised)\n", 1)
                    .as_bytes(),
            ),
            1,
            "Part 4000",
        ),
        (
            write("many-a.md", many.as_bytes()),
            write(
                "many-b.md",
                many.replace("Text 9999.", "Text changed.").as_bytes(),
            ),
            1,
            "Heading 9999",
        ),
        (
            write("only-headings.md", b"#\n##\n###\n"),
            write("setext-only.md", b"===\n---\n"),
            1,
            "only-headings.md → setext-only.md: modified",
        ),
    ];
    for (a, b, code, want) in cases {
        let run = run_in(dir.path(), &[&a, &b, "--color", "never"]);
        assert!(!run.stderr.contains("panicked"), "{a} {b}: {}", run.stderr);
        run.code(code).stdout_has(want);
    }
    // Invalid UTF-8 is read with a warning naming the file; binary files are refused.
    run_in(dir.path(), &["latin1.md", "utf8.md"]).stderr_has("latin1.md: not valid UTF-8");
    write("nul.md", b"# T\0\n");
    run_in(dir.path(), &["nul.md", "utf8.md"])
        .code(2)
        .stderr_has("nul.md: binary file");
}

/// Guarantee 5: a binary file among the policies is skipped with a warning; the rest is sent.
#[test]
fn binary_policy_is_skipped_with_a_warning() {
    let site = Site::new(
        "policies: [{ path: \"*.md\" }]\nsender: legal@acme.example\nsubscribers: [{ email: a@example.com }]\n",
    );
    site.repo
        .write("privacy.md", V1)
        .write("logo.md", "x")
        .commit_all("one");
    site.run(&["check"]).code(0);
    site.repo.write("privacy.md", V2);
    std::fs::write(site.repo.path().join("logo.md"), b"\x89PNG\0\0\0binary").unwrap();
    site.repo.commit_all("two");
    site.run(&["check"])
        .code(0)
        .stdout_has("sent 1 message")
        .stderr_has("logo.md: binary file skipped");
}

/// Guarantee 5/6: wrong SMTP password — refused (exit 2), the message never shows the
/// password.
#[test]
fn wrong_password_is_reported_without_the_password() {
    let server = SmtpServer::start(&["--auth", "legal:correct-horse"]);
    let site = Site::new("");
    site.config(&format!(
        "policies: [{{ path: privacy.md }}]\nsender: legal@acme.example\nsubscribers: [{{ email: a@example.com }}]\n\
         delivery: {{ transport: smtp, smtp: {{ host: 127.0.0.1, port: {}, security: none, username: legal, password_env: PD_TEST_PASSWORD }} }}\n",
        server.port
    ));
    site.repo.commit("privacy.md", V1);
    let check = |args: &[&str], password: &str| -> Run {
        let config = site.config_path();
        let out = Command::new(binary())
            .args(args)
            .args(["--config", config.to_str().unwrap()])
            .env("PD_TEST_PASSWORD", password)
            .output()
            .unwrap();
        Run::from(out)
    };
    check(&["check"], "wrong-battery-staple").code(0);
    site.repo.commit("privacy.md", V2);
    for verbose in [false, true] {
        let args: &[&str] = if verbose {
            &["check", "-v"]
        } else {
            &["check"]
        };
        // A refused login is a configuration error (exit 2), not one to retry every run.
        let run = check(args, "wrong-battery-staple");
        run.code(2)
            .stderr_has("refused the login")
            .stderr_has("delivery.smtp.username");
        assert!(
            !site.repo.path().join(".git/policy-diff/journal").exists(),
            "no state is written before the transport is ready"
        );
        assert!(
            !run.stderr.contains("wrong-battery-staple")
                && !run.stdout.contains("wrong-battery-staple"),
            "{run:?}"
        );
    }
    assert!(server.messages().is_empty());
    check(&["check", "-v"], "correct-horse")
        .code(0)
        .stdout_has("sent 1 message");
    assert_eq!(server.messages().len(), 1);
}

/// Guarantee 5/6: STARTTLS required but not offered — no credentials are sent in clear.
#[test]
fn starttls_required_but_not_offered() {
    let server = SmtpServer::start(&["--auth", "legal:secret"]);
    let site = Site::new("");
    site.config(&format!(
        "policies: [{{ path: privacy.md }}]\nsender: legal@acme.example\nsubscribers: [{{ email: a@example.com }}]\n\
         delivery: {{ transport: smtp, smtp: {{ host: 127.0.0.1, port: {}, security: starttls, username: legal, password_env: PD_TEST_PASSWORD2 }} }}\n",
        server.port
    ));
    site.repo.commit("privacy.md", V1);
    let config = site.config_path();
    let run = |args: &[&str]| {
        Run::from(
            Command::new(binary())
                .args(args)
                .args(["--config", config.to_str().unwrap()])
                .env("PD_TEST_PASSWORD2", "secret")
                .output()
                .unwrap(),
        )
    };
    run(&["check"]).code(0);
    site.repo.commit("privacy.md", V2);
    let r = run(&["check"]);
    r.code(1).stderr_has("cannot use the SMTP server");
    assert!(
        !server.dir.path().join("auth-attempts.log").exists(),
        "no AUTH was attempted in clear"
    );
    assert!(server.messages().is_empty());
}

/// A private CA and a server certificate it signed for 127.0.0.1 (as a company's mail server
/// has), made with openssl in `dir`: (ca.pem, cert.pem, key.pem).
fn private_ca(dir: &std::path::Path) -> (PathBuf, PathBuf, PathBuf) {
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    for args in [
        "req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=Test-CA -keyout ca.key -out ca.pem",
        "req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout key.pem -out server.csr",
        "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out cert.pem",
    ] {
        let out = Command::new("openssl")
            .args(args.split(' '))
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    )
}

/// A TLS server (STARTTLS, or TLS from the first byte with `implicit`) that requires
/// authentication as legal:secret, and a site sending to it with `security` and the CA,
/// with a change waiting to be sent.
fn tls_site(certs: &std::path::Path, implicit: bool, security: &str) -> (SmtpServer, Site) {
    let (ca, cert, key) = private_ca(certs);
    let mut args = vec![
        "--auth",
        "legal:secret",
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ];
    if implicit {
        args.push("--implicit-tls");
    }
    let server = SmtpServer::start(&args);
    let site = Site::new("");
    site.file("password", "secret\n");
    site.config(&format!(
        "policies: [{{ path: privacy.md }}]\nsender: legal@acme.example\nsubscribers: [{{ email: a@example.com }}]\n\
         delivery: {{ transport: smtp, smtp: {{ host: 127.0.0.1, port: {}, security: {security}, username: legal, password_file: password, ca_file: {}, timeout_seconds: 5 }} }}\n",
        server.port,
        ca.display()
    ));
    site.repo.commit("privacy.md", V1);
    site.run(&["check"]).code(0);
    site.repo.commit("privacy.md", V2);
    (server, site)
}

/// Every authentication the server saw was over TLS (and there was one).
fn authenticated_over_tls(server: &SmtpServer) {
    let log = std::fs::read_to_string(server.dir.path().join("auth-attempts.log")).unwrap();
    assert!(
        !log.is_empty() && log.lines().all(|l| l.ends_with("tls=True")),
        "{log}"
    );
}

/// STARTTLS with a private CA, then authentication: the happy path.
#[test]
fn starttls_with_a_private_ca_delivers() {
    let certs = tempfile::tempdir().unwrap();
    let (server, site) = tls_site(certs.path(), false, "starttls");
    site.run(&["check"]).code(0).stdout_has("sent 1 message");
    assert_eq!(server.messages().len(), 1);
    authenticated_over_tls(&server);
}

/// `security: tls` (port 465 style: TLS from the first byte) with a private CA delivers;
/// the same server reached with `security: starttls` (which waits for a plain greeting)
/// sends nothing, moves nothing, and says which setting to use.
#[test]
fn implicit_tls_delivers_and_a_mismatch_sends_nothing() {
    let certs = tempfile::tempdir().unwrap();
    let (server, site) = tls_site(certs.path(), true, "starttls");
    let baseline = site.notified();
    // The server waits for a TLS hello, the client for a greeting: the timeout ends it, as
    // for a server that is down (exit 1, the next run tries again), with a hint.
    site.run(&["check"]).code(1).stderr_has(&format!(
        "nothing sent: cannot use the SMTP server 127.0.0.1:{}: no answer within 5 s \
         (timeout_seconds); a server that expects TLS from the first byte (usually port 465) \
         needs security: tls; the next run tries again",
        server.port
    ));
    assert!(server.messages().is_empty());
    assert_eq!(site.notified(), baseline);

    let certs = tempfile::tempdir().unwrap();
    let (server, site) = tls_site(certs.path(), true, "tls");
    site.run(&["check"]).code(0).stdout_has("sent 1 message");
    assert_eq!(server.messages().len(), 1);
    authenticated_over_tls(&server);
}

/// Guarantee 6: outbox files and the journal are readable by the owner only.
#[test]
fn state_and_outbox_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let server = SmtpServer::start(&["--reject-temp", "user0001@example.com"]);
    let site = smtp_site(server.port, 3, "");
    site.repo.commit("privacy.md", V2);
    site.run(&["check"]).code(1);
    let journal_dir = site.repo.path().join(".git/policy-diff/journal");
    let journals: Vec<_> = std::fs::read_dir(&journal_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(journals.len(), 1);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&journals[0]), 0o600);
    assert_eq!(mode(&journal_dir), 0o700);

    let outbox_site = Site::new(
        "policies: [{ path: privacy.md }]\nsender: legal@acme.example\nsubscribers: [{ email: a@example.com }]\n",
    );
    outbox_site.repo.commit("privacy.md", V1);
    outbox_site.run(&["check"]).code(0);
    outbox_site.repo.commit("privacy.md", V2);
    outbox_site.run(&["check"]).code(0);
    let dir = outbox_site.dir.path().join("outbox");
    assert_eq!(mode(&dir), 0o700);
    for f in std::fs::read_dir(&dir).unwrap() {
        assert_eq!(mode(&f.unwrap().path()), 0o600);
    }
}

/// Guarantee 1, deterministically: the kill lands after the server stored a message and
/// before its acceptance reached the journal. The rerun sends that one message again with
/// the same Message-ID (the only duplicate), and, with a commit made between the kill and
/// the rerun, finishes the pending notification before sending the newer one.
#[test]
fn a_kill_between_acceptance_and_journal_repeats_only_that_message() {
    let server = SmtpServer::start(&["--hold-after", "5"]);
    // One connection: message 5 is the only one in flight.
    let site = smtp_site(server.port, 10, ", connections: 1");
    site.repo.commit("privacy.md", V2);
    kill_when_held(&site, &server);
    let first = server.messages();
    assert_eq!(first.len(), 5);
    let in_flight = first[4].rcpt.clone();
    let first_id = |m: &Mail| m.header("Message-ID").unwrap().to_string();
    let notification_1 = first_id(&first[0])[1..17].to_string();

    // A newer change arrives before the rerun.
    site.repo.commit("privacy.md", V3);
    site.run(&["check"]).code(0);
    let all = server.messages();
    let of = |n: &str| -> Vec<&Mail> { all.iter().filter(|m| first_id(m)[1..17] == *n).collect() };
    let pending = of(&notification_1);
    let counts = per_recipient(&pending.iter().map(|m| (*m).clone()).collect::<Vec<_>>());
    assert_eq!(counts.len(), 10, "everyone got the first notification");
    for (who, ids) in &counts {
        if *who == in_flight {
            assert_eq!(ids.len(), 2, "the message in flight is sent again");
            assert_eq!(ids[0], ids[1], "with the same Message-ID");
        } else {
            assert_eq!(ids.len(), 1, "{who} got one copy");
        }
    }
    // The pending notification was finished before anything newer was sent: every message
    // of the second notification comes after the last of the first (server order).
    let position = |m: &Mail| all.iter().position(|x| std::ptr::eq(x, m)).unwrap();
    let last_pending = pending.iter().map(|m| position(m)).max().unwrap();
    let newer: Vec<&Mail> = all
        .iter()
        .filter(|m| first_id(m)[1..17] != *notification_1)
        .collect();
    assert_eq!(newer.len(), 10, "everyone got the newer notification");
    assert!(newer.iter().all(|m| position(m) > last_pending));
    assert_eq!(site.notified().unwrap(), head(&site));
}

/// Runs `check` in the background and SIGKILLs it once `server` (started with
/// `--hold-after N`) has stored message N and is holding its reply: the run dies after the
/// server accepted that message and before it could record it.
fn kill_when_held(site: &Site, server: &SmtpServer) {
    let held = server.dir.path().join("held");
    site.kill_check_when("the server to hold its message", || held.exists());
}

/// Guarantee 1b with real processes: a run killed mid-delivery, its journal's last record
/// then cut in half (what a crash in the middle of the write leaves), a second run killed
/// the same way, and a third that finishes. The cut line is ended before anything is
/// appended, so every record the second run wrote is read back: nobody gets a third copy,
/// and only the recipients whose record was lost or never written get a second one, with
/// the same Message-ID.
#[test]
fn a_journal_record_cut_short_does_not_swallow_the_next() {
    let first_server = SmtpServer::start(&["--hold-after", "3"]);
    let site = smtp_site(first_server.port, 8, ", connections: 1");
    site.repo.commit("privacy.md", V2);
    kill_when_held(&site, &first_server);
    let journal_dir = site.repo.path().join(".git/policy-diff/journal");
    let journal = std::fs::read_dir(&journal_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(text.ends_with("sent user0001@example.com\n"), "{text}");
    // Cut the last record in the middle of the address.
    std::fs::write(&journal, &text[..text.len() - 15]).unwrap();

    // The second run resends user0001 (its record is lost) and user0002 (held, never
    // recorded), and is killed holding user0003.
    let second_server = SmtpServer::start(&["--hold-after", "3"]);
    site.move_smtp_port(first_server.port, second_server.port);
    kill_when_held(&site, &second_server);
    let text = std::fs::read_to_string(&journal).unwrap();
    for who in ["user0000", "user0001", "user0002"] {
        assert!(
            text.lines().any(|l| l == format!("sent {who}@example.com")),
            "{who} has a whole record:\n{text}"
        );
    }

    let third_server = SmtpServer::start(&[]);
    site.move_smtp_port(second_server.port, third_server.port);
    site.run(&["check"]).code(0);
    let mut all = first_server.messages();
    all.extend(second_server.messages());
    all.extend(third_server.messages());
    let counts = per_recipient(&all);
    assert_eq!(counts.len(), 8, "everyone got the notification");
    for (who, ids) in &counts {
        let twice = ["user0001", "user0002", "user0003"]
            .iter()
            .any(|w| who.starts_with(w));
        assert_eq!(ids.len(), if twice { 2 } else { 1 }, "{who}: {ids:?}");
        assert!(ids.iter().all(|id| *id == ids[0]), "{who}: one Message-ID");
    }
    assert_eq!(site.notified().unwrap(), head(&site));
}

/// Guarantee 2 with servers that do not refuse: one that accepts and never answers, one
/// that answers slower than `timeout_seconds`. Bounded wait, exit 1, the ref and the
/// journal folder untouched (no state is written before the transport is ready).
#[test]
fn silent_and_slow_servers_leave_the_state_unchanged() {
    for mode in ["silent", "slow"] {
        let server = FaultServer::start(mode);
        let site = Site::new(&format!(
            "policies: [{{ path: privacy.md }}]\nsender: legal@acme.example\nsubscribers: [{{ email: a@example.com }}]\n\
             delivery: {{ transport: smtp, smtp: {{ host: 127.0.0.1, port: {}, security: none, timeout_seconds: 1 }} }}\n",
            server.port
        ));
        site.repo.commit("privacy.md", V1);
        site.run(&["check"]).code(0);
        let baseline = site.notified();
        site.repo.commit("privacy.md", V2);
        let started = Instant::now();
        site.run(&["check"])
            .code(1)
            .stderr_has("nothing sent")
            .stderr_has("the next run tries again");
        assert!(started.elapsed() < Duration::from_secs(10), "{mode}");
        assert_eq!(site.notified(), baseline, "{mode}");
        assert!(
            !site.repo.path().join(".git/policy-diff/journal").exists(),
            "{mode}: a journal was written"
        );
    }
}

/// Guarantee 2: after a server that refused everything, a rerun against one that accepts
/// delivers to every subscriber (nobody was written off).
#[test]
fn after_a_server_refusing_everything_everyone_is_told() {
    let everyone =
        "user0000@example.com,user0001@example.com,user0002@example.com,user0003@example.com";
    let server = SmtpServer::start(&["--reject-perm", everyone]);
    let site = smtp_site(server.port, 4, "");
    site.repo.commit("privacy.md", V2);
    site.run(&["check"])
        .code(1)
        .stderr_has("refused each of the first 3 messages");
    let port = server.port;
    drop(server);
    let server = SmtpServer::start_on(port, &[]);
    site.run(&["check"]).code(0).stdout_has("sent 4 messages");
    each_once(&server.messages(), 4);
    assert_eq!(site.notified().unwrap(), head(&site));
}

/// Guarantee 2: the connection dropped in the middle of a message's data: not a delivery;
/// the next run sends it.
#[test]
fn a_connection_dropped_mid_data_is_not_a_delivery() {
    let cut = FaultServer::start("cut");
    let site = Site::new(&format!(
        "policies: [{{ path: privacy.md }}]\nsender: legal@acme.example\nsubscribers: [{{ email: a@example.com }}]\n\
         delivery: {{ transport: smtp, smtp: {{ host: 127.0.0.1, port: {}, security: none, timeout_seconds: 5 }} }}\n",
        cut.port
    ));
    site.repo.commit("privacy.md", V1);
    site.run(&["check"]).code(0);
    let baseline = site.notified();
    site.repo.commit("privacy.md", V2);
    site.run(&["check"])
        .code(1)
        .stderr_has("the next run sends what is missing");
    assert_eq!(site.notified(), baseline);
    let journal = site.repo.path().join(".git/policy-diff/journal");
    let recorded: String = std::fs::read_dir(&journal)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(!recorded.contains("sent "), "{recorded}");
    let server = SmtpServer::start(&[]);
    site.config(&format!(
        "policies: [{{ path: privacy.md }}]\nsender: legal@acme.example\nsubscribers: [{{ email: a@example.com }}]\n\
         delivery: {{ transport: smtp, smtp: {{ host: 127.0.0.1, port: {}, security: none }} }}\n",
        server.port
    ));
    site.run(&["check"]).code(0).stdout_has("sent 1 message");
    assert_eq!(server.messages().len(), 1);
}

/// Guarantee 3, reached: eight runs start together behind a barrier while delivery is slow
/// enough (12 s) that they overlap; one delivers, the others wait 10 s and leave with the
/// note; a commit made during the run is delivered by that same run (up to the tip).
#[test]
fn concurrent_runs_overlap_and_one_delivers_up_to_the_tip() {
    let server = SmtpServer::start(&["--delay", "0.6"]);
    // One connection, so that delivery lasts 20 × 0.6 s.
    let site = smtp_site(server.port, 20, ", connections: 1");
    site.repo.commit("privacy.md", V2);
    let config = site.config_path();
    let go = site.dir.path().join("go");
    let script = format!(
        "while [ ! -e '{}' ]; do sleep 0.01; done; exec '{}' check --config '{}'",
        go.display(),
        binary().display(),
        config.display()
    );
    let children: Vec<_> = (0..8)
        .map(|_| {
            Command::new("sh")
                .args(["-c", &script])
                .envs(ISOLATED_GIT)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    std::fs::write(&go, "").unwrap(); // the barrier opens for all eight at once
    // While the winner delivers, a newer version is committed.
    let started = Instant::now();
    while server.messages_count() < 3 && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    site.repo.commit("privacy.md", V3);
    let outputs: Vec<String> = children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{:?}", out);
            String::from_utf8_lossy(&out.stdout).into_owned()
        })
        .collect();
    let winners = outputs
        .iter()
        .filter(|o| o.contains("sent 20 messages"))
        .count();
    let left = outputs
        .iter()
        .filter(|o| o.contains("another check is running on"))
        .count();
    assert_eq!(winners, 1, "{outputs:#?}");
    assert_eq!(left, 7, "the others overlapped and gave up: {outputs:#?}");
    let winner = outputs.iter().find(|o| o.contains("sent 20")).unwrap();
    assert_eq!(winner.matches("sent 20 messages").count(), 2, "{winner}");
    let counts = per_recipient(&server.messages());
    assert_eq!(counts.len(), 20);
    assert!(
        counts
            .values()
            .all(|ids| ids.len() == 2 && ids[0] != ids[1]),
        "each got both notifications once: {counts:?}"
    );
    assert_eq!(site.notified().unwrap(), head(&site));
}

/// Guarantee 6, on success: the password (and its base64 AUTH forms) appears in no output
/// of a successful `check -v`, `--dry-run`, `config check` or `preview`; subscriber
/// addresses appear with -v and on neither stream without it.
#[test]
fn secrets_stay_out_of_every_output() {
    let password = "correct-horse-battery";
    let server = SmtpServer::start(&["--auth", &format!("legal:{password}")]);
    let site = Site::new("");
    site.config(&format!(
        "policies: [{{ path: privacy.md }}]\nsender: legal@acme.example\nsubscribers: [{{ email: ada@example.com }}]\n\
         delivery: {{ transport: smtp, smtp: {{ host: 127.0.0.1, port: {}, security: none, username: legal, password_env: PD_TEST_SECRET }} }}\n",
        server.port
    ));
    site.repo.commit("privacy.md", V1).tag("v1");
    let run = |args: &[&str]| -> Run {
        let config = site.config_path();
        Run::from(
            Command::new(binary())
                .args(args)
                .args(["--config", config.to_str().unwrap()])
                .envs(ISOLATED_GIT)
                .env("PD_TEST_SECRET", password)
                .output()
                .unwrap(),
        )
    };
    run(&["check"]).code(0);
    site.repo.commit("privacy.md", V2).tag("v2");
    let b64 = |s: &str| {
        use std::fmt::Write;
        // Standard base64, as AUTH PLAIN and LOGIN send credentials.
        const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let b = s.as_bytes();
        let mut out = String::new();
        for chunk in b.chunks(3) {
            let n = chunk.iter().fold(0u32, |n, &c| n << 8 | c as u32) << (8 * (3 - chunk.len()));
            for i in 0..=chunk.len() {
                let _ = out.write_char(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
        out
    };
    let forbidden = [
        password.to_string(),
        b64(password),
        b64(&format!("\0legal\0{password}")),
    ];
    let dry = run(&["check", "--dry-run", "-v"]);
    let runs = [
        ("config check", run(&["config", "check"])),
        ("preview", run(&["preview", "v1", "v2"])),
        ("dry run -v", dry),
        ("check -v", run(&["check", "-v"])),
    ];
    for (what, r) in &runs {
        r.code(0);
        for secret in &forbidden {
            assert!(
                !r.stdout.contains(secret) && !r.stderr.contains(secret),
                "{what} shows {secret:?}: {r:?}"
            );
        }
    }
    assert_eq!(server.messages().len(), 1);
    let verbose = &runs[3].1;
    assert!(
        verbose.stderr.contains("sent to ada@example.com"),
        "{verbose:?}"
    );
    // Without -v: no address on either stream.
    site.repo.commit("privacy.md", V3);
    let quiet = run(&["check"]);
    quiet.code(0).stdout_has("sent 1 message");
    assert!(
        !quiet.stdout.contains("ada@") && !quiet.stderr.contains("ada@"),
        "{quiet:?}"
    );
}

/// Guarantee 2: permanent refusals after messages got through are recorded (the server is
/// not refusing everything): three in a row at the end do not stop the run, and the ref
/// moves (exit 1 for the refusals).
#[test]
fn refusals_after_deliveries_are_recorded_not_taken_for_a_broken_server() {
    let server = SmtpServer::start(&[
        "--reject-perm",
        "user0002@example.com,user0003@example.com,user0004@example.com",
    ]);
    let site = smtp_site(server.port, 5, "");
    site.repo.commit("privacy.md", V2);
    let run = site.run(&["check"]);
    run.code(1).stdout_has("sent 2 messages");
    assert_eq!(
        run.stderr
            .matches("refused for the subscriber listed at")
            .count(),
        3,
        "{run:?}"
    );
    assert!(!run.stderr.contains("refused each of the first"), "{run:?}");
    assert_eq!(site.notified().unwrap(), head(&site));
    site.run(&["check"]).code(0);
    assert_eq!(server.messages().len(), 2, "the refused are not retried");
}

/// Guarantee 2 (refusals, as a mail queue treats them): a relay that starts refusing the
/// sender mid-run — Google's daily quota, `550 5.4.5` to every MAIL after 50 messages — is
/// refusing the mailing, not the recipients: the run stops (exit 1), nobody is written off,
/// the ref stays, and the next run sends each of the others exactly one message.
#[test]
fn a_relay_refusing_the_sender_mid_run_writes_nobody_off() {
    let server = SmtpServer::start(&["--quota-after", "50"]);
    let site = smtp_site(server.port, 300, "");
    let baseline = site.notified();
    site.repo.commit("privacy.md", V2);
    let run = site.run(&["check"]);
    run.code(1)
        .stderr_has("5.4.5 Daily user sending quota exceeded")
        .stderr_has("nobody was written off")
        .stderr_has("the next run sends what is missing");
    assert!(!run.stderr.contains("refused for"), "{run:?}");
    assert_eq!(site.notified(), baseline, "the ref stays");
    let first = server.messages_count();
    assert!(
        (50..60).contains(&first),
        "{first} delivered before the quota"
    );
    let journal = std::fs::read_dir(site.repo.path().join(".git/policy-diff/journal"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<String>();
    assert!(
        !journal.contains("\nfailed "),
        "nobody written off:\n{journal}"
    );

    // The next day: everyone left gets the notice, once.
    let next_day = SmtpServer::start(&[]);
    site.move_smtp_port(server.port, next_day.port);
    site.run(&["check"])
        .code(0)
        .stdout_has(&format!("sent {} messages", 300 - first));
    let mut all = server.messages();
    all.extend(next_day.messages());
    each_once(&all, 300);
    assert_eq!(site.notified().unwrap(), head(&site));
}

/// Puts `delivery.retry_lifetime` into a site's configuration.
fn set_retry_lifetime(site: &Site, lifetime: &str) {
    let config = std::fs::read_to_string(site.config_path()).unwrap();
    let with = config.replace(
        "delivery:\n",
        &format!("delivery:\n  retry_lifetime: {lifetime}\n"),
    );
    assert_ne!(with, config);
    std::fs::write(site.config_path(), with).unwrap();
}

/// The notification id a message belongs to (the start of its Message-ID).
fn notice_of(m: &Mail) -> String {
    m.header("Message-ID").unwrap()[1..17].to_string()
}

/// Lines of a log the test server keeps (`deferred.log`, `refusals.log`), or none.
fn server_log(server: &SmtpServer, name: &str) -> Vec<String> {
    std::fs::read_to_string(server.dir.path().join(name))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Guarantee 2b (the retry queue): one recipient whose mailbox stays full (452 4.2.2) does
/// not hold back later notices for everyone. Change 1 reaches 39 of 40 and the ref moves;
/// changes 2 and 3 reach the 39 too; the deferred one is retried on each run (summary and
/// `check -v` say so) and, once the mailbox has room, gets each of the three notices exactly
/// once, in order, the first with the Message-ID of its first attempt.
#[test]
fn a_full_mailbox_defers_one_recipient_without_holding_back_the_others() {
    let full = "user0007@example.com";
    let server = SmtpServer::start(&["--defer-data", full]);
    let site = smtp_site(server.port, 40, "");
    for (n, text) in [V2, V3, V1].into_iter().enumerate() {
        site.repo.commit("privacy.md", text);
        let run = site.run(&["check"]);
        assert_eq!(
            server.messages_count(),
            39 * (n + 1),
            "change {} reached the 39 others: {run:?}",
            n + 1
        );
        assert_eq!(
            site.notified().unwrap(),
            head(&site),
            "change {}: the ref moves",
            n + 1
        );
        run.code(1)
            .stderr_has("not delivered to the subscriber listed at")
            .stderr_has("(will retry)")
            .stdout_has("retry queue: ");
        assert!(!run.stderr.contains(full), "addresses only with -v");
        if n == 0 {
            run.stdout_has("sent 39 messages")
                .stdout_has("; 1 deferred (retried on each run for up to 5d)");
        } else {
            // The owed notice is tried first; the newer ones wait behind it.
            run.stdout_has("retry queue: nothing sent for")
                .stdout_has("sent 39 messages")
                .stdout_has(&format!(
                    "retry queue: {} messages deferred, to 1 recipient",
                    n + 1
                ));
        }
    }
    // Each run retried it (with the first notice, the oldest it is owed).
    let attempts = server_log(&server, "deferred.log");
    assert_eq!(attempts.len(), 3, "{attempts:?}");
    let first_id = attempts[0].split(' ').nth(1).unwrap().to_string();
    assert!(
        attempts.iter().all(|a| *a == format!("{full} {first_id}")),
        "{attempts:?}"
    );
    let others = server.messages();
    assert_eq!(others.len(), 3 * 39);
    assert!(others.iter().all(|m| m.rcpt != full));
    let mut notices: Vec<String> = Vec::new();
    for m in &others {
        if !notices.contains(&notice_of(m)) {
            notices.push(notice_of(m));
        }
    }
    assert_eq!(notices.len(), 3);
    assert_eq!(first_id[1..17], notices[0]);

    // -v names who is deferred, for what and since when.
    site.run(&["check", "-v"])
        .code(1)
        .stdout_has("retry queue: 3 messages deferred, to 1 recipient")
        .stderr_has(&format!("deferred: {full}, the changes"));

    // The mailbox has room again: the three notices, once each, in order.
    let room = SmtpServer::start(&[]);
    site.move_smtp_port(server.port, room.port);
    site.run(&["check"])
        .code(0)
        .stdout_has("retry queue: sent 1 message");
    let got = room.messages();
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got.iter().all(|m| m.rcpt == full));
    assert_eq!(got.iter().map(notice_of).collect::<Vec<_>>(), notices);
    assert_eq!(got[0].header("Message-ID").unwrap(), first_id);
    // Everyone has each notice exactly once.
    let mut all = others;
    all.extend(got);
    let mut seen = std::collections::HashSet::new();
    for m in &all {
        assert!(
            seen.insert((m.rcpt.clone(), notice_of(m))),
            "{} got a notice twice",
            m.rcpt
        );
    }
    assert_eq!(seen.len(), 40 * 3);
    // Nothing is left to retry.
    let run = site.run(&["check"]);
    run.code(0).stdout_lacks("retry queue");
    assert_eq!(room.messages_count(), 3);
    let journals = site.repo.path().join(".git/policy-diff/journal");
    assert_eq!(std::fs::read_dir(journals).unwrap().count(), 0);
}

/// Guarantee 2b: a recipient deferred longer than `delivery.retry_lifetime` (2 s here; 5 days
/// by default) is tried once more, then reported as failed for good (exit 1) and never
/// retried again.
#[test]
fn a_recipient_deferred_past_the_retry_lifetime_fails_for_good_once() {
    let full = "user0002@example.com";
    let server = SmtpServer::start(&["--reject-temp", full]);
    let site = smtp_site(server.port, 5, "");
    set_retry_lifetime(&site, "2s");
    site.repo.commit("privacy.md", V2);
    site.run(&["check"])
        .code(1)
        .stdout_has("sent 4 messages")
        .stdout_has("1 deferred (retried on each run for up to 2s)");
    std::thread::sleep(Duration::from_millis(2200));
    site.run(&["check"])
        .code(1)
        .stdout_has("1 failed for good (deferred longer than retry_lifetime 2s)")
        .stderr_has("failed for good for the subscriber listed at")
        .stderr_has("longer than retry_lifetime 2s");
    assert_eq!(server_log(&server, "refusals.log").len(), 2);
    // Never again.
    for _ in 0..2 {
        site.run(&["check"]).code(0).stdout_lacks("retry queue");
    }
    assert_eq!(server_log(&server, "refusals.log").len(), 2);
    assert_eq!(server.messages_count(), 4);
}

/// `delivery.retry_lifetime` is a whole number and a unit (s, m, h, d) from 1 s to 365 days;
/// anything else is refused by `config check` with the key and its line.
#[test]
fn a_retry_lifetime_is_a_bounded_duration() {
    let site = Site::new("policies: [{ path: privacy.md }]\nsender: legal@acme.example\n");
    site.repo.commit("privacy.md", V1);
    for (value, ok) in [
        ("5d", true),
        ("36h", true),
        ("2s", true),
        ("365d", true),
        ("366d", false),
        ("0s", false),
        ("5", false),
        ("5 days", false),
        ("-1d", false),
        ("1.5d", false),
        ("99999999999999999d", false),
    ] {
        site.config(&format!(
            "policies: [{{ path: privacy.md }}]\nsender: legal@acme.example\ndelivery:\n  transport: outbox\n  retry_lifetime: {value}\n"
        ));
        let run = site.run(&["config", "check"]);
        if ok {
            run.code(0);
        } else {
            run.code(2)
                .stderr_has("policy-diff.yaml:6: delivery.retry_lifetime:")
                .stderr_has("not a duration from 1s to 365d");
        }
    }
}

/// Guarantee 1 on the retry queue's path: a run killed while it retries a deferred
/// recipient (after the server took the message, before the journal recorded it), and
/// another killed in the middle of the next notice. Nobody is lost; only the two messages
/// in flight repeat, each with its own Message-ID; the ref ends at the tip and the queue
/// is empty.
#[test]
fn a_kill_while_the_queue_is_retried_loses_nobody() {
    let full = "user0002@example.com";
    let server = SmtpServer::start(&["--defer-data", full]);
    let site = smtp_site(server.port, 6, ", connections: 1");
    site.repo.commit("privacy.md", V2);
    site.run(&["check"]).code(1).stdout_has("sent 5 messages");
    site.repo.commit("privacy.md", V3);
    // Killed with the queued notice to user0002 taken by the server, not yet recorded.
    let holding = SmtpServer::start(&["--hold-after", "1"]);
    site.move_smtp_port(server.port, holding.port);
    kill_when_held(&site, &holding);
    assert_eq!(holding.messages()[0].rcpt, full);
    // Killed again, in the middle of the second notice: that retry again (not recorded the
    // first time), the second notice to user0000, and to user0001, held.
    let again = SmtpServer::start(&["--hold-after", "3"]);
    site.move_smtp_port(holding.port, again.port);
    kill_when_held(&site, &again);
    let fresh = SmtpServer::start(&[]);
    site.move_smtp_port(again.port, fresh.port);
    site.run(&["check"]).code(0);
    let mut all = server.messages();
    for s in [&holding, &again, &fresh] {
        all.extend(s.messages());
    }
    let mut copies: std::collections::HashMap<(String, String), Vec<String>> =
        std::collections::HashMap::new();
    for m in &all {
        copies
            .entry((m.rcpt.clone(), notice_of(m)))
            .or_default()
            .push(m.header("Message-ID").unwrap().to_string());
    }
    assert_eq!(copies.len(), 6 * 2, "everyone got both notices: {copies:?}");
    let repeated: Vec<_> = copies.iter().filter(|(_, ids)| ids.len() > 1).collect();
    assert_eq!(
        repeated.len(),
        2,
        "only the messages in flight repeat: {repeated:?}"
    );
    for ((who, _), ids) in repeated {
        assert_eq!(ids.len(), 2, "{who}");
        assert_eq!(ids[0], ids[1], "{who}: the same Message-ID");
    }
    assert_eq!(site.notified().unwrap(), head(&site));
    let journals = site.repo.path().join(".git/policy-diff/journal");
    assert_eq!(std::fs::read_dir(journals).unwrap().count(), 0);
}

#[test]
fn a_recipient_refused_by_policy_is_deferred_and_holds_nobody_back() {
    // Postfix's check_recipient_access answers 554 5.7.1 for one address: maybe that
    // address's fault, maybe the mailing's. Nobody is written off, nobody else waits.
    let server = SmtpServer::start(&["--policy-rcpt", "user0000@example.com"]);
    let site = smtp_site(server.port, 5, ", connections: 1");
    site.repo.commit("privacy.md", V2);
    let run = site.run(&["check"]);
    run.code(1)
        .stdout_has("sent 4 messages")
        .stdout_has("1 deferred");
    assert!(!run.stderr.contains("will not retry"), "{run:?}");
    assert_eq!(site.notified().unwrap(), head(&site), "the ref moves");
    // The next change reaches the others; the refused recipient is tried again each run.
    site.repo.commit("privacy.md", V3);
    let run = site.run(&["check"]);
    run.code(1).stdout_has("sent 4 messages");
    assert!(!run.stderr.contains("will not retry"), "{run:?}");
    assert_eq!(site.notified().unwrap(), head(&site));
    assert_eq!(
        server.messages_count(),
        8,
        "the four others got both notices"
    );
    let refusals = server_log(&server, "refusals.log");
    assert_eq!(refusals.len(), 2, "tried once a run: {refusals:?}");
}

#[test]
fn a_quota_refused_after_the_message_writes_nobody_off() {
    // Microsoft 365's submission quota comes after each message's content, as 554 5.2.0:
    // an X.2.0 code that says nothing about the recipient.
    let server = SmtpServer::start(&["--submission-quota-after", "3"]);
    let site = smtp_site(server.port, 10, ", connections: 1");
    let baseline = site.notified();
    site.repo.commit("privacy.md", V2);
    let run = site.run(&["check"]);
    run.code(1)
        .stderr_has("SubmissionQuotaExceededException")
        .stderr_has("nobody was written off")
        .stderr_has("the next run sends what is missing");
    assert!(!run.stderr.contains("will not retry"), "{run:?}");
    assert_eq!(site.notified(), baseline, "the ref stays");
    assert_eq!(server.messages_count(), 3);
    assert_eq!(
        server_log(&server, "refusals.log").len(),
        3,
        "three refusals in a row stop the run"
    );

    // The quota is lifted: everyone gets the notice once.
    let next_day = SmtpServer::start(&[]);
    site.move_smtp_port(server.port, next_day.port);
    site.run(&["check"]).code(0).stdout_has("sent 7 messages");
    let mut all = server.messages();
    all.extend(next_day.messages());
    each_once(&all, 10);
    assert_eq!(site.notified().unwrap(), head(&site));
}

#[test]
fn three_dead_addresses_at_the_head_of_the_list_do_not_stall_it() {
    // Three refusals before any delivery stop a run (the relay may refuse all mail); the next
    // run must not stop at the same three again.
    let server = SmtpServer::start(&[
        "--reject-perm",
        "user0000@example.com,user0001@example.com,user0002@example.com",
    ]);
    let site = smtp_site(server.port, 6, ", connections: 1");
    site.repo.commit("privacy.md", V2);
    let run = site.run(&["check"]);
    run.code(1)
        .stderr_has("refused each of the first 3 messages");
    assert!(!run.stderr.contains("will not retry"), "{run:?}");
    assert_eq!(server.messages_count(), 0);
    // The next run reaches the others first; the three are then refused for good.
    let run = site.run(&["check"]);
    run.code(1).stdout_has("sent 3 messages");
    assert_eq!(run.stderr.matches("will not retry").count(), 3, "{run:?}");
    each_once(&server.messages(), 3);
    assert_eq!(site.notified().unwrap(), head(&site));
}
