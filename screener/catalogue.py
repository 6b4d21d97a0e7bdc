"""The question catalogue: every question, its answer codes with their words, and its step.

Standard library only, like the scoring core, which derives its answer checks from it. Forms,
pages, the clinician summary, exports and translations all read it, so a question is declared
once. Its words are English, marked with `N_` for the translation catalogue; a page translates
them where it shows them.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any


def N_(text: str) -> str:
    """Mark text for translation (babel extracts it); it is translated where it is shown."""
    return text


class Kind(StrEnum):
    """The type of an answer."""

    YN = "yn"
    YNU = "ynu"
    CHOICE = "choice"
    LIST = "list"
    INT = "int"
    ODI = "odi"
    TEXT = "str"


class Widget(StrEnum):
    """How a step page asks the question."""

    RADIOS = "radios"
    CHECKBOXES = "checkboxes"
    BODY_MAP = "body_map"  # checkboxes beside a body picture whose regions toggle them
    DIMPLE = "dimple"  # radios under a picture of the dimples
    SCALE = "scale"  # a row of numbered radios with the ends named
    TEXTAREA = "textarea"


@dataclass(frozen=True)
class Option:
    """One answer code and its words."""

    code: str
    label: str


@dataclass(frozen=True)
class Question:
    """One question: its rubric key, what it accepts, and the words a person reads."""

    key: str
    kind: Kind
    label: str
    short: str  # the clinician's label, on the summary and in exports
    options: tuple[Option, ...] = ()
    hint: str | None = None
    widget: Widget = Widget.RADIOS
    required: bool = False  # a step cannot be continued without it
    shown_if: tuple[str, str] | None = None  # asked, and kept, only when (key, code) holds
    # The words of a list's "None of these" box, on the form only (not an answer code): the step
    # needs a box ticked to continue, so a done step without this answer means "None of these".
    none_label: str | None = None
    max_length: int = 0  # text only
    since: str = "2026.11"  # the first rubric version that asks it

    @property
    def codes(self) -> tuple[str, ...]:
        """The answer codes in display order (numbers as digits)."""
        return tuple(option.code for option in self.options)

    @property
    def minimum(self) -> int:
        """The lowest number a numbered answer takes (an INT's, or an ODI section's)."""
        return int(self.options[0].code)

    @property
    def maximum(self) -> int:
        """The highest number a numbered answer takes."""
        return int(self.options[-1].code)

    def said_none(self, answers: Mapping[str, object], done: bool) -> bool:
        """Whether the patient ticked this question's "None of these" box (see none_label), given
        whether its step is done."""
        return self.none_label is not None and done and not answers.get(self.key)

    def label_of(self, code: object) -> str:
        """The words for one answer code (a number is given as its digits)."""
        return next(option.label for option in self.options if option.code == str(code))

    def applies(self, answers: Mapping[str, object]) -> bool:
        """Whether this question is asked, given the other answers."""
        return self.shown_if is None or answers.get(self.shown_if[0]) == self.shown_if[1]

    def words(self, value: object, translate: Callable[[str], str] = str) -> list[str]:
        """An answer in words, one item per selected code ([] when unanswered); free text is
        given as typed, codes' words through `translate`."""
        if value is None or value == [] or value == "":
            return []
        if self.kind is Kind.TEXT:
            return [str(value)]
        values = value if isinstance(value, list) else [value]
        return [translate(self.label_of(v)) for v in values]


@dataclass(frozen=True)
class Step:
    """One page of the questionnaire."""

    slug: str
    title: str
    intro: str
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True)
class IdentityField:
    """One of the About you details, stored apart from the clinical answers."""

    key: str
    label: str


# --- Answer sets used by many questions --------------------------------------------------------

YES = Option("yes", N_("Yes"))
NO = Option("no", N_("No"))
UNSURE = Option("unsure", N_("I'm not sure"))
YN = (YES, NO)
YNU = (YES, NO, UNSURE)
FUNCTION = (
    Option("0", N_("Easily")),
    Option("1", N_("With some difficulty")),
    Option("2", N_("With great difficulty")),
    Option("3", N_("I can't do this")),
)
PAIN_SCALE = (
    Option("0", N_("0 – no pain")),
    *(Option(str(n), str(n)) for n in range(1, 10)),
    Option("10", N_("10 – worst pain you can imagine")),
)
PAIN_SCALE_HINT = N_("0 means no pain. 10 means the worst pain you can imagine.")
CHECK_ALL = N_("Check all that apply.")

# The rubric versions whose questions the catalogue can still name (see Question.since), oldest
# first, with the day each took effect.
VERSIONS: dict[str, date] = {"2026.11": date(2026, 11, 21), "2026.12": date(2026, 12, 1)}

# One meaning for an answer code that several questions word their own way (codes are shared
# across questions: "none" is "No" to one question and "Never" to another).
CODE_MEANINGS: dict[str, str] = {
    "none": "None, never or not tried",
    "left": "Left side",
    "right": "Right side",
    "both": "Both sides",
    "buttock": "Buttock",
    "groin": "Groin",
    "6m_12m": "6 to 12 months",
}


def _red_flag(
    key: str, label: str, short: str, hint: str | None = None, since: str = "2026.11"
) -> Question:
    return Question(key, Kind.YNU, label, short, YNU, hint, required=True, since=since)


def _function(key: str, label: str, short: str) -> Question:
    return Question(key, Kind.INT, label, short, FUNCTION)


def _pain(key: str, label: str, short: str) -> Question:
    return Question(key, Kind.INT, label, short, PAIN_SCALE, PAIN_SCALE_HINT, Widget.SCALE)


# --- The steps, in the order a patient answers them --------------------------------------------

ABOUT_YOU = "about-you"
IDENTITY: tuple[IdentityField, ...] = (
    IdentityField("full_name", N_("Full name")),
    IdentityField("date_of_birth", N_("Date of birth")),
    IdentityField("phone", N_("Phone number")),
    IdentityField("email", N_("Email address")),
)
ADULT_AGE, MAX_AGE = 18, 110  # the questionnaire is for adults; older is a mistyped year


def age_on(born: date, day: date) -> int:
    """Whole years from `born` to `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


STEPS: tuple[Step, ...] = (
    Step(
        ABOUT_YOU,
        N_("About you"),
        N_(
            "So your care team knows whose answers these are. We keep these details apart from "
            "your health answers."
        ),
    ),
    Step(
        "safety",
        N_("Safety questions"),
        N_("These questions check for problems that need care soon. Answer for the last 2 weeks."),
        (
            _red_flag(
                "rf_bladder_bowel",
                N_("Is it newly hard to control when you pee or poo?"),
                "New bladder or bowel control problems (last 2 weeks)",
                N_("For example, leaking, or not being able to go."),
            ),
            _red_flag(
                "rf_saddle_numbness",
                N_("Is there new numbness between your legs or around your bottom?"),
                "New saddle-area numbness",
                N_("The parts that would touch a bike saddle."),
            ),
            _red_flag(
                "rf_leg_weakness_worsening",
                N_("Is one or both of your legs getting weaker?"),
                "Leg weakness that is getting worse",
            ),
            _red_flag(
                "rf_sexual_function",
                N_(
                    "Is there new numbness in your private parts, or a new change in sex, such as "
                    "getting an erection, ejaculating or feeling during sex?"
                ),
                "New genital numbness or change in sexual function",
                N_("Your answer is private. It goes only to your care team."),
                since="2026.12",
            ),
            _red_flag(
                "rf_fever",
                N_("Do you have a fever or chills along with this pain?"),
                "Fever (38 °C / 100.4 °F or more) or chills with this pain",
                N_("A fever is 38 °C (100.4 °F) or more."),
            ),
            _red_flag(
                "rf_both_legs",
                N_("Do you have new pain, numbness or tingling going down both legs?"),
                "New pain, numbness or tingling down both legs",
                since="2026.12",
            ),
            _red_flag(
                "rf_recent_trauma",
                N_("Did this pain start or get much worse after a recent bad fall or accident?"),
                "Pain began or worsened after recent serious trauma",
                N_(
                    "Answer yes for a small fall too if you have thin bones (osteoporosis) or have "
                    "taken steroid tablets for a long time."
                ),
            ),
            _red_flag(
                "rf_immune_risk",
                N_(
                    "Is your immune system weak, or have you injected drugs, and is this pain new "
                    "or much worse?"
                ),
                "Weakened immunity or injected drugs, with new or much worse pain",
                N_("For example, from cancer treatment, an organ transplant or HIV."),
            ),
            _red_flag(
                "rf_cancer_history",
                N_("Have you had cancer in the past, and is this pain new or different?"),
                "Past cancer, with new or different pain",
            ),
            _red_flag(
                "rf_weight_loss",
                N_("Have you lost about 5 kg (10 lb) or more in recent months without trying?"),
                "Unplanned weight loss of about 5 kg / 10 lb or more",
            ),
        ),
    ),
    Step(
        "where",
        N_("Where it hurts"),
        N_("Tell us where you feel the pain."),
        (
            Question(
                "pain_areas",
                Kind.LIST,
                N_("Where do you have pain?"),
                "Pain areas",
                (
                    Option("low_back_center", N_("Middle of the low back")),
                    Option("below_belt_side", N_("Low back, to one side, below the belt line")),
                    Option("buttock", N_("Buttock")),
                    Option("groin", N_("Groin")),
                    Option("thigh_back", N_("Back of the thigh")),
                    Option("below_knee", N_("Below the knee")),
                    Option("foot", N_("Foot")),
                    Option("widespread", N_("Pain in many parts of the body")),
                ),
                N_("Tap the body picture or check each place that hurts."),
                Widget.BODY_MAP,
            ),
            Question(
                "worst_spot",
                Kind.CHOICE,
                N_("Point to your worst pain with one finger. Where is it?"),
                "Worst spot (one finger)",
                (
                    Option("dimple", N_("On or just below the dimple")),
                    Option("buttock", N_("In the buttock")),
                    Option("spine_center", N_("On the middle of the spine")),
                    Option("groin", N_("In the groin")),
                    Option("leg", N_("In the leg")),
                    Option("cant_say", N_("I can't point to one spot")),
                ),
                N_(
                    "The dimple is the small dip at the top of the buttock, on each side of the "
                    "spine."
                ),
                Widget.DIMPLE,
            ),
            Question(
                "pain_side",
                Kind.CHOICE,
                N_("Which side hurts?"),
                "Side",
                (
                    Option("left", N_("Left")),
                    Option("right", N_("Right")),
                    Option("both", N_("Both sides")),
                ),
            ),
            Question(
                "worse_with",
                Kind.LIST,
                N_("What makes the pain worse?"),
                "Worse with",
                (
                    Option("sitting_on_side", N_("Sitting on the painful side")),
                    Option("rising_from_chair", N_("Getting up from a chair")),
                    Option("rolling_in_bed", N_("Rolling over in bed")),
                    Option("stairs", N_("Going up or down stairs")),
                    Option("lying_on_side", N_("Lying on the painful side")),
                    Option("standing_walking", N_("Standing or walking")),
                ),
                CHECK_ALL,
                Widget.CHECKBOXES,
            ),
            Question(
                "leg_symptoms_below_knee",
                Kind.YN,
                N_("Do you have numbness, tingling or shooting pain below the knee?"),
                "Numbness, tingling or shooting pain below the knee",
                YN,
            ),
        ),
    ),
    Step(
        "how-much",
        N_("How long and how much"),
        N_("Tell us how long you have had this pain and how strong it is."),
        (
            Question(
                "pain_duration",
                Kind.CHOICE,
                N_("How long have you had this pain?"),
                "Duration of pain",
                (
                    Option("lt_6w", N_("Less than 6 weeks")),
                    Option("6w_3m", N_("6 weeks to 3 months")),
                    Option("3m_6m", N_("3 to 6 months")),
                    Option("6m_12m", N_("6 to 12 months")),
                    Option("gt_12m", N_("More than 12 months")),
                ),
            ),
            _pain(
                "pain_average",
                N_("In the past 7 days, how bad was your pain on average?"),
                "Average pain, past 7 days (0–10)",
            ),
            _pain(
                "pain_worst",
                N_("In the past 7 days, how bad was your pain at its worst?"),
                "Worst pain, past 7 days (0–10)",
            ),
        ),
    ),
    Step(
        "daily-life",
        N_("Daily life"),
        N_("How does the pain affect you now? These questions are our own, not a standard test."),
        (
            _function("fn_sitting", N_("Sitting for 30 minutes"), "Sitting 30 minutes"),
            _function(
                "fn_standing_walking",
                N_("Standing or walking for 15 minutes"),
                "Standing or walking 15 minutes",
            ),
            _function("fn_stairs", N_("Climbing one flight of stairs"), "A flight of stairs"),
            _function(
                "fn_daily_tasks", N_("Your usual work or housework"), "Usual work or housework"
            ),
            _function("fn_sleep", N_("Sleeping through the night"), "Sleeping through the night"),
        ),
    ),
    Step(
        "treatments",
        N_("Treatments you have tried"),
        N_("Tell us what you have tried for this pain, apart from surgery."),
        (
            Question(
                "care_duration",
                Kind.CHOICE,
                N_("How long have you been trying treatments other than surgery?"),
                "Non-surgical care, how long",
                (
                    Option("none", N_("I have not tried any yet")),
                    Option("lt_3m", N_("Less than 3 months")),
                    Option("3m_6m", N_("3 to 6 months")),
                    Option("gte_6m", N_("6 months or more")),
                ),
                N_("For example, exercises, medicine, injections or a brace."),
            ),
            Question(
                "pt",
                Kind.CHOICE,
                N_("Have you had physical therapy?"),
                "Physical therapy or exercise led by a physical therapist",
                (
                    Option("none", N_("No")),
                    Option("lt_4w", N_("Yes, for less than 4 weeks")),
                    Option("gte_4w", N_("Yes, for 4 weeks or more")),
                    Option("not_tolerated", N_("I tried, but I could not do it because of pain")),
                ),
                N_(
                    "This means exercises or treatment led by a physical therapist. Exercise with "
                    "a gym or personal trainer does not count here."
                ),
            ),
            Question(
                "home_exercise",
                Kind.YN,
                N_("Do you do exercises at home that a therapist or doctor gave you?"),
                "Home exercise program",
                YN,
            ),
            Question(
                "medications",
                Kind.LIST,
                N_("Which medicines have you taken for this pain?"),
                "Medicines tried",
                (
                    Option(
                        "anti_inflammatory",
                        N_("Anti-inflammatory pills, like ibuprofen or naproxen"),
                    ),
                    Option("acetaminophen", N_("Acetaminophen (paracetamol, Tylenol)")),
                    Option("muscle_relaxant", N_("Muscle relaxants")),
                    Option("nerve_pain", N_("Nerve pain medicine, like gabapentin")),
                    Option("opioid", N_("Opioids, like tramadol or oxycodone")),
                    Option("other", N_("Another medicine")),
                    Option("not_possible", N_("My doctor said I can't take pain medicine")),
                    Option("none", N_("None")),
                ),
                CHECK_ALL,
                Widget.CHECKBOXES,
            ),
            Question(
                "other_care",
                Kind.LIST,
                N_("What else have you tried?"),
                "Other care tried",
                (
                    Option("chiropractic", N_("Chiropractic care")),
                    Option("brace_belt", N_("A brace or pelvic belt")),
                    Option("activity_change", N_("Changing or resting from activities")),
                    Option("acupuncture", N_("Acupuncture")),
                    Option("epidural", N_("An epidural injection in the spine")),
                    Option("radiofrequency", N_("Radiofrequency treatment (nerve burning)")),
                ),
                CHECK_ALL,
                Widget.CHECKBOXES,
                none_label=N_("None of these"),
            ),
            Question(
                "si_injection",
                Kind.CHOICE,
                N_("Have you had an injection into the SI joint?"),
                "SI-joint injection",
                (Option("none", N_("No")), YES, UNSURE),
                N_("The SI joint is where the spine meets the pelvis, near the dimple."),
            ),
            Question(
                "si_injection_relief",
                Kind.CHOICE,
                N_("In the first hours after the injection, how much did your pain go down?"),
                "Relief after the SI-joint injection",
                (
                    Option("lt_50", N_("Less than half")),
                    Option("50_74", N_("About half to three quarters")),
                    Option("gte_75", N_("Three quarters or more")),
                    Option("dont_know", N_("I don't know")),
                ),
                N_("Answer this only if you said Yes to the question above."),
                shown_if=("si_injection", "yes"),
            ),
        ),
    ),
    Step(
        "health",
        N_("Other health"),
        N_("A few questions about your health in general."),
        (
            Question(
                "fibromyalgia",
                Kind.YNU,
                N_("Has a doctor told you that you have fibromyalgia or pain all over the body?"),
                "Told of fibromyalgia or widespread pain",
                YNU,
            ),
            Question(
                "inflammatory_arthritis",
                Kind.YNU,
                N_("Has a doctor told you that you have arthritis that inflames the spine?"),
                "Told of inflammatory spinal arthritis",
                YNU,
                N_("For example, ankylosing spondylitis."),
            ),
            Question(
                "prior_lumbar_fusion",
                Kind.YNU,
                N_("Have you had surgery to join (fuse) bones in your low back?"),
                "Earlier lumbar fusion",
                YNU,
            ),
            Question(
                "pregnancy",
                Kind.CHOICE,
                N_("Are you pregnant, or did you give birth in the last 6 months?"),
                "Pregnancy",
                (
                    Option("pregnant", N_("I am pregnant")),
                    Option("postpartum_lt_6m", N_("I gave birth in the last 6 months")),
                    Option("no", N_("No")),
                    Option("not_applicable", N_("This does not apply to me")),
                ),
            ),
            Question(
                "nicotine",
                Kind.YN,
                N_("Do you smoke, vape or use other nicotine now?"),
                "Uses nicotine now",
                YN,
            ),
            Question(
                "prior_si_fusion",
                Kind.CHOICE,
                N_("Have you had surgery to fuse an SI joint before?"),
                "Earlier SI-joint fusion",
                (
                    Option("none", N_("No")),
                    Option("left", N_("Yes, on the left")),
                    Option("right", N_("Yes, on the right")),
                    Option("both", N_("Yes, on both sides")),
                ),
            ),
            Question(
                "metal_allergy",
                Kind.YNU,
                N_("Are you allergic to any metal?"),
                "Metal allergy",
                YNU,
                N_("Implants for this surgery are made of titanium."),
            ),
            Question(
                "imaging",
                Kind.CHOICE,
                N_("When did you last have an X-ray, MRI or CT scan of your low back or pelvis?"),
                "Most recent imaging",
                (
                    Option("none", N_("Never")),
                    Option("lt_6m", N_("In the last 6 months")),
                    Option("6m_12m", N_("6 to 12 months ago")),
                    Option("gt_12m", N_("More than 12 months ago")),
                    Option("unsure", N_("I'm not sure")),
                ),
            ),
        ),
    ),
    Step(
        "anything-else",
        N_("Anything else"),
        N_("Is there anything else you want your care team to know?"),
        (
            Question(
                "comments",
                Kind.TEXT,
                N_("Anything else"),  # the pages add "(optional)"
                "Patient's comments",
                hint=N_("You can write up to 2,000 characters."),
                widget=Widget.TEXTAREA,
                max_length=2000,
            ),
        ),
    ),
)

# The Oswestry Disability Index is licensed: its words come from the clinic's own file (see
# patient/odi.py), and its step exists only where that file is installed. Its answer is one list
# of section scores, each a statement's position or null.
ODI_STEP = "odi"
ODI_SECTIONS = 10
ODI = Question(
    "odi",
    Kind.ODI,
    "Oswestry Disability Index",  # its words are the clinic's licensed text, never ours
    "ODI sections (0–5 each)",
    tuple(Option(str(n), str(n)) for n in range(6)),  # a section's statements score 0 to 5
)
ODI_AFTER = "daily-life"  # the step the ODI step follows

QUESTIONS: dict[str, Question] = {q.key: q for step in STEPS for q in step.questions}


def _answer_keys():
    for each in STEPS:
        yield from (q.key for q in each.questions)
        if each.slug == ODI_AFTER:
            yield ODI.key


# Every answer key, in the order the questionnaire asks them (the ODI with daily life).
ANSWER_KEYS: tuple[str, ...] = tuple(_answer_keys())


def question(key: str) -> Question:
    """The question with this key, the ODI's included."""
    return ODI if key == ODI.key else QUESTIONS[key]


def step(slug: str) -> Step:
    """The catalogue step with this slug (KeyError for another)."""
    for each in STEPS:
        if each.slug == slug:
            return each
    raise KeyError(slug)


def applicable(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers without those to questions that, given the others, are not asked."""
    return {key: value for key, value in answers.items() if question(key).applies(answers)}
