"""结对帮扶 from a sheet: 户编号 ↔ the responsible cadre (a `SheetImport` kind).

A household has one responsible cadre at a time: a row naming another cadre from a later date
ends the current pairing the day before (said in the preview), the household's history kept.
"""

from __future__ import annotations

import datetime

from poverty.common.sheetimport import Change, Column, Row, RowError, SheetImport, parse_date
from villages.sheets import END, ID_NUMBER, PHONE, START, CadreFinder

from .models import Household, HouseholdPairing


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
