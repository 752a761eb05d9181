"""The evaluation as pages: ``/evaluation`` (the catalog's scorecard and the ranking of departments, with a
bar chart) and ``/evaluation/departments/<credit code>`` (a department's scorecard and its trend, with a
line chart).  Charts are inline SVG drawn by :mod:`registry.evaluation.charts`; no script is needed.
Signed-in users only: the measures are public inside the government, not to the public.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template
from flask_babel import gettext as _

from registry.db import get_session
from registry.evaluation import charts, reports
from registry.evaluation.scorecards import evaluate, measure
from registry.evaluation.snapshots import trend
from registry.evaluation.views import department_scorecard
from registry.ui.common import signed_in_only

bp = Blueprint("evaluation_pages", __name__)
bp.before_request(signed_in_only)
HELPERS = {"shown": reports.shown, "shown_score": reports.shown_score, "label": reports.label,
           "name": reports.department_name, "measure": measure}


@bp.get("/evaluation")
def catalog():
    evaluation = evaluate(get_session())
    chart = charts.bar_chart([(f"{c.rank}. {reports.department_name(c.department)}" if c.rank else
                               reports.department_name(c.department), c.score) for c in evaluation.departments],
                             title=_("Departments ranked by score"), axis=_("Score"))
    return render_template("evaluation/catalog.html", evaluation=evaluation, chart=chart, **HELPERS)


@bp.get("/evaluation/departments/<code>")
def department(code: str):
    session = get_session()
    evaluation, card = department_scorecard(session, code)
    points = trend(session, card.department.id)
    chart = charts.line_chart([(date.fromisoformat(p["day"]), p["score"]) for p in points],
                              title=_("Score of %(name)s over time", name=reports.department_name(card.department)),
                              axis=_("Score"), time_axis=_("Date of the snapshot")) if points else None
    ranked = sum(1 for c in evaluation.departments if c.rank is not None)
    return render_template("evaluation/department.html", evaluation=evaluation, card=card, points=points,
                           chart=chart, ranked=ranked, **HELPERS)
