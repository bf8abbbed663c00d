"""The report's first sentence: what int8 costs and buys for this model, and whether the gate passed."""

from __future__ import annotations


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}x" if a and b else "n/a"


def gate_text(floor: dict) -> str:
    if not floor["checked"]:
        return "no gate was checked (give --min-int8-accuracy and/or --max-int8-drop to check one)"
    checked = []
    if floor["min_int8_accuracy"] is not None:
        checked.append(f"int8 accuracy at least {floor['min_int8_accuracy']:.2%}")
    if floor["max_int8_drop"] is not None:
        checked.append(f"at most {floor['max_int8_drop'] * 100:.2f} points below float")
    result = "passed" if floor["passed"] else "FAILED (" + "; ".join(floor["failures"]) + ")"
    return f"the gate {result}, checking {' and '.join(checked)}"


def edgetpu_text(model: dict) -> str:
    tpu = model["edgetpu"]
    compile_note = {"compiled": "compiled for it", "skipped": "not compiled here: edgetpu_compiler is not installed",
                    "failed": "its compile failed"}.get(tpu["status"], tpu["status"])
    return f"Edge TPU: {model['opcheck']['summary']} ({compile_note})"


def verdict(report: dict) -> str:
    main = report["models"][0]
    rows = {r["variant"]: r for r in main["rows"]}
    int8, keras, float32 = rows["int8"], rows["keras"], rows.get("float32")
    sig = int8["significance"]
    low, high = sig["ci95"]
    change = (f"{sig['change'] * 100:+.2f} points against the Keras float model "
              f"(95% CI {low * 100:+.2f} to {high * 100:+.2f}; McNemar exact p = {sig['p_value']:.2g}, "
              f"{'a significant' if sig['p_value'] < 0.05 else 'no significant'} change)")
    size = (f"a file {_ratio(float32['size_bytes'] if float32 else None, int8['size_bytes'])} smaller than "
            f"float32 TFLite ({_ratio(keras['size_bytes'], int8['size_bytes'])} smaller than model.keras)")
    speed = (f"{_ratio(float32.get('latency_ms_mean') if float32 else None, int8.get('latency_ms_mean'))} faster "
             f"per digit at batch 1 and {_ratio(int8.get('throughput_digits_per_s'), float32.get('throughput_digits_per_s') if float32 else None)} "
             "the float32 throughput at batch 32")
    return (f"For {main['label']}, full-integer int8 reads {int8['accuracy']:.2%} of {report['test_count']:,} "
            f"MNIST test digits, {change}, in {size}, {speed} ({report['threads']} thread"
            f"{'s' if report['threads'] > 1 else ''}, this machine); "
            f"{edgetpu_text(main)}; {gate_text(report['floor'])}.")
