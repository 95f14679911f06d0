//! The E-step: per object, the closest and second-closest prototype with the same
//! and with another label, and its term of the cost.

use crate::distributed::Team;
use crate::transfer::relative_distance;
use crate::{Dissimilarity, Error, Float, Transfer};
use faer::Mat;

/// What the cost depends on, fixed during training.
pub(crate) struct Problem<'a, F> {
    /// Class of each object.
    pub y: &'a [usize],
    /// Weight `v_{y_i}` of each object.
    pub v: Vec<F>,
    pub transfer: Transfer<F>,
    pub margin: F,
}

impl<F: Float> Problem<'_, F> {
    /// The weighted cost term `v Φ(μ + margin)` of an object of weight `v`.
    #[inline(always)]
    pub fn term(&self, v: F, dp: F, dm: F) -> F {
        v * self.transfer.value(relative_distance(dp, dm) + self.margin)
    }

    /// `Σ_i v_{y_i}`, the scale of the cost (and of the acceptance tolerance).
    pub fn total_weight(&self) -> f64 {
        self.v.iter().map(|v| v.as_f64()).sum()
    }
}

/// Prototypes and the assignment caches of every object.
#[derive(Clone)]
pub(crate) struct State<F> {
    /// Object index of each prototype.
    pub protos: Vec<usize>,
    /// Class of each prototype.
    pub pclass: Vec<usize>,
    /// Whether each object is a prototype.
    pub is_proto: Vec<bool>,
    /// `d(i, w_k)` at `pd[i * K + k]`, kept so that an E-step reads no source; by
    /// object, so that re-ranking an object reads one contiguous row.
    pub pd: Vec<F>,
    /// Closest same-label prototype and its distance; second-closest distance.
    pub kp: Vec<usize>,
    pub dp: Vec<F>,
    pub ep: Vec<F>,
    /// Closest other-label prototype and its distance; second-closest distance.
    pub km: Vec<usize>,
    pub dm: Vec<F>,
    pub em: Vec<F>,
    /// Each object's cost term `v Φ(μ + margin)`.
    pub phi: Vec<F>,
}

impl<F: Float> State<F> {
    /// Reads the prototype columns and runs the E-step.
    #[cfg(test)]
    pub fn new<D: Dissimilarity<F> + ?Sized>(source: &D, problem: &Problem<'_, F>, protos: Vec<usize>) -> Result<Self, Error> {
        Self::on_team(source, problem, protos, Team::Single)
    }

    /// [`new`](Self::new) among the ranks of `team`: each prototype's column comes
    /// from its owner.
    pub fn on_team<D: Dissimilarity<F> + ?Sized>(
        source: &D,
        problem: &Problem<'_, F>,
        protos: Vec<usize>,
        team: Team<'_>,
    ) -> Result<Self, Error> {
        let n = source.len();
        let kk = protos.len();
        // Columns a few at a time (one pass over vectors for each batch).
        let mut pd = vec![F::zero(); n * kk];
        let mut batch = Mat::<F>::zeros(n, kk.min(8));
        for (b, chunk) in protos.chunks(8).enumerate() {
            team.columns(source, chunk, batch.as_mut().subcols_mut(0, chunk.len()))?;
            for (r, col) in batch.as_ref().subcols(0, chunk.len()).col_iter().enumerate() {
                for (i, &v) in col.iter().enumerate() {
                    pd[i * kk + b * 8 + r] = v;
                }
            }
        }
        let mut is_proto = vec![false; n];
        for &p in &protos {
            is_proto[p] = true;
        }
        let pclass = protos.iter().map(|&p| problem.y[p]).collect();
        let mut state = Self {
            protos,
            pclass,
            is_proto,
            pd,
            kp: vec![0; n],
            dp: vec![F::zero(); n],
            ep: vec![F::zero(); n],
            km: vec![0; n],
            dm: vec![F::zero(); n],
            em: vec![F::zero(); n],
            phi: vec![F::zero(); n],
        };
        state.e_step(problem);
        Ok(state)
    }

    /// Recomputes every cache from the prototype columns: `O(n K)`.
    pub fn e_step(&mut self, problem: &Problem<'_, F>) {
        let inf = F::infinity();
        let kk = self.protos.len();
        for (i, row) in self.pd.chunks_exact(kk).enumerate() {
            let yi = problem.y[i];
            let (mut kp, mut dp, mut ep) = (0, inf, inf);
            let (mut km, mut dm, mut em) = (0, inf, inf);
            for (k, &d) in row.iter().enumerate() {
                // Strict `<`: ties go to the lowest prototype index.
                if self.pclass[k] == yi {
                    if d < dp {
                        (ep, dp, kp) = (dp, d, k);
                    } else if d < ep {
                        ep = d;
                    }
                } else if d < dm {
                    (em, dm, km) = (dm, d, k);
                } else if d < em {
                    em = d;
                }
            }
            (self.kp[i], self.dp[i], self.ep[i]) = (kp, dp, ep);
            (self.km[i], self.dm[i], self.em[i]) = (km, dm, em);
            self.phi[i] = problem.term(problem.v[i], dp, dm);
        }
    }

    /// The cost `E`, summed in `f64`.
    pub fn cost(&self) -> f64 {
        sum_f64(self.phi.iter().copied())
    }

    /// Moves prototype `k` to object `c` whose column is `col`, and updates the caches
    /// to exactly what [`e_step`](Self::e_step) would compute, in `O(n)` for most
    /// objects: only the side of an object that `k` is on (same label or other) can
    /// change, and unless `k` was its closest and moves past the second, or may have
    /// been its second and moves away, or lands on a tie, the new distance just takes
    /// its rank. The rest (about the receptive fields of `k`) are recomputed over
    /// the prototypes of that side.
    pub fn jump(&mut self, problem: &Problem<'_, F>, k: usize, c: usize, col: &[F]) {
        use crate::par::OBJECTS;
        self.is_proto[self.protos[k]] = false;
        self.is_proto[c] = true;
        self.protos[k] = c;
        let ck = self.pclass[k];
        let kk = self.protos.len();
        let pclass = &self.pclass;
        // Objects in blocks, in parallel: each object's update is its own.
        let nearest = self.kp.chunks_mut(OBJECTS).zip(self.dp.chunks_mut(OBJECTS)).zip(self.ep.chunks_mut(OBJECTS));
        let other = self.km.chunks_mut(OBJECTS).zip(self.dm.chunks_mut(OBJECTS)).zip(self.em.chunks_mut(OBJECTS));
        let rest = self.phi.chunks_mut(OBJECTS).zip(self.pd.chunks_mut(OBJECTS * kk)).zip(col.chunks(OBJECTS));
        let blocks: Vec<_> = nearest.zip(other).zip(rest).enumerate().collect();
        crate::par::map_vec(blocks, |(b, ((((kp, dp), ep), ((km, dm), em)), ((phi, pd), col)))| {
            for (j, &d) in col.iter().enumerate() {
                let i = b * OBJECTS + j;
                let row = &mut pd[j * kk..(j + 1) * kk];
                let o = std::mem::replace(&mut row[k], d);
                let same = problem.y[i] == ck;
                let (best, dbest, second) = if same { (&mut kp[j], &mut dp[j], &mut ep[j]) } else { (&mut km[j], &mut dm[j], &mut em[j]) };
                // `None`: re-rank the side; `Some(changed)`: settled in place.
                let settled = if *best == k {
                    (d < *second).then(|| {
                        let changed = d != *dbest;
                        *dbest = d;
                        changed
                    })
                } else if d == *dbest || d == *second || (d > o && o <= *second) {
                    None
                } else if d < *dbest {
                    (*second, *dbest, *best) = (*dbest, d, k);
                    Some(true)
                } else {
                    if d < *second {
                        *second = d;
                    }
                    // Only the second distance (or nothing) changed: the term stays.
                    Some(false)
                };
                let changed = settled.unwrap_or_else(|| {
                    (*best, *dbest, *second) = rank_side(row, pclass, problem.y[i], same);
                    true
                });
                if changed {
                    phi[j] = problem.term(problem.v[i], dp[j], dm[j]);
                }
            }
        });
    }

    /// The cost of each prototype's receptive field (objects `i` with `k⁺(i) = k`).
    pub fn cost_shares(&self) -> Vec<f64> {
        let mut share = vec![0.0; self.protos.len()];
        for (i, &k) in self.kp.iter().enumerate() {
            share[k] += self.phi[i].as_f64();
        }
        share
    }
}

/// The terms summed in `f64` in order: the one summation of the cost, shared by
/// [`State::cost`] and the acceptance test, so that both give the same number.
pub(crate) fn sum_f64<F: Float>(terms: impl Iterator<Item = F>) -> f64 {
    terms.fold(0.0, |acc, t| acc + t.as_f64())
}

/// One side (same label as `yi`, or other) of an object with prototype distances
/// `row`, ranked as the E-step does: closest index and distance, second distance.
fn rank_side<F: Float>(row: &[F], pclass: &[usize], yi: usize, same: bool) -> (usize, F, F) {
    let inf = F::infinity();
    let (mut kb, mut db, mut sb) = (0, inf, inf);
    for (k, (&d, &c)) in row.iter().zip(pclass).enumerate() {
        if (c == yi) != same {
            continue;
        }
        // Strict `<`: ties go to the lowest prototype index.
        if d < db {
            (sb, db, kb) = (db, d, k);
        } else if d < sb {
            sb = d;
        }
    }
    (kb, db, sb)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Precomputed;
    use faer::Mat;
    use proptest::prelude::*;

    /// Several blocks of objects (the jump runs them in parallel): still equal to a
    /// fresh E-step, on points of a coarse grid (many ties).
    #[test]
    fn incremental_jumps_over_many_blocks() {
        let n = 2 * crate::par::OBJECTS + 123;
        let x = Mat::from_fn(n, 2, |i, t| ((i * (7 + 5 * t) + t) % 13) as f64);
        let d = crate::SquaredEuclidean::from_ref(x.as_ref()).unwrap();
        let y: Vec<usize> = (0..n).map(|i| i % 3).collect();
        let problem = Problem { y: &y, v: vec![1.0; n], transfer: Transfer::Identity, margin: 0.0 };
        let mut state = State::new(&d, &problem, (0..6).collect()).unwrap();
        let mut buf = vec![0.0; n];
        for step in 0..8 {
            let k = step % 6;
            let c = 6 + (step * 1237 + k) % (n - 12) / 3 * 3 + state.pclass[k];
            let col = d.column(c, &mut buf).unwrap().to_vec();
            state.jump(&problem, k, c, &col);
            let fresh = State::new(&d, &problem, state.protos.clone()).unwrap();
            assert_eq!((&state.kp, &state.km), (&fresh.kp, &fresh.km));
            assert_eq!((&state.dp, &state.ep, &state.dm, &state.em, &state.phi), (&fresh.dp, &fresh.ep, &fresh.dm, &fresh.em, &fresh.phi));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// After any sequence of jumps, the incrementally updated caches equal a fresh
        /// E-step bit for bit, prototype indices included. Distances on a coarse grid
        /// make ties common.
        #[test]
        fn incremental_jumps_equal_a_fresh_e_step(
            (n, seed, per_class, grid) in (6usize..40, any::<u64>(), 1usize..4, prop_oneof![Just(3.0), Just(1000.0)])
        ) {
            let mut r = super::super::uniforms(seed);
            let classes = 2 + (seed % 2) as usize;
            let y: Vec<usize> = (0..n).map(|i| i % classes).collect();
            prop_assume!(n >= classes * (per_class + 1));
            let vals: Vec<f64> = (0..n * n).map(|_| (r() * grid).floor()).collect();
            let d = Precomputed::new(Mat::from_fn(n, n, |i, j| if i == j { 0.0 } else { vals[i * n + j] })).unwrap();
            let problem = Problem { y: &y, v: vec![1.0; n], transfer: Transfer::Identity, margin: 0.0 };
            // The first `per_class` objects of each class.
            let protos: Vec<usize> = (0..classes * per_class).collect();
            let mut state = State::new(&d, &problem, protos).unwrap();
            let mut buf = vec![0.0; n];
            for _ in 0..12 {
                let k = (r() * state.protos.len() as f64) as usize;
                let free: Vec<usize> = (0..n).filter(|&i| y[i] == state.pclass[k] && !state.is_proto[i]).collect();
                let c = free[(r() * free.len() as f64) as usize];
                let col = d.column(c, &mut buf).unwrap().to_vec();
                state.jump(&problem, k, c, &col);
                let fresh = State::new(&d, &problem, state.protos.clone()).unwrap();
                prop_assert_eq!(&state.kp, &fresh.kp);
                prop_assert_eq!(&state.km, &fresh.km);
                for (a, b) in [(&state.dp, &fresh.dp), (&state.ep, &fresh.ep), (&state.dm, &fresh.dm), (&state.em, &fresh.em), (&state.phi, &fresh.phi)] {
                    prop_assert!(a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()), "{a:?} vs {b:?}");
                }
            }
        }
    }
}
