//! Exact `ΔE` of a jump in one pass over a column, and the linearised ranking.

use super::state::{Problem, State};
use crate::lanes::{prefetch_ahead, tree_sum};
use crate::transfer::relative_distance;
use crate::{Float, Transfer};

/// What one prototype's jump changes, per object: after `w_k := c`, the distance that
/// can change becomes `min(d(i, c), cap_i)` while the other one stays `fixed_i`;
/// `sign_i` is `+1` when the changing one is `d⁺` (same label as `k`), `−1` when it is
/// `d⁻` (then `μ = (fixed − t) / (fixed + t)`, the negation of the same quotient).
///
/// With it, `ΔE(k, c)` is one pass over `d(·, c)`: an object with `d(i, c) >= cap_i`
/// ends at its cap whatever `c` is, so its change is precomputed once per prototype
/// (`base`), and only the objects that `c` comes closer to (the "hits", about one
/// in ten) contribute to the pass.
pub(crate) struct JumpFrame<F> {
    cap: Vec<F>,
    fixed: Vec<F>,
    /// Identity transfer: a hit's change is `lin_a_i · q + lin_b_i` with
    /// `q = (t − fixed_i) / (t + fixed_i)`, i.e. `lin_a_i = v_i sign_i` and
    /// `lin_b_i = v_i · margin − at_cap_i`.
    lin_a: Vec<F>,
    lin_b: Vec<F>,
    /// Per object `[sign_i, v_i, at_cap_i]`, with `at_cap_i` the object's term at its cap.
    rest: Vec<[F; 3]>,
    /// `Σ_i (at_cap_i − φ_i)`: `ΔE` of a candidate that comes closer to nobody.
    base: F,
}

/// Objects per comparison mask in the pass of the non-linear transfers.
const BLOCK: usize = 64;

impl<F: Float> JumpFrame<F> {
    pub fn new(n: usize) -> Self {
        let z = || vec![F::zero(); n];
        Self { cap: z(), fixed: z(), lin_a: z(), lin_b: z(), rest: vec![[F::zero(); 3]; n], base: F::zero() }
    }

    /// Prepares the frame for prototype `k`: `O(n)`, objects in blocks in parallel.
    pub fn prepare(&mut self, state: &State<F>, problem: &Problem<'_, F>, k: usize) {
        use crate::par::OBJECTS;
        let objects = self.cap.chunks_mut(OBJECTS).zip(self.fixed.chunks_mut(OBJECTS)).zip(self.rest.chunks_mut(OBJECTS));
        let linear = self.lin_a.chunks_mut(OBJECTS).zip(self.lin_b.chunks_mut(OBJECTS));
        let blocks: Vec<_> = objects.zip(linear).enumerate().collect();
        // Each block's share of `base`; blocks are summed in order.
        let shares = crate::par::map_vec(blocks, |(b, (((cap, fixed), rest), (lin_a, lin_b)))| {
            prepare_objects(state, problem, k, b * OBJECTS, [cap, fixed, lin_a, lin_b], rest)
        });
        self.base = shares.into_iter().fold(F::zero(), |a, b| a + b);
    }

    /// The frame of prototype `k` over the objects `start..start + len` only (sized
    /// to them): `ΔE` then gives that block's share of each candidate's change, its
    /// column restricted to the block. One thread; callers run blocks in parallel.
    pub fn prepare_block(&mut self, state: &State<F>, problem: &Problem<'_, F>, k: usize, start: usize, len: usize) {
        for v in [&mut self.cap, &mut self.fixed, &mut self.lin_a, &mut self.lin_b] {
            v.resize(len, F::zero());
        }
        self.rest.resize(len, [F::zero(); 3]);
        let slices = [&mut self.cap[..], &mut self.fixed[..], &mut self.lin_a[..], &mut self.lin_b[..]];
        self.base = prepare_objects(state, problem, k, start, slices, &mut self.rest);
    }

    /// `ΔE` in working precision of candidates with columns `cols` (for ranking).
    /// Several columns at once share the reads of the frame; each result depends on
    /// its own column only, whatever it is grouped with.
    pub fn deltas<const B: usize>(&self, problem: &Problem<'_, F>, cols: [&[F]; B]) -> [F; B] {
        let n = self.cap.len();
        let cols = cols.map(|c| &c[..n.min(c.len())]);
        let m = problem.margin;
        match problem.transfer {
            Transfer::Identity if cols.iter().all(|c| c.len() == n) => {
                let dense = Dense { cols, cap: &self.cap, fixed: &self.fixed, a: &self.lin_a, b: &self.lin_b };
                pulp::Arch::new().dispatch(dense).map(|d| self.base + d)
            }
            Transfer::Identity => cols.map(|c| self.masked(c, |x| x + m)),
            Transfer::Sigmoid { beta } => cols.map(|c| self.masked(c, |x| F::one() / (F::one() + (-beta * (x + m)).exp()))),
            Transfer::LogLikelihood => cols.map(|c| self.masked(c, |x| -(F::from_f64(4.0) - (x + m)).ln())),
        }
    }

    /// The pass for the transfers with an `exp` or `ln`, too costly to evaluate for
    /// every object: the comparison runs branch-free over 64 objects at a time into a
    /// bit mask, and the loop visits the hits only (a branch per object would
    /// mispredict on them). Hits are summed in index order: deterministic.
    fn masked(&self, col: &[F], phi_of: impl Fn(F) -> F) -> F {
        let n = col.len();
        let (cap, fixed, rest) = (&self.cap[..n], &self.fixed[..n], &self.rest[..n]);
        let mut acc = F::zero();
        let blocks = col.chunks_exact(BLOCK).zip(cap.chunks_exact(BLOCK)).zip(fixed.chunks_exact(BLOCK)).zip(rest.chunks_exact(BLOCK));
        for (((xs, cs), fs), rs) in blocks {
            let mut mask = 0u64;
            for (j, (&x, &c)) in xs.iter().zip(cs).enumerate() {
                mask |= u64::from(x < c) << j;
            }
            while mask != 0 {
                let j = mask.trailing_zeros() as usize;
                mask &= mask - 1;
                acc += term(fs[j], &rs[j], xs[j], &phi_of) - rs[j][2];
            }
        }
        let tail = n - n % BLOCK;
        for (((&x, &c), &f), r) in col[tail..].iter().zip(&cap[tail..]).zip(&fixed[tail..]).zip(&rest[tail..]) {
            if x < c {
                acc += term(f, r, x, &phi_of) - r[2];
            }
        }
        self.base + acc
    }
}

/// Fills the frame of prototype `k` for the objects `start..start + cap.len()`
/// (`[cap, fixed, lin_a, lin_b]` and `rest`, indexed from `start`) and returns their
/// share of `base`, in four partial sums combined in a fixed order.
fn prepare_objects<F: Float>(
    state: &State<F>,
    problem: &Problem<'_, F>,
    k: usize,
    start: usize,
    frame: [&mut [F]; 4],
    rest: &mut [[F; 3]],
) -> F {
    let [cap, fixed, lin_a, lin_b] = frame;
    let m = problem.margin;
    let mut sign;
    let mut acc = [F::zero(); 4];
    for j in 0..cap.len() {
        let i = start + j;
        let (v, phi) = (problem.v[i], state.phi[i]);
        let moved;
        (cap[j], fixed[j], sign, moved) = frame_of(state, problem, k, i);
        // An object whose closest is not `k` stays as it is at its cap: its
        // term is `φ_i`. An infinite cap (no second prototype on that side) is
        // never reached: every candidate comes closer, so the pass computes
        // the term; counting `φ_i` here makes the object's share of `base` 0.
        let at_cap = if moved && cap[j].is_finite() {
            term(fixed[j], &[sign, v, F::zero()], cap[j], &|x| problem.transfer.value(x + m))
        } else {
            phi
        };
        rest[j] = [sign, v, at_cap];
        lin_a[j] = v * sign;
        lin_b[j] = v * m - at_cap;
        acc[j % 4] += at_cap - phi;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

/// Object `i` as prototype `k`'s jump sees it: the cap of the distance that can
/// change (if `k` is its closest on that side, removing it leaves the second
/// closest), the distance that stays, the sign of `μ`'s change (`+1` when `k` has
/// its label) and whether `k` is its closest on that side.
#[inline(always)]
fn frame_of<F: Float>(state: &State<F>, problem: &Problem<'_, F>, k: usize, i: usize) -> (F, F, F, bool) {
    if problem.y[i] == state.pclass[k] {
        let moved = state.kp[i] == k;
        (if moved { state.ep[i] } else { state.dp[i] }, state.dm[i], F::one(), moved)
    } else {
        let moved = state.km[i] == k;
        (if moved { state.em[i] } else { state.dm[i] }, state.dp[i], -F::one(), moved)
    }
}

/// The cost after prototype `k` jumps to the candidate with column `col`, every
/// object's term computed as the E-step computes it (from the caches: no frame
/// needed) and summed as [`State::cost`] sums: decides acceptance, so the recorded
/// cost is exactly this number and never rises. The terms are computed in parallel
/// into `terms` (length `n`), then summed in order.
pub(crate) fn cost_after_jump<F: Float>(state: &State<F>, problem: &Problem<'_, F>, k: usize, col: &[F], terms: &mut [F]) -> f64 {
    use crate::par::OBJECTS;
    let phi_of = |x: F| problem.transfer.value(x + problem.margin);
    let blocks: Vec<_> = terms.chunks_mut(OBJECTS).zip(col.chunks(OBJECTS)).enumerate().collect();
    crate::par::map_vec(blocks, |(b, (out, col))| {
        for (j, (slot, &x)) in out.iter_mut().zip(col).enumerate() {
            let (cap, fixed, sign, _) = frame_of(state, problem, k, b * OBJECTS + j);
            let t = if x < cap { x } else { cap };
            let mu = if sign > F::zero() { relative_distance(t, fixed) } else { relative_distance(fixed, t) };
            *slot = problem.v[b * OBJECTS + j] * phi_of(mu);
        }
    });
    super::state::sum_f64(terms.iter().copied())
}

/// `ΔE` of the jump summed in `f64` (tests: against the fast passes).
#[cfg(test)]
pub(crate) fn delta_exact<F: Float>(state: &State<F>, problem: &Problem<'_, F>, k: usize, col: &[F]) -> f64 {
    let mut terms = vec![F::zero(); col.len()];
    cost_after_jump(state, problem, k, col, &mut terms) - state.cost()
}

/// The term `v Φ(μ + margin)` of an object whose changing distance becomes `t`:
/// branch-free, since hits of both kinds interleave.
#[inline(always)]
pub(super) fn term<F: Float>(fixed: F, rest: &[F; 3], t: F, phi_of: &impl Fn(F) -> F) -> F {
    let [sign, v, _] = *rest;
    let den = t + fixed;
    // `(fixed − t) / (fixed + t)` is exactly the negation of `(t − fixed) / (t + fixed)`.
    let mu = if den > F::zero() { sign * ((t - fixed) / den) } else { F::zero() };
    v * phi_of(mu)
}

/// The identity transfer's pass over `B` columns: every object's change computed in
/// SIMD lanes without branches (a division per object is cheaper than a mispredicted
/// branch per hit) and kept where `d(i, c) < cap_i`. Compiled for the best
/// instruction set the CPU has (through `pulp`); the arithmetic and summation order
/// are the same on every instruction set, so is the result.
struct Dense<'a, F, const B: usize> {
    cols: [&'a [F]; B],
    cap: &'a [F],
    fixed: &'a [F],
    a: &'a [F],
    b: &'a [F],
}

impl<F: Float, const B: usize> pulp::WithSimd for Dense<'_, F, B> {
    type Output = [F; B];

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> [F; B] {
        /// Lanes per column: independent partial sums, so the loop vectorises.
        const L: usize = 16;
        let zero = F::zero();
        let change = |x: F, cap: F, fixed: F, a: F, b: F| {
            let den = x + fixed;
            let q = (x - fixed) / den;
            let q = if den > zero { q } else { zero };
            let t = a * q + b;
            if x < cap { t } else { zero }
        };
        let n = self.cap.len();
        let tail = n - n % L;
        let mut acc = [[zero; L]; B];
        let frame = self.cap[..tail].chunks_exact(L).zip(self.fixed[..tail].chunks_exact(L));
        let frame = frame.zip(self.a[..tail].chunks_exact(L)).zip(self.b[..tail].chunks_exact(L));
        for (q, (((c, f), a), b)) in frame.enumerate() {
            let i = q * L;
            for (col, acc) in self.cols.iter().zip(&mut acc) {
                prefetch_ahead(col, i, L);
                let x = &col[i..i + L];
                for l in 0..L {
                    acc[l] += change(x[l], c[l], f[l], a[l], b[l]);
                }
            }
        }
        for i in tail..n {
            for (col, acc) in self.cols.iter().zip(&mut acc) {
                acc[i % L] += change(col[i], self.cap[i], self.fixed[i], self.a[i], self.b[i]);
            }
        }
        acc.map(tree_sum)
    }
}

/// Column `k` of the linearised weights `A` (ALGORITHM.md): `a_i` on the objects
/// whose closest same-label prototype is `k`, `−b_i` on those whose closest
/// other-label prototype is `k`, zero elsewhere.
pub(crate) fn linear_weights<F: Float>(state: &State<F>, problem: &Problem<'_, F>, k: usize, out: &mut [F]) {
    for (i, w) in out.iter_mut().enumerate() {
        let (wp, wm) = object_weights(state, problem, i);
        *w = if state.kp[i] == k {
            wp
        } else if state.km[i] == k {
            wm
        } else {
            F::zero()
        };
    }
}

/// Object `i`'s two non-zero entries of `A`: its weight in the column of its closest
/// same-label prototype `k⁺(i)` and in that of its closest other-label one `k⁻(i)`.
#[inline]
pub(crate) fn object_weights<F: Float>(state: &State<F>, problem: &Problem<'_, F>, i: usize) -> (F, F) {
    let two = F::one() + F::one();
    let (dp, dm) = (state.dp[i], state.dm[i]);
    let den = dp + dm;
    if den <= F::zero() || den.is_nan() {
        return (F::zero(), F::zero());
    }
    // `2 v Φ' d⁻ / (d⁺ + d⁻)²` as `(2 v Φ' / den) · (d⁻ / den)`: no `den²`, which
    // overflows or underflows long before `den` does, so the weights (and the
    // ranking) scale exactly with the dissimilarities.
    let g = problem.v[i] * problem.transfer.derivative(relative_distance(dp, dm) + problem.margin) * two / den;
    (g * (dm / den), -(g * (dp / den)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Dissimilarity, Precomputed};
    use faer::Mat;
    use proptest::prelude::*;

    /// Several blocks of objects (prepared in parallel): fast and exact `ΔE` agree.
    #[test]
    fn fast_deltas_match_exact_over_many_blocks() {
        let n = 2 * crate::par::OBJECTS + 77;
        let x = Mat::from_fn(n, 3, |i, t| ((i * (3 + 2 * t) + 5 * t) % 29) as f64 * 0.1);
        let d = crate::SquaredEuclidean::from_ref(x.as_ref()).unwrap();
        let y: Vec<usize> = (0..n).map(|i| i % 4).collect();
        for transfer in [Transfer::Identity, Transfer::Sigmoid { beta: 2.0 }] {
            let problem = Problem { y: &y, v: y.iter().map(|&c| 1.0 + c as f64).collect(), transfer, margin: 0.02 };
            let state = State::new(&d, &problem, (0..8).collect()).unwrap();
            let mut frame = JumpFrame::new(n);
            let mut buf = vec![0.0; n];
            for k in 0..8 {
                frame.prepare(&state, &problem, k);
                for c in [8 + k, n / 2 + k, n - 8 + k % 4] {
                    let col = d.column(c, &mut buf).unwrap();
                    let exact = delta_exact(&state, &problem, k, col);
                    let [fast] = frame.deltas(&problem, [col]);
                    assert!((fast - exact).abs() <= 1e-9 * (1.0 + exact.abs()), "k {k} c {c}: {fast} vs {exact}");
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// The fast passes (dense SIMD lanes for the identity, bit masks for the other
        /// transfers) agree with the exact `ΔE`, and a column's result does not depend
        /// on the column it is paired with. Sizes cross the lane and mask blocks.
        #[test]
        fn fast_deltas_match_exact((n, seed, t, zeros) in (4usize..300, any::<u64>(), 0u8..3, any::<bool>())) {
            let mut r = super::super::uniforms(seed);
            let y: Vec<usize> = (0..n).map(|i| i % 3).collect();
            // Some exact zeros off the diagonal exercise the `0 / 0` case.
            let vals: Vec<f64> = (0..n * n).map(|_| if zeros && r() < 0.05 { 0.0 } else { r() }).collect();
            let d = Precomputed::new(Mat::from_fn(n, n, |i, j| if i == j { 0.0 } else { vals[i * n + j] })).unwrap();
            let transfer = [Transfer::Identity, Transfer::Sigmoid { beta: 3.0 }, Transfer::LogLikelihood][t as usize];
            let problem = Problem { y: &y, v: y.iter().map(|&c| 1.0 + 0.5 * c as f64).collect(), transfer, margin: 0.05 };
            let state = State::new(&d, &problem, vec![0, 1, 2, 3]).unwrap();
            let mut frame = JumpFrame::new(n);
            let mut buf = vec![0.0; n];
            let mut buf2 = vec![0.0; n];
            for k in 0..4 {
                frame.prepare(&state, &problem, k);
                for c in (4..n).step_by(7) {
                    let col = d.column(c, &mut buf).unwrap();
                    let exact = delta_exact(&state, &problem, k, col);
                    let [one] = frame.deltas(&problem, [col]);
                    prop_assert!((one - exact).abs() <= 1e-9 * (1.0 + exact.abs()), "k {k} c {c}: fast {one} exact {exact}");
                    let other = d.column((c + 5) % n, &mut buf2).unwrap();
                    let [first, _] = frame.deltas(&problem, [col, other]);
                    let [_, second] = frame.deltas(&problem, [other, col]);
                    prop_assert_eq!(first.to_bits(), one.to_bits());
                    prop_assert_eq!(second.to_bits(), one.to_bits());
                }
            }
        }
    }
}
