"""The UI in a real browser: Debian's headless Chromium driven by Playwright (no downloads).

One test asks a question, opens the citation and checks the highlighted span; the other
uploads a document full of HTML/JS payloads and checks that they show as text and run nothing.
Screenshots are saved under each test's tmp dir.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("gradio")
sync_api = pytest.importorskip("playwright.sync_api")

from tests.conftest import CORPUS  # noqa: E402
from tests.support.ui import CHROMIUM, CHROMIUM_ARGS, served  # noqa: E402
from ui.app import QAApp  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed"),
]

WOGEN = "How much working capital did Wogen provide to Magrathea?"
QUOTE = (
    "US emerging magnesium producer Magrathea recently entered into a strategic partnership "
    "with global metal trader Wogen (UK), securing $10 million in working capital support and "
    "global distribution channels from the latter."
)
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
FLAG = '<img src=y onerror="window.__xss=1">'
XSS_DOC = f"""---
title: "{SCRIPT} Blorfin filing"
publisher: "{IMG}"
published: 2026-03-03
---

The Blorfin committee reported {SCRIPT} and {IMG} in its quarterly filing. {FLAG}

A second paragraph about the Blorfin committee budget <svg onload=alert(2)>.
"""
TIMEOUT = 60_000


@pytest.fixture(scope="module")
def url(embedder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from qa import QA, Settings

    home = tmp_path_factory.mktemp("ui-browser-home")
    qa = QA(Settings(home=home, corpus_dir=CORPUS), embedder=embedder)
    qa.ingest([CORPUS])
    with served(QAApp(qa)) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watch:
    """What a page did that it should not: dialogs, script errors, requests off loopback."""

    def __init__(self, page) -> None:
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def external(self) -> list[str]:
        return [
            u for u in self.requests if not re.match(r"(http://127\.0\.0\.1[:/]|data:|blob:)", u)
        ]


@pytest.fixture
def page(browser, url: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    page.locator("#qa-question textarea").wait_for()
    yield page
    context.close()


def ask(page, question: str) -> None:
    box = page.locator("#qa-question textarea")
    box.fill(question)
    box.press("Enter")


def test_ask_and_open_the_citation(page, tmp_path: Path):
    watch = Watch(page)
    ask(page, WOGEN)
    marker = page.locator("#qa-chat summary.qa-marker").first
    marker.wait_for()
    bot = page.locator("#qa-chat [data-testid='bot']").last
    assert "$10 million in working capital" in bot.inner_text()
    popover = page.locator("#qa-chat details.qa-cite .qa-pop").first
    assert not popover.is_visible()
    page.screenshot(path=str(tmp_path / "answer.png"))

    marker.click()
    popover.wait_for(state="visible")
    span = popover.locator("mark.qa-span")
    assert span.inner_text().strip() == QUOTE
    assert span.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert "SMM · 2026-01-15" in popover.inner_text()

    panel = page.locator("#qa-sources .qa-source")
    assert panel.count() == 1
    assert panel.locator("mark.qa-span").inner_text().strip() == QUOTE
    assert "Arkansas Magnesium" in panel.locator(".qa-context").inner_text()  # the paragraph
    page.screenshot(path=str(tmp_path / "citation-open.png"))

    ask(page, "What is the capital of France?")
    page.locator("#qa-chat .qa-abstained").wait_for()
    assert "Not found in the corpus" in page.locator("#qa-chat .qa-abstained").inner_text()
    page.screenshot(path=str(tmp_path / "abstained.png"))
    assert (tmp_path / "citation-open.png").stat().st_size > 10_000
    assert watch.dialogs == [] and watch.errors == [] and watch.external() == []


def test_document_html_is_shown_as_text_and_never_runs(page, tmp_path: Path):
    watch = Watch(page)
    doc = tmp_path / "blorfin.md"
    doc.write_text(XSS_DOC, encoding="utf-8")

    page.get_by_role("tab", name="Corpus").click()
    page.locator("#qa-upload input[type=file]").set_input_files(str(doc))
    status = page.locator("#qa-corpus-status textarea")
    sync_api.expect(status).to_have_value(re.compile("blorfin.md: added"), timeout=TIMEOUT)
    table = page.locator("#qa-docs")
    sync_api.expect(table).to_contain_text(f"{SCRIPT} Blorfin filing")
    assert IMG in table.inner_text()
    page.screenshot(path=str(tmp_path / "corpus.png"))

    page.get_by_role("tab", name="Chat").click()
    ask(page, f"What did the Blorfin committee report? {IMG}")
    marker = page.locator("#qa-chat summary.qa-marker").first
    marker.wait_for()
    marker.click()
    pop = page.locator("#qa-chat details.qa-cite .qa-pop").first
    pop.wait_for(state="visible")
    chat = page.locator("#qa-chat").inner_text()
    assert f"The Blorfin committee reported {SCRIPT} and {IMG} in its quarterly filing." in chat
    assert f"{SCRIPT} Blorfin filing" in pop.inner_text()
    assert SCRIPT in pop.locator("mark.qa-span").inner_text()
    sources = page.locator("#qa-sources").inner_text()
    assert f"{SCRIPT} Blorfin filing" in sources and IMG in sources
    page.screenshot(path=str(tmp_path / "xss.png"))

    for root in ("#qa-chat", "#qa-sources", "#qa-docs"):
        assert page.locator(f"{root} script, {root} img, {root} svg[onload]").count() == 0
    page.wait_for_timeout(500)  # give any injected handler the chance to fire
    assert watch.dialogs == []
    assert page.evaluate("window.__xss") is None
    assert not [u for u in watch.requests if u.endswith(("/x", "/y"))]
    assert watch.errors == [] and watch.external() == []
