"""The class report: how a whole class did, as one self-contained HTML page (``templates/class_report.html.j2``).

It reads each student's latest submission from the gradebook (as the exports do) and shows the
score distribution, pass rates per exercise and per check (the checks the class fails most, with
their most common message and hint), how the checks ended, grading times, who was not graded and
why, and the batch runs. Plots are PNGs drawn by matplotlib and embedded as data: URIs, so the page
opens from disk, fetches nothing and runs no script (its Content-Security-Policy forbids both).
Student ids, messages and hints are untrusted: the template escapes everything.

A pass rate counts only the outcomes that judged the submission: a skipped check, and one that
could not judge it through the course's fault ("unjudged", its points withheld), are left out of it
and counted on their own.
"""

from __future__ import annotations

import base64
import io
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from autograder.export import exercise_order
from autograder.gradebook import Gradebook, Recorded, Run
from autograder.render.html import environment as html_environment
from autograder.result import Fault, Status

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["ClassStats", "render_report", "summarise", "write_report"]

#: How the report counts outcomes; "unjudged" takes a check the course could not judge, whatever its status.
STATUSES = ("passed", "failed", "error", "timeout", "not_attempted", "skipped", "unjudged")
#: The colours of templates/result.html.j2, so that plots and the page agree.
COLOURS = {"passed": "#1a7f37", "failed": "#cf222e", "error": "#8250df", "timeout": "#9a6700",
           "not_attempted": "#59636e", "skipped": "#8c959f", "unjudged": "#bc4c00"}
_ACCENT = "#0969da"
_INK = "#1f2328"
#: How many of the checks the class fails most the chart shows (the table lists every one).
WORST_SHOWN = 15


@dataclass
class CheckStats:
    """One check across the class."""

    id: str
    name: str
    exercise: str
    visibility: str
    passed: int = 0
    #: outcomes that judged the submission (not skipped, not the course's fault)
    judged: int = 0
    unjudged: int = 0
    skipped: int = 0
    #: (message, hint) of every outcome that was not a pass or a skip
    feedback: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def not_passed(self) -> int:
        return self.judged - self.passed

    @property
    def pass_rate(self) -> float | None:
        return 100.0 * self.passed / self.judged if self.judged else None

    @property
    def common(self) -> tuple[str, str, int]:
        """The most common message, its hint, and how many outcomes had them."""
        if not self.feedback:
            return "", "", 0
        (message, hint), count = self.feedback.most_common(1)[0]
        return message, hint, count


@dataclass
class ExerciseStats:
    """One exercise across the class."""

    name: str
    title: str
    students: int = 0
    score: float = 0.0
    max_score: float = 0.0
    full_marks: int = 0
    passed: int = 0
    judged: int = 0

    @property
    def mean_score(self) -> float:
        return self.score / self.students if self.students else 0.0

    @property
    def points_rate(self) -> float:
        return 100.0 * self.mean_score / self.max_score if self.max_score else 0.0

    @property
    def pass_rate(self) -> float | None:
        return 100.0 * self.passed / self.judged if self.judged else None


@dataclass
class ClassStats:
    """Everything the report shows, counted from the gradebook."""

    students: list[Recorded]
    graded: list[Recorded]
    not_graded: list[Recorded]
    #: graded students with checks the course could not judge (points withheld)
    withheld: list[Recorded]
    exercises: list[ExerciseStats]
    #: every check, in course order
    checks: list[CheckStats]
    statuses: Counter[str]
    percents: list[float]
    durations: list[float]
    #: submission rows over all runs (a student's earlier submissions too)
    submissions: int
    runs: list[Run]

    @property
    def failing(self) -> list[CheckStats]:
        """Checks some submission did not pass or could not be judged by, the worst first
        (never judged at all — the course's fault — before any)."""
        worst = [c for c in self.checks if c.not_passed or c.unjudged]
        order = {c.id: i for i, c in enumerate(self.checks)}
        return sorted(worst, key=lambda c: (c.pass_rate is not None, c.pass_rate or 0.0, -c.not_passed, order[c.id]))

    @property
    def always_passed(self) -> list[CheckStats]:
        """Checks that passed every submission they judged (and judged at least one)."""
        return [c for c in self.checks if c.judged and not c.not_passed and not c.unjudged]

    @property
    def always_skipped(self) -> list[CheckStats]:
        """Checks that skipped themselves in every submission (judged none)."""
        return [c for c in self.checks if c.skipped and not c.judged and not c.unjudged]


def summarise(gradebook: Gradebook) -> ClassStats:
    """Count what the report shows from each student's latest submission."""
    students = gradebook.latest()
    graded = [s for s in students if s.result is not None]
    exercises: dict[str, ExerciseStats] = {}
    checks: dict[str, CheckStats] = {}
    statuses: Counter[str] = Counter()
    for student in graded:
        assert student.result is not None
        for exercise in student.result.exercises:
            ex = exercises.setdefault(exercise.name, ExerciseStats(exercise.name, exercise.title))
            ex.students += 1
            ex.score += exercise.score
            ex.max_score = max(ex.max_score, exercise.max_score)
            ex.full_marks += exercise.max_score > 0 and exercise.score >= exercise.max_score
            for check in exercise.checks:
                stats = checks.setdefault(check.id, CheckStats(check.id, check.name, exercise.name, check.visibility))
                if check.fault is Fault.COURSE:
                    kind = "unjudged"
                    stats.unjudged += 1
                elif check.status is Status.SKIPPED:
                    kind = "skipped"
                    stats.skipped += 1
                else:
                    kind = str(check.status)
                    stats.judged += 1
                    stats.passed += check.passed
                    ex.judged += 1
                    ex.passed += check.passed
                statuses[kind] += 1
                if kind not in ("passed", "skipped"):
                    stats.feedback[(check.message, check.hint)] += 1
    order = exercise_order([ex.name for ex in s.result.exercises] for s in graded if s.result is not None)
    place = {name: i for i, name in enumerate(order)}
    first_seen = {check_id: i for i, check_id in enumerate(checks)}
    return ClassStats(
        students=students, graded=graded, not_graded=[s for s in students if s.result is None],
        withheld=[s for s in graded if s.result is not None and s.result.unjudged],
        exercises=[exercises[name] for name in order],
        checks=sorted(checks.values(), key=lambda c: (place[c.exercise], first_seen[c.id])),
        statuses=statuses, percents=[s.result.percent for s in graded if s.result is not None],
        durations=[s.result.duration_s for s in graded if s.result is not None],
        submissions=gradebook.count(), runs=gradebook.runs())


def write_report(gradebook: Gradebook, out: Path) -> None:
    """Write the class report of `gradebook` to the HTML file `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as stream:
        render_report(gradebook, stream)


def render_report(gradebook: Gradebook, out: TextIO) -> None:
    """Write the class report of `gradebook`, one HTML page, to `out`."""
    stats = summarise(gradebook)
    plots = {"scores": _scores_plot(stats), "exercises": _exercises_plot(stats), "checks": _checks_plot(stats),
             "statuses": _statuses_plot(stats), "timing": _timing_plot(stats)}
    text = html_environment().get_template("class_report.html.j2").render(
        stats=stats, plots=plots, statuses=STATUSES, colours=COLOURS, gradebook=gradebook.path.name,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"), worst_shown=WORST_SHOWN,
        median=statistics.median, mean=statistics.fmean)
    out.write(text)


# --------------------------------------------------------------------------- plots


def _figure(height: float) -> tuple[Figure, Axes]:
    # matplotlib on first use only (it costs a second to import). A Figure on its own Agg canvas,
    # not pyplot with matplotlib.use("Agg"): no display is needed, and the backend and figures of
    # whoever called us (a notebook, say) are left alone.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, height), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(colors=_INK, labelsize=9)
    axes.set_axisbelow(True)
    return figure, axes


def _png(figure: Figure) -> str:
    """The figure as a data: URI of a PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _label(text: str, width: int = 48) -> str:
    """Text for a plot: short, and with `$` kept literal (matplotlib reads `$…$` as mathematics)."""
    text = text if len(text) <= width else text[:width - 1] + "…"
    return text.replace("$", r"\$")


def _integer_counts(axes: Axes, axis: str = "y") -> None:
    from matplotlib.ticker import MaxNLocator

    (axes.yaxis if axis == "y" else axes.xaxis).set_major_locator(MaxNLocator(integer=True))


def _scores_plot(stats: ClassStats) -> str | None:
    if not stats.percents:
        return None
    figure, axes = _figure(3.0)
    axes.hist(stats.percents, bins=list(range(0, 101, 10)), color=_ACCENT, edgecolor="white")
    median = statistics.median(stats.percents)
    axes.axvline(median, color=_INK, linestyle="--", linewidth=1, label=f"median {median:.1f} %")
    axes.legend(frameon=False, fontsize=9)
    axes.set_xlim(0, 100)
    axes.set_xlabel("score (% of the maximum)")
    axes.set_ylabel("students")
    axes.grid(axis="y", color="#d1d9e0")
    _integer_counts(axes)
    return _png(figure)


def _exercises_plot(stats: ClassStats) -> str | None:
    if not stats.exercises:
        return None
    figure, axes = _figure(3.2)
    positions = list(range(len(stats.exercises)))
    checks = axes.bar([p - 0.2 for p in positions], [e.pass_rate or 0.0 for e in stats.exercises], width=0.4,
                      color=COLOURS["passed"], label="checks passed")
    earned = axes.bar([p + 0.2 for p in positions], [e.points_rate for e in stats.exercises], width=0.4,
                      color=_ACCENT, label="points earned")
    for bars in (checks, earned):
        axes.bar_label(bars, fmt="%.0f", fontsize=8, padding=2)
    axes.set_xticks(positions, [_label(e.name, 20) for e in stats.exercises])
    axes.set_ylim(0, 108)
    axes.set_ylabel("% (mean over students)")
    figure.legend(frameon=False, fontsize=9, ncols=2, loc="outside upper left")  # above: bars reach 100
    axes.grid(axis="y", color="#d1d9e0")
    return _png(figure)


def _checks_plot(stats: ClassStats) -> str | None:
    shown = [c for c in stats.failing if c.pass_rate is not None][:WORST_SHOWN]
    if not shown:
        return None
    figure, axes = _figure(0.9 + 0.32 * len(shown))
    rates = [c.pass_rate or 0.0 for c in shown]
    # Orange where only the course's faults put a check here (every judged submission passed it).
    bars = axes.barh(range(len(shown)), rates,
                     color=[COLOURS["unjudged" if not c.not_passed else "failed"] for c in shown])
    axes.bar_label(bars, labels=[f"{r:.0f} % ({c.passed}/{c.judged})" for r, c in zip(rates, shown, strict=True)],
                   fontsize=8, padding=3)
    axes.set_yticks(range(len(shown)), [_label(f"{c.exercise}: {c.id.rpartition('::')[2]}") for c in shown])
    axes.invert_yaxis()
    axes.set_xlim(0, 115)
    axes.set_xlabel("judged submissions that passed (%)")
    axes.grid(axis="x", color="#d1d9e0")
    return _png(figure)


def _statuses_plot(stats: ClassStats) -> str | None:
    if not stats.statuses:
        return None
    figure, axes = _figure(3.0)
    counts = [stats.statuses.get(s, 0) for s in STATUSES]
    bars = axes.bar([s.replace("_", " ") for s in STATUSES], counts, color=[COLOURS[s] for s in STATUSES])
    axes.bar_label(bars, fontsize=8, padding=2)
    axes.set_ylabel("check outcomes")
    axes.set_ylim(0, max(counts) * 1.15 + 1)
    axes.grid(axis="y", color="#d1d9e0")
    _integer_counts(axes)
    return _png(figure)


def _timing_plot(stats: ClassStats) -> str | None:
    if not stats.durations:
        return None
    figure, axes = _figure(3.0)
    axes.hist(stats.durations, bins=max(1, min(20, len(stats.durations))), color=_ACCENT, edgecolor="white")
    axes.set_xlabel("grading time per submission (s)")
    axes.set_ylabel("submissions")
    axes.grid(axis="y", color="#d1d9e0")
    _integer_counts(axes)
    return _png(figure)
