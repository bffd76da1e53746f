"""The project's URLs without the dashboard's link pages: risk must work without them."""

from linli.urls import urlpatterns as project

urlpatterns = [p for p in project if str(p.pattern) != "link/"]
