"""A harvest job's outcome in a form a person can act on: reasons grouped, counted, and each with its fix.

A job over a foreign catalog may drop the same bad value from thousands of records, or find the same
guide field missing in all of them.  Listing each record says little; this module counts them by
reason (errors: records not taken; warnings: values dropped, records kept; to complete: the guide
fields records lack) and says for each what to do — set a default on the source, complete the
records in the department's workspace, or fix the value at the source.
"""
from __future__ import annotations

import re
from collections import Counter

from vocab import enumerations as v

# Guide fields a catalog centre can answer once for every record of a source (`--default FIELD=VALUE`).
DEFAULTABLE = ("classification", "format_class", "format_type", "share_type", "share_conditions", "share_basis",
               "share_method", "open_type", "open_conditions", "update_frequency")
ENUMERATED = {"format_class": v.FORMAT_CLASSES, "share_type": v.SHARE_TYPES, "share_method": v.SHARE_METHODS,
              "open_type": v.OPEN_TYPES, "update_frequency": v.UPDATE_FREQUENCIES}
ERROR_FIXES = {
    "no title": ("The source's record has no title: it can only be fixed at the source.",
                 "源记录没有名称，只能在源系统中补正。"),
    "classified": ("The source marks the record classified; the catalog holds non-classified resources only.",
                   "源记录标为涉密，目录只登记非涉密资源。"),
    "duplicate": ("The same dataset came from another source or already has this resource code: nothing to do "
                  "unless the wrong source holds it.", "该数据集已由其他采集源采集或资源代码已存在。"),
}
_INDEX = re.compile(r"\[\d+\]")


class Tally:
    """Counts a job's errors, warnings and missing fields as they happen; :meth:`summary` is the report's."""

    def __init__(self):
        self.reasons: Counter = Counter()
        self.missing: Counter = Counter()

    def note(self, severity: str, reason: str, field: str | None = None) -> None:
        self.reasons[severity, _INDEX.sub("[]", field or ""), reason] += 1

    def note_missing(self, fields: list[str]) -> None:
        self.missing.update(fields)

    def summary(self) -> dict:
        return {"reasons": [[s, f, r, n] for (s, f, r), n in self.reasons.most_common()],
                "missing": dict(self.missing.most_common())}


def guidance(summary: dict | None, source_name: str) -> dict:
    """The grouped report of a job's summary (as :meth:`Tally.summary` stored it), with the fixes."""
    summary = summary or {}
    errors, warnings = [], []
    for severity, field, reason, count in summary.get("reasons", ()):
        entry = {"reason": reason, "field": field or None, "count": count}
        if severity == "error":
            fix = ERROR_FIXES.get(reason, ("See the records' messages in the job report; fix the source or its "
                                           "defaults.", "见任务报告中各条记录的说明，修正源系统或采集源默认值。"))
            errors.append({**entry, "fix": fix[0], "fix_zh": fix[1]})
        else:
            warnings.append({**entry, "fix": "The value was dropped and the record kept; correct it at the source "
                                             "if it matters.", "fix_zh": "该值已舍弃，记录已保留；如需保留请在源系统中修正。"})
    to_complete = [{"field": name, "count": count, **_completion_fix(name, source_name)}
                   for name, count in (summary.get("missing") or {}).items()]
    return {"errors": errors, "warnings": warnings, "to_complete": to_complete}


def _completion_fix(name: str, source_name: str) -> dict:
    workspace = "complete the records in the department's workspace (state incomplete, 待补录)"
    if name == "issued":
        return {"fix": f"the source gives no release date, and none is made up to publish as harvested: {workspace}, "
                       f"or harvest with review (govcat harvest update {source_name} --publish review): the date is "
                       f"then the day the centre publishes",
                "fix_zh": "源系统未提供发布日期：请在部门工作台补录，或改为审核后发布（发布日期为目录中心发布之日）。"}
    if name in DEFAULTABLE:
        values = f" ({'|'.join(ENUMERATED[name].keys)})" if name in ENUMERATED else ""
        return {"fix": f"set a default for every record of the source: govcat harvest update {source_name} "
                       f"--default {name}=VALUE{values}; or {workspace}",
                "fix_zh": f"为采集源设置默认值（--default {name}=…），或在部门工作台补录。"}
    return {"fix": f"the source does not say it: {workspace}", "fix_zh": "源系统未提供，请在部门工作台补录。"}


def guidance_lines(grouped: dict) -> list[str]:
    """The grouped report as lines for a terminal."""
    lines = []
    for title, key in (("Errors (records not taken)", "errors"), ("Warnings (values dropped, records kept)", "warnings")):
        if grouped[key]:
            lines.append(f"{title}:")
            lines += [f"  {e['count']:>7} × {(e['field'] + ': ') if e['field'] else ''}{e['reason']}\n"
                      f"            → {e['fix']}" for e in grouped[key]]
    if grouped["to_complete"]:
        lines.append("To be completed (stored, not public, until the department completes them):")
        lines += [f"  {e['count']:>7} × {e['field']} missing\n            → {e['fix']}" for e in grouped["to_complete"]]
    return lines
