"""The reference: Suzhou's and Wuhan's monetary rules written by hand in NumPy, for the benchmark only.

The product never uses this; it evaluates the rule files. This is what a careful programmer would write
for these rules alone (statuses not named, unknown facts as ranges, integer fen), to show what the
compiled rulebook costs against code written for the one case.
"""

from __future__ import annotations

import numpy as np

from eligibility.batch import FactColumn

Z = np.int64(0)
MAX = np.int64(2**63 - 1)


def suzhou(f: dict[str, FactColumn], prior: dict[str, FactColumn]) -> tuple[np.ndarray, np.ndarray]:
    """Total (low, high) of 苏府〔2020〕93号's three awards on a date inside its window."""
    ent, park = f["entity_type"], f["park_designation"]
    enterprise = ent.known & (ent.values == 0)
    not_enterprise = ent.known & (ent.values != 0)
    main = f["main_business_blockchain"]
    main_t, main_f = main.known & main.values, main.known & ~main.values
    # revenue_milestone: blockchain enterprises first exceeding 20/50/100/500 M pays 0.5/1/2/3 M, minus what was paid, capped by contribution.
    rev, cap, paid = f["blockchain_revenue"], f["local_fiscal_contribution"], prior["suzhou.revenue_milestone"]
    tier = np.array([0, 50_000_000, 100_000_000, 200_000_000, 300_000_000], dtype=np.int64)
    reached = tier[
        (rev.values > 2_000_000_000).view(np.int8)
        + (rev.values > 5_000_000_000).view(np.int8)
        + (rev.values > 10_000_000_000).view(np.int8)
        + (rev.values > 50_000_000_000).view(np.int8)
    ]
    high = np.where(rev.known, reached, tier[-1])
    low = np.where(rev.known & paid.known, np.maximum(reached - paid.values, Z), Z)
    high = np.maximum(high - paid.values, Z)
    low, high = np.minimum(low, cap.values), np.where(cap.known, np.minimum(high, cap.values), high)
    fails = not_enterprise | main_f | (rev.known & (rev.values <= 2_000_000_000)) | (high == 0)
    holds = enterprise & main_t & rev.known & ~fails
    m_low, m_high = np.where(holds, low, Z), np.where(fails, Z, high)
    # standard_setting: 500,000 per national and 300,000 per provincial standard led.
    nat, prov = f["standards_led.national"], f["standards_led.provincial"]
    amount = nat.values * 50_000_000 + prov.values * 30_000_000
    s_high = np.where(nat.known & prov.known, amount, MAX)
    research = ent.known & np.isin(ent.values, (0, 2, 3))
    s_fails = (ent.known & ~research) | (nat.known & prov.known & (nat.values == 0) & (prov.values == 0)) | (s_high == 0)
    s_holds = research & ((nat.known & (nat.values > 0)) | (prov.known & (prov.values > 0))) & ~s_fails
    s_low, s_high = np.where(s_holds, amount, Z), np.where(s_fails, Z, s_high)
    # park_designation: 3 M for a national pilot zone, 2 M for a provincial cluster, to parks, minus what was paid.
    by = np.array([0, 300_000_000, 200_000_000], dtype=np.int64)[park.values]
    paid_park = prior["suzhou.park_designation"]
    is_park = ent.known & (ent.values == 1)
    by_high = np.maximum(np.where(park.known, by, 300_000_000) - paid_park.values, Z)
    by_low = np.where(park.known & paid_park.known, np.maximum(by - paid_park.values, Z), Z)
    p_fails = (ent.known & ~is_park) | (park.known & (park.values == 0)) | (by_high == 0)
    p_holds = is_park & park.known & ~p_fails
    p_low, p_high = np.where(p_holds, by_low, Z), np.where(p_fails, Z, by_high)
    total_high = np.minimum(m_high, 2**58) + np.minimum(s_high, 2**58) + np.minimum(p_high, 2**58)
    return m_low + s_low + p_low, np.where(total_high >= 2**58, MAX, total_high)


def wuhan(f: dict[str, FactColumn], prior: dict[str, FactColumn]) -> tuple[np.ndarray, np.ndarray]:
    """Total (low, high) of Wuhan's four awards on a date inside its window."""
    ent = f["entity_type"]
    enterprise = ent.known & (ent.values == 0)
    not_enterprise = ent.known & (ent.values != 0)

    def flag(name: str) -> tuple[np.ndarray, np.ndarray]:
        c = f[name]
        return c.known & c.values, c.known & ~c.values

    main_t, main_f = flag("main_business_blockchain")
    pool_t, pool_f = flag("in_key_enterprise_pool")
    top_t, top_f = flag("national_top100_first_entry")
    paid = prior["wuhan.top100_first_entry"]
    # top100_first_entry: 2 M, once.
    t_fails = not_enterprise | top_f | (paid.known & (paid.values != 0))
    t_holds = enterprise & top_t & paid.known & (paid.values == 0)
    t_low, t_high = np.where(t_holds, 200_000_000, Z), np.where(t_fails, Z, 200_000_000)
    # key_pool_growth: growth above 20 %: min(contribution, 300,000).
    cur, pri, cap = f["operating_revenue"], f["operating_revenue_prior"], f["local_fiscal_contribution_prior"]
    g_known = cur.known & pri.known & (pri.values > 0)
    above = (cur.values - pri.values) * 5 > pri.values
    g_t, g_f = g_known & above, g_known & ~above
    this_year = prior["wuhan.key_pool_growth"]  # paid in the screening's year: at most once a year
    g_t, g_f = g_t & this_year.known & (this_year.values == 0), g_f | (this_year.known & (this_year.values != 0))
    high = np.where(cap.known, np.minimum(cap.values, 30_000_000), 30_000_000)
    low = np.minimum(cap.values, 30_000_000)
    k_fails = not_enterprise | main_f | pool_f | g_f | (high == 0)
    k_holds = enterprise & main_t & pool_t & g_t & ~k_fails
    k_low, k_high = np.where(k_holds, low, Z), np.where(k_fails, Z, high)
    # research_project and key_task: 500,000 and 2,000,000 each.
    out = [(t_low, t_high), (k_low, k_high)]
    research = ent.known & np.isin(ent.values, (0, 2, 3))
    for name, each in (("municipal_research_projects", 50_000_000), ("key_tasks_accepted", 200_000_000)):
        c = f[name]
        amount = c.values * each
        fails = (ent.known & ~research) | (c.known & (c.values == 0))
        holds = research & c.known & (c.values > 0)
        out.append((np.where(holds, amount, Z), np.where(fails, Z, np.where(c.known, amount, MAX))))
    total_low = sum(o[0] for o in out)
    total_high = sum(np.minimum(o[1], 2**58) for o in out)
    return total_low, np.where(total_high >= 2**58, MAX, total_high)
