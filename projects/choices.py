"""Code lists of the projects app."""

from decimal import Decimal

from django.db import models


class ProjectType(models.TextChoices):
    INDUSTRY = "industry", "产业"
    INFRASTRUCTURE = "infrastructure", "基础设施"
    PUBLIC_SERVICE = "public_service", "公共服务"
    RELOCATION = "relocation", "易地搬迁"
    PHOTOVOLTAIC = "photovoltaic", "光伏"
    EMPLOYMENT = "employment", "就业"
    EDUCATION = "education", "教育"
    HEALTH = "health", "健康"
    OTHER = "other", "其他"


class Stage(models.IntegerChoices):
    """The six stages of 项目化管理, in order (入库→落地→开工→建设→投产→见效)."""

    LISTED = 1, "入库"
    APPROVED = 2, "落地"
    STARTED = 3, "开工"
    BUILDING = 4, "建设"
    OPERATING = 5, "投产"
    EFFECTIVE = 6, "见效"


# A project's progress: the last stage it completed (0 before it is listed).
NOT_LISTED = 0
PROGRESS_CHOICES = [(NOT_LISTED, "未入库"), *Stage.choices]

# 倒排工期: default days from the previous stage to each stage.
DEFAULT_DURATIONS = {
    Stage.APPROVED: 30,
    Stage.STARTED: 30,
    Stage.BUILDING: 60,
    Stage.OPERATING: 90,
    Stage.EFFECTIVE: 90,
}


class FundSource(models.TextChoices):
    CENTRAL = "central", "中央"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    PAIRING = "pairing", "对口帮扶"
    SOCIAL = "social", "社会"
    SELF = "self", "自筹"


class FundKind(models.TextChoices):
    """How far the money has come: planned (计划), in place (下达到位), paid out (拨付)."""

    PLANNED = "planned", "计划投入"
    ALLOCATED = "allocated", "下达到位"
    DISBURSED = "disbursed", "拨付支出"


class Decision(models.TextChoices):
    PENDING = "pending", "待审"
    APPROVED = "approved", "同意"
    REJECTED = "rejected", "不同意"


class Deliverable(models.TextChoices):
    """What a 对口帮扶 pairing undertakes to deliver (出成果)."""

    MODEL_VILLAGE = "model_village", "样板村"
    INDUSTRY = "industry", "产业项目"
    LIVELIHOOD = "livelihood", "民生工程"


class TeamRole(models.TextChoices):
    LEADER = "leader", "队长"
    MEMBER = "member", "队员"


# 一帮三出: a helper puts in at least this share of its 一般公共预算收入 each year (出钱) and sends a
# team of at least this many, led by a county-level leader (出人).
PAIRING_FUND_SHARE = Decimal("0.01")
PAIRING_TEAM_SIZE = 6
