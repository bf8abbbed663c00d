"""One training run, top to bottom: data, model, augmentation, fit, measure, save.

Every default lives in `TrainConfig`; the whole config is saved beside the
weights with the data hashes and library versions, so a model says how it was made.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import numpy as np

from train import plots
from train.augment import affine_augmenter, camera_style_batch
from train.data import VAL_FRACTION, TrainingData, load_training_data
from train.kaggle import read_csv, write_submission
from train.models import build_model, count_macs

# Per-model recipes. The seed's is the published one; ours is tuned on the validation split.
RECIPES = {
    "seed": {"optimizer": "rmsprop", "learning_rate": 1e-3, "batch_size": 86, "epochs": 30},
    "edge": {"optimizer": "adam", "learning_rate": 2e-3, "batch_size": 64, "epochs": 30},
}


@dataclass
class TrainConfig:
    model: str = "edge"  # "edge" (ours, for the device) or "seed" (the published reference)
    epochs: int | None = None  # None: the model's recipe (30)
    batch_size: int | None = None  # None: the model's recipe (seed 86, edge 64)
    learning_rate: float | None = None  # None: the model's recipe
    val_fraction: float = VAL_FRACTION  # held out of the training data, stratified by digit
    seed: int = 0  # numpy, Keras and the split; same seed, same run (within CPU float noise)
    camera_fraction: float = 0.4  # share of each epoch's digits drawn as camera-style crops
    augment: bool = True  # False: plain digits (quick looks; the full recipe needs it on)
    data_dir: str | None = None  # MNIST folder; None: $EDGE_DIGITS_DATA, else the cache
    kaggle_train: str | None = None  # extra labelled digits in Kaggle's train.csv layout
    kaggle_test: str | None = None  # Kaggle test.csv: predicted into submission.csv
    crops: str | None = None  # extra labelled crops, DIR/<digit>/*.png
    limit_train: int | None = None  # train on a stratified subset (tests, quick looks)
    limit_test: int | None = None  # measure on a stratified subset of MNIST test
    out: str = "runs/edge"

    def resolved(self) -> TrainConfig:
        recipe = RECIPES[self.model]
        return TrainConfig(
            **{
                **asdict(self),
                "epochs": self.epochs or recipe["epochs"],
                "batch_size": self.batch_size or recipe["batch_size"],
                "learning_rate": self.learning_rate or recipe["learning_rate"],
            }
        )


class AugmentedDigits(keras.utils.PyDataset):
    """Each epoch: shuffle, swap in camera-style versions, then random rotate/zoom/shift."""

    def __init__(self, x, y, camera_x, config: TrainConfig, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.camera_x = x, y, camera_x
        self.batch_size = config.batch_size
        self.camera_fraction = config.camera_fraction if config.augment else 0.0
        self.rng = np.random.default_rng(config.seed + 1)
        self.augment = affine_augmenter(config.seed) if config.augment else None
        self.on_epoch_end()

    def __len__(self) -> int:
        return int(np.ceil(len(self.x) / self.batch_size))

    def on_epoch_end(self) -> None:
        self.order = self.rng.permutation(len(self.x))
        self.use_camera = self.rng.random(len(self.x)) < self.camera_fraction

    def __getitem__(self, index: int):
        idx = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        batch = np.where(self.use_camera[idx, None, None], self.camera_x[idx], self.x[idx])
        batch = batch[..., None].astype("float32")
        if self.augment is not None:
            batch = keras.ops.convert_to_numpy(self.augment(batch, training=True))
        return batch, self.y[idx]


def describe_device() -> str:
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            return f"GPU via TensorFlow: {', '.join(g.name for g in gpus)}"
        return f"CPU via TensorFlow ({tf.config.threading.get_intra_op_parallelism_threads() or 'all'} threads)"
    if backend == "jax":
        import jax

        return f"{jax.devices()[0].platform.upper()} via JAX: {jax.devices()[0]}"
    return f"{backend} backend"


def _optimizer(config: TrainConfig, steps: int):
    if RECIPES[config.model]["optimizer"] == "rmsprop":
        # As published: RMSprop(lr=0.001, rho=0.9, epsilon=1e-08), halved on plateau.
        return keras.optimizers.RMSprop(config.learning_rate, rho=0.9, epsilon=1e-8)
    # Ours: a warm-up over the first tenth of the run (at most an epoch), then cosine decay to ~0.
    total = steps * config.epochs
    schedule = keras.optimizers.schedules.CosineDecay(
        config.learning_rate / 10, decay_steps=total, alpha=0.01,
        warmup_target=config.learning_rate, warmup_steps=min(steps, total // 10),
    )
    return keras.optimizers.Adam(schedule)


def versions() -> dict:
    out = {"python": platform.python_version(), "numpy": np.__version__, "keras": keras.__version__}
    out["backend"] = keras.backend.backend()
    if out["backend"] == "tensorflow":
        import tensorflow as tf

        out["tensorflow"] = tf.__version__
    return out


def per_class_accuracy(y: np.ndarray, pred: np.ndarray) -> list[float | None]:
    """Accuracy of each digit 0-9 (None for a digit absent from `y`)."""
    return [float((pred[y == d] == d).mean()) if (y == d).any() else None for d in range(10)]


def evaluate(model: keras.Model, x: np.ndarray, y: np.ndarray) -> tuple[dict, np.ndarray]:
    """Accuracy overall and per class, and the predictions."""
    probs = model.predict(x[..., None].astype("float32"), batch_size=512, verbose=0)
    pred = probs.argmax(axis=1)
    return {"accuracy": float((pred == y).mean()), "per_class_accuracy": per_class_accuracy(y, pred),
            "count": int(len(y))}, pred


def run(config: TrainConfig, verbose: int = 1) -> dict:
    """Train one model and write everything the issue lists to `config.out`. Returns metrics."""
    config = config.resolved()
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(config.seed)
    log = (lambda *a: print(*a, file=sys.stderr)) if verbose else (lambda *a: None)

    data: TrainingData = load_training_data(
        config.data_dir,
        val_fraction=config.val_fraction,
        seed=config.seed,
        kaggle_train=config.kaggle_train,
        crops=config.crops,
        limit_train=config.limit_train,
        limit_test=config.limit_test,
    )
    log(f"data: {len(data.y_train)} train, {len(data.y_val)} validation, {len(data.y_test)} MNIST test")
    log(f"device: {describe_device()}")

    t0 = time.perf_counter()
    camera_x = camera_style_batch(data.x_train, config.seed) if config.augment else data.x_train
    log(f"camera-style crops: {len(camera_x)} made in {time.perf_counter() - t0:.1f} s")

    model = build_model(config.model)
    train_seq = AugmentedDigits(data.x_train, data.y_train, camera_x, config)
    model.compile(
        optimizer=_optimizer(config, len(train_seq)),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    callbacks = []
    if config.model == "seed":
        callbacks.append(
            keras.callbacks.ReduceLROnPlateau(monitor="val_accuracy", patience=3, factor=0.5, min_lr=1e-5)
        )
    t0 = time.perf_counter()
    history = model.fit(
        train_seq,
        validation_data=(data.x_val[..., None].astype("float32"), data.y_val),
        epochs=config.epochs,
        callbacks=callbacks,
        verbose=(1 if sys.stderr.isatty() else 2) if verbose else 0,
    )
    train_seconds = time.perf_counter() - t0

    test_metrics, pred = evaluate(model, data.x_test, data.y_test)
    camera_test = camera_style_batch(data.x_test, config.seed + 10_000)
    camera_metrics, _ = evaluate(model, camera_test, data.y_test)
    metrics = {
        "model": config.model,
        "test_accuracy": test_metrics["accuracy"],
        "per_class_accuracy": test_metrics["per_class_accuracy"],
        "test_count": test_metrics["count"],
        "camera_test_accuracy": camera_metrics["accuracy"],
        "val_accuracy": float(history.history["val_accuracy"][-1]),
        "params": int(model.count_params()),
        "macs_per_digit": count_macs(model),
        "train_seconds": round(train_seconds, 1),
        "seconds_per_epoch": round(train_seconds / config.epochs, 1),
        "device": describe_device(),
    }
    log(f"MNIST test accuracy {metrics['test_accuracy']:.4%} ({metrics['test_count']} digits), "
        f"camera-style {metrics['camera_test_accuracy']:.4%}, trained in {train_seconds:.0f} s")

    model.save(out / "model.keras")
    try:
        model.export(str(out / "saved_model"), verbose=False)
    except ImportError as err:  # e.g. the JAX backend on a GPU box without TensorFlow
        log(f"no SavedModel written ({err}); convert re-exports it from model.keras where TensorFlow is")
    config_record = {"config": asdict(config), "data": data.sources, "versions": versions()}
    (out / "config.json").write_text(json.dumps(config_record, indent=2))
    hist = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    (out / "history.json").write_text(json.dumps(hist, indent=2))
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))

    title = f"{config.model} model"
    plots.plot_distribution(data.y_train, out / "digit_distribution.png", f"{title}: training digits")
    plots.plot_history(hist, out / "curves.png", title)
    matrix = plots.confusion_matrix(data.y_test, pred)
    plots.plot_confusion(matrix, out / "confusion.png", f"{title}: MNIST test confusion")
    wrong = np.flatnonzero(pred != data.y_test)[:60]
    plots.plot_gallery(
        data.x_test[wrong],
        [f"true {data.y_test[i]} / pred {pred[i]}" for i in wrong],
        out / "misclassified.png",
        f"{title}: misclassified MNIST test digits ({len(np.flatnonzero(pred != data.y_test))} in all)",
    )
    if config.kaggle_test:
        k_images, _ = read_csv(config.kaggle_test, labelled=False)
        k_pred = model.predict(k_images[..., None].astype("float32"), batch_size=512, verbose=0).argmax(1)
        write_submission(out / "submission.csv", k_pred)
        log(f"submission: {out / 'submission.csv'} ({len(k_pred)} rows)")
    return metrics
