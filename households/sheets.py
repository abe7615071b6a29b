"""The registry's sheets beside the roster (`SheetImport` kinds): 结对帮扶 (户编号 ↔ the
responsible cadre) and 帮扶措施 (a household's measures).

A household has one responsible cadre at a time: a row naming another cadre from a later date
ends the current pairing the day before (said in the preview), the household's history kept.
A measure is matched by household, type, content and start date: a second run updates its
amount, end date, status and cadre instead of adding it again.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from poverty.common.sheetimport import (
    Change,
    Column,
    Row,
    RowError,
    SheetImport,
    changed_fields,
    choice_value,
    parse_date,
)
from villages.sheets import END, ID_NUMBER, PHONE, START, CadreFinder

from . import services
from .choices import MEASURE_TERMS, MeasureStatus, MeasureType
from .models import AssistanceMeasure, Household, HouseholdPairing


class HouseholdPairingImport(SheetImport):
    kind = "household-pairings"
    title = "结对帮扶"
    permissions = ("households.add_householdpairing", "households.change_householdpairing")
    columns = (
        Column("household", "户编号", ("贫困户编号", "户编码"), True),
        Column("name", "帮扶责任人", ("帮扶干部", "帮扶人", "帮扶责任人姓名", "干部姓名"), True),
        PHONE,
        ID_NUMBER,
        START,
        END,
    )
    field_columns = {"household": "household", "cadre": "name", "start_date": "start_date"}
    example = ("4201-0101", "李四", "13800000000", "", "2016-05-01", "")

    def prepare(self):
        self.cadres = CadreFinder(self.user)

    def apply(self, row: Row) -> Change:
        code = row.required("household")
        household = Household.objects.restrict(self.user).filter(code=code).first()
        if household is None:
            raise RowError("household", f"找不到户编号{code}，或该户不在您的管辖范围内。")
        cadre = self.cadres.find(row, "name")
        start = parse_date(row.required("start_date"), "start_date")
        end = parse_date(row.get("end_date"), "end_date")
        label = f"{code} ← {cadre.name}"
        existing = household.pairings.filter(cadre=cadre, start_date=start).first()
        if existing is not None:
            if existing.end_date == end:
                return Change(row.number, "unchanged", label)
            before = existing.end_date
            existing.end_date = end
            self.check_scope(existing, "change", "household")
            self.save(existing)
            return Change(
                row.number, "updated", label, f"结束日期：{before or '（空）'} → {end or '（空）'}"
            )
        detail = ""
        current = household.pairings.filter(end_date__isnull=True, start_date__lt=start).first()
        if current is not None and current.cadre_id != cadre.pk:
            current.end_date = start - datetime.timedelta(days=1)
            self.check_scope(current, "change", "household")
            self.save(current)
            detail = f"原帮扶责任人{current.cadre.name}的结对于{current.end_date}结束"
        pairing = HouseholdPairing(household=household, cadre=cadre, start_date=start, end_date=end)
        self.check_scope(pairing, "add", "household")
        self.save(pairing)
        return Change(row.number, "created", label, detail)


# 措施类别 as county sheets write them, beside our labels.
MEASURE_ALIASES = {
    **{
        str(label).replace("扶贫", ""): value
        for value, label in MeasureType.choices
        if str(label).endswith("扶贫")
    },
    "易地搬迁": MeasureType.RELOCATION,
    "搬迁": MeasureType.RELOCATION,
    "危房": MeasureType.HOUSING,
    "住房保障": MeasureType.HOUSING,
    "小额贷款": MeasureType.MICROCREDIT,
    "扶贫小额信贷": MeasureType.MICROCREDIT,
    "生态扶贫": MeasureType.ECOLOGY,
    "生态": MeasureType.ECOLOGY,
    "护林员": MeasureType.ECOLOGY,
    "生态护林员": MeasureType.ECOLOGY,
    "兜底保障": MeasureType.SOCIAL_SECURITY,
    "兜底": MeasureType.SOCIAL_SECURITY,
    "低保": MeasureType.SOCIAL_SECURITY,
    "特困供养": MeasureType.SOCIAL_SECURITY,
    "社会保障兜底": MeasureType.SOCIAL_SECURITY,
    "公益性岗位": MeasureType.WELFARE_JOB,
    "技能培训": MeasureType.TRAINING,
    "培训": MeasureType.TRAINING,
    "雨露计划": MeasureType.TRAINING,
}
STATUS_ALIASES = {
    "进行中": MeasureStatus.ONGOING,
    "完成": MeasureStatus.DONE,
    "终止": MeasureStatus.STOPPED,
}


class MeasureImport(SheetImport):
    kind = "measures"
    title = "帮扶措施"
    permissions = ("households.add_assistancemeasure", "households.change_assistancemeasure")
    columns = (
        Column("household", "户编号", ("贫困户编号", "户编码"), True),
        Column(
            "measure_type",
            "措施类别",
            ("帮扶措施类别", "措施类型", "帮扶类别"),
            True,
            choices=tuple(MeasureType.labels),
        ),
        Column("description", "措施内容", ("帮扶措施", "具体措施", "帮扶内容"), True),
        Column("amount", "金额(元)", ("金额", "资金(元)", "帮扶资金(元)", "金额（元）")),
        START,
        END,
        Column("status", "状态", ("实施状态", "进展"), choices=tuple(MeasureStatus.labels)),
        Column("cadre", "责任人", ("帮扶责任人", "责任干部")),
        PHONE,
        ID_NUMBER,
    )
    field_columns = {
        "household": "household",
        "measure_type": "measure_type",
        "description": "description",
        "amount": "amount",
        "start_date": "start_date",
        "end_date": "end_date",
        "status": "status",
        "cadre": "cadre",
    }
    example = (
        "4201-0101",
        "产业扶贫",
        "养牛2头",
        "6000",
        "2018-04-01",
        "",
        "实施中",
        "李四",
        "",
        "",
    )

    def save_measure(self, measure: AssistanceMeasure) -> None:
        """As the page saves one (households.services.measure_save: the usual end date)."""
        measure.full_clean()
        measure._history_user = self.user
        services.measure_save(measure=measure, by=self.user)

    def prepare(self):
        self.cadres = CadreFinder(self.user)
        self.households = {}

    def apply(self, row: Row) -> Change:
        code = row.required("household")
        household = self.households.get(code)
        if household is None:
            household = Household.objects.restrict(self.user).filter(code=code).first()
            if household is None:
                raise RowError("household", f"找不到户编号{code}，或该户不在您的管辖范围内。")
            self.households[code] = household
        kind = choice_value(
            row.required("measure_type"), MeasureType.choices, "measure_type", MEASURE_ALIASES
        )
        description = row.required("description")
        start = parse_date(row.required("start_date"), "start_date")
        values = {
            "amount": self._amount(row.get("amount")),
            "end_date": parse_date(row.get("end_date"), "end_date"),
            "status": choice_value(
                row.get("status"), MeasureStatus.choices, "status", STATUS_ALIASES
            )
            if row.get("status")
            else "",
            "cadre": self.cadres.find(row, "cadre") if row.get("cadre") else "",
        }
        if values["end_date"] is None and kind in MEASURE_TERMS:
            del values["end_date"]  # left blank: the usual term, kept as saved (idempotent)
        label = f"{code} {MeasureType(kind).label}：{description}"
        measure = household.measures.filter(
            measure_type=kind, description=description, start_date=start
        ).first()
        if measure is None:
            measure = AssistanceMeasure(
                household=household,
                measure_type=kind,
                description=description,
                start_date=start,
                **{k: v for k, v in values.items() if v not in ("", None)},
            )
            self.check_scope(measure, "add", "household")
            self.save_measure(measure)
            return Change(row.number, "created", label)
        details = changed_fields(measure, {k: "" if v is None else v for k, v in values.items()})
        if not details:
            return Change(row.number, "unchanged", label)
        self.check_scope(measure, "change", "household")
        self.save_measure(measure)
        return Change(row.number, "updated", label, "；".join(details))

    @staticmethod
    def _amount(text: str) -> Decimal | None:
        if not text:
            return None
        try:
            amount = Decimal(text.replace(",", "").replace("，", ""))
        except InvalidOperation:
            raise RowError("amount", f"“{text}”不是金额（如6000或6000.50）。") from None
        if amount < 0:
            raise RowError("amount", "金额不能为负数。")
        return amount.quantize(Decimal("0.01"))
