"""The audit's report: a terminal table with every survivor's diff, JSON, or one HTML page."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

from autograder.mutants import OPERATORS

if TYPE_CHECKING:
    from rich.console import Console

    from autograder.audit import AuditReport

__all__ = ["FORMATS", "OperatorCount", "by_operator", "write_audit"]

FORMATS = ("table", "json", "html")
_DESCRIPTIONS = {op.name: op.description for op in OPERATORS}
_GROUPS = {op.name: op.group for op in OPERATORS}


@dataclass(frozen=True, slots=True)
class OperatorCount:
    """What one operator made across the audited exercises."""

    name: str
    group: str
    description: str
    made: int
    killed: int
    survived: int
    equivalent: int


def by_operator(report: AuditReport) -> list[OperatorCount]:
    """Counts per operator that made at least one mutant, in the operators' order."""
    counts: dict[str, Counter[str]] = {}
    for exercise in report.exercises:
        for verdict in exercise.verdicts:
            counts.setdefault(verdict.mutant.operator, Counter())[verdict.status] += 1
    return [OperatorCount(name, _GROUPS[name], _DESCRIPTIONS[name], sum(counts[name].values()), counts[name]["killed"],
                          counts[name]["survived"], counts[name]["equivalent"])
            for name in _DESCRIPTIONS if name in counts]


def write_audit(report: AuditReport, format: str, out: TextIO, *, console: Console | None = None) -> None:
    """Write `report` in `format` (one of FORMATS) to `out`; the table goes to `console` when given."""
    if format == "json":
        json.dump(report.to_dict(), out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif format == "html":
        out.write(_html(report))
    else:
        _table(report, console)


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def _table(report: AuditReport, console: Console | None) -> None:
    from rich.console import Console
    from rich.panel import Panel
    from rich.syntax import Syntax
    from rich.table import Table

    console = console or Console()
    made = sum(ex.made for ex in report.exercises)
    table = Table(title=f"autograder audit: {made} mutants in {report.duration_s:.1f} s")
    for column in ("exercise", "mutants", "killed", "survived", "equivalent", "score"):
        table.add_column(column, justify="left" if column == "exercise" else "right")
    for ex in report.exercises:
        style = "red" if ex.survived else "green"
        table.add_row(ex.exercise, str(ex.made), str(ex.killed), f"[{style}]{ex.survived}[/{style}]",
                      str(ex.equivalent), f"[{style}]{_percent(ex.score)}[/{style}]")
    console.print(table)
    for verdict in report.survivors:
        m = verdict.mutant
        console.print(Panel(Syntax(m.diff.rstrip("\n"), "diff", theme="ansi_light", word_wrap=True),
                            title=f"[red]survived[/red] {m.id}", title_align="left",
                            subtitle=f"{m.operator}: {_DESCRIPTIONS[m.operator]}", subtitle_align="left"))
    for error in report.declaration_errors:
        console.print(f"[red]error[/red] {error}", highlight=False)
    if report.ok:
        console.print(f"[green]every mutant that can be told apart from the reference is killed[/green] "
                      f"({sum(ex.equivalent for ex in report.exercises)} declared equivalent)")
    elif report.survivors:
        console.print(f"[red]{len(report.survivors)} mutant(s) survived[/red]: add or sharpen a check that each "
                      "one fails, or declare it in tests/audit.toml with the reason no input can tell it apart")


def _html(report: AuditReport) -> str:
    from autograder.render.html import environment

    return environment().get_template("audit_report.html.j2").render(
        report=report, operators=by_operator(report), descriptions=_DESCRIPTIONS, percent=_percent,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"))
