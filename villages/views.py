"""Pages of the villages app: the generic five per model, and the area page's related lists."""

from poverty.common.views import ObjectDetailView, ObjectListView, ObjectPickView
from poverty.personal.access import record_access

from .filtersets import CadreFilterSet
from .models import Cadre


class AreaListView(ObjectListView):
    import_kind = "areas"


class AreaDetailView(ObjectDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        area = self.object
        context["breadcrumb"] = area.full_name()
        context["children"] = area.children.restrict(user).order_by("code")
        context["postings"] = (
            area.postings.restrict(user).active().select_related("cadre", "cadre__unit")
        )
        context["unit_pairings"] = area.unit_pairings.restrict(user).active().select_related("unit")
        context["leader_pairings"] = (
            area.leader_pairings.restrict(user).active().select_related("leader")
        )
        return context


# What the access log calls a page's showing of cadres' phones in full.
CADRE_PHONES = "查看干部联系电话"


class CadreListView(ObjectListView):
    """The cadre list shows phones (in full to those who may see them): the page's cadres
    with a phone are logged (poverty.personal.access)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shown = [row.record.pk for row in context["table"].page.object_list if row.record.phone]
        record_access(user=self.request.user, cadres=shown, what=CADRE_PHONES)
        return context


class CadrePickView(ObjectPickView):
    """Matches for a cadre search box (forms and filter bars), searched as the cadre list
    searches. Names, positions and units only: no phone is shown."""

    model = Cadre
    filterset_class = CadreFilterSet
    template_name = "villages/cadre_pick.html"

    def scoped_queryset(self, queryset):
        return queryset.select_related("unit").order_by("name", "pk")


class CadreDetailView(ObjectDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if self.object.phone:
            record_access(user=user, cadres=[self.object.pk], what=CADRE_PHONES)
        context["postings"] = self.object.postings.restrict(user).select_related("village")
        context["leader_pairings"] = self.object.leader_pairings.restrict(user).select_related(
            "area"
        )
        return context


class UnitDetailView(ObjectDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["cadres"] = self.object.cadres.restrict(user)
        context["pairings"] = self.object.pairings.restrict(user).select_related("village")
        return context
