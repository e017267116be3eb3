"""The curators' intake queue in the admin: who may use it, and what it lists."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from intake.models import IntakeState
from tests.factories import AdoptionFactory, CorrectionFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

MODELS = ["submission", "correction", "adoption"]


@pytest.fixture
def items():
    return {
        "submission": SubmissionFactory(title="Lights on in the park"),
        "correction": CorrectionFactory(),
        "adoption": AdoptionFactory(jurisdiction_name="Hillview"),
    }


def admin_urls(items):
    urls = [reverse("intake_queue")]
    for name, item in items.items():
        urls.append(reverse(f"admin:intake_{name}_changelist"))
        urls.append(reverse(f"admin:intake_{name}_change", args=[item.pk]))
    return urls


def decide(client, item, decision="accept"):
    url = reverse(f"admin:intake_{item._meta.model_name}_decide", args=[item.pk])
    return client.post(url, {"decision": decision, "message": "Thanks"})


def test_anonymous_visitors_are_sent_to_sign_in(client, items):
    for url in admin_urls(items):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/admin/login/" in response["Location"]
    for item in items.values():
        assert decide(client, item).status_code == 302
        item.refresh_from_db()
        assert item.state == IntakeState.NEW


def test_award_committee_members_are_refused(client, committee_a, items):
    client.force_login(committee_a)
    for url in admin_urls(items):
        assert client.get(url).status_code == 403, url
    for item in items.values():
        assert decide(client, item).status_code == 403
        item.refresh_from_db()
        assert item.state == IntakeState.NEW
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/intake/" not in index


def test_committee_members_who_are_also_curators_may_use_it(client, committee_a, items):
    committee_a.groups.add(Group.objects.get(name="Curators"))
    client.force_login(committee_a)
    for url in admin_urls(items):
        assert client.get(url).status_code == 200, url


def test_curators_use_the_queue(client, curator, items):
    client.force_login(curator)
    for url in admin_urls(items):
        assert client.get(url).status_code == 200, url
    queue = client.get(reverse("intake_queue")).content.decode()
    for item in items.values():
        assert item.reference in queue
    assert "Lights on in the park" in queue
    assert "3 items" in queue
    # Nobody adds reports in the admin: they come from the public forms.
    for name in MODELS:
        assert client.get(reverse(f"admin:intake_{name}_add")).status_code == 403
    # Deciding works for each kind.
    for item in items.values():
        assert decide(client, item).status_code == 302
        item.refresh_from_db()
        assert item.state == IntakeState.ACCEPTED
        assert item.handled_by == curator


def test_queue_shows_open_items_unless_another_state_is_chosen(client, curator):
    open_item = SubmissionFactory(state=IntakeState.WAITING)
    done = SubmissionFactory(state=IntakeState.DECLINED)
    client.force_login(curator)
    default = client.get(reverse("intake_queue")).content.decode()
    assert open_item.reference in default and done.reference not in default
    declined = client.get(reverse("intake_queue"), {"state": "declined"}).content.decode()
    assert done.reference in declined and open_item.reference not in declined
    everything = client.get(reverse("intake_queue"), {"state": "all"}).content.decode()
    assert open_item.reference in everything and done.reference in everything
    odd = client.get(reverse("intake_queue"), {"state": "<b>", "page": "x"})
    assert odd.status_code == 200
    assert open_item.reference in odd.content.decode()


def test_a_curator_takes_an_item_up_and_may_reopen_a_declined_one(client, curator):
    item = SubmissionFactory(state=IntakeState.DECLINED)
    client.force_login(curator)
    decide(client, item, "start")
    item.refresh_from_db()
    assert item.state == IntakeState.IN_PROGRESS
    response = decide(client, item, "nonsense")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == IntakeState.IN_PROGRESS


def test_decide_answers_get_with_the_items_page_and_unknown_ids_with_404(client, curator):
    item = SubmissionFactory()
    client.force_login(curator)
    url = reverse("admin:intake_submission_decide", args=[item.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:intake_submission_change", args=[item.pk])
    missing = reverse("admin:intake_submission_decide", args=[item.pk + 1000])
    assert client.post(missing, {"decision": "accept"}).status_code == 404
    assert client.post(reverse("admin:intake_submission_decide", args=["abc"])).status_code == 404


def test_superusers_use_it_too(client, superuser, items):
    client.force_login(superuser)
    for url in admin_urls(items):
        assert client.get(url).status_code == 200, url
