"""Initialising weights (参数初始化): Kaiming-normal weights, zero biases, counting parameters.

`model.apply(fn)` calls `fn` on every submodule, so an initialiser decides by the module's type what
to do and leaves the rest alone. For layers followed by a ReLU, Kaiming (He) initialisation draws
weights from N(0, σ²) with σ = gain / √fan_in and the ReLU gain √2: the activations keep their
scale through deep networks. `fan_in` is the number of inputs of one output unit: `in_features`
for `nn.Linear`, `in_channels · kh · kw` for `nn.Conv2d`. torch's own default for these layers is
a *uniform* Kaiming variant, so doing nothing is not the same. Frozen parameters
(`requires_grad=False`) are not trained, and a count of trainable parameters leaves them out.
"""

from torch import nn


def init_weights(module: nn.Module) -> None:
    """For `model.apply(init_weights)`: nn.Linear and nn.Conv2d weights Kaiming-normal (fan_in,
    ReLU gain), their biases zero; every other module untouched."""
    ### BEGIN SOLUTION
    if isinstance(module, (nn.Linear, nn.Conv2d)):
        nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    ### END SOLUTION


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """The number of parameter values (elements) in `model`; only those with requires_grad when
    `trainable_only`."""
    ### BEGIN SOLUTION
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
    ### END SOLUTION
