"""What a LiteRT file holds: whether it is the dynamic-range quantized export of model/export.py."""

import numpy as np
from ai_edge_litert.interpreter import Interpreter


def int8_share(path, parameters):
    """The share of the model's `parameters` the file stores as int8 values: nearly all of them
    when quantized (the biases stay float), none for a float32 export."""
    tensors = Interpreter(model_path=str(path)).get_tensor_details()
    int8_values = sum(int(np.prod(t["shape"])) for t in tensors if t["dtype"] == np.int8)
    return int8_values / parameters


def is_quantized(path, parameters):
    """Whether the file's weights are int8: at least 95 % of the parameters (99.3 % measured for
    the shipped ensemble)."""
    return int8_share(path, parameters) >= 0.95
