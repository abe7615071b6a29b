"""Pages of the projects app: the list with fund totals, the project page (stage timeline, funds,
beneficiaries, joint review, disclosures), the stage steps, 倒排工期, adding beneficiaries, and
the printable disclosure notice."""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.utils import timezone

from households.models import Household, head_name_of
from households.views import HouseholdPickView
from poverty.common.views import (
    ObjectActionView,
    ObjectCreateView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
)

from . import forms, services
from .choices import PAIRING_TEAM_SIZE, Stage, TeamRole
from .models import Disclosure, FundEntry, HelpTeamMember, Project, approval_problems
from .selectors import fund_totals, funds_by_source, help_years, pairing_summary, timeline


class ProjectListView(ObjectListView):
    """Projects with their fund totals and next milestone; the filtered set's totals on top."""

    template_name = "projects/project_list.html"

    def scoped_queryset(self, queryset):
        return queryset.with_progress().select_related("area", "unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chosen = FundEntry.objects.filter(project__in=self.object_list.values("pk"))
        context["totals"] = fund_totals(chosen)
        return context


class BeneficiaryHouseholdPickView(HouseholdPickView):
    """A beneficiary's household search: only households of the villages the chosen project
    (?project=, as the beneficiary form sends it) serves, so what is offered is accepted."""

    def scoped_queryset(self, queryset):
        queryset = super().scoped_queryset(queryset)
        try:
            pk = int(self.search.get("project", ""))
        except ValueError:
            return queryset
        project = Project.objects.restrict(self.request.user, "view").filter(pk=pk).first()
        if project is None:
            return queryset
        return queryset.under(project.served_codes())


class ProjectCreateView(ObjectCreateView):
    # A new project gets its six stages (editing one is a plain save).
    service = services.project_create
    service_object = "project"


class ProjectDetailView(ObjectDetailView):
    def scoped_queryset(self, queryset):
        # The stages serve both the timeline and the delay: fetch them once.
        return queryset.select_related("area", "unit", "manager").prefetch_related("stages")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = self.object
        context["areas"] = list(project.areas.order_by("code"))
        context["team"] = list(project.team.all())
        context["timeline"] = timeline(project)
        context["days_overdue"] = project.days_overdue()
        context["funds"] = funds_by_source(project)
        context["fund_entries"] = list(project.funds.order_by("-date", "-pk")[:50])
        beneficiaries = project.beneficiaries.select_related(
            "household__village", "measure"
        ).annotate(head_name=head_name_of("household"), persons=F("household__persons"))
        context["beneficiaries"] = list(beneficiaries)
        context["beneficiary_persons"] = sum(b.persons or 0 for b in context["beneficiaries"])
        context["approvals"] = list(project.approvals.select_related("unit"))
        context["approval_problems"] = (
            approval_problems(context["approvals"]) if project.stage < Stage.APPROVED else []
        )
        context["disclosures"] = list(
            project.disclosures.annotate(
                objection_count=Count("objections"),
                open_objections=Count("objections", filter=Q(objections__answered_on__isnull=True)),
            )
        )
        user = self.request.user
        context["can_fund"] = user.has_perm("projects.add_fundentry")
        context["can_approve"] = user.has_perm("projects.add_projectapproval")
        context["can_beneficiary"] = user.has_perm("projects.add_beneficiary")
        context["can_disclose"] = user.has_perm("projects.add_disclosure")
        return context


class ProjectChildCreateView(ObjectCreateView):
    """Add a row to a project (?project=N) and go back to the project page."""

    def get_success_url(self) -> str:
        return self.object.project.get_absolute_url()


class ProjectChildEditView(ObjectEditView):
    def get_success_url(self) -> str:
        return self.object.project.get_absolute_url()


class StageView(ObjectActionView):
    """Record the next stage as reached (入库→落地→…→见效), in order."""

    model = Project
    form_class = forms.StageForm
    template_name = "projects/stage_form.html"

    @property
    def title(self) -> str:
        label = self.object.next_stage_label
        return f"办理“{label}”" if label else "项目已见效"

    @property
    def success_message(self) -> str:
        return f"已记录“{self.object.get_stage_display()}”。"

    def get_initial(self):
        return {"actual_date": timezone.localdate()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object.next_stage == Stage.APPROVED:
            context["problems"] = approval_problems(
                list(self.object.approvals.select_related("unit"))
            )
        context["timeline"] = timeline(self.object)
        return context

    def perform(self, form) -> None:
        self.object = services.project_stage_complete(
            project=self.object,
            by=self.request.user,
            stage=self.object.next_stage or Stage.EFFECTIVE + 1,
            **form.cleaned_data,
        ).project


class PlanBackwardsView(ObjectActionView):
    """倒排工期: fill the plan of the unfinished stages back from the 见效 deadline."""

    model = Project
    form_class = forms.PlanBackwardsForm
    title = "倒排工期"
    success_message = "已按见效期限倒排各阶段计划日期。"
    submit_label = "倒排"

    def get_initial(self):
        last = self.object.stages.filter(stage=Stage.EFFECTIVE).first()
        deadline = last.planned_date if last and last.planned_date else None
        return {"deadline": deadline or timezone.localdate().replace(month=12, day=31)}

    def perform(self, form) -> None:
        services.project_plan_backwards(
            project=self.object,
            by=self.request.user,
            deadline=form.cleaned_data["deadline"],
            durations=form.durations(),
        )


class ScheduleView(ObjectActionView):
    """Planned dates by hand."""

    model = Project
    title = "调整计划日期"
    success_message = "计划日期已保存。"
    submit_label = "保存"

    def get_form(self, form_class=None):
        return forms.ScheduleForm(
            **self.get_form_kwargs(), stages=list(self.object.stages.order_by("stage"))
        )

    def perform(self, form) -> None:
        services.project_plan_set(project=self.object, by=self.request.user, plan=form.plan())


class AddBeneficiariesView(ObjectActionView):
    """Tick households of the served areas (not yet linked) and link them in one go."""

    model = Project
    title = "添加受益户"
    submit_label = "添加所选户"
    template_name = "projects/add_beneficiaries.html"

    def candidates(self):
        project = self.object
        households = (
            Household.objects.restrict(self.request.user, "view")
            .under(project.served_codes())
            .exclude(project_links__project=project)
            .with_head()
            .select_related("village")
            .order_by("village__code", "code")
        )
        village = self.request.GET.get("village")
        if village and village.isdigit():
            households = households.filter(village_id=int(village))
        return households

    def get_form(self, form_class=None):
        return forms.AddBeneficiariesForm(**self.get_form_kwargs(), households=self.candidates())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["villages"] = self.object.areas.order_by("code")
        return context

    def perform(self, form) -> None:
        links = services.project_beneficiaries_add(
            project=self.object,
            by=self.request.user,
            households=form.cleaned_data["households"],
            note=form.cleaned_data["note"],
            with_measure=form.cleaned_data["with_measure"],
        )
        self.success_message = f"已添加{len(links)}户受益户。"


class DisclosureFormMixin:
    formset_class = forms.ObjectionFormSet
    template_name = "projects/disclosure_form.html"

    def get_template_names(self):
        return [self.template_name]


class DisclosureCreateView(DisclosureFormMixin, ObjectCreateView):
    pass


class DisclosureEditView(DisclosureFormMixin, ObjectEditView):
    pass


class DisclosureListView(ObjectListView):
    def scoped_queryset(self, queryset):
        return super().scoped_queryset(queryset).annotate(objection_count=Count("objections"))


class DisclosureDetailView(ObjectDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["objections"] = list(self.object.objections.all())
        return context


class DisclosureNoticeView(ObjectDetailView):
    """The A4 notice posted in the village: the project, its funds and its beneficiaries.

    Public notices never show ID numbers, phone numbers or health (DESIGN §4): households
    appear by village, group, head's name and size only.
    """

    model = Disclosure
    template_name = "projects/disclosure_notice.html"

    def get_template_names(self):
        return [self.template_name]

    def scoped_queryset(self, queryset):
        return queryset.select_related("project__area", "project__unit", "project__manager")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = self.object.project
        context["project"] = project
        context["areas"] = list(project.areas.order_by("code"))
        context["funds"] = funds_by_source(project)
        context["beneficiaries"] = list(
            project.beneficiaries.select_related("household__village")
            .annotate(head_name=head_name_of("household"), persons=F("household__persons"))
            .order_by("household__village__code", "household__group", "household__code")
        )
        context["beneficiary_persons"] = sum(b.persons or 0 for b in context["beneficiaries"])
        context["today"] = timezone.localdate()
        return context


# --- 对口帮扶 -------------------------------------------------------------------------------


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2013 <= year <= 2035 else timezone.localdate().year


class HelpPairingListView(ObjectListView):
    """The pairings of the user's area, with the year's summary: team on site, commitment and
    money against the 1 % rule, deliverables (what the city's liaison checks)."""

    template_name = "projects/helppairing_list.html"

    def scoped_queryset(self, queryset):
        return queryset.select_related("township")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = _year(self.request)
        context["year"] = year
        context["summary"] = pairing_summary(list(self.object_list[:200]), year)
        return context


class HelpPairingDetailView(ObjectDetailView):
    select_related = ("township", "helper_area")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pairing, user = self.object, self.request.user
        today = timezone.localdate()
        team = list(HelpTeamMember.objects.restrict(user).filter(pairing=pairing))
        on_site = [m for m in team if m.on_site(today)]
        context.update(
            team=team,
            on_site=len(on_site),
            team_size=PAIRING_TEAM_SIZE,
            led_by_leader=any(m.role == TeamRole.LEADER and m.county_leader for m in on_site),
            years=help_years(pairing),
            projects=list(
                Project.objects.restrict(user)
                .filter(help_pairing=pairing)
                .order_by("help_deliverable", "year", "name")
            ),
            can_team=user.has_perm("projects.add_helpteammember"),
            can_edit_team=user.has_perm("projects.change_helpteammember"),
        )
        return context


class HelpPairingCreateView(ObjectCreateView):
    formset_class = forms.HelpYearFormSet
    extra_context = {"formset_title": "年度帮扶资金（出钱：不少于帮扶方上年一般公共预算收入的1%）"}


class HelpPairingEditView(ObjectEditView):
    formset_class = forms.HelpYearFormSet
    extra_context = HelpPairingCreateView.extra_context


class HelpTeamMemberListView(ObjectListView):
    def scoped_queryset(self, queryset):
        return queryset.select_related("pairing", "pairing__township")
