"""The demo mail viewer: every mail in the outbox, as the recipient would read it.

Registered only in demo mode (`WIZARD_DEMO`/`WIZARD_MAIL_VIEWER`): it shows links and codes
in clear, so it never runs in production.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from wizard.clock import from_iso
from wizard.web.database import get_db

bp = Blueprint("mailviewer", __name__, url_prefix="/dev/courriels")

# SQLite integers are 64-bit: a longer number in the URL is no message, not an overflow.
MESSAGE_ID = "<int(max=9223372036854775807):message_id>"


@bp.get("/")
def inbox():
    """Every queued or sent mail, newest first."""
    messages = [{**row, "written": from_iso(row["created_at"])} for row in get_db().query(
        "SELECT id, kind, to_addr, subject, created_at, sent_at FROM outbox ORDER BY id DESC")]
    return render_template("dev/inbox.html", messages=messages)


@bp.get(f"/{MESSAGE_ID}")
def message(message_id: int):
    """One mail: its text body, and a link to its HTML body."""
    rows = list(get_db().query("SELECT * FROM outbox WHERE id = ?", [message_id]))
    if not rows:
        abort(404)
    return render_template("dev/message.html", message=rows[0])


@bp.get(f"/{MESSAGE_ID}/html")
def message_html(message_id: int):
    """The HTML body alone, sandboxed (no script, no form, no same-origin access)."""
    rows = list(get_db().query("SELECT body_html FROM outbox WHERE id = ?", [message_id]))
    if not rows:
        abort(404)
    return rows[0]["body_html"], 200, {"Content-Type": "text/html; charset=utf-8",
                                       "Content-Security-Policy": "sandbox"}
