"""The command line: one verb per job, each mapping its options onto the library.

    autograder check [EXERCISE …]          a student's local grade (public checks)
    autograder grade SUBMISSION            a full grade (public and hidden checks)
    autograder batch SUBMISSIONS           grade a whole course into an SQLite gradebook
    autograder export GRADEBOOK            the gradebook's grades as CSV, a Canvas import or JSON
    autograder report GRADEBOOK OUT.html   the class report: scores, pass rates, failing checks
    autograder audit [EXERCISE …]          how strong the checks are: grade mutants of the reference
    autograder stubs [--check]             regenerate exercises/ from solutions/
    autograder release OUT                 the students' hand-out (directory and .zip)
    autograder ci-template PLATFORM OUT    a CI set-up that grades each submission
    autograder nbgrader build COURSE_DIR   write an nbgrader course graded by the kit

Usage mistakes print one ``error:`` line; an unexpected failure prints one line too, unless
``--debug`` asks for the traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from enum import IntEnum
from pathlib import Path
from typing import Any, NoReturn, TextIO

from autograder.errors import CourseError, GraderError, SandboxError

__all__ = ["ExitCode", "main"]



class ExitCode(IntEnum):
    """What the process exit status means."""

    OK = 0  #: graded (whatever the score), stubs up to date, or an audit with no survivor
    NOT_PASSING = 1  #: the score is below --fail-under, exercises/ is out of date, or a mutant survived
    USAGE_ERROR = 2  #: a bad command line, an unknown exercise, a submission that cannot be opened
    COURSE_ERROR = 3  #: the course or this machine cannot grade (a broken check file, no sandbox)
    INTERNAL_ERROR = 4  #: a bug in the grader: rerun with --debug and report the traceback


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line, not argparse's usage block."""
        self.exit(ExitCode.USAGE_ERROR, f"error: {message} (see `{self.prog} --help`)\n")


def _formats() -> list[str]:
    from autograder.render import RENDERERS

    return sorted(RENDERERS)


def _parser() -> argparse.ArgumentParser:
    from autograder.bundle import kit_version

    parser = _Parser(prog="autograder", description="Grade PyTorch exercises against hidden checks.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {kit_version()}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--course", metavar="DIR", help="the course directory (default: found from the "
                         "working directory, or $AUTOGRADER_COURSE)")
        sub.add_argument("--format", choices=_formats(), default="table", help="output format (default: table)")
        sub.add_argument("--runner", choices=("sandbox", "inprocess"), default="sandbox",
                         help="sandbox: student code in a confined child process (default); inprocess: in "
                              "this process, unprotected, for debugging checks")
        sub.add_argument("--time-limit", type=float, metavar="SECONDS",
                         help="seconds each check may take on each device (default: the course's "
                              "autograder.toml, else 10)")
        sub.add_argument("--fail-under", type=float, metavar="PCT",
                         help="exit with status 1 when the score is below PCT percent")
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    check = commands.add_parser("check", help="run the public checks on your exercises (a local grade)",
                                description="Run the public checks on your exercises and show how you stand.")
    check.add_argument("exercises", nargs="*", metavar="EXERCISE", help="only these exercises (default: all)")
    check.add_argument("--path", metavar="DIR", help="the directory with your exercise files (default: exercises/)")
    common(check)
    check.set_defaults(handler=_check)

    grade = commands.add_parser("grade", help="grade a submission with public and hidden checks",
                                description="Grade a submission (a directory of exercise modules, a .zip of "
                                            "one, or a single .py file) with the public and hidden checks.")
    grade.add_argument("submission", metavar="SUBMISSION")
    grade.add_argument("--only", nargs="+", default=[], metavar="EXERCISE", help="grade only these exercises")
    grade.add_argument("--output", metavar="FILE", help="write the result to FILE instead of the terminal")
    grade.add_argument("--reveal", action="store_true",
                       help="hidden checks show expected values in their messages too (an instructor's view; "
                            "never hand such a result to students)")
    grade.add_argument("--budget", type=float, metavar="SECONDS",
                       help="time for the whole submission; later checks time out once it is spent "
                            "(default: the course's autograder.toml, else 120)")
    common(grade)
    grade.set_defaults(handler=_grade)

    batch = commands.add_parser(
        "batch", help="grade every submission in a folder into a gradebook (resumable)",
        description="Grade every submission in SUBMISSIONS (each folder, .zip, .py or .ipynb; its name is the "
                    "student id) into an SQLite gradebook, each result committed as it is known. A rerun grades "
                    "only what is new or changed, or what the checks changed for.")
    batch.add_argument("submissions", metavar="SUBMISSIONS", help="the folder of submissions")
    batch.add_argument("--workers", type=int, metavar="N", help="warm graders side by side (default: one per CPU)")
    batch.add_argument("--gradebook", metavar="PATH", help="the gradebook file (default: gradebook.sqlite next to "
                       "SUBMISSIONS)")
    batch.add_argument("--force", action="store_true", help="regrade submissions already in the gradebook")
    batch.add_argument("--only", nargs="+", default=[], metavar="EXERCISE", help="grade only these exercises")
    batch.add_argument("--scheduler", metavar="ADDRESS", help="grade on the Dask cluster at ADDRESS "
                       "(tcp://host:8786) instead of local workers")
    batch.add_argument("--resources", nargs="+", default=[], metavar="NAME=N",
                       help="with --scheduler: what each submission's task takes of a worker (e.g. GPU=1: only "
                            "workers started with --resources GPU=1 grade, so every check also runs on cuda)")
    batch.add_argument("--course", metavar="DIR", help="the course directory")
    batch.add_argument("--runner", choices=("sandbox", "inprocess"), default="sandbox", help=argparse.SUPPRESS)
    batch.add_argument("--time-limit", type=float, metavar="SECONDS",
                       help="seconds each check may take on each device (default: the course's "
                            "autograder.toml, else 10)")
    batch.add_argument("--budget", type=float, metavar="SECONDS",
                       help="time for each whole submission (default: the course's autograder.toml, else 120)")
    batch.add_argument("--scaled-limits", action=argparse.BooleanOptionalAction, default=True,
                       help="time the reference first and give each check 20 times its time, at least 2 s and at "
                            "most the time limit, so a hang costs seconds, not the whole limit (default: on)")
    batch.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    batch.set_defaults(handler=_batch)

    from autograder.export import DEFAULT_ASSIGNMENT, FORMATS

    export = commands.add_parser(
        "export", help="write the gradebook's grades as CSV, a Canvas gradebook import, or JSON",
        description="Write each student's latest grade from GRADEBOOK (made by `autograder batch`): csv (points per "
                    "exercise, total, percent, why not graded), canvas (Canvas's gradebook import file) or json "
                    "(every result in the kit's result format).")
    export.add_argument("gradebook", metavar="GRADEBOOK", help="the gradebook file")
    export.add_argument("--format", choices=FORMATS, default="csv", help="csv (default), canvas or json")
    export.add_argument("--output", metavar="FILE", help="write to FILE instead of the terminal")
    export.add_argument("--assignment", metavar="NAME", default=DEFAULT_ASSIGNMENT,
                        help=f"the Canvas assignment column, e.g. 'PyTorch basics (1234)' to update assignment "
                             f"1234 (default: {DEFAULT_ASSIGNMENT})")
    export.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    export.set_defaults(handler=_export)

    report = commands.add_parser(
        "report", help="write the class report (one HTML page) from a gradebook",
        description="Write the class report of GRADEBOOK to OUT.html: one self-contained page with the score "
                    "distribution, pass rates per exercise and check, the checks the class fails most, statuses, "
                    "grading times, who was not graded and why, and the batch runs.")
    report.add_argument("gradebook", metavar="GRADEBOOK", help="the gradebook file")
    report.add_argument("out", metavar="OUT.html", help="the HTML file to write")
    report.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    report.set_defaults(handler=_report)

    from autograder.audit_report import FORMATS as AUDIT_FORMATS

    audit = commands.add_parser(
        "audit", help="measure the checks: grade mutants of the reference solutions",
        description="Make mutants of each exercise's reference solution (one small change inside a solution region: "
                    "the mistakes students make) and grade each with the exercise's public and hidden checks. A "
                    "mutant that keeps full marks survived: a mistake the checks let through. Exits with status 1 "
                    "when one survives or tests/audit.toml is wrong.")
    audit.add_argument("exercises", nargs="*", metavar="EXERCISE", help="only these exercises (default: all)")
    audit.add_argument("--operators", nargs="+", default=[], metavar="NAME",
                       help="only these operators, or groups 'general' and 'pytorch' (default: all; see "
                            "--list-operators)")
    audit.add_argument("--list-operators", action="store_true", help="list the operators and what each changes")
    audit.add_argument("--format", choices=AUDIT_FORMATS, default="table", help="table (default), json or html")
    audit.add_argument("--output", metavar="FILE", help="write the report to FILE instead of the terminal")
    audit.add_argument("--jobs", type=int, metavar="N", help="graders side by side (default: one per CPU)")
    audit.add_argument("--time-limit", type=float, metavar="SECONDS",
                       help="seconds each check may take on a mutant (default: the course's, as for students; a "
                            "mutant that loops is killed by its timeout)")
    audit.add_argument("--course", metavar="DIR", help="the course directory")
    audit.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    audit.set_defaults(handler=_audit)

    stubs = commands.add_parser("stubs", help="write exercises/ from solutions/",
                                description="Write the student stubs in exercises/ from solutions/ "
                                            "(solution regions become `raise NotImplementedError`).")
    stubs.add_argument("--check", action="store_true", help="only report whether exercises/ is up to date")
    stubs.add_argument("--course", metavar="DIR", help="the course directory")
    stubs.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    stubs.set_defaults(handler=_stubs)

    release = commands.add_parser(
        "release", help="write the students' hand-out: stubs, public checks, the local grader",
        description="Write the students' hand-out into the new directory OUT and OUT.zip: exercises/ (fresh "
                    "stubs), the public checks, the kit that runs `autograder check`, and a README for "
                    "students. Nothing of solutions/ or tests/hidden/ goes in.")
    release.add_argument("out", metavar="OUT", help="the directory to write (must not exist, or be empty)")
    release.add_argument("--course", metavar="DIR", help="the course directory")
    release.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    release.set_defaults(handler=_release)

    from autograder.ci import PLATFORMS

    ci = commands.add_parser(
        "ci-template", help="write a CI set-up that grades each submission (GitHub, GitLab, Gradescope, "
                            "PrairieLearn)",
        description="Write into the new directory OUT what PLATFORM needs to grade each submission with this "
                    "course's public and hidden checks, and say where each part goes.")
    ci.add_argument("platform", choices=PLATFORMS, metavar="PLATFORM", help=f"one of {', '.join(PLATFORMS)}")
    ci.add_argument("out", metavar="OUT", help="the directory to write (must not exist, or be empty)")
    ci.add_argument("--course", metavar="DIR", help="the course directory")
    ci.add_argument("--time-limit", type=float, metavar="SECONDS",
                    help="seconds each check may take on each device, in the graded runs (default: the "
                         "course's autograder.toml, which the bundle carries)")
    ci.add_argument("--budget", type=float, metavar="SECONDS",
                    help="time for each whole submission (default: as --time-limit)")
    ci.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    ci.set_defaults(handler=_ci_template)

    nbgrader = commands.add_parser("nbgrader", help="run the course in nbgrader, graded by the kit",
                                   description="Run the course in nbgrader, its grade cells and autograding "
                                               "done by the kit's checks in the kit's sandbox.")
    nbgrader_commands = nbgrader.add_subparsers(dest="nbgrader_command", required=True, metavar="COMMAND",
                                                parser_class=_Parser)
    build = nbgrader_commands.add_parser(
        "build", help="write an nbgrader course (config and source notebooks) from this course",
        description="Write an nbgrader course into COURSE_DIR: nbgrader_config.py (autograding with the kit) and "
                    "source/ASSIGNMENT/EXERCISE.ipynb per exercise, made from solutions/ and the checks.")
    build.add_argument("course_dir", metavar="COURSE_DIR", help="the nbgrader course directory to write")
    # Unset options are left out of the call: the defaults live in build_course's signature.
    build.add_argument("--assignment", metavar="NAME", default=argparse.SUPPRESS,
                       help="the nbgrader assignment id (default: ps1)")
    build.add_argument("--exercise", nargs="+", metavar="EXERCISE", default=argparse.SUPPRESS,
                       help="only these exercises (default: all)")
    build.add_argument("--course", metavar="DIR", help="the kit course (default: found from the working directory, "
                       "or $AUTOGRADER_COURSE)")
    build.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    build.set_defaults(handler=_nbgrader_build)
    return parser


# --------------------------------------------------------------------------- commands


def _stubs(args: argparse.Namespace) -> int:
    from autograder.catalog import Course
    from autograder.stubs import write_stubs

    course = Course.find(args.course)
    report = write_stubs(course.solutions, course.exercises_dir, check=args.check)
    for name in report.orphans:
        print(f"warning: exercises/{name} has no solution in solutions/", file=sys.stderr)
    if args.check:
        if report.stale:
            print(f"exercises/ is out of date: {', '.join(report.stale)} (run `autograder stubs`)")
            return ExitCode.NOT_PASSING
        print("exercises/ is up to date")
        return ExitCode.OK
    print(f"wrote {len(report.stale)} stub(s)" + (f": {', '.join(report.stale)}" if report.stale else ""))
    return ExitCode.OK


def _audit(args: argparse.Namespace) -> int:
    from autograder.errors import UsageError
    from autograder.mutants import OPERATORS, operators_named

    if args.list_operators:
        from rich.console import Console
        from rich.table import Table

        table = Table("operator", "group", "what it changes", title="mutation operators")
        for op in OPERATORS:
            table.add_row(op.name, op.group, op.description)
        Console().print(table)
        return ExitCode.OK
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {args.jobs}")
    if args.time_limit is not None and not args.time_limit > 0:
        raise UsageError(f"--time-limit must be positive, got {args.time_limit:g}")
    try:
        operators = operators_named(args.operators) if args.operators else OPERATORS
    except CourseError as error:
        raise UsageError(str(error)) from None
    from autograder.audit import run_audit
    from autograder.audit_report import write_audit
    from autograder.catalog import Course
    from autograder.console import grading_progress

    course = Course.find(args.course)
    course.select(args.exercises)  # an unknown exercise is a usage error before anything starts
    jobs = args.jobs or min(os.cpu_count() or 1, len(course.select(args.exercises)))
    with grading_progress(enabled=True) as progress:
        report = run_audit(course, exercises=args.exercises, operators=operators, jobs=jobs,
                           time_limit=args.time_limit, on_made=progress.start,
                           on_verdict=lambda verdict: progress.advance(verdict.mutant.exercise, verdict.status))
    if args.output:
        with _atomic_write(Path(args.output)) as stream:
            if args.format == "table":
                from rich.console import Console

                write_audit(report, "table", stream, console=Console(file=stream, width=120))
            else:
                write_audit(report, args.format, stream)
        survivors = len(report.survivors)
        print(f"audited {sum(ex.made for ex in report.exercises)} mutants: {survivors} survived → {args.output}",
              file=sys.stderr)
    else:
        write_audit(report, args.format, sys.stdout)
    return ExitCode.OK if report.ok else ExitCode.NOT_PASSING


def _batch(args: argparse.Namespace) -> int:
    from autograder.batch import GradingOptions, LocalWorkers, run_batch
    from autograder.catalog import Course
    from autograder.errors import UsageError

    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be at least 1, got {args.workers}")
    for name in ("time_limit", "budget"):
        if getattr(args, name) is not None and getattr(args, name) <= 0:
            raise UsageError(f"--{name.replace('_', '-')} must be positive, got {getattr(args, name):g}")
    course = Course.find(args.course)
    folder = Path(args.submissions)
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a directory of submissions")
    course.select(args.only)  # an unknown exercise is a usage error before any worker starts
    gradebook = Path(args.gradebook) if args.gradebook else folder.resolve().parent / "gradebook.sqlite"
    options = GradingOptions(course=str(course.root), only=tuple(args.only), time_limit=args.time_limit,
                             budget=args.budget, runner=args.runner, scaled_limits=args.scaled_limits)
    if args.resources and not args.scheduler:
        raise UsageError("--resources needs --scheduler (they are what tasks take of a Dask worker)")
    if args.scheduler:
        from autograder.distributed import DaskWorkers

        backend: Any = DaskWorkers(options, args.scheduler, resources=_resources(args.resources))
    else:
        backend = LocalWorkers(options, args.workers)
    from autograder.console import BatchProgress, print_batch_summary

    with BatchProgress(backend.workers, backend.scheduler) as progress:
        try:
            summary = run_batch(course, folder, gradebook=gradebook, backend=backend, only=args.only,
                                force=args.force, on_found=progress.found, on_recorded=progress.recorded)
        finally:
            backend.close()
    print_batch_summary(summary, gradebook)
    return ExitCode.OK


def _resources(specs: Sequence[str]) -> dict[str, float]:
    from autograder.errors import UsageError

    resources = {}
    for spec in specs:
        name, _, amount = spec.partition("=")
        try:
            resources[name.strip()] = float(amount)
        except ValueError:
            raise UsageError(f"--resources takes NAME=N (e.g. GPU=1), got {spec!r}") from None
        if not name.strip() or resources[name.strip()] <= 0:
            raise UsageError(f"--resources takes NAME=N with N > 0 (e.g. GPU=1), got {spec!r}")
    return resources


def _export(args: argparse.Namespace) -> int:
    from autograder.export import export
    from autograder.gradebook import Gradebook

    with Gradebook(Path(args.gradebook), create=False) as gradebook:
        if args.output:
            with _atomic_write(Path(args.output)) as stream:
                export(gradebook, args.format, stream, assignment=args.assignment)
            print(f"wrote {args.format} of {args.gradebook} to {args.output}", file=sys.stderr)
        else:
            export(gradebook, args.format, sys.stdout, assignment=args.assignment)
    return ExitCode.OK


def _report(args: argparse.Namespace) -> int:
    from autograder.gradebook import Gradebook
    from autograder.report import render_report

    with Gradebook(Path(args.gradebook), create=False) as gradebook, _atomic_write(Path(args.out)) as stream:
        render_report(gradebook, stream)
    print(f"wrote the class report of {args.gradebook} to {args.out}")
    return ExitCode.OK


def _release(args: argparse.Namespace) -> int:
    from autograder.catalog import Course
    from autograder.handout import write_handout

    handout = write_handout(Course.find(args.course), Path(args.out))
    print(f"wrote the hand-out of {len(handout.exercises)} exercise(s) ({', '.join(handout.exercises)}) "
          f"in {handout.root} and {handout.archive}")
    return ExitCode.OK


def _ci_template(args: argparse.Namespace) -> int:
    from autograder.catalog import Course
    from autograder.ci import write_ci_template
    from autograder.errors import UsageError

    if (args.time_limit is not None and args.time_limit <= 0) or (args.budget is not None and args.budget <= 0):
        raise UsageError("--time-limit and --budget must be positive")
    made = write_ci_template(args.platform, Course.find(args.course), Path(args.out),
                             time_limit=args.time_limit, budget=args.budget)
    print(f"wrote {len(made.files)} file(s) for {made.platform} in {made.root}"
          + (f" and {made.archive}" if made.archive else ""))
    print(made.next_steps)
    return ExitCode.OK


def _nbgrader_build(args: argparse.Namespace) -> int:
    from autograder.catalog import Course
    from autograder.nbgrader import build_course

    options = {name: getattr(args, attr) for name, attr in (("assignment", "assignment"), ("exercises", "exercise"))
               if hasattr(args, attr)}
    built = build_course(Course.find(args.course), Path(args.course_dir), **options)
    total = sum(built.points.values())
    print(f"wrote {built.config} and {len(built.notebooks)} notebook(s) in {built.root / 'source' / built.assignment} "
          f"({', '.join(f'{name} {points:g}' for name, points in built.points.items())}: {total:g} points)")
    print(f"next: cd {built.root} && nbgrader generate_assignment {built.assignment}")
    return ExitCode.OK


def _check(args: argparse.Namespace) -> int:
    from autograder.catalog import Course

    course = Course.find(args.course)
    submission = Path(args.path) if args.path else course.exercises_dir
    return _run(args, course, submission, only=args.exercises, hidden=False, audience="student", output=None)


def _grade(args: argparse.Namespace) -> int:
    from autograder.catalog import Course

    course = Course.find(args.course)
    return _run(args, course, Path(args.submission), only=args.only, hidden=True, audience="instructor",
                output=args.output, budget=args.budget, reveal=args.reveal)


def _run(args: argparse.Namespace, course: Any, submission: Path, *, only: Sequence[str], hidden: bool,
         audience: str, output: str | None, budget: float | None = None, reveal: bool = False) -> int:
    from autograder.errors import UsageError

    if args.fail_under is not None and not 0 <= args.fail_under <= 100:
        raise UsageError(f"--fail-under takes a percentage from 0 to 100, got {args.fail_under:g}")
    if args.time_limit is not None and args.time_limit <= 0:
        raise UsageError(f"--time-limit must be positive, got {args.time_limit:g}")
    if budget is not None and budget <= 0:
        raise UsageError(f"--budget must be positive, got {budget:g}")
    from autograder.runner import make_runner

    # Before the grader imports torch: a zygote's own torch import then runs alongside.
    runner = make_runner(args.runner, hide=(str(course.root),), preload=course.preload(only))
    from autograder.console import grading_progress
    from autograder.grading import Grader
    from autograder.render import RENDERERS
    from autograder.result import redact

    with Grader(course, runner=runner, hidden=hidden, time_limit=args.time_limit, budget=budget,
                reveal=reveal) as grader, \
            grading_progress(enabled=output is None or args.format == "table") as progress:
        result = grader.grade(submission, only=only, on_collected=progress.start, on_result=progress.advance)
    result = redact(result, audience)  # type: ignore[arg-type]
    render = RENDERERS[args.format]
    if output:
        with _atomic_write(Path(output)) as stream:
            render(result, stream)
        # One line, its format fixed: CI reads the score from it (GitLab's `coverage:` regex).
        print(f"graded {submission}: {result.score:g}/{result.max_score:g} ({round(result.percent, 1):g}%) → {output}",
              file=sys.stderr)
    else:
        render(result, sys.stdout)
    if args.fail_under is not None and result.percent < args.fail_under:
        return ExitCode.NOT_PASSING
    return ExitCode.OK


@contextlib.contextmanager
def _atomic_write(path: Path) -> Iterator[TextIO]:
    """Write to a temporary file beside `path`, then rename: readers never see half a file, and
    a file planted at `path` beforehand is replaced, not written through."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            yield stream
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


# --------------------------------------------------------------------------- entry point


def _exit_code(error: GraderError) -> ExitCode:
    return ExitCode.COURSE_ERROR if isinstance(error, (CourseError, SandboxError)) else ExitCode.USAGE_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (see `ExitCode`)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error already printed
        return int(done.code or 0)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return int(handler(args))
    except GraderError as error:
        print(f"error: {error}", file=sys.stderr)
        return _exit_code(error)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as other command-line tools do.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK
    except Exception as error:
        if args.debug:
            raise
        print(f"error: the grader failed unexpectedly ({type(error).__name__}: {error}); "
              "rerun with --debug to see the traceback", file=sys.stderr)
        return ExitCode.INTERNAL_ERROR
