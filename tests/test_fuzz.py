"""Fuzzing the two parsers of user input: expressions (``autograd.expr``) and model files
(``autograd.serialize``). Whatever they are given, they answer with a result or their one kind of
error (``ExpressionError``, ``ValueError``), never another exception and never a warning.
"""

import json
import math
import os
import tempfile
import warnings

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from autograd import Value
from autograd.expr import ExpressionError, evaluate
from autograd.nn import MLP
from autograd.serialize import load_model, model_from_dict, model_to_dict

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INPUTS = {"x": 1.5, "y": -2.0, "z": 0.0}


def evaluate_strictly(text):
    """``evaluate``, failing on any warning: on the command line it would be a stray line."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return evaluate(text, INPUTS)
        finally:
            assert [str(w.message) for w in caught] == []


# --- expressions: any text ---------------------------------------------------------------------

# characters that reach the corners of Python's grammar (and of the whitelist) quickly
PIECES = [
    *"xyz0123456789.e+-*/()=;,_ '\"\\[]{}:<>!&|@%~^#\n\t\x00\x1b",
    "**", "//", "exp", "log", "sqrt", "leaky_relu", "if", "else", "lambda", "import", "__class__",
    "1if", "0x", "1e400", "1j", "not", "and", "f'", "...",
]  # fmt: skip


@FUZZ
@given(st.text(max_size=60))
def test_any_text_is_a_value_or_one_expression_error(text):
    try:
        result = evaluate_strictly(text)
    except ExpressionError as err:
        assert "\n" not in str(err)
    else:
        assert isinstance(result, Value)


@FUZZ
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_any_string_of_expression_pieces_is_a_value_or_one_expression_error(text):
    try:
        result = evaluate_strictly(text)
    except ExpressionError as err:
        assert "\n" not in str(err)
    else:
        assert isinstance(result, Value)


# --- expressions: well-formed ones, against plain float arithmetic ------------------------------


def sigmoid(v):
    return 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))


# the independent oracle: Python's own float arithmetic and math module
ORACLE = {
    "exp": math.exp,
    "log": math.log,
    "tanh": math.tanh,
    "sigmoid": sigmoid,
    "relu": lambda v: max(v, 0.0),
    "sqrt": math.sqrt,
    "abs": abs,
    "sin": math.sin,
    "cos": math.cos,
}
BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
}

leaf = st.sampled_from(["x", "y", "z", "0", "1", "2", "0.5", "3", "10"]).map(lambda t: (t, t))


def combine(children):
    unary = st.tuples(st.sampled_from(sorted(ORACLE)), children).map(
        lambda fc: (f"{fc[0]}({fc[1][0]})", (fc[0], fc[1][1]))
    )
    negate = children.map(lambda c: (f"-({c[0]})", ("neg", c[1])))
    binary = st.tuples(children, st.sampled_from(sorted(BINARY)), children).map(
        lambda t: (f"({t[0][0]}) {t[1]} ({t[2][0]})", (t[1], t[0][1], t[2][1]))
    )
    return unary | negate | binary


expressions = st.recursive(leaf, combine, max_leaves=8)


def oracle(tree):
    """Evaluate the expression tree with floats; raise ArithmeticError/ValueError where Python
    does, and ValueError for a complex result."""
    if isinstance(tree, str):
        return INPUTS[tree] if tree in INPUTS else float(tree)
    op, *args = tree
    values = [oracle(a) for a in args]
    if op == "neg":
        return -values[0]
    result = BINARY[op](*values) if op in BINARY else ORACLE[op](*values)
    if isinstance(result, complex):
        raise ValueError("complex")
    return float(result)


@FUZZ
@given(expressions)
def test_well_formed_expressions_agree_with_float_arithmetic(expression):
    text, tree = expression
    try:
        expected = oracle(tree)
    except (ArithmeticError, ValueError):
        expected = None  # outside the domain: log(0), 1/0, (-2) ** 0.5, exp(exp(10)), ...
    try:
        got = evaluate_strictly(text).data
    except ExpressionError as err:
        assert "\n" not in str(err)
        # refused: fine where Python fails too, or where the true value is not a finite float
        assert expected is None or not math.isfinite(expected), (text, expected, str(err))
        return
    assert expected is not None, (text, got)
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12), (text, got, expected)


# --- model files ----------------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**500), max_value=10**500)
    | st.floats()
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=20,
)


def check_model_or_value_error(d):
    try:
        model = model_from_dict(d)
    except ValueError as err:
        assert "\n" not in str(err)
        return None
    assert isinstance(model, MLP)
    return model


@FUZZ
@given(json_values)
def test_any_json_value_is_a_model_or_a_value_error(d):
    check_model_or_value_error(d)


VALID = model_to_dict(MLP(2, [3, 2], activation="tanh", seed=0))


def paths(d, prefix=()):
    """Every place in a nested dict/list structure, as a tuple of keys and indexes."""
    yield prefix
    if isinstance(d, dict):
        for k, v in d.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            yield from paths(v, (*prefix, i))


PATHS = list(paths(VALID))[1:]


def replaced(d, path, value):
    d = json.loads(json.dumps(d))
    target = d
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return d


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), json_values), min_size=1, max_size=3))
def test_a_valid_model_with_parts_replaced_is_a_model_or_a_value_error(changes):
    d = VALID
    for path, value in changes:
        try:
            d = replaced(d, path, value)
        except (TypeError, IndexError, KeyError):
            assume(False)  # an earlier change removed the place this one targets
    model = check_model_or_value_error(d)
    if model is not None:  # accepted: then it holds exactly the numbers of the file
        assert model_to_dict(model)["layers"] == [
            {
                "weights": [[float(w) for w in row] for row in layer["weights"]],
                "biases": [float(b) for b in layer["biases"]],
            }
            for layer in d["layers"]
        ]


@FUZZ
@given(
    st.binary(max_size=300)
    | st.builds(lambda v: json.dumps(VALID)[:v].encode(), st.integers(0, 2000))
)
def test_any_bytes_in_a_file_are_a_model_or_a_value_error(data):
    fd, path = tempfile.mkstemp(suffix=".json")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        try:
            model = load_model(path)
        except ValueError as err:
            assert "\n" not in str(err)
        else:
            assert model_to_dict(model) == json.loads(data)
    finally:
        os.unlink(path)
