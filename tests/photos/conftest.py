import pytest


@pytest.fixture(autouse=True)
def _photos_in_tmp(settings, tmp_path):
    """Every photo a test stores goes to its own temporary directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "photos", "base_url": None},
        },
    }
    return tmp_path / "photos"
