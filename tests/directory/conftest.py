"""The directory tests: a real slapd per test (well under a second to start)."""

from __future__ import annotations

import pytest
from slapd_server import Slapd, require_slapd


@pytest.fixture
def slapd(tmp_path):
    """A throw-away slapd on a free port; fails when SESAME_REQUIRE_LDAP=1 and slapd or
    python-ldap is missing, skips with the reason otherwise."""
    require_slapd()
    server = Slapd(tmp_path / "slapd").start()
    yield server
    server.stop()
