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
        .subject(short_subject(&clean_header_text(&rendered.subject)))
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
        builder = builder.raw_header(header("List-Unsubscribe", format!("<{}>", foldable(url))));
        if url.starts_with("https://") {
            builder = builder.raw_header(header(
                "List-Unsubscribe-Post",
                "List-Unsubscribe=One-Click".into(),
            ));
        }
    }
    let message = builder
        .multipart(MultiPart::alternative_plain_html(
            rendered.text.clone(),
            rendered.html.clone(),
        ))
        .map_err(|e| MessageError {
            subscriber: subscriber.origin.clone(),
            message: e.to_string(),
        })?;
    // RFC 5322: no line longer than 998 octets. Headers are folded above; a header that still
    // cannot be (a name with no space in 998 octets) is refused rather than sent broken.
    let formatted = message.formatted();
    let head =
        &formatted[..memchr::memmem::find(&formatted, b"\r\n\r\n").unwrap_or(formatted.len())];
    if let Some(line) = head.split(|&b| b == b'\n').find(|l| l.len() > 998) {
        let name = String::from_utf8_lossy(line.split(|&b| b == b':').next().unwrap_or(b""));
        return Err(MessageError {
            subscriber: subscriber.origin.clone(),
            message: format!(
                "its {name} header is longer than the 998 octets a mail line may have"
            ),
        });
    }
    Ok(message)
}

/// Subjects longer than this many characters are cut (with "…"): no reader sees more.
const MAX_SUBJECT_CHARS: usize = 250;

fn short_subject(subject: &str) -> String {
    match subject.char_indices().nth(MAX_SUBJECT_CHARS) {
        Some((at, _)) => format!("{}…", &subject[..at]),
        None => subject.to_string(),
    }
}

/// A long URL broken by spaces every 70 characters, which RFC 2369 tells clients to ignore
/// inside the angle brackets of a List-* header: the header can then be folded.
fn foldable(url: &str) -> String {
    if url.len() <= 900 {
        return url.to_string();
    }
    let chars: Vec<char> = url.chars().collect();
    chars
        .chunks(70)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
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
