"""The words of the demo's requests for information: what people ask each kind of unit
for, who the organisations are, and what the units answer (the reply texts cite the
articles of the OGI Regulations (2019) behind each type of reply)."""

from __future__ import annotations

from disclosure.models.requests import Outcome

# What people ask for, by the unit they ask (the unit's name without "新津区"/"成都市";
# "township" for a township office). Placeholders: {year} {village} {group} {township}
# {road} {project} {company} {plot} {school} {estate}.
TOPICS: dict[str, tuple[str, ...]] = {
    "人民政府": (
        "申请公开{township}{village}{group}集体土地征收补偿安置方案及其批复文件",
        "申请公开{road}片区国有土地上房屋征收决定及征收补偿方案（{year}年）",
        "申请公开{year}年新津区重大行政决策事项目录及{project}的决策依据",
        "申请公开《新津区{year}年国民经济和社会发展计划执行情况》全文",
        "申请公开新津区人民政府关于{project}的批复文件",
        "申请公开本人房屋所在{village}{group}被征收土地的农用地转用和土地征收批复",
        "申请公开{year}年新津区人民政府与{company}签订的{project}投资协议中的公共事项部分",
    ),
    "规划和自然资源局": (
        "申请公开{township}{village}{group}集体土地征收的“一书四方案”及征地公告",
        "申请公开{plot}国有建设用地使用权出让合同及规划条件",
        "申请公开{project}建设工程规划许可证及附图",
        "申请公开{village}{year}年宅基地审批台账",
        "申请公开{township}国土空间总体规划（2021—2035年）的批复文件",
        "申请公开{plot}土地征收勘测定界图及地类认定材料",
    ),
    "住房和城乡建设局": (
        "申请公开{road}改造工程的招标文件和中标结果",
        "申请公开{project}的施工许可证及竣工验收备案表",
        "申请公开{year}年{township}老旧小区改造项目实施方案及资金安排",
        "申请公开{estate}商品房预售许可证及预售资金监管账户信息",
        "申请公开{estate}住宅专项维修资金{year}年的使用情况",
    ),
    "生态环境局": (
        "申请公开{year}年{project}环境影响报告表及环评批复",
        "申请公开对{company}的行政处罚决定书（{year}年）",
        "申请公开{township}{village}附近养殖场的排污许可证及{year}年监督性监测数据",
        "申请公开{year}年新津区地表水断面水质监测月报",
    ),
    "交通运输局": (
        "申请公开{road}路段改造工程的立项批复、招标文件和中标结果",
        "申请公开新津区{year}年农村公路建设计划及{village}通组路项目资金拨付情况",
        "申请公开{road}公交线路调整的论证材料和征求意见情况",
    ),
    "民政局": (
        "申请公开{year}年{township}城乡低保对象名单及审核审批材料",
        "申请公开新津区{year}年特困人员基本生活标准调整的文件",
        "申请公开{village}养老服务站建设项目资金使用情况",
        "申请公开{year}年新津区临时救助资金发放情况",
    ),
    "人力资源和社会保障局": (
        "申请公开{village}{group}被征地农民养老保障人员名单中本人所在组部分",
        "申请公开新津区{year}年事业单位公开招聘拟聘用人员名单及考试成绩",
        "申请公开对{company}拖欠农民工工资投诉的处理结果",
    ),
    "农业农村局": (
        "申请公开{year}年耕地地力保护补贴发放标准及{village}发放名单",
        "申请公开{village}高标准农田建设项目（{year}年）的招标和验收材料",
        "申请公开{year}年新津区农机购置补贴公示名单",
    ),
    "财政局": (
        "申请公开新津区{year}年部门预算和“三公”经费预算",
        "申请公开{project}财政资金拨付情况",
    ),
    "教育局": (
        "申请公开{year}年{township}小学招生划片范围及确定依据",
        "申请公开{school}{year}年校服采购的招标文件和中标结果",
    ),
    "市场监督管理局": (
        "申请公开对{company}的投诉举报处理结果（{year}年）",
        "申请公开{year}年新津区食品安全监督抽检结果",
    ),
    "卫生健康局": (
        "申请公开{year}年新津区医疗机构校验结果",
        "申请公开{township}社区卫生服务中心{year}年基本公共卫生服务项目资金使用情况",
    ),
    "综合行政执法局": (
        "申请公开对{road}违法建筑的调查处理结果及限期拆除决定书",
        "申请公开{year}年{road}占道经营整治的执法检查记录",
    ),
    "行政审批局": (
        "申请公开{company}{project}的备案信息及审批文件",
        "申请公开{year}年{project}的施工图审查合格书",
    ),
    "发展和改革局": (
        "申请公开{project}可行性研究报告的批复",
        "申请公开新津区{year}年重点项目计划",
    ),
    "水务局": (
        "申请公开{village}段河道整治工程的设计方案及验收报告",
        "申请公开{year}年{township}农村饮水安全巩固提升工程的建设资金安排",
    ),
    "应急管理局": ("申请公开{company}{year}年生产安全事故调查报告",),
    "公安局新津区分局": ("申请公开{road}路口电子警察设置的审批依据和设置时间",),
    "township": (
        "申请公开本村{year}年低保评审材料（民主评议记录和公示名单）",
        "申请公开{village}{year}年村级公共服务和社会管理专项资金使用情况",
        "申请公开{village}{group}土地流转合同及租金分配方案",
        "申请公开{village}集体经济组织{year}年度收益分配方案",
        "申请公开{township}{year}年度农村危房改造对象名单及补助标准",
        "申请公开{village}人居环境整治项目的招标文件和中标结果",
        "申请公开{road}拆迁安置房分配方案及摇号结果",
        "申请公开{village}{group}被征地人员名单及安置补助费发放明细",
    ),
    # City departments that 新津区's people also ask.
    "成都市规划和自然资源局": (
        "申请公开新津区{township}（{plot}）建设用地的土地征收批复",
        "申请公开成都市{year}年度新津区建设用地指标下达文件",
    ),
    "成都市生态环境局": ("申请公开{project}环境影响评价文件的批复（{year}年）",),
    "成都市住房和城乡建设局": ("申请公开成都市{year}年城市更新项目计划中涉及新津区的项目清单",),
    "成都市交通运输局": ("申请公开{road}至天府新区快速通道工程的初步设计批复",),
    "成都市人力资源和社会保障局": ("申请公开成都市{year}年最低工资标准调整的文件及测算依据",),
}

# Applications whose very subject fixes the reply (a complaint in the form of a request,
# a published book, a confirmation …).
OUTCOME_TOPICS: dict[str, tuple[str, ...]] = {
    Outcome.NOT_PROCESSED_COMPLAINT: (
        "要求查处{company}夜间施工噪声扰民问题并公开处理结果",
        "反映{village}{group}土地被违规占用，要求调查处理并答复",
        "举报{road}一商铺违规占道经营，要求公开查处情况",
    ),
    Outcome.NOT_PROCESSED_PUBLICATION: (
        "申请提供《新津年鉴（{year}）》一册",
        "申请提供{year}年《成都市人民政府公报》第5期纸质版",
    ),
    Outcome.NOT_PROCESSED_CONFIRM: (
        "要求对此前答复提供的{plot}征地批复复印件加盖公章后重新出具",
        "要求确认{year}年已获取的{village}征地补偿标准文件的真实性",
    ),
    Outcome.NOT_PROCESSED_MASS: (
        "申请公开{year}年以来本机关全部会议纪要、全部收发文登记簿和全部财政支出凭证",
    ),
    Outcome.REFUSED_QUERY: (
        "申请公开{company}的工商登记档案（股东及出资情况）",
        "申请公开{village}{group}某户房屋的不动产登记资料",
    ),
    Outcome.UNABLE_NEEDS_CREATION: (
        "申请公开本机关{year}年以来各类项目资金按乡镇（街道）、按年度的统计分析汇总表",
        "申请公开本机关近五年办理事项数量与办理时长的对比分析",
    ),
    Outcome.REFUSED_STATE_SECRET: ("申请公开新津区{year}年人民防空工程布局规划图",),
    Outcome.REFUSED_SAFETY: ("申请公开{road}天然气门站的安全评估报告及管网布设图",),
    Outcome.REFUSED_INTERNAL: ("申请公开{year}年本机关干部考核评分细则及个人考核结果",),
    Outcome.REFUSED_PROCESS: ("申请公开{project}方案研究过程中的内部讨论记录和请示",),
    Outcome.REFUSED_ENFORCEMENT: ("申请公开对{company}行政处罚案件的全部案卷材料（含询问笔录）",),
}

# The units that are asked such things (the rest get their own topics with that reply).
OUTCOME_TOPIC_UNITS: dict[str, tuple[str, ...]] = {
    Outcome.REFUSED_QUERY: ("规划和自然资源局", "市场监督管理局", "行政审批局"),
    Outcome.REFUSED_ENFORCEMENT: ("生态环境局", "市场监督管理局", "综合行政执法局", "应急管理局"),
    Outcome.REFUSED_SAFETY: ("人民政府", "住房和城乡建设局", "应急管理局"),
    Outcome.REFUSED_STATE_SECRET: ("人民政府",),
}

# Corrected applications: still unclear, or made clear.
UNCLEAR_TOPICS = ("申请公开有关我家的所有文件", "申请公开关于征地的所有材料")

ROADS = (
    "五津路", "顺江路", "希望路", "兴园大道", "迎宾大道", "金桂街", "清源路", "滨江路",
    "花源大道", "安西街", "白云大道", "南河路", "老码头街", "梨花大道",
)  # fmt: skip
PROJECTS = (
    "天府农业博览园配套道路工程", "花源街道污水处理厂提标改造项目",
    "安西镇农村饮水安全巩固提升工程",
    "兴园大道南延线建设工程", "五津街道老旧小区改造工程", "新津区体育中心建设项目",
    "南河生态修复工程", "新津区第二人民医院迁建项目", "梨花溪景区提升工程",
    "物流园区三期项目", "杨柳河综合整治工程", "新津区城乡公交一体化项目",
)  # fmt: skip
ESTATES = ("滨江苑", "梨花苑", "金桂苑", "和美家园", "锦绣花园", "南河湾小区", "天府名居")
SCHOOLS = ("五津小学", "花源小学", "安西镇中心小学", "新津区实验中学", "新津区第一中学")
COMPANY_WORDS = (
    "锦程", "天府", "蜀信", "恒达", "华西", "瑞丰", "金穗", "川兴", "和润", "宏图", "立信",
    "广汇", "明德", "致远", "安和", "嘉禾", "新源", "润泽", "同创", "长宏",
)  # fmt: skip
COMPANY_TRADES = (
    "建筑工程有限公司", "农业开发有限公司", "房地产开发有限公司", "物流有限公司",
    "环保科技有限公司", "建材有限公司", "食品有限公司", "置业有限公司",
)  # fmt: skip
# Applicant organisations by type: (name pattern, registration authority and kind, the
# first two characters of the unified social credit code; "" for none).
ORGANISATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "commercial": (
        ("四川{word}{trade}", "91"),
        ("成都{word}{trade}", "91"),
        ("成都市新津区{word}{trade}", "91"),
    ),
    "research": (
        ("四川{word}城乡规划研究院", "12"),
        ("成都{word}生态环境研究所", "12"),
    ),
    "public_interest": (
        ("成都市{word}环保公益发展中心", "52"),
        ("新津区{word}社会工作服务中心", "52"),
    ),
    "legal_service": (
        ("四川{word}律师事务所", "31"),
        ("四川{word}律师事务所成都分所", "31"),
    ),
    "other": (
        ("{village}股份经济合作联合社", "N2"),
        ("{estate}业主委员会", ""),  # no credit code of its own
    ),
}

CORRECTION_NOTICES = (
    "您的申请中“所需信息的名称、文号或者便于查询的其他特征性描述”不够明确，无法确定具体的"
    "政府信息。请补充所需信息涉及的地块名称或位置、项目名称及大致形成时间。",
    "您申请的内容涉及多个事项，请按照一事一申请的原则分别提出，或明确本次申请所需的具体信息。",
    "请补充您申请获取信息的具体时间范围及所涉村（社区）、组的名称。",
)
CORRECTED_NOTES = (
    "补正：所需信息为{village}{group}{year}年的征地批复及补偿安置方案。",
    "补正：本次仅申请{year}年形成的相关文件，涉及{village}。",
    "补正：所需信息为{project}的批复文件。",
)
EXTENSION_REASONS = (
    "申请公开的信息数量较多，需要调取历史档案并逐件审查，经本机关政府信息公开工作机构负责人"
    "同意，延长答复期限。",
    "所申请信息涉及多个科室和下属单位，需要协调汇总，经负责人同意，延长答复期限。",
    "所申请信息需要进行保密审查和个人信息区分处理，经负责人同意，延长答复期限。",
)
THIRD_PARTY_OPINIONS = (
    "不同意公开，相关内容涉及本公司商业秘密。",
    "同意公开。",
    "同意公开，但请对个人身份证号码和联系方式作区分处理。",
    "逾期未提出意见。",
)

# The unit's own answer; the reply letter adds the remedies.
REPLIES: dict[str, tuple[str, ...]] = {
    Outcome.PUBLIC: (
        "经审查，您申请获取的信息属于公开范围，根据《中华人民共和国政府信息公开条例》第三十六条"
        "第（二）项的规定，现予以公开，相关信息已按您选择的方式提供，请查收。",
        "经查，您申请获取的信息由本机关制作并保存，属于应当公开的政府信息，现向您提供。",
    ),
    Outcome.ALREADY_PUBLIC: (
        "您申请获取的信息已由本机关主动公开，根据《中华人民共和国政府信息公开条例》第三十六条"
        "第（一）项的规定，您可登录成都市基层政务公开平台，在本机关“法定主动公开内容”栏目中查阅。",
        "该信息已于此前在本机关政府信息公开专栏主动公开，您可通过平台检索标题查阅获取。",
    ),
    Outcome.PARTIAL: (
        "经审查，您申请获取的信息中含有他人姓名、身份证号码、联系方式等个人信息，公开会对第三方"
        "合法权益造成损害。根据《中华人民共和国政府信息公开条例》第十五条、第三十七条的规定，"
        "本机关对上述内容作区分处理后，向您提供其余部分。",
        "您申请的信息中，{part}部分属于过程性信息，不予公开；其余部分予以公开，详见附件。",
    ),
    Outcome.REFUSED_STATE_SECRET: (
        "经审查，您申请获取的信息经依法确定为国家秘密，根据《中华人民共和国政府信息公开条例》"
        "第十四条、第三十六条第（三）项的规定，不予公开。",
    ),
    Outcome.REFUSED_LAW: (
        "您申请获取的信息属于法律、行政法规禁止公开的信息，根据《中华人民共和国政府信息公开条例》"
        "第十四条的规定，不予公开。",
    ),
    Outcome.REFUSED_SAFETY: (
        "经审查，您申请获取的信息公开后可能危及公共安全和社会稳定，根据《中华人民共和国政府信息"
        "公开条例》第十四条的规定，不予公开。",
    ),
    Outcome.REFUSED_THIRD_PARTY: (
        "经征求第三方意见，第三方不同意公开，且相关信息涉及其商业秘密，不公开不会对公共利益造成"
        "重大影响。根据《中华人民共和国政府信息公开条例》第十五条、第三十二条的规定，不予公开。",
    ),
    Outcome.REFUSED_INTERNAL: (
        "您申请获取的信息属于本机关的人事管理等内部事务信息，根据《中华人民共和国政府信息公开"
        "条例》第十六条第一款的规定，可以不予公开。",
    ),
    Outcome.REFUSED_PROCESS: (
        "您申请获取的信息属于行政机关在履行行政管理职能过程中形成的讨论记录、请示报告等过程性"
        "信息，根据《中华人民共和国政府信息公开条例》第十六条第二款的规定，可以不予公开。",
    ),
    Outcome.REFUSED_ENFORCEMENT: (
        "您申请获取的信息属于行政执法案卷信息，根据《中华人民共和国政府信息公开条例》第十六条"
        "第二款的规定，可以不予公开。",
    ),
    Outcome.REFUSED_QUERY: (
        "您申请获取的信息属于有关法律、行政法规对信息获取有特别规定的登记资料，根据《中华人民"
        "共和国政府信息公开条例》第三十六条第（七）项的规定，请您依照相关规定到登记机构查询。",
    ),
    Outcome.UNABLE_NOT_HELD: (
        "经检索，本机关未制作或获取您申请公开的信息，该信息不存在。根据《中华人民共和国政府信息"
        "公开条例》第三十六条第（四）项的规定，特此告知。",
        "您申请公开的信息不属于本机关负责公开。根据《中华人民共和国政府信息公开条例》第三十六条"
        "第（五）项的规定，该信息由{body}负责公开，请您向其提出申请。",
    ),
    Outcome.UNABLE_NEEDS_CREATION: (
        "您申请的信息需要本机关对现有政府信息进行加工、分析后另行制作，根据《中华人民共和国政府"
        "信息公开条例》第三十八条的规定，本机关不予提供。",
    ),
    Outcome.UNABLE_UNCLEAR: (
        "本机关已于此前告知您补正，但补正后的申请内容仍不明确，无法确定所需的政府信息。根据"
        "《中华人民共和国政府信息公开条例》第三十条的规定，本机关无法提供。",
    ),
    Outcome.NOT_PROCESSED_COMPLAINT: (
        "您以政府信息公开申请的形式反映的问题属于信访、投诉、举报事项，根据《中华人民共和国政府"
        "信息公开条例》第三十九条第一款的规定，请您通过12345热线或信访渠道提出，本机关不作为"
        "政府信息公开申请处理。",
    ),
    Outcome.NOT_PROCESSED_REPEAT: (
        "本机关已就您此前提出的相同申请作出答复，根据《中华人民共和国政府信息公开条例》第三十六条"
        "第（六）项的规定，不予重复处理。",
    ),
    Outcome.NOT_PROCESSED_PUBLICATION: (
        "您要求提供的是公开出版物，根据《中华人民共和国政府信息公开条例》第三十九条第二款的规定，"
        "您可到新津区图书馆或档案馆查阅，也可通过公开发行渠道购买。",
    ),
    Outcome.NOT_PROCESSED_MASS: (
        "您的申请数量和频次明显超过合理范围，且未说明理由。根据《中华人民共和国政府信息公开条例》"
        "第三十五条的规定，本机关不予处理。",
    ),
    Outcome.NOT_PROCESSED_CONFIRM: (
        "您要求本机关确认或重新出具已获取的信息，不属于《中华人民共和国政府信息公开条例》规定的"
        "政府信息公开申请，根据第三十九条的规定，不作为政府信息公开申请处理。",
    ),
}
PARTS = ("会议讨论记录", "内部请示", "评审专家个人意见")

# Bodies that do hold what a unit does not ("not ours": name the right one).
COMPETENT_BODIES = (
    "新津区规划和自然资源局", "新津区住房和城乡建设局", "新津区民政局",
    "新津区农业农村局", "成都市规划和自然资源局", "新津区人民政府",
)  # fmt: skip

WITHDRAW_REASONS = (
    "已通过其他途径获取所需信息",
    "问题已经解决，不再需要",
    "申请内容有误，将重新提出",
)
FEE_BASES = (
    "按量计收：答复提供信息共45页，超出30页的15页按每页10元计收"
    "（《政府信息公开信息处理费管理办法》）。",
    "按件计收：同一申请人一个自然月内申请第11件起按每件100元计收"
    "（《政府信息公开信息处理费管理办法》）。",
)
FEE_AMOUNTS = ("150.00", "100.00")

CHALLENGE_NOTES = {
    "upheld": "复议机关维持原答复。",
    "corrected": "责令重新答复；已于期限内重新作出答复。",
    "other": "申请人撤回复议申请，复议终止。",
    "pending": "",
}
LITIGATION_NOTES = {
    "upheld": "法院判决驳回原告诉讼请求。",
    "corrected": "法院判决撤销原答复，责令重新答复。",
    "other": "原告撤诉，法院裁定准许。",
    "pending": "",
}
