"""A file that fails to import: a misspelt module."""

import mathh
from lecture import Value

__all__ = ["Value", "mathh"]
