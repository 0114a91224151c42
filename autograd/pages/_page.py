"""What every page shares: one self-contained HTML document, data as JSON, a notebook frame.

A page is a single file with its CSS, its script and its data inline, so it opens from
``file://``, offline, in a saved notebook and in VS Code, and makes no network request. The
script and style live next to this module (``explorer.js``, ``replay.css``...) as ordinary files
a reader can open; they are read from the package when a page is built.
"""

from __future__ import annotations

import html
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

from .._atomic import write_text

__all__ = ["asset", "document", "json_block", "notebook_frame", "write_page"]


def asset(name: str) -> str:
    """The text of a file shipped next to this module (a page's ``.js`` or ``.css``)."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def json_block(data: Any) -> str:
    """``data`` as a ``<script type="application/json">`` block the page script reads.

    ``<``, ``>`` and ``&`` are written as JSON escapes, so a node label such as ``</script>``
    cannot end the block early; ``JSON.parse`` turns them back into the same characters.
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" class="page-data">{text}</script>'


def document(title: str, style: str, body: str, script: str) -> str:
    """A whole HTML page. The Content-Security-Policy forbids every request to the outside."""
    policy = (
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        "img-src data:; font-src data:"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{style}</style>\n</head>\n"
        f"<body>\n{body}\n<script>\n{script}</script>\n</body>\n</html>\n"
    )


def notebook_frame(page: str, height: int, title: str) -> str:
    """``page`` inside an ``<iframe srcdoc=...>``: how a notebook shows it (``_repr_html_``).

    The frame is a document of its own, so two pages in one notebook share no ids, styles or
    keyboard handlers, and the notebook's own CSS cannot restyle the page. Click it, then use the
    arrow keys.
    """
    return (
        f'<iframe srcdoc="{html.escape(page, quote=True)}" title="{html.escape(title)}" '
        f'sandbox="allow-scripts" style="width: 100%; height: {height}px; border: 1px solid '
        '#d1d5db; border-radius: 4px;"></iframe>'
    )


def write_page(text: str, path: str | os.PathLike[str]) -> Path:
    """Write ``text`` to ``path`` through a temporary file and a rename (never half a page)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text(target, text)
    return target
