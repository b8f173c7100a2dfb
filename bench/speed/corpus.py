"""A deterministic synthetic Arabic/English news corpus, and queries over it.

The corpus is a stream: `write_corpus` draws one document at a time from one
seeded generator and writes it straight to its file, so memory stays flat
whatever the size, and the first N documents are the same for every size.

Words follow Zipf's law. Arabic words are stems made from three-letter roots
and the usual derivation patterns, with the clitics a reader meets in news
text (و ال وال بال لل ف before, ات ون ين ة ها after), some written with
diacritics, tatweel or without their hamza, Arabic-Indic numbers and a few
Latin acronyms; English words are pronounceable made-up stems with plural and
verb endings. Both languages get a share of real function words.
"""

import bisect
import itertools
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20261123
ARABIC_SHARE = 0.70
MEAN_WORDS = 550
ZIPF_EXPONENT = 1.0
# Content words rank after the function words: the most frequent one is a
# word like "government", not like "the".
ZIPF_OFFSET = 40
FILES_PER_FOLDER = 1000
# Phrase queries are drawn from adjacent words of the first documents, so the
# same phrases serve every corpus size.
PHRASE_SOURCE_DOCS = 1000

ROOT_LETTERS = "بتثجحخدرزسشصضطعغفقكلمنهوي"
# Derivation patterns: 1, 2, 3 are the root's letters.
PATTERNS = (
    "123",
    "1ا23",
    "م12و3",
    "ت12ي3",
    "است12ا3",
    "ان12ا3",
    "ا1ت2ا3",
    "12ا3",
    "12ي3",
    "م123",
    "أ12ا3",
    "إ12ا3",
    "م1ا23",
    "ت1ا23",
    "م12ا3",
    "1و23",
)
ARABIC_FUNCTION_WORDS = (
    "في من على إلى أن عن مع هذا هذه التي الذي كان قد لا ما بين بعد قبل حيث كما أو ثم إن عند حتى ذلك "
    "تلك كل لم لن هو هي وقد وفي أيضا خلال منذ ضد دون لدى نحو عبر غير وأن الذين كانت يكون"
).split()
ENGLISH_FUNCTION_WORDS = (
    "the of and to in a is that for on with as by was at from it be are this have has an which or but "
    "not their were been its they will also after about more than said he she we who would could over"
).split()
# (clitic, weight): the article and conjunctions in front, endings behind.
ARABIC_PREFIXES = (("", 50), ("ال", 25), ("و", 7), ("وال", 7), ("بال", 5), ("لل", 3), ("ف", 3))
ARABIC_SUFFIXES = (("", 68), ("ة", 10), ("ات", 8), ("ون", 4), ("ين", 5), ("ها", 5))
ENGLISH_SUFFIXES = (("", 68), ("s", 12), ("es", 2), ("ed", 7), ("ing", 6), ("er", 2), ("ers", 1), ("ly", 2))
ACRONYMS = "UN NATO OPEC IMF WHO GDP OSCE EU AI COVID FIFA UNESCO BBC NASA WTO".split()
DIACRITICS = "\u064e\u064f\u0650\u0652\u0651\u064b"
TATWEEL = "\u0640"
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
HAMZA_ALEFS = "أإ"

ONSETS = "b c d f g h j k l m n p r s t v w br cr dr fr gr pr tr bl cl fl gl pl sl st sp sh ch th wh".split()
VOWELS = "a e i o u a e i o ea ou ai".split()
CODAS = ["", "", "", "n", "r", "l", "s", "t", "m", "nd", "st", "rt", "ck", "nt", "ll"]


def _zipf_cumulative(count, exponent=ZIPF_EXPONENT, offset=0):
    return list(itertools.accumulate(1.0 / ((rank + offset) ** exponent) for rank in range(1, count + 1)))


def _cumulative(weights):
    return list(itertools.accumulate(weights))


def _arabic_stems(rng, count):
    stems, seen = [], set()
    while len(stems) < count:
        root = rng.sample(ROOT_LETTERS, 3)
        for pattern in rng.sample(PATTERNS, rng.randint(2, 6)):
            stem = pattern.replace("1", root[0]).replace("2", root[1]).replace("3", root[2])
            if stem not in seen:
                seen.add(stem)
                stems.append(stem)
    return stems[:count]


def _english_words(rng, count):
    words, seen = [], set(ENGLISH_FUNCTION_WORDS)
    while len(words) < count:
        syllables = rng.choice((1, 2, 2, 2, 3, 3))
        word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables))
        # Keep stems that no ending of ours could be mistaken for.
        if 3 <= len(word) <= 12 and not word.endswith(("s", "ed", "ing", "er", "ly")) and word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Picker:
    """Draws from a list with fixed weights (bisect on cumulative weights)."""

    def __init__(self, items, cumulative):
        self.items, self.cumulative, self.total = list(items), cumulative, cumulative[-1]

    @classmethod
    def weighted(cls, pairs):
        return cls([item for item, _ in pairs], _cumulative([weight for _, weight in pairs]))

    def __call__(self, rng):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]


class Vocabulary:
    """The words of both languages and how often each is used."""

    def __init__(self, seed=SEED, arabic_stems=5000, english_words=4000):
        rng = random.Random(f"vocabulary-{seed}")
        self.arabic_stems = _arabic_stems(rng, arabic_stems)
        self.english_words = _english_words(rng, english_words)
        rng.shuffle(self.arabic_stems)  # rank is not tied to the pattern
        self.arabic_stem = Picker(self.arabic_stems, _zipf_cumulative(len(self.arabic_stems), offset=ZIPF_OFFSET))
        self.english_stem = Picker(self.english_words, _zipf_cumulative(len(self.english_words), offset=ZIPF_OFFSET))
        self.arabic_function = Picker(ARABIC_FUNCTION_WORDS, _zipf_cumulative(len(ARABIC_FUNCTION_WORDS), 0.9))
        self.english_function = Picker(ENGLISH_FUNCTION_WORDS, _zipf_cumulative(len(ENGLISH_FUNCTION_WORDS), 0.9))
        self.arabic_prefix = Picker.weighted(ARABIC_PREFIXES)
        self.arabic_suffix = Picker.weighted(ARABIC_SUFFIXES)
        self.english_suffix = Picker.weighted(ENGLISH_SUFFIXES)
        self.function_words = set(ARABIC_FUNCTION_WORDS) | set(ENGLISH_FUNCTION_WORDS)

    # -- Arabic ------------------------------------------------------------

    def arabic_form(self, rng, stem=None, clitic=False):
        """One written Arabic content word: a stem with its clitics (at least
        one with ``clitic``)."""
        stem = stem or self.arabic_stem(rng)
        while True:
            prefix, suffix = self.arabic_prefix(rng), self.arabic_suffix(rng)
            if suffix == "ها" and "ال" in prefix:
                suffix = ""
            if prefix or suffix or not clitic:
                return prefix + stem + suffix

    def arabic_word(self, rng):
        r = rng.random()
        if r < 0.27:
            return self.arabic_function(rng)
        if r < 0.276:
            return rng.choice(ACRONYMS)
        if r < 0.284:
            return str(rng.randint(1, 2030)).translate(ARABIC_INDIC)
        word = self.arabic_form(rng)
        r = rng.random()
        if r < 0.03:
            return with_diacritics(rng, word)
        if r < 0.037:
            return with_tatweel(rng, word)
        if r < 0.06:
            return without_hamza(word)
        return word

    # -- English -----------------------------------------------------------

    def english_form(self, rng, word=None):
        return (word or self.english_stem(rng)) + self.english_suffix(rng)

    def english_word(self, rng):
        r = rng.random()
        if r < 0.33:
            return self.english_function(rng)
        if r < 0.334:
            return rng.choice(ACRONYMS)
        if r < 0.341:
            return str(rng.randint(1, 2030))
        word = self.english_form(rng)
        return word.capitalize() if rng.random() < 0.05 else word


def with_diacritics(rng, word):
    return "".join(c + (rng.choice(DIACRITICS) if rng.random() < 0.6 else "") for c in word)


def with_tatweel(rng, word):
    if len(word) < 3:
        return word
    at = rng.randint(1, len(word) - 2)
    return word[:at] + TATWEEL + word[at:]


def without_hamza(word):
    return "".join("ا" if c in HAMZA_ALEFS else c for c in word)


# -- documents ---------------------------------------------------------------


def _sentence(rng, words, vocabulary, lang):
    draw = vocabulary.arabic_word if lang == "ar" else vocabulary.english_word
    sentence = [draw(rng) for _ in range(words)]
    if lang == "en":
        sentence[0] = sentence[0].capitalize()
    elif words > 10 and rng.random() < 0.4:
        sentence[rng.randint(3, words - 4)] += "،"
    end = "؟" if lang == "ar" and rng.random() < 0.03 else "."
    return sentence, end


def _document_words(rng):
    sigma = 0.45
    mu = math.log(MEAN_WORDS) - sigma * sigma / 2
    return max(80, min(3000, int(rng.lognormvariate(mu, sigma))))


@dataclass
class CorpusStats:
    documents: int = 0
    arabic: int = 0
    english: int = 0
    words: int = 0
    bytes: int = 0
    phrases: list = field(default_factory=list)  # [(lang, first, second)]


def _headline(rng, vocabulary, lang):
    draw = vocabulary.arabic_form if lang == "ar" else vocabulary.english_form
    words = [draw(rng) for _ in range(rng.randint(6, 12))]
    if lang == "en":
        words = [word.capitalize() if i == 0 or rng.random() < 0.3 else word for i, word in enumerate(words)]
    return " ".join(words)


def generate_document(rng, vocabulary):
    """Return (lang, text, words, sentences) of one document."""
    lang = "ar" if rng.random() < ARABIC_SHARE else "en"
    target = _document_words(rng)
    headline = _headline(rng, vocabulary, lang)
    paragraphs, sentences, total = [], [], 0
    while total < target:
        paragraph, length = [], rng.randint(40, 120)
        while length > 0 and total < target:
            words = rng.randint(8, 24)
            sentence, end = _sentence(rng, words, vocabulary, lang)
            sentences.append(sentence)
            paragraph.append(" ".join(sentence) + end)
            length -= words
            total += words
        paragraphs.append(" ".join(paragraph))
    text = headline + "\n\n" + "\n\n".join(paragraphs) + "\n"
    return lang, text, total + len(headline.split()), sentences


def document_path(index, lang):
    return Path(lang) / f"{index // FILES_PER_FOLDER:03d}" / f"{lang}-{index:06d}.txt"


def _phrase_from(rng, sentences, vocabulary):
    """Two adjacent content words of one sentence, or None."""
    sentence = rng.choice(sentences)
    starts = list(range(len(sentence) - 1))
    rng.shuffle(starts)
    for start in starts[:8]:
        first, second = sentence[start].rstrip("،"), sentence[start + 1].rstrip("،")
        if all(w.isalpha() and len(w) > 2 and w.lower() not in vocabulary.function_words for w in (first, second)):
            return first, second
    return None


def write_corpus(folder, count, seed=SEED, vocabulary=None):
    """Write ``count`` documents under ``folder``; return CorpusStats (with
    the phrase pool drawn from the first PHRASE_SOURCE_DOCS documents)."""
    folder = Path(folder)
    vocabulary = vocabulary or Vocabulary(seed)
    rng = random.Random(f"corpus-{seed}")
    phrase_rng = random.Random(f"phrases-{seed}")
    stats = CorpusStats()
    for index in range(count):
        lang, text, words, sentences = generate_document(rng, vocabulary)
        path = folder / document_path(index, lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        stats.documents += 1
        stats.words += words
        stats.bytes += len(data)
        if lang == "ar":
            stats.arabic += 1
        else:
            stats.english += 1
        if index < PHRASE_SOURCE_DOCS:
            for _ in range(2):
                pair = _phrase_from(phrase_rng, sentences, vocabulary)
                if pair:
                    stats.phrases.append((lang, *pair))
    return stats


# A word no generated document has (no generated word has a q, an x or a z):
# only the documents write_fresh_documents adds carry it.
FRESH_MARKER = "quixzy"


def write_fresh_documents(folder, count, seed=SEED, vocabulary=None, marker=FRESH_MARKER):
    """Write ``count`` more documents under ``folder``/fresh, from their own
    generator, each with ``marker`` in its headline and its first
    paragraph; return their ids (paths under ``folder``)."""
    folder = Path(folder)
    vocabulary = vocabulary or Vocabulary(seed)
    rng = random.Random(f"fresh-{seed}")
    ids = []
    for index in range(count):
        _, text, _, _ = generate_document(rng, vocabulary)
        headline, body = text.split("\n\n", 1)
        path = Path("fresh") / f"fresh-{index:06d}.txt"
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(f"{headline} {marker}\n\n{marker} {body}", "utf-8")
        ids.append(path.as_posix())
    return ids


# -- queries -----------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    kind: str  # e.g. "ar word clitic", "en and", "ar phrase"
    lang: str
    text: str  # as a user types it (our engine and stock Whoosh)
    fts: str  # the same query in FTS5 syntax


def _fts_terms(*words):
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def _query_word(rng, vocabulary, lang):
    """A content word as a searcher types it; frequent words more often."""
    if lang == "en":
        return vocabulary.english_form(rng), "plain"
    r = rng.random()
    if r < 0.45:
        return vocabulary.arabic_stem(rng), "stem"
    word = vocabulary.arabic_form(rng, clitic=True)
    if r < 0.8:
        return word, "clitic"
    if r < 0.93:
        return with_diacritics(rng, word), "diacritic"
    return without_hamza(word) if any(c in HAMZA_ALEFS for c in word) else with_tatweel(rng, word), "variant"


def make_queries(vocabulary, phrases, count, seed=SEED):
    """``count`` queries: 40% single words, 30% two-word AND, 30% phrases;
    70% Arabic. Deterministic for a given seed and phrase pool."""
    rng = random.Random(f"queries-{seed}")
    queries = []
    for _ in range(count):
        lang = "ar" if rng.random() < ARABIC_SHARE else "en"
        r = rng.random()
        pool = [p for p in phrases if p[0] == lang]
        if r < 0.4:
            word, variant = _query_word(rng, vocabulary, lang)
            queries.append(Query(f"{lang} word {variant}", lang, word, _fts_terms(word)))
        elif r < 0.7 or not pool:
            first, _ = _query_word(rng, vocabulary, lang)
            second, _ = _query_word(rng, vocabulary, lang)
            queries.append(Query(f"{lang} and", lang, f"{first} {second}", _fts_terms(first, second)))
        else:
            _, first, second = rng.choice(pool)
            text = f'"{first} {second}"'
            queries.append(Query(f"{lang} phrase", lang, text, _fts_terms(f"{first} {second}")))
    return queries
