//! Delivery of built messages: an outbox folder of `.eml` files (the default), an SMTP
//! server, or a sendmail program.

use crate::config::{Delivery, Security, SmtpSettings};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Quit, Rcpt, Rset};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Message, SendmailTransport, Transport};
use std::cell::RefCell;
use std::fmt;
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
    /// An SMTP server, over one connection kept for the whole run.
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
            Sender::Smtp(smtp) => smtp.connect().map_err(|e| match e {
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

    /// Delivers one message; `name` is a stable file name for the outbox.
    pub fn send(&self, message: &Message, name: &str) -> Result<(), SendError> {
        match self {
            Sender::Outbox(dir) => {
                let path = dir.join(format!("{name}.eml"));
                let write = || crate::private_fs::write_atomic(&path, &message.formatted());
                write()
                    .map_err(|e| SendError::Unavailable(format!("cannot write the message: {e}")))
            }
            Sender::Sendmail(t) => t
                .send(message)
                .map(|_| ())
                .map_err(|e| SendError::Temporary(format!("sendmail: {e}"))),
            Sender::Smtp(smtp) => smtp.send(message),
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

/// Runs one SMTP exchange with `host:port`, cutting the connection if it is not over within
/// `limit`: lettre bounds each read by the timeout, not a whole reply, so a server sending
/// one byte at a time could otherwise hold a run — and the lock — for ever. Returns the
/// result and whether the deadline cut it.
fn within<T>(
    limit: std::time::Duration,
    host: &str,
    port: u16,
    exchange: impl FnOnce() -> T,
) -> (T, bool) {
    let (done, wait) = std::sync::mpsc::channel::<()>();
    let expired = std::sync::atomic::AtomicBool::new(false);
    let result = std::thread::scope(|scope| {
        let flag = &expired;
        scope.spawn(move || {
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(limit) {
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
                cut_connections(host, port);
            }
        });
        let result = exchange();
        let _ = done.send(());
        result
    });
    (result, expired.load(std::sync::atomic::Ordering::SeqCst))
}

/// Shuts down this process's connections to `host:port`, so that a blocked read returns.
#[cfg(target_os = "linux")]
fn cut_connections(host: &str, port: u16) {
    use std::net::ToSocketAddrs;
    use std::os::fd::FromRawFd;
    let Ok(addresses) = (host, port).to_socket_addrs() else {
        return;
    };
    let addresses: Vec<std::net::SocketAddr> = addresses.collect();
    let Ok(fds) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    for fd in fds.flatten() {
        let Some(fd) = fd.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else {
            continue;
        };
        // SAFETY: the descriptor is open (listed just now) and is never closed here:
        // ManuallyDrop keeps the TcpStream from closing it. On anything but a socket,
        // peer_addr fails and nothing is done.
        let stream = std::mem::ManuallyDrop::new(unsafe { std::net::TcpStream::from_raw_fd(fd) });
        if stream.peer_addr().is_ok_and(|a| addresses.contains(&a)) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    }
}

/// Elsewhere, each read stays bounded by the timeout.
#[cfg(not(target_os = "linux"))]
fn cut_connections(_host: &str, _port: u16) {}

/// Why a connection could not be made ready.
enum Connect {
    /// The server refused the login.
    Login(lettre::transport::smtp::Error),
    /// Anything before it: connecting, the greeting, TLS.
    Other(lettre::transport::smtp::Error),
}

/// An SMTP client over lettre's connection. Each message goes out as MAIL, RCPT, DATA and
/// then the whole (dot-stuffed) content and its terminating dot in one write: written in two
/// pieces, Nagle's algorithm on our side and delayed ACKs on the server's make every message
/// wait ~40 ms.
pub struct SmtpSender {
    host: String,
    port: u16,
    server: String,
    timeout: std::time::Duration,
    tls: Option<(TlsParameters, bool)>,
    credentials: Option<Credentials>,
    connection: RefCell<Option<SmtpConnection>>,
}

impl SmtpSender {
    fn new(s: &SmtpSettings) -> Result<SmtpSender, TransportError> {
        let tls = match s.security {
            Security::None => None,
            Security::Starttls => Some((tls_parameters(s)?, false)),
            Security::Tls => Some((tls_parameters(s)?, true)),
        };
        let credentials = match &s.username {
            Some(user) => {
                let password = match &s.password {
                    Some(source) => source.read()?,
                    None => String::new(),
                };
                Some(Credentials::new(user.clone(), password))
            }
            None => None,
        };
        Ok(SmtpSender {
            host: s.host.clone(),
            port: s.port,
            server: format!("{}:{}", s.host, s.port),
            timeout: s.timeout,
            tls,
            credentials,
            connection: RefCell::new(None),
        })
    }

    /// Connects, upgrades to TLS (STARTTLS is required when configured: without it no
    /// credentials are sent) and logs in. Keeps the connection for the messages to come.
    fn connect(&self) -> Result<(), Connect> {
        let (result, expired) = within(self.exchange_limit(), &self.host, self.port, || {
            self.connect_now()
        });
        match result {
            Err(Connect::Other(e) | Connect::Login(e)) if expired => Err(Connect::Other(e)),
            other => other,
        }
    }

    /// Words for a failure to connect: a read that timed out says so (the system's words
    /// for it are "Resource temporarily unavailable"), with a hint when the server may be
    /// waiting for TLS from the first byte.
    fn explain(&self, e: &lettre::transport::smtp::Error) -> String {
        let mut source = std::error::Error::source(e);
        while let Some(err) = source {
            if let Some(io) = err.downcast_ref::<std::io::Error>()
                && matches!(
                    io.kind(),
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                )
            {
                let hint = if matches!(self.tls, Some((_, true))) {
                    ""
                } else {
                    "; a server that expects TLS from the first byte (usually port 465) needs security: tls"
                };
                return format!(
                    "no answer within {} s (timeout_seconds){hint}",
                    self.timeout.as_secs()
                );
            }
            source = err.source();
        }
        e.to_string()
    }

    /// The longest one exchange (connecting and logging in, or one message) may take: twice
    /// the configured timeout, which bounds each read.
    fn exchange_limit(&self) -> std::time::Duration {
        self.timeout.saturating_mul(2)
    }

    fn connect_now(&self) -> Result<(), Connect> {
        let hello = ClientId::default();
        let wrapper = self
            .tls
            .as_ref()
            .filter(|(_, implicit)| *implicit)
            .map(|(p, _)| p);
        let mut conn = SmtpConnection::connect(
            (self.host.as_str(), self.port),
            Some(self.timeout),
            &hello,
            wrapper,
            None,
        )
        .map_err(Connect::Other)?;
        if let Some((parameters, false)) = &self.tls {
            conn.starttls(parameters, &hello).map_err(Connect::Other)?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .map_err(Connect::Login)?;
        }
        *self.connection.borrow_mut() = Some(conn);
        Ok(())
    }

    fn send(&self, message: &Message) -> Result<(), SendError> {
        if self
            .connection
            .borrow()
            .as_ref()
            .is_none_or(SmtpConnection::has_broken)
        {
            self.connect().map_err(|e| {
                let (Connect::Login(e) | Connect::Other(e)) = e;
                SendError::Unavailable(format!("{}: {}", self.server, self.explain(&e)))
            })?;
        }
        let mut slot = self.connection.borrow_mut();
        let conn = slot.as_mut().expect("connected");
        let envelope = message.envelope();
        let content = message.formatted();
        let (result, expired) = within(self.exchange_limit(), &self.host, self.port, || {
            conn.command(Mail::new(envelope.from().cloned(), vec![]))?;
            for to in envelope.to() {
                conn.command(Rcpt::new(to.clone(), vec![]))?;
            }
            conn.command(Data)?;
            conn.command(DotStuffed(&content))
        });
        match result {
            Ok(_) => Ok(()),
            Err(_) if expired => {
                *slot = None;
                Err(SendError::Unavailable(format!(
                    "{}: no complete answer within {} s; the connection was cut",
                    self.server,
                    self.exchange_limit().as_secs()
                )))
            }
            Err(e) => {
                let error = classify(&e, &self.server);
                if matches!(error, SendError::Unavailable(_)) {
                    // A network failure: the connection is unusable; the message counts as
                    // not delivered.
                    *slot = None;
                } else if conn.command(Rset).is_err() {
                    *slot = None;
                }
                Err(error)
            }
        }
    }
}

impl Drop for SmtpSender {
    fn drop(&mut self) {
        if let Some(conn) = self.connection.get_mut() {
            let _ = conn.command(Quit);
        }
    }
}

/// Message content as sent after DATA: lines starting with a dot get another one, and the
/// content ends with CRLF, a dot, CRLF.
struct DotStuffed<'a>(&'a [u8]);

impl fmt::Display for DotStuffed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // lettre builds messages of ASCII lines (quoted-printable or base64 bodies).
        let text = String::from_utf8_lossy(self.0);
        for line in text.split_inclusive("\r\n") {
            if line.starts_with('.') {
                f.write_str(".")?;
            }
            f.write_str(line)?;
        }
        if !text.ends_with("\r\n") {
            f.write_str("\r\n")?;
        }
        f.write_str(".\r\n")
    }
}

fn tls_parameters(s: &SmtpSettings) -> Result<TlsParameters, TransportError> {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_stuffing() {
        assert_eq!(
            DotStuffed(b"a\r\n.b\r\n..\r\nc").to_string(),
            "a\r\n..b\r\n...\r\nc\r\n.\r\n"
        );
        assert_eq!(DotStuffed(b".\r\n").to_string(), "..\r\n.\r\n");
    }
}
