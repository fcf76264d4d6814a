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


def test_no_two_schemas_share_a_name() -> None:
    """The OpenAPI document names each schema by its class: two classes of one name would
    describe one endpoint's answer with the other's fields (a direct message's author once
    took the place of the people API's PersonOut)."""
    import importlib
    import inspect
    import pkgutil

    from ninja import Schema

    import rucher.api

    owners: dict[str, set[str]] = {}
    for info in pkgutil.walk_packages(rucher.api.__path__, "rucher.api."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, Schema)
                and value.__module__ == module.__name__
            ):
                owners.setdefault(name, set()).add(module.__name__)
    assert {name: where for name, where in owners.items() if len(where) > 1} == {}
