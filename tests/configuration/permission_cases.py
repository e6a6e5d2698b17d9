"""The clinic-settings pages in the permission matrix: the set-up pages and the consent texts are
declared in their own modules (two people work on them)."""

from tests.configuration import consent_cases, setup_cases


def make_objects() -> dict:
    return {**setup_cases.make_objects(), **consent_cases.make_objects()}


CASES = [*setup_cases.CASES, *consent_cases.CASES]
