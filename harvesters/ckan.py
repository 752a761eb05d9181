"""Harvesting CKAN portals through the action API, govcat's own CKAN API included.

This module only says how to list a CKAN portal and how to map one of its packages; the job
around it is :class:`harvesters.base.Harvester`'s.  The listing pages through ``package_search``
(``rows`` at a time, ``start`` moving on, sorted by ``id`` so that a package edited during the
listing does not move between pages) until ``start`` reaches ``count``.  A page that fails, is
not the API's JSON, comes back empty too early, or repeats a page already seen (the same first
package twice) fails the job: a listing that did not end cleanly is not complete, so nothing may
be withdrawn after it.

Each package is one record; its original identifier is the portal address + ``/dataset/`` + the
package ``id`` (ids alone are not unique across portals: govcat's are numbers).  The mapping
(:mod:`harvesters.ckan_package`) reads CKAN's own fields, ckanext-dcat's and ckanext-fluent's, and
the extras govcat publishes (:mod:`registry.ckan.mapping`), so a govcat-to-govcat harvest keeps
everything; what a plain portal lacks comes from the source's defaults, never invented here.
"""
from __future__ import annotations

import hashlib
import json
from urllib.parse import urlencode

from harvesters.base import JobFailure, Listed, RecordFailure, RemoteHarvester
from harvesters.ckan_package import extras, package_document
from harvesters.ckan_values import text
from harvesters.http import FetchError

API_PATH = "/api/3/action/package_search"


def portal_base(url: str) -> str:
    """The portal's address, from a source address that is the portal or its package_search."""
    url = url.rstrip("/")
    return url[:url.index("/api/")] if "/api/" in url else url


def page_url(base: str, rows: int, start: int) -> str:
    return base + API_PATH + "?" + urlencode({"q": "*:*", "rows": rows, "start": start, "sort": "id asc"})


class CkanHarvester(RemoteHarvester):
    """A CKAN portal, listed with package_search."""

    type = "ckan"
    page_size = 1000
    parallel = True

    def __init__(self, database, source, **fetcher_options):
        super().__init__(database, source, **fetcher_options)
        self.base = portal_base(source.url)

    def gather(self):
        start, first_ids = 0, set()
        while True:
            self.check_page_count(len(first_ids))
            url = page_url(self.base, self.page_size, start)
            body = self._fetch(url)
            same = self.page_unchanged(url, body)
            if same is not None and same.original_ids:
                first_ids.add(same.original_ids[0].rpartition("/dataset/")[2])
                yield from (Listed(original_id, None, unchanged=True) for original_id in same.original_ids)
                start += len(same.original_ids)
                if same.next_url is None:
                    return
                continue
            count, packages = self._read(url, body)
            if start >= count:
                return
            if not packages:
                raise JobFailure("gather", f"{url[:200]} is empty although {count} packages were announced")
            first = str(packages[0].get("id")) if isinstance(packages[0], dict) else None
            if first in first_ids:
                raise JobFailure("gather", f"paging loop: {url[:200]} repeats a page already listed")
            first_ids.add(first)
            listed = []
            for index, package in enumerate(packages):
                ident = package.get("id") or package.get("name") if isinstance(package, dict) else None
                if isinstance(ident, (str, int)) and str(ident).strip():
                    listed.append(Listed(f"{self.base}/dataset/{str(ident).strip()}", package))
                else:
                    listed.append(Listed(f"{url}#{index}", None))   # reported at the fetch stage
            start += len(packages)
            self.page_read(url, None if start >= count else page_url(self.base, self.page_size, start), listed)
            yield from listed
            if start >= count:
                return

    def _fetch(self, url: str) -> bytes:
        try:
            return self.fetcher.get(url, accept="application/json").body
        except FetchError as error:
            raise JobFailure("gather", str(error)) from None

    @staticmethod
    def _read(url: str, body: bytes) -> tuple[int, list]:
        try:
            answer = json.loads(body)
        except ValueError as error:
            raise JobFailure("gather", f"{url[:200]} is not JSON: {error}") from None
        result = answer.get("result") if isinstance(answer, dict) and answer.get("success") is True else None
        if not isinstance(result, dict) or not isinstance(result.get("count"), int) \
                or not isinstance(result.get("results"), list):
            raise JobFailure("gather", f"{url[:200]} is not a package_search answer")
        return result["count"], result["results"]

    def fetch(self, listed: Listed):
        if listed.data is None:
            raise RecordFailure("fetch", "a package without an id or a name cannot be harvested")
        return listed.data

    def raw_digest(self, listed: Listed) -> str | None:
        if listed.data is None:
            return None
        text = json.dumps(listed.data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def map(self, package: dict) -> dict:
        # The portal's address from the source's (a worker process's harvester has only the source).
        return package_document(package, portal_base(self.source.url))

    def resource_code(self, package: dict) -> str | None:
        values = extras(package)
        return text(values.get("resource_code")) or text(values.get("identifier"))

    def snippet(self, listed: Listed) -> str | None:
        if listed.data is None:
            return None
        first = {k: listed.data[k] for k in ("id", "name", "title", "notes") if k in listed.data}
        return json.dumps({**first, **listed.data}, ensure_ascii=False)[:2000]   # who it is, first
