"""Forms of the registry pages. Every ModelForm derives from ScopedModelForm."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory

from poverty.common.excel import ExcelError, Limits
from poverty.common.forms import IdNumberFormMixin, ScopedInlineFormSet, ScopedModelForm
from poverty.common.scoping import in_scope
from poverty.common.tabular import check_file
from poverty.personal import idnumber
from poverty.personal.masking import can_see_sensitive

from .choices import Cause, MonitoringType
from .excel import COLUMNS
from .models import (
    ID_TAKEN_ELSEWHERE,
    NATIONAL_MEMBER_FIELDS,
    Assessment,
    AssistanceMeasure,
    Household,
    HouseholdPairing,
    IncomeRecord,
    Member,
    PovertyLine,
    QualityIssue,
    RosterImport,
    Visit,
    previous_year,
)

MEMBER_FIELDS = [
    "name",
    "relation",
    "gender",
    "birth_date",
    "education",
    "schooling",
    "health",
    "labour_skill",
    "work_status",
    *NATIONAL_MEMBER_FIELDS,
]


class HouseholdForm(ScopedModelForm):
    other_causes = forms.TypedMultipleChoiceField(
        label="其他致贫原因",
        choices=Cause.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "cause-choices"}),
        help_text="最多选两项。",
    )

    class Meta:
        model = Household
        fields = [
            "code",
            "village",
            "group",
            "address",
            "phone",
            "category",
            "primary_cause",
            "other_causes",
            "identified_year",
            "planned_exit_year",
            "dilapidated_house",
            "safe_water",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = self.fields["village"].queryset.filter(level="village")
        if self.instance.pk:
            self.initial["other_causes"] = self.instance.other_cause_list

    def clean_other_causes(self) -> str:
        causes = self.cleaned_data.get("other_causes") or []
        if len(causes) > 2:
            raise ValidationError("其他致贫原因最多两项。")
        return ",".join(causes)


class MemberForm(IdNumberFormMixin, ScopedModelForm):
    class Meta:
        model = Member
        fields = MEMBER_FIELDS

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Gender and birth date follow from the ID number when left empty.
        self.fields["gender"].required = False
        self.fields["birth_date"].required = False
        self.fields["birth_date"].help_text = "可留空，按证件号码填写。"
        if self.instance.pk and not can_see_sensitive(self.user):
            # The number is masked here; its birth date is not shown either (with the region and
            # last four digits it would give the number back). It follows a new number.
            del self.fields["birth_date"]

    def duplicate_message(self, other: Member) -> str:
        if in_scope(other, self.user, "view"):
            return f"该证件号码已登记在贫困户{other.household.code}（{other.name}），一人只能属于一户。"
        return ID_TAKEN_ELSEWHERE

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("id_number")
        if number:
            info = idnumber.parse(number)
            if not cleaned.get("gender"):
                cleaned["gender"] = info.gender
            elif cleaned["gender"] != info.gender:
                self.add_error("gender", "性别与证件号码不符（第17位奇数为男、偶数为女）。")
            if not cleaned.get("birth_date"):
                cleaned["birth_date"] = info.birth_date
            elif cleaned["birth_date"] != info.birth_date:
                self.add_error(
                    "birth_date", f"出生日期与证件号码不符（号码中为{info.birth_date:%Y-%m-%d}）。"
                )
        elif self.instance.pk:
            # The number is kept: so are the gender and birth date it gives.
            cleaned["gender"] = cleaned.get("gender") or self.instance.gender
            cleaned["birth_date"] = cleaned.get("birth_date") or self.instance.birth_date
            if (
                cleaned["gender"] != self.instance.gender
                or cleaned["birth_date"] != self.instance.birth_date
            ):
                probe = Member(gender=cleaned["gender"], birth_date=cleaned["birth_date"])
                try:
                    probe.check_against_id(self.instance.id_number)
                except ValidationError as exc:
                    for field, errors in exc.message_dict.items():
                        self.add_error(field, errors)
        elif "id_number" not in self.errors:
            self.add_error("id_number", "请填写证件号码。")
        for name in ("gender", "birth_date"):
            if not cleaned.get(name) and not self.instance.pk and name not in self.errors:
                self.add_error(name, "请填写。")
        return cleaned


class BaseMemberFormSet(ScopedInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        # One head among at least one member is the service's rule (households.services).
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        numbers = [f.cleaned_data.get("id_number") for f in kept if f.cleaned_data.get("id_number")]
        if len(numbers) != len(set(numbers)):
            raise ValidationError("同一证件号码在本户中填写了两次。")


MemberFormSet = inlineformset_factory(
    Household,
    Member,
    form=MemberForm,
    formset=BaseMemberFormSet,
    fields=MEMBER_FIELDS,
    extra=1,
    can_delete=True,
)


class HouseholdChildForm(ScopedModelForm):
    """Forms of rows that belong to a household: the household is preset from ?household=."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("household")
        if field is not None:
            field.queryset = field.queryset.with_head()
        for name in ("cadre", "assessor"):
            if name in self.fields:
                self.fields[name].queryset = self.fields[name].queryset.select_related("unit")


class IncomeRecordForm(HouseholdChildForm):
    class Meta:
        model = IncomeRecord
        fields = [
            "household",
            "year",
            "persons",
            "wage",
            "business",
            "property_income",
            "transfer",
            "business_costs",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["persons"].required = False


class AssessmentForm(HouseholdChildForm):
    class Meta:
        model = Assessment
        fields = [
            "household",
            "assessed_on",
            "assessor",
            "food",
            "clothing",
            "education",
            "medical",
            "housing",
            "water",
            "note",
        ]


class AssistanceMeasureForm(HouseholdChildForm):
    class Meta:
        model = AssistanceMeasure
        fields = [
            "household",
            "measure_type",
            "description",
            "amount",
            "start_date",
            "end_date",
            "status",
            "cadre",
        ]


class HouseholdPairingForm(HouseholdChildForm):
    class Meta:
        model = HouseholdPairing
        fields = ["household", "cadre", "start_date", "end_date"]


class VisitForm(HouseholdChildForm):
    """Short enough to fill on a phone: the cadre's own paired households come first."""

    class Meta:
        model = Visit
        fields = [
            "household",
            "cadre",
            "visited_on",
            "findings",
            "problems",
            "follow_up",
            "follow_up_due",
            "photo",
            "latitude",
            "longitude",
            "accuracy",
        ]
        widgets = {
            # Filled by the phone (static/poverty/visit.js) when the cadre allows it.
            "latitude": forms.HiddenInput,
            "longitude": forms.HiddenInput,
            "accuracy": forms.HiddenInput,
            "findings": forms.Textarea(attrs={"rows": 3}),
            "problems": forms.Textarea(attrs={"rows": 2}),
            "follow_up": forms.Textarea(attrs={"rows": 2}),
            "photo": forms.ClearableFileInput(
                attrs={"accept": "image/*", "capture": "environment"}
            ),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cadre = getattr(self.user, "cadre", None)
        households = self.fields["household"]
        if cadre is not None:
            mine = list(
                HouseholdPairing.objects.active()
                .filter(cadre=cadre, household__in=households.queryset)
                .values_list("household_id", flat=True)
            )
            others = households.queryset.exclude(pk__in=mine)
            own = households.queryset.filter(pk__in=mine)
            # A cadre's choice is one village: listed, own households first, not searched.
            households.widget = forms.Select()
            households.choices = [("", "---------")]
            if mine:
                households.choices += [("我结对的户", [(h.pk, str(h)) for h in own])]
            households.choices += [("本村其他户", [(h.pk, str(h)) for h in others])]
            if not self.instance.pk:
                self.initial.setdefault("cadre", cadre.pk)
                if len(mine) == 1:
                    self.initial.setdefault("household", mine[0])


class PovertyLineForm(ScopedModelForm):
    class Meta:
        model = PovertyLine
        fields = ["year", "income_line", "note"]


class QualityIssueForm(ScopedModelForm):
    """Mark a 疑点 fixed or explained."""

    class Meta:
        model = QualityIssue
        fields = ["status", "explanation"]
        widgets = {"explanation": forms.Textarea(attrs={"rows": 3})}


# The exit-procedure step forms: plain forms, the service does the work.


class ProposeForm(forms.Form):
    year = forms.IntegerField(label="退出年度", min_value=2013, max_value=2035)
    evidence = forms.CharField(
        label="民主评议情况",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="评议时间、参加人数、结果。",
    )
    evidence_file = forms.FileField(label="附件", required=False)
    override_reason = forms.CharField(
        label="未达标仍退出的理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="仅在未达到当年脱贫标准、且确需退出时填写；须有相应权限，并记入档案。",
    )


class VerifyForm(forms.Form):
    evidence = forms.CharField(label="核实情况", widget=forms.Textarea(attrs={"rows": 3}))
    household_agrees = forms.BooleanField(label="贫困户认可退出", required=False)
    evidence_file = forms.FileField(label="附件（户签字确认等）", required=False)


class PubliciseForm(forms.Form):
    start = forms.DateField(label="公示开始", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="公示结束", widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label="公示地点", initial="村委会公示栏")
    evidence = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ObjectionForm(forms.Form):
    content = forms.CharField(label="异议内容及核查结果", widget=forms.Textarea(attrs={"rows": 3}))
    upheld = forms.BooleanField(label="异议成立（退回继续帮扶）", required=False)


class AnnounceForm(forms.Form):
    evidence = forms.CharField(label="公告文号/公告情况", widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    evidence = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(forms.Form):
    year = forms.IntegerField(label="返贫年度", min_value=2013, max_value=2035)
    reason = forms.CharField(label="返贫原因", widget=forms.Textarea(attrs={"rows": 3}))


class MonitorForm(forms.Form):
    monitoring_type = forms.ChoiceField(label="监测对象类型", choices=MonitoringType.choices)
    reason = forms.CharField(
        label="风险情况及核实、评议过程",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="发现方式（农户申请/干部排查/部门预警）、入户核实、村民主评议和公示、乡镇审核、县级确定。",
    )
    evidence_file = forms.FileField(label="附件", required=False)


class ClearRiskForm(forms.Form):
    reason = forms.CharField(label="风险消除依据", widget=forms.Textarea(attrs={"rows": 3}))


class RosterImportForm(ScopedModelForm):
    """Upload a 花名册; a background job checks it and previews what it would change."""

    class Meta:
        model = RosterImport
        fields = ["file", "income_year"]
        widgets = {
            "file": forms.ClearableFileInput(
                attrs={
                    "accept": ".xlsx,.xls,.csv,application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet,application/vnd.ms-excel,text/csv"
                }
            )
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "建档立卡贫困人口花名册：.xlsx、.xls（Excel 97-2003）或 .csv（UTF-8 或 GBK），一人一行。"
            "全国扶贫开发信息系统导出的表可直接上传：标题、填报单位、两行表头和表尾签字行会自动跳过。"
            "上传后先校验并预览将新增、更新和移出的内容，您确认后才写入。"
        )
        # Left empty (or not sent), the file's income is the last full year's.
        self.fields["income_year"].required = False
        if not self.instance.pk:
            self.instance.user = self.user
            self.instance.area = RosterImport.area_of(self.user)

    def clean_income_year(self) -> int:
        return self.cleaned_data.get("income_year") or previous_year()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_file(upload, Limits.for_upload(settings.ROSTER_MAX_BYTES))
        except ExcelError as exc:
            raise ValidationError(str(exc)) from exc
        self.instance.file_name = upload.name[:200]
        return upload


class RosterImportConfirmForm(forms.Form):
    """确认导入 on a previewed upload: removals it lists must be ticked off as checked."""

    removals_checked = forms.BooleanField(
        label="我已逐一核对上面列出的将移出的成员", required=False
    )

    def __init__(self, *args, job: RosterImport, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        if not job.removals_to_confirm:
            del self.fields["removals_checked"]


class RosterMappingStepForm(forms.Form):
    """The mapping step of an upload: each column the header did not name -> a roster column
    or 忽略, and a name to keep the choice as the county's template."""

    template_name = forms.CharField(
        label="保存为模板",
        max_length=50,
        required=False,
        help_text="填写名称（如“乡镇自制花名册”），下次上传同样的表将自动按此对应；不填则只用于本次。",
    )

    def __init__(self, *args, job: RosterImport, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        choices = [
            ("", "忽略（不导入此列）"),
            *((c.key, f"{c.header}（必填）" if c.required else c.header) for c in COLUMNS),
        ]
        for index, name in enumerate(job.unknown_columns):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=name, choices=choices, required=False
            )

    def rows(self):
        """(the file's column, its choice, a few of its values) for the page."""
        for index, name in enumerate(self.job.unknown_columns):
            yield name, self[f"column_{index}"], self.job.samples.get(name, [])

    def columns(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[f"column_{index}"]
            for index, name in enumerate(self.job.unknown_columns)
        }
