"""Published resources with the links a test names."""
from __future__ import annotations

from registry.resources.services import prepare_registration, register_resources
from tests.factories import ResourceDataFactory


def publish_with_links(db, world, department, *links: tuple[str, str | None]) -> int:
    """A published resource of ``department`` with one distribution per ``(access_url, download_url)``."""
    distributions = [{"title": "数据", "access_url": access, **({"download_url": download} if download else {}),
                      "format": "CSV", "media_type": "text/csv"} for access, download in links]
    doc = ResourceDataFactory(distributions=distributions)
    with db.transaction() as session:
        registration = prepare_registration(session, world.admin.user, {**doc, "provider": department.credit_code},
                                            check_permission=False)
        return register_resources(session, world.admin.user, [registration], publish=True)[0]
