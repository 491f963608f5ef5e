"""The Gradescope format: a results.json the harness accepts, one test per check (render/gradescope.py)."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT
from render_cases import assert_no_hidden_output, graded, render, validate

from autograder import cli
from autograder.result import Status


def test_results_match_the_schema_and_mirror_the_checks(case):
    _name, result = case
    data = json.loads(render("gradescope", result))
    validate("gradescope", data)
    assert len(data["tests"]) == len(result.checks)
    for test, check in zip(data["tests"], result.checks, strict=True):
        assert (test["score"], test["max_score"]) == (check.score, check.max_score)
        assert test["status"] == ("passed" if check.status is Status.PASSED else "failed")
        assert test["name"].endswith(f": {check.name}") and test["extra_data"]["id"] == check.id
        # The model's words, not the format's: the message first, then the hint.
        assert test["output"].startswith(check.message if check.status is not Status.PASSED else "")
        assert not check.hint or check.status is Status.PASSED or f"hint: {check.hint}" in test["output"]


def test_top_level_score_is_the_sum_of_the_tests(case):
    # A top-level score overrides the tests' total on Gradescope: the two must never disagree.
    name, result = case
    data = json.loads(render("gradescope", result))
    assert data["score"] == pytest.approx(sum(test["score"] for test in data["tests"])) == result.score
    assert isinstance(data["execution_time"], (int, float))
    assert all("execution_time" not in test for test in data["tests"])
    if name == "reference":
        assert data["score"] == result.max_score > 0 and {t["status"] for t in data["tests"]} == {"passed"}
    elif name == "stubs":
        assert data["score"] == 0 and {t["status"] for t in data["tests"]} == {"failed"}
    elif name == "partly-wrong":
        assert 0 < data["score"] < result.max_score


def test_hidden_checks_wait_for_publication(case):
    _name, result = case
    data = json.loads(render("gradescope", result))
    wanted = {"public": "visible", "hidden": "after_published"}
    assert [test["visibility"] for test in data["tests"]] == [wanted[check.visibility] for check in result.checks]
    # Gradescope's "hidden" would keep the total score from students too.
    assert "hidden" not in {test["visibility"] for test in data["tests"]}


def test_unjudged_checks_are_said_at_the_top(inprocess_grader, tmp_path_factory):
    data = json.loads(render("gradescope", graded(inprocess_grader, "sample", tmp_path_factory)))
    assert "1 check could not judge this submission" in data["output"]


def test_hidden_output_never_appears(case):
    assert_no_hidden_output("gradescope", case[1])


@pytest.mark.parametrize("runner", ["sandbox", "inprocess"])
def test_cli_writes_nothing_but_the_json_to_stdout(runner, capfd, tmp_path):
    # A submission that prints at import and in every call, through the real command line (fd-level capture:
    # a child process writing to the terminal would show up too).
    submission = tmp_path / "submission"
    submission.mkdir()
    source = (ROOT / "solutions/mlp.py").read_text(encoding="utf-8")
    marker = "        ### BEGIN SOLUTION\n"
    source = source.replace(marker, f"{marker}        print('in forward')\n", 1)
    (submission / "mlp.py").write_text(source + "\nimport sys\nprint('imported')\nprint('oops', file=sys.stderr)\n",
                                       encoding="utf-8")
    code = cli.main(["grade", str(submission), "--only", "mlp", "--format", "gradescope", "--runner", runner,
                     "--course", str(ROOT)])
    out, err = capfd.readouterr()
    assert code == cli.ExitCode.OK, err
    data = json.loads(out)  # the whole of stdout is one JSON document
    validate("gradescope", data)
    assert out.startswith("{") and out.endswith("}\n")
    assert data["score"] == data["extra_data"]["max_score"] > 0 and "imported" in data["tests"][0]["output"]
