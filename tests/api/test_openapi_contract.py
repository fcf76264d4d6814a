"""The API contract outlives the code's layout: operation ids (what generated clients name
their methods after) keep their ``rucher_<domain>_api_<function>`` form."""

from __future__ import annotations

import re

from rucher.api.instance import api


def test_operation_ids_are_stable_across_module_moves() -> None:
    schema = api.get_openapi_schema()
    ids = [
        operation["operationId"]
        for path in schema["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    assert ids and len(ids) == len(set(ids))
    domains = (
        "people|spaces|conversations|streams|notifications|webhooks|moderation|expertise|search"
        "|charter|messages|discovery|recognition"
    )
    pattern = re.compile(rf"^rucher_(api_auth|({domains})_api)_\w+$")
    assert [i for i in ids if not pattern.match(i)] == []
    assert "rucher_conversations_api_accept" in ids
    assert "rucher_people_api_me" in ids
