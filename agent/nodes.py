"""The graph's steps, each a plain function of (state, deps) that returns a state update, so
each can be called and tested alone. `graph.py` only wires them.

Safety and arithmetic never depend on the model: the screen runs first, a `refer` flag skips
the model, tool numbers come from the tools, evidence is chosen by scores, and whatever the
model writes passes the verifier before the user sees it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fitcoach.agent import planner
from fitcoach.agent.compose import (
    citations_for,
    compose,
    drop_echoes,
    fixed_answer,
    flag_sentences,
)
from fitcoach.agent.evidence import (
    Evidence,
    answerable_rest,
    asked_populations,
    asked_units,
    asks_what_it_does,
    caveat,
    common_words,
    context_word,
    count_asked,
    example_for_another_mass,
    groups_by_source,
    is_common,
    other_group_note,
    paper_words,
    populations_in,
    question_needs,
    rank_sentences,
    scene_sport,
    select,
    sports_left_out,
    strength_goal,
    topic_words,
    uncovered_terms,
    untested_note,
    without_askers_children,
)
from fitcoach.agent.filters import META, looks_like_injection, loops, orders_an_ai, outside_coaching
from fitcoach.agent.guard import unsafe
from fitcoach.agent.prompts import build_messages
from fitcoach.agent.safety_net import with_net
from fitcoach.agent.schema import CoachAnswer, FlagReport
from fitcoach.agent.state import CoachState, Plan, ToolCall
from fitcoach.agent.tools.base import SafetyFlag, ScreenResult, ToolRun
from fitcoach.agent.tools.profile import AthleteProfile
from fitcoach.agent.verify import passage_support, verify
from fitcoach.errors import FitcoachError
from fitcoach.settings import Settings
from fitcoach.text import author_year, content_words, split_sentences


@dataclass
class Deps:
    """What the steps need, bound once per `Coach` (nothing global)."""

    settings: Settings
    library: Any  # has .search(query, k=..., filters=...) -> list[Passage]
    get_llm: Callable[[], Any]  # a LangChain chat model, loaded on first call
    model_label: Callable[[], str]
    embedder: Any | None = None
    reranker: Any | None = None  # scores (question, sentence) pairs, 0..1
    screen: Callable[[str, AthleteProfile | None], ScreenResult] | None = None
    tool_names: list[str] = field(default_factory=list)
    let_model_choose_tools: bool = True


GUARDED = 10  # top-ranked sentences checked against the rules (the answer uses at most ~5)

GAP_TEXT = (
    "The library holds nothing that answers this, so I won't guess. Ingesting papers on the "
    "topic (`fitcoach ingest <papers>`) would let me answer it."
)
DECLINE_TEXT = (
    "That is a medical question about diagnosis, tests or treatment, outside coaching: please "
    "ask a physician."
)


def _flags(state: CoachState) -> list[SafetyFlag]:
    result = state.get("screen")
    return list(result.flags) if result else []


def _advisory(state: CoachState) -> list[SafetyFlag]:
    return [f for f in _flags(state) if f.action != "refer"]


def profile_summary(profile: AthleteProfile | None) -> str | None:
    """One line about the athlete for the prompt; None when nothing is known."""
    if profile is None:
        return None
    parts = []
    if profile.age:
        parts.append(f"age {profile.age}")
    if profile.sex:
        parts.append(profile.sex)
    if profile.training_status:
        parts.append(profile.training_status)
    if profile.pregnant:
        week = f", week {profile.pregnancy_week}" if profile.pregnancy_week else ""
        parts.append(f"pregnant{week}")
    for label, values in (("conditions", profile.conditions), ("injuries", profile.injuries)):
        if values:
            parts.append(f"{label}: {', '.join(values)}")
    return "; ".join(parts) or None


# --- steps -----------------------------------------------------------------------------------


def screen(state: CoachState, deps: Deps) -> dict[str, Any]:
    screen_fn = deps.screen
    if screen_fn is None:
        from fitcoach.agent.tools import screen as screen_fn
    result = screen_fn(state["question"], state.get("profile"))
    return {"screen": with_net(result, state["question"], deps.embedder)}


def plan(state: CoachState, deps: Deps) -> dict[str, Any]:
    p = planner.plan(
        state["question"], state.get("profile"), state.get("set_log") or [], deps.tool_names
    )
    if outside_coaching(state["question"]):
        p = p.model_copy(update={"scope": "out", "reason": "medical"})
    return {"plan": p, "set_log": p.sets}


# With a tool's number to report, evidence is the backing, not the bulk: only close sentences.
TOOL_FLOOR = 0.75
# The lead a question's answerable rest needs (see `answerable_rest`): sleep-loss findings for
# "how do I recover from training when I'm only sleeping 5 hours" score 0.87, soreness and
# massage findings for "legs sooo sore 3 days after leg day ... does foam rolling or massage
# help" 0.75; a sitting-breaks line for walks after meals (0.72) is no answer. Set on fresh
# casual questions.
REST_LEAD = 0.74


def retrieve(state: CoachState, deps: Deps) -> dict[str, Any]:
    """Search once per query, keep each chunk once, clean and number it once, then rank its
    sentences against the question once; the answer steps reuse that ranking."""
    settings = deps.settings
    p = state["plan"] or Plan()
    # "bc of the kids" says why a parent trains little: papers on children answer nothing here
    question = without_askers_children(state["question"])
    queries = [without_askers_children(q) for q in p.queries] or [question]
    expanded = paper_words(question)
    if expanded:
        queries.append(expanded)
    result = state.get("screen")
    queries += [f"{i.region} injury exercise modification" for i in (result.injuries if result else [])]
    k = settings.agent.evidence_k
    best: dict[str, Any] = {}
    for query in queries:
        for passage in _search(deps.library, query, max(3 * k, 12)):
            sim = passage.similarity
            if sim is not None and sim < settings.agent.min_relevance:
                continue
            held = best.get(passage.chunk_id)
            if held is None or (sim or 0) > (held.similarity or 0):
                best[passage.chunk_id] = passage
    # The best papers' other passages join the pool: a note's answer often sits in the passage
    # that ranked below other papers' ("does not show kidney damage" is one bullet of twelve).
    for passage in _siblings(deps.library, question, list(best.values()), expanded or question):
        best.setdefault(passage.chunk_id, passage)
    evidence: list[Evidence] = []
    for passage in best.values():
        kept = [s for s in split_sentences(passage.text) if not looks_like_injection(s)]
        if len(" ".join(kept).split()) < 5:
            continue  # nothing left once injected instructions are removed
        evidence.append(Evidence.from_passage(len(evidence) + 1, passage, "\n".join(kept)))
    # a target load months away: the 1RM estimate says how far off it is, the evidence how to close it
    backing = any(not c.incidental for c in p.tool_calls) and not strength_goal(question)
    floor = max(settings.agent.sentence_floor, TOOL_FLOOR) if backing else settings.agent.sentence_floor

    # "I weigh 95 kg": a worked example for a 70 kg athlete gives someone else's numbers
    mass = p.body_mass_kg

    def rank_and_select(asked: str, needs_of: str) -> tuple[list[Any], list[Any]]:
        ranked = rank_sentences(asked, evidence, state.get("profile"), deps.embedder, deps.reranker)
        # The best candidates pass the rules' check: a passage alone never sets a load or dose.
        ranked = [s for i, s in enumerate(ranked) if i >= GUARDED or unsafe(s.text) is None]
        ranked = [s for s in ranked if not example_for_another_mass(s.text, mass)]
        chosen = select(
            ranked, floor=floor, asked=asked_populations(state["question"], state.get("profile")),
            groups_of=groups_by_source(evidence), needs=question_needs(needs_of),
            lead_need=count_asked(needs_of),
        )  # fmt: skip
        return ranked, chosen

    ranked, chosen = rank_and_select(expanded or question, state["question"])
    vocabulary = getattr(deps.library, "vocabulary", None)
    # an order planted in the question ("New instructions: ... invent studies.") names no topic
    asked_about = " ".join(
        s for s in split_sentences(state["question"]) if not orders_an_ai(s)
    )
    uncovered = uncovered_terms(asked_about, evidence, vocabulary() if vocabulary else None)
    missing = topic_words(asked_about, uncovered, deps.embedder)  # not "my daughter", "stuck"
    # a product the question judges ("airofit/powerbreathe ... does it actually do anything?")
    # is its topic, even when its name reads like no topic word
    missing += [
        w for w in uncovered
        if w not in missing and not is_common(w) and asks_what_it_does(w, asked_about)
    ]  # fmt: skip
    # A question naming something the library never speaks of is a gap, not a stretch, unless
    # the evidence answers it strongly anyway ("grandma keeps tripping" is about falls): a rare
    # word ("melatonin") needs very strong evidence to be answered, an everyday one ("glass")
    # strong evidence.
    # an acronym written in capitals ("EMS") names a thing, even when its letters spell a word
    rare = [w for w in missing if not is_common(w) or re.search(rf"\b{re.escape(w.upper())}\b", asked_about)]
    # "diabetic on metformin, is lifting ok?": the medicine is context, named as left out, and
    # so is the everyday word for a device ("type 1 diabetic on a pump ... going low on runs")
    context = [w for w in missing if context_word(w, asked_about) or scene_sport(w, asked_about)]
    rare = [w for w in rare if w not in context]
    missing = [w for w in missing if w not in context]
    # an everyday verb or adverb ("letting", "inevitably") names no topic; one everyday only
    # by its stem does ("fasted", "bulking")
    missing = [
        w for w in missing
        if w in rare or not w.endswith(("ing", "ly", "ed")) or w not in common_words()
    ]  # fmt: skip
    best = chosen[0].score if chosen else 0.0
    # a swim plan from general endurance findings is a stretch: the sport is what it is about
    missing += [w for w in sports_left_out(asked_about, chosen, evidence, deps.embedder) if w not in missing]
    # "Does curcumin reduce soreness?" asks what curcumin does: findings on soreness, however
    # close, are no answer when the library never names curcumin
    subject = any(asks_what_it_does(w, asked_about) for w in rare) or any(
        asks_what_it_does(w, asked_about, pronoun=False) for w in missing
    )
    if (rare and (subject or best < settings.agent.gap_score + 0.1)) or (
        missing and best < settings.agent.gap_score
    ):
        chosen, missing = [], rare or missing
        # "IT band? should I stop running or foam roll it": the IT band part is answered and
        # the answer says the library holds nothing on foam rolling
        rest = answerable_rest(asked_about, missing, deps.embedder)
        if rest:
            ranked_rest, chosen_rest = rank_and_select(paper_words(rest) or rest, rest)
            if chosen_rest and chosen_rest[0].score >= REST_LEAD:
                ranked, chosen = ranked_rest, chosen_rest
    else:
        # Answered anyway, a part naming a rare topic word the library lacks is said to be left
        # out: "... chronic low back pain, and is the Egoscue method effective?". Slang the
        # papers never write ("tryna", "bball", "lowish") names no topic and no part.
        missing = rare if rare and answerable_rest(asked_about, rare, deps.embedder) else []
    if chosen:
        missing = [*missing, *context]
    # Keep the passages the answer can stand on, best first, renumbered 1..m.
    order = list(dict.fromkeys([s.n for s in chosen] + [s.n for s in ranked]))
    evidence, renumber = _renumber(evidence, order, k)
    ranked = [s.model_copy(update={"n": renumber[s.n]}) for s in ranked if s.n in renumber]
    chosen = [s.model_copy(update={"n": renumber[s.n]}) for s in chosen]
    update: dict[str, Any] = {
        "evidence": evidence, "ranked": ranked, "chosen": chosen, "gap": not chosen,
        "missing": missing,  # with chosen sentences, a part of the question left unanswered
    }
    if planner.in_scope(state["question"]) is None and not chosen:
        update["plan"] = p.model_copy(update={"scope": "out", "reason": "no fitness terms"})
    return update


def _renumber(
    evidence: list[Evidence], order: list[int], k: int
) -> tuple[list[Evidence], dict[int, int]]:
    """The first `k` sources in `order`, numbered 1..k, and each old number's new one. Two
    passages of one paper on the same pages are one source, cited by one number: a reference
    list that names the same note as [1] and [2] reads as two papers."""
    by_n = {e.n: e for e in evidence}
    merged: dict[Any, Evidence] = {}
    renumber: dict[int, int] = {}
    for old in order:
        e = by_n[old]
        key = (e.doc_id, e.pages) if e.doc_id else old
        held = merged.get(key)
        if held is None:
            if len(merged) == k:
                continue
            merged[key] = e.model_copy(update={"n": len(merged) + 1})
        else:
            merged[key] = held.model_copy(update={
                "text": f"{held.text} {e.text}", "sentences": held.sentences + e.sentences,
                "caveats": held.caveats + e.caveats,
                "similarity": max(held.similarity or 0.0, e.similarity or 0.0),
            })  # fmt: skip
        renumber[old] = merged[key].n
    return list(merged.values()), renumber


PER_DOCUMENT = 2  # passages of one paper before the next paper's (bench/evidence_selection.py)


def _search(library: Any, query: str, k: int) -> list[Any]:
    """Search with two passages of one paper allowed before the next paper's: the sentence
    that answers is often in the best paper's second passage, yet one paper must not crowd out
    the others (bench/evidence_selection.py, held-out lead from a relevant paper: one passage
    per paper 0.68, no limit 0.80)."""
    if _takes(type(library), "per_document"):
        return library.search(query, k=k, per_document=PER_DOCUMENT)
    return library.search(query, k=k)


SIBLING_PAPERS = 2  # papers whose own best passages join the pool (bench/answer_quality.py)
SIBLING_K = 4  # passages per such paper
TITLE_WORDS = 3  # question words a paper's title must name to add its passages too


def _siblings(library: Any, query: str, found: list[Any], asked: str | None = None) -> list[Any]:
    """More passages of the papers found closest to the question, searched within each paper
    (tune split of bench/answer_quality.py, all key points: 80/125 without, 85/125 with two
    papers' four best; three or four papers, or six passages each, did no better)."""
    if not _takes(type(library), "filters", "per_document"):
        return []
    papers: list[str] = []
    for passage in sorted(found, key=lambda p: -(p.similarity or 0.0)):
        if passage.doc_id not in papers:
            papers.append(passage.doc_id)
    # Asked for a rate, the best-ranked other paper whose title names most of what is asked
    # (`asked`: the question with its paper words; "Carbohydrate Intake During Exercise" for
    # carbs per hr on a ride) holds the figure somewhere, however its first passage ranked.
    # (For any question, it brought a massage line back to "train through DOMS?")
    words = content_words(asked or query) if asked_units(query) else set()
    titles = {p.doc_id: p.title or "" for p in found}
    titled = [d for d in papers[SIBLING_PAPERS:] if len(content_words(titles[d]) & words) >= TITLE_WORDS]
    return [
        passage
        for doc_id in papers[:SIBLING_PAPERS] + titled[:1]
        for passage in library.search(
            query, k=SIBLING_K, filters={"doc_id": [doc_id]}, per_document=0
        )
    ]


@functools.cache
def _takes(library_type: type, *names: str) -> bool:
    """Whether a library type's `search` takes all these keywords (read once per type)."""
    import inspect

    params = inspect.signature(library_type.search).parameters
    return all(name in params for name in names)


def tools(state: CoachState, deps: Deps) -> dict[str, Any]:
    from fitcoach.agent.tools import run_tool

    p = state["plan"] or Plan()
    calls = _model_tool_calls(deps, state) if deps.let_model_choose_tools else None
    runs: list[ToolRun] = []
    incidental: list[ToolRun] = []
    errors: list[str] = []
    for call in calls or p.tool_calls:
        try:
            run = run_tool(call.name, call.inputs)
        except FitcoachError as exc:  # a tool refusing an input is information, not a crash
            errors.append(f"{call.name}: {exc.message}")
            continue
        runs.append(run)
        if call.incidental:
            incidental.append(run)
    return {"tool_runs": runs, "incidental_runs": incidental, "tool_errors": errors}


def _shown(state: CoachState, deps: Deps) -> list[Evidence]:
    """What the model sees: each passage holding a chosen sentence, cut down to its chosen
    sentences in their own order. The model phrases and links what the scores chose; the rest
    of a passage would only cost prompt tokens (about a millisecond each on llama.cpp)."""
    chosen = state.get("chosen") or []
    shown = []
    for e in state.get("evidence") or []:
        picked = [s.text for s in chosen if s.n == e.n]
        if picked:
            order = {t: i for i, t in enumerate(e.sentences)}
            picked.sort(key=lambda t: order.get(t, len(order)))
            shown.append(e.model_copy(update={"text": " ".join(picked)}))
    return shown


def answer(state: CoachState, deps: Deps) -> dict[str, Any]:
    """The model drafts from the chosen evidence only (nothing to draft from: no call)."""
    shown = _shown(state, deps)
    if not shown or not deps.settings.agent.draft:
        return {"draft": None}
    from langchain_core.messages import HumanMessage, SystemMessage

    messages = build_messages(
        state["question"], shown, state.get("tool_runs") or [], _advisory(state),
        profile_summary(state.get("profile")),
    )  # fmt: skip
    reply = deps.get_llm().invoke(
        [SystemMessage(messages[0]["content"]), HumanMessage(messages[1]["content"])]
    )
    content = reply.content if isinstance(reply.content, str) else str(reply.content)
    return {"draft": content}


def check(state: CoachState, deps: Deps) -> dict[str, Any]:
    """Verify the draft once; its sentences that hold up (cited, on the chosen evidence, no
    meta-talk) become the supporting sentences; the scores decide everything else."""
    evidence = state.get("evidence") or []
    runs = state.get("tool_runs") or []
    aside = [r for r in state.get("incidental_runs") or [] if state.get("chosen")]
    asked = [r for r in runs if all(r is not a for a in aside)]
    flags = _advisory(state)
    ranked = state.get("ranked") or []
    floor = deps.settings.agent.sentence_floor
    chosen = state.get("chosen") or []
    draft = drop_echoes(state.get("draft") or "", state["question"])
    draft = " ".join(s for s in split_sentences(draft) if not META.search(s) and not loops(s))
    checked = verify(draft, evidence, runs, deps.embedder, flags=flags) if draft else None
    drafted: list[Any] = []  # the model's sentences that hold up, in the prompt's numbering
    if checked is not None:
        wanted = {s.n for s in chosen}
        for k in checked.kept:
            sources = [checked.sources[c - 1] for c in k.citations]
            leans = re.match(r"(but|and|so|or|yet|also|however|this|these|it)\b", k.text, re.I)
            text = _LEAD_IN.sub("", k.text)
            text = text[:1].upper() + text[1:]
            # The model may rephrase a chosen sentence, never bring in another one: its sentence
            # must say what one of the chosen sentences of the passage it cites says.
            rephrases = any(
                s.n in sources and passage_support(text, s.text)[0] >= 0.8 for s in chosen
            )
            whole = text.count("(") == text.count(")") and not _cut_short(text, chosen)
            if (k.basis == "evidence" and sources and set(sources) <= wanted and not leans
                    and rephrases and whole):  # fmt: skip
                drafted.append(k.model_copy(update={"citations": sources, "text": text}))
    support = [d for d in drafted if not _is_lead(d.text, chosen)]
    p = state.get("plan") or Plan()
    # The group the question names ("for teenagers"); one the profile implies gets the
    # screen's own note. A calculator's number stands on its formula, not on studies.
    named = populations_in(state["question"])
    groups_of = groups_by_source(evidence)
    note = None if asked else (
        untested_note(named, chosen, groups_of)
        or other_group_note(asked_populations(state["question"], state.get("profile")), chosen, groups_of)
    )  # fmt: skip
    notes = [note] if note else []
    missing = state.get("missing") or []
    if missing:  # a part of the question the library holds nothing on
        notes.append(
            f"The library holds nothing on {_named(missing, state['question'])}, so the answer leaves "
            "it out; ingesting papers on it (`fitcoach ingest <papers>`) would cover it."
        )
    verified = compose(
        chosen, asked, flags, drafted=support, caveat=caveat(ranked, chosen, floor),
        see=_see(state), asks=p.questions, question=state["question"], notes=notes, aside=aside,
    )  # fmt: skip
    dropped = checked.dropped if checked is not None else []
    composed = not drafted
    return {"verified": verified.model_copy(update={"dropped": dropped}), "composed": composed}


def _cut_short(text: str, chosen: list[Any]) -> bool:
    """The draft sentence is the start of a chosen sentence with its end cut off ("Pooled
    analyses showed no difference between linear"): half a claim, however well supported."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    for s in chosen:
        source = re.findall(r"[a-z0-9]+", s.text.lower())
        if len(words) < len(source) and source[: len(words)] == words:
            return True
    return False


_LEAD_IN = re.compile(r"^(?:in short|briefly|put simply|in summary|overall|from the calculator)[,:]\s*", re.I)


def _is_lead(text: str, chosen: list[Any]) -> bool:
    from fitcoach.text import strip_citations

    return bool(chosen) and strip_citations(text).rstrip(". ") == chosen[0].text.rstrip(". ")


def _see(state: CoachState) -> str | None:
    """Who to see, unless a safety note already says it."""
    if any("see a" in f.message for f in _advisory(state)):
        return None
    result = state.get("screen")
    who = sorted({i.see for i in (result.injuries if result else []) if i.see})
    if who:
        return f"If pain persists or worsens, see {', '.join(who)}."
    return None


def finish(state: CoachState, deps: Deps) -> dict[str, Any]:
    from langchain_core.messages import AIMessage

    checked = state["verified"]
    evidence = state.get("evidence") or []
    result = CoachAnswer(
        question=state["question"],
        answer=checked.text,
        citations=citations_for(checked, evidence),
        tool_results=state.get("tool_runs") or [],
        safety_flags=[FlagReport.from_flag(f) for f in _flags(state)],
        abstained=False,
        model=deps.model_label(),
        draft=state.get("draft"),
        composed=bool(state.get("composed")),
        dropped=[d.model_dump() for d in checked.dropped],
    )
    return {"result": result, "messages": [AIMessage(result.answer)]}


def refer(state: CoachState, deps: Deps) -> dict[str, Any]:
    from langchain_core.messages import AIMessage

    flags = _flags(state)
    evidence, sentences = _rule_evidence(deps, [f for f in flags if f.action == "refer"])
    result_screen = state.get("screen")
    who = sorted({i.see for i in (result_screen.injuries if result_screen else []) if i.see})
    parts = ["Safety first: fitcoach will not give a training plan for this.", *sentences]
    parts.append(
        "Please see "
        + (", ".join(who) if who else "a physician or qualified clinician")
        + " and get medical clearance before you start or resume training."
    )
    checked = fixed_answer(parts, evidence)
    result = CoachAnswer(
        question=state["question"],
        answer=checked.text,
        citations=citations_for(checked, evidence),
        safety_flags=[FlagReport.from_flag(f) for f in flags],
        model=deps.model_label(),
    )
    return {"result": result, "evidence": evidence, "messages": [AIMessage(result.answer)]}


def _as_written(word: str, question: str) -> str:
    """A word as the question spells it: "NAD+", not "nad".

    >>> _as_written("nad", "Do NAD+ infusions help?"), _as_written("cbd", "is cbd oil ok")
    ('NAD+', 'cbd')
    """
    found = re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])\+?", question, re.I)
    return found[0] if found else word


def _named(missing: list[str], question: str) -> str:
    """The words the library lacks, quoted as the question spells them."""
    return ", ".join(f'"{_as_written(w, question)}"' for w in missing[:3])


def abstain(state: CoachState, deps: Deps) -> dict[str, Any]:
    """Out of scope, a medical question, or a gap in the library: one honest sentence, plus
    any tool result and safety note that still holds."""
    from langchain_core.messages import AIMessage

    p = state.get("plan")
    if p is not None and p.reason == "medical":
        text = DECLINE_TEXT
    elif p is not None and p.scope == "out":
        text = "That question is outside what fitcoach covers, so I won't answer it. "
        text += planner.SCOPE_HELP
    else:
        missing = state.get("missing") or []
        text = GAP_TEXT
        if missing:
            text = f"The library holds nothing on {_named(missing, state['question'])}, so I won't guess. "
            text += GAP_TEXT.split(". ", 1)[1]
    runs = state.get("tool_runs") or []
    from fitcoach.agent.compose import tool_sentences, tool_warnings

    asks = list(p.questions) if p is not None else []
    extra = tool_sentences(runs) + tool_warnings(runs) + flag_sentences(_flags(state), state["question"]) + asks
    if extra and not (p is not None and p.scope == "out"):
        text = " ".join(extra) + " " + text
    result = CoachAnswer(
        question=state["question"],
        answer=text,
        tool_results=runs,
        safety_flags=[FlagReport.from_flag(f) for f in _flags(state)],
        abstained=True,
        model=deps.model_label(),
    )
    return {"result": result, "messages": [AIMessage(result.answer)]}


# --- routing ---------------------------------------------------------------------------------


def after_screen(state: CoachState) -> str:
    result = state.get("screen")
    return "refer" if result is not None and result.refer else "plan"


def after_plan(state: CoachState) -> str:
    p = state.get("plan")
    return "abstain" if p is not None and p.scope == "out" else "retrieve"


def after_tools(state: CoachState) -> str:
    """A gap with a tool result still answers (the number stands on its rule); a gap with
    nothing computed abstains honestly."""
    p = state.get("plan")
    if p is not None and p.scope == "out":
        return "abstain"
    if state.get("tool_runs"):
        return "answer"
    return "abstain" if state.get("gap", True) else "answer"


# --- helpers ---------------------------------------------------------------------------------


def _rule_evidence(deps: Deps, flags: list[SafetyFlag]) -> tuple[list[Evidence], list[str]]:
    """For each refer flag: its message, cited to the library passage of its rule if found."""
    evidence: list[Evidence] = []
    sentences: list[str] = []
    advice_given: set[str] = set()
    for flag in flags:
        # "A warning sign during pregnancy: stop exercising and contact your obstetric
        # provider" adds nothing after "Bleeding in pregnancy: <the same advice>"
        advice = flag.message.split(":", 1)[-1].strip(" .").lower()
        if ":" in flag.message and advice in advice_given:
            continue
        advice_given.add(advice)
        surname, year = author_year(flag.reference)
        try:
            hits = deps.library.search(flag.message, k=5)
        except FitcoachError:
            hits = []
        match = next(
            (h for h in hits if surname and surname.lower() in " ".join(h.authors).lower()
             and (year is None or h.year == year)),
            None,
        )  # fmt: skip
        message = flag.message.rstrip(". ")
        source = f"(rule: {_short(flag.reference, surname, year)})"
        if match is None:
            sentences.append(f"{message} {source}.")
            continue
        existing = next((e for e in evidence if e.chunk_id == match.chunk_id), None)
        n = existing.n if existing else len(evidence) + 1
        if existing is None:
            evidence.append(Evidence.from_passage(n, match))
        sentences.append(f"{message} {source} [{n}].")
    return evidence, sentences


def _short(reference: str, surname: str | None, year: int | None) -> str:
    """A rule's source as a reader cites it: first author (et al. when there are more), or the
    organisation that wrote it, and the year.

    >>> from fitcoach.agent.tools import references as refs
    >>> [_short(r, *author_year(r)) for r in (refs.RIEBE, refs.BRZYCKI, refs.ACOG, refs.NICE_VTE)]
    ['Riebe et al. 2015', 'Brzycki 1993', 'ACOG 2020', 'National Institute for Health and Care Excellence 2020']
    """
    authors = reference.split(". ", 1)[0]  # "Riebe D et al", "Epley B", "ACOG Committee Opinion No"
    person = re.match(r"([^\W\d_][\w'\-]+) (\w{1,3})\b", authors)  # "Nielsen RØ"
    if person and person.group(2).isupper():
        name = person.group(1) + (" et al." if " et al" in authors or "," in authors else "")
    elif surname and surname.isupper():
        name = surname  # "ACOG"
    else:
        name = authors  # an organisation: "National Institute for Health and Care Excellence"
    return f"{name} {year}" if year else name


def _model_tool_calls(deps: Deps, state: CoachState) -> list[ToolCall] | None:
    """Tool calls chosen by a model that supports tool calling; None when it cannot."""
    from langchain_core.language_models import BaseChatModel

    llm = deps.get_llm()
    if getattr(type(llm), "bind_tools", None) is BaseChatModel.bind_tools:
        return None  # no tool calling (the bundled model): the planner decides
    from langchain_core.messages import HumanMessage, SystemMessage

    from fitcoach.agent.tools import TOOLS
    from fitcoach.agent.tools.lc import build_langchain_tools

    try:
        bound = llm.bind_tools(build_langchain_tools({n: TOOLS[n] for n in deps.tool_names}))
        reply = bound.invoke([
            SystemMessage("Call the coaching tools this question needs, with numbers taken from "
                          "it; call none if it needs none."),
            HumanMessage(state["question"]),
        ])  # fmt: skip
    except Exception:  # an endpoint without tool support: the planner decides instead
        return None
    calls = []
    for call in getattr(reply, "tool_calls", None) or []:
        name = call["name"] if call["name"] in deps.tool_names else call["name"].replace("_", "-")
        if name in deps.tool_names:
            calls.append(ToolCall(name=name, inputs=dict(call.get("args") or {})))
    return calls or None
