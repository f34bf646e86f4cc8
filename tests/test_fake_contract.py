"""The fake Admin API answers in the shapes the reference OpenAPI spec documents.

Schemas come from ``../shared/reference/openai-admin-api.yaml`` and are checked "closed": every object
the fake sends may carry only the properties the spec lists. One documented deviation: the spec types
``amount.value`` as a number, while the live API also sends strings, so the fake's "mixed" mode is
checked to differ from the spec in exactly that field and nowhere else.
"""

from __future__ import annotations

import copy
import itertools
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.core.dates import day_start_unix
from openai_cost_tui.fake.api import ARRAY_PARAMS, QUERY_PARAMS, FakeAdminApi
from openai_cost_tui.fake.faults import Fault, FaultPlan
from openai_cost_tui.fake.org import GROUP_FIELDS, FakeOrg
from openai_cost_tui.fake.transport import fake_client

SPEC_PATH = Path(__file__).resolve().parents[2] / "shared" / "reference" / "openai-admin-api.yaml"
URI = "urn:openai-admin-api"
T0 = day_start_unix(date(2026, 1, 1))
COMBOS = [combo for n in range(4) for combo in itertools.combinations(GROUP_FIELDS, n)]


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    if not SPEC_PATH.exists():
        pytest.skip(
            "needs the project's shared reference spec (../shared/reference/openai-admin-api.yaml beside the "
            "repository), which a plain clone does not have; the fake's shapes are checked where it is"
        )
    import yaml

    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def _close(node: object) -> None:
    """Forbid properties a schema does not list (the spec leaves objects open)."""
    if isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for child in node.values():
            _close(child)
    elif isinstance(node, list):
        for child in node:
            _close(child)


@pytest.fixture(scope="module")
def registry(spec: dict[str, Any]) -> Registry:
    closed = copy.deepcopy(spec)
    _close(closed["components"])
    return Registry().with_resource(URI, Resource.from_contents(closed, default_specification=DRAFT202012))


def validator(registry: Registry, ref: str) -> Draft202012Validator:
    """A validator for a ``#/components/...`` reference of the spec."""
    return Draft202012Validator({"$ref": URI + ref}, registry=registry)


def response_ref(spec: dict[str, Any], template: str, status: str = "200") -> str:
    answer = spec["paths"][template]["get"]["responses"][status]
    if "$ref" in answer:  # a shared response, e.g. TooManyRequests
        answer = spec["components"]["responses"][answer["$ref"].rsplit("/", 1)[-1]]
    return answer["content"]["application/json"]["schema"]["$ref"]


@pytest.fixture(scope="module")
def org() -> FakeOrg:
    return FakeOrg(5, start=date(2026, 1, 1), end=date(2026, 2, 28), size="small")


def client_for(org: FakeOrg, **kwargs: Any) -> httpx.Client:
    api = FakeAdminApi(org, clock=fixed_clock(datetime(2026, 3, 5, tzinfo=UTC)), **kwargs)
    return fake_client(api)


def check(registry: Registry, ref: str, response: httpx.Response) -> None:
    assert response.headers["content-type"] == "application/json"
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator(registry, ref).iter_errors(response.json())
    ]
    assert not errors, errors[:5]


@pytest.mark.parametrize("combo", COMBOS, ids=lambda c: "+".join(c) or "none")
def test_costs_match_usage_response(
    spec: dict, registry: Registry, org: FakeOrg, combo: tuple[str, ...]
) -> None:
    client = client_for(org, amounts_as="number")
    ref = response_ref(spec, "/organization/costs")
    first = client.get("/organization/costs", params={"start_time": T0, "limit": 2, "group_by": list(combo)})
    assert first.json()["has_more"] is True
    check(registry, ref, first)
    last_days = {"start_time": day_start_unix(date(2026, 2, 27)), "limit": 180, "group_by": list(combo)}
    last = client.get("/organization/costs", params=last_days)  # the org ends: empty buckets follow
    assert last.json()["next_page"] is None and last.json()["data"][-1]["results"] == []
    check(registry, ref, last)


def test_the_check_is_not_vacuous(spec: dict, registry: Registry, org: FakeOrg) -> None:
    body = (
        client_for(org, amounts_as="number")
        .get("/organization/costs", params={"start_time": T0, "limit": 1})
        .json()
    )
    check_ref = validator(registry, response_ref(spec, "/organization/costs"))
    assert not list(check_ref.iter_errors(body))
    body["data"][0]["results"][0]["surprise"] = 1
    assert list(check_ref.iter_errors(body))


def test_string_amounts_are_the_only_deviation(spec: dict, registry: Registry, org: FakeOrg) -> None:
    """The live API sends ``amount.value`` as a string at times; the spec says number."""
    params = {"start_time": T0, "limit": 4, "group_by": list(GROUP_FIELDS)}
    body = client_for(org, amounts_as="mixed").get("/organization/costs", params=params).json()
    errors = list(validator(registry, response_ref(spec, "/organization/costs")).iter_errors(body))
    assert errors
    for e in errors:
        leaves = [c for c in e.context if list(c.absolute_path)[-2:] == ["amount", "value"]] or [e]
        assert any(isinstance(leaf.instance, str) for leaf in leaves), e.message


def test_usage_completions_matches(spec: dict, registry: Registry, org: FakeOrg) -> None:
    client = client_for(org)
    ref = response_ref(spec, "/organization/usage/completions")
    for width in ("1d", "1h", "1m"):
        check(
            registry,
            ref,
            client.get("/organization/usage/completions", params={"start_time": T0, "bucket_width": width}),
        )


def test_projects_keys_alerts_and_limits_match(spec: dict, registry: Registry, org: FakeOrg) -> None:
    client = client_for(org)
    check(registry, response_ref(spec, "/organization/projects"), client.get("/organization/projects"))
    every = client.get("/organization/projects", params={"include_archived": "true", "limit": 2})
    check(registry, response_ref(spec, "/organization/projects"), every)
    for project in org.projects:
        pid = project.id
        check(
            registry,
            response_ref(spec, "/organization/projects/{project_id}"),
            client.get(f"/organization/projects/{pid}"),
        )
        check(
            registry,
            response_ref(spec, "/organization/projects/{project_id}/api_keys"),
            client.get(f"/organization/projects/{pid}/api_keys", params={"limit": 1}),
        )
        check(
            registry,
            response_ref(spec, "/organization/projects/{project_id}/spend_alerts"),
            client.get(f"/organization/projects/{pid}/spend_alerts"),
        )
        check(
            registry,
            response_ref(spec, "/organization/projects/{project_id}/spend_limit"),
            client.get(f"/organization/projects/{pid}/spend_limit"),
        )
    check(
        registry, response_ref(spec, "/organization/spend_alerts"), client.get("/organization/spend_alerts")
    )
    check(registry, response_ref(spec, "/organization/spend_limit"), client.get("/organization/spend_limit"))


def test_error_bodies_match(spec: dict, registry: Registry, org: FakeOrg) -> None:
    ref = response_ref(spec, "/organization/costs", "429")
    assert ref.endswith("/ErrorResponse")
    faults = FaultPlan(
        [
            Fault("429"),
            Fault("500", after=1),
            Fault("503", after=2),
            Fault("401", after=3),
            Fault("403", after=4),
        ]
    )
    client = client_for(org, faults=faults)
    answers = [client.get("/organization/costs", params={"start_time": T0}) for _ in range(5)]
    answers += [
        client.get("/organization/costs"),  # 400
        client.get("/organization/nothing"),  # 404
        client.get("/organization/projects/proj_missing"),  # 404
        client.post("/organization/costs"),  # 405
        client_for(org, reject_api_key_grouping=True).get(
            "/organization/costs", params={"start_time": T0, "group_by": "api_key_id"}
        ),
    ]
    assert [a.status_code for a in answers] == [429, 500, 503, 401, 403, 400, 404, 404, 405, 400]
    assert answers[0].headers["retry-after"] == "1"  # the spec: an integer >= 1
    for answer in answers:
        check(registry, ref, answer)
    for headers in ({}, {"Authorization": "Bearer sk-proj-abc123"}):
        api = FakeAdminApi(org)
        response = api.handle("GET", "/v1/organization/costs", [("start_time", str(T0))], headers)
        assert not list(validator(registry, ref).iter_errors(json.loads(response.body)))


def spec_query_params(spec: dict[str, Any]) -> dict[str, dict[str, bool]]:
    """For each GET path: its query parameters, each with whether it is an array."""
    out = {}
    for template, item in spec["paths"].items():
        params = item["get"].get("parameters", [])
        out[template] = {p["name"]: p["schema"].get("type") == "array" for p in params if p["in"] == "query"}
    return out


def test_the_fake_accepts_exactly_the_spec_query_parameters(spec: dict) -> None:
    documented = spec_query_params(spec)
    assert set(QUERY_PARAMS) == set(documented)  # one route per documented GET
    for template, accepted in QUERY_PARAMS.items():
        unknown = set(accepted) - set(documented[template])
        assert not unknown, f"{template}: the fake accepts {unknown}, the spec does not list them"
        assert set(accepted) == set(documented[template]), (
            f"{template}: the fake ignores documented parameters"
        )
        arrays = {name for name, is_array in documented[template].items() if is_array}
        assert arrays == set(accepted) & ARRAY_PARAMS, template


def test_the_fake_accepts_the_spec_enums(spec: dict, org: FakeOrg) -> None:
    costs = {p["name"]: p for p in spec["paths"]["/organization/costs"]["get"]["parameters"]}
    assert tuple(costs["group_by"]["schema"]["items"]["enum"]) == GROUP_FIELDS
    assert costs["bucket_width"]["schema"]["enum"] == ["1d"]
    usage = {p["name"]: p for p in spec["paths"]["/organization/usage/completions"]["get"]["parameters"]}
    client = client_for(org)
    for field in usage["group_by"]["schema"]["items"]["enum"]:
        params = {"start_time": T0, "group_by": field}
        assert client.get("/organization/usage/completions", params=params).status_code == 200, field
