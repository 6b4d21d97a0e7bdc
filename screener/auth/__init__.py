"""Clinician sign-in and sign-out."""
