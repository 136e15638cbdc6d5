"""Where things are on disk, for tests that read files of the repository."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository root
TESTS = ROOT / "tests"
TRANSCRIPTS = TESTS / "transcripts"
