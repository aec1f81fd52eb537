"""Connecting to a running Dask scheduler within a time limit, and telling lost workers from failed frames.

:func:`connect_scheduler` checks the address, then (for ``tcp://``) opens a plain socket and waits for
the scheduler's greeting (a Dask server speaks first; an HTTP port, e.g. the dashboard, stays silent),
and only then starts a ``distributed.Client``, in a watchdog thread: whatever the endpoint is (garbage,
closed port, HTTP server, a silent service), the caller gets one ValueError within ``timeout`` seconds
and no traceback from a half-made client later.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

__all__ = ["connect_scheduler", "is_lost_worker"]

#: Exceptions of a frame whose worker (or the data it held) was lost, not of the frame itself.
_LOST = ("KilledWorker", "FutureCancelledError", "CancelledError", "CommClosedError")


def is_lost_worker(exc: BaseException) -> bool:
    """Whether ``exc`` (from ``future.result()``) means the frame's worker was lost, not that it failed."""
    return any(t.__name__ in _LOST for t in type(exc).__mro__)


def _address(address: str) -> tuple[str, str, tuple[str, int] | None]:
    """(scheme, location, (host, port) for tcp/tls); ValueError for an address Dask cannot use."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    hint = "expected e.g. tcp://10.0.0.1:8786"
    try:
        scheme, location = parse_address(address, strict=False)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"--scheduler {address}: not a Dask scheduler address ({exc}; {hint})") from None
    try:
        get_backend(scheme)
    except ValueError:
        raise ValueError(
            f"--scheduler {address}: {scheme!r} is not a Dask protocol ({hint}; the dashboard's http:// "
            "address is not the scheduler's)"
        ) from None
    if scheme not in ("tcp", "tls"):
        return scheme, location, None
    try:
        host, port = parse_host_port(location)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"--scheduler {address}: not a Dask scheduler address ({exc}; {hint})") from None
    return scheme, location, (host, int(port))


def _probe(address: str, host: str, port: int, timeout: float, greeting: bool) -> None:
    """Connect a plain socket; with ``greeting``, wait for the first bytes of the Dask handshake."""
    limit = f"within {timeout:g} s"
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:  # refused, unreachable, unknown host, timed out
        message = f"--scheduler {address}: cannot connect to a Dask scheduler {limit} ({exc})"
        raise ValueError(message) from None
    with sock:
        if not greeting:
            return
        try:
            first = sock.recv(16)
        except OSError:  # timed out (socket.timeout is an OSError) or reset
            raise ValueError(
                f"--scheduler {address}: something listens there, but no Dask scheduler answered {limit} "
                "(an HTTP port such as the dashboard's? the scheduler's port is usually 8786)"
            ) from None
    if not first:
        raise ValueError(f"--scheduler {address}: the server closed the connection (not a Dask scheduler)")
    if len(first) >= 8 and int.from_bytes(first[:8], "little") > 1 << 40:
        raise ValueError(f"--scheduler {address}: the server does not speak the Dask protocol")


def _client_class():
    from distributed import Client

    class QuietClient(Client):
        """A Client that, if it cannot connect, gives up at once (no slow close and no traceback from
        ``__del__`` at garbage collection)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            try:
                super().__init__(*args, **kwargs)
            except BaseException:
                self.status = "closed"
                with contextlib.suppress(Exception):
                    self._loop_runner.stop()
                raise

    return QuietClient


def connect_scheduler(address: str, timeout: float) -> Any:
    """A ``distributed.Client`` connected to the scheduler at ``address`` with at least one worker;
    ValueError with one clear message if that does not happen within ``timeout`` seconds (30 s more
    are allowed for a first worker to join an empty cluster)."""
    deadline = time.monotonic() + timeout
    scheme, _, host_port = _address(address)
    if host_port is not None:
        _probe(address, *host_port, timeout, greeting=scheme == "tcp")
    box: dict[str, Any] = {}

    def start() -> None:
        try:
            remaining = max(deadline - time.monotonic(), 0.5)
            client = _client_class()(address, timeout=f"{remaining}s", set_as_default=False)
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc
            return
        box["client"] = client
        if box.get("abandoned"):  # connected after the caller gave up: nobody will use it
            with contextlib.suppress(Exception):
                client.close(timeout=2)

    thread = threading.Thread(target=start, name="arisekit-connect", daemon=True)
    thread.start()
    thread.join(max(deadline - time.monotonic(), 0.0) + 2.0)
    if thread.is_alive() or "error" in box:
        exc = box.get("error")
        detail = f" ({type(exc).__name__}: {exc})" if exc is not None else ""
        box["abandoned"] = True  # a thread still running ends on its own and closes its client
        raise ValueError(
            f"--scheduler {address}: cannot connect to a Dask scheduler within {timeout:g} s{detail}"
        )
    client = box["client"]
    if not client.nthreads():
        try:
            client.wait_for_workers(1, timeout=max(timeout, 30.0))
        except Exception as exc:
            with contextlib.suppress(Exception):
                client.close(timeout=2)
            raise ValueError(f"--scheduler {address}: the cluster has no workers ({exc})") from None
    return client
