//! Message ids, the templates' context, and rendering a subscriber's message.

use super::*;
use minijinja::Value;
use serde::Serialize;

/// The Message-ID of a subscriber's copy of a notification: the same on every retry.
pub fn message_id(notification: &Notification, config: &Config, subscriber: &Subscriber) -> String {
    let hash = hash_hex(&format!(
        "{}\n{}",
        notification.id,
        subscriber.email().to_lowercase()
    ));
    format!(
        "<{}.{}@{}>",
        &notification.id,
        &hash[..20],
        config.sender.email.domain()
    )
}

/// Renders one subscriber's message; `None` when they follow none of the changes.
pub fn render_for(
    config: &Config,
    templates: &Templates,
    notification: &Notification,
    subscriber: &Subscriber,
) -> Result<Option<(Rendered, Option<String>)>, NotifyError> {
    let mut policies: Vec<PolicyContext> = notification
        .changes_for(subscriber)
        .map(|c| c.context.clone())
        .collect();
    if policies.is_empty() {
        return Ok(None);
    }
    let (old, new) = (notification.old.to_string(), notification.new.to_string());
    // `path` and `commit` name a policy's change page of `policy-diff site`: those of each
    // policy for its own link, those of the first for the message's.
    let url_vars = |p: &PolicyContext| {
        minijinja::context! {
            email => subscriber.email(),
            name => subscriber.mailbox.name.clone(),
            old_commit => old.clone(),
            new_commit => new.clone(),
            old_commit_short => short_id(&old).to_string(),
            new_commit_short => short_id(&new).to_string(),
            path => Value::from_safe_string(crate::site::url_path(&p.path)),
            commit => p.commit.clone(),
        }
    };
    let first = url_vars(&policies[0]);
    let url = |key: &str, pattern: &Option<String>| -> Result<Option<String>, NotifyError> {
        Ok(match pattern {
            Some(p) => Some(templates.render_url(key, p, &first)?),
            None => None,
        })
    };
    if let Some(pattern) = &config.notify.diff_url {
        for p in &mut policies {
            p.diff_url = Some(templates.render_url("notify.diff_url", pattern, &url_vars(p))?);
        }
    }
    let mut context = EmailContext {
        subject: String::new(),
        subscriber: SubscriberContext {
            email: subscriber.email(),
            name: subscriber.mailbox.name.clone(),
        },
        policies,
        old_commit_short: short_id(&old).to_string(),
        new_commit_short: short_id(&new).to_string(),
        old_commit: old,
        new_commit: new,
        commits: notification.commits.clone(),
        diff_url: url("notify.diff_url", &config.notify.diff_url)?,
        unsubscribe_url: url("notify.unsubscribe_url", &config.notify.unsubscribe_url)?,
        sender: config.sender.to_string(),
    };
    let subject = templates
        .render("subject.txt", &context)?
        .trim()
        .to_string();
    context.subject = subject.clone();
    let text = templates.render("body.txt", &context)?;
    let html = templates.render("body.html", &context)?;
    Ok(Some((
        Rendered {
            subject,
            text,
            html,
        },
        context.unsubscribe_url,
    )))
}

/// A message ready to send: its envelope, its bytes, and the name of its `.eml` file
/// (file transport).
pub(super) struct Outgoing {
    pub(super) envelope: lettre::address::Envelope,
    pub(super) formatted: Vec<u8>,
    pub(super) name: String,
}

/// The message for one subscriber: `None` when they follow none of the changes.
pub(super) type Built = Option<Outgoing>;

/// Built messages kept from the check before sending, so as not to build them twice: up to
/// this many bytes (the rest are built again as they are sent).
const KEPT_BYTES: usize = 64 << 20;

/// Messages built before sending, by recipient (in the order given); `None` for those not
/// kept.
pub(super) type Prebuilt = Vec<Option<Outgoing>>;

/// Renders and builds the message for one subscriber: `None` when they follow none of the
/// changes.
pub(super) fn build_for(
    config: &Config,
    templates: &Templates,
    notification: &Notification,
    s: &Subscriber,
) -> Result<Built, NotifyError> {
    let Some((rendered, unsubscribe)) = render_for(config, templates, notification, s)? else {
        return Ok(None);
    };
    let id = message_id(notification, config, s);
    let message = build_message(config, s, &rendered, &id, unsubscribe.as_deref())?;
    let name = format!(
        "{}-{}",
        notification.id,
        &hash_hex(&s.email().to_lowercase())[..12]
    );
    Ok(Some(Outgoing {
        envelope: message.envelope().clone(),
        formatted: message.formatted(),
        name,
    }))
}

/// Renders and builds every recipient's message before the first is sent: a template that
/// fails for one subscriber only (their name, their set of policies) stops the run with
/// nothing sent, naming the template and where the subscriber is listed. Keeps the messages
/// (up to [`KEPT_BYTES`]) for sending.
pub(super) fn validate_messages(
    config: &Config,
    templates: &Templates,
    notification: &Notification,
    recipients: &[&Subscriber],
) -> Result<Prebuilt, NotifyError> {
    let threads = crate::parallel::threads(0);
    let chunks: Vec<&[&Subscriber]> = recipients.chunks(256).collect();
    let kept = std::sync::atomic::AtomicUsize::new(0);
    let results = crate::parallel::par_map(&chunks, threads, |chunk| {
        let mut built = Vec::with_capacity(chunk.len());
        for s in chunk.iter() {
            match build_for(config, templates, notification, s) {
                Ok(Some(m)) => {
                    let size = m.formatted.len();
                    let before = kept.fetch_add(size, std::sync::atomic::Ordering::Relaxed);
                    built.push((before + size <= KEPT_BYTES).then_some(m));
                }
                Ok(None) => built.push(None),
                Err(e) => return Err((*s, e)),
            }
        }
        Ok(built)
    });
    let mut prebuilt = Vec::with_capacity(recipients.len());
    for chunk in results {
        match chunk {
            Ok(built) => prebuilt.extend(built),
            Err((s, source)) => {
                return Err(NotifyError::Subscriber {
                    origin: s.origin.clone(),
                    source: Box::new(source),
                });
            }
        }
    }
    Ok(prebuilt)
}

/// Everything a template sees.
#[derive(Debug, Clone, Serialize)]
pub struct EmailContext {
    /// The subject (empty while the subject itself is rendered).
    pub subject: String,
    /// The recipient.
    pub subscriber: SubscriberContext,
    /// The changed policies this subscriber follows.
    pub policies: Vec<PolicyContext>,
    /// Old and new commit ids.
    pub old_commit: String,
    /// See `old_commit`.
    pub new_commit: String,
    /// Short (7-character) commit ids.
    pub old_commit_short: String,
    /// See `old_commit_short`.
    pub new_commit_short: String,
    /// Commits between the two that touched a policy, newest first.
    pub commits: Vec<CommitContext>,
    /// Link to the full diff (`notify.diff_url`), if configured.
    pub diff_url: Option<String>,
    /// The subscriber's unsubscribe link (`notify.unsubscribe_url`), if configured.
    pub unsubscribe_url: Option<String>,
    /// The sender, as in From:.
    pub sender: String,
}

/// The recipient.
#[derive(Debug, Clone, Serialize)]
pub struct SubscriberContext {
    /// Address.
    pub email: String,
    /// Name, if known.
    pub name: Option<String>,
}

/// A commit.
#[derive(Debug, Clone, Serialize)]
pub struct CommitContext {
    /// Full id.
    pub id: String,
    /// 7-character id.
    pub short: String,
    /// First line of the message.
    pub summary: String,
    /// Author name.
    pub author: String,
    /// Commit time, `YYYY-MM-DD HH:MM` UTC.
    pub time: String,
}
