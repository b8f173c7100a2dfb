"""Tell a saved news page's article from its site chrome, line by line.

A page saved as text keeps everything the site printed around the story:
menus, share bars, comment prompts, copyright lines, newsletter and cookie
notices, and "read also" teasers with another story's headline and lead.
``split_page`` flags each line as article (kept) or not (dropped), so the
index can search the article alone and still show the page whole.

The rules, in order of strength:

* A line of running prose (``PROSE_WORDS`` words or more, or a sentence of
  ``SENTENCE_WORDS``) is article text unless it sits in a teaser or comments
  section (below) or is a cookie, copyright or newsletter notice.
* The headline (``title`` when given, else ``title.pick_title``'s) is kept;
  the short lines above it (ticker, menu, date, share buttons) are chrome.
* Lines whose words are cue words are chrome wherever they are: share bars,
  comment prompts and form labels, copyright, newsletter, cookie notices and
  their buttons, "short link" lines, tag lists, footer links, date lines,
  menus (separators such as " | ", or runs of ``MENU_RUN`` very short lines),
  and a repeat of an earlier line (a headline printed twice).
* A teaser cue («اقرأ أيضاً», "Read also", "Related", "More stories"…) drops
  itself and what follows: the teased headlines, their leads and chrome.
  The article resumes at a paragraph that reads as the article's rather than
  the teaser's: of its content words (stems, stop words left out), more are
  found only in the article above the cue than only in the teaser text
  seen so far, and at least ``RESUME_MIN_SHARED`` of them. Otherwise the
  teaser runs to the end of the page (a whole other story after «اقرأ
  أيضاً» stays dropped). A cue above any article prose drops only the
  short lines after it (a "most read" box before the story).
* A comments heading ("Leave A Reply", «التعليقات», "3 Comments") after the
  article's prose drops the rest of the page: comments are readers' text.
  Above the article it is a counter, dropped alone.

Blank lines (and lines of no letters, such as "+" or "***") follow their
neighbours: kept between two kept lines, dropped otherwise. Every rule looks
at one line, or at the words of the article above, so the time is linear in
the page's size.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ..analysis import normalize_arabic, script_of
from ..analysis.filters import index_stems_of, is_stopword, normalize_word, stopword_key
from ..page_lines import Page
from .title import _BULLET, DATE_WORDS, LINES_TO_SCAN, MIN_HEADLINE_WORDS, pick_title

PROSE_WORDS = 20
SENTENCE_WORDS = 8
HEADLINE_MAX_WORDS = 30
MENU_ITEM_WORDS = 3
MENU_RUN = 4
# A cue line is a cue and at most this many words (an inline teaser headline).
CUE_TAIL_WORDS = 30
# Notices (cookie, newsletter, copyright) are at most this long.
NOTICE_WORDS = 60
RESUME_MIN_SHARED = 2
# Lines allowed between a headline and its first paragraph.
HEADLINE_GAP = 3
# Cue matching looks at a line's start only (a 1 MB line is prose anyway).
CUE_CHARS = 400

_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")
_SENTENCE_END = re.compile(r"[.!؟?…»\"”]\s*$")
_SEPARATOR = re.compile(r"\s[|»›/·•–-]\s|\s?\|\s?")
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_INLINE_MARK = re.compile(r"[:：.…»|-]")


def _normal(text: str) -> str:
    """Lower case, Arabic spelling folded (hamza forms, ta marbuta, alef
    maqsura, tatweel, diacritics), punctuation to spaces: the form cue
    words are compared in."""
    return " ".join(_WORD.findall(normalize_arabic(text.casefold()).replace("_", " ")))


# Cue phrases, each a tuple of normalised words.
Cues = frozenset[tuple[str, ...]]


def _phrases(text: str) -> Cues:
    """Cue phrases, one per line, as tuples of normalised words."""
    return frozenset(tuple(_normal(line).split()) for line in text.strip().splitlines() if line.strip())


TEASER_CUES = _phrases("""
اقرأ أيضاً
اقرأ أيضا
اقرأ كذلك
اقرأ المزيد
اقرأ أكثر
شاهد أيضاً
طالع أيضاً
مواضيع ذات صلة
موضوعات ذات صلة
أخبار ذات صلة
مقالات ذات صلة
ذات صلة
أخبار متعلقة
مواضيع متعلقة
مواضيع مشابهة
أخبار مشابهة
قد يهمك
قد يهمك أيضاً
قد يعجبك أيضاً
الأكثر قراءة
الأكثر مشاهدة
الأكثر تداولاً
المزيد من الأخبار
أخبار أخرى
read also
also read
read more
see also
related
related articles
related stories
related news
related posts
related content
more stories
more news
more from
you may also like
you might also like
recommended
recommended for you
most read
most popular
trending
trending now
popular posts
don't miss
editor's picks
""")
COMMENT_CUES = _phrases("""
التعليقات
تعليقات
تعليقاً
تعليق
أضف تعليقاً
أضف تعليق
اترك تعليقاً
اترك رداً
شاركنا رأيك
لا توجد تعليقات
comments
comment
leave a reply
leave a comment
add a comment
post a comment
join the discussion
no comments
""")
# Lines of a comment form: chrome wherever they are.
FORM_CUES = _phrases("""
your email address will not be published
required fields are marked
post comment
submit comment
cancel reply
you must be logged in to post a comment
name
email
website
submit
الاسم
البريد الإلكتروني
إرسال
إرسال التعليق
""")
SHORT_LINK_CUES = _phrases("""
رابط مختصر
الرابط المختصر
رابط الخبر
نسخ الرابط
short link
short url
shortlink
permalink
copy link
""")
TAG_CUES = _phrases("""
tags
tag
topics
keywords
الكلمات المفتاحية
كلمات مفتاحية
كلمات دلالية
الوسوم
وسوم
""")
# Footer links and cookie buttons: chrome when they are the whole line.
LINK_CUES = _phrases("""
about us
about
contact
contact us
privacy
privacy policy
cookie policy
cookie settings
terms of use
terms of service
terms and conditions
advertise
advertise with us
careers
sitemap
accept
accept all
reject
i agree
من نحن
اتصل بنا
سياسة الخصوصية
شروط الاستخدام
أعلن معنا
خريطة الموقع
موافق
أوافق
قبول
رفض
""")
_LINE_CUES = FORM_CUES | LINK_CUES
SHARE_WORDS = frozenset(
    _normal("""
    share shares shared tweet pin print email mail facebook twitter x whatsapp telegram linkedin pinterest tumblr reddit
    messenger google instagram youtube follow copy link شارك مشاركة طباعة فيسبوك فيس بوك تويتر واتساب واتس تيليجرام
    تلغرام تلجرام لينكدإن انستغرام يوتيوب تابعنا نسخ الرابط
    """).split()
)
# Words that may sit in a share bar beside the networks' names.
_SHARE_FILLER = frozenset(_normal("on via this article story post us the in و على عبر هذا المقال الخبر ان اب").split())
_COPYRIGHT = re.compile(r"©|\(c\)|\bcopyright\b|all rights reserved|الحقوق محفوظه|حقوق النشر")
_NEWSLETTER = re.compile(
    r"newsletter|\binbox\b|النشره البريديه|نشرتنا البريديه|النشره الاخباريه|^(?:subscribe|sign up|اشترك)\b"
)
_COOKIE = re.compile(r"\bcookies?\b|ملفات تعريف الارتباط|الكوكيز")
_COOKIE_CONTEXT = re.compile(
    r"\b(?:our (?:site|website)|this (?:site|website)|experience|consent|accept|agree|browsing)\b"
    r"|موقع|تجربه|توافق|التصفح|موافق"
)
_DATE_WORDS = (
    DATE_WORDS
    | frozenset(_normal("ago hour hours minute minutes day days منذ ساعه ساعتين ساعات دقيقه دقائق يوم ايام").split())
    | frozenset(_normal(" ".join(DATE_WORDS)).split())
)


# cue set -> first word -> its cues: a line is compared with a few cues, not all
_BY_FIRST_WORD: dict[Cues, dict[str, list[tuple[str, ...]]]] = {}


def _starts_with(words: Sequence[str], cues: Cues) -> int:
    """The length of the cue ``words`` start with (the longest), or 0."""
    if not words:
        return 0
    index = _BY_FIRST_WORD.get(cues)
    if index is None:
        index = _BY_FIRST_WORD[cues] = {}
        for cue in cues:
            index.setdefault(cue[0], []).append(cue)
    return max((len(cue) for cue in index.get(words[0], ()) if tuple(words[: len(cue)]) == cue), default=0)


def _is_cue(words: Sequence[str], cues: Cues, inline_allowed: bool = False, raw: str = "") -> bool:
    """Whether a line is one of ``cues``, alone (a count may follow: "3
    comments", "التعليقات (2)") or, when allowed, with a short text after a
    mark (``Read also: <headline>``)."""
    bare = [word for word in words if not word.isdigit()]
    if tuple(bare) in cues:
        return True
    length = _starts_with(bare, cues)
    return bool(
        inline_allowed and length and len(bare) - length <= CUE_TAIL_WORDS and _INLINE_MARK.search(raw[:CUE_CHARS])
    )


def is_chrome_line(line: str) -> bool:
    """Whether one line is chrome by its own words (a share bar, a date, a
    cue such as «اقرأ أيضاً» or "Leave A Reply"), whatever is around it."""
    info = _read_line(line)
    return info is not None and (info.chrome or info.teaser or info.comments)


def _is_date(words: Sequence[str]) -> bool:
    return any(word.isdigit() for word in words) and all(word.isdigit() or word in _DATE_WORDS for word in words)


def _is_share(words: Sequence[str]) -> bool:
    return (
        0 < len(words) <= 10
        and all(word in SHARE_WORDS or word in _SHARE_FILLER for word in words)
        and any(word in SHARE_WORDS for word in words)
    )


def _is_menu_line(line: str) -> bool:
    """A line of section names between separators ("Home | News | Sport")."""
    parts = [part for part in _SEPARATOR.split(line) if part.strip()]
    return len(parts) >= 3 and all(len(part.split()) <= MENU_ITEM_WORDS for part in parts)


@dataclass(frozen=True)
class _Line:
    """What the rules need of one line."""

    words: tuple[str, ...]  # normalised words of its first CUE_CHARS characters
    count: int  # its number of words
    prose: bool
    chrome: bool  # a cue-word line dropped on its own
    teaser: bool
    comments: bool
    tags: bool


def _read_line(raw: str) -> _Line | None:
    text = raw.strip()
    if not _LETTER.search(text[:CUE_CHARS]) and not any(ch.isalnum() for ch in text):
        return None
    count = len(text.split())
    words = tuple(_normal(text[:CUE_CHARS]).split())
    head = " ".join(words)
    short = count <= HEADLINE_MAX_WORDS
    if count > NOTICE_WORDS:  # running prose: no cue rule applies
        return _Line(words, count, True, False, False, False, False)
    notice = count <= NOTICE_WORDS
    chrome = (
        (short and _is_cue(words, _LINE_CUES))
        or (short and _is_cue(words, SHORT_LINK_CUES, inline_allowed=True, raw=text))
        or (short and bool(_URL.match(text)))
        or (short and (_is_share(words) or _is_date(words) or _is_menu_line(text)))
        or (notice and bool(_COPYRIGHT.search(head) or "©" in text[:CUE_CHARS]))
        or (notice and bool(_NEWSLETTER.search(head)))
        or (notice and bool(_COOKIE.search(head)) and bool(_COOKIE_CONTEXT.search(head)))
    )
    tags = short and _is_cue(words, TAG_CUES, inline_allowed=True, raw=text)
    return _Line(
        words=words,
        count=count,
        prose=count >= PROSE_WORDS or (count >= SENTENCE_WORDS and bool(_SENTENCE_END.search(text))),
        chrome=chrome or tags,
        teaser=short and _is_cue(words, TEASER_CUES, inline_allowed=True, raw=text),
        comments=short and _is_cue(words, COMMENT_CUES),
        tags=tags,
    )


# Words every news story has ("said", «وقال»): they tell no story from another.
REPORTING_WORDS = frozenset(
    _normal("""
    said says told added according reported noted قال وقال قالت وقالت اضاف واضاف اضافت واضافت اوضح واوضح اشار واشار
    اكد واكد اعلن واعلن
    """).split()
)


def content_stems(text: str) -> set[str]:
    """The stems of a text's content words (stop words and one-letter words
    left out): what tells one story's vocabulary from another's."""
    stems: set[str] = set()
    for word in _WORD.findall(text):
        if len(word) < 2 or word.isdigit() or normalize_word(word, script_of(word)) in REPORTING_WORDS:
            continue
        script = script_of(word)
        if is_stopword(stopword_key(word, script), script):
            continue
        stems.update(index_stems_of(normalize_word(word, script), script))
    return stems


def _headline_index(lines: Sequence[str], infos: Sequence[_Line | None]) -> int | None:
    """The first line that reads like a headline (a few words, not a
    sentence, no cue) with a paragraph after it, past at most
    ``HEADLINE_GAP`` short lines (byline, date, share bar), or None."""
    candidates = [(i, info) for i, info in enumerate(infos) if info is not None][:LINES_TO_SCAN]
    for n, (i, info) in enumerate(candidates):
        if info.prose or info.chrome or info.teaser or info.comments or info.count < MIN_HEADLINE_WORDS:
            continue
        if _BULLET.match(lines[i]):  # a menu item
            continue
        if any(after.prose and not after.chrome for _, after in candidates[n + 1 : n + 2 + HEADLINE_GAP]):
            return i
    return None


def _title_index(lines: Sequence[str], infos: Sequence[_Line | None], title: str | None) -> int | None:
    """The line the headline is on, or None: ``title``'s line when given,
    else the first headline-like line (title.pick_title's when none)."""
    if not title:
        found = _headline_index(lines, infos)
        if found is not None:
            return found
    wanted = " ".join(title.split()) if title else pick_title("\n".join(lines[:LINES_TO_SCAN]), None)
    if not wanted:
        return None
    wanted = " ".join(wanted.split())
    for i, line in enumerate(lines):
        if infos[i] is not None and " ".join(line.split()).startswith(wanted):
            return i
    return None


class _Teaser:
    """A teaser section being read: the article's vocabulary above its cue,
    the teaser's own so far."""

    def __init__(self, article_stems: Collection[str], cue_tail: str) -> None:
        self.article = article_stems
        self.teaser = content_stems(cue_tail)

    def resumes(self, text: str) -> bool:
        """Whether a paragraph reads as the article's, not the teaser's."""
        stems = content_stems(text)
        # Word by word: set differences of the whole vocabularies would grow
        # with every line read, quadratic over a long teaser section.
        article_only = sum(1 for stem in stems if stem in self.article and stem not in self.teaser)
        teaser_only = sum(1 for stem in stems if stem in self.teaser and stem not in self.article)
        if article_only >= RESUME_MIN_SHARED and article_only > teaser_only:
            return True
        self.teaser |= stems
        return False


def split_page(text: str, title: str | None = None) -> Page:
    """Flag each line of ``text`` (split at "\\n") as article or chrome; see
    the module's docstring for the rules. ``title``: the headline, when the
    caller knows it."""
    lines = text.split("\n")
    infos = [_read_line(line) for line in lines]
    flags: list[bool | None] = [None] * len(lines)  # None: blank, decided by its neighbours
    start = _title_index(lines, infos, title)
    seen: set[str] = set()
    article_stems: set[str] = set()
    stems_upto = 0
    teaser: _Teaser | None = None
    in_comments = in_tags = prose_seen = False
    for i, (line, info) in enumerate(zip(lines, infos, strict=True)):
        if info is None:
            continue
        key = " ".join(line.split())
        repeat = key in seen
        seen.add(key)
        if i == start:
            flags[i] = True
            continue
        if start is not None and i < start:
            flags[i] = info.prose and not info.chrome and not repeat
            continue
        if in_comments or repeat or info.chrome:
            flags[i] = False
            # A tags heading alone starts a list of tags, one per line.
            in_tags = info.tags and tuple(w for w in info.words if not w.isdigit()) in TAG_CUES
            continue
        if info.comments:
            flags[i] = False
            in_comments = prose_seen
            continue
        if info.teaser:
            flags[i] = False
            for j in range(stems_upto, i):
                if flags[j]:
                    article_stems |= content_stems(lines[j])
            stems_upto = i
            cue = _starts_with([w for w in info.words if not w.isdigit()], TEASER_CUES)
            teaser = _Teaser(article_stems, " ".join(info.words[cue:])) if prose_seen else _Teaser(set(), "")
            continue
        if teaser is not None:
            if info.prose and (not teaser.article or teaser.resumes(line)):
                teaser = None
            else:
                if not info.prose:
                    teaser.teaser |= content_stems(line)
                flags[i] = False
                continue
        if in_tags and info.count <= MENU_ITEM_WORDS:
            flags[i] = False
            continue
        in_tags = False
        flags[i] = True
        prose_seen = prose_seen or info.prose
    _drop_menu_runs(infos, flags)
    return Page(tuple(zip(_fill_blanks(flags), lines, strict=True)))


def _drop_menu_runs(infos: Sequence[_Line | None], flags: list[bool | None]) -> None:
    """Drop runs of MENU_RUN or more very short kept lines (section names)."""
    run: list[int] = []
    for i, info in enumerate([*infos, None]):
        if info is not None and flags[i] and info.count <= MENU_ITEM_WORDS and not info.prose:
            run.append(i)
            continue
        if info is None and i < len(infos):
            continue  # a blank line does not break a run
        if len(run) >= MENU_RUN:
            for j in run:
                flags[j] = False
        run = []


def _fill_blanks(flags: Sequence[bool | None]) -> list[bool]:
    """Blank lines kept only between kept lines (or beside one at an end)."""
    before: list[bool | None] = []
    result: list[bool] = []
    last: bool | None = None
    for flag in flags:
        before.append(last)
        if flag is not None:
            last = flag
    after: list[bool | None] = [None] * len(flags)
    nxt: bool | None = None
    for i in range(len(flags) - 1, -1, -1):
        after[i] = nxt
        if flags[i] is not None:
            nxt = flags[i]
    for flag, prev, following in zip(flags, before, after, strict=True):
        if flag is not None:
            result.append(flag)
        else:
            sides = [side for side in (prev, following) if side is not None]
            result.append(all(sides) if sides else True)
    return result
