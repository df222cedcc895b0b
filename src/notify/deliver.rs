//! The send loop: render ahead, build, send, journal.

use super::*;
use std::collections::HashSet;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Instant;
use transport::Job;

/// How long a second `check` waits for a running one before leaving the work to it.
pub(super) const LOCK_WAIT: Duration = Duration::from_secs(10);
/// Refusals about a recipient in a row, before any delivery, that stop a run instead of
/// being recorded: a relay answering a plain 550 (or 5.1.1) to every address is refusing the
/// mailing (a relay denied, a wrong domain), not each of these recipients.
pub(super) const SUSPICIOUS_REFUSALS: usize = 3;
/// Commits listed in a message at most.
pub(super) const MAX_COMMITS: usize = 50;

/// What one delivery pass did.
pub(super) struct Tally {
    pub(super) delivered: usize,
    /// Failed for now: deferred, retried on later runs.
    pub(super) deferred: usize,
    /// Deferred longer than the retry lifetime: failed for good.
    pub(super) expired: usize,
    /// The recipients that failed for now in this pass (lowercase): later notices of the
    /// same run hold them back, so that each gets their notices in order.
    pub(super) held: Vec<String>,
    pub(super) refused: usize,
    pub(super) stopped: Option<String>,
    /// How long the pass took.
    pub(super) elapsed: Duration,
}

/// How often the progress of a delivery is shown.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Messages rendered ahead of the one being sent.
pub(super) const RENDER_AHEAD: usize = 16;

/// What a delivery pass has to say, passed to the [`Voice`] by the thread that owns it.
enum Said {
    Progress(String),
    Warning(String),
}

/// One delivery pass: the journal it records into and what it counted so far. Shared by the
/// transport's connections (behind a lock): each records its message before it goes on.
struct Pass<'a> {
    journal: &'a mut Journal,
    /// How long a deferred recipient is retried (`delivery.retry_lifetime`).
    lifetime: Duration,
    /// Addresses may be named (-v).
    verbose: bool,
    tally: Tally,
    /// Refusals before the first delivery may be the server refusing everything (the sender
    /// address, the size…) rather than these recipients: they are recorded only once a
    /// message got through, or at the end of the run.
    unconfirmed: Vec<(&'a Subscriber, String)>,
    /// Doubtful refusals of recipients tried for the first time since the last acceptance:
    /// [`SUSPICIOUS_REFUSALS`] of them in a row stop the pass.
    doubtful: usize,
    said: Vec<Said>,
    /// The journal could not be written: the pass stopped.
    failed: Option<NotifyError>,
}

impl<'a> Pass<'a> {
    /// A subscriber as they may be named in output: the address only with -v.
    fn who(&self, s: &Subscriber) -> String {
        if self.verbose {
            s.email()
        } else {
            format!("the subscriber listed at {}", s.origin)
        }
    }

    fn refuse(&mut self, s: &Subscriber, why: &str) -> Result<(), NotifyError> {
        self.journal
            .record_failed(&s.email(), why)
            .map_err(io_error("cannot write the delivery journal"))?;
        self.tally.refused += 1;
        let line = format!("refused for {} (will not retry): {why}", self.who(s));
        self.said.push(Said::Warning(line));
        Ok(())
    }

    /// A message that failed for now: the recipient is deferred (the first time, with the
    /// time, which starts the retry lifetime), or, deferred longer than the lifetime, fails
    /// for good.
    fn defer(&mut self, s: &Subscriber, why: &str) -> Result<(), NotifyError> {
        let now = unix_now();
        let since = self.journal.deferred(&s.email()).map(|d| d.since);
        if let Some(since) = since
            && now.saturating_sub(since) >= self.lifetime.as_secs()
        {
            let reason = format!(
                "deferred since {}, longer than retry_lifetime {}; last answer: {why}",
                utc(since),
                crate::config::format_lifetime(self.lifetime)
            );
            self.journal
                .record_failed(&s.email(), &reason)
                .map_err(io_error("cannot write the delivery journal"))?;
            self.tally.expired += 1;
            let line = format!(
                "failed for good for {} (will not retry): {reason}",
                self.who(s)
            );
            self.said.push(Said::Warning(line));
            return Ok(());
        }
        self.journal
            .record_deferred(&s.email(), since.unwrap_or(now), why)
            .map_err(io_error("cannot write the delivery journal"))?;
        self.tally.held.push(s.email().to_lowercase());
        self.tally.deferred += 1;
        let until = utc(since.unwrap_or(now).saturating_add(self.lifetime.as_secs()));
        let line = format!(
            "not delivered to {} (will retry): {why}; deferred, retried on each run until {until}",
            self.who(s)
        );
        self.said.push(Said::Warning(line));
        Ok(())
    }

    /// Records what the server said about one message; `Break` stops the pass.
    fn outcome(
        &mut self,
        s: &'a Subscriber,
        sent: Result<(), SendError>,
    ) -> Result<ControlFlow<()>, NotifyError> {
        match sent {
            Ok(()) => {
                self.journal
                    .record_sent(&s.email())
                    .map_err(io_error("cannot write the delivery journal"))?;
                self.tally.delivered += 1;
                self.doubtful = 0;
                if self.verbose {
                    let line = format!("sent to {}", self.who(s));
                    self.said.push(Said::Progress(line));
                }
                for (s, why) in std::mem::take(&mut self.unconfirmed) {
                    self.refuse(s, &why)?;
                }
            }
            Err(SendError::Temporary(why)) => self.defer(s, &why)?,
            Err(SendError::Doubtful(why)) => {
                // Nobody is written off for a refusal that may be about the mailing: the
                // message is deferred. A recipient retried from the queue does not count
                // towards stopping, so a run always gets past those it stopped at before.
                let retried = self.journal.deferred(&s.email()).is_some();
                self.defer(s, &why)?;
                if !retried {
                    self.doubtful += 1;
                    if self.doubtful >= SUSPICIOUS_REFUSALS {
                        self.tally.stopped = Some(format!(
                            "the server refused {SUSPICIOUS_REFUSALS} messages in a row ({why}); it may be \
                             refusing the whole mailing (a quota, a policy, the sender), so nobody was \
                             written off: those are deferred"
                        ));
                        return Ok(ControlFlow::Break(()));
                    }
                }
            }
            Err(SendError::Permanent(why)) if self.journal.sent_count() == 0 => {
                self.unconfirmed.push((s, why.clone()));
                if self.unconfirmed.len() >= SUSPICIOUS_REFUSALS {
                    // Written off by nobody, but deferred: the next run tries them after the
                    // others, so three dead addresses at the head of a list never stall it.
                    for (s, why) in std::mem::take(&mut self.unconfirmed) {
                        let since = self
                            .journal
                            .deferred(&s.email())
                            .map_or(unix_now(), |d| d.since);
                        self.journal
                            .record_deferred(&s.email(), since, &why)
                            .map_err(io_error("cannot write the delivery journal"))?;
                        self.tally.deferred += 1;
                    }
                    self.tally.stopped = Some(format!(
                        "the server refused each of the first {SUSPICIOUS_REFUSALS} messages ({why}); it may refuse \
                         all mail (sender address, size, content), so none was recorded as refused: they are \
                         tried again after the others"
                    ));
                    return Ok(ControlFlow::Break(()));
                }
            }
            Err(SendError::Permanent(why)) => self.refuse(s, &why)?,
            Err(SendError::Unavailable(why)) => {
                self.tally.stopped = Some(why);
                return Ok(ControlFlow::Break(()));
            }
        }
        Ok(ControlFlow::Continue(()))
    }

    /// [`Pass::outcome`] once the pass is shared: a journal that cannot be written stops it.
    fn record(&mut self, s: &'a Subscriber, sent: Result<(), SendError>) -> ControlFlow<()> {
        if self.failed.is_some() {
            return ControlFlow::Break(());
        }
        self.outcome(s, sent).unwrap_or_else(|e| {
            self.failed = Some(e);
            ControlFlow::Break(())
        })
    }
}

/// Records each outcome into the shared pass (the journal first) on the connection's own
/// thread, and tells the voice's thread what it has to say.
fn recorder<'a, 'p>(
    pass: &'p Mutex<Pass<'a>>,
    answered: &'p AtomicUsize,
    tell: mpsc::Sender<Vec<Said>>,
) -> impl Fn(Job<&'a Subscriber>, Result<(), SendError>) -> ControlFlow<()> + Sync + 'p {
    move |job, sent| {
        let mut pass = pass.lock().unwrap_or_else(|e| e.into_inner());
        let flow = pass.record(job.tag, sent);
        answered.fetch_add(1, Ordering::Relaxed);
        if !pass.said.is_empty() {
            let _ = tell.send(std::mem::take(&mut pass.said));
        }
        flow
    }
}

/// Seconds since the Unix epoch.
pub(super) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `2026-12-06 01:09:12 UTC`.
pub(super) fn utc(seconds: u64) -> String {
    i64::try_from(seconds)
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map_or_else(
            || seconds.to_string(),
            |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        )
}

/// Sends a notification to every recipient the journal does not list yet, recording each
/// acceptance before the next message goes out on that connection. Recipients in
/// `held_back` (deferred earlier in this run) are not tried: they are deferred for this
/// notification too, and get it after the earlier one.
#[allow(clippy::too_many_arguments)]
pub(super) fn deliver(
    config: &Config,
    templates: &Templates,
    notification: &Notification,
    recipients: &[&Subscriber],
    prebuilt: Prebuilt,
    sender: &Sender,
    journal: &mut Journal,
    held_back: &HashSet<String>,
    voice: &Voice<'_>,
) -> Result<Tally, NotifyError> {
    let mut tally = Tally {
        delivered: 0,
        deferred: 0,
        expired: 0,
        held: Vec::new(),
        refused: 0,
        stopped: None,
        elapsed: Duration::ZERO,
    };
    let mut todo: Vec<(&Subscriber, Option<Outgoing>)> = Vec::with_capacity(recipients.len());
    let pairs = recipients
        .iter()
        .copied()
        .zip(prebuilt.into_iter().chain(std::iter::repeat_with(|| None)));
    for (s, built) in pairs {
        if journal.is_done(&s.email()) {
            continue;
        }
        if held_back.contains(&s.email().to_lowercase()) {
            journal
                .record_deferred(
                    &s.email(),
                    unix_now(),
                    "held back behind an earlier notice deferred in the same run",
                )
                .map_err(io_error("cannot write the delivery journal"))?;
            tally.deferred += 1;
            continue;
        }
        todo.push((s, built));
    }
    if todo.is_empty() {
        return Ok(tally);
    }
    // Recipients deferred by an earlier run go last: a run that stopped at them goes on
    // with the others first.
    let (first, retried): (Vec<_>, Vec<_>) = todo
        .into_iter()
        .partition(|(s, _)| journal.deferred(&s.email()).is_none());
    let todo: Vec<_> = first.into_iter().chain(retried).collect();
    let expected = todo.len();
    let started = Instant::now();
    let pass = Mutex::new(Pass {
        journal,
        lifetime: config.retry_lifetime,
        verbose: voice.verbose,
        tally,
        unconfirmed: Vec::new(),
        doubtful: 0,
        said: Vec::new(),
        failed: None,
    });
    // Messages not kept from the check are rendered and built a few ahead, on another
    // thread, while the transport's connections talk to the server.
    let (ready, messages) =
        mpsc::sync_channel::<(&Subscriber, Result<Built, NotifyError>)>(RENDER_AHEAD);
    let messages = Mutex::new(Some(messages));
    let build_error: Mutex<Option<NotifyError>> = Mutex::new(None);
    let take = || {
        loop {
            let next = messages.lock().ok()?.as_ref()?.recv().ok();
            let (s, built) = next?;
            match built {
                Err(e) => {
                    *build_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                    return None;
                }
                Ok(None) => continue,
                Ok(Some(m)) => {
                    return Some(Job {
                        tag: s,
                        envelope: m.envelope,
                        formatted: m.formatted,
                        name: m.name,
                    });
                }
            }
        }
    };
    // What the pass says goes to this thread (which owns the voice) as it happens.
    let (tell, told) = mpsc::channel::<Vec<Said>>();
    let answered = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for (s, kept) in todo {
                let built = match kept {
                    Some(message) => Ok(Some(message)),
                    None => build_for(config, templates, notification, s),
                };
                let failed = built.is_err();
                // A closed channel: the sending side stopped.
                if ready.send((s, built)).is_err() || failed {
                    return;
                }
            }
        });
        let (take, messages, pass, counted) = (&take, &messages, &pass, &answered);
        scope.spawn(move || {
            // `tell` ends with this thread, and with it the listening below.
            sender.send_all(expected, take, &recorder(pass, counted, tell));
            // Unblocks the rendering thread if it is waiting to hand over a message.
            if let Ok(mut m) = messages.lock() {
                m.take();
            }
        });
        loop {
            match told.recv_timeout(PROGRESS_EVERY) {
                Ok(said) => {
                    for line in said {
                        match line {
                            Said::Progress(line) => voice.progress(&line),
                            Said::Warning(line) => voice.warn(&line),
                        }
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            voice.delivering(answered.load(Ordering::Relaxed), expected);
        }
    });
    voice.delivery_over();
    let mut pass = pass.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(e) = pass.failed.take() {
        return Err(e);
    }
    if let Some(e) = build_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    if pass.tally.stopped.is_none() {
        for (s, why) in std::mem::take(&mut pass.unconfirmed) {
            pass.refuse(s, &why)?;
        }
        for said in std::mem::take(&mut pass.said) {
            if let Said::Warning(line) = said {
                voice.warn(&line);
            }
        }
    }
    pass.tally.elapsed = started.elapsed();
    Ok(pass.tally)
}
