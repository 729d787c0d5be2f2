"""The pages' views: each reads its form, asks the engine, and renders a template."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for
from markupsafe import Markup

from eligibility import (
    ENTITY_TYPES,
    FACTS,
    PARK_DESIGNATIONS,
    STATUS_WORDS,
    Document,
    InputError,
    Reform,
    Rule,
    Rulebook,
    RuleFileError,
    compare,
    coverage_report,
    default_runs,
    dumps,
    estimate,
    find_reform,
    label_of,
    load_runs,
    parse_plan,
    plan_cities,
    read_reform,
    requirement,
    rule_data,
    shipped_reforms,
    translate_errors,
    value_text,
)

from ..web import rulebook, under_reform
from .forms import GIVEN_FACTS, PRIOR_ROWS, EstimateForm, form_errors, read_estimate, read_profile
from .words import WORDS, say

__all__ = ["blp"]

blp = Blueprint("pages", __name__, template_folder="../templates", static_folder="../static", static_url_path="/static")


# -- language ---------------------------------------------------------------------------------------


def page_language() -> str:
    """zh unless the page is asked in English: a form's or the address's ``lang``, else Accept-Language."""
    asked = request.form.get("lang") or request.args.get("lang")
    if asked in ("zh", "en"):
        return asked
    best = request.accept_languages.best_match(["zh", "en"])
    return "en" if best == "en" and not request.accept_languages.best_match(["zh"]) else "zh"


def _words(lang: str) -> dict[str, str]:
    return {key: (zh if lang == "zh" else en) for key, (zh, en) in WORDS.items()}


def _pick(text: Any, lang: str) -> str:
    """A ``{zh, en}`` text (or a plain string) in ``lang``."""
    if isinstance(text, dict):
        return str(text.get(lang, ""))
    return "" if text is None else str(text)


# -- numbers for people ------------------------------------------------------------------------------


def yuan(amount: str | Decimal | None) -> str:
    """``2,740,000.00``; an unbounded end is shown by the caller."""
    return "" if amount is None else f"{Decimal(amount):,.2f}"


def wan(amount: str | Decimal | None, lang: str) -> str:
    """The same in 万元 where it helps (from 10,000 yuan up), e.g. ``274万元``; empty otherwise."""
    if amount is None or Decimal(amount) < 10_000 or lang != "zh":
        return ""
    shown = f"{(Decimal(amount) / 10_000).normalize():f}"
    return f"{shown}万元" if lang == "zh" else f"{shown} wan yuan"


def _render(template: str, lang: str, status: int = 200, **context: Any) -> Response:
    book = rulebook()
    page = render_template(
        template,
        lang=lang,
        w=_words(lang),
        pick=lambda text: _pick(text, lang),
        yuan=yuan,
        wan=lambda amount: wan(amount, lang),
        status_word=lambda status: STATUS_WORDS[status].zh if lang == "zh" else STATUS_WORDS[status].en,
        digest=book.digest,
        switch_lang="en" if lang == "zh" else "zh",
        **context,
    )
    return Response(page, status=status, mimetype="text/html")


# -- the estimate form -------------------------------------------------------------------------------


def _fact_fields(lang: str) -> list[dict[str, Any]]:
    """Every profile fact as a form field: its API name, label, help, widget and choices."""
    fields = []
    for name in GIVEN_FACTS:
        fact = FACTS[name]
        zh, en = label_of(name)
        choices: list[tuple[str, str]] = []
        if fact.kind == "bool":
            choices = [("true", say("yes", lang)), ("false", say("no", lang))]
        elif fact.kind == "enum":
            values = ENTITY_TYPES if name == "entity_type" else PARK_DESIGNATIONS
            choices = [(value, _pick(value_text(name, value).as_dict(), lang)) for value in values]
        fields.append(
            {
                "name": name,
                "label": zh if lang == "zh" else en,
                "help": fact.help[0] if lang == "zh" else fact.help[1],
                "kind": fact.kind,
                "choices": choices,
            }
        )
    return fields


def _cities(book: Rulebook, lang: str) -> list[tuple[str, str]]:
    return [(city, name.zh if lang == "zh" else name.en) for city, name in sorted(book.cities.items())]


def _documents_summary(book: Rulebook, lang: str) -> list[dict[str, str]]:
    found = []
    for document in book.documents:
        found.append(
            {
                "id": document.id,
                "number": document.number,
                "title": document.title.zh if lang == "zh" else document.title.en,
                "city": document.city_name.zh if lang == "zh" else document.city_name.en,
                "window": _window(document, lang),
            }
        )
    return found


def _window(document: Document, lang: str) -> str:
    start = document.surely_from.isoformat()
    end = document.surely_to.isoformat() if document.surely_to else say("no_end", lang)
    text = f"{start} – {end}"
    if document.uncertain_window:
        possible_end = document.in_force_to.isoformat() if document.in_force_to else say("no_end", lang)
        text += f"（{say('certainly', lang)}；{say('possibly', lang)} {document.in_force_from.isoformat()} – {possible_end}）"
    return text


def _estimate_page(lang: str, read: EstimateForm, result: dict[str, Any] | None = None, status: int = 200) -> Response:
    book = rulebook()
    rows = _prior_rows(read)
    errors = read.errors
    first_error = next((name for name in ["city", "district", "as_of", *GIVEN_FACTS] if name in errors), None)
    if first_error is None and errors:
        first_error = sorted(errors)[0]
    questions = []
    if result is not None:
        fields = {f["name"]: f for f in _fact_fields(lang)}
        for name in result["missing_facts"]:
            if name in fields:
                questions.append(fields[name])
    return _render(
        "estimate.html",
        lang,
        status,
        form=read,
        fields=_fact_fields(lang),
        cities=_cities(book, lang),
        rules=[(rule.id, rule.title.zh if lang == "zh" else rule.title.en) for rule in book.rules.values()],
        prior_rows=rows,
        errors=errors,
        first_error=first_error,
        result=result,
        questions=questions,
        ask_prior="prior_awards" in (result or {}).get("missing_facts", []),
        documents=_documents_summary(book, lang),
        today=date.today().isoformat(),
        state=_state(read),
        labels=_labels(lang),
    )


def _labels(lang: str) -> dict[str, str]:
    """Every field's name for people, by its API name."""
    found = {name: label_of(name)[0 if lang == "zh" else 1] for name in [*GIVEN_FACTS, "prior_awards"]}
    found.update({"city": say("city", lang), "district": say("district", lang), "as_of": say("as_of", lang)})
    found.update({"cities": say("cities", lang), "start_year": say("start_year", lang), "years": say("years", lang)})
    return found


def _state(read: EstimateForm) -> list[tuple[str, str]]:
    """Every field of the form as (name, value), to carry it into the result page's own forms."""
    state = [(name, value) for name, value in read.values.items()]
    state.append(("prior_awards", read.prior_mode))
    for index, row in enumerate(read.prior_rows):
        for part, value in row.items():
            state.append((f"prior_awards[{index}].{part}", value))
    return state


def _engine_profile(read: EstimateForm) -> dict[str, Any]:
    """The profile to send the engine: the form's, without the rows' bookkeeping."""
    profile = dict(read.profile)
    if "prior_awards" in profile:
        profile["prior_awards"] = [{k: v for k, v in award.items() if k != "_row"} for award in profile["prior_awards"]]
    return profile


def _decide(read: EstimateForm, lang: str | None) -> dict[str, Any] | None:
    """The estimate the form asks for, in ``lang``; None with ``read.errors`` set when it is invalid."""
    try:
        found = estimate(_engine_profile(read), read.value("city"), read.value("as_of") or None, read.value("district") or None, rulebook=rulebook())
    except InputError as exc:
        read.errors = translate_errors(form_errors(exc.errors, read.profile.get("prior_awards", [])), lang or "zh")
        return None
    return found.as_dict(lang)


@blp.get("/")
def home() -> Response:
    """What the product covers, then the estimate form."""
    lang = page_language()
    read = read_estimate(request.args) if "city" in request.args else EstimateForm()
    read.values.setdefault("city", "wuhan")
    read.values.setdefault("as_of", "")
    return _estimate_page(lang, read)


@blp.post("/estimate")
def estimate_page() -> Response:
    """The estimate for the posted form, above the form itself; the form again with its errors when invalid."""
    lang = page_language()
    read = read_estimate(request.form)
    result = _decide(read, lang)
    if result is None:
        return _estimate_page(lang, read, status=422)
    return _estimate_page(lang, read, result)


@blp.post("/estimate.json")
def estimate_json() -> Response:
    """The same estimate as the API's JSON (both languages), as a file to keep."""
    read = read_estimate(request.form)
    result = _decide(read, None)
    if result is None:
        body = dumps({"code": 422, "status": "Unprocessable Entity", "message": "Invalid fields.", "errors": read.errors})
        return Response(body, status=422, mimetype="application/json")
    response = Response(dumps(result), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="estimate-{result["city"]}-{result["as_of"]}.json"'
    return response


# -- compare and plan --------------------------------------------------------------------------------

GROWABLE = ("operating_revenue", "blockchain_revenue", "local_fiscal_contribution")
FIGURE_COLUMNS = ("operating_revenue", "blockchain_revenue", "local_fiscal_contribution", "municipal_research_projects", "key_tasks_accepted")


def _sanitised_svg(svg: bytes, title: str) -> Markup:
    """A matplotlib SVG made fit to sit inside a page under a Content-Security-Policy of 'self':
    its style attributes become presentation attributes, its stylesheet and metadata go."""
    text = svg.decode("utf-8")
    text = re.sub(r"<\?xml[^>]*>\s*|<!DOCTYPE[^>]*>\s*|<metadata>.*?</metadata>\s*|<style[^>]*>.*?</style>", "", text, flags=re.S)
    text = re.sub(r"<defs>\s*</defs>", "", text)

    def attributes(found: re.Match[str]) -> str:
        pairs = [part.split(":", 1) for part in found.group(1).split(";") if ":" in part]
        return " ".join(f'{name.strip()}="{html.escape(value.strip(), quote=True)}"' for name, value in pairs)

    text = re.sub(r'style="([^"]*)"', attributes, text)
    text = re.sub(
        r'<svg ([^>]*?)width="[^"]*" height="[^"]*"',
        lambda m: f'<svg {m.group(1)}width="100%" role="img" aria-label="{html.escape(title, quote=True)}" stroke-linejoin="round" stroke-linecap="butt"',
        text,
        count=1,
    )
    return Markup(text)


def _compare_page(lang: str, context: dict[str, Any], status: int = 200) -> Response:
    book = rulebook()
    return _render(
        "compare.html",
        lang,
        status,
        fields=_fact_fields(lang),
        cities=_cities(book, lang),
        rules=[(rule.id, rule.title.zh if lang == "zh" else rule.title.en) for rule in book.rules.values()],
        growable=[(name, label_of(name)[0 if lang == "zh" else 1]) for name in GROWABLE],
        figure_columns=[(name, label_of(name)[0 if lang == "zh" else 1]) for name in FIGURE_COLUMNS],
        prior_rows=_prior_rows(context["form"]),
        labels=_labels(lang),
        **context,
    )


def _prior_rows(read: EstimateForm) -> list[dict[str, str]]:
    """The award history's rows as typed, and blank ones to add more."""
    rows = read.prior_rows + [{"rule": "", "amount": "", "year": ""} for _ in range(max(0, PRIOR_ROWS - len(read.prior_rows)))]
    if read.prior_rows and any(read.prior_rows[-1].values()):
        rows.append({"rule": "", "amount": "", "year": ""})
    return rows


@blp.route("/compare", methods=["GET", "POST"])
def compare_page() -> Response:
    """Several cities for one company: on one day, or year by year along a plan, with the chart."""
    lang = page_language()
    book = rulebook()
    form = request.form if request.method == "POST" else request.args
    read = EstimateForm()
    read_profile(form, read)
    chosen = form.getlist("cities") if request.method == "POST" else sorted(book.cities)
    values = {name: (form.get(name) or "").strip() for name in ("as_of", "start_year", "years")}
    values.update({f"district.{city}": (form.get(f"district.{city}") or "").strip() for city in book.cities})
    values.update({f"growth.{name}": (form.get(f"growth.{name}") or "").strip() for name in GROWABLE})
    if request.method == "GET":
        values.update({"start_year": "", "years": ""})
    start, years = values["start_year"], values["years"]
    span = range(int(start), int(start) + int(years)) if start.isdigit() and years.isdigit() and 0 < int(years) <= 10 else range(0)
    figure_rows = [{"year": year, **{name: (form.get(f"figures.{year}.{name}") or "").strip() for name in FIGURE_COLUMNS}} for year in span]
    context: dict[str, Any] = {"form": read, "values": values, "chosen": chosen, "figure_rows": figure_rows, "errors": {}, "result": None}
    if request.method == "GET":
        return _compare_page(lang, context)
    districts = {city: values[f"district.{city}"] for city in chosen if values.get(f"district.{city}")}
    profile = _engine_profile(read)
    try:
        if start or years:
            plan_data: dict[str, Any] = {"start_year": int(start) if start.isdigit() else start, "years": int(years) if years.isdigit() else years}
            plan_data["growth"] = {name: values[f"growth.{name}"] for name in GROWABLE if values[f"growth.{name}"]}
            figures = []
            for row in figure_rows:
                given = {name: row[name] for name in FIGURE_COLUMNS if row[name]}
                if given:
                    typed: dict[str, Any] = {}
                    for name, text in given.items():
                        assert isinstance(text, str)
                        typed[name] = int(text) if FACTS[name].kind == "count" and text.isdigit() else text.replace(",", "")
                    figures.append({"year": row["year"], **typed})
            plan_data["figures"] = figures
            if values["as_of"]:
                raise InputError.single("as_of", "A plan is evaluated each year on as_of_month_day; leave as_of out.")
            result = plan_cities(profile, chosen, parse_plan(plan_data), districts, rulebook=book)
            context["chart"] = _chart(result, say("chart", lang), lang)
        else:
            result = compare(profile, chosen, values["as_of"] or None, districts, rulebook=book)
    except InputError as exc:
        context["errors"] = translate_errors(form_errors(exc.errors, read.profile.get("prior_awards", [])), lang)
        return _compare_page(lang, context, 422)
    context["result"] = json.loads(dumps(result))
    return _compare_page(lang, context)


def _chart(result: dict[str, Any], title: str, lang: str) -> Markup | None:
    try:
        from subsidy.chart import ChartError, render_chart  # matplotlib (the charts extra) loads with the first chart
    except ImportError:
        return None
    try:
        return _sanitised_svg(render_chart(result, "svg", lang), title)
    except ChartError:
        return None


# -- the rulebook ------------------------------------------------------------------------------------


@blp.get("/documents")
def documents_page() -> Response:
    lang = page_language()
    book = rulebook()
    return _render("documents.html", lang, documents=_documents_summary(book, lang), book=book)


def _marked_source(book: Rulebook, document: Document, lang: str) -> Markup:
    """The document's source text, escaped, with every quoted passage marked and linked."""
    text = book.sources.get(document.source, "")
    quotes: list[tuple[str, str, str]] = []  # (quote, anchor, link)
    for rule in document.rules:
        quotes.append((rule.quote, f"rule-{rule.id}", url_for("pages.rule_page", rule_id=rule.id, lang=lang)))
    for index, entry in enumerate(document.inventory):
        if entry.quote and entry.source == document.source:
            quotes.append((entry.quote, f"clause-{index}", f"#inventory-{index}"))
    for index, plain in enumerate(document.not_support):
        if plain.source == document.source:
            quotes.append((plain.quote, f"plain-{index}", f"#not-support-{index}"))
    spans = []
    for quote, anchor, link in quotes:
        start = text.find(quote)
        if start >= 0:
            spans.append((start, start + len(quote), anchor, link))
    spans.sort()
    out, position = [], 0
    for start, stop, anchor, link in spans:
        if start < position:
            continue  # overlaps a passage already marked
        out.append(html.escape(text[position:start]))
        out.append(f'<a class="quote" href="{html.escape(link, quote=True)}"><mark id="{anchor}">{html.escape(text[start:stop])}</mark></a>')
        position = stop
    out.append(html.escape(text[position:]))
    return Markup("".join(out))


@blp.get("/documents/<document_id>")
def document_page(document_id: str) -> Response:
    lang = page_language()
    book = rulebook()
    document = next((d for d in book.documents if d.id == document_id), None)
    if document is None:
        return _render("not_found.html", lang, 404)
    titles = {rule.id: (rule.title.zh if lang == "zh" else rule.title.en) for rule in document.rules}
    return _render(
        "document.html",
        lang,
        document=document,
        window=_window(document, lang),
        doubt=(document.window_doubt.zh if lang == "zh" else document.window_doubt.en) if document.window_doubt else None,
        titles=titles,
        source=_marked_source(book, document, lang),
        status_key=f"status_{document.status}",
    )


def _condition_words(condition: Any, lang: str) -> dict[str, Any]:
    """A rule's conditions as a tree of sentences."""
    if hasattr(condition, "fact"):
        zh, en = label_of(condition.fact) if condition.fact in FACTS else ("", condition.fact)
        if condition.path == "applies_to":
            zh, en = say("applies_to", "zh"), say("applies_to", "en")
        label = condition.label.zh if condition.label and lang == "zh" else condition.label.en if condition.label else (zh if lang == "zh" else en)
        need = requirement(condition.fact, condition.op, condition.operand)
        return {"text": f"{label}：{need.zh}" if lang == "zh" else f"{label[:1].upper()}{label[1:]}: {need.en}"}
    if hasattr(condition, "item"):
        return {"text": say("none_of", lang), "children": [_condition_words(condition.item, lang)]}
    kind = "any_of" if type(condition).__name__ == "AnyOf" else "all_of"
    return {"text": say(kind, lang), "children": [_condition_words(item, lang) for item in condition.items]}


def _scenarios(rule: Rule) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]]]:
    """The scenarios of the last recorded run that check the rule, with their steps from the feature
    files; and the rule's branches, each covered or not. (None, []) when no run is recorded."""
    runs_path = Path(current_app.config.get("COVERAGE_RUNS") or default_runs())
    try:
        report = coverage_report(rulebook(), load_runs(runs_path))
    except (FileNotFoundError, InputError):
        return None, []
    found = next((r for d in report["documents"] for r in d["rules"] if r["rule"] == rule.id), None)
    if found is None:
        return [], []
    steps = _feature_steps(Path(current_app.config.get("FEATURES_DIR") or "features"))
    scenarios = []
    for name in found["scenarios"]:
        title = name.split(": ", 1)[-1].split(" [", 1)[0]
        scenarios.append({"name": name.split(": ", 1)[-1], "file": name.split(": ", 1)[0], "steps": steps.get((name.split(": ", 1)[0], title), [])})
    return scenarios, found["branches"]


_KEYWORD = re.compile(r"^\s*(Scenario Outline|Scenario|场景大纲|场景|剧本大纲|剧本):\s*(.+?)\s*$")


def _feature_steps(folder: Path) -> dict[tuple[str, str], list[str]]:
    """Each scenario's steps by (feature file, scenario title), read from the feature files."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(folder.glob("**/*.feature")) if folder.is_dir() else []:
        key: tuple[str, str] | None = None
        for line in path.read_text(encoding="utf-8").splitlines():
            heading = _KEYWORD.match(line)
            stripped = line.strip()
            if heading:
                key = (f"features/{path.relative_to(folder).as_posix()}", heading.group(2))
                found[key] = []
            elif key is not None and stripped and not stripped.startswith(("#", "|", "Examples", "例子", "@")):
                found[key].append(stripped)
    return found


@blp.get("/rules/<rule_id>")
def rule_page(rule_id: str) -> Response:
    lang = page_language()
    book = rulebook()
    rule = book.rules.get(rule_id)
    if rule is None:
        return _render("not_found.html", lang, 404)
    document = book.document(rule.document)
    scenarios, branches = _scenarios(rule)
    conditions = list(rule.conditions.items)
    data = rule_data(rule, document)
    return _render(
        "rule.html",
        lang,
        rule=rule,
        document=document,
        conditions=[_condition_words(item, lang) for item in conditions],
        scenarios=scenarios,
        branches=branches,
        award=_award_words(data["award"], lang),
        caps=[_cap_words(cap, lang) for cap in data["caps"]],
    )


def _award_words(data: dict[str, Any], lang: str) -> str:
    """A rule's award in words, from the rulebook's data for it (``rule_data``)."""
    zh = lang == "zh"
    money = f" {say('yuan', lang)}"
    parts: list[str] = []
    form = data["form"]
    if form == "non_monetary":
        return _pick(data["benefit"], lang)
    if "amount" in data:
        parts.append(yuan(data["amount"]) + money)
    if "amounts" in data:
        parts.extend(f"{_pick(value_text(data['by'], value).as_dict(), lang)}：{yuan(amount)}{money}" for value, amount in data["amounts"].items())
    for unit in data.get("units", ()):
        parts.append(f"{label_of(unit['fact'])[0 if zh else 1]} × {yuan(unit['amount'])}{money}")
    if "tiers" in data:
        label = label_of(data["fact"])[0 if zh else 1]
        sign = "≥" if data["above"] == "inclusive" else ">"
        parts.extend(f"{label} {sign} {yuan(t['threshold'])}：{yuan(t['amount'])}{money}" for t in data["tiers"])
    if "up_to" in data:
        parts.append(f"{say('up_to', lang)} {yuan(data['up_to'])}{money}")
    if "min" in data:
        parts.append(f"{yuan(data['min'])} – {yuan(data['max'])}{money}")
    if data.get("pay") == "difference":
        parts.append("差额补足（扣除本条款已支付金额）" if zh else "the difference against what the clause already paid")
    return "；".join(parts) if zh else "; ".join(parts)


def _cap_words(cap: dict[str, str], lang: str) -> str:
    if "fact" in cap:
        return label_of(cap["fact"])[0 if lang == "zh" else 1]
    if "limit" in cap:
        return f"{yuan(cap['limit'])} {say('yuan', lang)}"
    return ("本条款累计" if lang == "zh" else "lifetime under the clause: ") + f"{yuan(cap['cumulative'])} {say('yuan', lang)}"


@blp.app_errorhandler(404)
def not_found(_error: Exception) -> Response:
    """An unknown address: the error shape for the API, a page for people."""
    if request.path.startswith("/api/"):
        reply: Response = current_app.extensions["service_api"].handle_http_exception(_error)
        return reply
    return _render("not_found.html", page_language(), 404)


# -- the policy sandbox ------------------------------------------------------------------------------


def _sandbox_page(lang: str, values: dict[str, str], errors: dict[str, list[str]], status: int = 200) -> Response:
    book = rulebook()
    labels = {
        "reform": say("reform", lang),
        "reform_file": say("reform_file", lang),
        "register": say("register_file", lang),
        "city": say("city", lang),
        "as_of": say("as_of", lang),
    }
    return _render(
        "sandbox.html",
        lang,
        status,
        values=values,
        errors=errors,
        labels=labels,
        reforms=list(shipped_reforms().values()),
        cities=_cities(book, lang),
        rules=[(rule.id, rule.title.zh if lang == "zh" else rule.title.en) for rule in book.rules.values()],
    )


def _sandbox_reform(values: dict[str, str]) -> Reform:
    """The reform the sandbox form gives: an uploaded file, one parameter changed, or a shipped one."""
    upload = request.files.get("reform_file")
    if upload is not None and upload.filename:
        text = upload.read().decode("utf-8", errors="replace")
        try:
            return read_reform(text, upload.filename)
        except RuleFileError as exc:
            raise InputError.single("reform_file", str(exc)) from None
    if values["change_rule"] and values["change_path"]:
        raw = values["change_value"]
        value: Any = int(raw) if raw.isdigit() else raw
        data = {
            "id": "sandbox",
            "title": {
                "zh": f"修改{values['change_rule']}的{values['change_path']}为{raw}",
                "en": f"{values['change_rule']}: {values['change_path']} set to {raw}",
            },
            "changes": [{"rule": values["change_rule"], "set": {values["change_path"]: value}}],
        }
        return find_reform(data)
    if values["reform"]:
        return find_reform(values["reform"])
    raise InputError.single("reform", "Pick a reform, upload one, or change a rule's parameter.")


@blp.route("/sandbox", methods=["GET", "POST"])
def sandbox_page() -> Response:
    """The policy sandbox: a reform and a register in, the budget-impact report out."""
    lang = page_language()
    names = ("reform", "change_rule", "change_path", "change_value", "city", "as_of")
    values = {name: (request.form.get(name) or "").strip() for name in names}
    if request.method == "GET":
        values.update(city="wuhan", as_of="2022-06-30", reform="wuhan-draft-2021-06-01")
        return _sandbox_page(lang, values, {})
    try:
        from eligibility.impact import impact_file  # NumPy and Arrow: the screening extra
        from subsidy.report import impact_report
    except ImportError:
        return _sandbox_page(lang, values, {"register": ["The sandbox needs the screening and charts extras."]}, 503)
    upload = request.files.get("register")
    try:
        reform = _sandbox_reform(values)
        if upload is None or not upload.filename or not upload.filename.lower().endswith((".csv", ".parquet")):
            raise InputError.single("register", "Upload a register: a .csv or .parquet file.")
        with tempfile.TemporaryDirectory(prefix="sandbox-") as scratch:
            source = Path(scratch) / Path(upload.filename).name
            upload.save(source)
            summary = under_reform(lambda: impact_file(source, Path(scratch) / "out.parquet", values["city"], values["as_of"], reform, keep=_keep(source)))
    except InputError as exc:
        return _sandbox_page(lang, values, translate_errors(exc.errors, lang), 422)
    book = rulebook()
    text = json.dumps(reform.data, ensure_ascii=False, indent=2, default=str)
    titles = {rule.id: (rule.title.zh, rule.title.en) for rule in book.rules.values()}
    page = impact_report(summary, text, book.cities[summary.city].zh, titles)
    response = Response(page, mimetype="text/html")
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode() if style else ""
    # The report is a file of its own: its one stylesheet is allowed by its hash, and nothing else.
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return response


def _keep(source: Path) -> list[str]:
    """The register's identifying column to carry through, if it has one."""
    header = source.read_bytes()[:4096].decode("utf-8", errors="replace").splitlines()[0] if source.suffix == ".csv" else ""
    return ["company_id"] if "company_id" in header.split(",") or (source.suffix == ".parquet" and _has_company_id(source)) else []


def _has_company_id(source: Path) -> bool:
    import pyarrow.parquet as pq

    try:
        return "company_id" in pq.read_schema(source).names
    except Exception:
        return False
