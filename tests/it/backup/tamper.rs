//! A flipped byte anywhere (header, body, last tag) or a truncated file fails `verify` with
//! a clear message and exit code 1; the untouched file passes.

use super::{create, out};
use crate::both_backends;
use crate::support::TestServer;

both_backends!(flipped_or_truncated_backups_are_refused, |db| {
    let s = TestServer::start(db);
    let file = create(&s);
    let good = std::fs::read(&file).unwrap();
    let verify = |bytes: &[u8]| {
        let path = file.with_extension("tampered");
        std::fs::write(&path, bytes).unwrap();
        let o = crate::cli::plauder(&s, &["backup", "verify", path.to_str().unwrap()]);
        (o.status.code(), out(&o))
    };
    let (code, text) = verify(&good);
    assert_eq!(code, Some(0), "{text}");
    let len = good.len();
    for at in [3, 12, 40, 70, len / 2, len - 20, len - 1] {
        let mut bad = good.clone();
        bad[at] ^= 0x20;
        let (code, text) = verify(&bad);
        assert_eq!(code, Some(1), "flip at {at}: {text}");
        assert!(text.contains("REFUSED"), "{text}");
        assert!(
            text.contains("altered")
                || text.contains("damaged")
                || text.contains("not a plauder backup")
                || text.contains("key ring"),
            "a clear reason for a flip at {at}: {text}"
        );
    }
    for cut in [len - 1, len - 17, len / 2, 60, 10] {
        let (code, text) = verify(&good[..cut]);
        assert_eq!(code, Some(1), "cut at {cut}: {text}");
        assert!(
            text.contains("truncated") || text.contains("altered") || text.contains("damaged"),
            "{text}"
        );
    }
});
