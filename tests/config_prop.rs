//! Property test (the fuzz target `config` on stable): a configuration the reader accepts,
//! whatever numbers it holds, goes through the steps `check` takes before the network — the
//! environment, templates, repository and sample messages (`config check`), then the
//! transport with every time span derived from its numbers — without a panic, and its SMTP
//! transport is always set up. Numbers out of bounds are refused by the reader.

mod common;

use policy_diff::config::{Config, Delivery};
use policy_diff::notify::transport::Sender;
use proptest::prelude::*;

/// A whole number as it may be written in YAML: mostly plausible, sometimes extreme.
fn integer() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => (10u64..33).prop_map(|n| n.to_string()),
        4 => (0u64..2_000_000).prop_map(|n| n.to_string()),
        1 => any::<u64>().prop_map(|n| n.to_string()),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => Just("18446744073709551615".to_string()),
        1 => Just("65535".to_string()),
    ]
}

/// A fraction as it may be written in YAML: exponents, extremes and specials too.
fn fraction() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => (0.0005f64..20_000.0).prop_map(|f| f.to_string()),
        2 => (-4i32..5).prop_map(|e| format!("1e{e}")),
        1 => (-330i32..330).prop_map(|e| format!("1e{e}")),
        1 => any::<f64>().prop_map(|f| format!("{f:e}")),
        1 => Just("1e-19".to_string()),
        1 => Just(".inf".to_string()),
        1 => Just(".nan".to_string()),
        1 => Just("-0.0".to_string()),
    ]
}

const SMTP_KEYS: [&str; 5] = [
    "port",
    "timeout_seconds",
    "connections",
    "rate_limit",
    "max_messages_per_connection",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn an_accepted_configuration_never_panics_before_the_network(
        port in proptest::option::of(integer()),
        timeout_seconds in proptest::option::of(integer()),
        connections in proptest::option::of(integer()),
        rate_limit in proptest::option::of(fraction()),
        max_messages_per_connection in proptest::option::of(integer()),
        excerpt_words in proptest::option::of(integer()),
        future_days in proptest::option::of(integer()),
    ) {
        let repo = repo();
        let mut text = format!(
            "repository: {}\npolicies: [{{ path: privacy.md, name: Privacy }}]\n\
             sender: legal@acme.example\nsubscribers: [{{ email: a@example.com }}]\n\
             delivery:\n  transport: smtp\n  smtp:\n    host: 127.0.0.1\n    security: none\n",
            repo.display()
        );
        let smtp = [port, timeout_seconds, connections, rate_limit, max_messages_per_connection];
        for (key, value) in SMTP_KEYS.iter().zip(&smtp) {
            if let Some(value) = value {
                text.push_str(&format!("    {key}: {value}\n"));
            }
        }
        if let Some(n) = &excerpt_words {
            text.push_str(&format!("notify: {{ excerpt_words: {n} }}\n"));
        }
        if let Some(n) = &future_days {
            text.push_str(&format!("lint: {{ future_days: {n} }}\n"));
        }
        let file = repo.join("policy-diff.yaml");
        let config = match Config::parse(&text, &file) {
            Ok(config) => config,
            Err(e) => {
                let message = e.to_string();
                prop_assert!(message.contains("policy-diff.yaml"), "{}", message);
                return Ok(());
            }
        };
        prop_assert!(matches!(config.delivery, Delivery::Smtp(_)));
        if let Err(e) = policy_diff::notify::validate_config(&config) {
            prop_assert!(false, "config check refused what the reader accepted: {}\n{}", e, text);
        }
        if let Err(e) = Sender::new(&config.delivery) {
            prop_assert!(false, "the transport refused what the reader accepted: {}\n{}", e, text);
        }
    }
}

/// One repository for every case (an empty one: `config check` needs no commit).
fn repo() -> std::path::PathBuf {
    static REPO: std::sync::OnceLock<common::Repo> = std::sync::OnceLock::new();
    REPO.get_or_init(common::Repo::new).path().to_path_buf()
}
