"""Text in a PDF that a person reading it cannot see: white on white, a font too small to read,
outside the page, or drawn in the invisible render mode. Such text is where a planted
instruction hides, so it is cut out of the page before extraction and noted, never indexed.

The content stream is walked once with the graphics state a viewer would keep (transformation
matrix, fill colour, text matrix, font size, render mode, q/Q stack); every text-showing operator
is judged from the state in force when it runs. The page keeps the parsed stream, so pypdf's
own extraction reuses it instead of parsing again.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

# Below this height in points no one can read a glyph (footnote marks are 4-5 pt).
MIN_FONT_PT = 1.5
# Fill colours at least this light on every channel are taken as white.
WHITE = 0.95
_SHOW = {b"Tj", b"TJ", b"'", b'"'}
_FILL_PATH = {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """m x n in PDF's row-vector convention (apply m, then n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _point(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]


def _numbers(operands: list[Any]) -> list[float] | None:
    try:
        return [float(v) for v in operands]
    except (TypeError, ValueError):
        return None


def _fill(values: list[float]) -> tuple[float, float, float] | None:
    """An RGB triple from gray, RGB or CMYK operands; None for anything else (patterns)."""
    if len(values) == 1:
        return (values[0],) * 3
    if len(values) == 3:
        return values[0], values[1], values[2]
    if len(values) == 4:
        c, m, y, k = values
        return (1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)
    return None


class _State:
    def __init__(self) -> None:
        self.ctm: Matrix = IDENTITY
        self.fill: tuple[float, float, float] | None = (0.0, 0.0, 0.0)
        self.render = 0
        self.font_size = 0.0
        self.leading = 0.0

    def copy(self) -> _State:
        twin = _State()
        twin.__dict__.update(self.__dict__)
        return twin


def _glyphs(operator: bytes, operands: list[Any]) -> int:
    """How many glyphs an operator shows, roughly (bytes of its strings)."""
    items = operands[0] if operator == b"TJ" and operands else operands[-1:]
    count = 0
    for item in items if isinstance(items, list) else [items]:
        if isinstance(item, (str, bytes)):
            count += len(item)
    return count


def judge(operations: list[tuple[list[Any], bytes]], box: tuple[float, ...]) -> dict[int, str]:
    """Which text-showing operations a reader cannot see: index -> reason."""
    state = _State()
    stack: list[_State] = []
    tm = tlm = IDENTITY
    path: list[tuple[float, float]] = []
    covers: list[Box] = []  # dark shapes and images, in device space
    images: list[Box] = []
    hidden: dict[int, str] = {}

    def move(tx: float, ty: float) -> None:
        nonlocal tm, tlm
        tlm = _mul((1.0, 0.0, 0.0, 1.0, tx, ty), tlm)
        tm = tlm

    def cover(points: list[tuple[float, float]], *into: list[Box]) -> None:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        for boxes in into:
            boxes.append((min(xs) - 1, min(ys) - 1, max(xs) + 1, max(ys) + 1))

    for index, (operands, operator) in enumerate(operations):
        nums = _numbers(operands) if operator not in _SHOW else None
        if operator == b"q":
            stack.append(state.copy())
        elif operator == b"Q":
            state = stack.pop() if stack else _State()
        elif operator == b"cm" and nums and len(nums) == 6:
            state.ctm = _mul(tuple(nums), state.ctm)  # type: ignore[arg-type]
        elif operator in (b"g", b"rg", b"k", b"sc", b"scn"):
            state.fill = _fill(nums) if nums is not None else None
        elif operator == b"cs":
            state.fill = (0.0, 0.0, 0.0)  # a new colour space starts at its default, black
        elif operator == b"Tr" and nums:
            state.render = int(nums[0])
        elif operator == b"Tf" and len(operands) >= 2:
            size = _numbers(operands[1:2])
            state.font_size = size[0] if size else 0.0
        elif operator == b"TL" and nums:
            state.leading = nums[0]
        elif operator == b"BT":
            tm = tlm = IDENTITY
        elif operator == b"Tm" and nums and len(nums) == 6:
            tm = tlm = tuple(nums)  # type: ignore[assignment]
        elif operator in (b"Td", b"TD") and nums and len(nums) == 2:
            if operator == b"TD":
                state.leading = -nums[1]
            move(nums[0], nums[1])
        elif operator == b"T*":
            move(0.0, -state.leading)
        elif operator == b"re" and nums and len(nums) == 4:
            x, y, w, h = nums
            path += [_point(state.ctm, x, y), _point(state.ctm, x + w, y + h)]
        elif operator in (b"m", b"l", b"c", b"v", b"y") and nums and len(nums) >= 2:
            path += [_point(state.ctm, nums[i], nums[i + 1]) for i in range(0, len(nums) - 1, 2)]
        elif operator in _FILL_PATH:
            if path and state.fill is not None and min(state.fill) < WHITE:
                cover(path, covers)
            path = []
        elif operator in (b"n", b"S", b"s"):
            path = []
        elif operator == b"Do":  # an image (or form) may be the background of the text
            cover([_point(state.ctm, 0, 0), _point(state.ctm, 1, 1)], covers, images)
        elif operator in _SHOW:
            if operator in (b"'", b'"'):
                move(0.0, -state.leading)
            reason = _invisible(state, tm, box, covers, images, _glyphs(operator, operands))
            if reason:
                hidden[index] = reason
    return hidden


def _invisible(
    state: _State,
    tm: Matrix,
    box: tuple[float, ...],
    covers: list[Box],
    images: list[Box],
    glyphs: int,
) -> str | None:
    m = _mul(tm, state.ctm)
    x, y = m[4], m[5]
    # OCR (ocrmypdf, scanners) lays its text in this mode over the page image: that text is
    # what the reader sees, in the picture. With no image beneath, nobody sees it.
    if state.render in (3, 7) and not _inside(x, y, images):
        return "invisible text: render mode 3 (drawn without ink)"
    size = abs(state.font_size) * math.hypot(m[2], m[3])
    if size < MIN_FONT_PT:
        return f"invisible text: font size {size:.1f} pt"
    x0, y0, x1, y1 = box
    width = glyphs * size * 0.6
    if x >= x1 or y >= y1 or y + size <= y0 or x + width <= x0:
        return "invisible text: outside the page"
    fill = state.fill
    white = state.render in (0, 2, 4, 6) and fill is not None and min(fill) >= WHITE
    if white and not _inside(x, y, covers):
        return "invisible text: white on a white page"
    return None


def _inside(x: float, y: float, boxes: list[Box]) -> bool:
    return any(a <= x <= c and b <= y <= d for a, b, c, d in boxes)


def _without(
    operations: list[tuple[list[Any], bytes]], drop: set[int]
) -> list[tuple[list[Any], bytes]]:
    """The operations with some text-showing ones removed; line moves that `'`/`"` also make
    are kept, so later text stays where it was."""
    kept: list[tuple[list[Any], bytes]] = []
    for i, (operands, operator) in enumerate(operations):
        if i not in drop:
            kept.append((operands, operator))
        elif operator in (b"'", b'"'):
            kept.append(([], b"T*"))
    return kept


def strip_invisible(page: Any) -> list[tuple[str, str]]:
    """Remove invisible text from `page` (in memory) and return it as (text, reason) pairs."""
    from pypdf.generic import ContentStream, NameObject

    raw = page.get("/Contents")
    if raw is None or raw.get_object() is None:
        return []
    # Parsed exactly as pypdf's text extraction parses it (strings kept as bytes, decoded
    # later with each font's encoding), so the text it extracts is unchanged.
    contents = ContentStream(raw.get_object(), page.pdf, "bytes")
    box = tuple(float(v) for v in (page.cropbox or page.mediabox))
    operations = contents.operations
    hidden = judge(operations, box)
    found: list[tuple[str, str]] = []
    if hidden:
        shows = {i for i, (_, op) in enumerate(operations) if op in _SHOW}
        for reason in dict.fromkeys(hidden.values()):
            mine = {i for i, r in hidden.items() if r == reason}
            contents.operations = _without(operations, shows - mine)
            page[NameObject("/Contents")] = contents
            text = " ".join((page.extract_text() or "").split())
            if text:
                found.append((text, reason))
        contents.operations = _without(operations, set(hidden))
    # The parsed stream stays on the page: pypdf extracts from it without parsing again.
    page[NameObject("/Contents")] = contents
    return found


def metadata_fields(reader: Any) -> dict[str, str]:
    """Every text field of the PDF's info dictionary and XMP description, by name."""
    fields: dict[str, str] = {}
    try:
        info = reader.metadata or {}
        for key, value in info.items():
            if isinstance(value, str) and value.strip():
                fields[str(key)] = value
        xmp = reader.xmp_metadata
        if xmp is not None:
            for name in ("dc_description", "dc_subject", "dc_title"):
                value = getattr(xmp, name, None)
                for i, text in enumerate(_texts(value)):
                    fields[f"XMP {name.replace('_', ':')}" + (f" {i + 1}" if i else "")] = text
    except Exception:  # damaged metadata never fails an otherwise readable PDF
        return fields
    return fields


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        yield from (v for v in value.values() if isinstance(v, str))
    elif isinstance(value, list):
        yield from (v for v in value if isinstance(v, str))
