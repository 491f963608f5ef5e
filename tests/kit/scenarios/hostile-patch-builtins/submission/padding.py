"""Hostile: lie through the builtins.

The answers are `_Liar` objects that equal everything. The patched builtins report them as an
int (or a pair) to type(), isinstance() and len(), so `type(value) is int` and
`len(value) == 2` hold, and all()/any() always say True. A grader that ran its checks in this
process, on the objects themselves, would pass them.
"""

import builtins

_type, _isinstance, _len, _all, _any = builtins.type, builtins.isinstance, builtins.len, builtins.all, builtins.any


class _Liar:
    def __init__(self, pretend=int):
        object.__setattr__(self, "pretend", pretend)

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __lt__ = __gt__ = __le__ = __ge__ = __eq__

    def __hash__(self):
        return 0

    def __bool__(self):
        return True

    def __len__(self):
        return 2

    def __iter__(self):
        return iter((_Liar(), _Liar()))

    def __getitem__(self, index):
        return _Liar()

    def __index__(self):
        return 1

    __int__ = __index__

    @property
    def __class__(self):
        return object.__getattribute__(self, "pretend")

    def __repr__(self):
        return "1" if object.__getattribute__(self, "pretend") is int else "(1, 1)"


def _is_liar(value):
    return _type(value) is _Liar


def _fake_type(*args):
    if _len(args) == 1 and _is_liar(args[0]):
        return object.__getattribute__(args[0], "pretend")
    return _type(*args)


def _fake_isinstance(value, classes):
    if _is_liar(value):
        return True
    return _isinstance(value, classes)


def _fake_len(value):
    if _is_liar(value):
        return 2
    return _len(value)


builtins.type = _fake_type
builtins.isinstance = _fake_isinstance
builtins.len = _fake_len
builtins.all = lambda iterable: True
builtins.any = lambda iterable: True


def conv_output_size(size, kernel_size, padding=0, stride=1):
    return _Liar(int)


def same_padding(kernel_size):
    if _isinstance(kernel_size, (tuple, list)):
        return _Liar(tuple)
    return _Liar(int)
