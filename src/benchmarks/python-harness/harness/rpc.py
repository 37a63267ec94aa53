# Framed JSON messages over a pipe pair, and the judge's end of the channel to
# one candidate process: bounded reads against a deadline on the grading
# clock, with the ways a channel ends (timeout, gone, malformed). The
# candidate's end (child_main) binds its own os.read/os.write.
# bundle: requires clock, codec

import errno
import json
import os
import select


_DEFAULT_MAX_MSG = 128 * 1024 * 1024  # bytes per RPC message


# ---------------------------------------------------------------------------
# Framed JSON messages over a pipe pair (Python <-> Python: NaN tokens are fine)
# ---------------------------------------------------------------------------
def _frame(obj):
    with _raised_recursion():
        data = json.dumps(obj, separators=(",", ":"), ensure_ascii=True, allow_nan=True).encode("ascii")
    return len(data).to_bytes(4, "big") + data


class ChildTimeout(Exception):
    pass


class ChildGone(Exception):
    pass


class ChildProtocolError(Exception):
    pass


class _Channel:
    """The judge's end of a candidate's pipes (self.rfd, self.wfd, self.buf;
    the message size limit is self.judge.max_msg)."""

    # -- I/O ---------------------------------------------------------------
    def _write_all(self, data, deadline):
        view = memoryview(data)
        while view:
            left = deadline - _now()
            if left <= 0:
                raise ChildTimeout("sending to candidate")
            try:
                _, w, _ = select.select([], [self.wfd], [], left)
            except InterruptedError:
                continue
            if not w:
                continue
            try:
                n = os.write(self.wfd, view)
            except BlockingIOError:
                continue
            except (BrokenPipeError, OSError) as e:
                if isinstance(e, BrokenPipeError) or e.errno == errno.EPIPE:
                    raise ChildGone("pipe closed")
                raise
            view = view[n:]

    def send(self, obj, deadline):
        self._write_all(_frame(obj), deadline)

    def _fill(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - _now()
            if left <= 0:
                raise ChildTimeout("waiting for candidate")
            try:
                r, _, _ = select.select([self.rfd], [], [], left)
            except InterruptedError:
                continue
            if not r:
                continue
            chunk = os.read(self.rfd, max(65536, min(n - len(self.buf), 1 << 22)))
            if not chunk:
                raise ChildGone("candidate process ended")
            self.buf += chunk

    def recv(self, deadline):
        self._fill(4, deadline)
        n = int.from_bytes(self.buf[:4], "big")
        if n > self.judge.max_msg:
            raise ChildProtocolError("reply of %d bytes exceeds the %d byte limit" % (n, self.judge.max_msg))
        self._fill(4 + n, deadline)
        data = bytes(self.buf[4:4 + n])
        del self.buf[:4 + n]
        try:
            with _raised_recursion():
                msg = json.loads(data)
        except (ValueError, RecursionError, MemoryError) as e:
            raise ChildProtocolError("malformed reply: %s" % type(e).__name__)
        if type(msg) is not dict:
            raise ChildProtocolError("malformed reply")
        return msg
