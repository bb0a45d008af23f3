"""The catalogue of notations: the texts people learn backpropagation from, as data.

Each entry is a :class:`~symbackprop.notation.model.Notation` that cites its
source (author, title, section and a public address), spells every quantity
as that text does, numbers layers as it does, names its steps as it does, and
records what was decided where the text is ambiguous or silent. The closed
forms each text states live in :mod:`symbackprop.closed_forms`, registered
under the same name. Adding a notation is adding an entry here (or calling
:func:`register`) plus its closed-form recipes and tests; a spec can also
derive its own from an entry (:func:`derive`, the spec's ``[notation]`` table).

``symbackprop notations`` prints this catalogue.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator

from symbackprop.notation.model import Citation, Notation, Spelling
from symbackprop.notation.spelling import SIGNS, latin

#: The letters most notations share; an entry overrides what its text writes otherwise.
COMMON = {
    "weight": latin("W"),
    "bias": latin("b"),
    "weighted_input": latin("z"),
    "activation": latin("a"),
    "error": SIGNS["delta"],
    "input": latin("x"),
    "target": latin("y"),
    "example_cost": Spelling("C_x", "C_x", "C_x"),
    "cost": latin("C"),
    "function": latin("f"),
    "width": latin("n"),
    "examples": latin("m"),
    "training_set_size": latin("n"),
    "decay": SIGNS["lambda"],
    "learning_rate": SIGNS["eta"],
}

# -- the sources --------------------------------------------------------------------------------------

NIELSEN_BOOK = Citation(
    "M. Nielsen",
    "Neural Networks and Deep Learning",
    "ch. 2, How the backpropagation algorithm works (BP1-BP4); ch. 3 (cross-entropy, softmax, L2)",
    "http://neuralnetworksanddeeplearning.com/chap2.html",
    "2015",
)
NOTES = Citation(
    "A. Thorpe",
    "Notes on Neural Networks",
    "the gradient as the transpose of the total derivative",
    "https://en.wikipedia.org/wiki/Backpropagation#Matrix_multiplication",
    note="the notes have no public copy; the Wikipedia section at this address derives the same matrix form",
)
BLOG_POST = Citation(
    "",
    "Gradient descent and backpropagation (a blog post summarising Nielsen's chapters 1-2)",
    "BP1-BP4 in the transposed convention",
    "http://neuralnetworksanddeeplearning.com/chap2.html",
    note="the post's author and address could not be found; this is the chapter it summarises (its footnote 5)",
)
UFLDL_TUTORIAL = Citation(
    "A. Ng, J. Ngiam, C. Y. Foo, Y. Mai, C. Suen",
    "UFLDL Tutorial",
    "Multi-Layer Neural Network, Backpropagation Algorithm",
    "http://ufldl.stanford.edu/tutorial/supervised/MultiLayerNeuralNetworks/",
    "2013",
    note="as quoted in https://math.stackexchange.com/questions/2268692/",
)
COURSERA_ML = Citation(
    "A. Ng",
    "Machine Learning (Coursera)",
    "week 5, Backpropagation Algorithm; Programming Exercise 4 (ex4), section 2.3",
    "https://www.coursera.org/learn/machine-learning",
    "2011",
)
DEEPLEARNING_AI = Citation(
    "A. Ng, K. Katanforoosh, Y. B. Mourri",
    "Neural Networks and Deep Learning (Deep Learning Specialization, course 1)",
    "week 4, Building your Deep Neural Network: Step by Step, eqs. (4) and (7)-(11)",
    "https://www.coursera.org/learn/neural-networks-deep-learning",
    "2017",
)
BISHOP_BOOK = Citation(
    "C. M. Bishop",
    "Pattern Recognition and Machine Learning",
    "section 5.3, Error Backpropagation, eqs. (5.48)-(5.57)",
    "https://www.microsoft.com/en-us/research/uploads/prod/2006/01/"
    "Bishop-Pattern-Recognition-and-Machine-Learning-2006.pdf",
    "2006",
)
GOODFELLOW_BOOK = Citation(
    "I. Goodfellow, Y. Bengio, A. Courville",
    "Deep Learning",
    "section 6.5.4, Algorithms 6.3 and 6.4",
    "https://www.deeplearningbook.org/contents/mlp.html",
    "2016",
)
THREE_BLUE_ONE_BROWN = Citation(
    "G. Sanderson (3Blue1Brown)",
    "Backpropagation calculus (Neural networks, chapter 4)",
    "",
    "https://www.3blue1brown.com/lessons/backpropagation-calculus",
    "2017",
)
CS231N = Citation(
    "A. Karpathy et al.",
    "CS231n course notes",
    "Putting it together: Minimal Neural Network Case Study",
    "https://cs231n.github.io/neural-networks-case-study/",
)

# -- the entries ----------------------------------------------------------------------------------------

NIELSEN = Notation(
    name="nielsen",
    description="Nielsen's book: the input is layer 1, w^l_{jk} from neuron k of layer l-1 to neuron j of layer l, "
    "sigma, C_x, BP1-BP4",
    citation=NIELSEN_BOOK,
    symbols={**COMMON, "weight": latin("w"), "function": SIGNS["sigma"]},
    input_layer=1,
    function_layered=False,
    unregularised_cost=True,
    indices=("j", "k"),
    input_index="k",
    steps={"input_gradient": "grad_x C (not in Nielsen: BP2's product, one layer further)"},
    decisions=(
        "sigma stands for each layer's activation function, as ch. 2 says BP1-BP4 hold for any; the layer "
        "shows in its argument, sigma'(z^l)",
        "the widths, which the book leaves unnamed (sizes in network.py), are written n_l",
        "the batch cost averages over the m examples of a mini-batch; L2 is (lambda/2n) sum w^2 with n the "
        "training-set size (ch. 3, eq. 85) in the dataset scale",
        "C_0 is the cost without its weight decay (C = C_0 + (lambda/2n) sum w^2, eq. 85), the average over the "
        "training set, whose n examples then make the batch; a w or b without a layer, as in eq. (88) and (89), "
        "is any layer's",
    ),
)

NOTES_NOTATION = Notation(
    name="notes",
    description="the Notes on Neural Networks: the input x is layer 0, W^l, f^l, the Hadamard product written "
    "o (circ), grad_x C as the transpose of the covector dC/dx",
    citation=NOTES,
    symbols=COMMON,
    hadamard=SIGNS["circ"],
    indices=("i", "j"),
    input_index="j",
    steps={
        "BP1": "delta^L (the l = L case of the closed form of delta^l)",
        "BP2": "delta^(l-1) = (f^(l-1))' o (W^l)^T delta^l",
        "BP3": "the bias gradient is delta^l",
        "BP4": "grad_(W^l) C = delta^l (a^(l-1))^T",
        "input_gradient": "grad_x C = (dC/dx)^T",
    },
    decisions=(
        "the notes never number the input; their chain ends in dz^1/dx, so x is layer 0",
        "'dC/da^L_i = a^L_i - y' is read as a^L_i - y_i (the index is missing in the notes)",
        "the forward formula has no biases; the bias is the weight of a constant input 1, written b^l here",
        "the notes write the cost of their one example C; it is C_x here, and C the batch's",
        "(f^l)' is the diagonal matrix da^l/dz^l and o composes, as the notes say, so their unrolled "
        "(f^l)' o (W^{l+1})^T . (f^{l+1})' o ... is read as one product of matrices, whatever its grouping",
    ),
    composes=True,
)

BLOG = Notation(
    name="blog",
    description="the blog post Gradient descent and backpropagation: transposed weights, w^l_{ij} from neuron i of "
    "layer l-1 to neuron j of layer l, z^l = (w^l)^T a^{l-1} + b^l, the activation function a(.)",
    citation=BLOG_POST,
    symbols={**COMMON, "weight": latin("w"), "function": latin("a")},  # the blog writes a(·) and a'(z)
    transposed=True,
    function_layered=False,
    indices=("i", "j"),
    input_index="j",
    decisions=(
        "the input's layer number is not stated; the input is layer 0, as symbackprop has numbered it since 0.1",
        "under BP2 the post says row i of w^{l+1} holds the weights into neuron i; that contradicts its own "
        "convention, and its formula delta^l = w^{l+1} delta^{l+1} (.) a'(z^l) is followed instead",
    ),
)

UFLDL = Notation(
    name="ufldl",
    description="the UFLDL tutorial: layers numbered from 1 (the input) to n_l, W^{(l)}_{ij} from neuron j of "
    "layer l to neuron i of layer l+1, widths s_l, the cost J(W,b), the product written *",
    citation=UFLDL_TUTORIAL,
    whole_training_set=True,
    symbols={
        **COMMON,
        "width": latin("s"),
        "cost": Spelling("J(W,b)", "J(W,b)", "J(W,b)"),
        "example_cost": Spelling("J(W,b;x,y)", "J(W,b;x,y)", "J(W,b;x,y)"),
        "learning_rate": SIGNS["alpha"],
    },
    input_layer=1,
    weight_offset=-1,
    layer_style="parenthesised",
    hadamard=SIGNS["bullet"],
    indices=("i", "j"),
    input_index="j",
    output_layer=Spelling("n_l", "n_l", "n_l"),
    steps={
        "BP1": "step 2: delta^(n_l)",
        "BP2": "step 3: delta^(l)",
        "BP3": "step 4: grad_(b^(l)) J",
        "BP4": "step 4: grad_(W^(l)) J",
        "input_gradient": "grad_x J (not in UFLDL: step 3's product at the input)",
    },
    decisions=("the decay is (lambda/2) sum W^2, not divided by m, so the batch gradient gains lambda W",),
)

COURSERA = Notation(
    name="coursera_ml",
    description="Ng's Machine Learning course: layers from 1, Theta^{(l)} maps layer l to l+1 with the biases as "
    "its column 0, g, delta^{(L)} = a^{(L)} - y, the accumulators Delta and D",
    citation=COURSERA_ML,
    whole_training_set=True,
    symbols={
        **COMMON,
        "weight": SIGNS["theta"],
        "function": latin("g"),
        "width": latin("s"),
        "cost": Spelling("J(Theta)", "J(Θ)", r"J(\Theta)"),
        "example_cost": Spelling("cost(i)", "cost(i)", r"\mathrm{cost}(i)"),
        "learning_rate": SIGNS["alpha"],
    },
    input_layer=1,
    weight_offset=-1,
    layer_style="parenthesised",
    hadamard=Spelling(".*", ".*", r".\!*"),
    function_layered=False,
    bias_column=True,
    indices=("i", "j"),
    input_index="j",
    steps={
        "BP1": "step 2: delta^(L)",
        "BP2": "step 3: delta^(l) = (Theta^(l))^T delta^(l+1) .* g'(z^(l))",
        "BP3": "steps 4-5: D^(l)_(i0), the bias column",
        "BP4": "steps 4-5: Delta^(l) := Delta^(l) + delta^(l+1) (a^(l))^T, D^(l) = (1/m) Delta^(l) + lambda Theta^(l)",
        "input_gradient": "grad_x J (not in the course)",
    },
    decisions=(
        "D^(l) = (1/m) Delta^(l) + lambda Theta^(l) (the lecture's form) goes with the cost (lambda/2) sum Theta^2, "
        "the batch scale; ex4 writes (lambda/m) Theta for its cost (lambda/2m) sum Theta^2, which is this form "
        "with lambda/m for lambda",
        "delta^(L) = a^(L) - y holds for sigmoid outputs with the cross-entropy cost, the course's network; for "
        "other outputs and costs the general BP1 is checked",
        "the bias unit's delta_0 is dropped, as ex4 says",
    ),
)

DEEPLEARNING = Notation(
    name="deeplearning_ai",
    description="the Deep Learning Specialization: examples as columns (X is n_x x m), Z^{[l]} = W^{[l]} A^{[l-1]} "
    "+ b^{[l]}, g^{[l]}, dZ, dW, db, dA, the product written *",
    citation=DEEPLEARNING_AI,
    whole_training_set=True,
    symbols={
        **COMMON,
        "weighted_input": latin("Z"),
        "activation": latin("A"),
        "error": latin("dZ"),
        "input": latin("X"),
        "target": latin("Y"),
        "function": latin("g"),
        "cost": latin("J"),
        "example_cost": Spelling("L", "𝓛", r"\mathcal{L}"),
        "learning_rate": SIGNS["alpha"],
    },
    layer_style="bracketed",
    hadamard=Spelling("*", "*", "*"),
    examples="columns",
    steps={
        "BP1": "dZ^[L] = dA^[L] * g^[L]'(Z^[L]) (eq. 11 at L)",
        "BP2": "eqs. (10)-(11): dZ^[l] = W^[l+1]T dZ^[l+1] * g^[l]'(Z^[l])",
        "BP3": "eq. (9): db^[l] = (1/m) sum_i dZ^[l](i)",
        "BP4": "eq. (8): dW^[l] = (1/m) dZ^[l] A^[l-1]T",
        "input_gradient": "eq. (10) at the input: dA^[0] = W^[1]T dZ^[1]",
    },
    decisions=(
        "dZ is the derivative of each example's loss (no 1/m), as in the graded code; the 1/m is in dW and db",
        "dW = (1/m) dZ A^T is the sum over the batch's columns of dz a^T, which is how it is checked here",
        "L2: the course's (lambda/2m) sum W^2 gives (lambda/m) W: the dataset scale with the course's m, the "
        "whole training set, as its n (or l2 = lambda/m in the batch scale)",
    ),
)

BISHOP = Notation(
    name="bishop",
    description="Bishop's Pattern Recognition and Machine Learning: a_j = sum_i w_ji z_i is the weighted input, "
    "z_j = h(a_j) the activation, delta_j = dE_n/da_j, targets t, the error E_n",
    citation=BISHOP_BOOK,
    symbols={
        **COMMON,
        "weight": latin("w"),
        "weighted_input": latin("a"),
        "activation": latin("z"),
        "target": latin("t"),
        "function": latin("h"),
        "example_cost": Spelling("E_n", "E_n", "E_n"),
        "cost": latin("E"),
        "examples": latin("N"),
    },
    layer_style="parenthesised",
    function_layered=False,
    indices=("j", "i"),
    input_index="i",
    steps={
        "BP1": "(5.54): delta_k",
        "BP2": "(5.56): delta_j = h'(a_j) sum_k w_kj delta_k",
        "BP3": "(5.53) for a bias (z_0 = 1)",
        "BP4": "(5.53): dE_n/dw_ji = delta_j z_i",
        "input_gradient": "(5.73): the input's share of the Jacobian",
    },
    unit_layers={"i": -1, "j": 0, "k": 1},
    decisions=(
        "Bishop numbers only the layers of weights, w^(1), w^(2); the units take the same numbers here, the "
        "input being layer 0",
        "a formula without layers (delta_j = h'(a_j) sum_k w_kj delta_k, dE_n/dw_ji = delta_j z_i) is read as "
        "Bishop means it, for a general layer: unit j in layer l, i in layer l-1, k in layer l+1; a formula "
        "with one unit letter (delta_k = y_k - t_k) says no layer and is read for the layer its equation names",
        "the biases, which Bishop writes w_j0 on a unit z_0 = 1, are written b^(l)_j",
        "delta_k = y_k - t_k (5.54) holds for the canonical pairs (identity with the quadratic cost, sigmoid with "
        "cross-entropy); elsewhere the general BP1 is checked. The output y_k is written z^(L)_k",
        "E = sum_n E_n (5.57) sums over the examples; symbackprop's batch cost averages them, which only rescales "
        "the learning rate. Bishop's (5.112) also decays the biases; symbackprop never does",
    ),
)

GOODFELLOW = Notation(
    name="goodfellow",
    description="Goodfellow, Bengio and Courville's Deep Learning, Algorithm 6.4: a^{(k)} = b^{(k)} + W^{(k)} "
    "h^{(k-1)}, h^{(k)} = f(a^{(k)}), the gradient g, J = L(y_hat, y) + lambda Omega",
    citation=GOODFELLOW_BOOK,
    symbols={
        **COMMON,
        "weighted_input": latin("a"),
        "activation": latin("h"),
        "error": latin("g"),
        "cost": latin("J"),
        "example_cost": latin("L"),
        "learning_rate": SIGNS["epsilon"],
    },
    layer_style="parenthesised",
    function_layered=False,
    layer_letter="k",
    output_layer=latin("l"),
    indices=("i", "j"),
    input_index="j",
    steps={
        "BP1": "g <- grad_(y_hat) J; g <- g (.) f'(a^(l))",
        "BP2": "g <- W^(k+1)T g; g <- g (.) f'(a^(k))",
        "BP3": "grad_(b^(k)) J = g + lambda grad_(b^(k)) Omega(theta)",
        "BP4": "grad_(W^(k)) J = g h^(k-1)T + lambda grad_(W^(k)) Omega(theta)",
        "input_gradient": "g <- W^(1)T g = grad_x J",
    },
    gradient_register=True,
    penalty_per_example=True,
    decisions=(
        "g names a sequence of quantities; g^(k) here is its value after the (.) f' step, grad_(a^(k)) J",
        "J = L + lambda Omega is the cost of the one example the algorithm runs on: an answer with lambda and no "
        "sum over examples is graded as the gradient of that J (the batch of one example)",
        "in an answer written as the algorithm's step, g <- grad_(a^(k)) J = g (.) f'(a^(k)), the g on the right "
        "is the gradient the step receives: grad_(h^(k)) J there, grad_(a^(k)) J in g <- grad_(h^(k-1)) J = "
        "W^(k)T g",
        "Omega = (1/2) sum of the weights' squares (section 7.1: the biases are not regularised), so "
        "lambda grad_(b^(k)) Omega = 0 and lambda grad_(W^(k)) Omega = lambda W^(k)",
        "one f serves every layer in the algorithm; each layer's own activation is allowed, f'(a^(k))",
    ),
)

THREE_BLUE_ONE_BROWN_NOTATION = Notation(
    name="threeblue1brown",
    description="3Blue1Brown's Backpropagation calculus: w^{(L)}_{jk}, z^{(L)}, a^{(L)}, sigma, the input a^{(0)}, "
    "C_0 = sum_j (a^{(L)}_j - y_j)^2 with no 1/2",
    citation=THREE_BLUE_ONE_BROWN,
    symbols={
        **COMMON,
        "weight": latin("w"),
        "function": SIGNS["sigma"],
        "example_cost": Spelling("C_0", "C₀", "C_0"),
        "examples": latin("n"),
    },
    layer_style="parenthesised",
    function_layered=False,
    steps={
        "BP1": "dC_0/dz^(L)_j = sigma'(z^(L)_j) dC_0/da^(L)_j",
        "BP2": "dC_0/da^(L-1)_k = sum_j w^(L)_jk sigma'(z^(L)_j) dC_0/da^(L)_j, one layer further",
        "BP3": "dC_0/db^(L) = dz^(L)/db^(L) da^(L)/dz^(L) dC_0/da^(L)",
        "BP4": "dC_0/dw^(L)_jk = a^(L-1)_k sigma'(z^(L)_j) dC_0/da^(L)_j",
        "input_gradient": "dC_0/da^(0)",
    },
    decisions=(
        "the lesson numbers neurons from 0; they are numbered from 1 here, as in every other entry",
        'its cost C_0 = sum_j (a_j - y_j)^2 has no 1/2, so dC_0/da = 2(a - y); a spec says it with cost = "(a - y)**2"',
        "the lesson writes the chain rule as products of partials and leaves the sums over neurons to the "
        "reader; the closed forms here are those products with the sums written out",
    ),
)

ROWS = Notation(
    name="rows",
    description="the row-vector convention of NumPy code and CS231n: examples as rows, z^l = a^{l-1} W^l + b^l with "
    "W^l of shape (n_{l-1}, n_l), dW = (a^{l-1})^T delta^l",
    citation=CS231N,
    symbols=COMMON,
    transposed=True,
    vectors="rows",
    indices=("i", "j"),
    input_index="i",
    steps={
        "BP1": "dscores: delta^L = grad_a C (.) f'(z^L)",
        "BP2": "dhidden: delta^l = (delta^(l+1) (W^(l+1))^T) (.) f'(z^l)",
        "BP3": "db = delta^l (summed over the rows)",
        "BP4": "dW = (a^(l-1))^T delta^l",
        "input_gradient": "dX = delta^1 (W^1)^T",
    },
    decisions=(
        "the case study puts 1/N into dscores; here delta is each example's own (no 1/N) and the 1/m is in "
        "the batch gradients, which are the same",
        "the layers, which the notes name by code (W, W2), are numbered from 0 (the input), as in the other entries",
    ),
)

#: Every notation symbackprop speaks, by name (the spec's ``notation`` field takes these names).
NOTATIONS: dict[str, Notation] = {
    n.name: n
    for n in (
        NIELSEN,
        NOTES_NOTATION,
        BLOG,
        UFLDL,
        COURSERA,
        DEEPLEARNING,
        BISHOP,
        GOODFELLOW,
        THREE_BLUE_ONE_BROWN_NOTATION,
        ROWS,
    )
}


def names() -> tuple[str, ...]:
    """The names of the registered notations, in catalogue order (with any a spec's [notation] table added)."""
    return tuple(NOTATIONS)


def entries() -> tuple[str, ...]:
    """The names of the catalogue's own entries: what a spec's ``notation`` or a table's ``base`` may name."""
    return tuple(name for name, nt in NOTATIONS.items() if not nt.base)


def get(name: str) -> Notation:
    """The notation called ``name``; a ValueError naming the valid ones otherwise."""
    try:
        return NOTATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown notation {name!r}; valid: {', '.join(NOTATIONS)}") from None


def register(notation: Notation) -> Notation:
    """Add ``notation`` to the catalogue (its closed forms are registered in :mod:`symbackprop.closed_forms`)."""
    if notation.name in NOTATIONS and NOTATIONS[notation.name] != notation:
        raise ValueError(f"a different notation called {notation.name!r} is already in the catalogue")
    NOTATIONS[notation.name] = notation
    return notation


def unregister(name: str) -> None:
    NOTATIONS.pop(name, None)


@contextlib.contextmanager
def registered(notation: Notation) -> Iterator[Notation]:
    """The catalogue with ``notation`` in it for the duration of the block (for tests and experiments)."""
    register(notation)
    try:
        yield notation
    finally:
        unregister(notation.name)


def derive(entry: Notation, name: str, **changes) -> Notation:
    """A notation of one's own: ``entry`` with ``changes`` (fields of :class:`Notation`; ``symbols`` merged)."""
    symbols = {**entry.symbols, **changes.pop("symbols", {})}
    return dataclasses.replace(entry, name=name, symbols=symbols, **changes)
