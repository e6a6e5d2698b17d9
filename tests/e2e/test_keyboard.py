"""Keyboard only, from the Schedule page (issue 14): register a patient, take their intake (every
question answered by a key press, none chosen beforehand), take the consent the session needs
and book it from the free slots, counting the keys.

Every key that is not data counts 1: Tab, Shift+Tab, Enter, Space, an arrow, Home, End, a letter
that chooses (an answer's key, a select's first letter). Characters typed as data (names, the
birth date, the phone number, free text) are counted apart. The login is not counted; after it
the browser is driven by `Keys` alone: no click, no fill, no goto. The counts are printed (`-s`)
and written to docs/keyboard-count.txt. The pages the keyboard work changed are audited with
axe-core on the way, as the script left them (answer keys shown, toolbar, focused results).
"""

import re
from collections import defaultdict
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from intake.models import IntakeQuestionnaire
from scheduling.models import Status, TreatmentSession
from tests.e2e.test_axe import audit
from tests.e2e.test_journeys import clinic  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db(transaction=True)

COUNT_FILE = Path(__file__).resolve().parents[2] / "docs" / "keyboard-count.txt"
#: The aim of issue 14; the same journey took 167 key presses before the keyboard work.
MOST_PRESSES = 120
BASELINE = "167 key presses and 51 characters typed (the app before issue 14's keyboard work)"

# What the patient answers, as the key that chooses it (the page shows each question's keys):
# N is "No" on a yes/no question and "Never" on a treatment; course "Gradual"; the kinds of hair
# loss share first letters, so they have numbers (1: steady thinning).
ANSWER_KEYS = {"course": "g", "loss_pattern": "1"}
ANSWER = "n"
# A select is chosen as a keyboard does: its first letter, or arrows from "---------".
SELECTS = {"scale": ("n",), "grade": ("ArrowDown",) * 2, "fitzpatrick": ("ArrowDown",) * 2}

FOCUSED = "el => el === document.activeElement"
AT_TOP = "() => document.activeElement === document.body"
ACTIVE = "() => [document.activeElement.name || '', document.activeElement.type || '']"


@pytest.fixture
def browser_context_args(browser_context_args):
    # The birth date is typed into a date input, whose field order follows the locale.
    return {**browser_context_args, "locale": "en-US"}


class Keys:
    """The only way the test touches the page: each press and each typed character counted, by
    stage of the journey."""

    def __init__(self, page: Page):
        self.page = page
        self.presses: dict[str, int] = {}
        self.typed = 0
        self.stage = ""

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.presses[self.stage] = self.presses.get(self.stage, 0) + 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.typed += len(text)

    def reach(self, target, limit: int = 40) -> None:
        """Tab to `target` as a person would: from the top of a fresh page, through the skip
        link when the target is in the main content."""
        target.wait_for()
        if self.page.evaluate(AT_TOP) and target.evaluate("el => !!el.closest('main')"):
            self.press("Tab")
            self.press("Enter")
        for _ in range(limit):
            if target.evaluate(FOCUSED):
                return
            self.press("Tab")
        raise AssertionError(f"Tab never reached {target}")

    def follow(self, url: str, key: str = "Enter") -> None:
        """Press a key that loads a page, and wait until its scripts have run."""
        with self.page.expect_navigation(url=re.compile(url)):
            self.press(key)

    @property
    def total(self) -> int:
        return sum(self.presses.values())


def answer_intake(keys: Keys, page: Page) -> None:
    """Walk the questionnaire from its first field to its button: type the onset, answer each
    question by its key (which moves on to the next field), choose the selects, Tab past the
    optional free text."""
    expect(page.locator("#id_onset")).to_be_focused()
    keys.type("Two years")
    keys.press("Tab")
    while True:
        name, kind = page.evaluate(ACTIVE)
        if kind == "submit":
            break
        if kind == "radio":
            keys.press(ANSWER_KEYS.get(name, ANSWER))
            expect(page.locator(f"input[name={name}]:checked")).to_have_count(1)
            continue
        for key in SELECTS.get(name, ()):
            keys.press(key)
        keys.press("Tab")
    expect(page.get_by_role("button", name="Submit intake")).to_be_focused()


def test_register_take_the_intake_and_book_by_keyboard(
    page: Page,
    live_server,
    log_in,
    clinic,  # noqa: F811 - the fixture imported above
):
    log_in(page, clinic["desk"])
    page.goto(f"{live_server.url}/schedule/")
    keys = Keys(page)
    violations: dict[tuple, list[str]] = defaultdict(list)
    audit(page, "schedule", violations)

    # The Schedule toolbar is one tab stop; End reaches its last action.
    keys.stage = "register"
    keys.reach(page.get_by_role("toolbar").get_by_role("link").first)
    keys.press("End")
    expect(page.get_by_role("link", name="Register a patient")).to_be_focused()
    keys.follow(r"/patients/new/$")
    expect(page.locator("#id_first_name")).to_be_focused()
    keys.type("Ada")
    keys.press("Tab")
    keys.type("Lovelace")
    keys.press("Tab", 2)  # past the preferred name
    keys.type("12101985")
    keys.reach(page.locator("#id_sex"))  # the date input keeps the focus for one more Tab
    keys.press("f")
    keys.press("Tab")
    keys.type("07911123456")
    # Enter in a field: the form's first button, "Save and take the intake".
    keys.follow(r"/patients/\d+/intake/new/$")

    keys.stage = "intake"
    expect(page.locator("h1")).to_have_text("Intake questionnaire")
    radios = page.locator("input[type=radio]")
    assert radios.count() > 0
    expect(page.locator("input[type=radio]:checked")).to_have_count(0)
    audit(page, "intake", violations)
    answer_intake(keys, page)
    keys.follow(r"/patients/\d+/$")
    expect(page.locator(".alert-success")).to_contain_text("Intake saved")

    # The message leads on to the free slots; there, the session type is the first question.
    keys.stage = "consent and booking"
    keys.reach(page.get_by_role("link", name="Find a free slot for Ada"))
    keys.follow(r"/schedule/slots/\?patient=\d+$")
    expect(page.get_by_label("Session type")).to_be_focused()
    keys.press("m")
    expect(page.get_by_label("Session type")).to_have_value(re.compile(r"\d+"))
    keys.press("Tab")
    keys.follow(r"/schedule/slots/\?.*session_type=")
    expect(page.locator("#slots-found")).to_be_focused()
    audit(page, "free slots", violations)
    keys.press("Tab")
    expect(page.get_by_role("link", name=re.compile("take the consent"))).to_be_focused()
    keys.follow(r"/consent/")
    keys.reach(page.get_by_label("Patient's full name"))
    keys.type("Ada Lovelace")
    keys.press("Tab")
    keys.press("Space")
    keys.press("Tab")
    keys.follow(r"/schedule/slots/\?.*session_type=")
    expect(page.locator("#slots-found")).to_be_focused()
    keys.press("Tab")
    expect(page.get_by_role("button", name=re.compile(r"^Book "))).to_have_count(12)
    expect(page.get_by_role("button", name=re.compile(r"^Book ")).first).to_be_focused()
    keys.follow(r"/schedule/sessions/\d+/$")
    expect(page.get_by_text("Booked Microneedling")).to_be_visible()

    intake = IntakeQuestionnaire.objects.get(patient__last_name="Lovelace")
    assert set(intake.answers.values()) == {False}
    assert set(intake.treatments.values()) == {"never"}
    assert (intake.family_history, intake.course, intake.loss_pattern) == (
        "no",
        "gradual",
        "thinning",
    )
    assert (intake.scale, intake.grade, intake.fitzpatrick) == ("norwood", "II", "II")
    session = TreatmentSession.objects.get(patient__last_name="Lovelace")
    assert session.status == Status.BOOKED
    assert session.session_type.name == "Microneedling"

    stages = ", ".join(f"{stage} {count}" for stage, count in keys.presses.items())
    report = (
        "Keyboard only, from the Schedule page: register a patient, take the intake, take the\n"
        "consent and book a session (tests/e2e/test_keyboard.py).\n"
        f"Key presses (Tab, Enter, Space, arrows, answer keys): {keys.total} ({stages})\n"
        f"Characters typed as data (names, birth date, phone, onset): {keys.typed}\n"
        f"Before: {BASELINE}\n"
    )
    print("\n" + report)
    COUNT_FILE.write_text(report, encoding="utf-8")
    assert keys.total < MOST_PRESSES, report
    assert not violations, f"axe violations: {dict(violations)}"
