//! The linearised search over vectors, a sweep at a time: every prototype's
//! proposals come from a few passes over the rows per sweep, not a few per visit.
//!
//! With `d(i, c) = ‖x_i − x_c‖²`, the linearised score of candidate `c` for
//! prototype `k` is `Σ_i a_ik ‖x_i‖² − 2 x_c · s_k + ‖x_c‖² Σ_i a_ik` with
//! `s_k = Σ_i a_ik x_i` (ALGORITHM.md), and each object has only two non-zero
//! weights (for `k⁺(i)` and `k⁻(i)`). So a sweep makes
//! 1. one pass over the rows for every `s_k` and both weight sums,
//! 2. one pass scoring every candidate and keeping each prototype's best `checked`,
//! 3. one pass computing the exact `ΔE` of every shortlisted candidate against the
//!    caches at the start of the sweep (its distances a block of rows at a time,
//!    never stored whole), which picks each prototype's proposal,
//! 4. one pass computing the proposals' columns (in groups under a memory bound).
//!
//! Acceptance is then exact and sequential as in every search: prototype by
//! prototype, in the sweep's order, the proposal's cost is recomputed against the
//! *current* caches from its column in memory (`O(n)`), and the jump is taken only
//! if the cost strictly decreases. A proposal made stale by an earlier jump of the
//! sweep is simply rejected; the next sweep proposes afresh from the new caches.

use super::search::{JumpFrame, object_weights};
use super::state::{Problem, State};
use crate::distributed::Team;
use crate::init::argmin;
use crate::params::Candidates;
use crate::{Error, Float, SquaredEuclidean, par};
use faer::{Accum, Mat, Par};

/// Rows per block of the passes: fixed, so that block sums (added in block order)
/// do not depend on the thread count; small enough that a block's distances to
/// every shortlisted candidate stay in cache.
const ROWS: usize = 512;

/// Each prototype's proposal (its best shortlisted candidate when that improves the
/// cost at the start of the sweep, by the working-precision `ΔE`), in prototype
/// order. Among ranks (each holds the rows), passes 1 and 2 run whole on every
/// rank and pass 3 is split by candidate: each `ΔE` is computed by its owner.
pub(super) fn propose<F: Float>(
    x: &SquaredEuclidean<'_, F>,
    problem: &Problem<'_, F>,
    state: &State<F>,
    candidates: Candidates,
    checked: usize,
    team: Team<'_>,
) -> Result<Vec<Option<usize>>, Error> {
    let shortlists = shortlists(x, problem, state, candidates, checked);
    let deltas = shortlist_deltas(x, problem, state, &shortlists, team)?;
    Ok(shortlists.iter().zip(&deltas).map(|(list, d)| argmin(d.iter().copied()).filter(|&b| d[b] < F::zero()).map(|b| list[b])).collect())
}

/// Passes 1 and 2: every prototype's `checked` best candidates by the linearised
/// score (ties to the lower index), in ascending index order.
fn shortlists<F: Float>(
    x: &SquaredEuclidean<'_, F>,
    problem: &Problem<'_, F>,
    state: &State<F>,
    candidates: Candidates,
    checked: usize,
) -> Vec<Vec<usize>> {
    let rows = x.rows();
    let (n, p, kk) = (rows.nrows(), rows.ncols(), state.protos.len());
    let norms = x.norms();
    let blocks = n.div_ceil(ROWS);
    let span = |b: usize| (b * ROWS, ROWS.min(n - b * ROWS));
    // Pass 1: `s_k` (column `k` of `sums`), `Σ_i a_ik` and `Σ_i a_ik ‖x_i‖²`.
    let parts = par::map_init(
        blocks,
        || (),
        |_, b| {
            let (lo, len) = span(b);
            let mut part = vec![F::zero(); (p + 2) * kk];
            let w: Vec<(F, F)> = (lo..lo + len).map(|i| object_weights(state, problem, i)).collect();
            for t in 0..p {
                let s = &mut part[..p * kk];
                for (j, &v) in rows.col(t).subrows(lo, len).iter().enumerate() {
                    let (i, (wp, wm)) = (lo + j, w[j]);
                    s[state.kp[i] * p + t] += wp * v;
                    s[state.km[i] * p + t] += wm * v;
                }
            }
            let (wsum, wnorm) = part[p * kk..].split_at_mut(kk);
            for (j, &(wp, wm)) in w.iter().enumerate() {
                let i = lo + j;
                let (a, b) = (state.kp[i], state.km[i]);
                wsum[a] += wp;
                wsum[b] += wm;
                wnorm[a] += wp * norms[i];
                wnorm[b] += wm * norms[i];
            }
            part
        },
    );
    let mut total = vec![F::zero(); (p + 2) * kk];
    for part in parts {
        total.iter_mut().zip(part).for_each(|(t, v)| *t += v);
    }
    let sums = Mat::from_fn(p, kk, |t, k| total[k * p + t]);
    let (wsum, wnorm) = total[p * kk..].split_at(kk);
    // Pass 2: `−2 x_c · s_k` for a block of rows at once, then each candidate's
    // score for the prototypes it may replace, kept if among the best so far.
    let by_class: Vec<Vec<usize>> = {
        let classes = problem.y.iter().copied().max().map_or(0, |c| c + 1);
        let mut by = vec![Vec::new(); classes];
        state.pclass.iter().enumerate().for_each(|(k, &c)| by[c].push(k));
        by
    };
    let minus_two = -(F::one() + F::one());
    let tops = par::map_init(
        blocks,
        || Mat::<F>::zeros(ROWS, kk),
        |buf, b| {
            let (lo, len) = span(b);
            let mut prod = buf.as_mut().subrows_mut(0, len);
            faer::linalg::matmul::matmul(prod.as_mut(), Accum::Replace, rows.subrows(lo, len), sums.as_ref(), minus_two, Par::Seq);
            let mut top: Vec<Vec<(F, usize)>> = vec![Vec::new(); kk];
            for j in 0..len {
                let c = lo + j;
                if state.is_proto[c] {
                    continue;
                }
                let one = [state.kp[c]];
                let allowed: &[usize] = match candidates {
                    Candidates::ReceptiveField => &one,
                    Candidates::WholeClass => &by_class[problem.y[c]],
                };
                for &k in allowed {
                    let score = prod[(j, k)] + wnorm[k] + norms[c] * wsum[k];
                    top[k].push((score, c));
                }
            }
            top.iter_mut().for_each(|list| best_of(list, checked));
            top
        },
    );
    let mut lists: Vec<Vec<(F, usize)>> = vec![Vec::new(); kk];
    for top in tops {
        for (list, part) in lists.iter_mut().zip(top) {
            list.extend(part);
            // Bounded as it grows: never much more than `2 · checked` entries.
            if list.len() > checked.saturating_mul(2) {
                best_of(list, checked);
            }
        }
    }
    lists.iter_mut().for_each(|list| best_of(list, checked));
    lists
        .into_iter()
        .map(|l| {
            let mut l: Vec<usize> = l.into_iter().map(|(_, c)| c).collect();
            l.sort_unstable();
            l
        })
        .collect()
}

/// Keeps the `len` best of `list` (lowest score, then lowest index), sorted: the
/// kept set depends on the entries only, not on their order. `O(m log len)`-ish
/// for `m` entries (a selection, then a sort of the kept ones).
fn best_of<F: Float>(list: &mut Vec<(F, usize)>, len: usize) {
    let order = |a: &(F, usize), b: &(F, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    if list.len() > len && len > 0 {
        list.select_nth_unstable_by(len - 1, order);
    }
    list.truncate(len);
    list.sort_unstable_by(order);
}

/// Shortlisted candidates per pass of [`shortlist_deltas`]: bounds its buffers
/// (`ROWS × COLUMNS` per thread, 1 MiB in f64) whatever `checked` is.
const COLUMNS: usize = 256;

/// Pass 3: `ΔE` of every prototype's shortlisted candidates against `state`, summed
/// over blocks of rows in block order (one pass per [`COLUMNS`] candidates). Among
/// ranks, each computes the pairs of the candidates it owns.
fn shortlist_deltas<F: Float>(
    x: &SquaredEuclidean<'_, F>,
    problem: &Problem<'_, F>,
    state: &State<F>,
    shortlists: &[Vec<usize>],
    team: Team<'_>,
) -> Result<Vec<Vec<F>>, Error> {
    let pairs: Vec<(usize, usize)> = shortlists.iter().enumerate().flat_map(|(k, l)| l.iter().map(move |&c| (k, c))).collect();
    let deltas_of =
        |pairs: &[(usize, usize)]| -> Vec<F> { pairs.chunks(COLUMNS).flat_map(|chunk| chunk_deltas(x, problem, state, chunk)).collect() };
    let total: Vec<F> = match team {
        Team::Single => deltas_of(&pairs),
        Team::Ranks(_) => {
            let cands: Vec<usize> = pairs.iter().map(|&(_, c)| c).collect();
            let all = team.gather_owned(&cands, 1, |_| {
                let own: Vec<(usize, usize)> = pairs.iter().copied().filter(|&(_, c)| team.owns(c)).collect();
                Ok(deltas_of(&own).into_iter().map(|d| d.as_f64()).collect())
            })?;
            all.into_iter().map(F::from_f64).collect()
        }
    };
    let mut rest = total.as_slice();
    Ok(shortlists
        .iter()
        .map(|l| {
            let (mine, others) = rest.split_at(l.len());
            rest = others;
            mine.to_vec()
        })
        .collect())
}

/// `ΔE` of each `(prototype, candidate)` pair (grouped by prototype) in one pass.
fn chunk_deltas<F: Float>(x: &SquaredEuclidean<'_, F>, problem: &Problem<'_, F>, state: &State<F>, pairs: &[(usize, usize)]) -> Vec<F> {
    let rows = x.rows();
    let n = rows.nrows();
    let norms = x.norms();
    // The candidates' rows as columns: the distances of a block of rows to all of
    // them are one matrix product (at the machine's GEMM rate; these distances only
    // rank, so they need not match the source's bit for bit: acceptance recomputes).
    let coef = Mat::from_fn(rows.ncols(), pairs.len(), |t, r| rows[(pairs[r].1, t)]);
    let minus_two = -(F::one() + F::one());
    let parts = par::map_init(
        n.div_ceil(ROWS),
        || (Mat::<F>::zeros(ROWS, pairs.len()), JumpFrame::new(0)),
        |(buf, frame), b| {
            let (lo, len) = (b * ROWS, ROWS.min(n - b * ROWS));
            let mut block = buf.as_mut().subrows_mut(0, len);
            faer::linalg::matmul::matmul(block.as_mut(), Accum::Replace, rows.subrows(lo, len), coef.as_ref(), minus_two, Par::Seq);
            for (r, &(_, c)) in pairs.iter().enumerate() {
                let col = block.as_mut().col_mut(r).try_as_col_major_mut().map(|c| c.as_slice_mut()).unwrap_or_default();
                for (d, &ni) in col.iter_mut().zip(&norms[lo..lo + len]) {
                    let v = *d + ni + norms[c];
                    *d = if v > F::zero() { v } else { F::zero() };
                }
                if let Some(slot) = c.checked_sub(lo).and_then(|i| col.get_mut(i)) {
                    *slot = F::zero();
                }
            }
            let col = |r: usize| &buf.col_as_slice(r)[..len];
            let mut out = Vec::with_capacity(pairs.len());
            let mut r = 0;
            while r < pairs.len() {
                let k = pairs[r].0;
                let end = r + pairs[r..].iter().take_while(|&&(q, _)| q == k).count();
                frame.prepare_block(state, problem, k, lo, len);
                while r + 1 < end {
                    out.extend(frame.deltas(problem, [col(r), col(r + 1)]));
                    r += 2;
                }
                if r < end {
                    out.extend(frame.deltas(problem, [col(r)]));
                    r += 1;
                }
            }
            out
        },
    );
    let mut total = vec![F::zero(); pairs.len()];
    for part in parts {
        total.iter_mut().zip(part).for_each(|(t, v)| *t += v);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::search::{delta_exact, linear_weights};
    use crate::{Dissimilarity, Transfer};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        /// Against brute force, over several blocks of rows (and, with 300 per
        /// prototype, several passes of candidates): each shortlist holds the
        /// candidates with the lowest linearised score `Σ_i a_ik d(i, c)` (computed
        /// here pair by pair), and each shortlisted `ΔE` equals the change of the
        /// cost recomputed from scratch.
        #[test]
        fn shortlists_and_their_deltas_match_brute_force(
            (n, p, seed, t, whole, checked) in (30usize..1400, 1usize..5, any::<u64>(), 0u8..3, any::<bool>(), prop_oneof![5 => 1usize..6, 1 => Just(300usize)])
        ) {
            let mut r = super::super::uniforms(seed);
            let x = faer::Mat::from_fn(n, p, |_, _| r() * 4.0);
            let source = SquaredEuclidean::from_ref(x.as_ref()).unwrap();
            let classes = 2 + (seed % 3) as usize;
            let y: Vec<usize> = (0..n).map(|i| (i + (r() * 1.5) as usize) % classes).collect();
            let transfer = [Transfer::Identity, Transfer::Sigmoid { beta: 3.0 }, Transfer::LogLikelihood][t as usize];
            let problem = Problem { y: &y, v: y.iter().map(|&c| 1.0 + 0.25 * c as f64).collect(), transfer, margin: 0.05 };
            // Two prototypes per class: its first two objects.
            let protos: Vec<usize> = (0..classes).flat_map(|c| (0..n).filter(|&i| y[i] == c).take(2).collect::<Vec<_>>()).collect();
            prop_assume!(protos.len() == 2 * classes);
            let state = State::new(&source, &problem, protos).unwrap();
            let candidates = if whole { Candidates::WholeClass } else { Candidates::ReceptiveField };
            let lists = shortlists(&source, &problem, &state, candidates, checked);
            let deltas = shortlist_deltas(&source, &problem, &state, &lists, Team::Single).unwrap();
            let mut w = vec![0.0; n];
            let mut buf = vec![0.0; n];
            for (k, list) in lists.iter().enumerate() {
                let allowed: Vec<usize> = (0..n)
                    .filter(|&c| !state.is_proto[c] && y[c] == state.pclass[k] && (whole || state.kp[c] == k))
                    .collect();
                prop_assert_eq!(list.len(), checked.min(allowed.len()), "k {}", k);
                linear_weights(&state, &problem, k, &mut w);
                let score = |c: usize| (0..n).map(|i| w[i] * source.d(i, c).unwrap()).sum::<f64>();
                let scale = w.iter().map(|a| a.abs()).sum::<f64>() * 32.0;
                let worst_in = list.iter().map(|&c| score(c)).fold(f64::NEG_INFINITY, f64::max);
                for &c in allowed.iter().filter(|c| !list.contains(c)) {
                    prop_assert!(worst_in <= score(c) + 1e-9 * scale, "k {}: left out {} scores {} < {}", k, c, score(c), worst_in);
                }
                for (&c, &fast) in list.iter().zip(&deltas[k]) {
                    let exact = delta_exact(&state, &problem, k, source.column(c, &mut buf).unwrap());
                    // Pass 3's distances are `‖x‖² + ‖c‖² − 2 x·c` (a matrix product),
                    // which cancels for near objects: each object's term may be off by
                    // ~1e-9, so the tolerance grows with the number of objects.
                    prop_assert!((fast - exact).abs() <= 1e-9 * (n as f64 + exact.abs()), "k {} c {}: {} vs {}", k, c, fast, exact);
                }
            }
        }

        /// Training on the sweep-level path: the recorded cost strictly decreases and
        /// is the cost of the final prototypes recomputed from scratch, bit for bit;
        /// prototypes are distinct objects of their class; and a converged fit
        /// leaves no improving jump among any prototype's `2 · checked` best-ranked
        /// candidates (exact `ΔE`).
        #[test]
        fn sweeps_decrease_the_cost_and_converge_to_no_improving_shortlisted_jump(
            (n, p, seed, t, whole, checked) in (30usize..700, 1usize..4, any::<u64>(), 0u8..3, any::<bool>(), 1usize..5)
        ) {
            let mut r = super::super::uniforms(seed);
            let x = faer::Mat::from_fn(n, p, |_, _| r() * 4.0);
            let source = SquaredEuclidean::from_ref(x.as_ref()).unwrap();
            let classes = 2 + (seed % 2) as usize;
            let y: Vec<usize> = (0..n).map(|i| (i + (r() * 1.5) as usize) % classes).collect();
            let transfer = [Transfer::Identity, Transfer::Sigmoid { beta: 3.0 }, Transfer::LogLikelihood][t as usize];
            let candidates = if whole { Candidates::WholeClass } else { Candidates::ReceptiveField };
            let model = crate::MedianLvqParams::new()
                .prototypes_per_class(2)
                .transfer(transfer)
                .margin(0.05)
                .candidates(candidates)
                .search(crate::Search::Linearised { checked })
                .init(crate::Init::StratifiedRandom)
                .n_init(1)
                .seed(seed)
                .fit(&source, &y)
                .unwrap();
            let history = model.cost_history();
            prop_assert!(history.windows(2).all(|w| w[1] < w[0]), "{:?}", history);
            let protos = model.prototype_indices().to_vec();
            let mut distinct = protos.clone();
            distinct.sort_unstable();
            distinct.dedup();
            prop_assert_eq!(distinct.len(), protos.len());
            let problem = Problem { y: &y, v: vec![1.0; n], transfer, margin: 0.05 };
            let state = State::new(&source, &problem, protos.clone()).unwrap();
            prop_assert!(protos.iter().zip(model.prototype_labels()).all(|(&q, &l)| y[q] == l));
            prop_assert_eq!(state.cost().to_bits(), history.last().copied().unwrap_or(f64::NAN).to_bits());
            if model.termination() == crate::Termination::Converged {
                let lists = shortlists(&source, &problem, &state, candidates, 2 * checked);
                let mut buf = vec![0.0; n];
                let tolerance = 1e-9 * n as f64;
                for (k, list) in lists.iter().enumerate() {
                    for &c in list {
                        let exact = delta_exact(&state, &problem, k, source.column(c, &mut buf).unwrap());
                        prop_assert!(exact >= -tolerance, "k {} c {}: ΔE {}", k, c, exact);
                    }
                }
            }
        }
    }
}
