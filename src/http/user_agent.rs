//! A small user-agent reader: browser family with major version, and operating system, for
//! operators of widgets without privacy mode, and the coarse client of a staff session. Order matters: many browsers name others in
//! their UA (Edge says "Chrome" and "Safari"), so the most specific token wins.
//! Pure; never logs the string.

/// Browser and operating system as shown to operators, e.g. ("Firefox 128", "Windows").
pub fn parse(ua: &str) -> (Option<String>, Option<String>) {
    (browser(ua), os(ua))
}

/// Browser family and system without versions, as `family/system` (either may be empty),
/// e.g. "Firefox/Linux": all a staff member's session list keeps of the user agent.
pub fn coarse(ua: &str) -> Option<String> {
    let (browser, os) = parse(ua);
    let family = browser.map(|b| {
        b.trim_end_matches(|c: char| c.is_ascii_digit())
            .trim_end()
            .to_string()
    });
    if family.is_none() && os.is_none() {
        return None;
    }
    Some(format!(
        "{}/{}",
        family.unwrap_or_default(),
        os.unwrap_or_default()
    ))
}

/// The major version after `token` ("Firefox/128.0" → "128").
fn major(ua: &str, token: &str) -> Option<String> {
    let rest = &ua[ua.find(token)? + token.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

fn named(name: &str, ua: &str, token: &str) -> String {
    match major(ua, token) {
        Some(v) => format!("{name} {v}"),
        None => name.to_string(),
    }
}

fn browser(ua: &str) -> Option<String> {
    // (name, token that identifies it, token before the version)
    const FAMILIES: [(&str, &str, &str); 10] = [
        ("Edge", "Edg", "Edg/"),
        ("Opera", "OPR/", "OPR/"),
        ("Samsung Internet", "SamsungBrowser/", "SamsungBrowser/"),
        ("Vivaldi", "Vivaldi/", "Vivaldi/"),
        ("Firefox", "Firefox/", "Firefox/"),
        ("Firefox", "FxiOS/", "FxiOS/"),
        ("Chrome", "CriOS/", "CriOS/"),
        ("Chromium", "Chromium/", "Chromium/"),
        ("Chrome", "Chrome/", "Chrome/"),
        ("Internet Explorer", "Trident/", "rv:"),
    ];
    for (name, marker, version) in FAMILIES {
        if ua.contains(marker) {
            // "Edg/", "EdgA/", "EdgiOS/" all mean Edge; the version follows the slash.
            let version = if name == "Edge" {
                ["Edg/", "EdgA/", "EdgiOS/"]
                    .into_iter()
                    .find(|t| ua.contains(t))
                    .unwrap_or(version)
            } else {
                version
            };
            return Some(named(name, ua, version));
        }
    }
    if ua.contains("Safari/") && ua.contains("Version/") {
        return Some(named("Safari", ua, "Version/"));
    }
    None
}

fn os(ua: &str) -> Option<String> {
    let found = if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("iPad") {
        "iPadOS"
    } else if ua.contains("iPhone") || ua.contains("iPod") {
        "iOS"
    } else if ua.contains("Android") {
        "Android"
    } else if ua.contains("CrOS") {
        "ChromeOS"
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        "macOS"
    } else if ua.contains("Linux") || ua.contains("X11") {
        "Linux"
    } else {
        return None;
    };
    Some(found.to_string())
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn p(ua: &str) -> (String, String) {
        let (b, o) = parse(ua);
        (b.unwrap_or_default(), o.unwrap_or_default())
    }

    #[test]
    fn common_browsers() {
        let cases = [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87",
                "Edge 126",
                "Windows",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
                "Firefox 128",
                "Linux",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
                "Safari 17",
                "macOS",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
                "Safari 17",
                "iOS",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
                "Samsung Internet 25",
                "Android",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0",
                "Opera 111",
                "Windows",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
                "Chrome 131",
                "Linux",
            ),
            (
                "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1",
                "Chrome 126",
                "iPadOS",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
                "Internet Explorer 11",
                "Windows",
            ),
        ];
        for (ua, browser, os) in cases {
            assert_eq!(p(ua), (browser.to_string(), os.to_string()), "{ua}");
        }
    }

    #[test]
    fn coarse_labels_drop_versions() {
        use super::coarse;
        let ff = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(coarse(ff).as_deref(), Some("Firefox/Linux"));
        let sam =
            "Mozilla/5.0 (Linux; Android 14) SamsungBrowser/25.0 Chrome/121.0 Mobile Safari/537.36";
        assert_eq!(coarse(sam).as_deref(), Some("Samsung Internet/Android"));
        assert_eq!(coarse("Windows NT").as_deref(), Some("/Windows"));
        assert_eq!(coarse("curl/8.5.0"), None);
    }

    #[test]
    fn unknown_or_odd_input_gives_nothing_and_never_panics() {
        assert_eq!(parse("curl/8.5.0"), (None, None));
        assert_eq!(parse(""), (None, None));
        assert_eq!(p("Firefox/").0, "Firefox");
        assert_eq!(p("Chrome/ä").0, "Chrome");
    }
}
