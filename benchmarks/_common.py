"""Helpers shared by the benchmarks: the Procfile's server, its workers' memory, the machine."""

import contextlib
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent  # gunicorn lives next to this Python


def free_port():
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def procfile_command(process_type="web", procfile=ROOT / "Procfile"):
    """The command of one process type in the Procfile (e.g. the `web:` line), unexpanded."""
    for line in Path(procfile).read_text().splitlines():
        name, sep, command = line.partition(":")
        if sep and name.strip() == process_type:
            return command.strip()
    raise SystemExit(f"{procfile} has no '{process_type}:' line.")


def start_procfile(port, env=None, process_type="web"):
    """Popen the Procfile's command through bash with PORT set, in its own process group.

    env adds to (or overrides) this process's environment, e.g. WEB_CONCURRENCY or
    DIGITS_MODEL_PATH. The venv's bin comes first on PATH so `gunicorn` is the venv's.
    The server's output goes to a temporary file, kept as `process.log` (see server_log):
    a pipe nobody reads would fill up and block the server.
    """
    full_env = {**os.environ, **(env or {}), "PORT": str(port)}
    full_env["PATH"] = f"{VENV_BIN}{os.pathsep}{full_env.get('PATH', '')}"
    log = tempfile.TemporaryFile()
    started = time.perf_counter()
    process = subprocess.Popen(
        ["bash", "-c", procfile_command(process_type)],
        cwd=ROOT,
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log, process.started = log, started  # started: perf_counter() just before Popen
    return process


def server_log(process, tail=4000):
    """The last characters the server wrote (for error messages)."""
    process.log.seek(0)
    return process.log.read().decode(errors="replace")[-tail:]


def stop(process, timeout=10):
    """Stop the whole process group: SIGTERM (gunicorn's graceful stop), then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # Workers that outlived their master would still be in the group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def healthy(url, timeout=2):
    """Whether GET {url}/api/health answers 200."""
    try:
        with urllib.request.urlopen(f"{url}/api/health", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def wait_healthy(process, url, timeout=60):
    """Poll /api/health until it answers 200; exit with the server's output if it never does."""
    deadline = time.monotonic() + timeout
    while not healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(
                f"The server did not answer 200 on {url}/api/health within "
                f"{timeout} s (exit code {process.poll()}). Its output:\n"
                f"{server_log(process)}"
            )
        time.sleep(0.05)  # polling a process that is still starting


@contextlib.contextmanager
def procfile_server(workers=2, env=None, timeout=60, wait=True):
    """Run the Procfile's web process on a free port; yields (process, url); always stops it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start_procfile(port, {"WEB_CONCURRENCY": str(workers), **(env or {})})
    try:
        if wait:
            wait_healthy(process, url, timeout)
        yield process, url
    finally:
        stop(process)
        process.log.close()


def children(pid):
    """Pids of the direct children of pid (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        # The command name is in parentheses and may hold spaces: the ppid follows the last ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def gunicorn_master(process):
    """The gunicorn master's pid: bash usually execs it, else it is bash's child."""
    for pid in [process.pid, *children(process.pid)]:
        try:
            if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        except OSError:
            continue
    raise RuntimeError(f"No gunicorn process under pid {process.pid}.")


def worker_pids(process):
    """The gunicorn workers' pids: the children of the master."""
    return children(gunicorn_master(process))


def server_pids(process):
    """The gunicorn master and its workers."""
    master = gunicorn_master(process)
    return [master, *children(master)]


def cpu_seconds(pids):
    """CPU time (user + system) these processes have used so far, in seconds; gone ones count 0."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def machine_busy_seconds():
    """CPU time every process on the machine has used so far (all cores), from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    """Resident memory of a process in MB (VmRSS from /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024  # the value is in kB
    raise RuntimeError(f"No VmRSS for pid {pid}.")


def machine():
    """CPU model and core count, to say where numbers were measured."""
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    # The load average tells how busy the machine was before the benchmark began.
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "load_average_1min": os.getloadavg()[0],
    }


def find_wrk():
    """The path of wrk, installed with apt-get when missing and we are root; None if neither."""
    if not shutil.which("wrk") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is not installed: apt-get install -y wrk ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (
            ["apt-get", "install", "-y", "-qq", "wrk"],
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "wrk"],
        ):
            if shutil.which("wrk"):
                break
            subprocess.run(command, env=env, capture_output=True)
    return shutil.which("wrk")


def run_wrk(wrk, url, body, seconds, connections=16, content_type="image/png", threads=2):
    """POST body to url with wrk for some seconds: requests/s, latency percentiles and errors.

    Non-2xx answers ("Non-2xx or 3xx responses") and socket errors are counted separately;
    latency_ms holds wrk's --latency percentiles p50, p75, p90 and p99; wrk_cpu_s the CPU
    time wrk itself used; output is wrk's text.
    """
    workdir = Path(tempfile.mkdtemp(prefix="wrk-"))
    body_file, script = workdir / "body", workdir / "post.lua"
    body_file.write_bytes(body)
    script.write_text(
        f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "{content_type}"\n'
        f'local f = assert(io.open([[{body_file}]], "rb"))\n'
        f'wrk.body = f:read("*a")\nf:close()\n'
    )
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    out = result.stdout
    if result.returncode != 0 or "Requests/sec" not in out:
        raise RuntimeError(f"wrk failed ({result.returncode}): {out}{result.stderr}")
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {
        f"p{q}": float(v) * unit[u]
        for q, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    }
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "wrk_cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "latency_ms": latency,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(map(int, sockets.groups())) if sockets else 0,
        "connections": connections,
        "seconds": seconds,
        "output": out,
    }
