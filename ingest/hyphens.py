"""Words the page broke: line-end hyphens, soft hyphens, spaced hyphens and letter gaps.

A PDF's text layer keeps the typesetter's line breaks, so "periodisa-\\ntion" and, in justified
Springer columns, "exer -\\ncise" reach us split. Joining every hyphen would wreck real
compounds ("high-\\nintensity", "12-\\nmin"), so each break is decided with evidence, strongest
first: the document's own spelling elsewhere (it wrote "athletes" or "pre-exercise" on another
line), then whether the joined form is a whole word of the MiniLM tokenizer's vocabulary, then
whether both halves are words (a compound) or not (a fragment). Every decision can be logged
(`Decision`), so a person can review all the joins a document got.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

BreakKind = Literal["line", "spaced", "soft", "gap"]

# A hyphen that a typesetter may have inserted: ASCII hyphen-minus or U+2010. U+2011 is a
# non-breaking hyphen and never marks a break.
_HY = "-\u2010"
_LETTERS = r"A-Za-z\u00C0-\u024F\uFB00-\uFB06"  # with the fi/fl ligatures
# "word-\n word", "word -\n word": the left fragment is the letter run before the hyphen
# (after any earlier hyphen of a compound), the right one the letter run after the break.
_LINE_BREAK = re.compile(
    rf"(?P<a>[{_LETTERS}0-9]+)(?P<sp>[ \t]?)[{_HY}][ \t]*\n[ \t]*(?P<b>[{_LETTERS}0-9]+)"
)
# "sur - vey" inside a line (a break the extractor already flattened).
_SPACED = re.compile(rf"(?<![{_LETTERS}{_HY}])(?P<a>[{_LETTERS}]+) [{_HY}] (?P<b>[a-z]+)\b")
_WORD = re.compile(rf"[{_LETTERS}]+")
_COMPOUND = re.compile(rf"(?<![{_LETTERS}0-9{_HY}])[{_LETTERS}]+(?:[{_HY}][{_LETTERS}]+)+")
# Two lower-case letter runs separated by one space, inside a line: a candidate letter gap
# ("wa ve", "efficienc y") left by a PDF whose glyphs are spaced unevenly.
_GAP = re.compile(
    rf"(?<![{_LETTERS}0-9'’.])(?P<a>[{_LETTERS}][a-z]*) (?=(?P<b>[a-z]+)(?![{_LETTERS}0-9{_HY}]))"
)
# Suspended hyphens: "pre- and post-exercise", "10- and 30-m" keep the hyphen and the space.
_SUSPENDED = {"and", "or", "to", "nor", "versus", "vs"}
# One- and two-letter words: the tokenizer's vocabulary is full of two-letter pieces ("wa",
# "tr"), so only these count as words without the document using them often.
_SHORT_WORDS = frozenset(
    {"a", "i", "an", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is", "it", "me",
     "my", "no", "of", "on", "or", "so", "to", "up", "us", "we"}
)  # fmt: skip
# Words that start hyphenated compounds far more often than they start broken words; a
# joined form the document or the tokenizer knows ("present", "nonetheless") still wins.
_COMPOUND_PREFIXES = {
    "well", "self", "non", "pre", "post", "anti", "semi", "multi", "cross", "half", "ill",
    "all", "low", "high", "long", "short", "full", "mid",
}  # fmt: skip


def _key(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold()


@functools.lru_cache(maxsize=1)
def tokenizer_words() -> frozenset[str]:
    """Whole words (not '##' pieces) of the bundled MiniLM tokenizer, or empty if not installed.

    Read from its vocab.txt: no tokenizer library is loaded for this.
    """
    from fitcoach.models import EMBEDDERS, package_dir

    model = EMBEDDERS["minilm-l6"]
    folder = package_dir(model.package)
    vocab = folder / model.relpath / "vocab.txt" if folder else None
    if vocab is None or not vocab.is_file():
        return frozenset()
    return _read_vocab(vocab)


def _read_vocab(path: Path) -> frozenset[str]:
    words = path.read_text(encoding="utf-8").split("\n")
    return frozenset(w for w in words if w.isalpha() and not w.startswith("##"))


class Decision(BaseModel):
    """One break and what was made of it; `rule` names the evidence that decided."""

    model_config = ConfigDict(extra="forbid")

    kind: BreakKind
    left: str
    right: str
    result: str
    joined: bool
    rule: str
    page: int | None = None


class Lexicon:
    """The words and hyphenated compounds one document uses, plus the tokenizer's words."""

    def __init__(self, text: str, vocabulary: frozenset[str] | None = None) -> None:
        # The halves of a break are not words of the document: count what is left without them.
        text = unicodedata.normalize("NFKC", _LINE_BREAK.sub(" ", text.replace("\u00ad", "")))
        self.exact = Counter(_WORD.findall(text))
        self.words = Counter(_key(w) for w in _WORD.findall(text))
        self.compounds: Counter[tuple[str, str]] = Counter()
        for compound in _COMPOUND.findall(text):
            parts = [_key(p) for p in re.split(f"[{_HY}]", compound)]
            self.compounds.update(zip(parts, parts[1:], strict=False))
        self.vocabulary = tokenizer_words() if vocabulary is None else vocabulary

    def joined_count(self, word: str) -> int:
        """Uses of a word in the document, counting its plural/singular too."""
        return sum(self.words[v] for v in _variants(_key(word)))

    def compound_count(self, left: str, right: str) -> int:
        left = _key(left)
        return sum(self.compounds[(left, v)] for v in _variants(_key(right)))

    def in_vocabulary(self, word: str) -> bool:
        return _key(word) in self.vocabulary

    def is_word(self, word: str, *, uses: int = 1) -> bool:
        """A word in its own right: a tokenizer word of 3+ letters, or used `uses`+ times here."""
        key = _key(word)
        if len(key) <= 2:  # a lone letter is a symbol ("n = 12", "p < 0.05") unless a or I
            return key in _SHORT_WORDS or (len(key) == 2 and self.words[key] >= max(uses, 3))
        return (len(key) >= 3 and key in self.vocabulary) or self.words[key] >= uses


def _variants(word: str) -> set[str]:
    forms = {word, word + "s", word + "es"}
    if word.endswith("es"):
        forms.add(word[:-2])
    if word.endswith("s"):
        forms.add(word[:-1])
    return forms


def decide(left: str, right: str, kind: BreakKind, lexicon: Lexicon) -> tuple[bool, str]:
    """Whether `left` and `right` are one word broken in two, and the evidence that says so."""
    if kind == "soft":
        return True, "soft hyphen"
    joined = left + right
    if kind == "gap":
        return _decide_gap(left, right, lexicon)
    if left[-1].isdigit() or right[0].isdigit():
        return False, "number"
    if kind == "line" and _key(right) in _SUSPENDED:
        return False, "suspended hyphen"
    if right[0].isupper():  # "RED-S", "Szymanek-Pilarczyk": only the exact joined form counts
        exact = lexicon.exact[joined] > 0
        return exact, "document writes it joined" if exact else "capital after the hyphen"
    as_word = lexicon.joined_count(joined)
    as_compound = lexicon.compound_count(left, right)
    if as_compound > as_word:
        return False, "document writes it hyphenated"
    if as_word > as_compound:
        return True, "document writes it joined"
    if lexicon.in_vocabulary(joined):
        return True, "tokenizer word"
    if kind == "spaced":
        return False, "a dash between words"
    if _key(left) in _COMPOUND_PREFIXES and len(right) >= 3:
        return False, "compound prefix"
    if lexicon.is_word(left) and lexicon.is_word(right):
        return False, "both halves are words"
    return True, "fragment"


def _decide_gap(left: str, right: str, lexicon: Lexicon) -> tuple[bool, str]:
    # The pair itself counts once in the document, so a half "is a word" only when it is in
    # the tokenizer vocabulary or used at least twice.
    right_word = lexicon.is_word(right, uses=2)
    left_word = lexicon.is_word(left, uses=2)
    if right_word and (len(left) == 1 or left_word):
        return False, "both halves are words"  # also "vitamin C is", "30 m at"
    if len(right) == 1 and left_word and len(left) < 4:
        return False, "a symbol after a short word"  # "at p < 0.05", "in g/kg"
    joined = left + right
    if lexicon.joined_count(joined) > 0:
        return True, "document writes it joined"
    if lexicon.in_vocabulary(joined):
        return True, "tokenizer word"
    return False, "unknown word"


def repair(text: str, lexicon: Lexicon, log: list[Decision] | None = None) -> str:
    """`text` with broken words joined and line-break compounds closed up ("high-intensity")."""

    def record(
        kind: BreakKind, left: str, right: str, result: str, joined: bool, rule: str
    ) -> None:
        if log is not None:
            log.append(
                Decision(kind=kind, left=left, right=right, result=result, joined=joined, rule=rule)
            )

    if "\u00ad" in text:

        def soft(match: re.Match[str]) -> str:
            left, right = match.group(1), match.group(2)
            record("soft", left, right, left + right, True, "soft hyphen")
            return left + right

        text = re.sub(rf"([{_LETTERS}]*)\u00ad\s*([{_LETTERS}]*)", soft, text)

    def line(match: re.Match[str]) -> str:
        left, right = match.group("a"), match.group("b")
        joined, rule = decide(left, right, "line", lexicon)
        if joined:
            result = left + right
        elif rule == "suspended hyphen":
            result = f"{left}- {right}"
        else:
            result = f"{left}-{right}"
        record("line", left, right, result, joined, rule)
        return result

    text = _LINE_BREAK.sub(line, text)

    def spaced(match: re.Match[str]) -> str:
        left, right = match.group("a"), match.group("b")
        joined, rule = decide(left, right, "spaced", lexicon)
        if not joined:
            return match.group(0)
        record("spaced", left, right, left + right, True, rule)
        return left + right

    text = _SPACED.sub(spaced, text)
    return text


def close_gaps(text: str, lexicon: Lexicon, log: list[Decision] | None = None) -> str:
    """Join letters split by a layout gap ("wa ve" -> "wave") where the evidence is clear.

    Only for text known to come from a PDF with uneven glyph spacing: in clean text, a pair
    of real words never qualifies, but there is no reason to spend the checks.
    """

    def gap(match: re.Match[str]) -> str:
        left, right = match.group("a"), match.group("b")
        joined, rule = decide(left, right, "gap", lexicon)
        if not joined:
            return match.group(0)  # the right half is only looked at, so it can start a pair
        if log is not None:
            log.append(
                Decision(
                    kind="gap", left=left, right=right, result=left + right, joined=True, rule=rule
                )
            )
        return left

    return _GAP.sub(gap, text)
