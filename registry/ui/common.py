"""What the staff pages share: signing in first, and a vocabulary term in the page's language."""
from __future__ import annotations

from flask import redirect, request, url_for

from registry import vocabularies as v
from registry.auth import current_actor
from registry.i18n import in_language


def signed_in_only():
    """A blueprint's ``before_request``: a visitor who is not signed in goes to the sign-in page first."""
    if current_actor() is None:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return None


def label(enumeration: str, key: str) -> str:
    """The label of ``key`` in one of the vocabularies (``state``, ``share_type`` …), or the key itself."""
    terms = v.ENUMERATIONS[enumeration]
    return in_language(terms[key].zh, terms[key].en) if key in terms else key
