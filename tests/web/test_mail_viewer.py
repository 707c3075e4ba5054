"""The demo mail viewer says when each mail was written in the institution's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from harness import People, page

from wizard import db

pytestmark = pytest.mark.dates


@pytest.mark.clock_at(datetime(2026, 11, 25, 22, 30, tzinfo=UTC))
@pytest.mark.parametrize(("zone", "shown"), [
    ("Europe/Paris", "mercredi 25 novembre 2026 à 23 h 30"),
    ("Indian/Reunion", "jeudi 26 novembre 2026 à 2 h 30"),
])
def test_the_inbox_shows_local_times(make_app, zone, shown):
    app = make_app(MAIL_VIEWER=True, TIMEZONE=zone)
    database = db.connect(app.config["DATABASE"])
    try:
        staff = People(app, database)
        staff.link(staff.add())
        cells = [td.get_text(" ", strip=True) for td in
                 page(app.test_client().get("/dev/courriels/")).select("tbody td")]
        assert " ".join(cells[2].split()) == shown
        assert "UTC" not in page(app.test_client().get("/dev/courriels/")).get_text()
    finally:
        database.close()
