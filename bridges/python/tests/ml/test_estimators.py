"""crucial.ml's estimators on small data, against scikit-learn's on the same data (the oracle), and their errors."""
import os

import numpy as np
import pytest
import sklearn.cluster
import sklearn.ensemble
import sklearn.linear_model
from crucial.ml import KMeans, LogisticRegression, RandomForestClassifier, load_model
from sklearn.datasets import load_breast_cancer, make_blobs, make_classification
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import StandardScaler

SEED = int(os.environ.get("CRUCIAL_TEST_SEED", "0"))


def test_kmeans_matches_sklearn_inertia_on_blobs():
    X, _ = make_blobs(600, n_features=4, centers=5, random_state=SEED)
    ours = KMeans(5, n_init=3, random_state=SEED).fit(X)
    ref = sklearn.cluster.KMeans(5, n_init=3, random_state=SEED).fit(X)
    assert ours.cluster_centers_.shape == (5, 4) and ours.n_features_in_ == 4
    assert ours.inertia_ <= ref.inertia_ * 1.01, f"seed {SEED}: {ours.inertia_} vs {ref.inertia_}"
    assert np.array_equal(ours.labels_, ours.predict(X))
    assert ours.transform(X[:3]).shape == (3, 5)
    assert ours.score(X) == pytest.approx(-ours.inertia_)
    assert ours.n_iter_ >= 1


def test_logistic_regression_binary_and_multinomial_close_to_sklearn():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ours = LogisticRegression(C=1.0, max_iter=200).fit(X, y)
    ref = sklearn.linear_model.LogisticRegression(C=1.0, max_iter=200).fit(X, y)
    assert ours.coef_.shape == (1, 30) and ours.intercept_.shape == (1,)
    assert abs(ours.score(X, y) - ref.score(X, y)) <= 0.005
    proba = ours.predict_proba(X)
    assert np.allclose(proba.sum(1), 1) and np.array_equal(ours.classes_, [0, 1])
    Xm, ym = make_blobs(300, n_features=3, centers=3, random_state=SEED)
    m = LogisticRegression().fit(Xm, np.array(["a", "b", "c"])[ym])
    assert m.coef_.shape == (3, 3) and list(m.classes_) == ["a", "b", "c"]
    assert (m.predict(Xm) == np.array(["a", "b", "c"])[ym]).mean() > 0.95


def test_random_forest_close_to_sklearn_with_oob_and_class_weight():
    X, y = make_classification(800, n_features=8, n_informative=5, random_state=SEED)
    Xt, yt, Xv, yv = X[:600], y[:600], X[600:], y[600:]
    ours = RandomForestClassifier(50, oob_score=True, random_state=SEED).fit(Xt, yt)
    ref = sklearn.ensemble.RandomForestClassifier(50, oob_score=True, random_state=SEED).fit(Xt, yt)
    assert abs(ours.score(Xv, yv) - ref.score(Xv, yv)) <= 0.05, f"seed {SEED}"
    assert abs(ours.oob_score_ - ref.oob_score_) <= 0.05
    assert ours.predict_proba(Xv).shape == (200, 2) and ours.n_classes_ == 2
    weighted = RandomForestClassifier(20, class_weight={0: 1.0, 1: 50.0}, max_depth=2, random_state=SEED).fit(Xt, yt)
    assert (weighted.predict(Xv) == 1).mean() > (ours.predict(Xv) == 1).mean()
    # Same seed, same forest.
    again = RandomForestClassifier(50, oob_score=True, random_state=SEED).fit(Xt, yt)
    assert np.array_equal(again.predict_proba(Xv), ours.predict_proba(Xv))


def test_model_name_publishes_versions_in_the_dso():
    X, y = make_blobs(100, n_features=2, centers=2, random_state=SEED)
    name = f"py-test-logreg-{os.getpid()}"
    a = LogisticRegression(model_name=name).fit(X, y)
    b = LogisticRegression(model_name=name, C=0.1).fit(X, y)
    assert (a.model_name_, b.model_name_) == (name, name)
    assert b.model_version_ == a.model_version_ + 1
    m = load_model(name)
    assert m.version == b.model_version_ and m.params["C"] == 0.1
    assert np.array_equal(m.arrays["coef"], b.coef_)


def test_bad_input_raises_sklearn_style_errors():
    X, y = make_blobs(50, n_features=2, centers=2, random_state=SEED)
    with pytest.raises(NotFittedError):
        LogisticRegression().predict(X)
    with pytest.raises(ValueError, match="n_samples=5 should be >= n_clusters=8"):
        KMeans().fit(X[:5])
    with pytest.raises(ValueError, match="Unknown label type"):
        LogisticRegression().fit(X, y + 0.5)
    with pytest.raises(ValueError, match="at least 2 classes"):
        RandomForestClassifier().fit(X, np.zeros(50))
    with pytest.raises(ValueError, match="NaN"):
        KMeans(2).fit(np.array([[1.0, np.nan], [2.0, 3.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match=r"The 'criterion' parameter .* must be a str among"):
        RandomForestClassifier(criterion="mse").fit(X, y)
    with pytest.raises(ValueError, match="Out of bag estimation only available if bootstrap=True"):
        RandomForestClassifier(bootstrap=False, oob_score=True).fit(X, y)
    fitted = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but LogisticRegression is expecting 2 features"):
        fitted.predict(np.zeros((2, 3)))


def test_import_crucial_does_not_import_sklearn():
    import subprocess
    import sys

    code = "import crucial, crucial.ml, sys; assert 'sklearn' not in sys.modules; crucial.ml.KMeans; assert 'sklearn' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_verbose_fit_shows_the_trainers_progress(capsys):
    X, y = make_classification(300, n_features=6, random_state=SEED)
    RandomForestClassifier(20, random_state=SEED, verbose=1).fit(X, y)
    LogisticRegression(verbose=1).fit(X, y)
    err = capsys.readouterr().err
    assert "crucial.ml sklearn.random_forest." in err and "20/20" in err, err
    # Iterations out of max_iter (100), with the loss as the metric.
    assert "crucial.ml sklearn.logistic_regression." in err and "/100 [" in err, err


def test_random_state_takes_numpys_whole_seed_range_and_refuses_the_rest():
    rng = np.random.RandomState(SEED)
    X = rng.rand(300, 3)
    low = KMeans(6, n_init=1, random_state=0).fit(X).cluster_centers_
    # 2**31 - 1 was folded onto 0 once: two seeds, one model.
    high = KMeans(6, n_init=1, random_state=2**31 - 1).fit(X).cluster_centers_
    top = KMeans(6, n_init=1, random_state=2**32 - 1).fit(X).cluster_centers_
    assert not np.allclose(low, high) and not np.allclose(high, top)
    # k-means++ draws numpy's RandomState(seed) as scikit-learn does, high seeds included.
    for seed, ours in ((2**31 - 1, high), (2**32 - 1, top)):
        ref = sklearn.cluster.KMeans(6, n_init=1, random_state=seed).fit(X).cluster_centers_
        assert np.allclose(ours, ref), f"random_state {seed}"
    # A bool is an int to scikit-learn (check_random_state(True) is RandomState(1)): the same centres as its.
    for flag in (True, False):
        ours = KMeans(6, n_init=1, random_state=flag).fit(X).cluster_centers_
        ref = sklearn.cluster.KMeans(6, n_init=1, random_state=flag).fit(X).cluster_centers_
        assert np.allclose(ours, ref), f"random_state {flag}"
    for bad in (-1, 2**32):
        with pytest.raises(ValueError, match="random_state"):
            KMeans(3, random_state=bad).fit(X)
        with pytest.raises(ValueError, match="random_state"):
            sklearn.cluster.KMeans(3, random_state=bad).fit(X)
