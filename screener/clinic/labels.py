"""Clinician-facing words for the rubric's codes and the record's."""

from ..models import Status as SubmissionStatus
from ..scoring import Category, Urgency

CATEGORY_LABELS: dict[str, str] = {
    Category.URGENT: "Urgent",
    Category.DISCUSS_REFERRAL: "Discuss referral",
    Category.NOT_YET: "Not yet",
    Category.PATTERN_UNCLEAR: "Pattern unclear",
    Category.INCOMPLETE: "Incomplete",
}

CATEGORY_MEANINGS: dict[str, str] = {
    Category.URGENT: "A red-flag answer calls for prompt care: see the urgency above.",
    Category.DISCUSS_REFERRAL: (
        "The answers match the pattern that often leads care teams to discuss an evaluation for "
        "SI-joint fusion. The checklist is still to be verified by the care team."
    ),
    Category.NOT_YET: "Non-surgical care or time may still help: a criterion is not met.",
    Category.PATTERN_UNCLEAR: (
        "The pain may come from somewhere other than the SI joint; consider other causes."
    ),
    Category.INCOMPLETE: "Some needed answers are missing; the patient can go back to them.",
}

URGENCY_LABELS: dict[str | None, str] = {
    Urgency.EMERGENCY: "URGENT – emergency",
    Urgency.SAME_DAY: "URGENT – same day",
    Urgency.SOON: "URGENT – soon",
}

URGENCY_ACTIONS: dict[str | None, str] = {
    Urgency.EMERGENCY: "The patient was told to call emergency services or go to the emergency "
    "room now.",
    Urgency.SAME_DAY: "The patient was told to call the care team today.",
    Urgency.SOON: "The patient was told to tell the care team within a few days.",
}

CRITERION_LABELS: dict[str, str] = {
    "location": "Location",
    "generalized": "No widespread pain",
    "duration": "Duration",
    "severity": "Severity",
    "function": "Function",
    "conservative_care": "Conservative care",
    "pregnancy": "Pregnancy",
}

STATUS_LABELS: dict[str, str] = {"met": "Met", "not_met": "Not met", "unknown": "Unknown"}

SUBMISSION_STATUS_LABELS: dict[str, str] = {
    SubmissionStatus.SUBMITTED: "Sent",
    SubmissionStatus.DRAFT: "Flagged while still answering (not sent yet)",
}

REVIEW_LABELS: dict[str, str] = {"new": "New", "reviewed": "Reviewed"}

LANGUAGE_NAMES: dict[str, str] = {"en": "English", "es": "Spanish"}

INVITATION_STATUS_LABELS: dict[str, str] = {
    "not_opened": "Not opened",
    "opened": "Opened",
    "sent": "Sent",
    "expired": "Expired",
}
