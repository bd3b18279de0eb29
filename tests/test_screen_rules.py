"""The screen's rule book as data (agent/tools/data/screening.yaml): it validates, every rule
cites a reference the tools know, every table names real flags and vocabulary codes, and a bad
edit fails with a message that names the entry."""

from __future__ import annotations

import pytest

from fitcoach.agent.tools import references as refs
from fitcoach.agent.tools.detect import vocabulary
from fitcoach.agent.tools.screen_rules import Rule, RuleBook, citation, rulebook
from fitcoach.errors import ConfigError

CITATIONS = {v for k, v in vars(refs).items() if k.isupper() and isinstance(v, str)}


def test_every_rule_has_a_reference():
    book = rulebook()
    assert len(book.rules) >= 60
    for code, rule in book.rules.items():
        assert rule.source and rule.reference in CITATIONS, code
        assert rule.reference == citation(rule.source), code
        # A citation names a year (or says it is updated yearly): nothing vague like "ACSM".
        assert any(ch.isdigit() for ch in rule.reference) or "annually" in rule.reference, code


def test_tables_name_vocabulary_codes_and_rules():
    book = rulebook()
    _, table = vocabulary()
    vocab = {code for code, _, _ in table}
    t = book.tables
    listed = [*t.symptoms, *t.aha, *t.disease, *t.cardiac_aha, *t.acog_absolute,
              *t.imply_pregnant, *t.acog_relative, *t.acog_warning, *t.medication,
              *t.medicines, *t.reds, *t.metabolic_renal, *t.rhabdomyolysis, *t.heat_illness,
              *t.heat_signs_with_hot_conditions, *t.concussion,
              *t.concussion_signs_with_head_impact, *t.calf_swelling_with_calf_pain]  # fmt: skip
    assert sorted(set(listed) - vocab) == []
    for flag in [*t.aha.values(), *t.acog_absolute.values(), *t.medicines.values()]:
        assert flag in book.rules


def test_variants_fill_in_from_the_base_rule():
    previa = rulebook().rules["acog_placenta_previa"]
    early = previa.variant("before_26_weeks")
    assert (early.severity, early.action) == ("relative", "refer")
    assert previa.variant(None).message == previa.message
    cauda = rulebook().rules["injury_red_flag"].variant("cauda_equina")
    assert cauda.severity == "absolute" and "cauda equina" in cauda.message


def test_bad_entries_are_rejected_with_the_reason():
    with pytest.raises(ValueError, match="unknown reference 'nobody'"):
        Rule.model_validate(
            {"severity": "caution", "action": "monitor", "reference": "nobody", "message": "x" * 40}
        )
    with pytest.raises(ValueError, match="absolute flag must refer"):
        Rule.model_validate(
            {"severity": "absolute", "action": "monitor", "reference": "riebe", "message": "x" * 40}
        )
    data = rulebook().model_dump()
    data["tables"]["aha"]["acute_mi"] = "aha_no_such_flag"
    with pytest.raises(ValueError, match="aha_no_such_flag"):
        RuleBook.model_validate(data)


def test_an_invalid_file_is_a_config_error(monkeypatch):
    import fitcoach.agent.tools.screen_rules as sr

    monkeypatch.setattr(sr, "load_data", lambda name: {"rules": {}, "tables": {}})
    sr.rulebook.cache_clear()
    try:
        with pytest.raises(ConfigError, match="screening.yaml is invalid"):
            sr.rulebook()
    finally:
        monkeypatch.undo()
        sr.rulebook.cache_clear()


def test_vocabulary_patterns_are_strings():
    # A bare "(?: x" in YAML parses as a mapping: catch it here with the code's name.
    from fitcoach.agent.tools.base import load_data

    raw = load_data("vocabulary.yaml")
    assert all(isinstance(p, str) for p in raw["masks"])
    for code, spec in raw.items():
        if code != "masks":
            assert all(isinstance(p, str) for p in spec["patterns"]), code


def test_new_exertional_flags_refer_the_same_day():
    book = rulebook()
    for code in ("exertional_rhabdomyolysis", "exertional_heat_illness", "concussion_suspected",
                 "symptom_calf_swelling", "exertional_confusion"):  # fmt: skip
        rule = book.rules[code]
        assert (rule.severity, rule.action) == ("absolute", "refer"), code
    unknown = book.rules["acsm_disease_activity_unknown"]
    assert unknown.action == "clearance_before_vigorous"
    assert "If you have not" in unknown.message and "If you have, and" in unknown.message
