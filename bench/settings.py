"""Settings for `make bench`: the production settings, served over plain HTTP on
127.0.0.1, plus the benchmark's floor page (bench/urls.py).

Nothing here makes the site faster than production would be: only HTTPS is off
(the load generator speaks plain HTTP) and the URL map gains the floor page.
"""

import os

os.environ["HTTPS"] = "false"
os.environ.setdefault("DEBUG", "false")

from clearinghouse.settings import *  # noqa: E402, F403

ROOT_URLCONF = "bench.urls"
