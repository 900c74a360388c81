//! The Prometheus text exposition format (version 0.0.4).

use super::{Metrics, SENDERS, SocketKind};
use std::fmt::Write;
use std::sync::atomic::Ordering;

/// Label values are route patterns and fixed words; escaped anyway, as the format requires.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// Everything, with the certificate's expiry (Unix seconds) when one is loaded.
pub fn render(metrics: &Metrics, certificate_not_after: Option<i64>) -> String {
    let mut out = String::new();
    header(
        &mut out,
        "plauder_http_requests_total",
        "counter",
        "HTTP requests by method, route pattern and status.",
    );
    if let Ok(requests) = metrics.requests.lock() {
        for ((method, route, status), count) in requests.iter() {
            let _ = writeln!(
                out,
                "plauder_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                escape(route)
            );
        }
    }
    header(
        &mut out,
        "plauder_http_request_duration_seconds",
        "histogram",
        "Time to the response head, by method and route pattern (a websocket: its upgrade).",
    );
    if let Ok(latency) = metrics.latency.lock() {
        for ((method, route), histogram) in latency.iter() {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            for (le, count) in histogram.cumulative() {
                let _ = writeln!(
                    out,
                    "plauder_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "plauder_http_request_duration_seconds_sum{{{labels}}} {}\nplauder_http_request_duration_seconds_count{{{labels}}} {}",
                histogram.sum(),
                histogram.count()
            );
        }
    }
    header(
        &mut out,
        "plauder_websockets_open",
        "gauge",
        "Open websockets by kind: visitor (widget) or operator (console).",
    );
    for kind in SocketKind::ALL {
        let _ = writeln!(
            out,
            "plauder_websockets_open{{kind=\"{}\"}} {}",
            kind.label(),
            metrics.open_sockets(kind)
        );
    }
    header(
        &mut out,
        "plauder_messages_stored_total",
        "counter",
        "Chat messages committed to the database since start, by sender.",
    );
    for (sender, count) in SENDERS.iter().zip(&metrics.messages) {
        let _ = writeln!(
            out,
            "plauder_messages_stored_total{{sender=\"{}\"}} {}",
            sender.as_str(),
            count.load(Ordering::Relaxed)
        );
    }
    if let Some(not_after) = certificate_not_after {
        header(
            &mut out,
            "plauder_tls_certificate_expiry_timestamp_seconds",
            "gauge",
            "When the served TLS certificate expires (Unix time); re-read on reload.",
        );
        let _ = writeln!(
            out,
            "plauder_tls_certificate_expiry_timestamp_seconds {not_after}"
        );
    }
    metrics.jobs.render(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn renders_counters_histograms_and_escapes_labels() {
        let m = Metrics::new();
        m.request(
            "GET",
            "/admin/router/{id:\\d+}",
            200,
            Duration::from_millis(3),
        );
        m.request(
            "GET",
            "/admin/router/{id:\\d+}",
            200,
            Duration::from_millis(30),
        );
        m.message_stored(crate::db::messages::Sender::Operator);
        let text = render(&m, Some(1_900_000_000));
        assert!(text.contains(
            "plauder_http_requests_total{method=\"GET\",route=\"/admin/router/{id:\\\\d+}\",status=\"200\"} 2"
        ), "{text}");
        assert!(text.contains("le=\"0.005\"} 1\n"), "{text}");
        assert!(text.contains("le=\"+Inf\"} 2\n"), "{text}");
        assert!(
            text.contains("plauder_messages_stored_total{sender=\"operator\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("plauder_messages_stored_total{sender=\"visitor\"} 0"),
            "{text}"
        );
        assert!(
            text.contains("plauder_tls_certificate_expiry_timestamp_seconds 1900000000"),
            "{text}"
        );
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let value = line.rsplit(' ').next().unwrap_or("");
            assert!(value.parse::<f64>().is_ok(), "sample value: {line}");
        }
    }
}
