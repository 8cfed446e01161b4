"""
How iterdata becomes call arguments, exactly as Lithops does it (``lithops.utils.verify_args`` and the
worker's ``_prepare_args``): a tuple binds positionally, a dict by parameter name, any other value to
the first parameter; ``extra_args`` is appended (tuple) or merged (dict). Also :class:`FuturesList`,
the list ``map`` returns, which chains further jobs.
"""
from __future__ import annotations

import inspect
import types
from typing import Any, Callable, Dict, List, Optional, Tuple

from .future import ResponseFuture

__all__ = ["INJECTED_ARGS", "format_data", "verify_args", "prepare_args", "chained_futures", "FuturesList"]

#: Parameters Lithops fills in itself rather than from the iterdata (``id`` is the call index here too).
INJECTED_ARGS = frozenset({"ibm_cos", "storage", "id", "rabbitmq"})

_NO_SIGNATURE = "\x00positional"


def _as_list(iterdata: Any) -> List[Any]:
    if isinstance(iterdata, (range, set, frozenset)):
        return list(iterdata)
    if isinstance(iterdata, (list, tuple)):
        return list(iterdata)
    if isinstance(iterdata, dict) or isinstance(iterdata, (str, bytes)):
        return [iterdata]
    try:
        return list(iterdata)
    except TypeError:
        return [iterdata]


def format_data(iterdata: Any, extra_args: Any) -> List[Any]:
    """
    Converts iterdata to a list, appending ``extra_args`` to every element.

    :param iterdata: the map's input
    :param extra_args: a tuple (appended to tuple and single-value elements) or a dict (merged into dict elements)
    """
    data = _as_list(iterdata)
    if not extra_args:
        return data
    out = []
    for d in data:
        if type(d) is tuple:
            if type(extra_args) is not tuple:
                raise Exception("extra_args must contain args in a tuple")
            out.append(d + extra_args)
        elif type(d) is dict:
            if type(extra_args) is not dict:
                raise Exception("extra_args must contain kwargs in a dictionary")
            out.append({**d, **extra_args})
        else:
            out.append((d, *extra_args))
    return out


# (code, number of defaults, keyword-only defaults' names) -> _Facts
_signatures: Dict[Any, "_Facts"] = {}

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


class _Facts(tuple):
    """
    ``(signature, signature without INJECTED_ARGS, leading positional names, how many of them are
    required, whether a keyword-only parameter is required, *args name, **kwargs name, has ``id``)``:
    what binding and preparing need, worked out once per signature (issue 13: ``Signature.bind`` and
    the walks over the parameters were ~5 us of an empty task).
    """

    __slots__ = ()


def _facts_of(sig: inspect.Signature) -> _Facts:
    usig = sig.replace(parameters=[p for n, p in sig.parameters.items() if n not in INJECTED_ARGS])
    params = list(usig.parameters.values())
    names: List[str] = []
    required = 0
    for p in params:
        if p.kind not in _POSITIONAL:
            break
        names.append(p.name)
        if p.default is inspect.Parameter.empty:
            required = len(names)
    kw_required = any(p.kind == inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty for p in params)
    var_pos = next((n for n, p in sig.parameters.items() if p.kind == inspect.Parameter.VAR_POSITIONAL), None)
    var_kw = next((n for n, p in sig.parameters.items() if p.kind == inspect.Parameter.VAR_KEYWORD), None)
    return _Facts((sig, usig, tuple(names), required, kw_required, var_pos, var_kw, "id" in sig.parameters))


def _signature_pair(func: Callable[..., Any]) -> _Facts:
    """
    ``inspect.signature(func)`` and the same without INJECTED_ARGS (then the rest of :class:`_Facts`).
    A plain function's are kept by its code and which parameters have defaults: binding reads nothing
    else (not the default values, nor annotations), and it was the largest cost after pickling of an
    empty task.
    """
    key = None
    if type(func) is types.FunctionType and not func.__dict__:
        kwd = func.__kwdefaults__
        key = (func.__code__, len(func.__defaults__ or ()), tuple(sorted(kwd)) if kwd else ())
        facts = _signatures.get(key)
        if facts is not None:
            return facts
    facts = _facts_of(inspect.signature(func))
    if key is not None:
        if len(_signatures) > 1024:
            _signatures.clear()
        _signatures[key] = facts
    return facts


def bind_one(func: Callable[..., Any], elem: Any) -> Dict[str, Any]:
    """
    Binds one iterdata element to the parameters of ``func``.

    :param func: the map function
    :param elem: a tuple, a dict or a single value
    :return: parameter name → value
    """
    try:
        facts = _signature_pair(func)
    except (ValueError, TypeError):
        # No signature (a builtin such as time.sleep): bind as a plain call would.
        if isinstance(elem, dict):
            return {_NO_SIGNATURE: ((), dict(elem))}
        return {_NO_SIGNATURE: (tuple(elem) if isinstance(elem, tuple) else (elem,), {})}
    sig = facts[1]
    if not isinstance(elem, dict):
        # What ``sig.bind(*elem).arguments`` gives when the values fill leading positional parameters
        # and every other parameter may stay unbound; anything else goes through ``bind`` (and its errors).
        values = tuple(elem) if isinstance(elem, tuple) else (elem,)
        names, required = facts[2], facts[3]
        if required <= len(values) <= len(names) and not facts[4]:
            return dict(zip(names, values))
    if isinstance(elem, dict):
        has_var_kw = any(p.kind == inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values())
        if has_var_kw or set(sig.parameters) <= set(elem):
            return dict(elem)
        raise ValueError(f"Check the args names in the data. You provided these args: {list(elem)}, and the args must be: {list(sig.parameters)}")
    if isinstance(elem, tuple):
        return dict(sig.bind(*elem).arguments)
    return dict(sig.bind(elem).arguments)


def verify_args(func: Callable[..., Any], iterdata: Any, extra_args: Any) -> List[Dict[str, Any]]:
    """
    Binds every element of the iterdata to the parameters of ``func``.

    :return: one ``{name: value}`` per call
    """
    return [bind_one(func, elem) for elem in format_data(iterdata, extra_args)]


def prepare_args(func: Callable[..., Any], data: Dict[str, Any], call_index: int) -> Tuple[Tuple[Any, ...], Dict[str, Any]]:
    """
    Turns bound data into ``(args, kwargs)``, honouring the function's own ``*args``/``**kwargs`` names
    and injecting ``id``.

    :param func: the function
    :param data: bound parameters
    :param call_index: index of the call in its job (for an ``id`` parameter)
    """
    if _NO_SIGNATURE in data:
        args, kwargs = data[_NO_SIGNATURE]
        return tuple(args), dict(kwargs)
    facts = _signature_pair(func)
    var_pos, var_kw, has_id = facts[5], facts[6], facts[7]
    if var_pos is None and var_kw is None:
        kwargs = dict(data)
        if has_id and "id" not in kwargs:
            kwargs["id"] = call_index
        return (), kwargs
    payload = dict(data)
    args = payload.pop(var_pos, None) or () if var_pos is not None and var_pos in payload else ()
    kwargs = payload.pop(var_kw, None) or {} if var_kw is not None and var_kw in payload else {}
    kwargs = dict(kwargs)
    kwargs.update(payload)
    if has_id and "id" not in kwargs:
        kwargs["id"] = call_index
    return tuple(args), kwargs


def chained_futures(iterdata: Any) -> Optional[List[ResponseFuture]]:
    """The futures of a previous job used as this job's input, or None for plain data."""
    if isinstance(iterdata, FuturesList):
        return list(iterdata)
    if not isinstance(iterdata, (list, tuple)) or not iterdata:
        return None
    futures = [e for e in iterdata if isinstance(e, ResponseFuture)]
    if not futures:
        return None
    if len(futures) != len(iterdata):
        raise ValueError("The iterdata mixes futures of a previous job with plain data. "
                         "Chaining takes the futures of one job as the whole input of the next one")
    return list(iterdata)


class FuturesList(list):
    """
    The futures of a job; ``map``/``map_reduce`` on it chain a new job fed by these results, and
    ``wait``/``get_result`` cover the whole chain (the output is the last job's).
    """

    executor: Any = None

    def _all(self) -> List[ResponseFuture]:
        return self.alt_list if hasattr(self, "alt_list") else list(self)

    def _extend(self, fs: List[ResponseFuture]) -> None:
        for f in self:
            f._produce_output = False
        if not hasattr(self, "alt_list"):
            self.alt_list = list(self)
        self.alt_list.extend(fs)
        self.clear()
        self.extend(fs)

    def _executor(self) -> Any:
        if self.executor is None:
            from .executor import FunctionExecutor

            self.executor = FunctionExecutor()
        return self.executor

    def map(self, map_function: Callable[..., Any], sync: bool = False, **kwargs: Any) -> "FuturesList":
        """
        Chains a job that maps ``map_function`` over this job's results.

        :param map_function: the function
        :param sync: wait for this job before submitting the next
        :param kwargs: passed to :meth:`FunctionExecutor.map`
        """
        ex = self._executor()
        if sync:
            ex.wait(self)
        self._extend(ex.map(map_function, list(self), **kwargs))
        return self

    def map_reduce(self, map_function: Callable[..., Any], reduce_function: Callable[..., Any], sync: bool = False, **kwargs: Any) -> "FuturesList":
        """Chains a map-reduce job fed by this job's results (see :meth:`map`)."""
        ex = self._executor()
        if sync:
            ex.wait(self)
        self._extend(ex.map_reduce(map_function, list(self), reduce_function, **kwargs))
        return self

    def wait(self, **kwargs: Any) -> Any:
        """Waits for every job of the chain."""
        return self._executor().wait(self._all(), **kwargs)

    def get_result(self, **kwargs: Any) -> Any:
        """The results of the last job of the chain."""
        return self._executor().get_result(self._all(), **kwargs)

    def __reduce__(self) -> Any:
        return (list, (list(self),))
