"""Toy datasets: their geometry, reproducibility, and the splits and minibatch samplers."""

import numpy as np
import pytest

from autograd import data


def test_moons_without_noise_lie_on_the_two_half_circles():
    X, y = data.moons(101, noise=0.0, seed=3)
    assert X.shape == (101, 2) and y.shape == (101,)
    assert (y == 0).sum() == 50 and (y == 1).sum() == 51  # n // 2 on the first arc
    upper, lower = X[y == 0], X[y == 1]
    # class 0: the unit circle's upper half; class 1: the circle of radius 1 about (1, 0.5), lower
    assert np.allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert (upper[:, 1] >= -1e-12).all()
    assert np.allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert (lower[:, 1] <= 0.5 + 1e-12).all()


def test_moons_shuffle_first_then_add_noise_from_the_same_generator():
    # The shuffle draws first, so noise changes only the coordinates, not the order of points:
    # the difference from the noiseless set is the gaussian noise itself.
    clean, y0 = data.moons(2000, noise=0.0, seed=7)
    noisy, y1 = data.moons(2000, noise=0.1, seed=7)
    assert (y0 == y1).all()
    diff = noisy - clean
    assert abs(diff.mean()) < 0.01
    assert diff.std() == pytest.approx(0.1, rel=0.05)


def test_moons_follows_make_moons_random_stream():
    # make_moons: permute arange(n) in place with RandomState(seed).shuffle, then normal(noise).
    rng = np.random.RandomState(1337)
    order = np.arange(10)
    rng.shuffle(order)
    noise = rng.normal(scale=0.1, size=(10, 2))
    t = np.linspace(0, np.pi, 5)
    arcs = np.r_[np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)]]
    X, y = data.moons(10, noise=0.1, seed=1337)
    assert np.allclose(X, arcs[order] + noise)
    assert (y == (order >= 5)).all()


@pytest.mark.parametrize("make", [data.circles, data.xor, data.simple, data.diagonal, data.split])
def test_noise_is_gaussian_of_that_scale_added_after_the_labels(make):
    # Same seed, with and without noise: the same clean points and labels come first, so the
    # difference is the noise itself, N(0, 0.2^2) on each coordinate.
    clean, y0 = make(4000, noise=0.0, seed=5)
    noisy, y1 = make(4000, noise=0.2, seed=5)
    assert (y0 == y1).all()
    diff = noisy - clean
    assert abs(diff.mean()) < 0.01
    assert diff.std() == pytest.approx(0.2, rel=0.05)


def test_blobs_noise_is_each_points_distance_from_its_centre():
    for noise in (0.0, 0.3):
        X, y = data.blobs(3000, noise=noise, seed=1, classes=3)
        angles = 2 * np.pi * y / 3
        offset = X - 2.0 * np.c_[np.cos(angles), np.sin(angles)]
        assert abs(offset.mean()) < 0.02
        assert offset.std() == pytest.approx(noise, rel=0.05, abs=1e-12)


def test_spiral_noise_turns_the_angle_not_the_radius():
    clean, y0 = data.spiral(3000, noise=0.0, seed=2, classes=3)
    noisy, y1 = data.spiral(3000, noise=0.2, seed=2, classes=3)
    assert (y0 == y1).all()
    assert np.allclose(np.hypot(*noisy.T), np.hypot(*clean.T))
    away = np.hypot(*clean.T) > 0.05  # the angle of a point at the centre means little
    turn = np.arctan2(noisy[away, 0], noisy[away, 1]) - np.arctan2(clean[away, 0], clean[away, 1])
    turn = (turn + np.pi) % (2 * np.pi) - np.pi
    assert abs(turn.mean()) < 0.02
    assert turn.std() == pytest.approx(0.2, rel=0.05)


def test_circles_radii():
    X, y = data.circles(200, noise=0.0, seed=0, factor=0.3)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.allclose(r[y == 0], 1.0) and np.allclose(r[y == 1], 0.3)


def test_xor_labels_are_the_sign_rule():
    X, y = data.xor(300, noise=0.0, seed=1)
    assert ((X[:, 0] * X[:, 1] < 0) == (y == 1)).all()
    assert 0.35 < y.mean() < 0.65


def test_spiral_has_k_arms_of_growing_radius():
    X, y = data.spiral(300, noise=0.0, seed=0, classes=3)
    assert sorted(np.bincount(y)) == [100, 100, 100]
    for j in range(3):
        r = np.hypot(*X[y == j].T)
        assert np.allclose(r, np.linspace(0, 1, 100))  # radius grows linearly along each arm


def test_blobs_cluster_around_k_centres():
    X, y = data.blobs(300, noise=0.1, seed=0, classes=4)
    assert sorted(np.bincount(y)) == [75] * 4
    for j in range(4):
        centre = X[y == j].mean(axis=0)
        assert np.hypot(*centre) == pytest.approx(2.0, abs=0.05)


@pytest.mark.parametrize(
    ("make", "rule"),
    [
        (data.simple, lambda x1, x2: x1 < 0.5),
        (data.diagonal, lambda x1, x2: x1 + x2 < 0.5),
        (data.split, lambda x1, x2: (x1 < 0.2) | (x1 > 0.8)),
    ],
)
def test_unit_square_sets_follow_their_rule(make, rule):
    X, y = make(500, noise=0.0, seed=2)
    assert ((X >= 0) & (X <= 1)).all()
    assert (rule(X[:, 0], X[:, 1]) == (y == 1)).all()


@pytest.mark.parametrize("name", list(data.DATASETS))
def test_every_dataset_is_reproducible_from_its_seed(name):
    a = data.load(name, 60, 0.1, seed=5)
    b = data.load(name, 60, 0.1, seed=5)
    c = data.load(name, 60, 0.1, seed=6)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    assert a[0].dtype == np.float64 and a[1].dtype == np.int64


def test_generators_leave_numpys_global_state_alone():
    np.random.seed(0)
    expected = np.random.rand()
    np.random.seed(0)
    data.moons(50, 0.1, seed=1)
    data.spiral(50, 0.1, seed=1)
    assert np.random.rand() == expected


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="noise must be >= 0"):
        data.moons(10, noise=-1)
    with pytest.raises(TypeError, match="n must be an int"):
        data.xor(10.5)
    with pytest.raises(ValueError, match="classes must be an int >= 2"):
        data.spiral(30, classes=1)
    with pytest.raises(ValueError, match="unknown dataset 'moon'"):
        data.load("moon", 10, 0.1)


def test_train_test_split_is_a_partition():
    X, y = data.moons(40, 0.1, seed=0)
    X_tr, X_te, y_tr, y_te = data.train_test_split(X, y, test_fraction=0.25, seed=1)
    assert len(y_te) == 10 and len(y_tr) == 30
    rows = {tuple(r) for r in np.r_[X_tr, X_te]}
    assert rows == {tuple(r) for r in X}  # every point exactly once
    again = data.train_test_split(X, y, test_fraction=0.25, seed=1)
    assert np.array_equal(again[1], X_te)


def test_sample_training_data_draws_distinct_points_reproducibly():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    Xb, yb = data.sample_training_data((X, y), 4, rng=3)
    assert len(set(yb)) == 4
    assert np.array_equal(Xb, X[yb])  # rows stay paired with their labels
    assert np.array_equal(data.sample_training_data((X, y), 4, rng=3)[1], yb)
    rng = np.random.RandomState(0)
    first = data.sample_training_data((X, y), 4, rng)[1]
    second = data.sample_training_data((X, y), 4, rng)[1]
    assert not np.array_equal(first, second)  # one generator: a sequence of different batches
    assert len(data.sample_training_data((X, y), 256)[1]) == 10  # asks for more than there is


def test_iterate_minibatches_covers_every_point_once_per_epoch():
    X = np.arange(14.0).reshape(7, 2)
    y = np.arange(7)
    batches = list(data.iterate_minibatches(X, y, 3, rng=0))
    assert [len(b[1]) for b in batches] == [3, 3, 1]
    assert sorted(np.concatenate([b[1] for b in batches])) == list(range(7))


# -- defaults and messages ---------------------------------------------------------------------


def test_default_sizes_and_noise():
    # n, noise: moons (100, 0.1), circles (100, 0.05), xor/simple/diagonal/split (100, none),
    # spiral (300 in 3 arms, 0.2), blobs (150 in 3 clusters, 0.5); seed 0 for all
    assert np.array_equal(data.moons()[0], data.moons(100, 0.1, seed=0)[0])
    assert np.array_equal(data.circles()[0], data.circles(100, 0.05, seed=0, factor=0.5)[0])
    for make in (data.xor, data.simple, data.diagonal, data.split):
        assert np.array_equal(make()[0], make(100, 0.0, seed=0)[0])
    assert np.array_equal(data.spiral()[0], data.spiral(300, 0.2, seed=0, classes=3)[0])
    assert np.array_equal(data.blobs()[0], data.blobs(150, 0.5, seed=0, classes=3)[0])
    assert np.bincount(data.spiral()[1]).tolist() == [100] * 3
    assert np.bincount(data.blobs()[1]).tolist() == [50] * 3


def test_load_passes_classes_to_the_k_class_sets_only():
    assert np.array_equal(data.load("spiral", 60, 0.1)[0], data.spiral(60, 0.1, seed=0)[0])
    assert np.array_equal(data.load("blobs", 60, 0.3)[0], data.blobs(60, 0.3, seed=0)[0])
    assert np.bincount(data.load("blobs", 60, 0.1, classes=4)[1]).tolist() == [15] * 4
    assert np.bincount(data.load("spiral", 60, 0.1, seed=1, classes=None)[1]).tolist() == [20] * 3
    assert np.array_equal(data.load("xor", 30, 0.1, seed=2, classes=2)[0], data.xor(30, 0.1, 2)[0])
    with pytest.raises(ValueError, match=r"^dataset 'moons' has 2 classes, got classes=3$"):
        data.load("moons", 10, 0.1, classes=3)
    with pytest.raises(ValueError, match="choose one of moons, circles, xor, spiral, blobs"):
        data.load("moon", 10, 0.1)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: data.moons(1), ValueError, "^moons: n must be at least 2, got 1$"),
        (lambda: data.circles(1), ValueError, "^circles: n must be at least 2, got 1$"),
        (lambda: data.xor(0), ValueError, "^xor: n must be at least 1, got 0$"),
        (lambda: data.blobs(True), TypeError, "^blobs: n must be an int, got bool: True$"),
        (lambda: data.simple(5, "0.1"), TypeError, "^simple: noise must be a number, got str"),
        (lambda: data.split(5, True), TypeError, "^split: noise must be a number, got bool"),
        (lambda: data.diagonal(5, float("nan")), ValueError, r"^diagonal: noise must be >= 0 \("),
        (lambda: data.spiral(5, -0.1), ValueError, "^spiral: noise must be >= 0"),
        (lambda: data.spiral(2, classes=3), ValueError, r"^spiral: n=2 is fewer than one point"),
        (lambda: data.blobs(10, classes=True), ValueError, "^blobs: classes must be an int >= 2"),
        (lambda: data.blobs(10, classes=2.0), ValueError, "got 2.0$"),
        (lambda: data.circles(10, factor=1.0), ValueError, "^circles: factor must be between 0 "),
        (lambda: data.circles(10, factor=0.0), ValueError, "^circles: factor must be between 0 "),
    ],
)
def test_bad_generator_arguments_are_named(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_smallest_sizes_are_allowed():
    assert len(data.moons(2)[1]) == len(data.circles(2)[1]) == 2
    assert len(data.xor(1)[1]) == len(data.simple(1)[1]) == 1
    assert len(data.spiral(3, classes=3)[1]) == 3
    assert np.array_equal(data.moons(np.int64(4), np.float64(0.1))[0], data.moons(4, 0.1)[0])


def test_circles_factor_just_inside_the_bounds():
    X, y = data.circles(4, noise=0.0, factor=0.999)
    assert np.allclose(np.hypot(*X[y == 1].T), 0.999)


def test_split_and_minibatch_arguments_are_checked():
    X, y = np.zeros((4, 2)), np.zeros(4, dtype=np.int64)
    with pytest.raises(ValueError, match=r"^train_test_split: X has 4 rows but y has 3 labels$"):
        data.train_test_split(X, y[:3])
    with pytest.raises(ValueError, match=r"test_fraction must be in \[0, 1\), got 1$"):
        data.train_test_split(X, y, test_fraction=1)
    with pytest.raises(ValueError, match=r"^sample_training_data: batch_size must be >= 1, got 0"):
        data.sample_training_data((X, y), 0)
    with pytest.raises(ValueError, match=r"^sample_training_data: X has 4 rows but y has 3"):
        data.sample_training_data((X, y[:3]), 2)
    with pytest.raises(ValueError, match=r"^iterate_minibatches: batch_size must be >= 1, got 0"):
        next(data.iterate_minibatches(X, y, 0))
    with pytest.raises(ValueError, match=r"^iterate_minibatches: X has 4 rows but y has 3"):
        next(data.iterate_minibatches(X, y[:3], 2))
    assert len(data.train_test_split(X, y, test_fraction=0)[0]) == 4
    assert len(data.sample_training_data((X, y), 1)[1]) == 1
    assert [len(b) for _, b in data.iterate_minibatches(X, y, 1)] == [1] * 4


def test_default_split_and_samplers_are_seeded():
    X, y = data.moons(20, 0.1, seed=0)
    a, b = data.train_test_split(X, y), data.train_test_split(X, y, 0.25, seed=0)
    assert all(np.array_equal(u, v) for u, v in zip(a, b)) and len(a[3]) == 5
    order = np.random.RandomState(7).permutation(20)
    batches = [b for _, b in data.iterate_minibatches(X, y, 8, rng=7)]
    assert np.array_equal(np.concatenate(batches), y[order])
    assert np.array_equal(data.sample_training_data((X, y), 3, rng=7)[1], y[order[:3]])


@pytest.mark.parametrize(
    ("make", "low"), [(data.xor, -1.0), (data.simple, 0.0), (data.diagonal, 0.0), (data.split, 0.0)]
)
def test_square_sets_fill_their_square(make, low):
    # uniform in [low, 1]^2: every quarter of each side gets about a quarter of the points
    X, _ = make(4000, noise=0.0, seed=1)
    assert ((low <= X) & (X <= 1.0)).all()
    for column in X.T:
        counts = np.histogram(column, bins=4, range=(low, 1.0))[0]
        assert (np.abs(counts - 1000) < 120).all()


def test_circles_angles_are_evenly_spaced_without_repeating_the_start():
    X, y = data.circles(20, noise=0.0, seed=0, factor=0.5)
    assert np.bincount(y).tolist() == [10, 10]
    for label in (0, 1):
        angles = np.sort(np.arctan2(X[y == label, 1], X[y == label, 0]) % (2 * np.pi))
        assert np.allclose(angles, 2 * np.pi * np.arange(10) / 10)


def test_spiral_arm_j_turns_from_4j_to_4j_plus_4_radians():
    X, y = data.spiral(30, noise=0.0, seed=0, classes=3)
    for j in range(3):
        arm = X[y == j]
        t = np.linspace(4.0 * j, 4.0 * (j + 1), 10)
        assert np.allclose(
            arm, np.c_[np.linspace(0, 1, 10) * np.sin(t), np.linspace(0, 1, 10) * np.cos(t)]
        )


def test_two_classes_is_the_fewest():
    assert np.bincount(data.spiral(20, 0.0, classes=2)[1]).tolist() == [10, 10]
    assert np.bincount(data.blobs(20, 0.0, classes=2)[1]).tolist() == [10, 10]
    with pytest.raises(ValueError, match=r"^spiral: classes must be an int >= 2, got 1$"):
        data.spiral(20, classes=1)
