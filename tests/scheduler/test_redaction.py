"""Job redact_closed: a closed campaign's answers and problem texts are redacted once
``[campaign] redact_after_days`` have passed; the official tables' totals survive."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import cli
from scheduler import redaction
from storage.models import AuditLog, Campaign, Problem, Visit
from storage.redaction import close_campaign
from storage.scrub import REDACTED
from tests.support.clock import FROZEN_NOW
from tests.support.exports import DISPUTE_TEXT, WEST_AWAY_PHONE, export_and_read
from tests.support.town import PROBLEM_TEXTS, SENSITIVE_PHONE

TOTALLED = ("summary", "issues", "problems")


def exported(sessions, etown, tmp_path, tag):  # type: ignore[no-untyped-def]
    out = {}
    with sessions() as s:
        for key in TOTALLED:
            folder = tmp_path / f"{tag}-{key}"
            folder.mkdir()
            out[key] = export_and_read(s, etown, folder, key, unit="虹桥镇")
    return out


def personal_texts(sessions) -> str:  # type: ignore[no-untyped-def]
    with sessions() as s:
        answers = [str(a) for a in s.scalars(select(Visit.answers))]
        return "\n".join([*answers, *s.scalars(select(Problem.text))])


def close(sessions, days_ago: int) -> None:  # type: ignore[no-untyped-def]
    with sessions() as s:
        campaign = s.scalars(select(Campaign)).one()
        close_campaign(s, campaign, FROZEN_NOW - timedelta(days=days_ago))
        s.commit()


def test_redaction_keeps_every_total_and_removes_the_texts(sessions, etown, sconfig, tmp_path):
    before = exported(sessions, etown, tmp_path, "before")
    assert DISPUTE_TEXT in before["problems"].text() and "广东省东莞市长安镇" in personal_texts(
        sessions
    )
    close(sessions, days_ago=365)

    with sessions() as s:
        result = redaction.run(s, FROZEN_NOW, sconfig)
        s.commit()
    assert "redacted" in result.summary()

    after = exported(sessions, etown, tmp_path, "after")
    for key in TOTALLED:
        assert after[key].totals == before[key].totals, key
        assert len(after[key].body) == len(before[key].body), key
    assert after["summary"].body == before["summary"].body
    texts = personal_texts(sessions)
    for gone in (
        DISPUTE_TEXT,
        WEST_AWAY_PHONE,
        SENSITIVE_PHONE,
        "广东省东莞市长安镇",
        *PROBLEM_TEXTS.values(),
    ):
        assert gone not in texts and gone not in after["problems"].text()
    assert REDACTED in texts
    with sessions() as s:
        assert s.scalars(select(Campaign.redacted_at)).one() == FROZEN_NOW
        [entry] = s.scalars(select(AuditLog).where(AuditLog.action == "campaign_redacted"))
        assert entry.detail["problems"] == len(PROBLEM_TEXTS) + 1


def test_nothing_is_redacted_before_the_time_or_while_open(sessions, etown, sconfig):
    with sessions() as s:
        assert "no closed campaign due" in redaction.run(s, FROZEN_NOW, sconfig).summary()
        s.commit()
    close(sessions, days_ago=364)
    with sessions() as s:
        result = redaction.run(s, FROZEN_NOW + timedelta(hours=12), sconfig, force=True)
        s.commit()
    assert "no closed campaign due (365 days" in result.summary()
    assert DISPUTE_TEXT in personal_texts(sessions)


def test_close_campaign_from_the_command_line(config_file, sessions, etown):
    args = ["--config", str(config_file), "--now", FROZEN_NOW.isoformat(), "close-campaign"]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    out = CliRunner().invoke(cli, [*args, "--yes"])
    assert out.exit_code == 0, out.output
    assert "2027-11-23" in out.stdout  # 365 days later, campaign-local
    with sessions() as s:
        campaign = s.scalars(select(Campaign)).one()
        assert campaign.closed_at == FROZEN_NOW and not campaign.active
        assert s.scalars(select(AuditLog.action)).all() == ["campaign_closed"]
