from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FireConfig(AppConfig):
    name = "linli.fire"
    label = "fire"
    # Set to True when the module's pages are usable; the shell then shows it as live.
    live = True
    verbose_name = _("消防设施")
