//! Diagnostics: every problem found while reading a case, with the file and
//! line it came from. Readers return what they could read plus these; they
//! never print and never stop at the first problem. A diagnostic prints as one
//! line with the data in it escaped ([`crate::text`]), and is never longer than
//! [`text::MESSAGE_CHARS`] characters, whatever the input.

use crate::text;
use serde::Serialize;
use std::fmt;

/// How bad a problem is. Errors make `validate` exit 2; warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

/// One problem at one place in one input file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Path of the file as the user named it (case folder joined with the file name).
    pub file: String,
    /// 1-based line; the header is line 1. 0 when the problem concerns the whole file.
    pub line: u64,
    pub level: Level,
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic; a message longer than [`text::MESSAGE_CHARS`] is cut
    /// (values in it should already be cut by [`text::shown`]).
    pub fn new(file: impl Into<String>, line: u64, level: Level, message: impl Into<String>) -> Self {
        let mut message = message.into();
        if let std::borrow::Cow::Owned(cut) = text::cut_to(&message, text::MESSAGE_CHARS) {
            message = cut;
        }
        Diagnostic { file: file.into(), line, level, message }
    }

    pub fn error(file: impl Into<String>, line: u64, message: impl Into<String>) -> Self {
        Diagnostic::new(file, line, Level::Error, message)
    }

    pub fn warning(file: impl Into<String>, line: u64, message: impl Into<String>) -> Self {
        Diagnostic::new(file, line, Level::Warning, message)
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        // One line, safe on a terminal whatever the data put in the message.
        write!(f, "{}:{}: {}: {}", text::escape(&self.file), self.line, level, text::escape(&self.message))
    }
}

/// Diagnostics gathered while reading, in the order they were found.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn error(&mut self, file: &str, line: u64, message: impl Into<String>) {
        self.0.push(Diagnostic::error(file, line, message));
    }

    pub fn warning(&mut self, file: &str, line: u64, message: impl Into<String>) {
        self.0.push(Diagnostic::warning(file, line, message));
    }

    pub fn errors(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.0.len() - self.errors()
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }
}
