"""The catalog as a spreadsheet, in the compilation guide's layout (政务信息资源目录编制指南).

Departments keep their catalogs as spreadsheets more than in any other form, so the layout is
defined here once and read, written (:mod:`registry.resources.sheet_export`), offered as a template
and harvested the same way.

The layout: **one sheet, one resource per row, one header row of Chinese column names**.  The
guide's core elements come first, in the guide's order; the elements DCAT-AP and users expect
follow, so a govcat export read back gives the same documents.  One sheet (rather than a second
sheet of data items keyed by code) because a CSV file has one table only, and because a catalog
that a department edits by hand stays one table it can sort and filter.  Cells that hold several
values:

* lists (关键词, 数据主题, 语言, 关联资源代码): values separated by ``；`` or ``;`` or line breaks
  (codes also by ``，``, ``,``, ``、`` or spaces; keywords and themes not, since their labels hold
  ``、`` and ``，`` — 司法、法律体系和公共安全);
* 信息项信息: one data item per ``；``/``;`` or line break, each ``名称:类型(长度):说明`` — type as
  its code (``C``) or label (``字符型``), the length and the description optional, ``:`` or ``：``;
* 分发信息 and 数据服务: one per line, fields ``键=值`` separated by ``|`` (a line that is just a web
  address is an access address / endpoint).

Read, a cell takes the Chinese label or the code of an enumeration, full-width or half-width
punctuation, a date as an Excel date or as text (``2024-03-01``, ``2024/3/1``, ``2024年3月1日``).
The header row may sit below a title row; columns are found by name, in any order; unknown
columns (序号 …) are ignored.  Each row is reported on by its row number as the sheet shows it.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Iterator

from marshmallow import ValidationError
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from vocab import enumerations as v
from registry.resources.schemas import normalize_metadata
from registry.schema_base import split_message

SHEET_NAME = "信息资源目录"
GUIDE_SHEET_NAME = "填写说明"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv"
# A workbook is a zip: refuse one whose parts would unpack past these (zip bombs, huge sharedStrings).
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_ZIP_MEMBERS = 1000
HEADER_SEARCH_ROWS = 20        # the header row may follow a title row or two
CODE_LIST_SPLIT = re.compile(r"[；;，,、\s]+")
CODE_LISTS = {"related_codes", "language"}      # values that never hold punctuation
ITEM_SPLIT = re.compile(r"[；;\n]+")
FORMULA_START = ("=", "+", "-", "@")
SEPARATOR_STANDINS = {"；": "，", ";": ",", "|": "/"}   # what a separator inside a value is written as


@dataclass(frozen=True)
class Column:
    """One column of the layout: its header, the field it fills (a dotted path) and how a cell reads."""

    header: str
    field: str | None
    kind: str = "text"            # text, enum, list, date, items, distributions, services, envelope
    vocabulary: v.Enumeration | None = None
    required: bool = False        # the header must be there (a blank cell may take the source's default)
    note: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("信息资源分类", "classification", required=True,
           note="分类代码：类 1 位 + 项 2 位 + 目 3 位 + 细目，如 102（法人单位）；可写“102 法人单位”。"),
    Column("信息资源名称", "title", required=True),
    Column("信息资源代码", "code", "envelope",
           note="目录登记时赋予（分类代码/顺序号）；新登记的资源留空。采集时作为资源的原始标识。"),
    Column("信息资源提供方", "provider_name", "envelope", note="提供方部门名称，仅供阅读；以提供方代码为准。"),
    Column("提供方内部部门", "provider_unit"),
    Column("信息资源提供方代码", "provider", note="提供方部门的统一社会信用代码（18 位）。"),
    Column("信息资源摘要", "description", required=True),
    Column("信息资源格式", "format_class", "enum", v.FORMAT_CLASSES, required=True),
    Column("格式类型", "format_type", note="如 pdf、xlsx、mysql、rest。"),
    Column("信息项信息", "data_items", "items",
           note="每项“名称:类型(长度):说明”，项间用“；”分隔；长度、说明可省略。"
                "电子表格、数据库、服务接口类必填。类型：" + "、".join(f"{t.key} {t.zh}" for t in v.DATA_ITEM_TYPES)),
    Column("共享类型", "share_type", "enum", v.SHARE_TYPES, required=True),
    Column("共享条件", "share_conditions", note="有条件共享时必填。"),
    Column("不予共享依据", "share_basis", note="不予共享时必填：法律、行政法规或政策依据。"),
    Column("共享方式", "share_method", "enum", v.SHARE_METHODS, note="无条件、有条件共享时必填。"),
    Column("是否向社会开放", "open_type", "enum", v.OPEN_TYPES, required=True,
           note="也可填“是”（无条件开放）或“否”（不予开放）。"),
    Column("开放条件", "open_conditions", note="有条件开放时必填。"),
    Column("更新周期", "update_frequency", "enum", v.UPDATE_FREQUENCIES, required=True),
    Column("发布日期", "issued", "date", note="日期，如 2024-03-01。"),
    Column("关联资源代码", "related_codes", "list", note="资源代码，多个用“；”分隔。"),
    Column("英文名称", "title_en"),
    Column("英文摘要", "description_en"),
    Column("关键词", "keywords", "list", note="多个用“；”分隔。"),
    Column("数据主题", "themes", "list", v.EU_THEMES, note="欧盟数据主题，多个用“；”分隔。"),
    Column("空间范围", "spatial", note="6 位行政区划代码（GB/T 2260）。"),
    Column("时间范围起", "temporal.start", "date"),
    Column("时间范围止", "temporal.end", "date"),
    Column("联系人", "contact_point.name"),
    Column("联系邮箱", "contact_point.email"),
    Column("联系电话", "contact_point.phone"),
    Column("许可协议", "license"),
    Column("语言", "language", "list", note="语言代码，如 zh；多个用“；”分隔。"),
    Column("分发信息", "distributions", "distributions",
           note="每行一个分发，字段“键=值”用“|”分隔，键：标题、访问地址（必填）、下载地址、格式、媒体类型、"
                "字节数、许可、校验（算法:值）、说明。只写一个网址即为访问地址。"),
    Column("数据服务", "data_services", "services",
           note="每行一个服务，字段“键=值”用“|”分隔，键：标题（必填）、服务地址（必填）、服务说明。"),
    Column("部门资源标识", "own_id", "envelope",
           note="部门自有系统中的资源标识（可选）；无信息资源代码时，采集以它识别资源。"),
)
HEADERS = [c.header for c in COLUMNS]
BY_HEADER = {c.header: c for c in COLUMNS}
# Headers departments write for the same columns.
HEADER_ALIASES = {"信息资源格式分类": "信息资源格式", "信息资源格式类型": "格式类型", "开放属性": "是否向社会开放",
                  "开放类型": "是否向社会开放", "信息项": "信息项信息", "信息项名称": "信息项信息",
                  "提供方代码": "信息资源提供方代码", "共享依据": "不予共享依据", "资源代码": "信息资源代码"}
DISTRIBUTION_KEYS = {"标题": "title", "访问地址": "access_url", "下载地址": "download_url", "格式": "format",
                     "媒体类型": "media_type", "字节数": "byte_size", "许可": "license", "校验": "checksum",
                     "说明": "description"}
SERVICE_KEYS = {"标题": "title", "服务地址": "endpoint_url", "服务说明": "endpoint_description"}
# Words departments use for enumeration values besides the labels.
VALUE_ALIASES = {
    "open_type": {"是": "unconditional", "否": "none"},
    "share_method": {"接口": "platform_api", "数据库": "platform_database", "文件": "platform_file"},
    "update_frequency": {"每天": "daily", "每季": "quarterly", "半年": "semiannual", "每年度": "annual"},
}


class SheetError(Exception):
    """The file cannot be read as a catalog sheet at all; ``zh`` and ``en`` say why."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


class MissingHeaders(SheetError):
    """No sheet has the layout's required headers; ``missing`` names them."""

    def __init__(self, missing: list[str]):
        names = "、".join(missing)
        super().__init__(f"缺少表头：{names}", f"the sheet lacks the headers {', '.join(missing)}")
        self.missing = missing


@dataclass(frozen=True)
class Problem:
    """What is wrong with one cell of one row."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"第 {self.row} 行 {self.column}：{self.reason}"


@dataclass
class SheetRow:
    """One resource row as read: the document, its identities and what could not be read."""

    number: int
    doc: dict
    code: str | None = None
    own_id: str | None = None
    cells: dict = field(default_factory=dict)        # header → text as read, for reports
    problems: list[Problem] = field(default_factory=list)


# -- reading cells -------------------------------------------------------------------------------
def _fold(text: str) -> str:
    """Text compared for matching: full-width folded to half-width, no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").strip().strip("\u3000").strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        text = text[1:]          # the CSV writer's guard against formulas
    return text or None


def _enum_index(enumeration: v.Enumeration) -> dict[str, str]:
    index = {}
    for term in enumeration:
        for name in (term.key, term.zh, term.en):
            index[_fold(name)] = term.key
    for name, key in VALUE_ALIASES.get(enumeration.name, {}).items():
        index[_fold(name)] = key
    return index


ENUM_INDEX = {e.name: _enum_index(e) for e in v.ENUMERATIONS.values()}


def enum_value(enumeration: v.Enumeration, text: str) -> str:
    """The key of ``text`` (a key, a label or a usual word); raise ``ValueError`` otherwise."""
    key = ENUM_INDEX[enumeration.name].get(_fold(text))
    if key is None:
        raise ValueError(f"“{text}”不是可选值（{'、'.join(t.zh for t in enumeration)}）")
    return key


DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")


def date_value(value) -> str:
    """An ISO date from an Excel date, an Excel serial number or a date written as text."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2958466:
        return from_excel(value).date().isoformat()
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = DATE_TEXT.match(text)
    try:
        if match:
            return date(*(int(g) for g in match.groups())).isoformat()
        if re.fullmatch(r"\d{5}(\.\d+)?", text):
            return from_excel(float(text)).date().isoformat()
    except (ValueError, OverflowError):
        pass
    raise ValueError(f"“{value}”不是日期（如 2024-03-01）")


ITEM = re.compile(r"^(?P<type>[^()]+?)\s*(?:\(\s*(?P<length>\d+)\s*\))?$")


def data_items_value(text: str) -> list[dict]:
    """``名称:类型(长度):说明；…`` → data items."""
    items = []
    for number, part in enumerate((p.strip() for p in ITEM_SPLIT.split(text) if p.strip()), 1):
        name, *rest = re.split(r"[:：]", part, maxsplit=2)
        if not rest or not name.strip():
            raise ValueError(f"第 {number} 项“{part}”应写作“名称:类型”")
        match = ITEM.match(unicodedata.normalize("NFKC", rest[0]).strip())
        if not match:
            raise ValueError(f"第 {number} 项“{part}”的类型应写作“类型(长度)”")
        item = {"name": name.strip(), "type": enum_value(v.DATA_ITEM_TYPES, match["type"])}
        if match["length"]:
            item["length"] = int(match["length"])
        if len(rest) > 1 and rest[1].strip():
            item["description"] = rest[1].strip()
        items.append(item)
    return items


def _keyed_lines(text: str, keys: dict[str, str], bare: str) -> list[dict]:
    """Lines of ``键=值|键=值``; a line that is only a web address fills ``bare``."""
    entries = []
    for number, line in enumerate((ln.strip() for ln in text.split("\n") if ln.strip()), 1):
        if "=" not in line and re.match(r"^(https?|ftps?)://\S+$", line):
            entries.append({bare: line})
            continue
        entry = {}
        for part in (p.strip() for p in re.split(r"[|｜]", line) if p.strip()):
            key, sep, value = part.partition("=")
            name = keys.get(_fold(key)) if sep else None
            if name is None:
                raise ValueError(f"第 {number} 行“{part}”应写作“键=值”，键为{'、'.join(keys)}之一")
            if value.strip():
                entry[name] = value.strip()
        entries.append(entry)
    return entries


def distributions_value(text: str) -> list[dict]:
    distributions = _keyed_lines(text, {_fold(k): f for k, f in DISTRIBUTION_KEYS.items()}, "access_url")
    for number, distribution in enumerate(distributions, 1):
        if "byte_size" in distribution:
            if not distribution["byte_size"].isdigit():
                raise ValueError(f"第 {number} 行的字节数应为整数")
            distribution["byte_size"] = int(distribution["byte_size"])
        if "checksum" in distribution:
            algorithm, sep, value = distribution["checksum"].partition(":")
            if not sep:
                raise ValueError(f"第 {number} 行的校验应写作“算法:值”，如 sha256:…")
            distribution["checksum"] = {"algorithm": algorithm.strip().lower(), "value": value.strip()}
    return distributions


def services_value(text: str) -> list[dict]:
    return _keyed_lines(text, {_fold(k): f for k, f in SERVICE_KEYS.items()}, "endpoint_url")


def list_value(column: Column, text: str) -> list[str]:
    separators = CODE_LIST_SPLIT if column.field in CODE_LISTS else ITEM_SPLIT
    values = [p.strip() for p in separators.split(text) if p.strip()]
    if column.vocabulary is not None:
        return [enum_value(column.vocabulary, value) for value in values]
    return values


def cell_value(column: Column, raw):
    """What one cell puts in the document; raise ``ValueError`` with the reason otherwise."""
    if column.kind == "date":
        return date_value(raw)
    text = _text(raw)
    if column.kind == "enum":
        return enum_value(column.vocabulary, text)
    if column.kind == "list":
        return list_value(column, text)
    if column.kind == "items":
        return data_items_value(text)
    if column.kind == "distributions":
        return distributions_value(text)
    if column.kind == "services":
        return services_value(text)
    if column.field == "classification":      # "102 法人单位" is 102
        leading = re.match(r"\d+", unicodedata.normalize("NFKC", text))
        return leading.group(0) if leading else text
    return text


def _put(doc: dict, path: str, value) -> None:
    head, _dot, rest = path.partition(".")
    if rest:
        doc.setdefault(head, {})[rest] = value
    else:
        doc[head] = value


def header_map(row: tuple) -> dict[int, Column]:
    """The columns of a header row, by position (aliases and punctuation tolerated)."""
    folded = {_fold(h): c for h, c in BY_HEADER.items()}
    folded.update({_fold(alias): BY_HEADER[h] for alias, h in HEADER_ALIASES.items()})
    found: dict[int, Column] = {}
    for index, value in enumerate(row):
        column = folded.get(_fold(str(value))) if value is not None else None
        if column is not None and column not in found.values():
            found[index] = column
    return found


def read_table(rows: Iterable[tuple]) -> Iterator[SheetRow]:
    """The resource rows of one table (rows of cell values, first row numbered 1).

    Raise :class:`MissingHeaders` when no row among the first few has the required headers.
    """
    rows = iter(rows)
    best: dict[int, Column] = {}
    number = 0
    for number, row in enumerate(rows, 1):
        columns = header_map(row)
        if len(columns) > len(best):
            best = columns
        if all(c in columns.values() for c in COLUMNS if c.required):
            break
        if number >= HEADER_SEARCH_ROWS:
            raise MissingHeaders([c.header for c in COLUMNS if c.required and c not in best.values()])
    else:
        raise MissingHeaders([c.header for c in COLUMNS if c.required and c not in best.values()])
    for number, row in enumerate(rows, number + 1):
        if any(_text(cell) for cell in row):
            yield read_row(number, row, best)


def read_row(number: int, row: tuple, columns: dict[int, Column]) -> SheetRow:
    """One row → a document (not yet validated), its identities and the cells that could not be read."""
    result = SheetRow(number, {})
    for index, column in columns.items():
        raw = row[index] if index < len(row) else None
        text = _text(raw)
        if text is None:
            continue
        result.cells[column.header] = text
        if column.kind == "envelope":
            if column.field == "code":
                result.code = text
            elif column.field == "own_id":
                result.own_id = text
            continue
        try:
            _put(result.doc, column.field, cell_value(column, raw))
        except (ValueError, TypeError) as error:
            result.problems.append(Problem(number, column.header, str(error) or "无法读取"))
    return result


def validation_problems(number: int, error: ValidationError) -> list[Problem]:
    """The schema's messages, each at its column (header) of the row."""
    headers = {c.field: c.header for c in COLUMNS if c.field}
    problems = []
    for name, messages in sorted(error.messages.items(), key=lambda item: str(item[0])):
        for path, text in _flatten(messages):
            reason = split_message(text)[0]
            if path and f"{name}.{path[0]}" in headers:          # temporal.end, contact_point.email
                header = headers[f"{name}.{path[0]}"]
            else:                                                # data_items.2.type → 第 3 项 type
                header = headers.get(name, name)
                reason = "".join(f"第 {p + 1} 项 " if isinstance(p, int) else f"{p}：" for p in path) + reason
            problems.append(Problem(number, header, reason))
    return problems


def _flatten(messages, path=()) -> Iterator[tuple[tuple, str]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, path + (key,))
    elif isinstance(messages, list):
        for value in messages:
            yield from _flatten(value, path)
    else:
        yield path, str(messages)


def checked_document(row: SheetRow, defaults: dict | None = None, provider: str | None = None) -> dict:
    """The row's document with ``defaults`` under it, validated; raise ``ValueError`` listing the problems."""
    if row.problems:
        raise RowInvalid(row.problems)
    doc = {**(defaults or {}), **row.doc}
    if provider:
        doc["provider"] = provider
    try:
        return normalize_metadata(doc)
    except ValidationError as error:
        raise RowInvalid(validation_problems(row.number, error)) from None


class RowInvalid(ValueError):
    """A row that does not give a valid document; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("；".join(str(p) for p in problems))
        self.problems = problems


# -- opening files ---------------------------------------------------------------------------------
def file_kind(content_type: str, name: str, body: bytes) -> str:
    """``xlsx`` or ``csv``: from the media type, else the file name's extension, else the content."""
    if content_type == XLSX_MEDIA_TYPE:
        return "xlsx"
    if content_type in ("text/csv", "application/csv", "text/comma-separated-values"):
        return "csv"
    path = name.lower().split("?", 1)[0]
    if path.endswith(".xlsx"):
        return "xlsx"
    if path.endswith(".csv"):
        return "csv"
    return "xlsx" if body[:2] == b"PK" else "csv"


def check_workbook(body: bytes) -> None:
    """Refuse what is not a zip, or would unpack past :data:`MAX_UNPACKED_BYTES` (declared sizes are
    checked before anything is unpacked; the zip reader refuses a member larger than it declares)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except (zipfile.BadZipFile, ValueError) as error:
        raise SheetError("不是有效的 xlsx 工作簿。", f"not an xlsx workbook: {error}") from None
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise SheetError("工作簿的部件过多。", f"the workbook has {len(members)} parts, more than {MAX_ZIP_MEMBERS}")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise SheetError("工作簿解压后过大。", f"the workbook would unpack to {unpacked} bytes, "
                                        f"more than the cap of {MAX_UNPACKED_BYTES}")


def xlsx_rows(body: bytes) -> Iterator[SheetRow]:
    """The resource rows of a workbook: its first sheet that has the layout's headers."""
    check_workbook(body)
    try:
        workbook = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except Exception as error:     # openpyxl raises many types for a broken workbook
        raise SheetError("工作簿已损坏，无法读取。", f"the workbook cannot be read: {type(error).__name__}: "
                                              f"{str(error)[:300]}") from None
    try:
        first_missing = None
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()      # some writers declare a wrong extent; read what is there
            try:
                yield from read_table(sheet.iter_rows(values_only=True))
                return
            except MissingHeaders as missing:
                first_missing = first_missing or missing
        raise first_missing or MissingHeaders([c.header for c in COLUMNS if c.required])
    except SheetError:
        raise
    except Exception as error:     # a sheet's XML broken midway: the file, not one row, is at fault
        raise SheetError("工作簿已损坏，无法读取。", f"the workbook cannot be read: {type(error).__name__}: "
                                              f"{str(error)[:300]}") from None
    finally:
        workbook.close()


def decode_csv(body: bytes) -> str:
    """CSV text: UTF-8 (with or without BOM), else GB18030 (which covers GBK)."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return body.decode("gb18030")
        except UnicodeDecodeError:
            raise SheetError("CSV 文件既不是 UTF-8 也不是 GBK/GB18030 编码。",
                             "the CSV file is neither UTF-8 nor GBK/GB18030") from None


def csv_rows(body: bytes) -> Iterator[SheetRow]:
    try:
        yield from read_table(csv.reader(io.StringIO(decode_csv(body), newline="")))
    except csv.Error as error:
        raise SheetError("CSV 文件格式错误。", f"the CSV file is malformed: {error}") from None


def read_file(body: bytes, kind: str) -> Iterator[SheetRow]:
    """The resource rows of an ``xlsx`` or ``csv`` file; raise :class:`SheetError` for an unreadable one."""
    return xlsx_rows(body) if kind == "xlsx" else csv_rows(body)
