"""``minqing template list/check/import``, the import fed a real XLSForm workbook."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import openpyxl
from click.testing import CliRunner

from bot.cli import cli
from bot.dialogs import engine
from bot.dialogs.contracts import Context, Message, TargetInfo
from bot.dialogs.state import DialogState
from bot.dialogs.template import load
from tests.support.dialogs import NOW


def build_form(path, extra_rows=()):
    wb = openpyxl.Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(
        [
            "type",
            "name",
            "label::中文 (zh)",
            "hint",
            "required",
            "relevant",
            "constraint",
            "constraint_message",
        ]
    )
    survey.append(["begin group", "basic", "基本情况", "", "", "", "", ""])
    survey.append(["integer", "members", "家庭成员数", "", "yes", "", ". >= 1", "至少1人"])
    survey.append(["select_one yn", "hard", "有困难吗？", "", "yes", "", "", ""])
    survey.append(["text", "what", "什么困难", "写具体", "yes", "${hard} = 'yes'", "", ""])
    survey.append(["select_multiple areas", "areas", "哪些方面", "", "yes", "", "", ""])
    survey.append(["end group", "", "", "", "", "", "", ""])
    for row in extra_rows:
        survey.append(row)
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label::中文 (zh)"])
    choices.append(["yn", "yes", "是"])
    choices.append(["yn", "no", "否"])
    choices.append(["areas", "none", "没有"])
    choices.append(["areas", "housing", "居住"])
    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id"])
    settings.append(["入户调查", "ruhu"])
    wb.save(path)


def test_list_and_check():
    runner = CliRunner()
    listed = runner.invoke(cli, ["template", "list"])
    assert listed.exit_code == 0 and "yizou_erwen_sankan\t一走二问三看" in listed.output
    checked = runner.invoke(cli, ["template", "check", "bot/dialogs/templates/fangminqing.toml"])
    assert checked.exit_code == 0, checked.output
    assert "[rich] 访富问经  (relevant: ${_target_kind} = 'rich')" in checked.output
    assert "OK：" in checked.output


def test_check_reports_a_bad_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[template]\nid="x"\ntitle="x"\n[[groups]]\nid="g"\n[[groups.questions]]\nid="a"\nlabel="A"\ntype="text"\nrelevant="${b} = 1"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["template", "check", str(bad)])
    assert result.exit_code == 1
    assert "bad.toml: question a relevant: ${b} is unknown" in result.output


def test_import_a_real_xlsform_and_run_it(tmp_path):
    form = tmp_path / "form.xlsx"
    build_form(form)
    out = tmp_path / "ruhu.toml"
    result = CliRunner().invoke(cli, ["template", "import", str(form), "-o", str(out)])
    assert result.exit_code == 0, result.output
    t = load(out)
    assert t.id == "ruhu" and t.title == "入户调查"
    assert [(q.id, q.type, q.required) for q in t.questions] == [
        ("members", "integer", True),
        ("hard", "yes_no", True),
        ("what", "text", True),
        ("areas", "select_multiple", True),
    ]
    assert t.question("what").relevant.source == "${hard} = 'yes'"
    assert t.question("members").constraint_message == "至少1人"
    # The imported template runs in the engine.
    state = DialogState()
    ctx = Context(NOW, ZoneInfo("Asia/Shanghai"), (TargetInfo(1, "张三", "1号"),))
    for text in ("走访", "1", "在家", "0"):
        out_ = engine.step(t, state, Message(text=text), ctx)
        state = out_.state
    assert "至少1人" in out_.replies[-1].text


def test_import_names_unsupported_features(tmp_path):
    form = tmp_path / "form.xlsx"
    build_form(
        form,
        [
            ["calculate", "total", "", "", "", "", "", ""],
            ["begin repeat", "kids", "孩子", "", "", "", "", ""],
            ["image", "photo", "照片", "", "", "", "", ""],
            ["end repeat", "", "", "", "", "", "", ""],
            ["start", "start", "", "", "", "", "", ""],
        ],
    )
    result = CliRunner().invoke(
        cli, ["template", "import", str(form), "-o", str(tmp_path / "x.toml")]
    )
    assert result.exit_code == 1
    for feature in ("type 'calculate'", "repeat", "type 'image'", "metadata type start"):
        assert feature in result.output, feature
    assert not (tmp_path / "x.toml").exists()
    dropped = CliRunner().invoke(
        cli, ["template", "import", str(form), "-o", str(tmp_path / "x.toml"), "--drop-unsupported"]
    )
    assert dropped.exit_code == 0 and load(tmp_path / "x.toml").question("members")


def test_use_switches_the_active_campaign(config_file, sessions):
    from sqlalchemy import select

    from storage.models import AuditLog, Campaign

    runner = CliRunner()
    bad = runner.invoke(cli, ["--config", str(config_file), "template", "use", "nope"])
    assert bad.exit_code == 1 and "unknown template 'nope'" in bad.output
    ok = runner.invoke(cli, ["--config", str(config_file), "template", "use", "fangminqing"])
    assert ok.exit_code == 0, ok.output
    with sessions() as s:
        assert s.scalars(select(Campaign.template)).one() == "fangminqing"
        assert s.scalars(select(AuditLog.action)).one() == "campaign_template"
