"""The words of the demo's letters: a letter from a topic's phrases, the office's reply,
and the short notes of the other steps (rejection reasons, transfer notes, ratings)."""

from __future__ import annotations

import datetime as dt
import random

from mailbox.demo.topics import COMPLAINT, CONSULT, HELP, REPORT, SUGGEST, Topic

ESTATES = (
    "锦绣花园", "阳光家园", "滨江苑", "金桂苑", "翠湖苑", "康居苑", "和美家园", "梨花苑",
    "南河湾小区", "天府名居", "顺江小区", "文化新村", "兴业花园", "紫荆苑", "学府名都",
    "丽景湾", "桂花园", "清源小区", "锦城华府", "长青苑",
)  # fmt: skip
ROADS = (
    "人民路", "文化路", "建设路", "兴业大道", "顺江路", "希望路", "迎宾大道", "育才路",
    "清源路", "永兴街", "长青路", "金桂街", "五津路", "花园路", "滨河路", "正西街",
    "新华路", "学府路", "翠湖路", "锦绣大道", "紫荆路", "南街", "北街", "东大街",
)  # fmt: skip
URBAN_SPOTS = ("菜市场", "小学门口", "公交站", "小区大门", "十字路口", "农贸市场", "幼儿园")
RURAL_SPOTS = ("村委会", "小卖部", "晒坝", "村小", "村口", "桥头", "党群服务中心")
RURAL_ROADS = ("村道", "通组路", "机耕道")
SHOPS = ("一家烧烤店", "一家火锅店", "几家夜宵摊", "一家KTV", "一家清吧")
RURAL_SHOPS = ("一家农家乐", "一家茶馆", "一家烧烤店")
# How long something has gone on, and when something happened.
WHEN = ("最近一个星期", "这半个月", "从上个月开始", "这十多天", "这段时间")
LATELY = ("前几天", "上个星期", "上个月", "前段时间", "这个月初")
SCHOOLS = ("实验小学", "第一小学", "第二小学", "实验中学", "第一中学", "实验幼儿园")

# A letter may open by saying who writes and close with a courtesy.
_URBAN_OPENERS = ("您好！我是{place}的居民。", "领导您好，我住在{where}。", "您好！")
_RURAL_OPENERS = ("您好！我是{place}{group}的村民。", "领导您好！", "您好！")
_CLOSERS = {
    CONSULT: ("谢谢！", "盼复，谢谢！"),
    HELP: ("麻烦了，谢谢！", "万分感谢！"),
    SUGGEST: ("谢谢！", "以上建议，供参考。"),
    COMPLAINT: ("希望能尽快给个答复。", "盼复。"),
    REPORT: ("以上情况属实，请核查。", "希望为举报人保密，谢谢。"),
}
_REPLY_OPENERS = {
    CONSULT: ("您好！您咨询的{name}相关问题，现答复如下：", "您好！来信收悉，现答复如下："),
    SUGGEST: ("您好！感谢您提出的关于{name}的建议。", "您好！感谢您对{area}工作的关心和支持。"),
    REPORT: ("您好！您举报的问题，我单位高度重视。", "您好！来信收悉，感谢您的监督。"),
}
_DEFAULT_REPLY_OPENERS = (
    "您好！您反映的{name}问题，我单位高度重视。",
    "您好！来信收悉，感谢您对{area}工作的关心和支持。",
)
_REPLY_CLOSERS = (
    "如有疑问，请在工作日拨打{phone}咨询。感谢您对我们工作的理解和支持！",
    "感谢您对我们工作的理解和支持！",
    "欢迎您继续监督我们的工作。",
)
# A village committee does not enforce or fund: it checks, coordinates and reports up.
_VILLAGE_REPLIES = {
    HELP: (
        "{who}已于{date}安排网格员和小组长到现场查看，情况基本属实。我们已协调相关方面"
        "进行处理，目前问题已经解决。",
        "接到来信后，{who}于{date}召集相关人员到现场协调，并将需要上级部门处理的事项报告"
        "了{township}，{township}已安排专人跟进。",
    ),
    COMPLAINT: (
        "{who}已于{date}安排网格员到现场核实，对当事方进行了劝导，并约定了整改时限。"
        "我们将持续跟踪，并把处理情况报告{township}。",
    ),
    SUGGEST: (
        "您的建议很好，{who}已于{date}召开“两委”会议进行研究，将结合实际逐步落实，有关"
        "进展会在公开栏公布。",
    ),
    REPORT: (
        "接到来信后，{who}会同监督委员会进行了核查，并将有关情况报告了{township}，核查结果"
        "将按规定公开。",
    ),
}
SECOND_REPLIES = (
    "您好！针对您对前次答复的意见，我单位再次组织人员进行了核实，并于{date}与您电话沟通，"
    "就有关情况作了进一步说明，后续将持续跟进。给您带来不便，敬请谅解。感谢您的监督！",
    "您好！收到您的评价后，我单位负责同志于{date}与您电话沟通，进一步了解了您的诉求，"
    "已补充落实相关措施。如仍有问题，请拨打{phone}与我们联系。",
)

REJECT_REASONS = (
    "来信反映的事项已进入诉讼程序，依法应通过司法途径解决，不属于信箱受理范围。",
    "来信为重复来信，相同事项已于此前答复，不再重复受理。",
    "来信未说明具体地点和事项，经多次电话联系未能联系上来信人，无法核实办理。",
    "来信事项已经信访复查终结，请按《信访工作条例》规定办理。",
    "来信内容不涉及公共事务或本单位职责，建议通过其他渠道反映。",
)
TRANSFER_NOTES = (
    "该事项属于{to}职责范围，已转{to}办理。",
    "经核实，来信反映的问题需由{to}牵头处理，现予转办。",
)
EXTEND_REASONS = (
    "涉及多个部门协调，需现场勘验后答复。",
    "需调取历史档案核实，申请延期答复。",
    "需进一步调查核实，申请延期答复。",
)
RATING_COMMENTS = {
    "satisfied": ("", "", "处理及时，谢谢！", "问题已经解决，感谢工作人员。", "答复很详细。"),
    "basic": ("", "基本解决了，希望以后多巡查。", "答复比较及时，但还需要跟进。"),
    "unsatisfied": ("", "问题没有真正解决。", "答复太笼统，没有说清楚。", "回复太慢了。"),
}

# The letter that tells demo_is_loaded() the demo's letters are there.
MARKER_SUBJECT = "建议为平岗社区健身广场加装夜间照明"
MARKER_BODY = (
    "您好！我是平岗社区的居民。社区健身广场每天晚上有很多居民跳舞、散步，但广场只有两盏灯，"
    "东边靠近篮球场的一片基本是黑的。上周还有老人在台阶那里绊了一跤。建议在广场加装几盏"
    "照明灯，方便大家晚上锻炼。"
)
MARKER_REPLY = (
    "您好！感谢您对平岗社区工作的关心和支持。接到来信后，社区于{date}安排网格员到健身广场"
    "实地查看，东侧篮球场附近确实照明不足。社区已协调五津街道办事处，在广场东侧新装了4盏"
    "太阳能照明灯，并在台阶处加装了警示标识，目前已投入使用。欢迎您继续监督我们的工作。"
)
MARKER_COMMENT = "晚上亮堂多了，谢谢社区！"


def letter_slots(
    rng: random.Random, *, place: str, township: str, county: str, rural: bool
) -> dict[str, str]:
    """The values a letter's phrases are filled with, for one writer's place."""
    group = f"{rng.randint(1, 12)}组"
    estate = rng.choice(ESTATES)
    spot, spot2 = rng.sample(RURAL_SPOTS if rural else URBAN_SPOTS, 2)
    return {
        "place": place,
        "township": township,
        "county": county,
        # A 街道 has a community health centre, a 镇 or 乡 its 卫生院.
        "clinic": township + ("社区卫生服务中心" if township.endswith("街道") else "卫生院"),
        "group": group,
        "estate": estate,
        "where": f"{place}{group}" if rural else estate,
        "road": place + rng.choice(RURAL_ROADS) if rural else rng.choice(ROADS),
        "spot": spot,
        "spot2": spot2,
        "shop": rng.choice(RURAL_SHOPS if rural else SHOPS),
        "when": rng.choice(WHEN),
        "lately": rng.choice(LATELY),
        "school": f"{county}{rng.choice(SCHOOLS)}",
        "n": str(rng.randint(2, 6)),
        "age": str(rng.randint(36, 58)),  # the writer's own age
        "old": str(rng.randint(80, 93)),  # an elderly parent or neighbour
        "year": str(rng.randint(1988, 2018)),
        "rural": "R" if rural else "U",
    }


def _fits(phrase: str, setting: str) -> bool:
    """Unmarked phrases fit anywhere; "U:" ones towns only, "R:" ones villages only."""
    return phrase[1:2] != ":" or phrase[0] == setting


def _bare(phrase: str) -> str:
    return phrase[2:] if phrase[1:2] == ":" else phrase


def letter_text(
    rng: random.Random, topic: Topic, type_: str, slots: dict[str, str]
) -> tuple[str, str, int]:
    """(subject, body, which subject): the subject with its opening sentence, maybe an
    extra detail, the ask, and maybe a greeting and a courtesy — two to five sentences."""
    subjects, details, asks = topic.letters[type_]
    setting = slots["rural"]
    fitting = [
        i
        for i in range(len(subjects))
        if _fits(subjects[i], setting) and _fits(details[i], setting)
    ]
    index = rng.choice(fitting or range(len(subjects)))
    extras = [d for d in details[len(subjects) :] if _fits(d, setting)]
    parts = [_bare(details[index])]
    if extras and rng.random() < 0.6:
        parts.append(_bare(rng.choice(extras)))
    parts.append(rng.choice(asks))
    if rng.random() < 0.5:
        openers = _RURAL_OPENERS if setting == "R" else _URBAN_OPENERS
        if "{where}" in parts[0] or "{place}" in parts[0]:  # it says where already
            openers = openers[-1:]
        parts.insert(0, rng.choice(openers))
    if rng.random() < 0.4:
        parts.append(rng.choice(_CLOSERS[type_]))
    subject = _bare(subjects[index]).format_map(slots)
    if subject == MARKER_SUBJECT:  # only the marker letter may carry it
        subject += "（再次反映）"
    return subject[:100], "".join(parts).format_map(slots), index


def reply_slots(
    slots: dict[str, str], *, handled_on: dt.date, phone: str, who: str, area: str
) -> dict[str, str]:
    """A letter's slots plus what a reply names: the day of handling, next month (for
    plans), the office's phone, who answers and whose work the writer cares about."""
    return {
        **slots,
        "date": f"{handled_on.month}月{handled_on.day}日",
        "month": str(handled_on.month % 12 + 1),
        "phone": phone or "12345",
        "who": who,
        "area": area,
    }


def reply_text(
    rng: random.Random,
    topic: Topic,
    type_: str,
    index: int,
    slots: dict[str, str],
    *,
    village: bool,
) -> str:
    """A polite official answer: greeting, what was done or what the rules say, courtesy.
    replies[index] answers subjects[index] when the topic pairs them (see `topics`)."""
    opener = rng.choice(_REPLY_OPENERS.get(type_, _DEFAULT_REPLY_OPENERS))
    if village and type_ != CONSULT:
        middle = rng.choice(_VILLAGE_REPLIES[type_])
    else:
        middles = topic.replies.get(type_) or next(iter(topic.replies.values()))
        paired = len(middles) == len(topic.letters[type_][0])
        middle = middles[index] if paired else rng.choice(middles)
    # Name the office's phone once.
    closer = rng.choice(_REPLY_CLOSERS[1:] if "{phone}" in middle else _REPLY_CLOSERS)
    return (opener + middle + closer).format_map({**slots, "name": topic.name})
