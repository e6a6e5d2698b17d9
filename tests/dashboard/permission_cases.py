from tests.permission_matrix import CLINIC_ADMIN, FRONT_DESK, NO_GROUP, OK, PHYSICIAN, page


def make_objects() -> dict:
    return {}


CASES = [
    # Every signed-in user's start page, a user in no group too: each role's panel is checked
    # by its selector, and a user without a role gets the link cards their permissions allow.
    page("dashboard", who=(FRONT_DESK, PHYSICIAN, CLINIC_ADMIN, NO_GROUP), get=OK),
]
