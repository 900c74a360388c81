//! Job metrics: per job the last successful run (Unix time, from the run table, so a run on
//! another node counts), whether its last tick was missed, and this node's failed runs since
//! start. Labels are the fixed job names.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

#[derive(Debug, Default, Clone, Copy)]
struct Gauge {
    last_success: Option<i64>,
    missed: bool,
    failures: u64,
}

#[derive(Debug, Default)]
pub struct JobMetrics(Mutex<BTreeMap<&'static str, Gauge>>);

impl JobMetrics {
    /// A run on this node ended (`at`: its end, Unix seconds).
    pub fn finished(&self, job: &'static str, ok: bool, at: i64) {
        if let Ok(mut jobs) = self.0.lock() {
            let g = jobs.entry(job).or_default();
            if ok {
                g.last_success = g.last_success.max(Some(at));
                g.missed = false;
            } else {
                g.failures += 1;
            }
        }
    }

    /// What the run table says (any node): the last success and whether a tick was missed.
    pub fn observed(&self, job: &'static str, last_success: Option<i64>, missed: bool) {
        if let Ok(mut jobs) = self.0.lock() {
            let g = jobs.entry(job).or_default();
            g.last_success = g.last_success.max(last_success);
            g.missed = missed;
        }
    }

    pub(super) fn render(&self, out: &mut String) {
        let Ok(jobs) = self.0.lock() else { return };
        if jobs.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "# HELP plauder_job_last_success_timestamp_seconds When each job last ended successfully (Unix time; any node).\n# TYPE plauder_job_last_success_timestamp_seconds gauge"
        );
        for (job, g) in jobs.iter() {
            if let Some(t) = g.last_success {
                let _ = writeln!(
                    out,
                    "plauder_job_last_success_timestamp_seconds{{job=\"{job}\"}} {t}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP plauder_job_failures_total Failed runs of each job on this node since start.\n# TYPE plauder_job_failures_total counter"
        );
        for (job, g) in jobs.iter() {
            let _ = writeln!(
                out,
                "plauder_job_failures_total{{job=\"{job}\"}} {}",
                g.failures
            );
        }
        let _ = writeln!(
            out,
            "# HELP plauder_job_missed 1 when a job's latest scheduled run did not happen.\n# TYPE plauder_job_missed gauge"
        );
        for (job, g) in jobs.iter() {
            let _ = writeln!(
                out,
                "plauder_job_missed{{job=\"{job}\"}} {}",
                u8::from(g.missed)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_failure_and_missed_render() {
        let m = JobMetrics::default();
        m.finished("expiry", true, 1_800_000_000);
        m.finished("backup", false, 1_800_000_100);
        m.observed("sessions", None, true);
        let mut out = String::new();
        m.render(&mut out);
        assert!(
            out.contains("plauder_job_last_success_timestamp_seconds{job=\"expiry\"} 1800000000\n"),
            "{out}"
        );
        assert!(
            out.contains("plauder_job_failures_total{job=\"backup\"} 1\n"),
            "{out}"
        );
        assert!(
            out.contains("plauder_job_failures_total{job=\"expiry\"} 0\n"),
            "{out}"
        );
        assert!(
            out.contains("plauder_job_missed{job=\"sessions\"} 1\n"),
            "{out}"
        );
        assert!(!out.contains("timestamp_seconds{job=\"backup\"}"), "{out}");
    }
}
