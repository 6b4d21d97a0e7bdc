"""Clinician sign-in views."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/clinic")
