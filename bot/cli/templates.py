"""``minqing template list | check FILE | import FORM.xlsx | use NAME``: questionnaire
templates."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli.base import CliState, cli, pass_state
from bot.dialogs import template as tpl
from bot.dialogs import xlsform


@cli.group("template")
def template_group() -> None:
    """问卷模板：列出、检查、从 XLSForm 导入 (questionnaire templates)."""


@template_group.command("list")
def list_templates() -> None:
    """List the shipped templates (id, title, seed, number of questions)."""
    for name, path in tpl.available().items():
        try:
            t = tpl.load(path)
        except tpl.TemplateError as exc:
            click.echo(f"{name}\t错误 (error): {exc}")
            continue
        default = " (默认 default)" if name == tpl.DEFAULT_TEMPLATE else ""
        click.echo(f"{name}\t{t.title}\t{t.seed}\t{len(t.questions)} 题{default}")


def _tree(t: tpl.Template) -> list[str]:
    lines = [f"{t.id} — {t.title} ({t.seed})"]
    for group in t.groups:
        extra = []
        if group.field_list:
            extra.append("field-list")
        if group.relevant is not None:
            extra.append(f"relevant: {group.relevant.source}")
        lines.append(
            f"├─ [{group.id}] {group.label}" + (f"  ({'; '.join(extra)})" if extra else "")
        )
        for q in group.questions:
            flags = [q.type, "必答" if q.required else "选填"]
            if q.relevant is not None:
                flags.append(f"relevant: {q.relevant.source}")
            if q.constraint is not None:
                flags.append(f"constraint: {q.constraint.source}")
            lines.append(f"│  ├─ {q.id}: {q.label}  [{', '.join(flags)}]")
            for c in q.choices:
                lines.append(
                    f"│  │    · {c.id} = {c.label}" + (" (单选互斥)" if c.exclusive else "")
                )
            for rule in q.problems:
                trigger = (
                    f"选 {rule.choice}"
                    if rule.choice
                    else (rule.when.source if rule.when else "有回答")
                )
                hint = "，待分类" if rule.classify else ""
                cat = "/".join(x for x in (rule.category, rule.category_alt) if x)
                lines.append(f"│  │    ⇒ 问题 {rule.kind} {cat}（{trigger}{hint}）")
    return lines


@template_group.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def check(file: Path) -> None:
    """Validate a template file and print its questions as a tree."""
    try:
        t = tpl.load(file)
    except tpl.TemplateError as exc:
        click.echo(f"模板有误 (template error): {exc}", err=True)
        sys.exit(1)
    click.echo("\n".join(_tree(t)))
    click.echo(f"OK：{len(t.groups)} 组，{len(t.questions)} 题。")


@template_group.command("import")
@click.argument("form", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML to write (default: FORM.toml).",
)
@click.option(
    "--drop-unsupported",
    is_flag=True,
    help="Write the template anyway, without the unsupported features listed.",
)
def import_form(form: Path, output: Path | None, drop_unsupported: bool) -> None:
    """Convert an ODK / KoBoToolbox XLSForm (survey + choices sheets) into a template."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json_backends import xls_to_dict, xlsx_to_dict

    reader = xls_to_dict if form.suffix.lower() == ".xls" else xlsx_to_dict
    try:
        sheets = reader(str(form))
    except (PyXFormError, OSError, ValueError) as exc:
        click.echo(f"无法读取 XLSForm (cannot read): {form.name}: {exc}", err=True)
        sys.exit(1)
    if not sheets.get("survey"):
        click.echo(f"{form.name}: 没有 survey 工作表 (no survey sheet)", err=True)
        sys.exit(1)
    result = xlsform.convert(sheets, form.stem)
    for item in result.unsupported:
        click.echo(f"不支持 (unsupported): {form.name} {item}", err=True)
    if result.unsupported and not drop_unsupported:
        click.echo("未写出模板；去掉这些功能，或加 --drop-unsupported 忽略它们。", err=True)
        sys.exit(1)
    try:
        checked = tpl.parse(result.data, form.name)
    except tpl.TemplateError as exc:
        click.echo(f"模板有误 (template error): {exc}", err=True)
        sys.exit(1)
    target = output or form.with_suffix(".toml")
    target.write_text(xlsform.to_toml(result.data), encoding="utf-8")
    tpl.load(target)  # what we wrote must load back
    click.echo(f"已写出 {target}：{len(checked.groups)} 组，{len(checked.questions)} 题。")


@template_group.command("use")
@click.argument("name")
@pass_state
def use(state: CliState, name: str) -> None:
    """Switch the active campaign to template NAME (checked first)."""
    from storage.campaigns import CampaignError, get_or_create_active_campaign, switch_template

    try:
        tpl.load_named(name)
    except tpl.TemplateError as exc:
        click.echo(f"模板有误 (template error): {exc}", err=True)
        sys.exit(1)
    runtime = state.runtime()
    cfg = runtime.config.campaign
    try:
        with runtime.unit_of_work() as s:
            campaign = get_or_create_active_campaign(s, cfg.name, name, cfg.quota_per_cadre)
            before = switch_template(s, campaign, name, "cli", runtime.clock())
            label = campaign.name
    except CampaignError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"活动“{label}”改用模板 {name}（原 {before}）。进行中的草稿按新模板继续。")
