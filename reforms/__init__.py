"""Reforms shipped with the rulebook (政策沙盘): each a YAML file of changes to the rules.

Installed as the package data of ``eligibility.reforms``.
"""
