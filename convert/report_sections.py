"""The report's content as sections of paragraphs, tables and figures, shared by Markdown and HTML."""

from __future__ import annotations

from dataclasses import dataclass, field

from convert.calibration import SOURCE_NAMES, advice_text
from convert.significance import describe
from convert.verdict import verdict

REFERENCE = "reference"
COLUMNS = (
    # (header, key, format); reference rows (the Keras float model) print "reference" for comparisons
    ("model", "label", "{}"),
    ("size KiB", "size_bytes", "kib"),
    ("MNIST acc %", "accuracy", "pct"),
    ("vs float (pts)", "accuracy_change", "pts"),
    ("agree w/ float %", "agreement", "pct-ref"),
    ("worst class (pts)", "worst_class_change", "worst"),
    ("ms/digit b1 mean", "latency_ms_mean", "{:.3f}"),
    ("ms/digit b1 p95", "latency_ms_p95", "{:.3f}"),
    ("digits/s b32", "throughput_digits_per_s", "{:,.0f}"),
    ("camera acc %", "camera_accuracy", "pct"),
    ("optdigits acc %", "optdigits_accuracy", "pct"),
    ("not-a-digit rejected %", "negatives_rejected", "pct"),
    ("MNIST false rejects %", "false_reject_rate", "pct"),
)
COMPARISONS = ("pts", "pct-ref", "worst")


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    key: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)  # {"file", "alt", "caption"}


def _pct(value) -> str:
    return "-" if value is None else f"{value * 100:.2f}"


def _cell(row: dict, key: str, fmt: str) -> str:
    if row.get("variant") == "keras" and fmt in COMPARISONS:
        return REFERENCE
    value = row.get(key)
    if value is None:
        return "-"
    if fmt == "kib":
        return f"{value / 1024:,.1f}"
    if fmt in ("pct", "pct-ref"):
        return _pct(value)
    if fmt == "pts":
        return f"{value * 100:+.2f}"
    if fmt == "worst":
        if row.get("worst_class") is None:
            return "none worse"
        return f"{value * 100:+.2f} (digit {row['worst_class']})"
    return fmt.format(value)


def variants_table(report: dict) -> Table:
    return Table([h for h, _, _ in COLUMNS], [[_cell(r, k, f) for _, k, f in COLUMNS] for r in report["rows"]])


def _figures(report: dict, section: str) -> list[dict]:
    return [p for p in report["plots"] if p["section"] == section]


def provenance_section(report: dict) -> Section:
    prov = report["provenance"]
    rows = [["date (UTC)", prov["date"]], ["git commit", prov["git_commit"]],
            ["machine", f"{prov['machine']} (shared with other work while measured)"],
            ["TFLite runtime", f"{report['runtime']}, {report['threads']} interpreter thread(s)"]]
    rows += [[f"SHA-256 {label}", digest] for label, digest in prov["sha256"].items()]
    rows += [[f"version {name}", version] for name, version in prov["versions"].items()]
    for model in report["models"]:
        tc = model["config"].get("config", {})
        rows.append([f"{model['label']} trained", f"{tc.get('model')} model, {tc.get('epochs')} epochs, seed "
                     f"{tc.get('seed')}, limit_train {tc.get('limit_train')}, from {model['dir']}"])
    return Section("provenance", "When, from what, with what", tables=[Table(["item", "value"], rows)])


def significance_section(report: dict) -> Section:
    rows = []
    for r in report["rows"]:
        sig = r.get("significance")
        if not sig:
            continue
        low, high = sig["ci95"]
        rows.append([r["label"], str(sig["reference_only_right"]), str(sig["candidate_only_right"]),
                     f"{sig['change'] * 100:+.2f}", f"{low * 100:+.2f} to {high * 100:+.2f}",
                     f"{sig['p_value']:.3g}", "yes" if sig["p_value"] < 0.05 else "no"])
    text = ("McNemar's exact test on the digits where one model is right and the other wrong: only those "
            "carry evidence about a change. The interval is the paired 95% interval of the accuracy change.")
    return Section("significance", "Significance (paired, against the Keras float model)", [text],
                   [Table(["variant", "only float right", "only variant right", "change (pts)", "95% CI (pts)",
                           "McNemar exact p", "significant at 0.05"], rows)])


def per_class_section(report: dict) -> Section:
    main = report["models"][0]
    rows = [r for r in main["rows"] if r.get("per_class_accuracy")]
    counts = report.get("class_counts") or [None] * 10
    keras = next(r for r in rows if r["variant"] == "keras")
    int8 = next(r for r in rows if r["variant"] == "int8")
    header = ["true digit", "test digits"] + [f"{r['variant']} %" for r in rows] + ["int8 - float (pts)"]
    table = []
    for d in range(10):
        a, b = int8["per_class_accuracy"][d], keras["per_class_accuracy"][d]
        change = "-" if a is None or b is None else f"{(a - b) * 100:+.2f}"
        table.append([str(d), str(counts[d] if counts[d] is not None else "-")]
                     + [_pct(r["per_class_accuracy"][d]) for r in rows] + [change])
    if main.get("num_classes", 10) > 10 or any(r.get("rejected") for r in rows):
        table.append(["not a digit (answers on MNIST digits)", "-"] + [str(r.get("rejected", 0)) for r in rows]
                     + [str(int8.get("rejected", 0) - keras.get("rejected", 0))])
    text = f"{main['label']}: accuracy on each true digit of the MNIST test set. {report['accuracy_rule']}"
    return Section("per-class", "Per class", [text], [Table(header, table)], _figures(report, "int8"))


def schemes_section(report: dict) -> Section:
    rows = []
    for s in report.get("schemes", []):
        rows.append([s["variant"], s["weights"], s["activations"], f"{s['size_bytes'] / 1024:,.1f}",
                     _pct(s["accuracy"]), describe(s["significance"]).split(" (")[0],
                     f"{s['significance']['p_value']:.3g}", _pct(s["camera_accuracy"]),
                     "-" if s["latency_ms_mean"] is None else f"{s['latency_ms_mean']:.3f}",
                     s["edgetpu_opcheck"], s["runs_on"]])
    header = ["variant", "weights", "activations", "size KiB", "MNIST acc %", "vs float", "McNemar p",
              "camera acc %", "ms/digit b1", "Edge TPU op check", "runs on"]
    return Section("schemes", "Quantization schemes", [report.get("qat", "")], [Table(header, rows)])


def calibration_section(report: dict) -> Section | None:
    sweep = report.get("calibration_sweep")
    if not sweep:
        return None
    rows = [[SOURCE_NAMES.get(s["source"], s["source"]), f"{s['size']:,}", str(s["seeds"]), _pct(s["mean"]),
             f"{s['min'] * 100:.2f} to {s['max'] * 100:.2f}", f"{s['std'] * 100:.3f}", _pct(s["camera_mean"])]
            for s in sweep["summary"]]
    text = (f"Each point converts int8 again from a new representative set and measures it on the same "
            f"{sweep['test_count']:,} test digits. {advice_text(sweep)}")
    header = ["source", "digits", "seeds", "MNIST acc % (mean)", "min to max %", "std (pts)", "camera acc % (mean)"]
    return Section("calibration", "Calibration: how many digits, from where", [text], [Table(header, rows)],
                   _figures(report, "calibration"))


def per_layer_section(report: dict) -> Section | None:
    per_layer = report.get("per_layer")
    if not per_layer or not per_layer["schemes"]:
        return None
    schemes = per_layer["schemes"]
    first = next(iter(schemes.values()))
    header = ["op", "output shape"] + [f"{v} rel. RMS err %" for v in schemes] + [f"{v} SQNR dB" for v in schemes]
    rows = []
    for i, layer in enumerate(first):
        cells = [layer["layer"], "x".join(map(str, layer["shape"]))]
        cells += [f"{schemes[v][i]['relative_rms_error'] * 100:.2f}" if i < len(schemes[v]) else "-" for v in schemes]
        cells += [f"{schemes[v][i]['sqnr_db']:.1f}" if i < len(schemes[v]) else "-" for v in schemes]
        rows.append(cells)
    text = (f"On {per_layer['batch']} {per_layer['source']}: each op's dequantised output against the float32 "
            "model's same tensor. SQNR: signal-to-quantization-noise ratio (higher is better).")
    return Section("layers", "Per-layer error", [text], [Table(header, rows)], _figures(report, "layers"))


def whole_reader_section(report: dict) -> Section | None:
    reader = report.get("whole_reader")
    if not reader:
        return None
    demo = reader["demo"]
    rows = [[v, _pct(r["digit_accuracy"]), _pct(r["numbers_exact"]), f"{r['frames_exact']}/{r['frames']}",
             "reference" if v == "float32" else str(r.get("frames_differing_from_float", "-"))]
            for v, r in demo["rows"].items()]
    tables = [Table(["variant", "demo digit acc %", "numbers exact %", "frames exact",
                     "frames read differently from float32"], rows)]
    text = [f"The whole reader (segment, classify, group) on {demo['frames']} demo frames "
            f"({demo['frame_wh'][0]}x{demo['frame_wh'][1]}, seed {demo['seed']}: MNIST test digits on paper)."]
    if reader.get("command"):
        text.append(f"Measured again after the conversion, with the reader of the commit named above: {reader['command']}")
    text += reader.get("notes", [])
    field_result = reader["field"]
    if field_result.get("status") == "run" and field_result["rows"]:
        keys = list(dict.fromkeys(k for r in field_result["rows"].values() for k in r))
        rates = ("digit_accuracy", "numbers_exact")  # fractions, shown as %; the rest are counts
        tables.append(Table(["variant"] + [f"field {k.replace('_', ' ')}{' %' if k in rates else ''}" for k in keys],
                            [[v] + [_pct(r.get(k)) if k in rates else str(r.get(k, "-")) for k in keys]
                             for v, r in field_result["rows"].items()]))
        text.append(f"Field test: bench/field_test.py, {field_result['scenes_per_condition']} scenes per condition, "
                    f"seed {field_result['seed']}, handwriting fonts training never used.")
    else:
        text.append(f"Field test: not run ({field_result.get('reason', 'unknown')}).")
    return Section("reader", "Whole reader: does quantization change readings?", text, tables)


def reject_section(report: dict) -> Section | None:
    """The calibrated "not a digit" threshold: how it was set on validation, what it does on the measuring sets."""
    main = report["models"][0]
    reject = main.get("reject")
    if not reject:
        return None
    cal, tau = reject["reject_calibration"], reject["reject_threshold"]
    counts = ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in cal["counts"].items())
    argmax = cal["argmax_rule"]
    text = [f"{main['label']}: a crop is 'not a digit' when p(not a digit) >= {tau:.4f}: the lowest threshold whose "
            f"false rejects on the validation digits stay within {cal['target_false_rejects']:.2%} ({cal['set']}; "
            f"{counts}). There: {_pct(cal['false_rejects'])}% of real digits rejected (MNIST {_pct(cal['false_rejects_mnist'])}%, "
            f"other hands {_pct(cal['false_rejects_other_hands'])}%; digits with a touching neighbour's sliver, not "
            f"in the threshold's set: {_pct(cal.get('false_rejects_with_neighbours'))}%), "
            f"{_pct(cal['negatives_rejected'])}% of negatives; "
            f"the argmax rule (reject where 'not a digit' is the best answer): {_pct(argmax['false_rejects'])}% and "
            f"{_pct(argmax['negatives_rejected'])}%. Written to digits_int8.json beside the model (edge-run reads it).",
            "Every variant below is measured at the int8 model's threshold on sets never used to set it."]
    rows = [[r["variant"], _pct(r.get("negatives_rejected_at_tau")), _pct(r.get("false_reject_rate_at_tau")),
             _pct(r.get("camera_false_reject_rate_at_tau")), _pct(r.get("optdigits_false_reject_rate_at_tau")),
             _pct(r.get("negatives_rejected")), _pct(r.get("false_reject_rate"))]
            for r in main["rows"] if "reject_threshold" in r]
    header = ["variant", "not-a-digit rejected % at tau", "MNIST false rejects % at tau", "camera false rejects % at tau",
              "optdigits false rejects % at tau", "rejected % (argmax)", "MNIST false rejects % (argmax)"]
    curve = [[f"{c['target']:.2%}", f"{c['threshold']:.4f}", _pct(c["false_rejects"]), _pct(c["false_rejects_mnist"]),
              _pct(c["false_rejects_other_hands"]), _pct(c.get("false_rejects_with_neighbours")),
              _pct(c["negatives_rejected"])] for c in cal["curve"]]
    curve_header = ["target", "threshold", "validation false rejects %", "MNIST val %", "other hands val %",
                    "with a neighbour's sliver val %", "validation negatives rejected %"]
    return Section("reject", "Calibrated 'not a digit' reject", text, [Table(header, rows), Table(curve_header, curve)])


def build_sections(report: dict, notes: list[str]) -> list[Section]:
    sections = [
        Section("verdict", "Verdict", [verdict(report)]),
        provenance_section(report),
        Section("variants", "Variants side by side", [], [variants_table(report)], _figures(report, "variants")),
        significance_section(report),
        per_class_section(report),
        reject_section(report),
        schemes_section(report),
        calibration_section(report),
        per_layer_section(report),
        whole_reader_section(report),
        Section("notes", "How it was measured", notes),
    ]
    return [s for s in sections if s is not None]
