"""`autograder ci-template`: each platform's files name the right commands, keep the course from
students, and, for Gradescope and PrairieLearn, really grade.

The Gradescope zip is unpacked into a fake /autograder (AUTOGRADER_ROOT), its kit installed from
the unpacked source into $root/venv as setup.sh does (torch borrowed from this machine: no
network), and run_autograder grades the reference and the stubs; PrairieLearn's run.sh grades the
reference in a fake /grade with the kit installed from what its Dockerfile copies. Both results
are checked against the platforms' schemas (tests/kit/schemas/).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, hidden_check_names, solution_lines
from render_cases import validate

from autograder import ci
from autograder.catalog import Course
from autograder.ci import PLATFORMS, CiTemplate, write_ci_template
from autograder.errors import UsageError

SAMPLE_STDERR = "graded submission/exercises: 7/10 (70%) → report.xml"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CiTemplate]:
    """Every platform's template, written once for the module."""
    base = tmp_path_factory.mktemp("ci")
    return {platform: write_ci_template(platform, Course(ROOT), base / platform) for platform in PLATFORMS}


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AUTOGRADER_COURSE", "AUTOGRADER_ROOT")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.update(extra)
    return env


def _run(command: list[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=600, **kwargs)


def _venv_with_kit(venv: Path, source: Path) -> Path:
    """A virtual environment with the kit installed from `source` (torch and the rest borrowed from
    this machine, which has no network), as setup.sh and the Dockerfile install it; its bin/."""
    env = _env()
    for command in ([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv],
                    [venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-deps",
                     "--no-build-isolation", source]):
        done = _run(command, env=env, cwd=venv.parent)
        assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    where = _run([venv / "bin" / "python", "-c", "import autograder; print(autograder.__file__)"], env=env,
                 cwd=venv.parent)
    assert Path(where.stdout.strip()).is_relative_to(venv), "the bundle's kit is the one installed"
    return venv / "bin"


# --------------------------------------------------------------------------- the function


def test_unknown_platform_is_a_usage_error_naming_the_choices(tmp_path):
    with pytest.raises(UsageError, match="github, gitlab, gradescope, prairielearn"):
        write_ci_template("jenkins", Course(ROOT), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_output_must_be_new_or_empty(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="already exists"):
        write_ci_template("github", Course(ROOT), tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["notes.txt"]


def test_a_failure_half_way_leaves_the_output_empty(tmp_path, monkeypatch):
    def broken(dest: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(ci, "copy_kit", broken)
    with pytest.raises(OSError, match="disk full"):
        write_ci_template("gradescope", Course(ROOT), tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_prairielearn_refuses_a_budget_its_timeout_cannot_hold(tmp_path):
    with pytest.raises(UsageError, match="at most 540"):
        write_ci_template("prairielearn", Course(ROOT), tmp_path / "out", budget=541)


def test_the_result_lists_every_file_and_says_where_things_go(made):
    for platform, template in made.items():
        assert template.platform == platform
        assert list(template.files) == sorted(p for p in template.root.rglob("*") if p.is_file())
        assert 2 <= len(template.next_steps.splitlines()) <= 4
    assert made["gradescope"].archive == made["gradescope"].root / "autograder.zip"
    assert str(made["gradescope"].archive) in made["gradescope"].next_steps
    assert {made[p].archive for p in ("github", "gitlab", "prairielearn")} == {None}
    for platform in ("github", "gitlab"):
        assert "AUTOGRADER_COURSE_REPO" in made[platform].next_steps
        assert "AUTOGRADER_COURSE_TOKEN" in made[platform].next_steps
    assert "docker build" in made["prairielearn"].next_steps


def test_limits_reach_every_grade_command(tmp_path):
    scripts = {
        "github": "student/.github/workflows/autograding.yml", "gitlab": "student/.gitlab-ci.yml",
        "gradescope": "autograder/run_autograder", "prairielearn": "serverFilesCourse/autograder/run.sh"}
    for platform, script in scripts.items():
        root = write_ci_template(platform, Course(ROOT), tmp_path / platform, time_limit=2.5, budget=120).root
        grade = [line for line in (root / script).read_text().splitlines()
                 if "--time-limit" in line and not line.lstrip().startswith("#")]
        assert len(grade) == 1 and "--time-limit 2.5 --budget 120" in grade[0], platform
    info = json.loads((tmp_path / "prairielearn" / "info.json").read_text())
    assert info["externalGradingOptions"]["timeout"] == 180  # the budget and a minute to start


# --------------------------------------------------------------------------- GitHub


def _workflow(made: dict[str, CiTemplate]) -> dict[Any, Any]:
    return yaml.safe_load((made["github"].root / "student/.github/workflows/autograding.yml").read_text())


def test_the_github_workflow_checks_out_both_repositories_and_grades(made):
    workflow = _workflow(made)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"push", "workflow_dispatch"}
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    assert isinstance(job["timeout-minutes"], int) and 10 < job["timeout-minutes"] <= 60
    steps = job["steps"]
    checkouts = [s["with"] for s in steps if s.get("uses", "").startswith("actions/checkout@")]
    assert [c["path"] for c in checkouts] == ["submission", "course"]
    assert all(c["persist-credentials"] is False for c in checkouts)  # no token on disk for student code
    assert "repository" not in checkouts[0] and "token" not in checkouts[0]
    assert checkouts[1]["repository"] == "${{ vars.AUTOGRADER_COURSE_REPO }}"
    assert checkouts[1]["token"] == "${{ secrets.AUTOGRADER_COURSE_TOKEN }}"
    (python,) = [s["with"] for s in steps if s.get("uses", "").startswith("actions/setup-python@")]
    assert python["python-version"] == "3.11"
    runs = [s["run"] for s in steps if "run" in s]
    install = next(r for r in runs if "pip install" in r)
    assert f"--index-url {ci.TORCH_INDEX} torch=={version('torch').partition('+')[0]}" in install
    assert "python -m pip install ./course" in install
    (grade,) = [r for r in runs if "autograder grade" in r]
    assert grade.rstrip() == "autograder grade submission/exercises --course course --format github"
    assert "--output" not in grade  # the job summary and the Classroom notice, not a file
    assert runs.index(grade) == len(runs) - 1 and runs.index(install) < runs.index(grade)


def test_the_github_workflow_fails_plainly_without_its_settings(made):
    (job,) = _workflow(made)["jobs"].values()
    first = job["steps"][0]
    assert first["if"] == "vars.AUTOGRADER_COURSE_REPO == ''"
    assert "::error::" in first["run"] and "exit 1" in first["run"]


# --------------------------------------------------------------------------- GitLab


def _gitlab_job(made: dict[str, CiTemplate]) -> dict[str, Any]:
    config = yaml.safe_load((made["gitlab"].root / "student/.gitlab-ci.yml").read_text())
    (job,) = config.values()
    return dict(job)


def test_the_gitlab_job_clones_the_course_and_reports_junit(made):
    job = _gitlab_job(made)
    assert job["image"] == "python:3.11"
    assert job["artifacts"] == {"when": "always", "reports": {"junit": "report.xml"}}
    script = job["script"]
    (clone,) = [line for line in script if line.startswith("git clone")]
    assert "${AUTOGRADER_COURSE_TOKEN}@${AUTOGRADER_COURSE_REPO}" in clone and '"$COURSE"' in clone
    forget = script.index(clone) + 1
    assert "rm -rf \"$COURSE/.git\"" in script[forget] and "unset AUTOGRADER_COURSE_TOKEN" in script[forget]
    (grade,) = [line for line in script if line.startswith("autograder grade")]
    assert grade.rstrip() == 'autograder grade exercises --course "$COURSE" --format junit --output report.xml'
    assert forget < script.index(grade)  # the token is gone before student code runs
    assert 'python -m pip install "$COURSE"' in script


def test_the_gitlab_coverage_reads_the_score_percent(made):
    coverage = _gitlab_job(made)["coverage"]
    assert coverage.startswith("/") and coverage.endswith("/")
    pattern = re.compile(coverage[1:-1])
    assert pattern.search(SAMPLE_STDERR).group(1) == "70"
    assert pattern.search("graded exercises: 2/3 (66.6667%) → report.xml").group(1) == "66.6667"
    assert pattern.search("graded exercises: 7/10 → report.xml") is None


# --------------------------------------------------------------------------- what students get, and what not


def test_students_files_hold_no_solution_line_and_no_hidden_check(made):
    course = Course(ROOT)
    lines, names = solution_lines(course), hidden_check_names(course)
    assert len(lines) > 50 and len(names) > 30, "the search must look for something"
    student = {"github": [".github/workflows/autograding.yml"], "gitlab": [".gitlab-ci.yml"]}
    for platform, expected in student.items():
        files = _files(made[platform].root / "student")
        assert list(files) == expected
        text = "\n".join(data.decode() for data in files.values())
        assert [line for line in lines if line in text] == []
        assert [name for name in names if name in text] == []


@pytest.mark.parametrize(("platform", "bundle"), [
    ("github", "course"), ("gitlab", "course"), ("gradescope", "autograder"),
    ("prairielearn", "serverFilesCourse/autograder")])
def test_the_bundle_holds_the_kit_and_the_whole_course(made, platform, bundle):
    files = _files(made[platform].root / bundle)
    course = Course(ROOT)
    for exercise in course.exercises():
        for path in (f"solutions/{exercise.name}.py", f"exercises/{exercise.name}.py",
                     f"tests/public/test_{exercise.name}.py", f"tests/hidden/test_{exercise.name}.py"):
            assert path in files, path
        assert files[f"solutions/{exercise.name}.py"] == (ROOT / f"solutions/{exercise.name}.py").read_bytes()
    assert "pyproject.toml" in files and "autograder/cli.py" in files and "autograder/ci.py" in files


def test_the_prairielearn_image_is_built_from_the_kit_alone(made):
    dockerfile = (made["prairielearn"].root / "Dockerfile").read_text()
    instructions = [line for line in dockerfile.splitlines() if line and not line.startswith(("#", " "))]
    assert instructions[0] == "FROM python:3.11-slim"
    copies = [line.split()[1] for line in instructions if line.startswith("COPY")]
    # The image may be public: no check, solution or stub goes in.
    assert copies == ["serverFilesCourse/autograder/pyproject.toml", "serverFilesCourse/autograder/autograder"]
    (torch,) = [line for line in instructions if "torch==" in line]
    assert torch.startswith("RUN ") and f"--index-url {ci.TORCH_INDEX}" in torch


# --------------------------------------------------------------------------- shell scripts


def _bash_syntax(text: str, where: str) -> None:
    done = _run(["bash", "-n"], input=text)
    assert done.returncode == 0, f"{where}: {done.stderr}"


def test_shell_scripts_parse(made):
    for path in (made["gradescope"].root / "autograder/setup.sh", made["gradescope"].root / "autograder/run_autograder",
                 made["prairielearn"].root / "serverFilesCourse/autograder/run.sh"):
        assert path.read_text().startswith("#!/usr/bin/env bash\n")
        assert path.stat().st_mode & 0o777 == 0o755
        _bash_syntax(path.read_text(), str(path))
    (job,) = _workflow(made)["jobs"].values()
    for step in job["steps"]:
        if "run" in step:
            _bash_syntax(step["run"], f"github step {step.get('name')}")
    _bash_syntax("\n".join(_gitlab_job(made)["script"]), "the gitlab script")


# --------------------------------------------------------------------------- Gradescope


def test_the_gradescope_zip_has_its_scripts_at_the_root(made, tmp_path):
    archive = made["gradescope"].archive
    assert archive is not None
    source = made["gradescope"].root / "autograder"
    with zipfile.ZipFile(archive) as zf:
        zipped = {info.filename: zf.read(info) for info in zf.infolist()}
    assert zipped == _files(source)
    assert {"setup.sh", "run_autograder"} <= set(zipped)
    unpacked = _unzip(archive, tmp_path / "source")
    for script in ("setup.sh", "run_autograder"):
        assert os.access(unpacked / script, os.X_OK), f"{script} is not executable once unzipped"


def _unzip(archive: Path, dest: Path) -> Path:
    """Unpack as Gradescope does: with the permission bits the zip records."""
    dest.mkdir(parents=True, exist_ok=True)
    if shutil.which("unzip"):
        done = _run(["unzip", "-q", archive, "-d", dest])
        assert done.returncode == 0, done.stderr
        return dest
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            zf.extract(info, dest)
            mode = stat.S_IMODE(info.external_attr >> 16)
            if mode:
                (dest / info.filename).chmod(mode)
    return dest


@pytest.fixture(scope="module")
def gradescope_root(made, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fake /autograder: the zip unpacked into source/, the kit installed into venv/ as setup.sh does."""
    archive = made["gradescope"].archive
    assert archive is not None
    root = tmp_path_factory.mktemp("gradescope") / "autograder"
    _unzip(archive, root / "source")
    _venv_with_kit(root / "venv", root / "source")
    return root


def _grade_on_gradescope(root: Path, modules: list[Path]) -> subprocess.CompletedProcess[str]:
    shutil.rmtree(root / "submission", ignore_errors=True)
    (root / "submission").mkdir()
    for module in modules:
        shutil.copy(module, root / "submission" / module.name)
    # The PATH of a bare machine: run_autograder must find the kit in venv/ itself.
    return _run(["bash", root / "source" / "run_autograder"], cwd=root,
                env=_env(AUTOGRADER_ROOT=str(root), PATH="/usr/bin:/bin"))


@pytest.mark.parametrize("case", ["reference", "stubs"])
def test_run_autograder_writes_a_valid_results_json(gradescope_root, case):
    modules = sorted((ROOT / ("solutions" if case == "reference" else "exercises")).glob("[!_]*.py"))
    done = _grade_on_gradescope(gradescope_root, modules)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == "" and "→" in done.stdout  # everything for the instructors' stdout file
    data = json.loads((gradescope_root / "results" / "results.json").read_text())
    validate("gradescope", data)
    maximum = sum(test["max_score"] for test in data["tests"])
    assert maximum > 0 and data["extra_data"]["max_score"] == maximum
    assert data["score"] == (maximum if case == "reference" else 0)
    assert {test["visibility"] for test in data["tests"]} == {"visible", "after_published"}


def test_run_autograder_leaves_no_grade_when_grading_fails(gradescope_root):
    results = gradescope_root / "results" / "results.json"
    results.parent.mkdir(exist_ok=True)
    results.write_text('{"score": 100}')  # as student code might, before the grader fails
    shutil.rmtree(gradescope_root / "submission", ignore_errors=True)
    done = _run(["bash", gradescope_root / "source" / "run_autograder"], cwd=gradescope_root,
                env=_env(AUTOGRADER_ROOT=str(gradescope_root), PATH="/usr/bin:/bin"))
    assert done.returncode == 2
    assert not results.exists()
    assert "error:" in done.stdout and "no grade recorded" in done.stdout and done.stderr == ""


# --------------------------------------------------------------------------- PrairieLearn


def test_the_prairielearn_question_options(made):
    root = made["prairielearn"].root
    info = json.loads((root / "info.json").read_text())
    assert info["gradingMethod"] == "External"
    options = info["externalGradingOptions"]
    assert options["enabled"] is True
    assert isinstance(options["timeout"], int) and 0 < options["timeout"] <= ci.PRAIRIELEARN_MAX_TIMEOUT
    assert options["serverFilesCourse"] == ["autograder/"]
    # PrairieLearn copies serverFilesCourse/X to /grade/serverFilesCourse/X.
    entrypoint = Path(options["entrypoint"])
    assert entrypoint.is_relative_to("/grade/serverFilesCourse/autograder")
    assert (root / entrypoint.relative_to("/grade")).is_file()
    assert options["image"] in (root / "Dockerfile").read_text()
    # Without --budget the grading still ends before PrairieLearn kills the job.
    assert "--budget 540" in (root / "serverFilesCourse/autograder/run.sh").read_text()


def test_run_sh_grades_into_grade_results(made, tmp_path):
    bundle = made["prairielearn"].root / "serverFilesCourse" / "autograder"
    image = tmp_path / "image"  # what the Dockerfile copies into the image, installed as it installs it
    image.mkdir()
    shutil.copy(bundle / "pyproject.toml", image / "pyproject.toml")
    shutil.copytree(bundle / "autograder", image / "autograder")
    bin_dir = _venv_with_kit(tmp_path / "venv", image)
    grade = tmp_path / "grade"
    shutil.copytree(made["prairielearn"].root / "serverFilesCourse", grade / "serverFilesCourse")
    (grade / "student").mkdir()
    for module in (ROOT / "solutions").glob("[!_]*.py"):
        shutil.copy(module, grade / "student" / module.name)
    done = _run(["bash", grade / "serverFilesCourse/autograder/run.sh"], cwd=tmp_path,
                env=_env(AUTOGRADER_ROOT=str(grade), PATH=f"{bin_dir}:/usr/bin:/bin"))
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads((grade / "results" / "results.json").read_text())
    validate("prairielearn", data)
    assert data["score"] == 1 and data["tests"] and all(t["points"] == t["max_points"] for t in data["tests"])
