//! Parsing helpers for the string newtypes of the domain modules: each
//! failure names the field it concerns.

use std::fmt;

/// A value that does not parse, with the field it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidField {
    pub field: &'static str,
    /// In English, as the API answers.
    pub message: String,
    /// What was wrong, for a UI that words it in the user's language.
    pub problem: Problem,
}

/// What was wrong with a value, with its parameters: the API sends it as
/// an error body's `problem` (`{"kind": "length", "params": {"min": 1, …}}`)
/// and the console words it in the user's language. `Other` keeps only the
/// English message. A new variant needs its wording in the console's
/// English and Chinese tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "params", rename_all = "snake_case")]
pub enum Problem {
    /// Empty or only white space where a value is needed.
    Empty,
    /// A required field is missing from the request.
    Required,
    /// Too short or too long, in characters (or items, for lists).
    Length {
        min: usize,
        max: usize,
        count: usize,
    },
    /// A character that is not allowed.
    Char(char),
    /// A number outside `min..=max`.
    Range {
        min: i64,
        max: i64,
    },
    /// Not of the expected form (a URL, a number, a date, a JSON type).
    Format,
    /// More than `max` items.
    TooMany {
        max: usize,
    },
    /// The same item twice.
    Duplicate,
    /// A name that `count` people (or objects) share: pick one by id.
    Ambiguous {
        count: usize,
    },
    /// No such person, choice or object.
    Unknown,
    /// A field the request type does not have (a typo is never dropped).
    UnknownField,
    /// The person is not a member of the group.
    NotMember,
    /// The current password given is not the user's.
    WrongPassword,
    /// The upstream's mask (`******`) typed where a secret belongs.
    Masked,
    Other,
}

impl fmt::Display for InvalidField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for InvalidField {}

impl InvalidField {
    pub fn new(field: &'static str, message: impl Into<String>) -> InvalidField {
        InvalidField {
            field,
            message: message.into(),
            problem: Problem::Other,
        }
    }

    pub fn because(mut self, problem: Problem) -> InvalidField {
        self.problem = problem;
        self
    }
}

/// Trims `value` and checks its length in characters and each character.
pub(crate) fn text(
    field: &'static str,
    value: &str,
    chars: std::ops::RangeInclusive<usize>,
    allowed: impl Fn(char) -> bool,
    allowed_text: &str,
) -> Result<String, InvalidField> {
    let value = value.trim();
    let count = value.chars().count();
    if !chars.contains(&count) {
        let (min, max) = (*chars.start(), *chars.end());
        return Err(if min == 1 && count == 0 {
            InvalidField::new(field, "must not be empty").because(Problem::Empty)
        } else {
            InvalidField::new(
                field,
                format!("must be {min} to {max} characters long, not {count}"),
            )
            .because(Problem::Length { min, max, count })
        });
    }
    if let Some(bad) = value.chars().find(|c| !allowed(*c)) {
        return Err(InvalidField::new(
            field,
            format!("{bad:?} is not allowed; use {allowed_text}"),
        )
        .because(Problem::Char(bad)));
    }
    Ok(value.to_owned())
}

/// Declares a string newtype that only [`text`]-checked values can build,
/// with `parse`, `as_str`, `Display` and a serde form that parses again.
macro_rules! string_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $chars:expr, $allowed:expr, $allowed_text:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(value: &str) -> Result<$name, $crate::validate::InvalidField> {
                $crate::validate::text($field, value, $chars, $allowed, $allowed_text).map($name)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::validate::InvalidField;
            fn try_from(value: String) -> Result<$name, Self::Error> {
                $name::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub(crate) use string_type;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_trims_counts_chars_and_names_the_field() {
        let ok = text("name", "  群聊 ", 1..=3, |c| !c.is_control(), "text");
        assert_eq!(ok.unwrap(), "群聊");
        let err = text("name", "   ", 1..=3, |_| true, "text").unwrap_err();
        assert_eq!(err.to_string(), "name: must not be empty");
        assert_eq!(err.problem, Problem::Empty);
        let err = text("name", "abcd", 1..=3, |_| true, "text").unwrap_err();
        assert_eq!(err.message, "must be 1 to 3 characters long, not 4");
        let length = Problem::Length {
            min: 1,
            max: 3,
            count: 4,
        };
        assert_eq!(err.problem, length);
        let err = text("id", "a/b", 1..=3, |c| c.is_ascii_alphanumeric(), "letters").unwrap_err();
        assert_eq!(err.to_string(), "id: '/' is not allowed; use letters");
        assert_eq!(err.problem, Problem::Char('/'));
        assert_eq!(InvalidField::new("x", "why").problem, Problem::Other);
    }
}
