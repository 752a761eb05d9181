"""Responsiveness: answered in time, mean answer time in working days, overdue open requests — each number."""
from __future__ import annotations

from registry.accounts.models import User
from registry.sharing.indicators import KEYS, responsiveness
from registry.sharing.services import answer_request, create_request
from tests.registry.sharing.conftest import at, publish, request_body


def test_every_number_of_the_indicator(db, world):
    resources = [publish(db, world.dept_b, conditional_share=True) for _ in range(4)]
    unconditional = publish(db, world.dept_b)
    far = {"period_end": "2027-12-31"}
    with db.transaction() as session:
        editor, reviewer = session.get(User, world.editor_a.user.id), session.get(User, world.reviewer_b.user.id)
        september = at(2026, 9, 28)            # due 16 October 2026 (National Day in between)
        in_time = create_request(session, editor, request_body(resources[0], **far), now=september)
        late = create_request(session, editor, request_body(resources[1], **far), now=september)
        create_request(session, editor, request_body(resources[2], **far), now=september)        # never answered
        create_request(session, editor, request_body(resources[3], **far), now=at(2026, 10, 19))  # not yet due
        create_request(session, editor, request_body(unconditional, **far), now=september)      # no answer needed
        assert in_time.due_on.isoformat() == "2026-10-16"
        answer_request(session, reviewer, in_time.id, {"decision": "grant"}, now=at(2026, 10, 16, 17))
        answer_request(session, reviewer, late.id, {"decision": "refuse", "reason": "迟复"}, now=at(2026, 10, 19))

    with db.transaction() as session:
        found = responsiveness(session, now=at(2026, 10, 20))
        assert found[world.dept_b.id] == {
            "requests_received": 4, "requests_answered": 2,
            "answered_in_time_share": 1 / 3,          # in time 1; late 1; overdue open 1
            "mean_answer_working_days": 10.5,         # 10 and 11 working days
            "overdue_open": 1}
        assert found[world.dept_a.id] == {"requests_received": 0, "requests_answered": 0,
                                          "answered_in_time_share": None, "mean_answer_working_days": None,
                                          "overdue_open": 0}
        assert set(found[world.dept_a.id]) == set(KEYS)
        # As of 1 October: three requests made, none answered, none due yet — nothing measurable.
        earlier = responsiveness(session, now=at(2026, 10, 1))[world.dept_b.id]
        assert earlier == {"requests_received": 3, "requests_answered": 0, "answered_in_time_share": None,
                           "mean_answer_working_days": None, "overdue_open": 0}
