//! Independent pieces of work run side by side on the rayon pool, or one
//! after the other for the sequential twin (`--threads 1`): the index stage
//! builds its tables this way, and each caller's property test holds the
//! two orders to the same result.

/// `a` and `b`, on the rayon pool when `parallel` (see `rayon::join`), else
/// `a` then `b` on this thread. Neither may depend on the other's effects.
pub fn join<A, B, RA, RB>(parallel: bool, a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    if parallel {
        rayon::join(a, b)
    } else {
        let ra = a();
        (ra, b())
    }
}
