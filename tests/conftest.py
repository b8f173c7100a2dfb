"""Shared fixtures, in the shape of Flask's tutorial (flaskr): a small bilingual
docs folder written here, an index built from it once per session, and the
``app``, ``client`` and ``runner`` fixtures over them.

The session folder and index are read-only: a test that changes documents
takes ``docs_copy`` (and builds its own index) instead.
"""

import functools
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from search import create_app
from search.__main__ import cli
from search.index import open_index, update_index

ADMIN_TOKEN = "test-token"

# path inside the docs folder -> text. Written for these tests; every file is
# UTF-8 except CP1256_DOCUMENTS, which are written in Windows-1256.
DOCUMENTS = {
    # The election story: the word in the title and many times in the body,
    # with its prefixed forms, and a Latin acronym inside Arabic text.
    "ar/politics/2024/parliament-elections.txt": (
        "الانتخابات البرلمانية تجري وسط رقابة دولية واسعة\n"
        "أعلنت اللجنة العليا للانتخابات أن الانتخابات البرلمانية ستجري يوم الأحد في جميع المحافظات، "
        "وقالت إن بعثة OSCE سترسل مراقبين لمتابعة الانتخابات في المدن والقرى. "
        "وأضافت اللجنة أن الانتخابات ستكون شفافة وأن نتائج الانتخابات ستعلن خلال يومين.\n"
        "وقال رئيس اللجنة إن الاستعداد للانتخابات بدأ منذ أشهر، والانتخابات المقبلة اختبار حقيقي "
        "للديمقراطية في البلاد.\n"
    ),
    # The word only once, and only with the preposition: للانتخابات.
    "ar/politics/candidacy-law.txt": (
        "البرلمان يناقش مشروع قانون الدوائر المحلية\n"
        "ناقش أعضاء البرلمان أمس مشروع قانون جديد يحدد شروط الترشح للانتخابات المحلية، ويمنح النساء "
        "والشباب حصة أكبر من المقاعد في المجالس البلدية، على أن يصوت المجلس عليه الأسبوع المقبل بعد "
        "مراجعة اللجنة القانونية.\n"
    ),
    # A fully diacritised sentence, in Markdown.
    "ar/education/diacritics-lesson.md": (
        "# درس في تشكيل الكلمات العربية\n\n"
        "يتعلم الطلاب في هذا الدرس كيف يكتبون الجمل بالتشكيل الكامل، ومن أمثلة الدرس هذه الجملة: "
        "جَرَتِ الاِنْتِخَابَاتُ الرِّئَاسِيَّةُ فِي جَوٍّ هَادِئٍ.\n\n"
        "ويطلب المعلم من الطلاب قراءة الجملة بصوت عال ثم كتابتها من دون حركات.\n"
    ),
    # Hamza spellings: مسؤول, الأمطار, إدارة.
    "ar/environment/late-rains.txt": (
        "موسم الأمطار يتأخر في المناطق الزراعية\n"
        "قال مسؤول في وزارة الزراعة إن تأخر الأمطار هذا العام أثر في محاصيل القمح والشعير، وإن إدارة "
        "المياه تدرس خطة لترشيد الري في المزارع الصغيرة. وأضاف المسؤول أن الجفاف يهدد مخزون السدود "
        "إذا استمر حتى نهاية الشتاء.\n"
    ),
    # Saved in Windows-1256 (see CP1256_DOCUMENTS).
    "ar/environment/legacy/mountain-springs.txt": (
        "جفاف الينابيع في القرى الجبلية\n"
        "اشتكى سكان القرى الجبلية من جفاف الينابيع التي كانوا يعتمدون عليها في الشرب والزراعة منذ "
        "عقود، وطالبوا البلدية بحفر آبار جديدة وإيصال شبكة المياه إلى البيوت قبل حلول الصيف المقبل.\n"
    ),
    # HTML, in a folder with an Arabic name (its id must be URL-quoted).
    "ar/رياضة/cup-final.html": (
        '<!doctype html>\n<html lang="ar"><head><title>موقع الرياضة</title>'
        "<style>.score { color: red }</style></head>\n<body>\n"
        "<nav>الرئيسية | رياضة | أخبار</nav>\n"
        "<h1>المنتخب يتأهل إلى المباراة النهائية</h1>\n"
        "<p>فاز المنتخب الوطني لكرة القدم مساء أمس على منافسه بهدفين مقابل هدف واحد، ليتأهل إلى "
        "المباراة النهائية للبطولة القارية التي تقام في العاصمة الشهر المقبل.</p>\n"
        "</body></html>\n"
    ),
    "en/politics/election-observers.txt": (
        "International observers arrive for the parliamentary elections\n"
        "More than two hundred international observers arrived in the capital on Friday ahead of "
        "Sunday's parliamentary elections. The OSCE mission said its election observers would visit "
        'polling stations in every region. "Our observers will report what they see," the head of the '
        "mission told reporters, adding that observers from neighbouring countries had also been "
        "accredited.\n"
    ),
    # "observers" and "election" in one document, but never side by side.
    "en/politics/polling-station-notes.md": (
        "# Notes from a polling station\n\n"
        "The observers came early in the morning and stayed until the count was finished. Voters "
        "queued patiently, and the election itself passed without incident, although the observer "
        "from the regional council complained about the lighting in the hall.\n"
    ),
    "en/sports/city-marathon.txt": (
        "Thousands run the city marathon in record heat\n"
        "Thousands of runners took part in the city marathon on Sunday despite temperatures above "
        "thirty degrees. Organisers handed out water at every kilometre, and the winner finished in "
        "just over two hours and ten minutes, a course record.\n"
    ),
    "en/environment/drought-report.txt": (
        "Drought report warns of falling reservoirs\n"
        "The annual drought report warns that reservoirs in the south have fallen to their lowest level "
        "in a decade. The drought has already cut wheat yields, and the report asks farmers to adopt "
        "drip irrigation before the next dry season.\n"
    ),
    # "drought" in the body only, never in the title.
    "en/environment/river-levels.txt": (
        "River levels fall across the northern valleys\n"
        "Hydrologists measured the lowest river levels since records began in the northern valleys "
        "this week. Boat traffic has been suspended on two stretches, and officials say a long drought "
        "could follow if the autumn rains fail again.\n"
    ),
    # Markup and an ampersand next to the word a test searches for.
    "en/tech/snippet-sanitiser.txt": (
        "Why a sanitiser matters for search pages\n"
        'A careful sanitiser turns <script>alert("boom")</script> into harmless text, and research & '
        "development notes keep their ampersand. The sanitiser never lets raw tags through, whatever "
        "the document contains.\n"
    ),
}
CP1256_DOCUMENTS = frozenset({"ar/environment/legacy/mountain-springs.txt"})


def write_documents(folder, documents=DOCUMENTS):
    """Write ``documents`` (path -> text) under ``folder``."""
    for relative, text in documents.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("cp1256" if relative in CP1256_DOCUMENTS else "utf-8"))
    return folder


@pytest.fixture(scope="session")
def documents():
    """The texts of the session docs folder, by document id."""
    return dict(DOCUMENTS)


@pytest.fixture(scope="session")
def docs_dir(tmp_path_factory):
    """The session's documents. Never modify it: take ``docs_copy``."""
    base = tmp_path_factory.mktemp("library")
    # A file beside the docs folder that no URL may ever reach.
    (base / "secret.txt").write_text("TOP-SECRET-OUTSIDE-THE-DOCS-FOLDER\n", "utf-8")
    return write_documents(base / "docs")


@pytest.fixture(scope="session")
def index_dir(docs_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("index")
    summary = update_index(docs_dir, folder)
    assert summary.failed == [], summary.failed
    assert summary.documents == len(DOCUMENTS)
    return folder


@pytest.fixture
def docs_copy(docs_dir, tmp_path):
    """A private copy of the documents that a test may change."""
    return shutil.copytree(docs_dir, tmp_path / "docs")


@pytest.fixture
def index_copy(index_dir, tmp_path):
    """A private copy of the session's index, for a test that writes beside
    it (failed admin logins are counted in the index folder)."""
    copy = shutil.copytree(index_dir, tmp_path / "index", symlinks=True)
    for counted in copy.glob("admin_failures.sqlite*"):
        counted.unlink()
    return copy


@pytest.fixture
def make_app():
    """Build an app over the given folders, with the test settings."""

    def make(docs, index, admin_token=ADMIN_TOKEN, **settings):
        return create_app(
            {"DOCS_DIR": str(docs), "INDEX_DIR": str(index), "ADMIN_TOKEN": admin_token, "TESTING": True, **settings}
        )

    return make


@pytest.fixture
def app(make_app, docs_dir, index_dir):
    return make_app(docs_dir, index_dir)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner():
    """``runner(["query", "…"])`` invokes ``python -m search`` in process."""
    return functools.partial(CliRunner().invoke, cli, catch_exceptions=False)


@pytest.fixture(scope="session")
def bundled_searcher(tmp_path_factory):
    """A searcher over an index of the bundled sample corpus (read-only)."""
    index_dir = tmp_path_factory.mktemp("bundled") / "index"
    update_index(Path(__file__).resolve().parent.parent / "corpus", index_dir)
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        yield searcher
    ix.close()
