"""Verification: kept, moved and dropped citations; abstention phrases."""

from __future__ import annotations

import pytest

from qa.answer.claims import (
    covered,
    full_names,
    is_no_answer,
    split_cited,
    support,
    wanted_kind,
)
from qa.answer.evidence import windows
from qa.answer.polarity import YesNoCheck, negates
from qa.answer.summary import central
from qa.answer.verifier import SentenceVerifier, Supported
from qa.ingest.split import Passage

PASSAGES = {
    1: "Trump met Zelensky at the Vatican on the outside of Pope Francis' death service.",
    2: "Pete Hegseth, US Secretary of Defense, said the US won't expand Article 5 guarantees.",
    3: "All five disagreements have contributed to the most recent impasse.",
}


def _passage(n: int, text: str) -> Passage:
    return Passage("a", "A", n, n, n * 1000, n * 1000 + len(text), text, text)


def verify_sentence(
    sentence: str, question: str, passages: dict[int, str], threshold: float, cited: list[int]
) -> list[int]:
    """The numbers of the passages whose sentence supports ``sentence`` (as a list)."""
    numbered = {n: _passage(n, t) for n, t in passages.items()}
    verifier = SentenceVerifier(list(numbered.values()), threshold)
    found = verifier.check(sentence, [numbered[n] for n in cited], question)
    return [] if found is None else [found.window.passage.index]


def test_split_cited_binds_markers_to_sentences() -> None:
    parts = split_cited("Hegseth is the Secretary [2]. They met at the Vatican. [1]\nFive [3][1].")
    assert parts == [
        ("Hegseth is the Secretary.", [2]),
        ("They met at the Vatican.", [1]),
        ("Five.", [3, 1]),
    ]


def test_split_cited_keeps_datelines_and_abbreviations_in_their_sentence() -> None:
    dateline = "RIVERTON, Ore. \u2014 The council voted 7-2 on Tuesday [1]."
    assert split_cited(dateline) == [(dateline.replace(" [1]", ""), [1])]
    assert split_cited("Mr. Smith and J. Doe voted. Ms. Ruiz did not [2].") == [
        ("Mr. Smith and J. Doe voted.", []),
        ("Ms. Ruiz did not.", [2]),
    ]


def test_split_cited_cuts_a_list_written_on_one_line_into_its_items() -> None:
    reply = "1. 71% reported less burnout. - Sick days fell by two-thirds. - Revenue rose. [5]"
    assert split_cited(reply) == [
        ("71% reported less burnout.", []),
        ("Sick days fell by two-thirds.", []),
        ("Revenue rose.", [5]),
    ]
    assert split_cited("It is well-known. -5 degrees.") == [("It is well-known. -5 degrees.", [])]


def test_supported_citation_is_kept() -> None:
    v = verify_sentence(
        "Pete Hegseth is the US Secretary of Defense.", "Who is Pete Hegseth?", PASSAGES, 0.6, [2]
    )
    assert v == [2]


def test_wrong_citation_moves_to_supporting_passage() -> None:
    v = verify_sentence(
        "They met at the Vatican.", "Where did Trump and Zelensky meet?", PASSAGES, 0.6, [3]
    )
    assert v == [1]


def test_missing_citation_is_added() -> None:
    v = verify_sentence("They met at the Vatican.", "Where did they meet?", PASSAGES, 0.6, [])
    assert v == [1]


def test_invented_claims_are_dropped() -> None:
    assert (
        verify_sentence("Ukraine's GDP is $1.2 trillion.", "What is the GDP?", PASSAGES, 0.6, [2])
        == []
    )
    assert (
        verify_sentence(
            "Macron praised the deal warmly.", "What did Macron say?", PASSAGES, 0.6, [1]
        )
        == []
    )


def test_invented_attribution_is_dropped() -> None:
    sentence = "Emmanuel Macron said Pete Hegseth is the US Secretary of Defense."
    assert support(sentence, "What did Macron say?", PASSAGES[2]) == 0.0
    assert support("Hegseth is the US Secretary of Defense.", "Who is Hegseth?", PASSAGES[2]) == 1.0


def test_names_after_an_apostrophe_match_the_passage() -> None:
    passage = "The Petraliphae were descended from a Pierre d'Aulps."
    sentence = "They descend from Pierre d\u2019Aulps."
    assert support(sentence, "Who did the Petraliphae descend from?", passage) == 1.0
    assert support("They descend from Pierre Aulnay.", "Who did they descend from?", passage) == 0.0


def test_a_place_and_its_demonym_match() -> None:
    passage = "The second concern German peacekeepers in Ukraine."
    question = "Which country's peacekeepers?"
    assert support("Germany's peacekeepers in Ukraine.", question, passage) == 1.0
    assert (
        support("Peacekeepers from Germany.", "Whose peacekeepers are in Ukrainian towns?", passage)
        == 1.0
    )
    assert support("France's peacekeepers in Ukraine.", question, passage) == 0.0


def test_names_the_claim_joins_must_be_joined_so_in_the_passage() -> None:
    passage = "Richard conquered the island, his troops being led by Guy de Lusignan."
    question = "Who led Richard's troops?"
    assert support("Guy de Lusignan led Richard's troops.", question, passage) == 1.0
    assert support("Richard de Lusignan led Richard's troops.", question, passage) == 0.0


def test_a_copy_with_the_questions_name_put_in_for_the_passages_is_not_supported() -> None:
    # SQuAD 2.0's unanswerable "When did Richard II flee to Normandy?": Ethelred fled.
    before = "Emma was a sister of Duke Richard II of Normandy."
    passage = "Because of this, Ethelred fled to Normandy in 1013."
    question = "When did Richard II flee to Normandy?"
    assert support("Richard II fled to Normandy in 1013.", question, passage, before) == 0.0
    asked = "When did Ethelred flee to Normandy?"
    assert support("Ethelred fled to Normandy in 1013.", asked, passage, before) == 1.0
    # Names in another order are no swap: "Zelensky and Trump met" says "Trump and Zelensky".
    met = "The US president Volodymyr Zelensky and Trump met at the Vatican."
    said = "Trump and Zelensky met at the Vatican."
    assert support(said, "Where did Trump and Zelensky meet?", met) == 1.0


def test_an_acronym_matches_the_name_it_stands_for() -> None:
    passage = "Chief Executive Officer Mark Delaney said the Army Corps of Engineers agreed."
    assert support("Mark Delaney is the CEO.", "Who runs it?", passage) == 1.0
    verifier = SentenceVerifier([_passage(1, passage)], 0.7, "Who is the CEO?", 0.25)
    assert verifier.check("Mark Delaney.", [], "Who is the CEO?") is not None
    assert support("The ACE agreed.", "Who agreed?", passage) == 1.0
    assert support("The FBI agreed.", "Who agreed?", passage) == 0.0


def test_question_premise_names_must_be_in_the_passage_or_just_before() -> None:
    passage = "His son Bohemond led the army south."
    question = "Who was Robert's son?"
    assert support("Bohemond was his son.", question, passage) == 0.0
    assert support("Bohemond was his son.", question, passage, before="Robert took Bari.") == 1.0
    # A one-letter typo in a long name is still the same name.
    typo = "Who was Bohemund's father?"
    assert support("Robert was the father.", typo, "Bohemond's father Robert.") == 1.0


def test_a_premise_name_may_come_later_in_the_paragraph_but_not_in_the_next_one() -> None:
    def passage(index: int, paragraph: int, text: str) -> Passage:
        return Passage("a", "A", index, paragraph, index * 100, index * 100 + len(text), text, text)

    led = "His troops were led by Guy de Lusignan."
    named = "He named governors of Cyprus."
    question = "Who led Richard's troops on Cyprus?"
    claim = "Guy de Lusignan led them."
    for paragraph, supported in ((1, True), (2, False)):
        passages = [
            passage(0, 1, "Richard sailed."),
            passage(1, 1, led),
            passage(2, paragraph, named),
        ]
        found = SentenceVerifier(passages, 0.6).check(claim, [], question)
        assert (found is not None) is supported
        assert found is None or found.quote == led


def test_a_claim_with_an_invented_clause_is_kept_without_it() -> None:
    text = (
        "In 1066, Duke William conquered England killing King Harold II at the Battle of Hastings."
    )
    p = _passage(1, text)
    claim = "Harold II died at the Battle of Hastings, which took place on 14 September 1066."
    found = SentenceVerifier([p], 0.7).check(claim, [p], "Where did Harold II die?")
    assert found is not None and found.restated
    assert found.claim == "Harold II died at the Battle of Hastings."
    # A clause is cut only where what is left still says something.
    assert SentenceVerifier([p], 0.7).check("Cats, which fly.", [p], "Who flies?") is None


def test_premise_check_moves_the_citation_to_the_passage_that_names_it() -> None:
    passages = {1: "Richard took Cyprus from Isaac.", 2: "Richard married Berengaria of Navarre."}
    v = verify_sentence("He married Berengaria.", "Whom did Richard marry?", passages, 0.6, [1])
    assert v == [2]
    v = verify_sentence("He married Berengaria.", "Whom did Henry marry?", passages, 0.6, [2])
    assert v == []


def test_numbers_must_appear_as_digits_or_words() -> None:
    assert support("There are 5 disagreements.", "How many disagreements?", PASSAGES[3]) == 1.0
    assert support("There are 6 disagreements.", "How many disagreements?", PASSAGES[3]) == 0.0


def test_when_and_how_many_claims_must_name_a_time_or_a_quantity() -> None:
    assert wanted_kind("When did they meet?") == "time"
    assert wanted_kind("How many disagreements are there?") == "quantity"
    assert wanted_kind("Who is Hegseth?") is None
    passage = "All five disagreements have contributed to the impasse in spring 2022."
    assert support("They contributed to the impasse.", "When did they meet?", passage) == 0.0
    assert support("In spring 2022.", "When did the impasse happen?", passage) == 1.0
    assert support("Five disagreements.", "How many contributed?", passage) == 1.0
    # "What is the population ...?", "... the vote count?" ask for quantities too.
    dateline = "RIVERTON, Ore. \u2014 The council voted 7-2 on Tuesday."
    assert support("Riverton, Ore.", "What is the population of Riverton?", dateline) == 0.0
    assert support("It voted 7-2.", "What was the vote count?", dateline) == 1.0


def test_a_dateline_is_where_its_sentence_happened_unless_it_names_another_place() -> None:
    here = "HALDEN, Ore. \u2014 A train derailed on the east side of this small river town."
    assert _check(here, "Where did the derailment happen?", "Halden, Ore.") is not None
    # Not where something the sentence does not say happened.
    assert _check(here, "Where is the railroad headquartered?", "Halden, Ore.") is None
    filed = "SAN JOSE, Calif. - Novatek said it would close two factories in Malaysia."
    assert _check(filed, "Where will Novatek close factories?", "San Jose, Calif.") is None
    assert _check(filed, "Where will Novatek close factories?", "Malaysia.") is not None
    # "Where is it located?" asks only where: the dateline of a sentence that names no
    # other place says it; "based" asks where its owner is.
    campus = "CASSEL FALLS, Wis. - Corvane opened a data center outside this town on Wednesday."
    assert _check(campus, "Where is it located?", "Cassel Falls, Wis.") is not None
    assert _check(campus, "Where is it based?", "Cassel Falls, Wis.") is None


def test_a_date_is_a_month_and_its_day_together() -> None:
    passage = "The commission will hire a second firm and meet on April 9."
    assert support("April 2", "When will the commission meet?", passage) == 0.0
    assert support("April 9", "When will the commission meet?", passage) == 1.0


def test_requests_and_meta_lead_ins_are_not_claims_or_names() -> None:
    passage = "Trump met Zelensky at the Vatican."
    assert (
        support("This article discusses how Trump met Zelensky.", "Summarize it.", passage) == 1.0
    )
    assert support("Yes, Trump met Zelensky at the Vatican.", "Did they meet?", passage) == 1.0


def test_no_answer_phrases() -> None:
    for text in [
        "NOT IN ARTICLE",
        "The article does not mention GDP.",
        "This is not stated.",
        "No information.",
    ]:
        assert is_no_answer(text), text
    assert not is_no_answer("Trump met Zelensky at the Vatican.")


def test_a_yes_whose_own_sentence_says_the_opposite_becomes_a_no() -> None:
    text = "Novatek's shares fell 4.2% in after-hours trading. The stock lost a third this year."
    sentences = windows([_passage(1, text)], pairs=False)
    question = "Did Novatek's price rise after the earnings call this quarter?"
    check = YesNoCheck(sentences, question)
    assert check.best() is None  # no sentence holds half the question's words
    said = "Yes, Novatek's shares fell 4.2%."
    amended, support = check.amend(said, Supported(said, sentences[0], 1.0, moved=False))
    assert amended.startswith("No: Novatek's shares fell") and support.window is sentences[0]


def test_a_byline_and_a_date_line_say_who_wrote_the_article_and_when() -> None:
    passages = [
        _passage(1, "By Sarah Klein\nJune 3, 2025"),
        _passage(2, "Novatek said on Monday it would cut about 1,500 jobs."),
    ]
    wrote = SentenceVerifier(passages, 0.7, "Who wrote this?", 0.25)
    assert wrote.check("Sarah Klein.", [], "Who wrote this?") is not None
    assert wrote.check("Novatek.", [], "Who wrote this?") is None
    when = SentenceVerifier(passages, 0.7, "When was it published?", 0.25)
    assert when.check("June 3, 2025.", [], "When was it published?") is not None
    # A byline is no opening sentence of a summary.
    assert central(windows(passages, pairs=False), count=1)[0].text.startswith("Novatek said")


def test_the_dateline_is_where_a_story_was_filed_not_an_answer() -> None:
    passage = "SAN JOSE, Calif. (Reuters) - Novatek said it would close two factories in Malaysia."
    question = "Where will Novatek close factories?"
    assert support("In San Jose, Calif.", question, passage) == 0.0
    assert support("In Malaysia.", question, passage) == 1.0


def test_an_abbreviation_with_periods_is_one_name() -> None:
    # "U.S." was read as the name "U", which no sentence holds: every claim with it failed.
    passage = (
        "The quake struck at a depth of 35 kilometers, according to the U.S. Geological Survey."
    )
    assert support(passage, "How deep was the quake?", passage) == 1.0
    assert support("The U.N. measured it.", "Who measured it?", passage) == 0.0


def test_a_clock_time_answers_when() -> None:
    passage = "The quake hit at 11:42 p.m. local time, 40 kilometers west of Talca."
    assert support("At 11:42 p.m. local time.", "When did the quake hit?", passage) == 1.0
    assert support("West of Talca.", "When did the quake hit?", passage) == 0.0


def test_what_someone_said_is_a_sentence_that_reports_speech() -> None:
    assert wanted_kind("What did Boric say?") == "speech"
    assert wanted_kind("What did Pete Hegseth say about Article 5?") == "speech"
    assert wanted_kind("What does the fourth one say?") is None  # what a thing is about
    text = (
        "Boric declared a state of catastrophe in two regions. "
        '"We are going to rebuild," Boric said.'
    )
    verifier = SentenceVerifier([_passage(1, text)], 0.7, "What did Boric say?", 0.25)
    found = verifier.check(
        "Boric declared a state of catastrophe in two regions.", [], "What did Boric say?"
    )
    assert found is not None and "Boric said" in found.claim


def test_a_yes_no_question_is_decided_by_the_sentence_most_about_it() -> None:
    text = (
        "Senapred said 1,400 people had been evacuated after a tsunami warning, which was "
        "lifted two hours later. No tsunami waves were recorded."
    )
    sentences = windows([_passage(1, text)], pairs=False)
    check = YesNoCheck(sentences, "Was there a tsunami?", said="yes")
    assert check.best() is sentences[1]
    # The reader's claim failed and the first sentence was quoted: the answer is no.
    amended, support = check.amend(sentences[0].text, Supported("", sentences[0], 1.0, False))
    assert amended == "No tsunami waves were recorded." and support.window is sentences[1]


def test_a_yes_to_whether_it_happened_from_a_sentence_that_plans_it_is_not_yet() -> None:
    text = "The city will pay through a bond measure that voters must approve in November."
    sentences = windows([_passage(1, text)], pairs=False)
    check = YesNoCheck(sentences, "Did voters approve the bond?")
    said = "Yes, voters approved the bond."
    amended, _ = check.amend(said, Supported(said, sentences[0], 1.0, moved=False))
    assert amended == f"Not yet: {text}"
    # Asked what will happen, the plan is the answer.
    will = YesNoCheck(sentences, "Will voters vote on the bond?")
    assert will.amend(said, Supported(said, sentences[0], 1.0, moved=False))[0] == said


def test_a_summary_leaves_out_sentences_that_lean_on_the_one_before() -> None:
    text = (
        "The vaccine is given in 15 African countries. "
        "She said demand for the vaccine was far higher than supply. "
        '"The vaccine works best alongside bed nets," he said. '
        "Nigeria began giving the vaccine in December."
    )
    chosen = central(windows([_passage(1, text)], pairs=False), count=2)
    assert [w.text for w in chosen] == [
        "The vaccine is given in 15 African countries.",
        "Nigeria began giving the vaccine in December.",
    ]


def test_a_yes_from_a_sentence_about_something_else_is_dropped_or_its_opposite_says_no() -> None:
    text = "Sick days fell by about two-thirds. Company revenue rose 1.4% over the trial."
    sentences = windows([_passage(1, text)], pairs=False)
    check = YesNoCheck(sentences, "Did revenue fall?")
    said = "Yes, revenue fell by about two-thirds."
    amended = check.amend(said, Supported(said, sentences[0], 1.0, moved=False))
    assert amended is not None and amended[0] == f"No: {sentences[1].text}"
    # Without a sentence that says the opposite, the "Yes" is dropped.
    alone = YesNoCheck(sentences[:1], "Did revenue fall?")
    assert alone.amend(said, Supported(said, sentences[0], 1.0, moved=False)) is None
    against = check.contradiction()
    assert against is not None and against.window is sentences[1]
    # Asked about what the sentence is about, the "Yes" stands.
    days = YesNoCheck(sentences, "Did sick days fall?")
    yes = "Yes, sick days fell by about two-thirds."
    assert days.amend(yes, Supported(yes, sentences[0], 1.0, moved=False)) == (
        yes,
        Supported(yes, sentences[0], 1.0, moved=False),
    )
    assert days.contradiction() is None


def test_how_many_is_not_answered_by_a_measure() -> None:
    passage = "In the March flood the river rose 11 feet, and more than 1,200 homes flooded."
    assert support("11 people died.", "How many people died in the flood?", passage) == 0.0
    assert support("11 feet.", "How many feet did the river rise?", passage) == 1.0
    assert support("1,200 homes.", "How many homes flooded?", passage) == 1.0
    # A share or a year counts nothing either.
    owls = "Owl populations have declined by about 75% since the owl was listed in 1990."
    assert support("75% of owls have declined since 1990.", "How many owls are left?", owls) == 0.0


def test_a_why_answer_holds_what_the_question_asks_to_be_explained() -> None:
    passages = [
        _passage(1, "Trump's retaliation toward Putin is a result of five disagreements."),
        _passage(2, "Trump is reluctant to back this because it could encourage Putin."),
    ]
    verifier = SentenceVerifier(passages, 0.6, "Why has Trump retaliated?", 0.25,
                                asked="Why has Trump retaliated against Putin?")  # fmt: skip
    # The second sentence supports the claim's reason, but explains something else.
    claim = "Trump has retaliated because it could encourage Putin."
    assert verifier.check(claim, [], "Why has Trump retaliated against Putin?") is None
    claim = "Trump retaliated because of five disagreements."
    found = verifier.check(claim, [], "Why has Trump retaliated against Putin?")
    assert found is not None and found.window.text.startswith("Trump's retaliation")


@pytest.mark.parametrize(
    ("question", "texts", "copied", "answer", "supporting"),
    [
        # The copied sentence holds under half of the question's words.
        (
            "What does Putin find unacceptable?",
            [
                "Russia fears mission creep in Ukraine. Putin wants no ambiguity.",
                "The plan asks Russia to give up the dam, which Putin finds unacceptable.",
            ],
            "Russia fears mission creep in Ukraine.",
            "Russia to give up the dam.",
            "unacceptable",
        ),
        # Another sentence holds every one of three question words; the copy lacks one.
        (
            "When is the deal expected to close?",
            [
                "Regulators sued to block a similar deal in 2023 and the deal may close.",
                "The airlines said they expected the deal to close in the first half of 2027.",
            ],
            "Regulators sued to block a similar deal in 2023 and the deal may close.",
            "The deal is expected to close in the first half of 2027.",
            "2027",
        ),
    ],
)
def test_a_copy_of_a_sentence_about_something_else_is_dropped(
    question: str, texts: list[str], copied: str, answer: str, supporting: str
) -> None:
    passages = [_passage(i + 1, text) for i, text in enumerate(texts)]
    verifier = SentenceVerifier(passages, 0.6, question, 0.25)
    assert verifier.check(copied, [], question) is None
    found = verifier.check(answer, [], question)
    assert found is not None and supporting in found.window.text


def test_a_copy_of_the_wrong_sentence_of_a_pair_is_dropped() -> None:
    # The vote count and the sentence about the school's problems make a pair, which holds
    # the question's words: the sentence copied is judged, not the pair.
    text = (
        "The school bond passed with 58% of the vote, or 4,912 votes in favor. "
        "It will pay for Federal Street Elementary, which has a leaking roof and old "
        "classrooms. Turnout was 41%. The mayor praised Federal Street Elementary staff."
    )
    question = "What problems does Federal Street Elementary have?"
    verifier = SentenceVerifier([_passage(1, text)], 0.6, question, 0.25)
    copied = "The school bond passed with 58% of the vote, or 4,912 votes in favor."
    assert verifier.check(copied, [], question) is None


def test_a_word_that_says_the_same_keeps_a_sentence_on_topic() -> None:
    passages = [_passage(1, "Four people suffered burns."), _passage(2, "No deaths were reported.")]
    question = "Was anyone killed?"
    verifier = SentenceVerifier(passages, 0.6, question, 0.25)
    found = verifier.check("No, no deaths were reported.", [], question)
    assert found is not None and found.window.text == "No deaths were reported."
    assert verifier.check("No, four people suffered burns.", [], question) is None


def test_a_name_written_in_full_elsewhere_supports_its_short_form() -> None:
    passages = [
        _passage(1, "Brightline Appliances is recalling about 240,000 air fryers."),
        _passage(2, "The fryers were sold at Walmart and Target for $60."),
        _passage(3, "Four people suffered minor burns."),
        _passage(4, "Brightline chief executive Laura Chen said in a statement that it was fixed."),
    ]
    question = "Who is Laura Chen?"
    verifier = SentenceVerifier(passages, 0.6, question, 0.25)
    found = verifier.check("Laura Chen is Brightline Appliances' chief executive.", [], question)
    assert found is not None and found.window.passage.index == 4
    # A name the article never writes with it is still an invented attribution.
    assert verifier.check("Laura Chen is Hollis Group's chief executive.", [], question) is None


def test_how_many_is_not_answered_by_a_count_of_something_else() -> None:
    text = "The school bond passed with 4,912 votes in favor and 3,557 against."
    assert support("4,912.", "How many students attend the school?", text) == 0.0
    assert support("4,912.", "How many votes did the bond get?", text) > 0.6


@pytest.mark.parametrize(
    ("question", "written", "claim"),
    [
        # "receive" (as asked) and "received" (as written) stem apart.
        (
            "What awards did she receive?",
            "Dr. Okafor received the National Medal of Science in 1998.",
            "The National Medal of Science in 1998.",
        ),
        # An abbreviated title is the title.
        (
            "What did the governor do?",
            "Gov. Gavin Newsom declared a state of emergency on Wednesday.",
            "Gov. Gavin Newsom declared a state of emergency.",
        ),
        # Paying for something is funding it.
        (
            "Who paid for the study?",
            "The research was funded by the Australian Medical Research Council.",
            "The Australian Medical Research Council funded it.",
        ),
        # "%" says "percentage".
        (
            "What percentage of voters opposed the tax?",
            "It failed by a wide margin, with 61% against.",
            "61% were against.",
        ),
    ],
)
def test_a_question_word_written_otherwise_keeps_a_sentence_on_topic(
    question: str, written: str, claim: str
) -> None:
    passages = [
        _passage(1, "Colleagues remembered her as a demanding teacher."),
        _passage(2, written),
    ]
    found = SentenceVerifier(passages, 0.6, question, 0.25).check(claim, [], question)
    assert found is not None and found.window.passage.index == 2


def test_a_yes_in_other_words_stands_and_a_sentence_without_the_question_does_not() -> None:
    text = (
        "Two firefighters suffered minor injuries, and no civilian deaths had been reported. "
        "Shelters were opened at Cedar Valley High School."
    )
    sentences = windows([_passage(1, text)], pairs=False)
    hurt = "Yes, two firefighters suffered minor injuries."
    check = YesNoCheck(sentences, "Was anyone hurt?")
    assert check.amend(hurt, Supported(hurt, sentences[0], 1.0, moved=False)) is not None
    # Without "Yes", a sentence that holds too little of the question answers nothing.
    schools = YesNoCheck(sentences, "Were any schools closed?")
    plain = "Shelters were opened at Cedar Valley High School."
    assert schools.amend(plain, Supported(plain, sentences[1], 1.0, moved=False)) is None


def test_a_full_name_asked_is_found_by_its_surname_but_a_swapped_name_is_not() -> None:
    passages = [
        _passage(1, "Margaret Okafor, a chemist, died on Saturday. She was 81."),
        _passage(2, "The weather was mild. Colleagues praised her teaching at the university."),
        _passage(
            3, "Born in Enugu in 1944, Dr. Okafor moved to the United States. The French came."
        ),
    ]
    born = "Where was Margaret Okafor born?"
    verifier = SentenceVerifier(passages, 0.6, born, 0.25)
    found = verifier.check("Enugu, in 1944.", [], born)
    assert found is not None and found.window.passage.index == 3
    # A word the article also writes alone ("the French") is no first name to forgive.
    written = full_names(w.text for w in verifier.windows if not w.pair)
    assert written.then["margaret"] == {"okafor"} and "france" not in written.then
    # A number asked for is no copy of the short sentence that gives it.
    old = "How old was Margaret Okafor when she died?"
    aged = SentenceVerifier(passages, 0.6, old, 0.25).check("81", [], old)
    assert aged is not None and "81" in aged.window.text


def test_no_that_opens_a_sentence_is_part_of_it() -> None:
    no_deaths = support(
        "No deaths have been reported.", "Was anyone killed?", "No deaths have been reported."
    )
    assert no_deaths == 1.0
    assert (
        support("No, deaths were reported.", "Was anyone killed?", "Deaths were reported.") == 1.0
    )


def test_a_verb_is_supported_by_the_noun_made_from_it() -> None:
    text = "The Normans had a profound effect on Irish culture after their invasion in 1169."
    question = "What country did the Normans invade in 1169?"
    assert support("Normans invaded Ireland in 1169.", question, text) > 0.7
    # A verb the sentence has no form of is still unsupported.
    assert support("Normans conquered Ireland in 1169.", question, text) < 0.7


def test_how_many_people_is_answered_by_a_count_of_people_of_any_kind() -> None:
    crowd = "A sellout crowd of 19,200 attended the game at Bayfront Arena."
    assert support("19,200.", "How many people attended the game?", crowd) > 0.6
    adults = "Researchers followed more than 160,000 adults in 12 countries."
    assert support("160,000 adults.", "How many people were in the study?", adults) > 0.6
    # "How many did he score?" counts what the sentence counts: no noun is asked for.
    points = "Jalen Whitaker scored 34 points in overtime."
    assert support("He scored 34 points.", "How many did he score?", points) > 0.6


def test_a_team_named_in_full_elsewhere_is_no_swapped_name() -> None:
    passages = [
        _passage(
            1,
            "Whitaker scored 34 points and the Harbor City Gulls beat Denver. "
            "The Gulls will face the Portland Comets in the conference final.",
        )
    ]
    question = "Who will Harbor City play next?"
    verifier = SentenceVerifier(passages, 0.6, question, 0.25)
    claim = "Harbor City will face the Portland Comets in the conference final."
    found = verifier.check(claim, [], question)
    assert found is not None and "Portland Comets" in found.window.text
    # Another name put in for the team's is still a swap.
    other = "Who will Denver play next?"
    swapped = "Denver will face the Portland Comets in the conference final."
    assert SentenceVerifier(passages, 0.6, other, 0.25).check(swapped, [], other) is None


def test_a_number_from_the_sentence_about_something_else_is_dropped() -> None:
    passages = [
        _passage(1, "Walkers had a 47% lower risk of dying early, a study found."),
        _passage(2, "Walking was also linked to a 38% lower risk of dementia."),
    ]
    question = "What percentage lower was the risk of dementia?"
    verifier = SentenceVerifier(passages, 0.6, question, 0.25)
    assert verifier.check("47%", [], question) is None
    found = verifier.check("38%", [], question)
    assert found is not None and found.window.passage.index == 2


def test_a_count_of_two_terms_comes_from_the_sentence_that_says_both() -> None:
    passages = [
        _passage(1, "Of the 146 people infected, 79 are children."),
        _passage(2, "Twenty people have been hospitalized."),
        _passage(3, "The vaccine is given in four doses."),
        _passage(4, "Children got the first doses a year ago."),
    ]
    question = "How many people have been hospitalized?"
    verifier = SentenceVerifier(passages, 0.6, question, 0.25)
    assert verifier.check("146", [], question) is None
    # A rank counts nothing: "the first doses" is no other count of doses.
    doses = "How many doses does a child get?"
    found = SentenceVerifier(passages, 0.6, doses, 0.25).check("4 doses", [], doses)
    assert found is not None and found.window.passage.index == 3


def test_a_time_or_number_is_named_by_the_sentence_that_says_the_claim() -> None:
    passages = [
        _passage(
            1,
            "A crowd of 19,200 attended the game. Tickets for the final went on sale Monday "
            "and sold out within an hour.",
        )
    ]
    question = "How much did tickets cost?"
    verifier = SentenceVerifier(passages, 0.6, question, 0.25)
    assert verifier.check("Tickets for the final sold out within an hour.", [], question) is None
    long = "For how long were they followed?"
    observed = [_passage(1, "The study was observational, the authors noted.")]
    assert (
        SentenceVerifier(observed, 0.6, long, 0.0).check("The study was observational.", [], long)
        is None
    )
    assert wanted_kind(long) == "duration"


def test_a_yes_to_blocked_from_a_sentence_that_says_upheld_is_no_yes() -> None:
    upheld = "A California law that limits notifications to minors was upheld in March."
    sentence = windows([_passage(1, upheld)], pairs=False)[0]
    said = "Yes, the California law is blocked."
    amended = YesNoCheck([sentence], "Is the California law blocked?").amend(
        said, Supported(said, sentence, 1.0, moved=False)
    )
    assert amended is None or amended[0].startswith("No")


@pytest.mark.parametrize(
    ("said_so", "question", "said"),
    [
        (  # "no shock" says no to "surprised"
            "The union that represents the pilots said the cuts came as no shock.",
            "Is the pilots' union surprised?",
            "Yes, the pilots' union is surprised.",
        ),
        (  # "supports" is the other side of "against"
            "The councilwoman said she supports public transit but could not back the project.",
            "Is she against public transit?",
            "Yes, she is against public transit.",
        ),
    ],
)
def test_a_word_that_says_the_opposite_makes_yes_a_no(
    said_so: str, question: str, said: str
) -> None:
    sentence = windows([_passage(1, said_so)], pairs=False)[0]
    check = YesNoCheck([sentence], question)
    amended = check.amend(said, Supported(said, sentence, 1.0, moved=False))
    assert amended is None or amended[0].startswith("No")
    against = check.contradiction(alone=True)
    assert against is not None and against.window is sentence


def test_an_ordinal_in_a_name_is_no_number() -> None:
    # "Fourth Street" gives no 4 to "4 minutes"; "the fourth quarter" still says 4.
    text = (
        "The order covers parts of downtown east of Fourth Street. Residents were told to "
        "bring tap water to a rolling boil for at least one minute."
    )
    assert support("4 minutes.", "How long should I boil the water?", text) == 0.0
    assert support("1 minute.", "How long should I boil the water?", text) > 0.6
    assert (
        support("In the 4th quarter.", "When did he score?", "He scored in the fourth quarter.")
        > 0.6
    )


def test_homes_are_houses() -> None:
    text = "At least 23 homes and 11 outbuildings have been destroyed, officials said."
    assert support("23 houses.", "How many houses have been destroyed?", text) > 0.6


def test_a_percentage_or_a_count_of_something_else_is_not_the_number_asked() -> None:
    text = "Petrov finished with 29 points and 17 rebounds but fouled out."
    assert support("29.", "How many rebounds did Petrov have?", text) == 0.0
    assert support("17.", "How many rebounds did Petrov have?", text) > 0.6
    # "34%" is no percentage the sentence gives.
    scored = "Jalen Whitaker scored 34 points in overtime."
    assert support("34%.", "What was Whitaker's shooting percentage?", scored) == 0.0
    assert (
        support("He shot 34%.", "What did Whitaker shoot?", "Whitaker shot 34% from the field.")
        > 0.6
    )


def test_a_compound_word_says_its_last_part() -> None:
    question = "How big is the fire?"
    fire = [_passage(1, "A fast-moving wildfire has burned more than 14,000 acres.")]
    found = SentenceVerifier(fire, 0.6, question, 0.25).check("14,000 acres", [], question)
    assert found is not None
    # A name is no compound ("Scotland" is no land), nor a word made with a suffix.
    assert covered({"land", "ship"}, "Scotland built its leadership.") == set()


def test_kinds_of_children_roads_and_harm_say_the_words_asked() -> None:
    assert covered({"children"}, "She is survived by a son, Johan.") == {"children"}
    assert covered({"road"}, "U.S. Highway 89 was closed.") == {"road"}
    assert covered({"hurt"}, "Two firefighters were taken to a hospital.") == {"hurt"}
    # "studied" is "study", as "studies" is.
    assert covered({"study"}, "Lindqvist studied architecture in Stockholm.") == {"study"}


def _check(text: str, question: str, claim: str) -> Supported | None:
    """The support a one-passage article gives ``claim``, answering ``question``."""
    return SentenceVerifier([_passage(1, text)], 0.6, question, 0.25).check(claim, [], question)


def test_a_sentence_after_the_one_that_names_the_topic_goes_on_about_it() -> None:
    rejected = (
        "A plan for a floating school in the harbor was rejected by the city council in 1991."
    )
    text = f"Not all her designs were built. {rejected[:-1]} as too costly."
    question = "Which of her designs was not built?"
    assert _check(text, question, rejected) is not None
    # Where the sentence before says more than the topic, the copy is judged alone.
    busy = f"Her designs were built in Oslo, Bergen and Malmo by her firm. {rejected}"
    assert _check(busy, question, rejected) is None


def test_a_quote_about_a_narrower_period_gets_no_yes() -> None:
    text = "The fire is the largest in Arizona this year."
    sentence = windows([_passage(1, text)], pairs=False)[0]
    supported = Supported(text, sentence, 1.0, moved=False)
    asked = "Is this the largest fire in Arizona history?"
    amended = YesNoCheck([sentence], asked, "yes").amend(text, supported)
    assert amended is not None and amended[0] == text
    # Asked about this year, the model's "Yes" leads the quote.
    asked = "Is this the largest fire in Arizona this year?"
    amended = YesNoCheck([sentence], asked, "yes").amend(text, supported)
    assert amended is not None and amended[0] == f"Yes: {text}"


def test_a_no_needs_a_sentence_about_what_is_asked() -> None:
    text = "A jury convicted Lumenfield founder Marcus Thale of fraud. Sales fell 5%."
    first, second = windows([_passage(1, text)], pairs=False)
    reply = "No, Marcus Thale is not married."
    check = YesNoCheck([first, second], "Is Thale married?", "no")
    assert check.amend(reply, Supported(reply, first, 1.0, moved=False)) is None
    fell = "No, sales fell."
    amended = YesNoCheck([first, second], "Did sales rise?", "no").amend(
        fell, Supported(fell, second, 1.0, moved=False)
    )
    assert amended is not None and amended[0] == fell


def test_a_bare_number_that_is_not_what_is_asked_is_not_restated() -> None:
    text = (
        "Anna Lind, one of Europe's best-loved architects, died on Sunday. "
        "Born in Gothenburg in 1938, Lind studied in Stockholm."
    )
    assert _check(text, "When was Lind born?", "1") is None  # "one" is in the first sentence


def test_a_sentence_that_refers_back_to_the_one_about_the_question_answers_it() -> None:
    copy = "Finished in 1998, it replaced abandoned warehouses with housing and a concert hall."
    text = (
        "Her best-known project, the Hammarby Quay redevelopment, took nearly 20 years to "
        f"complete. {copy}"
    )
    assert _check(text, "When was the Hammarby Quay redevelopment finished?", copy) is not None
    # Neither sentence says what the question asks about: the copy is judged alone.
    assert _check(text, "Which was the oldest Hammarby Quay redevelopment?", copy) is None


def test_a_sentence_about_she_is_about_the_person_the_sentence_before_names() -> None:
    text = (
        "The trial turned on the testimony of Sophie Lindgren, who hoped for a lighter "
        "sentence. Lindgren testified in October. She is scheduled to be sentenced in January."
    )
    copy = "She is scheduled to be sentenced in January."
    assert _check(text, "Has Sophie Lindgren been sentenced?", copy) is not None
    # A sentence that does not begin with "she" is judged alone.
    other = text.replace("She is", "The CEO is")
    asked = "Has Sophie Lindgren been sentenced?"
    assert _check(other, asked, copy.replace("She", "The CEO")) is None


def test_how_old_is_answered_by_a_sentence_that_gives_an_age() -> None:
    text = "Rina Cole called it the most important product in five years. She is 52."
    assert _check(text, "How old is Rina Cole?", "5 years old.") is None
    found = _check(text, "How old is Rina Cole?", "52")
    assert found is not None and found.window.text.endswith("She is 52.")
    # Things can be old too.
    village = "Archaeologists uncovered a Bronze Age village about 3,400 years old."
    assert _check(village, "How old is the village?", "3,400 years old") is not None


def test_a_who_question_is_not_answered_by_the_thing_it_asks_about() -> None:
    text = "The Juniper Ridge Fire started Tuesday afternoon north of Flagstaff."
    question = "Who started the fire?"
    verifier = SentenceVerifier([_passage(1, text)], 0.6, question, 0.25)
    assert verifier.check("The Juniper Ridge Fire started Tuesday afternoon.", [], question) is None


def test_a_cut_asked_about_a_rate_that_was_raised_is_answered_no() -> None:
    text = "The bank raised its key interest rate by a quarter point to 3.75% on Wednesday."
    sentences = windows([_passage(1, text)], pairs=False)
    against = YesNoCheck(sentences, "Did the bank cut its interest rate?").contradiction(True)
    assert against is not None and against.window.text == text


def test_a_share_is_no_count() -> None:
    text = "Alvarez received 51.2% of the vote to Whitcomb's 48.1%, defeating him by 870 votes."
    assert support("51.2%.", "By how many votes did Alvarez win?", text) == 0.0
    assert support("870 votes.", "By how many votes did Alvarez win?", text) > 0.6
    assert support("51.2%.", "What share of the vote did Alvarez get?", text) > 0.6


def test_an_acronym_asked_is_held_by_the_words_it_stands_for() -> None:
    text = "Vireo is recalling 212,000 sport utility vehicles because a bolt can loosen."
    question = "Why is Vireo recalling the SUVs?"
    assert _check(text, question, text) is not None
    # Only what its letters spell: no sentence about cars holds "ATVs".
    assert _check(text, "Why is Vireo recalling the ATVs?", text) is None


def test_a_yes_no_question_is_answered_no_in_other_words_and_other_places() -> None:
    text = "No deaths have been reported. It is the second recall of the Ranger this year."
    sentences = windows([_passage(1, text)], pairs=False)
    against = YesNoCheck(sentences, "Did anyone die?").contradiction(alone=True)
    assert against is not None and against.window.text == "No deaths have been reported."
    first = YesNoCheck(sentences, "Is this the first recall of the Ranger?").contradiction()
    assert first is not None and first.window.text.startswith("It is the second recall")
    assert YesNoCheck(sentences, "Is this the second recall of the Ranger?").contradiction() is None


def test_shares_temperatures_and_charges_say_what_questions_call_them() -> None:
    assert covered({"stock"}, "The company's shares fell 2.1%.") == {"stock"}
    assert covered({"cold"}, "Temperatures there stay below minus 170 degrees.") == {"cold"}
    sentences = windows([_passage(1, "Dealers will replace the bolts free of charge.")], False)
    against = YesNoCheck(sentences, "Does it cost anything?").contradiction(alone=True)
    assert against is not None


def test_a_follow_up_that_names_nothing_is_answered_after_the_answer_it_follows() -> None:
    text = (
        "A probe found water ice in a crater near the Moon's south pole. It was launched in "
        "March. Its spectrometer detected hydrogen. The researchers estimate that the ice "
        "makes up between 2% and 5% of the soil by weight."
    )
    share = (
        "The researchers estimate that the ice makes up between 2% and 5% of the soil by weight."
    )
    reply = "The probe found water ice in a crater near the Moon's south pole."
    topic = f"What did the probe find? How much? {reply}"
    found = SentenceVerifier([_passage(1, text)], 0.6, topic, 1e-9, reply, "How much?")
    assert found.check(share, [], "How much?") is not None
    # Asked with words of its own, the sentence that holds them all is the better copy.
    asked = "How much ice did the probe find near the south pole?"
    named = SentenceVerifier([_passage(1, text)], 0.6, asked, 0.25, reply, asked)
    assert named.check(share, [], asked) is None


def test_who_holds_a_role_is_answered_by_a_sentence_that_names_the_role() -> None:
    text = (
        '"This strike is unnecessary," said Thomas Weir, Northstar\'s chief executive. '
        "Karen Lutz, the union's president, disagreed."
    )
    question = "Who is the union's president?"

    def check(text: str, question: str, claim: str) -> Supported | None:
        verifier = SentenceVerifier([_passage(1, text)], 0.6, question, 0.25, "", question)
        return verifier.check(claim, [], question)

    assert check(text, question, "Thomas Weir is the union's president.") is None
    found = check(text, question, "Karen Lutz is the union's president.")
    assert found is not None and found.window.text.startswith("Karen Lutz")
    # A relative is named by the other side of the tie.
    sister = "Emma, sister of Duke Richard II, married King Ethelred."
    assert check(sister, "Who was Emma's brother?", "Duke Richard II.") is not None


def test_closed_says_no_to_open_and_a_split_vote_to_unanimous() -> None:
    text = (
        "Schools across the province will remain closed until Wednesday. "
        "The council voted 7-4 to approve the plan. The plan costs $3 million."
    )
    sentences = windows([_passage(1, text)], pairs=False)
    against = YesNoCheck(sentences, "Are schools open again?").contradiction(alone=True)
    assert against is not None and against.window.text.startswith("Schools")
    against = YesNoCheck(sentences, "Was the vote unanimous?").contradiction(alone=True)
    assert against is not None and "7-4" in against.window.text
    # A span of years is no vote.
    sentences = windows([_passage(1, "The council met in 2019-20. It voted on the plan.")], False)
    assert YesNoCheck(sentences, "Was the vote unanimous?").contradiction(alone=True) is None


def test_a_copy_that_holds_only_the_name_asked_about_is_the_wrong_sentence() -> None:
    text = (
        "Northstar said it had hired 1,500 replacement nurses. "
        "The union wants raises. Northstar says fixed ratios would force it to close beds."
    )
    copied = "Northstar said it had hired 1,500 replacement nurses."
    question = "What did Northstar say about ratios?"
    verifier = SentenceVerifier([_passage(1, text)], 0.6, question, 0.5)
    assert verifier.check(copied, [], question) is None
    right = "Northstar says fixed ratios would force it to close beds."
    assert verifier.check(right, [], question) is not None
    # Two names: the sentence with one of them is about the question.
    text = "Kate O'Brien directs immunization at the WHO. O'Brien said it was a turning point."
    verifier = SentenceVerifier([_passage(1, text)], 0.6, "Who is Kate O'Brien?", 0.5)
    said = "O'Brien said it was a turning point."
    assert verifier.check(said, [], "Who is Kate O'Brien?") is not None


def test_backing_something_is_supporting_it() -> None:
    assert covered({"support"}, "The mayor, who has backed the project, called it vital.")


def test_a_year_the_model_added_to_a_date_is_dropped() -> None:
    text = "The company said it would begin shipping the drug on April 14."
    question = "When will the drug be available?"
    found = SentenceVerifier([_passage(1, text)], 0.6).check("April 14, 2021", [], question)
    assert found is not None and found.claim == "April 14" and found.restated


def test_a_yes_stands_on_a_sentence_whose_paragraph_names_what_was_asked_about() -> None:
    text = (
        "The most common side effects in the trial were headaches and nausea. Swelling "
        "appeared in 14 percent of patients. Two patients taking the drug died after bleeding."
    )
    sentences = windows([_passage(1, text)], pairs=False)
    died = sentences[-1]
    check = YesNoCheck(sentences, "Did anyone die in the trial?", "yes")
    amended = check.amend(died.text, Supported(died.text, died, 1.0, moved=False))
    assert amended is not None and amended[0].startswith("Yes: Two patients"), amended


def test_lawsuits_attackers_and_crowds_say_what_questions_call_them() -> None:
    assert covered({"sue"}, "Two customers filed a class-action lawsuit.") == {"sue"}
    assert covered({"hacker"}, "The attackers used a stolen password.") == {"hacker"}
    assert covered({"people"}, "It won in front of 71,842 fans.") == {"people"}


def test_finds_pay_decisions_and_ends_say_the_words_asked() -> None:
    assert covered({"found"}, "They had uncovered the remains of a village.") == {"found"}
    assert covered({"salary"}, "The club did not disclose his wages.") == {"salary"}
    assert covered({"announce"}, "The club did not disclose his wages.") == {"announce"}
    assert covered({"decide"}, "It would choose a repair by April.") == {"decide"}
    assert covered({"finish"}, "Digging would continue until the end of August.") == {"finish"}


def _best(text: str, question: str) -> str:
    """The sentence of ``text`` that a yes/no ``question`` is decided by."""
    best = YesNoCheck(windows([_passage(1, text)], pairs=False), question).best()
    assert best is not None
    return best.text


def _amended(text: str, question: str, said: str, on: int) -> str | None:
    """What a yes/no answer ``said`` becomes, standing on sentence ``on`` of ``text``."""
    sentences = windows([_passage(1, text)], pairs=False)
    check = YesNoCheck(sentences, question)
    amended = check.amend(said, Supported(said, sentences[on], 1.0, moved=False))
    return None if amended is None else amended[0]


RAIN = "The rain has stopped, but the danger has not. He said the state would request aid."
TRIAL = "Achebe would not say whether Kasparian will testify. The bureau declined to comment."


@pytest.mark.parametrize(
    ("text", "question", "on", "expected"),
    [
        # In other words: "disclose" for "announce", "wages" for "salary".
        (
            "Kingsmere did not disclose his wages. He trains on Monday.",
            "Did Kingsmere announce his salary?",
            0,
            "No: Kingsmere did not disclose his wages.",
        ),
        # What is asked about, then its end.
        (RAIN, "Is it still raining?", 0, "No: The rain has stopped, but the danger has not."),
        # Planned, in other words: "request" for "ask", "aid" for "help".
        (
            RAIN,
            "Has he asked for federal help?",
            1,
            "Not yet: He said the state would request aid.",
        ),
        # Not said is open, before the "not" of the sentence says no.
        (TRIAL, "Will Kasparian testify?", 0, f"Unclear: {TRIAL.split('. ')[0]}."),
        (TRIAL, "Did the bureau comment?", 1, "No: The bureau declined to comment."),
    ],
)
def test_a_yes_is_amended_by_what_its_sentence_says(
    text: str, question: str, on: int, expected: str
) -> None:
    said = "Yes, " + question.rstrip("?").lower() + "."
    assert _amended(text, question, said, on) == expected


def test_a_yes_about_the_whole_needs_a_sentence_about_the_whole() -> None:
    ward = "The hospital's board voted to close its maternity ward."
    said = "Yes, the whole hospital will close."
    assert _amended(ward, "Will the whole hospital close?", said, 0) is None
    # Asked about the ward, the "Yes" stands.
    yes = "Yes, the ward will close."
    assert _amended(ward, "Will the hospital close the ward?", yes, 0) == yes


def test_a_yes_no_question_is_decided_by_a_sentence_about_its_subject() -> None:
    text = (
        "The board took no action on the petition, and the closure date had not changed. "
        "A grant program will not be ready in time to change this decision."
    )
    question = "Did the board change its decision?"
    assert _best(text, question).startswith("The board took no action")
    said = "Yes, the board changed its decision."
    assert _amended(text, question, said, 1) == f"No: {_best(text, question)}"


def test_a_follow_up_is_answered_by_a_sentence_that_holds_all_its_own_words() -> None:
    text = (
        "The developer will build 226 houses instead of 240. Construction of the first "
        "phase would be delayed by about eight months, to early 2027."
    )
    reply = "Yes, the houses will still be built."
    asked = "How long is the delay?"
    topic = f"Will the houses still be built? {asked}"
    found = SentenceVerifier([_passage(1, text)], 0.6, topic, 0.5, reply, asked)
    supported = found.check("The delay is about 8 months.", [], asked)
    assert supported is not None and supported.window.text.startswith("Construction")


def test_spared_says_no_to_cut_and_failed_to_passed() -> None:
    assert negates("Police and fire budgets were spared.", "Were the police budgets cut?")
    assert negates("The proposal failed to get a second.", "Did the proposal pass?")
    # "cut" keeps its other opposites.
    assert negates("Sales were cut by 4%.", "Did sales rise?")
    assert not negates("Police budgets were cut.", "Were the police budgets cut?")


def test_residents_requests_and_aid_say_the_words_asked() -> None:
    assert covered({"people"}, "It forced 4,200 residents from their homes.") == {"people"}
    assert covered({"ask", "help"}, "The state would request federal aid.") == {"ask", "help"}


def test_a_yes_no_question_is_decided_by_its_own_words_before_their_opposites() -> None:
    text = (
        "The mandatory evacuation order would remain in effect. A voluntary evacuation "
        "order for the Riverside Park neighborhood was lifted Thursday afternoon."
    )
    assert _best(text, "Was any evacuation order lifted?").startswith("A voluntary")


def test_a_value_with_one_word_more_is_checked_against_the_sentence_about_what_is_asked() -> None:
    text = (
        "Trent Halvorsen, 44, received 4,174 votes, or 40.9 percent. The third candidate, "
        "Marcus Obi, a university senior, received 1,812 votes, about 17.8 percent."
    )
    question = "How many votes did Marcus Obi get?"
    assert _check(text, question, "4,174 votes, or 40.9 percent") is None
    found = _check(text, question, "1,812 votes, about 17.8 percent")
    assert found is not None and "Obi" in found.window.text


def test_money_asked_is_an_amount_of_money_and_a_year_added_to_a_month_is_dropped() -> None:
    text = "Espinoza won 4,212 votes. A vote on the closure is expected in February."
    assert _check(text, "How much money did Espinoza spend?", "4,212 votes") is None
    found = _check(text, "When is the vote on the closure expected?", "February 2026")
    assert found is not None and found.claim == "February"


def test_a_sentence_that_says_no_answer_is_known_is_quoted_as_open_not_as_no() -> None:
    text = "Hale said he did not know whether Reyes would be available for the semifinal."
    check = YesNoCheck(
        windows([_passage(1, text)], pairs=False), "Will Reyes play in the semifinal?"
    )
    assert check.contradiction(alone=True) is None
    found = check.still_open()
    assert found is not None and found.claim == f"Unclear: {text}"


def test_how_much_after_an_answer_that_gave_the_amount_is_answered_by_it() -> None:
    funded = "The study was funded by a $6.3 million grant from the heart institute."
    text = f"{funded} It followed 1,240 patients."
    topic = f"Who paid for the study? How much? {funded}"
    verifier = SentenceVerifier([_passage(1, text)], 0.6, topic, 1e-9, funded, "How much?")
    found = verifier.check(funded, [], "How much?")
    assert found is not None and found.window.text == funded
    # "Who?" is no more answered by a sentence that says only what was asked.
    assert verifier.check("The heart institute.", [], "Who?") is None


def test_a_verb_and_its_noun_in_ation_are_one_word_for_the_topic() -> None:
    # "When will the cancellations happen?" is about "will cancel 340 flights between March
    # 15 and April 30", not a later paragraph that says "cancellations" and "since January".
    first = "Lakeland said it will cancel 340 flights between March 15 and April 30."
    later = "She noted that Lakeland was the third airline since January to announce cancellations."
    text = f"{first}\n\n{later}"
    p1 = Passage("a", "A", 0, 1, 0, len(first), first, first)
    p2 = Passage("a", "A", 1, 2, len(first) + 2, len(text), later, later)
    question = "When will the cancellations happen?"
    verifier = SentenceVerifier([p1, p2], 0.7, question, 0.25)
    found = verifier.check("March 15 to April 30", [p1], question)
    assert found is not None and found.window.text == first


def test_of_sentences_that_support_a_claim_alike_the_one_more_about_the_question_is_cited() -> None:
    lead = "Russia's new attack of human areas, including Kyiv, shows Putin wants war."
    about = "Russia demands that Ukraine leave the disputed areas still under Kyiv's control."
    question = "Who controls the disputed areas?"
    passages = [_passage(1, lead), _passage(2, about)]
    found = SentenceVerifier(passages, 0.6, question, 0.25).check("Russia.", [], question)
    assert found is not None and found.quote == about
    # The passage the reader cited still comes first.
    cited = SentenceVerifier(passages, 0.6, question, 0.25).check(
        "Russia.", [passages[0]], question
    )
    assert cited is not None and cited.quote == lead


def test_who_answered_by_a_sentence_about_he_or_she_names_who_from_the_sentence_before() -> None:
    text = "Edward returned in 1041. He appointed Robert archbishop and made Ralph earl."
    p = _passage(1, text)
    question = "Who made Ralph earl?"
    found = SentenceVerifier([p], 0.6, question, 0.25).check(
        "He appointed Robert archbishop and made Ralph earl.", [p], question
    )
    assert found is not None and found.restated
    assert found.claim == found.quote == text
    # Not where the question asks something else, nor where no sentence comes before.
    what = "What did he make Ralph?"
    kept = SentenceVerifier([p], 0.6, what, 0.25).check("He made Ralph earl.", [p], what)
    assert kept is not None and kept.quote == "He appointed Robert archbishop and made Ralph earl."
    alone = _passage(1, "He appointed Robert archbishop and made Ralph earl.")
    first = SentenceVerifier([alone], 0.6, question, 0.25).check(alone.text, [alone], question)
    assert first is not None and first.quote == alone.text
