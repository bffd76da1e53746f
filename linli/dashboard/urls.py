from django.urls import path

from . import link_views

app_name = "dashboard"

urlpatterns = [
    path("samples/<int:pk>/facts/", link_views.sample_facts, name="sample_facts"),
]
