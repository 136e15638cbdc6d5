"""Fixtures for the CLI tests: ``ftown``, the town with filled-in forms to export."""

from __future__ import annotations

import pytest

from tests.support.forms import FormsTown, build_forms_town


@pytest.fixture
def ftown(sessions) -> FormsTown:  # type: ignore[no-untyped-def]
    """The exports' town plus 附件 form answers (tests/support/forms.py), committed."""
    with sessions() as s:
        return build_forms_town(s)
