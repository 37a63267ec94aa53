# Running trusted dataset code (tests, prompts, reference programs) in the
# judge: silenced like upstream's swallow_io, its imports loaded before any
# candidate exists, its exceptions reported by type, and the judge-side
# stand-in through which it calls the candidate's functions.
# bundle: requires candidate, failures

import sys


class _swallowed:
    """Silence trusted code (tests, canonical solutions) like upstream swallow_io."""

    def __enter__(self):
        self.saved = (sys.stdin, sys.stdout, sys.stderr)
        sys.stdin, sys.stdout, sys.stderr = _NoInput(), _Sink(), _Sink()

    def __exit__(self, *exc):
        sys.stdin, sys.stdout, sys.stderr = self.saved
        return False


def _preload_imports(*sources):
    import importlib  # lazy: keeps candidate start-up short
    import ast  # lazy: keeps candidate start-up short
    """Import, before any candidate exists, every module trusted code names,
    so nothing is loaded from disk once untrusted code could have written it."""
    for src in sources:
        try:
            tree = ast.parse(src)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
                names += [node.module + "." + a.name for a in node.names if a.name != "*"]
            for n in names:
                try:
                    with _swallowed():
                        importlib.import_module(n)
                except BaseException:
                    pass


def _judge_exc_text(e):
    """An exception the trusted test code raised, for a verdict detail: its
    type, and for a NameError the (identifier) name; no message, which can
    carry the test's inputs or the candidate's values."""
    text = type(e).__name__
    if isinstance(e, NameError):
        name = getattr(e, "name", None)
        if type(name) is str and name.isidentifier() and len(name) <= 100:
            text += ": name %r is not defined" % name
    return text


def _test_line(exc):
    import traceback  # lazy: keeps candidate start-up short
    tb = traceback.extract_tb(exc.__traceback__)
    for fr in reversed(tb):
        if fr.filename == "<test>":
            return fr.lineno
    return None


def _remote_callable(judge, cand, deadline, sticky, name, by_name=False):
    """A judge-side stand-in for the candidate's callable `name` (its entry
    point unless by_name).  The first candidate failure sticks: a test that
    catches it cannot undo it."""
    def proxy(*args, **kwargs):
        if sticky:
            raise sticky[0]
        try:
            return judge.call(cand, args, kwargs, deadline, name=name if by_name else None)
        except Failure as f:
            if not sticky:
                sticky.append(f)
            raise

    proxy.__name__ = proxy.__qualname__ = name
    return proxy
