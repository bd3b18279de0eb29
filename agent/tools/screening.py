"""The deterministic contraindication screen: ACSM 2015 pre-participation screening, AHA
contraindications, ACOG pregnancy rules, PAR-Q+, RED-S, doping requests and injuries, read
from the profile and the question. Every flag names its rule and reference; nothing downstream
may remove one."""

from __future__ import annotations

import functools
import re
from typing import Any

from pydantic import Field

from . import references as refs
from .base import Intensity, SafetyFlag, ScreenResult, ToolInput, parse_inputs
from .catalogue import injury_advice, pain_words, regions
from .detect import (
    Mention,
    clauses,
    find_age,
    find_blood_pressure,
    find_daily_intake,
    find_mentions,
    find_pregnancy_week,
    find_training_frequency,
    is_negated,
    is_other,
    mask,
    normalize,
    vocabulary,
)
from .profile import AthleteProfile
from .screen_rules import rulebook

SCREEN_RULE = (
    "ACSM 2015 pre-participation screening (activity x known disease x symptoms x intensity), "
    "AHA 2013 absolute/relative contraindications, ACOG 2020 pregnancy contraindications and "
    "warning signs, PAR-Q+ questions, IOC 2018 RED-S, refusal of doping-drug dosing, "
    "exertional emergencies (rhabdomyolysis, heat illness, concussion, DVT signs) and an "
    "injury-to-exercise map; conditions found by a synonym vocabulary with clause-scoped negation"
)
_INTENSITY_RANK = {"light": 1, "moderate": 2, "vigorous": 3}
_SEVERITY_RANK = {"absolute": 0, "relative": 1, "caution": 2}


class ScreenInput(ToolInput):
    text: str = Field("", description="The question, as the person wrote it.")
    profile: AthleteProfile | None = Field(None, description="Athlete profile, if known.")
    intensity: Intensity | None = Field(
        None, description="Intended intensity when the caller knows it (else read from text)."
    )


class _Findings:
    """Everything the rules read, gathered from profile and text in one place."""

    def __init__(self, text: str, profile: AthleteProfile, intensity: Intensity | None):
        self.text = text
        self.profile = profile
        mentions: list[Mention] = find_mentions(text, "text")
        for field in ("conditions", "symptoms", "medications", "injuries"):
            for item in getattr(profile, field):
                mentions += find_mentions(item, f"profile.{field}")
        self.mentions = mentions
        live = [m for m in mentions if not m.negated and not m.other]
        self.codes: dict[str, list[Mention]] = {}
        for m in live:
            self.codes.setdefault(m.code, []).append(m)
        affirmed = set(self.codes)
        self.negated = sorted({m.code for m in mentions if m.negated} - affirmed)
        self.others = sorted({m.code for m in mentions if m.other and not m.negated} - affirmed)

        self.age = profile.age if profile.age is not None else find_age(text)
        bp = (profile.systolic, profile.diastolic) if profile.resting_bp else None
        text_bp = find_blood_pressure(text)
        self.bp = max((b for b in (bp, text_bp) if b), default=None)
        self.intake = find_daily_intake(text)
        self.pregnant = (
            profile.pregnant
            or self.has("pregnant")
            or any(self.has(c) for c in rulebook().tables.imply_pregnant)
            or (self.has("bare_weeks") and self.has("acog_warning"))
        )
        self.pregnancy_week = profile.pregnancy_week or find_pregnancy_week(text)
        self.intensity = self._intensity(intensity)
        self.activity = self._activity()

    def has(self, code: str) -> bool:
        return code in self.codes

    def evidence(self, *codes: str) -> list[str]:
        out = []
        for code in codes:
            for m in self.codes.get(code, []):
                item = f'{m.source}: "{m.text}"'
                if item not in out:
                    out.append(item)
        return out

    def _intensity(self, given: Intensity | None) -> Intensity | None:
        levels = [lvl for lvl in ("vigorous", "moderate", "light") if self.has(lvl)]
        if given:
            levels.append(given)
        return max(levels, key=_INTENSITY_RANK.__getitem__) if levels else None

    def _activity(self) -> str | None:
        # Profile and text can disagree; the screen takes the more cautious reading.
        said = set()
        if self.profile.activity_level:
            said.add(self.profile.activity_level)
        if self.has("inactive"):
            said.add("inactive")
        freq = find_training_frequency(self.text)
        if self.has("active") or (freq is not None and freq >= 3):
            said.add("active")
        elif freq is not None:
            said.add("inactive")
        if "inactive" in said:
            return "inactive"
        return "active" if said else None


def _flag(
    flags: dict[str, SafetyFlag], code: str, evidence: list[str], variant: str | None = None
) -> None:
    """Raise flag `code` (its rule-book entry, or the named variant of it)."""
    if code in flags:  # one flag per code; merge what triggered it
        old = flags[code]
        merged = old.evidence + [e for e in evidence if e not in old.evidence]
        flags[code] = old.model_copy(update={"evidence": merged})
        return
    flags[code] = rule_flag(code, evidence, variant)


def rule_flag(code: str, evidence: list[str], variant: str | None = None) -> SafetyFlag:
    """The flag the rule book's entry `code` (or its named variant) raises for `evidence`."""
    rule = rulebook().rules[code]
    v = rule.variant(variant)
    return SafetyFlag(
        code=code,
        severity=v.severity,
        action=v.action,
        message=v.message,
        reference=rule.reference,
        evidence=evidence,
    )


def _injury_regions(text: str, profile: AthleteProfile) -> list[tuple[str, str]]:
    """(region, words used) for every injured region named in the text or the profile."""
    masks, _ = vocabulary()
    found: list[tuple[str, str]] = []
    pain = pain_words()
    # Free text needs a pain word next to the region; a profile injury entry is one already.
    for item, need_pain in [(text, True)] + [(inj, False) for inj in profile.injuries]:
        norm = normalize(item)
        masked = mask(norm, masks)
        spans = clauses(masked)
        for name, region in regions().items():
            hit = _find_region(masked, spans, region.terms, region.diagnoses, pain, need_pain)
            if hit and all(r != name for r, _ in found):
                found.append((name, hit))
    # "patellar tendinopathy" is a knee problem too, but the tendon advice is the specific one.
    names = {r for r, _ in found}
    if "patellar_tendon" in names:
        found = [(r, w) for r, w in found if r != "knee" or "patellar" not in w]
    return found


_BETWEEN = (
    r"(?:\s+(?:my|the|a|his|her|left|right|both|lower|upper|of|in|on|around|behind|"
    r"under|at|inside|outside|front|back of|side of|bit|little|slightly|really))*"
)


@functools.cache
def _region_regexes(terms: tuple[str, ...], diagnoses: tuple[str, ...], pain: str):
    region = "|".join(f"(?:{t})" for t in terms)
    diag = (
        re.compile(rf"(?<!\w)(?:{'|'.join(f'(?:{d})' for d in diagnoses)})(?!\w)")
        if diagnoses
        else None
    )
    term = re.compile(rf"(?<!\w)(?:{region})(?!\w)")
    # "sore knee", "pain in my knee" | "knee pain", "my knee really hurts"
    before = re.compile(rf"(?<!\w)(?:{pain})(?!\w){_BETWEEN}\s+(?:{region})(?!\w)")
    after = re.compile(rf"(?<!\w)(?:{region})(?!\w)(?P<gap>(?:\W+\w+){{0,3}}?)\W+(?:{pain})(?!\w)")
    return diag, term, before, after


def _find_region(
    masked: str,
    spans: list[tuple[int, int]],
    terms: tuple[str, ...],
    diagnoses: tuple[str, ...],
    pain: str,
    need_pain: bool,
) -> str | None:
    diag, term, before, after = _region_regexes(terms, diagnoses, pain)
    candidates = []
    if diag is not None:
        candidates += [(m, "") for m in diag.finditer(masked)]
    if need_pain:
        candidates += [(m, "") for m in before.finditer(masked)]
        candidates += [(m, m.group("gap")) for m in after.finditer(masked)]
    else:
        candidates += [(m, "") for m in term.finditer(masked)]
    for m, gap in candidates:
        clause = next(((s, e) for s, e in spans if s <= m.start() <= e), (0, len(masked)))
        if is_negated(masked, clause, m.start(), m.end(), gap):
            continue
        if is_other(masked, clause, m.start()):
            continue
        return m.group(0).strip()
    return None


def _doping(f: _Findings, flags: dict[str, SafetyFlag]) -> None:
    if not f.has("doping"):
        return
    intents = {m.sentence for m in f.codes.get("dosing_intent", [])}
    asks = [m for m in f.codes["doping"] if m.sentence in intents]
    if asks:
        _flag(flags, "doping_dosing_request", f.evidence("doping", "dosing_intent"))
    else:
        _flag(flags, "doping_mention", f.evidence("doping"))


def _pregnancy(f: _Findings, flags: dict[str, SafetyFlag]) -> None:
    if f.has("postpartum") and not f.profile.pregnant:
        _flag(flags, "postpartum", f.evidence("postpartum"))
    if not f.pregnant:
        return
    base = f.evidence("pregnant") or ["profile.pregnant: true"]
    _flag(flags, "pregnancy", base)
    book = rulebook()
    early = f.pregnancy_week is not None and (
        f.pregnancy_week < book.thresholds.placenta_previa_week
    )
    for code, flag in book.tables.acog_absolute.items():
        if f.has(code):
            variant = "before_26_weeks" if code == "placenta_previa" and early else None
            _flag(flags, flag, f.evidence(code), variant)
    if f.has("heart_disease") or f.has("hcm") or f.has("aortic_stenosis"):
        _flag(flags, "acog_heart_disease", f.evidence("heart_disease", "hcm", "aortic_stenosis"))
    relative = [c for c in book.tables.acog_relative if f.has(c)]
    if "anemia" in relative and f.has("severe_anemia"):
        relative.remove("anemia")
    if relative:
        _flag(flags, "acog_relative", f.evidence(*relative))
    warning = [c for c in book.tables.acog_warning if f.has(c)]
    if warning:
        _flag(flags, "acog_warning_sign", f.evidence(*warning))
    if f.has("acog_avoid_activity"):
        _flag(flags, "acog_avoid_activity", f.evidence("acog_avoid_activity"))


def _above(bp: tuple[int, int] | None, limit: tuple[int, int], strict: bool = False) -> bool:
    if bp is None:
        return False
    if strict:
        return bp[0] > limit[0] or bp[1] > limit[1]
    return bp[0] >= limit[0] or bp[1] >= limit[1]


def _cardiometabolic(f: _Findings, flags: dict[str, SafetyFlag]) -> None:
    book = rulebook()
    tables, limits = book.tables, book.thresholds
    for code in sorted(tables.symptoms):
        if f.has(code):
            _flag(flags, f"symptom_{code}", f.evidence(code))
    for code, flag in tables.aha.items():
        if f.has(code) and not (code == "aortic_stenosis" and f.has("severe_aortic_stenosis")):
            _flag(flags, flag, f.evidence(code))
    if _above(f.bp, limits.severe_bp, strict=True):
        _flag(flags, "aha_severe_hypertension", [f"resting blood pressure {f.bp[0]}/{f.bp[1]}"])
    elif _above(f.bp, limits.high_bp):
        _flag(flags, "bp_high", [f"resting blood pressure {f.bp[0]}/{f.bp[1]}"])

    cardiac = sorted(tables.cardiac_aha)
    disease = [c for c in sorted({*tables.disease, *cardiac}) if f.has(c)]
    if disease:
        ev = f.evidence(*disease)
        if f.activity == "active":
            if f.intensity == "vigorous":
                _flag(flags, "acsm_disease_vigorous", ev)
            else:
                _flag(flags, "acsm_disease_active", ev)
        elif f.activity is None and set(disease) <= set(tables.metabolic_renal):
            # Unknown activity: state both ACSM cases and let the guidance follow.
            _flag(flags, "acsm_disease_activity_unknown", ev)
        else:
            variant = "activity_unknown" if f.activity is None else None
            _flag(flags, "acsm_disease_inactive", ev, variant)
    elif f.activity == "inactive" and f.intensity == "vigorous":
        _flag(
            flags,
            "acsm_start_light",
            f.evidence("inactive", "vigorous") or ["profile.activity_level: inactive"],
        )

    bp_yes = f.has("hypertension") or _above(f.bp, limits.parq_bp)
    if bp_yes or f.has("heart_disease") or any(f.has(c) for c in cardiac):
        ev = f.evidence("hypertension", "heart_disease", *cardiac) or (
            [f"resting blood pressure {f.bp[0]}/{f.bp[1]}"] if f.bp else []
        )
        _flag(flags, "parq_heart_or_bp", ev)


def _exertional(f: _Findings, flags: dict[str, SafetyFlag]) -> None:
    """Rhabdomyolysis, heat illness, concussion, DVT and other warning signs: each a same-day
    referral."""
    t = rulebook().tables

    def found(codes: tuple[str, ...]) -> list[str]:
        return [c for c in codes if f.has(c)]

    if found(t.rhabdomyolysis):
        _flag(flags, "exertional_rhabdomyolysis", f.evidence(*found(t.rhabdomyolysis)))
    head = f.has("head_impact")
    concussion = found(t.concussion)
    after_impact = found(t.concussion_signs_with_head_impact) if head else []
    if concussion or after_impact:
        _flag(flags, "concussion_suspected", f.evidence(*concussion, "head_impact", *after_impact))
    elif head:
        _flag(flags, "head_impact", f.evidence("head_impact"))
    heat = found(t.heat_illness)
    in_heat = found(t.heat_signs_with_hot_conditions) if f.has("hot_conditions") else []
    if heat or in_heat:
        codes = [*heat, *in_heat] + (["hot_conditions"] if in_heat else [])
        _flag(flags, "exertional_heat_illness", f.evidence(*codes))
    elif f.has("confusion") and not head:
        _flag(flags, "exertional_confusion", f.evidence("confusion"))
    if all(f.has(c) for c in t.calf_swelling_with_calf_pain) and f.has("calf_pain"):
        _flag(flags, "symptom_calf_swelling", f.evidence("calf_swelling", "calf_pain"))
    if found(t.warning_signs):
        _flag(flags, "possible_red_flag", f.evidence(*found(t.warning_signs)))


def _other_rules(f: _Findings, flags: dict[str, SafetyFlag]) -> None:
    chronic = [c for c in ("chronic_condition",) if f.has(c)]
    if f.has("restrictive_lung") and not f.pregnant:
        chronic.append("restrictive_lung")
    if chronic:
        _flag(flags, "parq_chronic_condition", f.evidence(*chronic))
    if f.has("osteoporosis"):
        _flag(flags, "osteoporosis", f.evidence("osteoporosis"))
    book = rulebook()
    meds = [c for c in book.tables.medication if f.has(c)]
    if meds or f.profile.medications:
        _flag(
            flags,
            "parq_medication",
            f.evidence(*meds) or [f"profile.medications: {', '.join(f.profile.medications)}"],
        )
    for code, flag in book.tables.medicines.items():
        if f.has(code):
            _flag(flags, flag, f.evidence(code))
    if f.has("supervised_only"):
        _flag(flags, "parq_supervised_only", f.evidence("supervised_only"))

    ev = f.evidence(*(c for c in book.tables.reds if f.has(c)))
    if f.intake is not None and f.intake < book.thresholds.low_intake_kcal:
        ev.append(f"stated intake {f.intake} kcal/day")
    if ev:
        _flag(flags, "reds_low_energy", ev)
    elif f.has("bone_stress"):
        _flag(flags, "reds_bone_stress", f.evidence("bone_stress"))
    _doping(f, flags)

    if f.age is not None and f.age < 18:
        _flag(flags, "youth", [f"age {f.age}"])
    elif f.age is not None and f.age >= 65:
        _flag(flags, "older_adult", [f"age {f.age}"])


def _screen(inp: ScreenInput) -> ScreenResult:
    profile = inp.profile or AthleteProfile()
    f = _Findings(inp.text, profile, inp.intensity)
    flags: dict[str, SafetyFlag] = {}
    _cardiometabolic(f, flags)
    _pregnancy(f, flags)
    _exertional(f, flags)
    _other_rules(f, flags)

    injuries = []
    red = f.evidence("red_flag", "red_flag_severe")
    for region, words in _injury_regions(inp.text, profile):
        advice = injury_advice(region, words, inp.text, refer_now=red)
        injuries.append(advice)
        _flag_injury(flags, advice)
    if red:
        _flag(flags, "injury_red_flag", red, "cauda_equina" if f.has("red_flag_severe") else None)

    # A clearance-before-vigorous flag becomes a referral when vigorous work is what was asked.
    if f.intensity == "vigorous":
        for code, flag in flags.items():
            if flag.action == "clearance_before_vigorous":
                flags[code] = flag.model_copy(update={"action": "refer"})

    ordered = sorted(flags.values(), key=lambda fl: (_SEVERITY_RANK[fl.severity], fl.code))
    detected = sorted(set(f.codes))
    return ScreenResult(
        flags=ordered,
        injuries=injuries,
        intensity_requested=f.intensity,
        detected=detected,
        negated=f.negated,
        others=f.others,
        summary=_summary(ordered, injuries),
        rule=SCREEN_RULE,
        reference="; ".join(dict.fromkeys(fl.reference for fl in ordered)) or refs.RIEBE,
        warnings=_warnings(f),
    )


def _flag_injury(flags: dict[str, SafetyFlag], advice: Any) -> None:
    code = f"injury_{advice.region}"
    if code in flags:
        return
    patterns = ", ".join(p.replace("_", " ") for p in advice.loaded_patterns[:4])
    flags[code] = SafetyFlag(
        code=code,
        severity="caution",
        action="modify",
        message=(
            f"{advice.region.replace('_', ' ').capitalize()} problem "
            f'("{advice.mentioned_as}"): modify exercises that load it ({patterns}) and '
            f"see a {advice.see} if pain persists, worsens or limits daily life."
        ),
        reference=advice.reference,
        evidence=[f'"{advice.mentioned_as}"'],
    )


def _summary(flags: list[SafetyFlag], injuries: list) -> str:
    if not flags:
        return "Screen: no contraindication flags."
    refer = [fl.code for fl in flags if fl.action == "refer"]
    rest = [fl.code for fl in flags if fl.action != "refer"]
    parts = [f"Screen: {len(flags)} flag{'s' if len(flags) != 1 else ''}"]
    if refer:
        parts.append("stop and refer: " + ", ".join(refer))
    if rest:
        parts.append("other: " + ", ".join(rest))
    return "; ".join(parts) + "."


def _warnings(f: _Findings) -> list[str]:
    out = []
    if f.others:
        out.append(
            "mentioned about someone else or in general, not screened as the user's: "
            + ", ".join(f.others)
        )
    out.append("The screen reads what was written; it cannot rule out conditions nobody mentioned.")
    return out


def screen(
    text: str = "", profile: AthleteProfile | dict | None = None, intensity: Intensity | None = None
) -> ScreenResult:
    """Screen a question (and profile) for contraindications; deterministic, milliseconds."""
    return _screen(
        parse_inputs(ScreenInput, {"text": text, "profile": profile, "intensity": intensity})
    )
