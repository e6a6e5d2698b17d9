"""Form errors (issue 14, WCAG 3.3.1): a summary at the top of a form with errors, each error a
link to its field, and each field's error shown beside it, named by the field's
aria-describedby."""

import pytest
from django.forms import RadioSelect
from django.template.loader import render_to_string
from django.test.html import Element, parse_html
from django.urls import reverse

from eligibility import rules
from intake.forms import IntakeForm, PatientForm
from tests.factories import PatientFactory
from tests.intake.test_views import PATIENT_POST

pytestmark = pytest.mark.django_db


def elements(node):
    """Every element under `node`, depth first, in document order."""
    for child in node.children:
        if isinstance(child, Element):
            yield child
            yield from elements(child)


def attr(element: Element, name: str) -> str | None:
    return dict(element.attributes).get(name)


def classes(element: Element) -> list[str]:
    return (attr(element, "class") or "").split()


def text(node) -> str:
    return " ".join(
        child if isinstance(child, str) else text(child) for child in node.children
    ).strip()


def by_id(page, id_: str) -> Element:
    found = [e for e in elements(page) if attr(e, "id") == id_]
    assert len(found) == 1, f"{len(found)} elements with id {id_}"
    return found[0]


def summary_of(response) -> tuple[Element, Element]:
    """The page and its one error summary."""
    assert response.status_code == 200
    page = parse_html(response.content.decode())
    summaries = [e for e in elements(page) if "error-summary" in classes(e)]
    assert len(summaries) == 1
    return page, summaries[0]


def summary_links(summary: Element) -> dict[str, str]:
    return {attr(a, "href"): text(a) for a in elements(summary) if a.name == "a"}


def assert_summary_shape(summary: Element) -> None:
    assert attr(summary, "tabindex") == "-1"  # app.js moves the focus to it
    assert any(attr(e, "role") == "alert" for e in elements(summary))
    assert "There is a problem" in text(summary)


def assert_error_beside(page, field_id: str, message: str) -> None:
    """The field's error is shown (not a hidden .invalid-feedback) and the control names it."""
    error = by_id(page, f"{field_id}_error")
    assert message in text(error)
    control = by_id(page, field_id)
    assert attr(control, "aria-invalid") == "true"
    assert f"{field_id}_error" in (attr(control, "aria-describedby") or "").split()


def test_empty_intake_lists_every_question_and_marks_each_group(desk_client):
    patient = PatientFactory()
    response = desk_client.post(reverse("intake:intake-create", args=[patient.pk]), {})
    page, summary = summary_of(response)
    assert_summary_shape(summary)
    links = summary_links(summary)

    radio_groups = [
        name
        for name, field in IntakeForm().fields.items()
        if isinstance(field.widget, RadioSelect) and field.required
    ]
    assert len(radio_groups) >= 38
    for condition in rules.CATALOGUE:
        assert f"#id_q_{condition.code}_0" in links
        assert condition.question in links[f"#id_q_{condition.code}_0"]
    for name in radio_groups:
        auto_id = f"id_{name}"
        # The summary links to the group's first radio, which exists.
        assert f"#{auto_id}_0" in links
        assert attr(by_id(page, f"{auto_id}_0"), "type") == "radio"
        # The group's error is inside its fieldset, shown, and the fieldset names it.
        wrapper = by_id(page, f"div_{auto_id}")
        fieldset = next(e for e in elements(wrapper) if e.name == "fieldset")
        error = next(e for e in elements(fieldset) if attr(e, "id") == f"{auto_id}_error")
        assert "d-block" in classes(error), "Bootstrap hides a bare .invalid-feedback here"
        assert text(error)
        assert attr(fieldset, "aria-describedby") == f"{auto_id}_error"
        radios = [e for e in elements(fieldset) if attr(e, "type") == "radio"]
        assert radios and all(attr(r, "aria-invalid") == "true" for r in radios)
        assert all(len(r.attributes) == len(dict(r.attributes)) for r in radios)  # no dup attrs
    # The other fields: linked by their own id, their error beside them.
    assert "#id_onset" in links and "#id_scale" in links
    assert_error_beside(page, "id_onset", "This field is required.")
    assert_error_beside(page, "id_grade", "This field is required.")
    # One link per error: nothing listed twice, nothing left out.
    form = IntakeForm(data={})
    form.is_valid()
    assert len(links) == sum(len(errors) for errors in form.errors.values())


def test_empty_booking_form(desk_client, clinic):
    response = desk_client.post(reverse("scheduling:session-book"), {})
    page, summary = summary_of(response)
    assert_summary_shape(summary)
    links = summary_links(summary)
    for name in ("session_type", "day", "time"):
        assert f"#id_{name}" in links
        assert_error_beside(page, f"id_{name}", "This field is required.")
    # The patient is a hidden id the picker fills: its error is listed, as text.
    assert "Choose the patient" in text(summary)


def test_empty_patient_form(desk_client):
    response = desk_client.post(reverse("intake:patient-create"), {})
    page, summary = summary_of(response)
    assert_summary_shape(summary)
    links = summary_links(summary)
    for name in ("first_name", "last_name", "date_of_birth", "sex"):
        assert links[f"#id_{name}"].endswith("This field is required.")
        assert_error_beside(page, f"id_{name}", "This field is required.")


def test_refused_duplicate_is_in_the_summary(desk_client):
    PatientFactory(first_name="Ada", last_name="Lovelace", date_of_birth="1985-12-10")
    response = desk_client.post(reverse("intake:patient-create"), PATIENT_POST)
    _, summary = summary_of(response)
    assert "already registered" in text(summary)


def test_non_field_errors_come_first_and_are_not_links():
    form = PatientForm(data={**PATIENT_POST, "first_name": ""})
    assert not form.is_valid()
    form.add_error(None, "Refused by the service.")
    summary = parse_html(render_to_string("includes/error_summary.html", {"form": form}))
    items = [e for e in elements(summary) if e.name == "li"]
    assert text(items[0]) == "Refused by the service."
    assert not any(e.name == "a" for e in elements(items[0]))
    assert attr(next(e for e in elements(items[1]) if e.name == "a"), "href") == "#id_first_name"


def test_no_summary_without_errors(desk_client):
    content = desk_client.get(reverse("intake:patient-create")).content.decode()
    assert "error-summary" not in content
    assert "There is a problem" not in content


def test_skip_link_is_the_first_focusable_element(desk_client):
    page = parse_html(desk_client.get(reverse("intake:patient-create")).content.decode())
    focusable = [
        e
        for e in elements(page)
        if e.name in ("a", "button", "input", "select", "textarea") and attr(e, "type") != "hidden"
    ]
    skip = focusable[0]
    assert attr(skip, "href") == "#main"
    assert text(skip) == "Skip to main content"
    assert "visually-hidden-focusable" in classes(skip)
    main = by_id(page, "main")
    assert main.name == "main" and attr(main, "tabindex") == "-1"
