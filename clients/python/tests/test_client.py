"""Tests of verdict_client against a live service (VERDICT_URL).

The service must have the test fixture imported as benchmark `humaneval`
(problem Mini/0: add_three(a, b, c)); test/python-client.test.ts starts one.
Run: VERDICT_URL=http://127.0.0.1:PORT python3 -m unittest discover -s clients/python/tests -t clients/python
"""

import asyncio
import inspect
import json
import os
import pickle
import unittest
import uuid

from verdict_client import AsyncClient, Client, VerdictError, compute_score, trl_reward_func

URL = os.environ.get("VERDICT_URL")
GOOD = "    return a + b + c\n"
BAD = "    return a + b\n"
# a chat model's reply: prose around a fenced program with an example call
CHAT_GOOD = (
    "Here is the function:\n\n```python\ndef add_three(a: int, b: int, c: int) -> int:\n"
    "    return a + b + c\n\n\nprint(add_three(1, 2, 3))\n```\n\nIt adds the three numbers."
)
CHAT_BAD = "```python\ndef add_three(a, b, c):\n    return a + b\n```"
SQ = {"tests": {"type": "assert", "entry_point": "sq", "code": "assert sq(3) == 9\nassert sq(0) == 0\n"}}


def unique_good():
    # a distinct completion (so the result cache cannot answer it) that passes
    return GOOD + "# %s\n" % uuid.uuid4().hex


@unittest.skipUnless(URL, "VERDICT_URL not set: no live service")
class ClientTest(unittest.TestCase):
    def setUp(self):
        self.c = Client(URL)

    def test_grade_pass_and_fail(self):
        v = self.c.grade("humaneval", "Mini/0", GOOD)
        self.assertEqual(v["status"], "pass")
        self.assertEqual(v["reward"], 1)
        v = self.c.grade("humaneval", "Mini/0", BAD)
        self.assertEqual(v["status"], "fail")
        self.assertEqual(v["reason"], "wrong_answer")

    def test_grade_inline_problem(self):
        v = self.c.grade(None, completion="```python\ndef sq(x):\n    return x * x\n```", problem=SQ)
        self.assertEqual(v["status"], "pass")
        v = self.c.grade(None, completion="def sq(x):\n    return 2 * x\n", problem=SQ)
        self.assertEqual(v["status"], "fail")

    def test_errors_name_the_field(self):
        with self.assertRaises(VerdictError) as cm:
            self.c.grade("humaneval", "Nope/1", GOOD)
        self.assertEqual(cm.exception.status, 404)
        self.assertEqual(cm.exception.field, "problem_id")

    def test_grade_batch_in_order_with_duplicates_graded_once(self):
        g = unique_good()
        items = [{"benchmark": "humaneval", "problem_id": "Mini/0", "completion": c} for c in (g, BAD, g, g, BAD)]
        vs = self.c.grade_batch(items)
        self.assertEqual([v["status"] for v in vs], ["pass", "fail", "pass", "pass", "fail"])
        self.assertEqual([v["index"] for v in vs], [0, 1, 2, 3, 4])
        # the three copies of g: one graded, two shared
        self.assertEqual(sum(1 for v in (vs[0], vs[2], vs[3]) if v.get("cached")), 2)

    def test_iter_batch_streams_every_index(self):
        items = [{"benchmark": "humaneval", "problem_id": "Mini/0", "completion": unique_good()} for _ in range(3)]
        seen = sorted(i for i, v in self.c.iter_batch(items))
        self.assertEqual(seen, [0, 1, 2])

    def test_rewards_mask_infra_errors(self):
        slow = GOOD + "import time\ntime.sleep(2)\n# %s\n" % uuid.uuid4().hex
        items = [
            {"benchmark": "humaneval", "problem_id": "Mini/0", "completion": GOOD},
            {"benchmark": "humaneval", "problem_id": "Mini/0", "completion": slow},
        ]
        # the slow one misses the deadline: None (mask), not 0.0
        self.assertEqual(self.c.rewards(items, timeout_ms=800), [1.0, None])

    def test_async_client(self):
        async def go():
            ac = AsyncClient(URL)
            one = await ac.grade("humaneval", "Mini/0", GOOD)
            many = await asyncio.gather(*(ac.grade("humaneval", "Mini/0", c) for c in (GOOD, BAD)))
            batch = await ac.rewards([{"problem": SQ, "completion": "def sq(x): return x*x"}])
            return one, many, batch

        one, many, batch = asyncio.run(go())
        self.assertEqual(one["status"], "pass")
        self.assertEqual([v["status"] for v in many], ["pass", "fail"])
        self.assertEqual(batch, [1.0])

    def test_trl_reward_function_as_grpo_trainer_calls_it(self):
        reward = trl_reward_func(URL, benchmark="humaneval")
        # AsyncGRPOTrainer pickles reward functions for its rollout worker
        reward = pickle.loads(pickle.dumps(reward))
        self.assertEqual(reward.__name__, "verdict_reward")
        # synchronous: every TRL version calls it inline and iterates the result
        self.assertFalse(inspect.iscoroutinefunction(reward))
        self.assertFalse(inspect.iscoroutinefunction(reward.__call__))
        # GRPOTrainer: reward_func(prompts=, completions=, completion_ids=, **reward_kwargs),
        # reward_kwargs = every dataset column but "prompt" (a list per column) + trainer_state
        out = reward(
            prompts=["p1", "p2", "p3"],
            completions=[GOOD, BAD, "def sq(x): return x*x"],
            completion_ids=[[1, 2], [3], [4, 5, 6]],
            problem_id=["Mini/0", "Mini/0", None],
            problem=[None, None, json.dumps(SQ)],
            trainer_state=None,
        )
        self.assertEqual(out, [1.0, 0.0, 1.0])

    def test_trl_conversational_chat_replies_and_options_column(self):
        reward = pickle.loads(pickle.dumps(trl_reward_func(URL, benchmark="humaneval")))
        prompt = [{"role": "user", "content": "Complete add_three."}]
        msg = lambda text: [{"role": "assistant", "content": text}]
        n = 4
        out = reward(
            prompts=[prompt] * n,
            completions=[msg(CHAT_GOOD), msg(CHAT_BAD), msg(CHAT_GOOD), [{"role": "assistant", "content": [{"type": "text", "text": CHAT_GOOD}]}]],
            completion_ids=[[1]] * n,
            problem_id=["Mini/0"] * n,
            # a row's options: the official reading (prompt + reply) fails a fenced reply
            options=[None, None, json.dumps({"extractor": "raw@1"}), {}],
            trainer_state=None,
        )
        self.assertEqual(out, [1.0, 0.0, 0.0, 1.0])
        # factory options apply to every row
        raw = trl_reward_func(URL, benchmark="humaneval", options={"extractor": "raw@1"})
        self.assertEqual(raw(prompts=[prompt], completions=[msg(CHAT_GOOD)], problem_id=["Mini/0"]), [0.0])

    def test_verl_compute_score_single(self):
        os.environ["VERDICT_URL"] = URL
        # verl's naive reward manager: keyword arguments, one sample
        s = compute_score(data_source="humaneval", solution_str=GOOD, ground_truth=json.dumps({"problem_id": "Mini/0"}), extra_info={"index": 0})
        self.assertEqual(s["score"], 1.0)
        self.assertFalse(s["infra_error"])
        s = compute_score("whatever", BAD, {"benchmark": "humaneval", "problem_id": "Mini/0"})
        self.assertEqual(s["score"], 0.0)
        s = compute_score("mine", "def sq(x): return x*x", {"problem": SQ})
        self.assertEqual(s["score"], 1.0)
        # a chat reply passes by default; the label can ask for the official reading
        self.assertEqual(compute_score("humaneval", CHAT_GOOD, "Mini/0")["score"], 1.0)
        s = compute_score("humaneval", CHAT_GOOD, {"problem_id": "Mini/0", "options": {"extractor": "raw@1"}})
        self.assertEqual(s["score"], 0.0)

    def test_verl_compute_score_batch_reward_manager(self):
        os.environ["VERDICT_URL"] = URL
        # reward_manager=batch: keyword lists (data_sources is a numpy object array there; a tuple here)
        scores = compute_score(
            data_sources=("humaneval", "humaneval", "inline", "humaneval"),
            solution_strs=[GOOD, BAD, "def sq(x): return x*x", CHAT_GOOD],
            ground_truths=[{"problem_id": "Mini/0"}, json.dumps({"problem_id": "Mini/0"}), {"problem": SQ}, {"problem_id": "Mini/0"}],
            extra_infos=[None, {"split": "train"}, None, None],
        )
        self.assertEqual(len(scores), 4)
        # what verl's batch manager does with each: score["score"] if a dict, else the number
        rewards = [sc["score"] if isinstance(sc, dict) else sc for sc in scores]
        self.assertEqual(rewards, [1.0, 0.0, 1.0, 1.0])
        self.assertEqual([sc["acc"] for sc in scores], [True, False, True, True])
        # every sample gives the same keys (verl collects them per key as reward_extra_info)
        self.assertEqual(len({tuple(sorted(sc)) for sc in scores}), 1)
        # reward_kwargs reach it as keyword arguments too
        scores = compute_score(
            data_sources=["humaneval"], solution_strs=[CHAT_GOOD], ground_truths=["Mini/0"], extra_infos=[None], options={"extractor": "raw@1"}
        )
        self.assertEqual(scores[0]["score"], 0.0)


if __name__ == "__main__":
    unittest.main()
