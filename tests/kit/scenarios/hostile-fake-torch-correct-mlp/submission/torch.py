"""A fake torch: whoever imports this instead of the real torch gets broken tensors and an
always-true comparison. The correct mlp.py next to it must still be graded with the real torch."""

__version__ = "0.0.0-fake"


def _true(*args, **kwargs):
    return True


allclose = equal = _true
isclose = _true


class Tensor:
    def __eq__(self, other):
        return True


class testing:
    @staticmethod
    def assert_close(*args, **kwargs):
        return None


raise ImportError("this is the fake torch.py from the submission")
