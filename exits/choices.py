"""Code lists of 贫困村出列 and 贫困县摘帽."""

from django.db import models

from villages.choices import AreaLevel


class ExitLevel(models.TextChoices):
    VILLAGE = "village", "贫困村出列"
    COUNTY = "county", "贫困县摘帽"


# The areas each kind of exit is for.
LEVEL_OF_AREA: dict[str, str] = {
    AreaLevel.VILLAGE: ExitLevel.VILLAGE,
    AreaLevel.COUNTY: ExitLevel.COUNTY,
}


class ItemKind(models.TextChoices):
    """How an indicator is judged: computed from the registry, or recorded with evidence."""

    POVERTY_RATE = "poverty_rate", "贫困发生率低于标准值（按建档立卡自动计算，%）"
    YES = "yes", "达到要求（记录是/否，附佐证）"
    AT_LEAST = "at_least", "数值不低于标准值（记录，附佐证）"
    BELOW = "below", "数值低于标准值（记录，附佐证）"
    # 三率一度 of a county, from its latest completed rehearsal of the year (exits.rehearsal).
    WRONG_EXIT_RATE = "wrong_exit_rate", "错退率低于标准值（按预评估计算，%）"
    MISSED_RATE = "missed_rate", "漏评率低于标准值（按预评估计算，%）"
    SATISFACTION = "satisfaction", "群众认可度不低于标准值（按预评估计算，%）"


RECORDED = (ItemKind.YES, ItemKind.AT_LEAST, ItemKind.BELOW)


class Step(models.TextChoices):
    """The exit procedure of a village or county, in order (2016 《关于建立贫困退出机制的意见》:
    村提出、乡镇审核、县审定并公示公告; a county: 县提出、市初审、省核查公示公告)."""

    PROPOSE = "propose", "提出申请"
    REVIEW = "review", "审核"
    APPROVE = "approve", "审定"
    PUBLICISE = "publicise", "公示"
    ANNOUNCE = "announce", "公告退出"


ORDER = list(Step.values)


class RehearsalStatus(models.TextChoices):
    DRAFT = "draft", "准备中"
    DRAWN = "drawn", "已抽样，调查中"
    CLOSED = "closed", "已完成"


class Stratum(models.TextChoices):
    """Whom the assessors visit in a sampled village."""

    EXITED = "exited", "已脱贫户"
    REMAINING = "remaining", "未脱贫户"
    OTHER = "other", "非建档立卡户"


class Verdict(models.TextChoices):
    PENDING = "", "未调查"
    CORRECT = "correct", "无误"
    WRONGLY_EXITED = "wrongly_exited", "错退"
    MISSED = "missed", "漏评"


GUARANTEES = ("food", "clothing", "education", "medical", "housing", "water")
