"""The rulebook: one folder per city of rule files, and sources/ with the policy texts they quote.

Installed as the package data of ``eligibility.rules``; the loader reads it with importlib.resources.
"""
