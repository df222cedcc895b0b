//! The send loop: render ahead, build, send, journal.

use super::*;
use std::ops::ControlFlow;

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
}

/// Messages rendered ahead of the one being sent.
pub(super) const RENDER_AHEAD: usize = 16;

/// One delivery pass: the journal it records into and what it counted so far.
struct Pass<'a, 'v> {
    journal: &'a mut Journal,
    voice: &'a Voice<'v>,
    tally: Tally,
    /// Refusals before the first delivery may be the server refusing everything (the sender
    /// address, the size…) rather than these recipients: they are recorded only once a
    /// message got through, or at the end of the run.
    unconfirmed: Vec<(&'a Subscriber, String)>,
}

impl<'a> Pass<'a, '_> {
    fn refuse(&mut self, s: &Subscriber, why: &str) -> Result<(), NotifyError> {
        self.journal
            .record_failed(&s.email(), why)
            .map_err(io_error("cannot write the delivery journal"))?;
        self.tally.refused += 1;
        self.voice.warn(&format!(
            "refused for {} (will not retry): {why}",
            self.voice.who(s)
        ));
        Ok(())
    }

    /// Records what the server said about one message; `Break` stops the pass.
    fn outcome(
        &mut self,
        s: &'a Subscriber,
        sent: Result<(), SendError>,
    ) -> Result<ControlFlow<()>, NotifyError> {
        let voice = self.voice;
        match sent {
            Ok(()) => {
                self.journal
                    .record_sent(&s.email())
                    .map_err(io_error("cannot write the delivery journal"))?;
                self.tally.delivered += 1;
                voice.progress(&format!("sent to {}", voice.who(s)));
                for (s, why) in std::mem::take(&mut self.unconfirmed) {
                    self.refuse(s, &why)?;
                }
            }
            Err(SendError::Temporary(why)) => {
                self.tally.retry += 1;
                voice.warn(&format!(
                    "not delivered to {} (will retry): {why}",
                    voice.who(s)
                ));
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
}

/// Sends a notification to every recipient the journal does not list yet, recording each
/// acceptance before the next message goes out.
pub(super) fn deliver(
    config: &Config,
    templates: &Templates,
    notification: &Notification,
    recipients: &[&Subscriber],
    sender: &Sender,
    journal: &mut Journal,
    voice: &Voice<'_>,
) -> Result<Tally, NotifyError> {
    // Messages are rendered and built a few ahead, on another thread, while this one talks
    // to the server: the time a message takes is then the server's alone.
    let todo: Vec<&Subscriber> = recipients
        .iter()
        .copied()
        .filter(|s| !journal.is_done(&s.email()))
        .collect();
    let mut pass = Pass {
        journal,
        voice,
        tally: Tally {
            delivered: 0,
            retry: 0,
            refused: 0,
            stopped: None,
        },
        unconfirmed: Vec::new(),
    };
    std::thread::scope(|scope| {
        let (ready, messages) = std::sync::mpsc::sync_channel(RENDER_AHEAD);
        scope.spawn(move || {
            for s in todo {
                let built = build_for(config, templates, notification, s);
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
            if pass
                .outcome(s, sender.send(&message, &file_name))?
                .is_break()
            {
                return Ok(());
            }
        }
        Ok::<(), NotifyError>(())
    })?;
    if pass.tally.stopped.is_none() {
        for (s, why) in std::mem::take(&mut pass.unconfirmed) {
            pass.refuse(s, &why)?;
        }
    }
    Ok(pass.tally)
}
