"""Code lists of the accounts app."""

from django.db import models


class Role(models.TextChoices):
    COUNTY_STAFF = "county_staff", "县扶贫办工作人员"
    TOWNSHIP_STAFF = "township_staff", "乡镇工作人员"
    VILLAGE_CADRE = "village_cadre", "村级帮扶干部"
    LEADER = "leader", "领导"
    INSPECTOR = "inspector", "督查人员"
    API_CLIENT = "api_client", "接口客户端"
