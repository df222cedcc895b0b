//! Delivery of built messages: an outbox folder of `.eml` files (the default), an SMTP
//! server, or a sendmail program.

use super::smtp::{Connect, SmtpSender};
use crate::config::{Delivery, SmtpSettings};
use lettre::address::Envelope;
use lettre::transport::smtp::client::{Certificate, TlsParameters};
use lettre::{SendmailTransport, Transport};
use std::ops::ControlFlow;
use std::path::PathBuf;

/// Why one message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Try again later (4xx, a dropped connection mid-message).
    Temporary(String),
    /// The server refused this recipient for good (5xx).
    Permanent(String),
    /// The transport itself is unusable (server unreachable, TLS or login failure):
    /// stop this run.
    Unavailable(String),
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
                    .map_err(|e| SendError::Temporary(format!("sendmail: {e}")))
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

pub(super) fn classify(e: &lettre::transport::smtp::Error, server: &str) -> SendError {
    let code = e.status().map(|c| c.to_string()).unwrap_or_default();
    let text = format!("{server}: {e}");
    if e.is_permanent() {
        SendError::Permanent(if code.is_empty() {
            text
        } else {
            format!("{code} {text}")
        })
    } else if e.is_transient() {
        SendError::Temporary(text)
    } else {
        SendError::Unavailable(text)
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
