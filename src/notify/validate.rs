//! `preview` and `config check`: everything `check` needs, rendered against a sample, nothing sent.

use super::*;

/// `policy-diff preview`: the message one subscriber would get for the changes between two
/// revisions. `to`: an address (a configured subscriber, or anyone, following everything).
/// Warnings about the documents (a stale date, a skipped file) are added to `warnings`.
pub fn preview(
    config: &Config,
    old: &str,
    new: &str,
    to: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<Option<(Subscriber, Rendered)>, NotifyError> {
    let templates = Templates::load(config.templates_dir.as_deref())?;
    let repo = PolicyRepo::discover(&config.repository)?;
    let (old, new) = (repo.resolve(old)?, repo.resolve(new)?);
    let notification = plan(config, &repo, old, new, warnings)?;
    let subscriber = match to {
        Some(address) => match config
            .subscribers
            .iter()
            .find(|s| s.email().eq_ignore_ascii_case(address))
        {
            Some(s) => s.clone(),
            None => Subscriber {
                mailbox: address
                    .parse()
                    .map_err(
                        |e: lettre::address::AddressError| NotifyError::PreviewAddress {
                            address: address.to_string(),
                            message: e.to_string(),
                        },
                    )?,
                policies: None,
                origin: "--to".into(),
            },
        },
        None => config
            .subscribers
            .first()
            .cloned()
            .unwrap_or_else(|| Subscriber {
                mailbox: "reader@example.com".parse().expect("valid address"),
                policies: None,
                origin: "preview".into(),
            }),
    };
    Ok(render_for(config, &templates, &notification, &subscriber)?.map(|(r, _)| (subscriber, r)))
}

/// `policy-diff config check`: everything `check` would need, validated without sending —
/// the file (already loaded), the repository and branch, the environment (password), and the
/// templates rendered against a sample change (undefined variables are errors).
pub fn validate_config(config: &Config) -> Result<String, NotifyError> {
    config.check_environment()?;
    let templates = Templates::load(config.templates_dir.as_deref())?;
    let repo =
        PolicyRepo::discover(&config.repository).map_err(|source| NotifyError::Repository {
            config: config.file.clone(),
            source,
        })?;
    if config.remote.is_none() && config.branch.is_some() {
        resolve_tip(config, &repo)?;
    }
    let sample = sample_notification(config);
    // Every subscriber's message, each with the policies they follow: a template that fails
    // for one of them only (their name, their set of policies) is found now.
    let fallback = [Subscriber {
        mailbox: "reader@example.com".parse().expect("valid address"),
        policies: None,
        origin: "sample".into(),
    }];
    let subscribers = if config.subscribers.is_empty() {
        &fallback[..]
    } else {
        &config.subscribers[..]
    };
    let everyone: Vec<&Subscriber> = subscribers.iter().collect();
    validate_messages(config, &templates, &sample, &everyone).map_err(|e| match e {
        // With no subscribers listed, the sample reader is nobody's address: say only why.
        NotifyError::Subscriber { source, .. } if config.subscribers.is_empty() => *source,
        e => e,
    })?;
    if let crate::config::Delivery::Outbox(dir) = &config.delivery
        && dir.exists()
    {
        crate::private_fs::check_dir(dir).map_err(|source| TransportError::Outbox {
            dir: dir.clone(),
            source,
        })?;
    }
    let transport = match &config.delivery {
        crate::config::Delivery::Outbox(dir) => format!("outbox {}", dir.display()),
        crate::config::Delivery::Smtp(s) => {
            format!("smtp {}:{} ({:?})", s.host, s.port, s.security).to_lowercase()
        }
        crate::config::Delivery::Sendmail(p) => format!("sendmail {}", p.display()),
    };
    Ok(format!(
        "{}: OK — {} polic{}, {} subscriber{}, delivery by {transport}",
        config.file.display(),
        config.policies.len(),
        if config.policies.len() == 1 {
            "y"
        } else {
            "ies"
        },
        config.subscribers.len(),
        if config.subscribers.len() == 1 {
            ""
        } else {
            "s"
        },
    ))
}

/// A small made-up change, to render templates against.
pub(super) fn sample_notification(config: &Config) -> Notification {
    let old = "# Sample Policy\n\nLast updated: January 2, 2024\n\n## Data\n\nWe keep data for 30 days.\n\n## Contests\n\nWe run contests.\n";
    let new = "# Sample Policy\n\nLast updated: March 4, 2024\n\n## Data\n\nWe keep data for 90 days.\n\n## Your rights\n\nYou may ask for a copy.\n";
    let report = compare_texts(
        "sample.md",
        Some("sample.md"),
        Some(old),
        Some(new),
        &Rule::default(),
    );
    // One change per configured policy, so that each subscriber gets the message for
    // the policies they follow.
    let changes = config
        .policies
        .iter()
        .map(|spec| {
            let name = spec.name.clone().unwrap_or_else(|| "Sample Policy".into());
            let context = policy_context(
                &name,
                "sample.md",
                Some("sample.md"),
                spec.url.as_deref(),
                &report.diff,
                &report.highlights,
                config.notify.excerpt_words,
            );
            PolicyChange {
                name,
                spec_path: spec.path.clone(),
                url: spec.url.clone(),
                report: report.clone(),
                kind: ChangeKind::Substantive,
                context,
            }
        })
        .collect();
    let zero = Oid::ZERO_SHA1;
    Notification {
        id: "sample".into(),
        old: zero,
        new: zero,
        changes,
        commits: vec![CommitContext {
            id: zero.to_string(),
            short: short_id(&zero.to_string()).to_string(),
            summary: "Sample commit".into(),
            author: "Sample Author".into(),
            time: "2024-03-04 10:00".into(),
        }],
    }
}
