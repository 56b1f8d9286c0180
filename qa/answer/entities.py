"""Who and what an article names: "Who are the people mentioned?", "Which countries?",
"Who is Ann Aiken?", "Who wrote the article?", "What is the name of the dam?".

A 1.5B model asked for the people of a story listed "City Council" and
"Residents of the east side", and for its countries the agencies it names; the
names are in the text, capitalised. A run of capitalised words is a person
when it has two to four words (or one after a title such as "Pope" or "Mayor")
and none of them marks an organisation or a place ("Agency", "River", "San");
an organisation when one of its words does, or it is an acronym ("WHO",
"FEMA"); a country when it is one of the world's countries. Each is listed
once, by its fullest name and the title that stands before it, in the order the
article first names it, cited to that sentence. A later "Boric" is the
"Gabriel Boric" named before; a run written after "the", "a" or a possessive
anywhere ("NASA's Europa Clipper") is a thing, no person. "Who is X?" is X's
title and name where the article gives a title; who wrote the article is what
its byline says; the name of a dam is the one name the article writes that
ends in "Dam".

Example:
    >>> from qa.answer.evidence import windows
    >>> from qa.ingest.split import Passage
    >>> text = ("Interior Minister Carolina Toha said the Maule region was hit. "
    ...         "Chile's army helped, and the Education Ministry closed schools. "
    ...         "Toha flew to Talca with President Gabriel Boric and WHO staff.")
    >>> sentences = windows([Passage("a", "A", 0, 1, 0, len(text), text, text)], pairs=False)
    >>> [name for name, _ in find(sentences, "people")]
    ['Interior Minister Carolina Toha', 'President Gabriel Boric']
    >>> [name for name, _ in find(sentences, "countries")], asked("Which countries are named?")
    (['Chile'], 'countries')
    >>> [name for name, _ in find(sentences, "organizations")]
    ['Education Ministry', 'WHO']
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.answer.claims import byline, without_dateline
from qa.answer.evidence import Window
from qa.store.lexical import STOPWORDS

#: What a list question may ask the article's names of.
KINDS = ("people", "countries", "organizations")

_ASKED = {
    "people": re.compile(
        r"\b(?:people|persons|individuals|figures|officials|leaders|politicians|experts|"
        r"names)\b|^who\s+(?:are|were)\b|\bwho\b.*\b(?:mentioned|named|quoted)\b",
        re.I,
    ),
    "countries": re.compile(r"\b(?:countries|country|nations|states)\b", re.I),
    "organizations": re.compile(
        r"\b(?:organi[sz]ations?|compan(?:y|ies)|agenc(?:y|ies)|institutions?|groups|firms|"
        r"businesses|bodies|universities)\b",
        re.I,
    ),
}

# Words that stand before a name and say what the person is ("Mayor Elena Ruiz"), and
# the words that qualify them ("Interior Minister", "Chief Executive Officer").
_PERSON_TITLES = frozenset(
    """mr mrs ms miss dr prof professor sir dame lord lady president prime minister
    secretary chancellor governor gov senator sen representative rep mayor judge justice
    general gen colonel col captain capt admiral sergeant officer ceo cfo director
    chairman chairwoman chair founder pope king queen prince princess emperor sheikh rabbi
    reverend father bishop cardinal ambassador commissioner inspector superintendent
    spokesman spokeswoman spokesperson analyst economist coach st saint councilor
    councillor councilman councilwoman alderman sheriff""".split()
)
_TITLES = _PERSON_TITLES | frozenset(
    """vice chief executive head interior foreign defense defence health finance education
    deputy acting former late council member members""".split()
)
# Words that make a run of capitalised words an organisation.
_ORG_WORDS = frozenset(
    """agency administration alliance association authority bank board bureau college
    commission committee company corp corporation council court department fund
    foundation global group inc institute institution league ltd ministry network
    office organization organisation party police program programme research school
    semiconductor service services society survey team union university corps army navy
    force forces guard times post news journal press tribune herald reuters associated
    federation club hospital center centre laboratory laboratories labs industries
    holdings partners capital systems technologies airlines motors pharmaceuticals
    securities exchange parliament congress senate assembly government""".split()
)
# Organisations named by one word; a word of :data:`_ORG_WORDS` alone ("Company revenue
# rose") names none.
_ORG_NAMES = frozenset("kremlin congress parliament senate reuters nato pentagon".split())
# Words that make a run a place or a thing (no person, no organisation).
_PLACE_WORDS = frozenset(
    """river lake dam plant power nuclear station bridge street road avenue square park
    airport port harbor harbour bay gulf sea ocean coast island islands mountain mountains
    valley desert region province county city state states republic kingdom district
    territory north south east west northern southern eastern western central new san
    santa los las hong sri costa saudi buenos rio tel abu el puerto fort mount cape ring
    fire plan treaty act accord agreement deal summit war day week month year report
    newsletter substack detente ridge canyon creek forest forests woods wilderness
    wildlands wild hills hill peak falls springs beach heights basin reserve refuge trail
    alabama alaska arizona arkansas california colorado connecticut delaware florida
    hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland
    massachusetts michigan minnesota mississippi missouri montana nebraska nevada ohio
    oklahoma oregon pennsylvania tennessee texas utah vermont virginia washington
    wisconsin wyoming""".split()
)
_MONTHS_DAYS = frozenset(
    """january february march april may june july august september october november
    december monday tuesday wednesday thursday friday saturday sunday""".split()
)
_COUNTRIES = tuple(
    """Afghanistan, Albania, Algeria, Andorra, Angola, Argentina, Armenia, Australia, Austria,
    Azerbaijan, Bahamas, Bahrain, Bangladesh, Barbados, Belarus, Belgium, Belize, Benin,
    Bhutan, Bolivia, Bosnia and Herzegovina, Bosnia, Botswana, Brazil, Brunei, Bulgaria,
    Burkina Faso, Burundi, Cambodia, Cameroon, Canada, Cape Verde, Central African Republic,
    Chad, Chile, China, Colombia, Comoros, Congo, Costa Rica, Croatia, Cuba, Cyprus, Czech
    Republic, Czechia, Denmark, Djibouti, Dominica, Dominican Republic, Ecuador, Egypt, El
    Salvador, Equatorial Guinea, Eritrea, Estonia, Eswatini, Ethiopia, Fiji, Finland, France,
    Gabon, Gambia, Georgia, Germany, Ghana, Greece, Grenada, Guatemala, Guinea, Guyana, Haiti,
    Honduras, Hungary, Iceland, India, Indonesia, Iran, Iraq, Ireland, Israel, Italy, Ivory
    Coast, Jamaica, Japan, Jordan, Kazakhstan, Kenya, Kiribati, Kosovo, Kuwait, Kyrgyzstan,
    Laos, Latvia, Lebanon, Lesotho, Liberia, Libya, Liechtenstein, Lithuania, Luxembourg,
    Madagascar, Malawi, Malaysia, Maldives, Mali, Malta, Mauritania, Mauritius, Mexico,
    Moldova, Monaco, Mongolia, Montenegro, Morocco, Mozambique, Myanmar, Namibia, Nauru, Nepal,
    Netherlands, New Zealand, Nicaragua, Niger, Nigeria, North Korea, North Macedonia, Norway,
    Oman, Pakistan, Palau, Palestine, Panama, Papua New Guinea, Paraguay, Peru, Philippines,
    Poland, Portugal, Qatar, Romania, Russia, Rwanda, Samoa, San Marino, Saudi Arabia, Senegal,
    Serbia, Seychelles, Sierra Leone, Singapore, Slovakia, Slovenia, Somalia, South Africa,
    South Korea, South Sudan, Spain, Sri Lanka, Sudan, Suriname, Sweden, Switzerland, Syria,
    Taiwan, Tajikistan, Tanzania, Thailand, Togo, Tonga, Tunisia, Turkey, Turkmenistan,
    Tuvalu, Uganda, Ukraine, United Arab Emirates, United Kingdom, United States, Uruguay,
    Uzbekistan, Vanuatu, Vatican City, Venezuela, Vietnam, Yemen, Zambia, Zimbabwe, Britain,
    Great Britain, England, Scotland, Wales""".replace("\n", " ").split(", ")
)
_COUNTRY_ALIASES = {"US": "United States", "U.S.": "United States", "USA": "United States",
                    "U.S.A.": "United States", "America": "United States", "UK": "United Kingdom",
                    "U.K.": "United Kingdom"}  # fmt: skip
_COUNTRY = re.compile(
    r"(?<![\w.])(?:"
    + "|".join(re.escape(" ".join(c.split())) for c in sorted(_COUNTRIES, key=len, reverse=True))
    + "|"
    + "|".join(re.escape(a) for a in sorted(_COUNTRY_ALIASES, key=len, reverse=True))
    + r")(?![\w])"
)
# A capitalised word: "O'Brien", "Tohá", "R21/Matrix-M", "J."; "de", "van" inside a name.
_CAP = r"[A-Z][\w'\u2019.\-/]*"
_RUN = re.compile(
    rf"(?:\d+\s+)?{_CAP}(?:\s+(?:(?:de|da|del|van|von|al|bin|la|le|of|for)\s+)?{_CAP})*"
)
_POSSESSIVE = re.compile(r"['\u2019]s$")
_ACRONYM = re.compile(r"^[A-Z]{2,6}$")


def asked(question: str) -> str | None:
    """The kind of names a list question asks for (see :data:`KINDS`), or ``None``."""
    return next((kind for kind in KINDS if _ASKED[kind].search(question)), None)


# "What is the name of the newsletter readers can subscribe to?": the thing named.
_NAME_OF = re.compile(
    r"^\s*what(?:'s|\u2019s|\s+is|\s+was)\s+the\s+(?:full\s+)?name\s+of\s+"
    r"(?:the|this|that|its|his|her|their)\s+(?P<thing>[a-z][a-z-]*(?:\s+[a-z][a-z-]*)?)"
    r"(?=\s+(?:that|which|who|whom|where|when|readers|people|you|in|on|at|of|for|to|from|"
    r"by|with|is|was)\b|\s*\?|\s*$)",
    re.I,
)


def named(question: str, sentences: Sequence[Window]) -> tuple[str, Window] | None:
    """The name the article gives the thing that "What is the name of the dam?" asks
    about: the one name it writes that ends in that word ("Kakhovka Dam"), with the
    sentence that first writes it; ``None`` for another question, or where the article
    has no such name or several.

    >>> from qa.answer.evidence import windows
    >>> from qa.ingest.split import Passage
    >>> text = "It was first published on Substack. Subscribe to the Andrew Korybko Newsletter."
    >>> sentences = windows([Passage("a", "A", 0, 1, 0, len(text), text, text)], pairs=False)
    >>> named("What is the name of the newsletter readers can subscribe to?", sentences)[0]
    'Andrew Korybko Newsletter'
    >>> named("What is the name of the dam?", sentences) is None
    True
    """
    found = _NAME_OF.match(question)
    if found is None:
        return None
    head = found.group("thing").split()[-1].lower()
    names: dict[str, Window] = {}
    for window in sentences:
        for tokens, _ in _runs(window.text):
            if len(tokens) > 1 and _word(tokens[-1]) in (head, f"{head}s"):
                names.setdefault(" ".join(tokens), window)
    return next(iter(names.items())) if len(names) == 1 else None


# A name alone as a question asks of it ("Who is Ann Aiken?"): up to four capitalised words.
_ASKED_NAME = r"(?P<name>[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){0,3})\W*$"
_WHO_IS = re.compile(rf"^\s*(?i:who)\s+(?i:is|was)\s+{_ASKED_NAME}")
# Titles that say nothing of what someone does ("Dr. Kate O'Brien").
_HONORIFICS = frozenset("mr mrs ms miss dr prof sir dame lord lady st saint".split())


def who(question: str, sentences: Sequence[Window]) -> tuple[str, Window] | None:
    """ "Who is Ann Aiken?": the name with the title the article gives it ("U.S. District
    Judge Ann Aiken") and the sentence that first gives it; ``None`` for another
    question, or where the article gives the name no title but a courtesy one.

    >>> from qa.answer.evidence import windows
    >>> from qa.ingest.split import Passage
    >>> text = "Mayor Elena Ruiz called the vote historic. Dr. Kate Lee agreed."
    >>> sentences = windows([Passage("a", "A", 0, 1, 0, len(text), text, text)], pairs=False)
    >>> who("Who is Elena Ruiz?", sentences)[0], who("Who is Ruiz?", sentences)[0]
    ('Mayor Elena Ruiz', 'Mayor Elena Ruiz')
    >>> who("Who is Kate Lee?", sentences), who("Who is the mayor?", sentences)
    (None, None)
    >>> text = "Alvarez defeated City Councilor Ben Whitcomb by 900 votes."
    >>> sentences = windows([Passage("a", "A", 0, 1, 0, len(text), text, text)], pairs=False)
    >>> who("Who is Ben Whitcomb?", sentences)[0]
    'City Councilor Ben Whitcomb'
    """
    found = _WHO_IS.match(question)
    if found is None:
        return None
    asked = found.group("name").split()
    for name, window in find(sentences, "people"):
        tokens = name.split()
        start = _after_title(tokens)
        if tokens[start:][-len(asked) :] != asked:
            continue
        titles = {_word(t) for t in tokens[:start]}
        return (name, window) if titles - _HONORIFICS else None
    return None


# "What is NetChoice?", "Who is Helen Achebe?": a name alone.
_WHAT_IS = re.compile(rf"^\s*(?i:who|what)\s+(?i:is|was)\s+{_ASKED_NAME}")
# What follows a name after a comma ("a trade group whose members include ..."), up to
# the comma before the sentence's verb: an aside may hold commas of its own ("the
# Swedish architect whose low, timber-clad buildings turned ... spaces, died on
# Sunday"), a list of names too ("include Meta, Google and TikTok"); "U.S." ends nothing.
# A description's characters: no comma, semicolon or point that ends a sentence (one
# inside "U.S." or after "St." does not: "the unit at St. Jude Regional Hospital").
_WORDING = r"(?:[^,;.]|\.(?!\s|$)|(?<=\b(?:St|Mt|Ft|Dr|Jr|Sr))\.)"
_DESCRIPTION = (
    rf",\s+(?P<what>(?:a|an|the)\s+{_WORDING}+"
    r"(?:,\s+(?!(?:and|or|but|who|which|where|when|while|is|was|are|were|has|had|have|"
    r"will|would|can|could|may|might|must|should|did|does|do|said|says|told|wrote|"
    rf"according)\b|[a-z]+ed\b){_WORDING}+)*)(?=\s*[,;.]|$)"
)


def described(question: str, sentences: Sequence[Window]) -> tuple[str, Window] | None:
    """ "What is NetChoice?": the name and what the article says it is, where it writes
    it after the name ("NetChoice, a trade group whose members include ..."), with the
    sentence; ``None`` for another question or where the article says it nowhere.

    >>> from qa.answer.evidence import windows
    >>> from qa.ingest.split import Passage
    >>> text = ("It was filed by NetChoice, a trade group whose members include Meta, Google "
    ...         "and TikTok, and by two teenagers. Dr. Helen Achebe, an epidemiologist, agreed.")
    >>> sentences = windows([Passage("a", "A", 0, 1, 0, len(text), text, text)], pairs=False)
    >>> described("What is NetChoice?", sentences)[0]
    'NetChoice, a trade group whose members include Meta, Google and TikTok'
    >>> described("Who is Helen Achebe?", sentences)[0]
    'Helen Achebe, an epidemiologist'
    >>> described("Who is Meta?", sentences) is None
    True
    >>> text = "Anna Lind, the architect whose low, timber-clad houses line the bay, died."
    >>> sentences = windows([Passage("a", "A", 0, 1, 0, len(text), text, text)], pairs=False)
    >>> described("Who was Anna Lind?", sentences)[0]
    'Anna Lind, the architect whose low, timber-clad houses line the bay'
    """
    found = _WHAT_IS.match(question)
    return None if found is None else _describe(found.group("name"), sentences)


def _describe(name: str, sentences: Sequence[Window]) -> tuple[str, Window] | None:
    """``name`` and what the first sentence that writes it with a description says it
    is: before it, ending in a lowercase noun ("by the South Korean director Oh
    Dae-won, a darkly comic story ...": the aside after the name is the film's), or in
    an aside after it.

    >>> from qa.answer.evidence import windows
    >>> from qa.ingest.split import Passage
    >>> text = '"Winter Tenants," by the South Korean director Oh Dae-won, a comic story.'
    >>> sentences = windows([Passage("a", "A", 0, 1, 0, len(text), text, text)], pairs=False)
    >>> _describe("Oh Dae-won", sentences)[0]
    'Oh Dae-won, the South Korean director'
    >>> text = "Sam Okafor, a director at St. Jude Hospital, said so."
    >>> _describe("Sam Okafor", windows([Passage("a", "A", 0, 1, 0, len(text), text, text)]))[0]
    'Sam Okafor, a director at St. Jude Hospital'
    """
    before = re.compile(
        rf"\b(?P<what>(?:the|a|an)\s+(?:[\w'-]+\s+){{0,5}}?[a-z]+)\s+{re.escape(name)}\b"
    )
    after = re.compile(rf"(?<![\w-]){re.escape(name)}{_DESCRIPTION}")
    for window in sentences:
        # Only nouns and their adjectives before the name: "the French actress and
        # director", not "a trade group whose members include".
        said = next(
            (
                m
                for m in before.finditer(window.text)
                if not set(m.group("what").lower().split()[1:]) & (STOPWORDS - {"and"})
            ),
            None,
        ) or after.search(window.text)
        if said is not None:
            return f"{name}, {said.group('what').strip()}", window
    return None


_AUTHOR = re.compile(
    r"^\s*(?:who\s+(?:wrote|authored|reported|penned)\b|who\s+(?:is|was|are|were)\s+the\s+"
    r"(?:author|writer|reporter|journalist)s?\b|(?:by\s+whom|whose\s+(?:article|story))\b)",
    re.I,
)


def asks_author(question: str) -> bool:
    """Whether ``question`` asks who wrote the article."""
    return bool(_AUTHOR.match(question))


def author(question: str, sentences: Sequence[Window]) -> tuple[str, Window] | None:
    """Who a byline names, when ``question`` asks who wrote the article, with the
    byline; ``None`` for another question or an article without a byline."""
    if not asks_author(question):
        return None
    for window in sentences:
        name = byline(window.text)
        if name is not None:
            return name, window
    return None


def one_name(question: str, sentences: Sequence[Window]) -> tuple[str, Window] | None:
    """The name that answers ``question`` (:func:`named`, :func:`author`, :func:`who`,
    with the aside that follows the titled name where a sentence writes one, or
    :func:`described`) with the sentence that gives it, or ``None``.

    >>> from qa.answer.evidence import windows
    >>> from qa.ingest.split import Passage
    >>> text = "Gov. Ellen Marsh, a Democrat, said she would sign the bill."
    >>> sentences = windows([Passage("a", "A", 0, 1, 0, len(text), text, text)], pairs=False)
    >>> one_name("Who is Ellen Marsh?", sentences)[0]
    'Gov. Ellen Marsh, a Democrat'
    """
    if not asks_one_name(question):
        return None
    titled = who(question, sentences)
    # "Gov. Ellen Marsh, a Democrat, said ...": the title and the aside together.
    if titled is not None:
        return _describe(titled[0], sentences) or titled
    return (
        named(question, sentences) or author(question, sentences) or described(question, sentences)
    )


def asks_one_name(question: str) -> bool:
    """Whether ``question`` is one that :func:`one_name` may answer (a cheap test)."""
    return any(p.match(question) for p in (_NAME_OF, _AUTHOR, _WHO_IS, _WHAT_IS))


def _word(token: str) -> str:
    return token.strip(".'\u2019").lower().removesuffix("'s").removesuffix("\u2019s")


def _runs(sentence: str) -> list[tuple[list[str], bool]]:
    """Runs of capitalised words of ``sentence``, its first word left out when it is
    an ordinary word capitalised to open the sentence ("The", "Following"), each with
    whether it follows "the", "a" or a possessive ("NASA's Europa Clipper", "a SpaceX
    Falcon Heavy rocket"): a thing, not a person."""
    out = []
    text = without_dateline(sentence)
    plain = re.findall(r"[A-Za-z]+", text)
    if len(plain) > 3 and sum(w[0].isupper() for w in plain) >= 0.7 * len(plain):
        return []  # a headline in title case: every word capitalised
    for match in _RUN.finditer(text):
        tokens = match.group().split()
        # A run's final period ends the sentence ("... in Talca.").
        if not re.fullmatch(r"[A-Z]\.", tokens[-1]):
            tokens[-1] = tokens[-1].rstrip(".")
        if match.start() == 0 or text[: match.start()].rstrip().endswith(("\u201c", '"')):
            while tokens and _word(tokens[0]) in STOPWORDS and not _ACRONYM.match(tokens[0]):
                tokens = tokens[1:]
        # A possessive ends a name ("Andrew Korybko's Substack").
        cut = next((i + 1 for i, t in enumerate(tokens) if _POSSESSIVE.search(t)), len(tokens))
        before = text[: match.start()].split()[-1:]
        owned = bool(before) and (
            before[0].lower() in ("the", "a", "an") or bool(_POSSESSIVE.search(before[0]))
        )
        for part, determined in ((tokens[:cut], owned), (tokens[cut:], True)):
            if part:
                out.append(([_POSSESSIVE.sub("", t) for t in part], determined))
    return out


def _after_title(tokens: list[str]) -> int:
    """Where the name of a run begins: after its last title word ("Interior Minister")."""
    return max((i + 1 for i, t in enumerate(tokens) if _word(t) in _TITLES), default=0)


def _person(tokens: list[str]) -> str | None:
    """The person a run names, with the title before the name, or ``None``."""
    start = _after_title(tokens)
    name, titled = tokens[start:], start > 0
    plain = [_word(t) for t in name]
    if not name or not 1 <= len(name) <= 4 or (len(name) == 1 and not titled):
        return None
    if any(w in _ORG_WORDS | _ORG_NAMES | _PLACE_WORDS | _MONTHS_DAYS for w in plain):
        return None
    if any(w in STOPWORDS or not w.isalpha() for w in plain if len(w) > 1 and "'" not in w):
        return None
    if any(_ACRONYM.match(t) for t in name) or _COUNTRY.fullmatch(" ".join(name)):
        return None
    return " ".join(tokens)


def _organization(tokens: list[str]) -> str | None:
    lowered = [_word(t) for t in tokens]
    # "Health Minister Muhammad Ali Pate": a person, whatever else the run holds.
    if any(w in _PERSON_TITLES for w in lowered):
        return None
    while lowered and lowered[0] in STOPWORDS | _MONTHS_DAYS and not _ACRONYM.match(tokens[0]):
        tokens, lowered = tokens[1:], lowered[1:]
    if not tokens or _COUNTRY.fullmatch(" ".join(tokens)):
        return None
    if any(w in _ORG_NAMES for w in lowered) or (
        len(tokens) > 1 and any(w in _ORG_WORDS for w in lowered)
    ):
        return " ".join(tokens)
    acronyms = [t for t in tokens if _ACRONYM.match(t) and t not in _COUNTRY_ALIASES]
    return acronyms[0] if len(tokens) == 1 and acronyms else None


def _same(name: str, other: str) -> bool:
    """Whether ``name`` is ``other`` named again, shorter ("Boric" after "Gabriel Boric")."""
    mine, theirs = name.split(), other.split()
    return mine == theirs[-len(mine) :] or mine == theirs[: len(mine)]


def find(sentences: Sequence[Window], kind: str) -> list[tuple[str, Window]]:
    """The names of ``kind`` in ``sentences`` (in article order), each once, with the
    sentence that first names it."""
    found: list[tuple[str, Window]] = []
    # What the article names as a thing anywhere is no person ("NASA's Europa Clipper").
    things = {
        " ".join(tokens)
        for window in (sentences if kind == "people" else ())
        for tokens, determined in _runs(window.text)
        if determined
    }
    for window in sentences:
        if kind == "countries":
            names = [
                _COUNTRY_ALIASES.get(m.group(), " ".join(m.group().split()))
                for m in _COUNTRY.finditer(without_dateline(window.text))
            ]
        else:
            pick = _person if kind == "people" else _organization
            runs = [tokens for tokens, _ in _runs(window.text)]
            names = [n for n in map(pick, runs) if n and n not in things]
        for name in names:
            bare = _bare(name)
            at = next((i for i, (old, _) in enumerate(found) if _same(bare, _bare(old))), None)
            if at is None:
                found.append((name, window))
            elif len(name) > len(found[at][0]) and _same(_bare(found[at][0]), bare):
                found[at] = (name, found[at][1])  # the fuller name, where first named
    return found


def _bare(name: str) -> str:
    """``name`` without its title."""
    tokens = name.split()
    return " ".join(tokens[_after_title(tokens) :]) or name
