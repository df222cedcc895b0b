//! Reading any bytes as a configuration file never panics: it is a configuration, or an
//! error that names the file.
#![no_main]
use libfuzzer_sys::fuzz_target;
use policy_diff::config::Config;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = Path::new("/nonexistent/policy-diff.yaml");
    if let Err(e) = Config::parse(&text, file) {
        let message = e.to_string();
        assert!(message.contains("policy-diff.yaml"), "{message}");
    }
});
