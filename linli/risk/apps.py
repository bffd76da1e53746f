from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "linli.risk"
    label = "risk"
    # Set to True when the module's pages are usable; the shell then shows it as live.
    live = True
    verbose_name = _("安全风险评估")
