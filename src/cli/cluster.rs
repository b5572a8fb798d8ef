//! `chiptrace scan CASE --cluster HOSTS --rank I` (one process of a cluster,
//! `crate::cluster`) and `chiptrace scan CASE --local-cluster N` (N such
//! processes started here on 127.0.0.1, rank 0's report printed).

use super::scan::Args;
use super::{EXIT_BAD_INPUT, EXIT_OK};
use crate::cluster::{ClusterConfig, Figures, Round, Stage};
use std::ffi::OsString;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs this process as `--rank` of `--cluster`. Rank 0 prints what the
/// one-process scan prints; the other ranks print nothing unless they fail.
pub fn run(a: &Args) -> anyhow::Result<i32> {
    let started = Instant::now();
    let (Some(hosts), Some(rank)) = (&a.cluster, a.rank) else { return Ok(EXIT_BAD_INPUT) };
    let config = ClusterConfig {
        hosts: crate::cluster::read_hosts(hosts)?,
        rank,
        workers: a.workers,
        connect_timeout: Duration::from_secs(a.connect_timeout),
        peer_timeout: Duration::from_secs(a.peer_timeout.max(1)),
        on_round: a.timings.then_some(say_round as fn(usize, &Round)),
        on_stage: a.timings.then_some(say_stage as fn(usize, &Stage)),
    };
    let opts = crate::read::ReadOptions { policy_file: a.policy.clone(), ..Default::default() };
    let outcome = match crate::cluster::run(&a.case, &opts, &config) {
        Ok(o) => o,
        Err(e @ crate::cluster::ClusterError::Lost { .. }) => {
            say!("error: {e}");
            say!("  no report: the scan did not finish on every rank");
            return Ok(EXIT_BAD_INPUT);
        }
        Err(e) => return Err(e.into()),
    };
    if rank != 0 {
        // Every rank read the same diagnostics; rank 0 prints them.
        return Ok(if outcome.loaded.diags.errors() > 0 { EXIT_BAD_INPUT } else { EXIT_OK });
    }
    let Some(loaded) = super::checked(&a.case, outcome.loaded) else { return Ok(EXIT_BAD_INPUT) };
    super::lists_notice(&a.case, &loaded);
    let Some(mut report) = outcome.report else { anyhow::bail!("cluster: rank 0 ended without a report") };
    report.diagnostics = loaded.diags.warnings();
    let read_time = outcome.figures.first().and_then(|f| f.rounds.get(1)).map_or(0.0, |r| r.secs);
    if a.timings {
        print_figures(&outcome.figures);
    }
    super::scan::output(a, &loaded, report, Duration::from_secs_f64(read_time), started)
}

/// One line on stderr as each round of this rank ends, so that a team
/// watching a cluster sees where every rank is (and where one stopped).
fn say_round(rank: usize, r: &Round) {
    say!("cluster rank {rank}: round {} done in {:.3} s, sent {} B, received {} B", r.name, r.secs, r.sent, r.received);
}

/// One line on stderr as each stage of this rank ends: its memory now and its peak so far.
fn say_stage(rank: usize, s: &Stage) {
    say!(
        "cluster rank {rank}: memory after {}: {:.0} MiB resident, peak so far {:.0} MiB",
        s.name,
        s.rss_mib,
        s.peak_mib
    );
}

/// Each rank's rounds: seconds, bytes sent to and received from other ranks,
/// its share of the work and its peak memory; then each round of its route
/// search.
fn print_figures(figures: &[Figures]) {
    for f in figures {
        let rounds: Vec<String> = f
            .rounds
            .iter()
            .map(|r| format!("{} {:.3} s sent {} B recv {} B", r.name, r.secs, r.sent, r.received))
            .collect();
        say!(
            "cluster rank {}: {}; {} records indexed, {} steps, {} groups, {} findings; peak {:.0} MiB",
            f.rank,
            rounds.join("; "),
            f.indexed,
            f.steps,
            f.groups,
            f.findings,
            f.peak_mib
        );
        let search: Vec<String> = f.search.iter().map(|(walks, bytes)| format!("{walks} walks {bytes} B")).collect();
        say!("cluster rank {}: search rounds (walks stepped, bytes sent): {}", f.rank, search.join(", "));
    }
}

/// Starts `--local-cluster N` processes of this binary on 127.0.0.1, each
/// with the same arguments plus `--cluster HOSTS --rank I`, and waits for
/// them. Rank 0's output is this command's output; its exit code is this
/// command's, unless another rank failed.
pub fn local(a: &Args) -> anyhow::Result<i32> {
    let n = a.local_cluster.unwrap_or(1) as usize;
    // Ports the system has free now; held together so that they differ.
    let listeners: Vec<std::net::TcpListener> =
        (0..n).map(|_| std::net::TcpListener::bind("127.0.0.1:0")).collect::<Result<_, _>>()?;
    let hosts: Vec<String> =
        listeners.iter().map(|l| l.local_addr().map(|a| a.to_string())).collect::<Result<_, _>>()?;
    drop(listeners);
    static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let file = std::env::temp_dir().join(format!(
        "chiptrace-cluster-{}-{}.hosts",
        std::process::id(),
        SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::write(&file, hosts.join("\n") + "\n")?;
    let result = run_children(n, &file);
    let _ = std::fs::remove_file(&file);
    result
}

fn run_children(n: usize, hosts: &std::path::Path) -> anyhow::Result<i32> {
    // This command's arguments without --local-cluster.
    let mut args: Vec<OsString> = Vec::new();
    let mut it = std::env::args_os().skip(1);
    while let Some(x) = it.next() {
        match x.to_str() {
            Some("--local-cluster") => {
                it.next();
            }
            Some(s) if s.starts_with("--local-cluster=") => {}
            _ => args.push(x),
        }
    }
    let exe = std::env::current_exe()?;
    let mut children = Vec::new();
    for rank in 0..n {
        let child = Command::new(&exe)
            .args(&args)
            .arg("--cluster")
            .arg(hosts)
            .arg("--rank")
            .arg(rank.to_string())
            .stdin(Stdio::null())
            .stdout(if rank == 0 { Stdio::inherit() } else { Stdio::null() })
            .stderr(Stdio::inherit())
            .spawn();
        match child {
            Ok(c) => children.push(c),
            Err(e) => {
                for mut c in children {
                    let _ = c.kill();
                    let _ = c.wait();
                }
                anyhow::bail!("cannot start cluster rank {rank}: {e}");
            }
        }
    }
    // Wait for all; once one has failed, the others end on their own within
    // seconds (they lose it); past a minute they are stopped.
    let mut codes: Vec<Option<i32>> = vec![None; n];
    let mut failed_at: Option<Instant> = None;
    while codes.iter().any(Option::is_none) {
        for (i, c) in children.iter_mut().enumerate() {
            if codes[i].is_none()
                && let Ok(Some(status)) = c.try_wait()
            {
                let code = status.code().unwrap_or(EXIT_BAD_INPUT);
                codes[i] = Some(code);
                if code != EXIT_OK && code != super::EXIT_FINDINGS && failed_at.is_none() {
                    failed_at = Some(Instant::now());
                }
            }
        }
        if failed_at.is_some_and(|t| t.elapsed() > Duration::from_secs(60)) {
            for (i, c) in children.iter_mut().enumerate() {
                if codes[i].is_none() {
                    let _ = c.kill();
                    let _ = c.wait();
                    codes[i] = Some(EXIT_BAD_INPUT);
                }
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let codes: Vec<i32> = codes.into_iter().map(|c| c.unwrap_or(EXIT_BAD_INPUT)).collect();
    Ok(if codes.contains(&EXIT_BAD_INPUT) { EXIT_BAD_INPUT } else { codes[0] })
}
