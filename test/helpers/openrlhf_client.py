"""What OpenRLHF's remote reward client does with /get_reward, from its public
behaviour (no code of theirs): POST {query, prompts, labels} (json=...,
timeout 180 s), five tries one second apart on any error (Retry-After
ignored), then raise; the answer's "rewards" become torch.tensor(rewards), and
GRPO / RLOO / REINFORCE-baseline shaping takes .mean() and .std() per group.

torch is not needed to know what it would do: torch.tensor of a list of Python
ints is int64, and .std() on it raises "std and var only support floating
point"; one float in the list makes it float32. This script applies that rule.

usage: python3 openrlhf_client.py URL REQUEST.json GROUP_SIZE
prints {"rewards": [...], "dtype": "float32"|"int64", "shaped": [...], "tries": n}
or exits 1 with the error the trainer would raise.
"""
import json
import sys
import time
import urllib.error
import urllib.request


def request_api(url, data, tries=5):
    last = None
    ERRORS.clear()
    for attempt in range(tries):
        try:
            req = urllib.request.Request(url, data=json.dumps(data).encode(), headers={"Content-Type": "application/json"}, method="POST")
            with urllib.request.urlopen(req, timeout=180) as r:
                body = json.loads(r.read().decode())
            assert "rewards" in body, "rewards not in %r" % body
            return body, attempt + 1
        except Exception as e:  # HTTP errors included: all retried alike
            last = e
            ERRORS.append(repr(e))
        time.sleep(1)
    raise RuntimeError("Request error for %d times: %s" % (tries, last))


ERRORS = []


def tensor_dtype(values):
    return "float32" if any(isinstance(v, float) for v in values) else "int64"


def grpo_shape(values, n):
    if tensor_dtype(values) != "float32":
        raise TypeError("std(): std and var only support floating point and complex dtypes")
    out = []
    for g in range(0, len(values), n):
        grp = values[g:g + n]
        mean = sum(grp) / len(grp)
        std = (sum((x - mean) ** 2 for x in grp) / max(1, len(grp) - 1)) ** 0.5  # torch's unbiased std
        out.extend((x - mean) / (std + 1e-9) for x in grp)
    return out


def main():
    url, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(path) as f:
        data = json.load(f)
    body, tries = request_api(url, data)
    rewards = body["rewards"]
    try:
        shaped = grpo_shape(rewards, n)
    except TypeError as e:
        print(json.dumps({"rewards": rewards, "dtype": tensor_dtype(rewards), "error": str(e), "tries": tries}))
        sys.exit(1)
    print(json.dumps({"rewards": rewards, "dtype": tensor_dtype(rewards), "shaped": shaped, "tries": tries, "errors": ERRORS, "infra_error": body.get("extra_logs", {}).get("infra_error")}))


if __name__ == "__main__":
    main()
