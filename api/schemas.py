"""Marshmallow schemas for every request and response; the OpenAPI document is generated from them.

Texts are ``{"zh": ..., "en": ...}`` objects, or plain strings when the request sends
``Accept-Language: zh`` or ``en``. Money is always a decimal string exact to the fen.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from eligibility import PAYERS, STATUSES, Count, Money, ProfileSchema, StandardsLedSchema, lists_its_fields

__all__ = [
    "CompanyEstimateRequestSchema",
    "CompanyRequestSchema",
    "CompanySchema",
    "ComparisonRequestSchema",
    "ComparisonSchema",
    "CoverageSchema",
    "DocumentSchema",
    "DocumentSummarySchema",
    "EstimateRequestSchema",
    "EstimateSchema",
    "EstimateSummarySchema",
    "HealthSchema",
    "RuleSchema",
    "RuleSummarySchema",
]

TEXT = "Text as {zh, en}, or a string in the language asked for with Accept-Language."


def _text(**kwargs: object) -> fields.Raw:
    return fields.Raw(metadata={"description": TEXT, "oneOf": [{"type": "string"}, {"type": "object"}]}, **kwargs)  # type: ignore[arg-type]


class _Strict(Schema):
    class Meta:
        unknown = RAISE


#: Text without NUL, which the body's reader refuses in every string (eligibility.jsonio), said in
#: the OpenAPI document so that what it calls valid is accepted.
PLAIN_TEXT = r"^[^\x00]*$"
#: A district's name: 1 to 64 characters, not all of them spaces (the engine refuses a blank one), no
#: NUL. Spaces as Python and JavaScript (the document's patterns) count them together, spelled out
#: where the two differ, so that the document and the check agree on every string.
DISTRICT = [
    validate.Length(min=1, max=64),
    validate.Regexp(r"^[^\x00]*[^\s\x1c-\x1f\x85\ufeff\x00][^\x00]*$", error="Must be a district name of 1 to 64 characters, e.g. 江汉区."),
]
#: An estimate's day: from 1990 to 2100 (a pattern, as OpenAPI 3.0 has no date range).
AS_OF = {"description": "Date of the estimate (default: today), from 1990-01-01 to 2100-12-31.", "pattern": r"^(199\d|20\d\d|2100)-\d\d-\d\d$"}

REFORM = fields.Raw(
    allow_none=True,
    metadata={
        "description": "A reform to estimate under (政策沙盘): a shipped reform's id, e.g. wuhan-draft-2021-06-01, or the reform itself: "
        "{id, title: {zh, en}, changes: [...]}. The answer then adds baseline, difference and reform.",
        "example": "wuhan-draft-2021-06-01",
        "rulebook": "reform",
    },
)


class EstimateRequestSchema(_Strict):
    """An estimate for one company in one city on one date."""

    city = fields.String(required=True, validate=validate.Length(min=1, max=32), metadata={"example": "wuhan", "rulebook": "city"})
    district = fields.String(allow_none=True, validate=DISTRICT, metadata={"example": "江汉区"})
    as_of = fields.Date(allow_none=True, metadata=AS_OF)
    profile = fields.Nested(ProfileSchema, required=True)
    reform = REFORM


class FigureSchema(_Strict):
    """Explicit figures for one year of a plan."""

    year = fields.Integer(required=True, strict=True, validate=validate.Range(1990, 2100))
    operating_revenue = Money(allow_none=True)
    blockchain_revenue = Money(allow_none=True)
    local_fiscal_contribution = Money(allow_none=True)
    operating_revenue_prior = Money(allow_none=True)
    local_fiscal_contribution_prior = Money(allow_none=True)
    municipal_research_projects = Count(allow_none=True)
    key_tasks_accepted = Count(allow_none=True)
    standards_led = fields.Nested(StandardsLedSchema, allow_none=True)


class ComparisonRequestSchema(_Strict):
    """The same company compared across cities: on one date, or year by year along a plan.

    A plan gives start_year and years (1 to 10), and growth rates and/or explicit per-year figures;
    the rulebook is evaluated on as_of_month_day (default 12-31) of each year.
    """

    cities = fields.List(
        fields.String(validate=validate.Length(min=1, max=32), metadata={"rulebook": "city"}), required=True, validate=validate.Length(min=1, max=10)
    )
    districts = fields.Dict(keys=fields.String(), values=fields.String(validate=DISTRICT))
    as_of = fields.Date(allow_none=True, metadata=AS_OF)
    profile = fields.Nested(ProfileSchema, required=True)
    start_year = fields.Integer(strict=True, metadata={"example": 2021})
    years = fields.Integer(strict=True, metadata={"example": 3})
    growth = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"example": {"operating_revenue": "0.25", "blockchain_revenue": "0.30", "local_fiscal_contribution": "0.20"}},
    )
    figures = fields.List(fields.Nested(FigureSchema))
    as_of_month_day = fields.String(metadata={"example": "12-31"})
    reform = REFORM


class CompanyRequestSchema(_Strict):
    """A company profile to save."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"pattern": PLAIN_TEXT})
    city = fields.String(required=True, validate=validate.Length(min=1, max=32), metadata={"rulebook": "city"})
    district = fields.String(allow_none=True, validate=DISTRICT)
    profile = fields.Nested(ProfileSchema, required=True)


class CompanyEstimateRequestSchema(_Strict):
    """An estimate from a saved profile."""

    as_of = fields.Date(allow_none=True, metadata=AS_OF)


class RangeSchema(Schema):
    min = fields.String(required=True, metadata={"example": "300000.00"})
    max = fields.String(required=True, allow_none=True, metadata={"description": "null when unbounded"})


class PayerShareSchema(Schema):
    payer = fields.String(
        required=True,
        validate=validate.OneOf(PAYERS),
        metadata={"description": "unstated: the text names responsible units of several levels and no split; name lists them"},
    )
    name = _text(allow_none=True)
    share = fields.String()
    amount = fields.Nested(RangeSchema, required=True)


class CitationSchema(Schema):
    number = fields.String(required=True)
    clause = _text(required=True)
    quote = fields.String(required=True)
    source = fields.String(required=True)


class OutcomeSchema(Schema):
    rule = fields.String(required=True)
    document = fields.String(required=True)
    title = _text(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    monetary = fields.Boolean(required=True)
    amount = fields.Nested(RangeSchema, required=True, allow_none=True)
    payers = fields.List(fields.Nested(PayerShareSchema), required=True)
    summary = _text(required=True)
    reasons = fields.List(fields.Dict(), required=True)
    calculation = fields.List(fields.Dict(), required=True)
    missing_facts = fields.List(fields.String(), required=True)
    citation = fields.Nested(CitationSchema, required=True)
    interpretation = _text(required=True, allow_none=True)
    benefit = _text(required=True, allow_none=True)
    stacking = fields.Dict()
    baseline = fields.Dict(allow_none=True, metadata={"description": "under a reform: the outcome's status and amount without it"})
    reform = _text()  # under a reform: says that the reform changed this clause


class RetrospectiveSchema(Schema):
    """The estimate as of the last day the city's rules were certainly in force."""

    as_of = fields.Date(required=True)
    total = fields.Nested(RangeSchema, required=True)
    payers = fields.List(fields.Nested(PayerShareSchema), required=True)
    missing_facts = fields.List(fields.String(), required=True)
    outcomes = fields.List(fields.Nested(OutcomeSchema), required=True)


class DigestSchema(Schema):
    digest = fields.String(required=True)


class EstimateSchema(Schema):
    """An estimate: totals, payers, missing facts and one outcome per rule."""

    id = fields.String(metadata={"description": "Present when the estimate was made with an API key and stored."})
    company = fields.String(metadata={"description": "The saved company it was made for, if any."})
    city = fields.String(required=True)
    city_name = _text(required=True)
    district = fields.String(required=True, allow_none=True)
    as_of = fields.Date(required=True)
    notice = fields.Dict(
        required=True,
        allow_none=True,
        metadata={
            "description": "Present when a document is not, or not certainly, in force on as_of: {zh, en, documents: [{id, number, state, from, to, possibly_from, possibly_to}]}."
        },
    )
    rulebook = fields.Nested(DigestSchema, required=True)
    total = fields.Nested(RangeSchema, required=True)
    payers = fields.List(fields.Nested(PayerShareSchema), required=True)
    missing_facts = fields.List(fields.String(), required=True)
    outcomes = fields.List(fields.Nested(OutcomeSchema), required=True)
    retrospective = fields.Nested(
        RetrospectiveSchema,
        required=True,
        allow_none=True,
        metadata={"description": "When as_of is after the last day the city's rules were certainly in force: the same estimate as of that day."},
    )
    baseline = fields.Dict(metadata={"description": "under a reform: {total, payers} without it"})
    difference = fields.Dict(
        metadata={
            "description": "under a reform: {total, payers}, the reform's minus the baseline's (min from min, max from max; null when either is unbounded)"
        }
    )
    reform = fields.Dict(metadata={"description": "under a reform: {id, title, digest, rulebook, changed_rules, removed_rules}"})


class RankSchema(Schema):
    city = fields.String(required=True)
    rank = fields.Integer(required=True)
    benefits = fields.List(fields.Dict(), required=True)
    unlock = fields.List(fields.Dict(), required=True)
    total = fields.Nested(RangeSchema, metadata={"description": "one-date form"})
    notice = fields.Dict(allow_none=True, metadata={"description": "one-date form: the city's estimate's notice"})
    estimate = fields.Nested(EstimateSchema, metadata={"description": "one-date form"})
    city_name = _text()
    district = fields.String(allow_none=True)
    cumulative_total = fields.Nested(RangeSchema, metadata={"description": "plan form"})
    totals_by_payer = fields.List(fields.Dict(), metadata={"description": "plan form"})
    years = fields.List(fields.Dict(), metadata={"description": "plan form: each year's totals, payers and outcomes"})
    reason = _text()
    baseline = fields.Dict(metadata={"description": "under a reform: the city's total without it"})
    difference = fields.Dict(metadata={"description": "under a reform: the change of the city's total"})


class ComparisonSchema(Schema):
    """Cities ranked by guaranteed total (cumulative, for a plan), ties by potential total."""

    as_of = fields.Date(metadata={"description": "one-date form"})
    notice = fields.Dict(allow_none=True, metadata={"description": "one-date form: why every city ties at nothing guaranteed, when they do ({zh, en})"})
    plan = fields.Dict(metadata={"description": "plan form"})
    rulebook = fields.Nested(DigestSchema, required=True)
    ranking = fields.List(fields.Nested(RankSchema), required=True)
    reform = fields.Dict(metadata={"description": "under a reform: its id, title, digest and the reformed rulebook's digest"})


class CompanySchema(Schema):
    """A saved company."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    city = fields.String(required=True)
    district = fields.String(required=True, allow_none=True)
    profile = fields.Dict(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class EstimateSummarySchema(Schema):
    """One stored estimate in a company's history."""

    id = fields.String(required=True)
    city = fields.String(required=True)
    as_of = fields.Date(required=True)
    created_at = fields.DateTime(required=True)
    rulebook = fields.Nested(DigestSchema, required=True)
    total = fields.Nested(RangeSchema, required=True)


class DocumentSummarySchema(Schema):
    id = fields.String(required=True)
    city = fields.String(required=True)
    number = fields.String(required=True)
    title = _text(required=True)
    status = fields.String(required=True)
    in_force = fields.Dict(required=True)
    inventory = fields.Dict(required=True)


class DocumentSchema(Schema):
    """A document: metadata, in-force window, clause inventory, rules and superseded variants."""

    id = fields.String(required=True)
    city = fields.String(required=True)
    city_name = _text(required=True)
    number = fields.String(required=True)
    issuer = _text(required=True)
    title = _text(required=True)
    source = fields.Dict(required=True)
    status = fields.String(required=True)
    in_force = fields.Dict(required=True)
    stacking = fields.Dict(required=True, allow_none=True)
    outside_facts = fields.List(fields.Dict(), required=True)
    inventory = fields.Dict(
        required=True, metadata={"description": "every support clause: encoded by rules (quote: their words) or not encoded, with the reason"}
    )
    not_support = fields.List(
        fields.Dict(), required=True, metadata={"description": "sentences that use a support word without promising support, each with its reason"}
    )
    rules = fields.List(fields.Dict(), required=True)


class RuleSummarySchema(Schema):
    id = fields.String(required=True)
    document = fields.String(required=True)
    title = _text(required=True)
    kind = fields.String(required=True)
    monetary = fields.Boolean(required=True)
    form = fields.String(required=True)


class RuleSchema(Schema):
    """A rule as data, with its quote and how many scenarios prove it."""

    id = fields.String(required=True)
    document = fields.String(required=True)
    number = fields.String(required=True)
    clause = _text(required=True)
    title = _text(required=True)
    quote = fields.String(required=True)
    source = fields.String(required=True)
    interpretation = _text(required=True, allow_none=True)
    applies_to = fields.List(fields.String(), required=True)
    kind = fields.String(required=True)
    monetary = fields.Boolean(required=True)
    conditions = fields.Dict(required=True, allow_none=True)
    award = fields.Dict(required=True)
    caps = fields.List(fields.Dict(), required=True)
    payers = fields.List(fields.Dict(), required=True)
    stacking = _text(required=True, allow_none=True)
    variants = fields.List(fields.Dict(), required=True)
    scenarios = fields.Integer(required=True, allow_none=True, metadata={"description": "how many scenario runs check the rule; null when no run is recorded"})
    checked_by = fields.List(
        fields.String(), required=True, allow_none=True, metadata={"description": "the scenarios (with their example row) whose Then steps check the rule"}
    )


class HealthSchema(Schema):
    status = fields.String(required=True)
    database = fields.Boolean(required=True)
    rulebook = fields.Nested(DigestSchema, required=True)


class CoverageSchema(Schema):
    """Rule and clause coverage of the last scenario run, and the support sentences of the sources."""

    rulebook = fields.Nested(DigestSchema, required=True)
    summary = fields.Dict(required=True)
    uncovered = fields.List(fields.Dict(), required=True, metadata={"description": "branches no scenario that checks their rule took"})
    unchecked = fields.List(fields.Dict(), required=True, metadata={"description": "rules no scenario checks"})
    documents = fields.List(fields.Dict(), required=True)
    support_sentences = fields.List(
        fields.Dict(), required=True, metadata={"description": "every support sentence of the source texts and the quote that accounts for it"}
    )


for _strict in (EstimateRequestSchema, FigureSchema, ComparisonRequestSchema, CompanyRequestSchema, CompanyEstimateRequestSchema):
    lists_its_fields(_strict)
