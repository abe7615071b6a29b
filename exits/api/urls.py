from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("exit-standards", views.StandardViewSet)
router.register("exit-readings", views.ReadingViewSet)
router.register("exit-steps", views.ExitStepViewSet)

urlpatterns = router.urls
