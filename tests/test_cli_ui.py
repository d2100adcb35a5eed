"""`qa ui`: options, auth parsing, lazy imports, and a real launch on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, run_cli
from tests.support.process import serving
from tests.support.ui import free_port


def test_help_lists_the_options_without_importing_gradio():
    done = run_cli("ui", "--help")
    assert done.returncode == 0
    for option in ("--host", "--port", "--share", "--auth", "QA_UI_AUTH"):
        assert option in done.stdout
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from qa.cli import app; from typer.testing import CliRunner; "
            "CliRunner().invoke(app, ['--help']); "
            "print(sorted(m for m in ('gradio', 'torch', 'chromadb') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert probe.stdout.strip() == "[]", probe.stderr


def test_malformed_auth_is_a_usage_error():
    for args, env in [
        (["--auth", "nocolon"], None),
        (["--auth", "user:"], None),
        (["--auth", ":pw"], None),
        ([], {"QA_UI_AUTH": "nocolon"}),
    ]:
        done = run_cli("ui", *args, env=env)
        assert done.returncode == 2, (args, env)
        message = "qa: error: auth must look like USER:PASSWORD, both non-empty"
        assert done.stderr.strip() == message


def test_a_port_or_host_it_cannot_listen_on_is_one_line(isolated_home):
    """Out-of-range ports and addresses that are none are usage errors (exit 2), a port another
    process holds exits 1; each in one line, before any model loads (gradio printed a
    48-line traceback, and for a bad address said the port was taken)."""
    import socket

    for args, code in [
        (["--port", "99999"], 2),
        (["--port", "-1"], 2),
        (["--host", "999.1.1.1"], 2),
        (["--host", "10.255.255.1"], 2),  # an address, but none of this machine's
    ]:
        done = run_cli("ui", *args, timeout=120)
        assert done.returncode == code, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1, (args, done.stderr)
        assert done.stderr.startswith("qa: error:") and "Traceback" not in done.stderr
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        done = run_cli("ui", "--port", str(port), timeout=120)
    assert done.returncode == 1, done.stderr
    assert (
        done.stderr.strip()
        == f"qa: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    )


@pytest.mark.slow
def test_qa_ui_serves_on_loopback_behind_auth(isolated_home, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADIO_")}
    env["QA_UI_AUTH"] = "ann:s3cret"
    argv = [sys.executable, "-m", "qa", "ui", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    # the config is not served without logging in: 401
    with serving(
        argv, url, probe="/config", status=401, log=tmp_path / "ui.log", env=env, cwd=ROOT
    ) as ui:
        from gradio_client import Client

        client = Client(url, auth=("ann", "s3cret"), verbose=False)
        answer = json.loads(client.predict("Who owns the Minago project?", api_name="/ask"))
        assert set(answer) >= {"question", "answer", "abstained", "mode", "citations"}
    out = ui.output()
    assert "the store is empty; ingesting" in out
    assert f"http://127.0.0.1:{port}" in out
