"""Split a document into chunks the embedder sees whole: never above its word-piece limit.

Sentences are packed greedily up to the budget, with a few sentences of overlap; a sentence
longer than the budget is cut between words. Counts come from the embedder's own tokenizer,
and every finished chunk is counted again as it will be embedded (with its context header),
so no chunk can be silently truncated by the model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict

from fitcoach.text import sentence_pieces

from .document import Block

CountBatch = Callable[[list[str]], list[int]]

class DraftChunk(BaseModel):
    """A chunk before it has an id: text plus where it came from."""

    model_config = ConfigDict(extra="forbid")

    text: str
    page_start: int | None = None
    page_end: int | None = None
    section: str | None = None


class _Piece(BaseModel):
    text: str
    page: int | None
    tokens: int


def chunk_blocks(
    blocks: Sequence[Block],
    count_batch: CountBatch,
    *,
    limit: int,
    overlap: int = 0,
    wrap: Callable[[str | None, str], str] | None = None,
) -> list[DraftChunk]:
    """Chunk consecutive blocks; a chunk never spans two sections but may span pages.

    `limit` is the most word pieces a chunk may have *as embedded*, that is after
    `wrap(section, text)` adds its context header (identity when `wrap` is None).
    """
    wrap = wrap or (lambda section, text: text)
    # Group blocks into runs of one section, and budget each run for its header.
    runs: list[tuple[str | None, list[tuple[str, int | None]]]] = []
    for block in blocks:
        sentences = [(s, block.page) for s in sentence_pieces(block.text)]
        if runs and runs[-1][0] == block.section:
            runs[-1][1].extend(sentences)
        else:
            runs.append((block.section, sentences))
    headers = count_batch([wrap(section, "") for section, _ in runs]) if runs else []
    all_sentences = [s for _, sentences in runs for s, _ in sentences]
    counts = iter(count_batch(all_sentences)) if all_sentences else iter(())

    drafts: list[DraftChunk] = []
    for (section, sentences), header in zip(runs, headers, strict=True):
        budget = limit - header - 2  # 2 for the joins a header may add
        if budget < 16:
            raise ValueError(f"chunk limit {limit} leaves no room beside a {header}-token header")
        pieces: list[_Piece] = []
        for text, page in sentences:
            tokens = next(counts)
            if tokens <= budget:
                pieces.append(_Piece(text=text, page=page, tokens=tokens))
            else:
                pieces.extend(_split_long(text, page, budget, count_batch))
        for group in _pack(pieces, budget, overlap):
            pages = [p.page for p in group if p.page is not None]
            drafts.append(
                DraftChunk(
                    text=" ".join(p.text for p in group),
                    page_start=min(pages) if pages else None,
                    page_end=max(pages) if pages else None,
                    section=section,
                )
            )
    return _enforce(drafts, count_batch, limit, wrap)


def _pack(pieces: list[_Piece], budget: int, overlap: int) -> list[list[_Piece]]:
    groups: list[list[_Piece]] = []
    current: list[_Piece] = []
    total = 0
    for piece in pieces:
        if current and total + piece.tokens > budget:
            groups.append(current)
            # Carry the last sentences (up to `overlap` tokens) into the next chunk, so a
            # statement cut at a boundary still appears whole in one chunk.
            tail: list[_Piece] = []
            carried = 0
            for prev in reversed(current):
                if carried + prev.tokens > overlap or len(tail) + 1 >= len(current):
                    break
                tail.insert(0, prev)
                carried += prev.tokens
            if carried + piece.tokens > budget:
                tail, carried = [], 0
            current, total = tail, carried
        current.append(piece)
        total += piece.tokens
    if current:
        groups.append(current)
    return groups


def _split_long(text: str, page: int | None, budget: int, count_batch: CountBatch) -> list[_Piece]:
    """Cut an over-long sentence between words (and an over-long word between characters)."""
    words = text.split()
    counts = count_batch(words)
    pieces: list[_Piece] = []
    current: list[str] = []
    total = 0
    for word, tokens in zip(words, counts, strict=True):
        if tokens > budget:  # a pathological "word" (a URL, a table flattened to one token run)
            step = max(1, len(word) // (tokens // budget + 1))
            parts = [word[i : i + step] for i in range(0, len(word), step)]
            pieces.extend(_split_long(" ".join(parts), page, budget, count_batch))
            continue
        if current and total + tokens > budget:
            pieces.append(_Piece(text=" ".join(current), page=page, tokens=total))
            current, total = [], 0
        current.append(word)
        total += tokens
    if current:
        pieces.append(_Piece(text=" ".join(current), page=page, tokens=total))
    return pieces


def _enforce(
    drafts: list[DraftChunk],
    count_batch: CountBatch,
    limit: int,
    wrap: Callable[[str | None, str], str],
) -> list[DraftChunk]:
    """Recount every chunk as embedded; halve any that a tokenizer quirk pushed over."""
    if not drafts:
        return drafts
    counts = count_batch([wrap(d.section, d.text) for d in drafts])
    out: list[DraftChunk] = []
    for draft, tokens in zip(drafts, counts, strict=True):
        if tokens <= limit:
            out.append(draft)
            continue
        words = draft.text.split()
        if len(words) < 2:
            raise ValueError(f"cannot split a {tokens}-token chunk below {limit}")
        half = len(words) // 2
        halves = [
            draft.model_copy(update={"text": " ".join(words[:half])}),
            draft.model_copy(update={"text": " ".join(words[half:])}),
        ]
        out.extend(_enforce(halves, count_batch, limit, wrap))
    return out
