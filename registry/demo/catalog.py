"""The content of the demo catalog: its departments and realistic resource metadata.

A catalog that opens empty shows nothing of what it is for.  The demo gives a first run a
living catalog: the departments of Zhejiang province, of Hangzhou and of two of its districts
(``departments.json``, parents before children), and a few hundred resources generated for
them from the subject tables in ``subjects.json``:

* every department registers a handful of its own resources under its branch of
  classification 3 (部门信息资源), drawn from the subjects of its kind of department;
* every 项 of the base (1) and theme (2) branches gets resources from the departments that
  hold such data (public security for population, market regulation for legal entities …).

Each record passes :func:`registry.resources.schemas.normalize_metadata`, and the output
depends only on the seed, so every demo site and every test sees the same catalog.
The web addresses use fictional hosts (``data.example.gov.cn``, ``api.example.gov.cn``).
"""
from __future__ import annotations

import hashlib
import json
import random
import re
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources as importlib_resources

from vocab import enumerations as v

PACKAGE = "registry.demo"
DATA_HOST = "https://data.example.gov.cn"
API_HOST = "https://api.example.gov.cn"
MAIL_DOMAIN = "example.gov.cn"
PHONE_AREA_CODE = "0571"  # Hangzhou: the provincial, municipal and district offices alike
ISSUED_FIRST, ISSUED_LAST = date(2018, 1, 1), date(2025, 6, 30)
BILINGUAL_SHARE = 0.5  # about half the resources also carry English titles and descriptions
OWN_RESOURCES_PER_DEPARTMENT = (4, 6)
PROVIDERS_PER_THEME_SUBJECT = {1: 2, 2: 1}  # weights: one department mostly, sometimes two

# File types: the EU file-type code used as dct:format, and the media type.
FILE_FORMATS = {
    "csv": ("CSV", "text/csv"),
    "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "xls": ("XLS", "application/vnd.ms-excel"),
    "json": ("JSON", "application/json"),
    "xml": ("XML", "application/xml"),
    "geojson": ("GEOJSON", "application/geo+json"),
    "pdf": ("PDF", "application/pdf"),
    "docx": ("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "ofd": ("OFD", "application/ofd"),
    "jpg": ("JPEG", "image/jpeg"),
    "png": ("PNG", "image/png"),
    "tiff": ("TIFF", "image/tiff"),
    "geotiff": ("GEOTIFF", "image/tiff"),
    "shp": ("SHP", "application/zip"),
    "mp4": ("MP4", "video/mp4"),
    "m3u8": ("M3U8", "application/vnd.apple.mpegurl"),
}

# How each format class is realised: its sub-types (format_type), the further file types its
# resources are offered in, and the range of the main file's size (powers of ten, in bytes).
FORMAT_PLANS = {
    "spreadsheet": (("xlsx", "xls", "csv"), ("csv", "json"), (4.5, 7.5)),
    "database": (("mysql", "postgresql", "oracle", "dm", "kingbase"), ("csv", "json", "xlsx"), (6.0, 9.0)),
    "self_describing": (("json", "xml", "geojson"), ("csv",), (4.5, 8.0)),
    "service_interface": (("rest", "soap"), (), (3.0, 4.5)),
    "electronic_file": (("pdf", "docx", "ofd"), ("pdf",), (5.0, 7.5)),
    "image": (("jpg", "png", "tiff", "shp", "geotiff"), ("pdf",), (6.0, 9.0)),
    "streaming": (("m3u8", "mp4"), (), (7.5, 9.5)),
}
# The file a sub-type that is not itself a file type is offered as (a database as its export).
MAIN_FILE = {"rest": "json", "soap": "xml"}
DEFAULT_MAIN_FILE = "csv"

SHAPE_FORMAT_CLASS = {"document": "electronic_file", "image": "image", "video": "streaming"}
TABLE_FORMAT_WEIGHTS = {"spreadsheet": 35, "database": 25, "service_interface": 25, "self_describing": 15}
REALTIME_FORMAT_WEIGHTS = {"service_interface": 3, "self_describing": 1}
FREQUENCY_WEIGHTS = {
    "table": {"daily": 10, "weekly": 10, "monthly": 25, "quarterly": 15, "semiannual": 10, "annual": 15,
              "irregular": 15},
    "document": {"annual": 4, "semiannual": 1, "irregular": 5},
    "image": {"annual": 3, "irregular": 2},
    "video": {"irregular": 1},
}
FREQUENCY_EN = {
    "realtime": "continuously", "daily": "daily", "weekly": "weekly", "monthly": "monthly",
    "quarterly": "quarterly", "semiannual": "twice a year", "annual": "annually", "irregular": "irregularly",
}
SHARE_WEIGHTS = {"unconditional": 65, "conditional": 28, "none": 7}
PERSONAL_SHARE_WEIGHTS = {"conditional": 3, "none": 1}  # personal data is never shared without conditions
OPEN_WEIGHTS = {"unconditional": 55, "conditional": 25, "none": 20}
SHARE_METHOD_WEIGHTS = {
    "service_interface": {"platform_api": 9, "platform_file": 1},
    "database": {"platform_database": 15, "platform_api": 2, "email": 1, "media": 2},
    "streaming": {"platform_api": 3, "platform_file": 1},
}
DEFAULT_SHARE_METHOD_WEIGHTS = {"platform_file": 14, "platform_api": 2, "email": 3, "media": 1}
EXTRA_DISTRIBUTIONS_WEIGHTS = {0: 3, 1: 4, 2: 2}
COLLECT_VERBS = ("汇集", "归集", "采集并维护", "依职责维护")


def _read_json(name: str):
    """A JSON file of this package, read through importlib.resources so it works when installed."""
    return json.loads(importlib_resources.files(PACKAGE).joinpath(name).read_text(encoding="utf-8"))


def load_departments() -> list[dict]:
    """The demo departments, parents before children (a fresh copy on every call)."""
    return _read_json("departments.json")


@lru_cache(maxsize=1)
def load_tables() -> dict:
    """The subject tables the resources are built from (``subjects.json``; shared, do not modify)."""
    return _read_json("subjects.json")


def department_kind(department: dict, tables: dict | None = None) -> dict:
    """The kind of department (its subject table) a department belongs to, found by its name."""
    for kind in (tables or load_tables())["department_kinds"]:
        if any(word in department["name"] for word in kind["match"]):
            return kind
    raise ValueError(f"no demo subjects for department {department['name']}")


def generate_resources(branch_codes: dict[str, str], seed: int = 2017) -> list[dict]:
    """Metadata of the demo resources, each ready for ``normalize_metadata``.

    ``branch_codes`` maps every demo department's credit code to its classification branch
    (branch 3, assigned when the department was created).  The same seed gives the same list.
    """
    departments = load_departments()
    missing = [d["credit_code"] for d in departments if d["credit_code"] not in branch_codes]
    if missing:
        raise ValueError(f"no classification branch for departments {', '.join(missing)}")
    tables = load_tables()
    rng = random.Random(seed)
    contacts = {d["credit_code"]: _contact_point(rng, d, tables) for d in departments}
    return [_resource(rng, tables, department, kind, subject, classification, themes,
                      contacts[department["credit_code"]])
            for department, kind, subject, classification, themes
            in _plan(rng, tables, departments, branch_codes)]


def _plan(rng: random.Random, tables: dict, departments: list[dict], branch_codes: dict[str, str]):
    """Decide which department registers which subject under which classification."""
    kinds = {d["credit_code"]: department_kind(d, tables) for d in departments}
    taken: set[tuple[str, str]] = set()  # (provider, subject): titles stay unique per provider
    plan = []
    for department in departments:
        code, kind = department["credit_code"], kinds[department["credit_code"]]
        low, high = OWN_RESOURCES_PER_DEPARTMENT
        for subject in rng.sample(kind["subjects"], rng.randint(low, min(high, len(kind["subjects"])))):
            plan.append((department, kind, subject, branch_codes[code], kind["themes"]))
            taken.add((code, subject["zh"]))
    for item_code, group in tables["classification_subjects"].items():
        for subject in group["subjects"]:
            candidates = [d for d in departments if kinds[d["credit_code"]]["kind"] in subject["providers"]
                          and (d["credit_code"], subject["zh"]) not in taken]
            if not candidates:
                raise ValueError(f"no demo department provides {subject['zh']} ({item_code})")
            count = min(len(candidates), _weighted(rng, PROVIDERS_PER_THEME_SUBJECT))
            for department in rng.sample(candidates, count):
                plan.append((department, kinds[department["credit_code"]], subject, item_code, group["themes"]))
                taken.add((department["credit_code"], subject["zh"]))
    return plan


def _resource(rng, tables, department, kind, subject, classification, themes, contact) -> dict:
    """One resource's metadata: the subject's title in the provider's place, and all the rest."""
    place = tables["places"][department["region_code"]]
    shape = subject.get("shape", "table")
    items = tables["data_items"][subject["items"]] if shape == "table" else None
    format_class = _format_class(rng, subject)
    format_type = _format_type(rng, format_class, items)
    frequency = subject.get("frequency") or _weighted(rng, FREQUENCY_WEIGHTS[shape])
    title = place["zh"] + subject["zh"]
    issued = ISSUED_FIRST + timedelta(days=rng.randint(0, (ISSUED_LAST - ISSUED_FIRST).days))
    path = f"{place['slug']}/{_slug(kind['kind'])}/{_slug(subject['en'])}"

    data: dict = {"title": title}
    if bilingual := rng.random() < BILINGUAL_SHARE:
        data["title_en"] = f"{subject['en']}, {place['en']}"
    data["description"] = _description_zh(rng, department, place, title, items, format_class, format_type,
                                          frequency)
    if bilingual:
        data["description_en"] = _description_en(department, place, subject, items, format_type, frequency)
    data.update(classification=classification, provider=department["credit_code"],
                provider_unit=rng.choice(kind["units"]) + ("科" if department["level"] == "county" else "处"),
                format_class=format_class, format_type=format_type)
    if items:
        data["data_items"] = [_data_item(row) for row in items]
    data.update(_sharing(rng, tables, subject, format_class))
    licence = _license(rng, tables, data["open_type"])
    data.update(
        update_frequency=frequency, issued=issued.isoformat(), related_codes=[],
        keywords=_unique([*subject["keywords"], place["zh"], *_fixed_node_name(classification)]),
        themes=_unique(themes),
        spatial=department["region_code"], temporal=_temporal(rng, issued, frequency),
        contact_point=dict(contact), language=["zh", "en"] if bilingual else ["zh"],
    )
    if licence:
        data["license"] = licence
    data["distributions"] = _distributions(rng, data, path, licence)
    if format_class == "service_interface":
        data["data_services"] = [_data_service(title, format_type, path)]
    return data


def _fixed_node_name(code: str) -> list[str]:
    """The name of a fixed classification node (a keyword of its resources), if ``code`` is one."""
    return [node.zh for node in v.FIXED_CLASSIFICATION if node.code == code]


def _format_class(rng, subject) -> str:
    shape = subject.get("shape", "table")
    if shape != "table":
        return SHAPE_FORMAT_CLASS[shape]
    if subject.get("frequency") == "realtime":
        return _weighted(rng, REALTIME_FORMAT_WEIGHTS)
    return _weighted(rng, TABLE_FORMAT_WEIGHTS)


def _format_type(rng, format_class: str, items) -> str:
    types = FORMAT_PLANS[format_class][0]
    located = items and any(row[0] == "经度" for row in items)
    return rng.choice([t for t in types if t != "geojson" or located])


def _file_types(format_class: str, format_type: str) -> list[str]:
    """The file types a resource is offered in, main one first."""
    main = format_type if format_type in FILE_FORMATS else MAIN_FILE.get(format_type, DEFAULT_MAIN_FILE)
    return [main, *(t for t in FORMAT_PLANS[format_class][1] if t != main)]


def _data_item(row: list) -> dict:
    """A data-item row of subjects.json: name, type, length (or null), optional description."""
    name, kind, length, *description = row
    item = {"name": name, "type": kind}
    if length is not None:
        item["length"] = length
    if description:
        item["description"] = description[0]
    return item


def _description_zh(rng, department, place, title, items, format_class, format_type, frequency) -> str:
    every = v.UPDATE_FREQUENCIES[frequency].zh
    if items:
        names = "、".join(row[0] for row in items[:4])
        return (f"{department['name']}{rng.choice(COLLECT_VERBS)}的{title}，包括{names}等"
                f"{len(items)}个信息项，{every}更新。")
    label = FILE_FORMATS[_file_types(format_class, format_type)[0]][0]
    if format_class == "image":
        return f"{title}，{label}格式的图形图像成果，覆盖{place['zh']}行政区域，{every}更新。"
    if format_class == "streaming":
        return f"{department['name']}提供的{title}，以{label}流媒体形式播放，{every}更新。"
    return f"{department['name']}编制发布的{title}，以{label}文件提供，{every}更新。"


def _description_en(department, place, subject, items, format_type, frequency) -> str:
    what = f"{subject['en']} for {place['en']}"
    if items:
        return (f"{what}, maintained by the {department['name_en']}: {len(items)} data items, "
                f"updated {FREQUENCY_EN[frequency]}.")
    return f"{what}, published by the {department['name_en']} ({format_type}), updated {FREQUENCY_EN[frequency]}."


def _sharing(rng, tables, subject, format_class) -> dict:
    """Sharing and opening, with the conditions, basis and method the compilation guide demands."""
    personal = bool(subject.get("personal"))
    share_type = _weighted(rng, PERSONAL_SHARE_WEIGHTS if personal else SHARE_WEIGHTS)
    # What departments may not share among themselves is not opened to the public either.
    open_type = "none" if personal or share_type == "none" else _weighted(rng, OPEN_WEIGHTS)
    data = {"share_type": share_type}
    if share_type == "conditional":
        data["share_conditions"] = rng.choice(tables["share_conditions"])
    if share_type == "none":
        bases = tables["share_basis"]
        data["share_basis"] = bases[0] if personal else rng.choice(bases[1:])
    else:
        data["share_method"] = _weighted(rng, SHARE_METHOD_WEIGHTS.get(format_class, DEFAULT_SHARE_METHOD_WEIGHTS))
    data["open_type"] = open_type
    if open_type == "conditional":
        data["open_conditions"] = rng.choice(tables["open_conditions"])
    return data


def _license(rng, tables, open_type: str) -> str | None:
    choices = tables["licenses"].get(open_type)
    return rng.choice(choices) if choices else None


def _temporal(rng, issued: date, frequency: str) -> dict:
    """Coverage from the start of an earlier year; continuously updated data has no end yet."""
    start = date(issued.year - rng.randint(1, 8), 1, 1)
    if frequency in ("realtime", "daily"):
        return {"start": start.isoformat()}
    return {"start": start.isoformat(), "end": (issued - timedelta(days=rng.randint(1, 90))).isoformat()}


def _contact_point(rng, department, tables) -> dict:
    kind = department_kind(department, tables)
    place = tables["places"][department["region_code"]]
    return {
        "name": rng.choice(tables["contact_names"][department["level"]]),
        "email": f"data.{_slug(kind['kind'])}@{place['slug']}.{MAIL_DOMAIN}",
        "phone": f"{PHONE_AREA_CODE}-8{rng.randint(0, 9_999_999):07d}",
    }


def _distributions(rng, data: dict, path: str, licence: str | None) -> list[dict]:
    """One to three ways to get the data; none when it is neither opened nor on the platform."""
    open_type, method = data["open_type"], data.get("share_method")
    if open_type == "none" and method not in ("platform_api", "platform_database", "platform_file"):
        return []
    title, format_class = data["title"], data["format_class"]
    if format_class == "service_interface":
        label, media_type = FILE_FORMATS[_file_types(format_class, data["format_type"])[0]]
        distribution = {"title": f"{title}接口说明", "access_url": f"{API_HOST}/{path}/docs",
                        "format": label, "media_type": media_type}
        return [distribution | ({"license": licence} if licence else {})]
    page = f"{DATA_HOST}/{'share' if open_type == 'none' else 'dataset'}/{path}"
    types = _file_types(format_class, data["format_type"])
    types = types[:1 + min(len(types) - 1, _weighted(rng, EXTRA_DISTRIBUTIONS_WEIGHTS))]
    low, high = FORMAT_PLANS[format_class][2]
    size = 10 ** rng.uniform(low, high)
    distributions = []
    for file_type in types:
        label, media_type = FILE_FORMATS[file_type]
        distribution = {"title": f"{title}（{label}）", "access_url": page, "format": label,
                        "media_type": media_type, "byte_size": int(size * rng.uniform(0.6, 1.6))}
        if open_type == "unconditional" and file_type != "m3u8":  # a live stream has no file to download
            distribution["download_url"] = url = f"{DATA_HOST}/files/{path}.{file_type}"
            distribution["checksum"] = {"algorithm": "sha256", "value": hashlib.sha256(url.encode()).hexdigest()}
        if licence:
            distribution["license"] = licence
        distributions.append(distribution)
    return distributions


def _data_service(title: str, format_type: str, path: str) -> dict:
    endpoint = f"{API_HOST}/{path}/v1"
    if format_type == "soap":
        return {"title": f"{title}交换服务", "endpoint_url": endpoint, "endpoint_description": f"{endpoint}?wsdl"}
    return {"title": f"{title}查询接口", "endpoint_url": endpoint,
            "endpoint_description": f"{endpoint}/openapi.json"}


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].rstrip("-")


def _unique(values) -> list:
    return list(dict.fromkeys(values))
