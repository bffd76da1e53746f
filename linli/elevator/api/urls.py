from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("projects", views.ProjectViewSet, basename="elevator-project")
router.register("votes", views.VoteViewSet, basename="elevator-vote")

urlpatterns = router.urls
