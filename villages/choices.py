"""Code lists of the villages app."""

from django.db import models


class AreaLevel(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县"
    TOWNSHIP = "township", "乡镇"
    VILLAGE = "village", "行政村"


class UnitKind(models.TextChoices):
    PARTY_GOVERNMENT = "party_government", "党政机关"
    INSTITUTION = "institution", "事业单位"
    STATE_ENTERPRISE = "state_enterprise", "国有企业"
    TOWNSHIP_GOVERNMENT = "township_government", "乡镇党委政府"
    OTHER = "other", "其他"


class PostingRole(models.TextChoices):
    FIRST_SECRETARY = "first_secretary", "第一书记"
    TEAM_LEADER = "team_leader", "驻村工作队长"
    TEAM_MEMBER = "team_member", "驻村工作队员"
    VILLAGE_CONTACT = "village_contact", "包村干部"
