"""Workflow actions run from a record's change form keep the edits made on it.

Each test reads the real change form, fills it in as a curator would, picks an action from
the form's action menu and posts everything, exactly as the browser does.
"""

from html import unescape
from html.parser import HTMLParser

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from practices.admin import FORM_ACTION
from practices.models import Practice, Publication, PublishingState
from tests.factories import PracticeFactory, PublicationFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

State = PublishingState


class FormFields(HTMLParser):
    """The fields a browser would submit from the form with the given id."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.textarea: list | None = None
        self.select: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self.select is not None:
            self.select["options"].append((attrs.get("value", ""), "selected" in attrs))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            # Browsers drop the newline that follows <textarea>.
            self.fields.append((name, unescape(text.removeprefix("\n"))))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.select["options"] if selected]
            if not chosen and not self.select["multiple"] and self.select["options"]:
                chosen = [self.select["options"][0][0]]
            self.fields.extend((self.select["name"], value) for value in chosen)
            self.select = None


def change_url(record) -> str:
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])


def submitted_form(client, record, **changes) -> dict:
    """The change form's fields as the browser would post them, with ``changes`` typed in."""
    page = client.get(change_url(record))
    assert page.status_code == 200
    parser = FormFields(f"{record._meta.model_name}_form")
    parser.feed(page.content.decode())
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    assert "summary" in data and FORM_ACTION in data, "the form was read"
    for name, value in changes.items():
        data[name] = [value]
    return data


def run_action(client, record, action: str, **changes):
    data = submitted_form(client, record, **changes)
    data[FORM_ACTION] = [action]
    return client.post(change_url(record), data, follow=True)


@pytest.mark.parametrize(
    ("factory", "action", "start", "end"),
    [
        (PracticeFactory, "submit_for_review", State.DRAFT, State.REVIEW),
        (PracticeFactory, "publish", State.DRAFT, State.PUBLISHED),
        (PracticeFactory, "archive", State.PUBLISHED, State.ARCHIVED),
        (PublicationFactory, "submit_for_review", State.DRAFT, State.REVIEW),
        (PublicationFactory, "publish", State.REVIEW, State.PUBLISHED),
        (PublicationFactory, "archive", State.PUBLISHED, State.ARCHIVED),
    ],
)
def test_an_edited_summary_is_saved_before_the_action_runs(
    client, curator, factory, action, start, end
):
    record = factory(state=start, published=start == State.PUBLISHED, topics=[TopicFactory()])
    if isinstance(record, Practice):
        SourceFactory(practice=record)
    client.force_login(curator)

    response = run_action(client, record, action, summary="A summary the curator just wrote.")

    assert response.status_code == 200
    record.refresh_from_db()
    assert record.summary == "A summary the curator just wrote."
    assert record.state == end
    assert record.updated_by == curator
    body = response.content.decode()
    assert f"Your changes to “{record}” were saved first." in body
    assert "1 record is now" in body
    history = [
        entry.get_change_message()
        for entry in LogEntry.objects.filter(object_id=str(record.pk)).order_by("pk")
    ]
    assert history[0] == "Changed Summary."
    assert history[1].startswith(f"Moved from {State(start).label} to {State(end).label}")


@pytest.mark.parametrize("factory", [PracticeFactory, PublicationFactory])
def test_an_edit_that_cannot_be_saved_stops_the_action(client, curator, factory):
    record = factory(summary="The saved summary.", topics=[TopicFactory()])
    client.force_login(curator)

    response = run_action(client, record, "publish", summary="New words", title="")

    assert response.status_code == 200
    body = response.content.decode()
    assert "The action was not run and nothing was saved" in body
    assert "This field is required." in body
    assert "New words" in body, "the curator's typing is still in the form"
    record.refresh_from_db()
    assert record.state == State.DRAFT
    assert record.summary == "The saved summary."
    assert not LogEntry.objects.filter(object_id=str(record.pk)).exists()


def test_an_unchanged_form_runs_the_action_without_a_save(client, curator):
    practice = PracticeFactory(topics=[TopicFactory()])
    client.force_login(curator)

    response = run_action(client, practice, "submit_for_review")

    assert response.status_code == 200
    assert "were saved first" not in response.content.decode()
    practice.refresh_from_db()
    assert practice.state == State.REVIEW
    history = [e.get_change_message() for e in LogEntry.objects.filter(object_id=practice.pk)]
    assert history == ["Moved from Draft to In review."]


def test_an_edited_inline_source_is_saved_before_archiving(client, curator):
    practice = PracticeFactory(published=True, topics=[TopicFactory()])
    SourceFactory(practice=practice, title="Old title")
    client.force_login(curator)

    response = run_action(client, practice, "archive", **{"sources-0-title": "Corrected title"})

    assert response.status_code == 200
    practice.refresh_from_db()
    assert practice.state == State.ARCHIVED
    assert list(practice.sources.values_list("title", flat=True)) == ["Corrected title"]


def test_the_list_actions_still_need_no_form(client, curator):
    publication = PublicationFactory()
    client.force_login(curator)
    url = reverse("admin:practices_publication_changelist")
    data = {"action": "publish", "index": 0, "_selected_action": [publication.pk]}
    assert client.post(url, data).status_code == 302
    assert Publication.objects.published().filter(pk=publication.pk).exists()
