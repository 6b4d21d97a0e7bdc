"""The app served by gunicorn on 127.0.0.1, as in production, for the load tests."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A free loopback port below the kernel's range for outgoing connections, so that the
    server can be restarted on it while thousands of client connections come and go."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for port in range(20000 + os.getpid() % 5000, low):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


def app_environment(database_url: str, **extra: str) -> dict[str, str]:
    """The environment a deployment gives the app (no test configuration)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "SCREENER_"))}
    env.update(
        SECRET_KEY="load-test-secret",
        DATABASE_URL=database_url,
        PYTHONDONTWRITEBYTECODE="1",
        **extra,
    )
    return env


def migrate(database_url: str) -> None:
    """Build the schema with the real migrations, as a deployment does."""
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "screener", "db", "upgrade"],
        env=app_environment(database_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


class Gunicorn:
    """gunicorn in its own process group, so the master and its workers die together."""

    def __init__(
        self,
        database_url: str,
        log: Path,
        *,
        workers: int = 3,
        app: str = "screener:create_app()",
        access_log: bool = True,
        pythonpath: str | None = None,
        env: dict[str, str] | None = None,
    ):
        self.port = free_port()
        # Plain HTTP on loopback: cookies without Secure; no rate limits unless `env` sets them
        # (the load tests send thousands of journeys from one address).
        settings = {
            "PUBLIC_URL": f"http://127.0.0.1:{self.port}",
            "SECURE_COOKIES": "0",
            "RATELIMIT_ENABLED": "0",
            **(env or {}),
        }
        self.env = app_environment(database_url, **settings)
        self.log = log
        self.workers = workers
        self.app = app
        self.access_log = access_log
        self.pythonpath = pythonpath
        self.process: subprocess.Popen | None = None
        self.kills = 0

    def start(self, ready_within: float = 60, ready_path: str = "/about-si-joint-fusion") -> None:
        """Start serving and wait until `ready_path` is served."""
        command = [
            str(BIN / "gunicorn"),
            "--workers",
            str(self.workers),
            "--threads",
            "1",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--no-control-socket",
            "--error-logfile",
            "-",
            *(["--access-logfile", "-"] if self.access_log else []),
            *(["--pythonpath", self.pythonpath] if self.pythonpath else []),
            self.app,
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready(ready_within, ready_path)

    def _wait_ready(self, seconds: float, path: str) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-3000:]}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                connection.request("GET", path)
                if connection.getresponse().status == 200:
                    return
            except (OSError, http.client.HTTPException):
                time.sleep(0.05)
            finally:
                connection.close()
        raise RuntimeError(f"gunicorn did not serve within {seconds} s")

    def _signal_group(self, signum: int, wait: float) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def kill(self) -> None:
        """SIGKILL the master and every worker at once, mid-request."""
        self._signal_group(signal.SIGKILL, 10)
        self.kills += 1

    def stop(self) -> None:
        """Shut down gracefully (SIGTERM), else kill."""
        self._signal_group(signal.SIGTERM, 30)
