"""bench/RESULTS.md, written from every size's results found, smallest
first, with the targets (bench/speed/targets.py) marked met or missed and by
how much; then the hand-written notes (bench/speed/NOTES.md)."""

import json
from pathlib import Path

from bench.common import markdown_table

from .freshness import FRESH_DOCUMENTS
from .latency import ENGINE_LABELS, ENGINES
from .processes import log
from .targets import TARGETS, check_targets, ok

# The shape of speed-<size>.json; results of another shape are not reported.
FORMAT = 2
NOTES = Path(__file__).resolve().with_name("NOTES.md")
NA = "–"
LOAD = ("start", "before_queries", "before_served", "end")  # phases whose load average is kept

# -- cells -------------------------------------------------------------------


def _times(ratio, digits=1):
    return f"{ratio:.{digits}f}×" if ratio is not None else NA


def _value_text(name, value):
    if value is None:
        return "not measured"
    if name.endswith("_ratio"):
        return f"{value:.1%}" if name == "served_ratio" else _times(value, 2)
    if name.endswith("_mb"):
        return f"{value:.0f} MB"
    if name.endswith("_seconds"):
        return f"{value:.1f} s"
    return str(value)


def _mark(check, name, text=None):
    """A target's cell: ✅/❌ and the figure, or the figure alone where the
    target is not set at this size."""
    if check is None:
        return NA
    text = text or _value_text(name, check["value"])
    if not check["applies"]:
        return text
    return f"{'✅' if check['met'] else '❌'} {text}"


def _inline(text, limit):
    """One line of ``text``, at most ``limit`` characters, safe in a table cell or inline code."""
    line = (text.splitlines() or [""])[0]
    line = line if len(line) <= limit else line[: limit - 1] + "…"
    return line.replace("`", "'").replace("|", "/")


def _failed(entry):
    return f"failed: {_inline(entry['error'], 160)}" if isinstance(entry, dict) and "error" in entry else None


def _build(entry, skipped=None):
    if _failed(entry):
        return _failed(entry)
    if not entry:
        return f"not built ({skipped})" if skipped else NA
    cpu = entry["cpu_seconds"]
    return (
        f"{entry['seconds']:.1f} s ({cpu:.{0 if cpu >= 10 else 1}f} s CPU) · {entry['docs_per_s']:.0f} docs/s · "
        f"{entry['peak_rss_mb']:.0f} MB RSS · {entry['index_mb']:.0f} MB"
    )


def _latency(entry):
    if not entry or not entry.get("queries"):
        return NA
    return f"{entry['p50_ms']:.1f} / {entry['p95_ms']:.1f} / {entry['p99_ms']:.1f} / {entry['mean_ms']:.1f}"


def _pair(ratios):
    return f"{_times(ratios['p50_ms'])} / {_times(ratios['p95_ms'])}" if ratios else NA


def _rss(served):
    """Each worker's own memory (RssAnon: the rest of its RSS is pages of
    mapped files, the index and libraries, shared with the other workers and
    the page cache), and its RSS beside it."""

    def one(worker):
        if worker.get("anon_mb") is None:
            return f"RSS {worker['rss_mb']:.0f}"
        return f"{worker['anon_mb']:.0f} (RSS {worker['rss_mb']:.0f})"

    return ", ".join(one(w) for w in served["worker_memory"]) + " MB"


# -- tables ------------------------------------------------------------------


def _build_row(r, t):
    b = r["build"]
    return [
        f"{r['size']:,}",
        f"{r['corpus']['mb']:.0f} MB · {r['corpus']['mean_words']:.0f} words/doc",
        _build(b.get("ours")),
        _build(b.get("stock"), r.get("stock_skipped")),
        _build(b.get("fts5")),
        _build(b.get("tantivy")),
        _mark(t["build_ratio"], "build_ratio"),
        _mark(t["indexer_rss_mb"], "indexer_rss_mb"),
        _mark(t["index_size_ratio"], "index_size_ratio"),
    ]


def _freshness_row(r, t):
    fresh = r.get("fresh")
    if ok(fresh):
        run = fresh["index_run"]
        shown = f"{fresh['total_after']} of {fresh['documents']}" + ("" if fresh["only_new"] else ", not only the new")
        cells = [
            f"{run['seconds']:.1f} s ({run['output']})",
            f"{run['written_mb']:.0f} MB ({run['written_mb'] / fresh['index_mb_before']:.0%} of the index's size); "
            f"index {fresh['index_mb_before']:.0f} → {fresh['index_mb_after']:.0f} MB",
            _mark(t["fresh_seconds"], "fresh_seconds", f"{fresh['searchable_seconds']:.1f} s"),
            shown,
        ]
    else:
        cells = [_failed(fresh) or NA, NA, _mark(t["fresh_seconds"], "fresh_seconds"), NA]
    reindex = r.get("reindex")
    return [f"{r['size']:,}", _failed(reindex) or _mark(t["reindex_seconds"], "reindex_seconds"), *cells]


def _query_row(r, t):
    q = r.get("queries") or {}
    return [
        f"{r['size']:,}",
        q.get("queries_run", NA),
        *(_latency(q.get(name)) for name in ENGINES),
        _mark(t["p50_ratio"], "p50_ratio"),
        _mark(t["p95_ratio"], "p95_ratio"),
        _pair(q.get("cpu_ratios_ours_over_fts5")),
        _pair(q.get("ratios_ours_over_tantivy")),
        _pair(q.get("ratios_ours_over_stock")),
    ]


def _zero_hit_rows(r):
    q = r.get("queries") or {}
    answered = [name for name in ENGINES if (q.get(name) or {}).get("queries")]
    rows = []
    for kind, count in (q.get("kinds") or {}).items():
        cells = [str(q[name]["zero_hits_by_kind"].get(kind, 0)) if name in answered else NA for name in ENGINES]
        rows.append([f"{r['size']:,}", kind, count, *cells])
    if rows:
        totals = [str(q[name]["zero_hits"]) if name in answered else NA for name in ENGINES]
        rows.append([f"{r['size']:,}", "**all**", q["queries_run"], *totals])
    return rows


def _served_row(r, s, t=None):
    if not ok(s):
        return [f"{r['size']:,}", _failed(s) or NA, *[NA] * 6]
    own = f"{_rss(s)}"
    return [
        f"{r['size']:,}",
        f"{s['healthz']['rps']:.1f}",
        f"{s['search']['rps']:.1f}",
        f"{s['search']['p50_ms']:.0f} / {s['search']['p95_ms']:.0f}",
        _mark(t["served_ratio"], "served_ratio") if t else _value_text("served_ratio", s["search_over_trivial"]),
        f"{s['search_over_trivial_by_cpu']:.1%}" if s.get("search_over_trivial_by_cpu") else NA,
        str(s["errors"]),
        (_mark(t["worker_own_mb"], "worker_own_mb", own) if t else own),
    ]


def _cached_row(r):
    c = r.get("served_cached")
    if not ok(c):
        return [f"{r['size']:,}", _failed(c) or NA, *[NA] * 8]
    stream = c["stream"]
    return [
        *_served_row(r, c)[:6],
        f"{stream['repeat_share']:.0%} of {stream['requests_issued']} ({stream['distinct_queries']} distinct)",
        f"{c['search']['answered_from_cache']:.0%}" if "answered_from_cache" in c["search"] else NA,
        str(c["errors"]),
        _rss(c),
    ]


def _how_much(name, check):
    target = TARGETS[name]
    value, limit = check["value"], target.limit
    if value is None:
        return "not measured (see the errors below)"
    if name == "errors":
        return f"{value} errors"
    if target.op == ">=":
        return f"{_value_text(name, value)}, {value / limit:.0%} of the target"
    over = value / limit - 1 if limit else float("inf")
    amount = f"{over:.0%} over the limit" if over < 1 else f"{value / limit:.1f} times the limit"
    return f"{_value_text(name, value)}, {amount}"


def _missed_lines(pairs):
    lines = []
    for r, t in pairs:
        for name, check in t.items():
            if check["applies"] and not check["met"]:
                lines.append(f"- {r['size']:,} documents, {TARGETS[name].label}: {_how_much(name, check)}.")
    return lines


def _error_lines(results):
    lines = []
    for r in results:
        for phase, message in r.get("failures", {}).items():
            lines.append(f"- {r['size']:,} documents, {phase} failed: `{_inline(message, 300)}`")
        q = r.get("queries") or {}
        for name, why in q.get("unavailable", {}).items():
            label = ENGINE_LABELS[name]
            lines.append(f"- {r['size']:,} documents, {label} left out of the queries: `{_inline(why, 300)}`")
        for name in ENGINES:
            entry = q.get(name)
            if entry and entry["errors"]:
                sample = _inline(entry["error_samples"][0], 200)
                lines.append(
                    f"- {r['size']:,} documents, {ENGINE_LABELS[name]}: {entry['errors']} queries failed, "
                    f"e.g. `{sample}`"
                )
    return lines


def markdown(results, command, notes=None):
    pairs = [(r, check_targets(r)) for r in results]
    first = results[0]
    code = first.get("code") or {}
    modified = len(code.get("modified", []))
    commits = {(r.get("code") or {}).get("commit", "?")[:10] for r in results}
    versions = first.get("versions") or {}
    settings = first.get("served_settings") or {}
    cached = next((r["served_cached"] for r in results if ok(r.get("served_cached"))), None)
    engine_columns = [ENGINE_LABELS[name] for name in ENGINES]
    lines = [
        "# Speed",
        "",
        f"Synthetic corpora (70% Arabic, 30% English, ~550 words a document, Zipfian words; "
        f"`bench/speed/corpus.py`, seed {first['seed']}) on a {first['machine']['cpus']}-core machine shared "
        f"with other work; Python {first['machine']['python']}, SQLite {first['machine']['sqlite']}, "
        f"tantivy {versions.get('tantivy', '?')}, Whoosh {versions.get('whoosh', '?')}. "
        f"Code measured: commit {code.get('commit', '?')[:10]}"
        + (f" with {modified} modified file(s) in `search/`" if modified else "")
        + f" (copied when the run started; `search/` sha256 {code.get('search_sha256', '?')})"
        + (f"; the sizes were measured on different commits ({', '.join(sorted(commits))})" if len(commits) > 1 else "")
        + f". Reproduce with `{command}`"
        + " (each size's figures come from one run of all the engines).",
        "",
        "## Index build",
        "",
        "Each build in a fresh process on the same files (title = the first line, body = the whole text): wall "
        "time (CPU time) · documents per second · peak RSS of the largest process · size on disk. Ours is "
        "`python -m search index` on an empty index, as shipped; stock is Whoosh 2.7.4 as it ships "
        "(StandardAnalyzer, its own writer, one process); FTS5 is `fts5(title, body, tokenize='unicode61 "
        "remove_diacritics 2')`, one transaction and a final `optimize`; tantivy is its default tokenizer, one "
        "writer (a thread a core), one commit.",
        "",
        markdown_table(
            [_build_row(r, t) for r, t in pairs],
            ["docs", "corpus", "ours", "stock Whoosh", "SQLite FTS5", "tantivy"]
            + [TARGETS[name].label for name in ("build_ratio", "indexer_rss_mb", "index_size_ratio")],
        ),
        "",
        "## Keeping up to date",
        "",
        f"`python -m search index` again on the unchanged folder; then {FRESH_DOCUMENTS} new files written into "
        "it and `python -m search index` (incremental) run: its time, the bytes it wrote (a small new segment "
        "writes a small share of the index; a rewrite, about all of it), and the seconds from "
        "its start until an app that was already serving the index shows all of them (and only them) for a "
        "word only they have, through `GET /search`.",
        "",
        markdown_table(
            [_freshness_row(r, t) for r, t in pairs],
            [
                "docs",
                TARGETS["reindex_seconds"].label,
                f"{FRESH_DOCUMENTS} new files: incremental run",
                "written by it",
                TARGETS["fresh_seconds"].label,
                "shown",
            ],
        ),
        "",
        "## Query latency",
        "",
        "p50 / p95 / p99 / mean in ms over the same queries (40% single words with clitic, diacritic and hamza "
        "variants, 30% two-word AND, 30% two-word phrases; 70% Arabic; words drawn by corpus frequency), "
        "engines interleaved (each takes each place in turn), each query bounded. Ours is the real Flask app's "
        "`GET /search` through its test client (top 10, snippets, JSON), every feature on, the result cache "
        'off; "features off" is the same app with `exact=1&cross_script=0`. FTS5 is `MATCH` with `bm25` '
        "(title weighted 2), `snippet()` and `LIMIT 10`, in the benchmark's process. Stock Whoosh "
        "(MultifieldParser over title and body, BM25F, its highlighter) and tantivy (its query parser over "
        "title and body with every word required and the title boosted 2×, its BM25, a SnippetGenerator on "
        "the body) each answer in a process of their own and are timed there; both take the query text as "
        "typed (plain words and quoted phrases mean the same in their syntax), and a query a parser rejects "
        "counts as an error. A ratio is over the queries both engines answered.",
        "",
        markdown_table(
            [_query_row(r, t) for r, t in pairs],
            ["docs", "queries", *engine_columns]
            + [TARGETS["p50_ratio"].label, TARGETS["p95_ratio"].label]
            + ["CPU-time p50 / p95 ours/FTS5", "ours/tantivy p50 / p95", "ours/stock p50 / p95"],
        ),
        "",
        "### Queries without a hit, by kind",
        "",
        "How many queries of each kind each engine answered with no hit (failed queries are not counted here).",
        "",
        markdown_table(
            [row for r in results for row in _zero_hit_rows(r)], ["docs", "kind", "queries", *engine_columns]
        ),
        "",
    ]
    if settings:
        lines += [
            "## Served, result cache off",
            "",
            f"gunicorn, {settings['workers']} sync workers, `SEARCH_RESULT_CACHE=0`, access log to /dev/null, "
            f"loopback; {settings['clients']} keep-alive client threads for {settings['seconds_healthz']:g} s on "
            f"`/healthz`, then {settings['seconds_search']:g} s on `/search` with the query set in rotation. "
            "Each worker's own memory (RssAnon) and its RSS (which adds pages of the mapped index and "
            "libraries, shared with the other worker and the page cache), read from /proc after the search "
            "phase.",
            "",
            markdown_table(
                [_served_row(r, r.get("served"), t) for r, t in pairs],
                [
                    "docs",
                    "/healthz req/s",
                    "/search req/s",
                    "/search p50 / p95 ms",
                    TARGETS["served_ratio"].label,
                    "same, by worker CPU per request",
                    "errors",
                    f"{TARGETS['worker_own_mb'].label}: own (RSS)",
                ],
            ),
            "",
        ]
    if cached:
        stream = cached["stream"]
        lines += [
            "## Served, result cache on",
            "",
            f"A second server, the result cache at its shipped size ({cached['result_cache']} responses per "
            f"worker), the same clients and phases. The requests are one stream, fixed by the seed: each "
            f"repeats an earlier query with probability {stream['repeat_share_target']:.0%} (which one by Zipf "
            f"popularity, weight 1/rank^{stream['zipf_exponent']:g} over a seeded ranking), otherwise it is a "
            'query not sent before. "From cache" counts the responses whose `took_ms` is a cache lookup\'s.',
            "",
            markdown_table(
                [_cached_row(r) for r in results],
                [
                    "docs",
                    "/healthz req/s",
                    "/search req/s",
                    "/search p50 / p95 ms",
                    "search/trivial",
                    "same, by worker CPU per request",
                    "repeats in the stream",
                    "from cache",
                    "errors",
                    "worker own memory (RSS)",
                ],
            ),
            "",
        ]
    target_rows = [[f"{r['size']:,}", *(_mark(t[name], name) for name in TARGETS)] for r, t in pairs]
    missed = _missed_lines(pairs)
    lines += [
        "## Targets",
        "",
        "Issue 14. Errors are ours, in every phase; worker memory is the largest worker's own memory with the "
        "cache off. The served rate, worker memory, re-index and new-file targets are set at 50,000 "
        "documents: above that size their figures are shown without a mark.",
        "",
        markdown_table(target_rows, ["docs", *(TARGETS[name].label for name in TARGETS)]),
        "",
        "### Missed, by how much",
        "",
        *(missed or ["Every target is met."]),
        "",
    ]
    if missed and notes and notes.strip():
        lines += ["Why: in the notes below.", ""]
    errors = _error_lines(results)
    if errors:
        lines += ["## Errors and engines left out", "", *errors, ""]
    lines += [
        "## Machine load",
        "",
        "1 / 5 / 15-minute load averages when each phase began (2 cores; other work was running on the same "
        "machine). CPU-time figures above are the ones such load disturbs least.",
        "",
        markdown_table(
            [_load_row(r) for r in results],
            ["docs", *LOAD],
        ),
        "",
    ]
    if notes and notes.strip():
        lines += [notes.strip(), ""]
    return "\n".join(lines)


def _load_row(r):
    load = r["machine"].get("loadavg", {})
    return [f"{r['size']:,}", *(" / ".join(f"{x:.1f}" for x in load.get(phase, [])) or NA for phase in LOAD)]


def write_markdown(out, path, command):
    """``path`` from every speed-<size>.json of this format in ``out``."""
    results = []
    for file in sorted(out.glob("speed-*.json")):
        try:
            result = json.loads(file.read_text("utf-8"))
        except ValueError:
            continue
        if result.get("format") != FORMAT:
            log(f"  {file} is from an earlier version of this benchmark; not in {path.name}")
            continue
        results.append(result)
    results.sort(key=lambda r: r["size"])
    notes = NOTES.read_text("utf-8") if NOTES.is_file() else None
    if results:
        path.write_text(markdown(results, command, notes), "utf-8")
