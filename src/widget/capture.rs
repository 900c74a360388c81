//! Technical details of a visitor for widgets without privacy mode: the address and user
//! agent from the websocket upgrade, the embedding page from `hello`. Held in the socket's
//! memory only; stored (encrypted) when, and only when, a consented conversation is created.
//! In privacy mode nothing here is even collected. Never logs a value.

use super::user_agent;
use crate::db::visitor_meta::VisitorMeta;
use std::net::IpAddr;

/// Longest user agent kept; real ones are far shorter.
const MAX_UA_CHARS: usize = 512;

#[derive(Debug, Clone, Default)]
pub struct Captured {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub country: Option<String>,
    pub page: Option<String>,
    pub referrer: Option<String>,
}

impl Captured {
    pub fn new(ip: Option<IpAddr>, user_agent: Option<&str>, country: Option<String>) -> Self {
        let user_agent = user_agent
            .map(|ua| {
                ua.chars()
                    .filter(|c| !c.is_control())
                    .take(MAX_UA_CHARS)
                    .collect()
            })
            .filter(|ua: &String| !ua.trim().is_empty());
        Self {
            ip: ip.map(|ip| ip.to_canonical()),
            user_agent,
            country,
            page: None,
            referrer: None,
        }
    }

    /// What is stored, with browser and operating system read from the user agent.
    pub fn meta(&self) -> VisitorMeta {
        let (browser, os) = self
            .user_agent
            .as_deref()
            .map(user_agent::parse)
            .unwrap_or_default();
        VisitorMeta {
            ip: self.ip.map(|ip| ip.to_string()),
            user_agent: self.user_agent.clone(),
            browser,
            os,
            country: self.country.clone(),
            page_url: self.page.clone(),
            referrer: self.referrer.clone(),
        }
    }
}

/// The visitor's country from the admin's country database (uploaded for the widget
/// router), when there is one; looked up in memory.
pub fn country(state: &crate::state::AppState, ip: Option<IpAddr>) -> Option<String> {
    state
        .widget_router
        .geo()
        .zip(ip)
        .and_then(|(g, ip)| g.country(ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_reads_browser_and_os_and_drops_control_characters() {
        let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\n";
        let c = Captured::new(
            Some("::ffff:192.0.2.7".parse().unwrap()),
            Some(ua),
            Some("DE".into()),
        );
        let m = c.meta();
        assert_eq!(m.ip.as_deref(), Some("192.0.2.7"));
        assert_eq!(m.browser.as_deref(), Some("Firefox 128"));
        assert_eq!(m.os.as_deref(), Some("Linux"));
        assert!(!m.user_agent.unwrap().contains('\n'));
        assert_eq!(Captured::new(None, Some("  "), None).user_agent, None);
    }
}
