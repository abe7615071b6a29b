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
