"""BM25 scoring, its saved form and the tokenizer, on plain passages (no Chroma).

Rank fusion and coverage: ``test_fusion.py``.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import legacy_lexical
from qa.settings import PROJECT_ROOT
from qa.store.lexical import BM25, content_terms, normalize, numbers, stem, terms, words
from tests.documents import PASSAGES

QUESTIONS = [
    "Who was the leader of the Normans?",
    "Where did Trump and Zelensky meet?",
    "From which countries did the Norse raiders come?",
    "What impact did the Norman dynasty have on Europe?",
    "Who is the US Secretary of Defense?",
    "What is the boiling point of mercury?",  # no passage term
]


def _texts() -> list[str]:
    """Real text with accents, curly quotes and numbers: the seed article and SQuAD."""
    seed = (PROJECT_ROOT / "seeds" / "article.txt").read_text(encoding="utf-8")
    squad = PROJECT_ROOT.parent / "shared" / "eval" / "squad2_normans.json"
    out = [p for p in seed.split("\n\n") if p.strip()]
    if squad.exists():
        data = json.loads(squad.read_text())["data"]
        out += [p["context"] for a in data for p in a["paragraphs"]]
        out += [q["question"] for a in data for p in a["paragraphs"] for q in p["qas"]]
    return out


def _spaced(text: str) -> str:
    """``text`` with a space after each comma that is not between digits: where the
    original tokenizer already split ("RTS,S" was one word to it, now two). Commas a
    character stands for ("🄁" is "0,") are written out first."""
    return re.sub(r"(?<!\d),|,(?!\d)", ", ", unicodedata.normalize("NFKC", text))


def test_tokenizer_matches_the_original_on_real_text() -> None:
    texts = [
        *_texts(),
        "İstanbul café naïve “quoted” it’s Ærø ﬁne ½ Ⅻ Zürich’s façade ＡＢＣ straße",
        "1,200 soldiers, 3.5% of 10th-century Normandy's population",
    ]
    for text in map(_spaced, texts):
        assert normalize(text) == legacy_lexical.normalize(text)
        assert words(text) == legacy_lexical.words(text)
        assert terms(text) == legacy_lexical.terms(text, stem)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80))
def test_tokenizer_matches_the_original_on_any_text(text: str) -> None:
    assert terms(_spaced(text)) == legacy_lexical.terms(_spaced(text), stem)


def test_a_comma_joins_digits_only() -> None:
    assert words("RTS,S cost 1,200 dollars in the U.S.") == [
        "rts", "s", "cost", "1,200", "dollars", "in", "the", "u.s",
    ]  # fmt: skip


def test_bm25_scores_equal_the_textbook_loop() -> None:
    new, old = BM25(PASSAGES), legacy_lexical.BM25(PASSAGES, tokenize=terms)
    assert new.idf == old.idf
    for question in QUESTIONS:
        assert new.scores(question) == pytest.approx(old.scores(question), abs=1e-12)
        assert [i for i, _ in new.top(question, 3)] == [i for i, _ in old.top(question, 3)]


def test_bm25_score_by_hand() -> None:
    texts = ["the cat sat", "dogs bark loudly", "a cat and a dog"]
    bm = BM25(texts, k1=1.5, b=0.75)
    # "cat" is in 2 of 3 texts; text 0 has 2 terms (cat, sat), text 2 has 2 (cat, dog);
    # the average length is (2 + 3 + 2) / 3.
    idf = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))
    norm = 1.5 * (1 - 0.75 + 0.75 * 2 / (7 / 3))
    expected = idf * 1 * 2.5 / (1 + norm)
    assert bm.scores("cat") == pytest.approx([expected, 0.0, expected])
    assert bm.idf["cat"] == pytest.approx(idf)


def test_top_ranks_by_score_and_breaks_ties_by_position() -> None:
    texts = ["apple pie", "banana bread", "apple pie", "apple apple apple pie"]
    bm = BM25(texts)
    ranked = bm.top("apple", 10)
    assert [i for i, _ in ranked] == [3, 0, 2]  # 0 and 2 are the same text: lower index first
    assert ranked[1][1] == ranked[2][1] > 0
    assert [i for i, _ in bm.top("apple", 2)] == [3, 0]
    assert bm.top("cherry", 5) == []
    assert bm.top("the of and", 5) == []  # stopwords only


def test_empty_corpus_and_stopword_only_texts() -> None:
    assert BM25([]).top("anything", 5) == []
    assert BM25([]).idf == {}
    only_stop = BM25(["the and of", "it is"])
    assert only_stop.top("the", 3) == [] and only_stop.scores("x") == [0.0, 0.0]


def test_saved_arrays_give_the_same_index() -> None:
    bm = BM25(PASSAGES)
    again = BM25.from_arrays(bm.arrays())
    assert again.idf == bm.idf
    for question in QUESTIONS:
        assert again.top(question, 5) == bm.top(question, 5)


def test_arrays_of_another_format_are_refused() -> None:
    arrays = BM25(PASSAGES).arrays()
    arrays["meta"] = np.frombuffer(b'{"format": 0}', dtype=np.uint8)
    with pytest.raises(ValueError, match="format"):
        BM25.from_arrays(arrays)


def test_rarer_terms_weigh_more() -> None:
    bm = BM25(["cat dog", "cat bird", "cat fish", "dog bird"])
    idf = bm.idf
    assert idf["fish"] > idf["dog"] == idf["bird"] > idf["cat"] > 0  # in 1, 2, 2 and 3 of 4
    # A rare word found outweighs a common one: "fish" decides, whatever "cat" says.
    assert [i for i, _ in bm.top("cat fish", 4)] == [2, 0, 1]


def test_more_occurrences_score_higher_but_saturate() -> None:
    texts = ["ice rover crater", "ice ice rover crater", "ice ice ice ice ice ice rover crater"]
    one, two, six = BM25(texts, k1=1.5, b=0.0).scores("ice")
    assert one < two < six
    assert two - one > (six - two) / 4  # each further "ice" adds less
    assert six < BM25(texts, b=0.0).idf["ice"] * 2.5  # bounded by idf * (k1 + 1)


def test_a_shorter_text_wins_at_the_same_count() -> None:
    short, long = BM25(["rover ice", "rover ice crater spectrometer drill sample mission"]).scores(
        "ice"
    )
    assert short > long > 0
    flat = BM25(["rover ice", "rover ice crater spectrometer drill sample mission"], b=0.0)
    assert flat.scores("ice")[0] == pytest.approx(flat.scores("ice")[1])  # b=0: no length norm


def test_inflections_accents_and_possessives_meet() -> None:
    bm = BM25(["The leader's studies in the café", "A dog barked at the mail carrier"])
    for query in ("leaders", "LEADER", "study", "studies", "cafe", "Café"):
        assert [i for i, _ in bm.top(query, 2)] == [0], query
    assert stem("ruled") == stem("ruling") == "rul"
    assert stem("leaders") == stem("leader's") == "leader"
    assert stem("class") == "class" and stem("status") == "status"  # not plurals
    assert stem("1990s") == stem("1990") == "1990"  # a decade meets its year


def test_empty_or_meaningless_queries_score_nothing() -> None:
    bm = BM25(PASSAGES)
    for query in ("", "   ", "?!", "the of and it was"):
        assert bm.scores(query) == [0.0] * len(PASSAGES), query
        assert bm.top(query, 3) == [], query


def test_repeating_a_query_term_does_not_count_it_twice() -> None:
    bm = BM25(PASSAGES)
    assert bm.scores("Normans Normans Normans") == bm.scores("Normans")


def test_content_terms_drop_question_words_and_numbers_normalise() -> None:
    assert content_terms("Which year did the Normans' leaders arrive?") == [
        "year",
        "norman",
        "leader",
        "arrive",
    ]
    assert numbers("1,200 soldiers in the 10th century") == {"1200", "10"}
    assert numbers("five of the third", with_words=True) == {"5", "3"}
