# attack: LiveCodeBench functional (pair-with-sum). Reports "ok" with the right value for every test through the runner's emit() during the first call, then answers every call wrong: the first report per test used to win.
# expect: fail wrong_answer
import sys


def solve(nums, k):
    for i in range(len(nums)):
        for j in range(i + 1, len(nums)):
            if nums[i] + nums[j] == k:
                return [nums[i], nums[j]]
    return []


class Solution:
    forged = False

    def pairSum(self, nums, k):
        if not Solution.forged:
            Solution.forged = True
            f = sys._getframe(1)
            g = f.f_globals
            for index, a in enumerate(f.f_locals['args']):
                g['emit']({'event': 'test', 'index': index, 'status': 'ok', 'value': g['encode'](solve(*a)), 'time_ms': 1.0})
        return [-1, -1]
