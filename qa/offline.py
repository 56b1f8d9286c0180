"""Force every library we use into offline, telemetry-free mode.

Imported first by :mod:`qa` so the variables are in place before
transformers, huggingface_hub, chromadb or gradio read them.
"""

from __future__ import annotations

import os

OFFLINE_ENV: dict[str, str] = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "ORT_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "LANGCHAIN_TRACING_V2": "false",
}


def apply() -> None:
    """Set every offline variable, overwriting a value already in the environment.

    Example:
        >>> import os
        >>> monkeypatch = getfixture("monkeypatch")
        >>> monkeypatch.setenv("HF_HUB_OFFLINE", "0")
        >>> apply()
        >>> os.environ["HF_HUB_OFFLINE"]
        '1'
    """
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value


apply()
