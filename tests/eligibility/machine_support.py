"""The lifecycle state machine's own bookkeeping: what happened, and what must therefore stop a
session step. Written from CLINICAL.md, not from eligibility.lifecycle, so the two can disagree.

The oracle only says when a step must NOT go ahead; the app may refuse more (a refusal is never
a failure of the machine).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

MN, PRP, LLLT = "microneedling", "prp", "lllt"
X, R = "exclude", "review"

# CLINICAL.md's catalogue: code -> (severity per procedure, temporary). Caution rows left out.
CATALOGUE: dict[str, tuple[dict[str, str], bool]] = {
    "scalp_wound": ({MN: X, PRP: X, LLLT: X}, True),
    "scalp_acne": ({MN: X, PRP: X, LLLT: X}, True),
    "acute_infection": ({MN: X, PRP: X, LLLT: X}, True),
    "scalp_inflammation": ({MN: X, PRP: X, LLLT: X}, True),
    "active_cold_sore": ({MN: X, PRP: X}, True),
    "herpes_history": ({MN: R}, False),
    "pregnant_or_breastfeeding": ({MN: X, PRP: X, LLLT: X}, True),
    "bleeding_disorder": ({MN: X, PRP: X}, False),
    "platelet_disorder": ({MN: R, PRP: X}, False),
    "anticoagulant": ({MN: R, PRP: R}, False),
    "nsaid_recent": ({PRP: R}, True),
    "systemic_steroids": ({PRP: R}, True),
    "isotretinoin_recent": ({MN: R}, True),
    "keloid_tendency": ({MN: R, PRP: R}, False),
    "active_cancer": ({MN: R, PRP: R, LLLT: R}, False),
    "scalp_lesion": ({MN: R, LLLT: R}, False),
    "immunosuppressed": ({MN: R, PRP: R}, False),
    "poor_wound_healing": ({MN: R}, False),
    "anemia": ({PRP: R}, True),
    "photosensitivity": ({LLLT: X}, False),
    "nickel_allergy": ({MN: R}, False),
    "anesthetic_allergy": ({MN: R}, False),
    "recent_sunburn": ({MN: R, LLLT: R}, True),
    "smoker": ({}, False),
}
RESCREEN_DAYS = {"nsaid_recent": 7}  # every other temporary condition: 14
VALID_DAYS = 30  # the day of the oldest answer is day 1
CLEAR, DECLINE = "cleared", "declined"
LIFTS = frozenset({"resolved", "entered_in_error"})
UNDER_18 = "under_18"


def clinic_day(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


class Clock:
    """The clinic's fake `timezone.now`: aware, UTC, moved on by the machine."""

    def __init__(self, start: datetime) -> None:
        self.start = self.now = start

    def __call__(self) -> datetime:
        return self.now

    def tick(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now

    def today(self) -> date:
        return clinic_day(self.now)


@dataclass(frozen=True)
class Answer:
    at: datetime
    code: str
    value: bool


@dataclass(frozen=True)
class Decision:
    seq: int
    at: datetime
    procedure: str
    kind: str
    codes: tuple[str, ...]
    until: date | None
    medications: str  # the intake's free text when the decision was taken


@dataclass(frozen=True)
class SignOff:
    at: datetime
    until: date
    ended_at: datetime | None = None


@dataclass
class Oracle:
    answers: list[Answer] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    signoffs: dict[int, SignOff] = field(default_factory=dict)
    minor: bool = False  # the birth date makes the patient under 18 for the rest of the run
    medications: str = ""
    screened: bool = False

    # ---- what happened ----

    def answered(self, at: datetime, answers: dict[str, bool]) -> None:
        self.answers.extend(Answer(at, code, value) for code, value in sorted(answers.items()))

    def decided(self, at: datetime, procedure: str, kind: str, codes, until) -> None:
        self.decisions.append(
            Decision(
                len(self.decisions), at, procedure, kind, tuple(codes), until, self.medications
            )
        )

    # ---- what must stop a step ----

    def oldest_answer(self) -> datetime | None:
        newest: dict[str, datetime] = {}
        for answer in self.answers:
            newest[answer.code] = max(answer.at, newest.get(answer.code, answer.at))
        return min(newest.values(), default=None)

    def _standing(self, procedure: str, code: str) -> datetime | None:
        """When the oldest "yes" to `code` that still stands for `procedure` was given."""
        _, temporary = CATALOGUE[code]
        lifts = [
            d.at
            for d in self.decisions
            if d.procedure == procedure and d.kind in LIFTS and code in d.codes
        ]
        for yes in self.answers:
            if yes.code != code or not yes.value:
                continue
            if any(lifted >= yes.at for lifted in lifts):
                continue
            if temporary:
                over_on = clinic_day(yes.at) + timedelta(days=RESCREEN_DAYS.get(code, 14))
                if any(
                    a.code == code
                    and a.value is False
                    and a.at > yes.at
                    and clinic_day(a.at) >= over_on
                    for a in self.answers
                ):
                    continue
            return yes.at
        return None

    def _newest(self, procedure: str, code: str) -> Decision | None:
        found = [d for d in self.decisions if d.procedure == procedure and code in d.codes]
        return max(found, key=lambda d: (d.at, d.seq), default=None)

    def _cleared(self, procedure: str, code: str, day: date) -> bool:
        newest = self._newest(procedure, code)
        return (
            newest is not None
            and newest.kind == CLEAR
            and newest.until is not None
            and newest.until >= day
            and newest.medications == self.medications
        )

    def blocks(self, procedures, day: date, now: datetime) -> list[str]:
        """Why a step for these procedures on `day`, taken at `now`, must not go ahead."""
        why = []
        if not self.screened:
            why.append("never screened")
        oldest = self.oldest_answer()
        if oldest is not None and day > clinic_day(oldest) + timedelta(days=VALID_DAYS - 1):
            why.append(f"oldest answer of {clinic_day(oldest)} is too old on {day}")
        for procedure in procedures:
            for code, (severities, _) in CATALOGUE.items():
                severity = severities.get(procedure)
                if severity is None:
                    continue
                since = self._standing(procedure, code)
                if since is not None and severity == X:
                    why.append(f"{procedure}: exclusion {code} stands since {since}")
                elif since is not None and not self._cleared(procedure, code, day):
                    why.append(f"{procedure}: review {code} since {since}, not cleared")
            for code in {c for d in self.decisions if d.procedure == procedure for c in d.codes}:
                newest = self._newest(procedure, code)
                if newest.kind == DECLINE:
                    why.append(f"{procedure}: {code} declined at {newest.at}")
            if self.minor and not self._cleared(procedure, UNDER_18, day):
                why.append(f"{procedure}: under 18, not cleared")
        if {MN, LLLT} <= set(procedures) and not any(
            s.at <= now and s.until >= day and (s.ended_at is None or s.ended_at > now)
            for s in self.signoffs.values()
        ):
            why.append("same-day microneedling then LLLT without a sign-off in force")
        return why
