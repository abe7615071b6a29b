"""What each role may do, by app or by model. Where it may do it is the user's areas (scoping).

Keys are "app_label" or "app_label.model_name" (the more specific wins); values are the
actions allowed. `EXTRA` lists the permissions that are not model actions.
"""

from .choices import Role

VIEW = frozenset({"view"})
ALL = frozenset({"view", "add", "change", "delete"})
DOMAIN_APPS = ("villages", "households", "projects", "inspections", "command")

MODEL_ACTIONS: dict[str, dict[str, frozenset[str]]] = {
    Role.COUNTY_STAFF: {
        "villages": ALL,
        "households": ALL,
        "projects": ALL,
        # Findings are rectified through the workflow (rectify_finding), not edited.
        "inspections": VIEW,
        "inspections.pledge": ALL,
        "inspections.pledgetarget": ALL,
        # The command structure, key tasks, dispatch meetings and their decisions.
        "command": ALL,
        # The county sets up its assessments; group members score (assessments.services).
        "assessments": ALL,
        # 出列 and 摘帽: the county's own village standard, readings with evidence, the steps.
        "exits": ALL,
    },
    Role.TOWNSHIP_STAFF: {
        "villages": ALL,
        "households": ALL,
        # The yearly exit standard is set for the whole county.
        "households.povertyline": VIEW,
        "projects": ALL,
        "inspections": VIEW,
        "inspections.pledge": ALL,
        "inspections.pledgetarget": ALL,
        "command": ALL,
        # A township reads the scheme that assesses it and its own scores.
        "assessments": VIEW,
        # It records its villages' indicators and takes its steps of their 出列 (review).
        "exits": VIEW,
        "exits.reading": frozenset({"view", "add"}),
        "exits.exitstep": frozenset({"view", "add"}),
        # The rehearsal's sample is the county's and its assessors' until it is done: those it
        # judges do not see who will be visited (its findings reach them as findings).
        "exits.rehearsal": frozenset(),
        "exits.survey": frozenset(),
    },
    # Village cadres read their villages and record visits and measures (households issue).
    Role.VILLAGE_CADRE: {
        "villages": VIEW,
        "households": VIEW,
        "households.visit": frozenset({"view", "add", "change"}),
        "households.assistancemeasure": frozenset({"view", "add", "change"}),
        # They work through the 疑点 of their villages: mark fixed or explain.
        "households.qualityissue": frozenset({"view", "change"}),
        # A first secretary may answer for a village's findings (rectify_finding below).
        "inspections.pledge": VIEW,
        "inspections.pledgetarget": VIEW,
        "inspections.inspection": VIEW,
        "inspections.finding": VIEW,
        "inspections.findingstep": VIEW,
        # The bodies and meetings that direct their villages, and the decisions put to them.
        "command": VIEW,
        "exits": VIEW,
        "exits.rehearsal": frozenset(),
        "exits.survey": frozenset(),
    },
    Role.LEADER: {
        **dict.fromkeys(DOMAIN_APPS, VIEW),
        # A 包联 leader holds the weekly dispatch of the township (调度会) and assigns its
        # decisions; the rest they read.
        "command.dispatchmeeting": frozenset({"view", "add", "change"}),
        "command.meetingattendee": frozenset({"view", "add", "change", "delete"}),
        "command.decision": frozenset({"view", "add", "change"}),
        "command.followup": frozenset({"view", "add", "change"}),
        # Leaders and inspectors sit on assessment groups (考评小组): members score.
        "assessments": VIEW,
        "assessments.score": frozenset({"view", "add"}),
        "assessments.adjustment": frozenset({"view", "add"}),
        "exits": VIEW,
    },
    Role.INSPECTOR: {
        "villages": VIEW,
        "households": VIEW,
        "projects": VIEW,
        "inspections": ALL,
        # Pledges are the county's and townships' to sign; inspectors hold them to them.
        "inspections.pledge": VIEW,
        "inspections.pledgetarget": VIEW,
        "command": VIEW,
        "assessments": VIEW,
        "assessments.score": frozenset({"view", "add"}),
        "assessments.adjustment": frozenset({"view", "add"}),
        # Inspectors are the rehearsal's assessors: they fill the questionnaires.
        "exits": VIEW,
        "exits.survey": frozenset({"view", "change"}),
    },
    Role.API_CLIENT: {**dict.fromkeys(DOMAIN_APPS, VIEW), "assessments": VIEW, "exits": VIEW},
}

EXTRA: dict[str, frozenset[str]] = {
    # Full ID numbers, phone numbers and health status (PIPL sensitive data).
    Role.COUNTY_STAFF: frozenset(
        {
            # The township and village accounts of the county (the account sheet), never an
            # administrator's (the admin stays the superuser's).
            "accounts.add_user",
            "accounts.change_user",
            "accounts.view_sensitive",
            "households.override_exit_standard",
            "exits.override_standard",
            "inspections.rectify_finding",
            "accounts.manage_tokens",
        }
    ),
    Role.TOWNSHIP_STAFF: frozenset({"accounts.view_sensitive", "inspections.rectify_finding"}),
    Role.VILLAGE_CADRE: frozenset({"inspections.rectify_finding"}),
    # Verification (销号 or 退回) is the inspectors' alone, and never of their own submission.
    Role.INSPECTOR: frozenset({"inspections.verify_finding"}),
}

# The area level(s) each role's areas must have.
AREA_LEVELS: dict[str, frozenset[str]] = {
    Role.COUNTY_STAFF: frozenset({"province", "city", "county"}),
    Role.TOWNSHIP_STAFF: frozenset({"township"}),
    Role.VILLAGE_CADRE: frozenset({"village"}),
    Role.LEADER: frozenset({"province", "city", "county", "township"}),
    Role.INSPECTOR: frozenset({"province", "city", "county", "township"}),
    Role.API_CLIENT: frozenset({"province", "city", "county", "township"}),
}


def role_allows(role: str, perm: str) -> bool:
    """Whether a role grants a permission named the Django way ("app_label.action_model")."""
    if perm in EXTRA.get(role, ()):
        return True
    app_label, _, codename = perm.partition(".")
    action, _, model_name = codename.partition("_")
    table = MODEL_ACTIONS.get(role, {})
    allowed = table.get(f"{app_label}.{model_name}", table.get(app_label, frozenset()))
    return action in allowed


def area_level_error(role: str, areas) -> str:
    """Why these areas cannot be a `role`'s jurisdiction ("" when they can): the one rule for
    the admin's user form and the account sheet."""
    if not areas:
        return "请至少选择一个管辖区域。"
    wrong = [area.name for area in areas if area.level not in AREA_LEVELS[role]]
    if wrong:
        return f"该角色的管辖区域层级不符：{'、'.join(wrong)}"
    return ""
