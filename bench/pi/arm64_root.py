"""A Debian arm64 root file system run under qemu user emulation: make it once, run commands in it.

The root lives outside the repository (default ~/.cache/edge-digits/pi-root) and is reused when
present. Every command runs in a private mount namespace (`unshare --mount`), so the /proc, /dev
and bind mounts it needs vanish with it and nothing is left mounted on the host.

Two traps of this path, both checked on qemu 7.2 (Debian bookworm's qemu-user-static):
- qemu-user passes the x86 host's /proc/cpuinfo through, and the TFLite runtime segfaults parsing
  it, so a Raspberry Pi's cpuinfo (bench/pi/cpuinfo-pi*.txt) is bind-mounted over /proc/cpuinfo;
- with qemu's default CPU model ("max") the XNNPACK int8 kernels return wrong scores without any
  error, so QEMU_CPU always names a Pi's core: cortex-a72 (Pi 4) or cortex-a76 (Pi 5).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_ROOT = Path.home() / ".cache" / "edge-digits" / "pi-root"
SUITE = "bookworm"  # Raspberry Pi OS 12 is bookworm: Python 3.11, glibc 2.36
MIRROR = "http://deb.debian.org/debian"
# python3-venv brings ensurepip, which is how the README's `python3 -m venv` gets pip on a Pi
ROOT_PACKAGES = ("python3", "python3-venv", "ca-certificates")
READY_MARK = ".edge-digits-root-ready"  # written last, so a half-made root is never reused
BINFMT = Path("/proc/sys/fs/binfmt_misc")
HOST_PACKAGES = "apt-get install -y qemu-user-static binfmt-support debootstrap"


@dataclass(frozen=True)
class PiModel:
    name: str  # "pi4"
    qemu_cpu: str  # QEMU_CPU value: the board's core
    cpuinfo: Path  # what /proc/cpuinfo reads inside the root
    should_match: bool = True  # False only for the trap: readings must then differ from x86


PI_MODELS = {
    "pi4": PiModel("pi4", "cortex-a72", HERE / "cpuinfo-pi4.txt"),
    "pi5": PiModel("pi5", "cortex-a76", HERE / "cpuinfo-pi5.txt"),
}
# qemu's default CPU model: no Pi has it, and XNNPACK's int8 kernels silently misread under it
DEFAULT_CPU_TRAP = PiModel("qemu-max", "max", HERE / "cpuinfo-pi4.txt", should_match=False)


class EmulationUnavailable(Exception):
    """This machine cannot run arm64 binaries under qemu: the message says why and what to do."""


def check_host() -> None:
    """qemu-aarch64 registered with binfmt_misc (mounted and enabled here if need be), as root."""
    if os.geteuid() != 0:
        raise EmulationUnavailable("needs root (debootstrap, chroot and mounts): run it with sudo")
    missing = [tool for tool in ("qemu-aarch64-static", "debootstrap", "unshare", "chroot") if not shutil.which(tool)]
    if missing:
        raise EmulationUnavailable(f"{', '.join(missing)} not found: {HOST_PACKAGES}")
    if not (BINFMT / "register").exists():
        mounted = subprocess.run(["mount", "-t", "binfmt_misc", "binfmt_misc", str(BINFMT)], capture_output=True)
        if mounted.returncode != 0:
            raise EmulationUnavailable(f"binfmt_misc cannot be mounted here ({mounted.stderr.decode().strip()}); "
                                       "qemu user emulation needs it")
    entry = BINFMT / "qemu-aarch64"
    if not entry.exists() and shutil.which("update-binfmts"):
        subprocess.run(["update-binfmts", "--enable", "qemu-aarch64"], capture_output=True)
    if not entry.exists() or "enabled" not in entry.read_text():
        raise EmulationUnavailable("qemu-aarch64 is not registered with binfmt_misc: "
                                   f"{HOST_PACKAGES} && update-binfmts --enable qemu-aarch64")
    # 'F' (fix binary) makes the kernel open qemu at registration, so it works inside a chroot
    if "F" not in next((line for line in entry.read_text().splitlines() if line.startswith("flags:")), ""):
        raise EmulationUnavailable("qemu-aarch64 is registered without the F flag; install qemu-user-static "
                                   "(not qemu-user) so the emulator is usable inside a chroot")


def qemu_version() -> str:
    out = subprocess.run(["qemu-aarch64-static", "--version"], capture_output=True, text=True).stdout
    return out.splitlines()[0] if out else "unknown"


def ensure_root(root: Path, log) -> tuple[bool, float]:
    """(made now, seconds): debootstrap a minbase arm64 root unless a finished one is there."""
    if (root / READY_MARK).exists():
        return False, 0.0
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with log.open("a") as out:
        subprocess.run(["debootstrap", "--arch=arm64", "--variant=minbase", f"--include={','.join(ROOT_PACKAGES)}",
                        SUITE, str(partial), MIRROR], stdout=out, stderr=subprocess.STDOUT, check=True)
    (partial / READY_MARK).write_text(f"{SUITE} arm64 minbase + {' '.join(ROOT_PACKAGES)}\n")
    shutil.rmtree(root, ignore_errors=True)
    partial.rename(root)
    return True, time.perf_counter() - start


def chroot_env(pi: PiModel, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A clean environment for the root: none of the host's pip or Python settings leak in."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": "/root", "LANG": "C.UTF-8",
           "QEMU_CPU": pi.qemu_cpu, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_DEFAULT_TIMEOUT": "180"}
    for name in ("http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"):
        if name in os.environ:
            env[name] = os.environ[name]
    env.update(extra or {})
    return env


def chroot_command(root: Path, pi: PiModel, argv: list[str], *, binds: dict[Path, str] | None = None,
                   env: dict[str, str] | None = None) -> list[str]:
    """The host command that runs argv inside the root, as a Pi of this model, in its own mount namespace."""
    q = shlex.quote
    lines = ["set -e",
             f"mount -t proc proc {q(str(root / 'proc'))}",
             f"mount --bind {q(str(pi.cpuinfo))} {q(str(root / 'proc/cpuinfo'))}",
             f"mount --rbind /dev {q(str(root / 'dev'))}",
             # a sysfs of its own: the TFLite runtime's cpuinfo reads the CPU lists there
             f"mount -t sysfs -o ro sysfs {q(str(root / 'sys'))}"]
    for host_path, inside in (binds or {}).items():
        target = str(root) + inside
        lines += [f"mkdir -p {q(target)}", f"mount --bind {q(str(host_path))} {q(target)}"]
    environment = " ".join(q(f"{k}={v}") for k, v in chroot_env(pi, env).items())
    lines.append(f"exec chroot {q(str(root))} /usr/bin/env -i {environment} {' '.join(q(a) for a in argv)}")
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", "\n".join(lines)]


def run_in_root(root: Path, pi: PiModel, argv: list[str], *, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    """Run argv in the root; stdout and stderr come back as text. Never raises on a non-zero exit."""
    cmd = chroot_command(root, pi, argv, binds=kwargs.pop("binds", None), env=kwargs.pop("env", None))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)


def copy_host_network_config(root: Path) -> Path | None:
    """DNS for pip, and the host's CA bundle (path inside the root) where the host adds its own CAs."""
    shutil.copyfile("/etc/resolv.conf", root / "etc/resolv.conf", follow_symlinks=True)
    bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    if not bundle.exists():
        return None
    shutil.copyfile(bundle, root / "etc/ssl/certs/host-ca-certificates.crt")
    return Path("/etc/ssl/certs/host-ca-certificates.crt")
