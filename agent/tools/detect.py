"""Finds what a person says about themselves: vocabulary codes in free text, with negation
scoped to the clause, mentions about other people set aside, and the numbers that matter
(age, blood pressure, pregnancy week, calorie intake, training frequency)."""

from __future__ import annotations

import functools
import re
import unicodedata

from pydantic import BaseModel, ConfigDict, Field

from .base import load_data

# Cues that deny what follows in the same clause ("no chest pain", "never had heart problems").
_NEG = re.compile(
    r"\b(?:no|not|never|without|denies|denied|deny|none|nor|neither|free of|negative for|"
    r"don't|do not|doesn't|does not|didn't|did not|haven't|have not|hasn't|has not|hadn't|"
    r"isn't|aren't|wasn't|weren't|ruled out|no longer|nothing like)\b"
)
# Phrases that contain a cue but deny nothing ("not sure if this is chest pain").
_PSEUDO_NEG = re.compile(
    r"\b(?:not sure|not certain|no idea|don't know|dont know|do not know|not only|not just|can't tell|"
    r"cannot tell|no doubt|whether or not|no matter|not even sure|doesn't go away|"
    r"won't go away|wont go away|doesnt go away|not go away|no sense|"
    r"(?:don't|dont|do not|didn't|did not|not) (?:feel|feeling) (?:great|good|well|right|100%|ok|okay|normal)|not (?:himself|herself|themselves|myself|yourself))\b"
    r"|\bno (?:problems?|issues?|bother)(?=\s*[,.])"  # "jog 5 miles no problem, now I'm ..."
)
_POST_NEG = re.compile(
    r"^\s*[:?\-=]\s*(?:no|none|nope|negative|never|n/a)\b(?! matter| idea| doubt)"
)
# A clinician who has seen it and called it normal, in the same sentence with no "but" between:
# "a bit more out of breath on stairs, which my midwife said is normal" is no new sign to
# refer; "my GP said it was fine but it's getting worse" still is.
_CLEARED = re.compile(
    r"\b(?:midwife|doctor|dr|gp|obstetrician|cardiologist|physio|physiotherapist|consultant|"
    r"nurse)\b(?:\W+\w+){0,5}?\W+(?:said|says|told me|thinks|confirmed)\W+(?:\w+\W+){0,3}?"
    r"(?:normal|fine|nothing to worry about|harmless|benign)\b"
    # "saw my GP - ECG, bloods, all normal", "... cleared me to train fully"
    r"|\b(?:ecg|ekg|echo|bloods|blood tests?|scans?|x-?rays?|mri|tests)\b(?:\W+\w+){0,3}?\W+(?:all |came back |were |was )"
    r"(?:normal|clear|fine)\b"
    r"|\b(?:midwife|doctor|dr|gp|cardiologist|physio|physiotherapist|consultant|surgeon)\b(?:\W+\w+){0,20}?"
    r"\W+(?:cleared|signed) (?:me|him|her) (?:off )?(?:to|for) (?:\w+ )?(?:train|training|exercise|run|running|lift|"
    r"lifting|play|playing|return|sport)\w*"
)
# Someone other than the person asking, or people in general.
_OTHER = re.compile(
    r"\b(?:my|his|her|our|their)\s+(?:mom|mum|mother|dad|father|parents?|brother|sister|"
    r"siblings?|grand(?:ma|pa|mother|father|parents?)|uncle|aunt|cousin|wife|husband|partner|"
    r"son|daughter|friend|boyfriend|girlfriend|kids?|child|children|teammate|coach|mate|buddy|pal|"
    r"colleague|flatmate|housemate|roommate|workmate|classmate|neighbou?r)\b"
    r"|\ba (?:friend|mate|teammate|colleague|buddy|pal) of (?:mine|ours)\b"
    r"|\bfamily history\b|\brun(?:s)? in (?:my|the) family\b"
    r"|\b(?:people|someone|somebody|patients|those|anyone|athletes|women|men|persons?|a person|"
    r"individuals|clients in general)\s+(?:with|who)\b|\bin general\b"
)
# Clause boundaries: sentence ends, contrast words, and commas or "and" that start a new
# statement about the person ("I don't smoke, I have asthma").
_CLAUSE = re.compile(
    r"[.;!?\n()]+|\b(?:but|however|although|though|except|whereas|apart from)\b"
    r"|,(?=\s*(?:i|i'm|im|i've|i'd|my|it|it's|he|she|we|they|which|so|and i|and im|and my|just|only|rather|instead|maybe|perhaps|now)\b)"
    r"|\band\s+(?=(?:i|i'm|im|i've|my|have|has|had|get|gets|got|am|take|takes|was|also|now|"
    r"recently|then|still)\b)"
)
_WORD = re.compile(r"[\w']+")
NEG_WINDOW = 8  # words before a term that a cue can reach


class Mention(BaseModel):
    """One vocabulary code found in a text."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    category: str
    text: str = Field(description="The words matched.")
    source: str = Field(description="`text` or the profile field, e.g. `profile.conditions`.")
    negated: bool = False
    other: bool = Field(False, description="About someone else or people in general.")
    sentence: str = Field("", description="The sentence it was found in.")


def normalize(text: str) -> str:
    """Lower-case, NFKC, straight apostrophes and single spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = re.sub(r"[\u201c\u201d]", '"', text)
    return re.sub(r"\s+", " ", text).strip()


@functools.cache
def vocabulary() -> tuple[list[re.Pattern[str]], list[tuple[str, str, re.Pattern[str]]]]:
    """(masks, [(code, category, regex)]) compiled from data/vocabulary.yaml."""
    raw = load_data("vocabulary.yaml")
    masks = [re.compile(rf"(?<!\w)(?:{p})(?!\w)") for p in raw.pop("masks")]
    table = []
    for code, spec in raw.items():
        alts = "|".join(f"(?:{p})" for p in spec["patterns"])
        table.append((code, spec["category"], re.compile(rf"(?<!\w)(?:{alts})(?!\w)")))
    return masks, table


def mask(text: str, masks: list[re.Pattern[str]]) -> str:
    """Blank out phrases that only look like triggers, keeping every offset."""
    for pattern in masks:
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause of `text`."""
    bounds, start = [], 0
    for m in _CLAUSE.finditer(text):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(text)))
    return bounds


def sentences(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for m in re.finditer(r"[.!?\n]+", text):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(text)))
    return bounds


def _span_of(pos: int, spans: list[tuple[int, int]]) -> tuple[int, int]:
    for start, end in spans:
        if start <= pos <= end:
            return start, end
    return 0, 0


def is_negated(text: str, clause: tuple[int, int], start: int, end: int, gap: str = "") -> bool:
    """A cue in the clause within NEG_WINDOW words before the term (or in `gap`, the words
    inside a two-part match), or a "term: no" answer right after it."""
    before = _PSEUDO_NEG.sub(" ", text[clause[0] : start])
    words = _WORD.findall(before)
    window = " ".join(words[-NEG_WINDOW:]) if words else ""
    if _NEG.search(window) or (gap and _NEG.search(_PSEUDO_NEG.sub(" ", gap))):
        return True
    # Look past the clause end: in "chest pain? no" the "?" itself closes the clause.
    return bool(_POST_NEG.match(text[end : end + 16]))


# A question that plans for the relative it names makes them the athlete: "my dad had a knee
# replacement, what should his first few weeks look like?" screens the knee.
_THEIR_PLAN = re.compile(
    r"\b(?:should|can|could|does|do|is|would)\s+(?:he|she|they)\s+(?:start|train|lift|run|do|"
    r"keep|still|exercise|begin|try|go|be)\b"
    r"|\b(?:his|her|their)\s+(?:first|training|plan|programme|program|sessions?|workouts?|"
    r"routine|weeks?|lifting|running|exercise|stamina|fitness|strength|conditioning|match|game|"
    r"(?:leg|arm|chest|push|pull|upper|lower)[- ]day)\b"
    r"|\bfor (?:him|her|them)\b"
    r"|\b(?:write|make|give|build|design) (?:him|her|them) a (?:plan|programme|program|routine)\b"
    r"|\b(?:he|she|they) (?:wants?|plans?|hopes?) to (?:start|train|run|lift|keep|begin|get back|return)\b"
    r"|\b(?:he|she|they) (?:should|can|could) (?:still )?(?:start|train|do|keep|go|run|lift|stretch|play)\b"
    r"|\bhelp (?:him|her|them) (?:shake|recover|get|be ready|train|build)\b"
    r"|\bwhat should (?:he|she|they) (?:eat|drink|do|take)\b"
    r"|\b(?:should|can|do|could) (?:we|i) (?:just )?(?:give|take|get|drop|let) (?:him|her|them)\b"
    r"|\b(?:he|she|they) asked me to ask\b|\bon (?:his|her|their) behalf\b"
    r"|\bwhat (?:should|can|do) i give (?:him|her|them)\b"
    r"|\b(?:he|she|they)(?:'s|s| is| are)? asking (?:me )?for (?:a |an )?(?:\w+ ){0,2}?(?:plan|programme|program)\b"
)


_STILL = re.compile(r"\b(?:but|however|although|though|worse|still|again|back)\b")


def is_cleared(text: str, sentence: tuple[int, int], start: int, end: int) -> bool:
    """A clinician called the term normal in its sentence, with no "but" or "worse" between."""
    for c in _CLEARED.finditer(text, sentence[0], sentence[1]):
        between = text[c.end() : start] if c.end() <= start else text[end : c.start()]
        if not _STILL.search(between) and not _STILL.search(text[max(c.end(), end) : sentence[1]]):
            return True
    return False


# Someone else reporting what they see in the asker: "my wife says I keep repeating myself".
_REPORTS = re.compile(r"\b(?:says|said|thinks|noticed|notices|tells me|told me|reckons)\s+(?:that\s+)?(?:i|i'm|im|my)\b")


def clinician_cleared(text: str) -> bool:
    """A clinician called something in `text` normal ("my doctor said it's benign")."""
    return bool(_CLEARED.search(normalize(text)))


def is_other(text: str, clause: tuple[int, int], start: int) -> bool:
    found = _OTHER.search(text[clause[0] : start])
    if found is None or _REPORTS.search(text, clause[0] + found.end(), start):
        return False
    after = text[clause[0] + found.end() : start].lstrip(" ,")
    if text[: clause[0] + found.start()].endswith("with ") and not after.startswith(("who", "that", "which")):
        return False  # company, not the subject: "skateboarding with my kid, wrist looks bent"
    relative = found[0].split()[0] in ("my", "his", "her", "our", "their")
    return not (relative and _THEIR_PLAN.search(text))


def find_mentions(text: str, source: str = "text") -> list[Mention]:
    """Every vocabulary code in `text`, each marked negated / about someone else or not."""
    masks, table = vocabulary()
    norm = normalize(text)
    masked = mask(norm, masks)
    cl, se = clauses(masked), sentences(masked)
    found = []
    for code, category, regex in table:
        for m in regex.finditer(masked):
            clause = _span_of(m.start(), cl)
            s0, s1 = _span_of(m.start(), se)
            found.append(
                Mention(
                    code=code,
                    category=category,
                    text=m.group(0),
                    source=source,
                    negated=is_negated(masked, clause, m.start(), m.end())
                    or is_cleared(masked, (s0, s1), m.start(), m.end()),
                    other=is_other(masked, clause, m.start()),
                    sentence=norm[s0:s1].strip(),
                )
            )
    return found


# --- numbers --------------------------------------------------------------------------------

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "once": 1,
    "twice": 2,
}
_AGE = re.compile(
    r"(?<!my )(?<!our )(?<!\w)(?:i'm|i am|im|age[d:]?|aged)\s+(\d{1,3})\b(?!\s*(?:kg|kgs|lb|lbs|"
    r"kilos?|pounds|weeks?|wks?|months?|%|cm|min|minutes|reps|sets|km|miles|mins|days|"
    r"hours|'|\"|ft|feet|foot|inches|x|times|and a half))"
    r"|(?<!my )(?<!our )(?<!\w)(\d{1,3})[- ]?(?:years?|yrs?|yo)[- ]?(?:old)?\b(?![- ]?old\w)"
)
_BP = re.compile(r"\b(?:blood pressure|bp)\b\D{0,25}?(\d{2,3})\s*/\s*(\d{2,3})")
_WEEK = re.compile(
    r"(\d{1,2})\s*(?:weeks?|wks?)\s*(?:pregnant|along|gestation|of (?:my )?pregnancy)"
    r"|\bat\s+(\d{1,2})\s*weeks\b|\bweek\s+(\d{1,2})\s+of\s+(?:my\s+)?pregnancy"
)
_TRIMESTER = {"first": 8, "1st": 8, "second": 20, "2nd": 20, "third": 30, "3rd": 30}
_KCAL = re.compile(r"(\d{3,4})\s*(?:k?cals?|calories|kcals?)\b")
_FREQ = re.compile(
    r"\b(?:(\d)|(one|two|three|four|five|six|seven))\s*(?:x|times|days|sessions)\s*"
    r"(?:a|per|each|/|every)\s*week\b|\b(once|twice)\s+(?:a|per)\s+week\b"
)
_WANT = re.compile(
    r"\b(?:want|wants|plan|planning|going|hope|hoping|should i|could i|can i|"
    r"would like|aim|goal|try)\b"
)


def find_age(text: str) -> int | None:
    """The person's own age if stated ("I'm 67", "67 years old"), else None."""
    norm = normalize(text)
    for m in _AGE.finditer(norm):
        value = int(m.group(1) or m.group(2))
        # "years" after a number also means duration ("for 3 years"): only trust "old" or "i'm".
        if m.group(2) and "old" not in m.group(0) and "yo" not in m.group(0):
            continue
        if 5 <= value <= 110:
            return value
    return None


def find_blood_pressure(text: str) -> tuple[int, int] | None:
    norm = normalize(text)
    best = None
    for m in _BP.finditer(norm):
        sys_, dia = int(m.group(1)), int(m.group(2))
        if 60 <= sys_ <= 300 and 30 <= dia <= 200 and (best is None or sys_ > best[0]):
            best = (sys_, dia)
    return best


def find_pregnancy_week(text: str) -> int | None:
    norm = normalize(text)
    m = _WEEK.search(norm)
    if m:
        value = int(next(g for g in m.groups() if g))
        return value if 1 <= value <= 45 else None
    m = re.search(r"\b(first|second|third|1st|2nd|3rd) trimester\b", norm)
    return _TRIMESTER[m.group(1)] if m else None


def find_daily_intake(text: str) -> int | None:
    """Stated energy intake per day ("I eat 800 calories a day"), not calories burned."""
    norm = normalize(text)
    for m in _KCAL.finditer(norm):
        before, after = norm[max(0, m.start() - 30) : m.start()], norm[m.end() : m.end() + 15]
        if re.search(
            r"\bburn\w*|\bexpend\w*|\bin (?:my|a|the) (?:workout|session|run)", before + after
        ):
            continue
        if re.search(
            r"^\s*(?:(?:a|per|each|/)\s*day\s+)?(?:deficit|surplus|less|fewer|more|under|below|cut)\b",
            after,
        ) or re.search(
            r"\b(?:deficit|surplus|cut|cutting|drop|reduce|reduction) (?:of|by)\s*$", before
        ):
            continue  # "a 500 kcal deficit" is a change in intake, not the intake itself
        if re.search(
            r"\b(?:eat\w*|consum\w*|intake|diet of|on|limit\w*|only|stick\w* to)\b", before
        ) or re.search(r"^\s*(?:a|per|each|/)\s*day|^\s*daily", after):
            return int(m.group(1))
    return None


def find_training_frequency(text: str) -> int | None:
    """Current sessions per week if stated as a habit ("I run 4 times a week")."""
    norm = normalize(text)
    best = None
    for clause_start, clause_end in clauses(norm):
        clause = norm[clause_start:clause_end]
        for m in _FREQ.finditer(clause):
            if _WANT.search(clause[: m.start()]):
                continue  # a plan, not a habit
            word = m.group(2) or m.group(3)
            value = int(m.group(1)) if m.group(1) else _NUMBER_WORDS[word]
            best = max(best or 0, value)
    return best
