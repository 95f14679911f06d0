//! Labels of any ordered type, encoded as class numbers in sorted label order.

/// Labels encoded as `0..n_classes` in sorted order, so class order is deterministic.
#[derive(Debug, Clone)]
pub(crate) struct Classes<L> {
    /// The distinct labels, sorted.
    pub labels: Vec<L>,
    /// Class number of each object.
    pub y: Vec<usize>,
    /// Objects of each class, ascending.
    pub members: Vec<Vec<usize>>,
}

impl<L: Clone + Ord> Classes<L> {
    pub fn encode(labels: &[L]) -> Self {
        let mut distinct: Vec<L> = labels.to_vec();
        distinct.sort();
        distinct.dedup();
        let mut members = vec![Vec::new(); distinct.len()];
        let y: Vec<usize> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                // Always found: `distinct` holds every label.
                let c = distinct.binary_search(l).unwrap_or(0);
                if let Some(m) = members.get_mut(c) {
                    m.push(i);
                }
                c
            })
            .collect();
        Self { labels: distinct, y, members }
    }
}

impl<L> Classes<L> {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// The same classes without the labels (training needs only the numbers), so
    /// that restarts can run on other threads whatever the label type.
    pub fn numbers(&self) -> Classes<()> {
        Classes { labels: vec![(); self.labels.len()], y: self.y.clone(), members: self.members.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_classes_for_any_label_type() {
        let c = Classes::encode(&["b", "a", "c", "a"]);
        assert_eq!(c.labels, vec!["a", "b", "c"]);
        assert_eq!(c.y, vec![1, 0, 2, 0]);
        assert_eq!(c.members, vec![vec![1, 3], vec![0], vec![2]]);
        let c = Classes::encode(&[10, -3, 10]);
        assert_eq!(c.labels, vec![-3, 10]);
        assert_eq!(c.len(), 2);
    }
}
