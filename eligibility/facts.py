"""The fact catalogue: every fact a rule may test, its type, and its name in Chinese and English.

A company profile supplies the *given* facts; the engine derives the rest:

- ``operating_revenue_growth`` = (operating_revenue - operating_revenue_prior) / operating_revenue_prior,
  an exact fraction; unknown when either revenue is unknown or the prior revenue is zero or less.
- ``paid_before`` = what the rule being evaluated has already paid the company, summed from
  ``prior_awards`` up to the estimate's year; unknown when ``prior_awards`` is absent.
- ``paid_this_year`` = what the rule paid in the estimate's year alone (for awards paid at most once a
  year); unknown when ``prior_awards`` is absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ENTITY_TYPES",
    "FACTS",
    "PARK_DESIGNATIONS",
    "PRIOR_AWARDS_LABEL",
    "Fact",
    "FactKind",
    "label_of",
]

FactKind = Literal["money", "bool", "count", "enum", "ratio"]

ENTITY_TYPES = ("enterprise", "park", "university", "research_institute")
PARK_DESIGNATIONS = ("none", "national_blockchain_pilot_zone", "provincial_blockchain_cluster")


@dataclass(frozen=True)
class Fact:
    """One fact a condition, an award or a cap may read."""

    name: str
    kind: FactKind
    zh: str
    en: str
    choices: tuple[str, ...] = ()
    #: For derived facts: the given facts it is computed from (reported as missing instead).
    derived_from: tuple[str, ...] = ()
    #: What a company can do to change this fact, for facts within its reach (zh, en).
    step: tuple[str, str] | None = None
    #: What to give, in a sentence for a form (zh, en).
    help: tuple[str, str] = ("", "")

    @property
    def derived(self) -> bool:
        return bool(self.derived_from)


_FACTS = [
    Fact(
        "entity_type",
        "enum",
        "主体类型",
        "entity type",
        ENTITY_TYPES,
        help=("申请主体是企业、园区、高校还是科研机构。", "Whether the applicant is an enterprise, a park, a university or a research institute."),
    ),
    Fact(
        "main_business_blockchain",
        "bool",
        "以区块链为主营业务",
        "blockchain is the main business",
        help=("区块链是否为主营业务（以区块链为主要业务）。", "Whether blockchain is the company's main business."),
    ),
    Fact(
        "operating_revenue",
        "money",
        "本年营业收入",
        "operating revenue this year",
        help=("估算年度的营业收入，单位元，最多两位小数。", "Operating revenue of the estimate's year, in yuan, at most two decimals."),
    ),
    Fact(
        "operating_revenue_prior",
        "money",
        "上年营业收入",
        "operating revenue last year",
        help=("上一年度的营业收入，用于计算增速。", "Operating revenue of the year before, to work out growth."),
    ),
    Fact(
        "blockchain_revenue",
        "money",
        "区块链主营业务收入",
        "blockchain main-business revenue",
        help=("区块链主营业务收入，单位元（苏州里程碑奖励按此计）。", "Revenue from the blockchain main business, in yuan (Suzhou's milestones count it)."),
    ),
    Fact(
        "local_fiscal_contribution",
        "money",
        "本年地方财政贡献",
        "local fiscal contribution this year",
        help=("估算年度缴纳税收中市、区留成部分，单位元。", "The city- and district-retained share of the taxes paid in the estimate's year, in yuan."),
    ),
    Fact(
        "local_fiscal_contribution_prior",
        "money",
        "上年地方财政贡献",
        "local fiscal contribution last year",
        help=("上一年度缴纳税收中市、区留成部分（武汉增长奖励以此为限）。", "The same for the year before (Wuhan's growth award is capped by it)."),
    ),
    Fact(
        "in_key_enterprise_pool",
        "bool",
        "已入市重点企业培育库",
        "in the city's key enterprise cultivation pool",
        help=("是否已列入市重点企业培育库。", "Whether the company is in the city's key enterprise cultivation pool."),
        step=("申请进入市重点企业培育库", "apply for admission to the city's key enterprise cultivation pool"),
    ),
    Fact(
        "national_top100_first_entry",
        "bool",
        "首次进入权威机构发布的全国区块链百强企业",
        "first entry on an authoritative national top-100 blockchain enterprise list",
        help=(
            "是否首次进入权威机构发布的全国区块链百强企业榜单。",
            "Whether the company entered a national top-100 blockchain list published by an authority for the first time.",
        ),
    ),
    Fact(
        "municipal_research_projects",
        "count",
        "入选市级企业技术创新项目或应用基础前沿项目的区块链项目数",
        "blockchain projects selected as municipal technology-innovation or application-foundation frontier projects",
        help=(
            "本年度入选市级企业技术创新项目、应用基础前沿项目的区块链项目个数。",
            "How many blockchain projects were selected as municipal research projects this year.",
        ),
        step=("申报市级企业技术创新项目或应用基础前沿项目", "have a blockchain project selected as a municipal research project"),
    ),
    Fact(
        "key_tasks_accepted",
        "count",
        "揭榜后经考核认定实施成功的重点任务数",
        "unveiled key tasks accepted as successfully implemented",
        help=(
            "揭榜后经考核认定实施成功、尚未获奖的重点任务个数。",
            "How many unveiled key tasks were accepted as successfully implemented and not yet rewarded.",
        ),
        step=("揭榜区块链技术和产业创新重点任务并通过考核", "unveil a key blockchain task and have it accepted"),
    ),
    Fact(
        "standards_led.national",
        "count",
        "作为主要单位制定的国家级区块链标准数",
        "national blockchain standards led as main drafting unit",
        help=("作为主要单位参与制定的国家级区块链标准个数。", "How many national blockchain standards the company led as a main drafting unit."),
        step=("作为主要单位参与制定国家级区块链标准", "lead the drafting of a national blockchain standard"),
    ),
    Fact(
        "standards_led.provincial",
        "count",
        "作为主要单位制定的省级区块链标准数",
        "provincial blockchain standards led as main drafting unit",
        help=("作为主要单位参与制定的省级区块链标准个数。", "How many provincial blockchain standards the company led as a main drafting unit."),
        step=("作为主要单位参与制定省级区块链标准", "lead the drafting of a provincial blockchain standard"),
    ),
    Fact(
        "park_designation",
        "enum",
        "园区获评称号",
        "park designation",
        PARK_DESIGNATIONS,
        help=("园区获评的国家级或省级区块链称号（园区填写）。", "The national or provincial blockchain designation a park holds (for parks)."),
    ),
    Fact(
        "high_growth",
        "bool",
        "具有高成长性",
        "high-growth company",
        help=("是否属于具有高成长性的企业（长沙小巨人培育）。", "Whether the company is a high-growth company (Changsha's little giants)."),
    ),
    Fact(
        "operating_revenue_growth",
        "ratio",
        "营业收入增速",
        "operating revenue growth",
        derived_from=("operating_revenue", "operating_revenue_prior"),
    ),
    Fact("paid_before", "money", "本条款已支付金额", "already paid under this clause", derived_from=("prior_awards",)),
    Fact("paid_this_year", "money", "本条款本年度已支付金额", "already paid under this clause this year", derived_from=("prior_awards",)),
]

#: Words for ``prior_awards``, which is not a fact a rule tests but settles what a rule paid before.
PRIOR_AWARDS_LABEL = ("以往奖励记录", "award history")

#: Every fact by name, in the order results list them.
FACTS: dict[str, Fact] = {fact.name: fact for fact in _FACTS}


def label_of(name: str) -> tuple[str, str]:
    """A fact's name for people (zh, en), ``prior_awards`` included: never the raw identifier."""
    if name == "prior_awards":
        return PRIOR_AWARDS_LABEL
    fact = FACTS[name]
    return fact.zh, fact.en
