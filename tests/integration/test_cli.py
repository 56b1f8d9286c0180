"""The `qa` command line: happy paths, and bad input that changes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qa.cli import cli
from tests.conftest import SEED


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(
            cli, ["--index-dir", str(index), *args], input=input, catch_exceptions=False
        )

    return invoke


def _state(run) -> str:  # type: ignore[no-untyped-def]
    result = run("list", "--json")
    rows = json.loads(result.output)
    return json.dumps([(r["article_id"], r["version"], r["passages"]) for r in rows])


def test_index_list_remove(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("index", str(SEED))
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output and "16 passages embedded" in result.output
    again = run("index", str(SEED))
    assert "1 unchanged" in again.output and "0 passages embedded" in again.output
    other = tmp_path / "other.md"
    other.write_text("# Other\n\nAnother article about cats.\n")
    run("index", str(other))
    listing = run("list")
    assert (
        "article" in listing.output
        and "other" in listing.output
        and "16 passages" in listing.output
    )
    removed = run("remove", "other")
    assert removed.exit_code == 0 and "Removed other" in removed.output
    assert "other" not in run("list").output


BAD_FILES = {
    "empty.txt": b"",
    "spaces.txt": b"  \n \t ",
    "binary.txt": b"\x00\xff\x00\xfe",
    "latin1.txt": "d\u00e9j\u00e0 vu".encode("latin-1"),
    "notes.pdf": b"%PDF-1.4",
    "scripts.html": b"<script>x()</script>",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_exit_2_and_change_nothing(run, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    run("index", str(SEED))
    before = _state(run)
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    result = run("index", str(path))
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert _state(run) == before


def test_bad_paths_exit_2(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("index", str(SEED))
    before = _state(run)
    (tmp_path / "empty-dir").mkdir()
    big = tmp_path / "big.txt"
    big.write_text("word " * 500_000)  # 2.5 MB > 2 MB limit
    for target, message in [
        (tmp_path / "missing.txt", "No such file"),
        (tmp_path / "empty-dir", "holds no article files"),
        (big, "limit"),
    ]:
        result = run("index", str(target))
        assert result.exit_code == 2 and message in result.output, result.output
    # A good file next to a bad one: nothing is indexed at all.
    result = run("index", str(SEED), str(tmp_path / "missing.txt"))
    assert result.exit_code == 2
    assert _state(run) == before
    assert run("remove", "nope").exit_code == 2


def test_ask_json_extractive(run) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "ask",
        "Who is the US Secretary of Defense?",
        "--backend",
        "extractive",
        "--json",
        "-a",
        str(SEED),
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"text", "abstained", "citations", "timings"}
    assert not data["abstained"] and "Hegseth" in data["text"]
    original = SEED.read_text(encoding="utf-8")
    for c in data["citations"]:
        assert original[c["start"] : c["end"]] == c["quote"]
    for bad in ["", "   ", "x" * 2001]:
        result = run("ask", bad, "--backend", "extractive", "-a", str(SEED))
        assert result.exit_code == 2 and result.output.startswith("Error: The question")


def test_chat_keeps_going_after_bad_question(run) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "chat", "--backend", "extractive", "-a", str(SEED), input="Who is Pete Hegseth?\n\n"
    )
    assert result.exit_code == 0
    assert "bot> " in result.output and "[1]" in result.output


def test_eval_jsonl(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "q.jsonl"
    rows = [
        {
            "question": "What does the US peace plan request that Russia give the US?",
            "answers": ["Zaporozhye Nuclear Power Plant"],
            "unanswerable": False,
        },
        {"question": "What is the GDP of Ukraine?", "answers": [], "unanswerable": True},
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows))
    out = tmp_path / "report.json"
    result = run("eval", str(data), "--backend", "extractive", "--out", str(out))
    assert result.exit_code == 0, result.output
    metrics = json.loads(out.read_text())["metrics"]
    assert metrics["answerable_accuracy"] == 1.0 and metrics["unanswerable_abstention"] == 1.0
    assert "recall_at_k" in result.output


def test_real_console_script(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "qa"
    result = subprocess.run(
        [str(exe), "--index-dir", str(tmp_path / "i"), "index", str(tmp_path / "nothing.txt")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: No such file or directory: {tmp_path / 'nothing.txt'}"
    ]
