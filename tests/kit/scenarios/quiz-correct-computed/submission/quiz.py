"""Answers worked out by PyTorch itself rather than written down."""

import torch
from torch import nn

mlp = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
linears = [m for m in mlp if isinstance(m, nn.Linear)]
x = torch.arange(24.0)
y = x.reshape(4, 6)

ANSWERS = dict(
    hidden_layers=len(linears) - 1,
    hidden_size=linears[0].out_features,
    linear_weight_shape=tuple(nn.Linear(784, 256).weight.shape),
    conv_output_height=nn.Conv2d(1, 1, 3, padding=1, stride=2)(torch.zeros(1, 1, 8, 8)).shape[2],
    max_pool_output=nn.MaxPool2d(2)(torch.arange(9.0).reshape(1, 1, 3, 3))[0, 0].int().tolist(),
    even_kernel_output_height=nn.Conv2d(1, 1, 4, padding=2)(torch.zeros(1, 1, 8, 8)).shape[-1],
    physical_gpu_of_cuda1=[int(i) for i in "2,3".split(",")][1],
    visible_devices_variable="_".join(["CUDA", "VISIBLE", "DEVICES"]),
    one_gpu_cuda1_fails_at="moving the tensor",
    reshape_of_contiguous_copies=y.data_ptr() != x.data_ptr(),
)
