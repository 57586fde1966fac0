"""Blocking-socket servers: one thread accepts on many loopback listeners, one thread per client.

Used by the IMAP, POP3 and token-endpoint servers, whose sessions are simplest written as
straight-line code. ``stop()`` closes the listeners, shuts down every open client socket and
joins every thread, so nothing outlives the lab.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import ssl
import threading
from collections.abc import Callable
from typing import Any


class Client:
    """A client's socket, as the service must shut it down on stop (TLS-wrapped or not)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock: socket.socket = sock
        # Wrapping hands the descriptor to a new object: stop() must not catch it in between.
        self._swap = threading.Lock()

    def start_tls(self, context: ssl.SSLContext) -> ssl.SSLSocket:
        """Server-side TLS handshake on this client's socket."""
        with self._swap:
            tls = context.wrap_socket(self.sock, server_side=True, do_handshake_on_connect=False)
            self.sock = tls
        tls.do_handshake()
        return tls

    def shutdown(self) -> None:
        """End the session from another thread: a blocked read in its handler returns."""
        with self._swap, contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)


Handler = Callable[[Client], None]

HANDSHAKE_TIMEOUT = 30.0  # seconds a client may take to start TLS after connecting


class SocketService:
    """Accept connections on several listeners and hand each to its handler in a new thread."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._selector = selectors.DefaultSelector()
        self._listeners: list[socket.socket] = []
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._selector.register(self._wake_reader, selectors.EVENT_READ, None)
        self._lock = threading.Lock()
        self._clients: set[Client] = set()
        self._workers: set[threading.Thread] = set()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def listen(self, handler: Handler) -> int:
        """Open a listener on 127.0.0.1 (an ephemeral port) for ``handler``; return its port."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        listener.setblocking(False)
        self._listeners.append(listener)
        self._selector.register(listener, selectors.EVENT_READ, handler)
        return int(listener.getsockname()[1])

    def start(self) -> None:
        self._thread = threading.Thread(target=self._accept_loop, name=self._name, daemon=True)
        self._thread.start()

    def _accept_loop(self) -> None:
        while not self._stopping:
            for key, _events in self._selector.select():
                if key.data is None:  # woken up by stop()
                    return
                try:
                    raw, _address = key.fileobj.accept()  # type: ignore[union-attr]
                except (BlockingIOError, OSError):
                    continue
                raw.setblocking(True)
                raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no delayed-ACK stalls
                self._spawn(key.data, Client(raw))

    def _spawn(self, handler: Handler, client: Client) -> None:
        worker = threading.Thread(
            target=self._serve, args=(handler, client), name=f"{self._name}-client", daemon=True
        )
        with self._lock:
            if self._stopping:
                client.sock.close()
                return
            self._clients.add(client)
            self._workers.add(worker)
        worker.start()

    def _serve(self, handler: Handler, client: Client) -> None:
        try:
            handler(client)
        except OSError:
            pass  # the client hung up or timed out: not the lab's problem
        finally:
            with contextlib.suppress(OSError):
                client.sock.close()
            with self._lock:
                self._clients.discard(client)
                self._workers.discard(threading.current_thread())

    def stop(self) -> None:
        """Stop accepting, cut every open session, join every thread. Idempotent."""
        with self._lock:
            if self._stopping:
                return
            self._stopping = True
            clients = list(self._clients)
            workers = list(self._workers)
        self._wake_writer.send(b"x")
        if self._thread is not None:
            self._thread.join(timeout=5)
        for listener in self._listeners:
            listener.close()
        for client in clients:
            client.shutdown()
        for worker in workers:
            worker.join(timeout=5)
        self._selector.close()
        for end in (self._wake_reader, self._wake_writer):
            end.close()


def readline(stream: Any, limit: int = 65536) -> bytes | None:
    """One line from a socket file, or None when the client has gone (TimeoutError when it
    said nothing for the session's idle timeout)."""
    try:
        line = stream.readline(limit)
    except TimeoutError:
        raise
    except (OSError, ValueError):
        return None
    return line if line else None
