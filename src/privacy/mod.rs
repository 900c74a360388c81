//! Privacy controls that act on what visitors and operators write. `mask` replaces payment
//! card numbers, IBANs and admin-defined patterns before anything is stored or shown.
//! Pure: no database, no I/O; never logs the text it reads.

mod cards;
mod iban;
pub mod mask;
pub mod rules;

pub use mask::{MaskKind, Masked, mask, mask_preview};
pub use rules::{MaskRules, MaskingSettings, PatternError};
