"""The HTML format: a self-contained feedback page, checked as markup and in headless Chromium (render/html.py)."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import ROOT
from render_cases import assert_no_hidden_output, graded, render

from autograder.result import CheckResult, ExerciseResult, Fault, Result, Status

#: Where the browser's screenshots and the pages it opened are kept (git-ignored).
ARTIFACTS = Path(os.environ.get("AUTOGRADER_ARTIFACTS", ROOT / "tests/kit/artifacts"))
#: Browsers tried in order; $AUTOGRADER_BROWSER names another. Debian's package `chromium` installs
#: /usr/bin/chromium (.ci/run installs it when missing).
BROWSERS = ("chromium", "chromium-browser", "chromium-headless-shell", "google-chrome", "google-chrome-stable")
#: The page's badge colours (templates/result.html.j2): a screenshot of the table shows them.
PASSED_GREEN = (0x1A, 0x7F, 0x37)
FAILED_RED = (0xCF, 0x22, 0x2E)


class Page(HTMLParser):
    """What the tests look at in a page: check rows, their status and text, links and resources."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.rows: list[dict[str, str]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._row: dict[str, str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        classes = (attributes.get("class") or "").split()
        if tag == "tr" and "check" in classes:
            self._row = {"status": classes[1], "id": attributes.get("data-check") or "", "text": ""}
            self.rows.append(self._row)

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._row is not None:
            self._row["text"] += data


def assert_rows_match(page: Page, result: Result) -> None:
    assert [(row["id"], row["status"]) for row in page.rows] == [(c.id, str(c.status)) for c in result.checks]
    for row, check in zip(page.rows, result.checks, strict=True):
        assert check.name in row["text"] and f"{check.score:g} / {check.max_score:g}" in row["text"]
        if not check.passed:
            assert check.message in row["text"]
            assert not check.hint or f"hint: {check.hint}" in row["text"]


def test_page_has_a_row_per_check_with_message_and_hint(case):
    _name, result = case
    assert_rows_match(Page(render("html", result)), result)


def test_page_is_self_contained(case):
    text = render("html", case[1])
    page = Page(text)
    assert text.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in text
    assert "default-src 'none'" in text  # the Content-Security-Policy: no scripts, nothing fetched
    assert not [tag for tag, _ in page.tags if tag in ("script", "link", "img", "iframe", "object")]
    assert all((attrs.get("href") or "#").startswith("#") for tag, attrs in page.tags)
    assert not re.search(r"url\(|@import|https?://(?!torch-autograder)", text)


def test_course_faults_and_unjudged_checks_are_visible(inprocess_grader, tmp_path_factory):
    result = graded(inprocess_grader, "sample", tmp_path_factory)
    text = render("html", result)
    assert 'id="unjudged">1 check could not judge this submission' in text
    [broken] = [row for row in Page(text).rows if row["id"] == "hidden/test_views.py::test_broken"]
    assert "course's fault" in broken["text"]
    assert sum("course's fault" in row["text"] for row in Page(text).rows) == sum(
        c.fault is Fault.COURSE for c in result.checks)


def test_untrusted_text_is_escaped():
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&'
    check = CheckResult("public/test_x.py::test_y", f"name {evil}", Status.FAILED, 0, 1, "public",
                        message=f"message {evil}", hint=f"hint {evil}", output=f"printed {evil}</pre>\x00\x1b[31m")
    result = Result(exercises=(ExerciseResult(f"x{evil}", f"title {evil}", (check,)),), submission=f"s{evil}")
    text = render("html", result)
    assert "<script" not in text and "<img" not in text and "\x00" not in text and "\x1b" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    [row] = Page(text).rows
    assert f"message {evil}" in row["text"] and f"printed {evil}</pre>" in row["text"]


def test_hidden_output_never_appears(case):
    assert_no_hidden_output("html", case[1])


# --------------------------------------------------------------------------- in a real browser


def browser() -> str | None:
    named = os.environ.get("AUTOGRADER_BROWSER")
    if named:
        return shutil.which(named) or (named if Path(named).is_file() else None)
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def png_pixels(data: bytes) -> tuple[int, int, list[bytes], int]:
    """Width, height, unfiltered rows and bytes per pixel of an 8-bit, non-interlaced RGB(A) PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    chunks: dict[bytes, bytes] = {}
    position = 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        chunks[kind] = chunks.get(kind, b"") + data[position + 8:position + 8 + length]
        position += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert depth == 8 and colour in (2, 6) and interlace == 0, "Chromium writes 8-bit RGB(A)"
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up, corner = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows, channels


def colours(rows: list[bytes], channels: int) -> dict[tuple[int, ...], int]:
    counts: dict[tuple[int, ...], int] = {}
    for row in rows:
        for x in range(0, len(row), channels):
            pixel = tuple(row[x:x + 3])
            counts[pixel] = counts.get(pixel, 0) + 1
    return counts


class Opened(NamedTuple):
    """A page as headless Chromium showed it: the screenshot's colours and the DOM it built."""

    colours: dict[tuple[int, ...], int]
    dom: str


def open_in_browser(text: str, name: str, profile: Path) -> Opened:
    """Write `text` to ARTIFACTS/<name>.html, open it from the file in headless Chromium, keep the
    screenshot as ARTIFACTS/<name>.png, and check that it is not blank. Skips the test, saying why,
    when no browser is installed."""
    executable = browser()
    if executable is None:
        named = os.environ.get("AUTOGRADER_BROWSER")
        tried = f"$AUTOGRADER_BROWSER={named!r} is not an executable" if named else (
            "no Chromium found on PATH (tried " + ", ".join(BROWSERS) + ")")
        pytest.skip(f"{tried}; install it with `apt-get install -y chromium`, as .ci/run does")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page, screenshot = ARTIFACTS / f"{name}.html", ARTIFACTS / f"{name}.png"
    page.write_text(text, encoding="utf-8")
    screenshot.unlink(missing_ok=True)
    flags = [executable, "--headless", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
             "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1280,1600"]
    if os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to run as root with its own sandbox
    shot = subprocess.run([*flags, f"--screenshot={screenshot}", page.as_uri()], capture_output=True, text=True,
                          timeout=120)
    assert shot.returncode == 0 and screenshot.is_file(), shot.stderr[-2000:]
    width, height, rows, channels = png_pixels(screenshot.read_bytes())
    assert (width, height) == (1280, 1600)
    seen = colours(rows, channels)
    background = max(seen, key=seen.__getitem__)
    assert background == (255, 255, 255) and sum(seen.values()) - seen[background] > width * height // 50, \
        "the screenshot is blank"
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    return Opened(seen, dom.stdout)


@pytest.mark.parametrize("name", ["reference", "partly-wrong"])
def test_page_renders_in_headless_chromium(name, inprocess_grader, tmp_path_factory, tmp_path):
    result = graded(inprocess_grader, name, tmp_path_factory)
    opened = open_in_browser(render("html", result), f"html-{name}", tmp_path / "profile")
    assert opened.colours.get(PASSED_GREEN, 0) > 100, "no passed badge in the screenshot"
    assert (opened.colours.get(FAILED_RED, 0) > 100) == (name == "partly-wrong"), \
        "failed badges only where checks failed"
    # The DOM as the browser built it from the file: every check's row is there.
    assert_rows_match(Page(opened.dom), result)
