from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("command-bodies", views.BodyViewSet)
router.register("command-members", views.BodyMemberViewSet)
router.register("key-tasks", views.KeyTaskViewSet)
router.register("dispatch-meetings", views.DispatchMeetingViewSet)
router.register("decisions", views.DecisionViewSet)

urlpatterns = router.urls
