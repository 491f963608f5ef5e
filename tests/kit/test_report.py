"""The class report (autograder/report.py, `autograder report`): its numbers, its page, and the page in Chromium."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_export import EVIL, REJECTED, build_gradebook
from test_render_html import colours, open_in_browser, png_pixels

from autograder.cli import ExitCode, main
from autograder.gradebook import Gradebook
from autograder.report import COLOURS, STATUSES, summarise, write_report
from autograder.result import CheckResult, ExerciseResult, Fault, Result, Status

SECTIONS = ("summary", "scores", "exercises", "checks", "statuses", "timing", "not-graded", "runs")
#: The bars of the report's histograms (report._ACCENT): only the embedded plots have this colour.
PLOT_BLUE = (0x09, 0x69, 0xDA)


class Page(HTMLParser):
    """Tags, section ids, image sources and the text of each checks-table row."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.sections: list[str] = []
        self.images: list[str] = []
        self.rows: list[tuple[str, str]] = []
        self._row: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "section":
            self.sections.append(attributes.get("id") or "")
        if tag == "img":
            self.images.append(attributes.get("src") or "")
        if tag == "tr" and attributes.get("data-check"):
            self._row = [attributes["data-check"] or "", ""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._row is not None:
            self.rows.append((self._row[0], self._row[1]))
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._row is not None:
            self._row[1] += data


@pytest.fixture
def book(tmp_path):
    with build_gradebook(tmp_path / "gradebook.sqlite") as opened:
        yield opened


@pytest.fixture
def report(book, tmp_path) -> str:
    out = tmp_path / "report" / "class.html"
    write_report(book, out)
    return out.read_text(encoding="utf-8")


def test_numbers_are_counted_from_each_students_latest_submission(book):
    stats = summarise(book)
    assert [s.student for s in stats.graded] == ["alice", "bob", "carol", "erin"]
    assert sorted(s.student for s in stats.not_graded) == sorted(REJECTED)
    assert [s.student for s in stats.withheld] == ["alice", "carol"]  # the course's broken check
    assert (stats.submissions, len(stats.runs)) == (8, 2)
    # Outcomes: the course's broken check counts as unjudged, not as the student's error.
    assert {s: stats.statuses[s] for s in STATUSES} == {
        "passed": 14, "failed": 1, "error": 2, "timeout": 1, "not_attempted": 2, "skipped": 3, "unjudged": 2}
    assert [e.name for e in stats.exercises] == ["batching", "mlp", "views"]
    mlp = stats.exercises[1]
    assert (mlp.students, mlp.score, mlp.max_score, mlp.passed, mlp.judged) == (3, 13, 7, 7, 9)
    # The worst first: pass rate, then how many failed it, then course order; a check the course
    # could not always judge is listed even where it passed every judged submission.
    assert [(c.id.rpartition("::")[2], c.passed, c.judged, c.unjudged) for c in stats.failing] == [
        ("test_to_scalar_float", 2, 4, 0), ("test_crash", 2, 4, 0), ("test_layers_called_in_order", 2, 3, 0),
        ("test_forward_matches_reference", 2, 3, 0), ("test_broken", 2, 2, 2)]
    assert stats.failing[0].common == ("not attempted yet", "", 2)
    assert [c.id for c in stats.always_skipped] == ["hidden/test_mlp.py::test_needs_data"]
    assert sorted(c.id for c in stats.always_passed) == ["public/test_batching.py::test_add_batch_dim",
                                                         "public/test_mlp.py::test_output_shape"]


def test_page_has_every_section_and_the_failing_checks_table(report, book):
    page = Page(report)
    assert page.sections == list(SECTIONS)
    assert report.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in report
    stats = summarise(book)
    assert [check_id for check_id, _ in page.rows] == [c.id for c in stats.failing]
    layers = dict(page.rows)["hidden/test_mlp.py::test_layers_called_in_order"]
    assert "66.7 % (2/3)" in layers and "forward never called self.hidden as a module" in layers
    assert "hint: call each layer as self.hidden(x), not self.hidden.forward(x)" in layers
    assert "not attempted yet (2×)" in dict(page.rows)["public/test_views.py::test_to_scalar_float"]
    assert 'id="withheld">2 graded submissions had checks that could not judge them' in report
    assert "hidden/test_mlp.py::test_needs_data" in report  # skipped everywhere, and said so
    for why in REJECTED.values():  # who was not graded, and why
        assert why.replace("'", "&#39;").replace("<", "&lt;").replace(">", "&gt;") in report
    assert "grader-2, tcp://10.0.0.1:8786" in report and "grader-1, 2 workers" in report


def test_plots_are_embedded_pngs(report):
    page = Page(report)
    assert len(page.images) == 5
    for source in page.images:
        assert source.startswith("data:image/png;base64,")
        width, height, rows, channels = png_pixels(base64.b64decode(source.partition(",")[2], validate=True))
        assert width == 750 and height >= 250
        seen = colours(rows, channels)
        assert len(seen) > 10, "a blank plot"


def test_page_is_self_contained(report):
    page = Page(report)
    assert "default-src 'none'" in report  # the Content-Security-Policy: no scripts, nothing fetched
    assert not [tag for tag, _ in page.tags if tag in ("script", "link", "iframe", "object", "embed", "base")]
    assert all((attrs.get("href") or "#").startswith("#") for _, attrs in page.tags)
    assert all((attrs.get("src") or "data:").startswith("data:") for _, attrs in page.tags)
    assert not re.search(r"url\(|@import|https?://", report)


def test_untrusted_text_is_escaped(report, tmp_path):
    assert "<script" not in report and "&lt;script&gt;alert(1)&lt;/script&gt;" in report  # the rejected id
    # Everything else the gradebook holds, as markup: ids, names, messages, hints, titles, the machine.
    evil = f'{EVIL}<img src=x onerror=alert(2)>"&'
    check = CheckResult("public/test_x.py::test_y", f"name {evil}", Status.FAILED, 0, 1, "public",
                        message=f"message {evil}", hint=f"hint {evil}", fault=Fault.STUDENT)
    result = Result(exercises=(ExerciseResult(f"x{evil}", f"title {evil}", (check,)),), duration_s=1.0)
    with Gradebook(tmp_path / "evil.sqlite") as book:
        run = book.start_run(workers=1, machine=f"m{evil}", scheduler=None, kit_version=evil, course_version=evil,
                             submissions=2)
        for student, outcome in ((f"s{evil}", result), (f"r{evil}", f"why {evil}")):
            book.record(run_id=run, student=student, path=evil, content_hash=student, course_version=evil,
                        kit_version=evil, outcome=outcome)
        book.finish_run(run, graded=1, skipped=0, rejected=1)
        write_report(book, tmp_path / "evil.html")
    text = (tmp_path / "evil.html").read_text(encoding="utf-8")
    assert "<script" not in text and "<img src=x" not in text
    assert text.count("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&#34;&amp;") >= 8
    [(_, row)] = Page(text).rows
    assert f"message {evil}" in row and f"hint: hint {evil}" in row and f"name {evil}" in row


def test_an_empty_gradebook_still_makes_a_page(tmp_path):
    with Gradebook(tmp_path / "empty.sqlite") as book:
        write_report(book, tmp_path / "empty.html")
    text = (tmp_path / "empty.html").read_text(encoding="utf-8")
    page = Page(text)
    assert page.sections == list(SECTIONS) and page.images == []
    assert "No graded submission." in text and "No batch run recorded." in text


def test_report_command_writes_the_page(book, tmp_path, capsys):
    out = tmp_path / "out" / "class.html"
    assert main(["report", str(book.path), str(out)]) == ExitCode.OK
    assert str(out) in capsys.readouterr().out
    assert Page(out.read_text(encoding="utf-8")).sections == list(SECTIONS)
    assert not list(out.parent.glob(".*.tmp"))


def test_status_colours_match_the_feedback_page():
    template = (Path(__file__).resolve().parents[2] / "autograder/templates/result.html.j2").read_text()
    for status in ("passed", "failed", "error", "timeout"):
        assert f"--{status}: {COLOURS[status]};" in template


# --------------------------------------------------------------------------- in a real browser


def test_report_renders_in_headless_chromium(report, tmp_path):
    opened = open_in_browser(report, "class-report", tmp_path / "profile")
    # The histogram's bars: the browser decoded and showed the embedded images (the CSP allows data: only).
    assert opened.colours.get(PLOT_BLUE, 0) > 2000, "no plot in the screenshot"
    assert Page(opened.dom).sections == list(SECTIONS)
    assert "<script" not in opened.dom
