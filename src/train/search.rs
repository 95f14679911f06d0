//! Exact `ΔE` of a jump in one pass over a column, and the linearised ranking.

use super::state::{Problem, State};
use crate::transfer::relative_distance;
use crate::{Float, Transfer};

/// What one prototype's jump changes, per object: after `w_k := c`, the distance that
/// can change becomes `min(d(i, c), cap_i)` while the other one stays `fixed_i`;
/// `same_i` says whether the changing one is `d⁺` (same label as `k`) or `d⁻`.
///
/// With it, `ΔE(k, c)` is one pass over `d(·, c)`: an object with `d(i, c) >= cap_i`
/// ends at its cap whatever `c` is, so its change is precomputed once per prototype
/// (`base`), and the pass computes a term only for the few objects that `c` comes
/// closer to (the division and transfer are skipped for all others).
pub(crate) struct JumpFrame<F> {
    cap: Vec<F>,
    fixed: Vec<F>,
    same: Vec<bool>,
    /// The term of object `i` at its cap.
    at_cap: Vec<F>,
    /// `Σ_i (at_cap_i − φ_i)`: `ΔE` of a candidate that comes closer to nobody.
    base: F,
}

impl<F: Float> JumpFrame<F> {
    pub fn new(n: usize) -> Self {
        Self { cap: vec![F::zero(); n], fixed: vec![F::zero(); n], same: vec![false; n], at_cap: vec![F::zero(); n], base: F::zero() }
    }

    /// Prepares the frame for prototype `k`: `O(n)`.
    pub fn prepare(&mut self, state: &State<F>, problem: &Problem<'_, F>, k: usize) {
        let y = problem.y;
        let ck = state.pclass[k];
        for (i, &yi) in y.iter().enumerate().take(self.cap.len()) {
            if yi == ck {
                // If `k` is the closest, removing it leaves the second closest.
                self.cap[i] = if state.kp[i] == k { state.ep[i] } else { state.dp[i] };
                self.fixed[i] = state.dm[i];
                self.same[i] = true;
            } else {
                self.cap[i] = if state.km[i] == k { state.em[i] } else { state.dm[i] };
                self.fixed[i] = state.dp[i];
                self.same[i] = false;
            }
        }
        let m = problem.margin;
        match problem.transfer {
            Transfer::Identity => self.cap_terms(problem, &state.phi, |x| x + m),
            Transfer::Sigmoid { beta } => self.cap_terms(problem, &state.phi, |x| F::one() / (F::one() + (-beta * (x + m)).exp())),
            Transfer::LogLikelihood => self.cap_terms(problem, &state.phi, |x| -(F::from_f64(4.0) - (x + m)).ln()),
        }
    }

    fn cap_terms(&mut self, problem: &Problem<'_, F>, phi: &[F], phi_of: impl Fn(F) -> F) {
        let mut acc = [F::zero(); 4];
        for i in 0..self.cap.len() {
            // An infinite cap (no second prototype on that side) is never reached:
            // every candidate comes closer, so the pass computes the term; counting
            // `φ_i` here makes the object's share of `base` zero.
            let t = if self.cap[i].is_finite() { self.new_term(problem, i, self.cap[i], &phi_of) } else { phi[i] };
            self.at_cap[i] = t;
            acc[i % 4] += t - phi[i];
        }
        self.base = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    }

    /// `ΔE` in working precision (for ranking candidates).
    pub fn delta(&self, problem: &Problem<'_, F>, col: &[F]) -> F {
        let m = problem.margin;
        match problem.transfer {
            Transfer::Identity => self.sum(problem, col, |x| x + m),
            Transfer::Sigmoid { beta } => self.sum(problem, col, |x| F::one() / (F::one() + (-beta * (x + m)).exp())),
            Transfer::LogLikelihood => self.sum(problem, col, |x| -(F::from_f64(4.0) - (x + m)).ln()),
        }
    }

    /// The term of object `i` after the jump; bit-identical to what the E-step would
    /// compute, so unchanged objects contribute exactly zero.
    #[inline(always)]
    fn new_term(&self, problem: &Problem<'_, F>, i: usize, x: F, phi_of: &impl Fn(F) -> F) -> F {
        let cap = self.cap[i];
        let t = if x < cap { x } else { cap };
        let f = self.fixed[i];
        let mu = if self.same[i] { relative_distance(t, f) } else { relative_distance(f, t) };
        problem.v[i] * phi_of(mu)
    }

    #[inline(always)]
    fn sum(&self, problem: &Problem<'_, F>, col: &[F], phi_of: impl Fn(F) -> F) -> F {
        // Four partial sums in a fixed order: deterministic, and faster than one chain.
        let mut acc = [F::zero(); 4];
        let n = col.len().min(self.cap.len());
        for (i, (&x, &cap)) in col.iter().zip(&self.cap).enumerate().take(n) {
            if x < cap {
                acc[i % 4] += self.new_term(problem, i, x, &phi_of) - self.at_cap[i];
            }
        }
        self.base + ((acc[0] + acc[1]) + (acc[2] + acc[3]))
    }

    /// `ΔE` summed in `f64`: decides acceptance, so that the recorded cost (summed the
    /// same way) never rises.
    pub fn delta_exact(&self, problem: &Problem<'_, F>, phi: &[F], col: &[F]) -> f64 {
        let phi_of = |x: F| problem.transfer.value(x + problem.margin);
        (0..col.len()).map(|i| self.new_term(problem, i, col[i], &phi_of).as_f64() - phi[i].as_f64()).sum()
    }
}

/// Column `k` of the linearised weights `A` (ALGORITHM.md): `a_i` on the objects
/// whose closest same-label prototype is `k`, `−b_i` on those whose closest
/// other-label prototype is `k`, zero elsewhere.
pub(crate) fn linear_weights<F: Float>(state: &State<F>, problem: &Problem<'_, F>, k: usize, out: &mut [F]) {
    let two = F::one() + F::one();
    for (i, w) in out.iter_mut().enumerate() {
        *w = F::zero();
        let (dp, dm) = (state.dp[i], state.dm[i]);
        let den = dp + dm;
        if den <= F::zero() || den.is_nan() {
            continue;
        }
        let g = problem.v[i] * problem.transfer.derivative(relative_distance(dp, dm) + problem.margin) * two / (den * den);
        if state.kp[i] == k {
            *w = g * dm;
        } else if state.km[i] == k {
            *w = -(g * dp);
        }
    }
}
