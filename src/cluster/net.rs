//! Connecting the processes of a cluster, and noticing when one is lost.
//!
//! timely's own connection code retries an unreachable peer forever and
//! prints its progress to standard output, where rank 0 prints the report.
//! So the sockets are made here, with a deadline and a handshake that checks
//! each peer is the rank the hosts file says and runs the same scan, and
//! handed to timely ready-made. Once running, timely's network threads panic
//! when a peer's connection breaks (`timely communication error: ...`) in a
//! thread named `timely:recv-I` or `timely:send-I`, I being the peer's rank;
//! [`watch_panics`] turns that into a [`Lost`] naming the rank, and a
//! watchdog ends the process within a bounded time even if a worker is busy
//! in a long local stage.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Why a cluster run failed.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("cluster: rank {rank} ({host}) could not be reached within {secs} s: {why}")]
    Unreachable { rank: usize, host: String, secs: u64, why: String },
    #[error("cluster: rank {rank} ({host}) {why}")]
    Lost { rank: usize, host: String, why: String },
    #[error("cluster: {0}")]
    Setup(String),
}

/// The first peer lost while the cluster ran: (rank, what happened).
static LOST: OnceLock<(usize, String)> = OnceLock::new();
/// Set once the run is over, so that late panics of network threads as
/// peers shut down are not reported.
static QUIET: OnceLock<()> = OnceLock::new();
/// The hosts, for the watchdog's message.
static HOSTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The peer lost while the cluster ran, if any.
pub fn lost() -> Option<(usize, String)> {
    LOST.get().cloned()
}

/// Reports the loss of a peer as an error naming it.
pub fn lost_error(rank: usize, why: &str, hosts: &[String]) -> ClusterError {
    ClusterError::Lost { rank, host: hosts.get(rank).cloned().unwrap_or_default(), why: why.to_string() }
}

/// Replaces the panic hook: a panic of a timely network thread records the
/// peer it talks to and prints nothing (the run ends with one clear error
/// instead); any other panic is printed as before. After a peer is lost, a
/// watchdog ends this process within `grace` with that error, whatever the
/// workers are doing.
pub fn watch_panics(hosts: &[String], grace: Duration) {
    if let Ok(mut h) = HOSTS.lock() {
        *h = hosts.to_vec();
    }
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let name = std::thread::current().name().unwrap_or("").to_string();
        let peer = name.strip_prefix("timely:recv-").or_else(|| name.strip_prefix("timely:send-"));
        let message = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        if let Some(rank) = peer.and_then(|p| p.parse::<usize>().ok()) {
            let why = message.strip_prefix("timely communication error: ").unwrap_or(&message).to_string();
            if LOST.set((rank, format!("stopped answering ({why})"))).is_ok() && QUIET.get().is_none() {
                std::thread::spawn(move || {
                    std::thread::sleep(grace);
                    if QUIET.get().is_none() {
                        let hosts = HOSTS.lock().map(|h| h.clone()).unwrap_or_default();
                        let (rank, why) = lost().unwrap_or((rank, String::new()));
                        eprintln!("error: {}", lost_error(rank, &why, &hosts));
                        eprintln!("  no report: the scan did not finish on every rank");
                        std::process::exit(crate::cli::EXIT_BAD_INPUT);
                    }
                });
            }
            return;
        }
        if LOST.get().is_some() && message.contains("MergeQueue poisoned") {
            return; // a worker noticing the loss already recorded
        }
        default(info);
    }));
}

/// Marks the run as over: network threads that panic from now on, as peers
/// close their connections, are not a failure.
pub fn quiet() {
    let _ = QUIET.set(());
}

/// A random-enough tag for this run's handshake.
const MAGIC: u64 = 0x6368_6970_7472_6163; // "chiptrac"

/// Connects to every other process: the listed address of each lower rank
/// is dialled (retried until `timeout`), each higher rank is awaited on this
/// rank's own address. `key` identifies the run (the case and the options
/// that change the report); a peer with another key, rank or cluster size is
/// refused. Returns one stream a rank, None at `rank` itself.
pub fn connect(
    hosts: &[String],
    rank: usize,
    key: u64,
    timeout: Duration,
) -> Result<Vec<Option<TcpStream>>, ClusterError> {
    let n = hosts.len();
    let deadline = Instant::now() + timeout;
    let secs = timeout.as_secs();
    let mut out: Vec<Option<TcpStream>> = (0..n).map(|_| None).collect();
    let listener = if rank + 1 < n {
        let addr = &hosts[rank];
        let l = TcpListener::bind(addr)
            .map_err(|e| ClusterError::Setup(format!("rank {rank} cannot listen on {addr}: {e}")))?;
        l.set_nonblocking(true).map_err(|e| ClusterError::Setup(e.to_string()))?;
        Some(l)
    } else {
        None
    };
    // Dial the lower ranks.
    for (peer, addr) in hosts.iter().enumerate().take(rank) {
        let mut last;
        let stream = loop {
            let attempt = addr
                .to_socket_addrs()
                .map_err(|e| e.to_string())
                .and_then(|mut a| a.next().ok_or_else(|| "the name resolves to no address".to_string()))
                .and_then(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).map_err(|e| e.to_string()));
            match attempt {
                Ok(s) => break s,
                Err(e) => last = e,
            }
            if Instant::now() >= deadline {
                return Err(ClusterError::Unreachable { rank: peer, host: addr.clone(), secs, why: last });
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let s = handshake(stream, rank, n, key, deadline).map_err(|why| ClusterError::Lost {
            rank: peer,
            host: addr.clone(),
            why,
        })?;
        if s.1 != peer {
            return Err(ClusterError::Setup(format!(
                "{addr} answered as rank {} where the hosts file has rank {peer}",
                s.1
            )));
        }
        out[peer] = Some(s.0);
    }
    // Await the higher ranks.
    if let Some(l) = listener {
        while out.iter().enumerate().any(|(i, s)| i > rank && s.is_none()) {
            match l.accept() {
                Ok((stream, _)) => {
                    stream.set_nonblocking(false).map_err(|e| ClusterError::Setup(e.to_string()))?;
                    match handshake(stream, rank, n, key, deadline) {
                        Ok((s, peer)) if peer > rank && peer < n && out[peer].is_none() => out[peer] = Some(s),
                        Ok((_, peer)) => {
                            return Err(ClusterError::Setup(format!(
                                "a process connected as rank {peer}, which is not a rank this one awaits"
                            )));
                        }
                        Err(why) => return Err(ClusterError::Setup(format!("a peer failed the handshake: {why}"))),
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        let missing = (rank + 1..n).find(|&i| out[i].is_none()).unwrap_or(rank);
                        return Err(ClusterError::Unreachable {
                            rank: missing,
                            host: hosts[missing].clone(),
                            secs,
                            why: "it never connected".into(),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => return Err(ClusterError::Setup(format!("accepting on {}: {e}", hosts[rank]))),
            }
        }
    }
    for s in out.iter().flatten() {
        let _ = s.set_nodelay(true);
    }
    Ok(out)
}

/// Both sides send (magic, key, rank, size) and check the other's.
fn handshake(
    mut s: TcpStream,
    rank: usize,
    n: usize,
    key: u64,
    deadline: Instant,
) -> Result<(TcpStream, usize), String> {
    let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_secs(1));
    s.set_read_timeout(Some(left)).map_err(|e| e.to_string())?;
    let mut hello = Vec::with_capacity(32);
    for x in [MAGIC, key, rank as u64, n as u64] {
        hello.extend_from_slice(&x.to_be_bytes());
    }
    s.write_all(&hello).map_err(|e| format!("handshake: {e}"))?;
    let mut got = [0u8; 32];
    s.read_exact(&mut got).map_err(|e| format!("handshake: {e}"))?;
    let word = |i: usize| u64::from_be_bytes(got[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
    if word(0) != MAGIC {
        return Err("is not a chiptrace cluster process".into());
    }
    if word(3) != n as u64 {
        return Err(format!("runs a cluster of {} processes, this one of {n}", word(3)));
    }
    if word(1) != key {
        return Err("runs another scan (other case path or options)".into());
    }
    s.set_read_timeout(None).map_err(|e| e.to_string())?;
    Ok((s, word(2) as usize))
}
