from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("assessment-schemes", views.SchemeViewSet)
router.register("assessment-scores", views.ScoreViewSet)
router.register("assessment-adjustments", views.AdjustmentViewSet)

urlpatterns = router.urls
