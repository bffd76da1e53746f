from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "linli.jobs"
    label = "jobs"
    verbose_name = _("后台任务")

    def ready(self) -> None:
        # Create the Celery app in every process that loads Django, so that shared tasks
        # bind to it and web processes can enqueue with the project's broker settings.
        from linli import celery  # noqa: F401
