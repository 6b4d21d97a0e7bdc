"""The question catalogue: every question's wording, its answer codes and its step.

Answer codes come from the scoring module's FIELDS, so a code is defined once; this module only
adds the words a person reads, in both languages through gettext.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from .scoring import FIELDS, Kind


@dataclass(frozen=True)
class Question:
    """One question: its rubric key, wording, and the label of each answer code."""

    key: str
    label: object
    hint: object = None
    labels: dict[str, object] = field(default_factory=dict)
    required: bool = False
    # Shown only when another answer has a given value: (key, value).
    shown_if: tuple[str, str] | None = None
    # Label used for this question on clinician pages and exports, when shorter is clearer.
    short: str = ""

    @property
    def kind(self) -> Kind:
        return FIELDS[self.key].kind

    @property
    def codes(self) -> tuple[str, ...]:
        """The answer codes in display order (numbers as digits)."""
        spec = FIELDS[self.key]
        if spec.kind is Kind.INT:
            return tuple(str(n) for n in range(spec.minimum, spec.maximum + 1))
        return spec.choices

    @property
    def choices(self) -> list[tuple[str, object]]:
        return [(code, self.labels.get(code, code)) for code in self.codes]

    def words(self, value) -> list[str]:
        """An answer in words, one item per selected code ([] when unanswered)."""
        if value is None or value == [] or value == "":
            return []
        if self.kind is Kind.TEXT:
            return [value]
        values = value if isinstance(value, list) else [value]
        return [str(self.labels.get(str(v), v)) for v in values]


@dataclass(frozen=True)
class Step:
    """One page of the questionnaire."""

    slug: str
    title: object
    intro: object
    questions: tuple[Question, ...] = ()


YN = {"yes": _l("Yes"), "no": _l("No")}
YNU = {**YN, "unsure": _l("I'm not sure")}
FUNCTION = {
    "0": _l("Easily"),
    "1": _l("With some difficulty"),
    "2": _l("With great difficulty"),
    "3": _l("I can't do this"),
}


def _red_flag(key: str, label, short: str, hint=None) -> Question:
    return Question(key, label, hint=hint, labels=YNU, required=True, short=short)


def _function(key: str, label, short: str) -> Question:
    return Question(key, label, labels=FUNCTION, short=short)


PAIN_SCALE = {"0": _l("0 – no pain"), "10": _l("10 – worst pain you can imagine")}

STEPS: tuple[Step, ...] = (
    Step(
        "about-you",
        _l("About you"),
        _l(
            "So your care team knows whose answers these are. We keep these details apart from "
            "your health answers."
        ),
    ),
    Step(
        "safety",
        _l("Safety questions"),
        _l("These questions check for problems that need care soon. Answer for the last 2 weeks."),
        (
            _red_flag(
                "rf_bladder_bowel",
                _l("Is it newly hard to control when you pee or poo?"),
                "New bladder or bowel control problems (last 2 weeks)",
                _l("For example, leaking, or not being able to go."),
            ),
            _red_flag(
                "rf_saddle_numbness",
                _l("Is there new numbness between your legs or around your bottom?"),
                "New saddle-area numbness",
                _l("The parts that would touch a bike saddle."),
            ),
            _red_flag(
                "rf_leg_weakness_worsening",
                _l("Is one or both of your legs getting weaker?"),
                "Leg weakness that is getting worse",
            ),
            _red_flag(
                "rf_fever",
                _l("Do you have a fever or chills along with this pain?"),
                "Fever (38 °C / 100.4 °F or more) or chills with this pain",
                _l("A fever is 38 °C (100.4 °F) or more."),
            ),
            _red_flag(
                "rf_recent_trauma",
                _l("Did this pain start or get much worse after a recent bad fall or accident?"),
                "Pain began or worsened after recent serious trauma",
                _l(
                    "Answer yes for a small fall too if you have thin bones (osteoporosis) or have "
                    "taken steroid tablets for a long time."
                ),
            ),
            _red_flag(
                "rf_immune_risk",
                _l(
                    "Is your immune system weak, or have you injected drugs, and is this pain new "
                    "or much worse?"
                ),
                "Weakened immunity or injected drugs, with new or much worse pain",
                _l("For example, from cancer treatment, an organ transplant or HIV."),
            ),
            _red_flag(
                "rf_cancer_history",
                _l("Have you had cancer in the past, and is this pain new or different?"),
                "Past cancer, with new or different pain",
            ),
            _red_flag(
                "rf_weight_loss",
                _l("Have you lost about 5 kg (10 lb) or more in recent months without trying?"),
                "Unplanned weight loss of about 5 kg / 10 lb or more",
            ),
        ),
    ),
    Step(
        "where",
        _l("Where it hurts"),
        _l("Tell us where you feel the pain."),
        (
            Question(
                "pain_areas",
                _l("Where do you have pain?"),
                _l("Tap the body picture or tick each place that hurts."),
                {
                    "low_back_center": _l("Middle of the low back"),
                    "below_belt_side": _l("Low back, to one side, below the belt line"),
                    "buttock": _l("Buttock"),
                    "groin": _l("Groin"),
                    "thigh_back": _l("Back of the thigh"),
                    "below_knee": _l("Below the knee"),
                    "foot": _l("Foot"),
                    "widespread": _l("Pain in many parts of the body"),
                },
                short="Pain areas",
            ),
            Question(
                "worst_spot",
                _l("Point to your worst pain with one finger. Where is it?"),
                _l(
                    "The dimple is the small dip at the top of the buttock, on each side of the "
                    "spine."
                ),
                {
                    "dimple": _l("On or just below the dimple"),
                    "buttock": _l("In the buttock"),
                    "spine_center": _l("On the middle of the spine"),
                    "groin": _l("In the groin"),
                    "leg": _l("In the leg"),
                    "cant_say": _l("I can't point to one spot"),
                },
                short="Worst spot (one finger)",
            ),
            Question(
                "pain_side",
                _l("Which side hurts?"),
                labels={"left": _l("Left"), "right": _l("Right"), "both": _l("Both sides")},
                short="Side",
            ),
            Question(
                "worse_with",
                _l("What makes the pain worse?"),
                _l("Tick all that apply."),
                {
                    "sitting_on_side": _l("Sitting on the painful side"),
                    "rising_from_chair": _l("Getting up from a chair"),
                    "rolling_in_bed": _l("Rolling over in bed"),
                    "stairs": _l("Going up or down stairs"),
                    "lying_on_side": _l("Lying on the painful side"),
                    "standing_walking": _l("Standing or walking"),
                },
                short="Worse with",
            ),
            Question(
                "leg_symptoms_below_knee",
                _l("Do you have numbness, tingling or shooting pain below the knee?"),
                labels=YN,
                short="Numbness, tingling or shooting pain below the knee",
            ),
        ),
    ),
    Step(
        "how-much",
        _l("How long and how much"),
        _l("Tell us how long you have had this pain and how strong it is."),
        (
            Question(
                "pain_duration",
                _l("How long have you had this pain?"),
                labels={
                    "lt_6w": _l("Less than 6 weeks"),
                    "6w_3m": _l("6 weeks to 3 months"),
                    "3m_6m": _l("3 to 6 months"),
                    "6m_12m": _l("6 to 12 months"),
                    "gt_12m": _l("More than 12 months"),
                },
                short="Duration of pain",
            ),
            Question(
                "pain_average",
                _l("In the past 7 days, how bad was your pain on average?"),
                _l("0 means no pain. 10 means the worst pain you can imagine."),
                PAIN_SCALE,
                short="Average pain, past 7 days (0–10)",
            ),
            Question(
                "pain_worst",
                _l("In the past 7 days, how bad was your pain at its worst?"),
                _l("0 means no pain. 10 means the worst pain you can imagine."),
                PAIN_SCALE,
                short="Worst pain, past 7 days (0–10)",
            ),
        ),
    ),
    Step(
        "daily-life",
        _l("Daily life"),
        _l("How does the pain affect you now? These questions are our own, not a standard test."),
        (
            _function("fn_sitting", _l("Sitting for 30 minutes"), "Sitting 30 minutes"),
            _function(
                "fn_standing_walking",
                _l("Standing or walking for 15 minutes"),
                "Standing or walking 15 minutes",
            ),
            _function("fn_stairs", _l("Climbing one flight of stairs"), "A flight of stairs"),
            _function(
                "fn_daily_tasks", _l("Your usual work or housework"), "Usual work or housework"
            ),
            _function("fn_sleep", _l("Sleeping through the night"), "Sleeping through the night"),
        ),
    ),
    Step(
        "treatments",
        _l("Treatments you have tried"),
        _l("Tell us what you have tried for this pain, apart from surgery."),
        (
            Question(
                "care_duration",
                _l("How long have you been trying treatments other than surgery?"),
                _l("For example, exercises, medicine, injections or a brace."),
                {
                    "none": _l("I have not tried any yet"),
                    "lt_3m": _l("Less than 3 months"),
                    "3m_6m": _l("3 to 6 months"),
                    "gte_6m": _l("6 months or more"),
                },
                short="Non-surgical care, how long",
            ),
            Question(
                "pt",
                _l("Have you had physical therapy or exercise with a trainer?"),
                labels={
                    "none": _l("No"),
                    "lt_4w": _l("Yes, for less than 4 weeks"),
                    "gte_4w": _l("Yes, for 4 weeks or more"),
                    "not_tolerated": _l("I tried, but I could not do it because of pain"),
                },
                short="Physical therapy or supervised exercise",
            ),
            Question(
                "home_exercise",
                _l("Do you do exercises at home that a therapist or doctor gave you?"),
                labels=YN,
                short="Home exercise programme",
            ),
            Question(
                "medications",
                _l("Which medicines have you taken for this pain?"),
                _l("Tick all that apply."),
                {
                    "anti_inflammatory": _l("Anti-inflammatory pills, like ibuprofen or naproxen"),
                    "acetaminophen": _l("Acetaminophen (paracetamol, Tylenol)"),
                    "muscle_relaxant": _l("Muscle relaxants"),
                    "nerve_pain": _l("Nerve pain medicine, like gabapentin"),
                    "opioid": _l("Opioids, like tramadol or oxycodone"),
                    "other": _l("Another medicine"),
                    "not_possible": _l("My doctor said I can't take pain medicine"),
                    "none": _l("None"),
                },
                short="Medicines tried",
            ),
            Question(
                "other_care",
                _l("What else have you tried?"),
                _l("Tick all that apply."),
                {
                    "chiropractic": _l("Chiropractic care"),
                    "brace_belt": _l("A brace or pelvic belt"),
                    "activity_change": _l("Changing or resting from activities"),
                    "acupuncture": _l("Acupuncture"),
                    "epidural": _l("An epidural injection in the spine"),
                    "radiofrequency": _l("Radiofrequency treatment (nerve burning)"),
                },
                short="Other care tried",
            ),
            Question(
                "si_injection",
                _l("Have you had an injection into the SI joint?"),
                _l("The SI joint is where the spine meets the pelvis, near the dimple."),
                {"none": _l("No"), "yes": _l("Yes"), "unsure": _l("I'm not sure")},
                short="SI-joint injection",
            ),
            Question(
                "si_injection_relief",
                _l("In the first hours after the injection, how much did your pain go down?"),
                _l("Answer this only if you said Yes to the question above."),
                {
                    "lt_50": _l("Less than half"),
                    "50_74": _l("About half to three quarters"),
                    "gte_75": _l("Three quarters or more"),
                    "dont_know": _l("I don't know"),
                },
                shown_if=("si_injection", "yes"),
                short="Relief after the SI-joint injection",
            ),
        ),
    ),
    Step(
        "health",
        _l("Other health"),
        _l("A few questions about your health in general."),
        (
            Question(
                "fibromyalgia",
                _l("Has a doctor told you that you have fibromyalgia or pain all over the body?"),
                labels=YNU,
                short="Told of fibromyalgia or widespread pain",
            ),
            Question(
                "inflammatory_arthritis",
                _l("Has a doctor told you that you have arthritis that inflames the spine?"),
                _l("For example, ankylosing spondylitis."),
                YNU,
                short="Told of inflammatory spinal arthritis",
            ),
            Question(
                "prior_lumbar_fusion",
                _l("Have you had surgery to join (fuse) bones in your low back?"),
                labels=YNU,
                short="Earlier lumbar fusion",
            ),
            Question(
                "pregnancy",
                _l("Are you pregnant, or did you give birth in the last 6 months?"),
                labels={
                    "pregnant": _l("I am pregnant"),
                    "postpartum_lt_6m": _l("I gave birth in the last 6 months"),
                    "no": _l("No"),
                    "not_applicable": _l("This does not apply to me"),
                },
                short="Pregnancy",
            ),
            Question(
                "nicotine",
                _l("Do you smoke, vape or use other nicotine now?"),
                labels=YN,
                short="Uses nicotine now",
            ),
            Question(
                "prior_si_fusion",
                _l("Have you had surgery to fuse an SI joint before?"),
                labels={
                    "none": _l("No"),
                    "left": _l("Yes, on the left"),
                    "right": _l("Yes, on the right"),
                    "both": _l("Yes, on both sides"),
                },
                short="Earlier SI-joint fusion",
            ),
            Question(
                "metal_allergy",
                _l("Are you allergic to any metal?"),
                _l("Implants for this surgery are made of titanium."),
                YNU,
                short="Metal allergy",
            ),
            Question(
                "imaging",
                _l("When did you last have an X-ray, MRI or CT scan of your low back or pelvis?"),
                labels={
                    "none": _l("Never"),
                    "lt_6m": _l("In the last 6 months"),
                    "6m_12m": _l("6 to 12 months ago"),
                    "gt_12m": _l("More than 12 months ago"),
                    "unsure": _l("I'm not sure"),
                },
                short="Most recent imaging",
            ),
        ),
    ),
    Step(
        "anything-else",
        _l("Anything else"),
        _l("Is there anything else you want your care team to know?"),
        (
            Question(
                "comments",
                _l("Anything else (optional)"),
                _l("You can write up to 2,000 characters."),
                short="Patient's comments",
            ),
        ),
    ),
)

QUESTIONS: dict[str, Question] = {q.key: q for step in STEPS for q in step.questions}
STEP_OF: dict[str, Step] = {q.key: step for step in STEPS for q in step.questions}


def step(slug: str) -> Step | None:
    """The step with this slug, or None."""
    return next((s for s in STEPS if s.slug == slug), None)
