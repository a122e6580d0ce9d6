"""The standalone server: `python -m local_endpoints [--port N] [--token-delay S] [--container NAME=URL]`."""

from __future__ import annotations

import argparse
import logging
import sys

from local_endpoints.container import ContainerModel
from local_endpoints.server import LocalEndpoints

DEFAULT_PORT = 8765


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # a terminal server shows its warnings and errors (the embedded one keeps uvicorn quiet, see server.py)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        containers = dict(_container(spec) for spec in args.container)
        server = LocalEndpoints(port=args.port, token_delay=args.token_delay, containers=containers)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    def announce(url: str) -> None:
        print(f"Local SageMaker endpoints listening on {url}")
        for name, container_url in containers.items():
            health = "answers /ping" if ContainerModel(container_url).ping() else "does NOT answer /ping yet"
            print(f"  endpoint {name} -> container {container_url} ({health})")
        print("boto3:")
        print(
            f'  boto3.client("sagemaker-runtime", endpoint_url="{url}", region_name="us-east-1", '
            'aws_access_key_id="local", aws_secret_access_key="local")'
        )
        print("AWS CLI (v1: leave out --cli-binary-format):")
        print(
            f"  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws sagemaker-runtime invoke-endpoint "
            f"--endpoint-url {url} --region us-east-1 --endpoint-name demo-text-classifier "
            '--content-type application/json --body \'{"features": ["This is great!"]}\' '
            "--cli-binary-format raw-in-base64-out /dev/stdout"
        )
        print(
            f"  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws sagemaker list-endpoints "
            f"--endpoint-url {url} --region us-east-1"
        )
        print("Press Ctrl+C to stop.", flush=True)

    try:
        server.serve_forever(on_ready=announce)
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m local_endpoints", description="A local SageMaker endpoint server on 127.0.0.1."
    )
    # not 8080: that is where SageMaker model containers listen, and --container often points there
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--token-delay", type=float, default=0.03, help="seconds between streamed tokens (default 0.03)"
    )
    parser.add_argument(
        "--container",
        action="append",
        default=[],
        metavar="NAME=URL",
        help="an endpoint NAME forwarding to a model container, e.g. mine=http://127.0.0.1:9000 (repeatable)",
    )
    return parser


def _container(spec: str) -> tuple[str, str]:
    name, sep, url = spec.partition("=")
    if not sep or not name or not url:
        raise ValueError(f"--container wants NAME=URL, got {spec!r}")
    ContainerModel(url)  # validates the URL
    return name, url


if __name__ == "__main__":
    sys.exit(main())
