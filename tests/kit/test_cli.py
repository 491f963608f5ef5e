"""The command line: the two headline runs, exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import EXERCISES, MAX_SCORE, ROOT

from autograder.catalog import Course
from autograder.cli import ExitCode, main
from autograder.grading import Grader


def _autograder(*args: str, cwd=ROOT) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user runs it (sandbox runner, fresh process)."""
    env = {**os.environ, "COLUMNS": "120"}
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300)


def test_grade_reference_as_json_scores_100():
    run = _autograder("grade", "solutions", "--format", "json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert (data["score"], data["max_score"]) == (MAX_SCORE, MAX_SCORE)
    assert [ex["name"] for ex in data["exercises"]] == EXERCISES
    assert all(c["status"] == "passed" for ex in data["exercises"] for c in ex["checks"])
    assert {"cpu", "meta"} <= set(data["devices"]) and data["duration_s"] > 0
    assert data["sandbox"]["mode"] == "sandbox"


def test_check_on_stubs_prints_a_table_of_not_attempted_checks():
    run = _autograder("check", cwd=ROOT / "exercises")
    assert run.returncode == 0, run.stderr
    public = Grader(Course(ROOT), runner="inprocess", hidden=False).checks()
    assert f"Total 0 / {sum(check.points for check in public):g}" in run.stdout
    assert run.stdout.count("· not attempted") == len(public)
    assert "mlp — A multi-layer perceptron" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


def test_grade_stubs_as_table_and_reference_as_table(capsys):
    assert main(["grade", "exercises", "--course", str(ROOT), "--runner", "inprocess"]) == ExitCode.OK
    out = capsys.readouterr().out
    checks = len(Grader(Course(ROOT), runner="inprocess").checks())
    assert f"Total 0 / {MAX_SCORE}" in out and out.count("· not attempted") == checks
    assert f"{checks} not attempted" in out
    assert main(["grade", str(ROOT / "solutions"), "--course", str(ROOT), "--runner", "inprocess",
                 "--format", "json"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["score"] == MAX_SCORE


def test_grade_stubs_as_json_lists_not_attempted(capsys):
    assert main(["grade", str(ROOT / "exercises"), "--course", str(ROOT), "--runner", "inprocess",
                 "--format", "json", "--only", "mlp"]) == ExitCode.OK
    data = json.loads(capsys.readouterr().out)
    assert data["score"] == 0 and {c["status"] for c in data["exercises"][0]["checks"]} == {"not_attempted"}


def test_fail_under_and_output_file(tmp_path, capsys):
    out = tmp_path / "results" / "alice.json"
    args = ["grade", str(ROOT / "exercises"), "--course", str(ROOT), "--runner", "inprocess", "--only", "views"]
    assert main([*args, "--fail-under", "50", "--format", "json", "--output", str(out)]) == ExitCode.NOT_PASSING
    assert json.loads(out.read_text())["score"] == 0
    assert "0/10" in capsys.readouterr().err
    assert main([*args, "--fail-under", "0"]) == ExitCode.OK
    assert list(out.parent.iterdir()) == [out], "no temporary files left behind"


@pytest.mark.parametrize(("args", "message"), [
    (["grade"], "required: SUBMISSION"),
    (["grade", "nowhere"], "nowhere does not exist"),
    (["grade", "solutions", "--only", "nope"], "unknown exercise nope"),
    (["grade", "solutions", "--format", "xml"], "invalid choice: 'xml'"),
    (["grade", "solutions", "--fail-under", "150"], "--fail-under takes a percentage"),
    (["grade", "solutions", "--time-limit", "0"], "--time-limit must be positive"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
])
def test_usage_errors_are_one_line_and_exit_2(args, message, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main([*args, "--runner", "inprocess"] if args[0] == "grade" else args) == ExitCode.USAGE_ERROR
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err


def test_unexpected_errors_are_one_line_unless_debug(monkeypatch, capsys):
    def explode(*args, **kwargs):
        raise ZeroDivisionError("kaboom")

    monkeypatch.setattr("autograder.stubs.write_stubs", explode)
    assert main(["stubs", "--course", str(ROOT)]) == ExitCode.INTERNAL_ERROR
    err = capsys.readouterr().err
    assert "kaboom" in err and "--debug" in err and err.count("\n") == 1
    with pytest.raises(ZeroDivisionError):
        main(["--debug", "stubs", "--course", str(ROOT)])


def test_stubs_check_passes_on_the_repository(capsys):
    assert main(["stubs", "--check", "--course", str(ROOT)]) == ExitCode.OK
    assert "up to date" in capsys.readouterr().out
