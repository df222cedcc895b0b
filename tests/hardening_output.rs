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
