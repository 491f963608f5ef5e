"""The batch dimension (批量维度).

Layers in `torch.nn` now accept unbatched input, so forgetting the batch dimension rarely fails
loudly: a (1, 28, 28) image is read as one channel without a batch. Add the leading dimension with
`unsqueeze(0)` (a view: no data is copied); `unsqueeze(1)` puts it in the wrong place. `nn.Conv2d`
wants (N, C, H, W).
"""

import torch


def add_batch_dim(x: torch.Tensor) -> torch.Tensor:
    """Return x with a new leading dimension of size 1, as a view of x."""
    if x.ndim == 0:
        raise ValueError("x is a scalar (0-d) tensor; it has no dimensions to batch")
    return x[None]


def as_conv_input(x: torch.Tensor) -> torch.Tensor:
    """View x as (N, C, H, W): (H, W) → (1, 1, H, W), (C, H, W) → (1, C, H, W), 4-D unchanged."""
    if x.ndim == 4:
        return x
    if x.ndim == 3:
        return x[None]
    if x.ndim == 2:
        return x[None, None]
    raise ValueError(f"expected (H, W), (C, H, W) or (N, C, H, W), got shape {tuple(x.shape)}")
