"""Read each document in a child process with limits: address space (memory), CPU and wall time.

A small fork server (``python -m intake.extract.sandbox``, started on first use) has the readers
imported already; for every document it forks a child that sets its limits, reads the file and
answers one line of JSON on a Unix socket. A child that runs out of memory, time or luck takes
only itself down: the caller gets an ``unreadable`` answer with the reason. (multiprocessing's
own fork server would re-import the caller's main module in every child.)
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import resource
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from intake.extract.limits import Limits
from intake.extract.result import ErrorCode, Extraction

# --- the caller's side ---------------------------------------------------------------------------


class _Server:
    """The fork server, started once per process and again if it dies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._socket_path = ""

    def address(self) -> str:
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()
            return self._socket_path

    def _start(self) -> None:
        folder = tempfile.mkdtemp(prefix="portal-reader-")
        path = os.path.join(folder, "socket")
        root = str(Path(__file__).resolve().parents[2])
        env = {
            **os.environ,
            "OMP_THREAD_LIMIT": "1",
            "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        }
        process = subprocess.Popen(  # noqa: S603 - our own module, with our interpreter
            [sys.executable, "-m", "intake.extract.sandbox", path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            close_fds=True,
        )
        assert process.stdout is not None
        ready = selectors.DefaultSelector()
        ready.register(process.stdout, selectors.EVENT_READ)
        if not ready.select(timeout=60) or process.stdout.readline().strip() != b"ready":
            process.kill()
            raise RuntimeError("the document reader did not start")
        self._process = process
        self._socket_path = path

    def stop(self) -> None:
        with self._lock:
            if self._process is not None:
                if self._process.stdin:
                    self._process.stdin.close()  # the server ends when its input ends
                try:
                    self._process.wait(5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
                if self._process.stdout:
                    self._process.stdout.close()
                self._process = None


_server = _Server()


def extract_file(
    path: str | os.PathLike[str], limits: Limits | None = None, explain: bool = False
) -> Extraction:
    """What the document at ``path`` says, read in a child process under ``limits``. With
    ``explain``, the answer carries the top amount candidates and their reasons."""
    limits = limits or Limits()
    file = Path(path)
    if not file.is_file():
        return Extraction.unreadable(ErrorCode.not_found, "no such file")
    started = time.monotonic()
    # The child keeps its own deadline and says so; this one is for a child that cannot.
    deadline = started + limits.seconds + min(5.0, max(1.0, limits.seconds / 10))
    child = None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(30)
            connection.connect(_server.address())
            request = {
                "path": str(file.resolve()),
                "limits": asdict(limits),
                "explain": explain,
            }
            connection.sendall(json.dumps(request).encode() + b"\n")
            lines = _Lines(connection)
            child = int(json.loads(lines.next(deadline))["pid"])
            answer = json.loads(lines.next(deadline))
        return Extraction.from_dict(answer)
    except TimeoutError:
        _kill(child)
        return Extraction.unreadable(
            ErrorCode.time_limit, f"reading took longer than {limits.seconds:g} s"
        )
    except (ConnectionError, EOFError, ValueError, OSError, KeyError, RuntimeError):
        if time.monotonic() - started >= limits.seconds:
            return Extraction.unreadable(
                ErrorCode.time_limit, f"reading took longer than {limits.seconds:g} s"
            )
        return Extraction.unreadable(
            ErrorCode.reader_crashed,
            "the reader stopped; the document may be too large or malformed",
        )


class _Lines:
    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self.buffer = b""

    def next(self, deadline: float) -> bytes:
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            self.connection.settimeout(remaining)
            chunk = self.connection.recv(65536)
            if not chunk:
                raise EOFError
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line


def _kill(pid: int | None) -> None:
    """End a child and whatever it started (tesseract): it leads a process group of its own."""
    if pid:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)


def stop_server() -> None:
    _server.stop()


# --- the server's side ---------------------------------------------------------------------------


def serve(path: str) -> None:
    """Accept requests on a Unix socket; fork a limited child for each; stop when stdin ends."""
    import intake.extract.reader  # noqa: F401 - imported once here, inherited by every child

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)
    events = selectors.DefaultSelector()
    events.register(listener, selectors.EVENT_READ, "accept")
    events.register(sys.stdin.buffer, selectors.EVENT_READ, "stdin")
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    try:
        while True:
            for key, _ in events.select(timeout=1):
                if key.data == "stdin" and not os.read(sys.stdin.fileno(), 1024):
                    return
                if key.data == "accept":
                    connection, _ = listener.accept()
                    if os.fork() == 0:
                        listener.close()
                        _child(connection)  # never returns
                    connection.close()
            _reap()
    finally:
        listener.close()
        os.unlink(path)
        os.rmdir(os.path.dirname(path))


def _reap() -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _child(connection: socket.socket) -> None:
    code = 0
    try:
        os.setpgrp()
        request = json.loads(connection.makefile("rb").readline())
        limits = Limits(**request["limits"])
        connection.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        cpu = math.ceil(limits.seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        result = _read(request["path"], limits, bool(request.get("explain")))
        connection.sendall(json.dumps(result.to_dict()).encode() + b"\n")
    except BaseException:  # noqa: BLE001 - the caller sees the closed socket
        code = 1
    finally:
        os._exit(code)


def _read(path: str, limits: Limits, explain: bool = False) -> Extraction:
    from intake.extract.reader import read_bytes

    try:
        return read_bytes(Path(path).read_bytes(), limits, explain=explain)
    except MemoryError:
        return Extraction.unreadable(
            ErrorCode.memory_limit, "reading needed more memory than allowed"
        )
    except Exception as error:  # noqa: BLE001 - the contract: an answer, never a traceback
        return Extraction.unreadable(
            ErrorCode.reader_crashed, f"reading failed ({type(error).__name__})"
        )


def _main(argv: list[str]) -> Any:
    serve(argv[1])


if __name__ == "__main__":
    _main(sys.argv)
