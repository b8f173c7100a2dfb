"""The processes a speed run starts: one copy of the code they all import,
builds timed in a fresh process, and query peers that answer one line at a
time. Every wait is bounded, and every child dies with the run."""

import ctypes
import hashlib
import importlib
import io
import os
import queue
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# Every process of a run imports the project from one copy taken when the run
# starts (see snapshot_code).
CODE = ROOT
SNAPSHOT = ("search", "templates", "static", "bench", "wsgi.py", "gunicorn.conf.py")
RUN_PREFIX = "search-speed-"
OWNER_FILE = "owner.pid"
BUILD_TIMEOUT = 3 * 3600


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def snapshot_code(dest, revision=None):
    """Copy the project's code to ``dest`` and import it from there, so that
    one run measures one version even while the working tree is edited;
    return its provenance (commit, modified files, hash of the copy).
    ``revision`` (a git revision) takes the code from there instead of the
    working tree; the benchmark itself (bench/speed) always comes from the
    working tree."""
    global CODE
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "results", "RESULTS.*")
    if revision:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", revision, *SNAPSHOT], cwd=ROOT, capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")
        shutil.rmtree(dest / "bench" / "speed", ignore_errors=True)
        shutil.copytree(Path(__file__).resolve().parent, dest / "bench" / "speed", ignore=ignore)
    else:
        for name in SNAPSHOT:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, dest / name, ignore=ignore)
            else:
                shutil.copy2(source, dest / name)
    digest = hashlib.sha256()
    for path in sorted((dest / "search").rglob("*.py")):
        digest.update(path.relative_to(dest).as_posix().encode() + b"\0" + path.read_bytes())
    CODE = dest
    sys.path.insert(0, str(dest))
    importlib.invalidate_caches()
    return {
        "commit": _git("rev-parse", revision or "HEAD"),
        "modified": [] if revision else _git("status", "--porcelain", "--", "search").splitlines(),
        "search_sha256": digest.hexdigest()[:16],
    }


def _git(*arguments):
    try:
        return subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        return ""


def clean_environment(**extra):
    """This process's environment without any SEARCH_ setting, plus ``extra``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SEARCH_")}
    env.update(extra)
    return env


try:
    _LIBC = ctypes.CDLL(None, use_errno=True)  # loaded here: a forked child must not load libraries
except OSError:
    _LIBC = None
PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """preexec_fn of every child: it gets SIGTERM when this process dies,
    even by SIGKILL, so none outlives a killed run (Linux)."""
    if _LIBC is not None and hasattr(_LIBC, "prctl"):
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start(command, env=None, **kwargs):
    """Popen ``command`` in the copied code, with a clean environment, dying with this process."""
    return subprocess.Popen(
        [str(part) for part in command],
        cwd=CODE,
        env=clean_environment() if env is None else env,
        preexec_fn=_die_with_parent,
        **kwargs,
    )


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_runs():
    """Remove the temporary folders of earlier runs that were killed before
    they could clean up (those whose owner.pid names no live process);
    folders without that file are left alone and listed."""
    others = []
    for folder in Path(tempfile.gettempdir()).glob(RUN_PREFIX + "*"):
        owner = folder / OWNER_FILE
        try:
            pid = int(owner.read_text().strip())
        except (OSError, ValueError):
            others.append(folder)
            continue
        if not _alive(pid):
            log(f"removing {folder}, left by a run (pid {pid}) that did not finish")
            shutil.rmtree(folder, ignore_errors=True)
    if others:
        log("other temporary folders of this benchmark, not removed: " + ", ".join(map(str, others)))


class CommandFailed(RuntimeError):
    """A measured command exited non-zero or ran out of time."""


def run_measured(command, output, timeout=BUILD_TIMEOUT):
    """Run ``command`` in a fresh process, killed after ``timeout`` seconds;
    return its wall time, CPU time, peak RSS and bytes written (os.wait4
    gives the child's own usage, and that of the children it waited for:
    the peak is its largest process's). Raises CommandFailed."""
    with open(output, "wb") as sink:
        started = time.perf_counter()
        process = start(command, stdout=sink, stderr=subprocess.STDOUT)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
        finally:
            killed = not timer.is_alive()
            timer.cancel()
            if process.returncode is None:
                process.kill()
                process.wait()
    text = Path(output).read_text("utf-8", errors="replace").strip()
    if process.returncode != 0:
        why = f"killed after {timeout:.0f} s" if killed else f"exit code {process.returncode}"
        last = text.splitlines()[-1] if text else "no output"
        # the first line says what failed and how it ended (a traceback's last line); then the output's tail
        raise CommandFailed(f"{' '.join(map(str, command[1:4]))} … failed ({why}): {last}\n{text[-1500:]}")
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # ru_maxrss is in KiB on Linux
        "written_mb": round(usage.ru_oublock * 512 / 1e6, 1),  # blocks of 512 bytes
        "output": text.splitlines()[-1] if text else "",
    }


def disk_mb(path):
    path = Path(path)
    if not path.exists():
        return None
    files = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return round(sum(p.stat().st_size for p in files) / 1e6, 1)


class PeerTimeout(RuntimeError):
    """A peer process did not answer in time (it has been stopped)."""


class PeerProcess:
    """A child that prints "ready", then answers each line written to it with
    one line. A reader thread hands its lines over, so that every wait for
    an answer is bounded; a peer that misses one is killed, and every later
    request fails at once."""

    def __init__(self, name, command, stderr_path, ready_timeout):
        self.name, self.stderr_path = name, stderr_path
        with open(stderr_path, "wb") as errors:
            self.process = start(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                encoding="utf-8",
            )
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        first = self._next(ready_timeout)
        if first.strip() != "ready":
            self.close(wait=0)
            raise RuntimeError(f"{name} printed {first.strip()[:200]!r} instead of 'ready'{self._stderr()}")

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _stderr(self):
        """What the process wrote to stderr, its last line first (a traceback's error)."""
        text = Path(self.stderr_path).read_text("utf-8", errors="replace").strip()
        return f": {text.splitlines()[-1]}\n{text[-1500:]}" if text else ""

    def _next(self, timeout):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            self.close(wait=0)
            raise PeerTimeout(f"{self.name} gave no answer in {timeout:g} s; stopped") from None
        if line is None:
            self.close(wait=5)
            raise RuntimeError(f"{self.name} exited ({self.process.returncode}){self._stderr()}")
        return line

    def ask(self, line, timeout):
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} is not running (exit code {self.process.returncode})")
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return self._next(timeout)

    def close(self, wait=30):
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
