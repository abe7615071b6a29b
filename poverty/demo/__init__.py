"""Demo logins, one per role, for the fictional county (printed by seed_demo and rundemo)."""

from __future__ import annotations

from django.db import transaction

from accounts.choices import Role
from accounts.models import User
from poverty.demo.villages import COUNTY
from villages.choices import AreaLevel, PostingRole
from villages.models import Area, VillagePosting

DEMO_PASSWORD = "demo2026"  # noqa: S105 -- fictional demo data only, printed on purpose


@transaction.atomic
def seed_demo_users() -> list[tuple[str, str, str]]:
    """Create or reset the demo logins; returns (username, role label, area) rows."""
    county = Area.objects.get(code=COUNTY[0])
    township = Area.objects.filter(parent=county, level=AreaLevel.TOWNSHIP).order_by("code").first()
    posting = (
        VillagePosting.objects.filter(village__parent=township, role=PostingRole.FIRST_SECRETARY)
        .select_related("cadre", "village")
        .order_by("village__code")
        .first()
    )
    specs = [
        ("admin", "系统管理员", None, [county], None),
        ("county", "县扶贫办 张主任", Role.COUNTY_STAFF, [county], None),
        ("township", f"{township.name} 乡镇干部", Role.TOWNSHIP_STAFF, [township], None),
        (
            "cadre",
            f"{posting.cadre.name}（第一书记）",
            Role.VILLAGE_CADRE,
            [posting.village],
            posting.cadre,
        ),
        ("leader", "县领导", Role.LEADER, [county], None),
        ("inspector", "县督查室", Role.INSPECTOR, [county], None),
        ("api", "市扶贫办接口", Role.API_CLIENT, [county], None),
    ]
    rows = []
    for username, display, role, areas, cadre in specs:
        user, _ = User.objects.get_or_create(username=username)
        user.last_name = display
        user.role = role or Role.COUNTY_STAFF
        user.is_superuser = user.is_staff = role is None
        user.cadre = cadre
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.areas.set(areas)
        label = "系统管理员（全部权限）" if role is None else Role(role).label
        rows.append((username, label, "、".join(a.name for a in areas)))
    return rows
