"""Small, real demo models hosted by the local SageMaker server. Each is pure (bytes in, bytes out), CPU only,
and trained or fitted at load time from the files in data/, so nothing is fetched at run time."""

from local_endpoints.models.base import Model, ModelInputError, ModelResponse, ModelStream
from local_endpoints.models.csv_regressor import CsvRegressor
from local_endpoints.models.image_inspector import ImageInspector
from local_endpoints.models.text_classifier import TextClassifier
from local_endpoints.models.text_generator import TextGenerator

__all__ = [
    "CsvRegressor",
    "ImageInspector",
    "Model",
    "ModelInputError",
    "ModelResponse",
    "ModelStream",
    "TextClassifier",
    "TextGenerator",
]
