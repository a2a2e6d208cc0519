"""Images that arrive with an imported bank, kept beside it as ``<bank>-files/<name>``.

Question text points at them relatively (``src="<bank>-files/chart.png"``); pages show them
through one route that checks who is asking. Only raster images are served, and only when
the bytes are what the name says: an SVG or an HTML file dressed as a picture could carry
a script.
"""

from __future__ import annotations

import re

# name ending → (content type, the bytes such a file starts with)
IMAGE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
}
NAME = re.compile(r"^[\w][\w.-]{0,119}$")  # what the importers write: no slash, no leading dot
BANK = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SOURCE = re.compile(rf'(<img\b[^>]*?\bsrc=")({BANK})-files/([^"/?#]+)"')


def folder(bank_id: str) -> str:
    return f"{bank_id}-files"


def content_type(name: str, data: bytes) -> str | None:
    """The type to serve ``name`` as, or ``None`` when it is not an image we show."""
    if not NAME.match(name) or ".." in name:
        return None
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    found = IMAGE_TYPES.get(suffix)
    if found is None:
        return None
    kind, starts = found
    if not data.startswith(starts) or (suffix == ".webp" and data[8:12] != b"WEBP"):
        return None
    return kind


def link_images(html: str, url: str = "/quiz-files/{bank}/{name}") -> str:
    """Point ``<img src="<bank>-files/x.png">`` in rendered HTML at the route that serves it."""
    return SOURCE.sub(lambda m: f'{m.group(1)}{url.format(bank=m.group(2), name=m.group(3))}"', html)
