"""The batch dimension (批量维度).

Layers in `torch.nn` now accept unbatched input, so forgetting the batch dimension rarely fails
loudly: a (1, 28, 28) image is read as one channel without a batch. Add the leading dimension with
`unsqueeze(0)` (a view: no data is copied); `unsqueeze(1)` puts it in the wrong place. `nn.Conv2d`
wants (N, C, H, W).
"""

import torch


def add_batch_dim(x: torch.Tensor) -> torch.Tensor:
    """Return x with a new leading dimension of size 1, as a view of x."""
    if len(x.shape) == 0:
        raise ValueError("add_batch_dim needs at least a 1-D tensor")
    return x.view(1, *x.shape)


def as_conv_input(x: torch.Tensor) -> torch.Tensor:
    """View x as (N, C, H, W): (H, W) → (1, 1, H, W), (C, H, W) → (1, C, H, W), 4-D unchanged."""
    if not 2 <= x.dim() <= 4:
        raise ValueError(f"can only turn 2-D, 3-D or 4-D tensors into (N, C, H, W), got {x.dim()}-D")
    out = x
    while out.dim() < 4:
        out = out.unsqueeze(0)
    return out
