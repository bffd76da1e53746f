from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("rounds", views.RoundViewSet, basename="risk-round")
router.register("scores", views.ScoreViewSet, basename="risk-score")
router.register("samples", views.SampleViewSet, basename="risk-sample")
router.register("my-samples", views.MySampleViewSet, basename="risk-my-sample")
router.register("cases", views.CaseViewSet, basename="risk-case")

urlpatterns = router.urls
