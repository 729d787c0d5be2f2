"""The ``subsidy`` command and the terminal's presentation of the engine: tables and charts.

Nothing here decides anything: every figure comes from the ``eligibility`` engine's public API.
"""

from __future__ import annotations

__all__: list[str] = []
