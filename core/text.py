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


_CITE = re.compile(r"\[(\d+(?:\s*[,;\u2013-]\s*\d+)*)\]")
_CITE_RUN = r"(?:\s*\[\d+(?:\s*[,;\u2013-]\s*\d+)*\])+"
_WORD = re.compile(r"[a-z]+")
# "1RM"/"e1RM" name a quantity, they are not the number one.
_NOT_A_NUMBER = re.compile(r"\b(e?1\s?RM|[0-9]+(?:st|nd|rd|th))\b", re.I)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?")
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "vs.", "approx.", "p.", "pp.", "Dr.", "No.", "Fig.")
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
}  # fmt: skip
_STOPWORD_TEXT = """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers him his how i if in into is it its
    itself just may me might more most much must my no nor not now of off on once only or other
    our out over own per same shall she should so some such than that the their them then there
    these they this those through to too under until up upon very was we were what when where
    which while who whom why will with would you your yours should can cannot use used using
    one two three four five six seven eight nine ten also however therefore thus
evidence study studies document provided suggest suggests article research paper findings
show shows shown author authors"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


# --- citation marks ----------------------------------------------------------------------


def cited_numbers(text: str) -> list[int]:
    """Every evidence number cited as [n], [n, m] or [n-m], once each, in order of appearance.

    >>> cited_numbers("Rest 3-5 min [2]. Use RPE 8 [1, 3][2]. Or [4-5].")
    [2, 1, 3, 4, 5]
    >>> cited_numbers("No citations, 1RM [x].")
    []
    """
    seen: list[int] = []
    for match in _CITE.finditer(text):
        for part in re.split(r"\s*[,;]\s*", match.group(1)):
            bounds = re.split(r"\s*[\u2013-]\s*", part)
            lo, hi = int(bounds[0]), int(bounds[-1])
            for n in range(lo, hi + 1) if 0 <= hi - lo <= 20 else (lo, hi):
                if n not in seen:
                    seen.append(n)
    return seen


def strip_citations(text: str) -> str:
    """The sentence without its [n] markers.

    >>> strip_citations("Rest 3-5 min [2] between sets [1, 3].")
    'Rest 3-5 min between sets.'
    """
    text = _CITE.sub("", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return re.sub(r"\s{2,}", " ", text).strip()


# --- words and numbers ------------------------------------------------------------------


def _stem(word: str) -> str:
    # Five-letter prefixes conflate train/training/trained and protein/proteins cheaply.
    return word[:5]


def content_words(text: str) -> set[str]:
    """Stemmed content words: lower case, three letters or more (or a two-letter abbreviation
    that names a topic: "bp", "hr"), stop words removed.

    >>> sorted(content_words("The lifter trained with heavier loads"))
    ['heavi', 'lifte', 'loads', 'train']
    >>> sorted(content_words("my bp is 145/92"))
    ['bp']
    """
    return {
        _stem(w) for w in _WORD.findall(text.lower())
        if (len(w) >= 3 or w in _TOPIC_ABBREVIATIONS) and w not in _STOPWORDS
    }  # fmt: skip


_TOPIC_ABBREVIATIONS = frozenset({"bp", "hr"})


def numbers_in(text: str) -> list[str]:
    """Numbers as written (thousands commas dropped), ranges split, '1RM' not a number.

    >>> numbers_in("Add 2-10% once 1RM rises from 1,000 to 116.7 kg in the 3rd week.")
    ['2', '10', '1000', '116.7']
    """
    text = _NOT_A_NUMBER.sub(" ", _CITE.sub(" ", text))
    return [m.group(0).replace(",", "") for m in _NUMBER.finditer(text)]


def number_set(text: str) -> set[str]:
    found = set(numbers_in(text))
    found |= {_NUMBER_WORDS[w] for w in _WORD.findall(text.lower()) if w in _NUMBER_WORDS}
    return found


# A sentence ends at . ! ? (a closing quote or bracket stays with it) before a capital, digit
# or opening bracket; line breaks from Markdown lists and PDF paragraphs also end one.
_CHUNK_SENTENCE_END = re.compile(
    r"(?:(?<=[.!?])|(?<=[.!?][\"')\]]))\s+(?=[\"'(\[]?[A-Z0-9])|\n+"
)


def sentence_pieces(text: str) -> list[str]:
    """Sentences for chunking: only whitespace is dropped, never a character of the text.

    >>> sentence_pieces("Is it safe?) 0 reps. Next line\\nAnd more")
    ['Is it safe?)', '0 reps.', 'Next line', 'And more']
    """
    return [s.strip() for s in _CHUNK_SENTENCE_END.split(text) if s and s.strip()]


# --- sentences -------------------------------------------------------------------------------


_LIST_HEADER = re.compile(r"^([A-Z][^:.!?]{2,80}:)\s+\S")


def whole_list_items(sentences: list[str]) -> list[str]:
    """Each item of a list flattened into prose ("Daily targets: light: 3-5 g/kg. moderate:
    5-7 g/kg.") with the list's header before it, so that every item reads whole on its own:
    "moderate: 5-7 g/kg" alone does not say of what. An item is a sentence starting in lower
    case after a "Header: first item" sentence.

    >>> whole_list_items(["Daily targets: light: 3-5 g/kg.", "moderate: 5-7 g/kg.", "Eat well."])
    ['Daily targets: light: 3-5 g/kg.', 'Daily targets: moderate: 5-7 g/kg.', 'Eat well.']
    """
    out: list[str] = []
    header: str | None = None
    for sentence in sentences:
        if header is not None and sentence[:1].islower():
            out.append(f"{header} {sentence}")
            continue
        match = _LIST_HEADER.match(sentence)
        header = match.group(1) if match else None
        out.append(sentence)
    return out


def passage_sentences(text: str) -> list[str]:
    """A cleaned passage's sentences with its list items whole and PDF section headings taken
    off their fronts: what the evidence offers and what the verifier checks against, split
    the same way."""
    return [without_heading(s) for s in whole_list_items(split_sentences(text))]


_SECTION_NUMBER = re.compile(r"^\d+(?:\.\d+){1,3}\s+(?=[A-Z])")


def without_heading(sentence: str) -> str:
    """A sentence without the numbered section heading a PDF ran into it: the sentence starts
    at the last capital of the heading's run of capitals ("Bone Metabolism When ..."), or at
    the first capital after a lower-case word ("Whey protein Following ...").

    >>> without_heading("3.7.1 Creatine Creatine stands out as the most used ergogenic aid.")
    'Creatine stands out as the most used ergogenic aid.'
    >>> without_heading("3.8.1 Pre-exercise nutrition The usual window is the hour before a session.")
    'The usual window is the hour before a session.'
    >>> without_heading("2.5 Athletes improved by 4% over the season.")
    '2.5 Athletes improved by 4% over the season.'
    """
    number = _SECTION_NUMBER.match(sentence)
    if number is None:
        return sentence
    words = sentence[number.end() :].split(" ")
    capital = [w[:1].isupper() for w in words]
    if len(words) > 1 and capital[0] and capital[1]:
        start = 0
        while start + 1 < len(words) and capital[start + 1]:
            start += 1
    else:
        start = next((k for k in range(1, len(words)) if capital[k] and not capital[k - 1]), 0)
    if start == 0 or len(words) - start < 5:
        return sentence
    return " ".join(words[start:])


def split_sentences(text: str) -> list[str]:
    """Sentences and list items, with citations written after the full stop pulled inside.

    >>> split_sentences("Use 8-12 RM, e.g. 3 sets. [1] Rest 2 min [2].\\n- Sleep 8 h [3]")
    ['Use 8-12 RM, e.g. 3 sets [1].', 'Rest 2 min [2].', 'Sleep 8 h [3]']
    """
    text = re.sub(rf"([.!?])({_CITE_RUN})", lambda m: " " + m.group(2).strip() + m.group(1), text)
    guard = "\x00"
    for abbr in _ABBREVIATIONS:
        text = re.sub(rf"(?<![A-Za-z]){re.escape(abbr)}", abbr.replace(".", guard), text)
    pieces: list[str] = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:[-*\u2022]|\d+[.)])\s+", "", line).strip()
        pieces += [p.strip() for p in re.split(r"(?<=[.!?])\s+", line) if p.strip()]
    return [p.replace(guard, ".") for p in pieces]


def clean_passage_text(text: str) -> str:
    """Strip Markdown heading/bullet marks so the model sees prose, not layout.

    >>> clean_passage_text("## Numbers\\n- Novices: 8-12 RM.")
    'Numbers. Novices: 8-12 RM.'
    """
    lines = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(#+|[-*•]|\d+\.)\s+", "", line).strip()
        if line:
            lines.append(line if line[-1] in ".!?:;" else line + ".")
    return " ".join(lines)


# --- authors ---------------------------------------------------------------------------------


def format_author(name: str) -> str:
    """One author as 'Surname Initials', whichever way the source wrote the name.

    >>> [format_author(n) for n in ("Adam Amawi", "Jäger R", "Amawi, Adam", "de Souza E.O.")]
    ['Amawi A', 'Jäger R', 'Amawi A', 'de Souza EO']
    """
    name = " ".join(name.replace(".", " ").split())
    if "," in name:  # "Surname, Given Names"
        surname, _, given = name.partition(",")
        initials = "".join(w[0] for w in given.split() if w[:1].isalpha())
        return f"{surname.strip()} {initials.upper()}".strip()
    words = name.split()
    if len(words) < 2:
        return name
    tail = 0  # trailing initials: "Jäger R", "de Souza E O"
    while tail < len(words) - 1 and words[-1 - tail].isupper() and len(words[-1 - tail]) <= 3:
        tail += 1
    if tail:
        return " ".join(words[:-tail]) + " " + "".join(words[-tail:])
    particles = {"de", "da", "van", "von", "der", "den", "del", "di", "la", "le"}
    i = len(words) - 1
    while i > 0 and words[i - 1].lower() in particles:
        i -= 1
    surname = " ".join(words[i:])
    initials = "".join(w[0] for w in words[:i] if w[:1].isalpha()).upper()
    return f"{surname} {initials}".strip()


def cite_authors(authors: list[str]) -> str:
    """Authors as a citation names them: one or two in full, else the first 'et al.'.

    >>> cite_authors(["Jäger R", "Kerksick CM", "Campbell BI"])
    'Jäger R et al.'
    >>> cite_authors(["Adam Amawi"])
    'Amawi A'
    >>> cite_authors(["Schoenfeld BJ", "Grgic J"])
    'Schoenfeld BJ, Grgic J'
    """
    names = [format_author(a) for a in authors if a.strip()]
    if len(names) > 2:
        return f"{names[0]} et al."
    return ", ".join(names)


def author_year(reference: str) -> tuple[str | None, int | None]:
    """First author's surname and the year of a reference string.

    >>> author_year("Riebe D et al. Updating ACSM's recommendations. 2015;47(11):2473.")
    ('Riebe', 2015)
    """
    surname = re.match(r"\s*([A-Z][A-Za-z'\-]+)", reference)
    year = re.search(r"\b(19|20)\d{2}\b", reference)
    return (surname.group(1) if surname else None, int(year.group(0)) if year else None)
