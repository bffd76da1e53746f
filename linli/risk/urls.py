from django.urls import path

from linli.core.views import module

app_name = "risk"

urlpatterns = [
    path("", module, {"key": "risk"}, name="index"),
]
