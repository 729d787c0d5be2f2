"""The company profile: marshmallow schemas that read it strictly, and the parsed ``Profile``.

An absent fact, or one given as ``null``, is unknown; it is never read as zero or false.
Unknown keys are refused, so a misspelt fact cannot silently become "unknown".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any, TypeVar

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .errors import InputError
from .facts import ENTITY_TYPES, FACTS, PARK_DESIGNATIONS
from .jsonio import JsonNumber
from .model import Text
from .money import MoneyError, parse_money

__all__ = [
    "PER_RULE",
    "FactContext",
    "Known",
    "PriorAward",
    "Profile",
    "ProfileSchema",
    "collect_profile",
    "flatten_errors",
    "lists_its_fields",
    "parse_profile",
    "profile_from_loaded",
]

MAX_COUNT = 10_000
#: The longest award history a profile may give: bounds the cost of a request, far above any real history.
MAX_PRIOR_AWARDS = 500
MIN_YEAR, MAX_YEAR = 1990, 2100


class Money(fields.Field):  # type: ignore[type-arg]
    """Yuan as an integer or a decimal string; deserialises to an exact Decimal."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, JsonNumber):
            raise ValidationError('Amount must be an integer or a decimal string such as "1234.56", not a JSON number with a decimal point or exponent.')
        try:
            return parse_money(value)
        except MoneyError as exc:
            raise ValidationError(f"Amount {exc}") from exc

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{value:.2f}"


class StrictBool(fields.Field):  # type: ignore[type-arg]
    """JSON true or false only: not 1, "yes" or "true"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Must be true or false.")
        return value


class Count(fields.Field):  # type: ignore[type-arg]
    """A whole, non-negative number of things (projects, tasks, standards)."""

    def __init__(self, minimum: int = 0, maximum: int = MAX_COUNT, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.minimum = minimum
        self.maximum = maximum

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            raise ValidationError("Must be a whole number, e.g. 2.")
        if isinstance(value, Decimal):
            if not value.is_finite() or value != value.to_integral_value():
                raise ValidationError("Must be a whole number; counts cannot be fractional.")
            if isinstance(value, JsonNumber):
                raise ValidationError("Must be a whole number written without a decimal point or exponent, e.g. 2.")
            if abs(value) > self.maximum:
                raise ValidationError(f"Must be between {self.minimum} and {self.maximum}.")
            value = int(value)
        if value < 0 and self.minimum == 0:
            raise ValidationError("Must not be negative.")
        if not self.minimum <= value <= self.maximum:
            raise ValidationError(f"Must be between {self.minimum} and {self.maximum}.")
        return int(value)


_S = TypeVar("_S", bound=type[Schema])


def lists_its_fields(schema: _S) -> _S:
    """Make a strict schema's "Unknown field." name the fields it does accept."""
    names = ", ".join(schema._declared_fields)
    schema.error_messages = {**getattr(schema, "error_messages", {}), "unknown": f"Unknown field. Valid fields: {names}."}
    return schema


@lists_its_fields
class StandardsLedSchema(Schema):
    """Standards the company led as main drafting unit, by level."""

    class Meta:
        unknown = RAISE

    national = Count(allow_none=True)
    provincial = Count(allow_none=True)


@lists_its_fields
class PriorAwardSchema(Schema):
    """An award already paid to the company under one rule."""

    class Meta:
        unknown = RAISE

    rule = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={"rulebook": "rule"})
    amount = Money(required=True)
    year = Count(required=True, minimum=MIN_YEAR, maximum=MAX_YEAR)


@lists_its_fields
class ProfileSchema(Schema):
    """The facts a company gives about itself; every one optional, absent meaning unknown."""

    class Meta:
        unknown = RAISE

    entity_type = fields.String(allow_none=True, validate=validate.OneOf(ENTITY_TYPES))
    main_business_blockchain = StrictBool(allow_none=True)
    operating_revenue = Money(allow_none=True)
    operating_revenue_prior = Money(allow_none=True)
    blockchain_revenue = Money(allow_none=True)
    local_fiscal_contribution = Money(allow_none=True)
    local_fiscal_contribution_prior = Money(allow_none=True)
    in_key_enterprise_pool = StrictBool(allow_none=True)
    national_top100_first_entry = StrictBool(allow_none=True)
    municipal_research_projects = Count(allow_none=True)
    key_tasks_accepted = Count(allow_none=True)
    standards_led = fields.Nested(StandardsLedSchema, allow_none=True)
    park_designation = fields.String(allow_none=True, validate=validate.OneOf(PARK_DESIGNATIONS))
    high_growth = StrictBool(allow_none=True)
    prior_awards = fields.List(
        fields.Nested(PriorAwardSchema),
        allow_none=True,
        validate=validate.Length(max=MAX_PRIOR_AWARDS, error=f"At most {MAX_PRIOR_AWARDS} earlier awards; a company's history is never longer."),
    )


@dataclass(frozen=True)
class PriorAward:
    """An amount a rule already paid, and the year it was paid."""

    rule: str
    amount: Decimal
    year: int


@dataclass(frozen=True)
class Profile:
    """A validated profile: the known given facts, and the award history if given."""

    facts: Mapping[str, object] = field(default_factory=dict)
    prior_awards: tuple[PriorAward, ...] | None = None

    def get(self, name: str) -> object | None:
        """A given fact's value, or None when it is unknown."""
        return self.facts.get(name)

    def growth(self) -> tuple[Fraction | None, str | None]:
        """Operating revenue growth as an exact fraction, or None with the reason it is unknown."""
        return self._growth

    @cached_property
    def _growth(self) -> tuple[Fraction | None, str | None]:
        """Worked out once per profile: several rules ask."""
        current = self.facts.get("operating_revenue")
        prior = self.facts.get("operating_revenue_prior")
        if current is None or prior is None:
            return None, None
        assert isinstance(current, Decimal) and isinstance(prior, Decimal)
        if prior <= 0:
            return None, "prior_revenue_not_positive"
        # (current - prior) / prior, over the amounts' integer ratios: one exact fraction, made once.
        current_top, current_bottom = current.as_integer_ratio()
        prior_top, prior_bottom = prior.as_integer_ratio()
        return Fraction(current_top * prior_bottom - prior_top * current_bottom, current_bottom * prior_top), None

    def paid_before(self, rule: str, year: int) -> Decimal | None:
        """What ``rule`` paid up to and including ``year``; None when the history is unknown."""
        if self.prior_awards is None:
            return None
        return sum((a.amount for a in self.prior_awards if a.rule == rule and a.year <= year), Decimal("0.00"))

    def paid_in(self, rule: str, year: int) -> Decimal | None:
        """What ``rule`` paid in ``year`` alone; None when the history is unknown."""
        if self.prior_awards is None:
            return None
        return sum((a.amount for a in self.prior_awards if a.rule == rule and a.year == year), Decimal("0.00"))


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested error dict into ``{"prior_awards[0].amount": [...]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix or "_schema"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_errors(value, path))
    elif isinstance(messages, list):
        flat.setdefault(prefix, []).extend(str(m) for m in messages)
    else:
        flat.setdefault(prefix, []).append(str(messages))
    return flat


_SCHEMA = ProfileSchema()


def parse_profile(data: object, *, prefix: str = "") -> Profile:
    """Validate raw profile data; raise InputError naming every bad field."""
    if not isinstance(data, Mapping):
        raise InputError.single(prefix or "profile", "Must be a JSON object of facts.")
    try:
        loaded: dict[str, Any] = _SCHEMA.load(data)
    except ValidationError as exc:
        raise InputError(flatten_errors(exc.messages, prefix)) from None
    return profile_from_loaded(loaded)


def profile_from_loaded(loaded: Mapping[str, Any]) -> Profile:
    """The ``Profile`` of data ``ProfileSchema`` has already loaded (e.g. nested in a request schema)."""
    facts: dict[str, object] = {}
    for name, value in loaded.items():
        if name in ("standards_led", "prior_awards") or value is None:
            continue
        facts[name] = value
    for level, count in (loaded.get("standards_led") or {}).items():
        if count is not None:
            facts[f"standards_led.{level}"] = count
    prior = loaded.get("prior_awards")
    awards = None
    if prior is not None:
        awards = tuple(PriorAward(p["rule"], p["amount"], p["year"]) for p in prior)
    return Profile(facts=facts, prior_awards=awards)


def collect_profile(profile: Mapping[str, Any] | Profile, errors: dict[str, list[str]]) -> Profile:
    """The request's profile, parsed; its field errors (as ``profile.*``) are added to ``errors``."""
    if isinstance(profile, Profile):
        return profile
    try:
        return parse_profile(profile, prefix="profile")
    except InputError as exc:
        errors.update(exc.errors)
        return Profile()


# -- the facts as one rule sees them ----------------------------------------------------------------


@dataclass(frozen=True)
class Known:
    """A fact's value, or why it is unknown."""

    value: object | None
    missing: tuple[str, ...] = ()
    why_unknown: Text | None = None


_NOT_POSITIVE = Text(
    "上年营业收入为零或负数，无法计算增速",
    "last year's operating revenue is zero or less, so growth cannot be computed",
)
_GROWTH = "operating_revenue_growth"
_PAID = "paid_before"
_PAID_THIS_YEAR = "paid_this_year"
#: Facts whose value differs from rule to rule of one estimate: what each rule paid.
PER_RULE = frozenset((_PAID, _PAID_THIS_YEAR))


class FactContext:
    """A profile's facts as one rule of one estimate sees them: given, derived (growth) and what
    the rule already paid; each with the facts that would settle it when unknown."""

    __slots__ = ("profile", "rule", "year")

    def __init__(self, profile: Profile, rule: str, year: int) -> None:
        self.profile = profile
        self.rule = rule
        self.year = year

    def value(self, name: str) -> object | None:
        """The fact's value, None when unknown: what evaluation needs, and nothing more."""
        if name == _GROWTH:
            return self.profile.growth()[0]
        if name == _PAID:
            return self.profile.paid_before(self.rule, self.year)
        if name == _PAID_THIS_YEAR:
            return self.profile.paid_in(self.rule, self.year)
        return self.profile.facts.get(name)

    def get(self, name: str) -> Known:
        """The fact's value, or which facts would settle it and why it is unknown."""
        if name == _GROWTH:
            growth, reason = self.profile.growth()
            if growth is not None:
                return Known(growth)
            if reason is not None:
                return Known(None, why_unknown=_NOT_POSITIVE)
            missing = tuple(n for n in FACTS[name].derived_from if self.profile.get(n) is None)
            return Known(None, missing)
        if name in PER_RULE:
            paid = self.value(name)
            return Known(paid) if paid is not None else Known(None, ("prior_awards",))
        value = self.profile.get(name)
        return Known(value) if value is not None else Known(None, (name,))
