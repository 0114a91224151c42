"""A file that never finishes importing (a training loop left at the top level)."""

from lecture import Value

step = 0
while True:
    step += 1

__all__ = ["Value"]
