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
    Ethnicity,
    Gender,
    Health,
    LabourSkill,
    PoliticalStatus,
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
    yes_no: bool = False  # 是/否 (√/×); blank is "not known"


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
    # What else the national form carries, after the columns above so the layout older exports
    # and templates have stays as it was.
    Column("人编号", "person_code"),
    Column("民族", "ethnicity", choices=Ethnicity),
    Column("政治面貌", "political_status", choices=PoliticalStatus),
    Column("务工时间（月）", "work_months"),
    Column("参加城乡居民基本医疗保险", "basic_medical", yes_no=True),
    Column("参加大病保险", "critical_illness", yes_no=True),
    Column("参加城乡居民基本养老保险", "basic_pension", yes_no=True),
    Column("危房户", "dilapidated_house", household=True, yes_no=True),
    Column("饮水安全", "safe_water", household=True, yes_no=True),
    # The year 年人均纯收入 is for (a file without it: the year the upload names).
    Column("收入年度", "income_year", household=True),
]
BY_HEADER = {c.header: c for c in COLUMNS}
BY_KEY = {c.key: c for c in COLUMNS}
HEADERS = [c.header for c in COLUMNS]
# 饮水困难 says the opposite of 饮水安全: read (and only read) as its negation.
WATER_DIFFICULTY = "water_difficulty"
HOUSEHOLD_KEYS = [c.key for c in COLUMNS if c.household] + [WATER_DIFFICULTY]

# Headers as other forms spell them (the national system's export, older county sheets),
# compared after tabular.normalise_header (no spaces, half-width brackets).
HEADER_ALIASES = {
    "township": ["乡(镇)", "乡镇(街道)", "乡(镇、街道)", "乡镇名称", "所在乡镇", "镇(乡)"],
    "village": ["村", "行政村(社区)", "村(社区)", "行政村名称", "所在村", "村名"],
    "group": ["自然村(组)", "自然村(村民小组)", "村民小组", "组", "自然村名称"],
    "code": ["户号", "贫困户编号", "户编码"],
    "name": ["成员姓名", "人员姓名", "家庭成员姓名"],
    "id_number": [
        "身份证号码",
        "身份证号",
        "证件号码(身份证号)",
        "公民身份号码",
        "证件号",
        "身份证件号码",
    ],
    "gender": ["性别(男/女)"],
    "relation": ["与户主的关系", "家庭关系", "与户主关系(户主填本人)"],
    "category": ["贫困户类型", "贫困属性", "户属性", "识别标准"],
    "primary_cause": ["致贫原因", "主要致贫原因(单选)"],
    "other_causes": ["其它致贫原因", "次要致贫原因", "其他致贫原因(最多两项)"],
    "identified_year": ["识别时间", "识别年份", "建档立卡年度", "纳入年度", "识别年"],
    "planned_exit_year": ["计划脱贫时间", "计划脱贫年份", "脱贫时限", "预计脱贫年度", "计划脱贫年"],
    "exited": ["脱贫标志", "是否脱贫", "贫困户状态", "脱贫情况"],
    "exit_year": ["脱贫时间", "脱贫年份", "实际脱贫年度", "脱贫年"],
    "education": ["文化程度(学历)", "学历"],
    "schooling": ["在校生情况", "在校情况", "在校生状态"],
    "health": ["健康情况", "身体状况"],
    "labour_skill": ["劳动能力", "劳动力状况", "劳动技能状况"],
    "work_status": ["务工情况", "务工状态"],
    "person_code": ["人员编号", "成员编号"],
    "ethnicity": ["民族(族别)", "族别"],
    "political_status": ["政治面貌(党员/群众)"],
    "work_months": ["务工时间(月)", "务工时间", "务工月数", "外出务工时间(月)"],
    "basic_medical": [
        "是否参加城乡居民基本医疗保险",
        "城乡居民基本医疗保险",
        "是否参加新型农村合作医疗",
        "新型农村合作医疗",
        "新农合",
        "是否参加新农合",
        "基本医疗保险",
    ],
    "critical_illness": ["是否参加大病保险", "大病保险", "大病医疗保险"],
    "basic_pension": [
        "是否参加城乡居民基本养老保险",
        "城乡居民基本养老保险",
        "是否参加新型农村社会养老保险",
        "新农保",
        "基本养老保险",
    ],
    "dilapidated_house": ["是否危房户", "危房", "是否危房"],
    "safe_water": ["饮水是否安全", "是否饮水安全", "安全饮水"],
    WATER_DIFFICULTY: ["饮水困难", "饮水是否困难", "是否饮水困难"],
    "income_year": ["人均纯收入年度", "收入年份", "收入所属年度", "收入统计年度"],
    "phone": ["电话", "联系方式", "手机号码", "联系电话(手机)", "户主联系电话", "电话号码"],
    "income": [
        "人均纯收入(元)",
        "人均纯收入",
        "年人均纯收入(元)",
        "家庭年人均纯收入",
        "家庭人均纯收入(元)",
        "人均可支配收入(元)",
    ],
}
# Columns the national form has that say nothing the registry keeps (or that it derives):
# recognised, so they are neither guessed at nor reported as unknown.
NOT_KEPT_HEADERS = [
    "序号",
    "省",
    "省(区、市)",
    "市",
    "市(州)",
    "市(地、州、盟)",
    "县",
    "县(市、区)",
    "县(市、区、旗)",
    "人数",
    "家庭人数",
    "户人数",
    "是否通生活用电",
    "是否通广播电视",
    "开户银行",
    "银行卡号",
]

# Values as the national system and county sheets spell them, beside our labels.
ALIASES = {
    "category": {
        "特困供养户": Category.TEKUN,
        "特困户": Category.TEKUN,
        "五保贫困户": Category.WUBAO,
        "一般户": Category.GENERAL,
        "低保": Category.DIBAO,
    },
    "primary_cause": {
        "缺劳动力": Cause.NO_LABOUR,
        "其它": Cause.OTHER,
        "缺少资金": Cause.NO_CAPITAL,
    },
    "relation": {
        # 之子 (his son) … : the national system's spellings, relative to the head.
        "子": Relation.CHILD,
        "女": Relation.CHILD,
        "儿子": Relation.CHILD,
        "女儿": Relation.CHILD,
        "长子": Relation.CHILD,
        "次子": Relation.CHILD,
        "长女": Relation.CHILD,
        "次女": Relation.CHILD,
        "养子": Relation.CHILD,
        "养女": Relation.CHILD,
        "儿媳": Relation.CHILD_IN_LAW,
        "女婿": Relation.CHILD_IN_LAW,
        "孙子": Relation.GRANDCHILD,
        "孙女": Relation.GRANDCHILD,
        "外孙子": Relation.GRANDCHILD,
        "外孙女": Relation.GRANDCHILD,
        "外孙": Relation.GRANDCHILD,
        "孙子女": Relation.GRANDCHILD,
        "父亲": Relation.PARENT,
        "母亲": Relation.PARENT,
        "父": Relation.PARENT,
        "母": Relation.PARENT,
        "岳父": Relation.PARENT_IN_LAW,
        "岳母": Relation.PARENT_IN_LAW,
        "公公": Relation.PARENT_IN_LAW,
        "婆婆": Relation.PARENT_IN_LAW,
        "祖父": Relation.GRANDPARENT,
        "祖母": Relation.GRANDPARENT,
        "外祖父": Relation.GRANDPARENT,
        "外祖母": Relation.GRANDPARENT,
        "兄": Relation.SIBLING,
        "弟": Relation.SIBLING,
        "姐": Relation.SIBLING,
        "妹": Relation.SIBLING,
        "兄弟": Relation.SIBLING,
        "姐妹": Relation.SIBLING,
        "兄弟姐妹": Relation.SIBLING,
        "妻": Relation.SPOUSE,
        "夫": Relation.SPOUSE,
        "妻子": Relation.SPOUSE,
        "丈夫": Relation.SPOUSE,
        "本人": Relation.HEAD,
        "户主本人": Relation.HEAD,
        "其它": Relation.OTHER,
    },
    "education": {
        "文盲": Education.ILLITERATE,
        "半文盲": Education.ILLITERATE,
        "文盲半文盲": Education.ILLITERATE,
        "中专": Education.VOCATIONAL,
        "中职": Education.VOCATIONAL,
        "技校": Education.VOCATIONAL,
        "大专": Education.COLLEGE,
        "本科": Education.COLLEGE,
        "本科及以上": Education.COLLEGE,
        "研究生": Education.COLLEGE,
        "学龄前": Education.PRESCHOOL,
    },
    "schooling": {
        "不在校": Schooling.NONE,
        "非在校": Schooling.NONE,
        "学前": Schooling.PRESCHOOL,
        "幼儿园": Schooling.PRESCHOOL,
        "学前班": Schooling.PRESCHOOL,
        "初中": Schooling.JUNIOR,
        "高中": Schooling.SENIOR,
        "中专": Schooling.VOCATIONAL,
        "大专": Schooling.COLLEGE,
        "本科": Schooling.COLLEGE,
        "研究生": Schooling.COLLEGE,
        "研究生及以上": Schooling.COLLEGE,
        "大学": Schooling.COLLEGE,
    },
    "health": {
        "长期慢性病": Health.CHRONIC,
        "慢性病": Health.CHRONIC,
        "大病": Health.SERIOUS,
        "残疾人": Health.DISABLED,
    },
    "labour_skill": {
        "弱劳动力": LabourSkill.WEAK,
        "半劳动力": LabourSkill.WEAK,
        "技能型劳动力": LabourSkill.SKILLED,
    },
    "work_status": {
        "乡(镇)内务工": WorkStatus.COUNTY,
        "乡镇内务工": WorkStatus.COUNTY,
        "县内乡外务工": WorkStatus.COUNTY,
        "县外省内务工": WorkStatus.PROVINCE,
        "省内务工": WorkStatus.PROVINCE,
        "务农": WorkStatus.FARMING,
        "无": WorkStatus.NONE,
    },
    "gender": {"男性": Gender.MALE, "女性": Gender.FEMALE},
}
ALIASES["other_causes"] = ALIASES["primary_cause"]
# 汉 for 汉族, as many sheets write it.
ALIASES["ethnicity"] = {
    str(label)[:-1]: code for code, label in Ethnicity.choices if str(label).endswith("族")
}
ALIASES["political_status"] = {
    "党员": PoliticalStatus.PARTY_MEMBER,
    "中国共产党党员": PoliticalStatus.PARTY_MEMBER,
    "预备党员": PoliticalStatus.PROBATIONARY,
    "团员": PoliticalStatus.LEAGUE_MEMBER,
    "共青团员": PoliticalStatus.LEAGUE_MEMBER,
    "民主党派": PoliticalStatus.DEMOCRATIC_PARTY,
    "无党派": PoliticalStatus.NON_PARTISAN,
}
# 在校生状况 by grade, as the national list has it: 小学三年级, 七年级, 高中一年级, 中职二年级 …
GRADES = "一二三四五六"
GRADE_ALIASES = {
    **{f"小学{g}年级": Schooling.PRIMARY for g in GRADES},
    **{f"{g}年级": Schooling.PRIMARY for g in GRADES},
    **{f"{g}年级": Schooling.JUNIOR for g in "七八九"},
    **{f"初中{g}年级": Schooling.JUNIOR for g in GRADES[:3]},
    **{f"初{g}": Schooling.JUNIOR for g in GRADES[:3]},
    **{f"高中{g}年级": Schooling.SENIOR for g in GRADES[:3]},
    **{f"高{g}": Schooling.SENIOR for g in GRADES[:3]},
    **{f"中职{g}年级": Schooling.VOCATIONAL for g in GRADES[:3]},
    **{f"高职{g}年级": Schooling.HIGHER_VOCATIONAL for g in GRADES[:3]},
}
EXITED_VALUES = {EXITED: True, "是": True, "已退出": True, NOT_EXITED: False, "否": False}
_VALUE_NOISE = str.maketrans({"（": "(", "）": ")", " ": None, "\u3000": None})


def normalise_value(text: str) -> str:
    """A code value as typed in any spelling: half-width brackets, no spaces, 之子 -> 子."""
    text = text.translate(_VALUE_NOISE)
    return text[1:] if text.startswith("之") and len(text) > 1 else text


def label_map(column: Column) -> dict[str, str]:
    """Chinese label -> code for a coded column: our labels, the national spellings and, for
    在校生状况, every grade the national list names."""
    labels = {str(label): code for code, label in column.choices.choices}
    labels.update(ALIASES.get(column.key, {}))
    if column.key == "schooling":
        labels.update(GRADE_ALIASES)
    return labels


@cache
def header_map() -> dict[str, str]:
    """Every accepted header spelling (normalised) -> column key, or tabular.IGNORED."""
    from poverty.common.tabular import IGNORED, normalise_header

    names = {normalise_header(h): IGNORED for h in NOT_KEPT_HEADERS}
    for column in COLUMNS:
        names[normalise_header(column.header)] = column.key
        for alias in HEADER_ALIASES.get(column.key, []):
            names[normalise_header(alias)] = column.key
    for alias in HEADER_ALIASES[WATER_DIFFICULTY]:
        names[normalise_header(alias)] = WATER_DIFFICULTY
    return names


def resolve_header(text: str) -> str | None:
    return header_map().get(text)


@cache
def labels_of(choices: type[models.TextChoices]) -> dict[str, str]:
    """code -> Chinese label (cached: exports call it for every cell)."""
    return {code: str(label) for code, label in choices.choices}


def label_of(choices: type[models.TextChoices], code: str) -> str:
    return labels_of(choices).get(code, "") if code else ""
