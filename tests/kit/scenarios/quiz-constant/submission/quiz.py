"""The same guess for every question of a kind: 0, (0, 0), [[0]], True and the first choice."""

ANSWERS = {
    "hidden_layers": 0,
    "hidden_size": 0,
    "linear_weight_shape": (0, 0),
    "conv_output_height": 0,
    "max_pool_output": [[0]],
    "even_kernel_output_height": 0,
    "physical_gpu_of_cuda1": 0,
    "visible_devices_variable": "",
    "one_gpu_cuda1_fails_at": "creating the device",
    "reshape_of_contiguous_copies": True,
}
