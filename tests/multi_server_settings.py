"""Settings of the app servers in tests/test_multi_server.py: the production settings,
plus one public form (tests/multi_server_urls.py) standing for a visitor's submission."""

from clearinghouse.settings import *  # noqa: F403

ROOT_URLCONF = "tests.multi_server_urls"
