"""Record the search engine's answers over the bundled corpus as a fixture, so
that a later engine can be held to the same top 10.

    .venv/bin/python -m bench.equivalence.record --out tests/data/top10_before.json

The corpus (``corpus/`` under the folder it runs from) is indexed into a
temporary folder and every query of the list is run through
``search.engine.search``: the judged queries of bench/quality/judgments.json,
then a few hundred queries generated from the corpus's own words (a fixed
seed, so the list is the same on every run). For each query the fixture keeps
the request, ``total``, ``matched``, ``suggestion``, the rewrite and the top
hits as [doc_id, score]. The list is stored in the fixture itself, so a test
only has to replay it.

Only the engine's public surface is used (update_index, open_index,
engine.search, SearchRequest, scoring), so the same script runs against the
engine before and after a rewrite. The corpus is read here as plain files,
not through search.ingest, for the same reason.
"""

import argparse
import codecs
import html
import json
import random
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

from search.engine import scoring, search
from search.index import open_index, update_index
from search.query import SearchRequest

SEED = 20261124
PER_PAGE = 10
JUDGMENTS = Path("bench") / "quality" / "judgments.json"
SUFFIXES = (".txt", ".md", ".html", ".htm")

# Arabic diacritics (tanween, harakat, shadda, sukun, superscript alef) and tatweel.
DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0640]")
WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+|[\u0621-\u064a]+")
# Where a phrase may not run across: sentence and clause punctuation, quotes, lines.
BREAKS = re.compile(r"[.,;:!?()\[\]{}\"«»“”|#*\n\u060c\u061b\u061f]")
HIDDEN_HTML = re.compile(r"<(script|style|nav)\b.*?</\1\s*>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")
HTML_TITLE = re.compile(r"<(?:h1|title)\b[^>]*>(.*?)</(?:h1|title)\s*>", re.S | re.I)
ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"
HARAKAT = ("\u064e", "\u064f", "\u0650", "\u0652")  # fatha, damma, kasra, sukun
SHADDA = "\u0651"


# --- the corpus's words ------------------------------------------------------


def decode(data, lang):
    """The text of a file: a BOM says the encoding, else UTF-8, else the
    legacy code page of the document's language."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1256" if lang == "ar" else "cp1252", errors="replace")


def script(word):
    return "ar" if "\u0600" <= word[0] <= "\u06ff" else "en"


def words_of(text):
    return [word.lower() for word in WORD.findall(DIACRITICS.sub("", text))]


def read_corpus(corpus):
    """[(doc_id, title words, segments, words as written)] in path order; a
    segment is the list of (lowercased) words between two punctuation marks."""
    docs = []
    for path in sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES):
        doc_id = path.relative_to(corpus).as_posix()
        text = decode(path.read_bytes(), doc_id.split("/")[0])
        if path.suffix.lower() in (".html", ".htm"):
            titles = HTML_TITLE.findall(text)
            title = html.unescape(TAG.sub(" ", titles[-1])) if titles else ""
            text = html.unescape(TAG.sub("\n", HIDDEN_HTML.sub(" ", text)))
        else:
            title = next((line.strip("# \t") for line in text.splitlines() if line.strip()), "")
        segments = [words for words in (words_of(part) for part in BREAKS.split(text)) if words]
        docs.append((doc_id, words_of(title), segments, WORD.findall(text)))
    return docs


class Words:
    """The corpus's words, by document and by how many documents have them."""

    def __init__(self, docs):
        self.docs = docs
        self.by_doc = {doc_id: sorted({w for seg in segments for w in seg}) for doc_id, _, segments, _ in docs}
        self.df = Counter(w for words in self.by_doc.values() for w in words)
        self.runs = {
            tuple(seg[i : i + n])
            for _, _, segments, _ in docs
            for seg in segments
            for n in (2, 3)
            for i in range(len(seg))
        }
        ranked = sorted(self.df, key=lambda w: (-self.df[w], w))
        self.common = {lang: [w for w in ranked if script(w) == lang and len(w) >= 3][:60] for lang in ("ar", "en")}
        # The content words most documents have, of either script (few stopwords are this long).
        self.frequent = [w for w in ranked if len(w) >= 5][:30]
        self.rare = {
            lang: sorted(w for w in ranked if script(w) == lang and len(w) >= 5 and self.df[w] == 1)
            for lang in ("ar", "en")
        }
        # English names: words only ever written with a capital.
        written = {w for *_, raw in docs for w in raw if script(w) == "en"}
        self.names = sorted({w.lower() for w in written if w[0].isupper()} - {w for w in written if w.islower()})
        self.content = {
            doc_id: [w for w in words if len(w) >= 4 and self.df[w] <= len(docs) // 3]
            for doc_id, words in self.by_doc.items()
        }


# --- the query list --------------------------------------------------------------


def query(kind, text, lang=None, page=1, exact=False, cross_script=True):
    return {
        "kind": kind,
        "text": text,
        "lang": lang,
        "page": page,
        "per_page": PER_PAGE,
        "exact": exact,
        "cross_script": cross_script,
    }


def typo(rng, word):
    """``word`` with one letter dropped, doubled, swapped with the next or replaced."""
    letters = ARABIC_LETTERS if script(word) == "ar" else LATIN_LETTERS
    i = rng.randrange(1, len(word) - 1)
    edit = rng.choice(("drop", "double", "swap", "replace"))
    if edit == "drop":
        return word[:i] + word[i + 1 :]
    if edit == "double":
        return word[:i] + word[i] + word[i:]
    if edit == "swap" and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice(letters.replace(word[i], "")) + word[i + 1 :]


def add_diacritics(rng, word):
    out = []
    for ch in word:
        out.append(ch)
        if rng.random() < 0.15:
            out.append(SHADDA)
        if rng.random() < 0.7:
            out.append(rng.choice(HARAKAT))
    return "".join(out)


def judged_queries(path):
    return [query("judged", item["query"]) | {"ref": item["id"]} for item in json.loads(path.read_text("utf-8"))]


def generated_queries(words, seed=SEED):
    rng = random.Random(seed)
    docs = [doc_id for doc_id, *_ in words.docs]
    rich = [doc_id for doc_id in docs if len(words.content[doc_id]) >= 6]
    by_lang = {lang: [d for d in rich if d.startswith(lang + "/")] for lang in ("ar", "en")}
    content = words.content
    out = []

    def some_doc(lang=None):
        return rng.choice(by_lang[lang] if lang else rich)

    def some_word(lang=None):
        return rng.choice(content[some_doc(lang)])

    for lang in ("ar", "en"):
        out += [query(f"single-common-{lang}", w) for w in rng.sample(words.common[lang], 15)]
        out += [query(f"single-rare-{lang}", w) for w in rng.sample(words.rare[lang], 12)]
    for n, count in ((2, 25), (3, 20)):
        for _ in range(count):
            out.append(query(f"{n}-words-same-doc", " ".join(rng.sample(content[some_doc()], n))))
    for n, count in ((2, 20), (3, 15)):
        for _ in range(count):
            chosen = rng.sample(rich, n)
            out.append(query(f"{n}-words-cross-doc", " ".join(rng.choice(content[d]) for d in chosen)))
    segments = [seg for _, _, segs, _ in words.docs for seg in segs if len(seg) >= 3]
    for _ in range(30):
        seg = rng.choice(segments)
        n = rng.choice((2, 3))
        i = rng.randrange(len(seg) - n + 1)
        out.append(query("phrase", '"' + " ".join(seg[i : i + n]) + '"'))
    absent = []
    while len(absent) < 15:
        if len(absent) % 2:  # a real phrase, backwards
            seg = rng.choice(segments)
            i = rng.randrange(len(seg) - 1)
            run = (seg[i + 1], seg[i])
        else:  # two words of two documents
            a, b = rng.sample(rich, 2)
            run = (rng.choice(content[a]), rng.choice(content[b]))
        if run not in words.runs and run[0] != run[1]:
            absent.append(query("phrase-absent", '"' + " ".join(run) + '"'))
    out += absent
    long_words = sorted({w for d in rich for w in content[d] if len(w) >= 6})
    for w in rng.sample(long_words, 30):
        out.append(query("prefix", w[: rng.choice((3, 4))] + "*"))
    for w in rng.sample(long_words, 15):
        out.append(query("fuzzy-1", (typo(rng, w) if rng.random() < 0.5 else w) + "~"))
    for w in rng.sample(long_words, 15):
        twice = typo(rng, typo(rng, w))
        out.append(query("fuzzy-2", (twice if rng.random() < 0.5 else w) + "~2"))
    for _ in range(20):
        doc = some_doc()
        first, same = rng.sample(content[doc], 2)
        other = same if rng.random() < 0.5 else some_word()
        out.append(query("exclude", f"{first} -{other}"))
    for _ in range(20):
        out.append(query("or", f"{some_word()} OR {some_word()}"))
    titled = [(doc_id, [w for w in title if len(w) >= 4]) for doc_id, title, *_ in words.docs]
    titled = [(doc_id, title) for doc_id, title in titled if title]
    for _ in range(20):
        _, title = rng.choice(titled)
        out.append(query("title", "title:" + rng.choice(title)))
    for i in range(30):
        lang = ("ar", "en")[i % 2]
        text = rng.choice(words.frequent) if i % 3 else rng.choice(words.common[rng.choice(("ar", "en"))][:30])
        if rng.random() < 0.4:
            text += " " + some_word()
        out.append(query(f"lang-{lang}", text, lang=lang))
    for _ in range(15):
        w = rng.choice(long_words)
        misspelt = typo(rng, w)
        out.append(query("typo", misspelt))
        out.append(query("exact", misspelt if rng.random() < 0.7 else w, exact=True))
    names = [w for w in words.names if len(w) >= 4]
    for _ in range(15):
        w = rng.choice(long_words) if rng.random() < 0.5 else rng.choice(names)
        out.append(query("cross-script-off", w, cross_script=False))
    arabic = [w for w in long_words if script(w) == "ar"]
    # Words the corpus also has with the article, and words it never has with it.
    with_al = [w for w in arabic if "ال" + w in words.df]
    without_al = [w for w in arabic if not w.startswith(("ال", "و", "ل", "ب")) and "ال" + w not in words.df]
    out += [query("diacritics", add_diacritics(rng, w)) for w in rng.sample(arabic, 15)]
    out += [query("al-prefix", "ال" + w) for w in rng.sample(with_al, 10) + rng.sample(without_al, 5)]
    out += [query("waw-prefix", "و" + w) for w in rng.sample(arabic, 15)]
    # Queries that find more than a page: the first page and the second.
    for i in range(25):
        if i % 2:
            text = rng.choice(words.frequent)
        else:
            text = " OR ".join(rng.sample(words.frequent, 2))
        out.append(query("frequent", text))
        if i < 20:
            out.append(query("page-2", text, page=2))
    for _ in range(5):
        text = f"{rng.choice(words.common['ar'][:30])} OR {rng.choice(words.common['en'][:30])}"
        out.append(query("page-2", text, page=2))
    return out


def unique(queries):
    seen, out = set(), []
    for q in queries:
        key = (q["text"], q["lang"], q["page"], q["exact"], q["cross_script"])
        if key not in seen:
            seen.add(key)
            out.append(q)
    return out


# --- running and writing ---------------------------------------------------------


def answer(searcher, q):
    request = SearchRequest(
        text=q["text"],
        page=q["page"],
        per_page=q["per_page"],
        lang=q["lang"],
        exact=q["exact"],
        cross_script=q["cross_script"],
    )
    try:
        response = search(searcher, request)
    except Exception as error:  # recorded: the fixture says what crashed
        return q | {"error": f"{type(error).__name__}: {error}"}
    rewrite = response.rewrite.as_dict() if response.rewrite is not None else None
    return q | {
        "total": response.total,
        "matched": response.matched,
        "suggestion": response.suggestion,
        "rewrite": rewrite,
        "top": [[hit.doc_id, round(hit.score, 4)] for hit in response.hits],
    }


def record(corpus, judgments, seed=SEED):
    queries = unique(judged_queries(judgments) + generated_queries(Words(read_corpus(corpus)), seed))
    with tempfile.TemporaryDirectory(prefix="top10-") as index_dir:
        summary = update_index(corpus, index_dir)
        if summary.failed:
            raise SystemExit(f"documents failed to index: {summary.failed}")
        with open_index(index_dir).searcher(weighting=scoring()) as searcher:
            answers = [answer(searcher, q) for q in queries]
    return summary.documents, answers


def write_fixture(path, documents, answers, seed, commit):
    head = {
        "recorded_at_commit": commit,
        "how": (
            "python -m bench.equivalence.record at that commit: corpus/ indexed with update_index, "
            "each query run with search.engine.search on a searcher weighted with scoring(); "
            "top is [doc_id, score rounded to 4 places] of the requested page"
        ),
        "seed": seed,
        "documents": documents,
    }
    lines = ["{"] + [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
    lines.append('  "queries": [')
    lines += [f"    {json.dumps(a, ensure_ascii=False)}," for a in answers]
    lines[-1] = lines[-1].rstrip(",")
    lines += ["  ]", "}"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", "utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="the fixture to write")
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--judgments", type=Path, default=JUDGMENTS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--commit", default="e3e81e4", help="the commit of the engine recorded")
    args = parser.parse_args(argv)
    documents, answers = record(args.corpus, args.judgments, args.seed)
    write_fixture(args.out, documents, answers, args.seed, args.commit)
    errors = sum("error" in a for a in answers)
    print(f"{len(answers)} queries over {documents} documents -> {args.out} ({errors} errors)", file=sys.stderr)


if __name__ == "__main__":
    main()
