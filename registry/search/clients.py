"""Talking to an OpenSearch or Elasticsearch cluster: the node list, and one thin adapter per client.

The engine (:mod:`registry.search.server`) builds every request body once; these adapters only
send it the way each client wants — ``opensearchpy.OpenSearch`` takes bodies in ``body=``,
``elasticsearch.Elasticsearch`` (8/9) takes their fields as keyword arguments — and read the
errors both clients raise.
"""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

import urllib3

# Passed through both clients to urllib3: a dead host fails in seconds, a slow query gets ten.
TIMEOUT = urllib3.Timeout(connect=3.0, read=10.0)
RETRIES = 2                      # on connection errors and 502/503/504, another node if there is one
RETRY_STATUS = (502, 503, 504)


class Missing(Exception):
    """The alias (or index) does not exist."""


def error_summary(error: Exception) -> tuple[int | None, str]:
    """HTTP status (None for transport failures) and a short reason; both clients' errors carry these."""
    status = getattr(error, "status_code", None)
    if not isinstance(status, int):           # opensearch-py says "N/A" when no answer came
        return None, str(error)[:300]
    body, reason = getattr(error, "info", None), getattr(error, "error", "")
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        reason = f"{body['error'].get('type', '')}: {body['error'].get('reason', '')}"
    return status, str(reason or error)[:300]


class OpenSearchAdapter:
    """opensearch-py: bodies in ``body=``."""

    def __init__(self, hosts: list[str], auth, tls: dict):
        from opensearchpy import OpenSearch
        from opensearchpy.exceptions import OpenSearchException

        self.errors = (OpenSearchException,)
        self.client = OpenSearch(hosts, http_auth=auth, timeout=TIMEOUT, max_retries=RETRIES, retry_on_timeout=False,
                                 retry_on_status=RETRY_STATUS, **tls)

    def info(self): return self.client.info()
    def create_index(self, index, body): self.client.indices.create(index=index, body=body)
    def put_settings(self, index, settings): self.client.indices.put_settings(index=index, body=settings)
    def delete_indices(self, names): self.client.indices.delete(index=",".join(names))
    def update_aliases(self, actions): self.client.indices.update_aliases(body={"actions": actions})
    def refresh(self, index): self.client.indices.refresh(index=index)
    def search(self, index, body): return self.client.search(index=index, body=body)
    def mapping(self, index): return self.client.indices.get_mapping(index=index)

    def aliases(self, index):      # {} when nothing matches
        answer = self.client.indices.get_alias(index=index, ignore=404)
        return {} if answer.get("status") == 404 else answer

    def bulk(self, index, operations, refresh, require_alias):
        return self.client.bulk(index=index, body=operations, refresh="true" if refresh else "false",
                                require_alias="true" if require_alias else "false")


class ElasticsearchAdapter:
    """elasticsearch-py 8/9: body fields as keyword arguments; answers unwrapped to plain dicts."""

    def __init__(self, hosts: list[str], auth, tls: dict):
        from elastic_transport import TransportError
        from elasticsearch import ApiError, Elasticsearch

        self.errors = (ApiError, TransportError)
        self.client = Elasticsearch(hosts, basic_auth=auth, request_timeout=TIMEOUT, max_retries=RETRIES,
                                    retry_on_timeout=False, retry_on_status=RETRY_STATUS, **tls)

    def info(self): return self.client.info().body
    def create_index(self, index, body): self.client.indices.create(index=index, **body)
    def put_settings(self, index, settings): self.client.indices.put_settings(index=index, settings=settings)
    def delete_indices(self, names): self.client.indices.delete(index=",".join(names))
    def update_aliases(self, actions): self.client.indices.update_aliases(actions=actions)
    def refresh(self, index): self.client.indices.refresh(index=index)
    def search(self, index, body): return self.client.search(index=index, **body).body
    def mapping(self, index): return self.client.indices.get_mapping(index=index).body

    def aliases(self, index):      # {} when nothing matches
        answer = self.client.options(ignore_status=404).indices.get_alias(index=index)
        return {} if answer.meta.status == 404 else answer.body

    def bulk(self, index, operations, refresh, require_alias):
        return self.client.bulk(index=index, operations=operations, refresh=refresh, require_alias=require_alias).body


ADAPTERS = {"opensearch": OpenSearchAdapter, "elasticsearch": ElasticsearchAdapter}


def parse_urls(value: str) -> tuple[list[str], tuple[str, str] | None]:
    """Node URLs without credentials (a missing port is the scheme's: 80 or 443), and the credentials."""
    hosts, auth = [], None
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        url = urlsplit(part)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError("GOVCAT_SEARCH_URL: each node is an http:// or https:// URL")
        host = f"[{url.hostname}]" if ":" in url.hostname else url.hostname
        hosts.append(f"{url.scheme}://{host}:{url.port or (443 if url.scheme == 'https' else 80)}"
                     f"{url.path.rstrip('/')}")
        if url.username is not None:
            node_auth = (unquote(url.username), unquote(url.password or ""))
            if auth is not None and auth != node_auth:
                raise ValueError("GOVCAT_SEARCH_URL: all nodes must use the same credentials")
            auth = node_auth
    if not hosts:
        raise ValueError("GOVCAT_SEARCH_URL names no node")
    if len({host.split(":", 1)[0] for host in hosts}) > 1:
        raise ValueError("GOVCAT_SEARCH_URL: all nodes are http, or all https")
    return hosts, auth
