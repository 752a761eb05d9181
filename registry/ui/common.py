"""What the staff pages share: signing in first, a vocabulary term in the page's language, and a
service's refusal laid out beside the inputs of a form."""
from __future__ import annotations

from typing import Callable

from flask import redirect, request, url_for
from marshmallow import ValidationError

from vocab import enumerations as v
from registry.auth import current_actor
from registry.errors import flatten_messages
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


def form_errors(problem, input_of: Callable[[str], str] = lambda field: "_" if field == "_schema" else field.split(".")[0]
                ) -> dict[str, list[str]]:
    """Each reason, in the page's language, under the input its field names (``input_of`` maps a
    field path to the input; ``_`` is the form as a whole)."""
    if isinstance(problem, ValidationError):
        found: dict[str, list[str]] = {}
        for error in flatten_messages(problem.messages):
            name = input_of(error["field"])
            found.setdefault(name, []).append(in_language(error["reason_zh"], error["reason"]))
        return found
    return {input_of(problem.field) if problem.field else "_": [in_language(problem.zh, problem.en)]}
