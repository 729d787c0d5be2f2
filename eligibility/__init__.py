"""Subsidy eligibility engine: policy clauses as declarative rules, evaluated with explanations.

This package does no HTTP, no database and no terminal work: it reads the rulebook (shipped inside it
as ``eligibility.rules``), evaluates profiles, and says why in Chinese and English. Everything a
service, a command line or a notebook needs is named here; the modules behind these names are the
engine's own business. Screening a register (``eligibility.screen``, ``eligibility.batch``) needs the
``screening`` extra (NumPy and Arrow) and is imported on its own.
"""

from __future__ import annotations

from .catalogue import document_data, rule_data, rulebook_data
from .coverage import check, coverage_failures, coverage_report, default_runs, load_runs, recording, rules_named
from .engine import Estimate, Outcome, default_rulebook, estimate, evaluate, parse_as_of
from .errors import EligibilityError, InputError, RuleFileError
from .facts import ENTITY_TYPES, FACTS, PARK_DESIGNATIONS, label_of
from .jsonio import dumps, dumps_bytes, loads
from .loader import DEFAULT_RULES_DIR, load_rulebook
from .messages import translate, translate_errors
from .model import PAYERS, STATUSES, Document, Rule, Rulebook, Text
from .money import MAX_MONEY, format_money, parse_money
from .profile import (
    MAX_COUNT,
    Count,
    Money,
    Profile,
    ProfileSchema,
    StandardsLedSchema,
    StrictBool,
    flatten_errors,
    lists_its_fields,
    parse_profile,
    profile_from_loaded,
)
from .reform import Reform, apply_reform, estimate_under_reform, find_reform, range_difference, read_reform, shipped_reforms
from .relocation import compare, parse_plan, plan_cities
from .sources import account
from .text import STATUS_WORDS, localize, requirement, value_text

__all__ = [
    "DEFAULT_RULES_DIR",
    "ENTITY_TYPES",
    "FACTS",
    "MAX_COUNT",
    "MAX_MONEY",
    "PARK_DESIGNATIONS",
    "PAYERS",
    "STATUSES",
    "STATUS_WORDS",
    "Count",
    "Document",
    "EligibilityError",
    "Estimate",
    "InputError",
    "Money",
    "Outcome",
    "Profile",
    "ProfileSchema",
    "Reform",
    "Rule",
    "RuleFileError",
    "Rulebook",
    "StandardsLedSchema",
    "StrictBool",
    "Text",
    "account",
    "apply_reform",
    "check",
    "compare",
    "coverage_failures",
    "coverage_report",
    "default_rulebook",
    "default_runs",
    "document_data",
    "dumps",
    "dumps_bytes",
    "estimate",
    "estimate_under_reform",
    "evaluate",
    "find_reform",
    "flatten_errors",
    "format_money",
    "label_of",
    "lists_its_fields",
    "load_rulebook",
    "load_runs",
    "loads",
    "localize",
    "parse_as_of",
    "parse_money",
    "parse_plan",
    "parse_profile",
    "plan_cities",
    "profile_from_loaded",
    "range_difference",
    "read_reform",
    "recording",
    "requirement",
    "rule_data",
    "rulebook_data",
    "rules_named",
    "shipped_reforms",
    "translate",
    "translate_errors",
    "value_text",
]
