//! The command line as ripgrep and xsv users expect it: a closed pipe exits 0
//! quietly for every format, completions and a man page, `validate --format
//! json`, `generate` refusing a folder that holds files, `--quiet`, the flat
//! CSV tables joining on finding id, and tables that align Chinese names.

use crate::common::{TempDir, chiptrace, chiptrace_os, code, generate, stderr, stdout};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Runs `chiptrace ARGS`, reads one line of its stdout and closes the pipe,
/// as `| head -1` does; returns the exit code and stderr.
fn head_one(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let mut child = Command::new(crate::common::bin())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chiptrace runs");
    let mut first = String::new();
    {
        let mut r = BufReader::new(child.stdout.take().expect("stdout is piped"));
        r.read_line(&mut first).expect("one line");
    } // the read end closes here
    let o = child.wait_with_output().expect("chiptrace exits");
    (o.status.code().expect("not killed by a signal"), first, String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn closed_pipe_exits_zero_quietly_for_every_format() {
    let dir = TempDir::new("cli-pipe");
    let case = dir.path().join("world");
    // 20,000 records: the CSV, one row a finding, must outgrow a pipe's buffer
    // (12,000 made 78 KB once hub passages of established traders stopped
    // being findings).
    generate(&case, 20_000, 11);
    for format in ["json", "jsonl", "csv", "table"] {
        // The output must be far larger than a pipe's buffer (64 KiB), or the
        // writer never meets the closed pipe and the test proves nothing.
        let full = chiptrace_os(&["scan".as_ref(), case.as_os_str(), "--format".as_ref(), format.as_ref()]);
        assert!(
            full.stdout.len() > 100_000,
            "{format}: only {} bytes, too small to test a closed pipe",
            full.stdout.len()
        );
        let (rc, first, err) = head_one(&["scan".as_ref(), case.as_os_str(), "--format".as_ref(), format.as_ref()]);
        assert!(!first.is_empty(), "{format}: no first line");
        assert_eq!(rc, 0, "{format}: `scan | head -1` exited {rc}: {err}");
        assert!(!err.contains("Broken pipe") && !err.contains("error"), "{format}: stderr says {err}");
    }
    let (rc, _, err) = head_one(&[
        "scan".as_ref(),
        case.as_os_str(),
        "--format".as_ref(),
        "csv".as_ref(),
        "--table".as_ref(),
        "steps".as_ref(),
    ]);
    assert_eq!(rc, 0, "csv steps: {err}");
}

#[test]
fn completions_for_every_shell_and_a_man_page() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = chiptrace(&["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}: {}", stderr(&o));
        let text = stdout(&o);
        for word in ["scan", "export", "--min-severity", "import"] {
            assert!(text.contains(word), "{shell} completion lacks `{word}`");
        }
    }
    let o = chiptrace(&["man"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let man = stdout(&o);
    assert!(man.starts_with(".ie") || man.starts_with(".TH"), "not roff: {}", &man[..80.min(man.len())]);
    for section in
        [".TH chiptrace 1", ".SH SYNOPSIS", ".SH \"CHIPTRACE SCAN\"", ".SH \"CHIPTRACE IMPORT\"", ".SS EXAMPLES"]
    {
        assert!(man.contains(section), "man page lacks {section}");
    }
    assert!(man.contains("min\\-severity"), "the man page lists scan's options");
    // `man` itself renders it where it is installed.
    if Command::new("man").arg("--version").output().is_ok_and(|o| o.status.success()) {
        let dir = TempDir::new("cli-man");
        let page = dir.write("chiptrace.1", &o.stdout);
        let r =
            Command::new("man").arg("-l").arg(&page).env("MANWIDTH", "100").env("MANPAGER", "cat").output().unwrap();
        assert!(String::from_utf8_lossy(&r.stdout).contains("CHIPTRACE SCAN"), "man -l renders the page");
    }
}

#[test]
fn help_has_examples_and_describes_formats() {
    let o = chiptrace(&["scan", "--help"]);
    let help = stdout(&o);
    assert!(help.contains("Examples:"), "{help}");
    assert!(help.contains("One finding a line"), "--format values are described: {help}");
    for sub in ["validate", "trace", "screen", "export", "generate", "eval", "import", "completions", "man"] {
        let o = chiptrace(&[sub, "--help"]);
        assert!(stdout(&o).contains("Examples:"), "`{sub} --help` has no examples");
    }
}

#[test]
fn validate_json_lists_diagnostics_and_counts() {
    let o = chiptrace(&["validate", "fixtures/demo", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("validate prints JSON");
    let d = v["diagnostics"].as_array().expect("diagnostics");
    assert!(!d.is_empty(), "the demo has one warning");
    for key in ["file", "line", "level", "message"] {
        assert!(d[0].get(key).is_some(), "diagnostic lacks {key}");
    }
    assert_eq!(v["summary"]["records_read"], 28);
    assert_eq!(v["summary"]["errors"], 0);
    assert_eq!(v["summary"]["warnings"].as_u64(), Some(d.len() as u64));
    // A case with errors exits 2 and still prints the JSON.
    let dir = TempDir::new("cli-validate");
    dir.write("entities.csv", "id,name,kind,country\nE1,Acme,reseller,Atlantis\n");
    dir.write("records.csv", "id,date,kind,from,to,product,quantity\n");
    let o = chiptrace_os(&["validate".as_ref(), dir.path().as_os_str(), "--format".as_ref(), "json".as_ref()]);
    assert_eq!(code(&o), 2);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON even on errors");
    let e = &v["diagnostics"][0];
    assert_eq!(e["level"], "error");
    assert_eq!(e["line"], 2);
    assert!(e["message"].as_str().unwrap().contains("Atlantis"));
    assert_eq!(v["summary"]["entities_rejected"], 1);
}

#[test]
fn generate_refuses_a_folder_with_files_unless_forced() {
    let dir = TempDir::new("cli-gen");
    let keep = dir.write("notes.txt", "my notes");
    let args = |force: bool| {
        let mut a: Vec<std::ffi::OsString> =
            vec!["generate".into(), "--out".into(), dir.path().into(), "--records".into(), "50".into()];
        if force {
            a.push("--force".into());
        }
        a
    };
    let o = chiptrace_os(&args(false));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not empty") && stderr(&o).contains("--force"), "{}", stderr(&o));
    assert!(!dir.path().join("records.csv").exists(), "nothing was written");
    let o = chiptrace_os(&args(true));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(dir.path().join("records.csv").exists());
    assert_eq!(std::fs::read_to_string(keep).unwrap(), "my notes");
}

#[test]
fn quiet_leaves_only_errors_on_stderr() {
    let dir = TempDir::new("cli-quiet");
    let out = dir.path().join("lot.dot");
    let loud = chiptrace_os(&[
        "export".as_ref(),
        "fixtures/demo".as_ref(),
        "--lot".as_ref(),
        "L-100".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert!(stderr(&loud).contains("wrote"), "{}", stderr(&loud));
    let quiet = chiptrace_os(&[
        "--quiet".as_ref(),
        "export".as_ref(),
        "fixtures/demo".as_ref(),
        "--lot".as_ref(),
        "L-100".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(code(&quiet), 0);
    assert_eq!(stderr(&quiet), "", "--quiet prints nothing on success");
    let o = chiptrace(&["scan", "-q", "fixtures/no-such-case"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no such case folder"), "errors still print under --quiet");
}

#[test]
fn flat_tables_join_on_finding_id() {
    let table = |t: &str| {
        let o = chiptrace(&["scan", "fixtures/demo", "--format", "csv", "--table", t]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let mut r = csv::Reader::from_reader(o.stdout.as_slice());
        let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        let rows: Vec<Vec<String>> = r.records().map(|x| x.unwrap().iter().map(String::from).collect()).collect();
        (h, rows)
    };
    let (fh, findings) = table("findings");
    let (sh, steps) = table("steps");
    let (gh, flags) = table("flags");
    let (eh, evidence) = table("evidence");
    assert_eq!(fh[0], "id");
    assert_eq!(&sh[..3], ["finding", "step", "record"]);
    assert_eq!(&gh[..3], ["finding", "flag", "rule"]);
    assert_eq!(&eh[..4], ["finding", "flag", "rule", "evidence"]);
    let json: serde_json::Value =
        serde_json::from_slice(&chiptrace(&["scan", "fixtures/demo", "--format", "json"]).stdout).unwrap();
    let fs = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), fs.len());
    // Every step and flag row belongs to a finding, and the counts agree with the JSON.
    for f in fs {
        let id = f["id"].as_str().unwrap();
        let n_steps = steps.iter().filter(|r| r[0] == id).count();
        let n_flags = flags.iter().filter(|r| r[0] == id).count();
        assert_eq!(n_flags, f["flags"].as_array().unwrap().len(), "{id} flags");
        let subject = flags.iter().find(|r| r[0] == id).unwrap()[3].to_string();
        assert_eq!(subject, f["flags"][0]["subject"].as_str().unwrap(), "{id}: whom the first flag is about");
        if f["kind"] != "route" {
            assert_eq!(n_steps, 0, "an entity finding has no route steps");
            continue;
        }
        assert_eq!(n_steps, f["path"].as_array().unwrap().len(), "{id} steps");
        let first = steps.iter().find(|r| r[0] == id).unwrap();
        assert_eq!(first[1], "1");
        assert_eq!(first[2], f["path"][0]["record"].as_str().unwrap());
    }
    let ev_total: usize =
        fs.iter().flat_map(|f| f["flags"].as_array().unwrap()).map(|fl| fl["evidence"].as_array().unwrap().len()).sum();
    assert_eq!(evidence.len(), ev_total);
    assert!(evidence.iter().any(|r| r[4] == "list_entry") && evidence.iter().any(|r| r[4] == "record"));
}

#[test]
fn tables_align_chinese_names() {
    let dir = TempDir::new("cli-width");
    dir.write(
        "entities.csv",
        "id,name,kind,country\nS,Seller Inc.,distributor,US\n北京智算,北京智源人工智能研究院,end_user,CN\nHK1,Lucky Star Trading Limited,reseller,HK\n",
    );
    dir.write(
        "records.csv",
        "id,date,kind,from,to,product,quantity,lot\nR1,2024-01-02,sale,S,HK1,H100,10,L1\nR2,2024-01-05,sale,HK1,北京智算,H100,10,L1\n",
    );
    let o = chiptrace_os(&["trace".as_ref(), dir.path().as_os_str(), "--lot".as_ref(), "L1".as_ref()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    // In the holders table, the column after the entity starts at the same
    // terminal column on every row, whatever script the entity is in.
    let header = text.lines().find(|l| l.starts_with("holder")).unwrap_or_else(|| panic!("no holders table: {text}"));
    let col = unicode_width::UnicodeWidthStr::width(&header[..header.find("country").unwrap()]);
    let rows: Vec<&str> =
        text.lines().skip_while(|l| !l.starts_with("holder")).skip(1).take_while(|l| !l.is_empty()).collect();
    assert!(rows.iter().any(|r| r.contains("北京")), "{text}");
    for r in rows {
        let cut = r
            .char_indices()
            .map(|(i, _)| i)
            .chain([r.len()])
            .find(|&i| unicode_width::UnicodeWidthStr::width(&r[..i]) >= col)
            .unwrap();
        assert!(r[..cut].ends_with("  ") && !r[cut..].starts_with(' '), "misaligned row `{r}` (column {col})\n{text}");
    }
}

/// Runs `chiptrace ARGS` with `input` on its standard input.
fn with_stdin(args: &[&std::ffi::OsStr], input: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(crate::common::bin())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chiptrace runs");
    child.stdin.take().expect("stdin is piped").write_all(input).expect("stdin takes the input");
    child.wait_with_output().expect("chiptrace exits")
}

#[test]
fn dash_reads_standard_input_wherever_one_file_is_read() {
    let dir = TempDir::new("cli-stdin");
    // eval --truth -: the same evaluation as from the file.
    let world = dir.path().join("world");
    generate(&world, 2000, 5);
    let truth_file = world.join("truth.json");
    let truth = std::fs::read(&truth_file).unwrap();
    let from_file = chiptrace_os(&[
        "eval".as_ref(),
        world.as_os_str(),
        "--truth".as_ref(),
        truth_file.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(code(&from_file), 0, "{}", stderr(&from_file));
    let piped = with_stdin(
        &["eval".as_ref(), world.as_os_str(), "--truth".as_ref(), "-".as_ref(), "--format".as_ref(), "json".as_ref()],
        &truth,
    );
    assert_eq!(code(&piped), 0, "{}", stderr(&piped));
    assert_eq!(stdout(&piped), stdout(&from_file), "eval --truth - differs from --truth FILE");
    let bad = with_stdin(&["eval".as_ref(), world.as_os_str(), "--truth".as_ref(), "-".as_ref()], b"{not json");
    assert_eq!(code(&bad), 2);
    assert!(stderr(&bad).contains("<stdin>: not a truth.json"), "{}", stderr(&bad));

    // --policy - for scan, screen, validate and export: the policy read from stdin is the one in force.
    let policy = b"countries_of_concern = [\"RU\"]\n";
    let file = dir.write("policy.toml", policy);
    let scan = |args: &[&std::ffi::OsStr], input: &[u8]| {
        let o = with_stdin(args, input);
        assert!(code(&o) <= 1, "{args:?}: {}", stderr(&o));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("scan JSON")
    };
    let a = scan(
        &[
            "scan".as_ref(),
            "fixtures/demo".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
            "--policy".as_ref(),
            "-".as_ref(),
        ],
        policy,
    );
    let b = scan(
        &[
            "scan".as_ref(),
            "fixtures/demo".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
            "--policy".as_ref(),
            file.as_os_str(),
        ],
        b"",
    );
    let plain = scan(&["scan".as_ref(), "fixtures/demo".as_ref(), "--format".as_ref(), "json".as_ref()], b"");
    assert!(a["findings"] == b["findings"], "scan --policy - differs from --policy FILE");
    assert!(a["findings"] != plain["findings"], "the piped policy changed nothing: was it read?");
    assert_eq!(a["policy_sha256"], b["policy_sha256"]);
    let files = a["dataset"]["files"].as_array().unwrap();
    assert!(files.iter().any(|f| f["path"] == "<stdin>"), "the piped policy is in the dataset's files: {files:?}");
    for args in [
        vec!["screen", "fixtures/demo", "--policy", "-"],
        vec!["validate", "fixtures/demo", "--policy", "-"],
        vec!["trace", "fixtures/demo", "--lot", "L-100"],
    ] {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        let o = with_stdin(&args, policy);
        assert!(code(&o) <= 1, "{args:?}: {}", stderr(&o));
    }
    let o = with_stdin(
        &["validate".as_ref(), "fixtures/demo".as_ref(), "--policy".as_ref(), "-".as_ref()],
        b"fuzzy_threshold = \"high\"\n",
    );
    assert_eq!(code(&o), 2, "a bad piped policy is an error");
    assert!(
        stdout(&o).contains("<stdin>") || stderr(&o).contains("<stdin>"),
        "the error names <stdin>: {}",
        stdout(&o)
    );
    let out = dir.path().join("lot.dot");
    let o = with_stdin(
        &[
            "export".as_ref(),
            "fixtures/demo".as_ref(),
            "--lot".as_ref(),
            "L-100".as_ref(),
            "--policy".as_ref(),
            "-".as_ref(),
            "-o".as_ref(),
            out.as_os_str(),
        ],
        policy,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // import --mapping -: the same case as from the file; source and mapping cannot both be stdin.
    let mapping = std::fs::read("examples/bol/mapping.toml").unwrap();
    let (x, y) = (dir.path().join("x"), dir.path().join("y"));
    let o = with_stdin(
        &[
            "import".as_ref(),
            "examples/bol/shipments.csv".as_ref(),
            "--mapping".as_ref(),
            "-".as_ref(),
            "--out".as_ref(),
            x.as_os_str(),
        ],
        &mapping,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = chiptrace_os(&[
        "import".as_ref(),
        "examples/bol/shipments.csv".as_ref(),
        "--mapping".as_ref(),
        "examples/bol/mapping.toml".as_ref(),
        "--out".as_ref(),
        y.as_os_str(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for f in ["entities.csv", "records.csv"] {
        assert_eq!(std::fs::read(x.join(f)).unwrap(), std::fs::read(y.join(f)).unwrap(), "{f} differs");
    }
    let o = with_stdin(
        &[
            "import".as_ref(),
            "-".as_ref(),
            "--mapping".as_ref(),
            "-".as_ref(),
            "--out".as_ref(),
            dir.path().join("z").as_os_str(),
        ],
        b"",
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("only one of them can be standard input"), "{}", stderr(&o));
}

/// Runs `chiptrace ARGS` with a standard output whose reader is already
/// gone, so the first write fails (EPIPE) whatever the size of the output.
fn into_closed_pipe(args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    Command::new(crate::common::bin())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("chiptrace runs")
}

/// Regression: `chiptrace completions bash | head -3` panicked in clap_complete
/// ("failed to write completion file: Broken pipe") and exited 101.
#[test]
fn a_closed_pipe_exits_zero_quietly_for_every_command() {
    let commands: &[&[&str]] = &[
        &["completions", "bash"],
        &["completions", "zsh"],
        &["completions", "fish"],
        &["completions", "elvish"],
        &["completions", "powershell"],
        &["man"],
        &["scan", "fixtures/demo"],
        &["scan", "fixtures/demo", "--format", "jsonl"],
        &["validate", "fixtures/demo", "--format", "json"],
        &["screen", "fixtures/demo"],
        &["trace", "fixtures/demo", "--lot", "L-100"],
        &["export", "fixtures/demo", "--lot", "L-100", "--format", "dot", "-o", "-"],
        &["--help"],
    ];
    for args in commands {
        let o = into_closed_pipe(args);
        assert_eq!(code(&o), 0, "{args:?} into a closed pipe exited {}: {}", code(&o), stderr(&o));
        assert!(!stderr(&o).contains("panicked") && !stderr(&o).contains("Broken pipe"), "{args:?}: {}", stderr(&o));
    }
}
