"""The national code lists of the 建档立卡 registry (国务院扶贫办 全国扶贫开发信息系统)."""

from django.db import models


class Category(models.TextChoices):
    """贫困户属性."""

    GENERAL = "general", "一般贫困户"
    DIBAO = "dibao", "低保贫困户"
    TEKUN = "tekun", "特困供养贫困户"
    WUBAO = "wubao", "五保户"  # the older name of 特困供养, still found in 2014–2016 files
    DIBAO_ONLY = "dibao_only", "低保户"


class Cause(models.TextChoices):
    """致贫原因."""

    ILLNESS = "illness", "因病"
    DISABILITY = "disability", "因残"
    SCHOOLING = "schooling", "因学"
    DISASTER = "disaster", "因灾"
    MARRIAGE = "marriage", "因婚"
    NO_LAND = "no_land", "缺土地"
    NO_WATER = "no_water", "缺水"
    NO_SKILLS = "no_skills", "缺技术"
    NO_LABOUR = "no_labour", "缺劳力"
    NO_CAPITAL = "no_capital", "缺资金"
    POOR_TRANSPORT = "poor_transport", "交通条件落后"
    NO_DRIVE = "no_drive", "自身发展动力不足"
    OTHER = "other", "其他"


class HouseholdStatus(models.TextChoices):
    """Where a household stands in the exit procedure (DESIGN §4)."""

    ASSISTED = "assisted", "帮扶中"
    PROPOSED = "proposed", "拟退出"
    VERIFIED = "verified", "已核实"
    PUBLICISED = "publicised", "公示中"
    ANNOUNCED = "announced", "已公告"
    EXITED = "exited", "已脱贫"


class MonitoringType(models.TextChoices):
    """防返贫监测对象类型."""

    UNSTABLE = "unstable", "脱贫不稳定户"
    MARGINAL = "marginal", "边缘易致贫户"
    SUDDEN = "sudden", "突发严重困难户"


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Relation(models.TextChoices):
    """与户主关系."""

    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    CHILD_IN_LAW = "child_in_law", "儿媳/女婿"
    GRANDCHILD = "grandchild", "孙子女/外孙子女"
    PARENT = "parent", "父母"
    PARENT_IN_LAW = "parent_in_law", "岳父母/公婆"
    GRANDPARENT = "grandparent", "祖父母/外祖父母"
    SIBLING = "sibling", "兄弟姐妹"
    OTHER = "other", "其他"


class Education(models.TextChoices):
    """文化程度."""

    ILLITERATE = "illiterate", "文盲或半文盲"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中"
    VOCATIONAL = "vocational", "中专/中职"
    COLLEGE = "college", "大专及以上"
    PRESCHOOL = "preschool", "学龄前儿童"


class Schooling(models.TextChoices):
    """在校生状况."""

    NONE = "none", "非在校生"
    PRESCHOOL = "preschool", "学前教育"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "七年级至九年级"
    SENIOR = "senior", "普通高中"
    VOCATIONAL = "vocational", "中职"
    HIGHER_VOCATIONAL = "higher_vocational", "高职"
    COLLEGE = "college", "大专及以上"
    DROPOUT = "dropout", "辍学"


STUDENT_SCHOOLING = frozenset(set(Schooling.values) - {Schooling.NONE, Schooling.DROPOUT})

# The youngest age (in full years) at which each schooling level is possible.
SCHOOLING_MIN_AGE = {
    Schooling.PRESCHOOL: 2,
    Schooling.PRIMARY: 5,
    Schooling.JUNIOR: 10,
    Schooling.SENIOR: 15,
    Schooling.VOCATIONAL: 15,
    Schooling.HIGHER_VOCATIONAL: 16,
    Schooling.COLLEGE: 16,
}
# The oldest: nobody of 14 or more is in 学前教育, nobody of 18 or more in 小学.
SCHOOLING_MAX_AGE = {Schooling.PRESCHOOL: 7, Schooling.PRIMARY: 17}


class Health(models.TextChoices):
    """健康状况 (PIPL: sensitive)."""

    HEALTHY = "healthy", "健康"
    CHRONIC = "chronic", "长期慢性病"
    SERIOUS = "serious", "患有大病"
    DISABLED = "disabled", "残疾"


class LabourSkill(models.TextChoices):
    """劳动技能."""

    NONE = "none", "无劳动力"
    UNABLE = "unable", "丧失劳动力"
    ORDINARY = "ordinary", "普通劳动力"
    SKILLED = "skilled", "技能劳动力"
    WEAK = "weak", "弱劳动力或半劳动力"


WORKING_SKILLS = frozenset({LabourSkill.ORDINARY, LabourSkill.SKILLED, LabourSkill.WEAK})


class WorkStatus(models.TextChoices):
    """务工状况."""

    NONE = "none", "未务工"
    COUNTY = "county", "县内务工"
    PROVINCE = "province", "省内县外务工"
    OUTSIDE = "outside", "省外务工"
    FARMING = "farming", "在家务农"


class MeasureType(models.TextChoices):
    """帮扶措施类别."""

    INDUSTRY = "industry", "产业扶贫"
    EMPLOYMENT = "employment", "就业扶贫"
    RELOCATION = "relocation", "易地扶贫搬迁"
    EDUCATION = "education", "教育扶贫"
    HEALTH = "health", "健康扶贫"
    HOUSING = "housing", "危房改造"
    MICROCREDIT = "microcredit", "小额信贷"
    ECOLOGY = "ecology", "生态扶贫(护林员)"
    PHOTOVOLTAIC = "photovoltaic", "光伏扶贫"
    SOCIAL_SECURITY = "social_security", "兜底保障(低保/特困)"
    WELFARE_JOB = "welfare_job", "公益岗位"
    TRAINING = "training", "技能培训"
    INFRASTRUCTURE = "infrastructure", "基础设施"
    OTHER = "other", "其他"


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", "计划"
    ONGOING = "ongoing", "实施中"
    DONE = "done", "已完成"
    STOPPED = "stopped", "已终止"


# Which measures address which cause: a cause with none of them active is a gap (疑点).
CAUSE_MEASURES: dict[str, frozenset[str]] = {
    Cause.ILLNESS: frozenset({MeasureType.HEALTH, MeasureType.SOCIAL_SECURITY}),
    Cause.DISABILITY: frozenset(
        {MeasureType.HEALTH, MeasureType.SOCIAL_SECURITY, MeasureType.WELFARE_JOB}
    ),
    Cause.SCHOOLING: frozenset({MeasureType.EDUCATION}),
    Cause.NO_LABOUR: frozenset({MeasureType.SOCIAL_SECURITY, MeasureType.WELFARE_JOB}),
    Cause.NO_SKILLS: frozenset(
        {MeasureType.TRAINING, MeasureType.EMPLOYMENT, MeasureType.INDUSTRY}
    ),
    Cause.NO_CAPITAL: frozenset({MeasureType.MICROCREDIT, MeasureType.INDUSTRY}),
    Cause.DISASTER: frozenset(
        {MeasureType.HOUSING, MeasureType.RELOCATION, MeasureType.SOCIAL_SECURITY}
    ),
    Cause.NO_LAND: frozenset(
        {MeasureType.RELOCATION, MeasureType.EMPLOYMENT, MeasureType.INDUSTRY}
    ),
    Cause.NO_WATER: frozenset({MeasureType.INFRASTRUCTURE, MeasureType.RELOCATION}),
    Cause.POOR_TRANSPORT: frozenset({MeasureType.INFRASTRUCTURE, MeasureType.RELOCATION}),
}


# Measures that end by their nature, and their usual term in months: an end date is kept for
# each (the start plus this term unless one is given), so the worklists can find a loan falling
# due or a contract running out. 扶贫小额信贷 is lent for up to three years; 公益岗位 and the
# 生态护林员 posts are contracted a year at a time.
MEASURE_TERMS: dict[str, int] = {
    MeasureType.MICROCREDIT: 36,
    MeasureType.WELFARE_JOB: 12,
    MeasureType.ECOLOGY: 12,
}
# Windows offered for "ending within" (days).
ENDING_WINDOWS = (30, 60, 90)


class ExitStep(models.TextChoices):
    """The recorded steps of the exit procedure, return to poverty and monitoring."""

    PROPOSE = "propose", "提出退出"
    VERIFY = "verify", "核实"
    PUBLICISE = "publicise", "村内公示"
    OBJECTION = "objection", "公示异议"
    ANNOUNCE = "announce", "公告退出"
    CLOSE = "close", "销号"
    RETURN = "return", "返贫"
    MONITOR = "monitor", "纳入监测"
    CLEAR_RISK = "clear_risk", "风险消除"


class QualityStatus(models.TextChoices):
    OPEN = "open", "待处理"
    EXPLAINED = "explained", "已说明"
    FIXED = "fixed", "已整改"


class Ethnicity(models.TextChoices):
    """民族: the 56 ethnic groups, valued by their GB/T 3304 codes."""

    E01 = "01", "汉族"
    E02 = "02", "蒙古族"
    E03 = "03", "回族"
    E04 = "04", "藏族"
    E05 = "05", "维吾尔族"
    E06 = "06", "苗族"
    E07 = "07", "彝族"
    E08 = "08", "壮族"
    E09 = "09", "布依族"
    E10 = "10", "朝鲜族"
    E11 = "11", "满族"
    E12 = "12", "侗族"
    E13 = "13", "瑶族"
    E14 = "14", "白族"
    E15 = "15", "土家族"
    E16 = "16", "哈尼族"
    E17 = "17", "哈萨克族"
    E18 = "18", "傣族"
    E19 = "19", "黎族"
    E20 = "20", "傈僳族"
    E21 = "21", "佤族"
    E22 = "22", "畲族"
    E23 = "23", "高山族"
    E24 = "24", "拉祜族"
    E25 = "25", "水族"
    E26 = "26", "东乡族"
    E27 = "27", "纳西族"
    E28 = "28", "景颇族"
    E29 = "29", "柯尔克孜族"
    E30 = "30", "土族"
    E31 = "31", "达斡尔族"
    E32 = "32", "仫佬族"
    E33 = "33", "羌族"
    E34 = "34", "布朗族"
    E35 = "35", "撒拉族"
    E36 = "36", "毛南族"
    E37 = "37", "仡佬族"
    E38 = "38", "锡伯族"
    E39 = "39", "阿昌族"
    E40 = "40", "普米族"
    E41 = "41", "塔吉克族"
    E42 = "42", "怒族"
    E43 = "43", "乌孜别克族"
    E44 = "44", "俄罗斯族"
    E45 = "45", "鄂温克族"
    E46 = "46", "德昂族"
    E47 = "47", "保安族"
    E48 = "48", "裕固族"
    E49 = "49", "京族"
    E50 = "50", "塔塔尔族"
    E51 = "51", "独龙族"
    E52 = "52", "鄂伦春族"
    E53 = "53", "赫哲族"
    E54 = "54", "门巴族"
    E55 = "55", "珞巴族"
    E56 = "56", "基诺族"


class PoliticalStatus(models.TextChoices):
    """政治面貌 (GB/T 4762, the groups the national form distinguishes)."""

    PARTY_MEMBER = "party_member", "中共党员"
    PROBATIONARY = "probationary", "中共预备党员"
    LEAGUE_MEMBER = "league_member", "共青团员"
    DEMOCRATIC_PARTY = "democratic_party", "民主党派成员"
    NON_PARTISAN = "non_partisan", "无党派人士"
    MASSES = "masses", "群众"
