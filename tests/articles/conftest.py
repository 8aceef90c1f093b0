import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

DOCUMENTS = Path(__file__).parent / "documents"


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted in English; the Chinese catalogue may translate them later.
    settings.LANGUAGE_CODE = "en"


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def parse_xml(response):
    return ET.fromstring(response.content)  # noqa: S314 - the test server's own output


def form_data(response, form_id):
    """The values a browser would submit from the form, inline management forms included, so
    tests keep working when a subclass of the admin adds inlines."""
    form = soup(response).find("form", id=form_id)
    assert form is not None, f"no form #{form_id}"
    data = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or field.get("disabled") is not None:
            continue
        if field.name == "select":
            selected = field.find_all("option", selected=True)
            if field.get("multiple") is not None:
                data[name] = [option.get("value", "") for option in selected]
            else:
                data[name] = selected[0].get("value", "") if selected else ""
        elif field.name == "textarea":
            data[name] = field.text.removeprefix("\n")
        elif field.get("type") in {"checkbox", "radio"}:
            if field.get("checked") is not None:
                data[name] = field.get("value", "on")
        elif field.get("type") in {"submit", "button", "image", "file"}:
            continue
        else:
            data[name] = field.get("value", "")
    return data
