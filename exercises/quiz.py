"""A quiz on the chapter's concepts (概念测验).

Answer each question by replacing its `...` with a plain Python value of the kind asked for: an
int, a bool, a str from the choices given, or a tuple or list as shown. Each question is worth
one point and is graded on its own: an answer left as `...` is not attempted, and a value of the
wrong kind (a list where a tuple is asked for, "1" for 1) costs only that question. Work the
answers out (or try them in Python), but write the values themselves: the grader reads ANSWERS
and nothing else.
"""

ANSWERS = {
    # 1. nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)) classifies 28×28 images.
    #    How many hidden layers does it have? (an int)
    "hidden_layers": ...,  # YOUR ANSWER HERE
    # 2. In the same network, how many values does the hidden layer output for each image? (an int)
    "hidden_size": ...,  # YOUR ANSWER HERE
    # 3. What is nn.Linear(784, 256).weight.shape? (a tuple of two ints)
    "linear_weight_shape": ...,  # YOUR ANSWER HERE
    # 4. nn.Conv2d(1, 1, kernel_size=3, padding=1, stride=2) on a (1, 1, 8, 8) input: what is the output's
    #    height? (an int)
    "conv_output_height": ...,  # YOUR ANSWER HERE
    # 5. X = torch.arange(9.0).reshape(1, 1, 3, 3), that is [[0, 1, 2], [3, 4, 5], [6, 7, 8]]. What does
    #    nn.MaxPool2d(2)(X) hold, without its batch and channel dimensions? (a list of lists of ints,
    #    such as [[0, 1], [2, 3]])
    "max_pool_output": ...,  # YOUR ANSWER HERE
    # 6. nn.Conv2d(1, 1, kernel_size=4, padding=2) (stride 1) on a (1, 1, 8, 8) input: what is the output's
    #    height? (an int)
    "even_kernel_output_height": ...,  # YOUR ANSWER HERE
    # 7. A process is started with CUDA_VISIBLE_DEVICES=2,3 on a machine with four GPUs (0 to 3). Which
    #    physical GPU does it reach as torch.device("cuda:1")? (an int)
    "physical_gpu_of_cuda1": ...,  # YOUR ANSWER HERE
    # 8. The exact name of the environment variable that lists the GPUs a process may see. (a str)
    "visible_devices_variable": ...,  # YOUR ANSWER HERE
    # 9. On a machine with exactly one GPU, device = torch.device("cuda:1"); x = torch.ones(2).to(device).
    #    Where does this first fail? (a str, one of "creating the device", "moving the tensor", "never")
    "one_gpu_cuda1_fails_at": ...,  # YOUR ANSWER HERE
    # 10. x = torch.arange(24.0) is contiguous. Does y = x.reshape(4, 6) copy x's data, so that writing
    #     to y leaves x unchanged? (a bool)
    "reshape_of_contiguous_copies": ...,  # YOUR ANSWER HERE
}
