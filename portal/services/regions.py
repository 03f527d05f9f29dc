from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal import hierarchy
from portal.models import AuditAction, Region
from portal.services.audit import audit_record


@dataclass
class ImportReport:
    created: int
    updated: int
    unchanged: int


def parse_division_csv(text: str) -> list[tuple[str, str]]:
    """Rows of (code, name) from a CSV with those two columns; a header row is allowed.

    Every problem is collected with its line number, so one run tells the operator
    everything to fix, and nothing is written while any problem remains.
    """
    rows: list[tuple[str, str]] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for line_no, row in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 2:
            errors.append(_("第%(line)d行：应有“代码,名称”两列。") % {"line": line_no})
            continue
        code, name = row[0].strip(), row[1].strip()
        if line_no == 1 and not code.isdigit():
            continue  # header
        if len(code) < 12 and code.isdigit():
            code = hierarchy.pad_code(code)  # 6-digit GB/T 2260 codes are accepted
        if not hierarchy.is_valid_code(code):
            errors.append(
                _("第%(line)d行：“%(code)s”不是有效的12位区划代码。")
                % {"line": line_no, "code": code}
            )
            continue
        if not name:
            errors.append(_("第%(line)d行：名称不能为空。") % {"line": line_no})
            continue
        if code in seen:
            errors.append(
                _("第%(line)d行：代码%(code)s与第%(first)d行重复。")
                % {"line": line_no, "code": code, "first": seen[code]}
            )
            continue
        seen[code] = line_no
        rows.append((code, name[:64]))
    if errors:
        raise ValidationError(errors)
    return rows


@transaction.atomic
def divisions_import(*, rows: list[tuple[str, str]], actor: Any, source: str) -> ImportReport:
    """Create or rename places from an official division list, parents before children.

    A place whose parent is neither in the list nor already known is refused, so the
    tree never has holes.
    """
    incoming = dict(rows)
    existing = {r.code: r for r in Region.objects.filter(code__in=list(incoming))}
    known_parents = set(
        Region.objects.filter(
            code__in={hierarchy.parent_code(c) for c in incoming} - {None}
        ).values_list("code", flat=True)
    )
    errors = []
    for code in incoming:
        parent = hierarchy.parent_code(code)
        if parent and parent not in incoming and parent not in known_parents:
            errors.append(
                _("%(code)s %(name)s：上级区划%(parent)s不在文件中，也未导入。")
                % {"code": code, "name": incoming[code], "parent": parent}
            )
    if errors:
        raise ValidationError(errors)

    created = updated = unchanged = 0
    new_regions: list[Region] = []
    changed: list[Region] = []
    for code in sorted(incoming, key=lambda c: (len(hierarchy.prefix_of(c)), c)):
        name = incoming[code]
        region = existing.get(code)
        if region is None:
            new_regions.append(
                Region(
                    code=code,
                    name=name,
                    tier=hierarchy.tier_of(code),
                    parent_id=hierarchy.parent_code(code),
                )
            )
            created += 1
        elif region.name != name or not region.is_active:
            region.name, region.is_active = name, True
            changed.append(region)
            updated += 1
        else:
            unchanged += 1
    # Sorted by depth, so each batch's parents are already in the table.
    Region.objects.bulk_create(new_regions, batch_size=2000)
    Region.objects.bulk_update(changed, ["name", "is_active"], batch_size=2000)
    root = Region.objects.filter(
        code=min(incoming, key=lambda c: len(hierarchy.prefix_of(c)))
    ).first()
    if root is not None and (created or updated):
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=root,
            changes={"created": [0, created], "updated": [0, updated]},
            note=_("从%(source)s导入区划") % {"source": source},
        )
    return ImportReport(created=created, updated=updated, unchanged=unchanged)
