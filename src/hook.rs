//! `policy-diff hook install|uninstall`: a git `post-commit` (or, on a server's bare
//! repository, `post-receive`) hook that runs `policy-diff check` — in the background by
//! default (`check --detach`), so that a commit or push never waits for the mail.
//!
//! An existing hook is never overwritten silently: install refuses, or with `--chain` keeps
//! it beside ours and runs it first. Uninstall removes only what install wrote.

use git2::Repository;
use std::path::{Path, PathBuf};

const MARKER: &str = "# policy-diff hook v1";
const CHAINED_SUFFIX: &str = "before-policy-diff";

/// What went wrong with a hook.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// A file or folder of the hooks cannot be created, written, moved or removed.
    #[error("cannot {action} {}: {source}", path.display())]
    File {
        /// What was being done: `create`, `write`, `move`, `remove` or `restore`.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A hook not written by policy-diff is in the way.
    #[error(
        "{} already exists and was not written by policy-diff; it was left alone. \
         Rerun with --chain to keep it and run it before policy-diff, or add this line to it: \
         policy-diff check --config {config}",
        path.display()
    )]
    Foreign {
        /// The hook.
        path: PathBuf,
        /// The configuration, quoted for the shell.
        config: String,
    },
    /// A chained hook is already kept aside.
    #[error("{} already exists; cannot chain a second hook", path.display())]
    AlreadyChained {
        /// The chained hook.
        path: PathBuf,
    },
    /// The hook cannot be made executable.
    #[error("cannot make {} executable: {source}", path.display())]
    NotExecutable {
        /// The hook.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A path the hook would name is not valid UTF-8: the script could not name it.
    #[error(
        "{} is not valid UTF-8; a hook cannot name it reliably — move or rename it, then install again (nothing was changed)",
        path.display()
    )]
    NotUtf8 {
        /// The configuration file or the binary.
        path: PathBuf,
    },
    /// The running binary cannot be found.
    #[error("cannot find the policy-diff binary: {0}")]
    Binary(std::io::Error),
    /// The configuration path cannot be made absolute.
    #[error("{}: {source}", path.display())]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// There is no hook to remove.
    #[error("no {name} hook in {}: nothing to remove", dir.display())]
    Missing {
        /// The hook's name.
        name: &'static str,
        /// The hooks folder.
        dir: PathBuf,
    },
    /// The hook to remove was not written by policy-diff.
    #[error("{} was not written by policy-diff; it was left alone", path.display())]
    NotOurs {
        /// The hook.
        path: PathBuf,
    },
}

/// A [`HookError::File`] maker for `map_err`.
fn file_error(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> HookError {
    let path = path.to_path_buf();
    move |source| HookError::File {
        action,
        path,
        source,
    }
}

/// Which hook to write.
pub fn hook_name(repo: &Repository, post_receive: bool, pre_commit: bool) -> &'static str {
    if pre_commit {
        "pre-commit"
    } else if post_receive || repo.is_bare() {
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

/// How to install the hook.
#[derive(Debug, Clone, Copy, Default)]
pub struct Install {
    /// Write a post-receive hook even in a repository with a work tree.
    pub post_receive: bool,
    /// Write a pre-commit hook that runs `lint`.
    pub pre_commit: bool,
    /// Keep an existing hook and run it first.
    pub chain: bool,
    /// Run the check in the hook (holding up the commit or push), not in the background.
    pub foreground: bool,
}

/// The pre-commit hook: the chained hook first (its failure stops the commit), then lint on
/// what is being committed; an error-level finding stops the commit.
fn lint_script(binary: &Path, config: Option<&Path>) -> String {
    let config = config
        .map(|c| format!(" --config {}", sh_quote(c)))
        .unwrap_or_default();
    format!(
        "#!/bin/sh\n\
         {MARKER}\n\
         # Stops a commit whose policy text changed without its \"last updated\" date (and the\n\
         # other errors of `policy-diff lint`). Written by `policy-diff hook install --pre-commit`;\n\
         # `policy-diff hook uninstall --pre-commit` removes it. `git commit --no-verify` skips it.\n\
         chained=\"$(dirname \"$0\")/pre-commit.{CHAINED_SUFFIX}\"\n\
         if [ -x \"$chained\" ]; then\n\
         \x20 \"$chained\" \"$@\" || exit $?\n\
         fi\n\
         exec {} lint{config} </dev/null\n",
        sh_quote(binary)
    )
}

fn script(name: &str, binary: &Path, config: &Path, foreground: bool) -> String {
    let detach = if foreground { "" } else { " --detach" };
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
         {} check{detach} --config {} </dev/null\n",
        sh_quote(binary),
        sh_quote(config)
    )
}

/// Installs the hook into `repo` for `config`. Returns a line saying what was done.
pub fn install(repo: &Repository, config: &Path, how: Install) -> Result<String, HookError> {
    let Install {
        post_receive,
        pre_commit,
        chain,
        foreground,
    } = how;
    let name = hook_name(repo, post_receive, pre_commit);
    let binary = std::env::current_exe().map_err(HookError::Binary)?;
    let config = std::path::absolute(config).map_err(|source| HookError::Config {
        path: config.to_path_buf(),
        source,
    })?;
    for path in [&config, &binary] {
        if path.to_str().is_none() {
            return Err(HookError::NotUtf8 { path: path.clone() });
        }
    }
    let dir = hooks_dir(repo);
    std::fs::create_dir_all(&dir).map_err(file_error("create", &dir))?;
    let path = dir.join(name);
    let chained = dir.join(format!("{name}.{CHAINED_SUFFIX}"));
    let mut note = String::new();
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if existing.contains(MARKER) {
            note = " (updated)".into();
        } else if !chain {
            return Err(HookError::Foreign {
                path,
                config: sh_quote(&config),
            });
        } else if chained.exists() {
            return Err(HookError::AlreadyChained { path: chained });
        } else {
            std::fs::rename(&path, &chained).map_err(file_error("move", &path))?;
            note = format!(
                " (runs the existing hook first, kept as {})",
                chained.display()
            );
        }
    }
    let tmp = dir.join(format!(".{name}.policy-diff.tmp"));
    let text = if pre_commit {
        lint_script(&binary, config.is_file().then_some(config.as_path()))
    } else {
        script(name, &binary, &config, foreground)
    };
    std::fs::write(&tmp, text).map_err(file_error("write", &tmp))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).map_err(
            |source| HookError::NotExecutable {
                path: tmp.clone(),
                source,
            },
        )?;
    }
    std::fs::rename(&tmp, &path).map_err(file_error("write", &path))?;
    let mode = if pre_commit {
        "; it runs policy-diff lint on what is committed and stops a commit with an error (git commit --no-verify skips it)".to_string()
    } else if foreground {
        "; it delivers before the commit returns".to_string()
    } else {
        format!(
            "; it delivers in the background, logging to {}",
            crate::background::log_path(repo).display()
        )
    };
    Ok(format!("installed {}{note}{mode}", path.display()))
}

/// Removes the hook that install wrote, and restores a chained one.
pub fn uninstall(repo: &Repository, name: &'static str) -> Result<String, HookError> {
    let dir = hooks_dir(repo);
    let path = dir.join(name);
    let chained = dir.join(format!("{name}.{CHAINED_SUFFIX}"));
    match std::fs::read_to_string(&path) {
        Err(_) => Err(HookError::Missing { name, dir }),
        Ok(text) if !text.contains(MARKER) => Err(HookError::NotOurs { path }),
        Ok(_) => {
            std::fs::remove_file(&path).map_err(file_error("remove", &path))?;
            if chained.exists() {
                std::fs::rename(&chained, &path).map_err(file_error("restore", &chained))?;
                return Ok(format!(
                    "removed the policy-diff hook; restored the earlier {}",
                    path.display()
                ));
            }
            Ok(format!("removed {}", path.display()))
        }
    }
}
