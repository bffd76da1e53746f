from django.urls import path

from linli.core.views import module

app_name = "fire"

urlpatterns = [
    path("", module, {"key": "fire"}, name="index"),
]
