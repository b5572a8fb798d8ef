//! One collective step on timely dataflow: every worker sends byte messages
//! to chosen workers and gets back, once all have sent, what was sent to it.
//! Each step is a small dataflow run to completion (a round of a
//! bulk-synchronous program): messages are cut into parts of at most
//! [`PART`] bytes, exchanged by target, captured, and put back together in
//! (sender, message) order, so what a worker receives does not depend on
//! arrival order.

use timely::dataflow::operators::capture::Extract;
use timely::dataflow::operators::{Capture, Exchange, ToStream};
use timely::worker::Worker;

/// The largest part a message is cut into.
pub const PART: usize = 1 << 20;

/// (target, sender, message, part, bytes)
type Piece = (u64, u64, u64, u64, Vec<u8>);

/// What one step moved: bytes this worker sent to others and received from others.
#[derive(Clone, Copy, Debug, Default)]
pub struct Traffic {
    pub sent: u64,
    pub received: u64,
}

/// Sends each `(target worker, bytes)` of `out` and returns the messages
/// sent to this worker as (sender, bytes), by sender then order sent.
pub fn exchange(worker: &mut Worker, out: Vec<(usize, Vec<u8>)>) -> (Vec<(usize, Vec<u8>)>, Traffic) {
    let me = worker.index() as u64;
    let mut traffic = Traffic::default();
    let mut pieces: Vec<Piece> = Vec::new();
    for (m, (to, bytes)) in out.into_iter().enumerate() {
        if to as u64 != me {
            traffic.sent += bytes.len() as u64;
        }
        if bytes.is_empty() {
            pieces.push((to as u64, me, m as u64, 0, Vec::new()));
        }
        for (p, chunk) in bytes.chunks(PART).enumerate() {
            pieces.push((to as u64, me, m as u64, p as u64, chunk.to_vec()));
        }
    }
    let recv = worker.dataflow::<u64, _, _>(move |scope| {
        pieces.to_stream(scope).container::<Vec<Piece>>().exchange(|p: &Piece| p.0).capture()
    });
    while worker.step_or_park(None) {}
    let mut got: Vec<Piece> = recv.extract().into_iter().flat_map(|(_, v)| v).collect();
    got.sort_by_key(|p| (p.1, p.2, p.3));
    let mut msgs: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut last: Option<(u64, u64)> = None;
    for (_, from, m, _, bytes) in got {
        if from != me {
            traffic.received += bytes.len() as u64;
        }
        match msgs.last_mut() {
            Some(cur) if last == Some((from, m)) => cur.1.extend_from_slice(&bytes),
            _ => msgs.push((from as usize, bytes)),
        }
        last = Some((from, m));
    }
    (msgs, traffic)
}
