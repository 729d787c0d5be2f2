"""Binds every feature file under features/ to pytest; the steps live in conftest.py."""

from pytest_bdd import scenarios

scenarios("wuhan", "suzhou", "changsha", "national", "api")
