"""What a notation is: one value that owns everything about how a text writes a network.

A :class:`Notation` knows its source (:class:`Citation`), how it numbers layers
(the input's number, which layer a weight matrix is numbered after), how it
lays out weights (``W^l`` of shape (n_l, n_{l-1}) used as ``W a``, or ``w^l``
of shape (n_{l-1}, n_l) used as ``w^T a``), how it writes a layer number
(``2``, ``(2)``), which index letters and width letter it uses, and how it
spells each quantity in ASCII, Unicode and LaTeX (:class:`Spelling`).

Internally every stage counts layers as k = 0 (the input) .. L (the output),
and the weights and biases of layer k map layer k-1 to layer k. A notation
turns those internal numbers into the numbers its reader sees, and back.
Every other module asks the notation; none compares a notation's name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import sympy as sp

#: The quantities a notation spells (the keys of :attr:`Notation.symbols`).
QUANTITIES = (
    "weight",  # W^l
    "bias",  # b^l
    "weighted_input",  # z^l
    "activation",  # a^l
    "error",  # δ^l = ∂C_x/∂z^l
    "input",  # x
    "target",  # y
    "example_cost",  # C_x, the cost of one example
    "cost",  # C, the cost of a batch (J in UFLDL)
    "function",  # f^l, the activation function of a layer
    "width",  # n_l, the number of neurons of layer l
    "examples",  # m, the examples of a batch
    "training_set_size",  # n, the examples of the training set (the dataset scale of L2)
    "decay",  # λ
    "learning_rate",  # η
)

#: How a layer number is written: 2, (2) or [2].
LAYER_STYLES = {"plain": "{}", "parenthesised": "({})", "bracketed": "[{}]"}
#: How a text lays out a vector of one example (a, z, δ, b): as a column (W a) or as a row (a W, NumPy code).
VECTORS = ("columns", "rows")
#: How a text lays out a batch of examples: one per row of X (NumPy code) or one per column (deeplearning.ai).
EXAMPLES = ("rows", "columns")
#: The layouts of the closed forms (:mod:`symbackprop.closed_forms.layouts`), by the conventions each serves:
#: (transposed weights, weight_offset, vectors). Every notation has one of these.
LAYOUTS = {
    (False, 0, "columns"): "columns",  # z^l = W^l a^{l-1} + b^l
    (False, -1, "columns"): "from_layer",  # z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)} (UFLDL, Ng's Machine Learning)
    (True, 0, "columns"): "transposed",  # z^l = (w^l)^T a^{l-1} + b^l
    (True, 0, "rows"): "rows",  # z^l = a^{l-1} W^l + b^l
}
#: The equations a text's own steps are mapped to (the sites of :mod:`symbackprop.network.sites`).
EQUATIONS = ("BP1", "BP2", "BP3", "BP4", "input_gradient")
#: What an equation is called where a text gives it no name of its own.
DEFAULT_STEPS = {
    "BP1": "BP1",
    "BP2": "BP2",
    "BP3": "BP3",
    "BP4": "BP4",
    "input_gradient": "input gradient",
}


@dataclass(frozen=True)
class Spelling:
    """One symbol in the three scripts symbackprop writes: ``delta`` / ``δ`` / ``\\delta``."""

    ascii: str
    unicode: str
    latex: str

    def __post_init__(self):
        if not (self.ascii and self.unicode and self.latex):
            raise ValueError(f"a spelling needs all three scripts, got {self!r}")

    def get(self, script: str) -> str:
        """The spelling in ``script``: ``"ascii"``, ``"unicode"`` or ``"latex"``."""
        if script not in ("ascii", "unicode", "latex"):
            raise ValueError(f"unknown script {script!r}; valid: ascii, unicode, latex")
        return getattr(self, script)


@dataclass(frozen=True)
class Citation:
    """Where a notation or a closed form comes from, so that a reader can look it up."""

    authors: str
    title: str
    section: str = ""
    url: str = ""
    year: str = ""
    note: str = ""  # e.g. where a text without a public copy can be followed

    def text(self, *, section: bool = True, note: bool = True) -> str:
        """``M. Nielsen, Neural Networks and Deep Learning, ch. 2 (2015), http://…``."""
        parts = [self.authors, self.title] if self.authors else [self.title]
        if section and self.section:
            parts.append(self.section)
        text = ", ".join(parts)
        if self.year:
            text += f" ({self.year})"
        if self.url:
            text += f", {self.url}"
        return f"{text}; {self.note}" if note and self.note else text

    def short(self) -> str:
        """The author and title alone, e.g. for a citation repeated beside an equation."""
        return f"{self.authors}, {self.title}" if self.authors else self.title


@dataclass(frozen=True)
class Notation:
    """How one source text writes a fully-connected network and its backpropagation equations.

    ``input_layer`` is the number the text gives the input layer (0, or 1 in
    UFLDL); ``weight_offset`` says which number the weights feeding internal
    layer k carry: k + weight_offset (0 when named after the layer they feed,
    -1 when named after the layer they leave, as in UFLDL, where W^{(l)} maps
    layer l to layer l+1 and the input is layer 1). ``transposed`` weights are
    stored (n_{l-1}, n_l) and used as w^T a. ``indices`` are the letters of a
    weight's row and column (``j, k`` for W^l_{jk}), the first also naming a
    neuron of a layer; ``bound`` are the letters of summation indices.
    """

    name: str
    description: str  # one sentence: what the notation is and where it comes from
    citation: Citation
    symbols: Mapping[str, Spelling]
    input_layer: int = 0
    weight_offset: int = 0
    transposed: bool = False
    layer_style: str = "plain"
    indices: tuple[str, str] = ("j", "k")
    input_index: str = "k"  # the letter of a component of the input x
    bound: str = "rstu"
    output_layer: Spelling = Spelling("L", "L", "L")  # how the text names the output layer in general statements
    layer_letter: str = "l"  # the letter of a general layer: l (k in Goodfellow et al.)
    hadamard: Spelling = Spelling("(.)", "⊙", r"\odot")
    function_layered: bool = True  # f^l'(z^l) (the layer on the function) or σ'(z^l) (one letter for every layer)
    bias_column: bool = False  # the biases are column 0 of the weights, Θ^{(l)}_{i0} (Ng's Machine Learning course)
    vectors: str = "columns"  # "rows": a, z, δ and b are row vectors and z^l = a^{l-1} W^l + b^l
    examples: str = "rows"  # "columns": a batch X is n_0 × m, one example per column (deeplearning.ai)
    #: the text's m counts the whole training set (its gradient descent is over every example), so the L2
    #: term's n of the dataset scale is that m: λ/m W (Ng's courses, UFLDL); False: m a mini-batch (Nielsen)
    whole_training_set: bool = False
    #: a text that writes its layer-wise formulas without layers, the unit's letter saying the layer: Bishop's
    #: δ_j = h'(a_j) Σ_k w_kj δ_k, unit j in a layer l, i in l - 1, k in l + 1 (PRML section 5.3.1)
    unit_layers: Mapping[str, int] = field(default_factory=dict)
    #: the error letter is an algorithm's register (Goodfellow's g ← …): on the right of a step, a bare g is
    #: the gradient that step receives from the layer above (Deep Learning, Algorithm 6.4)
    gradient_register: bool = False
    #: the text's J of one example includes the weight decay (Goodfellow's J = L + λΩ(θ) in Algorithm 6.4): an
    #: answer with λ and one example's quantities is the gradient of that J, the batch of one example
    penalty_per_example: bool = False
    #: C_0 is the cost without its weight decay (Nielsen's C = C_0 + λ/2n Σ_w w², eq. (85)), not one example's
    #: cost (3Blue1Brown's C_0)
    unregularised_cost: bool = False
    #: ∘ composes linear maps and (f^l)' is the diagonal matrix da^l/dz^l, so a chain of ∘ and · is one product
    #: of matrices however it is grouped (the notes: da^L/dz^L "is a diagonal matrix … sometimes represented as
    #: the Hadamard product"; δ^l = (f^l)' ∘ (W^{l+1})ᵀ · (f^{l+1})' ∘ ⋯ ∘ ∇_{a^L} C)
    composes: bool = False
    steps: Mapping[str, str] = field(default_factory=dict)  # the text's own name of each equation
    decisions: tuple[str, ...] = ()  # where the source is ambiguous or silent: what was decided, and why
    words: Mapping[str, str] = field(default_factory=dict)  # the text's own words, e.g. {"weight": "from neuron k ..."}
    base: str = ""  # a notation of one's own: the catalogue entry it starts from (its closed forms follow from it)

    def __post_init__(self):
        missing = [q for q in QUANTITIES if q not in self.symbols]
        if missing:
            raise ValueError(f"notation {self.name!r}: no spelling for {', '.join(missing)}")
        unknown = [q for q in self.symbols if q not in QUANTITIES]
        if unknown:
            raise ValueError(f"notation {self.name!r}: unknown quantities {', '.join(unknown)}; valid: {QUANTITIES}")
        if self.layer_style not in LAYER_STYLES:
            raise ValueError(f"notation {self.name!r}: layer_style must be one of {', '.join(LAYER_STYLES)}")
        if self.vectors not in VECTORS:
            raise ValueError(f"notation {self.name!r}: vectors must be one of {', '.join(VECTORS)}")
        if self.examples not in EXAMPLES:
            raise ValueError(f"notation {self.name!r}: examples must be one of {', '.join(EXAMPLES)}")
        if (self.transposed, self.weight_offset, self.vectors) not in LAYOUTS:
            raise ValueError(
                f"notation {self.name!r}: {layout_problem(self.transposed, self.weight_offset, self.vectors)}"
            )
        unknown_steps = [e for e in self.steps if e not in EQUATIONS]
        if unknown_steps:
            raise ValueError(f"notation {self.name!r}: steps for unknown equations {unknown_steps}; valid: {EQUATIONS}")
        object.__setattr__(self, "symbols", MappingProxyType(dict(self.symbols)))
        object.__setattr__(self, "steps", MappingProxyType({**DEFAULT_STEPS, **self.steps}))
        object.__setattr__(self, "decisions", tuple(self.decisions))
        object.__setattr__(self, "words", MappingProxyType(dict(self.words)))

    @property
    def layout(self) -> str:
        """Which closed-form layout serves this notation's weights and vectors (a value of :data:`LAYOUTS`)."""
        return LAYOUTS[self.transposed, self.weight_offset, self.vectors]

    def summary(self) -> dict:
        """The notation as plain JSON data (``symbackprop notations --json``)."""
        return {
            "name": self.name,
            "description": self.description,
            "citation": dataclasses.asdict(self.citation),
            "forward": self.forward_text(),
            "activation": self.activation_text(),
            "input_layer": self.input_layer,
            "weight_offset": self.weight_offset,
            "transposed": self.transposed,
            "layer_style": self.layer_style,
            "indices": list(self.indices),
            "vectors": self.vectors,
            "examples": self.examples,
            "bias_column": self.bias_column,
            "product": dataclasses.asdict(self.hadamard),
            "symbols": {q: dataclasses.asdict(s) for q, s in self.symbols.items()},
            "steps": dict(self.steps),
            "decisions": list(self.decisions),
        }

    # -- spelling ---------------------------------------------------------------------------------
    def spell(self, quantity: str, script: str = "ascii") -> str:
        """How this notation writes ``quantity`` (one of :data:`QUANTITIES`) in ``script``."""
        if quantity not in self.symbols:
            raise KeyError(f"notation {self.name!r} has no quantity {quantity!r}; valid: {', '.join(QUANTITIES)}")
        return self.symbols[quantity].get(script)

    def label(self, number: int | str) -> str:
        """A layer number as the text writes it: ``2``, ``(2)`` or ``(l+1)``."""
        return LAYER_STYLES[self.layer_style].format(number)

    def step(self, equation: str) -> str:
        """The text's own name of ``equation`` (``BP2``; ``(5.56)`` in Bishop; Algorithm 6.4's step in Goodfellow)."""
        return self.steps[equation]

    def function_head(self, layer: int | str, derivative: int = 0, script: str = "ascii") -> str:
        """The name of a layer's activation function (or its derivative) as the text writes it.

        ``f^2'``, ``f^{(3)}``, or, where one letter serves every layer, ``σ'`` (the layer shows in the argument).
        LaTeX: ``f^{2\\prime}``, ``\\sigma^{\\prime}``.
        """
        letter = self.spell("function", script)
        label = self.label(layer) if self.function_layered else ""
        if script == "latex":
            primes = r"\prime" * derivative
            return f"{letter}^{{{label}{primes}}}" if label or primes else letter
        primes = ("′" if script == "unicode" else "'") * derivative
        return f"{letter}^{label}{primes}" if label else f"{letter}{primes}"

    @property
    def parenthesised(self) -> bool:
        """Whether layer numbers are written in parentheses, W^{(l)}."""
        return self.layer_style == "parenthesised"

    @property
    def weight_symbol(self) -> str:
        return self.spell("weight")

    # -- numbering --------------------------------------------------------------------------------
    def layer(self, k: int) -> int:
        """The notation's number of internal layer k (0 = input)."""
        return k + self.input_layer

    def internal_layer(self, l: int) -> int:
        return l - self.input_layer

    def weight_layer(self, k: int) -> int:
        """The notation's number of the weights (and biases) that feed internal layer k."""
        return k + self.input_layer + self.weight_offset

    def internal_weight_layer(self, l: int) -> int:
        return l - self.input_layer - self.weight_offset

    def layer_problem(self, l: int, depth: int, *, needs_z: bool = False) -> str | None:
        """Why a network of ``depth`` weight layers has no layer ``l`` (with a z, f' and δ if ``needs_z``), or None."""
        k = self.internal_layer(l)
        if not 0 <= k <= depth:
            return f"there is no layer {l} in this {self.name} network"
        if needs_z and k == 0:
            return f"layer {l} is the input layer: it has no z, f' or δ"
        return None

    def weights_problem(self, l: int, depth: int) -> str | None:
        """Why a network of ``depth`` weight layers has no weights (and biases) numbered ``l``, or None."""
        if not 1 <= self.internal_weight_layer(l) <= depth:
            return f"there are no weights or biases {l} in this {self.name} network"
        return None

    def layer_range(self, depth: int) -> tuple[int, int]:
        """The first and last layer numbers of a network of ``depth`` weight layers."""
        return self.layer(0), self.layer(depth)

    def weight_range(self, depth: int) -> tuple[int, int]:
        """The first and last weight numbers of a network of ``depth`` weight layers."""
        return self.weight_layer(1), self.weight_layer(depth)

    # -- weights ------------------------------------------------------------------------------------
    def weight_shape(self, n_in: int, n_out: int) -> tuple[int, int]:
        """The shape of the weights from a layer of n_in neurons to one of n_out."""
        return (n_in, n_out) if self.transposed else (n_out, n_in)

    def weight_dims(self, k: int) -> tuple[int, int]:
        """The internal layers whose widths are the rows and columns of the weights feeding internal layer k."""
        return (k - 1, k) if self.transposed else (k, k - 1)

    def weight_index(self, to, frm) -> tuple:
        """The (row, column) of the weight from neuron ``frm`` to neuron ``to``."""
        return (frm, to) if self.transposed else (to, frm)

    def weight_ends(self, row, col) -> tuple:
        """(to, from): the neurons a weight at (row, column) connects, the inverse of :meth:`weight_index`."""
        return (col, row) if self.transposed else (row, col)

    def forward(self, weights, a_prev, bias):
        """z = W a + b, or z = w^T a + b for transposed weights (SymPy or NumPy matrices)."""
        if self.transposed:
            return weights.T * a_prev + bias if isinstance(weights, sp.MatrixBase) else weights.T @ a_prev + bias
        return weights * a_prev + bias if isinstance(weights, sp.MatrixBase) else weights @ a_prev + bias

    def forward_text(self, script: str = "ascii") -> str:
        """The forward map for a general layer, e.g. ``z^l = W^l a^(l-1) + b^l``, ``z^l = a^(l-1) W^l + b^l``."""
        w, z, a, b = (self.spell(q, script) for q in ("weight", "weighted_input", "activation", "bias"))
        l_in, l_out, l_w = (_superscript(label, script) for label in self.general_labels())
        if self.vectors == "rows":
            return f"{z}^{l_out} = {a}^{l_in} {w}^{l_w} + {b}^{l_w}"
        weights = f"({w}^{l_w})^T" if self.transposed else f"{w}^{l_w}"
        return f"{z}^{l_out} = {weights} {a}^{l_in} + {b}^{l_w}"

    def activation_text(self, script: str = "ascii") -> str:
        """A general layer's activation: ``a^l = f^l(z^l)``, ``a^l = σ(z^l)``, ``a^(l+1) = f^(l+1)(z^(l+1))``."""
        out = self.general_layers()[1]
        label = _superscript(self.label(out), script)
        a, z = self.spell("activation", script), self.spell("weighted_input", script)
        return f"{a}^{label} = {self.function_head(out, 0, script)}({z}^{label})"

    def general_layers(self) -> tuple[str, str, str]:
        """A general layer's input, output and weights, unlabelled: l-1, l, l (or l, l+1, l in UFLDL)."""
        l = self.layer_letter
        return (f"{l}-1", l, l) if self.weight_offset == 0 else (l, f"{l}+1", l)

    def general_labels(self) -> tuple[str, str, str]:
        """The labels of a general layer's input, output and weights: l-1, l, l (or (l), (l+1), (l) in UFLDL)."""
        return tuple(self.label(layer) for layer in self.general_layers())


def layout_problem(transposed: bool, weight_offset: int, vectors: str) -> str:
    """Why no closed forms serve these conventions, naming the combinations that have some."""
    valid = "; ".join(f"transposed = {str(t).lower()}, weight_offset = {o}, vectors = {v!r}" for t, o, v in LAYOUTS)
    return (
        f"no closed forms for transposed = {str(transposed).lower()}, weight_offset = {weight_offset}, "
        f"vectors = {vectors!r}; valid combinations: {valid}"
    )


def _superscript(label: str, script: str) -> str:
    """A layer label ready to follow ``^``: ``l``, ``(l-1)`` (a plain label of several characters is
    parenthesised in text, braced in LaTeX)."""
    if script == "latex":
        return f"{{{label}}}"
    return f"({label})" if len(label) > 1 and label[0] not in "([" else label
