"""The private storage scalp photos are kept in: `STORAGES["photos"]` (clinic/settings.py).

A FileField calls its `storage=` callable once, when the model class is made; what it returns
here looks the storage up in `django.core.files.storage.storages` on every use, so a change of
`STORAGES` (a test's temporary directory) reaches the field too.
"""

from django.core.files.storage import storages
from django.utils.functional import LazyObject

ALIAS = "photos"


class PhotoStorage(LazyObject):
    """Stands for `storages["photos"]`, read afresh each time (it is cached by Django)."""

    def _setup(self) -> None:
        """Nothing to set up: `_wrapped` is always the configured storage."""

    @property
    def _wrapped(self):
        return storages[ALIAS]

    @_wrapped.setter
    def _wrapped(self, value) -> None:
        """LazyObject's constructor sets it; the configured storage is always used instead."""


photo_storage_proxy = PhotoStorage()


def photo_storage() -> PhotoStorage:
    return photo_storage_proxy
