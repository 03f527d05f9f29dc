"""The demo logins, importable without Django set up (the run script prints them)."""

# Every demo login uses this password; the run script prints it with DEMO_LOGINS.
DEMO_PASSWORD = "Demo-2026-portal"  # noqa: S105 - documented demo credential

# (username, role, what the login can do): printed by the run script.
DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("admin", "平台管理员", "管理全部单位、人员、区划和节假日安排"),
    (
        "village_official",
        "平岗社区居民委员会 单位管理员",
        "维护本单位信息和工作人员，核实居民身份申请",
    ),
    ("township_official", "新津区五津街道办事处 信息员", "本单位编辑权限"),
    ("county_official", "新津区教育局 审核员", "本单位审核权限"),
    ("supervisor", "新津区监督人员", "后台查看新津区内全部单位、居民身份申请和操作日志"),
    ("city_supervisor", "成都市监督人员", "后台查看全市全部单位、居民身份申请和操作日志"),
    ("resident", "平岗社区居民（已核实）", "本社区已核实居民身份"),
    ("citizen", "注册公众用户", "查看本人账户，申请村（居）民身份"),
]
