//! The `[jobs]` section: when each scheduled job runs (a cron string with seconds, in UTC),
//! and the retention period of the data-subject-request register. A string that does not
//! parse is refused at start (exit 2) with croner's own explanation and the key named; an
//! empty string switches that job off.

use super::section::{KeyError, config_section};

config_section! {
    /// Scheduled jobs: retention (deleting what has expired) and the daily backup. Each value
    /// is a cron string with seconds first ("SEC MIN HOUR DAY MONTH WEEKDAY", 6 or 7 fields),
    /// read in UTC; an empty string switches the job off. Day of month and weekday combine
    /// with AND. A run missed while plauder was down runs soon after the next start.
    pub struct JobsConfig {
        /// Conversations past their widget's retention period (set in each widget's privacy
        /// settings), with their messages, consents, tags and contacts no longer named;
        /// withdrawn consents per the widget's withdrawal policy; chats without consent after 24 hours.
        expiry: String = "0 15 3 * * *".to_string(),
        /// IP addresses and the other technical details captured when privacy mode is off:
        /// removes those older than 23 hours, so with the hourly default none is kept longer than 24 hours.
        technical: String = "0 0 * * * *".to_string(),
        /// Ended staff sessions, abandoned second-factor logins and old login-throttling state.
        sessions: String = "0 */10 * * * *".to_string(),
        /// The audit log's retention (audit.retention_days), then its head written to the log.
        audit: String = "0 45 3 * * *".to_string(),
        /// Closed data-subject requests older than dsr_retention_days leave the register.
        dsr: String = "0 50 3 * * *".to_string(),
        /// The daily encrypted backup.
        backup: String = "0 30 2 * * *".to_string(),
        /// Days a closed data-subject request (answered, refused or withdrawn) stays in the
        /// register, as proof of how it was handled (30 to 3650; default three years).
        dsr_retention_days: u32 = 1096,
    }
}

impl JobsConfig {
    /// Every job's key and cron string, in a fixed order.
    pub fn schedules(&self) -> [(&'static str, &str); 6] {
        [
            ("expiry", self.expiry.as_str()),
            ("technical", self.technical.as_str()),
            ("sessions", self.sessions.as_str()),
            ("audit", self.audit.as_str()),
            ("dsr", self.dsr.as_str()),
            ("backup", self.backup.as_str()),
        ]
    }
}

/// Parses a cron string the way the scheduler does (seconds required, day of month AND
/// weekday); its error says what is wrong, unlike the scheduler's bare "ParseSchedule".
pub fn parse_cron(text: &str) -> Result<croner::Cron, String> {
    croner::parser::CronParser::builder()
        .seconds(croner::parser::Seconds::Required)
        .dom_and_dow(true)
        .build()
        .parse(text.trim())
        .map_err(|e| e.to_string())
}

pub(super) fn validate(jobs: &JobsConfig) -> Result<(), KeyError> {
    for (key, text) in jobs.schedules() {
        if text.trim().is_empty() {
            continue;
        }
        parse_cron(text).map_err(|message| KeyError {
            key: format!("jobs.{key}"),
            message: format!(
                "`{text}` is not a cron string with seconds (e.g. \"0 15 3 * * *\"): {message}"
            ),
        })?;
    }
    if !(30..=3650).contains(&jobs.dsr_retention_days) {
        return Err(KeyError {
            key: "jobs.dsr_retention_days".into(),
            message: "must be between 30 and 3650 days".into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_bad_strings_are_explained() {
        assert!(validate(&JobsConfig::default()).is_ok());
        let mut bad = JobsConfig {
            sessions: "*/10 * * * *".into(),
            ..Default::default()
        };
        let e = validate(&bad).unwrap_err();
        assert_eq!(e.key, "jobs.sessions");
        assert!(e.message.contains("*/10 * * * *"), "{}", e.message);
        bad.sessions = String::new();
        assert!(validate(&bad).is_ok(), "empty switches the job off");
        bad.expiry = "0 61 3 * * *".into();
        assert_eq!(validate(&bad).unwrap_err().key, "jobs.expiry");
    }
}
