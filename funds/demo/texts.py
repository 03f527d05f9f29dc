"""What village money is spent and earned on in the demo: special-fund projects a
Chengdu village council would decide, and the everyday entries of a collective's
account. Amounts are plausible ranges, not real figures."""

from __future__ import annotations

# (category, name pattern, budget range in yuan, inspectors' unit)
PROJECTS: tuple[tuple[str, str, tuple[int, int]], ...] = (
    ("infrastructure", "{group}入户道路硬化", (80_000, 320_000)),
    ("infrastructure", "{place}排洪沟渠整治", (60_000, 200_000)),
    ("infrastructure", "{place}主干道太阳能路灯安装", (40_000, 120_000)),
    ("culture", "{place}文化广场改造", (90_000, 260_000)),
    ("culture", "{place}农家书屋和文化室修缮", (20_000, 60_000)),
    ("health", "{place}卫生室设备更新", (30_000, 80_000)),
    ("sanitation", "{place}垃圾分类收集点建设", (30_000, 90_000)),
    ("sanitation", "{group}公厕改造", (40_000, 110_000)),
    ("governance", "{place}公共区域视频监控", (50_000, 150_000)),
    ("governance", "{place}党群服务中心便民设施", (20_000, 70_000)),
    ("farming", "{group}机耕道维修", (50_000, 180_000)),
    ("education", "{place}“四点半课堂”场地改造", (20_000, 60_000)),
)
CONTRACTORS = (
    "新津区宏远建筑工程有限公司",
    "成都市蜀安市政工程有限公司",
    "四川天府绿化工程有限公司",
    "成都市锦程照明工程有限公司",
    "新津区永兴劳务服务部",
    "四川佳和建设工程有限公司",
)
# Payees who are people: a village craftsman or a farmer paid for labour or materials.
PERSON_PAYEES = ("王师傅", "李建华", "张德明", "刘秀芳", "陈国强")
INSPECTORS = ("镇（街道）建设办", "镇（街道）财政所", "村务监督委员会", "村民代表")

# The everyday entries of a month: (subject code, direction, summary, amount range,
# counterparty, a person?). Cash (101) entries move the 报账员's float.
MONTHLY_ENTRIES: tuple[tuple[str, str, str, tuple[int, int], str, bool], ...] = (
    ("101", "income", "提取备用金", (1_000, 3_000), "代理记账中心", False),
    ("541", "expense", "购买办公用品", (200, 1_500), "新津区文兴办公用品店", False),
    ("541", "expense", "支付村务公开栏维护费", (300, 1_200), "新津区广告制作部", False),
    ("551", "expense", "支付保洁员劳务费", (1_500, 3_600), "保洁员", True),
    ("502", "expense", "支付集体果园管护费", (2_000, 8_000), "果园管护人", True),
    ("541", "expense", "支付水电费", (300, 1_800), "国网新津供电公司", False),
)
QUARTERLY_ENTRIES: tuple[tuple[str, str, str, tuple[int, int], str, bool], ...] = (
    ("511", "income", "收取集体土地发包款", (8_000, 60_000), "承包户", True),
    ("501", "income", "收取集体厂房租金", (6_000, 40_000), "新津区兴达农产品加工厂", False),
    ("522", "income", "收到村级公共服务专项资金", (50_000, 150_000), "街道财政所", False),
    ("541", "expense", "支付村干部误工补贴", (6_000, 15_000), "村干部", True),
)
GROUP_NAMES = ("1组", "2组")
