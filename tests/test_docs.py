"""The documentation's interactive examples (``>>>`` sessions) print exactly what they claim:
the README's and the docstrings' of the package."""

import doctest
import importlib
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_sessions_print_what_they_show() -> None:
    result = doctest.testfile(str(README), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10, "the README's >>> examples were not found"
    assert result.failed == 0


@pytest.mark.parametrize("module", ["autograd", "autograd.engine"])
def test_docstring_sessions_print_what_they_show(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
