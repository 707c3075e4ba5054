"""Sésame: the account-activation wizard for university staff.

The rooms: `activation` (the wizard's domain), `passwords`, `directory`, `operators` (HR
import, helpdesk, the `wizard` command) and `web` (everything that imports Flask), on the
base modules `clock`, `config` and `db`. README's code tour says what each module holds.
"""

from __future__ import annotations

from typing import Any


def create_app(test_config: dict[str, Any] | None = None):
    """Build the Flask application (`wizard:create_app()` for gunicorn, `flask --app wizard`).

    Imported here only when called, so that the Flask-free rooms import no Flask.
    """
    from wizard.web.app import create_app as build

    return build(test_config)
