"""The patient's questionnaire."""
