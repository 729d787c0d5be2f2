"""Reading awards (one of the closed set of forms), caps and payers."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from ..facts import FACTS
from ..model import (
    PAYERS,
    Award,
    Cap,
    CappedAward,
    FixedAward,
    NonMonetaryAward,
    Payer,
    PerUnitAward,
    RangedAward,
    TableAward,
    Tier,
    TieredAward,
    Unit,
)
from .conditions import ConditionReader
from .reader import AWARD_FORMS, join

__all__ = ["AwardReader"]


class AwardReader(ConditionReader):
    """Reading awards (one of the closed set of forms), caps and payers."""

    # -- awards, caps, payers ------------------------------------------------------------------

    def award(self, value: object, key: str) -> Award:
        if not isinstance(value, Mapping) or value.get("form") not in AWARD_FORMS:
            form = value.get("form") if isinstance(value, Mapping) else None
            self.fail(join(key, "form"), f"unknown award form '{form}'.", f"use one of: {', '.join(AWARD_FORMS)}.")
        form = value["form"]
        if form == "fixed" and "by" in value:
            data = self.mapping(value, key, {"form", "by", "amounts", "pay"}, {"by", "amounts"})
            by = self.fact(data["by"], join(key, "by"), ("enum",))
            table = self.mapping(data["amounts"], join(key, "amounts"), set(FACTS[by].choices), set())
            if not table:
                self.fail(join(key, "amounts"), "must map at least one value of the fact to an amount.")
            amounts = tuple((str(k), self.money(v, join(join(key, "amounts"), str(k)))) for k, v in table.items())
            return TableAward(by=by, amounts=amounts, pay=self.pay(data, key, "full"))
        if form == "fixed":
            data = self.mapping(value, key, {"form", "amount", "pay"}, {"amount"})
            return FixedAward(amount=self.money(data["amount"], join(key, "amount")), pay=self.pay(data, key, "full"))
        if form == "capped":
            data = self.mapping(value, key, {"form", "up_to"}, {"up_to"})
            return CappedAward(up_to=self.money(data["up_to"], join(key, "up_to")))
        if form == "ranged":
            data = self.mapping(value, key, {"form", "min", "max"}, {"min", "max"})
            low, high = self.money(data["min"], join(key, "min")), self.money(data["max"], join(key, "max"))
            if low > high:
                self.fail(join(key, "min"), "min is above max.", "swap them.")
            return RangedAward(minimum=low, maximum=high)
        if form == "non_monetary":
            data = self.mapping(value, key, {"form", "benefit"}, {"benefit"})
            return NonMonetaryAward(benefit=self.text(data["benefit"], join(key, "benefit")))
        if form == "per_unit":
            data = self.mapping(value, key, {"form", "units"}, {"units"})
            units = data["units"]
            if not isinstance(units, list) or not units:
                self.fail(join(key, "units"), "must be a non-empty list of {fact, amount}.")
            parsed = []
            for i, unit in enumerate(units):
                ukey = f"{join(key, 'units')}[{i}]"
                u = self.mapping(unit, ukey, {"fact", "amount"}, {"fact", "amount"})
                parsed.append(Unit(self.fact(u["fact"], join(ukey, "fact"), ("count",)), self.money(u["amount"], join(ukey, "amount"))))
            return PerUnitAward(units=tuple(parsed))
        data = self.mapping(value, key, {"form", "fact", "above", "pay", "tiers"}, {"fact", "above", "pay", "tiers"})
        fact = self.fact(data["fact"], join(key, "fact"), ("money",))
        if data["above"] not in ("exclusive", "inclusive"):
            self.fail(join(key, "above"), "must be 'exclusive' (strictly more than) or 'inclusive' (at least).")
        self.pay(data, key, "highest")
        tiers_raw = data["tiers"]
        if not isinstance(tiers_raw, list) or not tiers_raw:
            self.fail(join(key, "tiers"), "must be a non-empty list of {threshold, amount}.")
        tiers: list[Tier] = []
        for i, tier in enumerate(tiers_raw):
            tkey = f"{join(key, 'tiers')}[{i}]"
            t = self.mapping(tier, tkey, {"threshold", "amount"}, {"threshold", "amount"})
            parsed_tier = Tier(self.money(t["threshold"], join(tkey, "threshold")), self.money(t["amount"], join(tkey, "amount")))
            if tiers and parsed_tier.threshold <= tiers[-1].threshold:
                self.fail(join(tkey, "threshold"), "tiers are out of order.", "list tiers by strictly increasing threshold.")
            if tiers and parsed_tier.amount <= tiers[-1].amount:
                self.fail(join(tkey, "amount"), "tier amounts must increase with the threshold.")
            tiers.append(parsed_tier)
        return TieredAward(fact=fact, inclusive=data["above"] == "inclusive", pay=self.pay(data, key, "highest"), tiers=tuple(tiers))

    def pay(self, data: Mapping[str, Any], key: str, plain: Literal["full", "highest"]) -> Literal["full", "highest", "difference"]:
        """How an award is paid: in full (``highest`` tier reached), or as the ``difference`` against
        what the rule already paid, so that it is never paid twice."""
        value = data.get("pay", plain)
        if value not in (plain, "difference"):
            self.fail(join(key, "pay"), f"must be '{plain}' or 'difference' (the amount minus what the rule already paid).")
        return plain if value == plain else "difference"

    def caps(self, value: object, key: str) -> tuple[Cap, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(key, "must be a list of caps.")
        caps = []
        for i, cap in enumerate(value):
            ckey = f"{key}[{i}]"
            if not isinstance(cap, Mapping) or len(cap) != 1 or next(iter(cap)) not in ("limit", "fact", "cumulative"):
                self.fail(ckey, "unknown cap.", "use {limit: AMOUNT}, {fact: MONEY_FACT} or {cumulative: AMOUNT}.")
            kind, raw = next(iter(cap.items()))
            if kind == "fact":
                caps.append(Cap("fact", fact=self.fact(raw, join(ckey, "fact"), ("money",))))
            else:
                caps.append(Cap(kind, amount=self.money(raw, join(ckey, kind))))
        return tuple(caps)

    def payers(self, value: object, key: str, monetary: bool, source: str, language: str) -> tuple[Payer, ...]:
        if value is None:
            if monetary:
                self.fail(key, "a monetary rule must say who pays.", "add payers: [{payer: city, share: 1}].")
            return ()
        if not isinstance(value, list) or not value:
            self.fail(key, "must be a non-empty list of {payer, share}.")
        payers = []
        for i, payer in enumerate(value):
            pkey = f"{key}[{i}]"
            p = self.mapping(payer, pkey, {"payer", "share", "units"}, {"payer", "share"})
            if p["payer"] not in PAYERS:
                self.fail(join(pkey, "payer"), f"unknown payer '{p['payer']}'.", f"use one of: {', '.join(PAYERS)}.")
            share = self.ratio(p["share"], join(pkey, "share"))
            if not 0 < share <= 1:
                self.fail(join(pkey, "share"), "must be more than 0 and at most 1.")
            units = None
            if p["payer"] == "unstated":
                if "units" not in p or len(value) != 1:
                    self.fail(
                        pkey,
                        "an unstated payer stands alone and names the responsible units the text lists.",
                        "write payers: [{payer: unstated, share: 1, units: {zh: ..., en: ...}}], quoting the units in the source's language.",
                    )
                units = self.text(p["units"], join(pkey, "units"))
                self.quote(units.zh if language == "zh" else units.en, join(pkey, f"units.{language}"), source)
            elif "units" in p:
                self.fail(join(pkey, "units"), "only an unstated payer names responsible units.")
            payers.append(Payer(p["payer"], share, units))
        total = sum((p.share for p in payers), Fraction(0))
        if total != 1:
            percent = (Decimal(total.numerator) * 100 / Decimal(total.denominator)).normalize()
            self.fail(key, f"payer shares sum to {percent:f} %, not 100 %.", "make the shares add up to 1.")
        return tuple(payers)
