"""The solution-marker stripper and `autograder stubs`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder.cli import ExitCode, main
from autograder.errors import CourseError
from autograder.stubs import StubReport, strip_solutions, write_stubs

SOURCE = '''"""Doc."""


class Net:
    def forward(self, x):
        """Keep me."""
        ### BEGIN SOLUTION
        y = x + 1
        return y
        ### END SOLUTION


def helper(a):
    ### BEGIN SOLUTION
    return a
    ### END SOLUTION
'''


def test_regions_become_not_implemented_with_indentation_and_hint():
    stub = strip_solutions(SOURCE)
    assert "y = x + 1" not in stub and "return a" not in stub
    assert "### " not in stub
    assert '        raise NotImplementedError("complete Net.forward")\n' in stub
    assert '    raise NotImplementedError("complete helper")\n' in stub
    assert '        """Keep me."""\n' in stub and stub.startswith('"""Doc."""')


def test_everything_outside_regions_is_kept_verbatim():
    stub_lines = strip_solutions(SOURCE).splitlines()
    kept = [line for line in SOURCE.splitlines() if line not in ("        y = x + 1", "        return y",
                                                                   "    return a") and "###" not in line]
    assert [line for line in stub_lines if "YOUR CODE" not in line and "NotImplementedError" not in line] == kept


@pytest.mark.parametrize(("source", "problem"), [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "never closed"),
    ("def f():\n    return 1\n    ### END SOLUTION\n", "without"),
    ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    ### END SOLUTION\n", "nest"),
    ("def f():\n    return 1\n", "no ### BEGIN SOLUTION"),
])
def test_broken_markers_are_course_errors_with_a_line_number(source, problem):
    with pytest.raises(CourseError, match=problem):
        strip_solutions(source, filename="sol.py")


def test_stubs_of_the_repository_are_up_to_date(course):
    report = write_stubs(course.solutions, course.exercises_dir, check=True)
    assert report.stale == () and report.orphans == ()


def test_stubs_check_reports_a_stale_exercise_and_writing_fixes_it(tmp_path, course, capsys):
    shutil.copytree(course.solutions, tmp_path / "solutions")
    shutil.copytree(course.exercises_dir, tmp_path / "exercises")
    (tmp_path / "tests" / "public").mkdir(parents=True)
    stub = tmp_path / "exercises" / "mlp.py"
    stub.write_text(stub.read_text() + "# edited by hand\n")
    assert main(["stubs", "--check", "--course", str(tmp_path)]) == ExitCode.NOT_PASSING
    assert "mlp.py" in capsys.readouterr().out
    assert main(["stubs", "--course", str(tmp_path)]) == ExitCode.OK
    assert main(["stubs", "--check", "--course", str(tmp_path)]) == ExitCode.OK
    assert stub.read_text() == (course.exercises_dir / "mlp.py").read_text()


def test_every_exercise_stub_raises_or_holds_placeholders_where_the_solution_was(course):
    for solution in sorted(course.solutions.glob("*.py")):
        stub = (course.exercises_dir / solution.name).read_text()
        assert "NotImplementedError" in stub or ": ...,  # YOUR ANSWER HERE" in stub, solution.name
        assert "### BEGIN SOLUTION" not in stub
        compile(stub, solution.name, "exec")  # still valid Python


ANSWERS = '''"""A quiz."""

ANSWERS = {
    # 1. How many? (an int)
    ### BEGIN SOLUTION
    "count": 1,
    ### END SOLUTION
    # 2. Which two? (a tuple)
    ### BEGIN SOLUTION
    "pair": (2,
             3),  # a secret remark
    ("key", 2): {"nested": True},
    ### END SOLUTION
}
'''


def test_a_region_of_dict_entries_keeps_its_keys_with_placeholder_values():
    stub = strip_solutions(ANSWERS)
    assert stub == ANSWERS.replace('''    ### BEGIN SOLUTION
    "count": 1,
    ### END SOLUTION''', '''    "count": ...,  # YOUR ANSWER HERE''').replace('''    ### BEGIN SOLUTION
    "pair": (2,
             3),  # a secret remark
    ("key", 2): {"nested": True},
    ### END SOLUTION''', '''    "pair": ...,  # YOUR ANSWER HERE
    ("key", 2): ...,  # YOUR ANSWER HERE''')
    namespace: dict[str, object] = {}
    exec(compile(stub, "quiz.py", "exec"), namespace)  # the stub imports cleanly
    assert namespace["ANSWERS"] == {"count": ..., "pair": ..., ("key", 2): ...}
    # Statements, or a set, are not entries: those regions stay code stubs.
    a_set = "X = {\n    ### BEGIN SOLUTION\n    1, 2\n    ### END SOLUTION\n}\n"
    assert "NotImplementedError" in strip_solutions(a_set)


def test_write_stubs_needs_a_solutions_directory(tmp_path):
    with pytest.raises(CourseError):
        write_stubs(Path(tmp_path / "missing"), tmp_path / "exercises")


def test_helper_modules_are_neither_stubbed_nor_reported(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    (solutions / "net.py").write_text(SOURCE)
    (solutions / "_helpers.py").write_text("def shared():\n    return 1\n")  # no solution region: not an exercise
    (solutions / "__init__.py").write_text("")
    exercises.mkdir()
    (exercises / "_helpers.py").write_text("# the course's own copy, kept by hand\n")
    (exercises / "old.py").write_text("x = 1\n")  # a real orphan: an exercise without a solution

    report = write_stubs(solutions, exercises)
    assert report.stale == ("net.py",) and report.orphans == ("old.py",)
    assert sorted(p.name for p in exercises.iterdir()) == ["_helpers.py", "net.py", "old.py"]
    assert (exercises / "_helpers.py").read_text() == "# the course's own copy, kept by hand\n"
    assert write_stubs(solutions, exercises, check=True) == StubReport(stale=(), orphans=("old.py",))

    (exercises / "_helpers.py").unlink()
    assert write_stubs(solutions, exercises, check=True).stale == (), "a missing helper is not a stale stub"
