"""`minqing outbox` for admins, and `minqing demo --script` end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.runtime import Runtime
from storage import outbox
from storage.models import OutboxMessage
from tests.support.paths import ROOT


def test_outbox_lists_pending_and_failed_and_retries(runtime: Runtime, config_file: Path) -> None:
    now = runtime.clock()
    with runtime.unit_of_work() as s:
        outbox.enqueue(s, "message", "u1", outbox.text_payload("a"), now)
        failed = outbox.enqueue(s, "message", "u2", outbox.text_payload("b"), now)
        sent = outbox.enqueue(s, "robot", "k", outbox.text_payload("c"), now)
        assert failed is not None and sent is not None
        failed.status, failed.attempts, failed.last_error = (
            "failed",
            8,
            "message/send: errcode 81013",
        )
        sent.status, sent.sent_at = "sent", now
    runner = CliRunner()
    out = runner.invoke(cli, ["--config", str(config_file), "outbox"])
    assert out.exit_code == 0, out.output
    assert "u1" in out.output and "errcode 81013" in out.output and "robot" not in out.output
    only_sent = runner.invoke(cli, ["--config", str(config_file), "outbox", "--status", "sent"])
    assert "robot" in only_sent.output and "u1" not in only_sent.output
    retried = runner.invoke(
        cli, ["--config", str(config_file), "outbox", "--retry", str(failed.id)]
    )
    assert retried.exit_code == 0 and "已重新排队" in retried.output
    with runtime.unit_of_work() as s:
        row = s.get(OutboxMessage, failed.id)
        assert row is not None and (row.status, row.attempts) == ("pending", 0)
    missing = runner.invoke(cli, ["--config", str(config_file), "outbox", "--retry", "9999"])
    assert missing.exit_code != 0 and "9999" in missing.output


@pytest.mark.slow
def test_demo_plays_a_script_and_stops_everything(tmp_path: Path) -> None:
    script = tmp_path / "hello.txt"
    script.write_text("# greet\n帮助\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo", "--script", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=90,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == ["> 帮助", "< 【民情大走访】可用指令："]
    assert (tmp_path / "var" / "minqing.db").exists()
    assert "webhook:" in done.stderr


def test_demo_fresh_forgets_only_the_database(tmp_path: Path) -> None:
    from bot.devtools.demo import forget

    for name in ("minqing.db", "minqing.db-wal", "minqing.db-shm", "demo-config.toml"):
        (tmp_path / name).write_text("x")
    forget(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo-config.toml"]
