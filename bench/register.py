"""The fixed synthetic register for the benchmarks: a seeded generator, so every run screens the same companies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from eligibility.facts import ENTITY_TYPES, PARK_DESIGNATIONS

SEED = 20211


def _money(rng: np.random.Generator, size: int, high_yuan: int, unknown: float) -> pa.Array:
    """Fen amounts, log-uniform-ish up to ``high_yuan``, some unknown, as decimal128(18, 2)."""
    exponent = rng.uniform(4, np.log10(high_yuan), size)
    fen = (10**exponent * 100).astype(np.int64)
    fen -= fen % rng.choice([1, 100, 1_000_000], size)  # some cents, some whole yuan, some round figures
    words = np.empty((size, 2), dtype=np.int64)
    words[:, 0], words[:, 1] = fen, 0
    valid = rng.random(size) >= unknown
    return pa.Array.from_buffers(pa.decimal128(18, 2), size, [pa.py_buffer(np.packbits(valid, bitorder="little")), pa.py_buffer(words)])


def _maybe(rng: np.random.Generator, values: np.ndarray, unknown: float) -> pa.Array:
    return pa.array(values, mask=rng.random(len(values)) < unknown)


def register(size: int, seed: int = SEED) -> pa.Table:
    """``size`` companies: every fact of the profile, about one in ten cells unknown."""
    rng = np.random.default_rng(seed)
    prior = _money(rng, size, 2_000_000_000, 0.1)
    prior_fen = np.frombuffer(prior.buffers()[1], dtype=np.int64)[::2]
    growth = rng.choice([-10, 0, 10, 20, 25, 30, 50], size)  # percent, 20 % exactly among them
    current_fen = prior_fen + prior_fen * growth // 100
    current = pa.Array.from_buffers(
        pa.decimal128(18, 2), size, [prior.buffers()[0], pa.py_buffer(np.column_stack([current_fen, np.zeros(size, np.int64)]).ravel())]
    )
    return pa.table(
        {
            "company_id": pa.array(np.char.add("C", np.arange(size).astype(str))) if size <= 2_000_000 else pa.array(np.arange(size)),
            "entity_type": _maybe(rng, rng.choice(ENTITY_TYPES, size, p=[0.85, 0.05, 0.05, 0.05]), 0.02),
            "main_business_blockchain": _maybe(rng, rng.random(size) < 0.6, 0.1),
            "operating_revenue": current,
            "operating_revenue_prior": prior,
            "blockchain_revenue": _money(rng, size, 1_000_000_000, 0.1),
            "local_fiscal_contribution": _money(rng, size, 20_000_000, 0.1),
            "local_fiscal_contribution_prior": _money(rng, size, 20_000_000, 0.1),
            "in_key_enterprise_pool": _maybe(rng, rng.random(size) < 0.3, 0.1),
            "national_top100_first_entry": _maybe(rng, rng.random(size) < 0.02, 0.1),
            "municipal_research_projects": _maybe(rng, rng.poisson(0.3, size), 0.1),
            "key_tasks_accepted": _maybe(rng, rng.poisson(0.1, size), 0.1),
            "standards_led.national": _maybe(rng, rng.poisson(0.05, size), 0.1),
            "standards_led.provincial": _maybe(rng, rng.poisson(0.1, size), 0.1),
            "park_designation": _maybe(rng, rng.choice(PARK_DESIGNATIONS, size, p=[0.9, 0.04, 0.06]), 0.1),
            "high_growth": _maybe(rng, rng.random(size) < 0.2, 0.1),
            "prior:suzhou.revenue_milestone": _money(rng, size, 3_000_000, 0.3),
            "prior:wuhan.top100_first_entry": _money(rng, size, 2_000_000, 0.3),
            "prior:suzhou.park_designation": _money(rng, size, 3_000_000, 0.3),
            "prior:wuhan.key_pool_growth": _money(rng, size, 300_000, 0.3),
        }
    )


def write_register(path: Path, size: int, chunk: int = 1_000_000) -> Path:
    """Write ``size`` companies to a Parquet file, a million at a time (bounded memory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = None
    for start in range(0, size, chunk):
        table = register(min(chunk, size - start), seed=SEED + start)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema, compression="zstd")
        writer.write_table(table)
    assert writer is not None
    writer.close()
    return path
