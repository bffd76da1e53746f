from django.urls import path

from linli.core.views import module

app_name = "elevator"

urlpatterns = [
    path("", module, {"key": "elevator"}, name="index"),
]
