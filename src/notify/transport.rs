//! Delivery of built messages: an outbox folder of `.eml` files (the default), an SMTP
//! server, or a sendmail program.

use super::smtp::{Connect, SmtpSender};
use crate::config::{Delivery, SmtpSettings};
use lettre::address::Envelope;
use lettre::transport::smtp::client::{Certificate, TlsParameters};
use lettre::{SendmailTransport, Transport};
use std::ops::ControlFlow;
use std::path::PathBuf;

/// Why one message was not delivered. Modelled on a mail queue: a refusal is about one
/// recipient, or about the whole mailing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// This message failed for now (a 4xx at RCPT or after its content): the recipient is
    /// deferred and retried on later runs, for up to `delivery.retry_lifetime`.
    Temporary(String),
    /// The server refused this recipient for good (a 5xx about the recipient's address or
    /// mailbox, RFC 3463 X.1.1–X.1.3, X.1.6, X.1.10, X.2.1, X.2.2): written off.
    Permanent(String),
    /// The server refused this message for good with a 5xx that does not say it is about the
    /// recipient (a policy `5.7.1`, a quota, the content, an unspecified `X.Y.0`): it may be
    /// about this recipient or about the whole mailing, so nobody is written off for it —
    /// the message is deferred (and, past the retry lifetime, fails for good), and several
    /// in a row stop the run.
    Doubtful(String),
    /// The transport is unusable (server unreachable, TLS or login failure), or the server
    /// refused the whole mailing (the sender, DATA, a quota, a policy): stop this run and
    /// write off nobody.
    Unavailable(String),
}

/// Where in an SMTP transaction the server answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `MAIL FROM`: an answer about the sender, for every message.
    Mail,
    /// `RCPT TO`: an answer about this message's one recipient.
    Rcpt,
    /// The `DATA` command.
    Data,
    /// After the message's content (its final dot).
    Content,
}

impl Stage {
    fn name(self) -> &'static str {
        match self {
            Stage::Mail => "the sender (MAIL FROM)",
            Stage::Rcpt => "the recipient (RCPT TO)",
            Stage::Data => "DATA",
            Stage::Content => "the message after its content (DATA)",
        }
    }
}

/// A ready transport.
pub enum Sender {
    /// Writes `<dir>/<name>.eml`.
    Outbox(PathBuf),
    /// An SMTP server, over connections kept for the whole run.
    Smtp(Box<SmtpSender>),
    /// A sendmail program.
    Sendmail(SendmailTransport),
}

impl Sender {
    /// Prepares the configured transport (reads the SMTP password; connects lazily).
    pub fn new(delivery: &Delivery) -> Result<Sender, TransportError> {
        Ok(match delivery {
            Delivery::Outbox(dir) => {
                crate::private_fs::private_dir(dir).map_err(|source| TransportError::Outbox {
                    dir: dir.clone(),
                    source,
                })?;
                Sender::Outbox(dir.clone())
            }
            Delivery::Sendmail(program) => {
                Sender::Sendmail(SendmailTransport::new_with_command(program.as_os_str()))
            }
            Delivery::Smtp(s) => Sender::Smtp(Box::new(SmtpSender::new(s)?)),
        })
    }

    /// Checks that the transport can take messages now: for SMTP, connects, upgrades to TLS
    /// and logs in (credentials are never sent before TLS when TLS is configured). The error
    /// names the server, never the password.
    pub fn ready(&self) -> Result<(), TransportError> {
        match self {
            Sender::Smtp(smtp) => smtp.ready().map_err(|e| match e {
                Connect::Login(e) if e.is_permanent() => TransportError::Login {
                    server: smtp.server.clone(),
                    message: e.to_string(),
                },
                Connect::Login(e) | Connect::Other(e) => TransportError::Unavailable {
                    server: smtp.server.clone(),
                    message: smtp.explain(&e),
                },
            }),
            _ => Ok(()),
        }
    }

    /// Delivers every job `take` gives (about `expected` of them), reporting each to `done`
    /// as soon as it is delivered or refused — before the next message's content goes out
    /// on the same connection. `done` returning `Break` stops the delivery after the
    /// messages in flight. SMTP uses several connections at once; the others one at a time.
    pub fn send_all<T: Send>(
        &self,
        expected: usize,
        take: &(dyn Fn() -> Option<Job<T>> + Sync),
        done: &(dyn Fn(Job<T>, Result<(), SendError>) -> ControlFlow<()> + Sync),
    ) {
        type One<'s, T> = Box<dyn Fn(&Job<T>) -> Result<(), SendError> + 's>;
        let send_one: One<'_, T> = match self {
            Sender::Smtp(smtp) => return smtp.send_all(expected, take, done),
            Sender::Outbox(dir) => Box::new(move |job| {
                let path = dir.join(format!("{}.eml", job.name));
                crate::private_fs::write_atomic(&path, &job.formatted)
                    .map_err(|e| SendError::Unavailable(format!("cannot write the message: {e}")))
            }),
            Sender::Sendmail(t) => Box::new(move |job| {
                t.send_raw(&job.envelope, &job.formatted)
                    .map(|_| ())
                    // A failing sendmail says nothing about one recipient: stop, write off nobody.
                    .map_err(|e| SendError::Unavailable(format!("sendmail: {e}")))
            }),
        };
        while let Some(job) = take() {
            let sent = send_one(&job);
            if done(job, sent).is_break() {
                return;
            }
        }
    }
}

/// One message to deliver, with the caller's `tag` (who it is for) and a stable file name
/// for the outbox.
pub struct Job<T> {
    /// What the caller gets back with the outcome.
    pub tag: T,
    /// Sender and recipients.
    pub envelope: Envelope,
    /// The message as sent.
    pub formatted: Vec<u8>,
    /// The outbox file name (without `.eml`).
    pub name: String,
}

/// The enhanced status code (RFC 3463) that starts a reply's text: `5.4.5 Daily…` → (5, 4, 5).
fn enhanced_code(text: &str) -> Option<(u16, u16, u16)> {
    let word = text.split_whitespace().next()?;
    let mut parts = word.split('.').map(|p| {
        (!p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u16>().ok())
            .flatten()
    });
    let (class, subject, detail) = (parts.next()??, parts.next()??, parts.next()??);
    (parts.next().is_none() && matches!(class, 2 | 4 | 5)).then_some((class, subject, detail))
}

/// What a refusal is about, as a mail queue sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum About {
    /// The recipient, for good: written off.
    Recipient,
    /// This message, for now: deferred.
    Message,
    /// The whole mailing (the sender, a quota, a policy, the content): the run stops.
    Mailing,
    /// This message for good, but the reply does not say it is the recipient's fault: it may
    /// be about the mailing. Deferred; several in a row stop the run.
    Doubtful,
}

/// Judges a refusal from its code (`550`), its text (`5.4.5 Daily user sending quota…`) and
/// where it came. A 5xx at RCPT or after the content (each message has one recipient) is
/// about the recipient only when its enhanced code names the recipient's address or
/// mailbox — X.1.1 (no such mailbox), X.1.2 (no such system), X.1.3 (bad syntax), X.1.6
/// (moved), X.1.10 (null MX), X.2.1 (disabled), X.2.2 (full) — or, at RCPT, when it is a
/// plain 550–553 with no enhanced code. X.1.7 and X.1.8 (the sender), X.3.x (the mail
/// system), X.4.5 (congestion, a sending quota) and X.5.x (the protocol) are about the
/// mailing. Any other 5xx there (a policy `5.7.1`, `X.Y.0`, a quota, the size) is doubtful: one
/// recipient's, or everyone's. A 4xx at RCPT or after the content is about that message;
/// anything at MAIL or DATA is about the mailing.
fn judge(code: u16, text: &str, stage: Stage) -> About {
    let at_recipient = matches!(stage, Stage::Rcpt | Stage::Content);
    match code {
        400..=499 if at_recipient => About::Message,
        500..=599 if at_recipient => match enhanced_code(text) {
            Some((_, 1, 1 | 2 | 3 | 6 | 10) | (_, 2, 1 | 2)) => About::Recipient,
            Some((_, 1, 7 | 8) | (_, 3, _) | (_, 4, 5) | (_, 5, _)) => About::Mailing,
            Some(_) => About::Doubtful,
            None if stage == Stage::Rcpt && (550..=553).contains(&code) => About::Recipient,
            None => About::Doubtful,
        },
        _ => About::Mailing,
    }
}

/// What a refusal means for the run (see [`judge`]): a 5xx about the recipient writes that
/// recipient off, a 4xx about one message defers it, and a refusal of the sender, of DATA,
/// or about anything else (a quota, a policy, the content) stops the run, writing off nobody.
pub(super) fn classify(
    e: &lettre::transport::smtp::Error,
    server: &str,
    stage: Stage,
) -> SendError {
    let text = format!("{server}: {e}");
    let Some(code) = e.status().and_then(|c| c.to_string().parse::<u16>().ok()) else {
        return SendError::Unavailable(text);
    };
    let reply = std::error::Error::source(e)
        .map(|s| s.to_string())
        .unwrap_or_default();
    let coded = format!("{code} {text}");
    match judge(code, &reply, stage) {
        About::Recipient => SendError::Permanent(coded),
        About::Message => SendError::Temporary(text),
        About::Doubtful => SendError::Doubtful(coded),
        About::Mailing => SendError::Unavailable(format!(
            "{server} refused {} with \"{code} {}\", a refusal of the whole mailing: nobody was written off",
            stage.name(),
            reply.trim()
        )),
    }
}

pub(super) fn tls_parameters(s: &SmtpSettings) -> Result<TlsParameters, TransportError> {
    let mut builder = TlsParameters::builder(s.host.clone());
    if let Some(ca) = &s.ca_file {
        let pem = std::fs::read(ca).map_err(|source| TransportError::CaFile {
            path: ca.clone(),
            source,
        })?;
        let cert = Certificate::from_pem(&pem).map_err(|e| TransportError::NotPem {
            path: ca.clone(),
            message: e.to_string(),
        })?;
        builder = builder.add_root_certificate(cert);
    }
    builder.build().map_err(|e| TransportError::Tls {
        host: s.host.clone(),
        message: e.to_string(),
    })
}

/// Why the configured transport cannot take messages.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The outbox folder cannot be created, or is not safe to write into.
    #[error("cannot use the outbox folder: {source}")]
    Outbox {
        /// The folder.
        dir: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The SMTP password cannot be read.
    #[error(transparent)]
    Password(#[from] crate::config::PasswordError),
    /// The CA certificate file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    CaFile {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The CA file holds no PEM certificate.
    #[error("{}: not a PEM certificate: {message}", path.display())]
    NotPem {
        /// The file.
        path: std::path::PathBuf,
        /// What the TLS library said.
        message: String,
    },
    /// TLS cannot be set up for the server.
    #[error("TLS set-up for {host}: {message}")]
    Tls {
        /// The server.
        host: String,
        /// What the TLS library said.
        message: String,
    },
    /// The SMTP server refused the configured username and password for good (535): a
    /// configuration error, not one to retry at every run.
    #[error(
        "the SMTP server {server} refused the login: {message} (keys: delivery.smtp.username, password_env or password_file); nothing was sent"
    )]
    Login {
        /// `host:port`.
        server: String,
        /// What the server said (never the password).
        message: String,
    },
    /// The SMTP server cannot be reached, does not offer TLS, or refuses the login for now.
    #[error("cannot use the SMTP server {server}: {message}")]
    Unavailable {
        /// `host:port`.
        server: String,
        /// What happened (never the password).
        message: String,
    },
    /// A configured number gives a time span this machine cannot count (a configuration
    /// within its documented bounds never does).
    #[error("{key}: {value} gives a time span out of range")]
    OutOfRange {
        /// The configuration key.
        key: &'static str,
        /// The value, as configured.
        value: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_refusals_about_the_recipient_write_them_off() {
        use About::*;
        use Stage::*;
        for (code, text, stage, about) in [
            // Google's daily quota: at MAIL, at RCPT or after DATA, the mailing.
            (
                550,
                "5.4.5 Daily user sending quota exceeded.",
                Mail,
                Mailing,
            ),
            (
                550,
                "5.4.5 Daily user sending quota exceeded.",
                Rcpt,
                Mailing,
            ),
            (
                550,
                "5.4.5 Daily user sending quota exceeded.",
                Content,
                Mailing,
            ),
            // The sender refused, with whatever code.
            (550, "5.1.1 No such user", Mail, Mailing),
            (553, "5.1.8 Sender address rejected", Rcpt, Mailing),
            (
                550,
                "5.1.7 Bad sender's mailbox address syntax",
                Rcpt,
                Mailing,
            ),
            // Maybe one recipient's, maybe everyone's: deferred, several in a row stop.
            (554, "5.7.1 Relay access denied", Rcpt, Doubtful),
            (
                554,
                "5.7.1 <u1@example.org>: Recipient address rejected: Access denied",
                Rcpt,
                Doubtful,
            ),
            (554, "Transaction failed", Rcpt, Doubtful),
            (550, "5.7.1 Message rejected as spam", Content, Doubtful),
            (552, "Message size exceeds fixed limit", Content, Doubtful),
            (
                554,
                "5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException",
                Content,
                Doubtful,
            ),
            (
                550,
                "5.1.0 <legal@acme.example>: Sender address rejected",
                Rcpt,
                Doubtful,
            ),
            (
                552,
                "5.2.3 Message length exceeds administrative limit",
                Content,
                Doubtful,
            ),
            (503, "5.5.1 Error: need RCPT command", Data, Mailing),
            // About the recipient's address or mailbox.
            (550, "5.1.1 No such user here", Rcpt, Recipient),
            (550, "5.1.10 Recipient address has null MX", Rcpt, Recipient),
            (552, "5.2.2 Mailbox full", Rcpt, Recipient),
            (
                552,
                "5.2.2 STOREDRV.Deliver; mailbox full",
                Content,
                Recipient,
            ),
            (550, "No such user", Rcpt, Recipient),
            (553, "mailbox name not allowed", Rcpt, Recipient),
            // Temporary: one message, or the mailing.
            (451, "4.3.0 Mailbox temporarily unavailable", Rcpt, Message),
            (450, "4.2.0 Greylisted, try again", Rcpt, Message),
            (452, "4.2.2 Mailbox full", Content, Message),
            (451, "4.7.1 Sender rate limited", Mail, Mailing),
            (451, "4.3.0 Try again later", Data, Mailing),
        ] {
            assert_eq!(
                judge(code, text, stage),
                about,
                "{code} {text} at {stage:?}"
            );
        }
    }

    #[test]
    fn enhanced_codes_are_read_strictly() {
        assert_eq!(enhanced_code("5.4.5 Daily quota"), Some((5, 4, 5)));
        assert_eq!(enhanced_code("4.2.2"), Some((4, 2, 2)));
        for text in [
            "",
            "5.4 x",
            "5.4.5.1 x",
            "3.1.1 x",
            "5..1 x",
            "5.1.1000 x",
            "Mailbox full",
        ] {
            assert_eq!(enhanced_code(text), None, "{text:?}");
        }
    }
}
