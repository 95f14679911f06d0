//! Candidate-major sweeps: one pass over a candidate's column scores it against
//! every prototype of its class (the decomposition FasterPAM uses for k-medoids
//! swaps, applied to the GLVQ cost).
//!
//! Moving prototype `k` of class `C` to candidate `c` changes object `i`'s term
//! in a way that depends on `k` only where `k` is `i`'s closest prototype on the
//! side that changes; so `ΔE(k, c) = S(c) + C_k(c)` with a shared part
//!
//! * label `C`: `d⁺' = min(d⁺_i, d(i, c))`;
//! * another label: `d⁻' = min(d⁻_i, d(i, c))` (a prototype of class `C` is on the
//!   other side for `i`, whichever moves)
//!
//! and a correction for the objects whose closest prototype on that side is `k`
//! itself (`k⁺(i) = k`, or `k⁻(i) = k`): for them the cap is the second closest
//! (`e⁺_i`, `e⁻_i`) instead. Each object adds to `S` and to at most one `C_k`.

use super::state::{Problem, State};
use crate::Float;

/// Per object, what a move of any prototype of one class does to its term.
pub(crate) struct ClassFrame<F> {
    /// The class's prototypes (indices into `State::protos`), ascending.
    pub protos: Vec<usize>,
    /// The shared cap (`d⁺_i` or `d⁻_i`), the cap when the object's own closest
    /// prototype moves (`e⁺_i` / `e⁻_i`; equal to `cap` for objects no move of this
    /// class can take their closest from), and the distance on the other side.
    cap: Vec<F>,
    cap2: Vec<F>,
    fixed: Vec<F>,
    /// Per object `[sign, v, at_cap2 − φ, φ]`: `sign` `+1` when `d⁺` changes, `−1`
    /// when `d⁻` does; `at_cap2` the term at `cap2`.
    rest: Vec<[F; 4]>,
    /// Position in `protos` of the prototype whose move uses `cap2`, or
    /// `protos.len()` for none.
    slot: Vec<u32>,
    /// Per prototype of the class: `Σ (at_cap2_i − φ_i)` over its objects, the
    /// correction of a candidate that comes closer to none of them.
    base: Vec<F>,
}

impl<F: Float> ClassFrame<F> {
    /// The frame of `class` for the current caches: `O(n)`.
    pub fn new(state: &State<F>, problem: &Problem<'_, F>, class: usize) -> Self {
        let n = state.phi.len();
        let protos: Vec<usize> = (0..state.protos.len()).filter(|&k| state.pclass[k] == class).collect();
        let mut local = vec![u32::MAX; state.protos.len()];
        for (r, &k) in protos.iter().enumerate() {
            local[k] = r as u32;
        }
        let none = protos.len() as u32;
        let mut frame = Self {
            base: vec![F::zero(); protos.len() + 1],
            protos,
            cap: Vec::with_capacity(n),
            cap2: Vec::with_capacity(n),
            fixed: Vec::with_capacity(n),
            rest: Vec::with_capacity(n),
            slot: Vec::with_capacity(n),
        };
        let m = problem.margin;
        for i in 0..n {
            let (v, phi) = (problem.v[i], state.phi[i]);
            let (sign, cap, cap2, fixed, slot) = if problem.y[i] == class {
                (F::one(), state.dp[i], state.ep[i], state.dm[i], local[state.kp[i]])
            } else if state.pclass[state.km[i]] == class {
                (-F::one(), state.dm[i], state.em[i], state.dp[i], local[state.km[i]])
            } else {
                (-F::one(), state.dm[i], state.dm[i], state.dp[i], none)
            };
            // An infinite second cap is never reached (every candidate comes closer);
            // counting `φ_i` makes the object's share of `base` 0, as in `JumpFrame`.
            let at_cap2 =
                if slot != none && cap2.is_finite() { term(fixed, sign, v, cap2, &|x| problem.transfer.value(x + m)) } else { phi };
            frame.base[slot as usize] += at_cap2 - phi;
            frame.cap.push(cap);
            frame.cap2.push(cap2);
            frame.fixed.push(fixed);
            frame.rest.push([sign, v, at_cap2 - phi, phi]);
            frame.slot.push(slot);
        }
        frame
    }

    /// `ΔE(k, c)` for every prototype `k` of the class (in [`protos`](Self::protos)
    /// order), from the candidate's column: one pass, in working precision (for
    /// ranking; acceptance is decided on the exact cost after the jump).
    pub fn deltas(&self, problem: &Problem<'_, F>, col: &[F], out: &mut Vec<F>) {
        let m = problem.margin;
        let phi_of = |x: F| problem.transfer.value(x + m);
        let kc = self.protos.len();
        out.clear();
        out.resize(kc + 1, F::zero());
        let mut shared = F::zero();
        let n = self.cap.len().min(col.len());
        let mut hit = |i: usize, x: F| {
            let [sign, v, at2, phi] = self.rest[i];
            let t = term(self.fixed[i], sign, v, x, &phi_of) - phi;
            let s = self.slot[i] as usize;
            if x < self.cap[i] {
                shared += t;
                out[s] -= at2;
            } else {
                out[s] += t - at2;
            }
        };
        // Most objects are not hits (`d(i, c) >= cap2_i`): compare 64 at a time into
        // a bit mask (branch-free, vectorised) and visit the hits only, in order.
        let blocks = n / MASK;
        for b in 0..blocks {
            let (xs, caps) = (&col[b * MASK..(b + 1) * MASK], &self.cap2[b * MASK..(b + 1) * MASK]);
            let mut mask = 0u64;
            for (j, (&x, &c)) in xs.iter().zip(caps).enumerate() {
                mask |= u64::from(x < c) << j;
            }
            while mask != 0 {
                let j = mask.trailing_zeros() as usize;
                mask &= mask - 1;
                hit(b * MASK + j, xs[j]);
            }
        }
        let tail = blocks * MASK;
        for (j, (&x, &c)) in col[tail..n].iter().zip(&self.cap2[tail..n]).enumerate() {
            if x < c {
                hit(tail + j, x);
            }
        }
        out.truncate(kc);
        for (d, &b) in out.iter_mut().zip(&self.base) {
            *d = shared + b + *d;
        }
    }
}

/// Objects per comparison mask.
const MASK: usize = 64;

/// `v Φ(μ + margin)` for an object whose changing distance becomes `t`.
#[inline(always)]
fn term<F: Float>(fixed: F, sign: F, v: F, t: F, phi_of: &impl Fn(F) -> F) -> F {
    let den = t + fixed;
    let mu = if den > F::zero() { sign * ((t - fixed) / den) } else { F::zero() };
    v * phi_of(mu)
}
