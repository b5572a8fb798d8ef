//! Helpers shared by the integration tests: the real binary, fixtures and
//! throw-away case folders. Keep this API small and stable; other test
//! modules depend on it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Path of the `chiptrace` binary built for these tests.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_chiptrace"))
}

/// Runs `chiptrace` with `args` from the repository root and waits for it.
pub fn chiptrace(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cannot run the chiptrace binary")
}

/// Runs `chiptrace` with arguments that may be paths (temporary folders).
pub fn chiptrace_os<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cannot run the chiptrace binary")
}

/// Absolute path of `fixtures/<path>`.
pub fn fixture(path: impl AsRef<Path>) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(path)
}

/// Relative path of a fixture as passed on the command line (`fixtures/<path>`),
/// so that diagnostics print the same in every checkout.
pub fn fixture_arg(path: &str) -> String {
    format!("fixtures/{path}")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The exit code; panics if the process was killed by a signal.
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or_else(|| panic!("killed by a signal; stderr:\n{}", stderr(o)))
}

/// A fresh empty folder under the target directory, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("cannot create a temporary folder");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `contents` to `name` (sub-folders are created).
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.0.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("cannot create a folder");
        }
        std::fs::write(&p, contents).expect("cannot write a temporary file");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `chiptrace generate` into `dir` and fails the test if it fails.
pub fn generate(dir: &Path, records: u64, seed: u64) {
    let o = chiptrace_os(&[
        "generate".as_ref(),
        "--out".as_ref(),
        dir.as_os_str(),
        "--records".as_ref(),
        records.to_string().as_ref(),
        "--seed".as_ref(),
        seed.to_string().as_ref(),
    ]);
    assert_eq!(code(&o), 0, "generate failed: {}", stderr(&o));
}
