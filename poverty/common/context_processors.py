"""Navigation entries shown to a user, by the permissions they hold."""

NAV = [
    (
        "地区与帮扶力量",
        [
            ("行政区划", "villages:area_list", "villages.view_area"),
            ("帮扶单位", "villages:unit_list", "villages.view_unit"),
            ("干部", "villages:cadre_list", "villages.view_cadre"),
            ("驻村任职", "villages:villageposting_list", "villages.view_villageposting"),
            ("单位包村", "villages:unitpairing_list", "villages.view_unitpairing"),
            ("领导包联", "villages:leaderpairing_list", "villages.view_leaderpairing"),
        ],
    ),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"nav": []}
    nav = []
    for title, items in NAV:
        allowed = [(label, url) for label, url, perm in items if user.has_perm(perm)]
        if allowed:
            nav.append((title, allowed))
    return {"nav": nav}
