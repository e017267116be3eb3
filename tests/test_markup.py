"""Markup details that validators and screen readers care about."""

import pytest

from tests import factories


@pytest.mark.django_db
def test_entries_in_the_other_language_carry_their_lang_in_lists(client):
    topic = factories.TopicFactory()
    english = factories.PracticeFactory(published=True, topics=[topic], title="Safe parks")
    spanish = factories.PracticeFactory(
        published=True, topics=[topic], title="Parques seguros", language="es"
    )
    factories.PublicationFactory(published=True, title="A field guide", topics=[topic])

    html = client.get("/es/practices/").content.decode()
    assert f'href="/es/practices/{english.slug}/" lang="en">Safe parks</a>' in html
    assert f'href="/es/practices/{spanish.slug}/">Parques seguros</a>' in html

    html = client.get("/practices/").content.decode()
    assert f'href="/practices/{english.slug}/">Safe parks</a>' in html
    assert f'href="/practices/{spanish.slug}/" lang="es">Parques seguros</a>' in html

    html = client.get(f"/es/topics/{topic.slug}/").content.decode()
    assert 'lang="en">A field guide</a>' in html
    assert 'lang="en">Safe parks</a>' in html


@pytest.mark.django_db
def test_year_boxes_are_text_boxes_so_rejected_input_stays_valid_html(client):
    response = client.get("/practices/?year_from=abc")
    assert response.status_code == 200
    html = response.content.decode()
    assert "“abc” was left out" in html
    assert (
        '<input type="text" name="year_from" id="id_year_from" inputmode="numeric" '
        'autocomplete="off" value="">'
    ) in html
    assert 'type="number"' not in html


@pytest.mark.django_db
def test_every_page_names_its_icon(client):
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html


@pytest.mark.django_db
def test_the_language_name_is_in_the_page_language_not_the_entry_language(client):
    factories.PublicationFactory(published=True, title="A field guide")
    html = client.get("/es/publications/").content.decode()
    assert 'lang="en">A field guide</a>' in html
    assert " · Inglés</p>" in html
    assert 'lang="en">Inglés' not in html
