"""What the evaluation tests share: published resources of a department, published when the test says."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import update

from registry.resources.models import Resource
from registry.resources.services import prepare_registration, register_resources
from tests.factories import ResourceDataFactory


@pytest.fixture
def publish(db):
    """``publish(department, published_at=…, **fields)`` → the new published resource's id."""
    def make(department, published_at: datetime | None = None, **fields) -> int:
        with db.transaction() as session:
            registration = prepare_registration(session, None, {**ResourceDataFactory(**fields),
                                                                "provider": department.credit_code},
                                                check_permission=False)
            (resource_id,) = register_resources(session, None, [registration], publish=True, comment="test")
            if published_at is not None:
                session.execute(update(Resource).where(Resource.id == resource_id)
                                .values(published_at=published_at))
        return resource_id
    return make
