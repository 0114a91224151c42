"""Every loss against a hand-computed value, central differences, and logits of ±1000."""

import math

import pytest

from autograd import Value, gradcheck
from autograd.losses import binary_cross_entropy, cross_entropy, hinge, l2, logsumexp, mse


def values(*xs):
    return [Value(x) for x in xs]


def grads_of(loss_fn, xs):
    vs = values(*xs)
    out = loss_fn(vs)
    out.backward()
    return out.data, [v.grad for v in vs]


# -- hand-computed values and gradients ------------------------------------------------------------


def test_mse_by_hand():
    # ((1 - 0)^2 + (2 - 4)^2) / 2 = 2.5;  d/do_i = 2 (o_i - t_i) / 2 = (1, -2)
    loss, g = grads_of(lambda v: mse(v, [0.0, 4.0]), [1.0, 2.0])
    assert loss == 2.5
    assert g == [1.0, -2.0]


def test_hinge_by_hand():
    # max(0, 1 - 0.5) + max(0, 1 + 2) + max(0, 1 + 3) + max(0, 1 - 2) = 0.5 + 3 + 4 + 0 = 7.5; / 4
    loss, g = grads_of(lambda v: hinge(v, [1, 1, -1, 1]), [0.5, -2.0, 3.0, 2.0])
    assert loss == pytest.approx(7.5 / 4)
    # active margins push by -y/N; the point beyond its margin gets no gradient
    assert g == pytest.approx([-0.25, -0.25, 0.25, 0.0])


def test_binary_cross_entropy_by_hand():
    # y=1, z=0: -log(sigmoid 0) = log 2.  y=0, z=2: -log(1 - sigmoid 2) = log(1 + e^2)
    loss, g = grads_of(lambda v: binary_cross_entropy(v, [1, 0]), [0.0, 2.0])
    assert loss == pytest.approx((math.log(2) + math.log(1 + math.e**2)) / 2)
    sig2 = 1 / (1 + math.exp(-2))
    assert g == pytest.approx([(0.5 - 1) / 2, (sig2 - 0) / 2])


def test_cross_entropy_by_hand():
    z = [1.0, 2.0, 3.0]
    total = sum(math.exp(x) for x in z)
    softmax = [math.exp(x) / total for x in z]
    vs = values(*z)
    loss = cross_entropy([vs], [2])
    loss.backward()
    assert loss.data == pytest.approx(-math.log(softmax[2]))
    assert [v.grad for v in vs] == pytest.approx([softmax[0], softmax[1], softmax[2] - 1])


def test_cross_entropy_averages_over_examples():
    a, b = values(0.0, 0.0), values(math.log(3.0), 0.0)
    # uniform over 2 classes: log 2; softmax(log 3, 0) = (3/4, 1/4), label 1: -log(1/4)
    loss = cross_entropy([a, b], [0, 1])
    assert loss.data == pytest.approx((math.log(2) + math.log(4)) / 2)


def test_l2_by_hand():
    ws = values(1.0, -2.0, 3.0)
    r = l2(ws, 0.1)
    r.backward()
    assert r.data == pytest.approx(0.1 * (1 + 4 + 9))
    assert [w.grad for w in ws] == pytest.approx([0.2, -0.4, 0.6])  # 2 λ w


def test_logsumexp_by_hand():
    vs = values(0.5, -1.0, 2.0)
    out = logsumexp(vs)
    out.backward()
    total = sum(math.exp(x) for x in (0.5, -1.0, 2.0))
    assert out.data == pytest.approx(math.log(total))
    assert [v.grad for v in vs] == pytest.approx([math.exp(x) / total for x in (0.5, -1.0, 2.0)])


# -- central differences (gradcheck) ---------------------------------------------------------------


def test_losses_match_central_differences():
    assert gradcheck(lambda a, b, c: mse([a, b, c], [0.3, -1.0, 2.0]), [0.1, 0.7, -0.4])
    assert gradcheck(lambda a, b, c: hinge([a, b, c], [1, -1, 1]), [0.2, 0.3, -1.5])
    assert gradcheck(lambda a, b, c: binary_cross_entropy([a, b, c], [1, 0, 1]), [0.2, 3.0, -2.5])
    assert gradcheck(lambda a, b, c: cross_entropy([[a, b, c]], [1]), [0.2, -0.7, 1.9])
    assert gradcheck(lambda a, b, c: l2([a, b, c], 0.01), [0.2, -0.7, 1.9])
    assert gradcheck(lambda a, b, c: logsumexp([a, b, c]), [0.2, -0.7, 1.9])


def test_losses_match_central_differences_through_a_model_output():
    def f(w, b):
        scores = [w * 0.5 + b, w * -1.5 + b]
        return binary_cross_entropy(scores, [1, 0]) + l2([w, b], 0.1)

    assert gradcheck(f, [0.8, -0.3])


# -- numerical stability ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("z", "y", "loss", "grad"),
    [
        (1000.0, 0, 1000.0, 1.0),  # confidently wrong: loss ~ z, d/dz = sigmoid(z) - y = 1
        (-1000.0, 1, 1000.0, -1.0),
        (1000.0, 1, 0.0, 0.0),  # confidently right: no loss, no gradient
        (-1000.0, 0, 0.0, 0.0),
    ],
)
def test_binary_cross_entropy_is_stable_at_extreme_logits(z, y, loss, grad):
    v = Value(z)
    out = binary_cross_entropy([v], [y])
    out.backward()
    assert math.isfinite(out.data) and math.isfinite(v.grad)
    assert out.data == pytest.approx(loss)
    assert v.grad == pytest.approx(grad)


def test_binary_cross_entropy_of_an_infinitely_sure_right_no_is_zero():
    # z = -inf, y = 0: p = sigmoid(-inf) = 0 exactly, so -log(1 - p) = log(1 + e^-inf) = 0, and
    # d/dz = sigmoid(z) - y = 0. The y·z term is left out for y = 0 (0 · -inf would be nan).
    v = Value(-math.inf)
    out = binary_cross_entropy([v], [0])
    out.backward()
    assert (out.data, v.grad) == (0.0, 0.0)


def test_cross_entropy_is_stable_at_extreme_logits():
    vs = values(1000.0, -1000.0, 0.0)
    out = cross_entropy([vs], [1])
    out.backward()
    # -log softmax_1 = logsumexp(z) - z_1 = 1000 - (-1000); softmax = (1, 0, 0)
    assert out.data == pytest.approx(2000.0)
    assert [v.grad for v in vs] == pytest.approx([1.0, -1.0, 0.0])


def test_stable_losses_have_the_same_value_as_the_naive_formula_at_moderate_logits():
    z = Value(1.3)
    p = z.sigmoid()
    naive = -(p.log())
    assert binary_cross_entropy([Value(1.3)], [1]).data == pytest.approx(naive.data)


# -- bad input -------------------------------------------------------------------------------------


def test_length_mismatch_and_empty_batches_are_refused():
    with pytest.raises(ValueError, match="2 outputs but 1 targets"):
        mse(values(1.0, 2.0), [1.0])
    with pytest.raises(ValueError, match="empty batch"):
        hinge([], [])


@pytest.mark.parametrize(
    ("loss", "name", "example"),
    [
        (mse, "mse", 1.0),
        (hinge, "hinge", 1),
        (binary_cross_entropy, "binary_cross_entropy", 1),
        (cross_entropy, "cross_entropy", 0),
    ],
)
def test_each_loss_names_itself_when_the_batch_is_wrong(loss, name, example):
    outputs = [values(1.0, 2.0)] if loss is cross_entropy else values(1.0)
    with pytest.raises(ValueError, match=rf"^{name}: got 1 outputs but 2 targets"):
        loss(outputs, [example, example])
    with pytest.raises(ValueError, match=rf"^{name}: expected at least one example, got an empty"):
        loss([], [])


def test_logsumexp_and_l2_refuse_nothing():
    with pytest.raises(ValueError, match=r"^logsumexp: expected at least one value, got an empty"):
        logsumexp([])
    with pytest.raises(ValueError, match=r"^l2: expected at least one parameter, got none"):
        l2([], 0.1)


def test_bad_labels_are_refused():
    with pytest.raises(ValueError, match="hinge: labels must be -1 or \\+1, got 0"):
        hinge(values(1.0), [0])
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        binary_cross_entropy(values(1.0), [-1])
    with pytest.raises(ValueError, match=r"label must be an int in 0..2, got 3"):
        cross_entropy([values(1.0, 2.0, 3.0)], [3])
    with pytest.raises(ValueError, match=r"got 1\.0"):
        cross_entropy([values(1.0, 2.0)], [1.0])
    with pytest.raises(
        TypeError,
        match=r"^cross_entropy: each example needs a list of k logits, got a single Value",
    ):
        cross_entropy(values(1.0, 2.0), [0, 1])
