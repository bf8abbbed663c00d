"""edge-digits on the device: camera frame -> digits -> numbers.

Imports numpy, OpenCV and a TFLite interpreter only: never TensorFlow, Keras,
`train` or `convert`, so that a Raspberry Pi installs it without TensorFlow.
"""

__version__ = "0.1.0"
