"""Hypothesis strategies for valid metadata documents, derived from the resource schema itself.

Each field's strategy follows from its marshmallow field: its class (text, integer, date, URL,
e-mail, nested, list), its validators (length, choices, pattern, range) and whether it is
required; every generated leaf is checked by the field's own ``deserialize``.  A field added to
the schema is therefore generated — and round-tripped — without touching this module; only
fields whose rules live in schema-level validators need an entry in ``OVERRIDES``.  The texts
mix Chinese, English, punctuation that matters to serialisers and line breaks.
"""
from __future__ import annotations

from datetime import date

from hypothesis import strategies as st
from marshmallow import ValidationError, fields
from marshmallow import validate as mv

from vocab import enumerations as v
from vocab.codes import CLASSIFICATION_CODE_RE, RESOURCE_CODE_RE, make_credit_code
from registry.departments.schemas import CreditCode
from registry.resources.schemas import LANGUAGE_TAG, ResourceSchema, normalize_metadata
from registry.schema_base import IsoDate

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
SPECIAL = st.sampled_from(list("的数据资源，。、；：“”《》（）!?<>&\"'\\/{}[]#%@+-_=~` \n\r\t") + ["\u3000", "\u00a0",
                                                                                              "\u2028", "é", "😀"])
# Any character a document can hold, bar the three RDF cannot carry (see vocab/README.md).
ANY = st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\ufffe\uffff")
ALPHABET = st.one_of(CJK, CJK, st.characters(min_codepoint=0x20, max_codepoint=0x7E), SPECIAL, ANY)

IRI_TEXT = st.lists(st.one_of(CJK, st.sampled_from(list("abcxyz0189-._~!$&'()*+,;=:@/")),
                              st.sampled_from(["%20", "%E6%95%B0"]),
                              # accepted by the schema, but not as such in an IRI: repaired, canonically
                              st.sampled_from(["%zz", "%2", "\u200b", "\u2060"])), max_size=12).map("".join)
HOSTS = st.one_of(st.from_regex(r"[a-z][a-z0-9-]{0,8}(\.[a-z]{2,6}){0,2}", fullmatch=True),
                  st.sampled_from(["10.0.0.1", "localhost", "data.example.gov.cn", "数据.中国"]))
URLS = st.builds(lambda scheme, host, path, query: f"{scheme}://{host}/{path}{'?' + query if query else ''}",
                 st.sampled_from(["http", "https", "ftp", "ftps"]), HOSTS, IRI_TEXT,
                 st.one_of(st.none(), IRI_TEXT))
CREDIT_CODES = st.builds(make_credit_code, st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
                         st.from_regex(r"[0-9A-HJ-NPQRTUWXY]{9}", fullmatch=True))
EMAILS = st.one_of(st.emails(), st.sampled_from(["data.office@example.gov.cn", "a+b@x.cn", "王@数据.中国"]))

# Language tags: the ones that matter to the mapping (zh is the default, "" untagged, en clashes
# with the English translations, case is not kept) more often than chance would draw them.
LANGUAGE_TAGS = st.one_of(st.sampled_from(["", "zh", "ZH", "en", "EN", "en-GB", "de", "nl", "es", "zh-Hant"]),
                          st.from_regex(LANGUAGE_TAG, fullmatch=True))
OVERRIDES = {
    "title_lang": LANGUAGE_TAGS, "description_lang": LANGUAGE_TAGS, "keywords_lang": LANGUAGE_TAGS,
    "classification": st.from_regex(CLASSIFICATION_CODE_RE, fullmatch=True),
    "related_codes": st.lists(st.from_regex(RESOURCE_CODE_RE, fullmatch=True), max_size=4),
    "classified": st.just(False),  # a classified resource is refused
}
MAX_LIST = 4


def texts(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy:
    """Chinese text (with punctuation and line breaks), mixed Chinese and English, or anything."""
    return st.one_of(
        st.text(st.one_of(CJK, CJK, CJK, SPECIAL), min_size=max(min_size, 1), max_size=max_size),
        st.lists(st.one_of(st.text(CJK, min_size=1, max_size=6), st.from_regex(r"[A-Za-z0-9 ,.]{1,8}", fullmatch=True)),
                 min_size=1, max_size=6).map(" ".join).map(lambda text: text[:max_size]),
        st.text(ALPHABET, min_size=min_size, max_size=max_size),
    )


def _accepted(field: fields.Field):
    def check(value) -> bool:
        try:
            field.deserialize(value)
        except ValidationError:
            return False
        return True
    return check


def _validator(field: fields.Field, kind):
    return next((item for item in field.validators if isinstance(item, kind)), None)


def field_strategy(name: str, field: fields.Field) -> st.SearchStrategy:
    """Values ``field`` accepts (before normalisation)."""
    if name in OVERRIDES:
        return OVERRIDES[name]
    length, choices = _validator(field, mv.Length), _validator(field, mv.OneOf)
    pattern, bounds = _validator(field, mv.Regexp), _validator(field, mv.Range)
    if isinstance(field, fields.Nested):
        return document_strategy(field.schema)
    if isinstance(field, fields.List):
        inner = field_strategy(name, field.inner)
        if isinstance(field.inner, fields.String) and _validator(field.inner, mv.OneOf):
            return st.lists(inner, max_size=MAX_LIST, unique=True)
        return st.lists(inner, max_size=min(MAX_LIST, length.max if length else MAX_LIST))
    if isinstance(field, fields.Boolean):
        return st.booleans()
    if isinstance(field, IsoDate):
        return st.dates(min_value=date(1, 1, 1)).map(date.isoformat)
    if isinstance(field, CreditCode):
        return CREDIT_CODES
    if isinstance(field, fields.Integer):
        low = bounds.min if bounds and bounds.min is not None else 0
        return st.one_of(st.integers(low, low + 1000), st.integers(low, 10 ** 15))
    if choices is not None:
        return st.sampled_from(list(choices.choices))
    if isinstance(field, fields.Email):
        strategy = EMAILS
    elif isinstance(field, fields.Url):
        strategy = URLS
    elif pattern is not None:
        strategy = st.from_regex(pattern.regex, fullmatch=True)
    else:
        low = max(length.min or 0, 1 if field.required else 0) if length else (1 if field.required else 0)
        strategy = texts(low, min(60, length.max if length and length.max else 60))
    return strategy.filter(_accepted(field))


@st.composite
def document_strategy(draw, schema) -> dict:
    """A document of ``schema``: required fields always, optional ones sometimes."""
    doc = {}
    for name, field in schema.fields.items():
        if field.required or draw(st.booleans()):
            doc[name] = draw(field_strategy(name, field))
    if "start" in doc and "end" in doc and doc["start"] > doc["end"]:
        doc["start"], doc["end"] = doc["end"], doc["start"]
    return doc


def _satisfy_rules(draw, doc: dict) -> dict:
    """Fill in what the compilation guide's conditional rules demand (schemas.py, _conditional_rules)."""
    fields_ = ResourceSchema().fields
    needs = []
    if doc["share_type"] == "conditional":
        needs.append("share_conditions")
    if doc["share_type"] == "none":
        needs.append("share_basis")
    if doc["share_type"] in ("unconditional", "conditional"):
        needs.append("share_method")
    if doc["open_type"] == "conditional":
        needs.append("open_conditions")
    if doc["format_class"] in v.FORMAT_CLASSES_WITH_DATA_ITEMS:
        needs.append("data_items")
    for name in needs:
        while name not in doc or not fields_[name].deserialize(doc[name]):
            doc[name] = draw(field_strategy(name, fields_[name]))
    return doc


@st.composite
def metadata_documents(draw) -> dict:
    """A document ``normalize_metadata`` accepts (as typed, before normalisation)."""
    doc = _satisfy_rules(draw, draw(document_strategy(ResourceSchema())))
    normalize_metadata(doc)  # a generated document the schema refuses is a bug of this module
    return doc


@st.composite
def canonical_documents(draw) -> dict:
    """Normalised documents already in canonical form: they must round-trip exactly."""
    from vocab.mapping import canonical_metadata
    return canonical_metadata(normalize_metadata(draw(metadata_documents())))
