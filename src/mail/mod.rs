//! Outgoing mail, only through the company's own SMTP relay (`[mail]` in the config): a
//! transcript to the customer who asked for it, and an admin's test mail. There is no
//! other mail route: nothing else in plauder sends mail or knows an address to send to.
//! Knows no HTTP; the pages are console::transcript_mail and console::mail_admin.

mod client;
mod message;
pub mod transcript;

pub use client::{MailError, Mailer, Summary};
pub use message::{Outgoing, build, recipient};

use crate::i18n::Tr;

/// Subject and body of the admin's test mail, in the admin's language.
pub fn test_mail(tr: Tr, host: &str) -> (String, String) {
    (
        tr.get("mail.test.subject").to_string(),
        format!(
            "{}\n\n-- \n{}\n",
            tr.fill("mail.test.body", &[("host", host)]),
            tr.get("mail.test.footer")
        ),
    )
}
