"""The TFLite interpreter behind the classifier: the model contract, quantisation, batching."""
