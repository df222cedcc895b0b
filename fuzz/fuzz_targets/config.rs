//! Reading any bytes as a configuration file never panics: it is a configuration, or an
//! error that names the file. A configuration the reader accepts goes on through the steps
//! `check` takes before it touches the network — the environment, the templates, the
//! repository, every subscriber's sample message (as `config check` does) and the transport
//! with every time span derived from the numbers — without panicking; and an SMTP transport
//! whose numbers the reader accepted is always set up.
#![no_main]
use libfuzzer_sys::fuzz_target;
use policy_diff::config::{Config, Delivery};
use policy_diff::notify::transport::{Sender, TransportError};
use std::path::PathBuf;
use std::sync::OnceLock;

/// A configuration's folder holding an empty git repository (the default `repository`).
fn folder() -> &'static PathBuf {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    FOLDER.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("policy-diff-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        let _ = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(&dir)
            .status();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = folder().join("policy-diff.yaml");
    let config = match Config::parse(&text, &file) {
        Ok(config) => config,
        Err(e) => {
            let message = e.to_string();
            assert!(message.contains("policy-diff.yaml"), "{message}");
            return;
        }
    };
    let _ = policy_diff::notify::validate_config(&config);
    // The outbox transport creates its folder: not from a fuzzer's input.
    if matches!(config.delivery, Delivery::Outbox(_)) {
        return;
    }
    match Sender::new(&config.delivery) {
        Err(TransportError::OutOfRange { key, value }) => {
            panic!("accepted by the reader, out of range for the transport: {key}: {value}")
        }
        Ok(_) | Err(_) => {}
    }
});
