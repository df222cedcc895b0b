//! Command-line definitions (clap) and dispatch. Each flag is defined once, here, with its
//! help text.

use crate::config::Config;
use crate::diff::DiffOptions;
use crate::document::DateOrder;
use crate::history::{self, LogOptions};
use crate::hook;
use crate::notify::{self, CheckOptions};
use crate::render::{
    OutputFormat, TextOptions, inert, render_log_document_json, render_log_document_text,
    write_log_entry_json, write_log_entry_text, write_report,
};
use crate::report::Report;
use crate::rules::{RuleSettings, Rules};
use crate::source::{PolicyFilter, PolicyRepo};
use anyhow::{Context, Result, bail};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Exit status: no substantive change.
pub const EXIT_SAME: u8 = 0;
/// Exit status: a substantive change.
pub const EXIT_DIFFERENT: u8 = 1;
/// Exit status: trouble (bad arguments, unknown revision, unreadable file…).
pub const EXIT_TROUBLE: u8 = 2;

/// An error as one line: the message, then each cause not already part of it (many errors
/// already say why in their own message).
pub fn error_line(e: &anyhow::Error) -> String {
    inert(&error_chain(e), true).into_owned()
}

fn error_chain(e: &anyhow::Error) -> String {
    let mut line = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !line.contains(&cause) {
            line.push_str(": ");
            line.push_str(&cause);
        }
    }
    line
}

/// Section-by-section diffs of legal policies kept in git.
///
/// Exit status: 0 no substantive change, 1 substantive change, 2 trouble.
#[derive(Debug, Parser)]
#[command(name = "policy-diff", version, args_conflicts_with_subcommands = true)]
#[command(
    after_help = "Examples:\n  policy-diff v1 v2                  every policy that differs between two tags\n  policy-diff HEAD~1 HEAD -- privacy.md\n  policy-diff old.md new.md --format json"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    diff: DiffArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compare two revisions or two files (the default command).
    Diff(DiffArgs),
    /// The history of each policy, newest first: one entry per commit that changed a policy.
    Log(LogArgs),
    /// Publish the history as a static site: an index of the policies, a timeline per
    /// policy, a redline page per change, and Atom feeds. A rerun writes only what is new.
    Site(SiteArgs),
    /// Check policy changes before they are published: a changed text with an unchanged
    /// "last updated" date, a date moved backwards or removed, and more.
    ///
    /// By default the staged changes (what `git commit` would record); or BASE..HEAD (BASE...HEAD
    /// from their merge base, as a pull request shows), or BASE HEAD. Exit status: 0 no
    /// error (warnings allowed), 1 an error-level finding, 2 trouble.
    Lint(LintArgs),
    /// Notify subscribers of every policy change since the last notification (cron, hooks).
    ///
    /// Exit status: 0 done or nothing new, 1 some deliveries failed (a stopped run or a
    /// deferred recipient: the next run retries them; or a recipient refused for good),
    /// 2 usage or configuration error (nothing sent).
    Check(CheckArgs),
    /// Show the message one subscriber would get for the changes between two revisions.
    Preview(PreviewArgs),
    /// Install or remove the git hook that runs `policy-diff check`.
    #[command(subcommand)]
    Hook(HookCommand),
    /// Work with the configuration file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script: `policy-diff completions bash > ~/.local/share/bash-completion/completions/policy-diff`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `policy-diff man > policy-diff.1`.
    Man,
}

#[derive(Debug, Args)]
struct LogArgs {
    /// Where the history starts (newest commit).
    #[arg(value_name = "REV", default_value = "HEAD")]
    rev: String,
    #[command(flatten)]
    source: SourceArgs,
    /// Output format: text (a line per commit and per changed document), or json (one JSON
    /// object per line and commit, with the full section diffs).
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    format: LogFormat,
    #[command(flatten)]
    color: ColorArg,
    #[command(flatten)]
    read: ReadArgs,
    /// Threads that parse and compare versions (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    jobs: usize,
}

#[derive(Debug, Args)]
struct SiteArgs {
    /// The folder to write the site into (created if missing).
    #[arg(value_name = "OUTDIR")]
    out: PathBuf,
    /// Where the history starts (newest commit).
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    rev: String,
    #[command(flatten)]
    source: SourceArgs,
    /// The address the site is published at (https://policies.example.com/): feeds then
    /// link to absolute addresses, as feed readers need. Without it, links are relative.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// The title of the index page and of the feed of all policies.
    #[arg(long, value_name = "TEXT", default_value = "Policy changes")]
    title: String,
    #[command(flatten)]
    read: ReadArgs,
    /// Threads that parse and compare versions (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    jobs: usize,
}

#[derive(Debug, Args)]
struct LintArgs {
    /// BASE..HEAD, BASE...HEAD, or BASE HEAD (default: the staged changes).
    #[arg(value_name = "RANGE", num_args = 0..=2)]
    revs: Vec<String>,
    #[command(flatten)]
    source: SourceArgs,
    /// The configuration (its `policies` and `lint:` section); default: policy-diff.yaml in
    /// the current directory, when there is one. Lint needs none.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Output: text (like a compiler), json, or github (workflow commands that annotate a
    /// pull request).
    #[arg(long, value_enum, default_value_t = LintFormat::Text)]
    format: LintFormat,
    /// Set the modification date of each policy whose text changed without it, in the work
    /// tree, written as the document writes dates.
    #[arg(long)]
    fix: bool,
    /// The date --fix writes (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", requires = "fix")]
    date: Option<String>,
    #[command(flatten)]
    read: ReadArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LintFormat {
    /// `privacy.md:3: error: … [check]`, a line per finding.
    Text,
    /// One JSON object: the findings, and the counts.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`).
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    /// A line per commit and per changed document.
    Text,
    /// One JSON object per line and commit (JSON Lines).
    Json,
}

#[derive(Debug, Args)]
struct ConfigArg {
    /// The configuration file.
    #[arg(long, value_name = "FILE", default_value = crate::config::DEFAULT_CONFIG)]
    config: PathBuf,
}

impl ConfigArg {
    fn load(&self) -> Result<Config> {
        Ok(Config::load(&self.config)?)
    }
}

#[derive(Debug, Args)]
struct CheckArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// Render everything and print what would be sent to whom; send nothing, record nothing.
    #[arg(long)]
    dry_run: bool,
    /// Progress on stderr, and subscriber addresses in messages about deliveries.
    #[arg(short, long)]
    verbose: bool,
    /// Record the branch tip as the new baseline, sending nothing (after history was rewritten).
    #[arg(long)]
    rebaseline: bool,
    /// Start the check in the background and return at once (what the hooks run): its
    /// output is appended to <git dir>/policy-diff/check.log.
    #[arg(long, conflicts_with_all = ["dry_run", "rebaseline"])]
    detach: bool,
}

#[derive(Debug, Args)]
struct PreviewArgs {
    /// Old revision.
    old: String,
    /// New revision.
    new: String,
    /// The subscriber to render for (default: the first configured one).
    #[arg(long, value_name = "EMAIL")]
    to: Option<String>,
    /// Also write the HTML part to this file.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    #[command(flatten)]
    config: ConfigArg,
}

#[derive(Debug, Subcommand)]
enum HookCommand {
    /// Write a post-commit hook (post-receive in a bare repository) that runs `check`, or a
    /// pre-commit hook that runs `lint`.
    Install {
        /// Write a post-receive hook (for a server's repository that receives pushes).
        #[arg(long, conflicts_with = "pre_commit")]
        post_receive: bool,
        /// Write a pre-commit hook that runs `policy-diff lint` on what is being committed
        /// and stops the commit on an error (`git commit --no-verify` goes ahead anyway).
        #[arg(long)]
        pre_commit: bool,
        /// Keep an existing hook and run it before policy-diff.
        #[arg(long)]
        chain: bool,
        /// Run the check in the hook itself, holding up the commit or push until delivery
        /// ends (by default the hook starts it in the background and returns at once).
        #[arg(long)]
        foreground: bool,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Remove the hook that install wrote (an existing hook it chained to is put back).
    Uninstall {
        /// Remove the post-receive hook.
        #[arg(long, conflicts_with = "pre_commit")]
        post_receive: bool,
        /// Remove the pre-commit hook.
        #[arg(long)]
        pre_commit: bool,
        #[command(flatten)]
        config: ConfigArg,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate the configuration (syntax, keys, addresses, policies, templates, password)
    /// without sending anything.
    Check {
        #[command(flatten)]
        config: ConfigArg,
    },
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// Old version: a git revision (tag, branch, commit, HEAD~2…) or a file.
    #[arg(value_name = "OLD", required = false)]
    old: Option<String>,
    /// New version: a git revision or a file.
    #[arg(value_name = "NEW", required = false)]
    new: Option<String>,
    #[command(flatten)]
    source: SourceArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
    #[command(flatten)]
    color: ColorArg,
    /// Unchanged words shown on each side of a change.
    #[arg(long, default_value_t = 8, value_name = "WORDS")]
    context: usize,
    #[command(flatten)]
    read: ReadArgs,
    /// Compare the one revision given with nothing: every policy in it is added (for a
    /// first version). The same as giving git's empty tree (4b825dc) as OLD.
    #[arg(long)]
    root: bool,
}

/// `--format` of `policy-diff OLD NEW` (the library's [`OutputFormat`], without clap in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    /// Readable text: a header per document, then each changed section.
    Text,
    /// The JSON interface documented in the README.
    Json,
    /// Markdown with `<ins>`/`<del>`, for pasting into a pull request or a ticket.
    Markdown,
    /// One self-contained HTML page (a redline: sections rendered, insertions and deletions
    /// marked, unchanged sections folded).
    Html,
}

impl From<FormatArg> for OutputFormat {
    fn from(f: FormatArg) -> OutputFormat {
        match f {
            FormatArg::Text => OutputFormat::Text,
            FormatArg::Json => OutputFormat::Json,
            FormatArg::Markdown => OutputFormat::Markdown,
            FormatArg::Html => OutputFormat::Html,
        }
    }
}

/// Where the policies are: the same flags for `diff` and `log`.
#[derive(Debug, Clone, Args)]
struct SourceArgs {
    /// Only these policies: paths or directories relative to the repository root, or globs.
    #[arg(value_name = "PATH", last = true)]
    paths: Vec<String>,
    /// The git repository (working tree or bare); default: the one containing the current
    /// directory.
    #[arg(long, value_name = "DIR")]
    repo: Option<PathBuf>,
}

/// Colour: the same flag for `diff` and `log`.
#[derive(Debug, Clone, Copy, Args)]
struct ColorArg {
    /// Colour in text output: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long = "color", value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    choice: ColorChoice,
}

/// How documents are read and compared: the same flags for `diff` and `log`.
#[derive(Debug, Clone, Args)]
struct ReadArgs {
    /// How to read numeric dates like 01/02/2013: mdy (January 2) or dmy (1 February), for
    /// every document, or PATTERN=ORDER for the documents matching a glob (repeatable; the
    /// first matching pattern applies). Unset: as each document shows (another of its dates
    /// with a day above 12, or a date label not in English), else left unread.
    #[arg(long, value_name = "[PATTERN=]ORDER")]
    date_order: Vec<String>,
    /// The language of the documents' dates (en, fr, de, es, it, nl, pt), or PATTERN=LANG
    /// (repeatable). Unset: as each document's date labels tell.
    #[arg(long, value_name = "[PATTERN=]LANG")]
    language: Vec<String>,
    /// A changed link or image destination (with the same link text) is no change: such
    /// sections are cosmetic.
    #[arg(long)]
    ignore_links: bool,
    /// Text matching REGEX is no change (repeatable), e.g. --ignore 'Updated \d+ days ago'.
    #[arg(long, value_name = "REGEX")]
    ignore: Vec<String>,
}

impl ReadArgs {
    /// The rules these flags set.
    fn rules(&self) -> Result<Rules> {
        let mut default = RuleSettings {
            ignore_links: Some(self.ignore_links),
            ignore: self
                .ignore
                .iter()
                .map(|p| {
                    crate::rules::ignore_pattern(p).map_err(|e| anyhow::anyhow!("--ignore: {e}"))
                })
                .collect::<Result<_>>()?,
            ..RuleSettings::default()
        };
        let mut by_pattern: Vec<(String, RuleSettings)> = Vec::new();
        // A value applies to every document, or (PATTERN=VALUE) to those matching PATTERN.
        let mut setting =
            |value: &str, set: &mut dyn FnMut(&mut RuleSettings)| match value.rsplit_once('=') {
                None => set(&mut default),
                Some((pattern, _)) => {
                    let at = match by_pattern.iter().position(|(p, _)| p == pattern) {
                        Some(at) => at,
                        None => {
                            by_pattern.push((pattern.to_string(), RuleSettings::default()));
                            by_pattern.len() - 1
                        }
                    };
                    set(&mut by_pattern[at].1)
                }
            };
        for value in &self.date_order {
            let name = value.rsplit_once('=').map_or(value.as_str(), |(_, v)| v);
            let order = match name.to_ascii_lowercase().as_str() {
                "mdy" => DateOrder::Mdy,
                "dmy" => DateOrder::Dmy,
                _ => bail!(
                    "--date-order {value:?}: the order is mdy or dmy (optionally PATTERN=ORDER)"
                ),
            };
            setting(value, &mut |s| s.date_order = Some(order));
        }
        for value in &self.language {
            let name = value.rsplit_once('=').map_or(value.as_str(), |(_, v)| v);
            let language = crate::config::language(name)
                .map_err(|e| anyhow::anyhow!("--language {value:?}: {e}"))?;
            setting(value, &mut |s| s.language = Some(language));
        }
        let mut rules = Rules::new(&default);
        for (pattern, settings) in &by_pattern {
            rules.add(pattern, settings).with_context(|| {
                format!("--date-order or --language: invalid path pattern {pattern:?}")
            })?;
        }
        Ok(rules)
    }
}

/// Runs the command line; returns the exit status.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Some(Command::Diff(args)) => run_diff(args),
        None => run_diff(cli.diff),
        Some(Command::Check(args)) => {
            let config = args.config.load()?;
            if args.detach {
                let line = crate::background::detach(&config, &args.config.config, args.verbose)?;
                println!("policy-diff: {}", inert(&line, true));
                return Ok(EXIT_SAME);
            }
            let options = CheckOptions {
                dry_run: args.dry_run,
                verbose: args.verbose,
                rebaseline: args.rebaseline,
            };
            let mut printed = PrintedEvents {
                verbose: args.verbose,
                delivery: None,
            };
            Ok(notify::check(&config, options, &mut printed)?)
        }
        Some(Command::Preview(args)) => run_preview(args),
        Some(Command::Log(args)) => run_log(args),
        Some(Command::Site(args)) => run_site(args),
        Some(Command::Lint(args)) => run_lint(args),
        Some(Command::Hook(HookCommand::Install {
            post_receive,
            pre_commit,
            chain,
            foreground,
            config,
        })) => {
            // Lint needs no configuration; check does.
            let repo = if pre_commit && !config.config.is_file() {
                current_repo()?
            } else {
                config.load()?;
                hook_repo(&config)?
            };
            let how = hook::Install {
                post_receive,
                pre_commit,
                chain,
                foreground,
            };
            println!(
                "policy-diff: {}",
                hook::install(&repo, &config.config, how)?
            );
            Ok(EXIT_SAME)
        }
        Some(Command::Hook(HookCommand::Uninstall {
            post_receive,
            pre_commit,
            config,
        })) => {
            // Removing a hook needs no configuration: without one, the current repository's.
            let repo = if config.config.is_file() {
                hook_repo(&config)?
            } else {
                current_repo()?
            };
            println!(
                "policy-diff: {}",
                hook::uninstall(&repo, hook::hook_name(&repo, post_receive, pre_commit))?
            );
            Ok(EXIT_SAME)
        }
        Some(Command::Config(ConfigCommand::Check { config })) => {
            let loaded = config.load()?;
            println!("{}", notify::validate_config(&loaded)?);
            Ok(EXIT_SAME)
        }
        Some(Command::Completions { shell }) => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "policy-diff", &mut out);
            write_stdout_with(|w| w.write_all(&out))?;
            Ok(EXIT_SAME)
        }
        Some(Command::Man) => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .context("cannot render the manual page")?;
            write_stdout_with(|w| w.write_all(&out))?;
            Ok(EXIT_SAME)
        }
    }
}

fn run_diff(args: DiffArgs) -> Result<u8> {
    let (old, new) = match (args.root, args.old.clone(), args.new.clone()) {
        (true, Some(new), None) => (crate::source::EMPTY_TREE.to_string(), new),
        (true, _, _) => bail!("--root takes one revision: policy-diff --root REV (see --help)"),
        (false, Some(old), Some(new)) => (old, new),
        _ => bail!("two versions are needed: policy-diff OLD NEW [-- PATH...] (see --help)"),
    };
    let rules = args.read.rules()?;
    let mut warnings = Vec::new();
    let report = if Path::new(&old).is_file()
        && Path::new(&new).is_file()
        && args.source.repo.is_none()
    {
        if !args.source.paths.is_empty() {
            bail!(
                "PATH arguments select files in a repository; they do not apply when comparing two files"
            );
        }
        crate::report::compare_files(&old, &new, rules.for_path(&new), &mut warnings)?
    } else {
        compare_revisions(&args, &old, &new, &rules, &mut warnings)?
    };
    for w in &warnings {
        print_warning(w);
    }
    let color = use_color(args.color.choice);
    let text = TextOptions {
        color,
        context: args.context,
    };
    write_stdout_with(|out| write_report(&report, args.format.into(), &text, out))?;
    Ok(if report.has_changes() {
        EXIT_DIFFERENT
    } else {
        EXIT_SAME
    })
}

fn run_log(args: LogArgs) -> Result<u8> {
    let repo = open_repo(&args.source)?;
    let tip = repo.resolve(&args.rev)?;
    let filter = PolicyFilter::new(&args.source.paths)?;
    if !args.source.paths.is_empty() {
        let history = repo.history(tip)?;
        repo.check_paths(
            &filter,
            &[tip],
            &history,
            &format!("the history of {}", args.rev),
        )?;
    }
    let rules = args.read.rules()?;
    let options = LogOptions {
        rules: &rules,
        diff: DiffOptions {
            word_ops: args.format == LogFormat::Json,
            // Commits are compared in parallel; each comparison runs on one thread.
            threads: 1,
        },
        threads: args.jobs,
    };
    let color = use_color(args.color.choice);
    let mut out = std::io::BufWriter::with_capacity(1 << 16, raw_stdout()?);
    let mut bar = Progress::new("commits").unless_output_on_terminal();
    let mut warnings = Vec::new();
    let result = history::walk(
        &repo,
        tip,
        None,
        &filter,
        options,
        &mut warnings,
        |_, report| match args.format {
            LogFormat::Text => render_log_document_text(&report),
            LogFormat::Json => render_log_document_json(&report),
        },
        |entry| match args.format {
            LogFormat::Text => write_log_entry_text(&entry, color, &mut out),
            LogFormat::Json => {
                write_log_entry_json(&entry, &mut out)?;
                out.write_all(b"\n")
            }
        },
        |done, total| bar.update(done, total),
    );
    bar.finish();
    for w in &warnings {
        print_warning(w);
    }
    let flushed = out.flush();
    match result
        .map_err(anyhow::Error::from)
        .and(flushed.map_err(anyhow::Error::from))
    {
        Err(e) if is_broken_pipe(&e) => Ok(EXIT_SAME),
        Err(e) => Err(e),
        Ok(()) => Ok(EXIT_SAME),
    }
}

fn run_site(args: SiteArgs) -> Result<u8> {
    let repo = open_repo(&args.source)?;
    let tip = repo.resolve(&args.rev)?;
    let filter = PolicyFilter::new(&args.source.paths)?;
    let rules = args.read.rules()?;
    if let Some(url) = &args.base_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        bail!("--base-url {url:?}: the address must start with https:// or http://");
    }
    let settings = format!("{:?} {:?}", args.source.paths, args.read);
    let options = crate::site::SiteOptions {
        out: &args.out,
        base_url: args.base_url.as_deref(),
        title: &args.title,
        rules: &rules,
        threads: args.jobs,
        settings: &settings,
    };
    let mut bar = Progress::new("commits");
    let mut warnings = Vec::new();
    let result = crate::site::build(
        &repo,
        tip,
        &filter,
        options,
        &mut warnings,
        |done, total| bar.update(done, total),
    );
    bar.finish();
    for w in &warnings {
        print_warning(w);
    }
    let summary = result?;
    let out = inert(&args.out.to_string_lossy(), true).into_owned();
    if summary.files_written == 0 {
        println!("policy-diff: {out} is up to date");
    } else {
        println!(
            "policy-diff: {out}: {} {} with policy changes read{}, {} files written{}",
            summary.new_changes,
            if summary.new_changes == 1 {
                "commit"
            } else {
                "commits"
            },
            if summary.rebuilt {
                " (whole site built)"
            } else {
                ""
            },
            summary.files_written,
            match summary.files_removed {
                0 => String::new(),
                n => format!(", {n} stale removed"),
            }
        );
    }
    Ok(EXIT_SAME)
}

fn run_lint(args: LintArgs) -> Result<u8> {
    use crate::lint;
    let repo = open_repo(&args.source)?;
    let config = match &args.config {
        Some(path) => Some(Config::load(path)?),
        None if Path::new(crate::config::DEFAULT_CONFIG).is_file() => {
            Some(Config::load(Path::new(crate::config::DEFAULT_CONFIG))?)
        }
        None => None,
    };
    let read_given = !args.read.date_order.is_empty()
        || !args.read.language.is_empty()
        || args.read.ignore_links
        || !args.read.ignore.is_empty();
    let rules = match &config {
        Some(c) if !read_given => c.rules.clone(),
        _ => args.read.rules()?,
    };
    let settings = config.as_ref().map(|c| c.lint.clone()).unwrap_or_default();
    let paths = match &config {
        Some(c) if args.source.paths.is_empty() => {
            c.policies.iter().map(|p| p.path.clone()).collect()
        }
        _ => args.source.paths.clone(),
    };
    let filter = PolicyFilter::new(&paths)?;
    let range = lint::range(&repo, &args.revs)?;
    let mut warnings = Vec::new();
    let changes = lint::changes(&repo, range, &filter, &mut warnings)?;
    for w in &warnings {
        print_warning(w);
    }
    let today = chrono::Local::now().date_naive();
    let findings = lint::lint(&changes, &rules, &settings, today);
    let mut fixed = Vec::new();
    if args.fix {
        let date = match &args.date {
            Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .with_context(|| format!("--date {d:?}: a date as YYYY-MM-DD"))?,
            None => today,
        };
        fixed = lint::fix(&repo, &findings, &rules, date)?;
    }
    let (errors, warnings_n) = lint::counts(&findings);
    let mut out = String::new();
    match args.format {
        LintFormat::Text => {
            for f in &findings {
                out.push_str(&lint::text_line(f));
                out.push('\n');
            }
            for line in &fixed {
                out.push_str(&inert(line, true));
                out.push('\n');
            }
        }
        LintFormat::Github => {
            for f in &findings {
                out.push_str(&lint::github_line(f));
                out.push('\n');
            }
        }
        LintFormat::Json => {
            let json = serde_json::json!({
                "findings": findings,
                "errors": errors,
                "warnings": warnings_n,
                "fixed": fixed,
            });
            out = format!("{json}\n");
        }
    }
    write_stdout(&out)?;
    if args.format != LintFormat::Json && (errors > 0 || warnings_n > 0) {
        eprintln!(
            "policy-diff: {errors} {}, {warnings_n} {}",
            if errors == 1 { "error" } else { "errors" },
            if warnings_n == 1 {
                "warning"
            } else {
                "warnings"
            }
        );
    }
    Ok(if errors > 0 {
        EXIT_DIFFERENT
    } else {
        EXIT_SAME
    })
}

/// The git repository containing the current directory (the pre-commit hook needs no
/// configuration to name one).
fn current_repo() -> Result<git2::Repository> {
    let dir = std::env::current_dir().context("cannot read the current directory")?;
    git2::Repository::discover(&dir).map_err(|e| {
        anyhow::anyhow!(
            "{}: not in a git repository ({})",
            dir.display(),
            e.message()
        )
    })
}

/// The repository of `--repo`, else the one containing the current directory.
fn open_repo(source: &SourceArgs) -> Result<PolicyRepo> {
    let dir = match &source.repo {
        Some(dir) => dir.clone(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    Ok(PolicyRepo::discover(&dir)?)
}

/// Standard output without its own line buffer, which looks for line breaks in everything
/// written through it (where the platform allows).
fn raw_stdout() -> Result<Box<dyn Write>> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let fd = std::io::stdout()
            .as_fd()
            .try_clone_to_owned()
            .context("cannot use standard output")?;
        Ok(Box::new(std::fs::File::from(fd)))
    }
    #[cfg(not(unix))]
    {
        Ok(Box::new(std::io::stdout()))
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || matches!(c.downcast_ref::<history::LogError>(), Some(history::LogError::Output(io)) if io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// A progress bar on stderr for long walks: only on a terminal, only after a moment.
struct Progress {
    started: std::time::Instant,
    bar: Option<indicatif::ProgressBar>,
    enabled: bool,
    /// What is counted: `commits`, `messages`.
    unit: &'static str,
}

impl Progress {
    fn new(unit: &'static str) -> Progress {
        Progress {
            started: std::time::Instant::now(),
            bar: None,
            enabled: std::io::stderr().is_terminal(),
            unit,
        }
    }

    /// No bar when standard output is on the terminal too: its lines would share the
    /// bar's line (`[====>  ] 724/4857 commits…Record new changes of…`).
    fn unless_output_on_terminal(mut self) -> Progress {
        self.enabled &= !std::io::stdout().is_terminal();
        self
    }

    /// A line on standard error, above the bar if it is shown.
    fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// Shows the bar (indicatif: rate and time left) once the walk has taken half a second.
    fn update(&mut self, done: usize, total: usize) {
        if !self.enabled || self.started.elapsed() < std::time::Duration::from_millis(500) {
            return;
        }
        let bar = self.bar.get_or_insert_with(|| {
            // Starting at the commits already done, so that the rate counts only those to come.
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(total as u64),
                indicatif::ProgressDrawTarget::stderr(),
            );
            bar.set_position(done as u64);
            bar.reset_eta();
            bar.set_style(
                indicatif::ProgressStyle::with_template(&format!(
                    "[{{bar:30}}] {{pos}}/{{len}} {unit}, {{rate}} {unit}/s, {{eta}} left",
                    unit = self.unit
                ))
                .expect("a valid template")
                .with_key(
                    "rate",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.0}", state.per_sec());
                    },
                )
                .progress_chars("=> "),
            );
            bar
        });
        bar.set_position(done as u64);
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// What `check` has to say, printed: results on standard output, problems on standard error,
/// progress on standard error with -v.
struct PrintedEvents {
    verbose: bool,
    /// With -v on a terminal: the delivery's progress bar.
    delivery: Option<Progress>,
}

/// A warning on standard error, on one line, with nothing in it acting on the terminal.
fn print_warning(line: &str) {
    eprintln!("policy-diff: warning: {}", inert(line, true));
}

impl notify::Events for PrintedEvents {
    fn result(&mut self, line: &str) {
        println!("policy-diff: {}", inert(line, true));
    }
    fn progress(&mut self, line: &str) {
        if self.verbose {
            let line = format!("policy-diff: {}", inert(line, true));
            match &self.delivery {
                Some(bar) => bar.println(&line),
                None => eprintln!("{line}"),
            }
        }
    }
    fn warning(&mut self, line: &str) {
        match &self.delivery {
            Some(bar) => bar.println(&format!("policy-diff: warning: {}", inert(line, true))),
            None => print_warning(line),
        }
    }
    fn would_send(&mut self, to: &str, subject: &str) {
        println!("would send to {to}: {}", inert(subject, true));
    }
    fn delivering(&mut self, done: usize, total: usize) {
        if self.verbose {
            self.delivery
                .get_or_insert_with(|| Progress::new("messages"))
                .update(done, total);
        }
    }
    fn delivery_over(&mut self) {
        if let Some(bar) = self.delivery.take() {
            bar.finish();
        }
    }
}

/// The repository a config watches, for the hook commands.
fn hook_repo(config: &ConfigArg) -> Result<git2::Repository> {
    let dir = match Config::load(&config.config) {
        Ok(c) => c.repository,
        Err(e) => return Err(e.into()),
    };
    git2::Repository::discover(&dir).with_context(|| {
        format!(
            "{} (key: repository) is not a git repository",
            dir.display()
        )
    })
}

fn run_preview(args: PreviewArgs) -> Result<u8> {
    let config = args.config.load()?;
    let mut warnings = Vec::new();
    let previewed = notify::preview(
        &config,
        &args.old,
        &args.new,
        args.to.as_deref(),
        &mut warnings,
    )?;
    for w in &warnings {
        print_warning(w);
    }
    let Some((subscriber, rendered)) = previewed else {
        println!(
            "policy-diff: no change between {} and {} is worth a message for this subscriber",
            inert(&args.old, true),
            inert(&args.new, true)
        );
        return Ok(EXIT_SAME);
    };
    let mut text = format!(
        "From: {}\nTo: {}\nSubject: {}\n\n",
        config.sender, subscriber.mailbox, rendered.subject
    );
    text.push_str(&rendered.text);
    let text = inert(&text, false);
    if let Some(path) = &args.html {
        std::fs::write(path, &rendered.html)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    write_stdout(&text)?;
    Ok(EXIT_SAME)
}

/// Whether to colour standard output.
fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

fn compare_revisions(
    args: &DiffArgs,
    old: &str,
    new: &str,
    rules: &Rules,
    warnings: &mut Vec<String>,
) -> Result<Report> {
    let dir = match &args.source.repo {
        Some(dir) => dir.clone(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    let repo = PolicyRepo::discover(&dir).map_err(|e| {
        let missing: Vec<&str> = [old, new]
            .into_iter()
            .filter(|p| !Path::new(p).is_file())
            .collect();
        anyhow::anyhow!(
            "{} not a file, and {e}",
            missing
                .iter()
                .map(|p| format!("'{p}'"))
                .collect::<Vec<_>>()
                .join(" and ")
                + if missing.len() > 1 { " are" } else { " is" }
        )
    })?;
    // `policy-diff README.md nope.md`: a file beside a name that is neither a file nor a
    // revision is a missing file, not an unknown revision.
    if args.source.repo.is_none() {
        for (given, other) in [(old, new), (new, old)] {
            if Path::new(other).is_file()
                && !Path::new(given).exists()
                && repo.resolve_or_empty(given).is_err()
            {
                bail!("{given}: no such file (to compare two files, both must exist)");
            }
        }
    }
    let filter = PolicyFilter::new(&args.source.paths)?;
    let ids: Vec<git2::Oid> = [repo.resolve_or_empty(old)?, Some(repo.resolve(new)?)]
        .into_iter()
        .flatten()
        .collect();
    repo.check_paths(&filter, &ids, &[], &format!("{old} or {new}"))?;
    Ok(crate::report::compare_revisions(
        &repo, old, new, &filter, rules, warnings,
    )?)
}

/// Writes to stdout; a closed pipe (`policy-diff … | head`) is a normal end, not an error.
fn write_stdout(text: &str) -> Result<()> {
    write_stdout_with(|out| out.write_all(text.as_bytes()))
}

/// Lets `write` fill stdout through a buffer; a closed pipe is a normal end, as above.
fn write_stdout_with(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to standard output")
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_line_says_each_cause_once() {
        let io = std::io::Error::other("/x/lock: is a symbolic link");
        let e = anyhow::Error::new(crate::notify::NotifyError::State {
            what: "cannot take the lock",
            source: io,
        });
        assert_eq!(
            error_line(&e),
            "cannot take the lock: /x/lock: is a symbolic link"
        );
        let e = anyhow::anyhow!("disk full").context("cannot write out.html");
        assert_eq!(error_line(&e), "cannot write out.html: disk full");
    }
}
