//! Parsing helpers for the string newtypes of the domain modules: each
//! failure names the field it concerns.

use std::fmt;

/// A value that does not parse, with the field it came from: the one
/// field-error type of every boundary. `field` is the value's JSON path in
/// the request (`settings.searchable`, `members[2]`); a parser that only
/// knows its own field name gives that, and the caller who knows where the
/// value sat puts it [`under`](InvalidField::under) its parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidField {
    pub field: String,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
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
    /// Differs from the field it repeats (a new password typed twice).
    Mismatch,
    Other,
}

/// The derived decoder of an adjacently tagged enum keeps a second,
/// buffering (`Content`) copy of itself for `params` sent before `kind`:
/// most of a field error's decoding code in the console's wasm. This one
/// reads `params` into one loose shape whatever the order, then picks the
/// variant by `kind`.
impl<'de> serde::Deserialize<'de> for Problem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ProblemVisitor)
    }
}

struct ProblemVisitor;

impl<'de> serde::de::Visitor<'de> for ProblemVisitor {
    type Value = Problem;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a problem: {\"kind\": …, \"params\": …}")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Problem, A::Error> {
        use serde::de::Error;
        let (mut kind, mut p) = (None::<String>, Params::default());
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "kind" => kind = Some(map.next_value()?),
                "params" => p = map.next_value()?,
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        let kind = kind.ok_or_else(|| A::Error::missing_field("kind"))?;
        Problem::from_parts(&kind, &p).map_err(A::Error::custom)
    }
}

impl Problem {
    /// One problem of each kind, for the tests of every reader and
    /// wording of problems (here and in the console).
    pub const EXAMPLES: [Problem; 16] = [
        Problem::Empty,
        Problem::Required,
        Problem::Length {
            min: 1,
            max: 64,
            count: 70,
        },
        Problem::Char('群'),
        Problem::Range { min: -5, max: 1440 },
        Problem::Format,
        Problem::TooMany { max: 20 },
        Problem::Duplicate,
        Problem::Ambiguous { count: 5 },
        Problem::Unknown,
        Problem::UnknownField,
        Problem::NotMember,
        Problem::WrongPassword,
        Problem::Masked,
        Problem::Mismatch,
        Problem::Other,
    ];

    /// The problem of `kind` with its `params`, as a field error carries
    /// them; the error says what is missing or unknown. The decoder above
    /// and the console's reader of the browser's parsed JSON share it.
    pub fn from_parts(kind: &str, p: &Params) -> Result<Problem, &'static str> {
        let need = |v: Option<i64>, name: &'static str| v.ok_or(name);
        let size = |v: Option<i64>, name: &'static str| {
            need(v, name).and_then(|n| usize::try_from(n).map_err(|_| name))
        };
        Ok(match kind {
            "empty" => Problem::Empty,
            "required" => Problem::Required,
            "length" => Problem::Length {
                min: size(p.min, "min")?,
                max: size(p.max, "max")?,
                count: size(p.count, "count")?,
            },
            "char" => Problem::Char(p.ch.ok_or("params")?),
            "range" => Problem::Range {
                min: need(p.min, "min")?,
                max: need(p.max, "max")?,
            },
            "format" => Problem::Format,
            "too_many" => Problem::TooMany {
                max: size(p.max, "max")?,
            },
            "duplicate" => Problem::Duplicate,
            "ambiguous" => Problem::Ambiguous {
                count: size(p.count, "count")?,
            },
            "unknown" => Problem::Unknown,
            "unknown_field" => Problem::UnknownField,
            "not_member" => Problem::NotMember,
            "wrong_password" => Problem::WrongPassword,
            "masked" => Problem::Masked,
            "mismatch" => Problem::Mismatch,
            "other" => Problem::Other,
            _ => return Err("kind"),
        })
    }
}

/// Every variant's `params` in one shape: an object of numbers, or the
/// character of `Char`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Params {
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub count: Option<i64>,
    pub ch: Option<char>,
}

impl<'de> serde::Deserialize<'de> for Params {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ParamsVisitor)
    }
}

struct ParamsVisitor;

impl<'de> serde::de::Visitor<'de> for ParamsVisitor {
    type Value = Params;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a problem's params")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Params, A::Error> {
        let mut p = Params::default();
        while let Some(key) = map.next_key::<String>()? {
            let slot = match key.as_str() {
                "min" => &mut p.min,
                "max" => &mut p.max,
                "count" => &mut p.count,
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    continue;
                }
            };
            *slot = Some(map.next_value::<Number>()?.0);
        }
        Ok(p)
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Params, E> {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(Params {
                ch: Some(c),
                ..Params::default()
            }),
            _ => Err(E::invalid_length(s.chars().count(), &"one character")),
        }
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Params, E> {
        Ok(Params::default())
    }
}

/// A whole number, from JSON's integers or a browser's floats.
struct Number(i64);

impl<'de> serde::Deserialize<'de> for Number {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a whole number")
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Number, E> {
                Ok(Number(n))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Number, E> {
                i64::try_from(n)
                    .map(Number)
                    .map_err(|_| E::custom("number out of range"))
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Number, E> {
                whole(n)
                    .map(Number)
                    .ok_or_else(|| E::custom("not a whole number"))
            }
        }
        d.deserialize_any(V)
    }
}

/// A float that is a whole number a JSON reader can hold exactly (a
/// browser's JSON numbers are all floats), as one.
pub fn whole(n: f64) -> Option<i64> {
    (n.fract() == 0.0 && n.abs() < 9.0e15).then_some(n as i64)
}

impl fmt::Display for InvalidField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for InvalidField {}

impl InvalidField {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> InvalidField {
        InvalidField {
            field: field.into(),
            message: message.into(),
            problem: Problem::Other,
        }
    }

    pub fn because(mut self, problem: Problem) -> InvalidField {
        self.problem = problem;
        self
    }

    /// The same error, its path prefixed by `parent`'s:
    /// `client_secret` under `fields.configuration.DingTalk` is
    /// `fields.configuration.DingTalk.client_secret`; an index path
    /// (`[2]`) joins without a dot.
    pub fn under(mut self, parent: &str) -> InvalidField {
        self.field = join_path(parent, &self.field);
        self
    }
}

/// `parent` and `child` as one JSON path (`a.b`, `a[2]`, or either alone).
pub fn join_path(parent: &str, child: &str) -> String {
    match (parent, child) {
        ("", child) => child.to_owned(),
        (parent, "") => parent.to_owned(),
        (parent, child) if child.starts_with('[') => format!("{parent}{child}"),
        (parent, child) => format!("{parent}.{child}"),
    }
}

/// How many characters of a user's value an error message may repeat: a
/// 60 KB value must not come back as a 60 KB error.
pub const ECHO_CHARS: usize = 40;

/// `value` cut to `max` characters, marked with `…` when cut.
pub fn clip(value: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match value.char_indices().nth(max) {
        None => std::borrow::Cow::Borrowed(value),
        Some((end, _)) => std::borrow::Cow::Owned(format!("{}…", &value[..end])),
    }
}

thread_local! {
    /// The last refusal of a newtype parsed by serde (see [`refused`]).
    static REFUSED: std::cell::RefCell<Option<InvalidField>> = const { std::cell::RefCell::new(None) };
}

/// Remembers `err`, a refusal made while serde deserializes, and returns
/// it. serde keeps only an error's text; a request extractor takes the
/// refusal back with [`take_refused`] to answer with its [`Problem`].
/// Deserializing is synchronous, so the thread is the request's.
pub fn refused(err: InvalidField) -> InvalidField {
    REFUSED.with(|r| *r.borrow_mut() = Some(err.clone()));
    err
}

/// The refusal [`refused`] last remembered on this thread, cleared.
pub fn take_refused() -> Option<InvalidField> {
    REFUSED.with(|r| r.borrow_mut().take())
}

/// Trims `value` and checks its length in characters and each character.
pub(crate) fn text(
    field: &str,
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
                $name::parse(&value).map_err($crate::validate::refused)
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
    fn a_browser_float_is_whole_only_when_exact() {
        assert_eq!(whole(1440.0), Some(1440));
        assert_eq!(whole(-3.0), Some(-3));
        assert_eq!(whole(1.5), None);
        assert_eq!(whole(1.0e16), None, "beyond what a float holds exactly");
        assert_eq!(whole(f64::NAN), None);
    }

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

    #[test]
    fn every_problem_reads_back_from_its_wire_form() {
        for p in Problem::EXAMPLES {
            let wire = serde_json::to_string(&p).unwrap();
            assert_eq!(serde_json::from_str::<Problem>(&wire).unwrap(), p, "{wire}");
        }
        // `params` before `kind` reads the same.
        let late = r#"{"params": {"min": 0, "max": 1440}, "kind": "range"}"#;
        assert_eq!(
            serde_json::from_str::<Problem>(late).unwrap(),
            Problem::Range { min: 0, max: 1440 }
        );
        assert_eq!(
            serde_json::to_string(&Problem::Char('/')).unwrap(),
            r#"{"kind":"char","params":"/"}"#
        );
        for bad in [
            r#"{"kind": "length", "params": {"min": 1}}"#,
            r#"{"kind": "char", "params": "ab"}"#,
            r#"{"kind": "no_such"}"#,
            r#"{"params": {}}"#,
        ] {
            assert!(serde_json::from_str::<Problem>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_field_error_goes_under_its_parent_path() {
        let err = InvalidField::new("client_secret", "bad");
        let err = err.under("configuration.DingTalk").under("fields");
        assert_eq!(err.field, "fields.configuration.DingTalk.client_secret");
        assert_eq!(
            InvalidField::new("[2]", "x").under("members").field,
            "members[2]"
        );
        assert_eq!(InvalidField::new("name", "x").under("").field, "name");
    }

    #[test]
    fn clip_cuts_long_values_by_characters() {
        assert_eq!(clip("short", 40), "short");
        let long = "群".repeat(60_000);
        let cut = clip(&long, ECHO_CHARS);
        assert_eq!(cut.chars().count(), ECHO_CHARS + 1);
        assert!(cut.ends_with('…'));
    }
}
