//! Parsing, alignment and word diff on real documents from ../shared/corpus (see its README):
//! the largest policy (Facebook's privacy policy, ~31,500 words) at a real change, and a
//! mid-sized one. Skipped with a message when the corpus is absent.
//!
//! Two rows need no corpus: `lint` on a policy of 40,000 headings all named alike (the
//! duplicate-heading check, once quadratic), and the word diff of huge rewritten texts.
//!
//! Run: `cargo bench --bench pipeline` (set POLICY_DIFF_CORPUS to the corpus folder if it is
//! not at ../shared/corpus).

use criterion::{Criterion, criterion_group, criterion_main};
use policy_diff::diff::{align::align_sections, diff_documents, words::diff_words};
use policy_diff::document::{Format, ParseOptions, parse};
use policy_diff::render::render_json;
use policy_diff::report::{Report, compare_texts};
use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;

/// Two versions of a file from a corpus bundle: (parent of `commit`, `commit`).
fn versions(bundle: &str, commit: &str, path: &str) -> Option<(String, String)> {
    let dir = std::env::var_os("POLICY_DIFF_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    let bundle = dir.join(bundle);
    if !bundle.is_file() {
        eprintln!(
            "SKIPPED: {} not found (set POLICY_DIFF_CORPUS)",
            bundle.display()
        );
        return None;
    }
    let clone = std::env::temp_dir().join(format!(
        "policy-diff-bench-{}",
        bundle.file_stem()?.to_str()?
    ));
    if !clone.exists() {
        let ok = Command::new("git")
            .args(["clone", "-q", "--bare"])
            .arg(&bundle)
            .arg(&clone)
            .status()
            .ok()?;
        if !ok.success() {
            return None;
        }
    }
    let show = |rev: String| -> Option<String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(&clone)
            .args(["show", &rev])
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    Some((
        show(format!("{commit}~1:{path}"))?,
        show(format!("{commit}:{path}"))?,
    ))
}

fn bench(c: &mut Criterion) {
    let cases = [
        (
            "facebook-privacy",
            "pga-versions.bundle",
            "1a82cced",
            "Facebook/Privacy Policy.md",
        ),
        (
            "github-terms",
            "site-policy.bundle",
            "main",
            "Policies/github-terms/github-terms-of-service.md",
        ),
    ];
    for (name, bundle, commit, path) in cases {
        let Some((old, new)) = versions(bundle, commit, path) else {
            continue;
        };
        let md = |t: &str| parse(t, Format::Markdown, ParseOptions::default());
        let (a, b) = (md(&old), md(&new));
        let mut group = c.benchmark_group(name);
        group.sample_size(30);
        group.bench_function("parse", |bench| bench.iter(|| md(black_box(&new))));
        group.bench_function("align", |bench| {
            bench.iter(|| align_sections(black_box(&a.sections), black_box(&b.sections)))
        });
        group.bench_function("word_diff_whole_text", |bench| {
            bench.iter(|| diff_words(black_box(&old), black_box(&new)))
        });
        group.bench_function("diff_documents", |bench| {
            bench.iter(|| diff_documents(Some(black_box(&a)), Some(black_box(&b))))
        });
        group.bench_function("compare_and_render_json", |bench| {
            bench.iter(|| {
                let doc = compare_texts(
                    path,
                    Some(path),
                    Some(&old),
                    Some(&new),
                    &policy_diff::rules::Rule::default(),
                );
                let report = Report {
                    old: "a".into(),
                    new: "b".into(),
                    documents: vec![doc],
                    files: true,
                };
                render_json(&report)
            })
        });
        group.finish();
    }
}

/// `lint` on a new policy of 40,000 sections with one heading: 39,999 duplicate-heading
/// findings (14–19 s before the check became linear).
fn bench_lint(c: &mut Criterion) {
    let mut text = String::from("# Policy\n\nLast updated: January 1, 2024\n\n");
    for i in 0..40_000 {
        text.push_str(&format!("## Same\n\nText {i}.\n\n"));
    }
    let changes = [policy_diff::lint::Change {
        path: "policy.md".into(),
        old_path: None,
        old: None,
        new: Some(text),
    }];
    let rules = policy_diff::rules::Rules::default();
    let settings = policy_diff::lint::LintSettings::default();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date");
    let mut group = c.benchmark_group("lint");
    group.sample_size(10);
    group.bench_function("duplicate_headings_40000", |bench| {
        bench.iter(|| {
            let findings = policy_diff::lint::lint(black_box(&changes), &rules, &settings, today);
            assert_eq!(findings.len(), 39_999);
        })
    });
    group.finish();
}

/// About `words` words of sentences from a vocabulary of 3,000 words (deterministic).
fn prose(seed: u64, words: usize) -> Vec<String> {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    let (mut out, mut count) = (Vec::new(), 0);
    while count < words {
        let n = 8 + next(13) as usize;
        let s: Vec<String> = (0..n).map(|_| format!("w{}", next(3000))).collect();
        count += n;
        out.push(format!("{}.", s.join(" ")));
    }
    out
}

/// The word diff of huge inputs (12–18 s and 150 s before its cost was bounded): a paragraph
/// of 400,000 words rewritten throughout (wrapped at 80 columns), and one line of 9 MB with
/// every 40th sentence rewritten.
fn bench_huge(c: &mut Criterion) {
    let wrap = |sentences: &[String]| {
        let mut text = String::new();
        let mut column = 0;
        for word in sentences.iter().flat_map(|s| s.split(' ')) {
            if column + word.len() > 80 {
                text.push('\n');
                column = 0;
            } else if column > 0 {
                text.push(' ');
                column += 1;
            }
            text.push_str(word);
            column += word.len();
        }
        text
    };
    let (old, new) = (wrap(&prose(1, 400_000)), wrap(&prose(2, 400_000)));
    let line = prose(3, 1_500_000);
    let edited: Vec<String> = line
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
    let (line_old, line_new) = (line.join(" "), edited.join(" "));
    let mut group = c.benchmark_group("huge");
    group.sample_size(10);
    group.bench_function("rewritten_paragraph_400k_words", |bench| {
        bench.iter(|| diff_words(black_box(&old), black_box(&new)))
    });
    group.bench_function("edited_line_9mb", |bench| {
        bench.iter(|| diff_words(black_box(&line_old), black_box(&line_new)))
    });
    group.finish();
}

criterion_group!(benches, bench, bench_lint, bench_huge);
criterion_main!(benches);
