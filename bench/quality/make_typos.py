"""Write bench/quality/typos.json: misspelt queries over the sample corpus.

    .venv/bin/python -m bench.quality.make_typos          # rewrites typos.json

Each seed below is a query a reader would type to find one document (a name,
a place, a topic word of that document) and the one word of it to misspell
with one operation of the given kind:

- dropped: one letter left out (an Arabic long vowel when the word has one);
- doubled: one letter typed twice;
- swapped: two neighbouring letters typed in the wrong order;
- substituted: one letter replaced by one people confuse it with: in Arabic a
  letter that sounds alike or sits next to it (ض/ظ, س/ص, ت/ط, ق/ك, ح/ه, ذ/ز,
  ة/ت ...), in English a neighbouring key on a QWERTY keyboard.

The letter to change is picked deterministically (a CRC of the word), never
the first letter nor the article ال. A misspelling shorter than four letters
(the typo rewrite leaves those alone), or one that the index knows as a word
(its normalised form or its stem is a corpus word's: a real-word error, which
no spelling correction can see), is passed over for the next position. Every seed's correct query must find its
document in the top 10, so a miss is the misspelling's fault.
"""

import json
import sys
import tempfile
import zlib
from pathlib import Path

import pyarabic.araby as araby

from search.analysis import normalize_word, script_of, stem_word
from search.analysis.explain import query_words
from search.analysis.filters import index_stems_of
from search.engine import scoring, search
from search.index import open_index, update_index
from search.ingest import read_document, walk_folder
from search.query import SearchRequest

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
OUT = HERE / "typos.json"
MIN_LETTERS = 4  # the typo rewrite leaves shorter words alone (search.suggest.max_edits)
KINDS = ("dropped", "doubled", "swapped", "substituted")

# Arabic letters people confuse: they sound alike, or the keys are neighbours.
ARABIC_SUBSTITUTES = {
    "ض": "ظد",
    "ظ": "ضز",
    "س": "صث",
    "ص": "سض",
    "ث": "سة",
    "ت": "طة",
    "ط": "تظ",
    "ق": "كغ",
    "ك": "ق",
    "ح": "هخ",
    "ه": "ح",
    "خ": "ح",
    "ذ": "زد",
    "ز": "ذ",
    "د": "ذ",
    "ة": "ت",
    "غ": "ع",
    "ع": "غ",
}
# Neighbouring keys on a QWERTY keyboard (same row first).
QWERTY_NEIGHBOURS = {
    "q": "wa",
    "w": "qes",
    "e": "wrd",
    "r": "etf",
    "t": "ryg",
    "y": "tuh",
    "u": "yij",
    "i": "uok",
    "o": "ipl",
    "p": "o",
    "a": "sq",
    "s": "adw",
    "d": "sfe",
    "f": "dgr",
    "g": "fht",
    "h": "gjy",
    "j": "hku",
    "k": "jli",
    "l": "ko",
    "z": "xs",
    "x": "zc",
    "c": "xv",
    "v": "cb",
    "b": "vn",
    "n": "bm",
    "m": "n",
}
LONG_VOWELS = set("اويى")

# (intended document, correct query, the word to misspell, kind)
SEEDS = [
    # --- Arabic ---------------------------------------------------------------
    ("ar/agriculture/ahsa-date-palm-irrigation.txt", "مزارع النخيل", "النخيل", "dropped"),
    ("ar/agriculture/ahsa-date-palm-irrigation.txt", "الأحساء", "الأحساء", "substituted"),
    ("ar/agriculture/kz-wheat-harvest.txt", "محصول القمح كازاخستان", "محصول", "doubled"),
    ("ar/agriculture/kz-wheat-harvest.txt", "كوستاناي", "كوستاناي", "swapped"),
    ("ar/culture/amman-poetry-festival.txt", "مهرجان الشعر عمان", "مهرجان", "substituted"),
    ("ar/culture/amman-poetry-festival.txt", "شاعرة", "شاعرة", "doubled"),
    ("ar/culture/rabat-manuscripts-library.txt", "رقمنة المخطوطات", "رقمنة", "swapped"),
    ("ar/culture/rabat-manuscripts-library.txt", "المكتبة الوطنية الرباط", "المكتبة", "dropped"),
    ("ar/culture/tunis-theatre-festival.md", "مهرجان المسرح تونس", "المسرح", "substituted"),
    ("ar/culture/tunis-theatre-festival.md", "الجدار الأخير", "الجدار", "doubled"),
    ("ar/economy/chrome-oil-prices.txt", "تحالف اوبك", "تحالف", "substituted"),
    ("ar/economy/chrome-oil-prices.txt", "تمديد خفض الإنتاج", "تمديد", "dropped"),
    ("ar/economy/doha-lng-deal.txt", "الغاز المسال", "المسال", "substituted"),
    ("ar/economy/doha-lng-deal.txt", "قطر للطاقة", "للطاقة", "swapped"),
    ("ar/economy/egypt-inflation-rates.txt", "البنك المركزي المصري", "المصري", "doubled"),
    ("ar/economy/egypt-inflation-rates.txt", "سعر صرف الجنيه", "الجنيه", "dropped"),
    ("ar/economy/kz-tenge-rate-hike.txt", "التنغي", "التنغي", "swapped"),
    ("ar/economy/kz-tenge-rate-hike.txt", "كبح التضخم", "التضخم", "substituted"),
    ("ar/economy/oil-prices-inventories.txt", "المخزونات الأمريكية", "المخزونات", "doubled"),
    ("ar/economy/oil-prices-inventories.txt", "خام برنت", "برنت", "swapped"),
    ("ar/education/arabic-language-day-diacritics.txt", "اليوم العالمي للغة العربية", "العالمي", "swapped"),
    ("ar/education/arabic-language-day-diacritics.txt", "علامات التشكيل", "التشكيل", "substituted"),
    ("ar/education/jordan-university-admissions.txt", "القبول الموحد", "الموحد", "substituted"),
    ("ar/education/jordan-university-admissions.txt", "الجامعات الأردنية", "الجامعات", "dropped"),
    ("ar/education/kz-scholarships-arab-students.txt", "منح دراسية كازاخستان", "دراسية", "doubled"),
    ("ar/education/kz-scholarships-arab-students.txt", "جامعة الفارابي", "الفارابي", "swapped"),
    ("ar/education/uae-ai-curriculum.md", "المناهج المدرسية", "المناهج", "substituted"),
    ("ar/environment/aral-sea-kokaral.txt", "سد كوكارال", "كوكارال", "dropped"),
    ("ar/environment/aral-sea-kokaral.txt", "صيادو آرالسك", "آرالسك", "doubled"),
    ("ar/environment/egypt-canal-lining.txt", "تبطين الترع", "تبطين", "substituted"),
    ("ar/environment/egypt-canal-lining.txt", "مياه النيل الدلتا", "الدلتا", "swapped"),
    ("ar/environment/gulf-heatwave-climate.txt", "موجة حر الخليج", "الخليج", "doubled"),
    ("ar/environment/gulf-heatwave-climate.txt", "التغير المناخي", "المناخي", "substituted"),
    ("ar/environment/jordan-drought-water.txt", "ساعات الضخ", "ساعات", "dropped"),
    ("ar/environment/jordan-drought-water.txt", "الزرقاء", "الزرقاء", "swapped"),
    ("ar/health/doha-university-hospital.txt", "مستشفى جامعي", "مستشفى", "substituted"),
    ("ar/health/iraq-flu-covid-vaccines.txt", "لقاحات الإنفلونزا", "الإنفلونزا", "dropped"),
    ("ar/health/iraq-flu-covid-vaccines.txt", "الجرعات المعززة", "المعززة", "swapped"),
    ("ar/health/morocco-measles-outbreak.txt", "الحصبة المغرب", "الحصبة", "substituted"),
    ("ar/health/morocco-measles-outbreak.txt", "حملات التطعيم", "التطعيم", "doubled"),
    ("ar/news/breaking-kz-results.txt", "فوز توكاييف بولاية رئاسية", "رئاسية", "dropped"),
    ("ar/politics/biden-central-asia-summit.txt", "المعادن النادرة", "المعادن", "swapped"),
    ("ar/politics/biden-central-asia-summit.txt", "بايدن آسيا الوسطى", "الوسطى", "substituted"),
    ("ar/politics/jordan-parliament-budget.txt", "موازنة مجلس النواب", "موازنة", "doubled"),
    ("ar/politics/kz-early-elections.txt", "مراكز الاقتراع", "الاقتراع", "substituted"),
    ("ar/politics/kz-observers-osce.txt", "مراقبيها أقاليم كازاخستان", "مراقبيها", "dropped"),
    ("ar/politics/kz-peacekeepers-withdrawal.txt", "معاهدة الأمن الجماعي", "معاهدة", "swapped"),
    ("ar/politics/kz-peacekeepers-withdrawal.txt", "انسحاب قوات حفظ السلام", "انسحاب", "substituted"),
    ("ar/politics/live-kuwait-parliament.txt", "استجواب وزير النفط", "استجواب", "doubled"),
    ("ar/politics/macron-hung-parliament.txt", "ماكرون", "ماكرون", "dropped"),
    ("ar/politics/macron-hung-parliament.txt", "قصر الإليزيه", "الإليزيه", "swapped"),
    ("ar/space/baikonur-soyuz-launch.txt", "سويوز بايكونور", "بايكونور", "doubled"),
    ("ar/space/hope-probe-deimos.txt", "مسبار الأمل", "مسبار", "substituted"),
    ("ar/space/hope-probe-deimos.txt", "ديموس", "ديموس", "swapped"),
    ("ar/space/kz-earth-observation-satellite.txt", "قمر صناعي لرصد المحاصيل", "المحاصيل", "dropped"),
    ("ar/sports/astana-cycling-team.txt", "طواف فرنسا", "فرنسا", "substituted"),
    ("ar/sports/chrome-jordan-cup-final.txt", "الوحدات الفيصلي", "الفيصلي", "doubled"),
    ("ar/sports/doha-asian-cup.txt", "ملاعب المونديال", "المونديال", "swapped"),
    ("ar/sports/doha-diamond-league.txt", "يوسف البناني", "البناني", "doubled"),
    ("ar/tech/arabic-ai-models.txt", "نماذج لغوية اللهجات", "اللهجات", "swapped"),
    ("ar/tech/gulf-data-centers.txt", "الحوسبة السحابية", "الحوسبة", "substituted"),
    ("ar/tech/riyadh-ai-summit.html", "قمة الذكاء الاصطناعي الرياض", "الاصطناعي", "dropped"),
    ("ar/transport/middle-corridor-aktau.txt", "ميناء أكتاو", "أكتاو", "doubled"),
    ("ar/transport/riyadh-metro-opening.txt", "مترو الرياض", "الرياض", "substituted"),
    ("ar/ثقافة/معرض-الكتاب.txt", "قونانباييف", "قونانباييف", "dropped"),
    # --- English --------------------------------------------------------------
    ("en/agriculture/kazakh-wheat-exports.txt", "bumper wheat harvest", "harvest", "dropped"),
    ("en/agriculture/kazakh-wheat-exports.txt", "Nurlan Abenov", "Abenov", "substituted"),
    ("en/agriculture/kazakh-wheat-exports.txt", "wheat exports", "exports", "swapped"),
    ("en/business/chrome-oil-markets.txt", "voluntary output cuts", "voluntary", "doubled"),
    ("en/business/chrome-oil-markets.txt", "OPEC extends cuts", "extends", "substituted"),
    ("en/business/chrome-oil-markets.txt", "barrels per day", "barrels", "dropped"),
    ("en/culture/cafe-rumi-poetry-night.txt", "Spanish translator", "translator", "swapped"),
    ("en/culture/cafe-rumi-poetry-night.txt", "Weibdeh", "Weibdeh", "doubled"),
    ("en/culture/cafe-rumi-poetry-night.txt", "Granada", "Granada", "substituted"),
    ("en/culture/rabat-library-digitisation.md", "digitise manuscripts", "digitise", "dropped"),
    ("en/culture/rabat-library-digitisation.md", "National Library Morocco", "Morocco", "swapped"),
    ("en/culture/rabat-library-digitisation.md", "jurisprudence astronomy", "jurisprudence", "doubled"),
    ("en/economy/kazakhstan-rate-hike.txt", "tenge", "tenge", "substituted"),
    ("en/economy/kazakhstan-rate-hike.txt", "curb inflation", "inflation", "dropped"),
    ("en/economy/kazakhstan-rate-hike.txt", "base rate", "base", "swapped"),
    ("en/education/kazakhstan-scholarships.txt", "scholarships Arab students", "students", "doubled"),
    ("en/education/kazakhstan-scholarships.txt", "monthly stipend", "stipend", "substituted"),
    ("en/education/kazakhstan-scholarships.txt", "tuition housing", "tuition", "dropped"),
    ("en/environment/aral-sea-recovery.txt", "Kokaral Dam", "Kokaral", "swapped"),
    ("en/environment/aral-sea-recovery.txt", "Aralsk fishermen", "fishermen", "doubled"),
    ("en/environment/aral-sea-recovery.txt", "Kyzylorda", "Kyzylorda", "substituted"),
    ("en/environment/jordan-water-crisis.txt", "pumping hours", "pumping", "dropped"),
    ("en/environment/jordan-water-crisis.txt", "Zarqa", "Zarqa", "swapped"),
    ("en/environment/jordan-water-crisis.txt", "Ministry of Water and Irrigation", "Irrigation", "doubled"),
    ("en/health/iraq-vaccine-drive.txt", "booster doses", "booster", "substituted"),
    ("en/health/iraq-vaccine-drive.txt", "winter vaccine drive Iraq", "vaccine", "dropped"),
    ("en/health/iraq-vaccine-drive.txt", "respiratory infections", "respiratory", "swapped"),
    ("en/news/chrome-jordan-elections.txt", "Jordanians vote", "Jordanians", "doubled"),
    ("en/news/chrome-jordan-elections.txt", "new party law", "party", "substituted"),
    ("en/news/chrome-jordan-elections.txt", "House of Representatives", "Representatives", "dropped"),
    ("en/politics/biden-central-asia-summit.txt", "critical minerals", "minerals", "swapped"),
    ("en/politics/biden-central-asia-summit.txt", "Turkmenistan", "Turkmenistan", "doubled"),
    ("en/politics/biden-central-asia-summit.txt", "Biden Central Asian leaders", "Central", "substituted"),
    ("en/politics/csto-peacekeepers-leave-kazakhstan.txt", "Collective Security Treaty", "Collective", "dropped"),
    ("en/politics/csto-peacekeepers-leave-kazakhstan.txt", "Russian paratroopers", "paratroopers", "swapped"),
    ("en/politics/csto-peacekeepers-leave-kazakhstan.txt", "peacekeepers withdrawal", "withdrawal", "doubled"),
    ("en/politics/kz-election-observers.txt", "snap presidential election", "presidential", "substituted"),
    ("en/politics/kz-election-observers.txt", "genuine choice", "genuine", "dropped"),
    ("en/politics/kz-election-observers.txt", "OSCE observers", "observers", "swapped"),
    ("en/politics/macron-coalition-talks.txt", "hung parliament", "parliament", "doubled"),
    ("en/politics/macron-coalition-talks.txt", "National Assembly", "Assembly", "substituted"),
    ("en/politics/macron-coalition-talks.txt", "Macron coalition", "Macron", "dropped"),
    ("en/space/baikonur-soyuz-launch.txt", "Soyuz Baikonur", "Baikonur", "swapped"),
    ("en/space/baikonur-soyuz-launch.txt", "Russian cosmonauts", "cosmonauts", "doubled"),
    ("en/sports/doha-asian-cup.txt", "Asian Cup stadiums", "stadiums", "substituted"),
    ("en/sports/doha-asian-cup.txt", "tournament tickets", "tickets", "dropped"),
    ("en/tech/arabic-language-ai.txt", "Arabic dialects", "dialects", "swapped"),
    ("en/tech/arabic-language-ai.txt", "short vowels", "vowels", "doubled"),
    ("en/tech/riyadh-ai-summit.html", "Riyadh artificial intelligence summit", "summit", "substituted"),
    ("en/tech/riyadh-ai-summit.html", "delegates Riyadh", "delegates", "dropped"),
    ("en/transport/middle-corridor-rail.txt", "Middle Corridor", "Corridor", "swapped"),
    ("en/transport/middle-corridor-rail.txt", "Caspian ports", "Caspian", "doubled"),
    ("en/transport/middle-corridor-rail.txt", "Aktau container traffic", "container", "substituted"),
]


def _crc(*parts):
    return zlib.crc32("|".join(parts).encode("utf-8"))


def _positions(word, arabic):
    """Letters that may be changed: not the first, not the article ال."""
    start = 2 if arabic and word.startswith("ال") and len(word) > 4 else 1
    return list(range(start, len(word)))


def misspellings(word, kind):
    """Every misspelling of ``word`` by one ``kind`` of operation, the
    deterministic first choice first."""
    arabic = script_of(word) == "ar"
    positions = _positions(word, arabic)
    if kind == "dropped" and arabic and any(word[i] in LONG_VOWELS for i in positions):
        positions = [i for i in positions if word[i] in LONG_VOWELS] + [
            i for i in positions if word[i] not in LONG_VOWELS
        ]
    else:
        shift = _crc(word, kind) % len(positions)
        positions = positions[shift:] + positions[:shift]
    for i in positions:
        letter = word[i]
        if kind == "dropped":
            yield word[:i] + word[i + 1 :]
        elif kind == "doubled":
            yield word[: i + 1] + letter + word[i + 1 :]
        elif kind == "swapped" and i + 1 < len(word) and letter != word[i + 1]:
            yield word[:i] + word[i + 1] + letter + word[i + 2 :]
        elif kind == "substituted":
            table = ARABIC_SUBSTITUTES if arabic else QWERTY_NEIGHBOURS
            options = table.get(letter.lower(), "")
            if options:
                yield word[:i] + options[_crc(word, str(i)) % len(options)] + word[i + 1 :]


def corpus_vocabulary(docs_dir):
    """The normalised form of every word of the corpus, and every stem the
    index files the words under: what the index knows as a word."""
    vocabulary = set()
    for source in walk_folder(docs_dir):
        document = read_document(source)
        for word, script, _, _ in query_words(document.title + "\n" + document.body):
            normalized = normalize_word(word, script)
            vocabulary.add(normalized)
            vocabulary.update(("stem", stem) for stem in index_stems_of(normalized, script))
    return vocabulary


def is_corpus_word(word, vocabulary):
    script = script_of(word)
    normalized = normalize_word(word, script)
    return normalized in vocabulary or ("stem", stem_word(normalized, script)) in vocabulary


def make_typo(seed, vocabulary):
    doc_id, correct, word, kind = seed
    plain = araby.strip_tashkeel(word)
    if plain not in correct.split():
        raise ValueError(f"{word!r} is not a word of {correct!r}")
    if len(normalize_word(plain, script_of(plain))) < MIN_LETTERS:
        raise ValueError(f"{word!r} is shorter than {MIN_LETTERS} letters")
    for typo in misspellings(plain, kind):
        normalized = normalize_word(typo, script_of(typo))
        if len(normalized) < MIN_LETTERS:
            continue  # too short for the typo rewrite to touch
        if is_corpus_word(typo, vocabulary) or normalized == normalize_word(plain, script_of(plain)):
            continue  # a real word, or the same word once normalised: not a typo anyone can catch
        words = correct.split()
        words[words.index(plain)] = typo
        return {"query": " ".join(words), "intended": doc_id, "kind": kind, "correct": correct}
    raise ValueError(f"no {kind} misspelling of {word!r} that is not a corpus word")


def check_correct_queries(typos, docs_dir):
    """The correct spelling of every query finds its document in the top 10."""
    with tempfile.TemporaryDirectory() as workdir:
        update_index(docs_dir, workdir)
        with open_index(workdir).searcher(weighting=scoring()) as searcher:
            missed = [
                f"{typo['correct']!r} does not find {typo['intended']} in the top 10"
                for typo in typos
                if typo["intended"] not in [hit.doc_id for hit in search(searcher, SearchRequest(typo["correct"])).hits]
            ]
    if missed:
        raise ValueError("\n".join(missed))


def main():
    docs_dir = PROJECT / "corpus"
    vocabulary = corpus_vocabulary(docs_dir)
    typos = [{"id": f"t{n:03d}"} | make_typo(seed, vocabulary) for n, seed in enumerate(SEEDS, 1)]
    check_correct_queries(typos, docs_dir)
    OUT.write_text(json.dumps(typos, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"wrote {len(typos)} misspelt queries to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
