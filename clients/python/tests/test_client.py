"""Tests of verdict_client against a live service (VERDICT_URL).

The service must have the test fixture imported as benchmark `humaneval`
(problem Mini/0: add_three(a, b, c)); test/python-client.test.ts starts one.
Run: VERDICT_URL=http://127.0.0.1:PORT python3 -m unittest discover -s clients/python/tests -t clients/python
"""

import asyncio
import json
import os
import unittest
import uuid

from verdict_client import AsyncClient, Client, VerdictError, compute_score, trl_reward_func

URL = os.environ.get("VERDICT_URL")
GOOD = "    return a + b + c\n"
BAD = "    return a + b\n"
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

    def test_trl_reward_function(self):
        reward = trl_reward_func(URL, benchmark="humaneval")
        self.assertTrue(asyncio.iscoroutinefunction(reward))
        out = asyncio.run(
            reward(
                prompts=["p1", "p2", "p3"],
                completions=[GOOD, [{"role": "assistant", "content": BAD}], "def sq(x): return x*x"],
                problem_id=["Mini/0", "Mini/0", None],
                problem=[None, None, json.dumps(SQ)],
                trainer_state=None,
            )
        )
        self.assertEqual(out, [1.0, 0.0, 1.0])

    def test_verl_compute_score(self):
        os.environ["VERDICT_URL"] = URL
        s = compute_score("humaneval", GOOD, json.dumps({"problem_id": "Mini/0"}))
        self.assertEqual(s["score"], 1.0)
        self.assertFalse(s["infra_error"])
        s = compute_score("whatever", BAD, {"benchmark": "humaneval", "problem_id": "Mini/0"})
        self.assertEqual(s["score"], 0.0)
        s = compute_score("mine", "def sq(x): return x*x", {"problem": SQ})
        self.assertEqual(s["score"], 1.0)


if __name__ == "__main__":
    unittest.main()
