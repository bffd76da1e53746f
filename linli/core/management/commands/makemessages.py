"""``makemessages`` that also extracts the project's short gettext aliases.

Modules whose tables of labels would be unreadable with ``gettext_lazy(...)`` on every line
name it ``L`` (lazy) or ``N`` (``gettext_noop``); xgettext only knows Django's own names, so
without these keywords such labels never reach the catalogue and stay Chinese in English.
"""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=L", "--keyword=N"]
