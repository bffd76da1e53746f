from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.open_notice, name="open"),
    path("read-all/", views.read_all, name="read_all"),
    path("log/", views.delivery_log, name="log"),
    path("opt-outs/", views.opt_outs, name="opt_outs"),
    path("opt-outs/<int:pk>/withdraw/", views.withdraw_opt_out, name="withdraw"),
]
