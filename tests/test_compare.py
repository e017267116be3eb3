"""/practices/compare/: two to four practices side by side, from a shareable address."""

import re

import pytest
from django.urls import reverse

from tests.factories import AwardFactory, DepartmentFactory, PracticeFactory, RecognitionFactory

URL = reverse("practices:compare")


@pytest.fixture
def three():
    police = DepartmentFactory(name="Police", name_es="Policía")
    a = PracticeFactory(
        published=True,
        title="Alpha",
        slug="alpha",
        problem="Burglaries at night",
        approach="Lights",
        results="Fewer burglaries",
        cost_notes="USD 10,000",
        departments=[police],
        evidence_rating="effective",
    )
    b = PracticeFactory(published=True, title="Beta", slug="beta", evidence_rating="promising")
    c = PracticeFactory(published=True, title="Gamma", slug="gamma")
    RecognitionFactory(practice=b, award=AwardFactory(name="Safety Prize"), year=2020)
    PracticeFactory(published=False, title="Draft", slug="draft")
    return a, b, c


def column_titles(html: str) -> list[str]:
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    return re.findall(r'<th scope="col"><a [^>]*>([^<]+)</a></th>', head)


@pytest.mark.django_db
def test_compare_three_practices_in_the_order_given(client, three):
    response = client.get(URL + "?p=gamma&p=alpha&p=beta")
    assert response.status_code == 200
    html = response.content.decode()
    assert column_titles(html) == ["Gamma", "Alpha", "Beta"]
    for text in ("Burglaries at night", "Lights", "Fewer burglaries", "USD 10,000", "Police"):
        assert text in html
    assert "Safety Prize 2020" in html
    assert "evidence-effective" in html


@pytest.mark.django_db
def test_compare_in_spanish(client, three):
    html = client.get("/es" + URL + "?p=alpha&p=beta").content.decode()
    assert "Policía" in html and "Comparar prácticas" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["?p=alpha", "?p=alpha&p=beta&p=gamma&p=x&p=y", "?p=alpha&p=draft", "?p=alpha&p=nowhere"],
)
def test_compare_refuses_wrong_choices_with_a_message(client, three, query):
    response = client.get(URL + query)
    assert response.status_code == 400
    assert 'class="form-errors"' in response.content.decode()
    assert "Draft" not in column_titles(response.content.decode() + "<thead></thead>")


@pytest.mark.django_db
def test_compare_without_choices_explains_how(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "two to four practices" in response.content.decode()


@pytest.mark.django_db
def test_list_cards_have_compare_boxes_for_the_compare_form(client, three):
    html = client.get(reverse("practices:practice_list")).content.decode()
    assert 'id="compare-form"' in html and f'action="{URL}"' in html
    assert 'name="p" value="alpha" form="compare-form"' in html


def test_compare_refuses_post(client):
    assert client.post(URL).status_code == 405
