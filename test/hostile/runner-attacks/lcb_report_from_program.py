# attack: LiveCodeBench functional (pair-with-sum). Calls the runner's own _report() (the witness's doorbell) with a right "ok" line for every test, from the program's frame and from a nested call of the runner's run_functional(), then ends the process.
# expect: fail runtime_error
import builtins, os, sys


def solve(nums, k):
    for i in range(len(nums)):
        for j in range(i + 1, len(nums)):
            if nums[i] + nums[j] == k:
                return [nums[i], nums[j]]
    return []


class Solution:
    def pairSum(self, nums, k):
        if getattr(builtins, '_nested', False):
            return solve(nums, k)
        f = sys._getframe(1)
        g = f.f_globals
        spec = f.f_back.f_locals['spec']
        for index, a in enumerate(f.f_locals['args']):
            line = g['_line']({'event': 'test', 'index': index, 'status': 'ok', 'value': g['encode'](solve(*a)), 'time_ms': 1.0})
            for call in (lambda: g['_report'](line), lambda: (lambda line: g['_report'](line))(line)):
                try:
                    call()
                except Exception:
                    pass
        # the runner's own loop, one level down: its reports come from a run_functional frame
        builtins._nested = True
        try:
            g['run_functional'](spec)
            g['_report'](g['_line']({'event': 'done'}))
        except Exception:
            pass
        os._exit(0)
