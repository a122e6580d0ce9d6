"""The demo endpoints the local server must host, written out here (not read from its catalog) so a test fails
when one goes missing."""

DEMO_ENDPOINTS = frozenset(
    {
        "demo-text-classifier",
        "demo-tgi-generator",
        "demo-lmi-generator",
        "demo-lmi-legacy-generator",
        "demo-custom-llm",
        "demo-csv-regressor",
        "demo-image-inspector",
        "demo-text-embedder",
        "demo-audio-analyzer",
        "demo-text-to-audio",
        "demo-ab-test",
        "demo-inference-components",
        "demo-async",
        "demo-serverless",
        "demo-creating",
        "demo-failed",
    }
)
