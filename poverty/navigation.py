"""Navigation entries shown to a user, by the permissions they hold."""

from functools import cache

from django.urls import get_script_prefix, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from accounts.roles import role_allows

NAV = [
    (
        "建档立卡",
        [
            ("贫困户", "households:household_list", "households.view_household"),
            ("退出条件排查", "households:readiness", "households.view_household"),
            ("入户走访", "households:visit_list", "households.view_visit"),
            ("离线走访（手机）", "field", "households.add_visit"),
            ("帮扶措施", "households:assistancemeasure_list", "households.view_assistancemeasure"),
            ("结对帮扶", "households:householdpairing_list", "households.view_householdpairing"),
            ("年度收入", "households:incomerecord_list", "households.view_incomerecord"),
            ("两不愁三保障评估", "households:assessment_list", "households.view_assessment"),
            ("疑点数据", "households:qualityissue_list", "households.view_qualityissue"),
            ("花名册导入", "households:rosterimport_list", "households.view_rosterimport"),
            ("列名对应模板", "households:rostermapping_list", "households.view_rostermapping"),
            ("花名册导出", "households:rosterexport_list", "households.view_rosterexport"),
            ("脱贫标准", "households:povertyline_list", "households.view_povertyline"),
        ],
    ),
    (
        "扶贫项目",
        [
            ("项目库", "projects:project_list", "projects.view_project"),
            ("项目资金", "projects:fundentry_list", "projects.view_fundentry"),
            ("受益户", "projects:beneficiary_list", "projects.view_beneficiary"),
            ("联审联批", "projects:projectapproval_list", "projects.view_projectapproval"),
            ("公告公示", "projects:disclosure_list", "projects.view_disclosure"),
            ("对口帮扶", "projects:helppairing_list", "projects.view_helppairing"),
            ("帮扶工作队", "projects:helpteammember_list", "projects.view_helpteammember"),
        ],
    ),
    (
        "督查整改",
        [
            ("责任书", "inspections:pledge_list", "inspections.view_pledge"),
            ("督查", "inspections:inspection_list", "inspections.view_inspection"),
            ("督查问题", "inspections:finding_list", "inspections.view_finding"),
            ("问责记录", "inspections:accountability_list", "inspections.view_accountability"),
            ("通知通报", "inspections:notice_list", "inspections.view_notice"),
        ],
    ),
    (
        "统一指挥",
        [
            ("指挥体系", "command:body_tree", "command.view_body"),
            ("机构成员", "command:bodymember_list", "command.view_bodymember"),
            ("重点工作", "command:keytask_list", "command.view_keytask"),
            ("工作进展", "command:progressreport_list", "command.view_progressreport"),
            ("调度会", "command:dispatchmeeting_list", "command.view_dispatchmeeting"),
            ("交办事项", "command:decision_list", "command.view_decision"),
        ],
    ),
    (
        "考核验收",
        [
            ("考核方案", "assessments:scheme_list", "assessments.view_scheme"),
            ("考评小组", "assessments:group_list", "assessments.view_group"),
            ("指标得分", "assessments:score_list", "assessments.view_score"),
            ("加减分", "assessments:adjustment_list", "assessments.view_adjustment"),
            # 出列 and 摘帽 are the examination's other half: one menu keeps the bar on a line.
            ("本地出列摘帽", "exits:home", "exits.view_exitstep"),
            ("退出标准", "exits:standard_list", "exits.view_standard"),
            ("指标记录", "exits:reading_list", "exits.view_reading"),
            ("出列摘帽程序", "exits:exitstep_list", "exits.view_exitstep"),
            ("第三方评估预评估", "exits:rehearsal_list", "exits.view_rehearsal"),
        ],
    ),
    (
        "地区与帮扶力量",
        [
            ("首次使用", "setup_guide", "villages.view_area"),
            ("行政区划", "villages:area_list", "villages.view_area"),
            ("帮扶单位", "villages:unit_list", "villages.view_unit"),
            ("干部", "villages:cadre_list", "villages.view_cadre"),
            ("驻村任职", "villages:villageposting_list", "villages.view_villageposting"),
            ("单位包村", "villages:unitpairing_list", "villages.view_unitpairing"),
            ("领导包联", "villages:leaderpairing_list", "villages.view_leaderpairing"),
        ],
    ),
]


# The menu bar's own links (base.html): key → URL name.
BAR = {
    "home": "home",
    "dashboard": "dashboard",
    "api_docs": "api:docs",
    "notifications": "work:notifications",
    "tokens": "tokens",
    "password": "password_change",
    "status": "system_status",
    "admin": "admin:index",
    "logout": "logout",
}


@cache
def _url(name: str, prefix: str) -> str:
    """A menu entry's address, reversed once per process (and script prefix): some thirty
    reverse() calls on every page otherwise."""
    return reverse(name)


@cache
def _bar(prefix: str) -> dict[str, str]:
    return {key: _url(name, prefix) for key, name in BAR.items()}


MENU = (
    '<li class="nav-item dropdown">\n'
    '          <a class="nav-link dropdown-toggle" href="#" role="button" '
    'data-bs-toggle="dropdown" aria-expanded="false">{}</a>\n'
    '          <ul class="dropdown-menu">\n            {}\n          </ul>\n'
    "        </li>"
)
ITEM = '<li><a class="dropdown-item" href="{}">{}</a></li>'


@cache
def _menus(role: str, superuser: bool, prefix: str) -> tuple[SafeString, bool]:
    """The menus a role sees, written as the menu bar's HTML, and whether it manages API
    tokens: the same for every user of the role, so built once per process rather than by a
    template loop on every page. From the role table alone: a has_perm() that falls through
    to the database would add queries to every page of the roles without it."""

    def allowed(perm: str) -> bool:
        return superuser or role_allows(role, perm)

    nav = []
    for title, items in NAV:
        shown = [(label, _url(url, prefix)) for label, url, perm in items if allowed(perm)]
        if shown:
            nav.append((title, shown))
    menus = "\n        ".join(
        format_html(MENU, title, format_html_join("", ITEM, ((u, label) for label, u in items)))
        for title, items in nav
    )
    return mark_safe(menus), allowed("accounts.manage_tokens")  # noqa: S308 -- format_html's


def navigation(request) -> dict:
    prefix = get_script_prefix()
    bar = _bar(prefix)  # a {% url %} tag costs some 45 µs; nine of them on every page
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"bar": bar}
    menus, can_manage_tokens = _menus(user.role, user.is_superuser, prefix)
    return {"menus": menus, "bar": bar, "can_manage_tokens": can_manage_tokens}
