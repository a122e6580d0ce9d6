"""A local, wire-compatible SageMaker (runtime and the endpoint read operations) hosting small real models.

The public API is `LocalEndpoints` (see `local_endpoints.server`) and the `Timeouts` it takes (see
`local_endpoints.limits`); everything else is internal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from local_endpoints.limits import Timeouts
    from local_endpoints.server import LocalEndpoints

__all__ = ["LocalEndpoints", "Timeouts"]


def __getattr__(name: str) -> Any:
    # Imported on first use so that `local_endpoints.models` stays importable without the web server stack.
    if name == "LocalEndpoints":
        from local_endpoints.server import LocalEndpoints

        return LocalEndpoints
    if name == "Timeouts":
        from local_endpoints.limits import Timeouts

        return Timeouts
    raise AttributeError(f"module 'local_endpoints' has no attribute {name!r}")
