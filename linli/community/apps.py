from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "linli.community"
    label = "community"
    # Set to True when the module's pages are usable; the shell then shows it as live.
    live = True
    verbose_name = _("党群服务与社区生活")
