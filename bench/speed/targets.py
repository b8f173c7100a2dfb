"""Issue 14's targets, and each one checked against a size's results."""

from collections import namedtuple

from .freshness import FRESH_DOCUMENTS

Target = namedtuple("Target", "label op limit up_to")
# up_to: the largest size the target is set for (None: every size); above it
# the figure is shown without a mark.
TARGETS = {
    "p50_ratio": Target("p50 ≤ 1.5× FTS5", "<=", 1.5, None),
    "p95_ratio": Target("p95 ≤ 1.0× FTS5", "<=", 1.0, None),
    "build_ratio": Target("build ≥ 3× stock Whoosh docs/s", ">=", 3.0, None),
    "served_ratio": Target("served ≥ 25% of trivial (cache off)", ">=", 0.25, 50_000),
    "errors": Target("0 errors", "==", 0, None),
    "worker_own_mb": Target("worker own memory ≤ 100 MB", "<=", 100.0, 50_000),
    "indexer_rss_mb": Target("indexer peak ≤ 600 MB", "<=", 600.0, None),
    "index_size_ratio": Target("index on disk ≤ 1.5× FTS5", "<=", 1.5, None),
    "reindex_seconds": Target("unchanged re-index < 5 s", "<", 5.0, 50_000),
    "fresh_seconds": Target(f"{FRESH_DOCUMENTS} new files searchable < 10 s", "<", 10.0, 50_000),
    # Issue 16: typo tolerance costs at most a fifth at p95 (on over exact=1).
    "tolerance_p95_ratio": Target("p95 tolerance on ≤ 1.2× off", "<=", 1.2, None),
}
OPS = {"<": float.__lt__, "<=": float.__le__, ">=": float.__ge__, "==": float.__eq__}


def ok(entry):
    """``entry`` when it is a measurement, None when missing or failed."""
    return entry if isinstance(entry, dict) and "error" not in entry else None


def _divide(a, b, digits=2):
    return round(a / b, digits) if a is not None and b else None


def worker_own_mb(served):
    memory = (ok(served) or {}).get("worker_memory") or []
    values = [w.get("anon_mb") for w in memory if w.get("anon_mb") is not None]
    return max(values) if values else None


def our_errors(result):
    """Errors of ours in every phase; None when one of its phases failed."""
    ours_phases = ("build ours", "reindex", "queries", "served", "served_cached", "fresh")
    if any(phase in result.get("failures", {}) for phase in ours_phases):
        return None
    queries = result.get("queries") or {}
    if any(name in queries.get("unavailable", {}) for name in ("ours", "ours_off", "ours_exact")):
        return None
    count = sum(queries.get(name, {}).get("errors", 0) for name in ("ours", "ours_off", "ours_exact"))
    return count + sum((ok(result.get(key)) or {}).get("errors", 0) for key in ("served", "served_cached"))


def figures(result):
    """Each target's figure for one size (None: not measured)."""
    build, queries = result.get("build", {}), result.get("queries") or {}
    ours, stock, fts5 = ok(build.get("ours")) or {}, ok(build.get("stock")) or {}, ok(build.get("fts5")) or {}
    by_fts5 = queries.get("ratios_ours_over_fts5") or {}
    fresh = ok(result.get("fresh"))
    return {
        "p50_ratio": by_fts5.get("p50_ms"),
        "p95_ratio": by_fts5.get("p95_ms"),
        "build_ratio": _divide(ours.get("docs_per_s"), stock.get("docs_per_s")),
        "served_ratio": (ok(result.get("served")) or {}).get("search_over_trivial"),
        "errors": our_errors(result),
        "worker_own_mb": worker_own_mb(result.get("served")),
        "indexer_rss_mb": ours.get("peak_rss_mb"),
        "index_size_ratio": _divide(ours.get("index_mb"), fts5.get("index_mb")),
        "reindex_seconds": (ok(result.get("reindex")) or {}).get("seconds"),
        # searchable only counts when every new file, and nothing else, was shown
        "fresh_seconds": fresh["searchable_seconds"] if fresh and fresh["found"] and fresh["only_new"] else None,
        "tolerance_p95_ratio": (queries.get("tolerance") or {}).get("p95_ratio"),
    }


def check_targets(result):
    checks = {}
    for name, value in figures(result).items():
        target = TARGETS[name]
        applies = target.up_to is None or result["size"] <= target.up_to
        if name == "build_ratio" and result.get("stock_skipped"):
            applies = False  # stock Whoosh was left out at this size on purpose
        met = value is not None and OPS[target.op](float(value), float(target.limit))
        checks[name] = {"value": value, "target": f"{target.op} {target.limit:g}", "applies": applies, "met": met}
    return checks
