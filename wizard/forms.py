"""The wizard's forms. Flask-WTF puts a CSRF token in each; labels are the page's text."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from .identity import is_plausible_address, normalize_address


class EmptyForm(FlaskForm):
    """A form with only a button: carries the CSRF token."""


class CharterForm(FlaskForm):
    """The charter step: one checkbox."""

    accept = BooleanField(
        "J'ai lu la charte et je m'engage à la respecter",
        validators=[DataRequired(message="Cochez la case pour accepter la charte.")],
    )


class DirectoryForm(FlaskForm):
    """The directory step: an explicit yes or no, nothing preselected."""

    listed = RadioField(
        "Souhaitez-vous figurer dans l'annuaire public de l'établissement ?",
        choices=[
            SelectChoice("oui", "Oui, je figure dans l'annuaire public"),
            SelectChoice("non", "Non, je m'inscris sur liste rouge"),
        ],
        invalid_choice_message="Choisissez l'une des réponses proposées.",
        validators=[InputRequired(message="Indiquez si vous souhaitez figurer dans "
                                          "l'annuaire public.")],
    )


class MailForm(FlaskForm):
    """The mail step: optional forwarding, keep a copy by default."""

    forward = BooleanField("Rediriger mes messages vers une autre adresse")
    forward_to = StringField(
        "Adresse de redirection",
        validators=[Length(max=254, message="Cette adresse est trop longue.")],
    )
    keep_copy = BooleanField("Conserver une copie dans ma boîte universitaire", default=True)

    def __init__(self, *args, institutional_email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.institutional_email = institutional_email

    def validate_forward_to(self, field: StringField) -> None:
        """When forwarding, the address must be plausible and not the institutional one."""
        if not self.forward.data:
            return
        address = normalize_address(field.data or "")
        if not address:
            raise ValidationError("Indiquez l'adresse vers laquelle rediriger vos messages.")
        if not is_plausible_address(address):
            raise ValidationError("Cette adresse n'est pas valide (exemple : "
                                  "prenom.nom@exemple.fr).")
        if address == self.institutional_email.lower():
            raise ValidationError("Vos messages ne peuvent pas être redirigés vers votre "
                                  "propre adresse universitaire.")


class CodeForm(FlaskForm):
    """The code typed on the verification waiting page."""

    code = StringField(
        "Code reçu par courriel",
        validators=[DataRequired(message="Saisissez le code à 6 chiffres reçu par courriel."),
                    Length(max=20, message="Le code compte 6 chiffres.")],
    )


class PasswordForm(FlaskForm):
    """The password step; the rules themselves live in passwords.py."""

    # Only a bound on the request; the real maximum (PASSWORD_MAX_LENGTH) is a rule of the
    # checklist. The message must be French too: wtforms' default is English.
    password = PasswordField("Nouveau mot de passe", validators=[
        Length(max=1000, message="Ce mot de passe est beaucoup trop long.")])
    confirmation = PasswordField("Confirmation du mot de passe", validators=[
        Length(max=1000, message="Cette confirmation est beaucoup trop longue.")])


class FirstLoginForm(FlaskForm):
    """« 1ère connexion »: an institutional address or a login."""

    identifier = StringField(
        "Adresse électronique universitaire ou identifiant",
        validators=[
            DataRequired(message="Indiquez votre adresse universitaire ou votre identifiant."),
            Length(max=254, message="Ce texte est trop long pour une adresse ou un "
                                    "identifiant."),
        ],
    )


class SesameForm(FlaskForm):
    """The letter's login and sésame."""

    login = StringField(
        "Identifiant",
        validators=[DataRequired(message="Indiquez l'identifiant inscrit sur votre courrier."),
                    Length(max=100, message="Cet identifiant est trop long.")],
    )
    sesame = PasswordField(
        "Sésame (code provisoire)",
        validators=[DataRequired(message="Indiquez le sésame inscrit sur votre courrier."),
                    Length(max=100, message="Ce sésame est trop long.")],
    )


class RecoveryForm(FlaskForm):
    """The recovery address on the sésame path."""

    address = StringField(
        "Adresse électronique personnelle",
        validators=[Length(max=254, message="Cette adresse est trop longue.")],
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
                raise ValidationError("Indiquez une adresse personnelle (de secours).")
            return
        if not is_plausible_address(address):
            raise ValidationError("Cette adresse n'est pas valide (exemple\u00a0: "
                                  "prenom.nom@exemple.fr).")
        if address == self.institutional_email.lower():
            raise ValidationError("L'adresse de secours doit être différente de votre "
                                  "adresse universitaire.")

