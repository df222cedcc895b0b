//! Delivery of built messages: an outbox folder of `.eml` files (the default), an SMTP
//! server, or a sendmail program.

use crate::config::{Delivery, Security, SmtpSettings};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SendmailTransport, SmtpTransport, Transport};
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
    /// A pooled SMTP connection.
    Smtp(Box<SmtpTransport>, String),
    /// A sendmail program.
    Sendmail(SendmailTransport),
}

impl Sender {
    /// Prepares the configured transport (reads the SMTP password; connects lazily).
    pub fn new(delivery: &Delivery) -> Result<Sender, String> {
        Ok(match delivery {
            Delivery::Outbox(dir) => {
                crate::notify::state::create_private_dir(dir)
                    .map_err(|e| format!("cannot create the outbox {}: {e}", dir.display()))?;
                Sender::Outbox(dir.clone())
            }
            Delivery::Sendmail(program) => {
                Sender::Sendmail(SendmailTransport::new_with_command(program.as_os_str()))
            }
            Delivery::Smtp(s) => Sender::Smtp(
                Box::new(smtp_transport(s)?),
                format!("{}:{}", s.host, s.port),
            ),
        })
    }

    /// Checks that the transport can take messages now: for SMTP, connects, upgrades to TLS
    /// and logs in (credentials are never sent before TLS when TLS is configured). The error
    /// names the server, never the password.
    pub fn ready(&self) -> Result<(), String> {
        match self {
            Sender::Smtp(t, server) => match t.test_connection() {
                Ok(true) => Ok(()),
                Ok(false) => Err(format!("{server}: the connection closed right away")),
                Err(e) => Err(format!("cannot use the SMTP server {server}: {e}")),
            },
            _ => Ok(()),
        }
    }

    /// Delivers one message; `name` is a stable file name for the outbox.
    pub fn send(&self, message: &Message, name: &str) -> Result<(), SendError> {
        match self {
            Sender::Outbox(dir) => {
                let path = dir.join(format!("{name}.eml"));
                let tmp = dir.join(format!(".{name}.eml.tmp"));
                let write = || -> std::io::Result<()> {
                    let mut file = crate::notify::state::open_private(&tmp, false)?;
                    std::io::Write::write_all(&mut file, &message.formatted())?;
                    file.sync_data()?;
                    std::fs::rename(&tmp, &path)
                };
                write().map_err(|e| {
                    SendError::Unavailable(format!("cannot write {}: {e}", path.display()))
                })
            }
            Sender::Sendmail(t) => t
                .send(message)
                .map(|_| ())
                .map_err(|e| SendError::Temporary(format!("sendmail: {e}"))),
            Sender::Smtp(t, server) => t
                .send(message)
                .map(|_| ())
                .map_err(|e| classify(&e, server)),
        }
    }
}

fn classify(e: &lettre::transport::smtp::Error, server: &str) -> SendError {
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

fn smtp_transport(s: &SmtpSettings) -> Result<SmtpTransport, String> {
    let tls_parameters = || -> Result<TlsParameters, String> {
        let mut builder = TlsParameters::builder(s.host.clone());
        if let Some(ca) = &s.ca_file {
            let pem =
                std::fs::read(ca).map_err(|e| format!("cannot read {}: {e}", ca.display()))?;
            let cert = Certificate::from_pem(&pem)
                .map_err(|e| format!("{}: not a PEM certificate: {e}", ca.display()))?;
            builder = builder.add_root_certificate(cert);
        }
        builder
            .build()
            .map_err(|e| format!("TLS set-up for {}: {e}", s.host))
    };
    let tls = match s.security {
        Security::Starttls => Tls::Required(tls_parameters()?),
        Security::Tls => Tls::Wrapper(tls_parameters()?),
        Security::None => Tls::None,
    };
    let mut builder = SmtpTransport::builder_dangerous(s.host.as_str())
        .port(s.port)
        .tls(tls)
        .timeout(Some(s.timeout));
    if let Some(user) = &s.username {
        let password = match &s.password {
            Some(source) => source.read()?,
            None => String::new(),
        };
        builder = builder.credentials(Credentials::new(user.clone(), password));
    }
    Ok(builder.build())
}
