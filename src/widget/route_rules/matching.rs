//! Evaluating the rules for one page view, in memory. What the browser sent (`Visit`) lives
//! only as long as the request: nothing here stores, logs or prints it.

use super::device::Device;
use super::rule::{Rule, UrlMatch};
use crate::db::widgets::WidgetId;

/// What one page view tells the router. Borrowed from the request; never kept.
#[derive(Debug, Clone, Copy)]
pub struct Visit<'a> {
    /// The page address without query string and fragment.
    pub url: &'a str,
    pub user_agent: &'a str,
    /// Primary language subtag, lower case ("de" for "de-AT").
    pub lang: Option<&'a str>,
}

/// The part of a page address rules look at: query strings and fragments often carry
/// personal data or session ids, so they are cut off before any rule sees the address.
pub fn page_address(url: &str) -> &str {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    &url[..end]
}

/// "de-AT" → "de"; anything that is not 2–8 ASCII letters gives None.
pub fn primary_subtag(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?;
    let ok = (2..=8).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic());
    ok.then(|| primary.to_ascii_lowercase())
}

/// The first entry of an Accept-Language header ("de-DE,de;q=0.9,en;q=0.8" → "de").
pub fn first_accept_language(header: &str) -> Option<String> {
    let first = header.split(',').next()?.split(';').next()?;
    primary_subtag(first)
}

impl Rule {
    fn url_matches(&self, url: &str) -> bool {
        match &self.url {
            UrlMatch::Any => true,
            UrlMatch::Prefix(p) => url.starts_with(p.as_str()),
            UrlMatch::Glob(re) | UrlMatch::Regex(re) => re.is_match(url),
        }
    }

    /// All conditions must hold. The country is looked up only when a rule asks for it,
    /// and at most once per visit (`country` caches it).
    fn matches(
        &self,
        visit: &Visit<'_>,
        device: Device,
        country: &mut Lazy<'_, Option<String>>,
    ) -> bool {
        self.url_matches(visit.url)
            && self
                .ua_contains
                .as_deref()
                .is_none_or(|needle| visit.user_agent.to_lowercase().contains(needle))
            && self.device.is_none_or(|d| d == device)
            && (self.langs.is_empty()
                || visit
                    .lang
                    .is_some_and(|l| self.langs.iter().any(|x| x == l)))
            && (self.countries.is_empty()
                || country
                    .get()
                    .as_deref()
                    .is_some_and(|c| self.countries.iter().any(|x| x == c)))
    }
}

/// A value computed on first use.
pub struct Lazy<'f, T> {
    value: Option<T>,
    make: Box<dyn FnMut() -> T + 'f>,
}

impl<'f, T> Lazy<'f, T> {
    pub fn new(make: impl FnMut() -> T + 'f) -> Self {
        Self {
            value: None,
            make: Box::new(make),
        }
    }

    pub fn get(&mut self) -> &T {
        self.value.get_or_insert_with(|| (self.make)())
    }
}

/// The rules in order, compiled; swapped whole after every admin change.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub rules: Vec<Rule>,
}

impl Snapshot {
    /// The widgets of all matching rules, first match first, each once. The caller takes
    /// the first one it may show on the page; with none, the page keeps its own widget.
    /// `country` looks up the visitor's country; it is called at most once.
    pub fn candidates(
        &self,
        visit: &Visit<'_>,
        country: impl FnMut() -> Option<String>,
    ) -> Vec<WidgetId> {
        let device = Device::classify(visit.user_agent);
        let mut country = Lazy::new(country);
        let mut out: Vec<WidgetId> = Vec::new();
        for rule in &self.rules {
            if rule.matches(visit, device, &mut country) && !out.contains(&rule.target) {
                out.push(rule.target);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widget::route_rules::rule::{RuleSpec, UrlKind};

    const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
    const IPAD: &str = "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1";
    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";

    fn spec(target: i64) -> RuleSpec {
        RuleSpec {
            url_kind: UrlKind::Prefix,
            url_pattern: String::new(),
            ua_contains: String::new(),
            device: None,
            langs: vec![],
            countries: vec![],
            target: WidgetId(target),
        }
    }

    fn snapshot(specs: Vec<RuleSpec>) -> Snapshot {
        Snapshot {
            rules: specs
                .iter()
                .map(|s| Rule::compile(s).unwrap_or_else(|e| panic!("{e:?}")))
                .collect(),
        }
    }

    fn visit<'a>(url: &'a str, ua: &'a str, lang: Option<&'a str>) -> Visit<'a> {
        Visit {
            url,
            user_agent: ua,
            lang,
        }
    }

    fn first(s: &Snapshot, v: &Visit<'_>, country: Option<&str>) -> Option<i64> {
        s.candidates(v, || country.map(str::to_string))
            .first()
            .map(|w| w.0)
    }

    #[test]
    fn each_condition_kind() {
        let url = "https://shop.example.de/de/kontakt";
        let cases: Vec<(RuleSpec, Visit<'_>, bool)> = vec![
            (
                RuleSpec {
                    url_pattern: "https://shop.example.de/de/".into(),
                    ..spec(2)
                },
                visit(url, FIREFOX, None),
                true,
            ),
            (
                RuleSpec {
                    url_pattern: "https://shop.example.de/en/".into(),
                    ..spec(2)
                },
                visit(url, FIREFOX, None),
                false,
            ),
            (
                RuleSpec {
                    url_kind: UrlKind::Glob,
                    url_pattern: "*/kontakt".into(),
                    ..spec(2)
                },
                visit(url, FIREFOX, None),
                true,
            ),
            (
                RuleSpec {
                    url_kind: UrlKind::Regex,
                    url_pattern: r"/(de|at)/".into(),
                    ..spec(2)
                },
                visit(url, FIREFOX, None),
                true,
            ),
            (
                RuleSpec {
                    ua_contains: "firefox".into(),
                    ..spec(2)
                },
                visit(url, FIREFOX, None),
                true,
            ),
            (
                RuleSpec {
                    ua_contains: "Firefox".into(),
                    ..spec(2)
                },
                visit(url, IPHONE, None),
                false,
            ),
            (
                RuleSpec {
                    device: Some(Device::Mobile),
                    ..spec(2)
                },
                visit(url, IPHONE, None),
                true,
            ),
            (
                RuleSpec {
                    device: Some(Device::Mobile),
                    ..spec(2)
                },
                visit(url, IPAD, None),
                false,
            ),
            (
                RuleSpec {
                    device: Some(Device::Tablet),
                    ..spec(2)
                },
                visit(url, IPAD, None),
                true,
            ),
            (
                RuleSpec {
                    device: Some(Device::Desktop),
                    ..spec(2)
                },
                visit(url, FIREFOX, None),
                true,
            ),
            (
                RuleSpec {
                    langs: vec!["de".into(), "fr".into()],
                    ..spec(2)
                },
                visit(url, FIREFOX, Some("fr")),
                true,
            ),
            (
                RuleSpec {
                    langs: vec!["de".into()],
                    ..spec(2)
                },
                visit(url, FIREFOX, Some("en")),
                false,
            ),
            (
                RuleSpec {
                    langs: vec!["de".into()],
                    ..spec(2)
                },
                visit(url, FIREFOX, None),
                false,
            ),
        ];
        for (i, (rule, v, expected)) in cases.into_iter().enumerate() {
            let s = snapshot(vec![rule]);
            assert_eq!(first(&s, &v, None) == Some(2), expected, "case {i}");
        }
    }

    #[test]
    fn country_is_looked_up_once_and_only_when_asked() {
        let v = visit("https://a.example/", FIREFOX, Some("de"));
        let no_country_rules = snapshot(vec![spec(2), spec(3)]);
        let mut calls = 0;
        no_country_rules.candidates(&v, || {
            calls += 1;
            None
        });
        assert_eq!(calls, 0, "no lookup without a country rule");
        let s = snapshot(vec![
            RuleSpec {
                countries: vec!["AT".into()],
                ..spec(2)
            },
            RuleSpec {
                countries: vec!["DE".into(), "CH".into()],
                ..spec(3)
            },
        ]);
        let mut calls = 0;
        let got = s.candidates(&v, || {
            calls += 1;
            Some("DE".into())
        });
        assert_eq!((got, calls), (vec![WidgetId(3)], 1));
        assert_eq!(first(&s, &v, None), None, "unknown country matches no rule");
    }

    #[test]
    fn all_conditions_must_hold_and_order_decides() {
        let both = RuleSpec {
            langs: vec!["de".into()],
            device: Some(Device::Mobile),
            ..spec(2)
        };
        let s = snapshot(vec![both, spec(3)]);
        let url = "https://a.example/";
        assert_eq!(first(&s, &visit(url, IPHONE, Some("de")), None), Some(2));
        assert_eq!(
            first(&s, &visit(url, FIREFOX, Some("de")), None),
            Some(3),
            "one condition fails: the next rule"
        );
        let reversed = snapshot(vec![
            spec(3),
            RuleSpec {
                langs: vec!["de".into()],
                ..spec(2)
            },
        ]);
        assert_eq!(
            reversed.candidates(&visit(url, IPHONE, Some("de")), || None),
            [WidgetId(3), WidgetId(2)]
        );
    }

    #[test]
    fn no_rule_means_fallback() {
        let s = snapshot(vec![RuleSpec {
            langs: vec!["de".into()],
            ..spec(2)
        }]);
        assert!(
            s.candidates(&visit("https://a.example/", FIREFOX, Some("en")), || None)
                .is_empty()
        );
        assert!(
            Snapshot::default()
                .candidates(&visit("", "", None), || None)
                .is_empty()
        );
    }

    #[test]
    fn inputs_are_normalised() {
        assert_eq!(
            page_address("https://a.example/p?email=x@y.de#top"),
            "https://a.example/p"
        );
        assert_eq!(primary_subtag("de-AT").as_deref(), Some("de"));
        assert_eq!(primary_subtag("EN_gb").as_deref(), Some("en"));
        assert_eq!(primary_subtag("*"), None);
        assert_eq!(primary_subtag("d1"), None);
        assert_eq!(
            first_accept_language("de-DE,de;q=0.9,en;q=0.8").as_deref(),
            Some("de")
        );
    }
}
