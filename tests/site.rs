//! Pages and feeds as readers get them: `policy-diff OLD NEW --format html`, `policy-diff
//! site`, and the HTML part of a notification. Every page is parsed by an HTML5 parser
//! (html5lib), every feed by a feed reader's parser (feedparser), and the links between them
//! are followed to files on disk.

mod common;
use common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Python modules from PyPI the checks use (installed by scripts/test).
fn python_has(module: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .status()
        .is_ok_and(|s| s.success())
}

/// A check of tests/support over some files, with the Python module it needs.
fn check(script: &str, files: &[PathBuf]) -> Vec<Value> {
    let module = if script == "check_feed.py" {
        "feedparser"
    } else {
        "html5lib"
    };
    assert!(
        python_has(module),
        "the Python module {module} is missing: run scripts/test, which installs it from PyPI"
    );
    python_json(script, files)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// Checks a parsed page: no parse error, nothing that runs or loads, every `#anchor` there,
/// every link http, https, mailto or (when `site` is given) a file of the site.
fn assert_sound_page(page: &Value, site: Option<&Path>) {
    let file = page["file"].as_str().unwrap();
    assert!(
        page["errors"].as_array().unwrap().is_empty(),
        "{file}: HTML parse errors: {}",
        page["errors"]
    );
    for key in ["scripts", "handlers", "loads"] {
        assert!(
            page[key].as_array().unwrap().is_empty(),
            "{file}: {key}: {}",
            page[key]
        );
    }
    let ids: BTreeSet<String> = strings(&page["ids"]).into_iter().collect();
    for f in strings(&page["fragments"]) {
        assert!(ids.contains(&f[1..]), "{file}: no element with id {f}");
    }
    for href in strings(&page["hrefs"]) {
        if href.starts_with("https://")
            || href.starts_with("http://")
            || href.starts_with("mailto:")
        {
            continue;
        }
        let site = site.unwrap_or_else(|| panic!("{file}: link {href:?} is not http(s)/mailto"));
        let target = resolve(Path::new(file).parent().unwrap(), &href);
        assert!(
            target.starts_with(site) && target.is_file(),
            "{file}: link {href:?} leads to no page of the site ({})",
            target.display()
        );
    }
}

/// A relative link from a folder, percent-decoded, without its fragment.
fn resolve(dir: &Path, href: &str) -> PathBuf {
    let href = href.split('#').next().unwrap();
    let mut path = dir.to_path_buf();
    for part in percent_decode(href).split('/') {
        match part {
            ".." => {
                path.pop();
            }
            "." | "" => {}
            p => path.push(p),
        }
    }
    path
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

const TERMS_V1: &str = "# Example Terms

_Last updated: March 1, 2024_

## 1. Scope

These terms cover the <b>service</b> and its **apps**.

## 2. Links

See [our help](https://help.example/) or [this](javascript:alert(1)).

## 3. Contact

Write to [legal](mailto:legal@terms.example).
";

const TERMS_V2: &str = "# Example Terms

_Last updated: April 2, 2024_

## 1. Scope

These terms cover the <b>service</b>, its **apps** and <script>alert(\"x\")</script> widgets.

| Plan | Price |
| --- | --- |
| Basic | 10 EUR |

![tracking pixel](https://tracker.example/p.png)

## 2. Fees

You pay each month, in advance.

## 3. Links

See [our help](https://help.example/) or [this](javascript:alert(1)).

## 4. Contact

Write to [legal](mailto:legal@terms.example).
";

/// `policy-diff v1 v2 --format html` in `repo`, and its page as html5lib reads it, checked
/// sound.
fn redline_v1_v2(repo: &Repo) -> (Run, Value) {
    let run = repo.run(&["v1", "v2", "--format", "html"]);
    run.code(1);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("redline.html");
    std::fs::write(&file, &run.stdout).unwrap();
    let page = check("check_html.py", std::slice::from_ref(&file)).remove(0);
    assert_sound_page(&page, None);
    (run, page)
}

#[test]
fn the_redline_page_is_sound_html_with_policy_text_escaped() {
    let repo = Repo::new();
    repo.commit("terms.md", TERMS_V1).tag("v1");
    repo.commit("terms.md", TERMS_V2).tag("v2");
    let (run, page) = &redline_v1_v2(&repo);
    let text = page["text"].as_str().unwrap();
    // Raw HTML of the policy is shown as text, and Markdown is rendered, not shown.
    assert!(text.contains("<script>alert(\"x\")</script>"), "{text}");
    assert!(text.contains("<b>service</b>"), "{text}");
    assert!(!text.contains("## ") && !text.contains("_Last updated") && !text.contains("**"));
    assert!(text.contains("[image: tracking pixel]"), "{text}");
    // Structure: the table, the emphasis, the marks, the only links those of the policy.
    let tags = &page["tags"];
    for tag in [
        "table", "td", "strong", "em", "ins", "del", "details", "nav",
    ] {
        assert!(tags[tag].as_u64().unwrap_or(0) > 0, "no <{tag}>: {tags}");
    }
    assert_eq!(
        strings(&page["hrefs"]),
        ["https://help.example/", "mailto:legal@terms.example"]
    );
    // The table of contents lists the changed sections, each a jump to its section.
    let html = run.stdout.clone();
    let toc = html.split("<nav class=\"toc\"").nth(1).unwrap();
    let toc = toc.split("</nav>").next().unwrap();
    assert!(toc.contains("Added</span>2. Fees"), "{toc}");
    assert!(toc.contains("Modified</span>1. Scope"), "{toc}");
    // A renumbered heading is no change: "2. Links" → "3. Links" is not listed.
    assert!(!toc.contains("Links") && !toc.contains("Contact"), "{toc}");
    // Light and dark, and print.
    assert!(html.contains("prefers-color-scheme: dark") && html.contains("@media print"));
}

/// Every file of a folder, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let meta = std::fs::metadata(&p).unwrap();
                out.insert(
                    p.clone(),
                    (std::fs::read(&p).unwrap(), meta.modified().unwrap()),
                );
            }
        }
    }
    out
}

fn files_ending(dir: &Path, ending: &str) -> Vec<PathBuf> {
    snapshot(dir)
        .into_keys()
        .filter(|p| p.to_string_lossy().ends_with(ending))
        .collect()
}

fn privacy(n: u32) -> String {
    format!(
        "# Privacy\n\n_Last updated: January {n}, 2024_\n\n## Data\n\nWe keep data for {n}0 days.\n\n## Cookies\n\nWe use {n} cookies.\n"
    )
}

#[test]
fn the_site_has_a_page_per_change_and_feeds_readers_accept() {
    let repo = Repo::new();
    repo.commit("privacy.md", &privacy(1));
    repo.commit("terms.md", TERMS_V1);
    repo.commit("privacy.md", &privacy(2));
    repo.git(&["mv", "terms.md", "terms of use.md"]);
    repo.commit("terms of use.md", &TERMS_V1.replace("March 1", "April 2"));
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let s = site.to_str().unwrap();
    repo.run(&["site", s])
        .code(0)
        .stdout_has("4 commits with policy changes read");

    // Feeds: what a feed reader makes of them.
    let feeds = check(
        "check_feed.py",
        &[
            site.join("feed.atom"),
            site.join("policies/privacy.md/feed.atom"),
            site.join("policies/terms of use.md/feed.atom"),
        ],
    );
    for f in &feeds {
        assert!(
            !f["bozo"].as_bool().unwrap(),
            "{}: {}",
            f["file"],
            f["bozo_exception"]
        );
        assert_eq!(f["version"], "atom10", "{}", f["file"]);
    }
    let titles = |f: &Value| -> Vec<String> {
        f["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["title"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        titles(&feeds[0]),
        [
            "terms of use changed (last updated 2024-04-02)",
            "privacy changed (last updated 2024-01-02)",
            "terms published (last updated 2024-03-01)",
            "privacy published (last updated 2024-01-01)",
        ]
    );
    assert_eq!(titles(&feeds[1]).len(), 2);
    // The renamed policy keeps its history under its new name.
    assert_eq!(titles(&feeds[2]).len(), 2);
    let summary = feeds[0]["entries"][0]["summary"].as_str().unwrap();
    assert!(
        summary.contains("Last updated: 2024-03-01 → 2024-04-02")
            && summary.contains("1 modified")
            && summary.contains("Renamed from terms.md"),
        "{summary}"
    );
    // Every entry links to its change page, which exists.
    for f in &feeds {
        let dir = Path::new(f["file"].as_str().unwrap()).parent().unwrap();
        for e in f["entries"].as_array().unwrap() {
            let link = e["link"].as_str().unwrap();
            assert!(resolve(dir, link).is_file(), "{}: {link}", f["file"]);
        }
    }
    let ids: Vec<String> = feeds[0]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 4, "{ids:?}");

    // Pages: sound, and every link between them leads to a page.
    let pages = files_ending(&site, ".html");
    // The index; a timeline per policy, and one more where the renamed one had its pages;
    // a page per change.
    assert_eq!(pages.len(), 1 + 3 + 4, "{pages:?}");
    for page in check("check_html.py", &pages) {
        assert_sound_page(&page, Some(&site));
    }
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        index.contains("2024-04-02") && index.contains("terms of use.md"),
        "{index}"
    );

    // A rerun with nothing new writes nothing.
    let before = snapshot(&site);
    repo.run(&["site", s]).code(0).stdout_has("is up to date");
    assert_eq!(snapshot(&site), before);

    // A new commit: its page, and the pages and feeds that list it; the rest untouched.
    repo.commit("privacy.md", &privacy(3));
    repo.run(&["site", s])
        .code(0)
        .stdout_has("1 commit with policy changes read");
    let after = snapshot(&site);
    let changed: BTreeSet<String> = after
        .iter()
        .filter(|(p, v)| before.get(*p) != Some(v))
        .map(|(p, _)| {
            p.strip_prefix(&site)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let expected: BTreeSet<String> = [
        format!("policies/privacy.md/{head}.html"),
        "policies/privacy.md/index.html".into(),
        "policies/privacy.md/feed.atom".into(),
        "index.html".into(),
        "feed.atom".into(),
        ".policy-diff-site.json".into(),
    ]
    .into();
    assert_eq!(changed, expected);
    // Entry ids are stable: the old entries keep theirs.
    let again = check("check_feed.py", &[site.join("feed.atom")]);
    let new_ids: Vec<String> = again[0]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(new_ids.len(), 5);
    assert_eq!(new_ids[1..], ids[..]);
}

#[test]
fn with_a_base_url_feeds_link_to_absolute_addresses() {
    let repo = Repo::new();
    repo.commit("legal/privacy notice.md", &privacy(1));
    repo.commit("legal/privacy notice.md", &privacy(2));
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let s = site.to_str().unwrap();
    repo.run(&["site", s, "--base-url", "https://policies.example/log/"])
        .code(0);
    let feed = &check("check_feed.py", &[site.join("feed.atom")])[0];
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(
        feed["entries"][0]["link"],
        format!("https://policies.example/log/policies/legal/privacy%20notice.md/{head}.html")
    );
    assert!(
        strings(&feed["links"]).contains(&"https://policies.example/log/feed.atom".to_string()),
        "{}",
        feed["links"]
    );
    assert!(
        site.join(format!("policies/legal/privacy notice.md/{head}.html"))
            .is_file()
    );
    // Other settings: the site is built again, whole.
    repo.run(&["site", s, "--", "legal/privacy notice.md"])
        .code(0)
        .stdout_has("whole site built");
    repo.run(&["site", s, "--base-url", "ftp://x.example/"])
        .code(2)
        .stderr_has("--base-url");
}

#[test]
fn email_reads_like_the_policy_and_links_to_the_change_page() {
    let site = Site::new(
        "policies:
  - path: terms.md
sender: legal@terms.example
subscribers:
  - email: ada@example.com
delivery:
  transport: outbox
  outbox: outbox
notify:
  diff_url: \"https://policies.example/policies/{{ path }}/{{ commit }}.html\"
",
    );
    site.repo.commit("terms.md", TERMS_V1);
    site.run(&["check"]).code(0);
    site.repo.commit("terms.md", TERMS_V2);
    site.run(&["check"]).code(0).stdout_has("1 message");
    let mails = site.outbox();
    assert_eq!(mails.len(), 1);
    let (text, html) = (mails[0].text(), mails[0].html());
    // No Markdown markup in either part; the renumbered heading is no change.
    for part in [text, html] {
        assert!(!part.contains("## ") && !part.contains("_Last") && !part.contains("**"));
        assert!(
            !part.contains("Links") && !part.contains("Contact"),
            "{part}"
        );
    }
    assert!(
        text.contains("[-March 1,-] {+April 2,+} 2024")
            && text.contains("{+Basic+} | {+10 EUR+}")
            && text.contains("{+[image: tracking pixel]+}"),
        "{text}"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mail.html");
    std::fs::write(&file, html).unwrap();
    let page = &check("check_html.py", std::slice::from_ref(&file))[0];
    assert_sound_page(page, None);
    let shown = page["text"].as_str().unwrap();
    assert!(shown.contains("<script>alert(\"x\")</script>"), "{shown}");
    for tag in ["table", "strong", "em", "ins", "del"] {
        assert!(
            page["tags"][tag].as_u64().unwrap_or(0) > 0,
            "no <{tag}>: {}",
            page["tags"]
        );
    }
    // The link of the change is the page `policy-diff site` writes for it.
    let head = site.repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let link = format!("https://policies.example/policies/terms.md/{head}.html");
    assert!(text.contains(&link), "{text}");
    let out = site.dir.path().join("public");
    site.repo.run(&["site", out.to_str().unwrap()]).code(0);
    let page = link.strip_prefix("https://policies.example/").unwrap();
    assert!(out.join(page).is_file(), "{page}");
}

/// The feeds of a site: what a strict XML parser and a feed reader make of each.
fn all_feeds(site: &Path) -> Vec<Value> {
    check("check_feed.py", &files_ending(site, ".atom"))
}

#[test]
fn the_site_never_writes_through_a_link_in_its_folder() {
    let repo = Repo::new();
    repo.commit("privacy.md", &privacy(1));
    let root = tempfile::tempdir().unwrap();
    let victim = root.path().join("victim.html");
    std::fs::write(&victim, "keep").unwrap();
    let elsewhere = root.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    // The output folder may itself be a link (to the folder a web server publishes).
    let real = root.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let out = root.path().join("out");
    std::os::unix::fs::symlink(&real, &out).unwrap();
    // Files planted as links to a file outside: replaced, never written through.
    for name in ["index.html", "feed.atom", ".policy-diff-site.json"] {
        std::os::unix::fs::symlink(&victim, real.join(name)).unwrap();
    }
    let s = out.to_str().unwrap();
    repo.run(&["site", s]).code(0);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    for name in ["index.html", "feed.atom", ".policy-diff-site.json"] {
        let meta = std::fs::symlink_metadata(real.join(name)).unwrap();
        assert!(meta.is_file(), "{name} is still a link");
    }
    // A folder of the site replaced by a link out of it: refused, by name, nothing written.
    let folder = real.join("policies/privacy.md");
    std::fs::remove_dir_all(&folder).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &folder).unwrap();
    repo.commit("privacy.md", &privacy(2));
    let run = repo.run(&["site", s]);
    let written: Vec<_> = std::fs::read_dir(&elsewhere).unwrap().collect();
    assert!(written.is_empty(), "written through the link: {written:?}");
    run.code(2).stderr_has(
        "policies/privacy.md: is a symbolic link; policy-diff does not write through links",
    );
    // The folder of all policies as a link: likewise.
    std::fs::remove_file(&folder).unwrap();
    std::fs::rename(real.join("policies"), root.path().join("old-policies")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, real.join("policies")).unwrap();
    let run = repo.run(&["site", s]);
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    run.code(2).stderr_has("policies: is a symbolic link");
}

#[test]
fn a_rebuild_removes_the_pages_it_no_longer_makes_and_never_a_users_file() {
    let repo = Repo::new();
    repo.commit("privacy.md", &privacy(1));
    repo.commit("terms.md", TERMS_V1);
    repo.commit("privacy.md", &privacy(2));
    let purged = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let root = tempfile::tempdir().unwrap();
    let site = root.path().join("site");
    let s = site.to_str().unwrap();
    repo.run(&["site", s]).code(0);
    let terms = site.join("policies/terms.md");
    assert!(terms.join("index.html").is_file());
    // The user's own files in the site's folders.
    std::fs::write(site.join("notes.txt"), "mine").unwrap();
    std::fs::write(terms.join("mine.html"), "mine").unwrap();

    // A policy dropped by a PATH filter: its pages go, the user's files stay.
    let run = repo.run(&["site", s, "--", "privacy.md"]);
    for gone in ["index.html", "feed.atom"] {
        assert!(!terms.join(gone).exists(), "terms.md/{gone} left");
    }
    assert_eq!(files_ending(&terms, ".html"), [terms.join("mine.html")]);
    assert_eq!(
        std::fs::read_to_string(site.join("notes.txt")).unwrap(),
        "mine"
    );
    run.code(0)
        .stdout_has("whole site built")
        .stdout_has("3 stale removed");
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(!index.contains("terms"), "{index}");

    // A change purged from history: its page goes.
    let page = site.join(format!("policies/privacy.md/{purged}.html"));
    assert!(page.is_file());
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    repo.commit("privacy.md", &privacy(3));
    repo.run(&["site", s, "--", "privacy.md"])
        .code(0)
        .stdout_has("whole site built");
    assert!(!page.exists(), "the page of a purged change is left");
    for page in check(
        "check_html.py",
        &files_ending(&site.join("policies/privacy.md"), ".html"),
    ) {
        assert_sound_page(&page, Some(&site));
    }
    assert_eq!(
        std::fs::read_to_string(terms.join("mine.html")).unwrap(),
        "mine"
    );
}

#[test]
fn a_policy_replaced_by_a_folder_of_its_name_keeps_the_site_building() {
    let repo = Repo::new();
    repo.commit("a.md", &privacy(1));
    let root = tempfile::tempdir().unwrap();
    let site = root.path().join("site");
    let s = site.to_str().unwrap();
    repo.run(&["site", s]).code(0);
    std::fs::remove_file(repo.path().join("a.md")).unwrap();
    repo.commit("a.md/feed.atom/b.md", &privacy(2));
    repo.run(&["site", s]).code(0);
    // Every later run too, and a whole rebuild.
    repo.commit("a.md/feed.atom/b.md", &privacy(3));
    repo.run(&["site", s]).code(0);
    let fresh = root.path().join("fresh");
    repo.run(&["site", fresh.to_str().unwrap()]).code(0);
    for dir in [&site, &fresh] {
        assert!(dir.join("policies/a.md/feed.atom").is_file());
        assert!(
            dir.join("policies/a.md/~feed.atom/b.md/index.html")
                .is_file()
        );
        for page in check("check_html.py", &files_ending(dir, ".html")) {
            assert_sound_page(&page, Some(dir));
        }
        for feed in all_feeds(dir) {
            let file = Path::new(feed["file"].as_str().unwrap());
            for e in feed["entries"].as_array().unwrap() {
                let link = e["link"].as_str().unwrap();
                assert!(resolve(file.parent().unwrap(), link).is_file(), "{link}");
            }
        }
    }
}

#[test]
fn feeds_are_well_formed_xml_whatever_names_and_texts_hold() {
    let repo = Repo::new();
    // A policy first named with control characters, then renamed: the feed says from what.
    repo.commit("a\u{1}\u{b}.md", &privacy(1));
    repo.git(&["mv", "a\u{1}\u{b}.md", "renamed.md"]);
    repo.commit("renamed.md", &privacy(2));
    // Names XML 1.0 cannot hold, and a bidirectional override.
    repo.commit("x\u{fffe}\u{ffff}.md", &privacy(1));
    repo.commit("\u{202e}dm.txt", &privacy(1));
    let root = tempfile::tempdir().unwrap();
    let site = root.path().join("site");
    let run = repo.run(&[
        "site",
        site.to_str().unwrap(),
        "--title",
        "Acme\u{c} policies\u{7f}",
    ]);
    run.code(0);
    let feeds = all_feeds(&site);
    for f in &feeds {
        assert_eq!(f["xml_error"], "", "{}: not well-formed XML", f["file"]);
        assert!(
            !f["bozo"].as_bool().unwrap(),
            "{}: {}",
            f["file"],
            f["bozo_exception"]
        );
    }
    // All, and one per policy (the one first named with control characters is not
    // published under that name: see tests/paths.rs).
    assert_eq!(feeds.len(), 1 + 3, "{feeds:?}");
    // What XML cannot hold is shown, not dropped.
    let all = feeds
        .iter()
        .find(|f| f["file"].as_str().unwrap().ends_with("site/feed.atom"))
        .unwrap();
    assert_eq!(all["title"], "Acme\\u{c} policies\\u{7f}");
    let text = all.to_string();
    assert!(text.contains("Renamed from a\\\\u{1}\\\\u{b}.md"), "{text}");
    assert!(text.contains("x\\\\u{fffe}\\\\u{ffff} published"), "{text}");
    assert!(text.contains("\\\\u{202e}dm published"), "{text}");
}

#[test]
fn bidi_controls_and_escapes_in_names_and_summaries_are_shown_not_obeyed() {
    let repo = Repo::new();
    let name = "fdp.\u{202e}terms\u{2066}\u{200f}\u{61c}.md";
    repo.write(name, &privacy(1));
    repo.git(&["add", "-A"]);
    repo.git(&[
        "commit",
        "-q",
        "-m",
        "Reword \u{1b}[2J\u{202e}atad ruoy lles ew\u{202c} \u{2067}x\u{2069}",
    ]);
    let root = tempfile::tempdir().unwrap();
    let site = root.path().join("site");
    repo.run(&["site", site.to_str().unwrap()]).code(0);
    let pages = files_ending(&site, ".html");
    assert_eq!(pages.len(), 3, "{pages:?}");
    for page in &pages {
        let html = std::fs::read_to_string(page).unwrap();
        for c in [
            '\u{1b}', '\u{202e}', '\u{202c}', '\u{2066}', '\u{2067}', '\u{2069}', '\u{200f}',
            '\u{61c}',
        ] {
            assert!(
                !html.contains(c),
                "{}: raw U+{:04X}",
                page.display(),
                c as u32
            );
        }
        assert!(html.contains("\\u{202e}"), "{}", page.display());
    }
    let change =
        std::fs::read_to_string(pages.iter().find(|p| !p.ends_with("index.html")).unwrap())
            .unwrap();
    assert!(
        change.contains("Reword \\u{1b}[2J\\u{202e}atad ruoy lles ew\\u{202c} \\u{2067}x\\u{2069}"),
        "{change}"
    );
    for page in check("check_html.py", &pages) {
        assert_sound_page(&page, Some(&site));
    }
}

#[test]
fn a_folder_in_the_way_of_a_page_is_named_and_left_alone() {
    let repo = Repo::new();
    repo.commit("a.md", &privacy(1));
    let root = tempfile::tempdir().unwrap();
    let site = root.path().join("site");
    // A folder of someone else's where the policy's feed goes (as a build older than the
    // `~` naming could leave): named with what to do, never removed, never a panic.
    let in_the_way = site.join("policies/a.md/feed.atom");
    std::fs::create_dir_all(in_the_way.join("b.md")).unwrap();
    std::fs::write(in_the_way.join("b.md/notes.txt"), "mine").unwrap();
    let run = repo.run(&["site", site.to_str().unwrap()]);
    run.code(2)
        .stderr_has("policies/a.md/feed.atom: a folder stands where the site writes a page")
        .stderr_has("move it away");
    assert_eq!(
        std::fs::read_to_string(in_the_way.join("b.md/notes.txt")).unwrap(),
        "mine"
    );
    // Moved away, the site builds.
    std::fs::rename(&in_the_way, root.path().join("moved")).unwrap();
    repo.run(&["site", site.to_str().unwrap()]).code(0);
    assert!(in_the_way.is_file());
}

/// The summary of what changed heads the redline page (each item a jump to its section), each
/// change page of the site, and each entry of the feeds, which feedparser reads.
#[test]
fn the_summary_heads_the_redline_the_change_pages_and_the_feeds() {
    let repo = Repo::new();
    repo.commit("privacy.md", &privacy(1)).tag("v1");
    repo.commit("privacy.md", &privacy(3)).tag("v2");
    let (run, page) = &redline_v1_v2(&repo);
    let text = page["text"].as_str().unwrap();
    assert!(text.contains("What changed"), "{text}");
    assert!(
        text.contains("Data: We keep data for 30 days (was 10 days)."),
        "{text}"
    );
    assert!(
        text.contains("Cookies: We use 3 cookies (was 1 cookies)."),
        "{text}"
    );
    // Each item jumps to its section, which the page has (assert_sound_page checks anchors).
    let html = &run.stdout;
    let what = html.split("<nav class=\"what-changed\"").nth(1).unwrap();
    let what = what.split("</nav>").next().unwrap();
    assert!(what.contains("<a href=\"#d1-s2\">Data</a>"), "{what}");
    assert!(what.contains("<a href=\"#d1-s3\">Cookies</a>"), "{what}");
    assert!(html.contains("id=\"d1-s2\""));

    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    repo.run(&["site", site.to_str().unwrap()]).code(0);
    let feed = &check("check_feed.py", &[site.join("feed.atom")])[0];
    assert!(!feed["bozo"].as_bool().unwrap(), "{feed}");
    let newest = feed["entries"][0]["summary"].as_str().unwrap();
    assert!(
        newest.starts_with("What changed: Data: We keep data for 30 days (was 10 days). Cookies: We use 3 cookies (was 1 cookies). Last updated:"),
        "{newest}"
    );
    // The change page the entry links to opens with the same list.
    let link = feed["entries"][0]["link"].as_str().unwrap();
    let change = resolve(&site, link);
    let page = &check("check_html.py", std::slice::from_ref(&change))[0];
    assert_sound_page(page, Some(&site));
    let text = page["text"].as_str().unwrap();
    assert!(
        text.contains("Data: We keep data for 30 days (was 10 days)."),
        "{text}"
    );
}

/// A commit that changed only a policy's front matter makes no entry, no page and no feed
/// item: the timeline shows wording changes only.
#[test]
fn a_front_matter_change_makes_no_entry() {
    let repo = Repo::new();
    let page = |front: &str, n: u32| format!("---\ntitle: Privacy\n{front}---\n\n{}", privacy(n));
    repo.commit("privacy.md", &page("topics: [Legal]\n", 1));
    repo.commit("privacy.md", &page("", 1));
    repo.commit("privacy.md", &page("", 2));
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    repo.run(&["site", site.to_str().unwrap()])
        .code(0)
        .stdout_has("2 commits with policy changes read");
    let feeds = check(
        "check_feed.py",
        &[site.join("policies/privacy.md/feed.atom")],
    );
    let entries = feeds[0]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{}", feeds[0]);
    assert_eq!(
        files_ending(&site.join("policies/privacy.md"), ".html").len(),
        3
    );
}
