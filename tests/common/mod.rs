//! A small harness so that tests read like a user session:
//! `repo.commit("privacy.md", V1).tag("v1"); repo.run(&["v1", "v2"]).code(1).stdout_has("…")`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

/// The policy-diff binary under test: the one cargo built, or `POLICY_DIFF_TEST_BINARY`
/// (to show that a test fails on an older build).
pub fn binary() -> PathBuf {
    std::env::var_os("POLICY_DIFF_TEST_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_policy-diff")))
}

/// A git repository in a temporary directory, driven by the system `git`.
pub struct Repo {
    dir: TempDir,
}

impl Repo {
    pub fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git in the repository and returns its stdout; panics when git fails.
    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.path(), args)
    }

    pub fn write(&self, path: &str, content: &str) -> &Repo {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
        self
    }

    /// Writes a file and commits it.
    pub fn commit(&self, path: &str, content: &str) -> &Repo {
        self.write(path, content);
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", &format!("update {path}")]);
        self
    }

    /// Commits whatever is in the working tree.
    pub fn commit_all(&self, message: &str) -> &Repo {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self
    }

    pub fn tag(&self, name: &str) -> &Repo {
        self.git(&["tag", name]);
        self
    }

    /// Runs policy-diff with the repository as the current directory.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.path(), args)
    }

    /// A bare clone of this repository, in its own temporary directory.
    pub fn bare_clone(&self) -> TempDir {
        let dir = tempfile::tempdir().unwrap();
        git_in(
            dir.path(),
            &[
                "clone",
                "-q",
                "--bare",
                self.path().to_str().unwrap(),
                "policies.git",
            ],
        );
        dir
    }
}

/// Git (and libgit2 in policy-diff) read no user or system configuration in tests: a
/// developer's `core.hooksPath` or signing settings cannot change what a test sees.
pub const ISOLATED_GIT: [(&str, &str); 2] = [
    ("GIT_CONFIG_GLOBAL", "/dev/null"),
    ("GIT_CONFIG_NOSYSTEM", "1"),
];

pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .envs(ISOLATED_GIT)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `policy-diff ARGS | head -c 10` in `dir` (ARGS split at spaces): the exit status of
/// policy-diff when its reader goes away early, and its stderr.
pub fn piped_into_head(dir: &Path, args: &str) -> (i32, String) {
    let script = format!(
        "'{}' {args} | head -c 10 >/dev/null; exit ${{PIPESTATUS[0]}}",
        binary().display()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .envs(ISOLATED_GIT)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs policy-diff in `dir` without a terminal and without NO_COLOR set.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(binary())
        .args(args)
        .current_dir(dir)
        .envs(ISOLATED_GIT)
        .env_remove("NO_COLOR")
        .output()
        .expect("policy-diff runs");
    Run::from(out)
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn code(&self, want: i32) -> &Run {
        assert_eq!(
            self.code, want,
            "exit status\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn stdout_has(&self, needle: &str) -> &Run {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout
        );
        self
    }

    pub fn stdout_lacks(&self, needle: &str) -> &Run {
        assert!(
            !self.stdout.contains(needle),
            "stdout has {needle:?}:\n{}",
            self.stdout
        );
        self
    }

    pub fn stderr_has(&self, needle: &str) -> &Run {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout))
    }
}

/// Words of the texts of the ops of kinds `keep`, across all sections of a JSON document.
pub fn rebuilt_words(doc: &serde_json::Value, keep: &str) -> Vec<String> {
    let mut words = Vec::new();
    for section in doc["sections"].as_array().unwrap() {
        for op in section["ops"].as_array().unwrap() {
            let kind = op["op"].as_str().unwrap();
            if kind == "equal" || kind == keep {
                words.extend(
                    op["text"]
                        .as_str()
                        .unwrap()
                        .split_whitespace()
                        .map(str::to_string),
                );
            }
        }
    }
    words
}

/// The words of a Markdown file's body (front matter removed).
pub fn body_words(text: &str) -> Vec<String> {
    let body = match text
        .strip_prefix("---\n")
        .and_then(|rest| rest.find("\n---\n").map(|i| &rest[i + 5..]))
    {
        Some(body) => body,
        None => text,
    };
    body.split_whitespace().map(str::to_string).collect()
}

/// A real SMTP server process (tests/support/smtp_server.py, aiosmtpd) on 127.0.0.1.
pub struct SmtpServer {
    pub port: u16,
    pub dir: TempDir,
    child: std::process::Child,
}

pub fn support(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(file)
}

/// The first line a test server prints on stdout (`ready PORT`), or "" when it prints none
/// within 30 s or exits: a server that never starts fails the test instead of hanging it.
pub fn ready_line(child: &mut std::process::Child) -> String {
    use std::io::BufRead;
    let stdout = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    match rx.recv_timeout(std::time::Duration::from_secs(30)) {
        Ok(line) => line,
        Err(_) => {
            let _ = child.kill();
            String::new()
        }
    }
}

/// A misbehaving SMTP server (`tests/support/drip_server.py`): `greeting` and `data` drip
/// their replies, `silent` never answers, `slow` answers after 3 s, `cut` hangs up in the
/// middle of a message's data.
pub struct FaultServer {
    pub port: u16,
    child: std::process::Child,
}

impl FaultServer {
    pub fn start(mode: &str) -> FaultServer {
        FaultServer::start_with(mode, &[])
    }

    /// Starts a server in `mode` with more arguments (a file that counts whole messages).
    pub fn start_with(mode: &str, more: &[&str]) -> FaultServer {
        let mut child = Command::new("python3")
            .arg(support("drip_server.py"))
            .arg(mode)
            .args(more)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let line = ready_line(&mut child);
        let port = line
            .trim()
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the {mode} server did not start: {line:?}"));
        FaultServer { port, child }
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpServer {
    /// Starts a server; `extra` are options of smtp_server.py (`--reject-temp a@x`, …).
    /// A free port is picked and released before the server binds it; a parallel test can
    /// take it in between, so a server that cannot bind is retried on another port.
    pub fn start(extra: &[&str]) -> SmtpServer {
        let mut last = String::new();
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            match SmtpServer::try_start_on(port, extra) {
                Ok(server) => return server,
                Err(e) => last = e,
            }
        }
        panic!(
            "the test SMTP server did not start (is aiosmtpd installed? scripts/test installs it):\n{last}"
        );
    }

    /// Starts a server on a given port (to bring a server "back" where a config points).
    pub fn start_on(port: u16, extra: &[&str]) -> SmtpServer {
        SmtpServer::try_start_on(port, extra)
            .unwrap_or_else(|e| panic!("the test SMTP server did not start on port {port}:\n{e}"))
    }

    fn try_start_on(port: u16, extra: &[&str]) -> Result<SmtpServer, String> {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("python3")
            .arg(support("smtp_server.py"))
            .args([
                "--port",
                &port.to_string(),
                "--dir",
                dir.path().to_str().unwrap(),
            ])
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let line = ready_line(&mut child);
        if !line.starts_with("ready") {
            let _ = child.kill();
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).ok();
            let _ = child.wait();
            return Err(err);
        }
        Ok(SmtpServer { port, dir, child })
    }

    /// How many messages the server accepted so far (cheap: no decoding).
    pub fn messages_count(&self) -> usize {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".eml") && !n.starts_with('.'))
            .count()
    }

    /// The messages the server accepted so far, decoded.
    pub fn messages(&self) -> Vec<Mail> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "eml")
                    && !p.file_name().unwrap().to_str().unwrap().starts_with('.')
            })
            .collect();
        files.sort();
        read_mails(&files)
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A message decoded by Python's `email` package (tests/support/mime.py).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Mail {
    pub file: String,
    pub headers: Vec<(String, String)>,
    pub rcpt: String,
    pub content_type: String,
    pub parts: Vec<String>,
    pub defects: Vec<String>,
    pub text: Option<String>,
    pub html: Option<String>,
}

impl Mail {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn count(&self, name: &str) -> usize {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .count()
    }
    pub fn text(&self) -> &str {
        self.text.as_deref().unwrap_or("")
    }
    pub fn html(&self) -> &str {
        self.html.as_deref().unwrap_or("")
    }
}

/// Decodes .eml files.
pub fn read_mails(files: &[PathBuf]) -> Vec<Mail> {
    if files.is_empty() {
        return Vec::new();
    }
    python_json("mime.py", files)
}

/// Runs a script of tests/support with the arguments given and reads the JSON it prints.
pub fn python_json<T: serde::de::DeserializeOwned>(
    script: &str,
    args: &[impl AsRef<std::ffi::OsStr>],
) -> T {
    let out = Command::new("python3")
        .arg(support(script))
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The messages in an outbox folder, decoded.
pub fn outbox(dir: &Path) -> Vec<Mail> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    read_mails(&files)
}

/// A watched repository with a config file beside it, for `check`, `preview` and `hook`.
pub struct Site {
    pub repo: Repo,
    pub dir: TempDir,
}

impl Site {
    /// `config` is YAML without `repository:` (added, pointing at the repo).
    pub fn new(config: &str) -> Site {
        let site = Site {
            repo: Repo::new(),
            dir: tempfile::tempdir().unwrap(),
        };
        site.config(config);
        site
    }

    pub fn config(&self, config: &str) {
        let text = format!("repository: {}\n{config}", self.repo.path().display());
        std::fs::write(self.config_path(), text).unwrap();
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("policy-diff.yaml")
    }

    pub fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    /// Runs policy-diff with `--config` appended, from the config's folder.
    pub fn run(&self, args: &[&str]) -> Run {
        let config = self.config_path();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--config", config.to_str().unwrap()]);
        run_in(self.dir.path(), &all)
    }

    pub fn outbox(&self) -> Vec<Mail> {
        outbox(&self.dir.path().join("outbox"))
    }

    /// Starts `check` in the background, waits until `ready()` (see [`wait_for`]), and
    /// SIGKILLs it there.
    pub fn kill_check_when(&self, what: &str, ready: impl Fn() -> bool) {
        let config = self.config_path();
        let mut child = Command::new(binary())
            .args(["check", "--config", config.to_str().unwrap()])
            .envs(ISOLATED_GIT)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        wait_for(what, ready);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }

    pub fn notified(&self) -> Option<String> {
        let out = Command::new("git")
            .args(["rev-parse", "--verify", "-q", "refs/policy-diff/notified"])
            .current_dir(self.repo.path())
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }
}

/// A site whose subscribers are listed in a CSV file, delivering by SMTP to `port`.
pub fn smtp_site(port: u16, subscribers: usize, smtp_extra: &str) -> Site {
    let site = Site::new(&format!(
        "policies: [{{ path: privacy.md, name: Privacy Policy }}]
sender: legal@acme.example
subscribers_file: people.csv
delivery:
  transport: smtp
  smtp: {{ host: 127.0.0.1, port: {port}, security: none, timeout_seconds: 5{smtp_extra} }}
"
    ));
    let people: String = (0..subscribers)
        .map(|i| format!("user{i:04}@example.com,User {i}\n"))
        .collect();
    site.file("people.csv", &people);
    site.repo
        .commit("privacy.md", include_str!("../../examples/privacy/v1.md"));
    site.run(&["check"]).code(0).stdout_has("baseline");
    site
}

/// Messages per recipient, and the Message-IDs each one got.
pub fn per_recipient(mails: &[Mail]) -> std::collections::HashMap<String, Vec<String>> {
    let mut out: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    for m in mails {
        out.entry(m.rcpt.clone())
            .or_default()
            .push(m.header("Message-ID").unwrap().to_string());
    }
    out
}

/// Waits until `done` holds, for work a test started in the background (a hook's check).
/// The limit only guards against a hang; it is far above what the work takes.
pub fn wait_for(what: &str, done: impl Fn() -> bool) {
    let started = std::time::Instant::now();
    while !done() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "gave up waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Every one of `recipients` got exactly one of `mails`.
pub fn each_once(mails: &[Mail], recipients: usize) {
    let counts = per_recipient(mails);
    assert_eq!(counts.len(), recipients, "{counts:?}");
    for (who, ids) in &counts {
        assert_eq!(ids.len(), 1, "{who} got {} copies", ids.len());
    }
}

impl Site {
    /// Points the SMTP settings of `smtp_site` at another port (another server).
    pub fn move_smtp_port(&self, from: u16, to: u16) {
        let config = std::fs::read_to_string(self.config_path()).unwrap();
        let moved = config.replace(&format!("port: {from},"), &format!("port: {to},"));
        assert_ne!(moved, config, "no `port: {from},` in the configuration");
        std::fs::write(self.config_path(), moved).unwrap();
    }
}
