"""The three assets (三资) of village collectives, kept by the township accounting centre.

"两取消、三统一": a village has no accountant and no bank account of its own; the
township's accounting agency centre (代理记账中心) keeps one account per collective
economic organisation (the village's, and each group's 组) and books every entry.
Entries are append-only: a correction is a new entry that points at the one it corrects.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Collective(models.Model):
    """A collective economic organisation (村/组集体经济组织) and its one account."""

    region = models.ForeignKey(
        "portal.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("村（社区）"),
    )
    # Empty for the village's own organisation; "3组" for a group's.
    group_name = models.CharField(_("村民小组"), max_length=40, blank=True)
    name = models.CharField(_("名称"), max_length=100)
    centre = models.ForeignKey(
        "portal.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("代理记账中心"),
    )
    # 报账员's petty-cash float: cash held above it is an anomaly.
    cash_float = models.DecimalField(
        _("备用金限额（元）"), max_digits=12, decimal_places=2, default=5000
    )
    opened_on = models.DateField(_("建账日期"))

    class Meta:
        verbose_name = _("集体经济组织")
        verbose_name_plural = _("集体经济组织")
        ordering = ["region", "group_name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "group_name"], name="collective_once"),
            models.CheckConstraint(condition=Q(cash_float__gte=0), name="collective_float"),
        ]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """A registered member of a collective (成员身份确认). The ID number is kept only as a
    keyed hash, to match a person asking to see vouchers, and a mask."""

    collective = models.ForeignKey(
        Collective,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("集体经济组织"),
    )
    real_name = models.CharField(_("姓名"), max_length=40)
    id_number_hash = models.CharField(max_length=64, editable=False)
    id_number_masked = models.CharField(_("身份证号码"), max_length=18, editable=False)
    group_name = models.CharField(_("村民小组"), max_length=40, blank=True)
    registered_on = models.DateField(_("确认日期"))

    class Meta:
        verbose_name = _("集体经济组织成员")
        verbose_name_plural = _("集体经济组织成员")
        ordering = ["collective", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collective", "id_number_hash"], name="member_once_per_collective"
            )
        ]
        indexes = [models.Index(fields=["id_number_hash"], name="member_id_hash")]

    def __str__(self) -> str:
        return f"{self.collective} · {self.id_number_masked}"


class SubjectKind(models.TextChoices):
    ASSET = "asset", _("资产类")
    LIABILITY = "liability", _("负债类")
    EQUITY = "equity", _("所有者权益类")
    COST = "cost", _("成本类")
    PROFIT = "profit", _("损益类")


class DisclosureCategory(models.TextChoices):
    """The eight categories of the 2011 rules on village finance disclosure."""

    PLAN = "plan", _("财务计划")
    INCOME = "income", _("各项收入")
    EXPENSE = "expense", _("各项支出")
    ASSETS = "assets", _("各项资产")
    RESOURCES = "resources", _("资源")
    DEBTS = "debts", _("债权债务")
    DISTRIBUTION = "distribution", _("收益分配")
    OTHER = "other", _("其他")


class AccountSubject(models.Model):
    """A line of the chart of accounts for village collective economic organisations
    (村集体经济组织会计制度), with the disclosure category its entries fall under."""

    code = models.CharField(_("科目编号"), max_length=8, primary_key=True)
    name = models.CharField(_("科目名称"), max_length=40)
    kind = models.CharField(_("类别"), max_length=16, choices=SubjectKind.choices)
    category = models.CharField(_("公开类别"), max_length=16, choices=DisclosureCategory.choices)

    class Meta:
        verbose_name = _("会计科目")
        verbose_name_plural = _("会计科目")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Direction(models.TextChoices):
    INCOME = "income", _("收入")
    EXPENSE = "expense", _("支出")


class LedgerEntry(models.Model):
    """One booked entry. Never edited: a correction is a new entry (`corrects`), with a
    negative amount to reverse the original when that is what it does."""

    collective = models.ForeignKey(
        Collective,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("集体经济组织"),
    )
    # Copied from the collective: the monitoring dashboards read a code range on this table.
    region = models.ForeignKey(
        "portal.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）")
    )
    booked_on = models.DateField(_("记账日期"))
    voucher_number = models.CharField(_("凭证号"), max_length=20)
    summary = models.CharField(_("摘要"), max_length=200)
    subject = models.ForeignKey(
        AccountSubject, on_delete=models.PROTECT, related_name="+", verbose_name=_("会计科目")
    )
    direction = models.CharField(_("收支"), max_length=8, choices=Direction.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    counterparty = models.CharField(_("往来单位或个人"), max_length=100, blank=True)
    counterparty_is_person = models.BooleanField(_("对方为个人"), default=False)
    handler = models.CharField(_("经办人"), max_length=40)
    approver = models.CharField(_("审批人"), max_length=40)
    reviewer = models.CharField(_("村务监督委员会审核人"), max_length=40, blank=True)
    decision = models.ForeignKey(
        "participation.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("村民（代表）会议决议"),
    )
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("更正的凭证"),
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记账会计"),
    )
    booked_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        ordering = ["collective", "booked_on", "id"]
        indexes = [
            models.Index(fields=["collective", "booked_on"], name="entry_collective_day"),
            models.Index(fields=["region", "booked_on"], name="entry_region_day"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["collective", "voucher_number"], name="entry_voucher_number_once"
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="entry_amount_not_zero"),
            # Only a correction may carry a negative (red) amount.
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(corrects__isnull=False),
                name="entry_negative_only_to_correct",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voucher_number} {self.summary}"


def voucher_path(instance: "Voucher", filename: str) -> str:
    # Private storage, random name: never under a public URL (served by funds.views).
    return f"private/vouchers/{instance.entry.collective_id}/{instance.token}"


class Voucher(models.Model):
    """A scanned original voucher (image or PDF) of an entry."""

    entry = models.ForeignKey(
        LedgerEntry,
        on_delete=models.PROTECT,
        related_name="vouchers",
        verbose_name=_("记账凭证"),
    )
    file = models.FileField(_("文件"), upload_to=voucher_path, max_length=200)
    token = models.CharField(max_length=32, editable=False)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("原始凭证")
        verbose_name_plural = _("原始凭证")
        ordering = ["entry", "id"]

    def __str__(self) -> str:
        return self.original_name


class AssetStatus(models.TextChoices):
    IN_USE = "in_use", _("在用")
    IDLE = "idle", _("闲置")
    LEASED = "leased", _("出租")
    DISPOSED = "disposed", _("已处置")


class FixedAsset(models.Model):
    collective = models.ForeignKey(
        Collective,
        on_delete=models.PROTECT,
        related_name="assets",
        verbose_name=_("集体经济组织"),
    )
    name = models.CharField(_("资产名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=40)
    value = models.DecimalField(_("原值（元）"), max_digits=14, decimal_places=2)
    location = models.CharField(_("坐落位置"), max_length=100)
    acquired_on = models.DateField(_("取得日期"))
    status = models.CharField(_("状态"), max_length=16, choices=AssetStatus.choices)
    lessee = models.CharField(_("承租方"), max_length=100, blank=True)
    lessee_is_person = models.BooleanField(_("承租方为个人"), default=False)
    lease_start = models.DateField(_("租期起"), null=True, blank=True)
    lease_end = models.DateField(_("租期止"), null=True, blank=True)
    annual_rent = models.DecimalField(
        _("年租金（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("固定资产")
        verbose_name_plural = _("固定资产")
        ordering = ["collective", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="asset_value_not_negative"),
            models.CheckConstraint(
                condition=~Q(status="leased")
                | (~Q(lessee="") & Q(lease_start__isnull=False) & Q(lease_end__isnull=False)),
                name="asset_lease_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ResourceKind(models.TextChoices):
    LAND = "land", _("集体土地")
    FOREST = "forest", _("林地")
    WATER = "water", _("水面")
    OTHER = "other", _("其他资源")


class Resource(models.Model):
    collective = models.ForeignKey(
        Collective,
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("集体经济组织"),
    )
    kind = models.CharField(_("资源类型"), max_length=16, choices=ResourceKind.choices)
    name = models.CharField(_("名称或坐落"), max_length=100)
    area = models.DecimalField(_("面积（亩）"), max_digits=10, decimal_places=2)
    holder = models.CharField(_("承包（租赁）方"), max_length=100, blank=True)
    holder_is_person = models.BooleanField(_("承包方为个人"), default=False)
    term_start = models.DateField(_("承包期起"), null=True, blank=True)
    term_end = models.DateField(_("承包期止"), null=True, blank=True)
    annual_rent = models.DecimalField(
        _("年租金（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("资源")
        verbose_name_plural = _("资源")
        ordering = ["collective", "kind", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(area__gt=0), name="resource_area_positive"),
            models.CheckConstraint(
                condition=Q(term_start__isnull=True)
                | Q(term_end__isnull=True)
                | Q(term_end__gte=models.F("term_start")),
                name="resource_term_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MonthlyStatement(models.Model):
    """A collective's month: income and expense by subject, balances, the eight disclosure
    categories; generated from the ledger and published as a disclosure record."""

    collective = models.ForeignKey(
        Collective,
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name=_("集体经济组织"),
    )
    region = models.ForeignKey(
        "portal.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）")
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    figures = models.JSONField(_("报表数据"), default=dict, editable=False)
    generated_at = models.DateTimeField(_("生成时间"))
    record = models.ForeignKey(
        "disclosure.Record",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("公开信息"),
    )
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("月度财务公开表")
        verbose_name_plural = _("月度财务公开表")
        ordering = ["collective", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["collective", "month"], name="statement_once"),
            models.CheckConstraint(
                condition=Q(month__day=1), name="statement_month_starts_on_first"
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(record__isnull=False),
                name="statement_published_has_record",
            ),
        ]
        indexes = [models.Index(fields=["region", "month"], name="statement_region_month")]

    def __str__(self) -> str:
        return f"{self.collective} {self.month:%Y-%m}"


class LedgerImport(models.Model):
    """An Excel workbook of entries from the centre: all rows valid, or nothing booked."""

    collective = models.ForeignKey(
        Collective,
        on_delete=models.PROTECT,
        related_name="imports",
        verbose_name=_("集体经济组织"),
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    rows = models.PositiveIntegerField(_("行数"))
    booked = models.PositiveIntegerField(_("已入账"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("导入人"),
    )
    uploaded_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("账簿导入")
        verbose_name_plural = _("账簿导入")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.collective} · {self.file_name}"
