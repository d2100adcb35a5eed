"""The UI in a real browser: Debian's headless Chromium driven by Playwright (no downloads).

Every tab: ask and open a citation; a three-turn conversation that switches subject; Chinese
text drawn with real glyphs (not empty boxes); an over-long question refused; upload a PDF and
ask about it; a document full of HTML/JS payloads shown as text; the Settings tab's retrieval
table; the eval run on the quick set, with its table and plots. Screenshots are saved under
each test's tmp dir, and also in ``$SCREENSHOTS_DIR`` when that is set.
"""

from __future__ import annotations

import os
import re
import shutil
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


def shot(page, tmp_path: Path, name: str, **kwargs) -> Path:
    """A screenshot in the test's tmp dir (and in $SCREENSHOTS_DIR when set)."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), **kwargs)
    if os.environ.get("SCREENSHOTS_DIR"):
        keep = Path(os.environ["SCREENSHOTS_DIR"])
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, keep / path.name)
    return path


def answers(page) -> int:
    return page.locator("#qa-chat [data-testid='bot'] .qa-answer").count()


def wait_for_answers(page, n: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll(\"#qa-chat [data-testid='bot'] .qa-answer\").length >= n"
        " && !document.querySelector('#qa-chat .qa-streaming')",
        arg=n,
        timeout=TIMEOUT * 3,
    )


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
    opened = shot(page, tmp_path, "chat-citation-open")

    ask(page, "What is the capital of France?")
    page.locator("#qa-chat .qa-abstained").wait_for()
    assert "Not found in the corpus" in page.locator("#qa-chat .qa-abstained").inner_text()
    page.screenshot(path=str(tmp_path / "abstained.png"))
    assert opened.stat().st_size > 10_000
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
    # the upload box is emptied once its files are in: the next upload reports its own only
    second = tmp_path / "quorl.md"
    second.write_text("# Quorl dam\n\nThe Quorl dam is 80 metres high.\n", encoding="utf-8")
    page.locator("#qa-upload input[type=file]").set_input_files(str(second))
    sync_api.expect(status).to_have_value(re.compile("quorl.md: added"), timeout=TIMEOUT)
    assert "blorfin" not in status.input_value()
    sync_api.expect(table).to_contain_text("Quorl dam")

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


def test_a_three_turn_conversation_follows_the_subject(page, tmp_path: Path):
    turns = [
        "What technology does Magrathea employ?",
        "What does it extract magnesium from?",
        "What process has the Minago project introduced?",
        "How much dolomite does it have?",
    ]
    for n, question in enumerate(turns, start=1):
        ask(page, question)
        wait_for_answers(page, n)
    bots = page.locator("#qa-chat [data-testid='bot']")
    texts = [bots.nth(i).inner_text() for i in range(len(turns))]
    assert "Searched for: What does Magrathea extract magnesium from?" in texts[1]
    assert "brine" in texts[1]
    assert "Searched for" not in texts[2]
    assert "Searched for: How much dolomite does Minago have?" in texts[3]
    assert "111 million" in texts[3]
    shot(page, tmp_path, "chat-three-turns", full_page=True)


# Draws two different characters in the element's own font on a canvas: real glyphs differ,
# missing-glyph boxes ("tofu") are the same box. Returns [inked pixels of each, pixels that
# differ, whether the CJK font is known to the page].
GLYPHS = """(el) => {
  const font = getComputedStyle(el).font;
  const draw = (ch) => {
    const c = document.createElement('canvas'); c.width = 64; c.height = 64;
    const ctx = c.getContext('2d'); ctx.font = font.replace(/\\d+(\\.\\d+)?px/, '40px');
    ctx.fillStyle = '#000'; ctx.textBaseline = 'top'; ctx.fillText(ch, 4, 4);
    return ctx.getImageData(0, 0, 64, 64).data;
  };
  const a = draw('镁'), b = draw('合');
  let inkA = 0, inkB = 0, diff = 0;
  for (let i = 3; i < a.length; i += 4) {
    if (a[i] > 0) inkA++; if (b[i] > 0) inkB++; if (a[i] !== b[i]) diff++;
  }
  return [inkA, inkB, diff, document.fonts.check('16px "Noto Sans CJK SC"', '镁')];
}"""


def test_chinese_text_renders_with_real_glyphs(page, tmp_path: Path):
    question = "镁合金电驱动产品在哪里首次亮相？"
    ask(page, question)
    wait_for_answers(page, 1)
    bubble = page.locator("#qa-chat [data-testid='user'] .qa-question").last
    assert bubble.inner_text().strip() == question
    assert "Searched for" not in page.locator("#qa-chat").inner_text()
    family = bubble.evaluate("e => getComputedStyle(e).fontFamily")
    assert "Noto Sans CJK SC" in family
    ink_a, ink_b, diff, known = bubble.evaluate(GLYPHS)
    assert known
    assert ink_a > 150 and ink_b > 150 and diff > 100, (ink_a, ink_b, diff)
    shot(page, tmp_path, "chat-chinese")


def test_an_over_long_question_is_refused_with_the_cli_message(page, tmp_path: Path):
    question = "How much working capital did Wogen provide? " * 50
    ask(page, question)
    error = page.locator("#qa-chat .qa-error").last
    error.wait_for()
    message = f"the question is {len(question.strip())} characters long; the limit is 2000"
    assert message in error.inner_text()
    assert page.locator("#qa-question textarea").input_value() == question.strip()
    shot(page, tmp_path, "chat-too-long")


def test_upload_a_pdf_and_ask_about_it(page, tmp_path: Path):
    watch = Watch(page)
    page.get_by_role("tab", name="Corpus").click()
    label = page.locator("#qa-upload").inner_text()
    assert ".pdf" in label and "up to 2.0 MB each" in label  # the limit, said before upload
    pdf = Path(__file__).parent / "data" / "ui" / "vantor.pdf"
    page.locator("#qa-upload input[type=file]").set_input_files(str(pdf))
    status = page.locator("#qa-corpus-status textarea")
    sync_api.expect(status).to_have_value(re.compile("vantor.pdf: added"), timeout=TIMEOUT)
    sync_api.expect(page.locator("#qa-docs")).to_contain_text("vantor.pdf")
    shot(page, tmp_path, "corpus-pdf-uploaded")

    page.get_by_role("tab", name="Chat").click()
    ask(page, "How many passengers did the Vantor Bay ferry carry in June?")
    marker = page.locator("#qa-chat summary.qa-marker").first
    marker.wait_for()
    marker.click()
    pop = page.locator("#qa-chat details.qa-cite .qa-pop").first
    pop.wait_for(state="visible")
    assert "8,150 passengers" in pop.locator("mark.qa-span").inner_text()
    assert "vantor.pdf" in pop.inner_text()
    shot(page, tmp_path, "chat-pdf-answer")
    assert watch.errors == [] and watch.external() == []


def test_settings_tab_retrieval_table_is_plain_text(page, tmp_path: Path):
    page.get_by_role("tab", name="Settings").click()
    probe = page.locator("#qa-probe textarea")
    probe.fill("What is the Minago project?")
    probe.press("Enter")
    table = page.locator("#qa-debug")
    sync_api.expect(table).to_contain_text("Minago", timeout=TIMEOUT)
    assert "## " not in table.inner_text()
    shot(page, tmp_path, "settings-retrieval")


BOX_DRAWING = re.compile("[\u2500-\u257f]")


def test_eval_tab_runs_the_quick_set_and_shows_table_and_plots(page, tmp_path: Path):
    watch = Watch(page)
    page.get_by_role("tab", name="Eval").click()
    choice = page.locator("#qa-eval-choice")
    assert "about 1 minute" in choice.inner_text()
    page.locator("#qa-eval-run").click()
    running = page.get_by_text(re.compile(r"\d+ of 20 questions answered")).first
    running.wait_for(timeout=TIMEOUT * 5)
    shot(page, tmp_path, "eval-progress")
    status = page.locator("#qa-eval-status textarea")
    sync_api.expect(status).to_have_value(re.compile("^Finished: 20 questions"), timeout=600_000)
    table = page.locator("#qa-eval-table")
    sync_api.expect(table).to_contain_text("answer accuracy")
    headers = table.locator("thead").inner_text()
    assert "metric" in headers and "dev" in headers
    for n in (0, 1):
        img = page.locator(f"#qa-eval-plot-{n} img")
        img.wait_for()
        natural, shown = img.evaluate(
            "e => [[e.naturalWidth, e.naturalHeight], [e.clientWidth, e.clientHeight]]"
        )
        assert natural[0] > 300 and shown[0] > 300
        ratio = (natural[0] / natural[1]) / (shown[0] / shown[1])
        assert 0.97 < ratio < 1.03, (natural, shown)  # the whole plot, not a crop of it
    files = page.locator("#qa-eval-files").inner_text()
    assert "report.md" in files and "results.json" in files
    assert not BOX_DRAWING.search(page.locator("body").inner_text())
    shot(page, tmp_path, "eval-finished", full_page=True)
    assert watch.errors == [] and watch.external() == []
