"""`edge-train`: train the seed or edge digit CNN on MNIST (plus your own digits)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from edge.errors import UserError
from edge.flags import fraction, positive_int, share
from train.data import VAL_FRACTION
from train.extra import TRAIN_NEEDS, refuse_earlier_output, say_install_train

HELP_EPILOG = """\
data: MNIST is read from --data-dir, else $EDGE_DIGITS_DATA, else ~/.cache/edge-digits/mnist
(downloaded there when missing and the network is up). Each file is checked by SHA-256.

examples:
  edge-train --data-dir ../shared/data/mnist                      # the default edge model
  edge-train --model seed --epochs 30 --out runs/seed             # the published reference
  edge-train --crops my_crops/ --epochs 5                         # fine-tune on your camera's digits
  edge-train --kaggle-train train.csv --kaggle-test test.csv      # and write submission.csv
  edge-train --out runs/edge --resume                             # carry on after the last epoch
  edge-train --init-from edge/models/digits_int8.tflite --epochs 8 --learning-rate 5e-4
                                                                  # fine-tune the shipped model
  edge-train --distribute                                         # data-parallel on every GPU

checkpoints: every epoch writes <out>/checkpoint.keras (model + optimizer state) and
<out>/checkpoint.json (epochs done, history, config); --resume continues from there with the
saved config, so a long schedule can be finished over several sittings.
"""


def _kinds(text: str) -> list[str]:
    """'lines,specks' -> ['lines', 'specks'], each a kind train.negatives draws."""
    from train.negatives import ALL_KINDS

    parts = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [part for part in parts if part not in ALL_KINDS]
    if unknown or not parts:
        raise argparse.ArgumentTypeError(f"unknown kind {unknown[0] if unknown else text!r}; "
                                         f"choose from {', '.join(ALL_KINDS)}")
    return parts


def build_parser() -> argparse.ArgumentParser:
    from train.negatives import (  # cv2 and fonts: main() has checked they are installed
        EXTRA_KINDS,
        KINDS,
    )

    p = argparse.ArgumentParser(
        prog="edge-train",
        description="Train a digit CNN on MNIST and write the model (SavedModel + .keras), "
        "its config, history, metrics and plots to an output folder.",
        epilog=HELP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--model", choices=("edge", "seed"), default="edge",
                   help="edge: ours, for int8 on a Pi (default); seed: the published 887,530-parameter reference")
    p.add_argument("--epochs", type=positive_int, help="passes over the training data (default: 30)")
    p.add_argument("--batch-size", type=positive_int, help="digits per step (default: seed 86, edge 64)")
    p.add_argument("--learning-rate", type=float, help="peak learning rate (default: seed 1e-3, edge 2e-3)")
    p.add_argument("--data-dir", help="folder with the four MNIST IDX files (.gz or raw)")
    p.add_argument("--kaggle-train", metavar="CSV", help="Kaggle train.csv (label,pixel0..783) added to training")
    p.add_argument("--kaggle-test", metavar="CSV", help="Kaggle test.csv: predictions written to submission.csv")
    p.add_argument("--crops", metavar="DIR", help="labelled crops DIR/<digit>/*.png added to training")
    p.add_argument("--out", help="output folder (default: runs/<model>)")
    p.add_argument("--seed", type=int, default=0, help="random seed for the split, init and augmentation (default: 0)")
    p.add_argument("--val-fraction", type=share, default=VAL_FRACTION,
                   help=f"share of the training data held out for validation (default: {VAL_FRACTION})")
    p.add_argument("--camera-fraction", type=fraction, default=0.4,
                   help="share of each epoch drawn as camera-style crops (default: 0.4)")
    p.add_argument("--other-hands", type=fraction, metavar="SHARE",
                   help="font- and stroke-drawn digits as a share of the real ones (default: edge 0.25, seed 0)")
    p.add_argument("--negatives", type=fraction, metavar="SHARE",
                   help="'not a digit' crops as a share of all digits (default: edge 0.15; seed 0: it has 10 outputs)")
    p.add_argument("--neighbours", type=fraction, metavar="SHARE",
                   help="digits with a sliver of a touching neighbour, as a share of the real ones: how the "
                   "touching-digit search crops a right cut (default: edge 0.1, seed 0)")
    p.add_argument("--far-digits", type=fraction, default=0.0, metavar="SHARE",
                   help="share of the camera-style crops seen from afar: 11-18 px tall and blurred by a pixel "
                   "or so, as the field test's scale scenes hold them (default: 0)")
    p.add_argument("--negative-kinds", type=_kinds, metavar="KIND,...",
                   help="which 'not a digit' crops to draw, in equal shares (default: "
                   + ",".join(KINDS) + "; also: " + ",".join(EXTRA_KINDS) + ")")
    p.add_argument("--init-from", metavar="MODEL",
                   help="start from this model's weights: a model.keras, or an int8 .tflite edge model "
                   "(e.g. edge/models/digits_int8.tflite); a 10-output model gains the 'not a digit' output")
    p.add_argument("--distill-from", metavar="MODEL[,MODEL...]",
                   help="teacher (a model.keras or .tflite edge model; several separated by commas answer as "
                   "one, their mean): each real digit's target blends its label with the teacher's softened "
                   "answer, so new outputs and hands do not cost old digits")
    p.add_argument("--resume", action="store_true",
                   help="continue the run in --out from its last epoch checkpoint (its saved config wins)")
    p.add_argument("--distribute", action="store_true",
                   help="data-parallel over every GPU (TensorFlow MirroredStrategy, or Keras DataParallel on JAX)")
    p.add_argument("--no-augment", action="store_true",
                   help="train on plain digits: no camera-style crops, no rotate/zoom/shift (quick looks)")
    p.add_argument("--limit-train", type=positive_int, help="train on this many digits (stratified subset)")
    p.add_argument("--limit-test", type=positive_int, help="measure on this many MNIST test digits")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("--force", action="store_true",
                   help="write into an output folder that already holds files (refused otherwise: an earlier run is kept)")
    return p


def main(argv: list[str] | None = None) -> int:
    if say_install_train("edge-train", TRAIN_NEEDS):  # before --help too: nothing here runs without it
        return 2
    args = build_parser().parse_args(argv)
    if args.model == "seed" and args.negatives:
        build_parser().error("--negatives needs an 11th output: use --model edge (the seed has 10)")
    # --resume writes into its own earlier run on purpose: that is what it is for
    if not args.resume and refuse_earlier_output("edge-train", Path(args.out or f"runs/{args.model}"), args.force):
        return 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out
    from train.fit import TrainConfig, run  # TensorFlow loads here, after --help and flag errors

    config = TrainConfig(
        model=args.model, epochs=args.epochs, batch_size=args.batch_size,
        learning_rate=args.learning_rate, val_fraction=args.val_fraction, seed=args.seed,
        camera_fraction=args.camera_fraction, augment=not args.no_augment, data_dir=args.data_dir,
        kaggle_train=args.kaggle_train, kaggle_test=args.kaggle_test, crops=args.crops,
        limit_train=args.limit_train, limit_test=args.limit_test, other_hands=args.other_hands,
        negatives=args.negatives, neighbours=args.neighbours, negative_kinds=args.negative_kinds,
        far_digits=args.far_digits, distribute=args.distribute, init_from=args.init_from, distill_from=args.distill_from, out=args.out or f"runs/{args.model}",
    )
    try:
        metrics = run(config, verbose=0 if args.quiet else 1, resume=args.resume)
    except UserError as err:
        print(f"edge-train: {err}", file=sys.stderr)
        return 2
    print(f"{config.out}: MNIST test accuracy {metrics['test_accuracy']:.4%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
