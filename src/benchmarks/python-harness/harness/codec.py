# The tagged JSON codec: how a value crosses between the judge and the
# candidate (and into what the service stores) as plain data, never pickle or
# eval, so the judge never runs an object of the candidate's. Shared by both
# processes; also the hash-flooding guard on what it decodes and the repr
# digest of outputs too large to ship.

import array
import base64
import decimal
import fractions
import sys


# Limits
_MAX_DEPTH = 2000  # codec nesting limit (both sides)
_CODEC_RECURSION = 12000  # recursion limit while (de)serialising
_MAX_ITER_ITEMS = 1_000_000  # bound when materialising returned iterators
_DIGEST_ALG = "sha256-repr"
_INT_SAFE = 2**53  # larger ints are tagged so JavaScript JSON.parse cannot round them


class Unencodable(Exception):
    pass


class OpaqueArgument(Unencodable):
    """The test passed back a candidate value that has no data form (an
    Opaque): the candidate's doing, so its failure, not ours."""


class Opaque:
    """Stand-in for a candidate object that has no plain-data form.

    Equal only to itself, so an object with a rigged __eq__ compares unequal
    to every expected value; truthiness is what the candidate reported."""

    __slots__ = ("type_name", "truthy")

    def __init__(self, type_name, truthy):
        self.type_name = type_name
        self.truthy = truthy

    def __bool__(self):
        return self.truthy

    def __repr__(self):
        return "<opaque %s>" % self.type_name


class Ref:
    """Judge-side handle to an object that lives in the candidate (a tree
    node, an instance of a class the candidate defined).  Like Opaque it is
    equal only to itself; passed back as an argument, the candidate gets its
    own object again."""

    __slots__ = ("rid", "type_name", "truthy")

    def __init__(self, rid, type_name, truthy):
        self.rid = rid
        self.type_name = type_name
        self.truthy = truthy

    def __bool__(self):
        return self.truthy

    def __repr__(self):
        return "<%s object>" % self.type_name


_BUILTIN_TYPES = {t.__name__: t for t in (
    int, float, complex, str, bytes, bytearray, bool, list, tuple, dict, set, frozenset,
    object, type, range, slice)}

# Candidate side: objects handed to the judge as refs (None: refs disabled).
# Judge side: rid -> Ref, so one object keeps one identity.
_CAND_REFS = None
_JUDGE_REFS = {}
_MAX_REFS = 100_000


class _raised_recursion:
    """Temporarily allow deep (bounded by _MAX_DEPTH) structures."""

    def __enter__(self):
        self.old = sys.getrecursionlimit()
        if self.old < _CODEC_RECURSION:
            sys.setrecursionlimit(_CODEC_RECURSION)

    def __exit__(self, *exc):
        sys.setrecursionlimit(self.old)
        return False


_DICT_KEYS_T = type({}.keys())
_DICT_VALUES_T = type({}.values())
_DICT_ITEMS_T = type({}.items())
_NONE_T = type(None)
# element types a JSON array can carry verbatim (after the int range check)
_PLAIN_WIRE = frozenset((int, float, str, bool, _NONE_T))
_PLAIN_PORTABLE = frozenset((int, str, bool, _NONE_T))
_NP_KINDS = "biufcUS"


def _float_str(f):
    return float.__repr__(f)


def _enc_int(i):
    if -_INT_SAFE <= i <= _INT_SAFE:
        return i
    # hex is exempt from the int<->str digit limit and is exact
    return {"t": "int", "v": hex(i)}


def _ints_safe(items, only_ints):
    if only_ints:
        return -_INT_SAFE <= min(items) and max(items) <= _INT_SAFE
    for v in items:
        if type(v) is int and not -_INT_SAFE <= v <= _INT_SAFE:
            return False
    return True


def _type_name(t):
    try:
        mod = type.__getattribute__(t, "__module__")
        name = type.__getattribute__(t, "__qualname__")
        if not isinstance(mod, str) or not isinstance(name, str):
            raise TypeError
        return name if mod == "builtins" else mod + "." + name
    except Exception:
        return "?"


def _is_iterator_type(t):
    try:
        return callable(getattr(t, "__next__", None)) and callable(getattr(t, "__iter__", None))
    except Exception:
        return False


class _Encoder:
    """Value -> JSON-able tree.

    portable=False ("wire", judge <-> candidate, Python on both ends): floats
    are plain JSON numbers; Python's json round-trips them exactly, NaN/inf
    included.  portable=True (anything the service stores, e.g. expected
    outputs): floats are tagged/packed so a JavaScript JSON.parse +
    JSON.stringify round trip cannot turn 2.0 into 2 or lose -0.0/NaN."""

    def __init__(self, opaque_ok, portable):
        self.opaque_ok = opaque_ok
        self.portable = portable
        self.plain = _PLAIN_PORTABLE if portable else _PLAIN_WIRE
        np = sys.modules.get("numpy")
        try:
            self.np_types = (np.ndarray, np.generic) if np is not None else None
        except Exception:
            self.np_types = None
        dec = sys.modules.get("decimal")
        self.dec_t = getattr(dec, "Decimal", None) if dec is not None else None
        frac = sys.modules.get("fractions")
        self.frac_t = getattr(frac, "Fraction", None) if frac is not None else None

    def seq(self, items, depth):
        """items: an exact list/tuple already detached from any subclass."""
        types = set(map(type, items))
        if types <= self.plain and (int not in types or _ints_safe(items, len(types) == 1)):
            return items if type(items) is list else list(items)  # C-speed path
        if self.portable and types <= {int, float} and items and _ints_safe(items, False):
            packed = array.array("d", items)
            if sys.byteorder != "little":
                packed.byteswap()
            out = {"t": "f64", "v": base64.b64encode(packed.tobytes()).decode("ascii")}
            if int in types:
                out["ints"] = [i for i, v in enumerate(items) if type(v) is int]
            return out
        d = depth + 1
        return [self.enc(i, d) for i in items]

    def enc(self, x, depth):
        if depth > _MAX_DEPTH:
            raise Unencodable("value nested deeper than %d levels" % _MAX_DEPTH)
        t = type(x)
        if x is None or t is bool or t is str:
            return x
        if t is int:
            return _enc_int(x)
        if t is float and not self.portable:
            return x
        if t is list:
            return self.seq(x, depth)
        if t is Ref:
            return {"t": "ref", "v": x.rid}
        if t is Opaque:
            raise OpaqueArgument("a value of the program without a data form")
        if t is type and _BUILTIN_TYPES.get(x.__name__) is x:
            return {"t": "type", "v": x.__name__}  # remove_datatype(xs, int)
        d = depth + 1
        if self.np_types is not None:
            if issubclass(t, self.np_types[0]):
                dt = x.dtype
                if dt.kind not in _NP_KINDS:
                    return self.opaque(x, t)
                return {"t": "ndarray", "dtype": dt.str, "shape": [int(s) for s in x.shape],
                        "v": self.enc(x.tolist(), d)}
            if issubclass(t, self.np_types[1]):
                dt = x.dtype
                if dt.kind not in _NP_KINDS:
                    return self.opaque(x, t)
                return {"t": "npscalar", "dtype": dt.str, "v": self.enc(x.item(), d)}
        # Subclasses are reduced through the BASE type's slots so that
        # overridden __eq__/__iter__/__str__ never reach the judge.
        if issubclass(t, int):
            return _enc_int(int.__int__(x))
        if issubclass(t, float):
            f = float.__float__(x)
            return {"t": "float", "v": _float_str(f)} if self.portable else f
        if issubclass(t, str):
            return str.__str__(x)
        if issubclass(t, complex):
            return {"t": "complex",
                    "v": [_float_str(complex.real.__get__(x)), _float_str(complex.imag.__get__(x))]}
        if issubclass(t, bytes):
            return {"t": "bytes", "v": base64.b64encode(bytes.__getitem__(x, slice(None))).decode("ascii")}
        if issubclass(t, bytearray):
            return {"t": "bytearray", "v": base64.b64encode(bytes(bytearray.copy(x))).decode("ascii")}
        if issubclass(t, list):
            return self.seq(list.copy(x), depth)
        if issubclass(t, tuple):
            return {"t": "tuple", "v": self.seq(tuple.__getitem__(x, slice(None)), depth)}
        if issubclass(t, dict):
            return {"t": "dict", "v": [[self.enc(k, d), self.enc(v, d)] for k, v in dict.items(dict.copy(x))]}
        if issubclass(t, frozenset):
            return {"t": "frozenset", "v": self.seq(list(frozenset.copy(x)), depth)}
        if issubclass(t, set):
            return {"t": "set", "v": self.seq(list(set.copy(x)), depth)}
        if t is range:
            return {"t": "range", "v": [_enc_int(x.start), _enc_int(x.stop), _enc_int(x.step)]}
        if t is _DICT_KEYS_T:
            return {"t": "dict_keys", "v": self.seq(list(x), depth)}
        if t is _DICT_VALUES_T:
            return {"t": "dict_values", "v": self.seq(list(x), depth)}
        if t is _DICT_ITEMS_T:
            return {"t": "dict_items", "v": [[self.enc(k, d), self.enc(v, d)] for k, v in x]}
        if self.dec_t is not None and issubclass(t, self.dec_t):
            return {"t": "decimal", "v": self.dec_t.__str__(x)}
        if self.frac_t is not None and issubclass(t, self.frac_t):
            return {"t": "fraction",
                    "v": [_enc_int(int.__int__(self.frac_t.numerator.__get__(x))),
                          _enc_int(int.__int__(self.frac_t.denominator.__get__(x)))]}
        if _is_iterator_type(t):
            # generators/map/filter/zip/...: materialise (bounded); the judge
            # turns the list back into an iterator, so `gen == list` stays False.
            items = []
            for item in x:
                if len(items) >= _MAX_ITER_ITEMS:
                    break
                items.append(item)
            return {"t": "iter", "v": self.seq(items, depth)}
        return self.opaque(x, t)

    def opaque(self, x, t):
        if not self.opaque_ok:
            raise Unencodable("unserializable value of type %s" % _type_name(t))
        try:
            truthy = bool(x)
        except Exception:
            truthy = True
        refs = _CAND_REFS
        if refs is not None and not self.portable and len(refs) < _MAX_REFS:
            refs.append(x)
            return {"t": "ref", "v": len(refs) - 1, "type": _type_name(t), "truthy": truthy is True}
        return {"t": "opaque", "type": _type_name(t), "truthy": truthy is True}


def encode_value(x, opaque_ok=True, portable=False):
    with _raised_recursion():
        return _Encoder(opaque_ok, portable).enc(x, 0)


class DecodeError(Exception):
    pass


# Hash flooding: distinct values with one hash (ints k*(2**61-1)+c, tuples
# solved for xxHash, fractions, decimals) make building a set or dict of n of
# them cost n**2 in C, where no alarm can stop it.  Str/bytes hashes are
# salted per process and cannot be aimed at the judge's.
_HASH_SAME_MAX = 16  # distinct values allowed to share one hash
_HASH_GUARD_DEPTH = 6  # lists/tuples this shallow are checked too (a test may set() them)
_SMALL_INT = 2**61 - 2  # ints this small hash to themselves
_HASH_SALTED = frozenset((str, bytes, bool, _NONE_T, float))
_MISSING = object()


_HASH_GUARD = [True]  # off while decoding trusted values (expected outputs)


def check_hashes(items):
    """Raise DecodeError if more than _HASH_SAME_MAX distinct items of
    `items` share one hash.  Linear: each item meets at most that many."""
    if not _HASH_GUARD[0]:
        return
    first = {}
    more = {}
    for x in items:
        t = type(x)
        if t in _HASH_SALTED or (t is int and -_SMALL_INT <= x <= _SMALL_INT):
            continue  # floats: at most ~35 distinct values share a hash
        try:
            h = hash(x)
        except TypeError:
            continue  # unhashable: a set of it fails anyway
        f = first.get(h, _MISSING)
        if f is _MISSING:
            first[h] = x
            continue
        if f is x or f == x:
            continue
        seen = more.setdefault(h, [])
        for y in seen:
            if y is x or y == x:
                break
        else:
            seen.append(x)
            if len(seen) >= _HASH_SAME_MAX:
                raise DecodeError("too many distinct values share one hash")


def _plain_hash_safe(v, types):
    if types <= _HASH_SALTED:
        return True
    if types == {int}:
        return -_SMALL_INT <= min(v) and max(v) <= _SMALL_INT
    return False


def _dec_list(v, depth, np_ok):
    types = set(map(type, v))
    if dict not in types and list not in types:
        # fresh from json.loads: already plain values
        if depth <= _HASH_GUARD_DEPTH and not _plain_hash_safe(v, types):
            check_hashes(v)
        return v
    d = depth + 1
    out = [_dec(i, d, np_ok) for i in v]
    if depth <= _HASH_GUARD_DEPTH:
        check_hashes(out)
    return out


def _dec(v, depth, np_ok):
    if depth > _MAX_DEPTH:
        raise DecodeError("nested too deeply")
    t = type(v)
    if v is None or t is bool or t is str or t is int or t is float:
        return v
    if t is list:
        return _dec_list(v, depth, np_ok)
    if t is not dict:
        raise DecodeError("bad codec node %s" % t.__name__)
    d = depth + 1
    tag = v.get("t")
    val = v.get("v")
    if tag == "float":
        if type(val) is not str:
            raise DecodeError("bad float")
        return float(val)
    if tag == "int":
        if type(val) is not str:
            raise DecodeError("bad int")
        return int(val, 16)
    if tag == "f64":
        if type(val) is not str:
            raise DecodeError("bad f64")
        packed = array.array("d")
        packed.frombytes(base64.b64decode(val.encode("ascii"), validate=True))
        if sys.byteorder != "little":
            packed.byteswap()
        out = packed.tolist()
        ints = v.get("ints", [])
        if type(ints) is not list:
            raise DecodeError("bad f64")
        for i in ints:
            out[i] = int(out[i])
        return out
    if tag in ("tuple", "set", "frozenset", "iter", "dict_keys", "dict_values"):
        if type(val) is not list and not (type(val) is dict and val.get("t") == "f64"):
            raise DecodeError("bad %s" % tag)
        items = _dec(val, depth, np_ok)
        if tag not in ("tuple", "iter") and depth > _HASH_GUARD_DEPTH:
            check_hashes(items)  # shallow ones were checked as lists
        if tag == "tuple":
            return tuple(items)
        if tag == "set":
            return set(items)
        if tag == "frozenset":
            return frozenset(items)
        if tag == "iter":
            return iter(items)
        if tag == "dict_keys":
            return dict.fromkeys(items).keys()
        return dict(enumerate(items)).values()
    if tag in ("dict", "dict_items"):
        if type(val) is not list:
            raise DecodeError("bad dict")
        for pair in val:
            if type(pair) is not list or len(pair) != 2:
                raise DecodeError("bad dict pair")
        keys = [_dec(pair[0], d, np_ok) for pair in val]
        check_hashes(keys)
        out = dict(zip(keys, [_dec(pair[1], d, np_ok) for pair in val]))
        return out if tag == "dict" else out.items()
    if tag == "complex":
        if type(val) is not list or len(val) != 2 or not all(type(p) is str for p in val):
            raise DecodeError("bad complex")
        return complex(float(val[0]), float(val[1]))
    if tag in ("bytes", "bytearray"):
        if type(val) is not str:
            raise DecodeError("bad bytes")
        b = base64.b64decode(val.encode("ascii"), validate=True)
        return b if tag == "bytes" else bytearray(b)
    if tag == "range":
        if type(val) is not list or len(val) != 3:
            raise DecodeError("bad range")
        parts = [_dec(p, d, np_ok) for p in val]
        if not all(type(p) is int for p in parts):
            raise DecodeError("bad range")
        return range(*parts)
    if tag == "decimal":
        if type(val) is not str:
            raise DecodeError("bad decimal")
        return decimal.Decimal(val)
    if tag == "fraction":
        if type(val) is not list or len(val) != 2:
            raise DecodeError("bad fraction")
        n, m = (_dec(p, d, np_ok) for p in val)
        if type(n) is not int or type(m) is not int or m <= 0:
            raise DecodeError("bad fraction")
        # no gcd: normalising two huge ints costs quadratic time; a fraction
        # the candidate did not reduce just compares unequal
        f = object.__new__(fractions.Fraction)
        f._numerator = n
        f._denominator = m
        return f
    if tag == "opaque":
        name = v.get("type")
        return Opaque(name[:200] if type(name) is str else "?", v.get("truthy") is True)
    if tag == "type":
        t = _BUILTIN_TYPES.get(val) if type(val) is str else None
        if t is None:
            raise DecodeError("bad type")
        return t
    if tag == "ref":
        if type(val) is not int or val < 0:
            raise DecodeError("bad ref")
        refs = _CAND_REFS
        if refs is not None:  # candidate: the judge hands back one of our objects
            if val >= len(refs):
                raise DecodeError("unknown ref")
            return refs[val]
        r = _JUDGE_REFS.get(val)
        if r is None:
            if len(_JUDGE_REFS) >= _MAX_REFS:
                raise DecodeError("too many refs")
            name = v.get("type")
            r = Ref(val, name[:200] if type(name) is str else "?", v.get("truthy") is True)
            _JUDGE_REFS[val] = r
        return r
    if tag in ("ndarray", "npscalar"):
        dtype = v.get("dtype")
        if type(dtype) is not str or len(dtype) > 16:
            raise DecodeError("bad dtype")
        inner = _dec(val, d, np_ok)
        np = _numpy() if np_ok else None
        if np is None:
            return inner  # no numpy here: fall back to the plain value
        try:
            dt = np.dtype(dtype)
        except Exception:
            raise DecodeError("bad dtype")
        if dt.kind not in _NP_KINDS or dt.itemsize > _NP_ITEM_MAX:
            raise DecodeError("bad dtype")
        if tag == "npscalar":
            return dt.type(inner)
        shape = v.get("shape")
        if type(shape) is not list or len(shape) > 64 or not all(type(s) is int and s >= 0 for s in shape):
            raise DecodeError("bad shape")
        if _np_flat_len(inner) * dt.itemsize > _NP_BYTES_MAX:
            raise DecodeError("array too large")  # U/S items of a huge size
        return np.array(inner, dtype=dt).reshape(shape)
    raise DecodeError("unknown codec tag %r" % (tag,))


_NP_ITEM_MAX = 1 << 16  # bytes per array element (U/S dtypes can ask for gigabytes)
_NP_BYTES_MAX = 1 << 30


def _np_flat_len(inner):
    """Upper bound on the element count of a nested list (its leaves + 1)."""
    n = 0
    stack = [inner]
    while stack:
        x = stack.pop()
        if type(x) is list:
            stack.extend(x)
        n += 1
    return n


_np_module = None
_np_failed = False


def _numpy():
    global _np_module, _np_failed
    if _np_module is None and not _np_failed:
        try:
            import numpy  # noqa: lazy on purpose (slow import)

            _np_module = numpy
        except Exception:
            _np_failed = True
    return _np_module


def decode_value(v, np_ok=True):
    with _raised_recursion():
        return _dec(v, 0, np_ok)


class ExpectedDigest:
    """An expected output too large to ship: only its repr digest is known."""

    def __init__(self, alg, hexdigest, nbytes):
        self.alg = alg
        self.hexdigest = hexdigest
        self.nbytes = nbytes


def decode_expected(v):
    if type(v) is dict and v.get("t") == "digest":
        alg, hx, n = v.get("alg"), v.get("v"), v.get("bytes")
        if alg != _DIGEST_ALG or type(hx) is not str or type(n) is not int:
            raise DecodeError("bad digest")
        return ExpectedDigest(alg, hx, n)
    _HASH_GUARD[0] = False  # trusted, and possibly large
    try:
        return decode_value(v)
    finally:
        _HASH_GUARD[0] = True


def repr_digest(x):
    import hashlib  # lazy: keeps candidate start-up short
    """sha256 of repr(x).  Used only for huge outputs of exact builtin types,
    whose repr is deterministic; the candidate never sees the expected digest,
    so matching it still requires producing the right value."""
    text = repr(x)
    if not isinstance(text, str):
        raise TypeError("repr did not return a str")
    data = str.encode(text, "utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest(), len(data)
