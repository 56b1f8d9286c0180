"""Security: loopback-only serving, no network at run time."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from qa.cli import cli
from qa.errors import QAError
from qa.settings import Settings
from tests.conftest import SEED
from ui.app import is_loopback, serve


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org"])
def test_ui_refuses_exposed_address_without_auth(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(QAError, match="without authentication"):
        serve(Settings(ui_host=host), block=False)


def test_ui_cli_refusal_is_one_line() -> None:
    result = CliRunner().invoke(cli, ["ui", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert (
        result.output.startswith("Error: Refusing to listen on 0.0.0.0")
        and result.output.count("\n") == 1
    )


@pytest.mark.parametrize("auth", ["nopassword", ":pw", "user:"])
def test_malformed_auth_is_refused(auth: str) -> None:
    with pytest.raises(QAError, match="user:password"):
        serve(Settings(ui_host="0.0.0.0", ui_auth=auth), block=False)


def test_loopback_names() -> None:
    assert all(is_loopback(h) for h in ["127.0.0.1", "localhost", "::1", "127.0.0.5"])


@pytest.fixture
def outbound_blocked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Block (and record) every connection that is not to this machine."""
    from pytest_socket import enable_socket, socket_allow_hosts

    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def recording_connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and self.family != socket.AF_UNIX and not is_loopback(host):
            attempts.append(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", recording_connect)
    socket_allow_hosts(["127.0.0.1", "::1", "localhost"], allow_unix_socket=True)
    yield attempts
    enable_socket()


def test_index_ask_and_ui_with_outbound_network_blocked(
    outbound_blocked: list[Any], tmp_path: Path
) -> None:
    from gradio_client import Client

    from qa.chain import ArticleQA

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    settings = Settings(
        index_dir=tmp_path / "index", upload_dir=tmp_path / "up", backend="extractive", ui_port=port
    )
    bot = ArticleQA(SEED, settings=settings)
    assert not bot.ask("What does the US peace plan request that Russia give the US?").abstained
    demo = serve(settings, block=False)
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=30).status_code == 200
        answer = Client(f"http://127.0.0.1:{port}/", verbose=False).predict(
            "Who is Pete Hegseth?", "", "extractive", api_name="/ask"
        )
        assert "Hegseth" in answer["text"]
    finally:
        demo.close()
    assert outbound_blocked == []
