"""A slow line between the browser and the live server, for everything the browser sends: the page, its
service worker and the worker's own fetches alike (a CDP network emulation set on a page does not reach the
service worker's requests).

A TCP proxy on 127.0.0.1: each direction of each connection is a delay line (half the round trip) and all
connections share one link of ``rate`` bytes a second each way, as on a phone's radio. ``slow`` switches the
line on and off; ``cut()`` is no signal at all: open connections are dropped and new ones refused until
``restore()``."""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time


class _Link:
    """One direction of the radio, shared by every connection: bytes leave at ``rate`` a second."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._lock = threading.Lock()
        self._free_at = 0.0

    def wait_for(self, size: int) -> None:
        with self._lock:
            start = max(time.monotonic(), self._free_at)
            self._free_at = start + size / self.rate
            until = self._free_at
        pause = until - time.monotonic()
        if pause > 0:
            time.sleep(pause)


class SlowLine:
    SLICE = 4096

    def __init__(self, upstream: tuple[str, int], latency_ms: int = 400, rate: int = 62_500) -> None:
        self.upstream = upstream
        self.latency = latency_ms / 1000
        self.down = _Link(rate)
        self.up = _Link(rate)
        self.slow = False
        self._cut = False
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            sockets, self._open = list(self._open), set()
        for s in sockets:
            self._close(s)

    def restore(self) -> None:
        with self._lock:
            self._cut = False

    def close(self) -> None:
        self._closing = True
        self.cut()
        self._server.close()

    @staticmethod
    def _close(s: socket.socket) -> None:
        with contextlib.suppress(OSError):
            s.shutdown(socket.SHUT_RDWR)
        s.close()

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if self._cut:
                self._close(client)
                continue
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                self._close(client)
                continue
            with self._lock:
                self._open.update((client, server))
            for src, dst, link in ((client, server, self.up), (server, client, self.down)):
                line: queue.Queue = queue.Queue()
                threading.Thread(target=self._read, args=(src, line), daemon=True).start()
                threading.Thread(target=self._write, args=(line, dst, link), daemon=True).start()

    def _read(self, src: socket.socket, line: queue.Queue) -> None:
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            line.put((time.monotonic(), data))
            if not data:
                return

    def _write(self, line: queue.Queue, dst: socket.socket, link: _Link) -> None:
        while True:
            arrived, data = line.get()
            if self.slow:
                pause = arrived + self.latency / 2 - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
            if not data:
                with contextlib.suppress(OSError):
                    dst.shutdown(socket.SHUT_WR)
                return
            for start in range(0, len(data), self.SLICE):
                piece = data[start : start + self.SLICE]
                if self.slow:
                    link.wait_for(len(piece))
                try:
                    dst.sendall(piece)
                except OSError:
                    return
