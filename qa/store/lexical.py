"""Word-level tools shared by BM25 retrieval and citation verification.

Example:
    >>> content_terms("Who were the Normans' leaders in 911?")
    ['norman', 'leader', '911']
"""

from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

# Words, with "U.S.", "don't" and numbers with separators ("1,200", "3.5") whole; a comma
# joins digits only ("RTS,S" is two words).
_WORD = re.compile(r"[^\W_]+(?:(?:[.'\u2019]|(?<=\d),(?=\d))[^\W_]+)*", re.UNICODE)

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in into
    is it its itself just let me more most my myself no nor not now of off on once only or other
    our ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up upon very was we
    were what when where which while who whom whose why will with would you your yours yourself
    yourselves s t d ll m re ve y said says say one ones many much may might must shall us get
    got did does done use used using within without yet also ever every like according""".split()
)

# Question words carry no content: "which year" asks for a year, not for "which"; nor
# does the verb of "What happened at the Vatican?", which asks about the Vatican.
QUESTION_WORDS = frozenset(
    ["what", "when", "where", "which", "who", "whom", "whose", "why", "how", "name", "kind", "type",
     "happen"]
)  # fmt: skip


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _drop_combining(match: re.Match[str]) -> str:
    return "".join(c for c in match.group() if not unicodedata.combining(c))


def normalize(text: str) -> str:
    """Lowercase, strip accents and curly quotes."""
    if text.isascii():  # NFKD, accents and curly quotes leave ASCII as it is
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    # Only non-ASCII characters can be combining marks: look at those runs alone.
    text = _NON_ASCII.sub(_drop_combining, text)
    return text.replace("\u2019", "'").replace("\u2018", "'").lower()


def _strip_suffix(word: str) -> str:
    if len(word) <= 3 or word.isdigit():
        return word
    if len(word) == 4 and word.endswith("ied"):  # "died", "tied", "lied": the verb's -d
        return word[:-1]
    for suffix, repl in (
        ("ies", "y"), ("ied", "y"), ("sses", "ss"), ("ness", ""), ("ments", "ment"), ("ings", ""),
        ("ing", ""),
        ("edly", ""), ("ed", ""), ("ly", ""), ("es", "e"), ("s", ""),
    ):  # fmt: skip
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            base = word[: -len(suffix)] + repl
            # "dropped", "planning": the consonant doubled before the suffix ("called",
            # "passed", "staffed" keep theirs).
            if (
                suffix in ("ed", "ing", "edly")
                and base[-1] == base[-2]
                and base[-1] not in "aeiouylsfz"
            ):
                return base[:-1]
            return base
    return word


#: Demonyms and the places they name, so that "German peacekeepers" supports
#: "Germany's peacekeepers" and "Russian" finds "Russia" (plurals too: "Germans").
_DEMONYMS = {
    _strip_suffix(demonym): _strip_suffix(place)
    for place, names in {
        "afghanistan": "afghan", "africa": "african", "america": "american", "argentina":
        "argentine argentinian", "asia": "asian", "australia": "australian", "austria":
        "austrian", "belarus": "belarusian", "belgium": "belgian", "brazil": "brazilian",
        "britain": "british", "bulgaria": "bulgarian", "canada": "canadian", "china": "chinese",
        "croatia": "croatian", "denmark": "danish", "egypt": "egyptian", "england": "english",
        "estonia": "estonian", "europe": "european", "finland": "finnish", "france": "french",
        "georgia": "georgian", "germany": "german", "greece": "greek", "hungary": "hungarian",
        "india": "indian", "indonesia": "indonesian", "iran": "iranian", "iraq": "iraqi",
        "ireland": "irish", "israel": "israeli", "italy": "italian", "japan": "japanese",
        "korea": "korean", "latvia": "latvian", "lebanon": "lebanese", "lithuania":
        "lithuanian", "mexico": "mexican", "moldova": "moldovan", "netherlands": "dutch",
        "nigeria": "nigerian", "norway": "norwegian", "pakistan": "pakistani", "palestine":
        "palestinian", "poland": "polish", "portugal": "portuguese", "romania": "romanian",
        "russia": "russian", "scotland": "scottish", "serbia": "serbian", "slovakia": "slovak",
        "spain": "spanish", "sweden": "swedish", "switzerland": "swiss", "syria": "syrian",
        "turkey": "turkish", "ukraine": "ukrainian", "vietnam": "vietnamese", "wales": "welsh",
    }.items()
    for demonym in names.split()
}  # fmt: skip


# Irregular verbs' past forms and their base: "Sick days fell" answers "How much did sick
# days fall?". Forms that are also common nouns or other words ("left", "found", "saw",
# "lay", "ground", "wound") are left out.
_IRREGULAR = {
    form: base
    for base, forms in {
        "arise": "arose arisen", "beat": "beaten", "become": "became", "begin": "began begun",
        "bite": "bitten", "break": "broke broken", "bring": "brought", "build": "built",
        "buy": "bought", "catch": "caught", "choose": "chose chosen", "come": "came",
        "dig": "dug", "do": "did done", "draw": "drew drawn", "drink": "drank drunk",
        "drive": "drove driven", "eat": "ate eaten", "fall": "fell fallen",
        "feel": "felt", "fight": "fought", "flee": "fled", "fly": "flew flown",
        "forget": "forgot forgotten", "forgive": "forgave forgiven", "freeze": "froze frozen",
        "get": "got gotten", "give": "gave given", "go": "went gone", "grow": "grew grown",
        "hang": "hung", "hide": "hid hidden", "hold": "held", "keep": "kept",
        "know": "knew known", "lead": "led", "lend": "lent", "lose": "lost", "make": "made",
        "mean": "meant", "meet": "met", "overcome": "overcame", "pay": "paid",
        "ride": "rode ridden", "ring": "rang rung", "rise": "rose risen", "run": "ran",
        "say": "said", "seek": "sought", "sell": "sold", "send": "sent",
        "shake": "shook shaken", "shrink": "shrank shrunk", "sing": "sang sung",
        "sink": "sank sunk", "sit": "sat", "sleep": "slept", "speak": "spoke spoken",
        "spend": "spent", "stand": "stood", "steal": "stole stolen", "stick": "stuck",
        "strike": "struck stricken", "swear": "swore sworn", "swim": "swam swum",
        "take": "took taken", "teach": "taught", "tell": "told", "think": "thought",
        "throw": "threw thrown", "understand": "understood", "undertake": "undertook undertaken",
        "wake": "woke woken", "wear": "wore worn", "win": "won", "withdraw": "withdrew withdrawn",
        "write": "wrote written",
    }.items()
    for form in forms.split()
}  # fmt: skip


@functools.lru_cache(maxsize=1 << 16)  # words repeat: a corpus has far fewer distinct ones
def stem(word: str) -> str:
    """A small suffix stripper: enough to match 'leaders'/'leader', 'ruled'/'ruling'.

    Not a full stemmer: 'ruled' and 'rule' stay apart. A demonym stems to its place,
    an irregular verb's past form ("fell", "written") to its base.

    Example:
        >>> stem("leaders"), stem("ruled"), stem("ruling"), stem("rule"), stem("studies")
        ('leader', 'rul', 'rul', 'rule', 'study')
        >>> stem("died"), stem("die")
        ('die', 'die')
        >>> stem("germans"), stem("germany's"), stem("ukrainian")
        ('germany', 'germany', 'ukraine')
        >>> stem("fell"), stem("fall"), stem("written"), stem("write")
        ('fall', 'fall', 'write', 'write')
        >>> stem("dropped"), stem("drop"), stem("called"), stem("planning")
        ('drop', 'drop', 'call', 'plan')
        >>> stem("studied"), stem("studies"), stem("study")
        ('study', 'study', 'study')
        >>> stem("savings"), stem("saving"), stem("earnings"), stem("things")
        ('sav', 'sav', 'earn', 'thing')
    """
    if word.endswith("'s"):
        word = word[:-2]
    stemmed = _strip_suffix(_IRREGULAR.get(word, word))
    return _DEMONYMS.get(stemmed, stemmed)


def words(text: str) -> list[str]:
    """Normalised word tokens (numbers with separators kept whole: '1,200', '3.5')."""
    return [w.strip(".,'") for w in _WORD.findall(normalize(text)) if w.strip(".,'")]


def terms(text: str) -> list[str]:
    """Stemmed tokens without stopwords: the unit of lexical matching."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def content_terms(text: str) -> list[str]:
    """Like :func:`terms`, also without question words, and without "take place", which
    asks when or where and names nothing.

    >>> content_terms("When will the parade take place?")
    ['parade']
    """
    return [t for t in terms(_TAKE_PLACE.sub(" ", text)) if t not in QUESTION_WORDS]


_TAKE_PLACE = re.compile(r"\b(?:take|takes|took|taken|taking)\s+place\b", re.IGNORECASE)


_NOUN_OF_VERB = frozenset({"ation", "lation"})


def same_root(a: str, b: str) -> bool:
    """Whether terms ``a`` and ``b`` are forms of one word that :func:`stem` keeps
    apart: a verb and its noun ("retaliat"/"retaliation", "approv"/"approval"). They
    share a start of six letters or more, and neither goes on past it by more than
    four (a long shared start with short, different endings).

    >>> same_root("retaliat", "retaliation"), same_root("retaliate", "retaliation")
    (True, True)
    >>> same_root("approv", "approval"), same_root("protest", "protect")
    (True, False)
    >>> same_root("international", "internet"), same_root("cancel", "cancellation")
    (False, True)
    """
    if a == b:
        return True
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    if n < 6:
        return False
    rest = max(a, b, key=len)[n:]
    # ... or a noun made of the whole of the shorter with "-(l)ation" ("cancel"/
    # "cancellation", "inform"/"information").
    return len(rest) <= 4 or (n == min(len(a), len(b)) and rest in _NOUN_OF_VERB)


#: Number words and their digits ('five' -> '5').
NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {
    w: str(10 * i)
    for i, w in enumerate("thirty forty fifty sixty seventy eighty ninety".split(), 3)
}
#: Ordinal words and their digits ('third' -> '3').
ORDINAL_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zeroth first second third fourth fifth sixth seventh eighth ninth tenth".split()
    )
}


# "Twenty-three": one number, not 20 and 3.
_COMPOUND = re.compile(
    r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[-\s]+"
    r"(one|two|three|four|five|six|seven|eight|nine)\b",
    re.IGNORECASE,
)


def numbers(text: str, *, with_words: bool = False) -> set[str]:
    """Numeric tokens, normalised ('1,200' -> '1200', '10th' -> '10').

    With ``with_words``, number words count too ('five' -> '5', 'third' -> '3').

    >>> sorted(numbers("Twenty-three cars of the 68-car train", with_words=True))
    ['23', '68']
    """
    if with_words:
        text = _COMPOUND.sub(
            lambda m: str(int(NUMBER_WORDS[m[1].lower()]) + int(NUMBER_WORDS[m[2].lower()])), text
        )
    out = set()
    for w in words(text):
        if any(c.isdigit() for c in w):
            out.add(re.sub(r"(?<=\d)(st|nd|rd|th|s)$", "", w.replace(",", "")))
        elif with_words and (w in NUMBER_WORDS or w in ORDINAL_WORDS):
            out.add(NUMBER_WORDS.get(w) or ORDINAL_WORDS[w])
    return out


#: Version of the arrays :meth:`BM25.arrays` writes; a change makes stored indexes stale.
BM25_FORMAT = 7


class BM25:
    """Okapi BM25 over a fixed list of texts, scored through per-term postings.

    Each term keeps the rows that contain it and their precomputed BM25 weight,
    so a query costs the length of its terms' postings, not the corpus size.
    Scores equal the textbook per-document loop (up to float rounding).

    Example:
        >>> bm = BM25(["the cat sat", "dogs bark loudly", "a cat and a dog"])
        >>> [i for i, _ in bm.top("cat", 2)]
        [0, 2]
    """

    def __init__(self, texts: Sequence[str], k1: float = 1.5, b: float = 0.75) -> None:
        vocab: dict[str, int] = {}
        term_ids: list[int] = []
        lengths: list[int] = []
        for text in texts:
            ids = [vocab.setdefault(t, len(vocab)) for t in terms(text)]
            term_ids.extend(ids)
            lengths.append(len(ids))
        n = len(lengths)
        length = np.asarray(lengths, dtype=np.int64)
        # One (term, row) key per token; unique keys sorted by term give the postings.
        keys = np.asarray(term_ids, dtype=np.int64) * max(n, 1) + np.repeat(np.arange(n), length)
        uniq, tf = np.unique(keys, return_counts=True)
        term, rows = np.divmod(uniq, max(n, 1))
        df = np.bincount(term, minlength=len(vocab))
        idf = np.array([math.log(1 + (n - f + 0.5) / (f + 0.5)) for f in df.tolist()])
        avg = float(length.sum()) / n if n else 0.0
        norm = k1 * (1 - b + b * length / (avg or 1.0))
        weights = idf[term] * tf * (k1 + 1) / (tf + norm[rows])
        self._setup(
            list(vocab),
            {
                "idf": idf,
                "indptr": np.concatenate([[0], np.cumsum(df)]).astype(np.int64),
                "rows": rows.astype(np.int32),
                "weights": weights,
            },
            n,
            (k1, b),
        )

    def _setup(
        self,
        vocab: list[str],
        arrays: Mapping[str, NDArray[np.generic]],
        n: int,
        params: tuple[float, float],
    ) -> None:
        self.vocab = {t: i for i, t in enumerate(vocab)}
        self.n = n
        self.k1, self.b = params
        self._idf = np.asarray(arrays["idf"], dtype=np.float64)
        self._indptr = np.asarray(arrays["indptr"], dtype=np.int64)
        self._rows = np.asarray(arrays["rows"], dtype=np.int32)
        self._weights = np.asarray(arrays["weights"], dtype=np.float64)
        self._idf_map: dict[str, float] | None = None

    @property
    def idf(self) -> dict[str, float]:
        """Inverse document frequency of every term of the corpus."""
        if self._idf_map is None:
            self._idf_map = dict(zip(self.vocab, self._idf.tolist(), strict=True))
        return self._idf_map

    def _score_array(self, query: str) -> NDArray[np.float64]:
        out = np.zeros(self.n)
        for t in {self.vocab[t] for t in terms(query) if t in self.vocab}:
            a, z = self._indptr[t], self._indptr[t + 1]
            out[self._rows[a:z]] += self._weights[a:z]  # a row appears once per term
        return out

    def scores(self, query: str) -> list[float]:
        """BM25 score of every text for ``query``."""
        return [float(s) for s in self._score_array(query)]

    def top(self, query: str, k: int) -> list[tuple[int, float]]:
        """The ``k`` best ``(index, score)`` pairs with a positive score (ties: lower index)."""
        scores = self._score_array(query)
        cand = np.flatnonzero(scores > 0)
        if len(cand) > k:  # keep the k-th best score and every tie with it, then sort those
            values = scores[cand]
            cand = cand[values >= np.partition(values, len(values) - k)[len(values) - k]]
        best = cand[np.argsort(-scores[cand], kind="stable")[:k]]
        return [(int(i), float(scores[i])) for i in best]

    def arrays(self) -> dict[str, NDArray[np.generic]]:
        """The index as plain arrays (for ``numpy.savez``; no pickled objects)."""
        meta = {"format": BM25_FORMAT, "n": self.n, "k1": self.k1, "b": self.b}
        return {
            "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            # Terms never contain a newline (they are runs of word characters).
            "vocab": np.frombuffer("\n".join(self.vocab).encode(), dtype=np.uint8),
            "idf": self._idf,
            "indptr": self._indptr,
            "rows": self._rows,
            "weights": self._weights,
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, NDArray[np.generic]]) -> BM25:
        """Rebuild an index written by :meth:`arrays`.

        Raises:
            ValueError: The arrays are of another format version or inconsistent.
        """
        meta = json.loads(np.asarray(arrays["meta"], dtype=np.uint8).tobytes())
        if meta.get("format") != BM25_FORMAT:
            raise ValueError(f"BM25 arrays of format {meta.get('format')}, not {BM25_FORMAT}")
        text = np.asarray(arrays["vocab"], dtype=np.uint8).tobytes().decode()
        vocab = text.split("\n") if text else []
        self = cls.__new__(cls)
        self._setup(vocab, arrays, int(meta["n"]), (float(meta["k1"]), float(meta["b"])))
        if len(self._idf) != len(vocab) or len(self._indptr) != len(vocab) + 1:
            raise ValueError("BM25 arrays do not match their vocabulary")
        return self
