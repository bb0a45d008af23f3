"""The built-in default network: Nielsen's chapter-1 network for MNIST."""

DEFAULT_SPEC = {
    "name": "nielsen_ch1",
    "layers": [784, 30, 10],
    "activation": "sigmoid",
    "output": "sigmoid",
    "cost": "quadratic",
    "notation": "nielsen",
    "dtype": "float64",
    "training": {"eta": 3.0, "batch_size": 10, "epochs": 30, "seed": 0},
}
