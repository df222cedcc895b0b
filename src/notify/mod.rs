//! The cron and hook path: find what changed since the last notification, build one digest
//! per subscriber, deliver, and record — so that nothing is sent twice and nothing is lost.
//!
//! ```text
//! notified ref ──► plan (changed policies worth a message) ──► per subscriber: render,
//! build, send, journal ──► move the ref (compare-and-swap) ──► loop until the tip
//! ```

mod compose;
mod deliver;
mod error;
pub mod message;
mod plan;
mod run;
mod smtp;
pub mod state;
pub mod transport;
mod validate;

pub use crate::report::ChangeKind;
pub use compose::*;
use deliver::*;
pub use error::*;
pub use plan::*;
pub use run::*;
pub use validate::*;

use crate::config::{Config, ConfigError, Subscriber};
use crate::render::email::{PolicyContext, TemplateError, Templates, policy_context};
use crate::report::{DocumentReport, compare_changes, compare_texts};
use crate::rules::Rule;
use crate::source::{PolicyFilter, PolicyRepo, SourceError, short_id};
use git2::{ObjectType, Oid};
pub use message::MessageError;
use message::{Rendered, build_message};
use state::Journal;
use std::time::Duration;
pub use transport::TransportError;
use transport::{SendError, Sender};
