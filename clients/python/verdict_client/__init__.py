"""verdict client: rewards for RL trainers from a verdict service (standard library only).

    from verdict_client import Client
    c = Client("http://127.0.0.1:8080")
    v = c.grade("humaneval", "HumanEval/0", completion)          # one verdict (dict)
    vs = c.grade_batch([{"benchmark": "humaneval", "problem_id": "HumanEval/0", "completion": s} ...])

    # TRL GRPOTrainer: reward_funcs=[trl_reward_func(url)]; dataset columns
    # `benchmark` + `problem_id` (or `problem` with inline tests) name the problem.
    # verl: custom_reward_function.path = this file, name = compute_score (VERDICT_URL env).

Infra errors (status "infra_error": our fault, retryable) are never turned into a
0 silently: the TRL function answers None (TRL ignores it), compute_score reports
{"score": 0.0, "infra_error": True} so the sample can be masked.
"""

import asyncio
import json
import os
import time
import urllib.error
import urllib.request

__all__ = [
    "Client",
    "AsyncClient",
    "VerdictError",
    "Overloaded",
    "trl_reward_func",
    "compute_score",
]

DEFAULT_URL = "http://127.0.0.1:8080"
# a batch is split so one request stays far below the service's admission capacity
MAX_BATCH = 256


class VerdictError(Exception):
    """The service refused a request (4xx/5xx): `status`, `error`, `field`, `message`."""

    def __init__(self, status, body):
        self.status = status
        self.body = body if isinstance(body, dict) else {"message": str(body)}
        self.error = self.body.get("error")
        self.field = self.body.get("field")
        super().__init__("HTTP %d %s: %s" % (status, self.error or "", self.body.get("message", "")))


class Overloaded(VerdictError):
    """429: the queue is full; retried by the client until `overload_wait_s` runs out."""

    def __init__(self, status, body, retry_after):
        super().__init__(status, body)
        self.retry_after = retry_after


class Client:
    """Synchronous client. Thread-safe (one HTTP connection per call)."""

    def __init__(self, url=None, api_key=None, timeout_s=600.0, overload_wait_s=300.0):
        self.url = (url or os.environ.get("VERDICT_URL") or DEFAULT_URL).rstrip("/")
        self.api_key = api_key or os.environ.get("VERDICT_API_KEY")
        self.timeout_s = timeout_s
        self.overload_wait_s = overload_wait_s

    # -- HTTP -------------------------------------------------------------
    def _request(self, path, payload):
        data = json.dumps(payload).encode("utf-8")
        headers = {"content-type": "application/json"}
        if self.api_key:
            headers["authorization"] = "Bearer " + self.api_key
        give_up = time.monotonic() + self.overload_wait_s
        while True:
            req = urllib.request.Request(self.url + path, data=data, headers=headers, method="POST")
            try:
                return urllib.request.urlopen(req, timeout=self.timeout_s)
            except urllib.error.HTTPError as e:
                body = _json_or_text(e.read())
                if e.code in (429, 504):
                    wait = _retry_after(e.headers.get("retry-after"))
                    if time.monotonic() + wait <= give_up:
                        time.sleep(wait)
                        continue
                    raise Overloaded(e.code, body, wait) from None
                raise VerdictError(e.code, body) from None

    def _post_json(self, path, payload):
        with self._request(path, payload) as r:
            return json.loads(r.read().decode("utf-8"))

    # -- API --------------------------------------------------------------
    def grade(self, benchmark, problem_id=None, completion="", problem=None, **options):
        """One verdict. `problem`: inline tests instead of a registered problem_id."""
        item = _item(benchmark, problem_id, completion, problem, options)
        if problem is not None:
            return self._post_json("/v1/grade/batch", {"items": [item], "format": "json"})["results"][0]
        return self._post_json("/v1/grade", item)

    def iter_batch(self, items, timeout_ms=None, options=None):
        """Yield (index, verdict) as each grade finishes (NDJSON stream)."""
        items = list(items)
        for start in range(0, len(items), MAX_BATCH):
            payload = {"items": items[start:start + MAX_BATCH], "format": "ndjson"}
            if timeout_ms:
                payload["timeout_ms"] = int(timeout_ms)
            if options:
                payload["options"] = options
            with self._request("/v1/grade/batch", payload) as r:
                for line in r:
                    if not line.strip():
                        continue
                    v = json.loads(line.decode("utf-8"))
                    if "index" not in v:
                        raise VerdictError(500, v)
                    v["index"] += start
                    yield v["index"], v

    def grade_batch(self, items, timeout_ms=None, options=None):
        """Verdicts for `items` (dicts with benchmark, problem_id or problem, completion, options), in order."""
        items = list(items)
        out = [None] * len(items)
        for i, v in self.iter_batch(items, timeout_ms, options):
            out[i] = v
        return out

    def rewards(self, items, timeout_ms=None):
        """1.0 / 0.0 per item, None where the service had an infra error (mask it)."""
        return [_reward(v) for v in self.grade_batch(items, timeout_ms)]


class AsyncClient:
    """asyncio wrapper: the HTTP calls run in worker threads (stdlib has no async HTTP client)."""

    def __init__(self, url=None, api_key=None, timeout_s=600.0, overload_wait_s=300.0):
        self.sync = Client(url, api_key, timeout_s, overload_wait_s)

    async def grade(self, benchmark, problem_id=None, completion="", problem=None, **options):
        return await asyncio.to_thread(self.sync.grade, benchmark, problem_id, completion, problem, **options)

    async def grade_batch(self, items, timeout_ms=None, options=None):
        return await asyncio.to_thread(self.sync.grade_batch, list(items), timeout_ms, options)

    async def rewards(self, items, timeout_ms=None):
        return [_reward(v) for v in await self.grade_batch(items, timeout_ms)]


def trl_reward_func(url=None, benchmark=None, api_key=None, timeout_ms=None, name="verdict_reward"):
    """An async reward function for TRL's GRPOTrainer (reward_funcs=[...]).

    TRL calls it with prompts, completions and the dataset columns as keyword
    lists; `benchmark` + `problem_id` (or `problem`, inline tests) come from the
    columns, `benchmark` also from this factory. Chat completions (lists of
    messages) are graded on the last message's content. Returns 1.0/0.0, or
    None where the service had an infra error (TRL ignores None).
    """
    client = AsyncClient(url, api_key)

    async def reward(prompts=None, completions=None, **columns):
        completions = completions or []
        items = []
        for i, comp in enumerate(completions):
            if isinstance(comp, list):  # conversational: [{"role", "content"}, ...]
                comp = comp[-1]["content"] if comp else ""
            item = {"completion": comp}
            b = _column(columns, "benchmark", i) or benchmark
            pid = _column(columns, "problem_id", i)
            prob = _column(columns, "problem", i)
            if isinstance(prob, str):
                prob = json.loads(prob)
            if prob is not None:
                item["problem"] = prob
            else:
                item["benchmark"] = b
                item["problem_id"] = pid
            items.append(item)
        return await client.rewards(items, timeout_ms)

    reward.__name__ = name
    return reward


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    """verl custom reward function (custom_reward_function.name=compute_score).

    ground_truth (the dataset's reward_model.ground_truth): a dict or JSON text
    with {"benchmark", "problem_id"} or {"problem": inline tests}; without a
    benchmark, data_source is used. URL from VERDICT_URL.
    """
    gt = json.loads(ground_truth) if isinstance(ground_truth, str) else dict(ground_truth or {})
    benchmark = gt.get("benchmark") or data_source
    v = _default_client().grade(
        benchmark, gt.get("problem_id"), solution_str, gt.get("problem"), **(gt.get("options") or {})
    )
    infra = v["status"] == "infra_error"
    return {
        "score": float(v["reward"]),
        "acc": v["status"] == "pass",
        "infra_error": infra,
        "reason": v.get("reason") or "",
    }


_client = None


def _default_client():
    global _client
    if _client is None:
        _client = Client()
    return _client


def _item(benchmark, problem_id, completion, problem, options):
    item = {"completion": completion}
    if problem is not None:
        item["problem"] = problem
    else:
        item["benchmark"] = benchmark
        item["problem_id"] = problem_id
    if options:
        item["options"] = options
    return item


def _reward(v):
    return None if v["status"] == "infra_error" else float(v["reward"])


def _column(columns, key, i):
    col = columns.get(key)
    if col is None:
        return None
    return col[i] if isinstance(col, (list, tuple)) else col


def _retry_after(h):
    try:
        return max(0.05, min(60.0, float(h)))
    except (TypeError, ValueError):
        return 1.0


def _json_or_text(raw):
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError:
        return {"message": raw.decode("utf-8", "replace")}
