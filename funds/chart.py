"""The chart of accounts of village collective economic organisations (村集体经济组织会计
制度, 财会〔2004〕12号), with the disclosure category of the 2011 rules each subject's
entries are published under. Loaded by migration 0002 (and `chart_load`); `CASH` is
the 报账员's float."""

from __future__ import annotations

CASH = "101"
BANK = "102"
SPECIAL_PAYABLE = "241"

# (code, name, kind, disclosure category)
CHART: tuple[tuple[str, str, str, str], ...] = (
    ("101", "现金", "asset", "assets"),
    ("102", "银行存款", "asset", "assets"),
    ("111", "短期投资", "asset", "assets"),
    ("112", "应收款", "asset", "debts"),
    ("113", "内部往来", "asset", "debts"),
    ("121", "库存物资", "asset", "assets"),
    ("131", "牲畜（禽）资产", "asset", "assets"),
    ("132", "林木资产", "asset", "assets"),
    ("141", "长期投资", "asset", "assets"),
    ("151", "固定资产", "asset", "assets"),
    ("152", "累计折旧", "asset", "assets"),
    ("153", "固定资产清理", "asset", "assets"),
    ("154", "在建工程", "asset", "assets"),
    ("201", "短期借款", "liability", "debts"),
    ("202", "应付款", "liability", "debts"),
    ("211", "应付工资", "liability", "debts"),
    ("212", "应付福利费", "liability", "debts"),
    ("221", "长期借款及应付款", "liability", "debts"),
    ("231", "一事一议资金", "liability", "other"),
    ("241", "专项应付款", "liability", "other"),
    ("301", "资本", "equity", "assets"),
    ("311", "公积公益金", "equity", "distribution"),
    ("321", "本年收益", "equity", "distribution"),
    ("322", "收益分配", "equity", "distribution"),
    ("401", "生产（劳务）成本", "cost", "expense"),
    ("501", "经营收入", "profit", "income"),
    ("502", "经营支出", "profit", "expense"),
    ("511", "发包及上交收入", "profit", "income"),
    ("521", "农业税附加返还收入", "profit", "income"),
    ("522", "补助收入", "profit", "income"),
    ("531", "其他收入", "profit", "income"),
    ("541", "管理费用", "profit", "expense"),
    ("551", "其他支出", "profit", "expense"),
    ("561", "投资收益", "profit", "income"),
)


def chart_load() -> int:
    """Put the chart into the database where rows are missing (one statement); returns
    how many were added. Migration 0002 loads it; the demo and the tests call this because
    a transactional test empties every table, the chart included."""
    from funds.models import AccountSubject

    before = AccountSubject.objects.count()
    AccountSubject.objects.bulk_create(
        [
            AccountSubject(code=code, name=name, kind=kind, category=category)
            for code, name, kind, category in CHART
        ],
        ignore_conflicts=True,
    )
    return AccountSubject.objects.count() - before
