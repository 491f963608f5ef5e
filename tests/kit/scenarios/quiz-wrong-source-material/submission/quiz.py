"""What the source material and its readers believe (docs/reference/pytorch-chapter.md, M1–M9)."""

ANSWERS = {
    "hidden_layers": 2,  # M1: "具有两个隐藏层"
    "hidden_size": 784,  # M2: the input size taken for the hidden output
    "linear_weight_shape": (784, 256),  # [in, out], as d2l's MyLinear stores it
    "conv_output_height": 3,  # the padding forgotten
    "max_pool_output": [[4, 5], [7, 8]],  # M9: the hand-written pool2d's stride 1
    "even_kernel_output_height": 8,  # (k − 1) / 2 taken to keep the size for any k
    "physical_gpu_of_cuda1": 1,  # M4b: logical ids taken for physical ones
    "visible_devices_variable": "CUDA_VISIBLE_DEVICE",  # M3: the misspelling
    "one_gpu_cuda1_fails_at": "creating the device",  # M4a: the error is deferred, in fact
    "reshape_of_contiguous_copies": True,  # M6: "reshape copies"
}
