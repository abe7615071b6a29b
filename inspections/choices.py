"""Code lists of the inspections app."""

from django.db import models


class PledgeKind(models.TextChoices):
    """Who pledges to whom (责任书/军令状), level by level."""

    COUNTY_TOWNSHIP = "county_township", "县对乡镇（乡镇党政主要负责人）"
    TOWNSHIP_VILLAGE = "township_village", "乡镇对村（村两委、驻村工作队）"
    UNIT_VILLAGE = "unit_village", "帮扶单位对包扶村"
    UNIT_HOUSEHOLD = "unit_household", "帮扶责任人对贫困户"
    OTHER = "other", "其他"


class Metric(models.TextChoices):
    """What a pledge target measures; every one is computed from live data."""

    PERSONS_EXITED = "persons_exited", "年度脱贫人数(人)"
    HOUSEHOLDS_EXITED = "households_exited", "年度脱贫户数(户)"
    VILLAGES_EXITED = "villages_exited", "年度贫困村退出(个)"
    INCIDENCE_AT_MOST = "incidence_at_most", "年末贫困发生率不高于(%)"
    PROJECTS_REACHED = "projects_reached", "年度项目达到指定阶段(个)"
    FINDINGS_CLOSED = "findings_closed", "年度督查问题整改销号(个)"


# Targets met by staying at or below the figure; the others by reaching it.
AT_MOST = frozenset({Metric.INCIDENCE_AT_MOST})


class InspectionKind(models.TextChoices):
    UNANNOUNCED = "unannounced", "暗访"
    HOME_CHECK = "home_check", "入户核查"
    SPECIAL = "special", "专项督查"
    THIRD_PARTY = "third_party", "第三方评估"
    ASSESSMENT = "assessment", "考核"


class Category(models.TextChoices):
    """The fields the 三督三查 cover."""

    IDENTIFICATION = "identification", "精准识别"
    RESIDENT_TEAM = "resident_team", "驻村帮扶"
    FUNDS = "funds", "资金使用"
    PROJECTS = "projects", "项目推进"
    MOTIVATION = "motivation", "扶志扶智"
    EXIT = "exit", "贫困退出"
    RESULTS = "results", "减贫成效"
    CONDUCT = "conduct", "干部作风"
    OTHER = "other", "其他"


class Severity(models.TextChoices):
    MINOR = "minor", "一般"
    SERIOUS = "serious", "较重"
    GRAVE = "grave", "严重"


class Subject(models.TextChoices):
    """What a finding is about."""

    HOUSEHOLD = "household", "贫困户"
    VILLAGE = "village", "行政村"
    PROJECT = "project", "扶贫项目"
    UNIT = "unit", "帮扶单位"


class Status(models.TextChoices):
    """Rectification (DESIGN §4): 待整改 → 整改中 → 待验收 → 已销号; verification may reject."""

    OPEN = "open", "待整改"
    IN_PROGRESS = "in_progress", "整改中"
    SUBMITTED = "submitted", "待验收"
    CLOSED = "closed", "已销号"


class StepKind(models.TextChoices):
    PLAN = "plan", "制定整改方案"
    PROGRESS = "progress", "整改进展"
    SUBMIT = "submit", "提交验收"
    REJECT = "reject", "验收退回"
    CLOSE = "close", "验收销号"
    EXTEND = "extend", "延期申请"
    EXTEND_APPROVE = "extend_approve", "批准延期"
    EXTEND_REJECT = "extend_reject", "不予延期"


# The steps of an extension request: the request, and its decision.
EXTENSION_STEPS = (StepKind.EXTEND, StepKind.EXTEND_APPROVE, StepKind.EXTEND_REJECT)


class AccountabilityKind(models.TextChoices):
    """问责方式."""

    TALK = "talk", "约谈"
    ADMONISH = "admonish", "诫勉谈话"
    CRITICISE = "criticise", "通报批评"
    ORGANISATIONAL = "organisational", "组织处理"
    PARTY = "party", "党纪处分"
    ADMINISTRATIVE = "administrative", "政务处分"


class NoticeKind(models.TextChoices):
    UNIT = "unit", "整改通知书"
    BULLETIN = "bulletin", "督导通报"
