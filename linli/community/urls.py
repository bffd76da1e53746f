from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    # Public (no login)
    path("", views.index, name="index"),
    path("network/", views.network, name="network"),
    path("positions/<int:pk>/", views.position, name="position"),
    path("positions/<int:pk>/order/", views.order_new, name="order_new"),
    path("menu/", views.menu, name="menu"),
    path("calendar/", views.calendar, name="calendar"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("ticket/<str:token>/", views.ticket, name="ticket"),
    path("wish/", views.wish, name="wish"),
    path("projects/", views.projects, name="projects"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("screen/", views.screen, name="screen"),
    path("screen/data.json", views.screen_data, name="screen_data"),
    # The volunteer's own phone page (personal code + phone tail)
    path("me/", views.volunteer_home, name="me"),
    path("me/login/", views.volunteer_login, name="me_login"),
    path("me/certificates/<int:pk>/", views.volunteer_certificate, name="me_certificate"),
    # Staff
    path("events/", views.events_staff, name="events_staff"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/release/", views.release_due, name="release_due"),
    path("series/", views.series, name="series"),
    path("series/new/", views.series_form, name="series_new"),
    path("series/<int:pk>/edit/", views.series_form, name="series_edit"),
    path("network/manage/", views.network_manage, name="network_manage"),
    path("positions/new/", views.position_form, name="position_new"),
    path("positions/<int:pk>/edit/", views.position_form, name="position_edit"),
    path("positions/<int:pk>/manage/", views.position_manage, name="position_manage"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/<int:pk>/edit/", views.project_new, name="project_edit"),
    path("projects/<int:pk>/manage/", views.project_manage, name="project_manage"),
    path("events/<int:pk>/roster/", views.event_roster, name="roster"),
    path("events/<int:pk>/door/", views.checkin_door, name="door"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:pk>/", views.order, name="order"),
    path("wishes/", views.wishes, name="wishes"),
    path("volunteers/", views.volunteers, name="volunteers"),
    path("volunteers/export/", views.volunteers_export, name="volunteers_export"),
    path("volunteers/<int:pk>/code/", views.volunteer_code, name="volunteer_code"),
    path("shifts/<str:token>/", views.shift, name="shift"),
    path("volunteers/<int:pk>/certificate/<int:team_pk>/", views.certificate, name="certificate"),
    # Alliance partners (schools, cultural units) and staff
    path("alliance/", views.alliance, name="alliance"),
]
