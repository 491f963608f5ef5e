"""`autograder audit`: the course's checks kill every mutant of its references, and the audit
reports survivors, equivalents and a wrong equivalents file as it should."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import EXERCISES, toy_course
from test_render_html import open_in_browser

from autograder.audit import AuditReport, load_equivalents, run_audit
from autograder.audit_report import by_operator, write_audit
from autograder.catalog import Course
from autograder.errors import CourseError
from autograder.mutants import OPERATORS


@pytest.fixture(scope="module")
def course_audit(course: Course) -> AuditReport:
    return run_audit(course, jobs=2)


def test_the_course_checks_kill_every_mutant(course: Course, course_audit: AuditReport):
    """The gate for every exercise: a survivor fails here, with its diff in the message."""
    survivors = "\n".join(f"{v.mutant.id}\n{v.mutant.diff}" for v in course_audit.survivors)
    assert not course_audit.survivors, f"mutants the checks let through:\n{survivors}"
    assert not course_audit.declaration_errors
    assert [ex.exercise for ex in course_audit.exercises] == [ex.name for ex in course.exercises()]
    groups = {op.name: op.group for op in OPERATORS}
    for ex in course_audit.exercises:
        made_by = {groups[v.mutant.operator] for v in ex.verdicts}
        # Every exercise whose solution uses torch gets PyTorch mistakes too (hyperparams is arithmetic).
        uses_torch = "import torch" in (course.solution_source(ex.exercise) or "")
        assert "general" in made_by and ("pytorch" in made_by or not uses_torch), \
            f"{ex.exercise}: mutants only from {made_by}"
        assert ex.killed + ex.equivalent == ex.made and ex.score == 1.0


def test_every_declared_equivalent_is_used_and_has_a_reason(course: Course, course_audit: AuditReport):
    declared = load_equivalents(course)
    equivalent = {v.mutant.id: v.reason for ex in course_audit.exercises for v in ex.verdicts
                  if v.status == "equivalent"}
    assert equivalent == declared
    assert all(len(reason) > 20 for reason in declared.values())


def test_killed_mutants_name_the_checks_that_killed_them(course_audit: AuditReport):
    killed = [v for ex in course_audit.exercises for v in ex.verdicts if v.status == "killed"]
    assert killed and all(v.killed_by and v.score < v.max_score for v in killed)


def test_the_course_report_in_every_format(course_audit: AuditReport, tmp_path: Path):
    import io

    from rich.console import Console

    stream = io.StringIO()
    write_audit(course_audit, "json", stream)
    data = json.loads(stream.getvalue())
    assert data["ok"] is True and len(data["exercises"]) == len(EXERCISES)
    assert sum(len(ex["mutants"]) for ex in data["exercises"]) == sum(ex.made for ex in course_audit.exercises)
    table = io.StringIO()
    write_audit(course_audit, "table", table, console=Console(file=table, width=120))
    assert "every mutant that can be told apart from the reference is killed" in table.getvalue()
    counts = by_operator(course_audit)
    assert sum(c.made for c in counts) == sum(ex.made for ex in course_audit.exercises)
    html = io.StringIO()
    write_audit(course_audit, "html", html)
    opened = open_in_browser(html.getvalue(), "audit-report", tmp_path / "profile")
    assert "Every mutant that can be told apart from the reference is killed." in opened.dom
    assert opened.dom.count('class="mutant"') == sum(ex.made for ex in course_audit.exercises)


# --------------------------------------------------------------------------- a toy course

SOLUTION = '''
"""A toy exercise."""

import torch


def double(x: torch.Tensor) -> torch.Tensor:
    """2 · x, ValueError for a 0-d x."""
    ### BEGIN SOLUTION
    if x.dim() == 0:
        raise ValueError("x must have at least one dimension")
    return x * 2
    ### END SOLUTION
'''

#: The value is checked; the error path is not, so dropping the raise survives.
CHECKS = '''
import pytest
import torch

from autograder.checks import expect_close


@pytest.mark.points(1)
def test_value(student):
    """doubles"""
    x = torch.arange(4.0)
    expect_close(student.toy.double(x), x * 2)
'''


def _ids(report: AuditReport) -> dict[str, str]:
    return {v.mutant.id: v.status for ex in report.exercises for v in ex.verdicts}


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Course:
    return toy_course(tmp_path_factory.mktemp("audit") / "course", SOLUTION, CHECKS)


@pytest.fixture(scope="module")
def toy_ids(toy: Course) -> dict[str, str]:
    return _ids(run_audit(toy, jobs=1))


def test_a_weak_check_lets_mutants_survive(toy_ids: dict[str, str]):
    survivors = {i for i, status in toy_ids.items() if status == "survived"}
    assert any(".drop-raise." in i for i in survivors)
    assert any(".integer." in i for i in survivors)  # x.dim() == -1: the error path is never tried
    assert not any(".comparison." in i for i in survivors)  # x.dim() != 0 raises for the tested input
    assert all(i.startswith("toy.double.") for i in toy_ids)
    assert any(status == "killed" for status in toy_ids.values())


def test_declarations_are_checked_against_the_mutants(toy: Course, toy_ids: dict[str, str], tmp_path: Path):
    survivor = next(i for i, status in toy_ids.items() if status == "survived")
    killed = next(i for i, status in toy_ids.items() if status == "killed")
    (toy.tests / "audit.toml").write_text(textwrap.dedent(f'''
        [equivalent]
        "{survivor}" = "declared for the test"
        "{killed}" = "wrongly declared: a check kills it"
        "toy.double.arithmetic.00000000" = "names no mutant"
    '''))
    try:
        report = run_audit(toy, jobs=1)
    finally:
        (toy.tests / "audit.toml").unlink()
    statuses = _ids(report)
    assert statuses[survivor] == "equivalent" and statuses[killed] == "killed"
    [verdict] = [v for v in report.exercises[0].verdicts if v.mutant.id == survivor]
    assert verdict.reason == "declared for the test"
    errors = "\n".join(report.declaration_errors)
    assert f"{killed} is declared equivalent, but doubles kills it" in errors
    assert "toy.double.arithmetic.00000000 names no mutant" in errors
    assert not report.ok


def test_the_cli_fails_on_survivors_and_writes_html(toy: Course, tmp_path: Path):
    out = tmp_path / "audit.html"
    run = subprocess.run([sys.executable, "-m", "autograder", "audit", "--course", str(toy.root), "--jobs", "1",
                          "--operators", "drop-raise", "--format", "html", "--output", str(out)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert run.returncode == 1, run.stderr
    assert "audited 1 mutants: 1 survived" in run.stderr
    page = out.read_text()
    assert "1 mutant(s) survived" in page and "toy.double.drop-raise." in page
    assert '<span class="del">-        raise ValueError(&#34;x must have at least one dimension&#34;)</span>' in page
    usage = subprocess.run([sys.executable, "-m", "autograder", "audit", "--course", str(toy.root), "--operators",
                            "no-such"], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert usage.returncode == 2 and usage.stderr.count("\n") == 1
    assert "unknown operator no-such" in usage.stderr


def test_a_reference_that_fails_its_checks_stops_the_audit(tmp_path: Path):
    broken = toy_course(tmp_path / "course", SOLUTION, CHECKS.replace("x * 2)", "x * 3)"))
    with pytest.raises(CourseError, match="the reference solution of toy scores 0/1 on its own checks"):
        run_audit(broken, jobs=1)


def test_an_invalid_equivalents_file_is_a_course_error(tmp_path: Path):
    course = toy_course(tmp_path / "course", SOLUTION, CHECKS)
    path = course.tests / "audit.toml"
    path.write_text('[equivalent]\n"toy.double.drop-raise.12345678" = ""\n')
    with pytest.raises(CourseError, match="needs a reason"):
        load_equivalents(course)
    path.write_text("[equivalent\n")
    with pytest.raises(CourseError, match="is not valid TOML"):
        load_equivalents(course)
    path.write_text('[survivors]\n"a" = "b"\n')
    with pytest.raises(CourseError, match="unknown table survivors"):
        load_equivalents(course)
