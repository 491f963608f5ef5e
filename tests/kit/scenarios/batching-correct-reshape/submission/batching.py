"""The batch dimension (批量维度).

Layers in `torch.nn` now accept unbatched input, so forgetting the batch dimension rarely fails
loudly: a (1, 28, 28) image is read as one channel without a batch. Add the leading dimension with
`unsqueeze(0)` (a view: no data is copied); `unsqueeze(1)` puts it in the wrong place. `nn.Conv2d`
wants (N, C, H, W).
"""

import torch


def add_batch_dim(x: torch.Tensor) -> torch.Tensor:
    """Return x with a new leading dimension of size 1, as a view of x."""
    if x.dim() < 1:
        raise ValueError(f"x must have at least one dimension, got shape {tuple(x.shape)}")
    return x.reshape(1, *x.shape)


def as_conv_input(x: torch.Tensor) -> torch.Tensor:
    """View x as (N, C, H, W): (H, W) → (1, 1, H, W), (C, H, W) → (1, C, H, W), 4-D unchanged."""
    dims = x.dim()
    if dims == 2:
        h, w = x.shape
        return x.reshape(1, 1, h, w)
    if dims == 3:
        c, h, w = x.shape
        return x.reshape(1, c, h, w)
    if dims == 4:
        return x
    raise ValueError(f"expected a 2-, 3- or 4-D tensor, got a {dims}-D tensor")
