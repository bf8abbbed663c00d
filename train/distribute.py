"""`edge-train --distribute`: data-parallel training on every device the backend sees.

TensorFlow: `tf.distribute.MirroredStrategy` (one replica per GPU, or per logical CPU device);
the model and its optimizer are made inside the strategy's scope and `fit` splits each batch
across replicas. JAX: Keras' own distribution API (`keras.distribution.DataParallel`), which
shards each batch over `jax.devices()`. The batch size stays the global one, so a run's recipe
means the same on one device or many.
"""

from __future__ import annotations

import contextlib

import keras


def replica_scope(distribute: bool):
    """(context manager to build and compile the model in, number of replicas)."""
    if not distribute:
        return contextlib.nullcontext(), 1
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        strategy = tf.distribute.MirroredStrategy(_tf_devices(tf))
        return strategy.scope(), strategy.num_replicas_in_sync
    if backend == "jax":
        devices = keras.distribution.list_devices()
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
        return contextlib.nullcontext(), len(devices)
    raise ValueError(f"--distribute needs the tensorflow or jax backend, not {backend}")


def _tf_devices(tf) -> list[str]:
    """Every GPU, else every logical CPU device (virtual CPUs in tests, or the one CPU)."""
    gpus = tf.config.list_logical_devices("GPU")
    return [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))]
