from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("items", views.ItemViewSet, basename="hall-item")
router.register("tickets", views.TicketViewSet, basename="hall-ticket")
router.register("cases", views.CaseViewSet, basename="hall-case")

urlpatterns = router.urls
