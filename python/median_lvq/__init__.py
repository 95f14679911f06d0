"""Median learning vector quantization: interpretable prototype classification of
dissimilarity data, on the Rust core of the ``median-lvq`` crate.

Training picks a few actual training objects per class as prototypes so that the
nearest-prototype rule classifies well; :class:`MedianGLVQ` is a scikit-learn
classifier over a precomputed dissimilarity matrix (the default), vectors under the
squared Euclidean distance, or any Python objects under a Python function.
"""

from ._core import FORMAT_VERSION
from ._estimator import MedianGLVQ

__all__ = ["MedianGLVQ", "FORMAT_VERSION"]
__version__ = "0.1.0"
