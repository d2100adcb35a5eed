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
