"""The registry the generic scoping test reads: how to place each scoped model in an area.

A new model is covered by adding a `ModelCase` here: where its objects live (`places`), how to
make one there, and valid form/API data that puts a new object in a given area. The test then
walks every URL that serves the model. Expectations are computed from the area tree by walking
parents, independently of the code-prefix logic under test.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from villages.choices import PostingRole, UnitKind
from villages.models import Area, Cadre, LeaderPairing, Unit, UnitPairing, VillagePosting

from .factories import (
    CadreFactory,
    LeaderPairingFactory,
    UnitFactory,
    UnitPairingFactory,
    VillagePostingFactory,
    World,
)

_serial = itertools.count(1)


@dataclass
class ModelCase:
    model: type
    places: Callable[[World], list[Area]]
    make: Callable[[World, Area], object]
    data: Callable[[World, Area], dict]
    area_of: Callable[[object], Area]
    # Objects of a higher level that users below may view (Model.scope_ancestors).
    ancestors_visible: bool = False


def _unit(world: World, area: Area) -> Unit:
    return UnitFactory(area=area)


def _cadre(world: World, area: Area, leader: bool = False) -> Cadre:
    return CadreFactory(unit=_unit(world, area), is_leader=leader)


def _area_data(world: World, area: Area) -> dict:
    township = area if area.level == "township" else area.parent
    return {
        "code": f"{township.code[:9]}{300 + next(_serial) % 600:03d}",
        "name": f"新村{next(_serial)}",
        "is_poor": "on",
        "planned_exit_year": "2019",
        "rural_population": "700",
    }


CASES: dict[type, ModelCase] = {
    Area: ModelCase(
        model=Area,
        places=lambda w: [],  # the world's own areas are the objects
        make=lambda w, a: a,
        data=_area_data,
        area_of=lambda o: o,
    ),
    Unit: ModelCase(
        model=Unit,
        places=lambda w: [w.county, *w.townships],
        make=_unit,
        data=lambda w, a: {
            "name": f"新单位{next(_serial)}",
            "kind": UnitKind.INSTITUTION,
            "area": a.pk,
            "contact_person": "联系人",
            "contact_phone": "0351-1234567",
        },
        area_of=lambda o: o.area,
        ancestors_visible=True,
    ),
    Cadre: ModelCase(
        model=Cadre,
        places=lambda w: [w.county, *w.townships],
        make=_cadre,
        data=lambda w, a: {
            "name": f"新干部{next(_serial)}",
            "phone": "13700001234",
            "unit": Unit.objects.filter(area=a).first().pk,
            "position": "科员",
        },
        area_of=lambda o: o.unit.area,
        ancestors_visible=True,
    ),
    VillagePosting: ModelCase(
        model=VillagePosting,
        places=lambda w: w.villages,
        make=lambda w, a: VillagePostingFactory(village=a, cadre=_cadre(w, a.parent)),
        data=lambda w, a: {
            "cadre": Cadre.objects.filter(unit__area=a.parent).first().pk,
            "village": a.pk,
            "role": PostingRole.VILLAGE_CONTACT,
            "start_date": f"2020-01-{next(_serial) % 28 + 1:02d}",
            "end_date": "",
        },
        area_of=lambda o: o.village,
    ),
    UnitPairing: ModelCase(
        model=UnitPairing,
        places=lambda w: w.villages,
        make=lambda w, a: UnitPairingFactory(village=a, unit=_unit(w, w.county)),
        data=lambda w, a: {
            "unit": Unit.objects.create(name=f"包村单位{next(_serial)}", area=w.county).pk,
            "village": a.pk,
            "start_date": "2020-03-01",
            "end_date": "",
        },
        area_of=lambda o: o.village,
    ),
    LeaderPairing: ModelCase(
        model=LeaderPairing,
        places=lambda w: [*w.townships, *w.villages],
        make=lambda w, a: LeaderPairingFactory(area=a, leader=_cadre(w, w.county, leader=True)),
        data=lambda w, a: {
            "leader": CadreFactory(unit=_unit(w, w.county), is_leader=True).pk,
            "area": a.pk,
            "start_date": "2020-03-01",
            "end_date": "",
        },
        area_of=lambda o: o.area,
    ),
}


def is_under(area: Area, ancestor: Area) -> bool:
    """Whether `area` is `ancestor` or lies below it, by walking parents."""
    node = area
    while node is not None:
        if node.pk == ancestor.pk:
            return True
        node = node.parent
    return False


def expected_visible(case: ModelCase, obj, user, action: str) -> bool:
    """Whether the user may act on obj by area (permission is checked separately)."""
    if user.is_superuser:
        return True
    target = case.area_of(obj)
    for mine in user.areas.all():
        if is_under(target, mine):
            return True
        if action == "view" and case.ancestors_visible and is_under(mine, target):
            return True
    return False
