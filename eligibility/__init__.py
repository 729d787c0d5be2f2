"""Subsidy eligibility engine: policy clauses as declarative rules, evaluated with explanations.

This package does no HTTP and no database work; it reads rule files and evaluates profiles.
"""
from __future__ import annotations

from .engine import Estimate, default_rulebook, estimate, evaluate
from .errors import EligibilityError, InputError, RuleFileError
from .loader import load_rulebook
from .model import Document, Rule, Rulebook
from .profile import Profile, parse_profile

__all__ = [
    "Document",
    "EligibilityError",
    "Estimate",
    "InputError",
    "Profile",
    "Rule",
    "RuleFileError",
    "Rulebook",
    "default_rulebook",
    "estimate",
    "evaluate",
    "load_rulebook",
    "parse_profile",
]
