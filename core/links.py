"""Links of a page of rows: the URL reversed once, then filled in with each row's key.

reverse() for every link of a hundred-row page cost more than the rest of a row (issue 15).
"""

from collections.abc import Callable

from django.urls import reverse

# A primary key no record has, replaced in the reversed URL.
_MARK = 987654321


def by_pk(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[pk])` as a function of pk, reversing only once."""
    pattern, mark = reverse(name, args=[_MARK]), str(_MARK)
    return lambda pk: pattern.replace(mark, str(pk))
