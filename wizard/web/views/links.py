"""Links that arrive by mail: the activation link and the address-verification link.

Their GET changes nothing (mail scanners fetch links): it shows one button, whose POST
does the work.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from wizard.activation import identity_proof
from wizard.activation import verification as verifications
from wizard.activation.tokens import Purpose, TokenState
from wizard.web.extensions import configured, limiter
from wizard.web.forms import EmptyForm
from wizard.web.services import services
from wizard.web.views import wizard_session

bp = Blueprint("links", __name__)

_STATUS = {TokenState.UNKNOWN: 404, TokenState.EXPIRED: 410, TokenState.REVOKED: 410,
           TokenState.USED: 410}


def _invalid(state: TokenState, template: str, status=None):
    # A locked person's link is not « replaced »: it works again once unlocked.
    locked = status is not None and status.person is not None \
        and status.person.status == "locked"
    return (render_template(template, state="locked" if locked else state.value),
            _STATUS[state])


@bp.get("/activation/<token>")
def activation(token: str):
    """Name the person and offer one button to begin; record nothing."""
    found = services()
    status = identity_proof.inspect_link(found.db, token, found.clock.now())
    if status.state is not TokenState.VALID:
        return _invalid(status.state, "links/invalid.html", status)
    assert status.token is not None
    return render_template("links/activation.html", person=status.person, form=EmptyForm(),
                           expires=status.token.expires_at)


@bp.post("/activation/<token>")
@limiter.limit(configured("RATELIMIT_SECRET_PER_IP"))
def begin(token: str):
    """Prove identity with the link, start or resume the enrolment, go to its step."""
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("links.activation", token=token), 303)
    found = services()
    status, enrolment_id = identity_proof.begin_with_link(
        found.context, token, ask_birth_date=found.config("ASK_BIRTH_DATE"))
    if enrolment_id is None or status.token is None:
        return _invalid(status.state, "links/invalid.html", status)
    return wizard_session.go_to_current_step(
        wizard_session.bind(enrolment_id, "link", status.token.id))


@bp.get("/verification/<token>")
def verification(token: str):
    """Show the address being verified and one button to confirm it."""
    found = services()
    status = verifications.inspect_verification_link(found.db, token, found.clock.now())
    if status.state is not TokenState.VALID:
        return _invalid(status.state, "links/verification_invalid.html")
    assert status.token is not None
    return render_template("links/verification.html", form=EmptyForm(),
                           address=status.token.target_address,
                           recovery=status.token.purpose is Purpose.VERIFY_RECOVERY)


@bp.post("/verification/<token>")
@limiter.limit(configured("RATELIMIT_SECRET_PER_IP"))
def verify(token: str):
    """Confirm the address from any browser; the waiting page moves on by itself."""
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("links.verification", token=token), 303)
    status = verifications.verify_with_link(services().context, token)
    if status.state is not TokenState.VALID:
        return _invalid(status.state, "links/verification_invalid.html")
    return redirect(url_for("links.verified"), 303)


@bp.get("/verification/confirmee")
def verified():
    """The address is verified; the person can go back to the wizard's window."""
    return render_template("links/verified.html")
