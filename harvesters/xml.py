"""Reading XML from department systems safely: no entities resolved, no network, bounded trees.

Every XML answer (CSW, OAI-PMH, RDF/XML pages read by lxml) is parsed here.  The parser never
resolves entities (no billion laughs, no local files read through ``SYSTEM`` entities), never
fetches a DTD or anything else from the network, and keeps lxml's limits on tree depth and text
size.  A document with a DOCTYPE that declares entities is refused outright: catalogs have no use
for them, and refusing says clearly what was wrong.
"""
from __future__ import annotations

from lxml import etree

from harvesters.base import JobFailure


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                           dtd_validation=False, remove_comments=True, remove_pis=True)


def parse_xml(body: bytes, url: str, stage: str = "gather") -> etree._Element:
    """The root element of ``body``; :class:`JobFailure` if it is not well-formed or declares entities."""
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as error:
        raise JobFailure(stage, f"{url[:200]} is not well-formed XML: {str(error)[:300]}") from None
    doctype = root.getroottree().docinfo
    if doctype.internalDTD is not None and any(True for _ in doctype.internalDTD.iterentities()):
        raise JobFailure(stage, f"{url[:200]} declares XML entities; they are not accepted")
    return root
