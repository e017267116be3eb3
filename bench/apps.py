from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Scale-test tooling: the synthetic catalogue (``manage.py generate_practices``).

    Nothing here serves requests; the benchmark's settings and floor page
    (bench/settings.py, bench/urls.py) are used only by ``make bench``.
    """

    name = "bench"
    verbose_name = "Benchmark tooling"
