//! What changed since the notified commit, what is worth a message, and who follows it.

use super::*;

/// A changed policy that goes into messages.
#[derive(Debug, Clone)]
pub struct PolicyChange {
    /// Display name.
    pub name: String,
    /// The configured path or glob that covers it.
    pub spec_path: String,
    /// The link from the configuration.
    pub url: Option<String>,
    /// The section diff.
    pub report: DocumentReport,
    /// Why it is worth a message.
    pub kind: ChangeKind,
    pub(super) context: PolicyContext,
}

/// Everything one notification (from one commit to another) is about.
#[derive(Debug, Clone)]
pub struct Notification {
    /// Stable id: a hash of the two commits and the changed policies.
    pub id: String,
    /// From this commit…
    pub old: Oid,
    /// …to this one.
    pub new: Oid,
    /// The changed policies worth a message.
    pub changes: Vec<PolicyChange>,
    /// Commits in between, newest first.
    pub commits: Vec<CommitContext>,
}

impl Notification {
    /// The changes a subscriber follows.
    pub fn changes_for<'a>(
        &'a self,
        subscriber: &'a Subscriber,
    ) -> impl Iterator<Item = &'a PolicyChange> + 'a {
        self.changes.iter().filter(move |c| follows(subscriber, c))
    }

    /// "Privacy Policy (2024-01-15 → 2024-06-03), Terms".
    pub fn describe(&self) -> String {
        let items: Vec<String> = self
            .changes
            .iter()
            .map(
                |c| match crate::render::date_change(&c.report.diff, |m| m.modified) {
                    Some(dates) => format!("{} (last updated {dates})", c.name),
                    None => c.name.clone(),
                },
            )
            .collect();
        items.join(", ")
    }
}

/// True when a subscriber follows the changed policy (by name, configured path, or path).
pub fn follows(subscriber: &Subscriber, change: &PolicyChange) -> bool {
    match &subscriber.policies {
        None => true,
        Some(refs) => refs.iter().any(|r| {
            *r == change.name
                || *r == change.spec_path
                || *r == change.report.path
                || change.report.old_path.as_deref() == Some(r.as_str())
        }),
    }
}

pub(super) fn hash_hex(text: &str) -> String {
    Oid::hash_object(ObjectType::Blob, text.as_bytes())
        .map(|o| o.to_string())
        .unwrap_or_default()
}

/// Works out which policies changed between two commits and which of them are worth a message.
pub fn plan(
    config: &Config,
    repo: &PolicyRepo,
    old: Oid,
    new: Oid,
    warnings: &mut Vec<String>,
) -> Result<Notification, NotifyError> {
    let paths: Vec<String> = config.policies.iter().map(|p| p.path.clone()).collect();
    let filter = PolicyFilter::new(&paths)?;
    let mut changes = Vec::new();
    for report in compare_changes(repo, Some(old), new, &filter, &config.rules, warnings)? {
        let spec = config.policy_for(&report.path).or_else(|| {
            report
                .old_path
                .as_deref()
                .and_then(|p| config.policy_for(p))
        });
        let Some(spec) = spec else { continue };
        let Some(kind) = report.change_kind() else {
            continue;
        };
        let wanted = match kind {
            ChangeKind::Substantive => true,
            ChangeKind::DateOnly => config.notify.date_only,
            ChangeKind::Cosmetic => config.notify.cosmetic,
        };
        let diff = &report.diff;
        if kind == ChangeKind::Substantive
            && diff.old.is_some()
            && diff.new.is_some()
            && !diff.date_changed()
        {
            let date = diff
                .new
                .as_ref()
                .and_then(|m| m.modified)
                .map_or("none".to_string(), |d| d.to_string());
            warnings.push(format!(
                "{}: the text changed but its \"last updated\" date did not (still {date}); the published date is wrong",
                report.path
            ));
        }
        if !wanted {
            continue;
        }
        let title = diff
            .new
            .as_ref()
            .or(diff.old.as_ref())
            .and_then(|m| m.title.clone());
        let name = spec
            .name
            .clone()
            .or(title)
            .unwrap_or_else(|| report.path.clone());
        let context = policy_context(
            &name,
            &report.path,
            report.old_path.as_deref(),
            spec.url.as_deref(),
            diff,
            &report.highlights,
            config.notify.excerpt_words,
        );
        changes.push(PolicyChange {
            name,
            spec_path: spec.path.clone(),
            url: spec.url.clone(),
            report,
            kind,
            context,
        });
    }
    let mut key = format!("{old}\n{new}\n");
    for c in &changes {
        key.push_str(&c.report.path);
        key.push('\n');
    }
    let commits = commits_between(repo, old, new)?;
    for c in &mut changes {
        c.context.commit = last_change(repo, &commits, &c.report.path)
            .unwrap_or(new)
            .to_string();
    }
    Ok(Notification {
        id: hash_hex(&key)[..16].to_string(),
        old,
        new,
        changes,
        commits,
    })
}

/// The newest of `commits` (newest first) that changed the file at `path`, merges left
/// out: the commit whose change page `policy-diff site` writes for it.
fn last_change(repo: &PolicyRepo, commits: &[CommitContext], path: &str) -> Option<Oid> {
    let git = repo.git();
    let blob = |commit: &git2::Commit| {
        commit
            .tree()
            .ok()
            .and_then(|t| t.get_path(std::path::Path::new(path)).ok())
            .map(|e| e.id())
    };
    commits.iter().find_map(|c| {
        let commit = git.find_commit(Oid::from_str(&c.id).ok()?).ok()?;
        if commit.parent_count() > 1 {
            return None;
        }
        let before = commit.parent(0).ok().and_then(|p| blob(&p));
        (blob(&commit) != before).then(|| commit.id())
    })
}

pub(super) fn commits_between(
    repo: &PolicyRepo,
    old: Oid,
    new: Oid,
) -> Result<Vec<CommitContext>, NotifyError> {
    let git = repo.git();
    let mut walk = git.revwalk()?;
    walk.push(new)?;
    // The old commit may be gone from the branch (rewritten history): hide what we can.
    let _ = walk.hide(old);
    let mut out = Vec::new();
    for id in walk.take(MAX_COMMITS) {
        let commit = git.find_commit(id?)?;
        let time = chrono::DateTime::from_timestamp(commit.time().seconds(), 0)
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let id = commit.id().to_string();
        out.push(CommitContext {
            short: short_id(&id).to_string(),
            id,
            summary: commit.summary().ok().flatten().unwrap_or("").to_string(),
            author: commit.author().name().unwrap_or("").to_string(),
            time,
        });
    }
    Ok(out)
}
