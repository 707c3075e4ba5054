"""The wizard's forms. Flask-WTF puts a CSRF token in each; labels are the page's text."""

from __future__ import annotations

from datetime import datetime

from flask import request
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from wizard.activation.names import is_plausible_address, normalize_address
from wizard.web import fast_html_params  # noqa: F401 (installs the fast path for every widget)
from wizard.web.i18n import gettext as _
from wizard.web.i18n import lazy_gettext as _l


class WizardForm(FlaskForm):
    """The base of every form: its fields read only the posted text fields.

    Flask-WTF would also feed them uploaded files and JSON bodies; none of our fields takes
    either, and a file or a number where text is expected crashes a validator (a 500).
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            """`request.form` when the form was posted; formdata given explicitly as is."""
            if formdata is None or hasattr(formdata, "getlist"):
                return formdata
            return request.form if form.is_submitted() and request.form else None


class EmptyForm(WizardForm):
    """A form with only a button: carries the CSRF token."""


class CharterForm(WizardForm):
    """The charter step: one checkbox."""

    accept = BooleanField(
        _l("J'ai lu la charte et je m'engage à la respecter"),
        validators=[DataRequired(message=_l("Cochez la case pour accepter la charte."))],
    )


class DirectoryForm(WizardForm):
    """The directory step: an explicit yes or no, nothing preselected."""

    listed = RadioField(
        _l("Souhaitez-vous figurer dans l'annuaire public de l'établissement ?"),
        choices=[
            SelectChoice("oui", _l("Oui, je figure dans l'annuaire public")),
            SelectChoice("non", _l("Non, je m'inscris sur liste rouge")),
        ],
        invalid_choice_message=_l("Choisissez l'une des réponses proposées."),
        validators=[InputRequired(message=_l("Indiquez si vous souhaitez figurer dans "
                                          "l'annuaire public."))],
    )


class MailForm(WizardForm):
    """The mail step: an explicit choice, no forwarding or forwarding to an address (with a
    copy kept by default)."""

    forward = RadioField(
        _l("Redirection de vos messages"),
        choices=[
            SelectChoice("non", _l("Ne pas rediriger : mes messages restent dans ma "
                                   "boîte universitaire")),
            SelectChoice("oui", _l("Rediriger mes messages vers une autre adresse")),
        ],
        default="non",
        invalid_choice_message=_l("Choisissez l'une des réponses proposées."),
    )
    forward_to = StringField(
        _l("Adresse de redirection"),
        validators=[Length(max=254, message=_l("Cette adresse est trop longue."))],
    )
    keep_copy = BooleanField(_l("Conserver une copie dans ma boîte universitaire"), default=True)

    def __init__(self, *args, institutional_email: str = "", offered_address: str = "",
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.institutional_email = institutional_email
        self.offered_address = normalize_address(offered_address or "")

    @property
    def forwarding(self) -> bool:
        """Whether the person chose to forward their messages."""
        return self.forward.data == "oui"

    def validate_forward(self, field: RadioField) -> None:
        """« No forwarding » with an address typed other than the one offered is ambiguous:
        refused, rather than dropping the address silently."""
        typed = normalize_address(self.forward_to.data or "")
        if not self.forwarding and typed and typed != self.offered_address:
            raise ValidationError(_(
                "Vous avez saisi une adresse de redirection sans choisir de rediriger vos "
                "messages : choisissez «\u00a0Rediriger mes messages vers une "
                "autre adresse\u00a0», ou effacez l'adresse."))

    def validate_forward_to(self, field: StringField) -> None:
        """When forwarding, the address must be plausible and not the institutional one."""
        if not self.forwarding:
            return
        address = normalize_address(field.data or "")
        if not address:
            raise ValidationError(_("Indiquez l'adresse vers laquelle rediriger vos messages."))
        check_external_address(address, self.institutional_email,
                               _("Vos messages ne peuvent pas être redirigés vers votre "
                                 "propre adresse universitaire."))


def check_external_address(address: str, institutional_email: str, own_message: str) -> None:
    """A plausible address, and not the person's own institutional one (`own_message`)."""
    if not is_plausible_address(address):
        raise ValidationError(_("Cette adresse n'est pas valide (exemple : "
                                "prenom.nom@exemple.fr)."))
    if address == institutional_email.lower():
        raise ValidationError(own_message)


class CodeForm(WizardForm):
    """The code typed on the verification waiting page."""

    code = StringField(
        _l("Code reçu par courriel"),
        validators=[DataRequired(message=_l("Saisissez le code à 6 chiffres reçu par courriel.")),
                    Length(max=20, message=_l("Le code compte 6 chiffres."))],
    )


class PasswordForm(WizardForm):
    """The password step; the rules themselves live in passwords.py."""

    # Only a bound on the request; the real maximum (PASSWORD_MAX_LENGTH) is a rule of the
    # checklist. The message must be French too: wtforms' default is English.
    password = PasswordField(_l("Nouveau mot de passe"), validators=[
        Length(max=1000, message=_l("Ce mot de passe est beaucoup trop long."))])
    confirmation = PasswordField(_l("Confirmation du mot de passe"), validators=[
        Length(max=1000, message=_l("Cette confirmation est beaucoup trop longue."))])


class FirstLoginForm(WizardForm):
    """« 1ère connexion »: the personal address HR recorded, the institutional one, or a login."""

    identifier = StringField(
        _l("Adresse personnelle, adresse universitaire ou identifiant"),
        validators=[
            DataRequired(message=_l("Indiquez votre adresse personnelle, votre adresse "
                                    "universitaire ou votre identifiant.")),
            Length(max=254, message=_l("Ce texte est trop long pour une adresse ou un "
                                    "identifiant.")),
        ],
    )


class SesameForm(WizardForm):
    """The letter's login and sésame."""

    login = StringField(
        _l("Identifiant"),
        validators=[DataRequired(message=_l("Indiquez l'identifiant inscrit sur votre courrier.")),
                    Length(max=100, message=_l("Cet identifiant est trop long."))],
    )
    sesame = PasswordField(
        _l("Sésame (code provisoire)"),
        validators=[DataRequired(message=_l("Indiquez le sésame inscrit sur votre courrier.")),
                    Length(max=100, message=_l("Ce sésame est trop long."))],
    )


class RecoveryForm(WizardForm):
    """The recovery address on the sésame path."""

    address = StringField(
        _l("Adresse électronique personnelle"),
        validators=[Length(max=254, message=_l("Cette adresse est trop longue."))],
    )

    def __init__(self, *args, institutional_email: str = "", required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.institutional_email = institutional_email
        self.required = required

    def validate_address(self, field: StringField) -> None:
        """A plausible address outside the institutional mailbox (it must work without it)."""
        address = normalize_address(field.data or "")
        if not address:
            if self.required:
                raise ValidationError(_("Indiquez une adresse personnelle (de secours)."))
            return
        check_external_address(address, self.institutional_email,
                               _("L'adresse de secours doit être différente de votre "
                                 "adresse universitaire."))
        domain = self.institutional_email.rpartition("@")[2].lower()
        if domain and address.endswith("@" + domain):
            # As the HR import: recovery must work without the institution's mail.
            raise ValidationError(_("L'adresse de secours doit être une adresse personnelle, "
                                    "en dehors de l'établissement."))


class BirthDateForm(WizardForm):
    """The optional date-of-birth question."""

    birth_date = StringField(
        _l("Date de naissance"),
        validators=[DataRequired(message=_l("Indiquez votre date de naissance.")),
                    Length(max=20, message=_l("Écrivez la date sous la forme JJ/MM/AAAA."))],
    )

    def validate_birth_date(self, field: StringField) -> None:
        """Accept 12/03/1985, 12-03-1985, 12.03.1985 or 1985-03-12."""
        text = (field.data or "").strip()
        for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
            try:
                self.parsed = datetime.strptime(text, pattern).date()
                return
            except ValueError:
                continue
        raise ValidationError(_l("Écrivez la date sous la forme JJ/MM/AAAA, par exemple "
                                 "12/03/1985."))

