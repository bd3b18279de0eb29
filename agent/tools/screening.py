"""The deterministic contraindication screen: ACSM 2015 pre-participation screening, AHA
contraindications, ACOG pregnancy rules, PAR-Q+, RED-S, doping requests and injuries, read
from the profile and the question. Every flag names its rule and reference; nothing downstream
may remove one."""

from __future__ import annotations

import functools
import re
from typing import Any, NamedTuple

from pydantic import Field

from . import references as refs
from .base import Action, Intensity, SafetyFlag, ScreenResult, Severity, ToolInput, parse_inputs
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

SCREEN_RULE = (
    "ACSM 2015 pre-participation screening (activity x known disease x symptoms x intensity), "
    "AHA 2013 absolute/relative contraindications, ACOG 2020 pregnancy contraindications and "
    "warning signs, PAR-Q+ questions, IOC 2018 RED-S, refusal of doping-drug dosing, and an "
    "injury-to-exercise map; conditions found by a synonym vocabulary with clause-scoped negation"
)
LOW_INTAKE_KCAL = 1200  # below this, training on top almost surely means low energy availability
_INTENSITY_RANK = {"light": 1, "moderate": 2, "vigorous": 3}
_SEVERITY_RANK = {"absolute": 0, "relative": 1, "caution": 2}


class Rule(NamedTuple):
    severity: Severity
    action: Action
    reference: str
    message: str


R = Rule
# One entry per flag code. Messages say what was found and what to do.
RULES: dict[str, Rule] = {
    # ACSM 2015: any sign or symptom -> stop and get medical clearance.
    "symptom_chest_pain": R(
        "absolute",
        "refer",
        refs.RIEBE,
        "Chest pain, pressure or tightness can signal heart disease: stop exercising and see a "
        "doctor before any further exercise; call emergency services if it is happening now.",
    ),
    "symptom_syncope": R(
        "absolute",
        "refer",
        refs.RIEBE,
        "Fainting or blacking out with exercise needs a medical assessment before you train again.",
    ),
    "symptom_dizziness": R(
        "absolute",
        "refer",
        refs.RIEBE,
        "Dizziness or light-headedness during exercise is a warning sign: stop and get medical "
        "clearance before continuing.",
    ),
    "symptom_breathlessness": R(
        "absolute",
        "refer",
        refs.RIEBE,
        "Breathlessness at rest or with mild effort is a warning sign of heart or lung disease: "
        "see a doctor before continuing to exercise.",
    ),
    "symptom_palpitations": R(
        "absolute",
        "refer",
        refs.RIEBE,
        "Palpitations or an irregular heartbeat need a medical assessment before more exercise.",
    ),
    "symptom_ankle_edema": R(
        "absolute",
        "refer",
        refs.RIEBE,
        "Swollen ankles can be a sign of heart or kidney disease: see a doctor before training.",
    ),
    "symptom_claudication": R(
        "absolute",
        "refer",
        refs.RIEBE,
        "Leg pain on walking that eases with rest (claudication) suggests artery disease: get "
        "medical clearance first.",
    ),
    "symptom_heart_murmur": R(
        "absolute",
        "refer",
        refs.RIEBE,
        "A known heart murmur is on ACSM's list of signs that call for medical clearance.",
    ),
    "symptom_unusual_fatigue": R(
        "absolute",
        "refer",
        refs.RIEBE,
        "Unusual fatigue with everyday activities is a warning sign: see a doctor before training.",
    ),
    # AHA 2013 absolute contraindications.
    "aha_acute_mi": R(
        "absolute",
        "refer",
        refs.FLETCHER,
        "A recent heart attack is an absolute contraindication: exercise only within a "
        "cardiac rehabilitation programme your cardiologist sets up.",
    ),
    "aha_unstable_angina": R(
        "absolute",
        "refer",
        refs.FLETCHER,
        "Unstable angina is an absolute contraindication to exercise: see your doctor now.",
    ),
    "aha_uncontrolled_arrhythmia": R(
        "absolute",
        "refer",
        refs.FLETCHER,
        "An uncontrolled arrhythmia is an absolute contraindication: no exercise until a "
        "cardiologist has it under control.",
    ),
    "aha_endocarditis": R(
        "absolute",
        "refer",
        refs.FLETCHER,
        "Active endocarditis is an absolute contraindication to exercise.",
    ),
    "aha_aortic_stenosis": R(
        "absolute",
        "refer",
        refs.FLETCHER,
        "Severe or symptomatic aortic stenosis is an absolute contraindication to exercise.",
    ),
    "aha_heart_failure_decompensated": R(
        "absolute",
        "refer",
        refs.FLETCHER,
        "Worsening (decompensated) heart failure is an absolute contraindication: see your "
        "heart-failure team before any exercise.",
    ),
    "aha_pulmonary_embolism": R(
        "absolute",
        "refer",
        refs.FLETCHER,
        "An acute blood clot (pulmonary embolism or deep-vein thrombosis) is an absolute "
        "contraindication until a doctor clears you.",
    ),
    "aha_myocarditis": R(
        "absolute",
        "refer",
        refs.FLETCHER,
        "Acute myocarditis or pericarditis is an absolute contraindication: return to training "
        "only after cardiology clearance.",
    ),
    "aha_aortic_dissection": R(
        "absolute",
        "refer",
        refs.FLETCHER,
        "Aortic dissection is an absolute contraindication: exercise only as your vascular "
        "team directs.",
    ),
    "aha_acute_infection": R(
        "absolute",
        "refer",
        refs.FLETCHER,
        "An acute systemic infection or fever is a contraindication to exercise: rest until it "
        "has gone and see a doctor if it persists.",
    ),
    # AHA 2013 relative contraindications: refer for the activity asked about.
    "aha_valve_stenosis": R(
        "relative",
        "refer",
        refs.FLETCHER,
        "Moderate valve stenosis is a relative contraindication: your cardiologist should "
        "approve the activity and its intensity.",
    ),
    "aha_left_main_stenosis": R(
        "relative",
        "refer",
        refs.FLETCHER,
        "Left main coronary stenosis is a relative contraindication: cardiology approval first.",
    ),
    "aha_electrolyte": R(
        "relative",
        "refer",
        refs.FLETCHER,
        "An electrolyte abnormality is a relative contraindication: have it corrected first.",
    ),
    "aha_severe_hypertension": R(
        "relative",
        "refer",
        refs.FLETCHER,
        "Resting blood pressure above 200/110 mmHg is a relative contraindication: get it "
        "treated before exercising.",
    ),
    "aha_hcm": R(
        "relative",
        "refer",
        refs.FLETCHER,
        "Hypertrophic cardiomyopathy is a relative contraindication: a cardiologist must "
        "approve the activity, especially vigorous or competitive exercise.",
    ),
    "aha_av_block": R(
        "relative",
        "refer",
        refs.FLETCHER,
        "High-grade heart block is a relative contraindication: cardiology approval first.",
    ),
    "aha_recent_stroke": R(
        "relative",
        "refer",
        refs.FLETCHER,
        "A recent stroke or TIA is a relative contraindication: follow your stroke team's "
        "rehabilitation plan.",
    ),
    # ACSM 2015 algorithm for known cardiovascular, metabolic or renal disease.
    "acsm_disease_inactive": R(
        "relative",
        "refer",
        refs.RIEBE,
        "Known cardiovascular, metabolic or renal disease and not regularly active: ACSM "
        "recommends medical clearance before starting, then light-to-moderate exercise.",
    ),
    "acsm_disease_active": R(
        "relative",
        "clearance_before_vigorous",
        refs.RIEBE,
        "Known cardiovascular, metabolic or renal disease, active and without symptoms: "
        "continue moderate exercise; get medical clearance before vigorous exercise.",
    ),
    "acsm_disease_vigorous": R(
        "relative",
        "refer",
        refs.RIEBE,
        "Known cardiovascular, metabolic or renal disease and vigorous exercise requested: ACSM "
        "recommends medical clearance before vigorous work; moderate exercise can continue.",
    ),
    "acsm_start_light": R(
        "caution",
        "modify",
        refs.RIEBE,
        "Not currently active: start at light-to-moderate intensity and build up gradually "
        "before vigorous work like the one asked about.",
    ),
    "bp_high": R(
        "relative",
        "clearance_before_vigorous",
        refs.PESCATELLO,
        "Resting blood pressure of 160/100 mmHg or more needs medical review and treatment; "
        "moderate exercise helps, but get clearance before vigorous or heavy lifting.",
    ),
    # PAR-Q+.
    "parq_heart_or_bp": R(
        "caution",
        "monitor",
        refs.PARQ,
        "PAR-Q+ question 1 (heart condition or high blood pressure) is a yes: answer the "
        "PAR-Q+ follow-up questions; if any is yes, see a qualified exercise professional or "
        "doctor before raising intensity.",
    ),
    "parq_chronic_condition": R(
        "caution",
        "monitor",
        refs.PARQ,
        "A chronic medical condition is a PAR-Q+ yes: answer the condition's follow-up "
        "questions and keep it well controlled; see a doctor or qualified exercise "
        "professional if the follow-ups say so.",
    ),
    "parq_medication": R(
        "caution",
        "monitor",
        refs.PARQ,
        "Prescribed medication for a chronic condition is a PAR-Q+ yes: check the follow-up "
        "questions and ask the prescriber how it affects exercise.",
    ),
    "parq_supervised_only": R(
        "relative",
        "refer",
        refs.PARQ,
        "A doctor said to exercise only under medical supervision: follow that; a coaching "
        "tool cannot replace the supervision.",
    ),
    "med_beta_blocker": R(
        "caution",
        "modify",
        refs.FLETCHER,
        "Beta-blockers blunt the heart-rate response: set intensity by RPE or the talk test, "
        "not heart-rate zones.",
    ),
    "med_insulin": R(
        "caution",
        "monitor",
        refs.COLBERG,
        "Insulin use raises the risk of low blood sugar with exercise: check glucose before, "
        "during long sessions and after, carry fast carbohydrate, and agree adjustments with "
        "your diabetes team.",
    ),
    "med_anticoagulant": R(
        "caution",
        "modify",
        refs.PARQ,
        "Blood thinners raise bleeding risk: avoid contact and high fall-risk activities and "
        "ask your doctor about what you plan to do.",
    ),
    "osteoporosis": R(
        "caution",
        "modify",
        refs.BECK,
        "Osteoporosis: progressive resistance and impact training are recommended, best "
        "supervised at first; avoid loaded spinal flexion and twisting.",
    ),
    # ACOG 2020: pregnancy.
    "pregnancy": R(
        "caution",
        "monitor",
        refs.ACOG,
        "Pregnancy without complications: exercise is recommended; check with your obstetric "
        "provider, avoid lying flat on your back for long after the first trimester, contact "
        "and fall-risk sports, scuba and overheating; stop and call if you notice bleeding, "
        "contractions, fluid leakage, dizziness, chest pain, headache, breathlessness before "
        "exertion, calf pain or swelling.",
    ),
    "acog_heart_disease": R(
        "absolute",
        "refer",
        refs.ACOG,
        "Heart disease in pregnancy can be an absolute contraindication to aerobic exercise: "
        "your obstetric and cardiology team must decide what is safe.",
    ),
    "acog_restrictive_lung": R(
        "absolute",
        "refer",
        refs.ACOG,
        "Restrictive lung disease in pregnancy is an absolute contraindication to aerobic exercise.",
    ),
    "acog_cervical_insufficiency": R(
        "absolute",
        "refer",
        refs.ACOG,
        "An incompetent cervix or cerclage is an absolute contraindication to aerobic exercise "
        "in pregnancy.",
    ),
    "acog_multiple_gestation": R(
        "relative",
        "refer",
        refs.ACOG,
        "A multiple pregnancy at risk of premature labour is an absolute contraindication: ask "
        "your obstetric provider whether that applies before exercising.",
    ),
    "acog_bleeding": R(
        "absolute",
        "refer",
        refs.ACOG,
        "Bleeding in pregnancy: stop exercising and contact your obstetric provider.",
    ),
    "acog_placenta_previa": R(
        "absolute",
        "refer",
        refs.ACOG,
        "Placenta previa after 26 weeks is an absolute contraindication to aerobic exercise; "
        "before that, ask your obstetric provider.",
    ),
    "acog_preterm_labor": R(
        "absolute",
        "refer",
        refs.ACOG,
        "Premature labour in this pregnancy is an absolute contraindication to exercise.",
    ),
    "acog_ruptured_membranes": R(
        "absolute",
        "refer",
        refs.ACOG,
        "Ruptured membranes: do not exercise; contact your maternity unit now.",
    ),
    "acog_preeclampsia": R(
        "absolute",
        "refer",
        refs.ACOG,
        "Preeclampsia or pregnancy-induced hypertension is an absolute contraindication to "
        "aerobic exercise.",
    ),
    "acog_severe_anemia": R(
        "absolute",
        "refer",
        refs.ACOG,
        "Severe anaemia in pregnancy is an absolute contraindication to aerobic exercise.",
    ),
    "acog_relative": R(
        "relative",
        "refer",
        refs.ACOG,
        "A relative contraindication to exercise in pregnancy: your obstetric provider should "
        "assess you individually before you exercise.",
    ),
    "acog_warning_sign": R(
        "absolute",
        "refer",
        refs.ACOG,
        "A warning sign during pregnancy: stop exercising and contact your obstetric provider.",
    ),
    "acog_avoid_activity": R(
        "caution",
        "modify",
        refs.ACOG,
        "In pregnancy avoid contact sports, activities with a high risk of falling, scuba "
        "diving, skydiving, hot yoga and long periods lying on your back: choose an alternative.",
    ),
    "postpartum": R(
        "caution",
        "monitor",
        refs.ACOG,
        "After birth: return to exercise gradually once your clinician says it is safe "
        "(later after a caesarean or complications), with pelvic-floor training.",
    ),
    # IOC RED-S and doping.
    "reds_low_energy": R(
        "relative",
        "refer",
        refs.MOUNTJOY,
        "Signs of low energy availability (very low intake, lost periods, disordered eating): "
        "risk of RED-S. See a sports physician and a sports dietitian; fitcoach will not plan "
        "further restriction.",
    ),
    "reds_bone_stress": R(
        "caution",
        "monitor",
        refs.MOUNTJOY,
        "A bone stress injury should prompt screening for low energy availability (RED-S) by "
        "a sports physician.",
    ),
    "doping_dosing_request": R(
        "absolute",
        "refer",
        refs.WADA,
        "fitcoach does not give doses, cycles or sources for prohibited or non-prescribed "
        "drugs. Their risks are serious: talk to a doctor; in tested sport they are banned.",
    ),
    "doping_mention": R(
        "caution",
        "monitor",
        refs.WADA,
        "Prohibited performance drugs came up: fitcoach can discuss the evidence on risks but "
        "gives no dosing; a doctor is the person to ask about any use.",
    ),
    # Injuries and age.
    "injury_red_flag": R(
        "relative",
        "refer",
        refs.PARQ,
        "Injury red flags (cannot bear weight, a pop, giving way, numbness or tingling, night "
        "pain, trauma): see a doctor or physiotherapist before training the area.",
    ),
    "youth": R(
        "caution",
        "monitor",
        refs.LLOYD,
        "Under 18: resistance training is safe and useful with qualified supervision, technique "
        "first and gradual progression; maximal lifts only once technique is sound.",
    ),
    "older_adult": R(
        "caution",
        "monitor",
        refs.CHODZKO,
        "Age 65 or over: include balance and strength work, progress gradually, and follow "
        "any condition-specific advice from your doctor.",
    ),
}

_SYMPTOM_CODES = {
    "chest_pain",
    "syncope",
    "dizziness",
    "breathlessness",
    "palpitations",
    "ankle_edema",
    "claudication",
    "heart_murmur",
    "unusual_fatigue",
}
_AHA = {
    "acute_mi": "aha_acute_mi",
    "unstable_angina": "aha_unstable_angina",
    "uncontrolled_arrhythmia": "aha_uncontrolled_arrhythmia",
    "endocarditis": "aha_endocarditis",
    "severe_aortic_stenosis": "aha_aortic_stenosis",
    "decompensated_heart_failure": "aha_heart_failure_decompensated",
    "pulmonary_embolism": "aha_pulmonary_embolism",
    "myocarditis": "aha_myocarditis",
    "aortic_dissection": "aha_aortic_dissection",
    "acute_infection": "aha_acute_infection",
    "aortic_stenosis": "aha_valve_stenosis",
    "left_main_stenosis": "aha_left_main_stenosis",
    "electrolyte": "aha_electrolyte",
    "hcm": "aha_hcm",
    "av_block": "aha_av_block",
    "recent_stroke": "aha_recent_stroke",
}
_DISEASE = {"heart_disease", "stroke", "peripheral_artery_disease", "diabetes", "kidney_disease"}
# Conditions that are also "known cardiovascular disease" for the ACSM algorithm.
_CARDIAC_AHA = {
    "acute_mi",
    "unstable_angina",
    "uncontrolled_arrhythmia",
    "endocarditis",
    "severe_aortic_stenosis",
    "decompensated_heart_failure",
    "aortic_stenosis",
    "left_main_stenosis",
    "hcm",
    "av_block",
    "recent_stroke",
    "myocarditis",
}
_ACOG_ABSOLUTE = {
    "cervical_insufficiency": "acog_cervical_insufficiency",
    "restrictive_lung": "acog_restrictive_lung",
    "multiple_gestation": "acog_multiple_gestation",
    "pregnancy_bleeding": "acog_bleeding",
    "placenta_previa": "acog_placenta_previa",
    "preterm_labor": "acog_preterm_labor",
    "ruptured_membranes": "acog_ruptured_membranes",
    "preeclampsia": "acog_preeclampsia",
    "severe_anemia": "acog_severe_anemia",
}
# Codes that only make sense in a pregnancy, so they imply one.
_IMPLY_PREGNANT = {
    "cervical_insufficiency",
    "placenta_previa",
    "ruptured_membranes",
    "preeclampsia",
    "preterm_labor",
}
_LABELS = {
    "chest_pain": "chest pain",
    "syncope": "fainting",
    "dizziness": "dizziness",
    "breathlessness": "breathlessness",
    "palpitations": "palpitations",
    "ankle_edema": "ankle swelling",
    "claudication": "claudication",
    "heart_murmur": "heart murmur",
    "unusual_fatigue": "unusual fatigue",
}


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
            profile.pregnant or self.has("pregnant") or any(self.has(c) for c in _IMPLY_PREGNANT)
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
    flags: dict[str, SafetyFlag],
    code: str,
    evidence: list[str],
    message: str | None = None,
    severity: Severity | None = None,
    action: Action | None = None,
) -> None:
    rule = RULES[code]
    if code in flags:  # one flag per code; merge what triggered it
        old = flags[code]
        merged = old.evidence + [e for e in evidence if e not in old.evidence]
        flags[code] = old.model_copy(update={"evidence": merged})
        return
    flags[code] = SafetyFlag(
        code=code,
        severity=severity or rule.severity,
        action=action or rule.action,
        message=message or rule.message,
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
    for code, flag in _ACOG_ABSOLUTE.items():
        if not f.has(code):
            continue
        if code == "placenta_previa" and f.pregnancy_week is not None and f.pregnancy_week < 26:
            _flag(
                flags,
                flag,
                f.evidence(code),
                severity="relative",
                message="Placenta previa before 26 weeks: ask your obstetric provider before "
                "exercising; after 26 weeks it is an absolute contraindication.",
            )
            continue
        _flag(flags, flag, f.evidence(code))
    if f.has("heart_disease") or f.has("hcm") or f.has("aortic_stenosis"):
        _flag(flags, "acog_heart_disease", f.evidence("heart_disease", "hcm", "aortic_stenosis"))
    relative = [
        c
        for c in (
            "anemia",
            "growth_restriction",
            "heavy_smoker",
            "morbid_obesity",
            "underweight",
            "diabetes",
            "hypertension",
            "chronic_condition",
        )
        if f.has(c)
    ]
    if "anemia" in relative and f.has("severe_anemia"):
        relative.remove("anemia")
    if relative:
        _flag(flags, "acog_relative", f.evidence(*relative))
    warning = [
        c
        for c in (
            "acog_warning",
            "chest_pain",
            "dizziness",
            "syncope",
            "breathlessness",
            "pregnancy_bleeding",
            "ruptured_membranes",
        )
        if f.has(c)
    ]
    if warning:
        _flag(flags, "acog_warning_sign", f.evidence(*warning))
    if f.has("acog_avoid_activity"):
        _flag(flags, "acog_avoid_activity", f.evidence("acog_avoid_activity"))


def _cardiometabolic(f: _Findings, flags: dict[str, SafetyFlag]) -> None:
    for code in sorted(_SYMPTOM_CODES):
        if f.has(code):
            _flag(flags, f"symptom_{code}", f.evidence(code))
    for code, flag in _AHA.items():
        if f.has(code) and not (code == "aortic_stenosis" and f.has("severe_aortic_stenosis")):
            _flag(flags, flag, f.evidence(code))
    if f.bp and (f.bp[0] > 200 or f.bp[1] > 110):
        _flag(flags, "aha_severe_hypertension", [f"resting blood pressure {f.bp[0]}/{f.bp[1]}"])
    elif f.bp and (f.bp[0] >= 160 or f.bp[1] >= 100):
        _flag(flags, "bp_high", [f"resting blood pressure {f.bp[0]}/{f.bp[1]}"])

    disease = [c for c in sorted(_DISEASE | _CARDIAC_AHA) if f.has(c)]
    if disease:
        ev = f.evidence(*disease)
        if f.activity == "active":
            if f.intensity == "vigorous":
                _flag(flags, "acsm_disease_vigorous", ev)
            else:
                _flag(flags, "acsm_disease_active", ev)
        else:
            msg = None
            if f.activity is None:
                msg = RULES["acsm_disease_inactive"].message + (
                    " (Activity level not stated: treated as not regularly active.)"
                )
            _flag(flags, "acsm_disease_inactive", ev, message=msg)
    elif f.activity == "inactive" and f.intensity == "vigorous":
        _flag(
            flags,
            "acsm_start_light",
            f.evidence("inactive", "vigorous") or ["profile.activity_level: inactive"],
        )

    bp_yes = f.has("hypertension") or (f.bp is not None and (f.bp[0] >= 140 or f.bp[1] >= 90))
    if bp_yes or f.has("heart_disease") or any(f.has(c) for c in _CARDIAC_AHA):
        ev = f.evidence("hypertension", "heart_disease", *sorted(_CARDIAC_AHA)) or (
            [f"resting blood pressure {f.bp[0]}/{f.bp[1]}"] if f.bp else []
        )
        _flag(flags, "parq_heart_or_bp", ev)


def _other_rules(f: _Findings, flags: dict[str, SafetyFlag]) -> None:
    chronic = [c for c in ("chronic_condition",) if f.has(c)]
    if f.has("restrictive_lung") and not f.pregnant:
        chronic.append("restrictive_lung")
    if chronic:
        _flag(flags, "parq_chronic_condition", f.evidence(*chronic))
    if f.has("osteoporosis"):
        _flag(flags, "osteoporosis", f.evidence("osteoporosis"))
    meds = [c for c in ("medication", "beta_blocker", "insulin", "anticoagulant") if f.has(c)]
    if meds or f.profile.medications:
        _flag(
            flags,
            "parq_medication",
            f.evidence(*meds) or [f"profile.medications: {', '.join(f.profile.medications)}"],
        )
    for code, flag in (
        ("beta_blocker", "med_beta_blocker"),
        ("insulin", "med_insulin"),
        ("anticoagulant", "med_anticoagulant"),
    ):
        if f.has(code):
            _flag(flags, flag, f.evidence(code))
    if f.has("supervised_only"):
        _flag(flags, "parq_supervised_only", f.evidence("supervised_only"))

    reds = [c for c in ("low_energy", "amenorrhea", "eating_disorder") if f.has(c)]
    ev = f.evidence(*reds)
    if f.intake is not None and f.intake < LOW_INTAKE_KCAL:
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
    _other_rules(f, flags)

    injuries = []
    red = f.evidence("red_flag", "red_flag_severe")
    for region, words in _injury_regions(inp.text, profile):
        advice = injury_advice(region, words, inp.text, refer_now=red)
        injuries.append(advice)
        _flag_injury(flags, advice)
    if red:
        severe = f.has("red_flag_severe")
        _flag(
            flags,
            "injury_red_flag",
            red,
            severity="absolute" if severe else None,
            message=(
                "Loss of bladder or bowel control or saddle numbness with back pain is "
                "an emergency (possible cauda equina): go to an emergency department "
                "now."
            )
            if severe
            else None,
        )

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
