//! A latency histogram with fixed buckets, as Prometheus expects them (cumulative on output).

/// Upper bounds in seconds: from a cached page to a slow database write.
pub const BUCKETS: [f64; 11] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Debug, Default, Clone)]
pub struct Histogram {
    /// Observations per bucket (not cumulative); the last slot is above every bound.
    counts: [u64; BUCKETS.len() + 1],
    sum: f64,
}

impl Histogram {
    pub fn observe(&mut self, seconds: f64) {
        let slot = BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        self.counts[slot] += 1;
        self.sum += seconds;
    }

    /// `(le, cumulative count)` for every bound and "+Inf".
    pub fn cumulative(&self) -> Vec<(String, u64)> {
        let mut total = 0;
        let mut out = Vec::with_capacity(self.counts.len());
        for (i, count) in self.counts.iter().enumerate() {
            total += count;
            let le = BUCKETS
                .get(i)
                .map_or_else(|| "+Inf".to_string(), |b| b.to_string());
            out.push((le, total));
        }
        out
    }

    pub fn sum(&self) -> f64 {
        self.sum
    }

    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_end_in_inf() {
        let mut h = Histogram::default();
        for s in [0.0005, 0.003, 0.003, 0.2, 30.0] {
            h.observe(s);
        }
        let c = h.cumulative();
        assert_eq!(c[0], ("0.001".to_string(), 1));
        assert_eq!(c[1], ("0.005".to_string(), 3));
        assert_eq!(c[6], ("0.25".to_string(), 4));
        assert_eq!(c.last(), Some(&("+Inf".to_string(), 5)));
        assert_eq!(h.count(), 5);
        assert!((h.sum() - 30.2065).abs() < 1e-9);
    }
}
