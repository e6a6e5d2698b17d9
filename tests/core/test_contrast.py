"""Non-text contrast of our CSS (issue 14, WCAG 2.2 AA 1.4.11): form-control borders and the
focus indicator against the white page, recomputed from static/css/app.css."""

import re
from pathlib import Path

import pytest

APP_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "app.css"
WHITE = "#ffffff"
DARK_NAVBAR = "#212529"  # Bootstrap's bg-dark, behind the navbar's links and buttons
HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def relative_luminance(colour: str) -> float:
    """WCAG 2.2's relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    lighter, darker = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def rules() -> list[tuple[list[str], str]]:
    """(selectors, declarations) of every rule of app.css, comments left out."""
    css = re.sub(r"/\*.*?\*/", "", APP_CSS.read_text(), flags=re.S)
    found = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        found.append(([s.strip() for s in selectors.split(",")], body))
    return found


def colours(prop: str, *, where) -> list[str]:
    """The colours `prop` (e.g. `border-color`, `outline`) is given in rules matching `where`."""
    found = []
    for selectors, body in rules():
        if not where(selectors):
            continue
        for name, value in re.findall(r"([\w-]+)\s*:\s*([^;]+)", body):
            if name == prop:
                found += HEX.findall(value)
    return found


def test_luminance_matches_wcag_reference_values():
    assert contrast("#000000", WHITE) == pytest.approx(21)
    assert contrast("#767676", WHITE) == pytest.approx(4.54, abs=0.01)
    assert contrast("#dee2e6", WHITE) == pytest.approx(1.30, abs=0.01)  # Bootstrap's border


@pytest.mark.parametrize("control", [".form-control", ".form-select", ".form-check-input"])
def test_form_control_borders_contrast_3_to_1_with_the_page(control):
    found = colours("border-color", where=lambda selectors: control in selectors)
    assert found, f"app.css gives {control} no border colour"
    for colour in found:
        assert contrast(colour, WHITE) >= 3, colour


@pytest.mark.parametrize(
    "selector",
    [
        "a:focus-visible",
        "button:focus-visible",
        "input:focus-visible",
        "select:focus-visible",
        "textarea:focus-visible",
        ".btn:focus-visible",
        ".form-control:focus-visible",
        ".form-select:focus-visible",
        ".form-check-input:focus-visible",
        ".error-summary:focus",
    ],
)
def test_focus_indicator_contrasts_3_to_1_with_the_page(selector):
    def light(selectors):
        return selector in selectors

    outline = colours("outline", where=light)
    assert outline, f"app.css gives {selector} no focus outline"
    for colour in outline:
        assert contrast(colour, WHITE) >= 3, colour
    # A 2px solid line: a thinner or dotted one would not count as a visible indicator.
    body = next(body for selectors, body in rules() if selector in selectors)
    assert re.search(r"outline\s*:\s*2px solid #", body)


def test_focus_indicator_on_the_dark_navbar_contrasts_3_to_1():
    def dark(selectors):
        return any(s.startswith('[data-bs-theme="dark"]') for s in selectors)

    found = colours("outline-color", where=dark)
    assert found
    for colour in found:
        assert contrast(colour, DARK_NAVBAR) >= 3, colour
