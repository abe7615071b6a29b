"""The sheets a county brings of its assistance force: units, cadres, village postings, unit–
village pairings (包村) and leader pairings (包联). Each is a `SheetImport` kind (the runner,
the template and the preview are poverty.common.sheetimport's).

People are matched, not duplicated: a cadre by ID number, else by name + phone, else by a name
unique in the user's area; an area by 区划代码 or by name (with the township where two villages
share one); a unit by name (with its area where two units share one).
"""

from __future__ import annotations

from collections import defaultdict

from poverty.common.areacodes import padded_code, short_name
from poverty.common.sheetimport import (
    Change,
    Column,
    Row,
    RowError,
    SheetImport,
    SheetResult,
    changed_fields,
    choice_value,
    parse_date,
    parse_yes_no,
)
from poverty.personal import crypto, idnumber

from .choices import AreaLevel, PostingRole, UnitKind
from .imports import HEADERS as AREA_HEADERS
from .imports import import_areas
from .models import Area, Cadre, LeaderPairing, Unit, UnitPairing, VillagePosting

VILLAGE = Column("village", "村", ("行政村", "所在村", "驻村村", "派驻村", "帮扶村", "村名"), True)
TOWNSHIP = Column(
    "township", "乡镇", ("乡(镇)", "乡（镇）", "所属乡镇", "乡镇(街道)"), note="村有重名时填写"
)
START = Column(
    "start_date",
    "开始日期",
    ("开始时间", "任职时间", "派驻时间", "结对时间", "起始日期"),
    True,
    note="如2018-03-01或2018年3月1日",
)
END = Column("end_date", "结束日期", ("结束时间", "离任时间", "截止日期"), note="在任/有效则留空")
PHONE = Column("phone", "联系电话", ("电话", "手机", "手机号", "手机号码", "联系方式"))
ID_NUMBER = Column(
    "id_number",
    "证件号码",
    ("身份证号", "身份证号码", "公民身份号码"),
    note="可不填；填了按它识别干部",
)


class AreaFinder:
    """The user's areas by code and by (short) name, loaded once."""

    def __init__(self, user):
        self.areas = list(Area.objects.restrict(user).only("id", "code", "name", "level", "parent"))
        self.by_code = {a.code: a for a in self.areas}
        self.by_id = {a.pk: a for a in self.areas}
        self.by_name: dict[str, list[Area]] = defaultdict(list)
        for area in self.areas:
            self.by_name[short_name(area.name)].append(area)

    def find(
        self, row: Row, key: str, levels: tuple[str, ...], township_key: str = "township"
    ) -> Area:
        return self.find_text(row.required(key), key, levels, row.get(township_key))

    def find_text(self, text: str, key: str, levels: tuple[str, ...], township: str = "") -> Area:
        """One area named by `text` (a code or a name), of one of `levels`, the township
        telling apart villages of the same name."""
        code = padded_code(text) if text.isdigit() else None
        if code:
            area = self.by_code.get(code)
            if area is None:
                raise RowError(key, f"找不到区划代码{text}，或它不在您的管辖范围内。")
            candidates = [area]
        else:
            candidates = self.by_name.get(short_name(text), [])
        candidates = [a for a in candidates if a.level in levels]
        if len(candidates) > 1 and township:
            candidates = [
                a
                for a in candidates
                if (parent := self.by_id.get(a.parent_id)) is not None
                and short_name(parent.name) == short_name(township)
            ]
        wanted = "或".join(AreaLevel(level).label for level in levels)
        if not candidates:
            raise RowError(key, f"在您的管辖范围内找不到{wanted}“{text}”。")
        if len(candidates) > 1:
            raise RowError(key, f"“{text}”有{len(candidates)}个重名，请填写乡镇列或区划代码。")
        return candidates[0]


class CadreFinder:
    """The cadres the user may see, by ID number, by name + phone, and by name."""

    def __init__(self, user):
        self.by_hash: dict[str, Cadre] = {}
        self.by_name_phone: dict[tuple[str, str], Cadre] = {}
        self.by_name: dict[str, list[Cadre]] = defaultdict(list)
        for cadre in Cadre.objects.restrict(user).select_related("unit"):
            self.add(cadre)

    def add(self, cadre: Cadre) -> None:
        if cadre.id_number_hash:
            self.by_hash[cadre.id_number_hash] = cadre
        if cadre.phone:
            self.by_name_phone[(cadre.name, cadre.phone)] = cadre
        if cadre not in self.by_name[cadre.name]:
            self.by_name[cadre.name].append(cadre)

    def match(self, name: str, phone: str, number: str) -> Cadre | None:
        if number and (cadre := self.by_hash.get(crypto.keyed_hash(number))):
            return cadre
        if phone:
            return self.by_name_phone.get((name, phone))
        return None

    def find(self, row: Row, name_key: str, phone_key="phone", id_key="id_number") -> Cadre:
        name = row.required(name_key)
        number = id_number_of(row, id_key)
        cadre = self.match(name, row.get(phone_key), number)
        if cadre is not None:
            return cadre
        if number or row.get(phone_key):
            raise RowError(
                name_key, f"找不到干部{name}（按证件号码或姓名+电话）：请先导入干部名单。"
            )
        same = self.by_name.get(name, [])
        if len(same) == 1:
            return same[0]
        if not same:
            raise RowError(name_key, f"找不到干部{name}：请先导入干部名单。")
        raise RowError(name_key, f"有{len(same)}名干部叫{name}，请填写联系电话或证件号码区分。")


def id_number_of(row: Row, key: str = "id_number") -> str:
    text = row.get(key)
    if not text:
        return ""
    if not idnumber.is_valid(text):
        raise RowError(key, f"“{text}”不是有效的身份证号码（18位，末位校验码）。")
    return idnumber.normalize(text)


class UnitFinder:
    def __init__(self, user, areas: AreaFinder):
        self.areas = areas
        self.by_name: dict[str, list[Unit]] = defaultdict(list)
        for unit in Unit.objects.restrict(user).select_related("area"):
            self.by_name[unit.name].append(unit)

    def find(self, row: Row, key: str, area_key: str = "unit_area") -> Unit:
        name = row.required(key)
        units = self.by_name.get(name, [])
        if len(units) > 1 and row.get(area_key):
            area = self.areas.find(row, area_key, UNIT_LEVELS)
            units = [u for u in units if u.area_id == area.pk]
        if not units:
            raise RowError(key, f"找不到帮扶单位“{name}”：请先导入单位名单。")
        if len(units) > 1:
            raise RowError(key, f"有{len(units)}个单位叫“{name}”，请填写单位所属区域。")
        return units[0]


UNIT_LEVELS = (AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP)
UNIT_AREA = Column("unit_area", "单位所属区域", ("单位所在区域",), note="单位有重名时填写")


class AreaImport(SheetImport):
    """The statistics bureau's 统计用区划代码 list, as a sheet kind so its page, job and template
    are every sheet's; the checks and the write are villages.imports' (also `import_areas`),
    which reads the whole list before judging a row (a village's parent may come below it)."""

    kind = "areas"
    title = "行政区划"
    permissions = ("villages.add_area", "villages.change_area")
    columns = tuple(
        Column(key, aliases[0], tuple(aliases[1:]), key != "urban_rural")
        for key, aliases in (
            ("code", AREA_HEADERS["code"]),
            ("urban_rural", AREA_HEADERS["urban_rural"]),
            ("name", AREA_HEADERS["name"]),
        )
    )
    example = ("330722100201", "220", "东关村村民委员会")

    def run(self, path, *, dry_run: bool = False, progress=None) -> SheetResult:
        done = import_areas(path, user=self.user, dry_run=dry_run)
        result = self.result = SheetResult(self.title, dry_run=dry_run)
        result.errors = list(done.errors)
        result.skipped = done.skipped
        for r in done.created:
            long = f"（{r.long_name}）" if r.long_name != r.name else ""
            result.changes.append(Change(r.row, "created", f"{r.code} {r.name}{long}"))
        for r, old in done.renamed:
            result.changes.append(Change(r.row, "updated", r.code, f"名称：{old} → {r.name}"))
        result.unchanged = done.unchanged
        if done.kept:
            listed = "、".join(f"{code} {name}" for code, name in done.kept[:20])
            more = f"等{len(done.kept)}个" if len(done.kept) > 20 else ""
            result.notes.append(f"系统中有、文件中没有的区划保留不删：{listed}{more}。")
        return result


class UnitImport(SheetImport):
    kind = "units"
    title = "帮扶单位"
    permissions = ("villages.add_unit", "villages.change_unit")
    columns = (
        Column("name", "单位名称", ("帮扶单位", "单位", "帮扶单位名称"), True),
        Column(
            "area",
            "所属区域",
            ("所属县乡", "所在区域", "所属乡镇", "区域"),
            True,
            note="县或乡镇的名称或区划代码",
        ),
        Column("kind", "单位性质", ("单位类别", "单位类型"), choices=tuple(UnitKind.labels)),
        Column("contact_person", "联系人"),
        Column("contact_phone", "联系电话", ("电话", "联系方式")),
    )
    field_columns = {
        "name": "name",
        "area": "area",
        "kind": "kind",
        "contact_person": "contact_person",
        "contact_phone": "contact_phone",
    }
    example = ("县农业农村局", "测试县", "党政机关", "张三", "0351-1234567")

    def prepare(self):
        self.areas = AreaFinder(self.user)
        self.seen: dict[tuple[int, str], int] = {}

    def apply(self, row: Row) -> Change:
        name = row.required("name")
        area = self.areas.find(row, "area", UNIT_LEVELS)
        if (first := self.seen.setdefault((area.pk, name), row.number)) != row.number:
            raise RowError("name", f"与第{first}行是同一单位。")
        values = {
            "contact_person": row.get("contact_person"),
            "contact_phone": row.get("contact_phone"),
        }
        if row.get("kind"):
            values["kind"] = choice_value(row.get("kind"), UnitKind.choices, "kind")
        unit = Unit.objects.filter(area=area, name=name).first()
        if unit is None:
            unit = Unit(area=area, name=name, **values)
            self.check_scope(unit, "add", "area")
            self.save(unit)
            return Change(row.number, "created", f"{area.name} {name}")
        details = changed_fields(unit, values)
        if not details:
            return Change(row.number, "unchanged", name)
        self.check_scope(unit, "change", "area")
        self.save(unit)
        return Change(row.number, "updated", name, "；".join(details))


class CadreImport(SheetImport):
    kind = "cadres"
    title = "干部"
    permissions = ("villages.add_cadre", "villages.change_cadre")
    columns = (
        Column("name", "姓名", ("干部姓名",), True),
        Column("unit", "所在单位", ("单位", "工作单位", "单位名称", "帮扶单位"), True),
        UNIT_AREA,
        Column("position", "职务", ("职务职级", "职位")),
        PHONE,
        ID_NUMBER,
        Column("is_leader", "领导干部", ("是否领导干部", "县级领导"), choices=("是", "否")),
    )
    field_columns = {
        "name": "name",
        "unit": "unit",
        "position": "position",
        "phone": "phone",
        "is_leader": "is_leader",
    }
    example = ("李四", "县农业农村局", "", "副局长", "13800000000", "", "否")

    def prepare(self):
        self.cadres = CadreFinder(self.user)
        self.units = UnitFinder(self.user, AreaFinder(self.user))
        self.seen: dict[int, int] = {}

    def apply(self, row: Row) -> Change:
        name = row.required("name")
        unit = self.units.find(row, "unit")
        number = id_number_of(row)
        values = {
            "unit": unit,
            "position": row.get("position"),
            "phone": row.get("phone"),
        }
        if row.get("is_leader"):
            values["is_leader"] = parse_yes_no(row.get("is_leader"), "is_leader")
        cadre = self.cadres.match(name, row.get("phone"), number)
        if cadre is None and not number and not row.get("phone"):
            # Neither ID nor phone: the one cadre of that name in the same unit, if any.
            same = [c for c in self.cadres.by_name.get(name, []) if c.unit_id == unit.pk]
            cadre = same[0] if len(same) == 1 else None
        if cadre is None:
            cadre = Cadre(name=name, **values)
            if number:
                cadre.id_number = number
            self.check_scope(cadre, "add", "unit")
            self.save(cadre)
            self.cadres.add(cadre)
            self.seen[cadre.pk] = row.number
            return Change(row.number, "created", f"{unit.name} {name}")
        if (first := self.seen.setdefault(cadre.pk, row.number)) != row.number:
            raise RowError("name", f"与第{first}行是同一人。")
        details = changed_fields(cadre, values)
        if number and not cadre.id_number_hash:
            cadre.id_number = number
            details.append("补录证件号码")
        if not details:
            return Change(row.number, "unchanged", name)
        self.check_scope(cadre, "change", "unit")
        self.save(cadre)
        self.cadres.add(cadre)
        return Change(row.number, "updated", name, "；".join(details))


class DatedImport(SheetImport):
    """Postings and pairings: one row is one relation over a period; the same relation from the
    same start date is matched (its end date updated), anything else is a new period."""

    model: type
    match_fields: tuple[str, ...]

    def prepare(self):
        self.areas = AreaFinder(self.user)
        self.cadres = CadreFinder(self.user)

    def relation(self, row: Row) -> dict:
        raise NotImplementedError

    def label(self, instance) -> str:
        return str(instance)

    def apply(self, row: Row) -> Change:
        values = self.relation(row)
        start = parse_date(row.required("start_date"), "start_date")
        end = parse_date(row.get("end_date"), "end_date")
        same = {name: values[name] for name in self.match_fields}
        existing = self.model.objects.filter(**same, start_date=start).first()
        if existing is None:
            instance = self.model(**values, start_date=start, end_date=end)
            self.check_scope(instance, "add", self.scope_key)
            self.save(instance)
            return Change(row.number, "created", self.label(instance))
        details = changed_fields(existing, {"end_date": end, **values})
        if not details:
            return Change(row.number, "unchanged", self.label(existing))
        self.check_scope(existing, "change", self.scope_key)
        self.save(existing)
        return Change(row.number, "updated", self.label(existing), "；".join(details))


class VillagePostingImport(DatedImport):
    kind = "postings"
    title = "驻村任职"
    model = VillagePosting
    match_fields = ("cadre", "village", "role")
    scope_key = "village"
    permissions = ("villages.add_villageposting", "villages.change_villageposting")
    columns = (
        VILLAGE,
        TOWNSHIP,
        Column("name", "姓名", ("干部姓名", "驻村干部"), True),
        PHONE,
        ID_NUMBER,
        Column(
            "role",
            "驻村身份",
            ("身份", "任职类型", "驻村职务", "类别"),
            True,
            choices=tuple(PostingRole.labels),
        ),
        START,
        END,
    )
    field_columns = {
        "village": "village",
        "cadre": "name",
        "role": "role",
        "start_date": "start_date",
        "end_date": "end_date",
    }
    example = ("一乡甲村", "一乡", "李四", "13800000000", "", "第一书记", "2018-03-01", "")
    ROLE_ALIASES = {
        "驻村第一书记": PostingRole.FIRST_SECRETARY,
        "工作队长": PostingRole.TEAM_LEADER,
        "队长": PostingRole.TEAM_LEADER,
        "驻村工作队": PostingRole.TEAM_MEMBER,
        "工作队员": PostingRole.TEAM_MEMBER,
        "队员": PostingRole.TEAM_MEMBER,
        "包村": PostingRole.VILLAGE_CONTACT,
    }

    def relation(self, row: Row) -> dict:
        return {
            "village": self.areas.find(row, "village", (AreaLevel.VILLAGE,)),
            "cadre": self.cadres.find(row, "name"),
            "role": choice_value(
                row.required("role"), PostingRole.choices, "role", self.ROLE_ALIASES
            ),
        }


class UnitPairingImport(DatedImport):
    kind = "unit-pairings"
    title = "单位包村"
    model = UnitPairing
    match_fields = ("unit", "village")
    scope_key = "village"
    permissions = ("villages.add_unitpairing", "villages.change_unitpairing")
    columns = (
        VILLAGE,
        TOWNSHIP,
        Column("unit", "帮扶单位", ("包村单位", "单位名称", "单位"), True),
        UNIT_AREA,
        START,
        END,
    )
    field_columns = {"village": "village", "unit": "unit", "start_date": "start_date"}
    example = ("一乡甲村", "一乡", "县农业农村局", "", "2016-01-01", "")

    def prepare(self):
        super().prepare()
        self.units = UnitFinder(self.user, self.areas)

    def relation(self, row: Row) -> dict:
        return {
            "village": self.areas.find(row, "village", (AreaLevel.VILLAGE,)),
            "unit": self.units.find(row, "unit"),
        }


class LeaderPairingImport(DatedImport):
    kind = "leader-pairings"
    title = "领导包联"
    model = LeaderPairing
    match_fields = ("leader", "area")
    scope_key = "area"
    permissions = ("villages.add_leaderpairing", "villages.change_leaderpairing")
    columns = (
        Column("area", "包联乡镇/村", ("包联对象", "包联乡镇", "包联村", "乡镇或村"), True),
        TOWNSHIP,
        Column("name", "包联领导", ("领导姓名", "县级领导", "姓名"), True),
        PHONE,
        ID_NUMBER,
        START,
        END,
    )
    field_columns = {"area": "area", "leader": "name", "start_date": "start_date"}
    example = ("一乡", "", "王五", "13900000000", "", "2016-01-01", "")

    def relation(self, row: Row) -> dict:
        return {
            "area": self.areas.find(row, "area", (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)),
            "leader": self.cadres.find(row, "name"),
        }
