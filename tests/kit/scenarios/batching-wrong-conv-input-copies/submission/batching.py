"""The batch dimension (批量维度).

Layers in `torch.nn` now accept unbatched input, so forgetting the batch dimension rarely fails
loudly: a (1, 28, 28) image is read as one channel without a batch. Add the leading dimension with
`unsqueeze(0)` (a view: no data is copied); `unsqueeze(1)` puts it in the wrong place. `nn.Conv2d`
wants (N, C, H, W).
"""

import torch


def add_batch_dim(x: torch.Tensor) -> torch.Tensor:
    """Return x with a new leading dimension of size 1, as a view of x."""
    if x.dim() == 0:
        raise ValueError("cannot add a batch dimension to a 0-d tensor")
    return x.unsqueeze(0)


def as_conv_input(x: torch.Tensor) -> torch.Tensor:
    """View x as (N, C, H, W): (H, W) → (1, 1, H, W), (C, H, W) → (1, C, H, W), 4-D unchanged."""
    if x.dim() not in (2, 3, 4):
        raise ValueError(f"as_conv_input needs a 2-, 3- or 4-D tensor, got {x.dim()}-D")
    if x.dim() == 4:
        return x.clone()
    if x.dim() == 2:
        x = x.unsqueeze(0)  # one channel
    return torch.stack([x])  # a batch of one image
