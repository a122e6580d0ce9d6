"""The demo endpoints every local server starts with, plus helpers to add more (bulk, model containers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from local_endpoints.catalog import (
    ACCOUNT_ID,
    DEFAULT_ROLE,
    REGION,
    Catalog,
    Endpoint,
    InferenceComponent,
    ModelSlot,
    Variant,
)
from local_endpoints.container import ContainerModel

_DLC = f"763104351884.dkr.ecr.{REGION}.amazonaws.com"
HF_PYTORCH_IMAGE = f"{_DLC}/huggingface-pytorch-inference:2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04"
TGI_IMAGE = f"{_DLC}/huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04"
LMI_IMAGE = f"{_DLC}/djl-inference:0.31.0-lmi13.0.0-cu124"
LMI_LEGACY_IMAGE = f"{_DLC}/djl-inference:0.23.0-deepspeed0.9.5-cu118"
XGBOOST_IMAGE = f"683313688378.dkr.ecr.{REGION}.amazonaws.com/sagemaker-xgboost:1.7-1"
PYTORCH_IMAGE = f"{_DLC}/pytorch-inference:2.3.0-cpu-py311-ubuntu20.04-sagemaker"
#: Hugging Face Text Embeddings Inference (TEI), CPU build
TEI_IMAGE = f"{_DLC}/tei-cpu:2.0.1-tei1.2.3-cpu-py310-ubuntu22.04"
#: a team's own container (bring your own): its image and environment do not tell its request format
CUSTOM_LLM_IMAGE = f"{ACCOUNT_ID}.dkr.ecr.{REGION}.amazonaws.com/acme/llm-server:1.4.2"

#: creation times count back from here so newest-first order is stable and meaningful
_ANCHOR = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
_ROLE = DEFAULT_ROLE
#: each demo model's container environment (DescribeModel), as it would be configured on SageMaker: what a
#: client reads to tell which request format the container speaks (TGI's Messages API, LMI's rolling batch)
_GENERATOR = "local/demo-generator"
TGI_ENVIRONMENT = {"HF_MODEL_ID": _GENERATOR, "MESSAGES_API_ENABLED": "true", "MAX_INPUT_TOKENS": "1024"}
LMI_ENVIRONMENT = {
    "HF_MODEL_ID": _GENERATOR,
    "OPTION_ROLLING_BATCH": "lmi-dist",
    "OPTION_MAX_ROLLING_BATCH_SIZE": "32",
}
LMI_LEGACY_ENVIRONMENT = {
    "OPTION_MODEL_ID": _GENERATOR,
    "OPTION_ROLLING_BATCH": "disable",
    "OPTION_ENABLE_STREAMING": "true",
}
CLASSIFIER_ENVIRONMENT = {"HF_MODEL_ID": "local/demo-text-classifier", "HF_TASK": "text-classification"}
EMBEDDER_ENVIRONMENT = {"HF_MODEL_ID": "local/demo-embedder"}
#: the PyTorch container running the model's own inference.py (model_fn, input_fn, predict_fn, output_fn)
AUDIO_ANALYZER_ENVIRONMENT = {
    "SAGEMAKER_PROGRAM": "inference.py",
    "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
}
TEXT_TO_AUDIO_ENVIRONMENT = {"HF_MODEL_ID": "local/demo-text-to-audio", "HF_TASK": "text-to-audio"}


def _demo_model(class_name: str, **kwargs: Any) -> ModelSlot:
    """A slot that imports and builds a demo model on first use (keeps numpy and friends out of start-up)."""

    def build() -> Any:
        from local_endpoints import models

        return getattr(models, class_name)(**kwargs)

    return ModelSlot(build)


def _ago(days: float) -> datetime:
    return _ANCHOR - timedelta(days=days)


def _single(
    name: str,
    image: str,
    model: ModelSlot | None,
    instance_type: str | None,
    created_days_ago: float,
    **endpoint_fields: Any,
) -> Endpoint:
    return Endpoint(
        name=name,
        status=endpoint_fields.pop("status", "InService"),
        created=_ago(created_days_ago),
        last_modified=_ago(created_days_ago) + timedelta(minutes=7),
        variants=[
            Variant(
                name="AllTraffic",
                image=image,
                model=model,
                model_name=f"{name}-model",
                instance_type=instance_type,
                serverless=endpoint_fields.pop("serverless", None),
                environment=endpoint_fields.pop("environment", {}),
            )
        ],
        **endpoint_fields,
    )


def demo_catalog() -> Catalog:
    """A fresh catalog of the demo endpoints (models are not built until first invoked)."""
    classifier = _demo_model("TextClassifier")
    endpoints = [
        _single(
            "demo-text-classifier",
            HF_PYTORCH_IMAGE,
            classifier,
            "ml.m5.xlarge",
            1,
            environment=CLASSIFIER_ENVIRONMENT,
            data_capture=(20, f"s3://sagemaker-{REGION}-{ACCOUNT_ID}/data-capture/demo-text-classifier/"),
        ),
        _single(
            "demo-tgi-generator",
            TGI_IMAGE,
            _demo_model("TextGenerator", style="tgi"),
            "ml.g5.2xlarge",
            2,
            environment=TGI_ENVIRONMENT,
        ),
        _single(
            "demo-lmi-generator",
            LMI_IMAGE,
            _demo_model("TextGenerator", style="lmi"),
            "ml.g5.2xlarge",
            3,
            environment=LMI_ENVIRONMENT,
        ),
        _single(
            "demo-lmi-legacy-generator",
            LMI_LEGACY_IMAGE,
            _demo_model("TextGenerator", style="lmi-legacy"),
            "ml.g5.2xlarge",
            4,
            environment=LMI_LEGACY_ENVIRONMENT,
        ),
        _single(
            "demo-custom-llm",
            CUSTOM_LLM_IMAGE,
            _demo_model("TextGenerator", style="tgi", messages_api=False),
            "ml.g5.xlarge",
            4.5,
            environment={"MODEL_SERVER_WORKERS": "1", "SERVER_PORT": "8080"},
        ),
        _single("demo-csv-regressor", XGBOOST_IMAGE, _demo_model("CsvRegressor"), "ml.m5.large", 5),
        _single("demo-image-inspector", PYTORCH_IMAGE, _demo_model("ImageInspector"), "ml.c5.xlarge", 6),
        _single(
            "demo-text-embedder",
            TEI_IMAGE,
            _demo_model("TextEmbedder"),
            "ml.c6i.xlarge",
            6.2,
            environment=EMBEDDER_ENVIRONMENT,
        ),
        _single(
            "demo-audio-analyzer",
            PYTORCH_IMAGE,
            _demo_model("AudioAnalyzer"),
            "ml.m5.large",
            6.4,
            environment=AUDIO_ANALYZER_ENVIRONMENT,
        ),
        _single(
            "demo-text-to-audio",
            HF_PYTORCH_IMAGE,
            _demo_model("TextToAudio"),
            "ml.m5.xlarge",
            6.6,
            environment=TEXT_TO_AUDIO_ENVIRONMENT,
        ),
        Endpoint(
            name="demo-ab-test",
            status="InService",
            created=_ago(7),
            last_modified=_ago(6.5),
            variants=[
                Variant(
                    "variant-a", HF_PYTORCH_IMAGE, classifier, "demo-ab-test-model-a", "ml.m5.large", 1, 0.5
                ),
                Variant(
                    "variant-b", HF_PYTORCH_IMAGE, classifier, "demo-ab-test-model-b", "ml.c5.xlarge", 2, 0.5
                ),
            ],
        ),
        Endpoint(
            name="demo-inference-components",
            status="InService",
            created=_ago(8),
            last_modified=_ago(8) + timedelta(minutes=9),
            variants=[Variant("AllTraffic", "", None, None, "ml.g5.12xlarge", 1)],
            execution_role_arn=_ROLE,
        ),
        _single(
            "demo-async",
            HF_PYTORCH_IMAGE,
            classifier,
            "ml.m5.xlarge",
            9,
            async_config={
                "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 4},
                "OutputConfig": {
                    "S3OutputPath": f"s3://sagemaker-{REGION}-{ACCOUNT_ID}/async-inference/output/",
                    "S3FailurePath": f"s3://sagemaker-{REGION}-{ACCOUNT_ID}/async-inference/failure/",
                },
            },
        ),
        _single(
            "demo-serverless",
            XGBOOST_IMAGE,
            _demo_model("CsvRegressor"),
            None,
            10,
            serverless={"MemorySizeInMB": 2048, "MaxConcurrency": 5},
        ),
        _single("demo-creating", TGI_IMAGE, None, "ml.g5.2xlarge", 0.01, status="Creating"),
        _single(
            "demo-failed",
            PYTORCH_IMAGE,
            None,
            "ml.m5.large",
            11,
            status="Failed",
            failure_reason=(
                "The primary container for production variant AllTraffic did not pass the ping health check. "
                "Please check CloudWatch logs for this endpoint."
            ),
        ),
    ]
    components = [
        InferenceComponent(
            name="ic-classifier",
            endpoint_name="demo-inference-components",
            variant_name="AllTraffic",
            image=HF_PYTORCH_IMAGE,
            model=classifier,
            model_name="ic-classifier-model",
            created=_ago(8) + timedelta(minutes=15),
            cpu_cores=2.0,
            memory_mb=4096,
        ),
        InferenceComponent(
            name="ic-generator",
            endpoint_name="demo-inference-components",
            variant_name="AllTraffic",
            image=TGI_IMAGE,
            model=_demo_model("TextGenerator", style="tgi"),
            model_name="ic-generator-model",
            created=_ago(8) + timedelta(minutes=20),
            copy_count=2,
            cpu_cores=4.0,
            memory_mb=16384,
            environment=TGI_ENVIRONMENT,
        ),
    ]
    catalog = Catalog(endpoints, components)
    return catalog


def container_endpoint(name: str, url: str) -> Endpoint:
    """An endpoint whose only variant forwards to the model container at `url` (SageMaker's contract)."""
    return Endpoint(
        name=name,
        status="InService",
        created=_ANCHOR + timedelta(days=1),
        variants=[
            Variant(
                name="AllTraffic",
                image=f"local-container {url}",
                model=ModelSlot(lambda: ContainerModel(url), paced=False),
                model_name=f"{name}-model",
                instance_type="ml.m5.xlarge",
            )
        ],
    )


_bulk_classifier = _demo_model("TextClassifier")


def bulk_endpoints(names: list[str], status: str) -> list[Endpoint]:
    """Endpoints for pagination tests: older than the demos, each serving the text classifier."""
    return [
        _single(name, HF_PYTORCH_IMAGE, _bulk_classifier, "ml.t2.medium", 30 + index / 24, status=status)
        for index, name in enumerate(names)
    ]
