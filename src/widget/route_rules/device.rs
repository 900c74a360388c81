//! Device class (mobile, tablet, desktop) from a User-Agent header, in memory only.
//! A rough guess by well-known tokens; the header itself is never stored or logged.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    Mobile,
    Tablet,
    Desktop,
}

impl Device {
    pub const ALL: [Device; 3] = [Device::Mobile, Device::Tablet, Device::Desktop];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mobile => "mobile",
            Self::Tablet => "tablet",
            Self::Desktop => "desktop",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// Tablets first: their user agents often contain phone-like tokens too (an Android
    /// tablet says "Android" without "Mobile"; a Kindle says "Silk"). iPadOS 13+ reports
    /// itself as a Mac and so counts as a desktop: the server cannot tell them apart.
    pub fn classify(user_agent: &str) -> Self {
        let ua = user_agent.to_ascii_lowercase();
        let has = |token: &str| ua.contains(token);
        if has("ipad")
            || has("tablet")
            || has("kindle")
            || has("silk/")
            || has("playbook")
            || (has("android") && !has("mobile"))
        {
            Self::Tablet
        } else if has("mobi")
            || has("iphone")
            || has("ipod")
            || has("android")
            || has("windows phone")
            || has("blackberry")
            || has("opera mini")
        {
            Self::Mobile
        } else {
            Self::Desktop
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_user_agents() {
        let cases = [
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
                Device::Mobile,
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
                Device::Mobile,
            ),
            (
                "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0",
                Device::Mobile,
            ),
            (
                "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
                Device::Tablet,
            ),
            (
                "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
                Device::Tablet,
            ),
            (
                "Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/124.2.1 like Chrome/124.0.6367.118 Safari/537.36",
                Device::Tablet,
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
                Device::Desktop,
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
                Device::Desktop,
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
                Device::Desktop,
            ),
            ("", Device::Desktop),
        ];
        for (ua, expected) in cases {
            assert_eq!(Device::classify(ua), expected, "{ua}");
        }
    }

    #[test]
    fn names_round_trip() {
        for d in Device::ALL {
            assert_eq!(Device::parse(d.as_str()), Some(d));
        }
        assert_eq!(Device::parse("phone"), None);
    }
}
