from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("extinguishers", views.ExtinguisherViewSet, basename="fire-extinguisher")
router.register("sprinklers", views.SprinklerViewSet, basename="fire-sprinkler")
router.register("charging-sites", views.ChargingSiteViewSet, basename="fire-charging-site")
router.register("plans", views.PlanViewSet, basename="fire-plan")

urlpatterns = router.urls
