"""The extractive reader (no model) on plain passages: which sentences it quotes, when it
quotes nothing, and how it numbers them. No Chroma, no embedder."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from qa.answer import enumeration, summary
from qa.answer.evidence import windows
from qa.answer.readers import MIN_SCORE, READERS, ExtractiveReader, ReaderContext, ReadRequest
from qa.answer.shapes import Shape
from qa.ingest.split import Passage
from qa.store.lexical import BM25

PARAGRAPHS = [
    "The Perseverance rover found water ice near the Jezero crater in March. "
    "The team was very happy about it.",
    "Scientists called the discovery a turning point for the mission. "
    "The measurements were taken by the onboard spectrometer.",
    "The rover will drill into the ice in August. "
    "Engineers in Pasadena built a new drill bit for the job.",
    "The mission is run by NASA. Its budget was cut last year.",
]
ORIGINAL = "\n\n".join(PARAGRAPHS)


def _passages(paragraphs: Sequence[str] = PARAGRAPHS) -> list[Passage]:
    out, offset = [], 0
    for i, text in enumerate(paragraphs):
        out.append(Passage("rover", "Rover", i, i + 1, offset, offset + len(text), text, text))
        offset += len(text) + 2
    return out


PASSAGES = _passages()
IDF = BM25(PARAGRAPHS).idf


def read(
    question: str,
    ranked: Sequence[Passage] = PASSAGES,
    shape: Shape = Shape.FACTOID,
    numbered: Mapping[int, Passage] | None = None,
    min_score: float = MIN_SCORE,
    idf: Mapping[str, float] = IDF,
) -> tuple[list[str], ReadRequest]:
    """The reader's lines and the request (with its diagnostics)."""
    numbered = dict(enumerate(ranked, start=1)) if numbered is None else numbered
    request = ReadRequest(question, shape, numbered, ranked)
    reader = READERS["extractive"](ReaderContext(idf=idf, min_score=min_score))
    return list(reader.read(request)), request


def test_factoid_quotes_the_one_sentence_that_answers_with_its_marker() -> None:
    lines, request = read("When will the rover drill into the ice?")
    assert lines == ["The rover will drill into the ice in August. [3]\n"]
    assert request.diagnostics["quote_score"] >= MIN_SCORE
    assert request.diagnostics["quote_candidate"] == "The rover will drill into the ice in August."


def test_every_quote_is_a_sentence_of_the_original_text() -> None:
    for question in ("Who built a new drill bit?", "What took the measurements?", "Who runs it?"):
        for line in read(question, min_score=0.0)[0]:
            sentence = line.rsplit(" [", 1)[0]
            assert sentence in ORIGINAL


def test_the_marker_is_the_number_the_passage_was_shown_with() -> None:
    ranked = [PASSAGES[2], PASSAGES[0]]
    lines, _ = read("When will the rover drill?", ranked, numbered={7: PASSAGES[2], 8: PASSAGES[0]})
    assert lines == ["The rover will drill into the ice in August. [7]\n"]
    # A passage the answer does not number is quoted without a marker.
    lines, _ = read("When will the rover drill?", ranked, numbered={8: PASSAGES[0]})
    assert lines == ["The rover will drill into the ice in August.\n"]


def test_too_little_coverage_quotes_nothing_but_records_the_candidate() -> None:
    lines, request = read("What did NASA say about Mars gravity and radiation?")
    assert lines == []
    assert 0 < request.diagnostics["quote_score"] < MIN_SCORE
    assert "NASA" in request.diagnostics["quote_candidate"]
    # The same question quotes that sentence when the threshold allows it.
    lines, _ = read("What did NASA say about Mars gravity and radiation?", min_score=0.1)
    assert lines == ["The mission is run by NASA. [4]\n"]


def test_a_question_without_content_words_quotes_nothing() -> None:
    lines, request = read("What is it?")
    assert lines == [] and "quote_score" not in request.diagnostics


def test_rare_question_terms_weigh_more_than_common_ones() -> None:
    # Each sentence holds one of the two terms; "spectrometer" is rarer than "rover".
    idf = {"rover": 0.2, "spectrometer": 2.0}
    lines, request = read("Which rover spectrometer?", min_score=0.0, idf=idf)
    assert lines == ["The measurements were taken by the onboard spectrometer. [2]\n"]
    assert request.diagnostics["quote_score"] == pytest.approx(2.0 / 2.2 + 0.01 / 2)


def test_unknown_terms_weigh_as_much_as_the_rarest_known_one() -> None:
    reader = ExtractiveReader({"rover": 0.5, "ice": 1.0})
    scored = reader.scored("rover zeppelin", PASSAGES)
    # "zeppelin" is in no passage: it counts like the rarest term (idf 1.0), so a
    # sentence with "rover" alone covers a third of the question.
    assert scored[0][0] == pytest.approx(0.5 / 1.5 + 0.01)


def test_better_retrieved_passages_win_ties() -> None:
    twins = _passages(["The rover found ice.", "The rover found ice."])
    first, second = ExtractiveReader(IDF).scored("rover ice", twins)[:2]
    assert first[1].passage is twins[0] and first[0] > second[0]
    flipped = ExtractiveReader(IDF).scored("rover ice", twins[::-1])[0]
    assert flipped[1].passage is twins[1]


def test_list_quotes_up_to_three_sentences_in_article_order() -> None:
    lines, _ = read(
        "Which rover drill ice mission team?", PASSAGES[::-1], Shape.LIST, min_score=0.2
    )
    assert 1 < len(lines) <= 3
    starts = [ORIGINAL.index(line.rsplit(" [", 1)[0]) for line in lines]
    assert starts == sorted(starts)


def test_summary_quotes_the_opening_and_the_most_central_sentences() -> None:
    lines, _ = read("Summarize it.", shape=Shape.SUMMARY, min_score=1.0)
    assert len(lines) == 3
    assert lines[0] == (
        "The Perseverance rover found water ice near the Jezero crater in March. [1]\n"
    )
    starts = [ORIGINAL.index(line.rsplit(" [", 1)[0]) for line in lines]
    assert starts == sorted(starts)
    # A sentence sharing no term with the rest of the article is never central.
    assert not any("budget" in line for line in lines)


def test_a_title_line_is_not_the_opening_sentence_of_a_summary() -> None:
    titled = _passages(["Rover finds water ice", *PARAGRAPHS])
    chosen = summary.central(windows(titled, pairs=False), count=3)
    assert chosen[0].quote.startswith("The Perseverance rover found water ice")
    assert all(w.quote != "Rover finds water ice" for w in chosen)


def test_central_of_nothing_is_nothing() -> None:
    assert summary.central([]) == []
    (only,) = summary.central(windows(_passages(["One lone sentence."]), pairs=False), count=3)
    assert only.quote == "One lone sentence."


def test_summary_sentences_cover_the_article_instead_of_repeating_one_point() -> None:
    sentences = windows(
        _passages(
            [
                "Rain fell on Lima. The peace talks in Rome stalled over the dam. "
                "The peace talks in Rome stalled again over the dam. "
                "Russia wants the dam; the talks may fail over the dam and the troops."
            ]
        ),
        pairs=False,
    )
    chosen = [w.quote for w in summary.central(sentences, count=3)]
    assert chosen[0] == "Rain fell on Lima."  # the opening sentence always leads
    # Both "stalled" sentences are the most central; the second adds nothing new.
    assert sum("stalled" in q for q in chosen) == 1
    assert chosen[-1].startswith("Russia wants the dam")


def test_summary_sentences_come_from_an_encoder_when_given() -> None:
    sentences = windows(_passages(["Alpha one. Beta two. Gamma three. Delta four."]), pairs=False)
    # A toy encoder: "Beta" repeats the opening; "Delta" is nearest the article's mean
    # among the rest.
    vectors = {"Alpha one.": [1.0, 0.0], "Beta two.": [1.0, 0.0], "Gamma three.": [0.0, 1.0],
               "Delta four.": [0.6, 0.8]}  # fmt: skip
    chosen = summary.central(sentences, lambda text: vectors[text], count=2)
    assert [w.quote for w in chosen] == ["Alpha one.", "Delta four."]


def test_general_summaries_and_summaries_of_one_topic_are_told_apart() -> None:
    assert summary.is_general("What is this article about?")
    assert summary.is_general("Summarize the article.")
    assert summary.is_general("What are the main points of the story?")
    assert not summary.is_general("Summarize what the article says about the dam.")
    assert summary.size("Give me the key takeaways.") == 5


def _sentences(text: str) -> list:
    return windows(_passages([text]), pairs=False)


def test_an_ordinal_run_answers_only_the_list_it_introduces() -> None:
    text = (
        "The mayor named three risks. First, the river may flood. Second, the dam is old. "
        "Finally, the roads are narrow. The budget grew."
    )
    listed = enumeration.find(_sentences(text), "What are the risks?")
    assert [w.quote for w in listed or []] == [
        "First, the river may flood.", "Second, the dam is old.", "Finally, the roads are narrow."
    ]  # fmt: skip
    assert enumeration.find(_sentences(text), "What are the budget items?") is None
    assert enumeration.find(_sentences(text), "What are the four risks?") is None


def test_one_item_of_an_ordinal_run_answers_the_question_that_counts_to_it() -> None:
    text = (
        "The mayor named three risks. First, the river may flood. Second, the dam is old. "
        "Finally, the roads are narrow. The budget grew last year."
    )
    sentences = _sentences(text)

    def nth(question: str) -> str | None:
        item = enumeration.nth(sentences, question)
        return item.quote if item else None

    assert nth("What is the second risk?") == "Second, the dam is old."
    # The article says "Finally": that is the third, the last and the final one.
    assert nth("What is the third risk?") == "Finally, the roads are narrow."
    assert nth("What was the last risk the mayor named?") == "Finally, the roads are narrow."
    assert nth("What's the final risk?") == "Finally, the roads are narrow."
    assert nth("What is the fourth risk?") is None  # the run has three
    assert nth("What is the second budget item?") is None  # not what the run lists
    assert nth("How much did the budget grow last year?") is None  # "last" counts no risk
    assert nth("What is the zeroth risk?") is None


def test_ordinals_far_apart_are_no_list() -> None:
    filler = " ".join(f"Filler sentence {i} about risks." for i in range(6))
    text = f"Three risks exist. First, floods. {filler} Second, the dam. Third, the roads."
    assert enumeration.find(_sentences(text), "What are the risks?") is None


def test_a_duration_says_how_long() -> None:
    taught = _passages(
        ["She taught at her old school for 15 years.", "She taught drawing in green ink."]
    )
    best = ExtractiveReader({"long": 1.0, "teach": 1.0}).scored("How long did she teach?", taught)
    # "15 years" says what "How long" asks; the other sentence holds "taught" alone.
    assert best[0][1].passage is taught[0] and best[0][0] > 1.0
    assert best[1][0] < 0.6


def test_a_summary_passes_over_a_long_headline_and_short_sentences() -> None:
    headline = "Perseverance rover finds water ice near the Jezero crater on Mars in a first"
    lede = "The Perseverance rover found water ice near the Jezero crater on Mars in March."
    sentences = windows(
        _passages(
            [
                headline,
                f"{lede} Not all of it was ice. The ice sits under a thin layer of dust "
                "near the rim of the Jezero crater, where the rover will drill in August "
                "with a new bit built by engineers in Pasadena.",
            ]
        ),
        pairs=False,
    )
    # Both central: the toy encoder sees them alike, as it sees the headline and the lede.
    vectors = {headline: [1.0, 0.0], lede: [1.0, 0.0], "Not all of it was ice.": [0.6, 0.8]}
    chosen = summary.central(sentences, lambda text: vectors.get(text, [0.6, 0.8]), count=2)
    assert chosen[0].quote == lede
    assert chosen[1].quote.startswith("The ice sits under")


def test_a_sentence_sharing_only_names_and_times_with_the_question_is_not_quoted() -> None:
    said = _passages(
        ['"Customers are buying hundreds this year," Chief Executive Dana Okafor said.']
    )
    idf = {"dana": 1.0, "okafor": 1.0, "earn": 1.0, "year": 0.1}
    reader = ExtractiveReader(idf, aside=0.5)
    # Three of the four weights, halved: under every quote threshold.
    assert reader.scored("How much did Dana Okafor earn this year?", said)[0][0] < 0.5
    assert reader.scored("What did Dana Okafor say about customers?", said)[0][0] > 0.5
    # As the only reader, names count in full ("How much ...?" asks for money, which the
    # sentence does not name).
    assert ExtractiveReader(idf).scored("What did Dana Okafor earn this year?", said)[0][0] > 0.6


def test_a_sentence_without_the_kind_asked_for_scores_lower() -> None:
    deal = _passages(
        [
            "Thorsen said no stores would close as a result of the deal. The deal is "
            "expected to close in the second half of next year."
        ]
    )
    scored = ExtractiveReader({"deal": 1.0, "close": 1.0}).scored("When will the deal close?", deal)
    assert scored[0][1].quote.startswith("The deal is expected to close")
    assert scored[1][0] < 0.6


def test_where_is_quoted_from_a_sentence_that_names_a_place() -> None:
    outbreak = _passages(
        [
            "Officials said the two outbreaks are likely linked. Most of the outbreak is in "
            "Gaines County, a rural area."
        ]
    )
    scored = ExtractiveReader({"outbreak": 1.0}).scored("Where is the outbreak?", outbreak)
    assert scored[0][1].quote.startswith("Most of the outbreak is in Gaines County")


def test_anyone_is_no_word_a_quote_must_hold() -> None:
    died = _passages(["Officials met on Monday. One child died last week."])
    scored = ExtractiveReader({"die": 1.0, "anyone": 2.0}).scored("Has anyone died?", died)
    assert scored[0][1].quote == "One child died last week." and scored[0][0] > 0.75
