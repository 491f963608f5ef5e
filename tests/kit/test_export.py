"""Exports of the gradebook (autograder/export.py, `autograder export`): CSV, Canvas's import file, JSON."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from render_cases import validate
from test_render import sample

from autograder.cli import ExitCode, main
from autograder.errors import UsageError
from autograder.export import CANVAS_COLUMNS, POINTS_POSSIBLE, SCHEMA, exercise_order, export
from autograder.gradebook import Gradebook
from autograder.result import CheckResult, ExerciseResult, Fault, Result, Status

#: Untrusted ids a gradebook can hold (rejected entries keep whatever name they had).
EVIL = "<script>alert(1)</script>"
FORMULA = "=1+2"


def all_passed(result: Result) -> Result:
    """`result` with every check passed, except the one that skips itself."""
    def passed(check: CheckResult) -> CheckResult:
        if check.status is Status.SKIPPED:
            return check
        return replace(check, status=Status.PASSED, score=check.max_score, message="", hint="", fault=None)

    return replace(result, exercises=tuple(replace(ex, checks=tuple(passed(c) for c in ex.checks))
                                           for ex in result.exercises))


def partial() -> Result:
    """Graded with a different set of exercises (batching, which comes first, and views), and a crash
    whose message is markup."""
    views = sample().exercises[1]
    crash = replace(views.checks[1], message=f"{EVIL} crashed")
    batching = ExerciseResult("batching", "The batch dimension.", (
        CheckResult("public/test_batching.py::test_add_batch_dim", "adds a leading dimension", Status.PASSED, 2, 2,
                    "public"),))
    return Result(exercises=(batching, replace(views, checks=(views.checks[0], crash, views.checks[2]))),
                  duration_s=3.0)


#: What build_gradebook records: alice the hand-made sample (1/11, a check withheld), bob and erin all
#: passed but the skipped check (10/11), carol two exercises (2/6); three entries rejected; erin was
#: rejected in run 1 and graded in run 2, so her latest submission is graded.
RESULTS = {"alice": sample(), "bob": all_passed(sample()), "carol": partial(), "erin": all_passed(sample())}
REJECTED = {EVIL: f"{EVIL!r} is not a valid student id", FORMULA: "=1+2.rar is not a directory, a .zip",
            "dave": "dave.zip is not a zip file (bad magic number)"}


def build_gradebook(path: Path) -> Gradebook:
    book = Gradebook(path)
    common = {"course_version": "c0ffee", "kit_version": "0.1.0"}
    run = book.start_run(workers=2, machine="grader-1", scheduler=None, submissions=7, **common)
    for student in ("alice", "bob", "carol"):
        book.record(run_id=run, student=student, path=f"/submissions/{student}.zip", content_hash=f"{student}-1",
                    outcome=RESULTS[student], **common)
    for student, why in REJECTED.items():
        book.record(run_id=run, student=student, path=f"/submissions/{student}", content_hash="unreadable",
                    outcome=why, **common)
    book.record(run_id=run, student="erin", path="/submissions/erin.zip", content_hash="erin-1",
                outcome="erin.zip is not a zip file", **common)
    book.finish_run(run, graded=3, skipped=0, rejected=4)
    run = book.start_run(workers=1, machine="grader-2", scheduler="tcp://10.0.0.1:8786", submissions=7, **common)
    book.record(run_id=run, student="erin", path="/submissions/erin.zip", content_hash="erin-2",
                outcome=RESULTS["erin"], **common)
    book.finish_run(run, graded=1, skipped=6, rejected=0)
    return book


@pytest.fixture
def book(tmp_path):
    with build_gradebook(tmp_path / "gradebook.sqlite") as opened:
        yield opened


def exported(book: Gradebook, format: str, **options: str) -> str:
    out = io.StringIO()
    export(book, format, out, **options)
    return out.getvalue()


# --------------------------------------------------------------------------- csv


def test_csv_has_a_row_per_student_with_points_per_exercise(book):
    rows = list(csv.DictReader(io.StringIO(exported(book, "csv"))))
    assert [row["student"] for row in rows] == ["<script>alert(1)</script>", "'=1+2", "alice", "bob", "carol",
                                                "dave", "erin"]
    assert list(rows[0]) == ["student", "status", "batching", "mlp", "views", "total", "max", "percent", "unjudged",
                             "graded_at", "error"]
    by_student = {row["student"]: row for row in rows}
    assert {k: by_student["alice"][k] for k in ("status", "batching", "mlp", "views", "total", "max", "percent",
                                                "unjudged", "error")} == {
        "status": "graded", "batching": "", "mlp": "1", "views": "0", "total": "1", "max": "11", "percent": "9.09",
        "unjudged": "1", "error": ""}
    assert (by_student["bob"]["total"], by_student["bob"]["percent"], by_student["bob"]["unjudged"]) == \
        ("10", "90.91", "0")
    assert [by_student["carol"][k] for k in ("batching", "mlp", "views", "total", "max", "percent")] == \
        ["2", "", "0", "2", "6", "33.33"]
    assert by_student["erin"]["status"] == "graded" and by_student["erin"]["error"] == ""  # her latest, not run 1's
    for student, why in REJECTED.items():
        row = by_student[f"'{student}" if student == FORMULA else student]
        assert row["status"] == "not graded" and row["graded_at"]
        assert all(row[k] == "" for k in ("batching", "mlp", "views", "total", "max", "percent", "unjudged"))
        assert row["error"] == (f"'{why}" if why.startswith("=") else why)


def test_exercises_keep_course_order_across_results():
    assert exercise_order([["mlp", "views"], ["batching", "views"], ["device", "mlp"]]) == \
        ["batching", "device", "mlp", "views"]
    assert exercise_order([]) == []
    assert exercise_order([["b", "a"], ["a", "b"], ["c"]]) == ["c", "b", "a"]  # contradictions: first seen


def test_an_exercise_named_like_a_column_does_not_shadow_it(tmp_path):
    with Gradebook(tmp_path / "gradebook.sqlite") as book:
        run = book.start_run(workers=1, machine="m", scheduler=None, kit_version="0", course_version="0",
                             submissions=1)
        result = Result(exercises=(ExerciseResult("total", "", (CheckResult("public/test_total.py::test_x", "x",
                                                                            Status.PASSED, 2, 2),)),))
        book.record(run_id=run, student="ann", path="ann", content_hash="h", course_version="0", kit_version="0",
                    outcome=result)
        [row] = list(csv.DictReader(io.StringIO(exported(book, "csv"))))
    assert row["total (exercise)"] == "2" and row["total"] == "2" and row["max"] == "2"


# --------------------------------------------------------------------------- canvas


def parse_canvas(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """The file as PrairieLearn's parser reads it (canvas-matching.ts): cells trimmed, the five fixed
    columns required first, rows with no name or a name starting "Points Possible" skipped."""
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text)) if row]
    header = rows[0]
    assert header[:5] == list(CANVAS_COLUMNS)
    students = [dict(zip(header, row, strict=True)) for row in rows[1:]
                if row[0] and not row[0].startswith(POINTS_POSSIBLE)]
    return header, students


def test_canvas_file_has_the_fixed_columns_and_the_points_possible_row_first(book):
    text = exported(book, "canvas", assignment="PyTorch basics (1234)")
    lines = text.splitlines()
    assert lines[0] == "Student,ID,SIS User ID,SIS Login ID,Section,PyTorch basics (1234)"
    assert lines[1] == "Points Possible,,,,,11"
    assert "\r" not in text and text.endswith("\n") and not text.startswith("\ufeff")  # a BOM breaks the header
    header, students = parse_canvas(text)
    assert header[5] == "PyTorch basics (1234)"
    scores = {row["SIS Login ID"]: row["PyTorch basics (1234)"] for row in students}
    assert scores == {EVIL: "", "'=1+2": "", "alice": "1", "bob": "10", "carol": "2", "dave": "", "erin": "10"}
    for row in students:  # the kit's id is the login; the rest is Canvas's to fill in
        assert row["Student"] == row["SIS Login ID"] and row["ID"] == row["SIS User ID"] == row["Section"] == ""


def test_canvas_leaves_students_not_graded_empty_not_zero(book):
    _, students = parse_canvas(exported(book, "canvas"))
    dave = next(row for row in students if row["Student"] == "dave")
    assert dave["autograder"] == ""  # the default column name; never "0" for a grade not given


def test_canvas_assignment_name_must_be_usable(book):
    for bad in ("", "  ", "Student", "two\nlines"):
        with pytest.raises(UsageError, match="Canvas assignment column"):
            exported(book, "canvas", assignment=bad)


def test_canvas_of_an_empty_gradebook_has_only_the_header_rows(tmp_path):
    with Gradebook(tmp_path / "empty.sqlite") as book:
        assert exported(book, "canvas").splitlines() == ["Student,ID,SIS User ID,SIS Login ID,Section,autograder",
                                                         "Points Possible,,,,,"]


# --------------------------------------------------------------------------- json


def test_json_round_trips_every_result_in_the_kit_format(book):
    data = json.loads(exported(book, "json"))
    assert data["schema"] == SCHEMA and list(data) == ["schema", "students"]
    entries = {entry["student"]: entry for entry in data["students"]}
    assert list(entries) == [s.student for s in book.latest()]
    for entry in data["students"]:
        assert set(entry) == {"student", "graded_at", "course_version", "kit_version", "error", "result"}
        assert entry["course_version"] == "c0ffee" and entry["kit_version"] == "0.1.0" and entry["graded_at"]
        if entry["student"] in RESULTS:
            assert entry["error"] is None
            validate("autograder", entry["result"])
            result = Result.from_dict(entry["result"])
            assert result == replace(RESULTS[entry["student"]], submission=entry["student"])
            assert result.to_dict() == entry["result"]
        else:
            assert entry["result"] is None and entry["error"] == REJECTED[entry["student"]]


def test_unknown_format_is_a_usage_error(book):
    with pytest.raises(UsageError, match="unknown export format 'xlsx'"):
        exported(book, "xlsx")


# --------------------------------------------------------------------------- the command line


def test_export_command_writes_stdout_or_a_file(book, tmp_path, capsys):
    path = str(book.path)
    assert main(["export", path]) == ExitCode.OK
    assert capsys.readouterr().out == exported(book, "csv")
    out = tmp_path / "out" / "canvas.csv"
    assert main(["export", path, "--format", "canvas", "--assignment", "Lab 1 (77)", "--output", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and str(out) in captured.err
    assert out.read_text(encoding="utf-8") == exported(book, "canvas", assignment="Lab 1 (77)")
    assert main(["export", path, "--format", "json"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["schema"] == SCHEMA
    assert not list(out.parent.glob(".*.tmp"))  # written atomically, nothing left behind


@pytest.mark.parametrize("command", [["export"], ["export", "--format", "json"], ["report"]])
def test_a_missing_gradebook_is_a_one_line_error(command, tmp_path, capsys):
    missing = tmp_path / "missing.sqlite"
    args = [command[0], str(missing), *command[1:]] + ([str(tmp_path / "r.html")] if command[0] == "report" else [])
    assert main(args) == ExitCode.USAGE_ERROR == 2
    err = capsys.readouterr().err
    assert err == f"error: {missing} is not a gradebook (no such file)\n"
    assert not missing.exists() and not (tmp_path / "r.html").exists()


def test_other_usage_mistakes_exit_2(book, tmp_path, capsys):
    not_a_gradebook = tmp_path / "notes.sqlite"
    not_a_gradebook.write_text("not sqlite\n" * 100, encoding="utf-8")
    for args in (["export", str(book.path), "--format", "xlsx"], ["export", str(not_a_gradebook)],
                 ["export", str(book.path), "--format", "canvas", "--assignment", " "]):
        assert main(args) == ExitCode.USAGE_ERROR
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1, err


def test_course_fault_checks_count_as_unjudged_not_as_the_students(book):
    # The sample's broken check is the course's fault: counted in `unjudged`, never hidden in the total.
    assert RESULTS["alice"].checks[-1].fault is Fault.COURSE
    row = next(r for r in csv.DictReader(io.StringIO(exported(book, "csv"))) if r["student"] == "alice")
    assert row["unjudged"] == "1"
