"""Code lists of the half-yearly and yearly assessment (考核考评)."""

from django.db import models


class AssesseeKind(models.TextChoices):
    TOWNSHIP = "township", "乡镇"
    COUNTY = "county", "县（市、区）"
    UNIT = "unit", "单位（部门）"


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", "评分中"
    PUBLISHED = "published", "已公布"


class AdjustmentKind(models.TextChoices):
    DEDUCT = "deduct", "扣分"
    BONUS = "bonus", "加分"


class Source(models.TextChoices):
    """Where an indicator's score comes from: live data (assessments.indicators) or the group."""

    EXIT_COMPLETION = "exit_completion", "脱贫任务完成率（实际脱贫人数/责任书目标）"
    FINDINGS_ON_TIME = "findings_on_time", "督查问题按期整改销号率"
    VISIT_COVERAGE = "visit_coverage", "结对户走访覆盖率"
    KEY_TASKS_ON_TIME = "key_tasks_on_time", "重点工作节点按期完成率"
    PROJECTS_ON_PLAN = "projects_on_plan", "项目节点按期完成率"
    MANUAL = "manual", "考评小组评分（附佐证）"


# The computed sources that have a meaning for each kind of assessee.
APPLICABLE = {
    AssesseeKind.TOWNSHIP: {
        Source.EXIT_COMPLETION,
        Source.FINDINGS_ON_TIME,
        Source.VISIT_COVERAGE,
        Source.KEY_TASKS_ON_TIME,
        Source.PROJECTS_ON_PLAN,
        Source.MANUAL,
    },
    AssesseeKind.COUNTY: {
        Source.EXIT_COMPLETION,
        Source.FINDINGS_ON_TIME,
        Source.VISIT_COVERAGE,
        Source.KEY_TASKS_ON_TIME,
        Source.PROJECTS_ON_PLAN,
        Source.MANUAL,
    },
    AssesseeKind.UNIT: {
        Source.FINDINGS_ON_TIME,
        Source.KEY_TASKS_ON_TIME,
        Source.PROJECTS_ON_PLAN,
        Source.MANUAL,
    },
}
