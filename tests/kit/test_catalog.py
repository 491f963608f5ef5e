"""Finding the course, its exercises and their check files."""

from __future__ import annotations

import pytest
from conftest import EXERCISES

from autograder.catalog import COURSE_ENV, Course, is_exercise_module
from autograder.errors import CourseError, UsageError


def test_exercises_with_titles_and_check_files(course):
    exercises = course.exercises()
    assert [ex.name for ex in exercises] == EXERCISES
    mlp = next(ex for ex in exercises if ex.name == "mlp")
    assert mlp.title.startswith("A multi-layer perceptron")
    assert "hidden layer" in mlp.explanation
    assert mlp.check_files(hidden=False) == (course.public / "test_mlp.py",)
    assert mlp.check_files(hidden=True) == (course.public / "test_mlp.py", course.hidden / "test_mlp.py")


def test_select_keeps_course_order_and_rejects_unknown_names(course):
    assert [ex.name for ex in course.select(["views", "mlp.py"])] == ["mlp", "views"]
    assert len(course.select([])) == len(EXERCISES)
    with pytest.raises(UsageError, match=rf"unknown exercise nope .*choose from {EXERCISES[0]}"):
        course.select(["nope"])


def test_course_is_found_from_a_subdirectory_or_the_environment(course, monkeypatch, tmp_path):
    monkeypatch.delenv(COURSE_ENV, raising=False)
    monkeypatch.chdir(course.exercises_dir)
    assert Course.find().root == course.root
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="no course found"):
        Course.find()
    monkeypatch.setenv(COURSE_ENV, str(course.root))
    assert Course.find().root == course.root
    with pytest.raises(UsageError, match="not a course directory"):
        Course.find(tmp_path)


def test_a_student_release_without_solutions_lists_exercises_from_the_stubs(tmp_path, course):
    import shutil

    shutil.copytree(course.exercises_dir, tmp_path / "exercises")
    shutil.copytree(course.public, tmp_path / "tests" / "public")
    release = Course(tmp_path)
    assert not release.has_solutions
    assert [ex.name for ex in release.exercises()] == EXERCISES
    assert all(ex.hidden_checks is None for ex in release.exercises())


def test_the_zygote_preloads_torch_and_the_libraries_the_course_uses(tmp_path):
    from autograder.catalog import Course

    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "vision.py").write_text(
        "import torch\nimport torchvision.transforms as T\nfrom numpy import linalg\nimport helpers\n"
        "from . import sibling\n")
    (tmp_path / "solutions" / "plain.py").write_text("import math\nimport torch.nn as nn\n")
    assert Course(tmp_path).preload() == ("torch", "numpy", "torchvision")  # never the course's own modules
    # Only the exercises graded: `--only plain` forks lighter students' processes.
    assert Course(tmp_path).preload(["plain"]) == ("torch",)
    # A check may build objects with a library in the student's process, so its imports count too.
    (tmp_path / "tests" / "hidden").mkdir(parents=True)
    (tmp_path / "tests" / "hidden" / "test_plain.py").write_text("import torchvision\n")
    assert Course(tmp_path).preload(["plain"]) == ("torch", "torchvision")
    (tmp_path / "solutions" / "vision.py").unlink()
    (tmp_path / "tests" / "hidden" / "test_plain.py").unlink()
    assert Course(tmp_path).preload() == ("torch",)


def test_helper_modules_are_not_exercises(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "tests" / "public").mkdir(parents=True)
    (tmp_path / "solutions" / "mlp.py").write_text('"""An MLP."""\n')
    (tmp_path / "solutions" / "_helpers.py").write_text('"""Shared code."""\n')
    (tmp_path / "solutions" / "__init__.py").write_text("")
    (tmp_path / "tests" / "public" / "test__helpers.py").write_text("")
    course = Course(tmp_path)
    assert [ex.name for ex in course.exercises()] == ["mlp"]
    with pytest.raises(UsageError, match="unknown exercise _helpers"):
        course.select(["_helpers"])  # so never graded, even when asked for
    (tmp_path / "solutions" / "mlp.py").unlink()
    with pytest.raises(CourseError, match="no exercise modules"):
        course.exercises()


@pytest.mark.parametrize(("name", "expected"), [
    ("mlp.py", True), ("views_2.py", True), ("_helpers.py", False), ("__init__.py", False), ("notes.txt", False),
])
def test_one_predicate_says_what_an_exercise_module_is(tmp_path, name, expected):
    assert is_exercise_module(tmp_path / name) is expected
