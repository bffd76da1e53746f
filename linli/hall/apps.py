from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    name = "linli.hall"
    label = "hall"
    # Set to True when the module's pages are usable; the shell then shows it as live.
    live = True
    verbose_name = _("社区事务受理")
