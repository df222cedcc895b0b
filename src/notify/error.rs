//! Why `check`, `preview` or `config check` cannot run: errors by cause.

use super::*;

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
    /// The notified ref exists but does not name a commit.
    #[error(
        "{} in {} is unreadable: {problem}; to record the current tip as the baseline (nothing is sent), run: \
         policy-diff check --rebaseline --config {}",
        state::NOTIFIED_REF,
        repository.display(),
        config.display()
    )]
    NotifiedRefUnreadable {
        /// What is wrong with it.
        problem: String,
        /// The repository.
        repository: std::path::PathBuf,
        /// The configuration file.
        config: std::path::PathBuf,
    },
    /// The message for one subscriber cannot be made (found before anything was sent).
    #[error("nothing was sent: the message for the subscriber listed at {origin} cannot be made")]
    Subscriber {
        /// Where the subscriber is listed (config or CSV file and line).
        origin: String,
        /// Why their message cannot be made.
        source: Box<NotifyError>,
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

pub(super) fn io_error(what: &'static str) -> impl Fn(std::io::Error) -> NotifyError {
    move |source| NotifyError::State { what, source }
}
