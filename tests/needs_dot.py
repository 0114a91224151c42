"""``@needs_dot``: the marker of a test that renders with the Graphviz ``dot`` program.

Without ``dot`` such a test skips with the reason, except under ``CI=true``, where it runs and
fails: CI installs Graphviz, so a missing ``dot`` there is a broken set-up, not a reason to skip.
"""

import os
import shutil

import pytest

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None and os.environ.get("CI") != "true",
    reason="the Graphviz 'dot' program is not installed (apt-get install graphviz)",
)
