"""One FilterSet per model, shared by the list pages, the API and exports."""

from __future__ import annotations

import django_filters
from django.db import connections
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from poverty.common.filters import (
    ActiveFilter,
    IntegerFilter,
    ModelIdFilter,
    RuleFilter,
    SearchFilter,
    YesNoFilter,
    scoped_choices,
    within_area,
)
from poverty.personal import crypto, idnumber
from villages.models import Cadre

from . import readiness as exit_readiness
from .choices import (
    ENDING_WINDOWS,
    Category,
    Cause,
    HouseholdStatus,
    MeasureStatus,
    MeasureType,
    MonitoringType,
    QualityStatus,
)
from .models import (
    Assessment,
    AssistanceMeasure,
    Household,
    HouseholdPairing,
    IncomeRecord,
    PovertyLine,
    QualityIssue,
    RosterExport,
    RosterImport,
    RosterMapping,
    Visit,
    visit_cutoff,
)


class HouseholdSearchFilter(SearchFilter):
    """Name of any member, 户编号, or a full ID number (matched exactly by its keyed hash)."""

    FEW = 1000  # matches looked up by id; more are filtered row by row

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        number = idnumber.searched_for(value)
        if number:
            return qs.filter(members__id_number_hash=crypto.keyed_hash(number))
        # Names are kept on the household (member_names). The matches are picked out of the
        # user's own entries of household_search_idx (an index-only scan) first, and only they
        # are read whole. Left to one statement, PostgreSQL cannot tell a rare name from a
        # common one and walks the user's households in page order looking for them: every
        # household of the province when few match. Many matches fill a page early, so they
        # are filtered row by row.
        matching = qs.filter(Q(code__icontains=value) | Q(member_names__icontains=value))
        ids = list(
            self.narrowed(matching, value).order_by().values_list("pk", flat=True)[: self.FEW + 1]
        )
        return qs.filter(pk__in=ids) if len(ids) <= self.FEW else matching

    @staticmethod
    def narrowed(matching, value: str):
        """On PostgreSQL, the matches among the households holding every character and pair
        of characters of the text (households_grams, migration 0025's GIN index): a rare name
        or number is found from the index in a few milliseconds, province-wide. The planner
        knows each pair's frequency, so a text every household holds is still read along the
        user's own entries and stops at FEW + 1. It only narrows: the match is still the
        icontains above."""
        if connections[matching.db].vendor != "postgresql":
            return matching
        return matching.filter(
            RawSQL(
                '"households_household"."search_grams" @> households_grams(%s)',
                (value,),
                output_field=BooleanField(),
            )
        )


class HouseholdFilterSet(django_filters.FilterSet):
    q = HouseholdSearchFilter(search_fields=(), label="搜索", help_text="姓名、户编号或身份证号")
    within = within_area()
    category = django_filters.ChoiceFilter(label="贫困户属性", choices=Category.choices)
    cause = django_filters.ChoiceFilter(
        label="致贫原因", choices=Cause.choices, method="filter_cause"
    )
    status = django_filters.ChoiceFilter(label="脱贫状态", choices=HouseholdStatus.choices)
    planned_exit_year = IntegerFilter(label="计划脱贫年度")
    exit_year = IntegerFilter(label="脱贫年度")
    overdue = RuleFilter(label="超过脱贫时限", rule="overdue")
    near_deadline = RuleFilter(label="今年到脱贫时限未脱贫", rule="near_deadline")
    # Remaining households judged for their 脱贫时限 (households.readiness).
    readiness = django_filters.ChoiceFilter(
        label="退出条件", choices=exit_readiness.FILTER_CHOICES, method="filter_readiness"
    )
    # Not visited within the user's county's visit interval (the work page's rule).
    unvisited = RuleFilter(
        label="近期未走访",
        rule=lambda qs, request: qs.unvisited_since(
            visit_cutoff(user=getattr(request, "user", None))
        ),
    )
    monitoring_type = django_filters.ChoiceFilter(label="监测对象", choices=MonitoringType.choices)
    cadre = ModelIdFilter(label="帮扶责任人", queryset=scoped_choices(Cadre), method="filter_cadre")
    quality_rule = django_filters.CharFilter(label="疑点规则", method="filter_quality_rule")
    # 巩固: with status 已脱贫, the exited households whose loan or contract runs out, for the
    # cadre to check that their income holds without it.
    measure_ending = django_filters.ChoiceFilter(
        label="措施到期",
        choices=[
            *((str(days), f"有措施{days}天内到期") for days in ENDING_WINDOWS),
            ("ended", "有措施已到期仍在实施"),
        ],
        method="filter_measure_ending",
    )

    class Meta:
        model = Household
        fields = [
            "q",
            "within",
            "category",
            "cause",
            "status",
            "planned_exit_year",
            "exit_year",
            "overdue",
            "near_deadline",
            "readiness",
            "unvisited",
            "monitoring_type",
            "cadre",
            "measure_ending",
        ]

    def filter_cause(self, qs, name, value):
        return qs.with_cause(value) if value else qs

    def filter_measure_ending(self, qs, name, value):
        measures = AssistanceMeasure.objects.all()
        ending = (
            measures.ended_but_running() if value == "ended" else measures.ending_within(int(value))
        )
        return qs.filter(pk__in=ending.values("household_id"))

    def filter_readiness(self, qs, name, value):
        return exit_readiness.filter_by(qs, value) if value else qs

    def filter_cadre(self, qs, name, value):
        if not value:
            return qs
        paired = HouseholdPairing.objects.active().filter(cadre=value).values("household_id")
        return qs.filter(pk__in=paired)

    def filter_quality_rule(self, qs, name, value):
        if not value:
            return qs
        open_issues = QualityIssue.objects.filter(rule=value, status=QualityStatus.OPEN)
        return qs.filter(pk__in=open_issues.values("household_id"))


class IncomeRecordFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("household__code",))
    within = within_area()
    year = IntegerFilter(label="年度")

    class Meta:
        model = IncomeRecord
        fields = ["q", "within", "year"]


class AssessmentFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("household__code",))
    within = within_area()

    class Meta:
        model = Assessment
        fields = ["q", "within"]


class AssistanceMeasureFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("household__code", "description"))
    within = within_area()
    measure_type = django_filters.ChoiceFilter(label="措施类别", choices=MeasureType.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=MeasureStatus.choices)
    cadre = django_filters.ModelChoiceFilter(label="责任人", queryset=scoped_choices(Cadre))
    ending = django_filters.ChoiceFilter(
        label="到期",
        choices=[
            *((str(days), f"{days}天内到期") for days in ENDING_WINDOWS),
            ("ended", "已到期仍在实施"),
        ],
        method="filter_ending",
    )

    class Meta:
        model = AssistanceMeasure
        fields = ["q", "within", "measure_type", "status", "cadre", "ending"]

    def filter_ending(self, qs, name, value):
        if value == "ended":
            return qs.ended_but_running()
        return qs.ending_within(int(value))


class HouseholdPairingFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("household__code", "cadre__name"))
    within = within_area()
    cadre = django_filters.ModelChoiceFilter(label="帮扶责任人", queryset=scoped_choices(Cadre))
    active = ActiveFilter()

    class Meta:
        model = HouseholdPairing
        fields = ["q", "within", "cadre", "active"]


class VisitFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("household__code", "findings", "problems"))
    within = within_area()
    cadre = django_filters.ModelChoiceFilter(label="走访干部", queryset=scoped_choices(Cadre))
    since = django_filters.DateFilter(
        label="走访日期起", field_name="visited_on", lookup_expr="gte"
    )
    follow_up_open = YesNoFilter(label="跟进已到期未办", method="filter_follow_up")
    needs_review = YesNoFilter(label="离线走访待核对")

    class Meta:
        model = Visit
        fields = ["q", "within", "cadre", "since", "follow_up_open", "needs_review"]

    def filter_follow_up(self, qs, name, value):
        """Follow-ups due by today and not answered by a later visit (the reminders' and the
        work page's rule: VisitQuerySet)."""
        if value is None:
            return qs
        due = Visit.objects.follow_ups_open().due_by(timezone.localdate()).values("pk")
        return qs.filter(pk__in=due) if value else qs.exclude(pk__in=due)


class PovertyLineFilterSet(django_filters.FilterSet):
    class Meta:
        model = PovertyLine
        fields = ["year"]


class QualityIssueFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("household__code", "detail"))
    within = within_area()
    rule = django_filters.ChoiceFilter(label="规则", choices=(), empty_label="全部")
    status = django_filters.ChoiceFilter(label="处理状态", choices=QualityStatus.choices)
    cadre = ModelIdFilter(label="帮扶责任人", queryset=scoped_choices(Cadre), method="filter_cadre")

    class Meta:
        model = QualityIssue
        fields = ["q", "within", "rule", "status", "cadre"]

    def __init__(self, *args, **kwargs) -> None:
        from .quality import RULES

        super().__init__(*args, **kwargs)
        self.filters["rule"].extra["choices"] = [(r.code, r.description) for r in RULES.values()]

    def filter_cadre(self, qs, name, value):
        if not value:
            return qs
        paired = HouseholdPairing.objects.active().filter(cadre=value).values("household_id")
        return qs.filter(household__in=paired)


class RosterExportFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=RosterExport.Status.choices)

    class Meta:
        model = RosterExport
        fields = ["status"]


class RosterImportFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("file_name",))
    status = django_filters.ChoiceFilter(label="状态", choices=RosterImport.Status.choices)

    class Meta:
        model = RosterImport
        fields = ["q", "status"]


class RosterMappingFilterSet(django_filters.FilterSet):
    q = SearchFilter(search_fields=("name",))

    class Meta:
        model = RosterMapping
        fields = ["q"]
