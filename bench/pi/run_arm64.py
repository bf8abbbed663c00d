"""A Pi without a Pi: install edge-digits on Debian arm64 under qemu and check it reads what x86 reads.

Run from the project folder, as root, with the project's Python (it reads the x86 side itself):
    sudo .venv/bin/python -m bench.pi.run_arm64 --data-dir ../shared/data/mnist [--pi pi4 --pi pi5] [--demo-frames 16]

Steps: a minbase Debian bookworm arm64 root (debootstrap, once; kept in ~/.cache/edge-digits/pi-root);
a copy of this working tree installed there exactly as the README's Pi section says (a venv with
--system-site-packages, `pip install .`, no TensorFlow); then, as each Pi's CPU (QEMU_CPU), `edge-run
--demo --json` and `edge-run --source DIR --json`, compared digit for digit with the same commands on
this x86 host. Writes bench/results/pi_arm64.{json,md}. Exit 0 all identical, 1 a step failed or a
reading differs, 2 qemu/binfmt cannot be used here (one line says why).
Needs on the host: apt-get install qemu-user-static binfmt-support debootstrap.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.pi import arm64_root as arm
from bench.pi.readings import (
    compare_readings,
    demo_score_line,
    parse_json_lines,
    reading_rate,
    summary_rates,
    write_frames,
)
from bench.pi.report import write_report

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "bench" / "results"
WORK = "/tmp/edge-digits"  # inside the root: the copy of the tree, the venv, the frames, outputs
SOURCE_SEED = 7  # --source frames come from another seed than the demo's, so they are other pages
STEP_TIMEOUT_S = 1800
# what the root reports about itself: interpreter, libc, Debian release, and the installed packages
VERSIONS_PY = """
import importlib.metadata as md, json, platform, sys
from edge.runtime.interpreter import load_runtime
pkgs = {}
for name in ("edge-digits", "numpy", "opencv-python-headless", "ai-edge-litert", "pip", "setuptools"):
    try:
        pkgs[name] = md.version(name)
    except md.PackageNotFoundError:
        pkgs[name] = None
print(json.dumps({"python": sys.version.split()[0], "machine": platform.machine(),
                  "libc": " ".join(platform.libc_ver()), "debian": open("/etc/debian_version").read().strip(),
                  "tflite_runtime": load_runtime()[1], "packages": pkgs}))
"""


class Steps:
    """Each step's name, pass/fail, seconds and a short detail, in order, for the report."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, name: str, ok: bool, seconds: float, detail: str = "") -> bool:
        self.rows.append({"step": name, "ok": ok, "seconds": round(seconds, 1), "detail": detail})
        print(f"[{'pass' if ok else 'FAIL'}] {name} ({seconds:.1f} s){': ' + detail if detail else ''}", flush=True)
        return ok


def tree_files() -> list[str]:
    """The working tree as git sees it: tracked and untracked-but-not-ignored files (no .git, no venvs)."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=REPO, capture_output=True, check=True).stdout.decode()
    return [f for f in out.split("\0") if f and (REPO / f).is_file()]


def copy_tree(target: Path) -> int:
    shutil.rmtree(target, ignore_errors=True)
    files = tree_files()
    for rel in files:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, target / rel)
    return len(files)


def edge_run_args(kind: str, data_dir: str, frames_dir: str, demo_frames: int, save_dir: str) -> list[str]:
    if kind == "demo":
        return ["--demo", "--max-frames", str(demo_frames), "--json", "--data-dir", data_dir, "--save-dir", save_dir]
    return ["--source", frames_dir, "--json", "--no-window"]


def host_run(kind: str, data_dir: str, frames_dir: Path, demo_frames: int, scratch: Path) -> subprocess.CompletedProcess:
    """The x86 reference: this working tree's edge-run, same model, same flags."""
    args = edge_run_args(kind, data_dir, str(frames_dir), demo_frames, str(scratch / "host-demo"))
    return subprocess.run([sys.executable, "-m", "edge.cli", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=STEP_TIMEOUT_S)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", required=True, help="MNIST folder (bind-mounted into the root read-only at run time)")
    p.add_argument("--pi", action="append", choices=sorted(arm.PI_MODELS), help="Pi CPU model(s) to emulate (default pi4 and pi5)")
    p.add_argument("--demo-frames", type=int, default=16, help="demo frames per run (default 16: two pages)")
    p.add_argument("--source-frames", type=int, default=6, help="frames in the --source folder, each as PNG and JPEG (default 6)")
    p.add_argument("--default-cpu-trap", action="store_true",
                   help="also run under qemu's default CPU model, where XNNPACK reads wrong: passes when the check catches it")
    p.add_argument("--root", type=Path, default=arm.DEFAULT_ROOT, help=f"arm64 root, made once (default {arm.DEFAULT_ROOT})")
    p.add_argument("--out", type=Path, default=RESULTS, help="folder for pi_arm64.json and .md")
    args = p.parse_args(argv)
    pis = [arm.PI_MODELS[name] for name in (args.pi or ["pi4", "pi5"])]
    if args.default_cpu_trap:
        pis.append(arm.DEFAULT_CPU_TRAP)
    data_dir = str(Path(args.data_dir).resolve())
    if not Path(data_dir).is_dir():
        print(f"run_arm64: --data-dir {args.data_dir} is not a folder; point it at the MNIST files", file=sys.stderr)
        return 2
    try:
        arm.check_host()
    except arm.EmulationUnavailable as err:
        print(f"run_arm64: cannot emulate arm64 here: {err}", file=sys.stderr)
        return 2

    started = time.perf_counter()
    steps = Steps()
    report = {"host": f"{platform.machine()}, {platform.python_version()}, {platform.platform()}",
              "qemu": arm.qemu_version(), "root": str(args.root), "suite": arm.SUITE, "pis": {}}
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    status = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout
    dirty = any("pi_arm64." not in line for line in status.splitlines())  # this script's own output aside
    report["commit"] = commit + (" (+ uncommitted changes)" if dirty else "")
    log = Path(tempfile.gettempdir()) / "edge-digits-debootstrap.log"

    t0 = time.perf_counter()
    try:
        made, seconds = arm.ensure_root(args.root, log)
        ok = steps.add("arm64 root", True, time.perf_counter() - t0,
                       f"debootstrap {arm.SUITE} minbase in {seconds:.0f} s" if made else "reused")
    except subprocess.CalledProcessError:
        ok = steps.add("arm64 root", False, time.perf_counter() - t0, f"debootstrap failed, see {log}")
    report["root_made_now"] = ok and made

    scratch = Path(tempfile.mkdtemp(prefix="edge-digits-pi-"))
    frames = scratch / "frames"
    work = args.root / WORK.lstrip("/")
    pi0 = pis[0]
    if ok:
        t0 = time.perf_counter()
        shutil.rmtree(work, ignore_errors=True)
        count = copy_tree(work / "src")
        written = write_frames(frames, data_dir, args.source_frames, SOURCE_SEED)
        shutil.copytree(frames, work / "frames")
        (work / "demo-out").mkdir()
        cert = arm.copy_host_network_config(args.root)
        ok = steps.add("copy working tree and frames", True, time.perf_counter() - t0,
                       f"{count} files; {len(written)} images")

    if ok:
        # the README's Pi section, line for line (python3-picamera2 comes from the Raspberry Pi archive,
        # which Debian's mirror does not carry: without it the venv simply has no picamera2)
        install = f"cd {WORK}/src && python3 -m venv --system-site-packages {WORK}/venv && . {WORK}/venv/bin/activate && pip install ."
        pip_cache = (args.root / "root/.cache/pip").exists()
        t0 = time.perf_counter()
        res = arm.run_in_root(args.root, pi0, ["sh", "-c", install], timeout=STEP_TIMEOUT_S,
                              env={"PIP_CERT": str(cert)} if cert else None)
        report["install_seconds"] = round(time.perf_counter() - t0, 1)
        report["install_command"] = install
        report["pip_cache_warm"] = pip_cache
        (scratch / "pip-install.log").write_text(res.stdout + res.stderr)
        ok = steps.add("pip install . (venv --system-site-packages)", res.returncode == 0, report["install_seconds"],
                       ("pip cache warm" if pip_cache else "pip cache cold") if res.returncode == 0
                       else res.stderr.strip().splitlines()[-1] if res.stderr.strip() else f"exit {res.returncode}")
        if "tensorflow" in (res.stdout + res.stderr).lower():
            ok = steps.add("no TensorFlow installed", False, 0, "pip mentions tensorflow")

    if ok:
        t0 = time.perf_counter()
        res = arm.run_in_root(args.root, pi0, [f"{WORK}/venv/bin/python", "-c", VERSIONS_PY], timeout=600)
        ok = steps.add("versions inside the root", res.returncode == 0, time.perf_counter() - t0,
                       res.stderr.strip()[-200:] if res.returncode else "")
        if ok:
            report["root_versions"] = json.loads(res.stdout.strip().splitlines()[-1])

    host = {}
    for kind in ("demo", "source"):
        t0 = time.perf_counter()
        res = host_run(kind, data_dir, frames, args.demo_frames, scratch)
        host[kind] = (parse_json_lines(res.stdout) if res.returncode == 0 else [], res.stderr)
        steps.add(f"x86 edge-run --{kind}", res.returncode == 0 and bool(host[kind][0]), time.perf_counter() - t0,
                  f"{len(host[kind][0])} frames" if res.returncode == 0 else res.stderr.strip()[-200:])
    report["x86"] = {kind: {"frames": len(host[kind][0]), "rates": summary_rates(host[kind][1]),
                            "reading": reading_rate(host[kind][0]),
                            "score": demo_score_line(host[kind][1]) if kind == "demo" else None} for kind in host}

    for pi in pis if ok else []:
        entry = report["pis"].setdefault(pi.name, {"qemu_cpu": pi.qemu_cpu})
        for kind in ("demo", "source"):
            cmd = [f"{WORK}/venv/bin/edge-run",
                   *edge_run_args(kind, "/tmp/mnist", f"{WORK}/frames", args.demo_frames, f"{WORK}/demo-out")]
            t0 = time.perf_counter()
            res = arm.run_in_root(args.root, pi, cmd, timeout=STEP_TIMEOUT_S, binds={Path(data_dir): "/tmp/mnist"})
            seconds = time.perf_counter() - t0
            readings = parse_json_lines(res.stdout) if res.returncode == 0 else []
            steps.add(f"{pi.name} ({pi.qemu_cpu}) edge-run --{kind}", res.returncode == 0 and bool(readings), seconds,
                      f"{len(readings)} frames" if res.returncode == 0 else (res.stderr.strip()[-200:] or f"exit {res.returncode}"))
            comparison = compare_readings(host[kind][0], readings)
            steps.add(f"{pi.name} --{kind} readings equal x86", comparison.identical == pi.should_match, 0,
                      f"{comparison.frames_compared} frames, {comparison.digits_compared} digits, "
                      f"{comparison.frames_exact} also with equal boxes and confidences"
                      + (f"; {comparison.differences[0]}" if comparison.differences else "")
                      + ("" if pi.should_match else " (qemu's default CPU: the check must catch it)"))
            entry[kind] = {"seconds": round(seconds, 1), "exit": res.returncode, "rates_emulated": summary_rates(res.stderr),
                           "reading_emulated": reading_rate(readings),
                           "score": demo_score_line(res.stderr) if kind == "demo" else None,
                           "comparison": comparison.as_json()}

    report["steps"] = steps.rows
    report["all_passed"] = bool(steps.rows) and all(r["ok"] for r in steps.rows) and len(report["pis"]) == len(pis)
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    report["command"] = "python -m bench.pi.run_arm64 " + " ".join(argv if argv is not None else sys.argv[1:])
    write_report(report, args.out)
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"{'all passed' if report['all_passed'] else 'FAILED'} in {report['total_seconds']:.0f} s; "
          f"wrote {args.out / 'pi_arm64.md'}", flush=True)
    return 0 if report["all_passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
