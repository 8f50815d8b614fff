//! Upstream timestamps. OOS writes ISO 8601 both with an offset
//! (`2025-12-26T09:53:02+00:00`) and without one (`2025-12-23T10:16:37.178097`,
//! taken as UTC); Security Center writes epoch milliseconds. All become one
//! [`Timestamp`], sent to the UI as epoch milliseconds.

use serde::{Deserialize, Deserializer, Serialize};

/// A point in time, UTC, millisecond precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_epoch_millis(millis: i64) -> Timestamp {
        Timestamp(millis)
    }

    pub const fn epoch_millis(self) -> i64 {
        self.0
    }

    /// Parses `YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z|±HH:MM|±HHMM]`; no offset
    /// means UTC. `None` when the text is not such a date.
    pub fn parse_lenient(text: &str) -> Option<Timestamp> {
        let text = text.trim();
        let b = text.as_bytes();
        // The fixed-width head must be ASCII, so slicing at 19 is safe.
        if b.len() < 19
            || !b[..19].is_ascii()
            || b[4] != b'-'
            || b[7] != b'-'
            || !matches!(b[10], b'T' | b't' | b' ')
        {
            return None;
        }
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        let num = |range: std::ops::Range<usize>| -> Option<i64> {
            let s = text.get(range)?;
            s.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| s.parse().ok())
                .flatten()
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        let mut rest = &text[19..];
        let mut millis = 0;
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            let first3: String = frac[..digits].chars().chain("00".chars()).take(3).collect();
            millis = first3.parse::<i64>().ok()?;
            rest = &frac[digits..];
        }
        let offset_minutes = match rest {
            "" | "Z" | "z" => 0,
            _ => {
                let sign = match rest.as_bytes()[0] {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return None,
                };
                let hm = rest[1..].replace(':', "");
                if hm.len() != 4 || !hm.bytes().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                let (h, m): (i64, i64) = (hm[..2].parse().ok()?, hm[2..].parse().ok()?);
                if h > 23 || m > 59 {
                    return None;
                }
                sign * (h * 60 + m)
            }
        };
        let days = days_from_civil(year, month, day);
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
        Some(Timestamp(seconds * 1000 + millis))
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Accepts epoch milliseconds or a lenient ISO 8601 string. A visitor
/// rather than an untagged enum, which decodes through serde's buffering
/// `Content` (more code in the console's wasm for every timestamp read).
impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Either;
        impl serde::de::Visitor<'_> for Either {
            type Value = Timestamp;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("epoch milliseconds or an ISO 8601 date")
            }

            fn visit_i64<E: serde::de::Error>(self, m: i64) -> Result<Timestamp, E> {
                Ok(Timestamp(m))
            }

            fn visit_u64<E: serde::de::Error>(self, m: u64) -> Result<Timestamp, E> {
                i64::try_from(m)
                    .map(Timestamp)
                    .map_err(|_| E::custom("timestamp out of range"))
            }

            // A browser's JSON numbers are all floats.
            fn visit_f64<E: serde::de::Error>(self, m: f64) -> Result<Timestamp, E> {
                crate::validate::whole(m)
                    .map(Timestamp)
                    .ok_or_else(|| E::custom("not whole milliseconds"))
            }

            fn visit_str<E: serde::de::Error>(self, t: &str) -> Result<Timestamp, E> {
                Timestamp::parse_lenient(t).ok_or_else(|| E::custom(format!("not a date: {t:?}")))
            }
        }
        deserializer.deserialize_any(Either)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_upstream_shapes_parse() {
        // 2025-12-26T09:53:02Z = 1766742782 s.
        let with_offset = Timestamp::parse_lenient("2025-12-26T09:53:02+00:00").unwrap();
        assert_eq!(with_offset.epoch_millis(), 1_766_742_782_000);
        let no_offset = Timestamp::parse_lenient("2025-12-23T10:16:37.178097").unwrap();
        assert_eq!(no_offset.epoch_millis(), 1_766_484_997_178);
        assert_eq!(
            Timestamp::parse_lenient("2025-12-26T17:53:02+08:00"),
            Some(with_offset)
        );
        assert_eq!(
            Timestamp::parse_lenient("2025-12-26 09:53:02Z"),
            Some(with_offset)
        );
        assert_eq!(
            Timestamp::parse_lenient("1970-01-01T00:00:00.5").map(Timestamp::epoch_millis),
            Some(500)
        );
        assert_eq!(
            Timestamp::parse_lenient("2024-02-29T00:00:00-0130").map(Timestamp::epoch_millis),
            Some(1_709_170_200_000)
        );
    }

    #[test]
    fn garbage_is_rejected() {
        for bad in [
            "",
            "2025-12-26",
            "2025-13-01T00:00:00",
            "2025-02-30T00:00:00",
            "2025-12-26T24:00:00",
            "2025-12-26T09:53:02+0",
            "2025-12-26T09:53:02.",
            "2025-12-26T09:53:02 junk",
            "２025-12-26T09:53:02",
        ] {
            assert_eq!(Timestamp::parse_lenient(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn deserializes_from_millis_or_text() {
        let t: Timestamp = serde_json::from_str("1766742782000").unwrap();
        let u: Timestamp = serde_json::from_str("\"2025-12-26T09:53:02+00:00\"").unwrap();
        assert_eq!(t, u);
        assert_eq!(serde_json::to_string(&t).unwrap(), "1766742782000");
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
    }
}
