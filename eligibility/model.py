"""The rulebook as typed, immutable data: documents, rules, conditions, awards, caps and payers.

Nothing here evaluates anything; ``loader`` builds these from YAML and ``engine`` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import ClassVar, Literal

__all__ = [
    "DIFFERENCE_BRANCHES",
    "PAYERS",
    "STATUSES",
    "AllOf",
    "AnyOf",
    "Award",
    "Cap",
    "CappedAward",
    "Condition",
    "Document",
    "FixedAward",
    "InventoryEntry",
    "Leaf",
    "NonMonetaryAward",
    "Not",
    "NotSupport",
    "OutsideFact",
    "Payer",
    "PayerKind",
    "PerUnitAward",
    "RangedAward",
    "Rule",
    "Rulebook",
    "TableAward",
    "Text",
    "Tier",
    "TieredAward",
    "Unit",
    "Variant",
    "cap_branch",
]

AwardForm = Literal["fixed", "per_unit", "tiered", "capped", "ranged", "non_monetary"]
PayerKind = Literal["city", "district", "unstated"]
Status = Literal["eligible", "ineligible", "undetermined", "not_in_force"]
#: Every status of a rule's outcome, in the order reports list them (and batch results code them).
STATUSES: tuple[Status, ...] = ("eligible", "ineligible", "undetermined", "not_in_force")
#: Every payer, in the order totals list them: the city, the district, and where the text names no
#: split between responsible units of several levels, ``unstated``.
PAYERS: tuple[PayerKind, ...] = ("city", "district", "unstated")
CompareOp = Literal["eq", "ne", "gt", "ge", "lt", "le", "in", "not_in", "known", "unknown"]


@dataclass(frozen=True)
class Text:
    """The same words in Chinese and English."""

    zh: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class Leaf:
    """One test of one fact, e.g. ``operating_revenue_growth gt 0.20``."""

    path: str
    fact: str
    op: CompareOp
    operand: object
    label: Text | None = None


@dataclass(frozen=True)
class AllOf:
    """Holds when every item holds."""

    path: str
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """Holds when at least one item holds."""

    path: str
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    """Holds when its item does not."""

    path: str
    item: Condition


Condition = Leaf | AllOf | AnyOf | Not


@dataclass(frozen=True)
class Tier:
    """A threshold and the amount paid once it is reached."""

    threshold: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Unit:
    """An amount paid for each unit counted by a fact."""

    fact: str
    amount: Decimal


PayMode = Literal["full", "highest", "difference"]

#: The branches of paying only the difference against what the rule already paid (差额补足).
DIFFERENCE_BRANCHES = ("difference=nothing_paid_before", "difference=deducted", "difference=unknown")


def cap_branch(index: int, state: str) -> str:
    """The branch of a rule's cap ``index`` in ``state`` (binding, not_binding, unknown)."""
    return f"caps[{index}]={state}"


@dataclass(frozen=True, kw_only=True)
class _Award:
    """What every award form has: its name, whether it pays money, how it pays, its branches.

    ``pay``: ``full`` (fixed) or ``highest`` (the highest tier reached), or ``difference``: the
    amount minus what the rule already paid, so that nothing is paid twice.
    """

    form: ClassVar[AwardForm]
    monetary: ClassVar[bool] = True
    pay: PayMode = "full"

    @property
    def ceiling(self) -> Decimal | None:
        """The most one application can pay before caps, or None when it grows per unit (or pays nothing)."""
        return None

    @property
    def support(self) -> Text | None:
        """The non-monetary benefit, for a non-monetary award."""
        return None

    def branches(self) -> list[str]:
        """Every branch the award's own arithmetic can take, as the calculation records them."""
        return list(DIFFERENCE_BRANCHES) if self.pay == "difference" else []


@dataclass(frozen=True, kw_only=True)
class FixedAward(_Award):
    """A fixed amount."""

    form: ClassVar[AwardForm] = "fixed"
    amount: Decimal
    BRANCH: ClassVar[str] = "award=fixed"

    @property
    def ceiling(self) -> Decimal:
        return self.amount

    def branches(self) -> list[str]:
        return [self.BRANCH, *super().branches()]


@dataclass(frozen=True, kw_only=True)
class TableAward(_Award):
    """A fixed amount chosen by the value of an enum fact (``by``) from a table of value -> amount."""

    form: ClassVar[AwardForm] = "fixed"
    by: str
    amounts: tuple[tuple[str, Decimal], ...]

    @property
    def ceiling(self) -> Decimal:
        return max(amount for _, amount in self.amounts)

    @staticmethod
    def branch(value: object | None) -> str:
        return "award=unknown" if value is None else f"award={value}"

    def branches(self) -> list[str]:
        return [*(self.branch(value) for value, _ in self.amounts), self.branch(None), *super().branches()]


@dataclass(frozen=True, kw_only=True)
class PerUnitAward(_Award):
    """An amount for each unit counted by a fact, per fact."""

    form: ClassVar[AwardForm] = "per_unit"
    units: tuple[Unit, ...]

    @staticmethod
    def branch(fact: str, counted: bool) -> str:
        return f"unit[{fact}]={'counted' if counted else 'unknown'}"

    def branches(self) -> list[str]:
        return [branch for unit in self.units for branch in (self.branch(unit.fact, True), self.branch(unit.fact, False))]


@dataclass(frozen=True, kw_only=True)
class TieredAward(_Award):
    """The amount of the highest tier a money fact reaches (above a threshold, or at least it)."""

    form: ClassVar[AwardForm] = "tiered"
    fact: str
    inclusive: bool
    tiers: tuple[Tier, ...]
    pay: PayMode = "highest"

    @property
    def ceiling(self) -> Decimal:
        return self.tiers[-1].amount

    @staticmethod
    def branch(reached: int | None) -> str:
        return "tier=unknown" if reached is None else f"tier={reached}"

    def branches(self) -> list[str]:
        return [*(self.branch(i) for i in range(1, len(self.tiers) + 1)), self.branch(None), *super().branches()]


@dataclass(frozen=True, kw_only=True)
class CappedAward(_Award):
    """Up to an amount, limited by the rule's caps."""

    form: ClassVar[AwardForm] = "capped"
    up_to: Decimal
    BRANCH: ClassVar[str] = "award=capped"

    @property
    def ceiling(self) -> Decimal:
        return self.up_to

    def branches(self) -> list[str]:
        return [self.BRANCH]


@dataclass(frozen=True, kw_only=True)
class RangedAward(_Award):
    """An amount between a minimum and a maximum, as the authority decides."""

    form: ClassVar[AwardForm] = "ranged"
    minimum: Decimal
    maximum: Decimal
    BRANCH: ClassVar[str] = "award=ranged"

    @property
    def ceiling(self) -> Decimal:
        return self.maximum

    def branches(self) -> list[str]:
        return [self.BRANCH]


@dataclass(frozen=True, kw_only=True)
class NonMonetaryAward(_Award):
    """Support that is not money: a listing, a service, a priority."""

    form: ClassVar[AwardForm] = "non_monetary"
    monetary: ClassVar[bool] = False
    benefit: Text

    @property
    def support(self) -> Text:
        return self.benefit

    def branches(self) -> list[str]:
        return []


#: What a rule pays: one of the closed set of award forms.
Award = FixedAward | TableAward | PerUnitAward | TieredAward | CappedAward | RangedAward | NonMonetaryAward


@dataclass(frozen=True)
class Cap:
    """A ceiling on an award: a fixed limit, a fact's value, or a lifetime total under the rule."""

    kind: Literal["limit", "fact", "cumulative"]
    amount: Decimal | None = None
    fact: str | None = None


@dataclass(frozen=True)
class Payer:
    """Who pays which share of an award.

    ``unstated`` is a payer the text leaves open: it names responsible units of several levels
    (``units``, quoted from the source) and no split between them.
    """

    payer: PayerKind
    share: Fraction
    units: Text | None = None


@dataclass(frozen=True)
class Variant:
    """Another wording of a rule (e.g. a superseded draft); recorded, never applied to an estimate
    (a reform may apply it, by its ``id``)."""

    id: str
    source: str
    status: str
    clause: Text
    quote: str
    note: Text
    conditions: AllOf
    award: Award
    caps: tuple[Cap, ...]


@dataclass(frozen=True)
class Rule:
    """One support clause encoded as data."""

    id: str
    document: str
    clause: Text
    title: Text
    quote: str
    interpretation: Text | None
    applies_to: tuple[str, ...]
    kind: str
    conditions: AllOf
    award: Award
    caps: tuple[Cap, ...]
    payers: tuple[Payer, ...]
    stacking: Text | None
    variants: tuple[Variant, ...] = ()

    @property
    def monetary(self) -> bool:
        return self.award.monetary


@dataclass(frozen=True)
class InventoryEntry:
    """A support clause of a document: encoded by rules, or not encoded and why.

    ``source`` is the text the clause (and its ``quote``) comes from: the document's own, or for Wuhan
    the superseded draft whose clauses are recorded beside the final text's.
    """

    clause: Text
    summary: Text
    source: str
    rules: tuple[str, ...] = ()
    not_encoded: Text | None = None
    quote: str | None = None


@dataclass(frozen=True)
class NotSupport:
    """A sentence of a source text that reads like support (it says 支持, fund, …) but promises none, and why."""

    source: str
    quote: str
    reason: Text


@dataclass(frozen=True)
class OutsideFact:
    """A fact about a document that its text does not state, with where it comes from."""

    fact: Text
    source: Text


@dataclass(frozen=True)
class Document:
    """A policy document: metadata, in-force window, rules and clause inventory."""

    id: str
    path: str
    city: str
    city_name: Text
    number: str
    issuer: Text
    title: Text
    source: str
    source_language: str
    status: str
    in_force_from: date  # the earliest day the document may be in force
    in_force_to: date | None  # the latest day it may be in force; None: no end
    window_note: Text | None
    stacking: Literal["highest_only"] | None
    stacking_quote: str | None
    outside_facts: tuple[OutsideFact, ...]
    rules: tuple[Rule, ...]
    inventory: tuple[InventoryEntry, ...]
    not_support: tuple[NotSupport, ...] = ()
    #: The first and last day the document is certainly in force; they differ from ``in_force_from``
    #: and ``in_force_to`` only where the text leaves an edge uncertain (``window_doubt`` says why).
    certain_from: date | None = None
    certain_to: date | None = None
    window_doubt: Text | None = None
    aliases: tuple[str, ...] = ()

    @property
    def national(self) -> bool:
        return self.city == "national"

    @property
    def surely_from(self) -> date:
        return self.certain_from or self.in_force_from

    @property
    def surely_to(self) -> date | None:
        return self.certain_to if self.certain_to is not None else self.in_force_to

    @property
    def uncertain_window(self) -> bool:
        return self.surely_from != self.in_force_from or self.surely_to != self.in_force_to

    def in_force_on(self, day: date) -> bool | None:
        """Whether ``day`` is inside the in-force window (both ends included): True, False, or None
        when the day falls between an uncertain edge's earliest and latest possible date."""
        if day < self.in_force_from or (self.in_force_to is not None and day > self.in_force_to):
            return False
        surely_to = self.surely_to
        if day < self.surely_from or (surely_to is not None and day > surely_to):
            return None
        return True


@dataclass(frozen=True)
class Rulebook:
    """All documents, their rules by id, the cities they cover, and the digest of the files."""

    documents: tuple[Document, ...]
    digest: str
    rules: dict[str, Rule] = field(default_factory=dict)
    cities: dict[str, Text] = field(default_factory=dict)
    #: The source texts by file name, exactly as shipped.
    sources: dict[str, str] = field(default_factory=dict)
    #: The folder the rule files were read from (a reform reads them again to change them).
    root: str = ""

    def document(self, document_id: str) -> Document:
        return next(d for d in self.documents if d.id == document_id)

    def documents_for(self, city: str) -> tuple[Document, ...]:
        """The city's own documents, then the national ones that apply everywhere."""
        own = tuple(d for d in self.documents if d.city == city)
        return own + tuple(d for d in self.documents if d.national)

    def resolve_city(self, name: object) -> str | None:
        """The city id for any of its names (``wuhan``, ``Wuhan``, ``武汉``, ``武汉市``), or None."""
        return self._city_ids.get(name.strip().casefold()) if isinstance(name, str) else None

    @cached_property
    def _city_ids(self) -> dict[str, str]:
        """Each name of a city, case-folded, to its id: the first document that gives the name wins."""
        ids: dict[str, str] = {}
        for document in self.documents:
            if not document.national:
                for name in (document.city, document.city_name.zh, document.city_name.en, *document.aliases):
                    ids.setdefault(name.casefold(), document.city)
        return ids

    def city_names(self) -> list[str]:
        """Every name a city may be given by, each city's id first."""
        names: list[str] = []
        for document in self.documents:
            if not document.national:
                for name in (document.city, document.city_name.zh, document.city_name.en, *document.aliases):
                    if name not in names:
                        names.append(name)
        return names

    def unknown_city(self, name: object) -> str:
        """The message for a city name the rulebook does not know."""
        return f"Unknown city '{name}'; use one of: {self.known_cities()}."

    def known_cities(self) -> str:
        """The cities for an error message: ``suzhou (苏州市), wuhan (武汉市)``."""
        return ", ".join(f"{city} ({name.zh})" for city, name in sorted(self.cities.items()))
