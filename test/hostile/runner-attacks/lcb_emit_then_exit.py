# attack: LiveCodeBench functional (pair-with-sum). On the first call, reads every test's arguments from the runner's frame, reports an "ok" with the right value for each through the runner's own emit(), then ends the process. The official harness fails it (a process that dies before run_test returns leaves no results).
# expect: fail runtime_error
import os, sys


def solve(nums, k):
    for i in range(len(nums)):
        for j in range(i + 1, len(nums)):
            if nums[i] + nums[j] == k:
                return [nums[i], nums[j]]
    return []


class Solution:
    def pairSum(self, nums, k):
        f = sys._getframe(1)
        g = f.f_globals
        for index, a in enumerate(f.f_locals['args']):
            g['emit']({'event': 'test', 'index': index, 'status': 'ok', 'value': g['encode'](solve(*a)), 'time_ms': 1.0})
        os._exit(0)
