"""Four right answers, two left as ..., one key deleted and three of the wrong kind: 4 points."""

ANSWERS = {
    "hidden_layers": 1,
    "hidden_size": 256,
    "linear_weight_shape": [256, 784],  # a list where a tuple is asked for
    "conv_output_height": ...,
    "max_pool_output": [[4]],
    "even_kernel_output_height": "9",  # a str where an int is asked for
    "physical_gpu_of_cuda1": ...,
    "one_gpu_cuda1_fails_at": "at .to(device)",  # not one of the choices
    "reshape_of_contiguous_copies": False,
}
