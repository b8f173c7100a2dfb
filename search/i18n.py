"""The page's own words in English and Arabic.

The reader's language is the one they picked (``?ui=ar``, remembered in a
cookie), else the one their browser prefers (Accept-Language), else English.
"""

from flask import request

UI_LANGUAGES = ("en", "ar")
UI_COOKIE = "ui"
PAGE_ERRORS = (404, 405, 500, 503)

MESSAGES = {
    "en": {
        "site_name": "Bilingual search",
        "skip_to_results": "Skip to results",
        "search_label": "Search Arabic and English documents",
        "placeholder": "Search… ابحث…",
        "search_button": "Search",
        "language_label": "Document language",
        "all_languages": "All languages",
        "results_count": "{total} results",
        "results_count_one": "1 result",
        "took": "{ms} ms",
        "matched_some": "No document has all the words; showing documents with some of them.",
        "did_you_mean": "Did you mean",
        "showing_results_for": "Showing results for",
        "search_instead_for": "search instead for",
        "rewrite_layout": "(typed with the other keyboard layout)",
        "rewrite_typo": "(spelling corrected)",
        "results_label": "Results",
        "pages_label": "Pages",
        "previous": "Previous",
        "next": "Next",
        "page_n": "Page {n}",
        "no_match": "No documents match",
        "tip_spelling": "Check the spelling, or try fewer or more general words.",
        "tip_filter": "Remove the language filter.",
        "tip_or": "Use OR between alternatives:",
        "explain_summary": "How your query was read",
        "explain_word": "Word",
        "explain_normalized": "Normalised",
        "explain_stem": "Stem",
        "explain_note": "Note",
        "explain_stopword": "common word, not searched",
        "explain_cross_script": "Names also searched in the other script (ranked lower):",
        "back_to_results": "Back to results",
        "new_search": "New search",
        "matches_in_doc": "{n} matches for",
        "lang_ar": "Arabic",
        "lang_en": "English",
        "switch_ui": "العربية",
        "error_title": "Something went wrong",
        "bad_query": "This search could not be run:",
        "footer": "Arabic and English full-text search",
        "error.bad_request": "the request is not valid",
        "error.positive_integer": "{name} must be a positive whole number",
        "error.q_required": "type the words to search for",
        "error.q_too_long": "the query is too long (at most {limit} characters)",
        "error.q_control": "the query contains control characters",
        "error.q_encoding": "the query is not valid text",
        "error.q_too_many_words": "the query has too many words (at most {limit})",
        "error.q_too_many_fuzzy": "too many fuzzy words~ in the query (at most {limit})",
        "error.per_page_too_large": "at most {limit} results per page",
        "error.page_too_deep": "only the first {limit} results can be shown",
        "error.lang_unknown": "unknown language filter",
        "error.explain_flag": "explain must be 0 or 1",
        "error.exact_flag": "exact must be 0 or 1",
        "error.cross_script_flag": "cross_script must be 0 or 1",
        "error.404": "There is no such page or document.",
        "error.405": "This address does not accept that kind of request.",
        "error.500": "Something went wrong on our side. Please try again.",
        "error.503": "Search is not available right now: the index is being built or cannot be opened.",
    },
    "ar": {
        "site_name": "بحث ثنائي اللغة",
        "skip_to_results": "انتقل إلى النتائج",
        "search_label": "ابحث في الوثائق العربية والإنجليزية",
        "placeholder": "ابحث… Search…",
        "search_button": "بحث",
        "language_label": "لغة الوثيقة",
        "all_languages": "كل اللغات",
        "results_count": "عدد النتائج: {total}",
        "results_count_one": "نتيجة واحدة",
        "took": "{ms} ملّي ثانية",
        "matched_some": "لا توجد وثيقة تضم كل الكلمات؛ نعرض الوثائق التي تضم بعضها.",
        "did_you_mean": "هل تقصد",
        "showing_results_for": "نعرض نتائج",
        "search_instead_for": "ابحث بدلًا من ذلك عن",
        "rewrite_layout": "(كُتبت بلوحة المفاتيح الأخرى)",
        "rewrite_typo": "(صُحّح الإملاء)",
        "results_label": "النتائج",
        "pages_label": "الصفحات",
        "previous": "السابق",
        "next": "التالي",
        "page_n": "الصفحة {n}",
        "no_match": "لا توجد وثائق تطابق",
        "tip_spelling": "تحقّق من الإملاء، أو جرّب كلمات أقل أو أعم.",
        "tip_filter": "أزل تصفية اللغة.",
        "tip_or": "استخدم OR بين البدائل:",
        "explain_summary": "كيف قُرئ بحثك",
        "explain_word": "الكلمة",
        "explain_normalized": "بعد التوحيد",
        "explain_stem": "الجذع",
        "explain_note": "ملاحظة",
        "explain_stopword": "كلمة شائعة لا يُبحث عنها",
        "explain_cross_script": "أسماء بُحث عنها أيضًا بالكتابة الأخرى (بترتيب أدنى):",
        "back_to_results": "العودة إلى النتائج",
        "new_search": "بحث جديد",
        "matches_in_doc": "عدد المطابقات ({n}) لـ",
        "lang_ar": "العربية",
        "lang_en": "الإنجليزية",
        "switch_ui": "English",
        "error_title": "حدث خطأ",
        "bad_query": "تعذّر تنفيذ هذا البحث:",
        "footer": "بحث نصي كامل بالعربية والإنجليزية",
        "error.bad_request": "الطلب غير صالح",
        "error.positive_integer": "يجب أن يكون {name} عددًا صحيحًا موجبًا",
        "error.q_required": "اكتب الكلمات التي تبحث عنها",
        "error.q_too_long": "نص البحث طويل جدًا (الحد الأقصى {limit} حرفًا)",
        "error.q_control": "نص البحث يحتوي على محارف تحكم",
        "error.q_encoding": "نص البحث ليس نصًا صالحًا",
        "error.q_too_many_words": "نص البحث يضم كلمات كثيرة جدًا (الحد الأقصى {limit})",
        "error.q_too_many_fuzzy": "كلمات البحث التقريبي~ كثيرة جدًا (الحد الأقصى {limit})",
        "error.per_page_too_large": "الحد الأقصى {limit} نتيجة في الصفحة",
        "error.page_too_deep": "لا يمكن عرض أكثر من أول {limit} نتيجة",
        "error.lang_unknown": "تصفية اللغة غير معروفة",
        "error.explain_flag": "يجب أن تكون قيمة explain هي 0 أو 1",
        "error.exact_flag": "يجب أن تكون قيمة exact هي 0 أو 1",
        "error.cross_script_flag": "يجب أن تكون قيمة cross_script هي 0 أو 1",
        "error.404": "لا توجد صفحة أو وثيقة بهذا العنوان.",
        "error.405": "هذا العنوان لا يقبل هذا النوع من الطلبات.",
        "error.500": "حدث خطأ من جهتنا. حاول مرة أخرى.",
        "error.503": "البحث غير متاح الآن: الفهرس قيد البناء أو تعذّر فتحه.",
    },
}


def ui_language():
    """The language of the page's own words for this request."""
    chosen = request.args.get("ui") or request.cookies.get(UI_COOKIE)
    if chosen in UI_LANGUAGES:
        return chosen
    return request.accept_languages.best_match(UI_LANGUAGES, default="en")


def translate(lang, key, **params):
    text = MESSAGES[lang].get(key) or MESSAGES["en"][key]
    return text.format(**params) if params else text
