//! One subscriber's message: rendered templates plus headers, as a lettre `Message`.

use crate::config::{Config, Subscriber, clean_header_text};
use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

/// The rendered parts of a message.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Subject line (any line break is removed when it becomes a header).
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

/// Builds the message for one subscriber: To: is that subscriber alone.
pub fn build_message(
    config: &Config,
    subscriber: &Subscriber,
    rendered: &Rendered,
    message_id: &str,
    unsubscribe_url: Option<&str>,
) -> Result<Message, MessageError> {
    let to = Mailbox::new(
        subscriber.mailbox.name.as_deref().map(clean_header_text),
        subscriber.mailbox.email.clone(),
    );
    let mut builder = Message::builder()
        .from(config.sender.clone())
        .to(to)
        .subject(clean_header_text(&rendered.subject))
        .date_now()
        .message_id(Some(message_id.to_string()));
    if let Some(reply_to) = &config.reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    let header = |name: &'static str, value: String| {
        HeaderValue::new(
            HeaderName::new_from_ascii_str(name),
            clean_header_text(&value),
        )
    };
    builder = builder
        .raw_header(header("List-Id", format!("<{}>", config.notify.list_id)))
        .raw_header(header("Auto-Submitted", "auto-generated".into()));
    if let Some(url) = unsubscribe_url {
        builder = builder.raw_header(header("List-Unsubscribe", format!("<{url}>")));
        if url.starts_with("https://") {
            builder = builder.raw_header(header(
                "List-Unsubscribe-Post",
                "List-Unsubscribe=One-Click".into(),
            ));
        }
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            rendered.text.clone(),
            rendered.html.clone(),
        ))
        .map_err(|e| MessageError {
            subscriber: subscriber.origin.clone(),
            message: e.to_string(),
        })
}

/// A message that cannot be built (an address or header lettre refuses).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the message for {subscriber}: {message}")]
pub struct MessageError {
    /// Where the subscriber is listed.
    pub subscriber: String,
    /// What the email library said.
    pub message: String,
}
