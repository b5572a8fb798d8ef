//! Connecting the processes of a cluster, and noticing when one is lost.
//!
//! timely's own connection code retries an unreachable peer forever and
//! prints its progress to standard output, where rank 0 prints the report.
//! So the sockets are made here, with a deadline and a handshake that checks
//! each peer is the rank the hosts file says and runs the same scan, and
//! handed to timely ready-made. Once running, timely's network threads panic
//! when a peer's connection breaks (`timely communication error: ...`) in a
//! thread named `timely:recv-I` or `timely:send-I`, I being the peer's rank;
//! [`watch_panics`] turns that into a loss naming the rank, and a
//! watchdog ends the process within a bounded time even if a worker is busy
//! in a long local stage.
//!
//! A peer that hangs (stopped with SIGSTOP, swapped out, deadlocked) keeps
//! its sockets open and breaks nothing, so timely would wait for it forever.
//! Beside each data connection every pair of ranks therefore keeps a
//! heartbeat connection ([`heartbeat`]): each side sends a byte every
//! `timeout / 5` from a thread of its own, whatever its workers are doing,
//! and a peer silent for `timeout` is lost. A rank that finished cleanly says
//! goodbye on it before it closes, so its end is not taken for a loss.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
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
            mark_lost(rank, format!("stopped answering ({why})"), grace);
            return;
        }
        if LOST.get().is_some() && message.contains("MergeQueue poisoned") {
            return; // a worker noticing the loss already recorded
        }
        default(info);
    }));
}

/// Records `rank` as lost (the first loss wins) and, unless the run is over,
/// ends this process after `grace` with an error naming it, whatever the
/// workers are doing. The grace keeps this rank's connections open a moment,
/// so that the other ranks also see the rank that really failed first, not
/// this one closing after it.
fn mark_lost(rank: usize, why: String, grace: Duration) {
    if LOST.set((rank, why)).is_ok() && QUIET.get().is_none() {
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
}

/// Marks the run as over: network threads that panic from now on, as peers
/// close their connections, are not a failure.
pub fn quiet() {
    let _ = QUIET.set(());
}

/// Set when this rank has finished cleanly: the heartbeat senders say
/// goodbye and stop.
static DONE: AtomicBool = AtomicBool::new(false);

/// A heartbeat byte: "still here".
const BEAT: u8 = 1;
/// The last byte a rank that finished cleanly sends: "done, closing".
const BYE: u8 = 2;

/// Keeps one heartbeat connection per peer (`beats`, by rank): a thread
/// sends [`BEAT`] every `timeout / 5`, another reads the peer's, and a peer
/// that sends nothing for `timeout`, or closes without saying [`BYE`], is
/// lost (see [`mark_lost`]; the process ends `grace` later naming it).
pub fn heartbeat(beats: Vec<Option<TcpStream>>, timeout: Duration, grace: Duration) {
    let every = (timeout / 5).max(Duration::from_millis(50));
    for (peer, stream) in beats.into_iter().enumerate() {
        let Some(stream) = stream else { continue };
        let (Ok(mut out), Ok(bye)) = (stream.try_clone(), stream.try_clone()) else {
            mark_lost(peer, "cannot keep its heartbeat connection".into(), grace);
            continue;
        };
        if let Ok(mut b) = BEATS.lock() {
            b.push(bye);
        }
        let _ = std::thread::Builder::new().name(format!("chiptrace:beat-send-{peer}")).spawn(move || {
            loop {
                if DONE.load(Ordering::Acquire) {
                    return; // `done` said goodbye
                }
                if out.write_all(&[BEAT]).is_err() {
                    return; // the reader on this connection reports the loss
                }
                std::thread::sleep(every);
            }
        });
        let mut inn = stream;
        let _ = std::thread::Builder::new().name(format!("chiptrace:beat-recv-{peer}")).spawn(move || {
            let _ = inn.set_read_timeout(Some(timeout));
            let mut byte = [0u8; 64];
            loop {
                let got = inn.read(&mut byte);
                if QUIET.get().is_some() {
                    return;
                }
                let why = match got {
                    Ok(n) if n > 0 && byte[..n].contains(&BYE) => return,
                    Ok(n) if n > 0 => continue,
                    Ok(_) => "stopped answering: its connection closed before the run finished (the process ended)".to_string(),
                    Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                        format!(
                            "stopped answering: no heartbeat for {} s (the process hangs, is stopped or its host is unreachable)",
                            timeout.as_secs_f64()
                        )
                    }
                    Err(e) => format!("stopped answering ({e})"),
                };
                mark_lost(peer, why, grace);
                return;
            }
        });
    }
}

/// The heartbeat connections, to say goodbye on.
static BEATS: Mutex<Vec<TcpStream>> = Mutex::new(Vec::new());

/// Says goodbye on every heartbeat connection: this rank finished cleanly
/// and its connections closing from now on are no loss.
pub fn done() {
    DONE.store(true, Ordering::Release);
    if let Ok(mut beats) = BEATS.lock() {
        for s in beats.iter_mut() {
            let _ = s.write_all(&[BYE]);
        }
    }
}

/// A random-enough tag for this run's handshake.
const MAGIC: u64 = 0x6368_6970_7472_6163; // "chiptrac"

/// The connections of one rank to every other: by rank, None at its own.
pub struct Links {
    /// For timely's data.
    pub data: Vec<Option<TcpStream>>,
    /// For [`heartbeat`].
    pub beats: Vec<Option<TcpStream>>,
}

/// The two connections each pair of ranks keeps.
const DATA: u64 = 0;
const BEATS_CHANNEL: u64 = 1;

/// Connects to every other process: the listed address of each lower rank
/// is dialled (retried until `timeout`), each higher rank is awaited on this
/// rank's own address; each pair makes a data and a heartbeat connection.
/// `key` identifies the run (the case and the options that change the
/// report); a peer with another key, rank or cluster size is refused.
pub fn connect(hosts: &[String], rank: usize, key: u64, timeout: Duration) -> Result<Links, ClusterError> {
    let n = hosts.len();
    let deadline = Instant::now() + timeout;
    let secs = timeout.as_secs();
    let mut links = Links { data: (0..n).map(|_| None).collect(), beats: (0..n).map(|_| None).collect() };
    let listener = if rank + 1 < n {
        let addr = &hosts[rank];
        let l = TcpListener::bind(addr)
            .map_err(|e| ClusterError::Setup(format!("rank {rank} cannot listen on {addr}: {e}")))?;
        l.set_nonblocking(true).map_err(|e| ClusterError::Setup(e.to_string()))?;
        Some(l)
    } else {
        None
    };
    // Dial the lower ranks, twice each.
    for (peer, addr) in hosts.iter().enumerate().take(rank) {
        for channel in [DATA, BEATS_CHANNEL] {
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
            let s = handshake(stream, rank, n, key, channel, deadline).map_err(|why| ClusterError::Lost {
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
            let slot = if channel == DATA { &mut links.data } else { &mut links.beats };
            slot[peer] = Some(s.0);
        }
    }
    // Await the higher ranks.
    if let Some(l) = listener {
        let missing = |links: &Links| (rank + 1..n).find(|&i| links.data[i].is_none() || links.beats[i].is_none());
        while let Some(first_missing) = missing(&links) {
            match l.accept() {
                Ok((stream, _)) => {
                    stream.set_nonblocking(false).map_err(|e| ClusterError::Setup(e.to_string()))?;
                    match handshake_any(stream, rank, n, key, deadline) {
                        Ok((s, peer, channel)) if peer > rank && peer < n => {
                            let slot = if channel == DATA { &mut links.data } else { &mut links.beats };
                            if slot[peer].is_some() {
                                return Err(ClusterError::Setup(format!("rank {peer} connected twice")));
                            }
                            slot[peer] = Some(s);
                        }
                        Ok((_, peer, _)) => {
                            return Err(ClusterError::Setup(format!(
                                "a process connected as rank {peer}, which is not a rank this one awaits"
                            )));
                        }
                        Err(why) => return Err(ClusterError::Setup(format!("a peer failed the handshake: {why}"))),
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        return Err(ClusterError::Unreachable {
                            rank: first_missing,
                            host: hosts[first_missing].clone(),
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
    for s in links.data.iter().chain(&links.beats).flatten() {
        let _ = s.set_nodelay(true);
    }
    Ok(links)
}

/// [`handshake`] on an accepted connection, whose channel the peer chooses.
fn handshake_any(
    s: TcpStream,
    rank: usize,
    n: usize,
    key: u64,
    deadline: Instant,
) -> Result<(TcpStream, usize, u64), String> {
    handshake_with(s, rank, n, key, None, deadline)
}

fn handshake(
    s: TcpStream,
    rank: usize,
    n: usize,
    key: u64,
    channel: u64,
    deadline: Instant,
) -> Result<(TcpStream, usize), String> {
    handshake_with(s, rank, n, key, Some(channel), deadline).map(|(s, r, _)| (s, r))
}

/// Both sides send (magic, key, rank, size, channel) and check the other's;
/// the dialling side chooses the channel, the accepting side echoes it.
fn handshake_with(
    mut s: TcpStream,
    rank: usize,
    n: usize,
    key: u64,
    channel: Option<u64>,
    deadline: Instant,
) -> Result<(TcpStream, usize, u64), String> {
    let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_secs(1));
    s.set_read_timeout(Some(left)).map_err(|e| e.to_string())?;
    let hello = |channel: u64| {
        let mut hello = Vec::with_capacity(40);
        for x in [MAGIC, key, rank as u64, n as u64, channel] {
            hello.extend_from_slice(&x.to_be_bytes());
        }
        hello
    };
    if let Some(c) = channel {
        s.write_all(&hello(c)).map_err(|e| format!("handshake: {e}"))?;
    }
    let mut got = [0u8; 40];
    s.read_exact(&mut got).map_err(|e| format!("handshake: {e}"))?;
    let word = |i: usize| u64::from_be_bytes(got[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
    if channel.is_none() {
        s.write_all(&hello(word(4))).map_err(|e| format!("handshake: {e}"))?;
    }
    if word(0) != MAGIC {
        return Err("is not a chiptrace cluster process".into());
    }
    if word(3) != n as u64 {
        return Err(format!("runs a cluster of {} processes, this one of {n}", word(3)));
    }
    if word(1) != key {
        return Err("runs another scan (other case path or options)".into());
    }
    if word(4) > BEATS_CHANNEL || channel.is_some_and(|c| c != word(4)) {
        return Err(format!("asked for connection {} of a pair, which does not exist", word(4)));
    }
    s.set_read_timeout(None).map_err(|e| e.to_string())?;
    Ok((s, word(2) as usize, word(4)))
}
