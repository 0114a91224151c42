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
