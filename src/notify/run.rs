//! `check`: the lock, fetching, the tip, and one notification after another up to it.

use super::*;
use state::Notified;
use std::ops::ControlFlow;

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

/// What `check` has to say as it runs. The library never prints: the command line supplies
/// a sink that writes results on standard output and problems (and, with -v, progress) on
/// standard error.
pub trait Events {
    /// A result: a notification sent, nothing new, a baseline recorded.
    fn result(&mut self, line: &str);
    /// Progress (the command line shows it with -v).
    fn progress(&mut self, line: &str);
    /// A problem that did not stop the run.
    fn warning(&mut self, line: &str);
    /// A message a dry run would send: its recipient and subject.
    fn would_send(&mut self, to: &str, subject: &str);
    /// Delivery of a notification went `done` messages of `total` far.
    fn delivering(&mut self, _done: usize, _total: usize) {}
    /// Delivery of a notification is over (done or stopped).
    fn delivery_over(&mut self) {}
}

/// Passes what `check` has to say to its [`Events`] sink.
pub(super) struct Voice<'a> {
    pub(super) verbose: bool,
    events: std::cell::RefCell<&'a mut dyn Events>,
}

impl Voice<'_> {
    pub(super) fn say(&self, line: &str) {
        self.events.borrow_mut().result(line);
    }
    pub(super) fn progress(&self, line: &str) {
        self.events.borrow_mut().progress(line);
    }
    pub(super) fn warn(&self, line: &str) {
        self.events.borrow_mut().warning(line);
    }
    pub(super) fn would_send(&self, to: &str, subject: &str) {
        self.events.borrow_mut().would_send(to, subject);
    }
    pub(super) fn delivering(&self, done: usize, total: usize) {
        self.events.borrow_mut().delivering(done, total);
    }
    pub(super) fn delivery_over(&self) {
        self.events.borrow_mut().delivery_over();
    }
}

pub(super) fn short(id: Oid) -> String {
    short_id(&id.to_string()).to_string()
}

pub(super) fn resolve_tip(config: &Config, repo: &PolicyRepo) -> Result<Oid, NotifyError> {
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

pub(super) fn fetch(repo: &PolicyRepo, remote: &str) -> Result<(), NotifyError> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(repo.git().path())
        .args(["fetch", "--quiet", "--prune", "--", remote])
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

/// Takes the lock (a dry run needs none): `Ok(None)` when another run holds it, and leaves
/// the work to it.
fn take_lock(
    repo: &PolicyRepo,
    options: CheckOptions,
    voice: &Voice<'_>,
) -> Result<Option<Option<state::Lock>>, NotifyError> {
    if options.dry_run {
        return Ok(Some(None));
    }
    match state::lock(repo.git(), LOCK_WAIT).map_err(io_error("cannot take the lock"))? {
        Some(lock) => Ok(Some(Some(lock))),
        None => {
            voice.say(&format!(
                "another check is running on {}; it delivers these changes",
                repo.location().display()
            ));
            Ok(None)
        }
    }
}

/// Records `tip` as the baseline (the first run, or `--rebaseline`): nothing is sent.
fn record_baseline(
    repo: &PolicyRepo,
    tip: Oid,
    options: CheckOptions,
    voice: &Voice<'_>,
) -> Result<(), NotifyError> {
    if options.dry_run {
        voice.say(&format!(
            "dry run: would record {} as the baseline; nothing would be sent",
            short(tip)
        ));
    } else {
        match state::read_notified(repo.git()) {
            Notified::Unreadable(_) => {
                state::replace_notified(repo.git(), tip, "policy-diff: baseline")?
            }
            _ => state::move_notified(
                repo.git(),
                state::notified(repo.git()),
                tip,
                "policy-diff: baseline",
            )?,
        }
        voice.say(&format!(
            "baseline recorded at {}; nothing sent (changes after it will be notified)",
            short(tip)
        ));
    }
    Ok(())
}

/// How a delivery pass ended.
enum Delivered {
    /// Every subscriber got the message (or refused it for good)…
    All,
    /// …some refused it for good, or were deferred (reported; exit status 1).
    SomeRefused,
    /// The run stopped: messages are missing, and the next run sends them before anything
    /// newer.
    Unfinished,
}

/// Says what a delivery pass did.
/// `1.2 s (830 messages/s)`.
fn rate(messages: usize, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64().max(0.001);
    let digits = if seconds < 1.0 { 2 } else { 1 };
    format!(
        "{seconds:.digits$} s ({:.0} messages/s)",
        messages as f64 / seconds
    )
}

fn report_tally(
    tally: &Tally,
    notification: &Notification,
    lifetime: Duration,
    prefix: &str,
    voice: &Voice<'_>,
) -> Delivered {
    let Tally {
        delivered,
        deferred,
        expired,
        refused,
        ref stopped,
        elapsed,
        ..
    } = *tally;
    if delivered > 0 || deferred > 0 || expired > 0 {
        let mut line = if delivered > 0 {
            format!(
                "{prefix}sent {delivered} message{} for {} in {}",
                if delivered == 1 { "" } else { "s" },
                notification.describe(),
                rate(delivered, elapsed)
            )
        } else {
            format!("{prefix}nothing sent for {}", notification.describe())
        };
        if deferred > 0 {
            line.push_str(&format!(
                "; {deferred} deferred (retried on each run for up to {})",
                crate::config::format_lifetime(lifetime)
            ));
        }
        if expired > 0 {
            line.push_str(&format!(
                "; {expired} failed for good (deferred longer than retry_lifetime {})",
                crate::config::format_lifetime(lifetime)
            ));
        }
        voice.say(&line);
    }
    if let Some(why) = stopped {
        voice.warn(&format!(
            "delivery stopped: {why}; the next run sends what is missing"
        ));
        return Delivered::Unfinished;
    }
    if refused > 0 || deferred > 0 || expired > 0 {
        Delivered::SomeRefused
    } else {
        Delivered::All
    }
}

/// Reports the lines of a journal that were not records (left by a crash).
fn warn_skipped(journal: &Journal, voice: &Voice<'_>) {
    if let [first, ..] = journal.skipped() {
        voice.warn(&format!(
            "{}: skipped {} line{} that {} not a record (from line {first}); they were left by a crash",
            journal.path().display(),
            journal.skipped().len(),
            if journal.skipped().len() == 1 { "" } else { "s" },
            if journal.skipped().len() == 1 { "is" } else { "are" },
        ));
    }
}

/// How one step of `check` ended.
enum Step {
    /// A notification was delivered (or there was nothing worth a message): go on to the tip.
    Next,
    /// Delivered, but some recipients refused it for good or were deferred: go on, and exit
    /// 1 at the end.
    NextRefused,
    /// Up to date: exit with the status gathered so far.
    Done,
    /// Stop now with this exit status.
    Stop(u8),
}

/// One `check` run, holding the lock: what it reads once and what it loads when needed.
struct Run<'a, 'v> {
    config: &'a Config,
    repo: &'a PolicyRepo,
    options: CheckOptions,
    voice: &'a Voice<'v>,
    /// Loaded when there is something to send: a run with nothing new stays cheap.
    templates: Option<Templates>,
    sender: Option<Sender>,
    /// Recipients that failed for now in this run (lowercase): later notices of the run
    /// hold them back, so that each gets their notices in order.
    held: std::collections::HashSet<String>,
}

impl Run<'_, '_> {
    /// The commits the next notification covers, from the notified commit to the tip (or to
    /// the end of an unfinished notification), or how the run ends.
    fn next_range(&self) -> Result<ControlFlow<Step, (Oid, Oid)>, NotifyError> {
        let (config, repo, options, voice) = (self.config, self.repo, self.options, self.voice);
        let tip = match resolve_tip(config, repo) {
            Err(_) if config.branch.is_none() && repo.git().head().is_err() => {
                voice.progress("the repository has no commits yet");
                return Ok(ControlFlow::Break(Step::Stop(0)));
            }
            tip => tip?,
        };
        let old = match state::read_notified(repo.git()) {
            _ if options.rebaseline => None,
            Notified::Absent => None,
            Notified::At(id) => Some(id),
            Notified::Unreadable(problem) => {
                return Err(NotifyError::NotifiedRefUnreadable {
                    problem,
                    repository: repo.location().to_path_buf(),
                    config: config.file.clone(),
                });
            }
        };
        let Some(old) = old else {
            record_baseline(repo, tip, options, voice)?;
            return Ok(ControlFlow::Break(Step::Stop(0)));
        };
        if old == tip {
            voice.progress(&format!("nothing new since {}", short(old)));
            return Ok(ControlFlow::Break(Step::Done));
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
        Ok(ControlFlow::Continue((old, target)))
    }

    /// Notifies about the changes from the notified commit to the next target.
    fn step(&mut self) -> Result<Step, NotifyError> {
        let (old, target) = match self.next_range()? {
            ControlFlow::Break(end) => return Ok(end),
            ControlFlow::Continue(range) => range,
        };
        let (config, repo, voice) = (self.config, self.repo, self.voice);
        voice.progress(&format!("changes {} → {}", short(old), short(target)));
        let mut warnings = Vec::new();
        let notification = plan(config, repo, old, target, &mut warnings)?;
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
            if self.options.dry_run {
                return Ok(Step::Stop(0));
            }
            state::move_notified(
                repo.git(),
                Some(old),
                target,
                "policy-diff: nothing to send",
            )?;
            return Ok(Step::Next);
        }
        if self.templates.is_none() {
            self.templates = Some(Templates::load(config.templates_dir.as_deref())?);
        }
        let templates = self.templates.as_ref().expect("templates are loaded");
        let prebuilt = validate_messages(config, templates, &notification, &recipients)?;
        if self.options.dry_run {
            self.show_dry_run(&notification, &recipients)?;
            return Ok(Step::Stop(0));
        }
        self.send(&notification, &recipients, prebuilt)
    }

    /// What a dry run would send: each message's recipient and subject.
    fn show_dry_run(
        &self,
        notification: &Notification,
        recipients: &[&Subscriber],
    ) -> Result<(), NotifyError> {
        let templates = self.templates.as_ref().expect("templates are loaded");
        for s in recipients {
            if let Some((r, _)) = render_for(self.config, templates, notification, s)? {
                self.voice.would_send(&s.email(), &r.subject);
            }
        }
        self.voice.say(&format!(
            "dry run: {} messages would be sent for {}",
            recipients.len(),
            notification.describe()
        ));
        Ok(())
    }

    /// Delivers a notification, then moves the notified ref to its end once nobody is left
    /// to send it to.
    fn send(
        &mut self,
        notification: &Notification,
        recipients: &[&Subscriber],
        prebuilt: Prebuilt,
    ) -> Result<Step, NotifyError> {
        let (repo, voice) = (self.repo, self.voice);
        let (old, target) = (notification.old, notification.new);
        // The transport is known to be ready before any state is written.
        if let Err(stop) = self.ready_sender()? {
            return Ok(stop);
        }
        let mut journal = Journal::open(repo.git(), &notification.id, old, target)
            .map_err(io_error("cannot open the delivery journal"))?;
        warn_skipped(&journal, voice);
        let delivered = self.pass(notification, recipients, prebuilt, &mut journal, "")?;
        let step = match delivered {
            Delivered::Unfinished => return Ok(Step::Stop(1)),
            Delivered::SomeRefused => Step::NextRefused,
            Delivered::All => Step::Next,
        };
        // Everyone else is done: the ref moves. The deferred stay in the journal, which
        // becomes this notification's retry queue (see [`Run::retry_queue`]).
        state::move_notified(repo.git(), Some(old), target, "policy-diff: notified")?;
        if journal.outstanding().is_empty() {
            journal
                .finish()
                .map_err(io_error("cannot remove the delivery journal"))?;
        }
        Ok(step)
    }

    /// The transport, ready to take messages; `Err(step)`: it is not, and the run stops.
    fn ready_sender(&mut self) -> Result<Result<(), Step>, NotifyError> {
        if self.sender.is_none() {
            self.sender = Some(Sender::new(&self.config.delivery)?);
        }
        let sender = self.sender.as_ref().expect("transport is ready");
        match sender.ready() {
            Ok(()) => Ok(Ok(())),
            Err(login @ TransportError::Login { .. }) => Err(login.into()),
            Err(why) => {
                self.voice
                    .warn(&format!("nothing sent: {why}; the next run tries again"));
                Ok(Err(Step::Stop(1)))
            }
        }
    }

    /// Retries the deferred recipients of earlier notifications, oldest notification first,
    /// each with the notice they are owed and its first Message-ID; reports as failed for
    /// good those deferred longer than `delivery.retry_lifetime`. A notification whose
    /// deferred are all done leaves the queue.
    fn retry_queue(&mut self) -> Result<Step, NotifyError> {
        let (config, repo, voice) = (self.config, self.repo, self.voice);
        let git = repo.git();
        // Without a baseline there is no queue; an unreadable ref is the main loop's error.
        let Some(notified) = state::notified(git) else {
            return Ok(Step::Next);
        };
        let mut step = Step::Next;
        // Oldest notice first, by the commit it starts from (a journal's time changes as it
        // is written to): each recipient gets their notices in order.
        let mut queue = Journal::list(git);
        let time = |id: Oid| git.find_commit(id).map_or(i64::MIN, |c| c.time().seconds());
        // Commits of the same second: one that descends from more of the others comes after
        // them. A key, so the order is total (a comparator of ancestry alone is not).
        let starts: Vec<Oid> = queue.iter().map(|(_, old, _)| *old).collect();
        let below = |id: Oid| {
            starts
                .iter()
                .filter(|&&other| {
                    other != id
                        && time(other) == time(id)
                        && git.graph_descendant_of(id, other).unwrap_or(false)
                })
                .count()
        };
        queue.sort_by_cached_key(|(id, old, _)| (time(*old), below(*old), id.clone()));
        for (id, old, new) in queue {
            // Going from the notified commit: unfinished, not queued; the main loop ends it.
            if old == notified {
                continue;
            }
            let mut journal = Journal::open(git, &id, old, new)
                .map_err(io_error("cannot open the delivery journal"))?;
            warn_skipped(&journal, voice);
            let owed: Vec<String> = journal
                .outstanding()
                .into_iter()
                .map(|(who, _)| who.to_string())
                .collect();
            if owed.is_empty() {
                // Done, but the run that finished it stopped before removing it.
                journal
                    .finish()
                    .map_err(io_error("cannot remove the delivery journal"))?;
                continue;
            }
            if git.find_commit(old).is_err() || git.find_commit(new).is_err() {
                let why = format!(
                    "the notice from {} to {} can no longer be built: a commit is gone from the repository (history rewritten)",
                    short(old),
                    short(new)
                );
                for who in &owed {
                    journal
                        .record_failed(who, &why)
                        .map_err(io_error("cannot write the delivery journal"))?;
                }
                voice.warn(&format!(
                    "{} deferred message{} failed for good: {why}",
                    owed.len(),
                    if owed.len() == 1 { "" } else { "s" }
                ));
                journal
                    .finish()
                    .map_err(io_error("cannot remove the delivery journal"))?;
                step = Step::NextRefused;
                continue;
            }
            voice.progress(&format!(
                "retrying {} deferred message{} of the changes {} → {}",
                owed.len(),
                if owed.len() == 1 { "" } else { "s" },
                short(old),
                short(new)
            ));
            // The same notice as the first attempt: the same changes, and the journal's id,
            // from which each message's Message-ID derives.
            let mut notification = plan(config, repo, old, new, &mut Vec::new())?;
            notification.id = id.clone();
            let recipients: Vec<&Subscriber> = config
                .subscribers
                .iter()
                .filter(|s| owed.contains(&s.email().to_lowercase()))
                .filter(|s| notification.changes_for(s).next().is_some())
                .collect();
            for who in &owed {
                if !recipients.iter().any(|s| s.email().to_lowercase() == *who) {
                    if voice.verbose {
                        voice.progress(&format!(
                            "{who} no longer follows the changes {} → {}: not retried",
                            short(old),
                            short(new)
                        ));
                    }
                    journal
                        .record_failed(who, "no longer subscribed to this notice")
                        .map_err(io_error("cannot write the delivery journal"))?;
                }
            }
            if !recipients.is_empty() {
                if self.templates.is_none() {
                    self.templates = Some(Templates::load(config.templates_dir.as_deref())?);
                }
                if let Err(stop) = self.ready_sender()? {
                    return Ok(stop);
                }
                let delivered = self.pass(
                    &notification,
                    &recipients,
                    Vec::new(),
                    &mut journal,
                    "retry queue: ",
                )?;
                match delivered {
                    Delivered::Unfinished => return Ok(Step::Stop(1)),
                    Delivered::SomeRefused => step = Step::NextRefused,
                    Delivered::All => {}
                }
            }
            if journal.outstanding().is_empty() {
                journal
                    .finish()
                    .map_err(io_error("cannot remove the delivery journal"))?;
            }
        }
        Ok(step)
    }

    /// One delivery pass of a notification into its journal, once the templates and the
    /// transport are ready: sends, makes the journal durable, says what it did (each line
    /// after `prefix`), and holds back later notices for those it deferred.
    fn pass(
        &mut self,
        notification: &Notification,
        recipients: &[&Subscriber],
        prebuilt: Prebuilt,
        journal: &mut Journal,
        prefix: &str,
    ) -> Result<Delivered, NotifyError> {
        let (config, voice) = (self.config, self.voice);
        let templates = self.templates.as_ref().expect("templates are loaded");
        let sender = self.sender.as_ref().expect("transport is ready");
        let tally = deliver(
            config,
            templates,
            notification,
            recipients,
            prebuilt,
            sender,
            journal,
            &self.held,
            voice,
        )?;
        journal
            .sync()
            .map_err(io_error("cannot write the delivery journal"))?;
        let delivered = report_tally(&tally, notification, config.retry_lifetime, prefix, voice);
        self.held.extend(tally.held);
        Ok(delivered)
    }

    /// Says how many messages wait in the retry queue (with -v, for whom and since when).
    fn show_queue(&self) {
        let git = self.repo.git();
        let mut messages = 0;
        let mut people = std::collections::HashSet::new();
        let mut oldest = u64::MAX;
        for (id, old, new) in Journal::list(git) {
            let Some(records) = state::Records::of(git, &id) else {
                continue;
            };
            for (who, deferred) in records.outstanding() {
                messages += 1;
                oldest = oldest.min(deferred.since);
                people.insert(who.to_string());
                if self.voice.verbose {
                    self.voice.progress(&format!(
                        "deferred: {who}, the changes {} → {}, since {}: {}",
                        short(old),
                        short(new),
                        utc(deferred.since),
                        deferred.why
                    ));
                }
            }
        }
        if messages > 0 {
            self.voice.say(&format!(
                "retry queue: {messages} message{} deferred, to {} recipient{}, the oldest since {}; \
                 retried on each run for up to {} (delivery.retry_lifetime)",
                if messages == 1 { "" } else { "s" },
                people.len(),
                if people.len() == 1 { "" } else { "s" },
                utc(oldest),
                crate::config::format_lifetime(self.config.retry_lifetime)
            ));
        }
    }
}

/// `policy-diff check`: notify about everything since the last notification. Returns the
/// exit status: 0 done (or nothing to do), 1 some deliveries failed: the run stopped, or a
/// recipient was deferred (retried by later runs, for up to `delivery.retry_lifetime`) or
/// refused for good. Deferred recipients of earlier notifications are retried first.
pub fn check(
    config: &Config,
    options: CheckOptions,
    events: &mut dyn Events,
) -> Result<u8, NotifyError> {
    let voice = Voice {
        verbose: options.verbose,
        events: std::cell::RefCell::new(events),
    };
    config.check_environment()?;
    let repo = PolicyRepo::discover(&config.repository)?;
    if let Some(remote) = &config.remote {
        voice.progress(&format!("fetching {remote}"));
        fetch(&repo, remote)?;
    }
    let Some(_lock) = take_lock(&repo, options, &voice)? else {
        return Ok(0);
    };
    let mut run = Run {
        config,
        repo: &repo,
        options,
        voice: &voice,
        templates: None,
        sender: None,
        held: std::collections::HashSet::new(),
    };
    let mut status = 0;
    // The deferred of earlier notifications first: each gets their notices in order.
    if !options.dry_run && !options.rebaseline {
        match run.retry_queue()? {
            Step::Stop(code) => {
                run.show_queue();
                return Ok(code);
            }
            Step::NextRefused => status = 1,
            Step::Next | Step::Done => {}
        }
    }
    let code = loop {
        match run.step()? {
            Step::Next => {}
            Step::NextRefused => status = 1,
            Step::Done => break status,
            Step::Stop(code) => break code.max(status),
        }
    };
    run.show_queue();
    Ok(code)
}
