//! The YAML configuration of the notification commands (`check`, `preview`, `hook`,
//! `config check`): model, validation, and secrets read from the environment or a file.
//!
//! Every error names the file and, where there is one, the line and the key.

use crate::document::{DateOrder, Language};
use crate::rules::{RuleSettings, Rules};
use lettre::message::Mailbox;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The config file read when `--config` is not given.
pub const DEFAULT_CONFIG: &str = "policy-diff.yaml";

/// What is wrong with a configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// YAML syntax, an unknown key, or a value of the wrong type.
    #[error("{}{at}: {message}", path.display())]
    Yaml {
        /// The file.
        path: PathBuf,
        /// `:LINE:COLUMN` where the parser knows it, else empty.
        at: String,
        /// The parser's message.
        message: String,
    },
    /// A value that parses but cannot be used.
    #[error("{location}: {key}: {message}")]
    Invalid {
        /// `file:line` (or just the file).
        location: String,
        /// The key, as a path: `subscribers[2].email`.
        key: String,
        /// What is wrong, and what to do about it.
        message: String,
    },
}

// ---- the file as written ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    repository: Option<String>,
    #[serde(default)]
    branch: Option<Spanned<String>>,
    #[serde(default)]
    remote: Option<Spanned<String>>,
    policies: Vec<RawPolicy>,
    sender: Spanned<String>,
    #[serde(default)]
    reply_to: Option<Spanned<String>>,
    #[serde(default)]
    subscribers: Vec<RawSubscriber>,
    #[serde(default)]
    subscribers_file: Option<Spanned<String>>,
    #[serde(default)]
    delivery: RawDelivery,
    #[serde(default)]
    notify: RawNotify,
    #[serde(default)]
    lint: RawLint,
    #[serde(default)]
    templates_dir: Option<String>,
    #[serde(default)]
    date_order: Option<DateOrder>,
    #[serde(default)]
    language: Option<Spanned<String>>,
    #[serde(default)]
    ignore_links: Option<bool>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    path: Spanned<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    url: Option<Spanned<String>>,
    #[serde(default)]
    date_order: Option<DateOrder>,
    #[serde(default)]
    language: Option<Spanned<String>>,
    #[serde(default)]
    ignore_links: Option<bool>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubscriber {
    email: Spanned<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    policies: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDelivery {
    #[serde(default)]
    transport: Option<TransportKind>,
    #[serde(default)]
    outbox: Option<String>,
    #[serde(default)]
    smtp: Option<RawSmtp>,
    #[serde(default)]
    sendmail: Option<String>,
    #[serde(default)]
    retry_lifetime: Option<Spanned<String>>,
}

/// Which transport delivers messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransportKind {
    /// One `.eml` file per message in a directory.
    Outbox,
    /// An SMTP server.
    Smtp,
    /// A local sendmail-compatible program.
    Sendmail,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSmtp {
    host: Spanned<String>,
    #[serde(default)]
    port: Option<Spanned<u16>>,
    #[serde(default)]
    security: Option<Security>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password_env: Option<Spanned<String>>,
    #[serde(default)]
    password_file: Option<Spanned<String>>,
    #[serde(default)]
    timeout_seconds: Option<Spanned<u64>>,
    #[serde(default)]
    ca_file: Option<String>,
    #[serde(default)]
    connections: Option<Spanned<usize>>,
    #[serde(default)]
    rate_limit: Option<Spanned<f64>>,
    #[serde(default)]
    max_messages_per_connection: Option<Spanned<usize>>,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS, which the server must offer (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a server on this machine or a trusted network (port 25).
    None,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotify {
    #[serde(default)]
    date_only: bool,
    #[serde(default)]
    cosmetic: bool,
    #[serde(default)]
    unsubscribe_url: Option<Spanned<String>>,
    #[serde(default)]
    diff_url: Option<Spanned<String>>,
    #[serde(default)]
    list_id: Option<Spanned<String>>,
    #[serde(default)]
    excerpt_words: Option<Spanned<usize>>,
}

/// `lint:`: each check's level (error, warning or off), and the future-date window.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLint {
    #[serde(default)]
    stale_date: Option<crate::lint::Level>,
    #[serde(default)]
    date_backwards: Option<crate::lint::Level>,
    #[serde(default)]
    date_removed: Option<crate::lint::Level>,
    #[serde(default)]
    future_date: Option<crate::lint::Level>,
    #[serde(default)]
    effective_before_modified: Option<crate::lint::Level>,
    #[serde(default)]
    date_only: Option<crate::lint::Level>,
    #[serde(default)]
    duplicate_heading: Option<crate::lint::Level>,
    #[serde(default)]
    empty_section: Option<crate::lint::Level>,
    #[serde(default)]
    numbering: Option<crate::lint::Level>,
    #[serde(default)]
    future_days: Option<Spanned<i64>>,
}

impl RawLint {
    fn settings(self, ctx: &Context) -> Result<crate::lint::LintSettings, ConfigError> {
        let mut settings = crate::lint::LintSettings::default();
        let levels = [
            ("stale-date", self.stale_date),
            ("date-backwards", self.date_backwards),
            ("date-removed", self.date_removed),
            ("future-date", self.future_date),
            ("effective-before-modified", self.effective_before_modified),
            ("date-only", self.date_only),
            ("duplicate-heading", self.duplicate_heading),
            ("empty-section", self.empty_section),
            ("numbering", self.numbering),
        ];
        for (check, level) in levels {
            if let Some(level) = level {
                settings
                    .set(check, level)
                    .expect("every lint check is named in the configuration");
            }
        }
        if let Some(days) = &self.future_days {
            settings.future_days = ctx.bounded(days, "lint.future_days", FUTURE_DAYS)?;
        }
        Ok(settings)
    }
}

// ---- the validated configuration ----

/// A validated configuration; relative paths are resolved against the config file's folder.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file.
    pub file: PathBuf,
    /// The watched repository (working tree or bare).
    pub repository: PathBuf,
    /// The branch watched; `None`: the repository's HEAD.
    pub branch: Option<String>,
    /// A remote to fetch (with the system git) before checking.
    pub remote: Option<String>,
    /// Which files are policies.
    pub policies: Vec<PolicySpec>,
    /// From: of every message.
    pub sender: Mailbox,
    /// Reply-To: of every message.
    pub reply_to: Option<Mailbox>,
    /// Everyone who gets messages, from the config and the subscribers file.
    pub subscribers: Vec<Subscriber>,
    /// How messages are delivered.
    pub delivery: Delivery,
    /// How long a recipient whose message failed for now (a 4xx) is retried, from the first
    /// temporary failure, before it is reported as failed for good (`delivery.retry_lifetime`).
    pub retry_lifetime: Duration,
    /// What is worth a message, and the links in it.
    pub notify: NotifySettings,
    /// A folder whose templates replace the embedded ones, file by file.
    pub templates_dir: Option<PathBuf>,
    /// How the documents are read and compared (date order, language, noise): set at the
    /// top level and per policy.
    pub rules: Rules,
    /// What `policy-diff lint` checks, and how much each finding weighs.
    pub lint: crate::lint::LintSettings,
}

/// A policy (or a glob of policies) to watch.
#[derive(Debug, Clone)]
pub struct PolicySpec {
    /// A path relative to the repository root, or a glob.
    pub path: String,
    /// The name shown in messages; default: the document's title, else its path.
    pub name: Option<String>,
    /// Where readers find the policy.
    pub url: Option<String>,
    /// `path` as a glob, compiled once.
    glob: globset::GlobMatcher,
}

/// One person who receives messages.
#[derive(Debug, Clone)]
pub struct Subscriber {
    /// Their address (and name).
    pub mailbox: Mailbox,
    /// Policy names or paths they follow; `None`: all.
    pub policies: Option<Vec<String>>,
    /// Where they were listed (`policy-diff.yaml:14`, `subscribers.csv:3`), for messages.
    pub origin: String,
}

impl Subscriber {
    /// The address alone, as a string.
    pub fn email(&self) -> String {
        self.mailbox.email.to_string()
    }
}

/// The transport and its settings.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// Write `.eml` files into this folder.
    Outbox(PathBuf),
    /// Send through an SMTP server.
    Smtp(SmtpSettings),
    /// Pipe each message to this sendmail-compatible program.
    Sendmail(PathBuf),
}

/// SMTP settings.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// Server host name or address.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Connection security.
    pub security: Security,
    /// User name for authentication, if any.
    pub username: Option<String>,
    /// Where the password comes from.
    pub password: Option<PasswordSource>,
    /// Bound on connecting and on each command.
    pub timeout: Duration,
    /// Extra CA certificate (PEM) to trust, for a private server.
    pub ca_file: Option<PathBuf>,
    /// Connections used at once (messages go out over all of them).
    pub connections: usize,
    /// At most this many messages per second, across all connections.
    pub rate_limit: Option<f64>,
    /// A connection is closed and another opened after this many messages.
    pub max_messages_per_connection: Option<usize>,
}

/// How long a deferred recipient is retried when the configuration does not say: 5 days,
/// as Postfix's `maximal_queue_lifetime`.
pub const DEFAULT_RETRY_LIFETIME: Duration = Duration::from_secs(5 * 86_400);
/// The longest retry lifetime accepted: a year.
pub const MAX_RETRY_LIFETIME: Duration = Duration::from_secs(365 * 86_400);

/// Reads a retry lifetime: a whole number and a unit, `s`, `m`, `h` or `d` (`5d`, `12h`,
/// `2s`), from 1 second to 365 days.
pub fn parse_lifetime(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let wrong = || {
        format!(
            "'{}' is not a duration from 1s to 365d: a whole number and a unit, s, m, h or d (5d, 12h, 30m, 2s)",
            text.chars().take(40).collect::<String>().escape_debug()
        )
    };
    let unit = text.chars().last().ok_or_else(wrong)?;
    let seconds: u64 = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        _ => return Err(wrong()),
    };
    let number = &text[..text.len() - 1];
    if number.is_empty() || number.len() > 12 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(wrong());
    }
    let value = number.parse::<u64>().map_err(|_| wrong())?;
    let lifetime = Duration::from_secs(value.checked_mul(seconds).ok_or_else(wrong)?);
    if lifetime.is_zero() || lifetime > MAX_RETRY_LIFETIME {
        return Err(wrong());
    }
    Ok(lifetime)
}

/// A lifetime as the configuration writes it, in its largest whole unit: `5d`, `36h`, `2s`.
pub fn format_lifetime(lifetime: Duration) -> String {
    let s = lifetime.as_secs();
    match s {
        _ if s >= 86_400 && s.is_multiple_of(86_400) => format!("{}d", s / 86_400),
        _ if s >= 3_600 && s.is_multiple_of(3_600) => format!("{}h", s / 3_600),
        _ if s >= 60 && s.is_multiple_of(60) => format!("{}m", s / 60),
        _ => format!("{s}s"),
    }
}

/// Connections opened at once when the configuration does not say.
pub const DEFAULT_CONNECTIONS: usize = 4;
/// Connections allowed at most (Postfix opens up to 20 per destination).
pub const MAX_CONNECTIONS: usize = 32;

/// The accepted values of one number in the configuration. Every number is bounded, so that
/// nothing a configuration holds can overflow a time or a size computed from it.
#[derive(Debug, Clone)]
pub struct Bounds<T> {
    /// The smallest and the largest value accepted.
    pub range: std::ops::RangeInclusive<T>,
    /// What the number counts, for the error message.
    pub what: &'static str,
    /// Said after the bounds in the error message (what leaving the key out does).
    pub hint: &'static str,
}

/// A number as an error message shows it: a tiny or huge fraction in exponent form.
pub trait Shown {
    /// The number, readable.
    fn shown(&self) -> String;
}

macro_rules! shown_as_displayed {
    ($($t:ty),*) => {$(
        impl Shown for $t {
            fn shown(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
shown_as_displayed!(u16, u64, usize, i64);

impl Shown for f64 {
    fn shown(&self) -> String {
        if *self == 0.0 || !self.is_finite() || (1e-4..1e15).contains(&self.abs()) {
            self.to_string()
        } else {
            format!("{self:e}")
        }
    }
}

/// `delivery.smtp.port`.
pub const PORT: Bounds<u16> = Bounds {
    range: 1..=65535,
    what: "a port",
    hint: "",
};
/// `delivery.smtp.timeout_seconds`: up to an hour per read.
pub const TIMEOUT_SECONDS: Bounds<u64> = Bounds {
    range: 1..=3600,
    what: "a number of seconds",
    hint: "",
};
/// `delivery.smtp.connections`.
pub const CONNECTIONS: Bounds<usize> = Bounds {
    range: 1..=MAX_CONNECTIONS,
    what: "a number of connections",
    hint: "",
};
/// `delivery.smtp.rate_limit`: from one message every 1,000 s to 10,000 a second.
pub const RATE_LIMIT: Bounds<f64> = Bounds {
    range: 0.001..=10_000.0,
    what: "a number of messages per second",
    hint: " (leave it out for no limit)",
};
/// `delivery.smtp.max_messages_per_connection`.
pub const MESSAGES_PER_CONNECTION: Bounds<usize> = Bounds {
    range: 1..=1_000_000,
    what: "a number of messages",
    hint: " (leave it out for no limit)",
};
/// `notify.excerpt_words`.
pub const EXCERPT_WORDS: Bounds<usize> = Bounds {
    range: 10..=100_000,
    what: "a number of words",
    hint: "",
};
/// `lint.future_days`: up to ten years.
pub const FUTURE_DAYS: Bounds<i64> = Bounds {
    range: 0..=3650,
    what: "a number of days",
    hint: "",
};

/// Where the SMTP password is read from; it is never written in the config itself.
#[derive(Debug, Clone)]
pub enum PasswordSource {
    /// An environment variable.
    Env(String),
    /// A file (its first line).
    File(PathBuf),
}

impl PasswordSource {
    /// Reads the password. The error names the variable or file, never the value.
    pub fn read(&self) -> Result<String, PasswordError> {
        match self {
            PasswordSource::Env(var) => match std::env::var(var) {
                Ok(v) if !v.is_empty() => Ok(v),
                _ => Err(PasswordError::NotSet { var: var.clone() }),
            },
            PasswordSource::File(path) => std::fs::read_to_string(path)
                .map(|s| s.lines().next().unwrap_or("").to_string())
                .map_err(|source| PasswordError::File {
                    path: path.clone(),
                    source,
                }),
        }
    }
}

/// Why the SMTP password cannot be read (never its value).
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The environment variable is unset or empty.
    #[error("the environment variable {var} (delivery.smtp.password_env) is not set")]
    NotSet {
        /// The variable.
        var: String,
    },
    /// The password file cannot be read.
    #[error("cannot read the password file {} (delivery.smtp.password_file): {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// What is worth a message, and the links in it.
#[derive(Debug, Clone)]
pub struct NotifySettings {
    /// Mail when only the modification date changed.
    pub date_only: bool,
    /// Mail when only whitespace or formatting changed.
    pub cosmetic: bool,
    /// Template for the unsubscribe link (`{{ email }}` is the subscriber's address).
    pub unsubscribe_url: Option<String>,
    /// Template for a link to the full diff (`{{ old_commit }}`, `{{ new_commit }}`).
    pub diff_url: Option<String>,
    /// The List-Id header; default derived from the sender's domain.
    pub list_id: String,
    /// Words shown per changed section before it is trimmed with a link to the full diff.
    pub excerpt_words: usize,
}

impl Config {
    /// Reads and validates a config file. Does not touch the repository or the network.
    pub fn load(file: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|source| ConfigError::Read {
            path: file.to_path_buf(),
            source,
        })?;
        Config::parse(&text, file)
    }

    /// Validates config text as if read from `file`.
    pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
        let raw: RawConfig = serde_saphyr::from_str(text).map_err(|e| {
            // The message without serde-saphyr's source excerpt: errors are one line, and the
            // line and column say where.
            let mut message = e
                .without_snippet()
                .to_string()
                .trim_start_matches("error: ")
                .replace("<input>", &file.display().to_string());
            let mut at = String::new();
            if let Some(l) = e.location().filter(|l| l.line() > 0) {
                let suffix = format!(" at line {}, column {}", l.line(), l.column());
                if let Some(m) = message.strip_suffix(&suffix) {
                    message = m.to_string();
                }
                at = format!(":{}:{}", l.line(), l.column());
            }
            if message.contains("budget breached") {
                // serde-saphyr's guard against YAML bombs: the file is too large to be a
                // configuration; what makes it large is almost always a subscriber list.
                message = format!(
                    "the file is too large to read safely ({}); a list of more than about 80,000 \
                     subscribers belongs in a CSV file named by subscribers_file (one address per line), \
                     which has no such limit",
                    message.lines().next().unwrap_or("").trim()
                );
            }
            ConfigError::Yaml {
                path: file.to_path_buf(),
                at,
                message,
            }
        })?;
        let ctx = Context::of(file);
        if raw.policies.is_empty() {
            return Err(ConfigError::Invalid {
                location: ctx.name.clone(),
                key: "policies".into(),
                message: "at least one policy is needed".into(),
            });
        }
        let top = ctx.rule_settings(
            "",
            raw.date_order,
            &raw.language,
            raw.ignore_links,
            &raw.ignore,
        )?;
        let (policies, rules) = ctx.policies(raw.policies, &top)?;
        let mailbox = |s: &Spanned<String>, key: &str| ctx.mailbox(s, key);
        let sender = mailbox(&raw.sender, "sender")?;
        let reply_to = raw
            .reply_to
            .as_ref()
            .map(|r| mailbox(r, "reply_to"))
            .transpose()?;
        let subscribers =
            ctx.subscribers(&raw.subscribers, raw.subscribers_file.as_ref(), &policies)?;
        let retry_lifetime = match &raw.delivery.retry_lifetime {
            Some(l) => parse_lifetime(&l.value).map_err(|message| {
                ctx.invalid(
                    l.referenced.line() as usize,
                    "delivery.retry_lifetime",
                    message,
                )
            })?,
            None => DEFAULT_RETRY_LIFETIME,
        };
        let delivery = ctx.delivery(raw.delivery)?;
        let n = raw.notify;
        let lint_settings = raw.lint.settings(&ctx)?;
        let list_id = match n.list_id {
            Some(l) if l.value.len() > 255 => {
                return Err(ctx.invalid(
                    l.referenced.line() as usize,
                    "notify.list_id",
                    format!(
                        "{} characters; a List-Id has at most 255 (RFC 2919)",
                        l.value.len()
                    ),
                ));
            }
            Some(l) => clean_header_text(&l.value),
            None => format!("policy-updates.{}", sender.email.domain()),
        };
        Ok(Config {
            file: file.to_path_buf(),
            repository: ctx.resolve(raw.repository.as_deref().unwrap_or(".")),
            branch: raw
                .branch
                .map(|b| ctx.ref_part(b, "branch", "a branch name, such as main"))
                .transpose()?,
            remote: raw
                .remote
                .map(|r| {
                    ctx.ref_part(
                        r,
                        "remote",
                        "the name of a remote of the repository, such as origin",
                    )
                })
                .transpose()?,
            policies,
            sender,
            reply_to,
            subscribers,
            delivery,
            retry_lifetime,
            notify: NotifySettings {
                date_only: n.date_only,
                cosmetic: n.cosmetic,
                unsubscribe_url: n
                    .unsubscribe_url
                    .map(|u| ctx.link(u, "notify.unsubscribe_url"))
                    .transpose()?,
                diff_url: n
                    .diff_url
                    .map(|u| ctx.link(u, "notify.diff_url"))
                    .transpose()?,
                list_id,
                excerpt_words: n
                    .excerpt_words
                    .as_ref()
                    .map(|w| ctx.bounded(w, "notify.excerpt_words", EXCERPT_WORDS))
                    .transpose()?
                    .unwrap_or(120),
            },
            templates_dir: raw.templates_dir.as_deref().map(|p| ctx.resolve(p)),
            rules,
            lint: lint_settings,
        })
    }

    /// Checks what can only be checked outside the file: the SMTP password is available,
    /// the CA file and the sendmail program exist.
    pub fn check_environment(&self) -> Result<(), ConfigError> {
        let err = |key: &str, message: String| ConfigError::Invalid {
            location: self.file.display().to_string(),
            key: key.into(),
            message,
        };
        match &self.delivery {
            Delivery::Smtp(s) => {
                if let Some(p) = &s.password {
                    p.read().map_err(|e| err("delivery.smtp", e.to_string()))?;
                }
                if let Some(ca) = &s.ca_file
                    && !ca.is_file()
                {
                    return Err(err(
                        "delivery.smtp.ca_file",
                        format!("{} does not exist", ca.display()),
                    ));
                }
            }
            Delivery::Sendmail(p) if !p.is_file() => {
                return Err(err(
                    "delivery.sendmail",
                    format!("{} does not exist", p.display()),
                ));
            }
            _ => {}
        }
        Ok(())
    }

    /// The policy spec that covers `path`, if any (the first that matches).
    pub fn policy_for(&self, path: &str) -> Option<&PolicySpec> {
        self.policies.iter().find(|p| p.matches(path))
    }
}

/// Where a configuration file is, for resolving its paths and locating its errors.
struct Context {
    /// The file, as errors name it.
    name: String,
    /// Its folder: relative paths are relative to it.
    base: PathBuf,
}

impl Context {
    fn of(file: &Path) -> Context {
        let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
        Context {
            name: file.display().to_string(),
            base: if base.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                base
            },
        }
    }

    fn resolve(&self, path: &str) -> PathBuf {
        self.base.join(path)
    }

    /// A name that becomes part of a git ref (`refs/remotes/<remote>/<branch>`) and an
    /// argument to `git fetch`: never an option, never a path out of its folder.
    fn ref_part(
        &self,
        value: Spanned<String>,
        key: &str,
        what: &str,
    ) -> Result<String, ConfigError> {
        let name = value.value;
        let bad = name.is_empty()
            || name.starts_with(['-', '.', '/'])
            || name.ends_with(['/', '.'])
            || name.ends_with(".lock")
            || name.contains("..")
            || name.contains("//")
            || name.contains("@{")
            || name
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || "~^:?*[\\".contains(c));
        if bad {
            return Err(self.invalid(
                value.referenced.line() as usize,
                key,
                format!("{name:?} is not {what}"),
            ));
        }
        Ok(name)
    }

    /// A link readers will follow (or a pattern for one): only https, http and mailto.
    fn link(&self, value: Spanned<String>, key: &str) -> Result<String, ConfigError> {
        if is_safe_link(&value.value) {
            Ok(value.value)
        } else {
            Err(self.invalid(
                value.referenced.line() as usize,
                key,
                format!(
                    "{:?}: only https, http or mailto links are put in messages",
                    value.value
                ),
            ))
        }
    }

    /// A number inside its bounds, or an error naming the key, the line and the bounds.
    fn bounded<T>(&self, value: &Spanned<T>, key: &str, bounds: Bounds<T>) -> Result<T, ConfigError>
    where
        T: PartialOrd + Copy + Shown,
    {
        if bounds.range.contains(&value.value) {
            return Ok(value.value);
        }
        Err(self.invalid(
            value.referenced.line() as usize,
            key,
            format!(
                "{} is not {} from {} to {}{}",
                value.value.shown(),
                bounds.what,
                bounds.range.start().shown(),
                bounds.range.end().shown(),
                bounds.hint
            ),
        ))
    }

    fn at(&self, line: usize) -> String {
        format!("{}:{line}", self.name)
    }

    fn invalid(&self, line: usize, key: &str, message: String) -> ConfigError {
        ConfigError::Invalid {
            location: self.at(line),
            key: key.to_string(),
            message,
        }
    }

    fn mailbox(&self, s: &Spanned<String>, key: &str) -> Result<Mailbox, ConfigError> {
        parse_mailbox(&s.value)
            .map_err(|e| self.invalid(s.referenced.line() as usize, key, e.to_string()))
    }

    /// Date order, language and noise settings (at the top level, or of one policy: `key`
    /// is then `policies[N].`).
    fn rule_settings(
        &self,
        key: &str,
        date_order: Option<DateOrder>,
        language: &Option<Spanned<String>>,
        ignore_links: Option<bool>,
        ignore: &[Spanned<String>],
    ) -> Result<RuleSettings, ConfigError> {
        let invalid = |line, key: &str, message| self.invalid(line, key, message);
        let language = match language {
            Some(l) => Some(crate::config::language(&l.value).map_err(|e| {
                invalid(
                    l.referenced.line() as usize,
                    &format!("{key}language"),
                    e.to_string(),
                )
            })?),
            None => None,
        };
        let ignore = ignore
            .iter()
            .enumerate()
            .map(|(k, p)| {
                crate::rules::ignore_pattern(&p.value).map_err(|m| {
                    invalid(
                        p.referenced.line() as usize,
                        &format!("{key}ignore[{k}]"),
                        m.to_string(),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RuleSettings {
            date_order,
            language,
            ignore_links,
            ignore,
        })
    }

    /// The policies, and how each is read and compared (`top`: the top-level settings).
    fn policies(
        &self,
        raw: Vec<RawPolicy>,
        top: &RuleSettings,
    ) -> Result<(Vec<PolicySpec>, Rules), ConfigError> {
        let invalid = |line, key: &str, message| self.invalid(line, key, message);
        let mut rules = Rules::new(top);
        let mut policies = Vec::new();
        for (i, p) in raw.into_iter().enumerate() {
            let path = p.path.value.trim().trim_start_matches("./").to_string();
            if path.is_empty() {
                return Err(invalid(
                    p.path.referenced.line() as usize,
                    &format!("policies[{i}].path"),
                    "empty path".into(),
                ));
            }
            let glob = match globset::Glob::new(&path) {
                Ok(glob) => glob.compile_matcher(),
                Err(e) => {
                    return Err(invalid(
                        p.path.referenced.line() as usize,
                        &format!("policies[{i}].path"),
                        format!("invalid glob: {e}"),
                    ));
                }
            };
            let own = self.rule_settings(
                &format!("policies[{i}]."),
                p.date_order,
                &p.language,
                p.ignore_links,
                &p.ignore,
            )?;
            rules.add(&path, &own).map_err(|e| {
                invalid(
                    p.path.referenced.line() as usize,
                    &format!("policies[{i}].path"),
                    format!("invalid glob: {e}"),
                )
            })?;
            policies.push(PolicySpec {
                path,
                name: p.name,
                url: p
                    .url
                    .map(|u| self.link(u, &format!("policies[{i}].url")))
                    .transpose()?,
                glob,
            });
        }

        Ok((policies, rules))
    }

    /// The subscribers listed in the file and in the subscribers file, each once.
    fn subscribers(
        &self,
        raw: &[RawSubscriber],
        file: Option<&Spanned<String>>,
        policies: &[PolicySpec],
    ) -> Result<Vec<Subscriber>, ConfigError> {
        let invalid = |line, key: &str, message| self.invalid(line, key, message);
        let mailbox = |s: &Spanned<String>, key: &str| self.mailbox(s, key);
        let mut subscribers = Vec::new();
        for (i, s) in raw.iter().enumerate() {
            let line = s.email.referenced.line() as usize;
            let address = mailbox(&s.email, &format!("subscribers[{i}].email"))?;
            let mailbox = Mailbox::new(
                s.name
                    .clone()
                    .or(address.name.clone())
                    .map(|n| clean_header_text(&n)),
                address.email,
            );
            let refs = match &s.policies {
                Some(list) => {
                    check_policy_refs(&list.value, policies).map_err(|m| {
                        invalid(
                            list.referenced.line() as usize,
                            &format!("subscribers[{i}].policies"),
                            m.to_string(),
                        )
                    })?;
                    Some(list.value.clone())
                }
                None => None,
            };
            subscribers.push(Subscriber {
                mailbox,
                policies: refs,
                origin: self.at(line),
            });
        }
        if let Some(f) = file {
            let path = self.resolve(&f.value);
            let listed = read_subscribers_file(&path, policies).map_err(|e| match e {
                ConfigError::Read { source, .. } => invalid(
                    f.referenced.line() as usize,
                    "subscribers_file",
                    format!("cannot read {}: {source}", path.display()),
                ),
                other => other,
            })?;
            subscribers.extend(listed);
        }
        let mut seen = std::collections::HashMap::with_capacity(subscribers.len());
        for (i, s) in subscribers.iter().enumerate() {
            let key = s.email().to_lowercase();
            if let Some(first) = seen.insert(key, i).map(|j| &subscribers[j].origin) {
                return Err(ConfigError::Invalid {
                    location: s.origin.clone(),
                    key: "subscribers".into(),
                    message: format!(
                        "this address is already listed at {first}; each subscriber gets one message, list them once"
                    ),
                });
            }
        }

        Ok(subscribers)
    }

    /// How messages are delivered.
    fn delivery(&self, d: RawDelivery) -> Result<Delivery, ConfigError> {
        let invalid = |line, key: &str, message| self.invalid(line, key, message);
        let resolve = |p: &str| self.resolve(p);
        Ok(match d.transport.unwrap_or(TransportKind::Outbox) {
            TransportKind::Outbox => {
                Delivery::Outbox(resolve(d.outbox.as_deref().unwrap_or("outbox")))
            }
            TransportKind::Sendmail => Delivery::Sendmail(resolve(
                d.sendmail.as_deref().unwrap_or("/usr/sbin/sendmail"),
            )),
            TransportKind::Smtp => {
                let Some(s) = d.smtp else {
                    return Err(ConfigError::Invalid {
                        location: self.name.clone(),
                        key: "delivery.smtp".into(),
                        message: "transport is smtp but there is no delivery.smtp section (host, port, security…)".into(),
                    });
                };
                let host_line = s.host.referenced.line() as usize;
                let host = s.host.value.trim().to_string();
                if host.is_empty() {
                    return Err(invalid(
                        host_line,
                        "delivery.smtp.host",
                        "empty host".into(),
                    ));
                }
                let security = s.security.unwrap_or(Security::Starttls);
                let password = match (&s.password_env, &s.password_file) {
                    (Some(_), Some(f)) => {
                        return Err(invalid(
                            f.referenced.line() as usize,
                            "delivery.smtp.password_file",
                            "give password_env or password_file, not both".into(),
                        ));
                    }
                    (Some(e), None) => Some(PasswordSource::Env(e.value.clone())),
                    (None, Some(f)) => Some(PasswordSource::File(resolve(&f.value))),
                    (None, None) => None,
                };
                if password.is_some() && s.username.is_none() {
                    return Err(invalid(
                        host_line,
                        "delivery.smtp.username",
                        "a password is configured but no username".into(),
                    ));
                }
                if s.username.is_some() && security == Security::None && !is_loopback(&host) {
                    return Err(invalid(
                        host_line,
                        "delivery.smtp.security",
                        format!(
                            "refusing to send credentials unencrypted to {host}: use security: starttls or tls"
                        ),
                    ));
                }
                let port = s
                    .port
                    .as_ref()
                    .map(|p| self.bounded(p, "delivery.smtp.port", PORT))
                    .transpose()?;
                let timeout = s
                    .timeout_seconds
                    .as_ref()
                    .map(|t| self.bounded(t, "delivery.smtp.timeout_seconds", TIMEOUT_SECONDS))
                    .transpose()?
                    .unwrap_or(30);
                Delivery::Smtp(SmtpSettings {
                    port: port.unwrap_or(match security {
                        Security::Starttls => 587,
                        Security::Tls => 465,
                        Security::None => 25,
                    }),
                    host,
                    security,
                    username: s.username,
                    password,
                    timeout: Duration::from_secs(timeout),
                    ca_file: s.ca_file.as_deref().map(resolve),
                    connections: s
                        .connections
                        .as_ref()
                        .map(|c| self.bounded(c, "delivery.smtp.connections", CONNECTIONS))
                        .transpose()?
                        .unwrap_or(DEFAULT_CONNECTIONS),
                    rate_limit: s
                        .rate_limit
                        .as_ref()
                        .map(|r| self.bounded(r, "delivery.smtp.rate_limit", RATE_LIMIT))
                        .transpose()?,
                    max_messages_per_connection: s
                        .max_messages_per_connection
                        .as_ref()
                        .map(|m| {
                            self.bounded(
                                m,
                                "delivery.smtp.max_messages_per_connection",
                                MESSAGES_PER_CONNECTION,
                            )
                        })
                        .transpose()?,
                })
            }
        })
    }
}

impl PolicySpec {
    /// True when this spec covers `path` (exact path, or glob).
    pub fn matches(&self, path: &str) -> bool {
        self.path == path || self.glob.is_match(path)
    }
}

/// A language by its code: `en`, `fr`, `de`, `es`, `it`, `nl` or `pt`.
pub fn language(code: &str) -> Result<Language, ValueError> {
    Ok(match code.trim().to_ascii_lowercase().as_str() {
        "en" => Language::En,
        "fr" => Language::Fr,
        "de" => Language::De,
        "es" => Language::Es,
        "it" => Language::It,
        "nl" => Language::Nl,
        "pt" => Language::Pt,
        _ => return Err(ValueError::Language(code.to_string())),
    })
}

/// Why a value in the configuration is not accepted.
#[derive(Debug, thiserror::Error)]
pub enum ValueError {
    /// An unknown language code.
    #[error("unknown language {0:?}: one of en, fr, de, es, it, nl, pt")]
    Language(String),
    /// A line break or control character where a header value goes.
    #[error("{0:?} contains a line break or control character")]
    ControlCharacter(String),
    /// Not an email address.
    #[error("'{address}' is not a valid email address ({message})")]
    Address {
        /// The value.
        address: String,
        /// What is wrong with it.
        message: String,
    },
    /// A subscriber follows a policy the file does not list.
    #[error("no policy named or at '{reference}' (policies: {known})")]
    UnknownPolicy {
        /// The reference.
        reference: String,
        /// The policies the file lists.
        known: String,
    },
}

/// True when `host` names this machine.
pub fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Text that goes into a header can never start a new header: line breaks become spaces.
pub fn clean_header_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

fn parse_mailbox(text: &str) -> Result<Mailbox, ValueError> {
    if text.chars().any(|c| c.is_control()) {
        return Err(ValueError::ControlCharacter(text.to_string()));
    }
    text.trim()
        .parse::<Mailbox>()
        .map_err(|e| ValueError::Address {
            address: text.trim().to_string(),
            message: e.to_string(),
        })
}

fn check_policy_refs(refs: &[String], policies: &[PolicySpec]) -> Result<(), ValueError> {
    for r in refs {
        let known = policies
            .iter()
            .any(|p| p.name.as_deref() == Some(r.as_str()) || p.path == *r || p.matches(r));
        if !known {
            let names: Vec<String> = policies
                .iter()
                .map(|p| p.name.clone().unwrap_or_else(|| p.path.clone()))
                .collect();
            return Err(ValueError::UnknownPolicy {
                reference: r.clone(),
                known: names.join(", "),
            });
        }
    }
    Ok(())
}

/// Reads `email,name,policies` rows (policies separated by `;`; a header row is allowed).
/// A link (or the start of a URL pattern) with a scheme readers can follow safely:
/// `https:`, `http:` or `mailto:`, written out before any `{{ }}` substitution.
pub fn is_safe_link(link: &str) -> bool {
    let link = link.trim_start();
    ["https:", "http:", "mailto:"].iter().any(|scheme| {
        link.get(..scheme.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
    })
}

fn read_subscribers_file(
    path: &Path,
    policies: &[PolicySpec],
) -> Result<Vec<Subscriber>, ConfigError> {
    let file = std::fs::File::open(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path.display().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(std::io::BufReader::new(file));
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ConfigError::Invalid {
            location: format!("{name}:{}", e.position().map_or(0, |p| p.line())),
            key: "subscribers_file".into(),
            message: e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let location = format!("{name}:{line}");
        let field = |i: usize| record.get(i).map(str::trim).filter(|s| !s.is_empty());
        let Some(email) = field(0) else { continue };
        if out.is_empty() && email.eq_ignore_ascii_case("email") {
            continue; // header row
        }
        let invalid = |key: &str, message: String| ConfigError::Invalid {
            location: location.clone(),
            key: key.into(),
            message,
        };
        let address = parse_mailbox(email).map_err(|e| invalid("email", e.to_string()))?;
        let refs: Option<Vec<String>> = field(2).map(|p| {
            p.split(';')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        });
        if let Some(refs) = &refs {
            check_policy_refs(refs, policies).map_err(|e| invalid("policies", e.to_string()))?;
        }
        out.push(Subscriber {
            mailbox: Mailbox::new(
                field(1).map(clean_header_text).or(address.name),
                address.email,
            ),
            policies: refs,
            origin: location,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn retry_lifetimes_are_bounded_durations() {
        assert_eq!(parse_lifetime("5d"), Ok(DEFAULT_RETRY_LIFETIME));
        assert_eq!(parse_lifetime(" 2s "), Ok(Duration::from_secs(2)));
        assert_eq!(parse_lifetime("90m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_lifetime("365d"), Ok(MAX_RETRY_LIFETIME));
        for bad in [
            "",
            "d",
            "0s",
            "366d",
            "8761h",
            "5",
            "5D",
            "1.5d",
            "-1d",
            "+1d",
            "5 d",
            "18446744073709551615s",
            "٣d",
        ] {
            assert!(parse_lifetime(bad).is_err(), "{bad:?}");
        }
        for (secs, text) in [
            (432_000, "5d"),
            (129_600, "36h"),
            (90, "90s"),
            (120, "2m"),
            (2, "2s"),
        ] {
            assert_eq!(format_lifetime(Duration::from_secs(secs)), text);
            assert_eq!(parse_lifetime(text), Ok(Duration::from_secs(secs)));
        }
    }

    use super::*;

    const MINIMAL: &str = "policies:\n  - path: privacy.md\n    name: Privacy Policy\nsender: \"Legal <legal@example.com>\"\n";

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("/etc/pd/policy-diff.yaml")).map_err(|e| e.to_string())
    }

    #[test]
    fn reading_rules_at_the_top_and_per_policy() {
        let c = parse(
            "policies:
  - path: privacy.md
  - path: \"fr/*.md\"
    language: fr
    ignore_links: false
    ignore: ['il y a \\d+ jours']
sender: legal@example.com
date_order: mdy
ignore_links: true
ignore: ['Updated \\d+ days ago']
",
        )
        .unwrap();
        let top = c.rules.for_path("privacy.md");
        assert_eq!(top.parse.date_order, Some(DateOrder::Mdy));
        assert_eq!(top.parse.language, None);
        assert!(top.noise.links);
        assert_eq!(top.noise.patterns.len(), 1);
        let fr = c.rules.for_path("fr/cgu.md");
        assert_eq!(fr.parse.language, Some(Language::Fr));
        assert_eq!(fr.parse.date_order, Some(DateOrder::Mdy));
        assert!(!fr.noise.links);
        assert_eq!(fr.noise.patterns.len(), 2);
        // Errors name the key and its line.
        let e = parse(&format!("{MINIMAL}language: xx\n")).unwrap_err();
        assert!(
            e.contains("yaml:5: language")
                && e.contains("language")
                && e.contains("unknown language"),
            "{e}"
        );
        let e = parse(&format!("{MINIMAL}ignore: ['(']\n")).unwrap_err();
        assert!(
            e.contains("ignore[0]") && e.contains("invalid pattern"),
            "{e}"
        );
        let e = parse("policies:\n  - path: a.md\n    date_order: ymd\nsender: a@example.com\n")
            .unwrap_err();
        assert!(e.contains("date_order") || e.contains("ymd"), "{e}");
    }

    #[test]
    fn minimal_config_has_sensible_defaults() {
        let c = parse(MINIMAL).unwrap();
        assert_eq!(c.repository, Path::new("/etc/pd/."));
        assert!(matches!(&c.delivery, Delivery::Outbox(p) if p == Path::new("/etc/pd/outbox")));
        assert_eq!(c.notify.list_id, "policy-updates.example.com");
        assert!(!c.notify.date_only && !c.notify.cosmetic);
    }

    #[test]
    fn connections_rate_and_per_connection_limits() {
        let smtp = |extra: &str| {
            parse(&format!(
                "{MINIMAL}delivery:\n  transport: smtp\n  smtp:\n    host: mail.example.com\n{extra}"
            ))
        };
        let Delivery::Smtp(s) = smtp("").unwrap().delivery else {
            panic!("smtp")
        };
        assert_eq!(
            (s.connections, s.rate_limit, s.max_messages_per_connection),
            (DEFAULT_CONNECTIONS, None, None)
        );
        let Delivery::Smtp(s) =
            smtp("    connections: 8\n    rate_limit: 0.5\n    max_messages_per_connection: 100\n")
                .unwrap()
                .delivery
        else {
            panic!("smtp")
        };
        assert_eq!(
            (s.connections, s.rate_limit, s.max_messages_per_connection),
            (8, Some(0.5), Some(100))
        );
        for (extra, want) in [
            (
                "    connections: 0\n",
                "/etc/pd/policy-diff.yaml:9: delivery.smtp.connections: 0 is not a number of connections from 1 to 32",
            ),
            (
                "    connections: 33\n",
                "/etc/pd/policy-diff.yaml:9: delivery.smtp.connections: 33 is not a number of connections from 1 to 32",
            ),
            (
                "    rate_limit: 0\n",
                "/etc/pd/policy-diff.yaml:9: delivery.smtp.rate_limit: 0 is not a number of messages per second from 0.001 to 10000 (leave it out for no limit)",
            ),
            (
                "    rate_limit: -2\n",
                "/etc/pd/policy-diff.yaml:9: delivery.smtp.rate_limit: -2 is not a number of messages per second from 0.001 to 10000 (leave it out for no limit)",
            ),
            (
                "    rate_limit: 1e-300\n",
                "/etc/pd/policy-diff.yaml:9: delivery.smtp.rate_limit: 1e-300 is not a number of messages per second from 0.001 to 10000 (leave it out for no limit)",
            ),
            (
                "    rate_limit: .nan\n",
                "/etc/pd/policy-diff.yaml:9: delivery.smtp.rate_limit: NaN is not a number of messages per second from 0.001 to 10000 (leave it out for no limit)",
            ),
            (
                "    max_messages_per_connection: 0\n",
                "/etc/pd/policy-diff.yaml:9: delivery.smtp.max_messages_per_connection: 0 is not a number of messages from 1 to 1000000 (leave it out for no limit)",
            ),
            (
                "    timeout_seconds: 18446744073709551615\n",
                "/etc/pd/policy-diff.yaml:9: delivery.smtp.timeout_seconds: 18446744073709551615 is not a number of seconds from 1 to 3600",
            ),
            (
                "    port: 0\n",
                "/etc/pd/policy-diff.yaml:9: delivery.smtp.port: 0 is not a port from 1 to 65535",
            ),
        ] {
            assert_eq!(smtp(extra).unwrap_err(), want);
        }
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let e = parse(&format!(
            "{MINIMAL}subscribers:\n  - email: alice@example.com\n    nmae: Alice\n"
        ))
        .unwrap_err();
        assert!(
            e.starts_with("/etc/pd/policy-diff.yaml:7:5: unknown field `nmae`"),
            "{e}"
        );
        let e = parse(&format!(
            "{MINIMAL}subscribers:\n  - email: not-an-address\n"
        ))
        .unwrap_err();
        assert!(
            e.starts_with("/etc/pd/policy-diff.yaml:6: subscribers[0].email:"),
            "{e}"
        );
        let e = parse(&format!(
            "{MINIMAL}subscribers:\n  - email: a@example.com\n    policies: [Cookie Policy]\n"
        ))
        .unwrap_err();
        assert!(
            e.contains(":7: subscribers[0].policies: no policy named or at 'Cookie Policy'"),
            "{e}"
        );
        let e = parse(&format!("{MINIMAL}delivery:\n  transport: pigeon\n")).unwrap_err();
        assert!(
            e.starts_with("/etc/pd/policy-diff.yaml:6:") && e.contains("pigeon"),
            "{e}"
        );
        let e = parse(&format!("{MINIMAL}delivery:\n  transport: smtp\n")).unwrap_err();
        assert!(e.contains("delivery.smtp"), "{e}");
        let e = parse("policies: [\n").unwrap_err();
        assert_eq!(e, "/etc/pd/policy-diff.yaml:1:11: unclosed bracket '['");
        let e = parse(&format!(
            "{MINIMAL}subscribers:\n  - email: a@example.com\n  - email: A@example.com\n"
        ))
        .unwrap_err();
        assert!(
            e.contains("already listed at /etc/pd/policy-diff.yaml:6"),
            "{e}"
        );
    }

    #[test]
    fn no_credentials_in_clear_to_a_remote_host() {
        let smtp = |host: &str| {
            format!(
                "{MINIMAL}delivery:\n  transport: smtp\n  smtp: {{ host: {host}, security: none, username: u, password_env: P }}\n"
            )
        };
        assert!(
            parse(&smtp("smtp.example.com"))
                .unwrap_err()
                .contains("refusing to send credentials unencrypted")
        );
        assert!(parse(&smtp("127.0.0.1")).is_ok());
    }

    #[test]
    fn header_text_cannot_break_lines() {
        assert_eq!(
            clean_header_text("Eve\r\nBcc: x@example.com"),
            "Eve  Bcc: x@example.com"
        );
        assert!(parse_mailbox("a@example.com\r\nBcc: b@example.com").is_err());
    }
}
