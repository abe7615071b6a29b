from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("areas", views.AreaViewSet)
router.register("units", views.UnitViewSet)
router.register("cadres", views.CadreViewSet)
router.register("postings", views.VillagePostingViewSet)
router.register("unit-pairings", views.UnitPairingViewSet)
router.register("leader-pairings", views.LeaderPairingViewSet)

urlpatterns = router.urls
