"""Text helpers shared by every room: DOIs, sentence splitting, numbers, citation marks."""

from __future__ import annotations

import re
import unicodedata

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"), "-")


def normalize_doi(doi: str | None) -> str | None:
    """Lower-case, ASCII hyphens, no URL or `doi:` prefix: publishers print U+2011 in DOIs."""
    if not doi:
        return None
    text = unicodedata.normalize("NFKC", doi).translate(_DASHES).strip()
    text = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", text, flags=re.I)
    text = text.rstrip(".,;)]")
    return text.lower() or None
