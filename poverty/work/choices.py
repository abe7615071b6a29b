"""Code lists of the work app."""

from django.db import models


class ReminderKind(models.TextChoices):
    """The dated obligations a reminder (提醒催办) is sent for (poverty.work.obligations)."""

    FINDING_DUE = "due_soon", "整改即将到期"
    EXIT_DEADLINE = "exit_deadline", "脱贫时限将到"
    FOLLOW_UP = "follow_up", "走访跟进到期"
    MEASURE_END = "measure_end", "帮扶措施将到期"
    PUBLICITY_END = "publicity_end", "公示期满"
    PROJECT_STAGE = "project_stage", "项目节点将到期"
    MILESTONE_DUE = "milestone_due", "重点工作节点将到期"
    DECISION_DUE = "decision_due", "交办事项将到期"
