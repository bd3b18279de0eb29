"""Does a claim say what its source says? Meaning checks the word-overlap verifier cannot see.

Word overlap passes "grinding every set to failure builds more muscle" against "there is no
good evidence that grinding every set to failure builds more muscle": same words, opposite
claim. `conflict` compares claim and source sentence for the ways a small model garbles a
finding (measured on `bench/data/faithfulness.jsonl` by `bench/faithfulness.py`):
- negation flipped ("no benefit" → "a benefit"),
- direction changed ("increased" → "decreased"),
- a number moved to another unit ("3 g" → "3 kg"),
- the population swapped ("older adults" → "children"),
- the study type changed ("meta-analysis" → "randomized controlled trial").
"""

from __future__ import annotations

import re
from collections import Counter

from fitcoach.text import content_words, split_sentences, strip_citations

_NEGATION = re.compile(
    r"\b(not|no|never|none|nothing|neither|nor|without|cannot|lack(?:s|ed)?|fail(?:s|ed)? to|"
    r"unlikely|insufficient|little or no|no longer)\b|n't\b",
    re.I,
)
_UP = re.compile(
    r"\b(increas\w*|rais\w*|higher|more|greater|larger|improv\w*|gain\w*|boost\w*|enhanc\w*|"
    r"augment\w*|rises?|rose|elevat\w*|benefit\w*|better)\b",
    re.I,
)
_DOWN = re.compile(
    r"\b(decreas\w*|reduc\w*|lower\w*|less|fewer|smaller|declin\w*|impair\w*|wors\w*|drops?|"
    r"dropped|fall|fell|blunt\w*|attenuat\w*|diminish\w*|harm\w*)\b",
    re.I,
)
_UNIT = (
    r"(g/kg(?:/d(?:ay)?)?|mg/kg|g/h|mg|kg|lb|g|%|min(?:utes?)?|h(?:ours?)?|s(?:econds?)?|km|"
    r"miles?|weeks?|days?|reps?|sets?|kcal|ml|l|bpm|years?)"
)
_NUMBER_UNIT = re.compile(rf"(\d+(?:\.\d+)?)\s*{_UNIT}(?![a-z])", re.I)

# Groups of words that name who a finding is about; a claim about one group cannot be backed
# by a sentence about another.
POPULATIONS: dict[str, tuple[str, ...]] = {
    "older": ("older adult", "older people", "old adults", "old people", "elderly", "aged 6",
              "aged 7", "seniors",
              "older women", "older men", "postmenopausal", "older individuals", "older client",
              "older athlete", "older runner", "older cyclist", "older lifter", "older person",
              "older swimmer", "older woman", "older man"),
    "youth": ("child", "children", "youth", "adolescent", "teen", "kids", "pediatric",
              "paediatric", "school-age", "young athletes", "growth plate", "growth spurt",
              "stunt"),
    "pregnant": ("pregnan", "prenatal", "antenatal", "gestation", "trimester", "amniotic",
                 "placenta", "fetal", "fetus", "foetal", "foetus"),
    "postpartum": ("postpartum", "after childbirth", "post-partum", "postnatal", "gave birth",
                   "giving birth", "having a baby", "had a baby", "had my baby", "since the baby",
                   "new mum", "new mom", "c-section", "caesarean"),
    "diabetes": ("diabet",),
    "type 1 diabetes": ("type 1 diabet", "type-1 diabet", "type i diabet", "t1d", "t1 diabet", "type 1 diabe",
                        "type one diabet", "insulin-dependent"),
    "type 2 diabetes": ("type 2 diabet", "type-2 diabet", "type ii diabet", "t2d",
                        "type two diabet"),
    "hypertension": ("hypertens", "high blood pressure"),
    "cardiac": ("heart failure", "coronary", "cardiac patient", "cardiac rehab"),
    "untrained": ("untrained", "novice", "beginner", "new to lifting", "new lifter",
                  "sedentary", "new to running", "start running", "starting running",
                  "couch to"),
    "obese": ("overweight", "obese", "obesity"),
    "arthritis": ("osteoarthritis", "arthritis", "arthritic"),
    "menopause": ("menopaus", "postmenopaus", "post-menopaus", "perimenopaus", "peri-menopaus"),
    "para": ("wheelchair", "spinal cord injur", "para athlete", "para-athlete", "paralympic",
             "para sport", "para-sport", "amputee", "limb deficien"),
    "trained": ("resistance-trained", "resistance trained", "trained lifter", "trained men",
                "trained women", "trained individual", "trained people", "trained athlete",
                "experienced lifter", "advanced lifter", "well-trained", "elite",
                "trained and untrained", "trained or untrained", "trained versus untrained",
                "trained vs untrained"),
}  # fmt: skip

STUDY_TYPES: dict[str, tuple[str, ...]] = {
    "meta-analysis": ("meta-analys", "meta analys", "metaanalys"),
    "systematic review": ("systematic review",),
    "randomized trial": ("randomized controlled", "randomised controlled", "rct",
                         "randomized trial", "randomised trial"),
    "cohort": ("cohort", "prospective study", "observational"),
    "position stand": ("position stand", "consensus", "guideline", "position statement"),
}  # fmt: skip


def _has(text: str, stems: tuple[str, ...]) -> bool:
    low = text.lower()
    return any(re.search(rf"(?<![a-z]){re.escape(s)}", low) for s in stems)


def groups_in(text: str, table: dict[str, tuple[str, ...]]) -> set[str]:
    """The keys of `table` whose terms occur in `text`.

    >>> sorted(groups_in("Older adults and children both improved", POPULATIONS))
    ['older', 'youth']
    """
    return {key for key, stems in table.items() if _has(text, stems)}


def _negations(text: str) -> int:
    return len(_NEGATION.findall(text))


# Words that take each other's place when a finding is garbled ("less" for "more", "women"
# for "men", "days" for "weeks"): a claim word absent from its source while a rival from the
# same set is present there is a swap, whatever else matches.
RIVALS: dict[str, tuple[str, ...]] = {
    "direction changed": (
        "more less fewer", "higher lower", "greater smaller", "larger smaller",
        "increase decrease reduce", "increased decreased reduced", "increases decreases reduces",
        "improve impair worsen", "improved impaired worsened", "improves impairs worsens",
        "raise lower", "raises lowers", "rise fall", "gain loss", "better worse",
        "faster slower", "longer shorter", "heavier lighter", "above below", "most least",
    ),
    "population changed": (
        "men women", "male female", "adults children adolescents", "boys girls",
        "trained untrained", "novices experienced",
    ),
    "number or unit changed": (
        "seconds minutes hours days weeks months years", "h min", "mg g kg lb", "km miles",
        "daily weekly monthly",
    ),
}  # fmt: skip
_RIVAL_OF: dict[str, list[tuple[str, frozenset[str]]]] = {}
for _reason, _groups in RIVALS.items():
    for _group in _groups:
        for _word in _group.split():
            _RIVAL_OF.setdefault(_word, []).append((_reason, frozenset(_group.split())))
_TOKEN = re.compile(r"[a-z]+")


def _swapped(claim: str, source: str) -> str | None:
    """A rival word the claim uses more often than its source does, where the source has
    another word of its set: "men and men" for "men and women", "less" for "fewer"."""
    claim_words = Counter(_TOKEN.findall(claim.lower()))
    source_words = Counter(_TOKEN.findall(source.lower()))
    for word, count in claim_words.items():
        if count <= source_words[word]:
            continue
        for reason, group in _RIVAL_OF.get(word, ()):
            if any(source_words[w] > claim_words[w] for w in group - {word}):
                return reason
    return None


def _direction(text: str) -> set[str]:
    found = set()
    if _UP.search(text):
        found.add("up")
    if _DOWN.search(text):
        found.add("down")
    return found


def _closest_sentence(claim: str, source: str) -> str:
    """The source sentence sharing most content words with the claim (ties: the shorter)."""
    words = content_words(claim)
    parts = split_sentences(source) or [source]
    return max(parts, key=lambda s: (len(words & content_words(s)), -len(s)))


def conflict(claim: str, source: str) -> str | None:
    """Why `claim` misstates `source`, or None when no meaning check objects.

    >>> src = "There is no good evidence that training every set to failure builds more muscle."
    >>> conflict("Training every set to failure builds more muscle.", src)
    'negation flipped'
    >>> conflict("Training to failure is not needed to build muscle.",
    ...          "Training to failure is not needed to build muscle.") is None
    True
    >>> conflict("Protein intake decreased lean mass.", "Protein intake increased lean mass.")
    'direction changed'
    >>> conflict("Take 3 kg of creatine.", "Take 3 g of creatine daily.")
    'number or unit changed'
    >>> conflict("In children, strength rose by 20%.", "In older adults, strength rose by 20%.")
    'population changed'
    >>> conflict("A randomized controlled trial found gains.", "A meta-analysis found gains.")
    'study type changed'
    """
    claim = strip_citations(claim)
    sentence = _closest_sentence(claim, source)
    if _negations(claim) != _negations(sentence):
        return "negation flipped"
    swap = _swapped(claim, sentence)
    if swap:
        return swap
    up_down_claim, up_down_src = _direction(claim), _direction(sentence)
    if up_down_claim and up_down_src and not (up_down_claim & up_down_src):
        return "direction changed"
    src_pairs = {(n, u.lower().rstrip("s")) for n, u in _NUMBER_UNIT.findall(source)}
    src_numbers = {n for n, _ in src_pairs}
    for number, unit in _NUMBER_UNIT.findall(claim):
        if number in src_numbers and (number, unit.lower().rstrip("s")) not in src_pairs:
            return "number or unit changed"
    claim_pop = groups_in(claim, POPULATIONS)
    if claim_pop and not claim_pop <= groups_in(source, POPULATIONS):
        return "population changed"
    claim_type = groups_in(claim, STUDY_TYPES)
    if claim_type and not claim_type <= groups_in(source, STUDY_TYPES):
        return "study type changed"
    return None
