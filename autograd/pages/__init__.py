"""Web pages to look at backprop and training: each one self-contained HTML file.

* :func:`explore` / :class:`Explorer` -- step through the forward and backward pass of a graph on
  its diagram (``explorer.py``; the derivative names come from ``symbolic.py``).
* :class:`TrainingReplay` -- record a training run and replay it: the decision boundary forming,
  the loss and accuracy curves (``replay.py``).

Pages open from ``file://``, offline, in VS Code and inside a saved notebook; they make no network
request. What they share is in ``_page.py``; each page's script and style sit next to its module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .explorer import Explorer, explore

if TYPE_CHECKING:
    from .replay import TrainingReplay

__all__ = ["Explorer", "TrainingReplay", "explore"]


def __getattr__(name: str) -> Any:
    # The replay needs numpy and the training loop; importing it only when asked keeps
    # `import autograd` (which imports explore) light.
    if name == "TrainingReplay":
        from .replay import TrainingReplay

        return TrainingReplay
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
