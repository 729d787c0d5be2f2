"""The engine's results and the rulebook as tables for a terminal (rich), in the language asked for."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from eligibility import STATUS_WORDS, Document, Rulebook, label_of

__all__ = ["clause_table", "comparison_table", "coverage_table", "estimate_table", "plan_table", "rulebook_table", "screening_table"]


_STATUS_STYLE = {"eligible": "green", "ineligible": "red", "undetermined": "yellow", "not_in_force": "dim"}

#: Every word the tables print, in Chinese and English.
_WORDS: dict[str, tuple[str, str]] = {
    **{status: (words.zh, words.en) for status, words in STATUS_WORDS.items()},
    "as_of": ("估算日期", "as of"),
    "rulebook": ("规则库", "rulebook"),
    "total": ("合计", "Total"),
    "guaranteed": ("保证可得", "guaranteed"),
    "up_to": ("最多", "up to"),
    "yuan": ("元", "yuan"),
    "unbounded": ("上限未定", "unbounded"),
    "no_district": ("（未指定区）", "(district not specified)"),
    "missing": ("尚需提供", "Missing facts"),
    "awards": ("资金奖励", "Awards"),
    "support": ("非资金支持", "Non-monetary support"),
    "rule": ("条款", "Rule"),
    "status": ("结果", "Status"),
    "amount": ("金额（元）", "Amount (yuan)"),
    "why": ("说明", "Why"),
    "benefit": ("支持内容", "Benefit"),
    "notice": ("提示", "Notice"),
    "retrospective": ("追溯估算", "Retrospective"),
    "comparison": ("城市比较", "Comparison"),
    "rank": ("排名", "Rank"),
    "city": ("城市", "City"),
    "guaranteed_yuan": ("保证可得（元）", "Guaranteed (yuan)"),
    "up_to_yuan": ("最多（元）", "Up to (yuan)"),
    "non_monetary": ("非资金支持项数", "Non-monetary"),
    "plan": ("计划", "Plan"),
    "evaluated_on": ("每年估算日", "evaluated on"),
    "cumulative": ("累计（元）", "Cumulative (yuan)"),
}


def _say(key: str, lang: str) -> str:
    zh, en = _WORDS[key]
    return zh if lang == "zh" else en


def _range(amount: dict[str, Any] | None, lang: str = "en") -> str:
    if amount is None:
        return "—"
    low, high = str(amount["min"]), amount["max"]
    if high == low:
        return low
    return f"{low} – {_say('unbounded', lang) if high is None else high}"


def _payer_name(payer: dict[str, Any], lang: str) -> str:
    return str(payer["name"][lang]) if payer["name"] else _say("no_district", lang)


def _outcome_rows(outcomes: list[dict[str, Any]], lang: str) -> tuple[Table, Table]:
    awards = Table(title=_say("awards", lang), title_justify="left")
    awards.add_column(_say("rule", lang), overflow="fold")
    awards.add_column(_say("status", lang), no_wrap=True)
    awards.add_column(_say("amount", lang), no_wrap=True, justify="right")
    awards.add_column(_say("why", lang), overflow="fold")
    support = Table(title=_say("support", lang), title_justify="left")
    support.add_column(_say("rule", lang), overflow="fold")
    support.add_column(_say("status", lang), no_wrap=True)
    support.add_column(_say("benefit", lang), overflow="fold")
    for outcome in outcomes:
        style = _STATUS_STYLE[outcome["status"]]
        status = f"[{style}]{_say(outcome['status'], lang)}[/{style}]"
        title = outcome["title"][lang]
        if outcome["monetary"]:
            awards.add_row(title, status, _range(outcome["amount"], lang), outcome["summary"][lang])
        else:
            support.add_row(title, status, (outcome["benefit"] or outcome["title"])[lang])
    return awards, support


def estimate_table(result: dict[str, Any], lang: str, console: Console | None = None) -> None:
    """Print an estimate as a readable table: the notice first, then totals, payers and every rule."""
    out = console or Console()
    if result.get("notice"):
        out.print(f"[bold yellow]{_say('notice', lang)}[/bold yellow]: {result['notice'][lang]}")
    city = result["city_name"][lang]
    district = f" / {result['district']}" if result["district"] else ""
    out.print(f"[bold]{city}{district}[/bold]  {_say('as_of', lang)} {result['as_of']}  {_say('rulebook', lang)} {result['rulebook']['digest'][:12]}")
    _totals(out, result, lang)
    if result["missing_facts"]:
        out.print(
            f"[yellow]{_say('missing', lang)}[/yellow]: {('、' if lang == 'zh' else ', ').join(label_of(m)[0 if lang == 'zh' else 1] for m in result['missing_facts'])}"
        )
    for table in _outcome_rows(result["outcomes"], lang):
        if table.row_count:
            out.print(table)
    past = result.get("retrospective")
    if past:
        out.print(f"\n[bold]{_say('retrospective', lang)}[/bold]  {_say('as_of', lang)} {past['as_of']}")
        _totals(out, past, lang)
        for table in _outcome_rows(past["outcomes"], lang):
            if table.row_count:
                out.print(table)


def _totals(out: Console, result: dict[str, Any], lang: str) -> None:
    total = result["total"]
    high = total["max"] or _say("unbounded", lang)
    out.print(f"[bold]{_say('total', lang)}[/bold]: {_say('guaranteed', lang)} {total['min']}, {_say('up_to', lang)} {high} ({_say('yuan', lang)})")
    for payer in result["payers"]:
        out.print(f"  {_payer_name(payer, lang)}: {_range(payer['amount'], lang)}")


def comparison_table(result: dict[str, Any], lang: str, console: Console | None = None) -> None:
    """Print a city comparison: why cities tie (if they do), the ranking, then what would unlock more."""
    out = console or Console()
    if result.get("notice"):
        out.print(f"[bold yellow]{_say('notice', lang)}[/bold yellow]: {result['notice'][lang]}")
    out.print(f"{_say('comparison', lang)}  {_say('as_of', lang)} {result['as_of']}  {_say('rulebook', lang)} {result['rulebook']['digest'][:12]}")
    table = Table()
    for key in ("rank", "city", "guaranteed_yuan", "up_to_yuan", "non_monetary"):
        table.add_column(_say(key, lang), justify="left" if key == "city" else "right", no_wrap=True)
    for entry in result["ranking"]:
        table.add_row(
            str(entry["rank"]),
            entry["estimate"]["city_name"][lang],
            entry["total"]["min"],
            entry["total"]["max"] or _say("unbounded", lang),
            str(len(entry["benefits"])),
        )
    out.print(table)
    for entry in result["ranking"]:
        out.print(entry["reason"][lang])
        for unlock in entry["unlock"]:
            out.print(f"  - {unlock['text'][lang]}")


def coverage_table(report: dict[str, Any], console: Console | None = None) -> None:
    """Print rule coverage per document and rule with the scenarios that check each rule, the
    unexercised branches, clause coverage, and the support sentences of the sources."""
    out = console or Console()
    summary = report["summary"]
    out.print(
        f"[bold]Rule coverage[/bold]: {summary['exercised']}/{summary['branches']} branches ({summary['percent']} %) "
        "checked by scenarios that name their rule; "
        f"clauses: {summary['encoded']} encoded, {summary['not_encoded']} not encoded with a reason, {summary['unaccounted']} unaccounted"
    )
    for document in report["documents"]:
        table = Table(title=f"{document['document']}  {document['number']}", title_justify="left")
        table.add_column("Rule", no_wrap=True)
        table.add_column("Branches", justify="right", no_wrap=True)
        table.add_column("Checked by (scenario, example row)", overflow="fold", ratio=1)
        own = f"{document['document']}.feature: "
        gaps: list[str] = []
        for rule in document["rules"]:
            missing = [b["branch"] for b in rule["branches"] if not b["scenarios"]]
            style = "green" if not missing else "red"
            names = [escape(name.split(own, 1)[-1]) for name in rule["scenarios"]]
            checked = "\n".join(f"• {name}" for name in names) or "[red]no scenario checks this rule[/red]"
            table.add_row(rule["rule"], f"[{style}]{rule['exercised']}/{rule['total']}[/{style}]", checked)
            gaps.extend(f"{rule['rule']} {branch}" for branch in missing)
        out.print(table)
        for gap in gaps:
            out.print(f"  [red]not exercised by a scenario that checks the rule[/red]: {gap}", highlight=False)
    out.print(f"support sentences accounted for: {summary['support_sentences_accounted']}/{summary['support_sentences']}")
    for sentence in report["support_sentences"]:
        if sentence["accounted_by"] is None:
            out.print(f"  [red]unaccounted[/red] rules/sources/{sentence['source']}: {escape(sentence['sentence'])}", highlight=False)


def plan_table(result: dict[str, Any], lang: str, console: Console | None = None) -> None:
    """Print a plan year by year: each city's yearly and cumulative totals, then why it ranks there."""
    out = console or Console()
    plan = result["plan"]
    years = list(range(plan["start_year"], plan["start_year"] + plan["years"]))
    title = (
        f"计划{years[0]}—{years[-1]}年，每年按{plan['as_of_month_day']}估算"
        if lang == "zh"
        else f"Plan {years[0]}–{years[-1]}, evaluated on {plan['as_of_month_day']} of each year"
    )
    table = Table(title=title, title_justify="left")
    table.add_column(_say("rank", lang), justify="right", no_wrap=True)
    table.add_column(_say("city", lang), no_wrap=True)
    for year in years:
        table.add_column(str(year), justify="right", no_wrap=True)
    table.add_column(_say("cumulative", lang), justify="right", no_wrap=True)
    for entry in result["ranking"]:
        name = entry["city_name"][lang] if isinstance(entry["city_name"], dict) else entry["city_name"]
        table.add_row(str(entry["rank"]), name, *[_range(y["total"], lang) for y in entry["years"]], _range(entry["cumulative_total"], lang))
    out.print(table)
    for entry in result["ranking"]:
        out.print(entry["reason"][lang] if isinstance(entry["reason"], dict) else entry["reason"])
        for unlock in entry["unlock"]:
            text = unlock["text"][lang] if isinstance(unlock["text"], dict) else unlock["text"]
            out.print(f"  - {text}")


def rulebook_table(book: Rulebook, lang: str, console: Console | None = None) -> None:
    """Print the documents and rules with their in-force windows, in the asked language."""
    out = console or Console()
    zh = lang == "zh"
    out.print(f"{'规则库摘要' if zh else 'Rulebook digest'} {book.digest}")
    for document in book.documents:
        start = document.surely_from.isoformat()
        end = document.surely_to.isoformat() if document.surely_to else ("无截止日期" if zh else "no end")
        possibly = ""
        if document.uncertain_window:
            latest = document.in_force_to.isoformat() if document.in_force_to else ("无截止日期" if zh else "no end")
            earliest = document.in_force_from.isoformat()
            possibly = f"（确定有效；最早可能自{earliest}起、最晚可能至{latest}）" if zh else f" for certain, possibly from {earliest} until {latest}"
        encoded, clauses = sum(1 for e in document.inventory if e.rules), len(document.inventory)
        status = {"final": "正式文本", "draft": "草案", "superseded": "已被取代", "repealed": "已废止"}.get(document.status, document.status)
        window = (
            f"  有效期{start}至{end}{possibly}；{status}；{clauses}项支持条款中已编码{encoded}项"
            if zh
            else f"  in force {start} to {end}{possibly}; status {document.status}; {encoded} of {clauses} support clauses encoded"
        )
        out.print(f"\n[bold]{document.id}[/bold]  {document.number}  {document.title.zh if zh else document.title.en}\n{window}")
        table = Table()
        table.add_column("规则编号" if zh else "Rule", no_wrap=True)
        table.add_column("奖励形式" if zh else "Award", no_wrap=True)
        table.add_column("名称" if zh else "Title", overflow="fold")
        forms = {
            "fixed": ("固定金额", "fixed amount"),
            "per_unit": ("按项计", "per unit"),
            "tiered": ("分档", "tiered"),
            "capped": ("封顶", "capped"),
            "ranged": ("区间", "range"),
            "non_monetary": ("非资金", "non-monetary"),
        }
        for rule in document.rules:
            form = forms[rule.award.form][0 if zh else 1]
            if rule.variants:
                form += f"（另有{len(rule.variants)}个已被取代的版本）" if zh else f" (+{len(rule.variants)} superseded wording)"
            table.add_row(rule.id, form, rule.title.zh if zh else rule.title.en)
        out.print(table)
        out.print(clause_table(document, lang))


def clause_table(document: Document, lang: str) -> Table:
    """The document's support clauses, each encoded (by which rules) or not (and why)."""
    zh = lang == "zh"
    titles = {rule.id: (rule.title.zh if zh else rule.title.en) for rule in document.rules}
    table = Table(title="支持条款清单" if zh else "Support clauses", title_justify="left")
    table.add_column("条款" if zh else "Clause", overflow="fold", ratio=1)
    table.add_column("内容" if zh else "Summary", overflow="fold", ratio=2)
    table.add_column("编码情况" if zh else "Status", overflow="fold", ratio=3)
    for entry in document.inventory:
        clause = entry.clause.zh if zh else entry.clause.en
        if entry.source != document.source:
            clause += "（已被取代的征求意见稿）" if zh else " (superseded draft)"
        if entry.rules:
            names = "、".join(titles[r] for r in entry.rules) if zh else "; ".join(titles[r] for r in entry.rules)
            state = f"[green]已编码[/green]：{names}" if zh else f"[green]encoded[/green]: {names}"
        else:
            assert entry.not_encoded is not None
            state = f"未编码：{entry.not_encoded.zh}" if zh else f"not encoded: {entry.not_encoded.en}"
        table.add_row(escape(clause), escape(entry.summary.zh if zh else entry.summary.en), state)
    if document.not_support:
        count = len(document.not_support)
        table.caption = (
            f"另有{count}句含“支持”等字样但并非支持措施的语句，均已注明理由（subsidy rules --format json 的 not_support）。"
            if zh
            else f"{count} more sentences use a support word without promising support, each with its reason (not_support in subsidy rules --format json)."
        )
        table.caption_justify = "left"
    return table


def screening_table(summary: dict[str, Any], seconds: float, console: Console | None = None) -> None:
    """Print what a screening found: companies per status for each rule, and amounts per payer."""
    out = console or Console(stderr=True)
    rate = f"{summary['rows'] / seconds:,.0f} rows/s" if seconds > 0 else ""
    out.print(f"[bold]Screened {summary['rows']:,} companies[/bold] for {summary['city']} as of {summary['as_of']} in {seconds:.2f} s {rate}")
    rules = Table(title="Companies per rule", title_justify="left")
    rules.add_column("Rule", no_wrap=True)
    for name in ("Eligible", "Undetermined", "Ineligible", "Not in force", "Guaranteed (yuan)"):
        rules.add_column(name, justify="right", no_wrap=True)
    for rule in summary["rules"]:
        amount = rule.get("amount", {}).get("min", "—")
        rules.add_row(rule["rule"], f"{rule['eligible']:,}", f"{rule['undetermined']:,}", f"{rule['ineligible']:,}", f"{rule['not_in_force']:,}", amount)
    out.print(rules)
    payers = Table(title="Amounts per payer", title_justify="left")
    payers.add_column("Payer", no_wrap=True)
    for name in ("Guaranteed (yuan)", "Up to (yuan, bounded rows)", "Rows with no upper bound"):
        payers.add_column(name, justify="right", no_wrap=True)
    for payer in summary["payers"]:
        payers.add_row(payer["payer"], payer["min"], payer["max"], f"{payer['unbounded_rows']:,}")
    out.print(payers)


def reform_table(result: dict[str, Any], lang: str, console: Console | None = None) -> None:
    """After an estimate under a reform: the reform, the baseline and the difference, by payer and by clause."""
    out = console or Console()
    zh = lang == "zh"
    reform = result["reform"]
    title = reform["title"][lang] if isinstance(reform["title"], dict) else reform["title"]
    out.print(f"[bold]{'改革方案' if zh else 'Reform'}[/bold]: {escape(title)}  ({reform['id']}, {reform['digest'][:12]})")
    table = Table(title="与现行规定相比" if zh else "Against the text in force", title_justify="left")
    table.add_column("支付方" if zh else "Payer")
    table.add_column("现行（元）" if zh else "Baseline (yuan)", justify="right")
    table.add_column("改革后（元）" if zh else "Reform (yuan)", justify="right")
    table.add_column("差额（元）" if zh else "Difference (yuan)", justify="right")
    names = {p["payer"]: _payer_name(p, lang) for p in result["payers"]}
    reformed = {p["payer"]: p["amount"] for p in result["payers"]}
    nothing = {"min": "0.00", "max": "0.00"}
    for payer, before in result["baseline"]["payers"].items():
        label = names.get(payer, payer)
        table.add_row(label, _range(before, lang), _range(reformed.get(payer, nothing), lang), _range(result["difference"]["payers"][payer], lang))
    table.add_row(_say("total", lang), _range(result["baseline"]["total"], lang), _range(result["total"], lang), _range(result["difference"]["total"], lang))
    out.print(table)
    for outcome in result["outcomes"]:
        if outcome.get("reform"):
            said = outcome["reform"][lang] if isinstance(outcome["reform"], dict) else outcome["reform"]
            summary = outcome["summary"][lang] if isinstance(outcome["summary"], dict) else outcome["summary"]
            out.print(f"  - {escape(said)} {escape(summary)}")


def impact_table(summary: dict[str, Any], console: Console | None = None) -> None:
    """The budget impact of a reform on a register, in both languages."""
    out = console or Console()
    reform = summary["reform_applied"]
    out.print(f"[bold]预算影响 Budget impact[/bold]: {escape(reform['title']['zh'])} / {escape(reform['title']['en'])} ({reform['id']})")
    out.print(f"{summary['city']} · {summary['as_of']} · {summary['rows']:,} rows")
    table = Table()
    for name in ("支付方 Payer", "现行 Baseline", "改革后 Reform", "变化 Change"):
        table.add_column(name, justify="right" if name != "支付方 Payer" else "left")
    payer_words = {"city": "市级 city", "district": "区级 district", "unstated": "未规定分担比例 split not stated"}
    for payer, before in summary["baseline"]["payers"].items():
        after = summary["reform"]["payers"].get(payer, {"min": "0.00", "max": "0.00"})
        table.add_row(payer_words.get(payer, payer), _range(before), _range(after), _range(summary["delta"]["payers"][payer]))
    table.add_row("合计 Total", _range(summary["baseline"]["total"]), _range(summary["reform"]["total"]), _range(summary["delta"]["total"]))
    out.print(table)
    out.print(
        f"获益 winners {summary['winners']:,} · 受损 losers {summary['losers']:,} · 不变 unchanged {summary['unchanged']:,} · "
        f"受益企业 beneficiaries {summary['baseline']['beneficiaries']:,} → {summary['reform']['beneficiaries']:,}"
    )
