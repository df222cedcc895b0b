//! The cron and hook path: find what changed since the last notification, build one digest
//! per subscriber, deliver, and record — so that nothing is sent twice and nothing is lost.
//!
//! ```text
//! notified ref ──► plan (changed policies worth a message) ──► per subscriber: render,
//! build, send, journal ──► move the ref (compare-and-swap) ──► loop until the tip
//! ```

pub mod message;
pub mod state;
pub mod transport;

use crate::config::{Config, ConfigError, Subscriber};
use crate::document::date::mask_dates;
use crate::render::email::{
    CommitContext, EmailContext, PolicyContext, SubscriberContext, TemplateError, Templates,
    policy_context,
};
use crate::report::{DocumentReport, compare_texts};
use crate::rules::Rule;
use crate::source::{ChangedFile, PolicyFilter, PolicyRepo, SourceError, short_id};
use git2::{ObjectType, Oid};
pub use message::MessageError;
use message::{Rendered, build_message};
use state::Journal;
use std::collections::BTreeMap;
use std::time::Duration;
pub use transport::TransportError;
use transport::{SendError, Sender};

/// How long a second `check` waits for a running one before leaving the work to it.
const LOCK_WAIT: Duration = Duration::from_secs(10);
/// Permanent refusals in a row, before any delivery, that stop a run instead of being recorded.
const SUSPICIOUS_REFUSALS: usize = 3;
/// Commits listed in a message at most.
const MAX_COMMITS: usize = 50;

/// Why `check` (or `preview`) could not run at all. Nothing was sent.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A template does not load or render.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The repository or a revision cannot be read.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The transport cannot take messages.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A message cannot be built.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// A state file (lock, journal) cannot be used.
    #[error("{what}: {source}")]
    State {
        /// What was being done.
        what: &'static str,
        /// Why it failed.
        source: std::io::Error,
    },
    /// The configured branch does not exist.
    #[error("{}: branch '{branch}' not found (key: branch)", config.display())]
    Branch {
        /// The configuration file.
        config: std::path::PathBuf,
        /// The branch.
        branch: String,
    },
    /// `git fetch` cannot run or fails.
    #[error("{0}")]
    Fetch(String),
    /// The last notified commit is gone from the repository.
    #[error(
        "the last notified commit {notified} ({}) no longer exists in {} (history rewritten and pruned?); \
         to start again from the current tip without sending, run: policy-diff check --rebaseline --config {}",
        state::NOTIFIED_REF,
        repository.display(),
        config.display()
    )]
    NotifiedCommitGone {
        /// The commit.
        notified: Oid,
        /// The repository.
        repository: std::path::PathBuf,
        /// The configuration file.
        config: std::path::PathBuf,
    },
    /// `preview --to` is not an email address.
    #[error("--to: '{address}' is not a valid email address ({message})")]
    PreviewAddress {
        /// The address given.
        address: String,
        /// What is wrong with it.
        message: String,
    },
    /// The configured repository cannot be opened.
    #[error("{}: repository: {source}", config.display())]
    Repository {
        /// The configuration file.
        config: std::path::PathBuf,
        /// Why.
        source: SourceError,
    },
}

impl From<git2::Error> for NotifyError {
    fn from(e: git2::Error) -> Self {
        NotifyError::Source(SourceError::Git(e))
    }
}

fn io_error(what: &'static str) -> impl Fn(std::io::Error) -> NotifyError {
    move |source| NotifyError::State { what, source }
}

/// Options of `policy-diff check`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions {
    /// Render and show what would be sent; send nothing, move nothing.
    pub dry_run: bool,
    /// Progress lines, and subscriber addresses in messages about them.
    pub verbose: bool,
    /// Record the branch tip as the new baseline without sending anything.
    pub rebaseline: bool,
}

/// Why a changed policy is (or is not) worth a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// The wording changed.
    Substantive,
    /// Only the modification (or effective) date changed.
    DateOnly,
    /// Only whitespace or formatting changed.
    Cosmetic,
}

/// A changed policy that goes into messages.
#[derive(Debug, Clone)]
pub struct PolicyChange {
    /// Display name.
    pub name: String,
    /// The configured path or glob that covers it.
    pub spec_path: String,
    /// The link from the configuration.
    pub url: Option<String>,
    /// The section diff.
    pub report: DocumentReport,
    /// Why it is worth a message.
    pub kind: ChangeKind,
    context: PolicyContext,
}

/// Everything one notification (from one commit to another) is about.
#[derive(Debug, Clone)]
pub struct Notification {
    /// Stable id: a hash of the two commits and the changed policies.
    pub id: String,
    /// From this commit…
    pub old: Oid,
    /// …to this one.
    pub new: Oid,
    /// The changed policies worth a message.
    pub changes: Vec<PolicyChange>,
    /// Commits in between, newest first.
    pub commits: Vec<CommitContext>,
}

impl Notification {
    /// The changes a subscriber follows.
    pub fn changes_for<'a>(
        &'a self,
        subscriber: &'a Subscriber,
    ) -> impl Iterator<Item = &'a PolicyChange> + 'a {
        self.changes.iter().filter(move |c| follows(subscriber, c))
    }

    /// "Privacy Policy (2024-01-15 → 2024-06-03), Terms".
    pub fn describe(&self) -> String {
        let items: Vec<String> = self
            .changes
            .iter()
            .map(
                |c| match crate::render::date_change(&c.report.diff, |m| m.modified) {
                    Some(dates) => format!("{} (last updated {dates})", c.name),
                    None => c.name.clone(),
                },
            )
            .collect();
        items.join(", ")
    }
}

/// True when a subscriber follows the changed policy (by name, configured path, or path).
pub fn follows(subscriber: &Subscriber, change: &PolicyChange) -> bool {
    match &subscriber.policies {
        None => true,
        Some(refs) => refs.iter().any(|r| {
            *r == change.name
                || *r == change.spec_path
                || *r == change.report.path
                || change.report.old_path.as_deref() == Some(r.as_str())
        }),
    }
}

fn hash_hex(text: &str) -> String {
    Oid::hash_object(ObjectType::Blob, text.as_bytes())
        .map(|o| o.to_string())
        .unwrap_or_default()
}

/// Works out which policies changed between two commits and which of them are worth a message.
pub fn plan(
    config: &Config,
    repo: &PolicyRepo,
    old: Oid,
    new: Oid,
    warnings: &mut Vec<String>,
) -> Result<Notification, NotifyError> {
    let paths: Vec<String> = config.policies.iter().map(|p| p.path.clone()).collect();
    let filter = PolicyFilter::new(&paths)?;
    let mut changes = Vec::new();
    for file in repo.changed_files(Some(old), new, &filter, warnings)? {
        let spec = config
            .policy_for(&file.path)
            .or_else(|| file.old_path.as_deref().and_then(|p| config.policy_for(p)));
        let Some(spec) = spec else { continue };
        let text = |t: &Option<crate::source::Text>| t.as_ref().map(|t| t.text.clone());
        let (old_text, new_text) = (text(&file.old), text(&file.new));
        let report = compare_texts(
            &file.path,
            file.old_path.as_deref(),
            old_text.as_deref(),
            new_text.as_deref(),
            config.rules.for_path(&file.path),
        );
        let Some(kind) = classify(&file, &report, config.rules.for_path(&file.path)) else {
            continue;
        };
        let wanted = match kind {
            ChangeKind::Substantive => true,
            ChangeKind::DateOnly => config.notify.date_only,
            ChangeKind::Cosmetic => config.notify.cosmetic,
        };
        let diff = &report.diff;
        if kind == ChangeKind::Substantive
            && diff.old.is_some()
            && diff.new.is_some()
            && !diff.date_changed()
        {
            let date = diff
                .new
                .as_ref()
                .and_then(|m| m.modified)
                .map_or("none".to_string(), |d| d.to_string());
            warnings.push(format!(
                "{}: the text changed but its \"last updated\" date did not (still {date}); the published date is wrong",
                file.path
            ));
        }
        if !wanted {
            continue;
        }
        let title = diff
            .new
            .as_ref()
            .or(diff.old.as_ref())
            .and_then(|m| m.title.clone());
        let name = spec
            .name
            .clone()
            .or(title)
            .unwrap_or_else(|| file.path.clone());
        let context = policy_context(
            &name,
            &file.path,
            file.old_path.as_deref(),
            spec.url.as_deref(),
            diff,
            config.notify.excerpt_words,
        );
        changes.push(PolicyChange {
            name,
            spec_path: spec.path.clone(),
            url: spec.url.clone(),
            report,
            kind,
            context,
        });
    }
    let mut key = format!("{old}\n{new}\n");
    for c in &changes {
        key.push_str(&c.report.path);
        key.push('\n');
    }
    Ok(Notification {
        id: hash_hex(&key)[..16].to_string(),
        old,
        new,
        changes,
        commits: commits_between(repo, old, new)?,
    })
}

fn classify(file: &ChangedFile, report: &DocumentReport, rule: &Rule) -> Option<ChangeKind> {
    let diff = &report.diff;
    if diff.status == crate::diff::Status::Unchanged {
        return diff
            .sections
            .iter()
            .any(|s| s.cosmetic)
            .then_some(ChangeKind::Cosmetic);
    }
    if let (Some(old), Some(new)) = (&file.old, &file.new) {
        let (old_dates, new_dates) = (diff.old.as_ref(), diff.new.as_ref());
        let dates_moved = old_dates.map(|m| (m.modified, m.effective))
            != new_dates.map(|m| (m.modified, m.effective));
        if dates_moved {
            let masked = compare_texts(
                &report.path,
                report.old_path.as_deref(),
                Some(&mask_dates(&old.text)),
                Some(&mask_dates(&new.text)),
                rule,
            );
            if masked.diff.status == crate::diff::Status::Unchanged {
                return Some(ChangeKind::DateOnly);
            }
        }
    }
    Some(ChangeKind::Substantive)
}

fn commits_between(
    repo: &PolicyRepo,
    old: Oid,
    new: Oid,
) -> Result<Vec<CommitContext>, NotifyError> {
    let git = repo.git();
    let mut walk = git.revwalk()?;
    walk.push(new)?;
    // The old commit may be gone from the branch (rewritten history): hide what we can.
    let _ = walk.hide(old);
    let mut out = Vec::new();
    for id in walk.take(MAX_COMMITS) {
        let commit = git.find_commit(id?)?;
        let time = chrono::DateTime::from_timestamp(commit.time().seconds(), 0)
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let id = commit.id().to_string();
        out.push(CommitContext {
            short: short_id(&id).to_string(),
            id,
            summary: commit.summary().ok().flatten().unwrap_or("").to_string(),
            author: commit.author().name().unwrap_or("").to_string(),
            time,
        });
    }
    Ok(out)
}

/// The Message-ID of a subscriber's copy of a notification: the same on every retry.
pub fn message_id(notification: &Notification, config: &Config, subscriber: &Subscriber) -> String {
    let hash = hash_hex(&format!(
        "{}\n{}",
        notification.id,
        subscriber.email().to_lowercase()
    ));
    format!(
        "<{}.{}@{}>",
        &notification.id,
        &hash[..20],
        config.sender.email.domain()
    )
}

/// Renders one subscriber's message; `None` when they follow none of the changes.
pub fn render_for(
    config: &Config,
    templates: &Templates,
    notification: &Notification,
    subscriber: &Subscriber,
) -> Result<Option<(Rendered, Option<String>)>, NotifyError> {
    let policies: Vec<PolicyContext> = notification
        .changes_for(subscriber)
        .map(|c| c.context.clone())
        .collect();
    if policies.is_empty() {
        return Ok(None);
    }
    let (old, new) = (notification.old.to_string(), notification.new.to_string());
    let url_vars = minijinja::context! {
        email => subscriber.email(),
        name => subscriber.mailbox.name.clone(),
        old_commit => old.clone(),
        new_commit => new.clone(),
        old_commit_short => short_id(&old).to_string(),
        new_commit_short => short_id(&new).to_string(),
    };
    let url = |key: &str, pattern: &Option<String>| -> Result<Option<String>, NotifyError> {
        Ok(match pattern {
            Some(p) => Some(templates.render_str(key, p, &url_vars)?),
            None => None,
        })
    };
    let mut context = EmailContext {
        subject: String::new(),
        subscriber: SubscriberContext {
            email: subscriber.email(),
            name: subscriber.mailbox.name.clone(),
        },
        policies,
        old_commit_short: short_id(&old).to_string(),
        new_commit_short: short_id(&new).to_string(),
        old_commit: old,
        new_commit: new,
        commits: notification.commits.clone(),
        diff_url: url("notify.diff_url", &config.notify.diff_url)?,
        unsubscribe_url: url("notify.unsubscribe_url", &config.notify.unsubscribe_url)?,
        sender: config.sender.to_string(),
    };
    let subject = templates
        .render("subject.txt", &context)?
        .trim()
        .to_string();
    context.subject = subject.clone();
    let text = templates.render("body.txt", &context)?;
    let html = templates.render("body.html", &context)?;
    Ok(Some((
        Rendered {
            subject,
            text,
            html,
        },
        context.unsubscribe_url,
    )))
}

/// Renders one message per distinct set of followed policies, so that a template error
/// stops the run before anything is sent.
fn validate_templates(
    config: &Config,
    templates: &Templates,
    notification: &Notification,
    recipients: &[&Subscriber],
) -> Result<(), NotifyError> {
    let mut groups: BTreeMap<Vec<usize>, &Subscriber> = BTreeMap::new();
    for s in recipients {
        let key: Vec<usize> = notification
            .changes
            .iter()
            .enumerate()
            .filter(|(_, c)| follows(s, c))
            .map(|(i, _)| i)
            .collect();
        groups.entry(key).or_insert(s);
    }
    for s in groups.values() {
        render_for(config, templates, notification, s)?;
    }
    Ok(())
}

/// Writes what `check` has to say: results on stdout, problems on stderr, progress with -v.
struct Voice {
    verbose: bool,
}

impl Voice {
    fn say(&self, line: &str) {
        println!("policy-diff: {line}");
    }
    fn progress(&self, line: &str) {
        if self.verbose {
            eprintln!("policy-diff: {line}");
        }
    }
    fn warn(&self, line: &str) {
        eprintln!("policy-diff: warning: {line}");
    }
    /// A subscriber as they may be named in output: the address only with -v.
    fn who(&self, s: &Subscriber) -> String {
        if self.verbose {
            s.email()
        } else {
            format!("the subscriber listed at {}", s.origin)
        }
    }
}

fn short(id: Oid) -> String {
    short_id(&id.to_string()).to_string()
}

fn resolve_tip(config: &Config, repo: &PolicyRepo) -> Result<Oid, NotifyError> {
    let name = match (&config.remote, &config.branch) {
        (Some(r), Some(b)) => format!("refs/remotes/{r}/{b}"),
        (Some(r), None) => format!("refs/remotes/{r}/HEAD"),
        (None, Some(b)) => format!("refs/heads/{b}"),
        (None, None) => "HEAD".to_string(),
    };
    repo.resolve(&name).map_err(|_| NotifyError::Branch {
        config: config.file.clone(),
        branch: name.trim_start_matches("refs/heads/").to_string(),
    })
}

fn fetch(repo: &PolicyRepo, remote: &str) -> Result<(), NotifyError> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(repo.git().path())
        .args(["fetch", "--quiet", "--prune", remote])
        .output()
        .map_err(|e| NotifyError::Fetch(format!("cannot run git fetch: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(NotifyError::Fetch(format!(
            "git fetch {remote} failed (key: remote): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// `policy-diff check`: notify about everything since the last notification. Returns the
/// exit status: 0 done (or nothing to do), 1 some deliveries failed (retried next run).
pub fn check(config: &Config, options: CheckOptions) -> Result<u8, NotifyError> {
    let voice = Voice {
        verbose: options.verbose,
    };
    // Loaded when there is something to send: a run with nothing new stays cheap.
    let mut loaded: Option<Templates> = None;
    config.check_environment()?;
    let repo = PolicyRepo::discover(&config.repository)?;
    if let Some(remote) = &config.remote {
        voice.progress(&format!("fetching {remote}"));
        fetch(&repo, remote)?;
    }
    let _lock = if options.dry_run {
        None
    } else {
        match state::lock(repo.git(), LOCK_WAIT).map_err(io_error("cannot take the lock"))? {
            Some(lock) => Some(lock),
            None => {
                voice.say(&format!(
                    "another check is running on {}; it delivers these changes",
                    repo.location().display()
                ));
                return Ok(0);
            }
        }
    };
    let mut sender: Option<Sender> = None;
    let mut status = 0;
    loop {
        let tip = match resolve_tip(config, &repo) {
            Err(_) if config.branch.is_none() && repo.git().head().is_err() => {
                voice.progress("the repository has no commits yet");
                return Ok(0);
            }
            tip => tip?,
        };
        let Some(old) = state::notified(repo.git()).filter(|_| !options.rebaseline) else {
            if options.dry_run {
                voice.say(&format!(
                    "dry run: would record {} as the baseline; nothing would be sent",
                    short(tip)
                ));
            } else {
                state::move_notified(
                    repo.git(),
                    state::notified(repo.git()),
                    tip,
                    "policy-diff: baseline",
                )?;
                voice.say(&format!(
                    "baseline recorded at {}; nothing sent (changes after it will be notified)",
                    short(tip)
                ));
            }
            return Ok(0);
        };
        if old == tip {
            voice.progress(&format!("nothing new since {}", short(old)));
            return Ok(status);
        }
        if repo.git().find_commit(old).is_err() {
            return Err(NotifyError::NotifiedCommitGone {
                notified: old,
                repository: repo.location().to_path_buf(),
                config: config.file.clone(),
            });
        }
        // An unfinished notification from an earlier run is completed before anything newer.
        let pending = Journal::pending(repo.git(), old)
            .filter(|(_, _, n)| repo.git().find_commit(*n).is_ok());
        let target = if options.dry_run {
            tip
        } else {
            pending.map_or(tip, |(_, _, n)| n)
        };
        voice.progress(&format!("changes {} → {}", short(old), short(target)));
        let mut warnings = Vec::new();
        let notification = plan(config, &repo, old, target, &mut warnings)?;
        for w in &warnings {
            voice.warn(w);
        }
        let recipients: Vec<&Subscriber> = config
            .subscribers
            .iter()
            .filter(|s| notification.changes_for(s).next().is_some())
            .collect();
        if recipients.is_empty() {
            voice.progress("no change worth a message");
            if options.dry_run {
                return Ok(0);
            }
            state::move_notified(
                repo.git(),
                Some(old),
                target,
                "policy-diff: nothing to send",
            )?;
            continue;
        }
        if loaded.is_none() {
            loaded = Some(Templates::load(config.templates_dir.as_deref())?);
        }
        let templates = loaded.as_ref().expect("templates are loaded");
        validate_templates(config, templates, &notification, &recipients)?;
        if options.dry_run {
            for s in &recipients {
                if let Some((r, _)) = render_for(config, templates, &notification, s)? {
                    println!("would send to {}: {}", s.email(), r.subject);
                }
            }
            voice.say(&format!(
                "dry run: {} messages would be sent for {}",
                recipients.len(),
                notification.describe()
            ));
            return Ok(0);
        }
        let mut journal = Journal::open(repo.git(), &notification.id, old, target)
            .map_err(io_error("cannot open the delivery journal"))?;
        if sender.is_none() {
            sender = Some(Sender::new(&config.delivery)?);
        }
        let sender = sender.as_ref().expect("transport is ready");
        if let Err(why) = sender.ready() {
            voice.warn(&format!("nothing sent: {why}; the next run tries again"));
            return Ok(1);
        }
        let Tally {
            delivered,
            retry,
            refused,
            stopped,
        } = deliver(
            config,
            templates,
            &notification,
            &recipients,
            sender,
            &mut journal,
            &voice,
        )?;
        journal
            .sync()
            .map_err(io_error("cannot write the delivery journal"))?;
        if delivered > 0 {
            voice.say(&format!(
                "sent {delivered} message{} for {}",
                if delivered == 1 { "" } else { "s" },
                notification.describe()
            ));
        }
        if let Some(why) = stopped {
            voice.warn(&format!(
                "delivery stopped: {why}; the next run sends what is missing"
            ));
            return Ok(1);
        }
        if retry > 0 {
            voice.warn(&format!(
                "{retry} message{} not delivered; the next run retries them",
                if retry == 1 { "" } else { "s" }
            ));
            return Ok(1);
        }
        if refused > 0 {
            status = 1;
        }
        state::move_notified(repo.git(), Some(old), target, "policy-diff: notified")?;
        journal
            .finish()
            .map_err(io_error("cannot remove the delivery journal"))?;
    }
}

/// What one delivery pass did.
struct Tally {
    delivered: usize,
    retry: usize,
    refused: usize,
    stopped: Option<String>,
}

/// Sends a notification to every recipient the journal does not list yet, recording each
/// acceptance before the next message goes out.
/// Messages rendered ahead of the one being sent.
const RENDER_AHEAD: usize = 16;

fn deliver(
    config: &Config,
    templates: &Templates,
    notification: &Notification,
    recipients: &[&Subscriber],
    sender: &Sender,
    journal: &mut Journal,
    voice: &Voice,
) -> Result<Tally, NotifyError> {
    let mut tally = Tally {
        delivered: 0,
        retry: 0,
        refused: 0,
        stopped: None,
    };
    let journal_error = io_error("cannot write the delivery journal");
    // Refusals before the first delivery may be the server refusing everything (the sender
    // address, the size…) rather than these recipients: they are recorded only once a message
    // got through, or at the end of the run.
    let mut unconfirmed: Vec<(&Subscriber, String)> = Vec::new();
    let refuse = |journal: &mut Journal,
                  tally: &mut Tally,
                  s: &Subscriber,
                  why: &str|
     -> Result<(), NotifyError> {
        journal
            .record_failed(&s.email(), why)
            .map_err(&journal_error)?;
        tally.refused += 1;
        voice.warn(&format!(
            "refused for {} (will not retry): {why}",
            voice.who(s)
        ));
        Ok(())
    };
    // Messages are rendered and built a few ahead, on another thread, while this one talks
    // to the server: the time a message takes is then the server's alone.
    let todo: Vec<&Subscriber> = recipients
        .iter()
        .copied()
        .filter(|s| !journal.is_done(&s.email()))
        .collect();
    std::thread::scope(|scope| {
        let (ready, messages) = std::sync::mpsc::sync_channel(RENDER_AHEAD);
        scope.spawn(move || {
            for s in todo {
                let built = (|| -> Result<Option<(lettre::Message, String)>, NotifyError> {
                    let Some((rendered, unsubscribe)) =
                        render_for(config, templates, notification, s)?
                    else {
                        return Ok(None);
                    };
                    let id = message_id(notification, config, s);
                    let message = build_message(config, s, &rendered, &id, unsubscribe.as_deref())?;
                    let file_name = format!(
                        "{}-{}",
                        notification.id,
                        &hash_hex(&s.email().to_lowercase())[..12]
                    );
                    Ok(Some((message, file_name)))
                })();
                let failed = built.is_err();
                // A closed channel: the sending side stopped.
                if ready.send((s, built)).is_err() || failed {
                    return;
                }
            }
        });
        for (s, built) in messages {
            let Some((message, file_name)) = built? else {
                continue;
            };
            match sender.send(&message, &file_name) {
                Ok(()) => {
                    journal.record_sent(&s.email()).map_err(&journal_error)?;
                    tally.delivered += 1;
                    voice.progress(&format!("sent to {}", voice.who(s)));
                    for (s, why) in std::mem::take(&mut unconfirmed) {
                        refuse(journal, &mut tally, s, &why)?;
                    }
                }
                Err(SendError::Temporary(why)) => {
                    tally.retry += 1;
                    voice.warn(&format!(
                        "not delivered to {} (will retry): {why}",
                        voice.who(s)
                    ));
                }
                Err(SendError::Permanent(why)) if journal.sent_count() == 0 => {
                    unconfirmed.push((s, why.clone()));
                    if unconfirmed.len() >= SUSPICIOUS_REFUSALS {
                        tally.stopped = Some(format!(
                            "the server refused each of the first {SUSPICIOUS_REFUSALS} messages ({why}); it may refuse \
                             all mail (sender address, size, content), so none was recorded as refused"
                        ));
                        return Ok(());
                    }
                }
                Err(SendError::Permanent(why)) => refuse(journal, &mut tally, s, &why)?,
                Err(SendError::Unavailable(why)) => {
                    tally.stopped = Some(why);
                    return Ok(());
                }
            }
        }
        Ok::<(), NotifyError>(())
    })?;
    if tally.stopped.is_some() {
        return Ok(tally);
    }
    for (s, why) in unconfirmed {
        refuse(journal, &mut tally, s, &why)?;
    }
    Ok(tally)
}

/// `policy-diff preview`: the message one subscriber would get for the changes between two
/// revisions. `to`: an address (a configured subscriber, or anyone, following everything).
/// Warnings about the documents (a stale date, a skipped file) are added to `warnings`.
pub fn preview(
    config: &Config,
    old: &str,
    new: &str,
    to: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<Option<(Subscriber, Rendered)>, NotifyError> {
    let templates = Templates::load(config.templates_dir.as_deref())?;
    let repo = PolicyRepo::discover(&config.repository)?;
    let (old, new) = (repo.resolve(old)?, repo.resolve(new)?);
    let notification = plan(config, &repo, old, new, warnings)?;
    let subscriber = match to {
        Some(address) => match config
            .subscribers
            .iter()
            .find(|s| s.email().eq_ignore_ascii_case(address))
        {
            Some(s) => s.clone(),
            None => Subscriber {
                mailbox: address
                    .parse()
                    .map_err(
                        |e: lettre::address::AddressError| NotifyError::PreviewAddress {
                            address: address.to_string(),
                            message: e.to_string(),
                        },
                    )?,
                policies: None,
                origin: "--to".into(),
            },
        },
        None => config
            .subscribers
            .first()
            .cloned()
            .unwrap_or_else(|| Subscriber {
                mailbox: "reader@example.com".parse().expect("valid address"),
                policies: None,
                origin: "preview".into(),
            }),
    };
    Ok(render_for(config, &templates, &notification, &subscriber)?.map(|(r, _)| (subscriber, r)))
}

/// `policy-diff config check`: everything `check` would need, validated without sending —
/// the file (already loaded), the repository and branch, the environment (password), and the
/// templates rendered against a sample change (undefined variables are errors).
pub fn validate_config(config: &Config) -> Result<String, NotifyError> {
    config.check_environment()?;
    let templates = Templates::load(config.templates_dir.as_deref())?;
    let repo =
        PolicyRepo::discover(&config.repository).map_err(|source| NotifyError::Repository {
            config: config.file.clone(),
            source,
        })?;
    if config.remote.is_none() && config.branch.is_some() {
        resolve_tip(config, &repo)?;
    }
    let sample = sample_notification(config);
    let fallback = Subscriber {
        mailbox: "reader@example.com".parse().expect("valid address"),
        policies: None,
        origin: "sample".into(),
    };
    let reader = config.subscribers.first().unwrap_or(&fallback);
    let everyone = Subscriber {
        policies: None,
        ..reader.clone()
    };
    render_for(config, &templates, &sample, &everyone)?;
    let transport = match &config.delivery {
        crate::config::Delivery::Outbox(dir) => format!("outbox {}", dir.display()),
        crate::config::Delivery::Smtp(s) => {
            format!("smtp {}:{} ({:?})", s.host, s.port, s.security).to_lowercase()
        }
        crate::config::Delivery::Sendmail(p) => format!("sendmail {}", p.display()),
    };
    Ok(format!(
        "{}: OK — {} polic{}, {} subscriber{}, delivery by {transport}",
        config.file.display(),
        config.policies.len(),
        if config.policies.len() == 1 {
            "y"
        } else {
            "ies"
        },
        config.subscribers.len(),
        if config.subscribers.len() == 1 {
            ""
        } else {
            "s"
        },
    ))
}

/// A small made-up change, to render templates against.
fn sample_notification(config: &Config) -> Notification {
    let old = "# Sample Policy\n\nLast updated: January 2, 2024\n\n## Data\n\nWe keep data for 30 days.\n\n## Contests\n\nWe run contests.\n";
    let new = "# Sample Policy\n\nLast updated: March 4, 2024\n\n## Data\n\nWe keep data for 90 days.\n\n## Your rights\n\nYou may ask for a copy.\n";
    let report = compare_texts(
        "sample.md",
        Some("sample.md"),
        Some(old),
        Some(new),
        &Rule::default(),
    );
    let spec = &config.policies[0];
    let name = spec.name.clone().unwrap_or_else(|| "Sample Policy".into());
    let context = policy_context(
        &name,
        "sample.md",
        Some("sample.md"),
        spec.url.as_deref(),
        &report.diff,
        config.notify.excerpt_words,
    );
    let zero = Oid::ZERO_SHA1;
    Notification {
        id: "sample".into(),
        old: zero,
        new: zero,
        changes: vec![PolicyChange {
            name,
            spec_path: spec.path.clone(),
            url: spec.url.clone(),
            report,
            kind: ChangeKind::Substantive,
            context,
        }],
        commits: vec![CommitContext {
            id: zero.to_string(),
            short: short_id(&zero.to_string()).to_string(),
            summary: "Sample commit".into(),
            author: "Sample Author".into(),
            time: "2024-03-04 10:00".into(),
        }],
    }
}
