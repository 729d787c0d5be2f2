"""Compiled conditions against the three-valued logic they implement, on random condition trees."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.conditions import FactContext, compile_condition, explain, leaves
from eligibility.facts import ENTITY_TYPES
from eligibility.model import AllOf, AnyOf, Condition, Leaf, Not
from eligibility.profile import PriorAward, Profile

# Facts of every kind a leaf can test, given and derived.
_MONEY = st.one_of(st.none(), st.integers(0, 10**16 - 1).map(lambda fen: Decimal(fen).scaleb(-2)))
_LEAVES = st.one_of(
    st.builds(lambda op, v: ("operating_revenue", op, v), st.sampled_from(["gt", "ge", "lt", "le", "eq", "ne"]), st.integers(0, 10**6).map(Decimal)),
    st.builds(lambda op, v: ("key_tasks_accepted", op, v), st.sampled_from(["gt", "ge", "lt", "le", "eq", "ne"]), st.integers(0, 5)),
    st.builds(lambda op, v: ("main_business_blockchain", op, v), st.sampled_from(["eq", "ne"]), st.booleans()),
    st.builds(lambda op, v: ("entity_type", op, v), st.sampled_from(["eq", "ne"]), st.sampled_from(ENTITY_TYPES)),
    st.builds(
        lambda op, v: ("entity_type", op, tuple(v)),
        st.sampled_from(["in", "not_in"]),
        st.lists(st.sampled_from(ENTITY_TYPES), min_size=1, max_size=3, unique=True),
    ),
    st.builds(lambda op, v: ("operating_revenue_growth", op, v), st.sampled_from(["gt", "ge", "lt", "le"]), st.fractions(-1, 3, max_denominator=100)),
    st.builds(lambda op, v: ("paid_before", op, v), st.sampled_from(["gt", "ge", "eq"]), st.integers(0, 1000).map(Decimal)),
    st.builds(lambda op, v: ("local_fiscal_contribution", op, v), st.sampled_from(["known", "unknown"]), st.just(True)),
)


def _tree(depth: int = 3) -> st.SearchStrategy[tuple[object, ...]]:
    leaf = _LEAVES.map(lambda spec: ("leaf", *spec))
    if depth == 0:
        return leaf
    inner = _tree(depth - 1)
    return st.one_of(
        leaf,
        st.lists(inner, min_size=1, max_size=4).map(lambda items: ("all", items)),
        st.lists(inner, min_size=1, max_size=4).map(lambda items: ("any", items)),
        inner.map(lambda item: ("not", item)),
    )


def _build(spec: tuple[object, ...], path: str = "conditions") -> Condition:
    kind = spec[0]
    if kind == "leaf":
        _, fact, op, operand = spec
        return Leaf(path, str(fact), op, operand)  # type: ignore[arg-type]
    if kind == "not":
        return Not(path, _build(spec[1], f"{path}.not"))  # type: ignore[arg-type]
    items = tuple(_build(item, f"{path}.{kind}[{i}]") for i, item in enumerate(spec[1]))  # type: ignore[arg-type]
    return AllOf(path, items) if kind == "all" else AnyOf(path, items)


def _expected(condition: Condition, facts: FactContext) -> bool | None:
    """Kleene's three-valued logic, written plainly: the specification the generated code must meet."""
    if isinstance(condition, Leaf):
        value = facts.value(condition.fact)
        if condition.op in ("known", "unknown"):
            return (value is not None) == (condition.op == "known")
        if value is None:
            return None
        operand = condition.operand
        return {
            "gt": lambda: value > operand,  # type: ignore[operator]
            "ge": lambda: value >= operand,  # type: ignore[operator]
            "lt": lambda: value < operand,  # type: ignore[operator]
            "le": lambda: value <= operand,  # type: ignore[operator]
            "eq": lambda: value == operand,
            "ne": lambda: value != operand,
            "in": lambda: value in operand,  # type: ignore[operator]
            "not_in": lambda: value not in operand,  # type: ignore[operator]
        }[condition.op]()
    if isinstance(condition, Not):
        inner = _expected(condition.item, facts)
        return None if inner is None else not inner
    values = [_expected(item, facts) for item in condition.items]
    if isinstance(condition, AnyOf):
        return True if True in values else None if None in values else False
    return False if False in values else None if None in values else True


_PROFILES = st.builds(
    lambda revenue, prior, tasks, main, entity, paid, contribution: Profile(
        facts={
            k: v
            for k, v in {
                "operating_revenue": revenue,
                "operating_revenue_prior": prior,
                "key_tasks_accepted": tasks,
                "main_business_blockchain": main,
                "entity_type": entity,
                "local_fiscal_contribution": contribution,
            }.items()
            if v is not None
        },
        prior_awards=None if paid is None else (PriorAward("r", paid, 2022),),
    ),
    _MONEY,
    _MONEY,
    st.one_of(st.none(), st.integers(0, 5)),
    st.one_of(st.none(), st.booleans()),
    st.one_of(st.none(), st.sampled_from(ENTITY_TYPES)),
    st.one_of(st.none(), st.integers(0, 1000).map(Decimal)),
    _MONEY,
)


@settings(max_examples=400, deadline=None)
@given(spec=_tree(), profile=_PROFILES)
def test_compiled_conditions_follow_three_valued_logic(spec: tuple[object, ...], profile: Profile) -> None:
    condition = _build(spec)
    facts = FactContext(profile, "r", 2022)
    held, trace = compile_condition(condition)(profile.facts.get, facts.value)
    assert held == _expected(condition, facts)
    tests = list(leaves(condition))
    assert trace == tuple(_expected(leaf, facts) for leaf in tests)  # every test evaluated, in order
    explained = explain(condition, facts, trace)
    assert explained.held == held
    assert [r["condition"] for r in explained.reasons if "fact" in r] == [leaf.path for leaf in tests]
    if held is not None:
        assert explained.missing == []  # a settled condition needs no further fact


def test_growth_of_exactly_the_threshold_is_not_more_than_it() -> None:
    condition = Leaf("conditions[0]", "operating_revenue_growth", "gt", Fraction(1, 5))
    profile = Profile(facts={"operating_revenue": Decimal("12000000.00"), "operating_revenue_prior": Decimal("10000000.00")})
    facts = FactContext(profile, "r", 2022)
    assert compile_condition(condition)(profile.facts.get, facts.value) == (False, (False,))
    more = Profile(facts={"operating_revenue": Decimal("12000000.01"), "operating_revenue_prior": Decimal("10000000.00")})
    assert compile_condition(condition)(more.facts.get, FactContext(more, "r", 2022).value) == (True, (True,))
