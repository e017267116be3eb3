"""Admin sign-in throttle: a user name that keeps failing from one address is locked
out there, with a clear message, while the real user elsewhere can still sign in."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from clearinghouse.security import client_ip

PASSWORD = "a long and correct passphrase"
ATTACKER = "203.0.113.9"
CURATOR_HOME = "198.51.100.20"


@pytest.fixture
def curator(db):
    return get_user_model().objects.create_user(
        "curator", "curator@example.org", PASSWORD, is_staff=True
    )


def sign_in(client: Client, password: str, address: str, username: str = "curator"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def test_too_many_failures_lock_the_user_name_at_that_address(curator):
    attacker = Client()
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit - 1):
        response = sign_in(attacker, "wrong guess", ATTACKER)
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()

    response = sign_in(attacker, "wrong guess", ATTACKER)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-in attempts" in page
    assert "paused for 15 minutes" in page
    assert response["Retry-After"] == str(15 * 60)

    # Even the right password is refused from the locked address...
    response = sign_in(attacker, PASSWORD, ATTACKER)
    assert response.status_code == 429
    assert "_auth_user_id" not in attacker.session

    # ...while the curator, from another address, signs in normally.
    curator_client = Client()
    response = sign_in(curator_client, PASSWORD, CURATOR_HOME)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert curator_client.session["_auth_user_id"] == str(curator.pk)


def test_failures_are_recorded_per_address_and_cleared_by_success(curator):
    client = Client()
    for _ in range(2):
        sign_in(client, "wrong guess", CURATOR_HOME)
    attempt = AccessAttempt.objects.get(username="curator", ip_address=CURATOR_HOME)
    assert attempt.failures_since_start == 2
    assert sign_in(client, PASSWORD, CURATOR_HOME).status_code == 302
    assert not AccessAttempt.objects.filter(username="curator").exists()


def test_fewer_failures_than_the_limit_do_not_lock(curator):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "wrong guess", ATTACKER)
    assert sign_in(client, PASSWORD, ATTACKER).status_code == 302


def test_test_client_login_still_works_without_a_request(curator, client):
    assert client.login(username="curator", password=PASSWORD)


class FakeRequest:
    def __init__(self, remote: str, forwarded: str | None = None):
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


def test_client_address_is_remote_addr_without_a_proxy(settings):
    settings.PROXY_COUNT = 0
    assert client_ip(FakeRequest("10.0.0.2", "1.2.3.4")) == "10.0.0.2"


def test_client_address_behind_one_proxy_is_the_last_forwarded_entry(settings):
    settings.PROXY_COUNT = 1
    # The client forged the first entry; our proxy appended the real address.
    assert client_ip(FakeRequest("10.0.0.2", "6.6.6.6, 192.0.2.44")) == "192.0.2.44"
    assert client_ip(FakeRequest("10.0.0.2", "192.0.2.44")) == "192.0.2.44"


def test_client_address_falls_back_to_remote_addr_on_a_bad_header(settings):
    settings.PROXY_COUNT = 1
    assert client_ip(FakeRequest("10.0.0.2", "not-an-address")) == "10.0.0.2"
    assert client_ip(FakeRequest("10.0.0.2")) == "10.0.0.2"
    settings.PROXY_COUNT = 2
    assert client_ip(FakeRequest("10.0.0.2", "192.0.2.44")) == "10.0.0.2"


def test_proxy_address_is_used_by_the_throttle(curator, settings):
    settings.PROXY_COUNT = 1
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("admin:login"),
            {"username": "curator", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=ATTACKER,
        )
    assert AccessAttempt.objects.get(username="curator").ip_address == ATTACKER
    # Another client behind the same proxy is not locked out.
    response = client.post(
        reverse("admin:login"),
        {"username": "curator", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=CURATOR_HOME,
    )
    assert response.status_code == 302
