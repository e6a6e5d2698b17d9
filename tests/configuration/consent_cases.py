def make_objects() -> dict:
    return {}


CASES: list = []
