"""The wizard's steps, one page each, plus their fragments (strength, verification status).

Every view first asks the state machine whether its step may be shown; a step not yet
reached redirects (303) to the current one, and after completion only the done page
remains.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from wizard import passwords
from wizard.activation import answers, completion, identity_proof
from wizard.activation import verification as verifications
from wizard.activation.enrolment import (
    FORWARDING,
    RECOVERY,
    Enrolment,
    StepRefused,
    Verified,
    load,
)
from wizard.activation.names import normalize_address
from wizard.activation.steps import Step
from wizard.activation.tokens import CodeCheck
from wizard.activation.verification import TooManyVerificationMails
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
from wizard.web.services import services
from wizard.web.views import wizard_session
from wizard.web.views.navigation import go, step_url
from wizard.web.views.wizard_session import SessionEnded

bp = Blueprint("steps", __name__, url_prefix="/etapes")


@bp.errorhandler(SessionEnded)
def _session_ended(error: SessionEnded):
    return go(url_for("steps.session_ended", raison=error.reason))


@bp.errorhandler(StepRefused)
def _step_refused(error: StepRefused):
    return go(step_url(error.current))


def enter(step: Step) -> Enrolment:
    """The session's enrolment if `step` may be shown now; otherwise leave for the right page."""
    enrolment = wizard_session.current()
    if not enrolment.progress.may_visit(step):
        abort(go(step_url(enrolment.progress.current)))
    return enrolment


def render_step(template: str, enrolment: Enrolment, step: Step, status: int = 200,
                **context):
    """Render a full step page with the progress indicator."""
    return make_response(render_template(template, enrolment=enrolment,
                                         progress=enrolment.progress, step=step, **context),
                         status)


def _next(enrolment_id: int):
    """After a step is recorded: 303 to the (new) current step."""
    enrolment = load(services().db, enrolment_id)
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
    if reason not in {"none", "idle", "link", "left", "done"}:
        reason = "none"
    return render_template("steps/session_ended.html", reason=reason), 403


@bp.post("/quitter")
def leave():
    """« Quitter »: end the wizard session on this device; what was recorded stays."""
    if EmptyForm().validate_on_submit():
        wizard_session.leave()  # on the server too: a copied cookie stops working
    return redirect(url_for("steps.session_ended", raison="left"), 303)


@bp.route("/charte", methods=["GET", "POST"], endpoint="charter")
def charter_step():
    """The IT charter: read it, tick the box."""
    enrolment = enter(Step.CHARTER)
    form = CharterForm()
    if form.validate_on_submit():
        answers.accept_charter(services().context, enrolment.id, services().charter)
        return _next(enrolment.id)
    if request.method == "GET" and enrolment.charter_accepted:
        form.accept.data = True
    return render_step("steps/charter.html", enrolment, Step.CHARTER,
                       422 if form.errors else 200, form=form, charter=services().charter)


@bp.route("/date-de-naissance", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_SECRET_PER_IP"), methods=["POST"])
def birth_date():
    """Optional: the date of birth HR recorded, asked where the institution wants it."""
    enrolment = enter(Step.BIRTH_DATE)
    form = BirthDateForm()
    locked = False
    if form.validate_on_submit():
        outcome = identity_proof.check_birth_date(
            services().context, enrolment.id, form.parsed,
            max_tries=services().config("BIRTH_DATE_MAX_TRIES"))
        if outcome is identity_proof.BirthDateCheck.ACCEPTED:
            return _next(enrolment.id)
        if outcome is identity_proof.BirthDateCheck.LOCKED:
            wizard_session.leave()
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
        answers.answer_directory(services().context, enrolment.id, form.listed.data == "oui")
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
    offered = (enrolment.forward_to or enrolment.person.personal_email
               or enrolment.recovery_address or "")
    form = MailForm(institutional_email=enrolment.person.institutional_email,
                    offered_address=offered)
    if form.validate_on_submit():
        forward_to = normalize_address(form.forward_to.data) if form.forwarding else None
        try:
            answers.choose_mail(services().context, enrolment.id, forward_to=forward_to,
                                keep_copy=form.keep_copy.data)
            return _next(enrolment.id)
        except TooManyVerificationMails:
            form.forward_to.errors = [_too_many_mails()]
    if request.method == "GET":
        form.forward.data = "oui" if enrolment.forward_to is not None else "non"
        form.forward_to.data = offered
        form.keep_copy.data = enrolment.keep_copy
    return render_step("steps/mail.html", enrolment, Step.MAIL,
                       422 if form.errors else 200, form=form)


# The two waiting pages (forwarding address, recovery address) work alike: poll, type the
# code, resend. Each kind has its own named routes below; the work is shared.

def _render_waiting(kind: Verified, endpoint: str, enrolment: Enrolment, form: CodeForm,
                    status: int = 200):
    return render_step("steps/verification.html", enrolment, kind.waiting_step, status,
                       form=form, button_form=EmptyForm(), waiting=endpoint,
                       address=enrolment.pending_address(kind))


def _waiting_status(kind: Verified, endpoint: str):
    enrolment = wizard_session.current()
    if enrolment.progress.current is not kind.waiting_step:
        return go(step_url(enrolment.progress.current))
    return render_template("steps/_verification_status.html", waiting=endpoint)


def _waiting_code(kind: Verified, endpoint: str):
    enrolment = enter(kind.waiting_step)
    form = CodeForm()
    if form.validate_on_submit():
        outcome = verifications.verify_with_code(services().context, enrolment.id,
                                                form.code.data, kind=kind)
        if outcome is CodeCheck.ACCEPTED:
            return _next(enrolment.id)
        message = (_("Ce code ne correspond pas. Vérifiez-le ou demandez un nouveau courriel.")
                   if outcome is CodeCheck.WRONG else
                   _("Ce code n'est plus valable (trop d'essais ou délai dépassé). "
                     "Demandez un nouveau courriel."))
        form.code.errors = [message]
    return _render_waiting(kind, endpoint, enrolment, form, 422)


def _waiting_resend(kind: Verified, endpoint: str):
    enrolment = enter(kind.waiting_step)
    if EmptyForm().validate_on_submit():
        try:
            verifications.resend_verification(services().context, enrolment.id, kind=kind)
            flash(_("Un nouveau courriel a été envoyé à %(address)s. Le code précédent ne "
                    "fonctionne plus.", address=enrolment.pending_address(kind)), "info")
        except TooManyVerificationMails:
            flash(_too_many_mails(), "error")
    return redirect(url_for(f"steps.{endpoint}"), 303)


def _too_many_mails() -> str:
    return _("Trop de courriels de vérification ont été envoyés aujourd'hui "
             "(%(count)s au plus par 24\u00a0heures). Réessayez demain, ou contactez "
             "l'assistance.", count=services().config("VERIFICATION_MAILS_PER_DAY"))


_secret_per_ip = limiter.limit(configured("RATELIMIT_SECRET_PER_IP"))
_secret_per_enrolment = limiter.limit(configured("RATELIMIT_SECRET_PER_IDENTIFIER"),
                                      key_func=by_enrolment)
_mail_per_ip = limiter.limit(configured("RATELIMIT_MAIL_PER_IP"))
_mail_per_enrolment = limiter.limit(configured("RATELIMIT_MAIL_PER_IDENTIFIER"),
                                    key_func=by_enrolment)


@bp.get("/messagerie/verification")
def verification():
    """Waiting for the forwarding address to be verified: by link, or by typing the code."""
    return _render_waiting(FORWARDING, "verification", enter(FORWARDING.waiting_step),
                           CodeForm())


@bp.get("/messagerie/verification/statut")
def verification_status():
    """Fragment: still waiting (it polls again), or verified (the page moves on)."""
    return _waiting_status(FORWARDING, "verification")


@bp.post("/messagerie/verification/code")
@_secret_per_ip
@_secret_per_enrolment
def verification_code():
    """Check the code typed for the forwarding address."""
    return _waiting_code(FORWARDING, "verification")


@bp.post("/messagerie/verification/renvoyer")
@_mail_per_ip
@_mail_per_enrolment
def verification_resend():
    """Send a new verification mail and code to the forwarding address."""
    return _waiting_resend(FORWARDING, "verification")


@bp.get("/adresse-de-secours/verification")
def recovery_verification():
    """Waiting for the recovery address to be verified: by link, or by typing the code."""
    return _render_waiting(RECOVERY, "recovery_verification", enter(RECOVERY.waiting_step),
                           CodeForm())


@bp.get("/adresse-de-secours/verification/statut")
def recovery_verification_status():
    """Fragment: still waiting (it polls again), or verified (the page moves on)."""
    return _waiting_status(RECOVERY, "recovery_verification")


@bp.post("/adresse-de-secours/verification/code")
@_secret_per_ip
@_secret_per_enrolment
def recovery_verification_code():
    """Check the code typed for the recovery address."""
    return _waiting_code(RECOVERY, "recovery_verification")


@bp.post("/adresse-de-secours/verification/renvoyer")
@_mail_per_ip
@_mail_per_enrolment
def recovery_verification_resend():
    """Send a new verification mail and code to the recovery address."""
    return _waiting_resend(RECOVERY, "recovery_verification")


@bp.route("/adresse-de-secours", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_MAIL_PER_IDENTIFIER"), key_func=by_enrolment,
               methods=["POST"])
def recovery():
    """Sésame path: a personal address for recovery, verified like a forwarding address."""
    enrolment = enter(Step.RECOVERY)
    required = services().config("RECOVERY_ADDRESS_REQUIRED")
    form = RecoveryForm(institutional_email=enrolment.person.institutional_email,
                        required=required)
    if form.validate_on_submit():
        try:
            answers.choose_recovery(services().context, enrolment.id,
                                    address=normalize_address(form.address.data or "") or None)
            return _next(enrolment.id)
        except TooManyVerificationMails:
            form.address.errors = [_too_many_mails()]
    if request.method == "GET":
        form.address.data = enrolment.recovery_address or ""
    return render_step("steps/recovery.html", enrolment, Step.RECOVERY,
                       422 if form.errors else 200, form=form, required=required)


@bp.post("/messagerie/verification/abandonner")
def verification_give_up():
    """Give up forwarding: mail stays in the institutional mailbox."""
    enrolment = enter(Step.MAIL_VERIFICATION)
    if EmptyForm().validate_on_submit():
        answers.choose_mail(services().context, enrolment.id, forward_to=None,
                            keep_copy=True)
        flash(_("La redirection est abandonnée\u00a0: vos messages resteront dans votre "
                "boîte universitaire."), "info")
        return _next(enrolment.id)
    return redirect(url_for("steps.verification"), 303)


def _verdict(enrolment: Enrolment, form: PasswordForm) -> passwords.Verdict:
    found = services()
    return passwords.evaluate(form.password.data or "", form.confirmation.data or "",
                              policy=found.password_policy,
                              user_inputs=found.personal_words(enrolment.person),
                              language=current_language())


def directory_message(choice: completion.PasswordChoice) -> str:
    """What the password step says when the institution's directory refused or failed."""
    if choice.directory_down:
        return _("L'annuaire de l'établissement ne répond pas pour le moment\u00a0: votre "
                 "compte n'est pas encore activé, mais vos réponses sont gardées. Réessayez "
                 "dans quelques minutes\u00a0; si cela dure, contactez l'assistance "
                 "(%(phone)s, %(email)s).", phone=services().config("HELPDESK_PHONE"),
                 email=services().config("HELPDESK_EMAIL"))
    return {
        "too_short": _("L'annuaire de l'établissement refuse ce mot de passe\u00a0: il est "
                       "trop court pour sa politique. Choisissez-en un plus long."),
        "in_history": _("L'annuaire de l'établissement refuse ce mot de passe\u00a0: il a "
                        "déjà été utilisé pour ce compte. Choisissez-en un autre."),
        "too_young": _("L'annuaire de l'établissement refuse de changer le mot de passe si "
                       "tôt après le précédent. Réessayez plus tard ou contactez "
                       "l'assistance."),
        "quality": _("L'annuaire de l'établissement refuse ce mot de passe\u00a0: il ne "
                     "respecte pas sa politique de qualité. Choisissez-en un autre."),
    }.get(choice.directory_refusal or "", _(
        "L'annuaire de l'établissement refuse ce mot de passe. Choisissez-en un autre ou "
        "contactez l'assistance."))


@bp.route("/mot-de-passe", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_ARGON2_PER_IP"), methods=["POST"])
@limiter.limit(configured("RATELIMIT_ARGON2_PER_SESSION"), key_func=by_enrolment,
               methods=["POST"])
def password():
    """Choose the password; on success the account is activated.

    A refused password's verdict is shown apart, as what was wrong with it; the fields are
    empty again, so the live checklist starts over with them.
    """
    enrolment = enter(Step.PASSWORD)
    form = PasswordForm()
    verdict = refused = None
    if form.validate_on_submit():
        found = services()
        choice = completion.choose_password(
            found.context, enrolment, form.password.data or "", form.confirmation.data or "",
            policy=found.password_policy, hasher=found.password_hasher,
            words=found.personal_words(enrolment.person), language=current_language(),
            session_sid=wizard_session.sid())
        if choice.is_the_sesame:
            form.password.errors = [_("Votre mot de passe ne peut pas être votre sésame.")]
        elif choice.directory_down or choice.directory_refusal:
            form.password.errors = [directory_message(choice)]
        elif choice.verdict.acceptable:
            # The wizard session ends here; what remains can only show the done page.
            wizard_session.finish(enrolment.id, elsewhere=choice.already_activated)
            return redirect(url_for("steps.done"), 303)
        else:
            refused = choice.verdict
            form.password.errors = list(form.password.errors) + [
                _("Ce mot de passe ne respecte pas toutes les règles : voyez ci-dessous "
                  "pourquoi, puis saisissez-en un autre.")]
    if request.method == "POST":
        form.password.data = form.confirmation.data = ""
        verdict = _verdict(enrolment, form)
    return render_step("steps/password.html", enrolment, Step.PASSWORD,
                       422 if request.method == "POST" else 200, form=form, verdict=verdict,
                       refused=refused, policy=services().password_policy)


@bp.post("/mot-de-passe/force")
@limiter.limit(configured("RATELIMIT_STRENGTH_PER_IP"))
@limiter.limit(configured("RATELIMIT_STRENGTH_PER_SESSION"), key_func=by_enrolment)
def password_strength():
    """Fragment: the meter, zxcvbn's advice and the rules' checklist, while typing."""
    enrolment = enter(Step.PASSWORD)
    form = PasswordForm()
    form.validate()  # only to parse; the verdict says what is wrong
    return render_template("steps/_strength.html", verdict=_verdict(enrolment, form),
                           policy=services().password_policy)


@bp.get("/termine")
def done():
    """The account is active: login, address, choices, what to do next."""
    enrolment = enter(Step.DONE)
    next_services = services_for(services().config("NEXT_SERVICES"),
                                 enrolment.person.category, current_language())
    return render_step("steps/done.html", enrolment, Step.DONE, next_services=next_services,
                       elsewhere=wizard_session.activated_elsewhere())
