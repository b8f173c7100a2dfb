"""Matched words read from the character offsets stored in the postings.

The body fields are indexed with ``chars=True``, so every posting carries the
start and end of each occurrence in the stored text. Marking a page of hits
then needs one postings lookup per query term, instead of re-analysing every
hit's text (Lucene's offsets-in-postings highlighter works the same way).
The spans equal the ones ``highlight.find_spans`` gets by analysis; the
tests hold the two side by side.
"""

from whoosh.reading import TermNotFound

from .highlight import Span, find_spans


def has_offsets(schema, fieldname):
    """Whether ``fieldname``'s postings store character offsets."""
    return fieldname in schema and schema[fieldname].format.supports("characters")


def offsets_by_doc(reader, fieldname, terms, docnums):
    """``{docnum: {start: (end, {terms})}}``: where each of ``terms`` occurs
    in each of ``docnums``, one postings walk per term."""
    found = {docnum: {} for docnum in docnums}
    ordered = sorted(found)
    for term in terms:
        try:
            matcher = reader.postings(fieldname, term)
        except TermNotFound:
            continue
        for docnum in ordered:
            if matcher.is_active() and matcher.id() < docnum:
                matcher.skip_to(docnum)
            if not matcher.is_active():
                break
            if matcher.id() == docnum:
                for _, start, end in matcher.value_as("characters"):
                    found[docnum].setdefault(start, (end, set()))[1].add(term)
    return found


def spans_at(text, offsets, analyzer):
    """Spans, in order, from one document's ``{start: (end, {terms})}``. A
    word indexed under several matched terms (a leading waw's two stems, a
    ligature's words) is one span, named by the term the analyzer gives first,
    as ``find_spans`` names it."""
    spans = []
    for start in sorted(offsets):
        end, terms = offsets[start]
        if len(terms) == 1:
            (term,) = terms
        else:
            # Rare: let the analyzer name it, over this one word.
            named = find_spans(text[start:end], terms, analyzer)
            term = named[0].term if named else min(terms)
        spans.append(Span(start, end, term))
    return spans
