"""scikit-learn's own estimator checks, on vectors (``metric="sqeuclidean"``)."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from median_lvq import MedianGLVQ

# Checks that cannot apply, and why (none are skipped silently):
EXPECTED_FAILED_CHECKS = {
    # Fits with class weights {0: 1000, 1: 1e-4} on overlapping blobs and needs more
    # than 87 % of the test objects predicted as class 0. That is a property of
    # costs that count errors; the GLVQ cost with the identity transfer trades
    # errors for margins, and the median model's prototypes must be objects, so it
    # gets 84 % (a sigmoid transfer with beta=10 gets 92 %). What class weights do
    # promise here, a clear shift towards the heavy class, is tested in
    # test_median_glvq.py::test_class_weight_moves_the_decision_towards_the_heavy_class.
    "check_class_weight_classifiers": "the GLVQ cost trades errors for margins; tested separately",
}


@parametrize_with_checks(
    [MedianGLVQ(metric="sqeuclidean", random_state=0)],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
