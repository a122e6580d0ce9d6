"""Listing (all pages, newest first, filters), describing, inference components, and the catalog's cache."""

from __future__ import annotations

import pytest

from local_endpoints import LocalEndpoints
from services import errors
from services.connection import Clients
from services.endpoints import EndpointCatalog, describe_endpoint, list_endpoints
from tests.support.demo_endpoints import DEMO_ENDPOINTS


def operations(server: LocalEndpoints) -> list[str]:
    return [r.operation for r in server.requests()]


def test_lists_every_demo_newest_first(server: LocalEndpoints, clients: Clients) -> None:
    rows = list_endpoints(clients)
    assert {r.name for r in rows} == DEMO_ENDPOINTS
    created = [r.created_at for r in rows]
    assert all(c is not None for c in created)
    assert created == sorted(created, reverse=True)  # type: ignore[type-var]
    assert rows[0].name == "demo-creating"
    assert all(r.arn.startswith("arn:aws:sagemaker:") for r in rows)


def test_all_pages_of_hundreds_of_endpoints(server: LocalEndpoints, clients: Clients) -> None:
    added = server.add_endpoints(300, prefix="bulk")
    rows = list_endpoints(clients)
    assert len(rows) == 300 + len(DEMO_ENDPOINTS)
    assert {r.name for r in rows} == DEMO_ENDPOINTS | set(added)
    assert operations(server).count("ListEndpoints") == 4  # 100 per page
    created = [r.created_at for r in rows]
    assert created == sorted(created, reverse=True)  # type: ignore[type-var]


def test_name_and_status_filters(server: LocalEndpoints, clients: Clients) -> None:
    server.add_endpoints(150, prefix="bulk-failed", status="Failed")
    assert {r.name for r in list_endpoints(clients, status="Failed")} >= {"demo-failed"}
    assert len(list_endpoints(clients, status="Failed")) == 151
    assert [r.name for r in list_endpoints(clients, name_contains="lmi-legacy")] == [
        "demo-lmi-legacy-generator"
    ]
    assert list_endpoints(clients, name_contains="nothing-like-this") == []


def test_describe_a_single_variant_endpoint(clients: Clients) -> None:
    details = describe_endpoint(clients, "demo-tgi-generator")
    assert (details.status, details.is_invocable, details.not_invocable_reason) == ("InService", True, None)
    [variant] = details.variants
    assert (variant.name, variant.instance_type) == ("AllTraffic", "ml.g5.2xlarge")
    assert "huggingface-pytorch-tgi-inference" in variant.images[0]
    assert variant.current_instance_count == 1
    assert details.config_name
    assert not details.is_async and not details.is_serverless


def test_describe_variants_with_weights(clients: Clients) -> None:
    details = describe_endpoint(clients, "demo-ab-test")
    assert [(v.name, v.instance_type, v.current_weight) for v in details.variants] == [
        ("variant-a", "ml.m5.large", 0.5),
        ("variant-b", "ml.c5.xlarge", 0.5),
    ]
    assert [v.current_instance_count for v in details.variants] == [1, 2]


def test_describe_inference_components(clients: Clients) -> None:
    details = describe_endpoint(clients, "demo-inference-components")
    components = {c.name: c for c in details.inference_components}
    assert set(components) == {"ic-classifier", "ic-generator"}
    assert all(c.variant_name == "AllTraffic" for c in components.values())
    image = components["ic-generator"].image
    assert image is not None and "tgi" in image


def test_async_serverless_creating_and_failed(clients: Clients) -> None:
    async_ = describe_endpoint(clients, "demo-async")
    assert async_.is_async and not async_.is_invocable
    assert "InvokeEndpointAsync" in (async_.not_invocable_reason or "")

    serverless = describe_endpoint(clients, "demo-serverless")
    assert serverless.is_serverless and serverless.is_invocable
    settings = serverless.variants[0].serverless
    assert settings is not None and (settings.memory_size_mb, settings.max_concurrency) == (2048, 5)

    creating = describe_endpoint(clients, "demo-creating")
    assert (
        creating.not_invocable_reason == "The endpoint is Creating; it can be invoked once it is InService."
    )

    failed = describe_endpoint(clients, "demo-failed")
    assert failed.failure_reason and "ping health check" in failed.failure_reason
    assert failed.not_invocable_reason == f"The endpoint failed: {failed.failure_reason.rstrip('.')}."
    assert not failed.not_invocable_reason.endswith("..")


def test_describe_an_unknown_endpoint(clients: Clients) -> None:
    with pytest.raises(errors.ValidationError) as raised:
        describe_endpoint(clients, "no-such-endpoint")
    assert raised.value.code == "ValidationException"
    assert "no-such-endpoint" in raised.value.message


def test_catalog_caches_for_its_ttl_and_refreshes_on_demand(server: LocalEndpoints, clients: Clients) -> None:
    now = [1000.0]
    catalog = EndpointCatalog(clients, ttl_s=30, clock=lambda: now[0])
    assert len(catalog.endpoints()) == len(DEMO_ENDPOINTS)
    assert [r.name for r in catalog.endpoints(name_contains="TGI")] == ["demo-tgi-generator"]
    assert [r.name for r in catalog.endpoints(status="Failed")] == ["demo-failed"]
    catalog.details("demo-ab-test")
    catalog.details("demo-ab-test")
    assert operations(server).count("ListEndpoints") == 1
    assert operations(server).count("DescribeEndpoint") == 1

    server.add_endpoints(2, prefix="late")
    now[0] += 29
    assert len(catalog.endpoints()) == len(DEMO_ENDPOINTS)  # still cached
    now[0] += 1
    assert len(catalog.endpoints()) == len(DEMO_ENDPOINTS) + 2  # expired
    assert operations(server).count("ListEndpoints") == 2

    catalog.refresh()
    catalog.details("demo-ab-test")
    assert operations(server).count("DescribeEndpoint") == 2
