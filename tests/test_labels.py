"""Labels and op names in diagrams: checked at construction, and safe whatever characters they hold.

Every label must give DOT that Graphviz accepts and SVG that an XML parser reads; characters that
neither can hold (NUL, ESC, the other control characters, lone surrogates) are shown the way Python
writes them in a string literal (``\\x00``), so the reader sees that they are there.
"""

import xml.etree.ElementTree as ET

import pytest
from needs_dot import needs_dot

from autograd import Value, draw_dot
from autograd.viz import render_bytes

SVG = "{http://www.w3.org/2000/svg}"


def test_a_label_that_is_not_a_string_is_a_type_error_at_construction():
    with pytest.raises(
        TypeError, match=r"Value\(1\.0, label=5\): the label must be a str, got int"
    ):
        Value(1.0, label=5)
    with pytest.raises(TypeError, match=r"label=None\): the label must be a str, got NoneType"):
        Value(2, label=None)


# (label as given, what the diagram shows); the shown text is written out by hand
LABELS = [
    ("a\x00b", "a\\x00b"),
    ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
    ("tab\there", "tab\\there"),
    ("two\nlines", "two\\nlines"),
    ("del\x7f", "del\\x7f"),
    ("c1\x85", "c1\\x85"),
    ("lone\ud800", "lone\\ud800"),
    ("non\ufffe", "non\\ufffe"),
    ('q"{x|y}<z>\\', 'q"{x|y}<z>\\'),  # record syntax: escaped in DOT, shown as typed
    ("∂f/∂x é", "∂f/∂x é"),
]


def svg_texts(root):
    dot = draw_dot(root, fmt=".1f")
    svg = render_bytes(dot, "svg")
    tree = ET.fromstring(svg)  # raises ParseError if the SVG is not well-formed XML
    return [t.text for t in tree.iter(SVG + "text")]


@needs_dot
@pytest.mark.parametrize(("label", "shown"), LABELS, ids=[repr(lb)[1:-1] for lb, _ in LABELS])
def test_any_label_gives_valid_dot_and_well_formed_svg(label, shown):
    x = Value(2.0, label=label)
    y = x * 3.0
    y.label = label + "!"
    y.backward()
    assert shown in svg_texts(y)
    assert shown + "!" in svg_texts(y)


@needs_dot
@pytest.mark.parametrize(("op", "shown"), LABELS, ids=[repr(lb)[1:-1] for lb, _ in LABELS])
def test_any_op_name_gives_valid_dot_and_well_formed_svg(op, shown):
    """A hand-built node (micrograd style) may carry any op name."""
    x = Value(2.0, label="x")
    y = Value(x.data * 2, (x,), op, label="y")
    assert shown in svg_texts(y)


def test_the_dot_source_holds_no_control_characters_from_labels():
    x = Value(1.0, label="".join(map(chr, range(32))) + "\x7f")
    source = draw_dot(x * 2.0).source
    # the source's own layout uses newlines and tabs; nothing else below U+0020 may appear
    assert not [c for c in source if ord(c) < 32 and c not in "\n\t"]
    assert "\\\\x00\\\\x01" in source  # the escape, its backslash escaped for the record
    assert source.count("\n") == draw_dot(Value(1.0, label="x") * 2.0).source.count("\n")


@needs_dot
@pytest.mark.parametrize(
    ("label", "shown"), LABELS[:8], ids=[repr(lb)[1:-1] for lb, _ in LABELS[:8]]
)
def test_labels_in_edge_labels_give_valid_dot_and_well_formed_svg(label, shown):
    x = Value(2.0, label=label)
    y = x * 3.0
    y.label = "y"
    y.backward()
    svg = render_bytes(draw_dot(y, fmt=".1f", edge_labels=True), "svg")
    texts = [t.text for t in ET.fromstring(svg).iter(SVG + "text")]
    assert f"∂y/∂{shown} = 3.0" in texts
