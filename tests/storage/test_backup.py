"""storage.backup: the PostgreSQL password travels in PGPASSWORD, never in argv."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from storage.backup import _pg_args


def test_password_goes_to_the_environment_not_the_command_line():
    url = make_url("postgresql+psycopg://minqing:s3cret@db.example:5433/minqing?sslmode=require")
    args, env = _pg_args(url)
    assert args == ["--host", "db.example", "--port", "5433", "--username", "minqing"]
    assert "s3cret" not in " ".join(args)
    assert env["PGPASSWORD"] == "s3cret" and env["PGSSLMODE"] == "require"


def test_no_password_in_the_url_sets_none(monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    args, env = _pg_args(make_url("postgresql+psycopg://postgres@127.0.0.1/x"))
    assert args == ["--host", "127.0.0.1", "--username", "postgres"]
    assert "PGPASSWORD" not in env
