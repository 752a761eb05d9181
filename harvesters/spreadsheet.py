"""Harvesting a department's catalog kept as a spreadsheet (.xlsx or .csv) in the guide's layout.

The layout, and how a row becomes a document, is :mod:`registry.resources.sheets`; this module
only fetches the file and says who each row is.  The file is one request: its type comes from the
Content-Type, else the address's extension, else the content (an xlsx workbook is a zip, ``PK``).
A file that cannot be read, or whose sheet lacks the layout's headers, fails the job — nothing is
withdrawn after it.

Identity.  A row is the resource its 信息资源代码 names: a well-formed resource code is the
original identifier as it stands (a resource code identifies one resource wherever it is listed,
so two sources listing it are one resource harvested twice, reported as a duplicate); a code of
another form, or the 部门资源标识 column when there is no code, is scoped by the file's address.
A row with neither is refused: a row number changes whenever a row is inserted above it.

Codes and duplicates.  The receiving catalog gives every harvested resource a code of its own;
the source's code stays in the provenance.  The job treats a row whose code is already a
resource code of this catalog as a duplicate (the catalog's own resources, exported and offered
back, are not stored twice).  A catalog's export harvested into *another* catalog therefore
round-trips as long as that catalog has no resource of its own under the same code — true of a
catalog that only harvests those classifications, since the rows come in code order and the codes
it assigns never overtake the source's; rows whose code it already uses for a resource of its
own are reported as duplicates, row by row.
"""
from __future__ import annotations

import hashlib
import json
from urllib.parse import urlsplit

from harvesters.base import JobFailure, Listed, RecordFailure, RemoteHarvester
from harvesters.http import FetchError
from vocab.codes import parse_resource_code
from registry.resources import sheets

ACCEPT = f"{sheets.XLSX_MEDIA_TYPE}, text/csv;q=0.9, */*;q=0.1"


class SpreadsheetHarvester(RemoteHarvester):
    """One .xlsx or .csv file in the compilation guide's layout, one resource per row."""

    type = "spreadsheet"

    def gather(self):
        try:
            page = self.fetcher.get(self.source.url, accept=ACCEPT)
        except FetchError as error:
            raise JobFailure("gather", str(error)) from None
        kind = sheets.file_kind(page.content_type, urlsplit(page.url).path, page.body)
        try:
            for row in sheets.read_file(page.body, kind):
                yield Listed(self._original_id(self.source.url, row), row)
        except sheets.SheetError as error:
            raise JobFailure("gather", f"{page.url[:200]} ({kind}): {error.en}") from None

    @staticmethod
    def _original_id(url: str, row: sheets.SheetRow) -> str:
        """The row's identity; scoped by the source's address (not where it redirects: a file may move)."""
        if row.code and parse_resource_code(row.code):
            return row.code
        if row.code or row.own_id:
            return f"{url}#{row.code or row.own_id}"
        return f"{url}#row-{row.number}"          # refused at the fetch stage

    def fetch(self, listed: Listed) -> sheets.SheetRow:
        row: sheets.SheetRow = listed.data
        if not (row.code or row.own_id):
            raise RecordFailure("fetch", f"第 {row.number} 行没有信息资源代码，也没有部门资源标识，无法识别该资源 || "
                                         f"row {row.number} has neither a resource code (信息资源代码) nor the "
                                         "department's identifier (部门资源标识): a row number is not a stable identity")
        return row

    def raw_digest(self, listed: Listed) -> str | None:
        """The row's cells by column (not its number: a row moved down the sheet is unchanged)."""
        text = json.dumps(listed.data.cells, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def map(self, row: sheets.SheetRow) -> dict:
        try:
            return sheets.checked_document(row, self.source.defaults, self.source.department.credit_code)
        except sheets.RowInvalid as invalid:
            raise RecordFailure("map", str(invalid)) from None

    def resource_code(self, row: sheets.SheetRow) -> str | None:
        return row.code

    def snippet(self, listed: Listed) -> str | None:
        row: sheets.SheetRow = listed.data
        lines = [f"第 {row.number} 行"] + [f"{header}: {text}" for header, text in row.cells.items()]
        return "\n".join(lines)[:2000]
