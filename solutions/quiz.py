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
    ### BEGIN SOLUTION
    "hidden_layers": 1,
    ### END SOLUTION
    # 2. In the same network, how many values does the hidden layer output for each image? (an int)
    ### BEGIN SOLUTION
    "hidden_size": 256,
    ### END SOLUTION
    # 3. What is nn.Linear(784, 256).weight.shape? (a tuple of two ints)
    ### BEGIN SOLUTION
    "linear_weight_shape": (256, 784),
    ### END SOLUTION
    # 4. nn.Conv2d(1, 1, kernel_size=3, padding=1, stride=2) on a (1, 1, 8, 8) input: what is the output's
    #    height? (an int)
    ### BEGIN SOLUTION
    "conv_output_height": 4,
    ### END SOLUTION
    # 5. X = torch.arange(9.0).reshape(1, 1, 3, 3), that is [[0, 1, 2], [3, 4, 5], [6, 7, 8]]. What does
    #    nn.MaxPool2d(2)(X) hold, without its batch and channel dimensions? (a list of lists of ints,
    #    such as [[0, 1], [2, 3]])
    ### BEGIN SOLUTION
    "max_pool_output": [[4]],
    ### END SOLUTION
    # 6. nn.Conv2d(1, 1, kernel_size=4, padding=2) (stride 1) on a (1, 1, 8, 8) input: what is the output's
    #    height? (an int)
    ### BEGIN SOLUTION
    "even_kernel_output_height": 9,
    ### END SOLUTION
    # 7. A process is started with CUDA_VISIBLE_DEVICES=2,3 on a machine with four GPUs (0 to 3). Which
    #    physical GPU does it reach as torch.device("cuda:1")? (an int)
    ### BEGIN SOLUTION
    "physical_gpu_of_cuda1": 3,
    ### END SOLUTION
    # 8. The exact name of the environment variable that lists the GPUs a process may see. (a str)
    ### BEGIN SOLUTION
    "visible_devices_variable": "CUDA_VISIBLE_DEVICES",
    ### END SOLUTION
    # 9. On a machine with exactly one GPU, device = torch.device("cuda:1"); x = torch.ones(2).to(device).
    #    Where does this first fail? (a str, one of "creating the device", "moving the tensor", "never")
    ### BEGIN SOLUTION
    "one_gpu_cuda1_fails_at": "moving the tensor",
    ### END SOLUTION
    # 10. x = torch.arange(24.0) is contiguous. Does y = x.reshape(4, 6) copy x's data, so that writing
    #     to y leaves x unchanged? (a bool)
    ### BEGIN SOLUTION
    "reshape_of_contiguous_copies": False,
    ### END SOLUTION
}
