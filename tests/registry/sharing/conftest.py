"""What the sharing tests share: resources of department B of every sharing type, and a clock."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from registry.db import utcnow
from registry.sharing.workdays import local_date
from registry.resources.services import prepare_registration, register_resources
from tests.factories import ResourceDataFactory

ITEMS = ["统一社会信用代码", "企业名称", "成立日期", "注册资本"]


def publish(db, department, **traits) -> int:
    """A published database resource of ``department`` with the four data items of :data:`ITEMS`."""
    with db.transaction() as session:
        registration = prepare_registration(session, None, {**ResourceDataFactory(database=True, **traits),
                                                            "provider": department.credit_code},
                                            check_permission=False)
        return register_resources(session, None, [registration], publish=True)[0]


@pytest.fixture
def shared(db, world) -> dict[str, int]:
    """Resource ids of department B by sharing type: unconditional, conditional, none."""
    return {"unconditional": publish(db, world.dept_b), "conditional": publish(db, world.dept_b, conditional_share=True),
            "none": publish(db, world.dept_b, not_shared=True)}


def in_days(days: int) -> str:
    """The catalog's day (Beijing time) ``days`` from today, as ISO text."""
    return (local_date(utcnow()) + timedelta(days=days)).isoformat()


def request_body(resource_id: int, **overrides) -> dict:
    return {"resource": resource_id, "purpose": "企业开办一网通办的身份核验。", "legal_basis": "《优化营商环境条例》第十九条。",
            "items": ITEMS[:2], "period_end": in_days(365), **overrides}


def at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    """A moment of the catalog's day ``y-m-d`` (Beijing time ``hour``:00), as UTC."""
    return datetime(y, m, d, hour, tzinfo=timezone(timedelta(hours=8))).astimezone(timezone.utc)
