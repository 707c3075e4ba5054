"""The wizard's steps, one page each, plus their fragments (strength, verification status).

Every view first asks the state machine whether its step may be shown; a step not yet
reached redirects (303) to the current one, and after completion only the done page
remains.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from wizard import passwords
from wizard.activation import enrolment as services
from wizard.activation import sesames as sesame_codes
from wizard.activation.enrolment import Enrolment, StepRefused
from wizard.activation.names import normalize_address
from wizard.activation.steps import Step
from wizard.activation.tokens import CodeCheck
from wizard.clock import utcnow
from wizard.directory.sqlite import SqliteDirectory
from wizard.web.branding import services_for
from wizard.web.extensions import by_enrolment, configured, limiter
from wizard.web.forms import (
    BirthDateForm,
    CharterForm,
    CodeForm,
    DirectoryForm,
    EmptyForm,
    MailForm,
    PasswordForm,
    RecoveryForm,
)
from wizard.web.i18n import current_language
from wizard.web.i18n import gettext as _
from wizard.web.runtime import (
    charter,
    compose,
    get_db,
    origin,
    password_hasher,
    password_policy,
    personal_words,
    settings,
)
from wizard.web.views import wizard_session
from wizard.web.views.wizard_session import SessionEnded

bp = Blueprint("steps", __name__, url_prefix="/etapes")

ENDPOINTS = {
    Step.BIRTH_DATE: "steps.birth_date",
    Step.CHARTER: "steps.charter",
    Step.DIRECTORY: "steps.directory",
    Step.RECOVERY: "steps.recovery",
    Step.RECOVERY_VERIFICATION: "steps.recovery_verification",
    Step.MAIL: "steps.mail",
    Step.MAIL_VERIFICATION: "steps.verification",
    Step.PASSWORD: "steps.password",
    Step.DONE: "steps.done",
}


def step_url(step: Step) -> str:
    """The URL of a step's page."""
    return url_for(ENDPOINTS[step])


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _go(url: str) -> Response:
    """Navigate: a 303 for the browser, an HX-Redirect for an htmx fragment request."""
    if _is_htmx() and request.headers.get("HX-Boosted") != "true":
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


@bp.errorhandler(SessionEnded)
def _session_ended(error: SessionEnded):
    return _go(url_for("steps.session_ended", raison=error.reason))


@bp.errorhandler(StepRefused)
def _step_refused(error: StepRefused):
    return _go(step_url(error.current))


def enter(step: Step) -> Enrolment:
    """The session's enrolment if `step` may be shown now; otherwise leave for the right page."""
    enrolment = wizard_session.current()
    if not enrolment.progress.may_visit(step):
        abort(_go(step_url(enrolment.progress.current)))
    return enrolment


def render_step(template: str, enrolment: Enrolment, step: Step, status: int = 200,
                **context):
    """Render a full step page with the progress indicator."""
    return make_response(render_template(template, enrolment=enrolment,
                                         progress=enrolment.progress, step=step, **context),
                         status)


def _next(enrolment_id: int) -> Response:
    """After a step is recorded: 303 to the (new) current step."""
    enrolment = services.load(get_db(), enrolment_id)
    assert enrolment is not None
    return redirect(step_url(enrolment.progress.current), 303)


@bp.get("/")
def resume():
    """Go to the current step of the session's enrolment."""
    enrolment = wizard_session.current()
    return redirect(step_url(enrolment.progress.current), 303)


@bp.get("/session-terminee")
def session_ended():
    """Why there is no wizard session, and the way back in."""
    reason = request.args.get("raison", "none")
    if reason not in {"none", "idle", "link", "left"}:
        reason = "none"
    return render_template("steps/session_ended.html", reason=reason), 403


@bp.post("/quitter")
def leave():
    """« Quitter »: end the wizard session on this device; what was recorded stays."""
    if EmptyForm().validate_on_submit():
        session.clear()
    return redirect(url_for("steps.session_ended", raison="left"), 303)


@bp.route("/charte", methods=["GET", "POST"], endpoint="charter")
def charter_step():
    """The IT charter: read it, tick the box."""
    enrolment = enter(Step.CHARTER)
    form = CharterForm()
    if form.validate_on_submit():
        services.accept_charter(get_db(), enrolment.id, charter(), now=utcnow(),
                                origin=origin())
        return _next(enrolment.id)
    if request.method == "GET" and enrolment.row["charter_accepted_at"]:
        form.accept.data = True
    return render_step("steps/charter.html", enrolment, Step.CHARTER,
                       422 if form.errors else 200, form=form, charter=charter())



@bp.route("/date-de-naissance", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_SECRET_PER_IP"), methods=["POST"])
def birth_date():
    """Optional: the date of birth HR recorded, asked where the institution wants it."""
    enrolment = enter(Step.BIRTH_DATE)
    form = BirthDateForm()
    locked = False
    if form.validate_on_submit():
        outcome = services.check_birth_date(
            get_db(), enrolment.id, form.parsed, now=utcnow(), origin=origin(),
            max_tries=current_app.config["BIRTH_DATE_MAX_TRIES"])
        if outcome is services.BirthDateCheck.ACCEPTED:
            return _next(enrolment.id)
        if outcome is services.BirthDateCheck.LOCKED:
            session.clear()
            locked = True
        else:
            form.birth_date.errors = [_("Cette date ne correspond pas à celle que nous "
                                        "connaissons. Vérifiez-la et réessayez.")]
    return render_step("steps/birth_date.html", enrolment, Step.BIRTH_DATE,
                       422 if (form.errors or locked) else 200, form=form, locked=locked)


@bp.route("/annuaire", methods=["GET", "POST"])
def directory():
    """Directory consent: appear in the public directory, or liste rouge."""
    enrolment = enter(Step.DIRECTORY)
    form = DirectoryForm()
    if form.validate_on_submit():
        services.answer_directory(get_db(), enrolment.id, form.listed.data == "oui",
                                  now=utcnow(), origin=origin())
        return _next(enrolment.id)
    if request.method == "GET" and enrolment.listed is not None:
        form.listed.data = "oui" if enrolment.listed else "non"
    return render_step("steps/directory.html", enrolment, Step.DIRECTORY,
                       422 if form.errors else 200, form=form)


@bp.route("/messagerie", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_MAIL_PER_IDENTIFIER"), key_func=by_enrolment,
               methods=["POST"])
def mail():
    """The institutional address, and optional forwarding (with a copy kept by default)."""
    enrolment = enter(Step.MAIL)
    form = MailForm(institutional_email=enrolment.person.institutional_email)
    if form.validate_on_submit():
        forward_to = normalize_address(form.forward_to.data) if form.forward.data else None
        services.choose_mail(get_db(), settings(), compose, enrolment.id,
                             forward_to=forward_to, keep_copy=form.keep_copy.data,
                             now=utcnow(), origin=origin())
        return _next(enrolment.id)
    if request.method == "GET":
        form.forward.data = enrolment.forward_to is not None
        form.forward_to.data = (enrolment.forward_to or enrolment.person.personal_email
                                or enrolment.recovery_address or "")
        form.keep_copy.data = enrolment.keep_copy
    return render_step("steps/mail.html", enrolment, Step.MAIL,
                       422 if form.errors else 200, form=form)


# The two waiting pages (forwarding address, recovery address) work alike: poll, type the
# code, resend. Each has its own URLs and endpoints, built from the same views.
WAITING = {
    "verification": (services.FORWARDING, "/messagerie/verification"),
    "recovery_verification": (services.RECOVERY, "/adresse-de-secours/verification"),
}


def _waiting_kind(name: str) -> services.Verified:
    return WAITING[name][0]


def _render_waiting(name: str, enrolment: Enrolment, form: CodeForm, status: int = 200):
    kind = _waiting_kind(name)
    return render_step("steps/verification.html", enrolment, kind.waiting_step, status,
                       form=form, button_form=EmptyForm(), waiting=name,
                       address=enrolment.row[kind.address_column])


def _waiting_page(name: str):
    """Waiting for an address to be verified: by link, or by typing the code."""
    enrolment = enter(_waiting_kind(name).waiting_step)
    return _render_waiting(name, enrolment, CodeForm())


def _waiting_status(name: str):
    """Fragment: still waiting (it polls again), or verified (the page moves on)."""
    enrolment = wizard_session.current()
    if enrolment.progress.current is not _waiting_kind(name).waiting_step:
        return _go(step_url(enrolment.progress.current))
    return render_template("steps/_verification_status.html", waiting=name)


def _waiting_code(name: str):
    """Check the typed code."""
    kind = _waiting_kind(name)
    enrolment = enter(kind.waiting_step)
    form = CodeForm()
    if form.validate_on_submit():
        outcome = services.verify_with_code(get_db(), settings(), enrolment.id,
                                            form.code.data, now=utcnow(), origin=origin(),
                                            kind=kind)
        if outcome is CodeCheck.ACCEPTED:
            return _next(enrolment.id)
        message = (_("Ce code ne correspond pas. Vérifiez-le ou demandez un nouveau courriel.")
                   if outcome is CodeCheck.WRONG else
                   _("Ce code n'est plus valable (trop d'essais ou délai dépassé). "
                     "Demandez un nouveau courriel."))
        form.code.errors = [message]
    return _render_waiting(name, enrolment, form, 422)


def _waiting_resend(name: str):
    """Send a new verification mail and code."""
    kind = _waiting_kind(name)
    enrolment = enter(kind.waiting_step)
    if EmptyForm().validate_on_submit():
        services.resend_verification(get_db(), settings(), compose, enrolment.id,
                                     now=utcnow(), origin=origin(), kind=kind)
        flash(_("Un nouveau courriel a été envoyé à %(address)s. Le code précédent ne "
                "fonctionne plus.", address=enrolment.row[kind.address_column]), "info")
    return redirect(url_for(f"steps.{name}"), 303)


def _bound(view, name: str):
    """`view` for one waiting page, as a named view function."""

    def bound_view():
        return view(name)

    bound_view.__name__ = f"{view.__name__}_{name}"
    bound_view.__doc__ = view.__doc__
    return bound_view


def _secret_limits(view):
    view = limiter.limit(configured("RATELIMIT_SECRET_PER_IP"))(view)
    return limiter.limit(configured("RATELIMIT_SECRET_PER_IDENTIFIER"),
                         key_func=by_enrolment)(view)


def _mail_limits(view, methods: list[str] | None = None):
    view = limiter.limit(configured("RATELIMIT_MAIL_PER_IP"), methods=methods)(view)
    return limiter.limit(configured("RATELIMIT_MAIL_PER_IDENTIFIER"), key_func=by_enrolment,
                         methods=methods)(view)


for _name, (_kind, _path) in WAITING.items():
    bp.add_url_rule(_path, _name, _bound(_waiting_page, _name))
    bp.add_url_rule(f"{_path}/statut", f"{_name}_status", _bound(_waiting_status, _name))
    bp.add_url_rule(f"{_path}/code", f"{_name}_code",
                    _secret_limits(_bound(_waiting_code, _name)), methods=["POST"])
    bp.add_url_rule(f"{_path}/renvoyer", f"{_name}_resend",
                    _mail_limits(_bound(_waiting_resend, _name)), methods=["POST"])


@bp.route("/adresse-de-secours", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_MAIL_PER_IDENTIFIER"), key_func=by_enrolment,
               methods=["POST"])
def recovery():
    """Sésame path: a personal address for recovery, verified like a forwarding address."""
    enrolment = enter(Step.RECOVERY)
    required = current_app.config["RECOVERY_ADDRESS_REQUIRED"]
    form = RecoveryForm(institutional_email=enrolment.person.institutional_email,
                        required=required)
    if form.validate_on_submit():
        services.choose_recovery(get_db(), settings(), compose, enrolment.id,
                                 address=normalize_address(form.address.data or "") or None,
                                 now=utcnow(), origin=origin())
        return _next(enrolment.id)
    if request.method == "GET":
        form.address.data = enrolment.recovery_address or ""
    return render_step("steps/recovery.html", enrolment, Step.RECOVERY,
                       422 if form.errors else 200, form=form, required=required)


@bp.post("/messagerie/verification/abandonner")
def verification_give_up():
    """Give up forwarding: mail stays in the institutional mailbox."""
    enrolment = enter(Step.MAIL_VERIFICATION)
    if EmptyForm().validate_on_submit():
        services.choose_mail(get_db(), settings(), compose, enrolment.id, forward_to=None,
                             keep_copy=True, now=utcnow(), origin=origin())
        flash(_("La redirection est abandonnée\u00a0: vos messages resteront dans votre "
                "boîte universitaire."), "info")
        return _next(enrolment.id)
    return redirect(url_for("steps.verification"), 303)


def _verdict(enrolment: Enrolment, form: PasswordForm) -> passwords.Verdict:
    return passwords.evaluate(form.password.data or "", form.confirmation.data or "",
                              policy=password_policy(),
                              user_inputs=personal_words(enrolment.person),
                              language=current_language())


def _is_the_sesame(enrolment: Enrolment, password: str) -> bool:
    """Whether the new password is the sésame just used (only its hash is kept, so this is
    checked on submit, and only for a password of the sésame's length)."""
    if enrolment.row["method"] != "sesame" or len(sesame_codes.normalize(password)) != \
            sesame_codes.LENGTH:
        return False
    return sesame_codes.check_sesame(get_db(), password_hasher(), enrolment.person.login,
                                     password, utcnow()) is not None


@bp.route("/mot-de-passe", methods=["GET", "POST"])
def password():
    """Choose the password; on success the account is activated."""
    enrolment = enter(Step.PASSWORD)
    form = PasswordForm()
    verdict = None
    if form.validate_on_submit():
        verdict = _verdict(enrolment, form)
        if verdict.acceptable and _is_the_sesame(enrolment, form.password.data or ""):
            form.password.errors = [_("Votre mot de passe ne peut pas être votre sésame.")]
        elif verdict.acceptable:
            # Hashed before the transaction: the write lock is never held for ~100 ms.
            hashed = passwords.hash_password(password_hasher(), form.password.data)
            services.complete(get_db(), settings(), compose, SqliteDirectory(get_db()),
                              enrolment.id, hashed, now=utcnow(), origin=origin())
            # The wizard session ends here; what remains can only show the done page.
            wizard_session.finish(enrolment.id)
            return redirect(url_for("steps.done"), 303)
        form.password.errors = list(form.password.errors) + [
            _("Ce mot de passe ne respecte pas toutes les règles ci-dessous.")]
    elif request.method == "POST":
        verdict = _verdict(enrolment, form)
    return render_step("steps/password.html", enrolment, Step.PASSWORD,
                       422 if request.method == "POST" else 200, form=form, verdict=verdict,
                       policy=password_policy())


@bp.post("/mot-de-passe/force")
@limiter.limit(configured("RATELIMIT_STRENGTH_PER_IP"))
@limiter.limit(configured("RATELIMIT_STRENGTH_PER_SESSION"), key_func=by_enrolment)
def password_strength():
    """Fragment: the meter, zxcvbn's advice and the rules' checklist, while typing."""
    enrolment = enter(Step.PASSWORD)
    form = PasswordForm()
    form.validate()  # only to parse; the verdict says what is wrong
    return render_template("steps/_strength.html", verdict=_verdict(enrolment, form),
                           policy=password_policy())


@bp.get("/termine")
def done():
    """The account is active: login, address, choices, what to do next."""
    enrolment = enter(Step.DONE)
    category = get_db().execute("SELECT category FROM people WHERE id = ?",
                                [enrolment.person.id]).fetchone()
    next_services = services_for(current_app.config["NEXT_SERVICES"],
                                 category[0] if category else None, current_language())
    return render_step("steps/done.html", enrolment, Step.DONE, next_services=next_services)
