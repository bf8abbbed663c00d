"""One training run, top to bottom: data, model, augmentation, fit, measure, save.

Every default lives in `TrainConfig`; the whole config is saved beside the
weights with the data hashes and library versions, so a model says how it was made.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import numpy as np

from edge.errors import UserError
from train import checkpoint, plots
from train.augment import affine_augmenter, camera_style_batch
from train.crops import holds_none
from train.data import VAL_FRACTION, TrainingData, load_training_data
from train.distill import Ensemble, blended_targets, load_teachers, teacher_paths
from train.distribute import replica_scope
from train.kaggle import read_csv, write_submission
from train.mix import build_mix, validation_mix
from train.models import NOT_A_DIGIT, build_model, count_macs, output_classes
from train.negatives import KINDS, MEASURED_KINDS, negative_test_set
from train.warm import initial_model

WARM_CALIBRATION = 4000  # training digits that set a warm-started model's batch-norm statistics

# Per-model recipes. The seed's is the published one; ours is tuned on the validation split.
# other_hands: font and stroke digits, as a share of the real digits; negatives: "not a digit"
# crops as a share of all digits (the seed has no 11th output, so neither for it); neighbours:
# digits with a touching neighbour's sliver, as the touching-digit search crops them (train.neighbours).
RECIPES = {
    "seed": {"optimizer": "rmsprop", "learning_rate": 1e-3, "batch_size": 86, "epochs": 30,
             "other_hands": 0.0, "negatives": 0.0, "neighbours": 0.0},
    "edge": {"optimizer": "adam", "learning_rate": 2e-3, "batch_size": 64, "epochs": 30,
             "other_hands": 0.25, "negatives": 0.15, "neighbours": 0.1},
}


@dataclass
class TrainConfig:
    model: str = "edge"  # "edge" (ours, for the device) or "seed" (the published reference)
    epochs: int | None = None  # None: the model's recipe (30)
    batch_size: int | None = None  # None: the model's recipe (seed 86, edge 64)
    learning_rate: float | None = None  # None: the model's recipe
    other_hands: float | None = None  # share of font/stroke digits; None: recipe (edge 0.25)
    negatives: float | None = None  # share of "not a digit" crops; None: recipe (edge 0.15)
    neighbours: float | None = None  # share of digits with a neighbour's sliver; None: recipe (edge 0.1)
    negative_kinds: list[str] | None = None  # which "not a digit" kinds (train.negatives); None: all
    val_fraction: float = VAL_FRACTION  # held out of the training data, stratified by digit
    seed: int = 0  # numpy, Keras and the split; same seed, same run (within CPU float noise)
    camera_fraction: float = 0.4  # share of each epoch's digits drawn as camera-style crops
    far_digits: float = 0.0  # share of those crops seen from afar (train.augment.camera_style's `small`)
    augment: bool = True  # False: plain digits (quick looks; the full recipe needs it on)
    data_dir: str | None = None  # MNIST folder; None: $EDGE_DIGITS_DATA, else the cache
    kaggle_train: str | None = None  # extra labelled digits in Kaggle's train.csv layout
    kaggle_test: str | None = None  # Kaggle test.csv: predicted into submission.csv
    crops: str | None = None  # extra labelled crops, DIR/<digit>/*.png
    limit_train: int | None = None  # train on a stratified subset (tests, quick looks)
    limit_test: int | None = None  # measure on a stratified subset of MNIST test
    distribute: bool = False  # data-parallel over every GPU (or logical CPU device) seen
    init_from: str | None = None  # start from this model (.keras, or an int8 .tflite edge model)
    distill_from: str | None = None  # teacher(s) for the real digits' targets, comma-separated (train/distill.py)
    out: str = "runs/edge"

    def resolved(self) -> TrainConfig:
        recipe = RECIPES[self.model]
        return TrainConfig(
            **{
                **asdict(self),
                "epochs": self.epochs or recipe["epochs"],
                "batch_size": self.batch_size or recipe["batch_size"],
                "learning_rate": self.learning_rate or recipe["learning_rate"],
                "other_hands": recipe["other_hands"] if self.other_hands is None else self.other_hands,
                "negatives": recipe["negatives"] if self.negatives is None else self.negatives,
                "neighbours": recipe["neighbours"] if self.neighbours is None else self.neighbours,
                "negative_kinds": list(self.negative_kinds or KINDS),
            }
        )


def taught_rows(labels: np.ndarray, digits: int) -> np.ndarray:
    """Which rows of a mix a teacher's answer blends into: its real digits, which come first
    (`digits` of them), and of those not the --crops DIR/none crops among them, which are no digit."""
    return (np.arange(len(labels)) < digits) & (labels != NOT_A_DIGIT)


class AugmentedDigits(keras.utils.PyDataset):
    """Each epoch: shuffle, swap in camera-style versions, then random rotate/zoom/shift."""

    def __init__(self, x, y, camera_x, config: TrainConfig, first_epoch: int = 0,
                 teacher: keras.Model | None = None, taught: np.ndarray | None = None,
                 classes: int = NOT_A_DIGIT + 1, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.camera_x = x, y, camera_x
        # with a teacher the targets are (N, classes) blends for the `taught` rows, else labels
        self.teacher, self.taught, self.classes = teacher, taught, classes
        self.batch_size = config.batch_size
        self.camera_fraction = config.camera_fraction if config.augment else 0.0
        self.seed = config.seed + 1
        self.augment = affine_augmenter(config.seed) if config.augment else None
        self.epoch = first_epoch - 1
        self.on_epoch_end()

    def __len__(self) -> int:
        return int(np.ceil(len(self.x) / self.batch_size))

    def on_epoch_end(self) -> None:
        # each epoch's order from (seed, epoch): a resumed run shuffles as the unbroken one would
        self.epoch += 1
        rng = np.random.default_rng([self.seed, self.epoch])
        self.order = rng.permutation(len(self.x))
        self.use_camera = rng.random(len(self.x)) < self.camera_fraction

    def __getitem__(self, index: int):
        idx = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        batch = np.where(self.use_camera[idx, None, None], self.camera_x[idx], self.x[idx])
        batch = batch[..., None].astype("float32")
        if self.augment is not None:
            batch = keras.ops.convert_to_numpy(self.augment(batch, training=True))
        if self.teacher is None:
            return batch, self.y[idx]
        taught = self.taught[idx]
        probs = keras.ops.convert_to_numpy(self.teacher(batch[taught], training=False)) if taught.any() else None
        full = None
        if probs is not None:
            full = np.zeros((len(idx), probs.shape[1]), np.float32)
            full[taught] = probs
        return batch, blended_targets(self.y[idx], full, taught, self.classes)


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
    """Accuracy overall and per class (an answer "not a digit" on a digit is wrong), predictions."""
    probs = model.predict(x[..., None].astype("float32"), batch_size=512, verbose=0)
    pred = probs.argmax(axis=1)
    return {"accuracy": float((pred == y).mean()), "per_class_accuracy": per_class_accuracy(y, pred),
            "count": int(len(y)), "rejected": float((pred == NOT_A_DIGIT).mean())}, pred


def run(config: TrainConfig, verbose: int = 1, resume: bool = False) -> dict:
    """Train one model and write everything the issue lists to `config.out`. Returns metrics.

    `resume`: carry on from `config.out`'s last epoch checkpoint with the config saved there
    (a fresh start when there is none).
    """
    log = (lambda *a: print(*a, file=sys.stderr)) if verbose else (lambda *a: None)
    state = checkpoint.load_state(Path(config.out)) if resume else None
    if state is not None:
        # a run saved before a share or kind existed trained without it
        config = TrainConfig(**{"neighbours": 0.0, "negative_kinds": list(MEASURED_KINDS), **state["config"],
                                "out": config.out, "distribute": config.distribute})
        log(f"resuming {config.out} after epoch {state['epochs_done']} of {config.epochs}")
    config = config.resolved()
    if config.crops and output_classes(config.model) <= NOT_A_DIGIT and holds_none(config.crops):
        raise UserError(f"--crops {config.crops}: its none/ crops are 'not a digit', which the {config.model} "
                        "model (10 outputs) cannot learn; train --model edge, or move none/ out of the folder")
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    if state is None:  # the drawn mix is kept for --resume; a fresh run (--force) draws with today's code
        (out / "pools.npz").unlink(missing_ok=True)
    keras.utils.set_random_seed(config.seed)

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
    shares = {"hands_share": config.other_hands, "negative_share": config.negatives,
              "neighbour_share": config.neighbours, "negative_kinds": tuple(config.negative_kinds),
              "augment": config.augment}
    mix = build_mix(data.x_train, data.y_train, config.seed, cache=out / "pools.npz", far_share=config.far_digits, **shares)
    val = validation_mix(data.x_val, data.y_val, config.seed, **shares)
    data.sources["mix"] = {"train": mix.counts, "val": val.counts}
    # a path may later hold another model: keep its bytes' hash (each teacher's, for several)
    for role, paths in (("init_from", [config.init_from] if config.init_from else []),
                        ("distill_from", teacher_paths(config.distill_from) if config.distill_from else [])):
        records = [{"path": str(p), "sha256": hashlib.sha256(Path(p).read_bytes()).hexdigest()} for p in paths if Path(p).is_file()]
        if records:
            data.sources[role] = records[0] if len(records) == 1 else records
    log(f"training mix {mix.counts}, validation {val.counts}: made in {time.perf_counter() - t0:.1f} s")

    scope, replicas = replica_scope(config.distribute)
    if config.distribute:
        log(f"data-parallel over {replicas} replicas, {config.batch_size} digits per step in all")
    first_epoch = state["epochs_done"] if state else 0
    teacher = None
    if config.distill_from:
        teacher = load_teachers(config.distill_from, data.x_train[:WARM_CALIBRATION])
        log(f"teacher: {config.distill_from} (real digits' targets blend the label with its answer"
            f"{'; the teachers answer as one, their mean' if isinstance(teacher, Ensemble) else ''})")
    taught = taught_rows(mix.y, mix.counts["digits"])
    train_seq = AugmentedDigits(mix.x, mix.y, mix.camera_x, config, first_epoch=first_epoch,
                                teacher=teacher, taught=taught, classes=output_classes(config.model))
    val_y = val.y if teacher is None else np.eye(output_classes(config.model), dtype=np.float32)[val.y]
    with scope:
        if state is not None:
            model = checkpoint.load_model(out)
        else:
            model = build_model(config.model) if config.init_from is None else \
                initial_model(config.init_from, config.model, data.x_train[:WARM_CALIBRATION])
            model.compile(
                optimizer=_optimizer(config, len(train_seq)),
                loss="sparse_categorical_crossentropy" if teacher is None else "categorical_crossentropy",
                metrics=["accuracy"],
            )
    saver = checkpoint.EpochCheckpoint(out, asdict(config), state["history"] if state else None)
    callbacks = [saver]
    if config.model == "seed":
        callbacks.append(
            keras.callbacks.ReduceLROnPlateau(monitor="val_accuracy", patience=3, factor=0.5, min_lr=1e-5)
        )
    t0 = time.perf_counter()
    if first_epoch < config.epochs:
        model.fit(
            train_seq,
            validation_data=(val.x[..., None].astype("float32"), val_y),
            epochs=config.epochs,
            initial_epoch=first_epoch,
            callbacks=callbacks,
            verbose=(1 if sys.stderr.isatty() else 2) if verbose else 0,
        )
    train_seconds = time.perf_counter() - t0
    epochs_run = max(1, config.epochs - first_epoch)
    hist = saver.history

    test_metrics, pred = evaluate(model, data.x_test, data.y_test)
    camera_test = camera_style_batch(data.x_test, config.seed + 10_000)
    camera_metrics, _ = evaluate(model, camera_test, data.y_test)
    reject = {}
    if model.output_shape[-1] > NOT_A_DIGIT:
        neg_x = negative_test_set(data.x_test)
        neg_metrics, _ = evaluate(model, neg_x, np.full(len(neg_x), NOT_A_DIGIT))
        reject = {"negatives_rejected": neg_metrics["rejected"], "negatives_count": neg_metrics["count"],
                  "false_rejects_mnist_test": test_metrics["rejected"]}
    metrics = {
        "model": config.model,
        "test_accuracy": test_metrics["accuracy"],
        "per_class_accuracy": test_metrics["per_class_accuracy"],
        "test_count": test_metrics["count"],
        "camera_test_accuracy": camera_metrics["accuracy"],
        **reject,
        "val_accuracy": float(hist["val_accuracy"][-1]) if hist.get("val_accuracy") else None,
        "epochs_done": len(hist.get("loss", [])),
        "params": int(model.count_params()),
        "macs_per_digit": count_macs(model),
        "train_seconds": round(train_seconds, 1),
        "seconds_per_epoch": round(train_seconds / epochs_run, 1),
        "device": describe_device(),
        "replicas": replicas,
    }
    log(f"MNIST test accuracy {metrics['test_accuracy']:.4%} ({metrics['test_count']} digits), "
        f"camera-style {metrics['camera_test_accuracy']:.4%}, trained in {train_seconds:.0f} s")
    if reject:
        log(f"not a digit: {reject['negatives_rejected']:.2%} of {reject['negatives_count']} negatives "
            f"rejected, {reject['false_rejects_mnist_test']:.2%} of MNIST test digits falsely rejected")

    model.save(out / "model.keras")
    try:
        model.export(str(out / "saved_model"), verbose=False)
    except ImportError as err:  # e.g. the JAX backend on a GPU box without TensorFlow
        log(f"no SavedModel written ({err}); convert re-exports it from model.keras where TensorFlow is")
    config_record = {"config": asdict(config), "data": data.sources, "versions": versions()}
    (out / "config.json").write_text(json.dumps(config_record, indent=2))
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
