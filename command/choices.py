"""Code lists of the command structure (指挥体系), key tasks and dispatch meetings."""

from django.db import models


class BodyKind(models.TextChoices):
    LEADING_GROUP = "leading_group", "领导小组"
    HEADQUARTERS = "headquarters", "总指挥部"
    SUB_COMMAND = "sub_command", "专项指挥部"
    WORK_GROUP = "work_group", "工作组（专班）"
    SPECIALISED_GROUP = "specialised_group", "专业组"
    OFFICE = "office", "办公室"


class MemberRole(models.TextChoices):
    CHAIR = "chair", "组长（总指挥）"
    VICE_CHAIR = "vice_chair", "副组长（副总指挥）"
    OFFICE_HEAD = "office_head", "办公室主任"
    MEMBER = "member", "成员"
    LIAISON = "liaison", "联络员"


class TaskState(models.TextChoices):
    """Where a key task stands (KeyTaskQuerySet.with_state): the dashboard's three columns."""

    DONE = "done", "已完成"
    ON_PLAN = "on_plan", "按计划推进"
    BEHIND = "behind", "滞后"


class DecisionStatus(models.TextChoices):
    OPEN = "open", "办理中"
    DONE = "done", "已办结"
