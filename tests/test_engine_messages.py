"""Every refusal of the engine names the call that refused and says what to do instead.

The truth here is each message's promise: the name of the call the user wrote (``Value()``,
``backward(gradient)``, ``grad: outputs``, ...), what was given, and the way out. The patterns
match those parts, not the whole wording.
"""

from __future__ import annotations

import numpy as np
import pytest
from hand_built import square_by_hand

from autograd import Value, grad, no_grad
from autograd.engine import local_grads

# --------------------------------------------------------------------------------------------------
# Value()
# --------------------------------------------------------------------------------------------------


def test_a_value_given_to_value_is_refused_pointing_to_data_and_detach() -> None:
    with pytest.raises(
        TypeError,
        match=r"^Value\(\): got a Value; use its \.data, or \.detach\(\) for a graph-free copy$",
    ):
        Value(Value(1.0))  # type: ignore[arg-type]


def test_a_string_given_to_value_is_refused_naming_value_and_the_type() -> None:
    with pytest.raises(
        TypeError,
        match=r"^Value\(\): expected a real number \(int, float, bool or numpy scalar\), "
        r"got str: '1\.5'$",
    ):
        Value("1.5")  # type: ignore[arg-type]


def test_an_array_given_to_value_is_refused_with_its_size_and_how_to_split_it() -> None:
    with pytest.raises(
        TypeError,
        match=r"^Value\(\): expected a single number, got an array of size 3; "
        r"make one Value per element, e\.g\. \[Value\(x\) for x in array\.flat\]$",
    ):
        Value(np.array([1.0, 2.0, 3.0]))  # type: ignore[arg-type]


def test_a_label_that_is_not_a_string_is_refused_naming_its_type_and_the_string_to_write() -> None:
    with pytest.raises(
        TypeError,
        match=r"^Value\(1\.0, label=3\): the label must be a str, got int; e\.g\. label='3'$",
    ):
        Value(1.0, label=3)  # type: ignore[arg-type]


class _DuckScalar:
    """A scalar of another array library: a ``dtype`` and ``item()``, but no ``size``."""

    dtype = "float64"

    def item(self) -> float:
        return 2.5


def test_a_scalar_with_a_dtype_and_no_size_is_taken_as_one_number() -> None:
    """Only a size other than 1 is refused; a scalar type that has no ``size`` is one number."""
    assert Value(_DuckScalar()).data == 2.5  # type: ignore[arg-type]
    assert (Value(1.0) * _DuckScalar()).data == 2.5  # type: ignore[operator]


# --------------------------------------------------------------------------------------------------
# backward()
# --------------------------------------------------------------------------------------------------


def test_a_seed_that_is_not_a_number_is_refused_naming_backward_gradient() -> None:
    x = Value(2.0)
    with pytest.raises(
        TypeError, match=r"^backward\(gradient\): expected a real number .*got str: 'one'$"
    ):
        (x * x).backward("one")  # type: ignore[arg-type]
    assert x.grad == 0.0


def test_backward_of_a_no_grad_result_says_to_compute_it_outside_no_grad() -> None:
    x = Value(3.0)
    with no_grad():
        y = x * x
    with pytest.raises(
        RuntimeError,
        match=r"^backward: Value\(data=9\.0, grad=0\.0\) was computed inside no_grad\(\), which "
        r"records no graph, so there is nothing to differentiate; compute it outside no_grad\(\) "
        r"to get gradients$",
    ):
        y.backward()


# --------------------------------------------------------------------------------------------------
# local_grads() and grad()
# --------------------------------------------------------------------------------------------------


def test_local_grads_of_a_hand_built_node_says_its_derivatives_are_not_in_the_table() -> None:
    y = square_by_hand(Value(2.0))
    with pytest.raises(
        TypeError,
        match=r"^local_grads: node Value\(data=4\.0, grad=0\.0\) \(op 'square'\) was built by hand "
        r"with a custom _backward; its local derivatives are not in the op table$",
    ):
        local_grads(y)


def test_grad_of_a_hand_built_node_says_only_backward_can_run_it() -> None:
    x = Value(2.0)
    with pytest.raises(
        TypeError,
        match=r"^grad: node Value\(data=4\.0, grad=0\.0\) \(op 'square'\) has a hand-written "
        r"_backward, which only backward\(\) can run; build it from Value operations to use "
        r"grad\(\)$",
    ):
        grad(square_by_hand(x), x)


@pytest.mark.parametrize(
    ("outputs", "inputs", "message"),
    [
        (3, None, r"^grad: outputs must be a Value or a sequence of Values, got int: 3$"),
        (None, "x", r"^grad: inputs must be a Value or a sequence of Values, got str: 'x'$"),
    ],
    ids=["outputs", "inputs"],
)
def test_grad_refuses_a_bare_non_value_naming_the_argument(outputs, inputs, message) -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match=message):
        grad(x * 2.0 if outputs is None else outputs, x if inputs is None else inputs)


def test_grad_refuses_a_non_value_in_a_list_naming_its_position_and_type() -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"^grad: inputs\[1\] must be a Value, got float: 2\.0$"):
        grad(x * 2.0, [x, 2.0])  # type: ignore[list-item]


def test_a_grad_output_that_is_not_a_number_is_refused_naming_grad_outputs() -> None:
    x = Value(1.0)
    with pytest.raises(
        TypeError, match=r"^grad\(grad_outputs\): expected a real number .*got str: 'a'$"
    ):
        grad(x * 2.0, x, grad_outputs=["a"])  # type: ignore[list-item]


def test_an_unused_input_is_refused_naming_its_position_and_allow_unused() -> None:
    x, unused = Value(1.0), Value(2.0)
    with pytest.raises(
        ValueError,
        match=r"^grad: inputs\[1\] \(Value\(data=2\.0, grad=0\.0\)\) is not part of the graph of "
        r"the outputs; pass allow_unused=True to get None for it$",
    ):
        grad(x * 3.0, [x, unused])
