from django.apps import AppConfig


class ClearinghouseConfig(AppConfig):
    name = "clearinghouse"
    verbose_name = "Clearinghouse"

    def ready(self):
        from clearinghouse import checks  # noqa: F401 - registers the deployment checks
