"""The README points at files that exist and documents the settings it is asked about."""

import re

from django.conf import settings

README = settings.BASE_DIR / "README.md"


def test_readme_links_to_files_in_the_repository():
    text = README.read_text(encoding="utf-8")
    targets = {t for t in re.findall(r"\]\(([^)#]+)\)", text) if "://" not in t}
    assert "docs/CLINICAL.md" in targets
    missing = sorted(t for t in targets if not (settings.BASE_DIR / t).exists())
    assert not missing, f"README links to missing files: {missing}"


def test_readme_documents_the_clinic_contact_settings_and_the_port():
    text = README.read_text(encoding="utf-8")
    assert "| `CLINIC_ADDRESS` |" in text and "| `CLINIC_PHONE` |" in text
    assert "make run PORT=8001" in text
    makefile = (settings.BASE_DIR / "Makefile").read_text(encoding="utf-8")
    assert "PORT ?= 8000" in makefile and "runserver 127.0.0.1:$(PORT)" in makefile
