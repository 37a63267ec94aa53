# EvalPlus' comparison of an output with the reference, special oracles and
# MBPP+ per-task input types included, as upstream (evalplus @26d6d00) has
# them: verdicts depend on every quirk.
# bundle: requires codec, failures

import math


# EvalPlus special oracles (evalplus/eval/_special_oracle.py @26d6d00)
MBPP_OUTPUT_NOT_NONE_TASKS = ("check_str", "text_match_three", "text_starta_endb")
MBPP_OUTPUT_SET_EQ_TASKS = (
    "similar_elements",
    "find_char_long",
    "common_in_nested_lists",
    "extract_singly",
    "larg_nnum",
    "intersection_array",
    "find_dissimilar",
    "Diff",
)


# ---------------------------------------------------------------------------
# Mode: evalplus / evalplus-expected
# ---------------------------------------------------------------------------
def _tuples(x):
    return tuple(_tuples(i) for i in x) if isinstance(x, list) else x


def mbpp_deserialize_inputs(task_id, inputs):
    """Per-task input types of MBPP+ (evalplus/data/mbpp.py @26d6d00)."""
    try:
        n = int(str(task_id).rsplit("/", 1)[-1])
    except ValueError:
        return inputs
    each_arg_tuple = {2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560,
                      579, 596, 616, 630, 726, 740, 744, 809}
    each_arg_tuple_list = {63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780}
    first_tuple_list_plus_second = {75, 413, 444, 753}
    first_tuple_plus_second = {250, 405, 446, 617, 720, 763, 808}
    nested_tuples = {259, 401, 445}
    out = []
    for inp in inputs:
        if n in each_arg_tuple:
            new = [tuple(a) for a in inp]
        elif n in each_arg_tuple_list:
            new = [[tuple(a) for a in arg] for arg in inp]
        elif n in first_tuple_list_plus_second:
            new = [[tuple(a) for a in inp[0]], inp[1]]
        elif n in (106, 750):
            new = [inp[0], tuple(inp[1])]
        elif n == 115:
            # upstream quirk: an empty list becomes {} (a dict), not set()
            new = [[set(it) if isinstance(it, list) and len(it) else {} for it in inp[0]]]
        elif n == 124:
            new = (float(inp[0]), complex(inp[1]))
        elif n in first_tuple_plus_second:
            new = [tuple(inp[0]), inp[1]]
        elif n in nested_tuples:
            new = [tuple(tuple(a) for a in arg) for arg in inp]
        elif n == 278:
            new = [tuple(tuple(it) if isinstance(it, list) else it for it in inp[0])]
        elif n == 307:
            new = [tuple(inp[0]), inp[1], inp[2]]
        elif n == 722:
            new = [{k: tuple(v) for k, v in inp[0].items()}] + list(inp[1:])
        elif n == 252:
            new = [complex(inp[0])]
        elif n in (580, 615, 791):
            new = _tuples(inp)
        else:
            new = inp
        out.append(new)
    return out


def _is_floats(x):
    if isinstance(x, float):
        return True
    if isinstance(x, (list, tuple)) and x:
        return all(isinstance(i, float) for i in x)
    np = _numpy()
    if np is not None and isinstance(x, np.ndarray):
        return x.dtype == np.float64 or x.dtype == np.float32
    return False


def _poly_ref(xs, x):
    # same formula and summation order as evalplus' _poly
    return sum([c * math.pow(x, i) for i, c in enumerate(xs)])


def _surface_area_ref(base_edge, height):
    slant = math.sqrt((base_edge / 2) ** 2 + height**2)
    total = base_edge**2 + 4 * (base_edge * slant) / 2
    return round(total)


def _digit_distance_ref(a, b):
    sa, sb = str(a), str(b)
    w = max(len(sa), len(sb))
    sa, sb = sa.zfill(w), sb.zfill(w)
    return sum(abs(int(p) - int(q)) for p, q in zip(sa, sb))


def evalplus_check(dataset, entry, inp, out, exp, state):
    """Mirror of the comparison in evalplus unsafe_execute; raises on mismatch.

    state["atol"] persists across the inputs of one group (upstream quirk)."""
    atol = state["atol"]
    exact = out == exp
    if dataset == "mbpp":
        if entry == "are_equivalent":
            exact = exact or True
        elif entry == "sum_div":
            exact = exact or out == 0
        elif entry == "surface_Area":
            exact = exact or abs(out - _surface_area_ref(*inp)) <= atol
        elif entry == "digit_distance_nums":
            exact = exact or out == _digit_distance_ref(*inp)
        elif entry in MBPP_OUTPUT_SET_EQ_TASKS:
            if isinstance(out, (list, tuple)):
                check_hashes(out)  # set() of hash-flooding values is quadratic
            exact = set(out) == set(exp)
        elif entry in MBPP_OUTPUT_NOT_NONE_TASKS:
            if isinstance(out, bool):
                exact = out == exp
            else:
                exact = exp == (out is not None)
    if dataset == "humaneval" and entry == "find_zero":
        assert abs(_poly_ref(*inp, out)) <= atol
        return
    if atol == 0 and _is_floats(exp):
        atol = 1e-6
        state["atol"] = atol
    if not exact and atol != 0:
        np = _numpy()
        if np is None:
            raise HarnessError("numpy is required for tolerance comparisons")
        assert type(out) == type(exp)
        if isinstance(exp, (list, tuple)):
            assert len(out) == len(exp)
        assert np.allclose(out, exp, rtol=1e-07, atol=atol)
    else:
        assert exact
