"""Roster subcommands: import-roster, roster-template, export-roster.

Exit codes: 0 done, 1 the file was refused (nothing written), 2 usage or config.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from bot.cli.audit import cli_actor
from bot.cli.base import CliState, cli, pass_state
from storage import audit, schema
from storage.campaigns import CampaignError
from storage.roster import CampaignSpec, RosterFileError, commit_plan, prepare, summary_lines
from storage.roster import messages as msg
from storage.roster.export import export_roster
from storage.roster.sheets import SPECS
from storage.roster.template import write_template


def _require_schema(state: CliState) -> None:
    rt = state.runtime()
    if schema.current_revision(rt.engine) != schema.head_revision(rt.engine):
        click.echo(msg.NEED_INIT_DB, err=True)
        sys.exit(1)


@cli.command("import-roster")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="Check the file and show what would change; write nothing."
)
@click.option(
    "--sheet",
    type=click.Choice(list(SPECS)),
    help="For a .csv file: which sheet it is (default: the file name, e.g. 走访对象.csv).",
)
@pass_state
def import_roster_cmd(state: CliState, file: Path, dry_run: bool, sheet: str | None) -> None:
    """Import units, cadres, targets, assignments and phases from FILE (.xlsx or one sheet as .csv).

    All or nothing: any problem is listed as `sheet row column: reason`, nothing is
    written and the exit code is 1. Importing the same file again changes nothing.
    """
    _require_schema(state)
    rt = state.runtime()
    campaign = CampaignSpec(
        rt.config.campaign.name, rt.config.campaign.template, rt.config.campaign.quota_per_cadre
    )
    try:
        with rt.unit_of_work() as session:
            try:
                # Shown only when reading takes a while, so errors stay the first lines.
                with tqdm(
                    desc=msg.READING,
                    unit=msg.PROGRESS_UNIT,
                    file=sys.stderr,
                    leave=False,
                    delay=1.0,
                ) as reading:
                    prepared = prepare(session, file, sheet=sheet, progress=reading.update)
            except RosterFileError as exc:
                click.echo(msg.FAILED_PREFIX + str(exc), err=True)
                sys.exit(1)
            if not prepared.ok:
                click.echo(msg.failed_header(len(prepared.problems)), err=True)
                for problem in prepared.problems:
                    click.echo(f"  {problem}", err=True)
                sys.exit(1)
            if dry_run:
                click.echo(msg.DRY_RUN)
                for line in summary_lines(prepared.plan.counts):
                    click.echo(f"  {line}")
                session.rollback()
                return
            with tqdm(
                total=prepared.plan.writes,
                desc=msg.PROGRESS,
                unit=msg.PROGRESS_UNIT,
                file=sys.stderr,
                leave=False,
            ) as bar:
                commit_plan(
                    session, prepared, campaign, rt.clock(), cli_actor(), progress=bar.update
                )
    except CampaignError as exc:  # the unit of work has rolled back
        click.echo(msg.FAILED_PREFIX + str(exc), err=True)
        sys.exit(1)
    click.echo(msg.imported(file.name, prepared.plan.changes))
    for line in summary_lines(prepared.plan.counts):
        click.echo(f"  {line}")


@cli.command("roster-template")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def roster_template_cmd(file: Path) -> None:
    """Write an empty roster workbook FILE.xlsx: the sheets and headers, plus a 说明 notes sheet."""
    if file.suffix.lower() != ".xlsx":
        raise click.BadParameter("the template is an .xlsx file", param_hint="FILE")
    write_template(file)
    click.echo(msg.template_written(str(file)))


@cli.command("export-roster")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@pass_state
def export_roster_cmd(state: CliState, file: Path) -> None:
    """Write the stored roster to FILE.xlsx in the import layout (re-importing it changes nothing)."""
    if file.suffix.lower() != ".xlsx":
        raise click.BadParameter("the export is an .xlsx file", param_hint="FILE")
    _require_schema(state)
    rt = state.runtime()
    with rt.unit_of_work() as session:
        counts = export_roster(session, file)
        audit.record(session, rt.clock(), cli_actor(), audit.VIEW_ROSTER, "all", counts)
    click.echo(msg.exported(str(file), counts))
