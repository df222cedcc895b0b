//! The send loop: render ahead, build, send, journal.

use super::*;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Instant;
use transport::Job;

/// How long a second `check` waits for a running one before leaving the work to it.
pub(super) const LOCK_WAIT: Duration = Duration::from_secs(10);
/// Permanent refusals in a row, before any delivery, that stop a run instead of being recorded.
pub(super) const SUSPICIOUS_REFUSALS: usize = 3;
/// Commits listed in a message at most.
pub(super) const MAX_COMMITS: usize = 50;

/// What one delivery pass did.
pub(super) struct Tally {
    pub(super) delivered: usize,
    pub(super) retry: usize,
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
    /// Addresses may be named (-v).
    verbose: bool,
    tally: Tally,
    /// Refusals before the first delivery may be the server refusing everything (the sender
    /// address, the size…) rather than these recipients: they are recorded only once a
    /// message got through, or at the end of the run.
    unconfirmed: Vec<(&'a Subscriber, String)>,
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
                if self.verbose {
                    let line = format!("sent to {}", self.who(s));
                    self.said.push(Said::Progress(line));
                }
                for (s, why) in std::mem::take(&mut self.unconfirmed) {
                    self.refuse(s, &why)?;
                }
            }
            Err(SendError::Temporary(why)) => {
                self.tally.retry += 1;
                let line = format!("not delivered to {} (will retry): {why}", self.who(s));
                self.said.push(Said::Warning(line));
            }
            Err(SendError::Permanent(why)) if self.journal.sent_count() == 0 => {
                self.unconfirmed.push((s, why.clone()));
                if self.unconfirmed.len() >= SUSPICIOUS_REFUSALS {
                    self.tally.stopped = Some(format!(
                        "the server refused each of the first {SUSPICIOUS_REFUSALS} messages ({why}); it may refuse \
                         all mail (sender address, size, content), so none was recorded as refused"
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

/// Sends a notification to every recipient the journal does not list yet, recording each
/// acceptance before the next message goes out on that connection.
#[allow(clippy::too_many_arguments)]
pub(super) fn deliver(
    config: &Config,
    templates: &Templates,
    notification: &Notification,
    recipients: &[&Subscriber],
    prebuilt: Prebuilt,
    sender: &Sender,
    journal: &mut Journal,
    voice: &Voice<'_>,
) -> Result<Tally, NotifyError> {
    let todo: Vec<(&Subscriber, Option<Outgoing>)> = recipients
        .iter()
        .copied()
        .zip(prebuilt.into_iter().chain(std::iter::repeat_with(|| None)))
        .filter(|(s, _)| !journal.is_done(&s.email()))
        .collect();
    let expected = todo.len();
    let started = Instant::now();
    let pass = Mutex::new(Pass {
        journal,
        verbose: voice.verbose,
        tally: Tally {
            delivered: 0,
            retry: 0,
            refused: 0,
            stopped: None,
            elapsed: Duration::ZERO,
        },
        unconfirmed: Vec::new(),
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
