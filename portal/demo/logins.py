"""The demo logins, importable without Django set up (the run script prints them)."""

# Every demo login uses this password; the run script prints it with DEMO_LOGINS.
DEMO_PASSWORD = "Demo-2026-portal"  # noqa: S105 - documented demo credential  # nosec B105

# (username, role, what the login can do): printed by the run script.
DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("admin", "平台管理员", "管理全部单位、人员、区划、标准目录和节假日安排"),
    (
        "village_official",
        "平岗社区居民委员会 单位管理员",
        "发布和审核本社区公开信息、办理来信、维护本单位人员、核实居民身份；"
        "发起投票、评议和民意征集，录入纸质选票，记录四议两公开和会议，审核邻里互助",
    ),
    ("township_official", "新津区五津街道办事处 信息员", "起草公开信息并提交审核，办理来信"),
    ("county_official", "新津区教育局 审核员", "审核本单位公开信息"),
    (
        "supervisor",
        "新津区监督人员",
        "/supervision/disclosure/、/supervision/letters/ 与 /supervision/participation/："
        "新津区公开及时率、超期来信、连续两年评议不满意的干部",
    ),
    ("city_supervisor", "成都市监督人员", "全市公开及时率、超期来信和操作日志"),
    (
        "resident",
        "平岗社区居民（已核实，户代表、居民代表）",
        "可见本社区仅限居民的公开信息；在进行中的投票、评议和民意征集中参与，发布邻里互助",
    ),
    ("citizen", "注册公众用户", "写信、查看本人来信、申请村（居）民身份"),
    (
        "accountant",
        "五津街道农村集体经济组织代理记账中心 会计",
        "为五津街道各村（社区）集体经济组织记账、上传原始凭证、导入账簿、生成和公开月度财务报表",
    ),
]
