//! The commented example configuration, generated from the config structs' doc comments, and
//! the printout of an effective configuration with secrets redacted.

use super::section::FieldDoc;
use super::{Config, DatabaseUrl};

const HEADER: &str = "\
# plauder configuration.
# Every key can also be set by an environment variable: PLAUDER_KEY for top-level keys,
# PLAUDER_SECTION_KEY inside a section (e.g. PLAUDER_TLS_PROFILE); lists are comma-separated.
# Precedence: defaults < this file < environment < command line.
";

/// The example file: every key documented, commented out at its default.
pub fn example_toml() -> String {
    render(&Config::default(), Some(&[]))
}

/// The example with `data_dir` set and active: the packages' /etc/plauder/plauder.toml, so
/// that `plauder check` or `plauder user ...` run by IT find the service's data without flags.
pub fn example_toml_for_data_dir(data_dir: &str) -> String {
    let mut config = Config::default();
    config.general.data_dir = data_dir.to_string();
    render(&config, Some(&["data_dir"]))
}

/// The effective configuration as TOML, secrets redacted.
pub fn effective_toml(config: &Config) -> String {
    let mut shown = config.clone();
    shown.general.database_url = DatabaseUrl::new(config.database_url().redacted());
    render(&shown, None)
}

/// `example`: keys are commented out except those named; `None`: every key is active.
fn render(config: &Config, example: Option<&[&str]>) -> String {
    let mut out = String::from(HEADER);
    write_entries(&mut out, config.general.entries(), example);
    let sections = [
        ("tls", config.tls.entries()),
        ("log", config.log.entries()),
        ("session", config.session.entries()),
        ("audit", config.audit.entries()),
        ("jobs", config.jobs.entries()),
        ("backup", config.backup.entries()),
        ("mail", config.mail.entries()),
    ];
    for (name, entries) in sections {
        out.push_str(&format!("\n[{name}]\n"));
        write_entries(&mut out, entries, example);
    }
    out
}

fn write_entries(
    out: &mut String,
    entries: Vec<(&FieldDoc, Option<toml::Value>)>,
    example: Option<&[&str]>,
) {
    for (field, value) in entries {
        out.push('\n');
        for line in field.doc {
            out.push_str(&format!("#{line}\n"));
        }
        let value = value.map(|v| v.to_string()).unwrap_or_default();
        let commented = example.is_some_and(|active| !active.contains(&field.name));
        let prefix = if commented { "# " } else { "" };
        out.push_str(&format!("{prefix}{} = {value}\n", field.name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_documented() {
        let config = Config::default();
        let all = [
            config.general.entries(),
            config.tls.entries(),
            config.log.entries(),
            config.session.entries(),
            config.audit.entries(),
            config.jobs.entries(),
            config.backup.entries(),
            config.mail.entries(),
        ];
        for (field, value) in all.into_iter().flatten() {
            assert!(
                field.doc.iter().any(|l| l.trim().len() > 10),
                "{} lacks a doc",
                field.name
            );
            assert!(value.is_some(), "{} does not serialize", field.name);
        }
    }

    #[test]
    fn uncommented_example_reads_back_as_the_defaults() {
        let text: String = example_toml()
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|r| r.contains(" = "))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plauder.toml");
        std::fs::write(&path, text).unwrap();
        let overrides = crate::config::Overrides {
            config_file: Some(path),
            ..Default::default()
        };
        let loaded = crate::config::load(&overrides, Vec::new()).unwrap();
        assert_eq!(loaded, Config::default());
    }

    #[test]
    fn packaged_config_is_the_generated_example() {
        let packaged = include_str!("../../packaging/plauder.toml");
        assert_eq!(
            packaged,
            example_toml_for_data_dir("/var/lib/plauder"),
            "run `cargo run -- --data-dir /var/lib/plauder example-config > packaging/plauder.toml`"
        );
        assert!(
            packaged.contains("\ndata_dir = \"/var/lib/plauder\"\n"),
            "the packages' data directory is active in their config"
        );
    }
}
