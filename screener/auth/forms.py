"""Sign-in and user administration forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..models import Role, User


def _looks_like_email(_form, field) -> None:
    # Deliberately loose: the first admin is admin@localhost, which strict validators refuse.
    local, at, domain = (field.data or "").strip().partition("@")
    if not (local and at and domain) or any(c.isspace() for c in field.data.strip()):
        raise ValidationError("Enter an email address, like name@clinic.example.")


ROLE_CHOICES = [
    SelectChoice(Role.CLINICIAN.value, "Clinician"),
    SelectChoice(Role.ADMIN.value, "Admin (can also manage users and read the audit log)"),
]


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


def _new_password() -> PasswordField:
    return PasswordField(
        "New password",
        validators=[
            DataRequired("Enter a password."),
            Length(min=User.MIN_PASSWORD, message=f"Use at least {User.MIN_PASSWORD} characters."),
        ],
    )


def _new_password_again() -> PasswordField:
    return PasswordField(
        "Type the password again",
        validators=[
            DataRequired("Type the password again."),
            EqualTo("password", "The two passwords are not the same."),
        ],
    )


class _PasswordPair:
    """A new password typed twice."""

    password = _new_password()
    confirm = _new_password_again()


class NewUserForm(_PasswordPair, FlaskForm):
    email = EmailField(
        "Email",
        validators=[DataRequired("Enter an email address."), Length(max=254), _looks_like_email],
    )
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.CLINICIAN.value)


class PasswordForm(_PasswordPair, FlaskForm):
    pass


class OwnPasswordForm(FlaskForm):
    """A user's own new password, after the current one (fields in the order shown)."""

    current = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password.")]
    )
    password = _new_password()
    confirm = _new_password_again()


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token."""
