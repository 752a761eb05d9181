"""The RDF endpoints: the catalog in pages, each resource, dumps, and the vocabularies, by content negotiation.

``/catalog`` and ``/resources/<id>`` answer HTML to browsers and RDF to RDF clients (``Accept``);
the same with an extension (``/catalog.ttl``, ``/resources/12.jsonld``) asks for one format. A
resource's IRI (``/resources/<classification>/<sequence>``, the resource code) dereferences too.

One resource is shown in the revision the JSON API would show the same caller
(:func:`registry.resources.services.visible_revision`): the public sees published resources only;
staff who may read a resource's working copy (signed in, or with a token) get the working copy of
a resource that is not public, and ``?revision=working`` gives them a published resource's pending
revision.  Such answers are private: never stored by a shared cache.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, redirect, render_template, request, stream_with_context, url_for
from sqlalchemy import select

from vocab import enumerations as v
from registry.api.common import int_arg
from registry.auth import current_actor
from registry.db import get_db, get_session
from registry.departments.models import ClassificationNode
from registry.departments.services import list_departments
from registry.errors import BadRequest, NotFound
from registry.i18n import in_language
from registry.links.services import document_urls, link_checks
from registry.links.words import dead_reason
from registry.rdf import services
from registry.rdf.formats import FORMATS, by_extension, negotiate
from registry.rdf.writing import TripleSink
from registry.resources.models import Resource
from registry.resources.origins import resource_origins
from registry.resources.schemas import missing_fields
from registry.resources.services import visible_revision
from registry.search import get_engine
from registry.search.query import parse_search_args
from registry.ui.catalog import classification_page
from vocab import vocabulary_graph, vocabulary_text
from vocab.schemes import concept_schemes_graph

bp = Blueprint("rdf", __name__)
CATALOG_PAGE_MAX = 1000


def _answer(graph, fmt):
    return Response(services.serialize(graph, fmt), mimetype=fmt.media_type,
                    headers={"Vary": "Accept", "Access-Control-Allow-Origin": "*"})


def _modified_since():
    raw = request.args.get("modified_since")
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest("modified_since 应为 ISO 8601 日期或时间。", "modified_since must be an ISO 8601 date or "
                         "date-time, e.g. 2025-01-31 or 2025-01-31T08:00:00Z.", "modified_since") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@bp.get("/catalog")
@bp.get("/catalog.<ext>")
def catalog(ext: str | None = None):
    fmt = by_extension(ext) if ext else negotiate(request.accept_mimetypes)
    if fmt is None:
        return redirect(url_for("home"))
    args = request.args.copy()
    since = _modified_since()
    args.pop("modified_since", None)
    page = int_arg("page", 1, maximum=10**6)
    per_page = int_arg("per_page", 100, maximum=CATALOG_PAGE_MAX)
    query = replace(parse_search_args(args, page=page, per_page=per_page), per_page=per_page, modified_since=since)
    site = services.settings(request.url_root)
    extension = ext or fmt.extension

    def page_url(number: int) -> str:
        kept = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
        return f"{site['base']}/catalog.{extension}?" + urlencode(kept + [("page", number)])

    graph = services.catalog_page(get_session(), get_engine(), query, site, page_url,
                                  converted=fmt.extension != "jsonld")
    return _answer(graph, fmt)


def _resource(resource_id: int | None = None, code: str | None = None) -> tuple[Resource, str]:
    """The resource and the revision of it this caller sees (404 when the caller sees none)."""
    wanted = request.args.get("revision", "")
    if wanted not in ("", "published", "working"):
        raise BadRequest("revision 应为 published 或 working。", "revision is published or working.", "revision")
    session = get_session()
    resource = session.get(Resource, resource_id) if resource_id is not None else \
        session.scalar(select(Resource).where(Resource.code == code))
    if resource is None:
        raise NotFound("未找到该信息资源。", "No published resource here.")
    return resource, visible_revision(resource, current_actor(), working=wanted == "working")


def _resource_answer(resource: Resource, revision: str, ext: str | None):
    fmt = by_extension(ext) if ext else negotiate(request.accept_mimetypes)
    if fmt is None:
        doc = resource.public_doc if revision == "published" else resource.doc
        response = Response(render_template("resource.html", resource=resource, doc=doc, revision=revision,
                                            formats=FORMATS, missing_fields=missing_fields,
                                            **_page_context(get_session(), resource, doc)))
    else:
        graph = services.resource_graph(get_session(), resource, services.settings(request.url_root), revision)
        response = _answer(graph, fmt)
    # Who asks decides what a resource's URL answers: caches keep answers apart by credentials,
    # and a working copy is kept by none but the caller's own.
    response.headers["Vary"] = "Accept, Authorization, Cookie"
    if revision == "working":
        response.headers["Cache-Control"] = "private, no-store"
        response.headers.pop("Access-Control-Allow-Origin", None)
    return response


def _page_context(session, resource: Resource, doc: dict) -> dict:
    """What the resource page shows beside the document: labels in the page's language, the
    classification's name, where a harvested resource came from, what its links answered."""
    def label(name: str, key) -> str:
        terms = v.ENUMERATIONS[name]
        return in_language(terms[key].zh, terms[key].en) if key in terms else str(key)
    node = session.get(ClassificationNode, doc.get("classification") or "")
    return {"label": label, "origin": resource_origins(session, [resource.id]).get(resource.id),
            "link_checks": link_checks(session, document_urls(doc)), "dead_reason": dead_reason,
            "classification_name": in_language(node.name, node.name_en or node.name) if node else None,
            "provider_name": in_language(resource.department.name, resource.department.name_en or resource.department.name)}


@bp.get("/resources/<int:resource_id>")
@bp.get("/resources/<int:resource_id>.<ext>")
def resource(resource_id: int, ext: str | None = None):
    return _resource_answer(*_resource(resource_id=resource_id), ext)


@bp.get("/resources/<classification>/<sequence>")
def resource_by_code(classification: str, sequence: str):
    """The resource IRI itself (its code): dereferenceable like the id URL."""
    sequence, _, ext = sequence.partition(".")
    return _resource_answer(*_resource(code=f"{classification}/{sequence}"), ext or None)


@bp.get("/catalog/dump.<syntax>")
def dump(syntax: str):
    """The whole published catalog, streamed (append ``.gz`` for gzip)."""
    compressed = syntax.endswith(".gz")
    fmt = by_extension(syntax.removesuffix(".gz"))
    if fmt.extension == "rdf":
        raise BadRequest("整库导出支持 ttl、nt、jsonld。", "Dumps come as ttl, nt or jsonld.", "format")
    app = current_app._get_current_object()
    site = services.settings(request.url_root)

    def generate():
        with app.app_context():
            chunks = services.dump_chunks(get_db(app), fmt, site)
            yield from (services.gzipped(chunks) if compressed else chunks)

    name = f"govcat-catalog.{syntax}"
    return Response(stream_with_context(generate()), mimetype="application/gzip" if compressed else fmt.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/ns")
@bp.get("/ns.<ext>")
def namespace(ext: str | None = None):
    """govcat's RDF vocabulary, at its namespace."""
    fmt = by_extension(ext) if ext else negotiate(request.accept_mimetypes, html=False)
    if fmt.extension == "ttl":
        return Response(vocabulary_text(), mimetype=fmt.media_type)
    return _answer(_sink(vocabulary_graph()), fmt)


@bp.get("/classification")
@bp.get("/classification.<ext>")
def schemes(ext: str | None = None):
    """The concept schemes: the classification tree (with each department's branch) and the enumerations."""
    fmt = by_extension(ext) if ext else negotiate(request.accept_mimetypes)
    if fmt is None:                    # a browser: the tree with counts, as a page
        return classification_page()
    departments = list_departments(get_session())
    return _answer(_sink(concept_schemes_graph(services.settings(request.url_root)["base"], departments)), fmt)


def _sink(graph) -> TripleSink:
    sink = TripleSink()
    sink.triples.extend(graph)
    return sink
