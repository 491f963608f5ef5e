"""What the command line shows while it works: progress on stderr and the batch's summary.

Rich draws bars only where stderr is a terminal; elsewhere (CI logs, pipes) there are plain lines
or nothing, so what a machine reads on stdout is never interleaved with progress.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autograder.batch import BatchSummary

__all__ = ["BatchProgress", "GradingProgress", "grading_progress", "print_batch_summary"]


class GradingProgress:
    """A transient progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, enabled: bool) -> None:
        self._progress: Any = None
        self._task: Any = None
        if enabled and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                      MofNCompleteColumn(), transient=True, console=Console(stderr=True))
            self._task = self._progress.add_task("starting", total=None)

    def start(self, total: int) -> None:
        if self._progress is not None:
            self._progress.update(self._task, total=total, description="checking")

    def advance(self, exercise: str, status: object) -> None:
        if self._progress is not None:
            self._progress.update(self._task, advance=1, description=exercise)


@contextlib.contextmanager
def grading_progress(enabled: bool) -> Iterator[GradingProgress]:
    """A `GradingProgress`, shown while the block runs."""
    bar = GradingProgress(enabled)
    if bar._progress is None:
        yield bar
        return
    with bar._progress:
        yield bar


class BatchProgress:
    """A progress bar on stderr (submissions done of total, rate, ETA, failures so far), or one
    plain line per submission when stderr is not a terminal."""

    def __init__(self, workers: int, scheduler: str | None) -> None:
        self._where = f"on {scheduler}" if scheduler else f"with {workers} worker(s)"
        self._failures = 0
        self._done = 0
        self._total = 0
        self._progress: Any = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                                      TextColumn("{task.fields[failures]}"), console=Console(stderr=True))
            self._task = self._progress.add_task("starting", total=None, rate="", failures="")

    def __enter__(self) -> BatchProgress:
        if self._progress is not None:
            self._progress.start()
        self._started = time.monotonic()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def found(self, to_grade: int, skipped: int) -> None:
        self._total = to_grade
        note = f"grading {to_grade} submission(s) {self._where}" + (
            f"; {skipped} already graded by this version of the course" if skipped else "")
        if self._progress is not None:
            self._progress.update(self._task, total=to_grade, description="grading")
            self._progress.console.print(note)
        else:
            print(note, file=sys.stderr)

    def recorded(self, student: str, outcome: object) -> None:
        from autograder.result import Result

        self._done += 1
        if not isinstance(outcome, Result):
            self._failures += 1
        if self._progress is None:
            line = (f"{outcome.score:g}/{outcome.max_score:g}" if isinstance(outcome, Result)
                    else f"not graded: {outcome}")
            print(f"[{self._done}/{self._total}] {student}: {line}", file=sys.stderr)
            return
        minutes = (time.monotonic() - self._started) / 60
        self._progress.update(self._task, advance=1, description=student,
                              rate=f"{self._done / minutes:.0f}/min" if minutes > 0 else "",
                              failures=f"{self._failures} not graded" if self._failures else "")


def print_batch_summary(summary: BatchSummary, gradebook: Path) -> None:
    """The table that ends a batch, then every submission that was not graded, and why."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"autograder batch → {gradebook}", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("submissions", str(summary.total))
    table.add_row("graded now", str(summary.graded))
    table.add_row("already graded", str(summary.skipped))
    table.add_row("not graded", str(len(summary.rejected)))
    if summary.scores:
        percents = sorted(100 * s / m if m else 0.0 for _, s, m in summary.scores)
        median = percents[len(percents) // 2]
        table.add_row("mean score", f"{sum(percents) / len(percents):.1f}% (median {median:.1f}%)")
    minutes = summary.duration_s / 60
    rate = f", {summary.graded / minutes:.0f} submissions per minute" if summary.graded and minutes else ""
    table.add_row("time", f"{summary.duration_s:.1f} s{rate}")
    console.print(table)
    for student, why in summary.rejected:
        console.print(f"[red]not graded[/red] {student}: {why}", markup=True, highlight=False)
