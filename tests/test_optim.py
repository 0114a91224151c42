"""Optimizers' first steps against the update equations worked by hand; schedules against
their closed forms."""

import math

import pytest

from autograd import Value
from autograd.optim import (
    SGD,
    Adam,
    AdamW,
    ConstantLR,
    CosineAnnealingLR,
    LinearLR,
    StepLR,
)


def run(opt, p, grads):
    """Take one step per gradient in ``grads`` (set by hand) and return p.data after each."""
    seen = []
    for g in grads:
        p.grad = g
        opt.step()
        seen.append(p.data)
    return seen


def test_plain_sgd_is_micrograds_update():
    p = Value(1.0)
    assert run(SGD([p], lr=0.1), p, [0.5, -2.0]) == pytest.approx([0.95, 1.15])


def test_sgd_with_momentum_and_weight_decay_by_hand():
    # lr 0.1, momentum 0.9, weight decay 0.1, constant gradient 0.5, p0 = 1
    # step 1: g = 0.5 + 0.1*1 = 0.6; b = g = 0.6; p = 1 - 0.06 = 0.94
    # step 2: g = 0.5 + 0.094 = 0.594; b = 0.9*0.6 + 0.594 = 1.134; p = 0.94 - 0.1134 = 0.8266
    p = Value(1.0)
    opt = SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1)
    assert run(opt, p, [0.5, 0.5]) == pytest.approx([0.94, 0.8266])


def test_sgd_nesterov_by_hand():
    # step 1: g = 0.6, b = 0.6, update g + 0.9 b = 1.14 -> p = 0.886
    # step 2: g = 0.5 + 0.0886 = 0.5886, b = 0.54 + 0.5886 = 1.1286,
    #         update 0.5886 + 0.9 * 1.1286 = 1.60434 -> p = 0.886 - 0.160434 = 0.725566
    p = Value(1.0)
    opt = SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True)
    assert run(opt, p, [0.5, 0.5]) == pytest.approx([0.886, 0.725566])


def test_sgd_dampening_by_hand():
    # first step takes b = g undamped (PyTorch); then b = 0.9 b + (1 - 0.5) g
    p = Value(0.0)
    opt = SGD([p], lr=1.0, momentum=0.9, dampening=0.5)
    assert run(opt, p, [1.0, 1.0]) == pytest.approx([-1.0, -1.0 - (0.9 + 0.5)])


def test_adam_two_steps_by_hand():
    # lr 0.1, betas (0.9, 0.999), eps 1e-8; gradients 0.5 then -1.0, p0 = 1
    # step 1: m = 0.05, v = 0.00025; m_hat = 0.05/0.1 = 0.5, v_hat = 0.00025/0.001 = 0.25
    #         p = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
    # step 2: m = 0.045 - 0.1 = -0.055, v = 0.00024975 + 0.001 = 0.00124975
    #         m_hat = -0.055 / 0.19, v_hat = 0.00124975 / 0.001999
    p1 = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
    p2 = p1 - 0.1 * (-0.055 / 0.19) / (math.sqrt(0.00124975 / 0.001999) + 1e-8)
    p = Value(1.0)
    assert run(Adam([p], lr=0.1), p, [0.5, -1.0]) == pytest.approx([p1, p2], rel=1e-12)


def test_adam_takes_steps_of_about_lr_whatever_the_gradient_scale():
    for scale in (1e-4, 1.0, 1e4):
        p = Value(0.0)
        run(Adam([p], lr=0.01), p, [scale])
        assert p.data == pytest.approx(-0.01, rel=1e-3)


def test_adam_weight_decay_is_l2_in_the_gradient():
    # g = 0.5 + 0.1 * 1 = 0.6; m_hat = 0.6, v_hat = 0.36: the step is lr * 0.6 / 0.6 = 0.1
    p = Value(1.0)
    assert run(Adam([p], lr=0.1, weight_decay=0.1), p, [0.5]) == pytest.approx([0.9])


def test_adamw_decays_the_weight_directly():
    # p = 1 * (1 - 0.1 * 0.1) = 0.99, then the plain Adam step of 0.1: 0.89
    p = Value(1.0)
    assert run(AdamW([p], lr=0.1, weight_decay=0.1), p, [0.5]) == pytest.approx([0.89])


def test_adamw_default_weight_decay_is_pytorchs():
    assert AdamW([Value(1.0)]).weight_decay == 0.01
    assert Adam([Value(1.0)]).weight_decay == 0.0


def test_zero_grad_and_step_count():
    a, b = Value(1.0), Value(2.0)
    opt = SGD([a, b], lr=0.1)
    a.grad, b.grad = 3.0, 4.0
    opt.step()
    opt.zero_grad()
    assert (a.grad, b.grad) == (0.0, 0.0)
    assert opt.t == 1


def test_bad_hyperparameters_are_refused():
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="parameter 0 must be a Value"):
        SGD([1.0], lr=0.1)
    with pytest.raises(ValueError, match=r"SGD\(lr\) must be >= 0"):
        SGD([Value(1.0)], lr=-1)
    with pytest.raises(ValueError, match=r"betas\[0\]"):
        Adam([Value(1.0)], betas=(1.0, 0.999))
    with pytest.raises(ValueError, match="nesterov"):
        SGD([Value(1.0)], lr=0.1, nesterov=True)


# -- schedules -------------------------------------------------------------------------------------


def lrs(scheduler, steps):
    """The learning rate the optimizer holds before each of ``steps`` steps."""
    seen = []
    for _ in range(steps):
        seen.append(scheduler.optimizer.lr)
        scheduler.optimizer.step()
        scheduler.step()
    return seen


def test_linear_decay_is_the_micrograd_demo_schedule():
    p = Value(0.0)
    opt = SGD([p], lr=1.0)
    sched = LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=100)
    seen = lrs(sched, 120)
    assert seen[:100] == pytest.approx([1.0 - 0.9 * k / 100 for k in range(100)])
    assert seen[100:] == pytest.approx([0.1] * 20)  # constant after total_iters


def test_step_schedule_closed_form():
    opt = SGD([Value(0.0)], lr=0.8)
    seen = lrs(StepLR(opt, step_size=10, gamma=0.5), 30)
    assert seen == pytest.approx([0.8] * 10 + [0.4] * 10 + [0.2] * 10)


def test_cosine_schedule_closed_form():
    opt = SGD([Value(0.0)], lr=1.0)
    sched = CosineAnnealingLR(opt, T_max=10, eta_min=0.1)
    seen = lrs(sched, 12)
    expected = [0.1 + 0.9 * (1 + math.cos(math.pi * min(k, 10) / 10)) / 2 for k in range(12)]
    assert seen == pytest.approx(expected)
    assert seen[5] == pytest.approx(0.55)  # halfway: the midpoint of 1.0 and 0.1
    assert sched(10) == pytest.approx(0.1)


def test_constant_schedule_and_callable_form():
    opt = SGD([Value(0.0)], lr=0.3)
    sched = ConstantLR(opt)
    assert lrs(sched, 3) == [0.3, 0.3, 0.3]
    lin = LinearLR(SGD([Value(0.0)], lr=2.0), 1.0, 0.5, 4)
    assert [lin(k) for k in range(6)] == pytest.approx([2.0, 1.75, 1.5, 1.25, 1.0, 1.0])


# -- defaults, several parameters, and the messages ------------------------------------------------


def test_defaults_are_pytorchs():
    # one step on gradient 0.5 from p = 1: SGD moves by lr = 0.01; Adam's first step is lr = 1e-3
    p = Value(1.0)
    assert run(SGD([p]), p, [0.5]) == pytest.approx([1.0 - 0.01 * 0.5], rel=1e-15)
    p = Value(1.0)
    assert run(Adam([p]), p, [0.5]) == pytest.approx([1.0 - 1e-3 * 0.5 / (0.5 + 1e-8)], rel=1e-15)
    p = Value(1.0)  # AdamW: 1 * (1 - 1e-3 * 0.01), then the same Adam step
    expected = 1.0 * (1 - 1e-3 * 0.01) - 1e-3 * 0.5 / (0.5 + 1e-8)
    assert run(AdamW([p]), p, [0.5]) == pytest.approx([expected], rel=1e-15)
    adam = Adam([Value(0.0)])
    assert (adam.lr, adam.betas, adam.eps, adam.weight_decay) == (1e-3, (0.9, 0.999), 1e-8, 0.0)
    sgd = SGD([Value(0.0)])
    assert (sgd.lr, sgd.momentum, sgd.dampening, sgd.weight_decay) == (0.01, 0.0, 0.0, 0.0)
    assert sgd.nesterov is False


def test_adam_eps_is_added_to_the_root():
    # gradient 1e-9: m_hat = 1e-9 and sqrt(v_hat) = 1e-9, so the step is lr * 1e-9 / (1e-9 + eps)
    p = Value(0.0)
    run(Adam([p], lr=1.0, eps=1e-9), p, [1e-9])
    assert p.data == pytest.approx(-0.5, rel=1e-9)


def test_plain_sgd_with_weight_decay_by_hand():
    # g = 0.5 + 0.1 * 2 = 0.7; p = 2 - 0.1 * 0.7
    p = Value(2.0)
    assert run(SGD([p], lr=0.1, weight_decay=0.1), p, [0.5]) == pytest.approx([1.93], rel=1e-15)


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: SGD(ps, lr=0.1, momentum=0.9),
        lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
        lambda ps: Adam(ps, lr=0.1),
        lambda ps: AdamW(ps, lr=0.1, weight_decay=0.1),
    ],
    ids=["momentum", "nesterov", "adam", "adamw"],
)
def test_each_parameter_keeps_its_own_state(make):
    # Two parameters stepped together move exactly as each would alone.
    a, b = Value(1.0), Value(-2.0)
    together = make([a, b])
    alone = [(Value(1.0), [0.5, -1.0, 0.25]), (Value(-2.0), [-3.0, 0.0, 2.0])]
    expected = [run(make([p]), p, grads) for p, grads in alone]
    for k in range(3):
        a.grad, b.grad = alone[0][1][k], alone[1][1][k]
        together.step()
        assert (a.data, b.data) == pytest.approx((expected[0][k], expected[1][k]), rel=1e-15)
    assert together.t == 3


def test_repr_names_the_optimizer_its_rate_and_parameters():
    assert repr(SGD([Value(0.0), Value(1.0)], lr=0.1)) == "SGD(lr=0.1, params=2)"
    assert repr(Adam([Value(0.0)])) == "Adam(lr=0.001, params=1)"


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda p: SGD(p, lr="0.1"), TypeError, r"^SGD\(lr\) must be a number, got str: '0.1'$"),
        (lambda p: SGD(p, lr=True), TypeError, r"^SGD\(lr\) must be a number, got bool"),
        (lambda p: SGD(p, lr=float("nan")), ValueError, r"^SGD\(lr\) must be >= 0.0, got nan$"),
        (lambda p: SGD(p, lr=float("inf")), ValueError, r"^SGD\(lr\) must be >= 0.0, got inf$"),
        (lambda p: SGD(p, momentum=-0.5), ValueError, r"^SGD\(momentum\) must be >= 0.0, got -0.5"),
        (lambda p: SGD(p, dampening=-1), ValueError, r"^SGD\(dampening\) must be >= 0.0, got -1$"),
        (lambda p: SGD(p, weight_decay=-1), ValueError, r"^SGD\(weight_decay\) must be >= 0.0"),
        (lambda p: SGD(p, momentum=0.9, dampening=0.1, nesterov=True), ValueError, "^SGD: nest"),
        (lambda p: Adam(p, lr=-1), ValueError, r"^Adam\(lr\) must be >= 0.0, got -1$"),
        (lambda p: Adam(p, betas=(-0.1, 0.9)), ValueError, r"^Adam\(betas\[0\]\) must be in \[0.0"),
        (lambda p: Adam(p, betas=(0.9, 1.0)), ValueError, r"^Adam\(betas\[1\]\) .*1.0\), got 1.0"),
        (lambda p: Adam(p, eps=-1e-8), ValueError, r"^Adam\(eps\) must be >= 0.0, got -1e-08$"),
        (lambda p: Adam(p, weight_decay=-1), ValueError, r"^Adam\(weight_decay\) must be >= 0"),
        (lambda p: AdamW(p, betas=(1.5, 0.9)), ValueError, r"^AdamW\(betas\[0\]\)"),
        (lambda p: Adam([*p, "w"]), TypeError, "^Adam: parameter 1 must be a Value, got str: 'w'$"),
        (lambda p: AdamW([]), ValueError, "^AdamW: got an empty parameter list$"),
    ],
)
def test_bad_hyperparameters_are_named_in_the_message(make, error, message):
    with pytest.raises(error, match=message):
        make([Value(1.0)])


def test_zero_is_a_valid_rate_and_momentum():
    p = Value(1.0)
    assert run(SGD([p], lr=0.0, momentum=0.0), p, [0.5]) == [1.0]
    assert Adam([p], betas=(0.0, 0.0)).betas == (0.0, 0.0)


def test_the_base_classes_leave_the_rule_to_subclasses():
    from autograd.optim import LRScheduler, Optimizer

    with pytest.raises(NotImplementedError):
        Optimizer([Value(1.0)], lr=0.1).step()
    with pytest.raises(NotImplementedError):
        LRScheduler(SGD([Value(1.0)], lr=0.1))  # sets lr_at(0) on creation


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda o: LinearLR([o]), TypeError, "^LinearLR: expected an Optimizer, got list$"),
        (
            lambda o: LinearLR(o, total_iters=0),
            ValueError,
            r"^LinearLR\(total_iters\) must be >= 1",
        ),
        (lambda o: LinearLR(o, start_factor=-1), ValueError, r"^LinearLR\(start_factor\) must be"),
        (lambda o: LinearLR(o, end_factor=-1), ValueError, r"^LinearLR\(end_factor\) must be"),
        (lambda o: StepLR(o, step_size=0), ValueError, r"^StepLR\(step_size\) must be >= 1, got 0"),
        (lambda o: StepLR(o, 1, gamma=-1), ValueError, r"^StepLR\(gamma\) must be >= 0.0"),
        (lambda o: CosineAnnealingLR(o, T_max=0), ValueError, r"^CosineAnnealingLR\(T_max\) must"),
        (lambda o: CosineAnnealingLR(o, 5, eta_min=-1), ValueError, r"^CosineAnnealingLR\(eta_m"),
    ],
)
def test_bad_schedules_are_refused(make, error, message):
    with pytest.raises(error, match=message):
        make(SGD([Value(1.0)], lr=0.1))


def test_one_is_a_valid_schedule_length():
    opt = SGD([Value(0.0)], lr=1.0)
    assert lrs(LinearLR(opt, 1.0, 0.5, total_iters=1), 3) == [1.0, 0.5, 0.5]
    opt = SGD([Value(0.0)], lr=1.0)
    assert lrs(StepLR(opt, step_size=1, gamma=0.5), 3) == [1.0, 0.5, 0.25]
    opt = SGD([Value(0.0)], lr=1.0)
    assert lrs(CosineAnnealingLR(opt, T_max=1), 3) == pytest.approx([1.0, 0.0, 0.0])


def test_schedule_defaults_and_last_lr():
    # LinearLR's defaults are the micrograd demo's 1.0 -> 0.1 over 100 steps; StepLR's gamma 0.1
    opt = SGD([Value(0.0)], lr=2.0)
    sched = LinearLR(opt)
    assert [sched(k) for k in (0, 50, 100, 200)] == pytest.approx([2.0, 1.1, 0.2, 0.2])
    assert sched.get_last_lr() == 2.0
    sched.step()
    assert sched.get_last_lr() == pytest.approx(2.0 * (1 - 0.9 / 100)) == opt.lr
    assert StepLR(SGD([Value(0.0)], lr=1.0), 2)(2) == pytest.approx(0.1)
    assert CosineAnnealingLR(SGD([Value(0.0)], lr=1.0), 4)(4) == 0.0  # eta_min defaults to 0


def test_momentum_one_keeps_every_gradient():
    # b = 1 * b + g: the buffer is the running sum of the gradients, 1 then 2
    p = Value(0.0)
    assert run(SGD([p], lr=1.0, momentum=1.0), p, [1.0, 1.0]) == [-1.0, -3.0]


@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_every_step_is_counted(momentum):
    p = Value(0.0)
    opt = SGD([p], lr=0.1, momentum=momentum)
    run(opt, p, [1.0, 1.0, 1.0])
    assert opt.t == 3


def adam_by_hand(p, grads, lr, wd_in_gradient=0.0, shrink=1.0, b1=0.9, b2=0.999, eps=1e-8):
    """torch.optim.Adam's update, written out: the values of p after each step."""
    m = v = 0.0
    seen = []
    for t, g in enumerate(grads, start=1):
        p *= shrink
        g = g + wd_in_gradient * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p -= lr * (m / (1 - b1**t)) / (math.sqrt(v / (1 - b2**t)) + eps)
        seen.append(p)
    return seen


def test_adam_and_adamw_weight_decay_over_two_steps():
    # one step cannot tell: Adam's first step is lr whatever the gradient; the second can
    p = Value(1.0)
    got = run(Adam([p], lr=0.1, weight_decay=0.1), p, [0.5, -1.0])
    assert got == pytest.approx(adam_by_hand(1.0, [0.5, -1.0], 0.1, wd_in_gradient=0.1), rel=1e-12)
    p = Value(1.0)
    got = run(AdamW([p], lr=0.1, weight_decay=0.1), p, [0.5, -1.0])
    assert got == pytest.approx(
        adam_by_hand(1.0, [0.5, -1.0], 0.1, shrink=1 - 0.1 * 0.1), rel=1e-12
    )
    assert got != pytest.approx(adam_by_hand(1.0, [0.5, -1.0], 0.1, wd_in_gradient=0.1), rel=1e-6)


def test_make_optimizer_by_name_with_the_command_lines_defaults() -> None:
    from autograd.optim import AdamW, make_optimizer

    params = [Value(1.0), Value(-2.0)]
    sgd = make_optimizer("sgd", params, momentum=0.9)
    assert isinstance(sgd, SGD) and sgd.lr == 1.0 and sgd.momentum == 0.9
    adam = make_optimizer("adam", params)
    assert type(adam) is Adam and adam.lr == 0.01 and adam.weight_decay == 0.0
    adamw = make_optimizer("adamw", params, lr=0.003)
    assert isinstance(adamw, AdamW) and adamw.lr == 0.003 and adamw.weight_decay == 0.01
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop'; expected one of sgd"):
        make_optimizer("rmsprop", params)
    with pytest.raises(ValueError, match="momentum is for sgd; adam keeps its own"):
        make_optimizer("adam", params, momentum=0.9)


def test_make_scheduler_by_name_over_a_run() -> None:
    from autograd.optim import make_optimizer, make_scheduler

    def lrs(name: str, steps: int) -> list[float]:
        opt = make_optimizer("sgd", [Value(1.0)], lr=1.0)
        sched = make_scheduler(name, opt, steps, final_factor=0.1)
        out = [opt.lr]
        for _ in range(steps):
            sched.step()
            out.append(opt.lr)
        return out

    # micrograd's demo: lr = 1.0 - 0.9 * k / 100
    assert lrs("linear", 100) == pytest.approx([1.0 - 0.9 * k / 100 for k in range(101)])
    cosine = lrs("cosine", 10)
    assert cosine[0] == 1.0 and cosine[-1] == pytest.approx(0.1)
    assert cosine[5] == pytest.approx(0.1 + 0.9 * (1 + math.cos(math.pi / 2)) / 2)
    assert lrs("step", 9)[:7] == pytest.approx([1.0] * 3 + [0.1] * 3 + [0.01])
    assert lrs("constant", 3) == [1.0] * 4
    with pytest.raises(ValueError, match="unknown schedule 'warmup'"):
        make_scheduler("warmup", make_optimizer("sgd", [Value(1.0)]), 10)


def test_make_optimizer_passes_the_rate_and_weight_decay_it_is_given_to_sgd() -> None:
    # one step by hand, lr 0.5, weight decay 0.1, p0 = 2, g = 1: p = 2 - 0.5 (1 + 0.1·2) = 1.4
    from autograd.optim import make_optimizer

    p = Value(2.0)
    assert run(make_optimizer("sgd", [p], lr=0.5, weight_decay=0.1), p, [1.0]) == [
        pytest.approx(1.4, rel=1e-15)
    ]
    # the command line's sgd: lr 1.0 and no decay, micrograd's p -= 1.0 · g
    p = Value(2.0)
    assert run(make_optimizer("sgd", [p]), p, [1.0]) == [1.0]


@pytest.mark.parametrize("name", ["adam", "adamw"])
def test_make_optimizer_passes_the_weight_decay_it_is_given_to_adam_and_adamw(name) -> None:
    # p0 = 2, g = -0.1, lr 0.1, weight decay 0.5. Adam's first step moves p by lr · ĝ/(|ĝ| + eps)
    # whatever the gradient's size, so only the sign of what it divides tells the decay:
    # adam: ĝ = -0.1 + 0.5·2 = 0.9 > 0, p = 2 - 0.1 · 0.9/(0.9 + 1e-8): down, not up;
    # adamw: p = 2 · (1 - 0.1·0.5) = 1.9 first, then the raw g: 1.9 + 0.1 · 0.1/(0.1 + 1e-8).
    from autograd.optim import make_optimizer

    p = Value(2.0)
    (got,) = run(make_optimizer(name, [p], lr=0.1, weight_decay=0.5), p, [-0.1])
    if name == "adam":
        assert got == pytest.approx(2.0 - 0.1 * 0.9 / (0.9 + 1e-8), rel=1e-14)
    else:
        assert got == pytest.approx(1.9 + 0.1 * 0.1 / (0.1 + 1e-8), rel=1e-14)


def test_make_optimizer_names_every_optimizer_it_knows_when_refusing_one() -> None:
    from autograd.optim import OPTIMIZERS, make_optimizer

    assert OPTIMIZERS == ("sgd", "adam", "adamw")
    with pytest.raises(ValueError, match=r"expected one of sgd, adam, adamw$"):
        make_optimizer("rmsprop", [Value(1.0)])


def schedule_of(name: str, steps: int, **options) -> list[float]:
    """The rate of every step of a ``steps``-step run (and after it) from ``make_scheduler``."""
    from autograd.optim import make_scheduler

    opt = SGD([Value(1.0)], lr=1.0)
    sched = make_scheduler(name, opt, steps, **options)
    out = [opt.lr]
    for _ in range(steps):
        sched.step()
        out.append(opt.lr)
    return out


def test_make_scheduler_ends_a_linear_or_cosine_run_at_a_tenth_of_the_rate_by_default() -> None:
    # linear over 10 steps: lr_k = 1 - 0.9 k / 10; cosine: 0.1 + 0.9 (1 + cos(π k / 10)) / 2
    assert schedule_of("linear", 10) == pytest.approx([1.0 - 0.09 * k for k in range(11)])
    assert schedule_of("cosine", 10) == pytest.approx(
        [0.1 + 0.9 * (1 + math.cos(math.pi * k / 10)) / 2 for k in range(11)]
    )


def test_make_scheduler_over_a_one_step_run_reaches_the_final_rate_after_that_step() -> None:
    assert schedule_of("linear", 1, final_factor=0.5) == pytest.approx([1.0, 0.5])
    assert schedule_of("cosine", 1, final_factor=0.5) == pytest.approx([1.0, 0.5])


def test_make_scheduler_step_divides_by_ten_every_third_of_the_run_in_whole_steps() -> None:
    # 3 steps: a third is one step; 10 steps: a third rounds down to 3 steps (10 // 3)
    assert schedule_of("step", 3) == pytest.approx([1.0, 0.1, 0.01, 0.001])
    assert schedule_of("step", 10) == pytest.approx([1.0] * 3 + [0.1] * 3 + [0.01] * 3 + [1e-3] * 2)


def test_make_scheduler_names_every_schedule_it_knows_when_refusing_one() -> None:
    from autograd.optim import SCHEDULES, make_scheduler

    assert SCHEDULES == ("linear", "step", "cosine", "constant")
    with pytest.raises(ValueError, match=r"expected one of linear, step, cosine, constant$"):
        make_scheduler("warmup", SGD([Value(1.0)], lr=1.0), 10)


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: SGD(ps, lr=0.1),
        lambda ps: SGD(ps, lr=0.1, momentum=0.9),
        lambda ps: Adam(ps, lr=0.1),
    ],
)
def test_without_weight_decay_a_step_only_subtracts_the_gradient_term(make):
    # no decay term at all, not one multiplied by 0: a weight that has overflowed to ±inf stays
    # there (inf - a finite step = inf), where 0 · inf would have made it nan
    p, q = Value(math.inf), Value(-math.inf)
    opt = make([p, q])
    p.grad, q.grad = 1.0, -1.0
    opt.step()
    assert (p.data, q.data) == (math.inf, -math.inf)
