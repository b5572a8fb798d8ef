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
    generate_with(dir, records, seed, &[]);
}

/// Runs `chiptrace generate` into `dir` with `extra` arguments (such as
/// `--shards 4`) and fails the test if it fails.
pub fn generate_with(dir: &Path, records: u64, seed: u64, extra: &[&str]) {
    let (records, seed) = (records.to_string(), seed.to_string());
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "generate".as_ref(),
        "--out".as_ref(),
        dir.as_os_str(),
        "--records".as_ref(),
        records.as_ref(),
        "--seed".as_ref(),
        seed.as_ref(),
    ];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    let o = chiptrace_os(&args);
    assert_eq!(code(&o), 0, "generate {extra:?} failed: {}", stderr(&o));
}

/// Where `.ci/run` leaves, per tool, why it could not install it
/// (`target/ci-skips/<tool>.txt`), and where tests append the skips they
/// made (`target/ci-skips/skipped.txt`) so that `.ci/run` prints them.
pub fn skips_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("ci-skips")
}

/// Whether a test can use an external tool (Graphviz, Chromium, Python
/// followthemoney). When `found` is false the test must return early, and
/// the skip is made visible: printed as `skipped: <test>: <tool> missing`
/// and appended to `target/ci-skips/skipped.txt`. Under `CI=true` a missing
/// tool fails the test unless `.ci/run` wrote why it could not install it,
/// so CI never passes a test that did not run without saying so.
pub fn tool_or_skip(tool: &str, found: bool, test: &str) -> bool {
    if found {
        return true;
    }
    let reason = std::fs::read_to_string(skips_dir().join(format!("{tool}.txt"))).ok();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    if ci && reason.is_none() {
        panic!(
            "{test}: {tool} is missing under CI=true and .ci/run did not say why it could not install it \
             (it writes target/ci-skips/{tool}.txt)"
        );
    }
    let line =
        format!("skipped: {test}: {tool} missing{}", reason.map(|r| format!(" ({})", r.trim())).unwrap_or_default());
    eprintln!("{line}");
    let _ = std::fs::create_dir_all(skips_dir());
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(skips_dir().join("skipped.txt")) {
        use std::io::Write;
        let _ = writeln!(f, "{line}");
    }
    false
}

/// A Python interpreter with the `followthemoney` package: `$CHIPTRACE_PYTHON`,
/// the virtualenv `.ci/run` makes (`target/ci-venv`), or `python3`.
pub fn ftm_python() -> Option<PathBuf> {
    python_with("followthemoney")
}

/// A Python interpreter that can import `module`, looked for as [`ftm_python`] does.
pub fn python_with(module: &str) -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Ok(p) = std::env::var("CHIPTRACE_PYTHON") {
        candidates.push(p.into());
    }
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-venv/bin/python"));
    candidates.push("python3".into());
    candidates.into_iter().find(|p| {
        Command::new(p)
            .args(["-c", &format!("import {module}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}
