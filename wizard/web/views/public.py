"""The start page, « 1ère connexion » and the health check."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from wizard.activation import first_login as first_logins
from wizard.activation import identity_proof
from wizard.web.database import get_db
from wizard.web.extensions import by_typed_identifier, configured, limiter
from wizard.web.forms import FirstLoginForm, SesameForm
from wizard.web.i18n import current_language
from wizard.web.services import services
from wizard.web.views import wizard_session

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    """What the wizard is for, the ways in, whom to contact."""
    return render_template("public/index.html")


@bp.get("/healthz")
def healthz():
    """200 when the database answers, for monitoring."""
    get_db().execute("SELECT 1").fetchone()
    return {"status": "ok"}


@bp.route("/premiere-connexion", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_MAIL_PER_IP"), methods=["POST"])
@limiter.limit(configured("RATELIMIT_MAIL_PER_IDENTIFIER"), key_func=by_typed_identifier,
               methods=["POST"])
def first_login():
    """Ask for a new activation link; the answer never says whether the account exists."""
    form = FirstLoginForm()
    if form.validate_on_submit():
        first_logins.record_link_request(services().context, form.identifier.data,
                                         language=current_language())
        return redirect(url_for("public.first_login_sent"), 303)
    status = 422 if form.errors else 200
    return render_template("public/first_login.html", form=form), status


@bp.get("/premiere-connexion/envoye")
def first_login_sent():
    """The same answer for everyone who asked for a link."""
    return render_template("public/first_login_sent.html")


@bp.route("/sesame", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_SECRET_PER_IP"), methods=["POST"])
@limiter.limit(configured("RATELIMIT_ARGON2_PER_IP"), methods=["POST"])
def sesame():
    """Begin with the login and sésame from HR's letter.

    Every refusal (wrong login, wrong sésame, too many tries, locked) gets the same page:
    it never tells whether the login exists, nor how many tries are left. The typed login
    is braked by the domain (`attempts`, shared by every worker), per network: no rate
    limit per typed login here, which a stranger could use up to keep its owner out.
    """
    form = SesameForm()
    refused = False
    if form.validate_on_submit():
        found = services()
        outcome = identity_proof.begin_with_sesame(
            found.context, form.login.data, form.sesame.data, hasher=found.password_hasher,
            brakes=found.sesame_brakes, ask_birth_date=found.config("ASK_BIRTH_DATE"))
        if outcome.enrolment_id is not None and outcome.person_id is not None:
            return wizard_session.go_to_current_step(wizard_session.bind(
                outcome.enrolment_id, "sesame", outcome.person_id, outcome.sesame_issued_at))
        refused = True
    form.sesame.data = ""
    status = 422 if (form.errors or refused) else 200
    return render_template("public/sesame.html", form=form, refused=refused), status
