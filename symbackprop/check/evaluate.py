"""Evaluating a read answer in a network: each node of the tree to a scalar, vector or matrix of SymPy entries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import sympy as sp

from symbackprop.check import tree
from symbackprop.check.backends import EXAMPLES_DIM, ConcreteNames, Value, scalar, site_of
from symbackprop.check.lexicon import text_letters
from symbackprop.check.names import ACCUMULATORS, BATCH_NAMES
from symbackprop.check.show import Text, Words, show
from symbackprop.check.verdict import FreeIndex, GradingError, Undescribed, Wrong
from symbackprop.derivation import layered
from symbackprop.network.cost import ETA, LAMBDA, TRAINING_SET_SIZE
from symbackprop.notation.model import Notation

# -- evaluation ------------------------------------------------------------------------------------


@dataclass
class Frame:
    l: int | None = None  # the value of the layer variable l
    env: dict = field(default_factory=dict)  # index name -> value; example index name -> example (0-based)
    example: int | None = None
    example_names: dict = field(default_factory=dict)  # example index name -> example (0-based)
    own_layer: int | None = None  # internal layer of the quantity graded: z, δ written without a layer mean it
    batch: bool = False  # the answer is about the batch cost (dW, db are its gradients, not one example's)


class Evaluator:
    def __init__(self, backend: ConcreteNames, frame: Frame):
        self.b = backend
        self.nt = backend.nt
        self.frame = frame

    # -- layers and indices
    def layer_number(self, layer: tree.Layer | None, what: str) -> int:
        if layer is None:
            # not wrong, unreadable: which layer's is not said (w_l in a text that writes layers as superscripts)
            raise GradingError(f"{what} needs a layer number: write it, as a superscript ({what}^l)")
        if layer.var == "l":
            if self.frame.l is None:
                raise GradingError(f"{what}: the layer l is not fixed by the left-hand side; write the layer")
            base = self.frame.l
        elif layer.var == "L":
            base = self.nt.layer(self.b.depth)
        else:
            base = 0
        return base + layer.offset

    def layer_k(self, layer, what: str, lowest: int = 1) -> int:
        number = self.layer_number(layer, what)
        k = self.nt.internal_layer(number)
        if not lowest <= k <= self.b.depth:
            raise Wrong(
                f"{what}: there is no layer {number} here "
                f"(layers {self.nt.layer(lowest)}..{self.nt.layer(self.b.depth)})"
            )
        return k

    def weight_k(self, layer, what: str) -> int:
        if layer is None and self.b.depth == 1:  # a network of one layer: W is its only weights
            return 1
        number = self.layer_number(layer, what)
        k = self.nt.internal_weight_layer(number)
        if not 1 <= k <= self.b.depth:
            first, last = self.nt.weight_layer(1), self.nt.weight_layer(self.b.depth)
            raise Wrong(f"{what}: there are no weights or biases {number} here ({first}..{last})")
        return k

    def index(self, name):
        if isinstance(name, int):
            return name
        if name not in self.frame.env:
            raise FreeIndex(f"index {name} is neither on the left-hand side nor summed over")
        return self.frame.env[name]

    def example_of(self, var) -> int | None:
        if var is None:
            return self.frame.example
        if isinstance(var, int) or (isinstance(var, str) and var.isdigit()):
            if int(var) < 1:
                raise GradingError(f"example {var}: examples are numbered from 1")
            return int(var) - 1
        if var in self.frame.example_names:
            return self.frame.example_names[var]
        return self.frame.example

    # -- nodes
    def eval(self, node) -> Value:
        method = getattr(self, "_" + type(node).__name__)
        if not isinstance(node, tree.Var):
            return method(node)
        try:
            return method(node)
        except Wrong as wrong:  # W^{(2)}_{j,k}: index 3 is out of range…: the quantity typeset in a report
            name, message = var_text(node), str(wrong)
            if wrong.words is not None or not message.startswith(name + ":"):
                raise
            rest = message[len(name) :].replace("{", "{{").replace("}", "}}")
            raise Wrong(message, Words("{0}" + rest, (node,))) from None

    def _Num(self, node: tree.Num) -> Value:
        return scalar(sp.Rational(node.numerator, node.denominator))

    def _entry(self, dims: tuple, indices: tuple, get: Callable, name: str) -> Value:
        rows, cols = dims
        if self.nt.vectors == "rows" and rows is not None and cols is None:  # a row-vector text's vectors are rows
            column = get
            rows, cols, get = None, rows, lambda r, c: column(c, r)
        if not indices:
            return Value(rows, cols, get, name)
        wanted = sum(d is not None for d in dims)
        if len(indices) != wanted:
            raise Wrong(f"{name} has {wanted} index(es), the answer gives {len(indices)}")
        values = [self.index(i) for i in indices]
        if rows is not None and cols is not None:
            self.b.check_index(values[0], rows, name)
            self.b.check_index(values[1], cols, name)
            return scalar(get(values[0], values[1]), name)
        self.b.check_index(values[0], rows if rows is not None else cols, name)
        return scalar(get(values[0], 1) if rows is not None else get(1, values[0]), name)

    def _Var(self, node: tree.Var) -> Value:
        base, name = node.base, var_text(node)
        if base == "lambda":
            return scalar(LAMBDA)
        if base == "eta":
            return scalar(ETA)
        if base == "m":
            return scalar(sp.Integer(len(self.b.net.layers)))
        if base == "n":
            return scalar(TRAINING_SET_SIZE)
        if base == "s":
            return scalar(sp.sympify(self.b.width(self.layer_k(node.layer, "s_l", lowest=0))))
        if base in BATCH_NAMES:  # deeplearning.ai's Z^{[l]}, A^{[l]}, X, Y, dZ^{[l]}, dA^{[L]}
            return self._batch_matrix(node)
        if base in ("dz", "da", "dW", "dw", "db"):  # one example's dz, da; the gradients dW, db
            return self.eval(_d_meaning(node))
        e = self.example_of(node.example)
        if base in ("W", "w"):
            k = self.weight_k(node.layer, name)
            dims = self.nt.weight_dims(k)
            return self._entry(dims, node.indices, lambda r, c: self.b.weight(k, r, c), name)
        if base == "b":
            k = self.weight_k(node.layer, name)
            return self._entry((k, None), node.indices, lambda i, _: self.b.bias(k, i), name)
        if base in ("z", "delta"):
            if node.layer is None and self.frame.own_layer is not None:  # δ^L_j = ∂C/∂a_j σ'(z_j)
                k = self.frame.own_layer
            else:
                k = self.layer_k(node.layer, name)
            get = self.b.z if base == "z" else self.b.delta
            return self._entry((k, None), node.indices, lambda i, _: get(k, i, e), name)
        if base == "a":
            k = self.layer_k(node.layer, name, lowest=0) if node.layer is not None else self.b.depth
            return self._entry((k, None), node.indices, lambda i, _: self.b.a(k, i, e), name)
        if base in ACCUMULATORS:  # Ng's Δ^{(l)}, UFLDL's ΔW^{(l)}: Σ over the examples of ∂C_x/∂W^{(l)}
            kind = "bias" if ACCUMULATORS[base] == "b" else "weight"
            k = self.weight_k(node.layer, name)
            site = site_of(kind, k, self.b.net)
            examples = range(len(self.b.net.layers)) if self.frame.batch else [e or 0]
            grads = [layered.example_gradient(self.b.net, site, x) for x in examples]
            dims = dims_of(self.nt, kind, k, self.b.depth)
            return self._entry(dims, node.indices, lambda r, c: sum(g[r - 1, c - 1] for g in grads), name)
        if base == "x":
            return self._entry((0, None), node.indices, lambda i, _: self.b.a(0, i, e), name)
        if base == "y":
            return self._entry((self.b.depth, None), node.indices, lambda i, _: self.b.y(i, e), name)
        raise GradingError(f"{name} cannot be used on the right-hand side")

    def _batch_matrix(self, node: tree.Var) -> Value:
        """A matrix with one column per example of the batch: Z, A, X, Y, dZ (each example's δ), dA (∂L/∂a^L)."""
        base, name = node.base, var_text(node)
        if node.indices:
            raise GradingError(f"{name}: entries of a batch matrix are not graded; write the whole matrix")
        if base in ("X", "Y"):
            k = 0 if base == "X" else self.b.depth
        elif node.layer is None:
            k = self.b.depth if base in ("A", "dA") else self.frame.own_layer or self.b.depth
        else:
            k = self.layer_k(node.layer, name, lowest=0 if base == "A" else 1)
        get = {
            "Z": lambda i, e: self.b.z(k, i, e),
            "A": lambda i, e: self.b.a(k, i, e),
            "X": lambda i, e: self.b.a(0, i, e),
            "Y": lambda i, e: self.b.y(i, e),
            "dZ": lambda i, e: self.b.delta(k, i, e),
            "dA": lambda i, e: self.b.cost_gradient(i, e, k),
        }[base]
        return self._batch(k, get, name)

    def _batch(self, k: int, get: Callable, name: str) -> Value:
        """A batch matrix of layer k from ``get(neuron, example)``: one column per example, or in a row-vector
        text (CS231n's X of shape (N, D)) one row per example."""
        if self.nt.vectors == "rows":
            return Value(EXAMPLES_DIM, k, lambda i, j: get(j, i - 1), name)
        return Value(k, EXAMPLES_DIM, lambda i, j: get(i, j - 1), name)

    def _Cost(self, node: tree.Cost) -> Value:
        raise GradingError("the cost itself cannot be graded; write a derivative of it, such as dC/dW^l_{jk}")

    def _Partial(self, node: tree.Partial) -> Value:
        wrt, name, num = node.wrt, var_text(node.wrt), node.num
        if isinstance(num, tree.Penalty):  # ∇_W Ω(θ) of Ω = ½ Σ ‖W‖²: the weights themselves
            if wrt.base not in ("W", "w"):
                raise GradingError(f"∇Ω(θ) is graded with respect to the weights (∇_W Ω(θ) = W), not {name}")
            return self._Var(wrt)
        if isinstance(node.num, tree.Cost):
            e = self.example_of(node.num.example)
            if wrt.base == "z":
                return self._Var(tree.Var("delta", wrt.layer, wrt.indices, wrt.example))
            if wrt.base in ("A", "Z") and num.example is None:  # ∂L/∂A^{[l]}: a column per example (dA, dZ)
                k = self.b.depth if wrt.layer is None else self.layer_k(wrt.layer, name, 1)
                if wrt.base == "Z":
                    return self._batch(k, lambda i, e: self.b.delta(k, i, e), name)
                return self._batch(k, lambda i, e: self.b.cost_gradient(i, e, k), name)
            if wrt.base == "a":
                k = self.b.depth if wrt.layer is None else self.layer_k(wrt.layer, name, 1)
                return self._entry((k, None), wrt.indices, lambda j, _: self.b.cost_gradient(j, e, k), name)
            if wrt.base in ("W", "w", "b", "x"):
                kind = {"W": "weight", "w": "weight", "b": "bias", "x": "input"}[wrt.base]
                k = 1 if kind == "input" else self.weight_k(wrt.layer, name)
                site = site_of(kind, k, self.b.net)
                if num.unregularised:  # Nielsen's C_0: the average of the examples' gradients, without the decay
                    examples = range(len(self.b.net.layers))
                    grads = [layered.example_gradient(self.b.net, site, x) for x in examples]
                    matrix = sum(grads[1:], grads[0]) / len(grads)
                elif self.frame.batch and num.example is None and kind != "input":  # the batch cost's gradient
                    matrix = layered.derived(self.b.net, site, None)
                else:
                    matrix = layered.example_gradient(self.b.net, site, e or 0)
                dims = dims_of(self.nt, kind, k, self.b.depth)
                return self._entry(dims, wrt.indices, lambda r, c: matrix[r - 1, c - 1], name)
            raise GradingError(f"∂C/∂{name} is not supported on the right-hand side (use δ, ∇_a C, ∂C/∂a^L_j)")
        num = node.num
        if hasattr(self.b, "through"):  # the concrete network: any expression, any variable
            return self._derivative(node)
        if isinstance(num, tree.Var) and num.base in ("z", "a") and (num.layer is not None or num.indices):
            e = self.example_of(num.example)
            k = self.layer_k(num.layer, var_text(num), lowest=1)
            wrt_value = self.eval(wrt)
            # components, or a network of one neuron per layer (3Blue1Brown's ∂z^{(L)}/∂b^{(L)}): numbers
            if (num.indices or self.b.width(k) == 1) and (wrt.indices or self.unit(wrt_value) or wrt_value.scalar):
                i = self.index(num.indices[0]) if num.indices else 1
                self.b.check_index(i, k, var_text(num))
                top = self.b.z_forward(k, i, e) if num.base == "z" else self.b.a(k, i, e)
                return scalar(_diff(top, wrt_value.get(1, 1)))
        raise GradingError("derivatives of quantities are supported in component form, such as dz^{l+1}_j/dz^l_i")

    def lowest(self, wrt: tree.Var) -> int:
        """The layer whose weighted inputs a derivative by ``wrt`` keeps: those above are written through it."""
        name = var_text(wrt)
        if wrt.base not in ("z", "a", "W", "w", "b", "x"):
            raise GradingError(f"∂/∂{name}: derivatives are taken with respect to z, a, W, b or x")
        if wrt.base in ("z", "a"):
            if wrt.layer is None:
                return self.frame.own_layer or self.b.depth
            return self.layer_k(wrt.layer, name, lowest=0 if wrt.base == "a" else 1)
        if wrt.base == "x":
            return 0
        return self.weight_k(wrt.layer, name) - 1

    def _derivative(self, node: tree.Partial) -> Value:
        """∂num/∂wrt of quantities or of an expression (∂z^{l+1}_k/∂z^l_j, ∂/∂z^L_i ½‖y − a^L‖²): the numerator
        written through the layers down to the variable's (z^{l+1} through z^l), then differentiated. A number
        by a number, a vector or matrix by a number, a number by a vector or matrix (an entry per variable, in
        the variable's shape), or a vector by a vector (the Jacobian, a row per entry of the numerator)."""
        wrt, name = node.wrt, var_text(node.wrt)
        lowest = self.lowest(wrt)
        top, var = self.eval(node.num), self.eval(wrt)
        top_get = top.get

        def d(expr, v):
            return self.b.back(_diff(self.b.through(expr, lowest), v), lowest)

        num_unit, var_unit = top.scalar or self.unit(top), var.scalar or self.unit(var)
        if var_unit:
            v = var.get(1, 1)
            return Value(top.rows, top.cols, lambda i, j: d(top_get(i, j), v), top.label)
        if num_unit:
            t = top_get(1, 1)
            return Value(var.rows, var.cols, lambda i, j: d(t, var.get(i, j)))
        top_vector = (top.rows is None) != (top.cols is None)
        var_vector = (var.rows is None) != (var.cols is None)
        if top_vector and var_vector and EXAMPLES_DIM not in (top.rows, top.cols, var.rows, var.cols):
            top_dim = top.rows if top.rows is not None else top.cols
            var_dim = var.rows if var.rows is not None else var.cols

            def entry(value, n, dim_is_rows):
                return value.get(n, 1) if dim_is_rows else value.get(1, n)

            return Value(
                top_dim,
                var_dim,
                lambda i, j: d(entry(top, i, top.rows is not None), entry(var, j, var.rows is not None)),
            )
        raise GradingError(
            f"∂/∂{name} of {self._shape(top)} by {self._shape(var)} is not read: write a component, such as "
            "dz^{l+1}_j/dz^l_i"
        )

    def _Activation(self, node: tree.Activation) -> Value:
        if node.arg is None:
            k = self.layer_k(node.layer, f"{node.name}^{node.layer.text()}")
            z = tree.Var("z", node.layer)
            value = self._apply(node, k, self.eval(z), z)
            if node.prime and self.nt.composes and value.rows is not None and value.cols is None:
                # the notes' (f^l)': the diagonal matrix da^l/dz^l
                return Value(value.rows, value.rows, lambda i, j: sp.KroneckerDelta(i, j) * value.get(i, 1), "diag")
            return value
        k = self.layer_k(node.layer, node.name) if node.layer is not None else self._layer_of(node.arg)
        if k == 0:  # σ'(a^0): the input layer has no activation function
            prime = "'" if node.prime else ""
            raise Wrong(f"{node.name}{prime} of the input layer: no activation function acts on the input")
        return self._apply(node, k, self.eval(node.arg), node.arg)

    def _layer_of(self, arg) -> int:
        for var in walk(arg):
            if isinstance(var, tree.Var) and var.base in ("z", "a", "Z", "A") and var.layer is not None:
                return self.layer_k(var.layer, var_text(var), lowest=0 if var.base in ("a", "A") else 1)
            if isinstance(var, tree.Var) and var.base == "z" and self.frame.own_layer is not None:
                return self.frame.own_layer
        if self.b.depth == 1:
            return 1
        raise GradingError("cannot tell which layer's activation this is: write f^l or an argument such as z^l")

    def _apply(self, node: tree.Activation, k: int, arg: Value, arg_node) -> Value:
        direct = isinstance(arg_node, tree.Var) and arg_node.base == "z"
        e = self.example_of(getattr(arg_node, "example", None))

        row = arg.rows is None and arg.cols not in (None, EXAMPLES_DIM)  # z^l of a row-vector text

        def position(i, j):
            if arg.rows is not None:
                return i
            if row:
                return j
            return self.index(arg_node.indices[0]) if arg_node.indices else 1

        def get(i, j):
            if node.prime:
                if direct:
                    return self.b.fprime(k, position(i, j), e)
                return self.b.fprime_at(k, arg.get(i, j))
            if direct:
                return self.b.a(k, position(i, j), e)
            return self.b.function(k)(arg.get(i, j))

        layer = arg.cols if row else arg.rows
        if direct and layer is not None and layer != k:
            raise Wrong(f"f'(z) of layer {self.nt.layer(layer)} at layer {self.nt.layer(k)}")
        return Value(arg.rows, arg.cols, get, "f'" if node.prime else "f")

    def _Function(self, node: tree.Function) -> Value:
        arg = self.eval(node.arg)
        if node.name == "sum" and node.axis is not None and not node.every_entry:
            return self._axis_sum(arg, node.axis)
        if node.name == "sum":  # the code's sum(dZ) / np.sum(dZ, axis=1): over the batch's examples
            if node.every_entry and not arg.scalar:
                # np.sum(W1), np.sum(dZ1): NumPy adds up every entry of the array, one number
                return scalar(self.b.sum(lambda i: self.b.sum(lambda j: arg.get(i, j), arg.cols), arg.rows))
            if arg.rows == EXAMPLES_DIM and arg.cols != EXAMPLES_DIM:  # a row per example: a row vector
                return Value(None, arg.cols, lambda _, j: self.b.sum(lambda e: arg.get(e, j), EXAMPLES_DIM))
            if arg.cols != EXAMPLES_DIM:
                raise GradingError(
                    f"sum(…) of {self._shape(arg)}: only a sum over a batch's examples (the columns of dZ, or the "
                    "rows of a row-vector text's batch) is graded; write the sum with \\sum_j for a sum over neurons"
                )
            return Value(arg.rows, None, lambda i, _: self.b.sum(lambda e: arg.get(i, e), EXAMPLES_DIM))
        fn = {"exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "tanh": sp.tanh}[node.name]
        return Value(arg.rows, arg.cols, lambda i, j: fn(arg.get(i, j)))

    def _axis_sum(self, arg: Value, axis: int) -> Value:
        """NumPy's np.sum(M, axis=0) (down the rows: one number per column) and axis=1 (along the columns)."""
        if arg.scalar:
            return arg
        if axis == 0:
            if arg.rows is None:  # a row vector's rows: each entry is its own sum
                return arg
            if arg.cols is None:
                return scalar(self.b.sum(lambda i: arg.get(i, 1), arg.rows))
            return Value(None, arg.cols, lambda _, j: self.b.sum(lambda i: arg.get(i, j), arg.rows))
        if arg.cols is None:
            return arg
        if arg.rows is None:
            return scalar(self.b.sum(lambda j: arg.get(1, j), arg.cols))
        return Value(arg.rows, None, lambda i, _: self.b.sum(lambda j: arg.get(i, j), arg.cols))

    def _Sum(self, node: tree.Sum) -> Value:
        upper = node.upper
        if isinstance(upper, tree.Var) and upper.base in ("m", "n") and not upper.layer:
            return self._example_sum(node)
        if upper is None and any(getattr(n, "example", None) == node.index for n in walk(node.body)):
            return self._example_sum(node)  # Nielsen's Σ_x δ^{x,l} (a^{x,l-1})ᵀ: x names the example
        if node.index == "l":
            return self._layer_sum(node)
        k = self._index_layer(node.body, node.index)
        if k is None and node.index == "x" and upper is None:
            return self._example_sum(node)  # Nielsen's (1/n) Σ_x x_j (σ(z) − y): over the training inputs x
        if k is None:
            raise GradingError(f"cannot tell the range of the summation index {node.index}: it indexes nothing")
        self._check_bounds(node, k)

        def body(s):
            saved = dict(self.frame.env)
            self.frame.env[node.index] = s
            try:
                value = self.eval(node.body)
                if not value.scalar:
                    raise Wrong(f"the body of the sum over {node.index} is not a number but a vector or matrix")
                return value.get(1, 1)
            finally:
                self.frame.env = saved

        return scalar(self.b.sum(body, k))

    def _check_bounds(self, node: tree.Sum, k: int) -> None:
        """Explicit bounds must be 1 and the width of the layer the index runs over, or 0 and one less: every
        neuron numbered from 0, as 3Blue1Brown numbers them (Σ_{j=0}^{n_L-1})."""
        if node.lower is not None and node.upper is not None:
            lower, upper = self.eval(node.lower), self.eval(node.upper)
            if lower.scalar and upper.scalar:
                bounds = (sp.sympify(lower.get(1, 1)), sp.sympify(upper.get(1, 1)))
                if bounds == (sp.Integer(0), sp.sympify(self.b.width(k)) - 1):
                    return
        for bound, want in ((node.lower, sp.Integer(1)), (node.upper, self.b.width(k))):
            if bound is None:
                continue
            value = self.eval(bound)
            got = sp.sympify(value.get(1, 1)) if value.scalar else None
            if got is not None and got != sp.sympify(want):
                which = "starts at" if bound is node.lower else "runs to"
                shown = show(bound, letters=text_letters(self.nt))
                shown += "" if shown == str(got) else f" = {got}"
                raise Wrong(
                    f"the sum over {node.index} {which} {shown}, but {node.index} indexes "
                    f"layer {self.nt.layer(k)} ({self.b.width(k)} neurons)"
                )

    def _layer_sum(self, node: tree.Sum) -> Value:
        """UFLDL's Σ_{l=1}^{n_l-1}: the body at every layer l of the bounds (all weight layers without bounds)."""
        last = self.nt.layer(self.b.depth)  # UFLDL's n_l, the number of the output layer
        numbers = [self.nt.weight_layer(k) for k in range(1, self.b.depth + 1)]
        lower = bound_of(node.lower, last)
        upper = bound_of(node.upper, last)
        chosen = [n for n in numbers if (lower is None or n >= lower) and (upper is None or n <= upper)]
        if lower is not None and upper is not None and chosen != list(range(lower, upper + 1)):
            raise Wrong(f"the sum over l runs over {lower}..{upper}, but the weights here are {numbers}")
        saved = self.frame.l
        total = sp.Integer(0)
        try:
            for number in chosen:
                self.frame.l = number
                value = self.eval(node.body)
                if not value.scalar:
                    raise Wrong("the body of the sum over the layers l is not a number")
                total += value.get(1, 1)
        finally:
            self.frame.l = saved
        return scalar(total)

    def _example_sum(self, node: tree.Sum) -> Value:
        """Σ_{i=1}^m over the batch: i names an example (x^{(i)}, J(W,b;x^{(i)},y^{(i)})), never a component."""
        saved_example, saved_names = self.frame.example, dict(self.frame.example_names)
        values = []
        try:
            for e in range(len(self.b.net.layers)):
                self.frame.example_names[node.index] = e
                self.frame.example = e
                values.append(self.eval(node.body))
        finally:
            self.frame.example, self.frame.example_names = saved_example, saved_names
        first = values[0]
        if any((v.rows, v.cols) != (first.rows, first.cols) for v in values):
            raise Wrong(f"the summands of the sum over the examples {node.index} have different shapes")
        return Value(first.rows, first.cols, lambda i, j: sp.Add(*[v.get(i, j) for v in values]))

    def _index_layer(self, body, name: str) -> int | None:
        """The layer whose neurons the summation index runs over, from the first place it indexes."""
        for node in walk(body):
            if isinstance(node, tree.Partial):
                node = node.wrt
            if not isinstance(node, tree.Var) or name not in node.indices:
                continue
            position = node.indices.index(name)
            if node.base in ("W", "w"):
                k = self.weight_k(node.layer, var_text(node))
                dims = self.nt.weight_dims(k)
                return dims[position]
            if node.base in ("b",):
                return self.weight_k(node.layer, var_text(node))
            if node.base in ("z", "delta"):
                return self.layer_k(node.layer, var_text(node))
            if node.base == "a":
                return self.layer_k(node.layer, var_text(node), lowest=0) if node.layer else self.b.depth
            if node.base == "x":
                return 0
            if node.base == "y":
                return self.b.depth
        return None

    def _Elided(self, node: tree.Elided) -> Value:
        terms = self.elided_terms(node)
        product = terms[0]
        for term in terms[1:]:
            product = tree.BinOp(node.op, product, term, node.column)
        return self.eval(product)

    def elided_terms(self, node: tree.Elided) -> list:
        """Every term of an elided product at this layer l, the elided ones included.

        Its layers made numbers, the last term (or two, for a run of pairs) before the elision and the first after
        it must be the same terms at layers a constant d apart, and two terms side by side must show which way the
        layers run. The elided terms are those between, one layer apart. Where the terms written on either side
        run past each other (d of the other sign), this layer is :class:`Undescribed`; where they meet (d = 0),
        the term is written once."""
        before = [self._numbered(t) for t in node.before]
        after = [self._numbered(t) for t in node.after]
        period = tree.elided_period(node.before, node.after)  # the reader made sure there is one
        d = _shift(before[-period:], after[:period])
        ways = {
            _shift(side[:period], side[period:])
            for side in (before[-2 * period :], after[: 2 * period])
            if len(side) == 2 * period
        } | {tree.written_way(node.before[-period], node.after[0])}
        ways -= {None}
        if d is None or len(ways) != 1 or not ways <= {-1, 1}:
            raise GradingError(
                f"the terms written around the elision (column {node.column}) do not show which way the layers "
                "run: write two consecutive terms on one side of it, as in W^1 W^2 ⋯ W^L"
            )
        way = next(iter(ways))
        steps = d * way
        if steps < 0:
            raise Undescribed(
                f"at l = {self.frame.l} the terms written before and after the elision run past each other"
            )
        if steps == 0:  # they meet: the term written on both sides is one term
            return before + after[period:]
        block = before[-period:]
        return before + [_layers_shifted(t, way * s) for s in range(1, steps) for t in block] + after

    def _numbered(self, node):
        """``node`` with each layer a number (l = 2: W^{l+1} as W^3)."""
        return tree.layers_mapped(
            node, lambda layer: tree.Layer(None, self.layer_number(layer, "a layer"), layer.parenthesised)
        )

    def _Compare(self, node: tree.Compare) -> Value:
        """A > 0 entry by entry: 1 where it holds, 0 elsewhere (NumPy's mask of a ReLU)."""
        left, right = self.eval(node.left), self.eval(node.right)
        if left.scalar != right.scalar:
            left, right = broadcast(left, right)
        if (left.rows, left.cols) != (right.rows, right.cols):
            raise self._mismatch("a comparison", node, left, right)
        relation = {"<": sp.Lt, ">": sp.Gt, "<=": sp.Le, ">=": sp.Ge}[node.op]
        return Value(
            left.rows, left.cols, lambda i, j: sp.Piecewise((1, relation(left.get(i, j), right.get(i, j))), (0, True))
        )

    def _BinOp(self, node: tree.BinOp) -> Value:
        left, right = self.eval(node.left), self.eval(node.right)
        fits = (left.cols == right.rows) if node.op == "dot" else (left.rows, left.cols) == (right.rows, right.cols)
        if node.op in ("dot", "star", "hadamard") and (self.unit(left) or self.unit(right)) and not fits:
            # one neuron in a layer: its vectors and matrices are numbers (3Blue1Brown's chain of neurons)
            left = scalar(left.get(1, 1)) if self.unit(left) else left
            right = scalar(right.get(1, 1)) if self.unit(right) else right
        if node.op in ("+", "-"):
            if left.scalar != right.scalar:  # 1 - a, NumPy's 1 - AL: a number and each entry
                left, right = broadcast(left, right)
            if not self.same_shape(left, right):
                raise self._mismatch("a sum" if node.op == "+" else "a difference", node, left, right)
            sign = 1 if node.op == "+" else -1
            return Value(left.rows, left.cols, lambda i, j: left.get(i, j) + sign * right.get(i, j))
        if node.op == "/":
            if not right.scalar:  # a / b of vectors, or 1 / a: elementwise, the only meaning it can have
                if left.scalar:
                    return Value(right.rows, right.cols, lambda i, j: left.get(1, 1) / right.get(i, j))
                if not self.same_shape(left, right):
                    raise self._mismatch("an elementwise division", node, left, right)
                return Value(left.rows, left.cols, lambda i, j: left.get(i, j) / right.get(i, j))
            return Value(left.rows, left.cols, lambda i, j: left.get(i, j) / right.get(1, 1))
        if left.scalar or right.scalar:
            big = right if left.scalar else left
            return Value(
                big.rows,
                big.cols,
                lambda i, j: left.get(1, 1) * right.get(i, j) if left.scalar else left.get(i, j) * right.get(1, 1),
            )
        if node.op == "star":
            node = tree.BinOp(self._star(left, right, node.column), node.left, node.right, node.column)
        fits = left.cols is not None and left.cols == right.rows and not self.same_shape(left, right)
        composed = self.nt.composes and fits or "diag" in (left.label, right.label)
        if node.op == "hadamard" and composed:  # the notes' ∘: a composition of linear maps (with a diagonal one,
            # the Hadamard product of a vector)
            if right.label == "diag" and left.cols is None and left.rows == right.rows:
                left, right = right, left  # a ∘ (f^l)' is (f^l)' ∘ a
            if left.cols != right.rows:
                raise self._mismatch("a composition", node, left, right, fit=True)
            return Value(
                left.rows, right.cols, lambda i, j: self.b.sum(lambda s: left.get(i, s) * right.get(s, j), left.cols)
            )
        if node.op == "hadamard":
            if left.cols is None and right.cols is not None and left.rows == right.rows:
                # the notes' (f^l)' ∘ (W^{l+1})^T: f' as the diagonal matrix, ∘ as composition
                return Value(right.rows, right.cols, lambda i, j: left.get(i, 1) * right.get(i, j))
            if not self.same_shape(left, right):
                raise self._mismatch("an elementwise product", node, left, right)
            return Value(left.rows, left.cols, lambda i, j: left.get(i, j) * right.get(i, j))
        if left.cols != right.rows:
            raise self._mismatch("a matrix product", node, left, right, fit=True)
        inner = left.cols
        return Value(left.rows, right.cols, lambda i, j: self.b.sum(lambda s: left.get(i, s) * right.get(s, j), inner))

    def same_shape(self, left: Value, right: Value) -> bool:
        """Whether two values have one shape at these widths: a layer of one neuron's dimension is 1 (δ^3 Wᵀ of
        an output of one neuron is a column, as δ^3 is a number there)."""

        def dims(v: Value) -> tuple:
            return tuple(None if d is not None and d != EXAMPLES_DIM and self.b.width(d) == 1 else d
                         for d in (v.rows, v.cols))  # fmt: skip

        return (left.rows, left.cols) == (right.rows, right.cols) or dims(left) == dims(right)

    def unit(self, v: Value) -> bool:
        """Whether every dimension of ``v`` has width 1 at these widths (a 1 x 1 matrix is a number)."""
        if v.scalar:
            return False
        return all(d is None or (d != EXAMPLES_DIM and self.b.width(d) == 1) for d in (v.rows, v.cols))

    def _star(self, left: Value, right: Value, column: int) -> str:
        """What an ASCII ``*`` between two matrices means: elementwise where the notation writes it so
        (deeplearning.ai, UFLDL's code, Ng's .*) and the shapes agree; otherwise the one reading the shapes
        allow. Where both fit and the notation does not say, the answer is not graded on a guess."""
        elementwise = (left.rows, left.cols) == (right.rows, right.cols)
        product = left.cols == right.rows
        if elementwise and (self.nt.hadamard.ascii in ("*", ".*") or not product):
            return "hadamard"
        if product and not elementwise:
            return "dot"
        if not product:
            return "hadamard"  # neither fits: ⊙ names the mismatch
        raise GradingError(
            f"'*' at column {column} is ambiguous between {self._shape(left)} and {self._shape(right)}: "
            f"in {self.nt.name} notation it may be the matrix product or the elementwise one; write \\cdot "
            "(or @) for the product and \\odot (or (.)) for the elementwise product"
        )

    def _mismatch(self, what: str, node: tree.BinOp, left: Value, right: Value, fit: bool = False) -> Wrong:
        """Why two operands cannot be combined, in a teacher's words, with the column of the operator."""
        need = "the columns of the first must match the rows of the second" if fit else "it needs equal shapes"
        words = Words(
            f"{what} of {{0}}, {{1}}, and {{2}}, {{3}}, is not defined: {need} (column {node.column})",
            (node.left, self._shape_text(left), node.right, self._shape_text(right)),
        )
        letters = text_letters(self.nt)
        return Wrong(words.text(letters), _Letters(words, letters))

    def _shape(self, v: Value) -> str:
        return self._shape_text(v).text

    def _shape_text(self, v: Value) -> Text:
        """A value's shape in words: "an n_2 × 1 matrix", typeset as "an $n_{2} \\times 1$ matrix"."""

        def dim(d, tex=False):
            if d is None or d == EXAMPLES_DIM:
                return "1" if d is None else "m"
            return f"n_{{{self.nt.layer(d)}}}" if tex else f"n_{self.nt.layer(d)}"

        if v.scalar:
            return Text("a number", "\\text{a number}")
        article = "an" if dim(v.rows).startswith(("n", "m")) else "a"
        return Text(
            f"{article} {dim(v.rows)} × {dim(v.cols)} matrix",
            f"\\text{{{article} }}{dim(v.rows, True)} \\times {dim(v.cols, True)}\\text{{ matrix}}",
        )

    def _Neg(self, node: tree.Neg) -> Value:
        v = self.eval(node.operand)
        return Value(v.rows, v.cols, lambda i, j: -v.get(i, j))

    def _Power(self, node: tree.Power) -> Value:
        base, exponent = self.eval(node.base), self.eval(node.exponent)
        if not exponent.scalar:
            raise Wrong("an exponent must be a number")
        return Value(base.rows, base.cols, lambda i, j: base.get(i, j) ** exponent.get(1, 1))

    def _Transpose(self, node: tree.Transpose) -> Value:
        v = self.eval(node.operand)
        return Value(v.cols, v.rows, lambda i, j: v.get(j, i))

    def _Ones(self, node: tree.Ones) -> Value:
        def dim(size) -> int | None:
            if size == tree.Num(1):
                return None
            if isinstance(size, tree.Var) and size.base == "m":
                return EXAMPLES_DIM
            raise GradingError(
                f"np.ones((…)) at column {node.column}: each dimension is read as the batch's m (a name bound to "
                f"it, such as --names 'batch_size = m') or 1, not {show(size)}"
            )

        rows, cols = dim(node.rows), dim(node.cols)
        if rows is None and cols is None:
            return scalar(sp.Integer(1))
        return Value(rows, cols, lambda i, j: sp.Integer(1))

    def _Kronecker(self, node: tree.Kronecker) -> Value:
        return scalar(sp.Integer(int(self.index(node.first) == self.index(node.second))))

    def _Norm(self, node: tree.Norm) -> Value:
        v = self.eval(node.operand)
        if v.cols is not None:
            raise Wrong("‖·‖ of a matrix")
        return scalar(sp.sqrt(self.b.sum(lambda s: v.get(s, 1) ** 2, v.rows)))


def _d_meaning(node: tree.Var):
    """What deeplearning.ai's dz, da, dW, dw, db name, in the reader's terms: δ, ∂C/∂a, ∂C/∂W, ∂C/∂b."""
    if node.base == "dz":
        return tree.Var("delta", node.layer, node.indices, node.example, node.column)
    wrt = {"da": "a", "dW": "W", "dw": "W", "db": "b"}[node.base]
    return tree.Partial(tree.Cost("J"), tree.Var(wrt, node.layer, node.indices, node.example, node.column), node.column)


def bound_of(node, last: int) -> int | None:
    """A layer sum's bound: a number, or n_l - c (UFLDL's n_l is the number of layers: the output's number)."""
    if node is None:
        return None
    if isinstance(node, tree.Num) and node.denominator == 1:
        return node.numerator
    if isinstance(node, tree.Var) and node.base in ("s", "L"):
        return last
    if isinstance(node, tree.BinOp) and node.op in ("+", "-") and isinstance(node.right, tree.Num):
        base = bound_of(node.left, last)
        if base is not None:
            return base + (node.right.numerator if node.op == "+" else -node.right.numerator)
    raise GradingError("the bounds of a sum over layers l must be numbers or n_l - c")


def broadcast(left: Value, right: Value) -> tuple[Value, Value]:
    """A number added to a vector or a matrix is added to each entry (1 - a^L, NumPy's 1 - AL)."""
    shape = right if left.scalar else left

    def spread(v: Value) -> Value:
        return Value(shape.rows, shape.cols, lambda i, j: v.get(1, 1)) if v.scalar else v

    return spread(left), spread(right)


def _diff(expr: sp.Expr, var: sp.Expr) -> sp.Expr:
    """∂expr/∂var, also where var is an expression (an activation a^{l-1}_k = σ(z^{l-1}_k) of the concrete
    network): through a stand-in for it, put back after."""
    if isinstance(var, sp.Symbol):
        return sp.diff(expr, var)
    stand_in = sp.Dummy("u", real=True)
    return sp.diff(expr.xreplace({var: stand_in}), stand_in).xreplace({stand_in: var})


class _Letters:
    """A verdict's :class:`Words` with the letters the answer was written in, typeset on demand."""

    def __init__(self, words: Words, letters: dict):
        self.words, self.letters = words, letters

    def latex(self) -> str:
        return self.words.latex(self.letters)


def walk(node):
    yield node
    if isinstance(node, (tree.Var, tree.Num, tree.Cost, tree.Penalty)) or node is None:
        return
    for value in vars(node).values():
        if isinstance(
            value,
            (
                tree.Var,
                tree.Num,
                tree.Cost,
                tree.Partial,
                tree.Penalty,
                tree.Activation,
                tree.Function,
                tree.Sum,
                tree.BinOp,
                tree.Neg,
                tree.Power,
                tree.Transpose,
                tree.Norm,
                tree.Kronecker,
                tree.Ones,
                tree.Elided,
            ),
        ):
            yield from walk(value)
        elif isinstance(value, tuple) and isinstance(node, tree.Elided):  # the terms written around ⋯
            for term in value:
                yield from walk(term)


def _layers_shifted(node, by: int):
    return tree.layers_mapped(node, lambda layer: replace(layer, offset=layer.offset + by))


def _shift(first: list, second: list) -> int | None:
    """The one number d such that the terms ``second`` are ``first`` with every layer number plus d, or None."""
    shifts = set()
    for a, b in zip(first, second, strict=True):
        if tree.skeleton(a) != tree.skeleton(b):
            return None
        pairs = zip(tree.layers_of(a), tree.layers_of(b), strict=True)
        shifts |= {second.offset - first.offset for first, second in pairs}
    if len(shifts) != 1:
        return None
    return next(iter(shifts))


def var_text(node: tree.Var) -> str:
    name = {"delta": "δ", "lambda": "λ", "eta": "η"}.get(node.base, node.base)
    if node.layer is not None:
        layer = node.layer.text()
        name += "^" + (layer if len(layer) == 1 else "{" + layer + "}")
    if node.indices:
        index = ",".join(str(i) for i in node.indices)
        name += "_" + (index if len(index) == 1 else "{" + index + "}")
    return name


def as_column(value: Value) -> Value:
    """A row vector (of a row-vector notation) as the column the derivation computes; anything else as it is."""
    if value.rows is None and value.cols is not None:
        return Value(value.cols, None, lambda i, j: value.get(j, i), value.label)
    return value


def dims_of(nt: Notation, kind: str, k: int, depth: int) -> tuple:
    if kind in ("weight", "update"):
        return nt.weight_dims(k)
    if kind == "bias_update":
        kind = "bias"
    if kind == "input":
        return (0, None)
    if kind == "cost_gradient":
        return (k or depth, None)
    if kind == "cost":
        return (None, None)
    return (k, None)
