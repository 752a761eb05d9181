"""Where harvested resources came from, told to the registry (:mod:`registry.resources.origins`)
for the history API and the RDF pages, which show each harvested resource's source and original."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from harvesters.models import HarvestRecord, HarvestSource


def harvest_origins(session: Session, resource_ids: list[int]) -> dict[int, dict]:
    """Resource id → source name and address, original identifier, time of the last harvest that changed it."""
    rows = session.execute(select(HarvestRecord.resource_id, HarvestRecord.original_id, HarvestRecord.harvested_at,
                                  HarvestSource.name, HarvestSource.url)
                           .join(HarvestSource, HarvestSource.id == HarvestRecord.source_id)
                           .where(HarvestRecord.resource_id.in_(resource_ids)))
    return {r.resource_id: {"original": r.original_id, "source_name": r.name, "source_url": without_secrets(r.url),
                            "harvested_at": r.harvested_at} for r in rows}


def without_secrets(url: str) -> str:
    """A source address as it may be shown: no user, password or query (sources put access keys there)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
