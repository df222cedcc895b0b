//! The redline page and the HTML email of the example history, opened in a real browser
//! (headless Chromium): each screenshot must show a page (not a blank one), in light and
//! dark mode, and the browser must report no console error (no script, nothing that fails to
//! load). Screenshots are kept in `target/screenshots/` to look at.
//!
//! Chromium comes from Debian's `chromium` package (scripts/test installs it as root); where
//! it is missing the test says so and is skipped, except under CI, where it fails.

mod common;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const V1: &str = include_str!("../examples/privacy/v1.md");
const V2: &str = include_str!("../examples/privacy/v2.md");
const V3: &str = include_str!("../examples/privacy/v3.md");

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("POLICY_DIFF_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(name))
                    .find(|p| p.is_file())
            })
        })
}

/// What the browser showed and said.
struct Shot {
    stats: Value,
    console: Vec<String>,
}

fn screenshot(browser: &Path, page: &Path, png: &Path, dark: bool) -> Shot {
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1000,1800",
    ]);
    if dark {
        cmd.arg("--force-dark-mode");
    }
    let out = cmd
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(png.is_file(), "no screenshot of {}: {log}", page.display());
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Failed to load resource"))
        .map(str::to_string)
        .collect();
    Shot {
        stats: python_json("png_stats.py", &[png]),
        console,
    }
}

/// Screenshots of a page (light, and dark when `dark_mode`): not blank, dark when asked, no
/// console error.
fn assert_renders(browser: &Path, page: &Path, name: &str, shots: &Path, dark_mode: bool) {
    for dark in [false, dark_mode] {
        let png = shots.join(format!("{name}{}.png", if dark { "-dark" } else { "" }));
        let shot = screenshot(browser, page, &png, dark);
        let s = &shot.stats;
        assert!(
            shot.console.is_empty(),
            "{name}: console: {:?}",
            shot.console
        );
        assert!(
            s["colours"].as_u64().unwrap() > 50 && s["ink"].as_f64().unwrap() > 0.02,
            "{name}: the screenshot looks blank: {s}"
        );
        let bg: u64 = s["background"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap())
            .sum();
        if dark {
            assert!(bg < 3 * 80, "{name}: dark mode has a light background: {s}");
        } else {
            assert!(
                bg > 3 * 200,
                "{name}: light mode has a dark background: {s}"
            );
        }
    }
}

#[test]
fn the_redline_page_and_the_email_render_in_a_browser() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium is missing under CI (scripts/test installs Debian's chromium)"
        );
        eprintln!(
            "SKIPPED: no chromium on PATH (install Debian's chromium, or set POLICY_DIFF_CHROMIUM)"
        );
        return;
    };
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let shots = shots.canonicalize().unwrap();

    // The check itself: a page with a script error is caught.
    let work = tempfile::tempdir().unwrap();
    let bad = work.path().join("bad.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><html><body><p>x</p><script>missing()</script></body></html>",
    )
    .unwrap();
    let shot = screenshot(&browser, &bad, &work.path().join("bad.png"), false);
    assert!(!shot.console.is_empty(), "a script error went unnoticed");

    // The redline page of the example history.
    let site = Site::new(
        "policies:
  - path: privacy.md
    name: Privacy Policy
sender: legal@larkspur.example
subscribers:
  - email: ada@example.com
    name: Ada
delivery:
  transport: outbox
  outbox: outbox
",
    );
    site.repo.commit("privacy.md", V1).tag("v1");
    site.run(&["check"]).code(0);
    site.repo.commit("privacy.md", V2).tag("v2");
    site.run(&["check"]).code(0);
    site.repo.commit("privacy.md", V3).tag("v3");
    let run = site.repo.run(&["v1", "v2", "--format", "html"]);
    // The summary heads the page (and the email below): the screenshots show it.
    assert!(run.stdout.contains("<nav class=\"what-changed\""));
    let page = work.path().join("redline.html");
    std::fs::write(&page, &run.stdout).unwrap();
    assert_renders(&browser, &page, "redline", &shots, true);

    // The HTML part of the email about version 2.
    let mails = site.outbox();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].html().contains("<ul class=\"what-changed\">"));
    let email = work.path().join("email.html");
    std::fs::write(&email, mails[0].html()).unwrap();
    // Mail clients choose their own dark mode: the message is checked in light mode.
    assert_renders(&browser, &email, "email", &shots, false);
}
