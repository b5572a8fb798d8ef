//! Points in time: ISO 8601 dates and date-times, stored as UTC seconds.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Serialize, Serializer};
use std::fmt;

/// Seconds since 1970-01-01T00:00:00Z. A date without a time is midnight UTC
/// and prints back as a plain date.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Timestamp(pub i64);

pub const DAY: i64 = 86_400;

impl Timestamp {
    /// Parses `2024-06-01`, `2024-06-01T08:30:00Z`, `2024-06-01T08:30:00+08:00`
    /// and `2024-06-01T08:30:00` (taken as UTC). Impossible dates fail.
    pub fn parse(s: &str) -> Option<Timestamp> {
        let s = s.trim();
        if !iso_shape(s.as_bytes()) {
            return None;
        }
        // The common case, a plain `YYYY-MM-DD`, without chrono's format parser.
        let b = s.as_bytes();
        if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
            let num = |r: std::ops::Range<usize>| -> Option<u32> {
                b[r].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + (c - b'0') as u32))
            };
            if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) {
                let date = NaiveDate::from_ymd_opt(y as i32, m, d)?;
                return Some(Timestamp(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp()));
            }
        }
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Some(Timestamp(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp()));
        }
        if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
            return Some(Timestamp(dt.timestamp()));
        }
        for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"] {
            if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
                return Some(Timestamp(dt.and_utc().timestamp()));
            }
        }
        None
    }

    pub fn from_date(d: NaiveDate) -> Timestamp {
        Timestamp(d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp()).unwrap_or(0))
    }

    pub fn date(&self) -> NaiveDate {
        DateTime::<Utc>::from_timestamp(self.0, 0).map(|d| d.date_naive()).unwrap_or_default()
    }

    /// Whole days from `self` to `later` (negative if `later` is earlier).
    pub fn days_until(&self, later: Timestamp) -> f64 {
        (later.0 - self.0) as f64 / DAY as f64
    }
}

/// Whether `b` has the shape of an ISO 8601 date or date-time as docs/spec.md §1
/// takes them: `YYYY-MM-DD` with a four-digit year from 0001, optionally
/// `T` (or a space) and `HH:MM`, `:SS` with seconds below 60 (chrono would
/// read a leap second `:60` as `:59`), a fraction, and `Z` or `±HH:MM`.
/// `2024-6-1`, year 0 and negative years are refused here, before chrono's
/// more lenient parsers see them.
fn iso_shape(b: &[u8]) -> bool {
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    if b.len() < 10 || !digits(0..4) || b[4] != b'-' || !digits(5..7) || b[7] != b'-' || !digits(8..10) {
        return false;
    }
    if &b[0..4] == b"0000" {
        return false;
    }
    let mut i = 10;
    if i == b.len() {
        return true;
    }
    if !(b[i] == b'T' || b[i] == b' ') || !digits(i + 1..i + 3) || b.get(i + 3) != Some(&b':') || !digits(i + 4..i + 6)
    {
        return false;
    }
    i += 6;
    if b.get(i) == Some(&b':') {
        if !digits(i + 1..i + 3) || b[i + 1] >= b'6' {
            return false;
        }
        i += 3;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return false;
            }
        }
    }
    match b.get(i) {
        None => true,
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => b.len() == i + 6 && digits(i + 1..i + 3) && b[i + 3] == b':' && digits(i + 4..i + 6),
        _ => false,
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match DateTime::<Utc>::from_timestamp(self.0, 0) {
            Some(dt) if self.0.rem_euclid(DAY) == 0 => write!(f, "{}", dt.format("%Y-%m-%d")),
            Some(dt) => write!(f, "{}", dt.format("%Y-%m-%dT%H:%M:%SZ")),
            None => write!(f, "{}", self.0),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Timestamp;

    /// Issue 13: a leap second read as `:59`, year 0, negative years and
    /// non-ISO `2024-6-1` were accepted.
    #[test]
    fn only_iso_dates_are_read() {
        for bad in [
            "2024-01-01T00:00:60Z",
            "0000-01-01",
            "-2024-01-01",
            "-0001-01-01",
            "2024-6-1",
            "2024-06-1",
            "24-06-01",
            "2024-06-01T",
            "2024-06-01x",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
        for good in [
            "2024-06-01",
            "2024-06-01T08:30:00Z",
            "2024-06-01T08:30",
            "2024-06-01 08:30:00",
            "2024-06-01T08:30:59.5+08:00",
            "0001-01-01",
        ] {
            assert!(Timestamp::parse(good).is_some(), "{good}");
        }
    }

    #[test]
    fn parses_dates_and_times() {
        assert_eq!(Timestamp::parse("2024-06-01").unwrap().to_string(), "2024-06-01");
        assert_eq!(Timestamp::parse("2024-06-01T08:30:00Z").unwrap().to_string(), "2024-06-01T08:30:00Z");
        assert_eq!(Timestamp::parse("2024-06-01T08:30:00+08:00").unwrap().to_string(), "2024-06-01T00:30:00Z");
        assert!(Timestamp::parse("2024-02-30").is_none());
        assert!(Timestamp::parse("2024-13-01").is_none());
        assert!(Timestamp::parse("yesterday").is_none());
    }
}
