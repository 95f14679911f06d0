//! Initial prototypes: class medoids, k-medoids within each class, stratified random
//! draws, or user-given indices.

use crate::classes::Classes;
use crate::distributed::Team;
use crate::params::Init;
use crate::{Dissimilarity, Error, Float};
use faer::Mat;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::Rng;

/// Uniform draw in `[0, 1)` with 53 random bits.
fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Uniform index below `m` (`m > 0`), by the multiply-shift method.
fn below(rng: &mut ChaCha8Rng, m: usize) -> usize {
    ((u128::from(rng.next_u64()) * m as u128) >> 64) as usize
}

/// Index of the smallest value, the lowest index among ties.
pub(crate) fn argmin<F: Float>(values: impl IntoIterator<Item = F>) -> Option<usize> {
    let mut best: Option<(usize, F)> = None;
    for (i, v) in values.into_iter().enumerate() {
        if best.is_none_or(|(_, b)| v < b) {
            best = Some((i, v));
        }
    }
    best.map(|(i, _)| i)
}

/// The prototypes to start from, grouped by class (class 0's first) except for
/// [`Init::Given`], which keeps the user's order.
pub(crate) fn initial_prototypes<F: Float, L, D: Dissimilarity<F> + ?Sized>(
    source: &D,
    classes: &Classes<L>,
    per_class: usize,
    init: &Init,
    budget: usize,
    rng: &mut ChaCha8Rng,
    team: Team<'_>,
) -> Result<Vec<usize>, Error> {
    if let Init::Given(given) = init {
        return validate_given(given, classes);
    }
    let mut protos = Vec::with_capacity(per_class * classes.len());
    // Vectors (a copy of the rows for a subset of them: made once, for all classes).
    let vectors = match init {
        Init::KMedoids { .. } | Init::ClassMedoid | Init::Auto => source.squared_euclidean(),
        _ => None,
    };
    let vectors = vectors.as_ref();
    for members in &classes.members {
        let chosen = match init {
            Init::StratifiedRandom => {
                let mut pool = members.clone();
                for j in 0..per_class {
                    let pick = j + below(rng, pool.len() - j);
                    pool.swap(j, pick);
                }
                pool.truncate(per_class);
                pool
            }
            Init::KMedoids { rounds } => class_k_medoids(source, vectors, members, per_class, *rounds, rng, team)?,
            Init::NeuralGas { epochs } => neural_gas(source, members, per_class, *epochs, budget, rng, team)?,
            Init::ClassMedoid | Init::Auto => class_k_medoids(source, vectors, members, per_class, 10, rng, team)?,
            Init::Given(_) => Vec::new(),
        };
        protos.extend(chosen);
    }
    Ok(protos)
}

fn validate_given<L>(given: &[usize], classes: &Classes<L>) -> Result<Vec<usize>, Error> {
    let n = classes.y.len();
    let mut seen = vec![false; n];
    let mut covered = vec![false; classes.len()];
    for (position, &index) in given.iter().enumerate() {
        let bad = |reason| Err(Error::InvalidInitialPrototype { position, index, reason });
        match seen.get_mut(index) {
            None => return bad("out of range: there are fewer objects"),
            Some(true) => return bad("duplicated: each prototype must be a distinct object"),
            Some(s) => *s = true,
        }
        if let Some(c) = classes.y.get(index).and_then(|&c| covered.get_mut(c)) {
            *c = true;
        }
    }
    if let Some(class) = covered.iter().position(|c| !c) {
        let example = classes.members.get(class).and_then(|m| m.first()).copied().unwrap_or(0);
        return Err(Error::InvalidParameter {
            name: "init (given indices)",
            value: format!("no index of class #{class} (e.g. object {example})"),
            expected: "at least one prototype of every class",
        });
    }
    Ok(given.to_vec())
}

/// Medoids of the groups: the member of each group with the least summed
/// dissimilarity to its group (ties: the lowest index), one weighted sum per group.
fn group_medoids<F: Float, D: Dissimilarity<F> + ?Sized>(source: &D, groups: &[Vec<usize>], team: Team<'_>) -> Result<Vec<usize>, Error> {
    let n = source.len();
    // One weighted sum per group, over that group's members only: a member's sum to
    // another group is never needed (K times less work than one n × K product).
    let mut weights = Mat::<F>::zeros(n, 1);
    groups
        .iter()
        .map(|g| {
            for &i in g {
                weights[(i, 0)] = F::one();
            }
            let mut sums = Mat::<F>::zeros(g.len(), 1);
            let result = team.weighted_sums(source, g, weights.as_ref(), sums.as_mut());
            for &i in g {
                weights[(i, 0)] = F::zero();
            }
            result?;
            argmin((0..g.len()).map(|r| sums[(r, 0)])).and_then(|b| g.get(b)).copied().ok_or(Error::Empty { what: "a class" })
        })
        .collect()
}

/// Class-wise relational neural gas ([`Init::NeuralGas`]) within one class.
fn neural_gas<F: Float, D: Dissimilarity<F> + ?Sized>(
    source: &D,
    members: &[usize],
    k: usize,
    epochs: usize,
    budget: usize,
    rng: &mut ChaCha8Rng,
    team: Team<'_>,
) -> Result<Vec<usize>, Error> {
    let m = members.len();
    if m.checked_mul(m).and_then(|e| e.checked_mul(8)).is_none_or(|bytes| bytes > budget) {
        return Err(Error::InvalidParameter {
            name: "init",
            value: format!("NeuralGas on a class of {m} objects"),
            expected: "classes whose n_c x n_c dissimilarities (f64) fit matrix_budget; raise the budget or use Init::KMedoids",
        });
    }
    // The class's dissimilarities: `dc[(i, j)] = d(members[i], members[j])`; among
    // ranks each member's column is read by its owner, which sends its `m` entries.
    let entries = team.gather_owned(members, m, |own| {
        let mut buf = vec![F::zero(); source.len()];
        let mut entries = Vec::with_capacity(own.len() * m);
        for &c in own {
            let col = crate::dissimilarity::column_checked(source, c, &mut buf)?;
            entries.extend(members.iter().map(|&o| col.get(o).map_or(f64::NAN, |v| v.as_f64())));
        }
        Ok(entries)
    })?;
    let dc = Mat::<f64>::from_fn(m, m, |i, j| entries[j * m + i]);
    // Start: k distinct objects drawn uniformly.
    let mut pool: Vec<usize> = (0..m).collect();
    let mut alpha = Mat::<f64>::zeros(m, k);
    for j in 0..k {
        let pick = j + below(rng, m - j);
        pool.swap(j, pick);
        alpha[(pool[j], j)] = 1.0;
    }
    let distances = |alpha: &Mat<f64>| {
        let mut da = Mat::<f64>::zeros(m, k);
        // Sequential product: the same sums on any thread count.
        faer::linalg::matmul::matmul(da.as_mut(), faer::Accum::Replace, dc.as_ref(), alpha.as_ref(), 1.0, faer::Par::Seq);
        for q in 0..k {
            let own: f64 = (0..m).map(|i| alpha[(i, q)] * da[(i, q)]).sum::<f64>() / 2.0;
            for i in 0..m {
                da[(i, q)] -= own;
            }
        }
        da
    };
    let (start, end) = (k as f64 / 2.0, 0.01_f64);
    let mut order: Vec<usize> = (0..k).collect();
    for epoch in 0..epochs {
        let lambda = start * (end / start).powf(epoch as f64 / (epochs.max(2) - 1) as f64);
        let da = distances(&alpha);
        let mut next = Mat::<f64>::zeros(m, k);
        for i in 0..m {
            order.sort_by(|&a, &b| da[(i, a)].total_cmp(&da[(i, b)]).then(a.cmp(&b)));
            for (rank, &q) in order.iter().enumerate() {
                next[(i, q)] = (-(rank as f64) / lambda).exp();
            }
        }
        for q in 0..k {
            let total: f64 = (0..m).map(|i| next[(i, q)]).sum();
            for i in 0..m {
                // A prototype ranked so far back for every object that all its
                // weights underflow keeps its combination.
                next[(i, q)] = if total > 0.0 { next[(i, q)] / total } else { alpha[(i, q)] };
            }
        }
        alpha = next;
    }
    let da = distances(&alpha);
    let mut taken = vec![false; m];
    let mut chosen = Vec::with_capacity(k);
    for q in 0..k {
        let best = argmin((0..m).map(|i| if taken[i] { f64::INFINITY } else { da[(i, q)] })).unwrap_or(0);
        taken[best] = true;
        chosen.push(members[best]);
    }
    Ok(chosen)
}

/// [`k_medoids`] within one class. Over vectors (`vectors`, the source's
/// [`squared_euclidean`](Dissimilarity::squared_euclidean)) the class's rows are
/// first copied into a source of their own: every column and weighted sum of the
/// start then costs `O(n_c p)` instead of `O(n p)` (10 classes: 10× less), with
/// the same distances bit for bit.
fn class_k_medoids<F: Float, D: Dissimilarity<F> + ?Sized>(
    source: &D,
    vectors: Option<&crate::SquaredEuclidean<'_, F>>,
    members: &[usize],
    k: usize,
    rounds: usize,
    rng: &mut ChaCha8Rng,
    team: Team<'_>,
) -> Result<Vec<usize>, Error> {
    match vectors {
        // Every rank holds the rows: each computes the start itself.
        Some(x) if members.len() < x.rows().nrows() => {
            let own = x.gathered(members);
            let local: Vec<usize> = (0..members.len()).collect();
            Ok(k_medoids(&own, &local, k, rounds, rng, Team::Single)?.into_iter().map(|r| members[r]).collect())
        }
        Some(_) => k_medoids(source, members, k, rounds, rng, Team::Single),
        None => k_medoids(source, members, k, rounds, rng, team),
    }
}

/// k-medoids within one class: medoid, `D`-weighted seeding, alternating rounds.
fn k_medoids<F: Float, D: Dissimilarity<F> + ?Sized>(
    source: &D,
    members: &[usize],
    k: usize,
    rounds: usize,
    rng: &mut ChaCha8Rng,
    team: Team<'_>,
) -> Result<Vec<usize>, Error> {
    let n = source.len();
    let mut seeds = group_medoids(source, &[members.to_vec()], team)?;
    if k == 1 {
        return Ok(seeds);
    }
    let mut buf = vec![F::zero(); n];
    // Dissimilarity of each member to its nearest seed so far.
    let mut nearest: Vec<f64> = vec![f64::INFINITY; members.len()];
    let mut chosen = vec![false; members.len()];
    let mut update = |seed: usize, nearest: &mut Vec<f64>| -> Result<(), Error> {
        let col = team.column(source, seed, &mut buf)?;
        for (r, &i) in members.iter().enumerate() {
            let v = col.get(i).map_or(f64::INFINITY, |x| x.as_f64());
            if let Some(slot) = nearest.get_mut(r)
                && v < *slot
            {
                *slot = v;
            }
        }
        Ok(())
    };
    for &s in &seeds {
        update(s, &mut nearest)?;
        if let Ok(r) = members.binary_search(&s) {
            chosen[r] = true;
        }
    }
    while seeds.len() < k {
        let eligible = |r: &usize| !chosen[*r];
        let total: f64 = (0..members.len()).filter(eligible).map(|r| nearest[r]).sum();
        let pick = if total > 0.0 && total.is_finite() {
            let target = uniform(rng) * total;
            let mut acc = 0.0;
            let mut last = None;
            let mut found = None;
            for r in (0..members.len()).filter(eligible) {
                if nearest[r] > 0.0 {
                    acc += nearest[r];
                    last = Some(r);
                    if acc > target {
                        found = Some(r);
                        break;
                    }
                }
            }
            found.or(last)
        } else {
            let pool: Vec<usize> = (0..members.len()).filter(eligible).collect();
            pool.get(below(rng, pool.len().max(1))).copied()
        };
        let Some(r) = pick else { break };
        chosen[r] = true;
        seeds.push(members[r]);
        update(members[r], &mut nearest)?;
    }
    for _ in 0..rounds {
        let groups = assign(source, members, &seeds, team)?;
        let next = group_medoids(source, &groups, team)?;
        if next == seeds {
            break;
        }
        seeds = next;
    }
    Ok(seeds)
}

/// Splits `members` by nearest seed (ties: the lowest seed); every seed keeps itself.
fn assign<F: Float, D: Dissimilarity<F> + ?Sized>(
    source: &D,
    members: &[usize],
    seeds: &[usize],
    team: Team<'_>,
) -> Result<Vec<Vec<usize>>, Error> {
    let n = source.len();
    let mut best = vec![(usize::MAX, F::infinity()); members.len()];
    let mut closer = |j: usize, col: &[F]| {
        for (r, &i) in members.iter().enumerate() {
            let v = col.get(i).copied().unwrap_or(F::infinity());
            if best[r].0 == usize::MAX || v < best[r].1 {
                best[r] = (j, v);
            }
        }
    };
    if source.batches_columns() {
        // One pass over the data for every seed's column (vectors), a few at a time.
        let mut cols = Mat::<F>::zeros(n, seeds.len().min(8));
        for (b, chunk) in seeds.chunks(8).enumerate() {
            team.columns(source, chunk, cols.as_mut().subcols_mut(0, chunk.len()))?;
            for r in 0..chunk.len() {
                let col = cols.as_ref().col(r).try_as_col_major().map(|c| c.as_slice()).unwrap_or(&[]);
                closer(b * 8 + r, col);
            }
        }
    } else {
        let mut buf = vec![F::zero(); n];
        for (j, &s) in seeds.iter().enumerate() {
            closer(j, team.column(source, s, &mut buf)?);
        }
    }
    let mut groups = vec![Vec::new(); seeds.len()];
    for (r, &i) in members.iter().enumerate() {
        let j = seeds.iter().position(|&s| s == i).unwrap_or(best[r].0);
        if let Some(g) = groups.get_mut(j) {
            g.push(i);
        }
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Precomputed;
    use rand_chacha::rand_core::SeedableRng;

    fn line(xs: &[f64]) -> Precomputed<'static, f64> {
        Precomputed::new(Mat::from_fn(xs.len(), xs.len(), |i, j| (xs[i] - xs[j]).powi(2))).unwrap()
    }

    #[test]
    fn medoid_and_k_medoids_on_a_line() {
        // Class 0: two clumps around 0 and 10; class 1: around 100.
        let xs = [0.0, 0.5, 1.0, 10.0, 10.5, 11.0, 100.0, 101.0, 102.0];
        let labels = [0, 0, 0, 0, 0, 0, 1, 1, 1];
        let d = line(&xs);
        let classes = Classes::encode(&labels);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let one = initial_prototypes(&d, &classes, 1, &Init::ClassMedoid, usize::MAX, &mut rng, Team::Single).unwrap();
        assert_eq!(one, vec![2, 7]);
        let two = initial_prototypes(&d, &classes, 2, &Init::Auto, usize::MAX, &mut rng, Team::Single).unwrap();
        let mut class0 = two[..2].to_vec();
        class0.sort();
        assert_eq!(class0, vec![1, 4], "one medoid per clump");
        let r = initial_prototypes(&d, &classes, 3, &Init::StratifiedRandom, usize::MAX, &mut rng, Team::Single).unwrap();
        assert_eq!(r.len(), 6);
        assert!(r[..3].iter().all(|&i| labels[i] == 0) && r[3..].iter().all(|&i| labels[i] == 1));
    }

    #[test]
    fn neural_gas_finds_the_clumps_and_the_medoid() {
        // Class 0: three clumps (around 0, 10, 20); class 1: one around 100.
        let xs = [0.0, 0.5, 1.0, 10.0, 10.5, 11.0, 20.0, 20.5, 21.0, 100.0, 101.0, 102.0, 103.0];
        let labels = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1];
        let d = line(&xs);
        let classes = Classes::encode(&labels);
        let ng = Init::NeuralGas { epochs: 100 };
        for seed in 0..20 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let p = initial_prototypes(&d, &classes, 3, &ng, usize::MAX, &mut rng, Team::Single).unwrap();
            let mut class0 = p[..3].to_vec();
            class0.sort();
            // The centre of each clump, whatever the random start.
            assert_eq!(class0, vec![1, 4, 7], "seed {seed}");
            assert!(p[3..].iter().all(|&i| labels[i] == 1));
            let mut again = ChaCha8Rng::seed_from_u64(seed);
            assert_eq!(initial_prototypes(&d, &classes, 3, &ng, usize::MAX, &mut again, Team::Single).unwrap(), p);
        }
        // One prototype per class: the class medoid.
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let one = initial_prototypes(&d, &classes, 1, &ng, usize::MAX, &mut rng, Team::Single).unwrap();
        let medoid = initial_prototypes(&d, &classes, 1, &Init::ClassMedoid, usize::MAX, &mut rng, Team::Single).unwrap();
        assert_eq!(one, medoid);
        // A class matrix over the budget is an error, not an allocation.
        let e = initial_prototypes(&d, &classes, 2, &ng, 100, &mut rng, Team::Single).unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { name: "init", .. }), "{e}");
    }

    #[test]
    fn duplicates_give_distinct_seeds() {
        let xs = [1.0, 1.0, 1.0, 1.0, 5.0, 5.0];
        let d = line(&xs);
        let classes = Classes::encode(&[0, 0, 0, 0, 1, 1]);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let p = initial_prototypes(&d, &classes, 2, &Init::Auto, usize::MAX, &mut rng, Team::Single).unwrap();
        assert_eq!(p.len(), 4);
        let mut s = p.clone();
        s.sort();
        s.dedup();
        assert_eq!(s.len(), 4);
    }

    #[test]
    fn given_indices_are_validated() {
        let classes = Classes::encode(&[0, 0, 1, 1]);
        let d = line(&[0.0, 1.0, 2.0, 3.0]);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut given = |g: Vec<usize>| initial_prototypes(&d, &classes, 1, &Init::Given(g), usize::MAX, &mut rng, Team::Single);
        assert_eq!(given(vec![3, 0]).unwrap(), vec![3, 0]);
        assert!(matches!(given(vec![0, 9]), Err(Error::InvalidInitialPrototype { position: 1, index: 9, .. })));
        assert!(matches!(given(vec![0, 0, 2]), Err(Error::InvalidInitialPrototype { position: 1, index: 0, .. })));
        assert!(matches!(given(vec![0, 1]), Err(Error::InvalidParameter { .. })));
    }

    /// Over vectors the start runs on a copy of each class's rows: the same
    /// prototypes as on the whole source (which the wrapper below makes opaque).
    #[test]
    fn class_copies_of_vectors_give_the_same_start() {
        struct Opaque<'a>(crate::SquaredEuclidean<'a, f64>);
        impl Dissimilarity<f64> for Opaque<'_> {
            fn len(&self) -> usize {
                self.0.len()
            }
            fn d(&self, i: usize, j: usize) -> Result<f64, Error> {
                self.0.d(i, j)
            }
            fn columns(&self, cs: &[usize], out: faer::MatMut<'_, f64>) -> Result<(), Error> {
                self.0.columns(cs, out)
            }
            fn batches_columns(&self) -> bool {
                true
            }
            fn weighted_sums(&self, candidates: &[usize], weights: faer::MatRef<'_, f64>, out: faer::MatMut<'_, f64>) -> Result<(), Error> {
                self.0.weighted_sums(candidates, weights, out)
            }
        }
        let mut s = 7u64;
        let mut r = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let n = 900;
        let x = Mat::from_fn(n, 3, |_, _| r() * 10.0);
        let labels: Vec<usize> = (0..n).map(|i| (i * 7 + (x[(i, 0)] > 5.0) as usize) % 3).collect();
        let classes = Classes::encode(&labels);
        let vectors = crate::SquaredEuclidean::from_ref(x.as_ref()).unwrap();
        let opaque = Opaque(vectors.view());
        assert!(opaque.squared_euclidean().is_none() && vectors.squared_euclidean().is_some());
        for seed in 0..6 {
            for k in [1, 2, 4] {
                let start = |d: &dyn Dissimilarity<f64>| {
                    initial_prototypes(d, &classes, k, &Init::Auto, usize::MAX, &mut ChaCha8Rng::seed_from_u64(seed), Team::Single).unwrap()
                };
                let a = start(&vectors);
                assert_eq!(a, start(&opaque), "seed {seed} k {k}");
                assert!(a.iter().enumerate().all(|(j, &q)| labels[q] == j / k), "grouped by class");
            }
        }
    }
}
