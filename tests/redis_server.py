"""A throwaway Redis server for the tests: redis-server on a free port, nothing written to disk.

Debian's redis-server package provides the binary (`make system-packages` installs it).
"""

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks._common import free_port

MISSING = (
    "Redis's server binary (redis-server) is missing. Install Debian's redis-server package "
    "with: make system-packages"
)


def answers(port, timeout=0.5):
    """Whether a Redis server on 127.0.0.1:port answers PING."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def throwaway_redis(port=None, timeout=30):
    """Start redis-server without persistence (on port, or a free one); yields its redis:// URL;
    stops it after."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(MISSING)
    folder, port = Path(tempfile.mkdtemp(prefix="digits-redis-")), port or free_port()
    log = folder / "redis.log"
    command = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(folder),
        "--logfile",
        str(log),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while not answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"redis-server did not answer on port {port} within {timeout} s: "
                    f"{log.read_text() if log.is_file() else ''}"
                )
            time.sleep(0.05)  # polling a server that is still starting
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
