//! ISO 3166-1 alpha-2 country codes, parsed from alpha-2, alpha-3 or a name.

use serde::{Serialize, Serializer};
use std::fmt;

/// A country as its ISO 3166-1 alpha-2 code, upper case. Two bytes, `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

impl Country {
    /// Parses `CN`, `chn`, `China`, `Hong Kong`, `Russia`, the ISO list's
    /// inverted names (`Korea, Republic of`) and names with diacritics
    /// (`Côte d'Ivoire`). Numeric codes are refused because in trade data
    /// they are more often a typo than a country.
    pub fn parse(s: &str) -> Option<Country> {
        let s = s.trim();
        if s.is_empty() || s.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let s = deunicode::deunicode(s);
        // ISO 3166 and UN lists write `Korea, Republic of`; the name reads `Republic of Korea`.
        let s = match s.split_once(',') {
            Some((name, form)) if form.trim().to_ascii_lowercase().ends_with(" of") => {
                format!("{} {}", form.trim(), name.trim())
            }
            _ => s,
        };
        let key: String = s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
        // Common trade spellings that the ISO names do not cover.
        let key = match key.as_str() {
            "uk" | "greatbritain" | "britain" => "gb",
            "usa" | "us" | "unitedstates" | "america" => "us",
            "uae" | "emirates" => "ae",
            "hongkongsar" | "hongkongchina" | "chinahongkongsar" | "hongkongsarchina" => "hk",
            "macao" | "macausar" | "macaosar" | "chinamacaosar" | "macaosarchina" => "mo",
            "plurinationalstateofbolivia" => "bo",
            "prc" | "mainlandchina" | "peoplesrepublicofchina" => "cn",
            "southkorea" | "korea" | "republicofkorea" => "kr",
            "northkorea" | "dprk" => "kp",
            "taiwan" | "taiwanprovinceofchina" | "republicofchina" => "tw",
            "vietnam" => "vn",
            "iran" => "ir",
            "syria" => "sy",
            "laos" => "la",
            "turkey" | "turkiye" => "tr",
            "czechia" => "cz",
            other => other,
        };
        let c = key
            .parse::<celes::Country>()
            .or_else(|_| celes::Country::from_alias(key))
            .or_else(|_| celes::Country::from_name(key))
            .ok()?;
        let b = c.alpha2.as_bytes();
        Some(Country([b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()]))
    }

    /// Builds a country from a code already known to be valid alpha-2 (for tests and tables).
    pub const fn from_code(code: &[u8; 2]) -> Country {
        Country(*code)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Country {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Country::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown country `{s}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::Country;

    #[test]
    fn names_and_codes_normalise() {
        for (input, want) in [
            ("CN", "CN"),
            ("chn", "CN"),
            ("China", "CN"),
            ("Hong Kong", "HK"),
            ("HKG", "HK"),
            ("Macau", "MO"),
            ("Russia", "RU"),
            ("United Arab Emirates", "AE"),
            ("UAE", "AE"),
            ("Singapore", "SG"),
            ("Taiwan", "TW"),
            ("USA", "US"),
            ("Korea, Republic of", "KR"),
            ("Korea, Democratic People's Republic of", "KP"),
            ("Iran, Islamic Republic of", "IR"),
            ("Côte d'Ivoire", "CI"),
            ("China, Hong Kong SAR", "HK"),
            ("Macao SAR", "MO"),
            ("Bolivia, Plurinational State of", "BO"),
        ] {
            assert_eq!(Country::parse(input).map(|c| c.to_string()), Some(want.to_string()), "{input}");
        }
        assert_eq!(Country::parse("Atlantis"), None);
        assert_eq!(Country::parse("156"), None);
        assert_eq!(Country::parse(""), None);
    }
}
