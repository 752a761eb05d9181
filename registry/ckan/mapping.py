"""From govcat's resources and departments to CKAN's packages, resources, groups and organizations.

CKAN clients and harvesters expect CKAN's field names and shapes; this module is the one place that
decides how a resource (信息资源) becomes a package and a department an organization.  What CKAN
has no field for travels in ``extras`` under stable snake_case keys (the compilation guide's core
elements: resource code, classification, sharing, opening, update frequency …), with the keys
CKAN's DCAT mapping uses where one exists (``identifier``, ``issued``, ``temporal_start``, ``contact_name``),
so that a CKAN harvester that knows DCAT maps them without help.

Names are derived, stable and URL-safe: a package is named after its resource code
(``102/000001`` → ``102-000001``), an organization after its credit code in lower case, an EU
theme group after its code in lower case, and a classification group after its code.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

from vocab import enumerations as v
from vocab.codes import parse_resource_code
from registry.departments.models import Department
from registry.search.documents import classification_path


def package_name(code: str) -> str:
    return code.replace("/", "-")


def code_from_name(name: str) -> str | None:
    """The resource code a package name (or the code itself) stands for, or ``None``."""
    head, sep, tail = name.strip().rpartition("-")
    code = f"{head}/{tail}" if sep else name.strip()
    return code if parse_resource_code(code) is not None else None


def organization_name(credit_code: str) -> str:
    return credit_code.lower()


def ckan_time(value) -> str | None:
    """CKAN's timestamps: ISO 8601 in UTC without an offset (``2024-05-01T08:00:00.123456``)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat()


def level_label(level: str) -> str:
    return v.ADMINISTRATIVE_LEVELS[level].zh if level in v.ADMINISTRATIVE_LEVELS else level


def organization_summary(department: Department) -> dict:
    """The organization as it appears inside a package."""
    return {
        "id": department.credit_code,
        "name": organization_name(department.credit_code),
        "title": department.name,
        "type": "organization",
        "description": organization_description(department),
        "image_url": "",
        "created": ckan_time(department.created_at),
        "is_organization": True,
        "approval_status": "approved",
        "state": "active" if department.active else "deleted",
    }


def organization_description(department: Department) -> str:
    line = f"{level_label(department.level)}级部门，行政区划代码 {department.region_code}。"
    return f"{line}{department.name_en}" if department.name_en else line


def organization_extras(department: Department) -> list[dict]:
    values = {"credit_code": department.credit_code, "level": department.level, "region_code": department.region_code,
              "name_en": department.name_en, "branch_code": department.branch_code,
              "parent": department.parent.credit_code if department.parent else None}
    return [{"key": k, "value": values[k]} for k in sorted(values) if values[k]]


def organization_dict(department: Department, *, package_count: int | None = None,
                      include_extras: bool = True, include_groups: bool = True) -> dict:
    """An organization as organization_show and organization_list (all_fields) give it."""
    out = {**organization_summary(department), "display_name": department.name,
           "image_display_url": "", "num_followers": 0}
    if package_count is not None:
        out["package_count"] = package_count
    if include_extras:
        out["extras"] = organization_extras(department)
    if include_groups:
        # The department tree, as CKAN's organization hierarchy shows it: the parent as a group.
        parent = department.parent
        out["groups"] = [{"name": organization_name(parent.credit_code), "title": parent.name,
                          "capacity": "public"}] if parent else []
    out["tags"] = []
    out["users"] = []
    return out


def _group(name: str, title: str, description: str = "") -> dict:
    return {"id": name, "name": name, "title": title, "display_name": title, "description": description,
            "image_display_url": ""}


def theme_group(key: str) -> dict:
    term = v.EU_THEMES[key]
    return _group(key.lower(), term.zh, term.en)


def classification_groups(code: str, names: dict[str, tuple[str, str | None]]) -> list[dict]:
    """The classification node of a resource and its ancestors below the class (类) level."""
    groups = []
    for node in classification_path(code):
        if len(node) >= 3:
            zh, en = names.get(node, (node, None))
            groups.append(_group(node, zh, en or ""))
    return groups


def _extras(rep: dict, classification_names: dict) -> list[dict]:
    contact = rep.get("contact_point") or {}
    temporal = rep.get("temporal") or {}
    lists = {k: json.dumps(rep[k], ensure_ascii=False) for k in ("related_codes", "language", "data_items")
             if rep.get(k)}
    values = {
        "identifier": rep["code"],
        "resource_code": rep["code"],
        "classification": rep["classification"],
        "classification_name": classification_names.get(rep["classification"], (None, None))[0],
        "provider_unit": rep.get("provider_unit"),
        "title_en": rep.get("title_en"),
        "description_en": rep.get("description_en"),
        "format_class": rep.get("format_class"),
        "format_type": rep.get("format_type"),
        "share_type": rep.get("share_type"),
        "share_conditions": rep.get("share_conditions"),
        "share_basis": rep.get("share_basis"),
        "share_method": rep.get("share_method"),
        "open_type": rep.get("open_type"),
        "open_conditions": rep.get("open_conditions"),
        "update_frequency": rep.get("update_frequency"),
        "issued": rep.get("issued"),
        "spatial_code": rep.get("spatial"),
        "temporal_start": temporal.get("start"),
        "temporal_end": temporal.get("end"),
        "contact_name": contact.get("name"),
        "contact_email": contact.get("email"),
        "contact_phone": contact.get("phone"),
        **lists,
    }
    publisher = rep.get("original_publisher") or {}
    values.update({"publisher_name": publisher.get("name"), "publisher_uri": publisher.get("uri"),
                   "landing_page": rep.get("landing_page")})
    if rep.get("other_identifiers"):       # as ckanext-dcat names them
        values["alternate_identifier"] = json.dumps(rep["other_identifiers"], ensure_ascii=False)
    # The language of the texts as their source tagged them; "" (untagged) is a value here.
    languages = {k: rep[k] for k in ("title_lang", "description_lang", "keywords_lang") if k in rep}
    return [{"key": k, "value": str(v)} for k, v in sorted({**values, **languages}.items())
            if v is not None and (v != "" or k in languages)]


def _resources(rep: dict, package_id: str, created: str | None, modified: str | None) -> list[dict]:
    """Distributions, then data services (format "API"), as CKAN resources in that order."""
    out = []

    def common(kind: str, position: int) -> dict:
        return {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"govcat:{rep['code']}#{kind}/{position}")),
                "package_id": package_id, "position": len(out), "state": "active", "created": created,
                "metadata_modified": modified, "last_modified": None, "url_type": None, "cache_url": None,
                "mimetype_inner": None}

    for i, d in enumerate(rep.get("distributions") or []):
        checksum = d.get("checksum") or {}
        out.append({**common("distribution", i),
                    "name": d.get("title") or d.get("format") or f"{rep['title']} ({i + 1})",
                    "description": d.get("description") or "",
                    "url": d.get("download_url") or d["access_url"],
                    "access_url": d["access_url"], "download_url": d.get("download_url"),
                    "format": d.get("format") or "", "mimetype": d.get("media_type"), "size": d.get("byte_size"),
                    "hash": checksum.get("value", ""), "hash_algorithm": checksum.get("algorithm"),
                    "license": d.get("license"), "resource_type": None})
    for i, s in enumerate(rep.get("data_services") or []):
        out.append({**common("service", i), "name": s["title"], "description": s.get("endpoint_description") or "",
                    "url": s["endpoint_url"], "access_url": s["endpoint_url"], "download_url": None,
                    "format": "API", "mimetype": None, "size": None, "hash": "", "hash_algorithm": None,
                    "license": None, "resource_type": "api"})
    return out


def package_dict(rep: dict, department: Department, classification_names: dict[str, tuple[str, str | None]],
                 record_url: str) -> dict:
    """A CKAN package from the public representation of a resource (``resource_representation``)."""
    package_id = str(rep["id"])
    created, modified = ckan_time(rep["created"]), ckan_time(rep["modified"])
    licence = rep.get("license") or None
    contact = rep.get("contact_point") or {}
    tags = [{"name": k, "display_name": k, "state": "active", "vocabulary_id": None} for k in rep.get("keywords") or []]
    groups = [theme_group(k) for k in rep.get("themes") or [] if k in v.EU_THEMES]
    groups += classification_groups(rep["classification"], classification_names)
    resources = _resources(rep, package_id, created, modified)
    return {
        "id": package_id,
        "name": package_name(rep["code"]),
        "title": rep["title"],
        "notes": rep["description"],
        "url": record_url,
        "version": None,
        "state": "active",
        "private": False,
        "type": "dataset",
        "metadata_created": created,
        "metadata_modified": modified,
        "author": department.name,
        "author_email": None,
        "maintainer": contact.get("name"),
        "maintainer_email": contact.get("email"),
        "license_id": licence,
        "license_title": licence,
        "license_url": licence if licence and licence.startswith(("http://", "https://")) else None,
        "isopen": rep.get("open_type") == "unconditional",
        "creator_user_id": None,
        "owner_org": department.credit_code,
        "organization": organization_summary(department),
        "num_tags": len(tags),
        "tags": tags,
        "groups": groups,
        "extras": _extras(rep, classification_names),
        "num_resources": len(resources),
        "resources": resources,
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }
