"""The 建档立卡贫困人口花名册 layout (DESIGN §6): one row per person, household columns repeated.

Each column names its header, whether it is required, whether it belongs to the household or
the person, and the code list its text must come from. Import and export both read this.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db import models

from .choices import (
    Category,
    Cause,
    Education,
    Gender,
    Health,
    LabourSkill,
    Relation,
    Schooling,
    WorkStatus,
)

EXITED, NOT_EXITED = "已脱贫", "未脱贫"


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = False
    household: bool = False  # repeated on every member row and must agree
    choices: type[models.TextChoices] | None = None


COLUMNS = [
    Column("乡镇", "township", required=True, household=True),
    Column("行政村", "village", required=True, household=True),
    Column("自然村", "group", household=True),
    Column("户编号", "code", required=True, household=True),
    Column("姓名", "name", required=True),
    Column("证件号码", "id_number", required=True),
    Column("性别", "gender", choices=Gender),
    Column("与户主关系", "relation", required=True, choices=Relation),
    Column("贫困户属性", "category", required=True, household=True, choices=Category),
    Column("主要致贫原因", "primary_cause", required=True, household=True, choices=Cause),
    Column("其他致贫原因", "other_causes", household=True),
    Column("识别年度", "identified_year", required=True, household=True),
    Column("计划脱贫年度", "planned_exit_year", required=True, household=True),
    Column("脱贫状态", "exited", required=True, household=True),
    Column("脱贫年度", "exit_year", household=True),
    Column("文化程度", "education", choices=Education),
    Column("在校生状况", "schooling", choices=Schooling),
    Column("健康状况", "health", choices=Health),
    Column("劳动技能", "labour_skill", choices=LabourSkill),
    Column("务工状况", "work_status", choices=WorkStatus),
    Column("联系电话", "phone", household=True),
    Column("年人均纯收入", "income", household=True),
]
BY_HEADER = {c.header: c for c in COLUMNS}
BY_KEY = {c.key: c for c in COLUMNS}
HEADERS = [c.header for c in COLUMNS]
HOUSEHOLD_KEYS = [c.key for c in COLUMNS if c.household]

# Labels users type that mean the same code (older files, common variants).
ALIASES = {
    "category": {"特困供养户": Category.TEKUN, "五保贫困户": Category.WUBAO},
    "relation": {
        "之子": Relation.CHILD,
        "之女": Relation.CHILD,
        "儿子": Relation.CHILD,
        "女儿": Relation.CHILD,
        "妻": Relation.SPOUSE,
        "夫": Relation.SPOUSE,
        "本人": Relation.HEAD,
    },
    "health": {"长期慢性病": Health.CHRONIC, "残疾人": Health.DISABLED},
}


def label_map(column: Column) -> dict[str, str]:
    """Chinese label -> code for a coded column."""
    labels = {str(label): code for code, label in column.choices.choices}
    labels.update(ALIASES.get(column.key, {}))
    return labels


@cache
def labels_of(choices: type[models.TextChoices]) -> dict[str, str]:
    """code -> Chinese label (cached: exports call it for every cell)."""
    return {code: str(label) for code, label in choices.choices}


def label_of(choices: type[models.TextChoices], code: str) -> str:
    return labels_of(choices).get(code, "") if code else ""
