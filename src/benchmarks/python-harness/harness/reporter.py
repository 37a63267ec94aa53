# The verdict stream: JSON lines on a private copy of stdout, each tagged with
# the run's nonce, and the one final result line.

import json
import os


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------
class Reporter:
    def __init__(self, fd, nonce):
        self.fd = fd
        self.nonce = nonce
        self.done = False

    def emit(self, obj):
        if self.nonce is not None:
            obj = dict(obj)
            obj["nonce"] = self.nonce
        data = (json.dumps(obj, separators=(",", ":"), ensure_ascii=True, allow_nan=False) + "\n").encode()
        view = memoryview(data)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]

    def result(self, obj):
        if self.done:
            return
        self.done = True
        out = {"event": "result"}
        out.update(obj)
        self.emit(out)


def _ms(seconds):
    return int(round(seconds * 1000))
