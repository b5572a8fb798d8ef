//! The cluster scan (docs/spec.md §5.5) through the real binary on loopback: rank
//! 0's report is the one-process report byte for byte, whatever the number
//! of processes and shards, and a process that dies or never comes makes
//! every other one fail with an error naming it, with no report printed.

use crate::common::*;
use proptest::prelude::*;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A hosts file of `n` ports on 127.0.0.1 that are free now (the system
/// picks them, so tests running at once do not collide).
fn hosts_file(t: &TempDir, n: usize) -> (std::path::PathBuf, Vec<String>) {
    let listeners: Vec<_> = (0..n).map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap()).collect();
    let hosts: Vec<String> = listeners.iter().map(|l| l.local_addr().unwrap().to_string()).collect();
    (t.write("hosts.txt", hosts.join("\n") + "\n"), hosts)
}

fn scan(case: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<std::ffi::OsString> = vec!["scan".into(), case.into(), "--format".into(), "json".into()];
    args.extend(extra.iter().map(Into::into));
    chiptrace_os(&args)
}

/// Asserts that `--local-cluster n` prints exactly what one process prints,
/// on stdout and on stderr, with the same exit code.
fn assert_same_as_one_process(case: &Path, n: usize) {
    let one = scan(case, &[]);
    let many = scan(case, &["--local-cluster", &n.to_string()]);
    assert_eq!(code(&many), code(&one), "exit code with {n} processes; stderr:\n{}", stderr(&many));
    assert!(!stdout(&one).is_empty() || code(&one) != 0, "the one-process scan printed a report");
    assert!(stdout(&many) == stdout(&one), "rank 0's report with {n} processes differs from one process's");
    assert_eq!(stderr(&many), stderr(&one), "stderr with {n} processes");
}

#[test]
fn three_processes_on_the_demo_print_the_one_process_report_byte_for_byte() {
    assert_same_as_one_process(&fixture("demo"), 3);
}

#[test]
fn three_processes_on_a_sharded_world_print_the_one_process_report_byte_for_byte() {
    let t = TempDir::new("cluster-world");
    let o = chiptrace_os(&[
        "generate".as_ref(),
        "--out".as_ref(),
        t.path().as_os_str(),
        "--records".as_ref(),
        "100000".as_ref(),
        "--seed".as_ref(),
        "5".as_ref(),
        "--shards".as_ref(),
        "3".as_ref(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Each shard is larger than the 2 MiB a read round sends of it
    // (`cluster::READ_PART`), so every shard travels in several parts.
    for j in 0..3 {
        let shard = t.path().join(format!("records-0000{j}-of-00003.csv"));
        let bytes = std::fs::metadata(&shard).map(|m| m.len()).unwrap_or(0);
        assert!(bytes > 2 << 20, "{}: {bytes} bytes", shard.display());
    }
    let one = scan(t.path(), &[]);
    assert_eq!(code(&one), 0, "{}", stderr(&one));
    // Started the way a team starts a cluster: one command per host line.
    let (hosts, _) = hosts_file(&t, 3);
    let children: Vec<_> = (0..3)
        .map(|rank| {
            Command::new(bin())
                .arg("scan")
                .arg(t.path())
                .args(["--format", "json", "--cluster"])
                .arg(&hosts)
                .args(["--rank", &rank.to_string()])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start a rank")
        })
        .collect();
    let outs: Vec<Output> = children.into_iter().map(|c| c.wait_with_output().expect("rank output")).collect();
    for (rank, o) in outs.iter().enumerate() {
        assert_eq!(code(o), 0, "rank {rank}: {}", stderr(o));
    }
    let report = stdout(&outs[0]);
    let v: serde_json::Value = serde_json::from_str(&report).expect("rank 0 prints JSON");
    assert!(v["findings"].as_array().is_some_and(|f| f.len() > 1000), "a 100k world has findings");
    assert!(report == stdout(&one), "rank 0's report differs from the one-process scan");
    assert_eq!(stderr(&outs[0]), stderr(&one), "rank 0's stderr");
    for o in &outs[1..] {
        assert!(o.stdout.is_empty(), "only rank 0 prints a report");
    }
}

#[test]
fn a_case_with_errors_stops_every_rank_and_rank_0_prints_the_diagnostics() {
    assert_same_as_one_process(&fixture("bad/stray_quote"), 2);
}

/// A sharded case whose problems are spread over its shards, some of them
/// only visible across shards (a record id repeated in a later shard, a
/// parent lot that is the lot of a record in another shard, or of none).
fn problem_shards(t: &TempDir, errors: bool) -> std::path::PathBuf {
    let dir = t.path().join(if errors { "errors" } else { "warnings" });
    std::fs::create_dir_all(&dir).unwrap();
    let w = |name: &str, text: String| std::fs::write(dir.join(name), text).unwrap();
    w(
        "entities.csv",
        "id,name,kind,country\nA,Alpha Chips,distributor,US\nB,Beta Trading,reseller,SG\nC,Gamma Compute,end_user,CN\n"
            .into(),
    );
    let header = "id,date,kind,from,to,product,quantity,lot,parent_lot,end_date,payment\n";
    let mut s0 = format!("{header}R1,2024-01-02,sale,A,B,H100,8,L1,,,wire\n");
    let mut s1 = format!("{header}R3,2024-02-01,sale,B,C,H100,8,L2,L1,,doge\n");
    let s2 = format!("{header}R5,2024-03-01,sale,B,C,H100,2,L3,LX,,\nR6,2024-03-02,sale,A,B,H100,1,,,2024-04-01,\n");
    if errors {
        s0.push_str("R2,2024-13-45,sale,A,B,H100,1,,,,\n");
        s1.push_str("R1,2024-02-03,sale,A,B,H100,1,,,,\nR4,2024-02-04,lease,A,A,H100,1,,,,\n");
    }
    w("records-00000-of-00003.csv", s0);
    w("records-00001-of-00003.csv", s1);
    w("records-00002-of-00003.csv", s2);
    dir
}

#[test]
fn problems_spread_over_shards_are_reported_as_one_process_reports_them() {
    let t = TempDir::new("cluster-problems");
    let bad = problem_shards(&t, true);
    let one = scan(&bad, &[]);
    let err = stderr(&one);
    assert_eq!(code(&one), 2, "{err}");
    assert!(err.contains("duplicate record id `R1` (first at"), "the check across shards: {err}");
    assert!(err.contains("lot `LX` is not the lot of any record"), "{err}");
    assert!(!err.contains("lot `L1` is not the lot"), "L1 is a lot of another shard: {err}");
    for n in [2, 3] {
        assert_same_as_one_process(&bad, n);
    }
    // Warnings only: the report, its diagnostics count included, is the same.
    let warned = problem_shards(&t, false);
    let one = scan(&warned, &[]);
    assert_eq!(code(&one), 0, "{}", stderr(&one));
    assert!(stderr(&one).contains("warning(s)"), "{}", stderr(&one));
    for n in [2, 3] {
        assert_same_as_one_process(&warned, n);
    }
}

/// The route search is partitioned: each rank indexes only the records
/// with an end it owns (rank 0's `--timings` figures say how many), so
/// with 3 processes every rank indexes fewer than all, and together they
/// index each record once or twice (once per owner of its two ends).
#[test]
fn each_rank_indexes_only_the_records_with_an_end_it_owns() {
    let t = TempDir::new("cluster-share");
    let world = t.path().display().to_string();
    let o = chiptrace(&["generate", "--out", &world, "--records", "3000", "--seed", "7", "--shards", "2"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = scan(t.path(), &["--local-cluster", "3", "--timings"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("rank 0 prints JSON");
    let records = v["stats"]["records"].as_u64().expect("stats.records");
    let err = stderr(&o);
    let indexed: Vec<u64> = err
        .lines()
        .filter(|l| l.starts_with("cluster rank "))
        .filter_map(|l| l.split("; ").find_map(indexed_count))
        .collect();
    assert_eq!(indexed.len(), 3, "one figures line per rank:\n{err}");
    for (rank, &n) in indexed.iter().enumerate() {
        assert!(n > 0 && n < records, "rank {rank} indexed {n} of {records} records");
    }
    let sum: u64 = indexed.iter().sum();
    assert!(sum >= records && sum <= 2 * records, "{sum} indexed in all, {records} records");
}

/// The count in a figures line's part "N records indexed, ...".
fn indexed_count(part: &str) -> Option<u64> {
    let (n, rest) = part.split_once(' ')?;
    if rest.starts_with("records indexed") { n.parse().ok() } else { None }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, .. ProptestConfig::default() })]

    /// Small random worlds, sharded or not, on 1 to 4 processes.
    #[test]
    fn any_world_on_any_number_of_processes_gives_the_one_process_report(
        seed in 1u64..1_000_000,
        records in 30u64..600,
        shards in 0usize..5,
        processes in 1usize..5,
    ) {
        let t = TempDir::new("cluster-prop");
        let mut args: Vec<String> = vec!["generate".into(), "--out".into(), t.path().display().to_string(),
            "--records".into(), records.to_string(), "--seed".into(), seed.to_string()];
        if shards > 0 {
            args.extend(["--shards".to_string(), shards.to_string()]);
        }
        let o = chiptrace_os(&args);
        prop_assert_eq!(code(&o), 0, "{}", stderr(&o));
        let one = scan(t.path(), &[]);
        let many = scan(t.path(), &["--local-cluster", &processes.to_string()]);
        prop_assert_eq!(code(&many), code(&one), "{}", stderr(&many));
        prop_assert!(stdout(&many) == stdout(&one), "report of {} processes on {} records, {} shards", processes, records, shards);
    }
}

/// Waits for a child, killing it (and failing) if it hangs.
fn wait_bounded(mut c: std::process::Child, what: &str) -> Output {
    let t = Instant::now();
    loop {
        if c.try_wait().expect("wait").is_some() {
            return c.wait_with_output().expect("output");
        }
        if t.elapsed() > Duration::from_secs(90) {
            let _ = c.kill();
            panic!("{what} did not end after a peer died: it hangs");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// How a test stops a rank mid-run.
#[derive(Clone, Copy, PartialEq)]
enum Stop {
    /// SIGKILL: the process dies and its sockets close.
    Kill,
    /// SIGSTOP: the process hangs with its sockets open.
    Hang,
}

/// Starts 3 ranks on a sharded world, stops rank 2 the way `stop` says once
/// it has said (on stderr, with --timings) that its first round is done,
/// and checks that ranks 0 and 1 end with exit code 2, no report, and an
/// error naming rank 2 and its host, `why` included.
fn stop_rank_2_mid_run(stop: Stop, why: &str) {
    let t = TempDir::new("cluster-stop");
    let world = t.path().join("world");
    // Large enough that reading it outlasts the signal by far (seconds in a
    // debug build), so rank 2 is stopped mid-run, never after the end.
    generate_with(&world, 20_000, 3, &["--shards", "3"]);
    let (hosts, addrs) = hosts_file(&t, 3);
    let start = |rank: usize| {
        let mut c = Command::new(bin());
        c.arg("scan").arg(&world).args(["--format", "json", "--timings", "--peer-timeout", "5", "--cluster"]);
        c.arg(&hosts).args(["--rank", &rank.to_string()]).stdout(Stdio::piped()).stderr(Stdio::piped());
        c.spawn().expect("start a rank")
    };
    let others = vec![start(0), start(1)];
    let mut victim = start(2);
    let mut err = BufReader::new(victim.stderr.take().expect("stderr"));
    let mut line = String::new();
    err.read_line(&mut line).expect("rank 2 stderr");
    assert!(line.contains("cluster rank 2: round layout done"), "{line}");
    match stop {
        Stop::Kill => victim.kill().expect("kill rank 2"),
        Stop::Hang => {
            let o = Command::new("kill").args(["-STOP", &victim.id().to_string()]).output().expect("kill -STOP");
            assert!(o.status.success(), "kill -STOP: {}", String::from_utf8_lossy(&o.stderr));
        }
    }
    for (rank, c) in others.into_iter().enumerate() {
        let o = wait_bounded(c, &format!("rank {rank}"));
        let stderr = stderr(&o);
        assert_eq!(code(&o), 2, "rank {rank}: {stderr}");
        assert!(o.stdout.is_empty(), "rank {rank} printed a report after rank 2 stopped: {}", stdout(&o));
        let named = format!("error: cluster: rank 2 ({}) {why}", addrs[2]);
        assert!(stderr.contains(&named), "rank {rank} names the lost rank ({named}): {stderr}");
        assert!(stderr.contains("no report: the scan did not finish on every rank"), "rank {rank}: {stderr}");
        assert!(!stderr.contains("round findings done"), "rank {rank} finished its last round: {stderr}");
    }
    let _ = victim.kill(); // a stopped process is killed too
    let _ = victim.wait();
}

#[test]
fn a_killed_process_makes_the_others_fail_naming_it_with_no_report() {
    stop_rank_2_mid_run(Stop::Kill, "stopped answering");
}

#[test]
fn a_hung_process_makes_the_others_fail_naming_it_with_no_report() {
    stop_rank_2_mid_run(Stop::Hang, "stopped answering: no heartbeat for 5 s");
}

#[test]
fn a_process_that_never_comes_is_named_after_the_connect_timeout() {
    let t = TempDir::new("cluster-absent");
    let (hosts, addrs) = hosts_file(&t, 2);
    let o = chiptrace_os(&[
        "scan".as_ref(),
        fixture("demo").as_os_str(),
        "--cluster".as_ref(),
        hosts.as_os_str(),
        "--rank".as_ref(),
        "0".as_ref(),
        "--connect-timeout".as_ref(),
        "1".as_ref(),
    ]);
    assert_eq!(code(&o), 2);
    assert!(o.stdout.is_empty());
    assert!(
        stderr(&o).contains(&format!("cluster: rank 1 ({}) could not be reached within 1 s", addrs[1])),
        "{}",
        stderr(&o)
    );
}
