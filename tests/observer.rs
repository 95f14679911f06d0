//! The observer hook: what it sees, and stopping training.

use median_lvq::{Init, MedianLvqParams, Progress, ProgressEvent, SquaredEuclidean, Standardizer, Termination, datasets};
use std::ops::ControlFlow;
use std::sync::Mutex;

fn iris() -> (faer::Mat<f64>, Vec<usize>) {
    let d = datasets::iris::<f64>();
    let all: Vec<usize> = (0..150).collect();
    (Standardizer::fit(d.features.as_ref(), &all).unwrap().transform(d.features.as_ref()).unwrap(), d.labels)
}

#[test]
fn the_observer_sees_every_jump_and_sweep_in_order() {
    let (z, y) = iris();
    let source = SquaredEuclidean::from_ref(z.as_ref()).unwrap();
    let seen = Mutex::new(Vec::new());
    let record = |p: &Progress<f64>| {
        seen.lock().unwrap().push(*p);
        ControlFlow::Continue(())
    };
    let params = MedianLvqParams::new().prototypes_per_class(3).init(Init::StratifiedRandom).n_init(1).check().unwrap();
    let model = params.fit_observed(&source, &y, &record).unwrap();
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen[0].event, ProgressEvent::Started);
    assert_eq!(seen[0].cost, model.cost_history()[0]);
    let jumps: Vec<f64> = seen.iter().filter(|p| p.event == ProgressEvent::Jump).map(|p| p.cost).collect();
    assert_eq!(jumps, model.cost_history()[1..]);
    assert_eq!(seen.iter().filter(|p| p.event == ProgressEvent::Sweep).count(), model.sweeps());
    assert!(seen.windows(2).all(|w| w[0].elapsed <= w[1].elapsed && w[0].jumps <= w[1].jumps));
    assert_eq!(model.termination(), Termination::Converged);
    // Observing changes nothing.
    assert_eq!(params.fit(&source, &y).unwrap(), model);
}

#[test]
fn stopping_returns_the_model_so_far() {
    let (z, y) = iris();
    let source = SquaredEuclidean::from_ref(z.as_ref()).unwrap();
    let params = MedianLvqParams::new().prototypes_per_class(3).init(Init::StratifiedRandom).n_init(4).check().unwrap();
    let full = params.fit(&source, &y).unwrap();
    assert!(full.sweeps() > 1);

    let after_first_sweep =
        |p: &Progress<f64>| if p.event == ProgressEvent::Sweep { ControlFlow::Break(()) } else { ControlFlow::Continue(()) };
    let cut = params.fit_observed(&source, &y, &after_first_sweep).unwrap();
    assert_eq!(cut.termination(), Termination::Interrupted);
    assert_eq!(cut.sweeps(), 1);
    assert!(cut.cost_history().windows(2).all(|w| w[1] < w[0]));
    assert!(cut.cost() >= full.cost());

    let at_start = |_: &Progress<f64>| ControlFlow::Break(());
    let none = params.fit_observed(&source, &y, &at_start).unwrap();
    assert_eq!((none.jumps(), none.sweeps(), none.termination()), (0, 0, Termination::Interrupted));
}
