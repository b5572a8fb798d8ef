//! The generator's source of randomness: ChaCha8 seeded from the user's seed
//! (stable across platforms and crate versions, so a seed names a world), with
//! the few draws a synthetic trade world needs. No draw panics: empty ranges
//! and empty slices fall back to a fixed value.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cell::RefCell;

/// Draws take `&self` (the state sits in a `RefCell`, never borrowed twice)
/// so that a draw can be an argument of a call that borrows the generator.
pub struct Rng(RefCell<ChaCha8Rng>);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(RefCell::new(ChaCha8Rng::seed_from_u64(seed)))
    }

    /// Uniform in [0, 1).
    pub fn unit(&self) -> f64 {
        self.0.borrow_mut().random::<f64>()
    }

    pub fn chance(&self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform integer in [lo, hi]; `lo` when the range is empty.
    pub fn range(&self, lo: i64, hi: i64) -> i64 {
        if hi <= lo { lo } else { self.0.borrow_mut().random_range(lo..=hi) }
    }

    /// A uniform element; panics never, but `items` must not be empty
    /// (every table passed here is a non-empty constant).
    pub fn pick<T: Copy>(&self, items: &[T]) -> T {
        let i = self.range(0, items.len() as i64 - 1) as usize;
        items[i.min(items.len().saturating_sub(1))]
    }

    /// An element drawn with the given weights (the first when all are zero).
    pub fn weighted<T: Copy>(&self, items: &[(T, f64)]) -> T {
        let total: f64 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.unit() * total;
        for (item, w) in items {
            if x < *w {
                return *item;
            }
            x -= w;
        }
        items[items.len() - 1].0
    }

    /// Pareto with minimum 1 and tail index `alpha`: a few very large values.
    pub fn pareto(&self, alpha: f64) -> f64 {
        let u = 1.0 - self.unit();
        u.powf(-1.0 / alpha)
    }

    /// Log-uniform integer in [lo, hi]: as many small orders as large ones per decade.
    pub fn log_uniform(&self, lo: u32, hi: u32) -> u32 {
        let (l, h) = ((lo.max(1) as f64).ln(), (hi.max(lo).max(1) as f64).ln());
        ((l + self.unit() * (h - l)).exp().round() as u32).clamp(lo.max(1), hi.max(lo).max(1))
    }
}
