from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("projects", views.ProjectViewSet)
router.register("project-stages", views.ProjectStageViewSet)
router.register("project-funds", views.FundEntryViewSet)
router.register("disclosures", views.DisclosureViewSet)
router.register("help-pairings", views.HelpPairingViewSet)

urlpatterns = router.urls
