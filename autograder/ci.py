"""`autograder ci-template`: what a CI service or grading platform needs to grade this course.

One function, `write_ci_template`, writes into a new directory the files of one platform: the
workflow or scripts that install the kit and run `autograder grade` with the platform's format,
the course bundle they grade with (kit, checks, solutions), and where the platform wants it an
archive. Everything a student can read (the workflow in the hand-out repository) is kept apart
from the bundle, and holds no checks and no solutions. The templates are in
`autograder/templates/ci/<platform>/`.
"""

from __future__ import annotations

import math
import re
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from autograder.bundle import DISTRIBUTION, copy_course, copy_kit, prepare_output, render, zip_tree
from autograder.catalog import Course
from autograder.errors import CourseError, UsageError

__all__ = ["PLATFORMS", "PRAIRIELEARN_MAX_TIMEOUT", "TORCH_INDEX", "CiTemplate", "write_ci_template"]

PLATFORMS = ("github", "gitlab", "gradescope", "prairielearn")
#: CPU wheels: no CI runner or grading container here has a GPU, and the CUDA build is gigabytes.
TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
#: PrairieLearn kills a grading job after `timeout` seconds, at most 600 (docs/externalGrading.md).
PRAIRIELEARN_MAX_TIMEOUT = 600
#: Seconds a grading job needs besides the checks: Python, `import torch`, the sandbox's start.
_STARTUP_S = 60
#: Minutes a CI job needs to install Python, torch and the kit before it grades.
_INSTALL_MINUTES = 10
#: Minutes of grading a CI job allows when no --budget caps it.
_GRADE_MINUTES = 10
#: Packages that come from TORCH_INDEX rather than PyPI.
_TORCH_FAMILY = ("torch", "torchvision", "torchaudio")
#: Import names whose distribution is called otherwise (Course.preload gives import names).
_DISTRIBUTIONS = {"sklearn": "scikit-learn"}
_EXECUTABLE = stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH


@dataclass(frozen=True, slots=True)
class CiTemplate:
    """What `write_ci_template` wrote."""

    platform: str
    #: the directory written (OUT)
    root: Path
    #: every file written, sorted
    files: tuple[Path, ...]
    #: the archive to upload (Gradescope's autograder.zip), or None
    archive: Path | None
    #: what to upload or push where, a few lines for the command line to print
    next_steps: str


def write_ci_template(platform: str, course: Course, out: Path, *, time_limit: float | None = None,
                      budget: float | None = None) -> CiTemplate:
    """Write what `platform` needs to grade `course` into the new directory `out`.

    `time_limit` (seconds per check and device) and `budget` (seconds per submission) are passed
    to the grade command; left out, the course's settings (`autograder.toml`, which the bundle
    carries) decide. PrairieLearn's jobs are killed after at most 600 s, so there the budget
    defaults to what fits in that and may not exceed it.

    Raises:
        UsageError: an unknown platform, a bad limit, or `out` is not new or empty.
        CourseError: the course has no solutions/ (a bundle is made from the instructor's copy).
    """
    if platform not in PLATFORMS:
        raise UsageError(f"unknown platform {platform!r} (choose from {', '.join(PLATFORMS)})")
    if time_limit is not None and not time_limit > 0:
        raise UsageError(f"the time limit must be positive, got {time_limit:g}")
    if budget is not None and not budget > 0:
        raise UsageError(f"the budget must be positive, got {budget:g}")
    if platform == "prairielearn":
        most = PRAIRIELEARN_MAX_TIMEOUT - _STARTUP_S
        if budget is not None and budget > most:
            raise UsageError(f"PrairieLearn kills a grading job after {PRAIRIELEARN_MAX_TIMEOUT} s: the budget can "
                             f"be at most {most:g} s, got {budget:g}")
        budget = most if budget is None else budget
    if not course.has_solutions:
        raise CourseError(f"{course.root} has no solutions/: the CI bundle is made from the course's own copy")
    course.exercises()  # a broken course fails here, before anything is written
    root = prepare_output(out)
    try:
        archive, next_steps = _WRITERS[platform](course, root, _values(course, time_limit, budget))
    except BaseException:
        # `root` was empty (prepare_output): leave it so, not half a bundle.
        for child in root.iterdir():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
        raise
    files = tuple(sorted(path for path in root.rglob("*") if path.is_file()))
    return CiTemplate(platform=platform, root=root, files=files, archive=archive, next_steps=next_steps)


# --------------------------------------------------------------------------- platforms


def _github(course: Course, root: Path, values: dict[str, object]) -> tuple[Path | None, str]:
    _bundle(course, root / "course")
    _write(root / "student" / ".github" / "workflows" / "autograding.yml", "ci/github/autograding.yml.j2", values)
    return None, (f"push {root / 'course'} to a private repository; give the students' repositories the variable "
                  "AUTOGRADER_COURSE_REPO (its owner/name) and the secret AUTOGRADER_COURSE_TOKEN (a token that "
                  "can read it)\n"
                  f"copy {root / 'student' / '.github'} into the Classroom template repository (the hand-out from "
                  "`autograder release`) and push")


def _gitlab(course: Course, root: Path, values: dict[str, object]) -> tuple[Path | None, str]:
    _bundle(course, root / "course")
    _write(root / "student" / ".gitlab-ci.yml", "ci/gitlab/gitlab-ci.yml.j2", values)
    return None, (f"push {root / 'course'} to a private project; give the students' projects the CI/CD variables "
                  "AUTOGRADER_COURSE_REPO (host/path.git) and AUTOGRADER_COURSE_TOKEN (masked, read_repository)\n"
                  f"put {root / 'student' / '.gitlab-ci.yml'} in each student project, or in a project students "
                  "cannot write to, named as their CI/CD configuration file")


def _gradescope(course: Course, root: Path, values: dict[str, object]) -> tuple[Path | None, str]:
    source = root / "autograder"
    _bundle(course, source)
    _write(source / "setup.sh", "ci/gradescope/setup.sh.j2", values, executable=True)
    _write(source / "run_autograder", "ci/gradescope/run_autograder.j2", values, executable=True)
    # Gradescope wants setup.sh and run_autograder at the root of the zip, not in a folder.
    archive = zip_tree(source, root / "autograder.zip", prefix="")
    return archive, (f"upload {archive} in the assignment's Configure Autograder page (Zip file upload; base image "
                     "Ubuntu 22.04 or newer)\n"
                     "the results show one test per check; hidden checks appear once grades are published")


def _prairielearn(course: Course, root: Path, values: dict[str, object]) -> tuple[Path | None, str]:
    bundle = root / "serverFilesCourse" / "autograder"
    _bundle(course, bundle)
    _write(bundle / "run.sh", "ci/prairielearn/run.sh.j2", values, executable=True)
    _write(root / "Dockerfile", "ci/prairielearn/Dockerfile.j2", values)
    _write(root / "info.json", "ci/prairielearn/info.json.j2", values)
    return None, (f"copy {root / 'serverFilesCourse' / 'autograder'} into your PrairieLearn course's "
                  "serverFilesCourse/\n"
                  f"docker build -t {values['image']} {root} && docker push {values['image']} (use your own "
                  "Docker Hub name, then sync the image in PrairieLearn)\n"
                  f"merge {root / 'info.json'} into the question's info.json (with that image name)")


_WRITERS: dict[str, Callable[[Course, Path, dict[str, object]], tuple[Path | None, str]]] = {
    "github": _github, "gitlab": _gitlab, "gradescope": _gradescope, "prairielearn": _prairielearn}


# --------------------------------------------------------------------------- pieces


def _bundle(course: Course, dest: Path) -> None:
    """The kit and the whole course (solutions, hidden checks): what grades, never what students get."""
    copy_course(course, dest, hidden=True)
    copy_kit(dest)


def _write(path: Path, template: str, values: dict[str, object], *, executable: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(template, **values), encoding="utf-8")
    if executable:
        path.chmod(_EXECUTABLE)


def _values(course: Course, time_limit: float | None, budget: float | None) -> dict[str, object]:
    """What the templates fill in, the same for every platform."""
    from importlib.metadata import distribution

    kit = distribution(DISTRIBUTION)
    torch, others = _pins(course, kit.requires or [])
    options = " ".join([*([f"--time-limit {time_limit:g}"] if time_limit is not None else []),
                        *([f"--budget {budget:g}"] if budget is not None else [])])
    grade_minutes = math.ceil(budget / 60) if budget is not None else _GRADE_MINUTES
    return {
        "kit": DISTRIBUTION,
        "kit_version": kit.version,
        "torch_index": TORCH_INDEX,
        "torch_packages": " ".join(torch),
        "other_packages": " ".join(others),
        "grade_options": options,
        "job_minutes": _INSTALL_MINUTES + grade_minutes,
        # PrairieLearn sets a budget always (see write_ci_template): the job's timeout leaves start-up time.
        "pl_timeout": PRAIRIELEARN_MAX_TIMEOUT if budget is None
        else min(PRAIRIELEARN_MAX_TIMEOUT, math.ceil(budget + _STARTUP_S)),
        "image": f"your-dockerhub-user/{DISTRIBUTION}:{kit.version}",
    }


def _pins(course: Course, requires: list[str]) -> tuple[list[str], list[str]]:
    """`name==version` of the torch family (from TORCH_INDEX) and of the other libraries the
    exercises import (from PyPI), at the versions installed here: CI grades with what the
    instructor's machine grades with. The kit's own requirements come with `pip install` of it."""
    from importlib.metadata import PackageNotFoundError, version

    required = {re.split(r"[\s;<>=!~\[(]", r, maxsplit=1)[0].lower() for r in requires if "extra ==" not in r}
    wanted = {name for name in _TORCH_FAMILY if name in required}
    wanted |= {_DISTRIBUTIONS.get(module, module) for module in course.preload()}
    torch: list[str] = []
    others: list[str] = []
    for name in sorted(wanted):
        try:
            pin = f"{name}=={version(name).partition('+')[0]}"  # 2.14.1+cpu: the local label is the build's
        except PackageNotFoundError:
            pin = name
        (torch if name in _TORCH_FAMILY else others).append(pin)
    return torch, others
