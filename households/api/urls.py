from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("households", views.HouseholdViewSet)
router.register("visits", views.VisitViewSet)
router.register("household-pairings", views.HouseholdPairingViewSet)

urlpatterns = router.urls
