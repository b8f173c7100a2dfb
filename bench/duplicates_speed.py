"""How fast near-duplicates are grouped (search/duplicates.py).

    .venv/bin/python -m bench.duplicates_speed [--documents 50000] [--datasketch]

A made collection: words drawn from a Zipf distribution over a vocabulary of
VOCABULARY words (frequent words make frequent pairs, as stopwords do in
news, so unrelated documents share some shingles), documents of 150 to 600
words; a tenth of them are copies of another document with 5-15% of the
words changed, some copied three times. Prints the time to sign a document,
to group all of them with ``duplicates.group``, the candidate and confirmed
pair counts, and with ``--datasketch`` the same grouping through
datasketch's ``MinHashLSH`` (insert every document, query every document),
whose groups must be the same.
"""

import argparse
import json
import time

import numpy as np
from datasketch import MinHashLSH

from search import duplicates

VOCABULARY = 30_000
# Unrelated made documents share 2-word shingles at Jaccard 0.013 on average with this
# exponent, the sample corpus's documents of one language 0.005: the candidate counts err high.
ZIPF = 1.0
SEED = 11


def make_texts(count, seed=SEED):
    rng = np.random.default_rng(seed)
    vocabulary = np.array([f"w{i}" for i in range(VOCABULARY)])
    ranks = np.arange(1, VOCABULARY + 1)
    weights = 1.0 / ranks**ZIPF
    weights /= weights.sum()
    texts = {}
    originals = []
    for n in range(count):
        doc_id = f"doc{n:06d}"
        if originals and rng.random() < 0.1:
            words = list(originals[rng.integers(len(originals))])
            for i in rng.choice(len(words), size=int(len(words) * rng.uniform(0.05, 0.15)), replace=False):
                words[i] = vocabulary[rng.choice(VOCABULARY, p=weights)]
        else:
            words = vocabulary[rng.choice(VOCABULARY, size=int(rng.integers(150, 600)), p=weights)].tolist()
            originals.append(words)
        texts[doc_id] = " ".join(words)
    return texts


def group_with_datasketch(signatures):
    """The reference: datasketch's LSH index for the candidates, confirmed
    with MinHash.jaccard, union-find; the smallest id represents a group."""
    lsh = MinHashLSH(num_perm=duplicates.NUM_PERM, params=(duplicates.BANDS, duplicates.ROWS))
    sketches = {doc_id: duplicates.from_signature(data) for doc_id, data in signatures.items() if data}
    with lsh.insertion_session() as session:
        for doc_id, sketch in sketches.items():
            session.insert(doc_id, sketch, check_duplication=False)
    parent = {doc_id: doc_id for doc_id in signatures}

    def find(doc_id):
        while parent[doc_id] != doc_id:
            parent[doc_id] = parent[parent[doc_id]]
            doc_id = parent[doc_id]
        return doc_id

    for doc_id, sketch in sketches.items():
        for other in lsh.query(sketch):
            if other > doc_id and sketch.jaccard(sketches[other]) >= duplicates.THRESHOLD:
                a, b = find(doc_id), find(other)
                parent[max(a, b)] = min(a, b)
    return {doc_id: find(doc_id) for doc_id in signatures}


def run(count, datasketch=False):
    texts = make_texts(count)
    started = time.perf_counter()
    signatures = {doc_id: duplicates.signature(text) for doc_id, text in texts.items()}
    sign_seconds = time.perf_counter() - started
    ids = sorted(doc_id for doc_id, data in signatures.items() if data)
    matrix = np.frombuffer(b"".join(signatures[doc_id] for doc_id in ids), dtype="<u4").reshape(len(ids), -1)
    started = time.perf_counter()
    candidates = duplicates.candidate_pairs(matrix)
    candidate_seconds = time.perf_counter() - started
    confirmed = duplicates.confirmed_pairs(matrix, candidates)
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        groups = duplicates.group(signatures)
        timings.append(time.perf_counter() - started)
    figures = {
        "documents": count,
        "words_per_document": round(sum(len(t.split()) for t in texts.values()) / count),
        "sign_ms_per_document": round(1000 * sign_seconds / count, 3),
        "group_seconds_best_of_3": round(min(timings), 2),
        "candidate_bands_seconds": round(candidate_seconds, 2),
        "candidate_pairs": int(len(candidates)),
        "confirmed_pairs": int(len(confirmed)),
        "documents_in_groups": sum(1 for doc_id, rep in groups.items() if rep != doc_id)
        + len({rep for doc_id, rep in groups.items() if rep != doc_id}),
        "groups": len({rep for doc_id, rep in groups.items() if rep != doc_id}),
    }
    if datasketch:
        started = time.perf_counter()
        reference = group_with_datasketch(signatures)
        figures["datasketch_seconds"] = round(time.perf_counter() - started, 2)
        figures["same_groups_as_datasketch"] = reference == groups
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=50_000)
    parser.add_argument("--datasketch", action="store_true", help="also group with datasketch's MinHashLSH")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.documents, args.datasketch), indent=1))


if __name__ == "__main__":
    main()
