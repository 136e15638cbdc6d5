"""Dev tool: autogenerate a migration from the models.

    .venv/bin/python .ci/new-migration.py "add foo" 0002
    .venv/bin/python .ci/new-migration.py --regenerate-initial

The first migrates a scratch SQLite database to head and compares it with the
models. The second rewrites 0001_initial from the models (allowed only until the
first release, while no deployed database exists).
"""

import sys
import tempfile
from pathlib import Path

from alembic import command

from storage.db import make_engine
from storage.schema import MIGRATIONS, alembic_config, upgrade

regenerate = sys.argv[1:] == ["--regenerate-initial"]
with tempfile.TemporaryDirectory() as tmp:
    engine = make_engine(f"sqlite:///{Path(tmp) / 'scratch.db'}")
    if regenerate:
        for old in (MIGRATIONS / "versions").glob("*.py"):
            old.unlink()
        message, rev = "initial", "0001"
    else:
        upgrade(engine)
        message, rev = sys.argv[1], sys.argv[2]
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True, rev_id=rev)
    engine.dispose()
