"""Made-up names for the demo county: one generator for cadres and household members alike."""

from __future__ import annotations

import random

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "建国志强秀兰桂英海燕丽华晓明文军红梅玉兰春花永福德胜国庆小龙金凤爱民立新红霞子涵宇轩欣怡浩然思远雨萱俊杰佳琪振华世平丽娟明辉淑珍"


def person_name(rng: random.Random, *, double: float, surname: str | None = None) -> str:
    """A surname (or the family's) and a given name of two characters with chance `double`."""
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < double else "")
    return (surname or rng.choice(SURNAMES)) + given
