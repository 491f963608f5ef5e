"""The answers filled in one by one, in another order, some as expressions."""

ANSWERS = {}
ANSWERS["reshape_of_contiguous_copies"] = 1 == 2
ANSWERS["one_gpu_cuda1_fails_at"] = "moving the tensor"
ANSWERS["visible_devices_variable"] = "CUDA_VISIBLE_" + "DEVICES"
ANSWERS["physical_gpu_of_cuda1"] = 3
ANSWERS["even_kernel_output_height"] = (8 + 2 * 2 - 4) // 1 + 1
ANSWERS["max_pool_output"] = [[max(0, 1, 3, 4)]]
ANSWERS["conv_output_height"] = (8 + 2 * 1 - 3) // 2 + 1
ANSWERS["linear_weight_shape"] = (256, 784)
ANSWERS["hidden_size"] = 0x100
ANSWERS["hidden_layers"] = 1
