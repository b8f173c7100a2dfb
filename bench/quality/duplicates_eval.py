"""Near-duplicate folding (search/duplicates.py) measured on made pairs.

    .venv/bin/python -m bench.quality.duplicates_eval     # prints the figures as JSON

Documents: the project's sample corpus (corpus/, read by the indexer's own
ingest) and the stories of duplicates/same_event.json, written for this
set: for each of 16 events (8 Arabic, 8 English), two reports in different
words, quotes and order that share the names, places and numbers.

Pairs, each labelled copy or not:
- copies: every document against a copy "saved by another site": a
  different headline (about half its words replaced), a dateline, the
  site's chrome above and below (navigation, share and copyright lines),
  Arabic spelling variants (hamza and alef forms, ta marbuta, alef maqsura,
  diacritics, tatweel, Arabic-Indic digits, on a third of the words; these
  are not counted as edits), then edits to the body until the given share of
  its words has changed: a word reworded or mistyped, a word dropped or
  added, a sentence dropped or one added (from another document of the
  language). Levels 0%, 5%, 10%, 20%, 30%; and two copies of one story from
  two sites, each edited 10%;
- not copies: the hand-written same-event pairs; every pair of corpus
  documents of one language and one topic folder (same subject, often the
  same event); random pairs of one language; stories against their
  translation (corpus documents with one name in ar/ and en/, and the
  same-event stories across languages); and follow-ups: a story against a
  version three times as long (the story with two other stories of its
  topic appended). A follow-up that adds twice the story's length in new
  reporting is a different document: folding it would hide the new
  reporting behind the short version, or the short version behind it.

The sweep measures precision and recall of "estimated Jaccard >= threshold"
over shingle sizes and thresholds (NUM_PERM permutations), and the shipped
settings through ``duplicates.group`` itself, pair by pair.
"""

import json
import random
import re
import sys
import time
import unicodedata
from itertools import combinations
from pathlib import Path

import numpy as np

from bench.common import markdown_table
from search import duplicates
from search.ingest import read_document, walk_folder

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
CORPUS = PROJECT / "corpus"
SAME_EVENT = HERE / "duplicates" / "same_event.json"
SEED = 17
LEVELS = (0.0, 0.05, 0.10, 0.20, 0.30)
TWO_SITES_LEVEL = 0.10
RANDOM_PAIRS = 200
FOLLOW_UP_TIMES = 3
SHINGLES = (1, 2, 3, 4, 5)
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7)
NUM_PERMS = (64, 128, 256)
TARGET_PRECISION = 0.98
TARGET_RECALL = 0.90
RECALL_LEVELS = (0.0, 0.05, 0.10, 0.20)  # the copies the recall target is for

# Site chrome as saved with the article: made up for this set.
CHROME = {
    "en": [
        (
            "Home | World | Business | Markets | Sport | Opinion",
            "Share this article\nMore from World\n© 2024 The Daily Courier. All rights reserved.",
        ),
        (
            "Menu  Search  Subscribe\nLatest news",
            "Sign up for our morning briefing\nRelated stories\nTerms of use | Privacy | Contact us",
        ),
        ("Gulf Wire — independent news since 1998", "Read more: Business | Tech | Weather\nCopyright Gulf Wire Media"),
    ],
    "ar": [
        (
            "الرئيسية | أخبار | اقتصاد | رياضة | ثقافة | رأي",
            "شارك هذا الخبر\nأخبار ذات صلة\n© 2024 جميع الحقوق محفوظة لصحيفة المساء",
        ),
        ("القائمة  بحث  اشترك الآن\nآخر الأخبار", "تابعونا على مواقع التواصل\nاقرأ أيضًا\nسياسة الخصوصية | اتصل بنا"),
        ("وكالة الخليج للأنباء", "المزيد: اقتصاد | تقنية | طقس\nحقوق النشر محفوظة"),
    ],
}
DATELINES = {
    "en": ["LONDON (Courier) — ", "DUBAI, Gulf Wire — ", "(Reuters-style wire) — "],
    "ar": ["لندن (المساء) – ", "دبي، وكالة الخليج – ", "(وكالات) – "],
}
# Arabic spelling variants a site's text may have: each normalises to the same word.
ARABIC_VARIANTS = (("ا", "أ"), ("ا", "إ"), ("أ", "ا"), ("إ", "ا"), ("ة", "ه"), ("ى", "ي"), ("ي", "ى"))
ARABIC_MARKS = "\u064e\u064f\u0650\u0651\u0652"
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")


# --- documents -------------------------------------------------------------------


def corpus_documents(folder=CORPUS):
    """``{doc_id: (lang, topic, text)}`` of the sample corpus, read as the
    indexer reads it (title, then body)."""
    documents = {}
    for source in walk_folder(folder):
        document = read_document(source)
        lang, topic = source.doc_id.split("/")[:2]
        documents[f"corpus/{source.doc_id}"] = (lang, topic, f"{document.title}\n{document.body}")
    return documents


def same_event_stories(path=SAME_EVENT):
    return json.loads(Path(path).read_text("utf-8"))


# --- copies ----------------------------------------------------------------------


def _vocabulary(texts):
    return sorted({word for text in texts for word in text.split() if word.isalpha() and len(word) > 2})


def _typo(word, rng):
    if len(word) < 3:
        return word + word[-1]
    i = rng.randrange(len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swapped letters
    if kind == 1:
        return word[:i] + word[i + 1 :]  # a dropped letter
    return word[:i] + word[i] + word[i:]  # a doubled letter


def _spelling_variant(word, rng):
    choice = rng.randrange(4)
    if choice == 0:
        for plain, variant in rng.sample(ARABIC_VARIANTS, len(ARABIC_VARIANTS)):
            if plain in word:
                return word.replace(plain, variant, 1)
    if choice == 1 and len(word) > 1:
        i = rng.randrange(1, len(word))
        return word[:i] + rng.choice(ARABIC_MARKS) + word[i:]
    if choice == 2 and len(word) > 2:
        i = rng.randrange(1, len(word) - 1)
        return word[:i] + "\u0640" + word[i:]  # tatweel
    return word.translate(ARABIC_DIGITS)


def _strip_marks(text):
    return "".join(c for c in text if not unicodedata.combining(c))


def _sentences(paragraph):
    return [sentence.split() for sentence in SENTENCE_END.split(paragraph) if sentence.strip()]


def make_copy(text, lang, level, rng, vocabulary, other_sentences, site=None):
    """``text`` as another site saved it, ``level`` of its body's words edited
    (module doc)."""
    lines = [line for line in text.splitlines() if line.strip()]
    headline, paragraphs = lines[0].split(), [_sentences(p) for p in lines[1:]]
    body_words = sum(len(s) for p in paragraphs for s in p)
    budget = round(level * body_words)
    while budget > 0 and paragraphs:
        p = rng.randrange(len(paragraphs))
        if not paragraphs[p]:
            paragraphs.pop(p)
            continue
        s = rng.randrange(len(paragraphs[p]))
        sentence = paragraphs[p][s]
        op = rng.random()
        if op < 0.15 and 0 < len(sentence) <= budget:
            paragraphs[p].pop(s)  # a sentence dropped
            budget -= len(sentence)
        elif op < 0.30:
            added = rng.choice(other_sentences)
            if len(added) <= budget:
                paragraphs[p].insert(s, list(added))  # a sentence added
                budget -= len(added)
        elif sentence:
            w = rng.randrange(len(sentence))
            word_op = rng.randrange(4)
            if word_op == 0:
                sentence[w] = rng.choice(vocabulary)  # reworded
            elif word_op == 1:
                sentence[w] = _typo(sentence[w], rng)
            elif word_op == 2:
                sentence.pop(w)
            else:
                sentence.insert(w, rng.choice(vocabulary))
            budget -= 1
    new_headline = [word if rng.random() < 0.5 else rng.choice(vocabulary) for word in headline]
    body = [" ".join(" ".join(s) for s in p) for p in paragraphs if any(p)]
    site = rng.randrange(len(CHROME[lang])) if site is None else site
    top, bottom = CHROME[lang][site]
    if body:
        body[0] = DATELINES[lang][site] + body[0]
    copy = "\n".join([top, " ".join(new_headline), *body, bottom])
    if lang == "ar":
        copy = " ".join(_spelling_variant(word, rng) if rng.random() < 0.33 else word for word in copy.split(" "))
        if rng.random() < 0.5:
            copy = _strip_marks(copy)
    return copy


def follow_up(text, others):
    """A follow-up at least three times as long as ``text``: the story, then
    as many of ``others`` as it takes appended."""
    parts, length = [text], len(text.split())
    for other in others:
        if length >= FOLLOW_UP_TIMES * len(text.split()):
            break
        parts.append(other)
        length += len(other.split())
    return "\n".join(parts)


# --- pairs -----------------------------------------------------------------------


def make_pairs(corpus=None, stories=None, seed=SEED):
    """``[(kind, label, text_a, text_b)]``; ``label`` True for a copy."""
    corpus = corpus_documents() if corpus is None else corpus
    stories = same_event_stories() if stories is None else stories
    rng = random.Random(seed)
    documents = [(doc_id, lang, topic, text) for doc_id, (lang, topic, text) in sorted(corpus.items())]
    documents += [(f"story/{s['id']}/{side}", s["lang"], "same-event", s[side]) for s in stories for side in "ab"]
    by_lang = {lang: [d for d in documents if d[1] == lang] for lang in ("ar", "en")}
    vocabulary = {lang: _vocabulary(d[3] for d in docs) for lang, docs in by_lang.items()}
    sentences = {
        lang: [s for d in docs for line in d[3].splitlines()[1:] for s in _sentences(line) if 4 <= len(s) <= 40]
        for lang, docs in by_lang.items()
    }
    pairs = []
    for _, lang, _, text in documents:
        for level in LEVELS:
            copy = make_copy(text, lang, level, rng, vocabulary[lang], sentences[lang])
            pairs.append((f"copy {level:.0%}", True, text, copy))
        site_a, site_b = rng.sample(range(len(CHROME[lang])), 2)
        one = make_copy(text, lang, TWO_SITES_LEVEL, rng, vocabulary[lang], sentences[lang], site_a)
        two = make_copy(text, lang, TWO_SITES_LEVEL, rng, vocabulary[lang], sentences[lang], site_b)
        pairs.append((f"two sites, {TWO_SITES_LEVEL:.0%} each", True, one, two))
    for s in stories:
        pairs.append(("same event, hand-written", False, s["a"], s["b"]))
    corpus_docs = [d for d in documents if d[0].startswith("corpus/")]
    for a, b in combinations(corpus_docs, 2):
        if a[1] == b[1] and a[2] == b[2]:
            pairs.append(("same topic folder (corpus)", False, a[3], b[3]))
    for _ in range(RANDOM_PAIRS):
        lang = rng.choice(("ar", "en"))
        a, b = rng.sample(by_lang[lang], 2)
        pairs.append(("random, one language", False, a[3], b[3]))
    names = {}
    for doc_id, lang, _, text in corpus_docs:
        names.setdefault(Path(doc_id).stem, {})[lang] = text
    translations = [(v["ar"], v["en"]) for v in names.values() if len(v) == 2]
    by_event = {}
    for s in stories:
        by_event.setdefault(s["id"].split("-", 1)[1], {})[s["lang"]] = s["a"]
    translations += [(v["ar"], v["en"]) for v in by_event.values() if len(v) == 2]
    pairs += [("translation (ar/en)", False, a, b) for a, b in translations]
    for doc_id, lang, topic, text in corpus_docs:
        others = [d[3] for d in corpus_docs if d[1] == lang and d[0] != doc_id]
        rng.shuffle(others)
        same_topic = [d[3] for d in corpus_docs if d[1] == lang and d[2] == topic and d[0] != doc_id]
        pairs.append(("follow-up 3x as long", False, text, follow_up(text, same_topic + others)))
    return pairs


# --- measurement -----------------------------------------------------------------


def _jaccard(a, b):
    return len(a & b) / len(a | b) if a and b else 0.0


def _estimates(pairs, size, num_perm):
    matrix = {}

    def sig(text):
        key = (text, size, num_perm)
        if key not in matrix:
            data = duplicates.signature(text, size=size, num_perm=num_perm)
            matrix[key] = np.frombuffer(data, dtype="<u4") if data else None
        return matrix[key]

    out = []
    for _, _, a, b in pairs:
        sa, sb = sig(a), sig(b)
        out.append(0.0 if sa is None or sb is None else float(np.count_nonzero(sa == sb)) / num_perm)
    return np.array(out)


def precision_recall(labels, folded):
    labels, folded = np.asarray(labels), np.asarray(folded)
    tp = int(np.count_nonzero(labels & folded))
    fp = int(np.count_nonzero(~labels & folded))
    fn = int(np.count_nonzero(labels & ~folded))
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0), fp


def by_kind(pairs, folded):
    kinds = {}
    for (kind, label, _, _), f in zip(pairs, folded, strict=True):
        entry = kinds.setdefault(kind, {"copy": label, "pairs": 0, "folded": 0})
        entry["pairs"] += 1
        entry["folded"] += int(bool(f))
    return kinds


def _level_kind(level):
    return f"copy {level:.0%}"


FOLLOW_UP_KIND = "follow-up 3x as long"


def sweep_row(kinds, labels, estimates, threshold):
    """Precision, recall (all copies and per edit level) and false folds of
    ``estimates >= threshold``."""
    folded = estimates >= threshold
    precision, recall, fp = precision_recall(labels, folded)
    by_level = {}
    for level in LEVELS:
        mask = kinds == _level_kind(level)
        by_level[f"{level:.0%}"] = float(folded[mask].mean())
    other_negatives = ~labels & (kinds != FOLLOW_UP_KIND)
    return {
        "threshold": threshold,
        "precision": precision,
        "recall": recall,
        "recall_by_level": by_level,
        "false_folds": fp,
        "false_folds_follow_up": int(np.count_nonzero(folded & (kinds == FOLLOW_UP_KIND))),
        "highest_other_negative": float(estimates[other_negatives].max()),
        "highest_follow_up": float(estimates[kinds == FOLLOW_UP_KIND].max()),
    }


def meets_targets(row):
    return row["precision"] >= TARGET_PRECISION and all(
        row["recall_by_level"][f"{level:.0%}"] >= TARGET_RECALL for level in RECALL_LEVELS
    )


def choose(sweep):
    """The settings to ship: for each shingle size, the highest threshold
    that meets both targets (precision, and recall at every edit level up
    to 20%); of those, the one with the widest margin between its threshold
    and the highest estimate of a different story (same event, same topic,
    random, translation), i.e. the safest against folding two stories."""
    best = {}
    for row in sweep:
        if meets_targets(row) and row["threshold"] >= best.get(row["shingle"], {"threshold": -1})["threshold"]:
            best[row["shingle"]] = row
    if not best:
        return None
    return max(
        best.values(), key=lambda row: (round(row["threshold"] - row["highest_other_negative"], 6), row["recall"])
    )


def evaluate(pairs=None):
    """Every figure of the module doc, as a dict."""
    started = time.perf_counter()
    pairs = make_pairs() if pairs is None else pairs
    labels = np.array([label for _, label, _, _ in pairs])
    kinds = np.array([kind for kind, _, _, _ in pairs])
    sweep = []
    exact_by_size = {}
    for size in SHINGLES:
        estimates = _estimates(pairs, size, duplicates.NUM_PERM)
        sets = {}
        for _, _, a, b in pairs:
            for t in (a, b):
                if t not in sets:
                    sets[t] = duplicates.shingles(t, size)
        exact_by_size[size] = np.array([_jaccard(sets[a], sets[b]) for _, _, a, b in pairs])
        sweep += [{"shingle": size, **sweep_row(kinds, labels, estimates, t)} for t in THRESHOLDS]
    chosen = choose(sweep)
    perms = []
    size = duplicates.SHINGLE
    for num_perm in NUM_PERMS:
        estimates = _estimates(pairs, size, num_perm)
        error = np.abs(estimates - exact_by_size[size])
        row = sweep_row(kinds, labels, estimates, duplicates.THRESHOLD)
        perms.append(
            {
                "num_perm": num_perm,
                "bytes": num_perm * 4,
                "precision": row["precision"],
                "recall": row["recall"],
                "recall_20": row["recall_by_level"]["20%"],
                "mean_abs_error": float(error.mean()),
                "max_abs_error": float(error.max()),
            }
        )
    shipped = []
    for _, _, a, b in pairs:
        groups = duplicates.group({"a": duplicates.signature(a), "b": duplicates.signature(b)})
        shipped.append(groups["a"] == groups["b"])
    shipped = np.array(shipped)
    precision, recall, fp = precision_recall(labels, shipped)
    estimates = _estimates(pairs, size, duplicates.NUM_PERM)
    kind_table = by_kind(pairs, shipped)
    for kind, entry in kind_table.items():
        mask = kinds == kind
        entry["estimate_min"] = float(estimates[mask].min())
        entry["estimate_median"] = float(np.median(estimates[mask]))
        entry["estimate_max"] = float(estimates[mask].max())
        entry["exact_median"] = float(np.median(exact_by_size[size][mask]))
    return {
        "pairs": len(pairs),
        "copies": int(labels.sum()),
        "not_copies": int((~labels).sum()),
        "shingle": duplicates.SHINGLE,
        "threshold": duplicates.THRESHOLD,
        "num_perm": duplicates.NUM_PERM,
        "bands": [duplicates.BANDS, duplicates.ROWS],
        "min_words": duplicates.MIN_WORDS,
        "chosen": {"shingle": chosen["shingle"], "threshold": chosen["threshold"]} if chosen else None,
        "shipped_is_chosen": bool(
            chosen and (chosen["shingle"], chosen["threshold"]) == (duplicates.SHINGLE, duplicates.THRESHOLD)
        ),
        "precision": precision,
        "recall": recall,
        "false_folds": fp,
        "kinds": kind_table,
        "sweep": sweep,
        "num_perm_sweep": perms,
        "seconds": round(time.perf_counter() - started, 1),
    }


def section(figures=None):
    """Markdown lines for bench/quality/RESULTS.md."""
    figures = figures or evaluate()
    kinds = figures["kinds"]
    lines = [
        "## Near-duplicates (wire copies folded)",
        "",
        f"{figures['pairs']} made pairs (`duplicates_eval.py`; reproduce with "
        "`.venv/bin/python -m bench.quality.duplicates_eval`): "
        f"{figures['copies']} copies and {figures['not_copies']} pairs that are not copies. "
        "Documents: the sample corpus (corpus/, 61 files) and 16 pairs of hand-written reports of one event in "
        "different words (duplicates/same_event.json, 8 Arabic, 8 English). A copy is a document as another site "
        "saved it: another headline, a dateline, the site's chrome above and below, Arabic spelling variants on a "
        "third of the words, then a share of the body's words edited (reworded, mistyped, dropped, added; "
        "sentences dropped or added). Not copies: the same-event pairs, corpus pairs of one topic folder, random "
        "pairs of one language, stories against their translation, and stories against a follow-up three times "
        "as long (a different document: two thirds of it is new reporting).",
        "",
        f"**Shipped: {figures['shingle']}-word shingles, estimated Jaccard >= {figures['threshold']}, "
        f"{figures['num_perm']} permutations, LSH {figures['bands'][0]} bands x {figures['bands'][1]} rows; "
        f"precision {figures['precision']:.3f}, recall {figures['recall']:.3f} over all copies "
        f"({figures['false_folds']} false folds)**, measured through `duplicates.group` pair by pair. "
        f"Texts of fewer than {figures['min_words']} words are never folded.",
        "",
        markdown_table(
            [
                [
                    kind,
                    "copy" if e["copy"] else "not a copy",
                    e["pairs"],
                    f"{e['folded']} ({e['folded'] / e['pairs']:.0%})",
                    f"{e['estimate_min']:.2f} / {e['estimate_median']:.2f} / {e['estimate_max']:.2f}",
                ]
                for kind, e in kinds.items()
            ],
            ["pairs", "label", "count", "folded", "estimate min / median / max"],
        ),
        "",
        f"Sweep (estimated Jaccard over {figures['num_perm']} permutations; recall per edit level; false folds, "
        "of them follow-ups; the highest estimate of a different story (same event, same topic, random, "
        "translation) and of a follow-up). Chosen: for each shingle size the highest threshold with precision "
        f">= {TARGET_PRECISION} and recall >= {TARGET_RECALL} at every edit level up to 20%, then the size whose "
        "threshold stands furthest above the highest different story (`choose`): "
        + (
            f"{figures['chosen']['shingle']} words, {figures['chosen']['threshold']}"
            + (" (shipped)." if figures["shipped_is_chosen"] else ", **not what is shipped**.")
            if figures["chosen"]
            else "nothing meets the targets."
        ),
        "",
        markdown_table(
            [
                [
                    r["shingle"],
                    r["threshold"],
                    f"{r['precision']:.3f}",
                    f"{r['recall']:.3f}",
                    *(f"{value:.2f}" for value in r["recall_by_level"].values()),
                    f"{r['false_folds']} ({r['false_folds_follow_up']})",
                    f"{r['highest_other_negative']:.2f}",
                    f"{r['highest_follow_up']:.2f}",
                ]
                for r in figures["sweep"]
            ],
            [
                "shingle",
                "threshold",
                "precision",
                "recall",
                *(f"recall {level:.0%}" for level in LEVELS),
                "false folds (follow-ups)",
                "highest different story",
                "highest follow-up",
            ],
        ),
        "",
        "Permutations at the shipped shingle size and threshold (error: |estimate - exact Jaccard| over all "
        "pairs). 256 permutations also let the LSH bands have 3 rows: at 10,000 made documents, 9,781 candidate "
        "pairs where 128 permutations in 2-row bands give 660,450 (bench/duplicates_speed.py):",
        "",
        markdown_table(
            [
                [
                    r["num_perm"],
                    r["bytes"],
                    f"{r['precision']:.3f}",
                    f"{r['recall']:.3f}",
                    f"{r['recall_20']:.3f}",
                    f"{r['mean_abs_error']:.3f}",
                    f"{r['max_abs_error']:.3f}",
                ]
                for r in figures["num_perm_sweep"]
            ],
            ["permutations", "bytes a document", "precision", "recall", "recall 20%", "mean error", "max error"],
        ),
        "",
    ]
    return lines


def main():
    figures = evaluate()
    json.dump(figures, sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    main()
