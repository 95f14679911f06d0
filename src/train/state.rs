//! The E-step: per object, the closest and second-closest prototype with the same
//! and with another label, and its term of the cost.

use crate::transfer::relative_distance;
use crate::{Dissimilarity, Error, Float, Transfer};

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
    /// `d(·, w_k)` for every prototype `k`, kept so that an E-step reads no source.
    pub pcols: Vec<Vec<F>>,
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
    pub fn new<D: Dissimilarity<F> + ?Sized>(source: &D, problem: &Problem<'_, F>, protos: Vec<usize>) -> Result<Self, Error> {
        let n = source.len();
        let mut pcols = Vec::with_capacity(protos.len());
        for &p in &protos {
            let mut buf = vec![F::zero(); n];
            let col = crate::dissimilarity::column_checked(source, p, &mut buf)?;
            pcols.push(col.to_vec());
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
            pcols,
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
        for i in 0..self.kp.len() {
            let yi = problem.y[i];
            let (mut kp, mut dp, mut ep) = (0, inf, inf);
            let (mut km, mut dm, mut em) = (0, inf, inf);
            for (k, col) in self.pcols.iter().enumerate() {
                let d = col[i];
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
        self.phi.iter().map(|p| p.as_f64()).sum()
    }

    /// Moves prototype `k` to object `c` whose column is `col`, and redoes the E-step.
    pub fn jump(&mut self, problem: &Problem<'_, F>, k: usize, c: usize, col: &[F]) {
        self.is_proto[self.protos[k]] = false;
        self.is_proto[c] = true;
        self.protos[k] = c;
        self.pcols[k].copy_from_slice(col);
        self.e_step(problem);
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
