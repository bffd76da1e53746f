from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("positions", views.PositionViewSet, basename="community-position")
router.register("menu", views.MenuItemViewSet, basename="community-menu")
router.register("events", views.EventViewSet, basename="community-event")
router.register("signups", views.SignupViewSet, basename="community-signup")
router.register("orders", views.ServiceOrderViewSet, basename="community-order")
router.register("alliance-orders", views.AllianceOrderViewSet, basename="community-alliance-order")
router.register("volunteers", views.VolunteerViewSet, basename="community-volunteer")

urlpatterns = router.urls
