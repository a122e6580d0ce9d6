"""Small, real demo models hosted by the local SageMaker server. Each is pure (bytes in, bytes out), CPU only,
and trained or fitted at load time from the files in data/, so nothing is fetched at run time."""

from local_endpoints.models.audio_analyzer import AudioAnalyzer
from local_endpoints.models.base import Model, ModelInputError, ModelResponse, ModelStream
from local_endpoints.models.csv_regressor import CsvRegressor
from local_endpoints.models.image_inspector import ImageInspector
from local_endpoints.models.text_classifier import TextClassifier
from local_endpoints.models.text_embedder import TextEmbedder
from local_endpoints.models.text_generator import TextGenerator
from local_endpoints.models.text_to_audio import TextToAudio

__all__ = [
    "AudioAnalyzer",
    "CsvRegressor",
    "ImageInspector",
    "Model",
    "ModelInputError",
    "ModelResponse",
    "ModelStream",
    "TextClassifier",
    "TextEmbedder",
    "TextGenerator",
    "TextToAudio",
]
