from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("findings", views.FindingViewSet)
router.register("notices", views.NoticeViewSet)

urlpatterns = router.urls
