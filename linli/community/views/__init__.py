"""Community pages, one module per use case: the public pages (network, menus, calendar,
sign-up, wish box, orders), projects and the screen, staff events and check-in, orders and
wishes, volunteers, the alliance, editing the network, and the volunteer's own phone page.

Residents have no accounts: a sign-up gives them a ticket page reached by a random token,
with the QR code staff scan at the door and a cancel button. ``urls.py`` names the views
through this package.
"""

from ._common import CALENDAR_DAYS, PAGE_SIZE
from .alliance import (
    alliance,
    alliance_accept,
    alliance_decline,
    alliance_deliver,
    alliance_feedback,
    alliance_schedule,
)
from .events import (
    checkin,
    checkin_door,
    event_new,
    event_roster,
    events_staff,
    release_due,
    series,
)
from .network import network_manage, position_form, position_manage, series_form
from .orders import (
    order,
    order_accept,
    order_cancel,
    order_decline,
    order_deliver,
    order_dispatch,
    order_rate,
    orders,
    wish_adopt,
    wish_decline,
    wishes,
)
from .projects import project, project_manage, project_new, projects, screen, screen_data
from .public import calendar, event_detail, index, menu, network, order_new, position, ticket, wish
from .volunteer_page import (
    VOLUNTEER_IP_LIMIT,
    VOLUNTEER_SESSION,
    VOLUNTEER_SESSION_SECONDS,
    volunteer_certificate,
    volunteer_code,
    volunteer_home,
    volunteer_login,
    volunteer_shift,
)
from .volunteers import certificate, shift, volunteers, volunteers_export

__all__ = [
    "CALENDAR_DAYS",
    "PAGE_SIZE",
    "VOLUNTEER_IP_LIMIT",
    "VOLUNTEER_SESSION",
    "VOLUNTEER_SESSION_SECONDS",
    "alliance",
    "alliance_accept",
    "alliance_decline",
    "alliance_deliver",
    "alliance_feedback",
    "alliance_schedule",
    "calendar",
    "certificate",
    "checkin",
    "checkin_door",
    "event_detail",
    "event_new",
    "event_roster",
    "events_staff",
    "index",
    "menu",
    "network",
    "network_manage",
    "order",
    "order_accept",
    "order_cancel",
    "order_decline",
    "order_deliver",
    "order_dispatch",
    "order_new",
    "order_rate",
    "orders",
    "position",
    "position_form",
    "position_manage",
    "project",
    "project_manage",
    "project_new",
    "projects",
    "release_due",
    "screen",
    "screen_data",
    "series",
    "series_form",
    "shift",
    "ticket",
    "volunteer_certificate",
    "volunteer_code",
    "volunteer_home",
    "volunteer_login",
    "volunteer_shift",
    "volunteers",
    "volunteers_export",
    "wish",
    "wish_adopt",
    "wish_decline",
    "wishes",
]
