"""verdict client: rewards for RL trainers from a verdict service (standard library only).

    from verdict_client import Client
    c = Client("http://127.0.0.1:8080")
    v = c.grade("humaneval", "HumanEval/0", completion)          # one verdict (dict)
    vs = c.grade_batch([{"benchmark": "humaneval", "problem_id": "HumanEval/0", "completion": s} ...])

    # TRL GRPOTrainer / AsyncGRPOTrainer: reward_funcs=[trl_reward_func(url)] (a picklable
    # callable); dataset columns `benchmark` + `problem_id` (or `problem` with inline tests)
    # name the problem, an `options` column carries grading options.
    # verl: custom_reward_function.path = this file, name = compute_score (VERDICT_URL env);
    # works with the naive (one sample) and batch reward managers.

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
    "VerdictReward",
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


class VerdictReward:
    """A TRL reward function (GRPOTrainer, AsyncGRPOTrainer): a picklable callable.

    TRL calls it as ``reward(prompts=..., completions=..., completion_ids=...,
    trainer_state=..., **columns)`` with every dataset column as a list.
    ``benchmark`` + ``problem_id`` (or ``problem``: inline tests, dict or JSON
    text) name each row's problem; an ``options`` column (dict or JSON text)
    carries grading options for that row (e.g. ``{"extractor": "raw@1"}``)
    over the ones given here. Conversational completions (lists of messages)
    are graded on the last message's content. Returns 1.0/0.0 per completion,
    or None where the service had an infra error (TRL ignores None).

    It holds only plain configuration, so it pickles (AsyncGRPOTrainer sends
    reward functions to its rollout worker), and ``__call__`` is synchronous,
    so every TRL version calls it correctly.
    """

    def __init__(self, url=None, benchmark=None, api_key=None, timeout_ms=None, options=None, name="verdict_reward"):
        self.url = url
        self.benchmark = benchmark
        self.api_key = api_key
        self.timeout_ms = timeout_ms
        self.options = dict(options or {})
        self.__name__ = name

    def items(self, completions, columns):
        """The grade items for one call (what is sent to /v1/grade/batch)."""
        items = []
        for i, comp in enumerate(completions or []):
            item = {"completion": _text(comp)}
            prob = _json_value(_column(columns, "problem", i))
            if prob is not None:
                item["problem"] = prob
            else:
                item["benchmark"] = _column(columns, "benchmark", i) or self.benchmark
                item["problem_id"] = _column(columns, "problem_id", i)
            options = dict(self.options)
            options.update(_json_value(_column(columns, "options", i)) or {})
            if options:
                item["options"] = options
            items.append(item)
        return items

    def __call__(self, prompts=None, completions=None, **columns):
        items = self.items(completions, columns)
        if not items:
            return []
        return Client(self.url, self.api_key).rewards(items, self.timeout_ms)

    def __repr__(self):
        return "VerdictReward(url=%r, benchmark=%r, options=%r)" % (self.url, self.benchmark, self.options)


def trl_reward_func(url=None, benchmark=None, api_key=None, timeout_ms=None, name="verdict_reward", options=None):
    """A reward function for TRL's GRPOTrainer / AsyncGRPOTrainer (``reward_funcs=[...]``): see VerdictReward."""
    return VerdictReward(url, benchmark, api_key, timeout_ms, options, name)


def compute_score(
    data_source=None,
    solution_str=None,
    ground_truth=None,
    extra_info=None,
    data_sources=None,
    solution_strs=None,
    ground_truths=None,
    extra_infos=None,
    options=None,
    **kwargs
):
    """verl custom reward function (custom_reward_function.name=compute_score).

    One sample, as verl's naive / prime reward managers call it:
    ``compute_score(data_source, solution_str, ground_truth, extra_info)`` ->
    ``{"score", "acc", "infra_error", "reason"}``. A batch, as
    ``reward_model.reward_manager=batch`` calls it:
    ``compute_score(data_sources=, solution_strs=, ground_truths=, extra_infos=)``
    (lists or arrays) -> one such dict per sample, graded in one request.

    ground_truth (the dataset's reward_model.ground_truth): a dict or JSON text
    with {"benchmark", "problem_id"} or {"problem": inline tests}, optionally
    "options" (e.g. {"extractor": "raw@1"}); plain text is a problem_id. Without
    a benchmark, data_source is used. ``options`` (verl's reward_kwargs) are
    defaults for every sample. URL from VERDICT_URL, key from VERDICT_API_KEY.
    """
    if solution_strs is not None:
        n = len(solution_strs)
        sources = list(data_sources) if data_sources is not None else [None] * n
        truths = list(ground_truths) if ground_truths is not None else [None] * n
        if len(sources) != n or len(truths) != n:
            raise ValueError("data_sources, solution_strs and ground_truths differ in length")
        items = [_verl_item(sources[i], solution_strs[i], truths[i], options) for i in range(n)]
        return [_verl_score(v) for v in _default_client().grade_batch(items)]
    item = _verl_item(data_source, solution_str, ground_truth, options)
    return _verl_score(_default_client().grade_batch([item])[0])


def _verl_item(data_source, solution_str, ground_truth, defaults):
    gt = ground_truth
    if isinstance(gt, str):
        try:
            parsed = json.loads(gt)
        except ValueError:
            parsed = None
        gt = parsed if isinstance(parsed, dict) else {"problem_id": gt}
    gt = dict(gt or {})
    item = {"completion": solution_str or ""}
    if gt.get("problem") is not None:
        item["problem"] = _json_value(gt["problem"])
    else:
        item["benchmark"] = gt.get("benchmark") or (str(data_source) if data_source is not None else None)
        item["problem_id"] = gt.get("problem_id")
    opts = dict(defaults or {})
    opts.update(_json_value(gt.get("options")) or {})
    if opts:
        item["options"] = opts
    return item


def _verl_score(v):
    return {
        "score": float(v["reward"]),
        "acc": v["status"] == "pass",
        "infra_error": v["status"] == "infra_error",
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


def _text(completion):
    """A completion's text: a string, or the last message of a conversation (content as text or parts)."""
    if isinstance(completion, list):
        if not completion:
            return ""
        last = completion[-1]
        completion = last.get("content", "") if isinstance(last, dict) else last
    if isinstance(completion, list):  # content parts: [{"type": "text", "text": ...}]
        return "".join(p.get("text", "") for p in completion if isinstance(p, dict))
    return completion if isinstance(completion, str) else str(completion)


def _json_value(v):
    return json.loads(v) if isinstance(v, str) else v


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
