"""The fictional demo county: areas, units, cadres, postings and pairings, generated from a seed.

Every name is made up from syllable lists; codes sit under the fictional province 99. Rows are
keyed by natural keys (area code, unit name in its area, cadre name in its unit, the dated
relation's fields), so running it again with the same seed adds nothing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import transaction

from poverty.demo.names import person_name
from villages.choices import AreaLevel, PostingRole, UnitKind
from villages.models import Area, Cadre, LeaderPairing, Unit, UnitPairing, VillagePosting

PROVINCE = ("990000000000", "示范省")
CITY = ("990100000000", "云岭市")
COUNTY = ("990123000000", "青山县")

PLACE_A = "石柳清青松白云桃李梅竹杏枫槐杨凤龙泉溪峰山川岩红金银"
PLACE_B = "桥河坪沟湾岭坡塘源口庄寨营堡田坝垭林湖"
COUNTY_UNITS = [
    ("县委办公室", UnitKind.PARTY_GOVERNMENT),
    ("县政府办公室", UnitKind.PARTY_GOVERNMENT),
    ("县扶贫开发办公室", UnitKind.PARTY_GOVERNMENT),
    ("县农业农村局", UnitKind.PARTY_GOVERNMENT),
    ("县教育局", UnitKind.PARTY_GOVERNMENT),
    ("县卫生健康局", UnitKind.PARTY_GOVERNMENT),
    ("县人力资源和社会保障局", UnitKind.PARTY_GOVERNMENT),
    ("县住房和城乡建设局", UnitKind.PARTY_GOVERNMENT),
    ("县水利局", UnitKind.PARTY_GOVERNMENT),
    ("县交通运输局", UnitKind.PARTY_GOVERNMENT),
    ("县民政局", UnitKind.PARTY_GOVERNMENT),
    ("县财政局", UnitKind.PARTY_GOVERNMENT),
    ("县林业局", UnitKind.PARTY_GOVERNMENT),
    ("县医疗保障局", UnitKind.PARTY_GOVERNMENT),
    ("县发展和改革局", UnitKind.PARTY_GOVERNMENT),
    ("县自然资源局", UnitKind.PARTY_GOVERNMENT),
    ("县审计局", UnitKind.PARTY_GOVERNMENT),
    ("县统计局", UnitKind.PARTY_GOVERNMENT),
    ("县残疾人联合会", UnitKind.INSTITUTION),
    ("县人民医院", UnitKind.INSTITUTION),
    ("县第一中学", UnitKind.INSTITUTION),
    ("县农业技术推广中心", UnitKind.INSTITUTION),
    ("县供电公司", UnitKind.STATE_ENTERPRISE),
    ("县农村商业银行", UnitKind.STATE_ENTERPRISE),
    ("县自来水公司", UnitKind.STATE_ENTERPRISE),
]
COUNTY_LEADERS = [
    "县委书记",
    "县长",
    "县委副书记",
    "常务副县长",
    "副县长",
    "副县长",
    "副县长",
    "县委常委",
]
POSITIONS = ["科员", "副主任科员", "主任科员", "副科长", "科长", "副局长", "办事员", "专技人员"]
DEMO_TODAY_START = datetime.date(2018, 3, 1)


@dataclass
class DemoCounts:
    areas: int = 0
    units: int = 0
    cadres: int = 0
    postings: int = 0
    unit_pairings: int = 0
    leader_pairings: int = 0


class NameBook:
    """Unique made-up names from a seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def person(self) -> str:
        while True:
            name = person_name(self.rng, double=0.7)
            if name not in self.used:
                self.used.add(name)
                return name

    def place(self, suffix: str) -> str:
        while True:
            name = self.rng.choice(PLACE_A) + self.rng.choice(PLACE_B) + suffix
            if name not in self.used:
                self.used.add(name)
                return name

    def phone(self) -> str:
        return (
            "1" + self.rng.choice("3589") + "".join(self.rng.choice("0123456789") for _ in range(9))
        )


def _upsert_areas(rows: list[Area]) -> dict[str, Area]:
    existing = {a.code: a for a in Area.objects.filter(code__in=[r.code for r in rows])}
    new = [r for r in rows if r.code not in existing]
    Area.objects.bulk_create(new)
    return {a.code: a for a in Area.objects.filter(code__in=[r.code for r in rows])}


@transaction.atomic
def seed_areas_and_people(
    *, seed: int = 2017, townships: int = 8, villages_per_township: int = 10
) -> DemoCounts:
    rng = random.Random(seed)
    names = NameBook(rng)
    counts = DemoCounts()

    top = _upsert_areas(
        [
            Area(code=PROVINCE[0], name=PROVINCE[1], level=AreaLevel.PROVINCE),
            Area(code=CITY[0], name=CITY[1], level=AreaLevel.CITY),
        ]
    )
    Area.objects.filter(code=CITY[0]).update(parent=top[PROVINCE[0]])
    county = _upsert_areas(
        [Area(code=COUNTY[0], name=COUNTY[1], level=AreaLevel.COUNTY, parent=top[CITY[0]])]
    )[COUNTY[0]]

    township_rows = []
    for t in range(townships):
        kind = "镇" if t % 3 else "乡"
        township_rows.append(
            Area(
                code=f"{COUNTY[0][:6]}{100 + t:03d}000",
                name=names.place(kind),
                level=AreaLevel.TOWNSHIP,
                parent=county,
            )
        )
    township_map = _upsert_areas(township_rows)
    townships_sorted = [township_map[r.code] for r in township_rows]

    village_rows = []
    for township in townships_sorted:
        for v in range(villages_per_township):
            poor = rng.random() < 0.4
            planned = rng.choice([2016, 2017, 2017, 2018, 2018, 2019]) if poor else None
            exited = planned if poor and planned <= 2018 and rng.random() < 0.85 else None
            village_rows.append(
                Area(
                    code=f"{township.code[:9]}{201 + v:03d}",
                    name=names.place("村"),
                    level=AreaLevel.VILLAGE,
                    parent=township,
                    is_poor=poor,
                    planned_exit_year=planned,
                    actual_exit_year=exited,
                    rural_population=rng.randint(600, 3200),
                )
            )
    village_map = _upsert_areas(village_rows)
    villages = [village_map[r.code] for r in village_rows]
    counts.areas = 3 + len(townships_sorted) + len(villages)

    # Units: county departments and one government per township.
    unit_rows = [
        Unit(
            name=n, kind=k, area=county, contact_person=names.person(), contact_phone=names.phone()
        )
        for n, k in COUNTY_UNITS
    ]
    unit_rows += [
        Unit(
            name=f"{t.name}党委政府",
            kind=UnitKind.TOWNSHIP_GOVERNMENT,
            area=t,
            contact_person=names.person(),
            contact_phone=names.phone(),
        )
        for t in townships_sorted
    ]
    existing_units = set(
        Unit.objects.filter(area__code__startswith=COUNTY[0][:6]).values_list("area_id", "name")
    )
    Unit.objects.bulk_create([u for u in unit_rows if (u.area_id, u.name) not in existing_units])
    units = {
        (u.area_id, u.name): u for u in Unit.objects.filter(area__code__startswith=COUNTY[0][:6])
    }
    county_units = [units[(county.pk, n)] for n, _ in COUNTY_UNITS]
    township_units = {t.pk: units[(t.pk, f"{t.name}党委政府")] for t in townships_sorted}
    counts.units = len(units)

    # Cadres: county leaders, staff of every unit, township leaders.
    def cadre(unit: Unit, title: str | None = None) -> Cadre:
        """A leader with `title`, else staff with a drawn position (name, position, phone
        drawn in that order, so a seed gives the same county)."""
        name = names.person()
        position = title or rng.choice(POSITIONS)
        return Cadre(
            name=name,
            unit=unit,
            position=position,
            is_leader=title is not None,
            phone=names.phone(),
        )

    leader_unit = county_units[0]
    cadre_rows = [cadre(leader_unit, title) for title in COUNTY_LEADERS]
    for unit in county_units:
        cadre_rows += [cadre(unit) for _ in range(rng.randint(6, 14))]
    for township in townships_sorted:
        unit = township_units[township.pk]
        cadre_rows += [cadre(unit, title) for title in ("党委书记", "乡镇长", "党委副书记")]
        cadre_rows += [cadre(unit) for _ in range(rng.randint(10, 16))]
    existing_cadres = set(
        Cadre.objects.filter(unit__in=units.values()).values_list("unit_id", "name")
    )
    Cadre.objects.bulk_create([c for c in cadre_rows if (c.unit_id, c.name) not in existing_cadres])
    cadres = {(c.unit_id, c.name): c for c in Cadre.objects.filter(unit__in=units.values())}
    counts.cadres = len(cadres)
    by_unit: dict[int, list[Cadre]] = {}
    for c in cadre_rows:
        by_unit.setdefault(c.unit_id, []).append(cadres[(c.unit_id, c.name)])

    # Postings and pairings (dated relations), keyed by their natural fields.
    postings, unit_pairings, leader_pairings = [], [], []
    staff_pool = {u.pk: [c for c in by_unit[u.pk] if not c.is_leader] for u in county_units}
    for village in villages:
        township_staff = [
            c for c in by_unit[township_units[village.parent_id].pk] if not c.is_leader
        ]
        postings.append(
            VillagePosting(
                cadre=rng.choice(township_staff),
                village=village,
                role=PostingRole.VILLAGE_CONTACT,
                start_date=DEMO_TODAY_START,
            )
        )
        if village.is_poor:
            unit = rng.choice(county_units[2:])
            unit_pairings.append(
                UnitPairing(unit=unit, village=village, start_date=DEMO_TODAY_START)
            )
            team = rng.sample(staff_pool[unit.pk], k=min(3, len(staff_pool[unit.pk])))
            for i, cadre in enumerate(team):
                role = PostingRole.FIRST_SECRETARY if i == 0 else PostingRole.TEAM_MEMBER
                postings.append(
                    VillagePosting(
                        cadre=cadre, village=village, role=role, start_date=DEMO_TODAY_START
                    )
                )
    county_leaders = by_unit[leader_unit.pk][: len(COUNTY_LEADERS)]
    for i, township in enumerate(townships_sorted):
        leader_pairings.append(
            LeaderPairing(
                leader=county_leaders[i % len(county_leaders)],
                area=township,
                start_date=DEMO_TODAY_START,
            )
        )
        township_leaders = [c for c in by_unit[township_units[township.pk].pk] if c.is_leader]
        for j, village in enumerate(v for v in villages if v.parent_id == township.pk):
            leader_pairings.append(
                LeaderPairing(
                    leader=township_leaders[j % len(township_leaders)],
                    area=village,
                    start_date=DEMO_TODAY_START,
                )
            )

    counts.postings = _insert_missing(
        VillagePosting, postings, ("cadre_id", "village_id", "role", "start_date")
    )
    counts.unit_pairings = _insert_missing(
        UnitPairing, unit_pairings, ("unit_id", "village_id", "start_date")
    )
    counts.leader_pairings = _insert_missing(
        LeaderPairing, leader_pairings, ("leader_id", "area_id", "start_date")
    )
    return counts


def _insert_missing(model, rows: list, key: tuple[str, ...]) -> int:
    area_ids = {getattr(r, key[1]) for r in rows}
    existing = set(model.objects.filter(**{f"{key[1]}__in": area_ids}).values_list(*key))
    model.objects.bulk_create(
        [r for r in rows if tuple(getattr(r, k) for k in key) not in existing]
    )
    return len(rows)
