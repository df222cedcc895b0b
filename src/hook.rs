//! `policy-diff hook install|uninstall`: a git `post-commit` (or, on a server's bare
//! repository, `post-receive`) hook that runs `policy-diff check`.
//!
//! An existing hook is never overwritten silently: install refuses, or with `--chain` keeps
//! it beside ours and runs it first. Uninstall removes only what install wrote.

use git2::Repository;
use std::path::{Path, PathBuf};

const MARKER: &str = "# policy-diff hook v1";
const CHAINED_SUFFIX: &str = "before-policy-diff";

/// What went wrong with a hook.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HookError(String);

/// Which hook to write.
pub fn hook_name(repo: &Repository, post_receive: bool) -> &'static str {
    if post_receive || repo.is_bare() {
        "post-receive"
    } else {
        "post-commit"
    }
}

fn hooks_dir(repo: &Repository) -> PathBuf {
    let configured = repo
        .config()
        .ok()
        .and_then(|c| c.get_path("core.hooksPath").ok());
    match configured {
        Some(p) if p.is_absolute() => p,
        Some(p) => repo.workdir().unwrap_or_else(|| repo.path()).join(p),
        None => repo.path().join("hooks"),
    }
}

/// Quotes a path for sh.
fn sh_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

fn script(name: &str, binary: &Path, config: &Path) -> String {
    format!(
        "#!/bin/sh\n\
         {MARKER}\n\
         # Notifies subscribers of policy changes. Written by `policy-diff hook install`;\n\
         # `policy-diff hook uninstall` removes it (and puts back any hook it chained to).\n\
         unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\n\
         chained=\"$(dirname \"$0\")/{name}.{CHAINED_SUFFIX}\"\n\
         if [ -x \"$chained\" ]; then\n\
         \x20 input=$(cat)\n\
         \x20 printf '%s\\n' \"$input\" | \"$chained\" \"$@\"\n\
         fi\n\
         {} check --config {} </dev/null\n",
        sh_quote(binary),
        sh_quote(config)
    )
}

/// Installs the hook into `repo` for `config`. Returns a line saying what was done.
pub fn install(
    repo: &Repository,
    config: &Path,
    post_receive: bool,
    chain: bool,
) -> Result<String, HookError> {
    let name = hook_name(repo, post_receive);
    let dir = hooks_dir(repo);
    std::fs::create_dir_all(&dir)
        .map_err(|e| HookError(format!("cannot create {}: {e}", dir.display())))?;
    let path = dir.join(name);
    let chained = dir.join(format!("{name}.{CHAINED_SUFFIX}"));
    let mut note = String::new();
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if existing.contains(MARKER) {
            note = " (updated)".into();
        } else if !chain {
            return Err(HookError(format!(
                "{} already exists and was not written by policy-diff; it was left alone. \
                 Rerun with --chain to keep it and run it before policy-diff, or add this line to it: \
                 policy-diff check --config {}",
                path.display(),
                sh_quote(config)
            )));
        } else if chained.exists() {
            return Err(HookError(format!(
                "{} already exists; cannot chain a second hook",
                chained.display()
            )));
        } else {
            std::fs::rename(&path, &chained)
                .map_err(|e| HookError(format!("cannot move {}: {e}", path.display())))?;
            note = format!(
                " (runs the existing hook first, kept as {})",
                chained.display()
            );
        }
    }
    let binary = std::env::current_exe()
        .map_err(|e| HookError(format!("cannot find the policy-diff binary: {e}")))?;
    let config =
        std::path::absolute(config).map_err(|e| HookError(format!("{}: {e}", config.display())))?;
    let tmp = dir.join(format!(".{name}.policy-diff.tmp"));
    std::fs::write(&tmp, script(name, &binary, &config))
        .map_err(|e| HookError(format!("cannot write {}: {e}", tmp.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| HookError(format!("cannot make {} executable: {e}", tmp.display())))?;
    }
    std::fs::rename(&tmp, &path)
        .map_err(|e| HookError(format!("cannot write {}: {e}", path.display())))?;
    Ok(format!("installed {}{note}", path.display()))
}

/// Removes the hook that install wrote, and restores a chained one.
pub fn uninstall(repo: &Repository, post_receive: bool) -> Result<String, HookError> {
    let name = hook_name(repo, post_receive);
    let dir = hooks_dir(repo);
    let path = dir.join(name);
    let chained = dir.join(format!("{name}.{CHAINED_SUFFIX}"));
    match std::fs::read_to_string(&path) {
        Err(_) => Err(HookError(format!(
            "no {name} hook in {}: nothing to remove",
            dir.display()
        ))),
        Ok(text) if !text.contains(MARKER) => Err(HookError(format!(
            "{} was not written by policy-diff; it was left alone",
            path.display()
        ))),
        Ok(_) => {
            std::fs::remove_file(&path)
                .map_err(|e| HookError(format!("cannot remove {}: {e}", path.display())))?;
            if chained.exists() {
                std::fs::rename(&chained, &path)
                    .map_err(|e| HookError(format!("cannot restore {}: {e}", chained.display())))?;
                return Ok(format!(
                    "removed the policy-diff hook; restored the earlier {}",
                    path.display()
                ));
            }
            Ok(format!("removed {}", path.display()))
        }
    }
}
