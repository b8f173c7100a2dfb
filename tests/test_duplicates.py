"""Near-duplicate folding: signatures, groups, and the LSH held equal to
datasketch's index and to a plain all-pairs computation."""

import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHashLSH
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search import duplicates
from search.duplicates import THRESHOLD, from_signature, group, shingles, signature

PROJECT = Path(__file__).resolve().parent.parent

STORY_EN = (
    "ASTANA — Kazakhstan will ship one million tonnes of milling wheat to Egypt over the next twelve "
    "months under an agreement signed in Astana on Wednesday, the agriculture ministry said. The grain "
    "will travel by rail to Aktau, across the Caspian Sea and through Azerbaijan and Georgia to Black Sea "
    "ports, avoiding routes through Russia. The ministry did not disclose the price but said deliveries "
    "would begin in October. Egypt, the world's largest wheat importer, has been trying to diversify its "
    "suppliers. Kazakhstan expects a harvest of about 17 million tonnes this year."
)
REWRITE_EN = (
    "Egypt has found a new source of bread wheat. Officials from Cairo's commodity authority signed a "
    "contract in the Kazakh capital on Wednesday for one million tonnes, to be delivered in monthly lots "
    "from October. 'This is a route that did not exist for us three years ago,' an Egyptian trade official "
    "said, describing how the grain would cross the Caspian from the port of Aktau and reach the Black Sea "
    "through the Caucasus. Kazakh farmers are heading for a crop of around 17 million tonnes. Egypt buys "
    "more wheat than any other country. Terms of the sale were not made public."
)
STORY_AR = (
    "عمّان – وقّع الأردن الأحد عقدًا مع تحالف دولي لبناء محطة في العقبة لتحلية مياه البحر الأحمر وضخها "
    "مسافة 450 كيلومترًا شمالًا إلى عمّان، في أكبر مشروع للبنية التحتية في تاريخ المملكة. وقالت وزارة المياه "
    "والري إن المشروع سيوفر 300 مليون متر مكعب من مياه الشرب سنويًا عند تشغيله في 2029، ما يقلل الاعتماد "
    "على الأحواض الجوفية المستنزفة. وتقدر كلفته بنحو 3 مليارات دولار."
)
# The same story as another site spells it: hamza and alef forms, ta marbuta,
# alef maqsura, diacritics, tatweel and Arabic-Indic digits.
STORY_AR_VARIANTS = (
    "عمان – وقع الاردن الاحد عقدا مع تحالف دولي لبناء محطه في العقبه لتحليه مياه البحر الاحمر وضخها "
    "مسافه ٤٥٠ كيلومترا شمالا الى عمان، في اكبر مشروع للبنيه التحتيه في تاريخ المملكه. وقالت وزاره المياه "
    "والري ان المشروع سيوفر ٣٠٠ مليون متر مكعب من مياه الشرب سنويا عند تشغيله في ٢٠٢٩، ما يقلل الاعتماد "
    "علي الأحـواض الجوفيه المستنزفه. وتقدر كلفته بنحو ٣ مليارات دولار."
)
STORY_EN_AS_AR = (
    "أستانا – ستشحن كازاخستان مليون طن من قمح الطحين إلى مصر خلال الاثني عشر شهرًا المقبلة بموجب اتفاق وقع "
    "في أستانا الأربعاء، بحسب وزارة الزراعة. وستنقل الحبوب بالقطار إلى أكتاو ثم عبر بحر قزوين وأذربيجان "
    "وجورجيا إلى موانئ البحر الأسود. ولم تكشف الوزارة عن السعر لكنها قالت إن الشحنات تبدأ في أكتوبر."
)
OTHER_EN = (
    "The Riyadh Metro carried its first paying passengers on Sunday as three of its six lines opened, more "
    "than ten years after work began on one of the largest urban rail projects in the world. The Blue, "
    "Yellow and Purple lines serve 34 stations, and the remaining lines are due to open by early next year."
)


def site_copy(text, headline="Wheat deal: grain to flow from the steppe to the Nile"):
    """``text`` as another site saved it: a headline, a dateline, its chrome."""
    return (
        "Home | World | Business | Markets | Sport\n"
        f"{headline}\n(Gulf Wire) — {text}\n"
        "Share this article\n© 2024 Gulf Wire. All rights reserved."
    )


def folded(a, b):
    groups = group({"a": signature(a), "b": signature(b)})
    return groups["a"] == groups["b"]


# --- signatures --------------------------------------------------------------------


def test_signature_is_deterministic_and_round_trips():
    data = signature(STORY_EN)
    assert data == signature(STORY_EN)
    assert len(data) == duplicates.SIGNATURE_BYTES
    sketch = from_signature(data)
    assert np.array_equal(sketch.hashvalues, duplicates.minhash(STORY_EN).hashvalues)
    assert sketch.jaccard(duplicates.minhash(STORY_EN)) == 1.0


def test_signature_is_the_same_in_another_process_with_another_hash_seed():
    code = "import sys; from search.duplicates import signature; sys.stdout.write(signature(sys.argv[1]).hex())"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    done = subprocess.run(
        [sys.executable, "-c", code, STORY_AR], capture_output=True, text=True, cwd=PROJECT, env=env, check=True
    )
    assert done.stdout == signature(STORY_AR).hex()


def test_shingles_are_normalised_words_with_stopwords_kept():
    found = shingles("The " + STORY_EN, size=3)
    assert b"the astana kazakhstan" in found
    assert b"over the next" in found


def test_arabic_spelling_variants_give_the_same_shingles():
    assert shingles(STORY_AR) == shingles(STORY_AR_VARIANTS)


def test_short_text_has_no_signature_and_never_groups():
    note = "Closed on Friday for repairs."
    assert shingles(note) == set()
    assert signature(note) == b""
    assert from_signature(b"") is None
    assert group({"a": signature(note), "b": signature(note)}) == {"a": "a", "b": "b"}


# --- folding -----------------------------------------------------------------------


def test_copy_with_changed_headline_and_chrome_is_grouped():
    assert folded(STORY_EN, site_copy(STORY_EN))


def test_rewritten_story_of_the_same_event_is_not_grouped():
    assert not folded(STORY_EN, REWRITE_EN)


def test_arabic_spelling_variants_fold():
    assert folded(STORY_AR, STORY_AR_VARIANTS)


def test_story_and_its_translation_never_group():
    assert not shingles(STORY_EN) & shingles(STORY_EN_AS_AR)
    assert not folded(STORY_EN, STORY_EN_AS_AR)


def test_three_copies_form_one_group_with_one_representative():
    signatures = {
        "site-b": signature(site_copy(STORY_EN, "Egypt buys Kazakh wheat")),
        "site-a": signature(STORY_EN),
        "site-c": signature(site_copy(STORY_EN, "A million tonnes of wheat for Egypt")),
        "other": signature(OTHER_EN),
    }
    assert group(signatures) == {"site-a": "site-a", "site-b": "site-a", "site-c": "site-a", "other": "other"}
    longest_first = {"site-a": 2, "site-b": 0, "site-c": 1, "other": 0}
    groups = group(signatures, rank_key=longest_first.__getitem__)
    assert groups == {"site-a": "site-b", "site-b": "site-b", "site-c": "site-b", "other": "other"}


def test_removing_a_member_leaves_the_others_grouped():
    signatures = {
        "site-a": signature(STORY_EN),
        "site-b": signature(site_copy(STORY_EN, "Egypt buys Kazakh wheat")),
        "site-c": signature(site_copy(STORY_EN, "A million tonnes of wheat for Egypt")),
    }
    del signatures["site-a"]
    assert group(signatures) == {"site-b": "site-b", "site-c": "site-b"}


def _chain(links, length=60, step=18, seed=3):
    """Texts where each next one shares most words with the one before, the
    first and last little: a chain of copies."""
    rng = random.Random(seed)
    words = [f"w{rng.randrange(10**6)}" for _ in range(length + step * links)]
    return [" ".join(words[i * step : i * step + length]) for i in range(links + 1)]


def test_chain_of_copies_is_one_group_through_union_find():
    texts = _chain(3)
    sigs = {f"d{i}": signature(t) for i, t in enumerate(texts)}
    assert duplicates.similarity(sigs["d0"], sigs["d3"]) < THRESHOLD  # the ends alone are not copies
    assert duplicates.similarity(sigs["d0"], sigs["d1"]) >= THRESHOLD
    assert set(group(sigs).values()) == {"d0"}
    assert group({"d0": sigs["d0"], "d3": sigs["d3"]}) == {"d0": "d0", "d3": "d3"}


def test_group_of_nothing_is_empty():
    assert group({}) == {}


def test_signature_made_with_other_settings_is_refused():
    try:
        group({"a": signature(STORY_EN), "b": signature(STORY_EN, num_perm=64)})  # settings of another build
    except ValueError as error:
        assert "NUM_PERM" in str(error)
    else:
        raise AssertionError("a 64-permutation signature was grouped with 128-permutation ones")


def test_bands_almost_never_miss_a_pair_at_the_threshold():
    assert duplicates.band_hit_probability(THRESHOLD) > 0.9999
    assert duplicates.BANDS * duplicates.ROWS <= duplicates.NUM_PERM


# --- the optimisation held equal to the plain computations ------------------------------


def plain_group(signatures):
    """Every pair compared with MinHash.jaccard, joined by union-find; the
    representative is the smallest doc id."""
    ids = sorted(doc_id for doc_id, data in signatures.items() if data)
    parent = {doc_id: doc_id for doc_id in signatures}

    def find(doc_id):
        while parent[doc_id] != doc_id:
            doc_id = parent[doc_id]
        return doc_id

    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if from_signature(signatures[a]).jaccard(from_signature(signatures[b])) >= THRESHOLD:
                ra, rb = find(a), find(b)
                parent[max(ra, rb)] = min(ra, rb)
    return {doc_id: find(doc_id) for doc_id in signatures}


def datasketch_candidates(signatures):
    """Candidate pairs from datasketch's own LSH index with the same bands."""
    lsh = MinHashLSH(num_perm=duplicates.NUM_PERM, params=(duplicates.BANDS, duplicates.ROWS))
    for doc_id, data in signatures.items():
        lsh.insert(doc_id, from_signature(data))
    return {
        tuple(sorted((doc_id, other)))
        for doc_id, data in signatures.items()
        for other in lsh.query(from_signature(data))
        if other != doc_id
    }


# Texts for the property tests: drawn from a small vocabulary, and edited
# copies of each other at every amount, so pairs fall on both sides of the
# threshold and close to it.
_VOCABULARY = [f"word{i}" for i in range(40)] + ["the", "of", "في", "من", "الخبر"]


@st.composite
def text_families(draw):
    bases = draw(st.lists(st.lists(st.sampled_from(_VOCABULARY), min_size=10, max_size=60), min_size=1, max_size=4))
    texts = []
    for base in bases:
        texts.append(base)
        for _ in range(draw(st.integers(0, 3))):
            copy = list(base)
            for _ in range(draw(st.integers(0, len(base) // 2))):
                i = draw(st.integers(0, len(copy) - 1))
                copy[i] = draw(st.sampled_from(_VOCABULARY))
            texts.append(copy)
    return {f"doc{i:02d}": " ".join(words) for i, words in enumerate(texts)}


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(text_families())
def test_group_equals_the_plain_all_pairs_computation(texts):
    signatures = {doc_id: signature(text) for doc_id, text in texts.items()}
    assert group(signatures) == plain_group(signatures)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(text_families())
def test_numpy_bands_equal_datasketch_lsh_candidates(texts):
    signatures = {doc_id: signature(text) for doc_id, text in texts.items()}
    signatures = {doc_id: data for doc_id, data in signatures.items() if data}
    ids = sorted(signatures)
    matrix = np.frombuffer(b"".join(signatures[doc_id] for doc_id in ids), dtype="<u4").reshape(
        len(ids), duplicates.NUM_PERM
    )
    ours = {(ids[a], ids[b]) for a, b in duplicates.candidate_pairs(matrix).tolist()}
    assert ours == datasketch_candidates(signatures)


def test_group_equals_plain_computation_on_random_signatures_with_shared_values():
    # Signatures made directly: copies of six random rows with 5%, 30% or 90%
    # of their values replaced, so some rows are copies and some are not.
    rng = np.random.default_rng(5)
    base = rng.integers(0, 2**32, size=(6, duplicates.NUM_PERM), dtype=np.uint32)
    signatures = {}
    for i in range(24):
        row = base[i % 6].copy()
        changed = rng.random(duplicates.NUM_PERM) < rng.choice([0.05, 0.3, 0.9])
        row[changed] = rng.integers(0, 2**32, size=int(changed.sum()), dtype=np.uint32)
        signatures[f"s{i:02d}"] = row.astype("<u4").tobytes()
    ours = group(signatures)
    assert ours == plain_group(signatures)
    assert len(set(ours.values())) < len(ours)  # something was folded


def test_pair_exactly_at_the_threshold_is_folded_and_one_value_less_is_not():
    rng = np.random.default_rng(8)
    first = rng.integers(0, 2**32, size=duplicates.NUM_PERM, dtype=np.uint32)
    agreeing = int(THRESHOLD * duplicates.NUM_PERM)
    for shared, expected in ((agreeing, True), (agreeing - 1, False)):
        second = first.copy()
        second[shared:] += np.uint32(1)  # the first ``shared`` values agree, whole bands among them
        signatures = {"a": first.astype("<u4").tobytes(), "b": second.astype("<u4").tobytes()}
        assert duplicates.similarity(signatures["a"], signatures["b"]) == shared / duplicates.NUM_PERM
        assert (group(signatures)["b"] == "a") is expected


# --- the indexer's signature, from the postings it has just analysed ------------------------


def _exact_postings(text):
    from search.analysis import bilingual_analyzer, surface_analyzer

    return bilingual_analyzer().index_postings_with(surface_analyzer(), text)[1]


@pytest.mark.parametrize("path", sorted((Path(__file__).resolve().parent.parent / "corpus").rglob("*.txt")), ids=str)
def test_words_from_the_indexers_postings_equal_the_texts_words(path):
    text = path.read_bytes().decode("utf-8", "replace")
    assert duplicates.words_from_postings(_exact_postings(text)) == duplicates.words(text)


@given(st.text(alphabet=st.sampled_from(list("ab كتبـٌ-19 .\n،ALIF")), max_size=200))
@settings(max_examples=100, deadline=None)
def test_words_from_postings_equal_words_for_any_text(text):
    assert duplicates.words_from_postings(_exact_postings(text)) == duplicates.words(text)
