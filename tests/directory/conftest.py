"""The directory tests: a real slapd per test (well under a second to start), and the
test app writing to it (WIZARD_DIRECTORY=ldap)."""

from __future__ import annotations

import pytest
from harness import TEST_CONFIG
from slapd_server import Slapd, ldap_config, require_slapd

from wizard import create_app


@pytest.fixture
def slapd(tmp_path):
    """A throw-away slapd on a free port; fails when SESAME_REQUIRE_LDAP=1 and slapd or
    python-ldap is missing, skips with the reason otherwise."""
    require_slapd()
    server = Slapd(tmp_path / "slapd").start()
    yield server
    server.stop()


@pytest.fixture
def app(request, tmp_path, isolated_configuration, clock, slapd):
    """The test app, its accounts written to the test slapd.

    `@pytest.mark.app_config(KEY=value)` overrides settings for one test."""
    marker = request.node.get_closest_marker("app_config")
    overrides = marker.kwargs if marker else {}
    return create_app({**TEST_CONFIG, "DATABASE": str(tmp_path / "wizard.sqlite3"),
                       "CLOCK": clock, **ldap_config(slapd, **overrides)})
