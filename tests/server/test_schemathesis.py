"""A bounded schemathesis run against /openapi.json: no 5xx, replies conform to the schema."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.server.conftest import PASSWORD, Org
from tests.server.helpers import Api

# Fixed budget (CI tier): examples per operation; the whole run stays well under a minute.
MAX_EXAMPLES = 10


def test_api_conforms_to_its_schema(server: Any, org: Org, http: Any) -> None:
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    failures: list[str] = []
    for op in operations:

        @given(case=op.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            token = org.admin.token
            if case.path.endswith("/auth/logout"):
                # Logging out would revoke the shared token: log out a throwaway one instead.
                spare = Api(http)
                spare.login(org.users["member2"], PASSWORD)
                token = spare.token
            case.call_and_validate(base_url=server.url,
                                   headers={"Authorization": f"Bearer {token}"})

        try:
            run()
        except Exception as e:  # collect every operation's failure, then fail once
            failures.append(f"{op.label}: {e}")
    assert not failures, "\n\n".join(failures)
