"""The result as tables for a terminal: one per exercise, then the total."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from autograder.render._text import STATUS_WORDS, unjudged
from autograder.result import CheckResult, ExerciseResult, Fault, Result, Status

__all__ = ["THEME", "render"]

#: Styles by meaning; the colours live only here.
THEME = Theme({
    "status.passed": "bold green",
    "status.failed": "bold red",
    "status.error": "bold magenta",
    "status.timeout": "bold yellow",
    "status.not_attempted": "dim",
    "status.skipped": "dim",
    "unjudged": "bold magenta",
    "check.message": "default",
    "check.hint": "cyan",
    "check.output": "dim",
    "score.full": "bold green",
    "score.partial": "bold yellow",
    "score.zero": "bold red",
    "exercise.title": "bold",
    "footer": "dim",
})

_SYMBOL = {
    Status.PASSED: "✓",
    Status.FAILED: "✗",
    Status.ERROR: "!",
    Status.TIMEOUT: "⏱",
    Status.NOT_ATTEMPTED: "·",
    Status.SKIPPED: "»",
}
_OUTPUT_LINES = 6
_COUNTED_MANY = {**STATUS_WORDS, Status.ERROR: "errors"}


def _points(value: float) -> str:
    return f"{value:g}"


def _score_style(score: float, max_score: float) -> str:
    if max_score and score >= max_score:
        return "score.full"
    return "score.partial" if score > 0 else "score.zero"


def _check_cell(check: CheckResult) -> Text:
    cell = Text(check.name)
    if check.status not in (Status.PASSED, Status.NOT_ATTEMPTED):
        cell.append(f"\n{check.message}", style="check.message")
        if check.hint:
            cell.append(f"\nhint: {check.hint}", style="check.hint")
        if check.output:
            lines = check.output.rstrip().splitlines()
            shown = "\n".join(f"│ {line}" for line in lines[:_OUTPUT_LINES])
            more = f"\n│ … {len(lines) - _OUTPUT_LINES} more lines" if len(lines) > _OUTPUT_LINES else ""
            cell.append(f"\nyour code printed:\n{shown}{more}", style="check.output")
    return cell


def _exercise_table(exercise: ExerciseResult) -> Table:
    title = Text.assemble((exercise.name, "exercise.title"), (f" — {exercise.title}" if exercise.title else "", ""))
    table = Table(title=title, title_justify="left", expand=True, show_edge=False, pad_edge=False)
    table.add_column("status", no_wrap=True)
    table.add_column(f"check ({exercise.passed}/{len(exercise.checks)} passed)", ratio=1)
    table.add_column("points", justify="right", no_wrap=True)
    for check in exercise.checks:
        status = f"status.{check.status}"
        table.add_row(
            Text(f"{_SYMBOL[check.status]} {check.status.replace('_', ' ')}"
                 + (" (course)" if check.fault is Fault.COURSE else ""), style=status),
            _check_cell(check),
            Text(f"{_points(check.score)}/{_points(check.max_score)}",
                 style=_score_style(check.score, check.max_score)),
        )
    table.add_section()
    table.add_row("", Text("exercise total", style="exercise.title"),
                  Text(f"{_points(exercise.score)}/{_points(exercise.max_score)}",
                       style=_score_style(exercise.score, exercise.max_score)))
    return table


def _footer(result: Result) -> Text:
    total = Text.assemble(
        ("Total ", "exercise.title"),
        (f"{_points(result.score)} / {_points(result.max_score)}", _score_style(result.score, result.max_score)),
        (f"  ({result.percent:.1f} %)", ""),
    )
    counts = {status: sum(c.status is status for c in result.checks) for status in Status}
    summary = ", ".join(f"{n} {STATUS_WORDS[status] if n == 1 else _COUNTED_MANY[status]}"
                        for status, n in counts.items() if n)
    details = f"\n{summary} · devices: {', '.join(result.devices)} · {result.duration_s:.1f} s"
    if result.sandbox.mode == "in-process":
        details += "\nstudent code ran inside the grader, without isolation"
    elif result.sandbox.unavailable:
        details += f"\nisolation limits unavailable here: {'; '.join(result.sandbox.unavailable)}"
    total.append(details, style="footer")
    if result.unjudged:
        total.append(f"\n{unjudged(result)}", style="unjudged")
    return total


def render(result: Result, out: TextIO, *, width: int | None = None) -> None:
    """Write one table per exercise and the total to `out` (colours only on a terminal)."""
    console = Console(file=out, theme=THEME, width=width, highlight=False, soft_wrap=False)
    parts: list[RenderableType] = []
    for exercise in result.exercises:
        parts += [_exercise_table(exercise), Text("")]
    parts.append(_footer(result))
    console.print(Group(*parts))
