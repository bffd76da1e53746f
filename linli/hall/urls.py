from django.urls import path

from linli.core.views import module

app_name = "hall"

urlpatterns = [
    path("", module, {"key": "hall"}, name="index"),
]
