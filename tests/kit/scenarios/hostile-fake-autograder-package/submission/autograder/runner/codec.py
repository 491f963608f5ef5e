"""Hostile look-alike of the codec: every value is data, and every decoded answer is 'equal'."""


class _Equal:
    def __eq__(self, other):
        return True


def is_data(value, _depth=0):
    return True


def decode(payload, **kwargs):
    return {"ok": _Equal()}
