"""Program code read with the names its source gives them (check/program.py, issue 13).

The programs are CS231n's and deeplearning.ai's as their notes print them; each name's binding is what the
notes say the name holds. The truths: CS231n's 'Putting it together' (dW = X^T dscores + reg W with dscores
the averaged loss's gradient on the scores) and the course's linear_backward; each wrong variant changes one
thing whose effect is arithmetic (a missing 1/N, the regularisation twice).
"""

from __future__ import annotations

import builtins

import pytest

from symbackprop.check.grade import grade
from symbackprop.check.program import NamesError, parse_bindings, statements
from symbackprop.cli import main
from symbackprop.spec.load import make_spec

CS231N = make_spec(
    name="cs231n",
    layers=(4, 5, 3),
    activation="relu",
    output="softmax",
    cost="log_likelihood",
    regularization={"l2": 0.1, "scale": "batch"},
    notation="rows",
)
DLAI = make_spec(
    name="dlai", layers=(3, 4, 2), activation="relu", output="sigmoid", cost="cross_entropy", notation="deeplearning_ai"
)
NAMES = parse_bindings(["dscores = dZ^2/m", "hidden_layer = A^1", "reg = lambda"])
PROGRAM = "dW2 = np.dot(hidden_layer.T, dscores)\ndW2 += reg * W2"


def test_a_program_with_its_names_is_graded_by_its_final_values():
    v = grade(CS231N, PROGRAM, names=NAMES)
    assert v.status == "correct", v.reason
    assert v.parsed == "dW^2 = (A^1)ᵀ dZ^2/m + λ * W^2"  # the final dW2: both lines, the names as bound
    assert "dscores = dZ^2/m" in v.note  # the verdict says how the names were read


@pytest.mark.parametrize(
    "program",
    [
        "dW2 = np.dot(hidden_layer.T, dscores)",  # the regularisation's gradient forgotten (the notes' warning)
        "dW2 = np.dot(hidden_layer.T, dscores)\ndW2 += reg * W2\ndW2 += reg * W2",  # added twice
        "dW2 = np.dot(hidden_layer.T, dscores * 2)\ndW2 += reg * W2",
    ],
)
def test_a_wrong_final_value_is_wrong(program):
    assert grade(CS231N, program, names=NAMES).status == "wrong"


def test_several_quantities_each_graded_the_first_wrong_one_named_with_its_line():
    right = "dW2 = np.dot(hidden_layer.T, dscores) + reg * W2\ndb2 = np.sum(dscores, axis=0, keepdims=True)"
    assert grade(CS231N, right, names=NAMES).status == "correct"
    v = grade(CS231N, right.replace("axis=0", "axis=1"), names=NAMES)  # summed over the classes, not the examples
    assert v.status == "wrong" and v.reason.startswith("db2 (line 2): ")


def test_a_course_layer_with_its_cache_bound():
    names = parse_bindings(["cache[0] = A^{[l-1]}", "cache[1] = W^{[l]}", "dZ = dZ^{[l]}", "dA_prev = dA^{[l-1]}"])
    code = "dW = np.dot(dZ, cache[0].T) / m\ndA_prev = np.dot(cache[1].T, dZ)"
    names |= parse_bindings(["dW = dW^{[l]}"])
    assert grade(DLAI, code, names=names).status == "correct"
    assert grade(DLAI, code.replace("/ m", ""), names=names).status == "wrong"


def test_a_function_bound_with_its_parameters():
    nielsen = make_spec(name="n", layers=(2, 2, 1), activation="sigmoid", output="sigmoid", cost="quadratic")
    names = parse_bindings(["sigmoid(s, True) = s (.) (1 - s)", "hidden = a^2", "delta_hidden = delta^2"])
    right = "delta_hidden = np.dot(w3.T, delta3) * sigmoid(hidden, True)"
    names |= parse_bindings(["w3 = w^3", "delta3 = delta^3"])
    assert grade(nielsen, right, names=names).status == "correct"
    v = grade(nielsen, right.replace("True", "False"), names=names)  # not the derivative the binding gives
    assert v.status == "error" and "does not match its binding sigmoid(s, True)" in v.reason


SOFTMAX = make_spec(
    name="softmax", layers=(4, 3), activation="sigmoid", output="softmax", cost="log_likelihood", notation="rows"
)


@pytest.mark.parametrize(
    ("program", "status"),
    [
        ("dscores = probs\ndscores[range(num_examples), y] -= 1\ndscores /= num_examples", "correct"),
        ("dscores = probs\ndscores[np.arange(num_examples), y] -= 1\ndscores /= num_examples", "correct"),
        ("dscores = probs\ndscores[range(num_examples), y] -= 1", "wrong"),  # the average's 1/N missing
        ("dscores = probs\ndscores[range(num_examples), y] += 1\ndscores /= num_examples", "wrong"),
    ],
)
def test_cs231n_true_classes_are_the_one_hot_targets(program, status):
    """CS231n's softmax gradient: probs, minus 1 at each example's true class, over N (probs − Y)/N."""
    names = parse_bindings(["probs = A^1", "num_examples = m", "dscores = dZ^1/m"])
    assert grade(SOFTMAX, program, names=names).status == status


@pytest.mark.parametrize(
    ("program", "status"),
    [
        ("dhidden = np.dot(dscores, W2.T)\ndhidden[hidden_layer <= 0] = 0", "correct"),  # CS231n's ReLU backward
        ("dhidden = np.dot(dscores, W2.T)\ndhidden[hidden_layer >= 0] = 0", "wrong"),
        ("dhidden = np.dot(dscores, W2.T)", "wrong"),  # the ReLU's derivative forgotten
        ("dhidden = np.dot(dscores, W2.T) * (hidden_layer > 0)", "correct"),
    ],
)
def test_a_relu_mask_is_its_derivative(program, status):
    names = parse_bindings(["dscores = dZ^2/m", "hidden_layer = A^1", "dhidden = dZ^1/m"])
    assert grade(CS231N, program, names=names).status == status


@pytest.mark.parametrize(
    ("formula", "status"),
    [("dZ1 = np.multiply(dA1, np.int64(A1 > 0))", "correct"), ("dZ1 = np.multiply(dA1, np.int64(A1 < 0))", "wrong")],
)
def test_a_cast_mask_in_the_course_notation(formula, status):
    """deeplearning.ai's gradient-checking assignment: the ReLU's derivative as np.int64(A > 0)."""
    assert grade(DLAI, formula).status == status


def test_a_single_assignment_to_a_name_nobody_bound_is_read_as_a_formula():
    assert statements("dZ2 = A2 - Y") is None
    assert statements(r"\delta^L = a^L - y" + "\n" + r"\delta^l = W^T \delta") is None  # LaTeX is no program
    assert len(statements("a = 1\nb = 2")) == 2


DENNY = make_spec(
    name="denny", layers=[2, 3, 2], activation="tanh", output="softmax", cost="log_likelihood", notation="rows"
)
#: dennybritz/nn-from-scratch numbers its deltas from the input = 1, its z and W from the input = 0
DENNY_NAMES = parse_bindings([r"\delta_3 = \delta^2", r"\delta_2 = \delta^1", "z_1 = z^1", "z_2 = z^2", "W_2 = W^2"])


@pytest.mark.parametrize(
    ("formula", "status"),
    [
        (r"& \delta_3 = \hat{y} - y \\", "correct"),  # the notebook after its PR 12
        (r"& \delta_3 = y - \hat{y} \\", "wrong"),  # before it
        (r"\delta_2 = (1 - \tanh^2z_1) \circ \delta_3W_2^T", "correct"),  # after PR 3: ∘ of (δ_3 W_2ᵀ)
        (r"\delta_2 = (1 - \tanh^2 z_1) \circ \delta_{3} W_2^T", "correct"),
        (r"\delta_2 = (1 - \tanh^2z_2) \circ \delta_3W_2^T", "wrong"),  # before it: z_2
    ],
)
def test_a_texts_own_typeset_names_bound(formula, status):
    v = grade(DENNY, formula, names=DENNY_NAMES)
    assert v.status == status, v.reason
    assert "the names read as \\delta_3 = \\delta^2" in v.note


def test_a_typeset_name_ends_where_tex_ends_its_subscript():
    v = grade(DENNY, r"\delta_2 = (1 - \tanh^2z_1) \circ \delta_3W_2^T", names=DENNY_NAMES)
    assert v.parsed == "δ^1 = (1 - tanh(z^1)^{2}) ⊙ (δ^2 (W^2)ᵀ)"
    # z_12 is no z_1: the name is not read inside a longer subscript
    assert grade(DENNY, r"\delta_3 = z_12", names=DENNY_NAMES).parsed == "δ^2 = z_{12}"


@pytest.mark.parametrize(
    ("binding", "message"),
    [
        ("dscores", "write NAME = FORMULA"),
        (r"\delta_{3x} + 1 = a^L", "is not a program's name"),
        ("2x = a^L", "is not a program's name"),
        ("dscores = \\foo", "the formula cannot be read: unknown LaTeX command \\foo"),
        ("dscores = x ? y", "the formula cannot be read: unexpected character '?'"),
    ],
)
def test_a_bad_binding_is_refused_naming_it(binding, message):
    with pytest.raises(NamesError, match="--names '") as caught:
        parse_bindings([binding])
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("program", "names", "message"),
    [
        ("dW += reg * W\ndb = 1", [], "line 1: dW += … changes dW before the program gives it a value"),
        ("dscores = probs\ndscores[:, 1:] = 0", ["probs = A^2"], "changes part of dscores"),
        ("dW = n1", [f"n{k} = n{k + 1}" for k in range(1, 9)] + ["n9 = X"], "more than 6 deep"),
        ("dW = a + b\ndb = b", ["a = b", "b = a"], "dW names no layer"),  # bound to each other: read once, no loop
        ("\n".join(["v = X"] + ["v = v + v"] * 40), [], "expand to more than 4000 tokens"),
        ("temp = X\ntemp2 = temp", [], "no assignment of this program names a quantity"),
    ],
)
def test_a_program_that_cannot_be_read_is_an_error_naming_why(program, names, message):
    v = grade(CS231N, program, names=parse_bindings(names))
    assert v.status == "error" and message in v.reason, v.reason


def test_program_text_is_never_evaluated(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a program's text reached eval/exec")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    code = "x = __import__('os').system('touch /tmp/pwned')\ndW = x"
    assert grade(CS231N, code, names=NAMES).status == "error"


def test_the_cli_takes_names_and_a_names_file(tmp_path, capsys):
    spec = tmp_path / "cs231n.toml"
    spec.write_text(
        'name = "cs231n"\nlayers = [4, 5, 3]\nactivation = "relu"\noutput = "softmax"\ncost = "log_likelihood"\n'
        'notation = "rows"\n[regularization]\nl2 = 0.1\nscale = "batch"\n'
    )
    flags = ["--names", "dscores = dZ^2/m", "--names", "hidden_layer = A^1", "--names", "reg = lambda"]
    assert main(["check", str(spec), "--formula", PROGRAM, *flags]) == 0
    names = tmp_path / "names.txt"
    names.write_text("# the assignment's names\ndscores = dZ^2/m\nhidden_layer = A^1\nreg = lambda\n")
    assert main(["check", str(spec), "--formula", PROGRAM, "--names-file", str(names)]) == 0
    names.write_text("dscores = dZ^2/m\nhidden_layer = \\foo\n")
    capsys.readouterr()
    assert main(["check", str(spec), "--formula", PROGRAM, "--names-file", str(names)]) == 2
    err = capsys.readouterr().err
    assert "names.txt 'hidden_layer = \\foo'" in err and "Traceback" not in err


CBOW = make_spec(
    name="cbow",
    layers=[4, 3, 4],
    activation="relu",
    output="softmax",
    cost="log_likelihood",
    notation="deeplearning_ai",
)
CBOW_NAMES = parse_bindings(["l1 = dZ^{[1]}", "batch_size = m", "grad_b1 = db^{[1]}"])


@pytest.mark.parametrize(
    ("program", "status"),
    [
        ("grad_b1 = np.dot(l1,np.ones((batch_size,1)))/batch_size", "correct"),  # the NLP course's CBOW (GitHub #62)
        ("grad_b1 = np.dot(l1,np.ones((batch_size,1)))", "wrong"),  # the sum, not the average
        ("grad_b1 = np.dot(l1,np.ones((1,batch_size)))/batch_size", "wrong"),  # shapes that do not fit
    ],
)
def test_a_column_of_ones_sums_over_the_examples(program, status):
    assert grade(CBOW, program, names=CBOW_NAMES).status == status


def test_np_ones_of_another_size_is_refused_naming_it():
    v = grade(CBOW, "grad_b1 = np.dot(l1, np.ones((n, 1)))", names=CBOW_NAMES)
    assert v.status == "error" and "batch's m" in v.reason


@pytest.mark.parametrize(("program", "status"), [("dX = W.T.dot(dD)", "correct"), ("dX = W.T.dot(D)", "wrong")])
def test_cs231n_input_gradient_has_each_examples_column(program, status):
    # CS231n optimization-2: D = W.dot(X), dD the gradient on D, dX = W.T.dot(dD) (a draft had D)
    net = make_spec(name="d", layers=[4, 3], activation="identity", output="identity", notation="deeplearning_ai")
    assert grade(net, program, names=parse_bindings(["dD = dZ^{[1]}", "D = Z^{[1]}"])).status == status


PACKT = make_spec(
    name="packt", layers=[3, 4, 1], activation="sigmoid", output="sigmoid", cost="squared_error",
    costs={"squared_error": {"formula": "(a - y)**2"}}, notation="rows",
)  # fmt: skip
PACKT_NAMES = parse_bindings(["self.layer1 = A^1", "self.output = A^2", "self.y = Y", "d_weights2 = -m dW^2"])
PACKT_STEP = "d_weights2 = np.dot(self.layer1.T, (2*(self.y - self.output) * sigmoid_derivative(self.output)))"


@pytest.mark.parametrize(
    ("definition", "status"),
    [
        ("def sigmoid_derivative(x):\n    return x * (1.0 - x)", "correct"),  # of the activation (Packt, GitHub #4)
        ("def sigmoid_derivative(x): return x * (1.0 - x)", "correct"),
        ("def sigmoid_derivative(x):\n    return 1/(1 + np.exp(-x)) * (1 - 1/(1 + np.exp(-x)))", "wrong"),  # σ'(a)
    ],
)
def test_a_function_defined_in_the_program_is_bound_to_what_it_returns(definition, status):
    v = grade(PACKT, definition + "\n...\n" + PACKT_STEP, names=PACKT_NAMES)
    assert v.status == status, v.reason


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ("def nonlin(x,deriv=False):\n    if(deriv==True):\n        return x*(1-x)", "read only as one return"),
        ("def f(x, deriv=False):\n    return x", "the parameter 'deriv=False' is not read"),
        ("def f(x):", "the body of def f (line 1) is read only as one return statement"),
    ],
)
def test_a_definition_that_is_not_one_return_is_refused_naming_it(definition, message):
    v = grade(PACKT, definition + "\n" + PACKT_STEP, names=PACKT_NAMES)
    assert v.status == "error" and message in v.reason, v.reason
    v = grade(PACKT, PACKT_STEP + "\ndef f(x):", names=PACKT_NAMES)
    assert v.status == "error" and "line 2: def f has no body" in v.reason, v.reason


# -- loops ----------------------------------------------------------------------------------------------------------

#: 3Blue1Brown-style code as a Stack Overflow question (53287032) wrote it: A[k] the activations, A[0] the input,
#: self.weights[k] feeding layer k+1; the loss ½‖a − y‖², so that delta = a − y is ∂C/∂a.
CHAIN = make_spec(name="loop", layers=(2, 2, 2, 2), activation="sigmoid", output="sigmoid", cost="quadratic",
                  notation="threeblue1brown")  # fmt: skip
LOOP_NAMES = parse_bindings(
    ["A[k] = a^{(k)}", "self.weights[k] = w^{(k+1)}", "a = a^{(L)}", "self.learning_rate = eta"]
)
LOOP = """def sigmoid_prime(z):
    return z * (1 - z)
delta = a - y
for k in {values}:
    tmp = delta * sigmoid_prime(A[k+1])
    delta = np.dot(self.weights[k].T, {propagated})
    self.weights[k] -= self.learning_rate * np.dot(tmp, A[k].T)"""


@pytest.mark.parametrize("values", ["[2, 1, 0]", "range(2, -1, -1)", "reversed(range(3))", "(2, 1, 0)"])
def test_a_loop_over_literal_values_is_unrolled_and_each_step_graded(values):
    v = grade(CHAIN, LOOP.format(values=values, propagated="tmp"), names=LOOP_NAMES)
    assert v.status == "correct", v.reason
    assert "the loop over k unrolled" in v.note and "self.weights[k] = w^{(k+1)}" in v.note
    assert v.quantity.count("w^") == 3  # the three updates, each graded


def test_a_loop_that_drops_f_prime_is_wrong_at_the_first_layer_it_reaches():
    v = grade(CHAIN, LOOP.format(values="[2, 1, 0]", propagated="delta"), names=LOOP_NAMES)  # the question's (2)
    assert v.status == "wrong"
    assert v.reason.startswith("self.weights[1] (line 7, k = 1): ")  # k = 2's step is still right


def test_a_loop_whose_quote_lost_its_indentation_runs_to_the_end():
    flat = "\n".join(line.strip() for line in LOOP.format(values="[2, 1, 0]", propagated="tmp").splitlines())
    v = grade(CHAIN, flat, names=LOOP_NAMES)
    assert v.status == "correct" and "the quote lost its indentation" in v.note
    assert "lost its indentation" not in grade(CHAIN, LOOP.format(values="[2, 1, 0]", propagated="tmp"),
                                               names=LOOP_NAMES).note  # fmt: skip
    tabbed = statements("for k in [1, 0]:\n\tdW[k] = k\ndone = 1")
    assert [(s.name, s.case, s.flat) for s in tabbed] == [("dW[1]", "k = 1", False), ("dW[0]", "k = 0", False),
                                                          ("done", "", False)]  # fmt: skip
    code = statements("for k in [1, 0]:\n    dW[k] = k\n    db[k] = k\ndone = 1")
    assert [(s.name, s.case) for s in code] == [
        ("dW[1]", "k = 1"), ("db[1]", "k = 1"), ("dW[0]", "k = 0"), ("db[0]", "k = 0"), ("done", "")
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("loop", "message"),
    [
        ("for k in range(n):", "literal whole numbers"),
        ("for k in layers:", "literal whole numbers"),
        ("for k in range(500):", "at most 200 statements"),
    ],
)
def test_a_loop_that_cannot_be_unrolled_is_refused_naming_its_line(loop, message):
    v = grade(CHAIN, f"delta = a - y\n{loop}\n    self.weights[k] -= eta * delta", names=LOOP_NAMES)
    assert v.status == "error" and message in v.reason and "line 2" in v.reason


def test_an_indexed_name_is_bound_with_its_index_and_the_readers_letters_stay_the_readers():
    names = parse_bindings(["A[k] = a^{(k)}", "a = a^{(L)}"])
    assert names["A"].indexed and names["A"].params == ("k",)
    assert not parse_bindings(["cache[k] = a^{(1)}"])["cache[k]"].indexed  # its formula does not use k
    program = "err = A[3] - y\nout_delta = err * A[3] * (1 - A[3])"
    v = grade(CHAIN, program, names=names | parse_bindings(["out_delta = delta^{(3)}"]))
    assert v.status == "correct", v.reason  # A[3] is a^{(3)}, its a the reader's a, not the program's a


def test_a_method_of_an_object_in_brackets_is_bound_like_a_function():
    # network2.py: delta = (self.cost).delta(zs[-1], activations[-1], y), CrossEntropyCost.delta returning a - y
    spec = make_spec(name="n2", layers=(3, 4, 2), activation="sigmoid", output="sigmoid", cost="cross_entropy",
                     notation="nielsen")  # fmt: skip
    text = "delta = (self.cost).delta(zs[-1], activations[-1], y)"
    names = ["zs[-1] = z^L", "activations[-1] = a^L"]
    cross_entropy = parse_bindings(["(self.cost).delta(z, a, y) = a - y", *names])
    assert grade(spec, text, equation="BP1", names=cross_entropy).status == "correct"
    quadratic = parse_bindings(["(self.cost).delta(z, a, y) = (a - y) * sigma'(z)", *names])  # QuadraticCost's
    assert grade(spec, text, equation="BP1", names=quadratic).status == "wrong"


@pytest.mark.parametrize(
    ("text", "binding"),
    [
        ("error_hidden = W.T * error_output", "--names 'error_hidden = …'"),  # Make Your Own Neural Network
        ("delta = np.dot(self.weights[k].T, delta)", "--names 'self.weights[k] = …'"),
        ("dA = Softmax(Z) - Y", "--names 'Softmax(x) = …'"),
    ],
)
def test_a_programs_unbound_name_is_named_whole_with_the_binding_to_write(text, binding):
    v = grade(DLAI, text, equation="BP1")
    assert v.status == "error" and "a program's own name" in v.reason and binding in v.reason, v.reason


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("theta1_ = np.c_[np.zeros((theta1.shape[0],1)),theta1[:,1:]]", "(a slice, such as theta[:, 1:]: not read"),
        ("float qa = dactf(a, NN_ACT);", "a declaration with its type (float …): write the assignment without"),
        ("Shouldn't w2.t() be grad_w2 instead ?", "(prose: only the formula is read; give it alone)"),
        ("$$\\delta^L = a^L - y$$\n...\n$$\\delta^l = W^T \\delta$$", "(a second display: grade each display"),
    ],
)
def test_an_unread_construct_is_named_in_words(text, words):
    v = grade(DLAI, text, equation="BP1")
    assert v.status == "error" and words in v.reason and v.error_column, v.reason


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # CS231n's optimization-2 notes: D = W.dot(X), dD its gradient; a draft used D for dD (both bound)
        ("dW = D.dot(X.T)", ["D = Z^{[1]}", "dD = dZ^{[1]}/m"]),
        ("dX = W.T.dot(D)", ["D = Z^{[1]}", "dD = dZ^{[1]}"]),
    ],
)
def test_a_forward_value_where_its_gradient_belongs_is_named(text, names):
    cs231n = make_spec(name="cs231n", layers=[4, 3], activation="sigmoid", cost="quadratic", notation="deeplearning_ai")
    v = grade(cs231n, text, names=parse_bindings(names))
    assert v.status == "wrong" and v.mistake == "D where dD belongs: the forward value used for its gradient", v
    assert grade(cs231n, text.replace("D", "dD"), names=parse_bindings(names)).status == "correct"
