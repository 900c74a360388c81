//! The `config_section!` macro: one declaration gives a config section its struct, its
//! defaults, its field docs (for the generated example file) and strict key-by-key loading,
//! so an error can always name the exact key that is wrong.

/// Documentation of one config key, taken from its doc comment.
#[derive(Debug)]
pub struct FieldDoc {
    pub name: &'static str,
    pub doc: &'static [&'static str],
}

/// A problem with one key, before the file it came from is known.
#[derive(Debug)]
pub struct KeyError {
    pub key: String,
    pub message: String,
}

pub(crate) fn qualified(section: &str, key: &str) -> String {
    if section.is_empty() {
        key.to_string()
    } else {
        format!("{section}.{key}")
    }
}

/// toml's messages can span lines (with a caret display); a config error is one line.
pub(crate) fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

macro_rules! config_section {
    (
        $(#[doc = $sdoc:literal])*
        pub struct $name:ident {
            $( $(#[doc = $doc:literal])+ $field:ident : $ty:ty = $default:expr ),* $(,)?
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct $name {
            $( $(#[doc = $doc])+ pub $field: $ty, )*
        }

        impl Default for $name {
            fn default() -> Self {
                Self { $( $field: $default, )* }
            }
        }

        impl $name {
            pub const FIELDS: &'static [$crate::config::section::FieldDoc] = &[
                $( $crate::config::section::FieldDoc { name: stringify!($field), doc: &[$($doc),+] }, )*
            ];

            /// Overlays the keys present in `table`; keys not in this section are refused.
            pub fn apply(
                &mut self,
                table: &toml::Table,
                section: &str,
            ) -> Result<(), $crate::config::section::KeyError> {
                use serde::Deserialize as _;
                for (key, value) in table {
                    match key.as_str() {
                        $( stringify!($field) => {
                            self.$field = <$ty>::deserialize(value.clone()).map_err(|e| {
                                $crate::config::section::KeyError {
                                    key: $crate::config::section::qualified(section, key),
                                    message: $crate::config::section::one_line(&e.to_string()),
                                }
                            })?;
                        } )*
                        _ => {
                            return Err($crate::config::section::KeyError {
                                key: $crate::config::section::qualified(section, key),
                                message: "unknown key".to_string(),
                            })
                        }
                    }
                }
                Ok(())
            }

            /// Every key with its current value, in declaration order.
            pub fn entries(&self) -> Vec<(&'static $crate::config::section::FieldDoc, Option<toml::Value>)> {
                let values = [$( toml::Value::try_from(&self.$field).ok() ),*];
                Self::FIELDS.iter().zip(values).collect()
            }
        }
    };
}

pub(crate) use config_section;
