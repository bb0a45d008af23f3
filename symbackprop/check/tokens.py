"""The answer tokenizer: LaTeX, Unicode and ASCII to a whitelist of tokens, each with its column."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from symbackprop.check.tree import MAX_ANSWER_LENGTH, AnswerError

# -- tokens --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # NUM NAME OP END
    text: str
    column: int  # 1-based
    raw: str = ""  # "{" or "[" where text is "(" (a TeX group), so (l) and {l} stay apart


_SKIPPED_COMMANDS = {
    "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "displaystyle", "textstyle",
    "limits", "nolimits", ",", ";", ":", "!", " ", "quad", "qquad", "mathrm", "mathit", "operatorname", "boldsymbol",
    "mathbf", "bf", "rm", "mathsf", "bm", "vec", "middle", "underbrace", "overbrace", "nonumber", "notag",
    "hfill", "\\", "cr", "newline", "displaybreak",
}  # fmt: skip
#: Commands dropped with their first braced argument ({color}, {4mm}, {align}): \textcolor{red}{x} keeps x.
_SKIPPED_WITH_ARGUMENT = {"textcolor", "color", "hspace", "vspace", "begin", "end", "label", "tag", "colorbox"}
_COMMAND_NAMES = {
    "delta": "delta", "sigma": "sigma", "varphi": "phi", "phi": "phi", "lambda": "lambda", "eta": "eta",
    "alpha": "eta", "ell": "l", "nabla": "nabla", "partial": "partial", "sum": "sum", "frac": "frac",
    "dfrac": "frac", "tfrac": "frac", "exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt", "omega": "w",
    "Theta": "Theta", "theta": "Theta", "epsilon": "epsilon", "varepsilon": "epsilon", "Delta": "Delta", "tanh": "tanh",
    "triangle": "Delta", "bigtriangleup": "Delta", "triangledown": "nabla", "Omega": "Omega",
}  # fmt: skip
_COMMAND_OPS = {
    "odot": "⊙", "circ": "⊙", "cdot": "·", "times": "·", "top": "T", "intercal": "T", "prime": "'",
    "|": "‖", "lVert": "‖", "rVert": "‖", "Vert": "‖", "_": "_", "{": "(", "}": ")", "lbrack": "(", "rbrack": ")",
    "bullet": "⊙", "bigodot": "⊙", "ast": "*", "star": "*", "leftarrow": "=", "gets": "=", "to": "=", "equiv": "=",
    "coloneqq": "=", "neq": "≠", "ne": "≠", "dots": "…", "cdots": "…", "ldots": "…", "dotsb": "…", "dotsm": "…",
}  # fmt: skip
_UNICODE = {
    "δ": "delta", "σ": "sigma", "φ": "phi", "λ": "lambda", "η": "eta", "α": "eta", "ℓ": "l", "∇": "nabla",
    "∂": "partial", "Σ": "sum", "∑": "sum", "Θ": "Theta", "θ": "Theta", "ω": "w", "Δ": "Delta", "∆": "Delta",
    "△": "Delta", "Ω": "Omega",
}  # fmt: skip
_UNICODE_OPS = {
    "⊙": "⊙", "∘": "⊙", "•": "⊙", "·": "·", "⋅": "·", "×": "·", "∗": "*", "ᵀ": "T", "′": "'", "’": "'", "‖": "‖",
    "−": "-", "–": "-", "≔": "=", "←": "=", "≡": "=", "≠": "≠", "…": "…", "⋯": "…",
}  # fmt: skip
#: Unicode superscripts and subscripts (x², δ₁, a⁽ˡ⁾), read as ^{…} and _{…} of the plain characters.
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ⁿⁱˡᴸ", "0123456789+-()nilL", strict=True))
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₍₎ᵢⱼₖₗₘₙₓ", "0123456789+-()ijklmnx", strict=True))
_DIGITS = frozenset("0123456789")
#: ASCII words read as one name; any other run of letters is read letter by letter (math juxtaposition).
_WORDS = {
    "delta": "delta", "sigma": "sigma", "phi": "phi", "lambda": "lambda", "eta": "eta", "alpha": "eta",
    "ell": "l", "nabla": "nabla", "grad": "nabla", "partial": "partial", "sum": "sum", "exp": "exp",
    "log": "log", "ln": "log", "sqrt": "sqrt", "frac": "frac", "Sum": "sum", "dot": "npdot",
    "multiply": "npmultiply", "axis": "npaxis", "keepdims": "npkeepdims", "True": "npTrue", "if": "if", "for": "if",
    "theta": "Theta", "Theta": "Theta", "Delta": "Delta",
    "lambd": "lambda",  # deeplearning.ai's assignments: lambda is a Python keyword
    "dim": "npdim", "keepdim": "npkeepdims",  # PyTorch's torch.sum(x, dim=0, keepdim=True)
    # NumPy, PyTorch and TensorFlow calls (np.matmul, x.mm(w), torch.transpose, np.square, np.mean, np.tanh)
    "matmul": "npdot", "mm": "npdot", "divide": "npdivide", "transpose": "nptranspose", "square": "npsquare",
    "power": "nppower", "mean": "npmean", "tanh": "tanh", "ones": "npones",
}  # fmt: skip
#: The modules whose functions are read as NumPy's (np.dot, torch.mm, jnp.sum, tf.matmul): the prefix is dropped.
_CODE_MODULES = ("np.", "numpy.", "jnp.", "torch.", "tf.", "math.")
_ASCII_OPS = ("(.)", ".*", ":=", "!=", "||", "**", "<=", ">=", "+", "-", "*", "/", "^", "_", "(", ")", "{", "}", "[",
              "]", "=", ",", ";", "'", "@", "|", ".", "<", ">")  # fmt: skip
_VALID = (
    "letters, digits, + - * / ^ _ ( ) { } = ' , |, LaTeX commands such as \\frac \\partial \\sum \\delta \\sigma "
    "\\odot \\circ \\cdot \\nabla \\lambda \\| and the ASCII forms sum_k, grad_a, dC/dW, (.) for the Hadamard product"
)


def _error(text: str, message: str, column: int, token: str | None = None) -> AnswerError:
    pointer = f" (column {column})" if column else ""
    return AnswerError(f"{message}{pointer}", formula=text, token=token, column=column)


def _strip_delimiters(text: str) -> str:
    """Drop math delimiters around the whole answer ($…$, \\(…\\), \\[…\\], the blog's \\\\(…\\\\)), keeping columns."""
    stripped = text
    for opener, closer in (
        ("$$", "$$"),
        ("$", "$"),
        ("\\\\[", "\\\\]"),
        ("\\\\(", "\\\\)"),
        ("\\[", "\\]"),
        ("\\(", "\\)"),
    ):
        s = stripped.strip()
        if s.startswith(opener) and s.endswith(closer) and len(s) >= len(opener) + len(closer):
            start = stripped.index(opener)
            end = stripped.rindex(closer)
            stripped = " " * (start + len(opener)) + stripped[start + len(opener) : end] + " " * (len(stripped) - end)
    return stripped


def _strip_group(tokens: list[Token]) -> list[Token]:
    """{\\displaystyle … .}: drop a brace group around the whole answer and a full stop or comma at its end."""
    changed = True
    while changed:
        changed = False
        if len(tokens) > 2 and tokens[-2].kind == "OP" and tokens[-2].text in (".", ","):
            tokens = tokens[:-2] + tokens[-1:]
            changed = True
        if len(tokens) > 3 and tokens[0].raw == "{" and tokens[-2].raw == "}":
            depth = 0
            for n, t in enumerate(tokens[:-1]):
                depth += {"(": 1, ")": -1}.get(t.text, 0) if t.kind == "OP" else 0
                if depth == 0 and n < len(tokens) - 2:
                    break
            else:
                tokens = tokens[1:-2] + tokens[-1:]
                changed = True
    return tokens


def _matching(tokens: list[Token], start: int) -> int:
    """The index of the token closing the bracket opened at ``start`` (or -1)."""
    depth = 0
    for n in range(start, len(tokens)):
        t = tokens[n]
        if t.kind == "OP" and t.text in ("(", ")"):
            depth += 1 if t.text == "(" else -1
            if depth == 0:
                return n
    return -1


def _simplify_braces(tokens: list[Token]) -> list[Token]:
    """TeX's redundant braces: {{…}} is {…} (left by \\textcolor{c}{…}), and {z}^{…} is z^{…}."""
    out = list(tokens)
    n = 0
    while n < len(out):
        t = out[n]
        if t.raw == "{" and n + 1 < len(out) and out[n + 1].raw == "{":
            close, inner = _matching(out, n), _matching(out, n + 1)
            if close > 0 and inner == close - 1 and out[close].raw == "}":
                del out[close], out[n]
                continue
        if (
            t.raw == "{"
            and n + 3 < len(out)
            and out[n + 1].kind == "NAME"
            and out[n + 2].raw == "}"
            and out[n + 3].text in ("^", "_")
            and not (n > 0 and out[n - 1].text in ("frac", "^", "_"))
        ):
            del out[n + 2], out[n]
            continue
        n += 1
    return out


def _drop_brace_labels(text: str) -> str:
    """\\underbrace{…}_{\\text{Sum over layer L}}: the label under (or over) a brace is a comment, not part of the
    formula; blanked to spaces, so every column stays where it was."""
    out = list(text)
    for match in re.finditer(r"\\(?:under|over)brace\s*\{", text):
        close = _closing_brace(text, match.end() - 1)
        if close < 0:
            continue
        after = close + 1
        while after < len(text) and text[after] == " ":
            after += 1
        if after + 1 < len(text) and text[after] in "_^":
            start = after + 1
            while start < len(text) and text[start] == " ":
                start += 1
            if start < len(text) and text[start] == "{":
                end = _closing_brace(text, start)
                if end > 0:
                    out[after : end + 1] = " " * (end + 1 - after)
    return "".join(out)


def _closing_brace(text: str, start: int) -> int:
    """The index of the '}' closing the '{' at ``start`` (or -1)."""
    depth = 0
    for n in range(start, len(text)):
        if text[n] == "{" and (n == 0 or text[n - 1] != "\\"):
            depth += 1
        elif text[n] == "}" and (n == 0 or text[n - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return n
    return -1


def _in_name(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "_.")


#: How deep bindings may refer to bindings (dscores = …, then dW = np.dot(X.T, dscores)).
MAX_BINDING_DEPTH = 6


@dataclass(frozen=True)
class Binding:
    """A program's name read as a formula: ``hidden_layer = A^{[1]}``, ``cache['Z1'] = Z^{[1]}``, or a function,
    ``sigmoid_prime(s) = s(1 - s)`` (``params``: its parameters; one that is not a name, such as ``True``, must be
    written as it is). ``formula`` is reader text, or ``tokens`` the tokens a program's assignment computed."""

    name: str
    formula: str = ""
    params: tuple[str, ...] | None = None
    tokens: tuple[Token, ...] | None = None
    origin: str = "--names"
    #: its parameter is written in brackets, A[k] for a^{(k)}: A[2] is a^{(2)}
    indexed: bool = False


#: Ng's placeholder for what backpropagation gives, as his course's notes write the weight decay's gradient:
#: ``dw[l] = (from back propagation) + lambda/m * w[l]``; its token's text is BACKPROP.
_FROM_BACKPROP = re.compile(r"\(\s*from\s+back[\s-]*prop(?:agation)?\s*\)", re.IGNORECASE)
BACKPROP = "(from backprop)"
#: The reader's own letters: in a binding's formula they are the reader's quantities, never a program's names.
_READER_LETTERS = frozenset({"W", "w", "b", "z", "a", "x", "y", "Z", "A", "X", "Y", "delta"})


def _tex_script(name: str) -> bool:
    """Whether ``name`` ends in a subscript of one character, which TeX ends there (\\delta_3W is δ_3 W)."""
    return bool(re.fullmatch(r"\\?[A-Za-z]+_\w", name))


def _name_pattern(name: str) -> re.Pattern:
    """``name`` as written, with either quote and any spaces after a comma or inside brackets; a TeX name's
    subscript also braced (\\delta_{3})."""
    if _tex_script(name):
        head, sub = name[:-2], name[-1]
        return re.compile(re.escape(head) + r"_(?:" + re.escape(sub) + r"(?![0-9])|\{\s*" + re.escape(sub) + r"\s*\})")
    parts = []
    for ch in name:
        if ch in "'\"":
            parts.append("['\"]")
        elif ch in ",[]":
            parts.append(r"\s*" + re.escape(ch) + r"\s*")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts))


def _call_arguments(body: str, opener: int) -> tuple[list[str], int] | None:
    """The arguments of the call whose '(' is at ``opener``, split at its top-level commas, and the index after ')'."""
    depth, start, args = 0, opener + 1, []
    for n in range(opener, len(body)):
        if body[n] in "([{":
            depth += 1
        elif body[n] in ")]}":
            depth -= 1
            if depth == 0:
                args.append(body[start:n])
                return [a.strip() for a in args if a.strip() or len(args) > 1], n + 1
        elif body[n] == "," and depth == 1:
            args.append(body[start:n])
            start = n + 1
    return None


def _is_parameter(param: str) -> bool:
    """A function binding's parameter (s in sigmoid(s, True)); True, False, None and numbers are written as they are."""
    return bool(re.fullmatch(r"[A-Za-z_]\w*", param)) and param not in ("True", "False", "None")


def _substituted(formula: str, params: tuple[str, ...], args: list[str]) -> str:
    """The function's formula with each parameter replaced by its argument, in brackets."""
    for param, arg in zip(params, args, strict=True):
        if _is_parameter(param):
            pattern = rf"(?<![A-Za-z0-9_\\]){re.escape(param)}(?![A-Za-z0-9_])"
            value = arg if re.fullmatch(r"\d+", arg.strip()) else f"({arg})"  # a^{(k+1)} at k = 2: a^{(2+1)}
            formula = re.sub(pattern, lambda _, value=value: value, formula)
    return formula


def _expand(text: str, body: str, i: int, bindings: dict, depth: int) -> tuple[list[Token], int] | None:
    """The tokens of the bound name starting at ``i`` (longest name first), in brackets, and where it ends."""
    col = i + 1
    for name in sorted(bindings, key=len, reverse=True):
        binding = bindings[name]
        match = _name_pattern(name).match(body, i)
        ended = not _in_name(body[match.end()]) if match and match.end() < len(body) else True
        indexing = binding.indexed and match is not None and body[match.end() : match.end() + 1] == "["
        if not match or not (ended or indexing or body[match.end()] == "." or (_tex_script(name) and "\\" in body)):
            continue
        after = body[match.end() :]
        if after[:1] == "." and after[1:2].isalnum() and not re.match(r"\.(?:T\b|t\(\)|dot\b|mm\b|sum\b)", after):
            continue  # self.weights is bound, self.weights.shape is another name
        end = match.end()
        if binding.params is not None:
            opener = end
            while opener < len(body) and body[opener] == " ":
                opener += 1
            bracket = "[" if binding.indexed else "("
            called = _call_arguments(body, opener) if body[opener : opener + 1] == bracket else None
            if called is None and binding.indexed:
                continue  # A alone, or A.shape: another name
            if called is None:
                raise _error(text, f"{name} is a function (bound as {name}({', '.join(binding.params)})): call it", col)
            args, end = called
            if len(args) != len(binding.params) or any(
                not _is_parameter(p) and p.replace(" ", "") != a.replace(" ", "") for p, a in zip(binding.params, args)
            ):
                bound = f"{name}({', '.join(binding.params)})"
                raise _error(text, f"{name}({', '.join(args)}) does not match its binding {bound}", col)
            formula = _substituted(binding.formula, binding.params, args)
        else:
            formula = binding.formula
        if depth >= MAX_BINDING_DEPTH:
            raise _error(text, f"the binding of {name} refers to bindings more than {MAX_BINDING_DEPTH} deep", col)
        if binding.tokens is not None and binding.params is None:
            inner = list(binding.tokens)
        else:
            # dZ = dZ^{[l]}: the formula's own dZ; in a formula of the reader's letters (not a function's, whose
            # arguments are the program's), a^{(k)} is the reader's a, whatever the program calls a
            own = binding.params is None or binding.indexed
            others = {n: b for n, b in bindings.items() if n != name and not (own and n in _READER_LETTERS)}
            try:
                inner = tokenize(formula, others, depth + 1)[:-1]
            except AnswerError as error:
                if depth:  # said once, by the outermost binding
                    raise
                inner = re.sub(r" \(column \d+\)$", "", str(error))
                raise _error(text, f"in the binding of {name} ({binding.origin}): {inner}", col) from None
        first = inner[0].column if inner else col
        inner = [Token(t.kind, t.text, col + t.column - first, t.raw) for t in inner]  # spacing kept: dZ, d Z
        return [Token("OP", "(", col, "{"), *inner, Token("OP", ")", col, "}")], end  # a TeX group: ∂{…}
    return None


def _what_it_is(body: str, i: int) -> str:
    """The construct an unexpected character belongs to, in words, where it says one: a slice, a second
    display, prose."""
    ch = body[i]
    if ch == ":" and body.rfind("[", 0, i) > body.rfind("]", 0, i):
        return " (a slice, such as theta[:, 1:]: not read; write the part it selects as a formula)"
    if ch == "$":
        return " (a second display: grade each display as an answer of its own)"
    if ch == "?" or ch.isalpha() and not ch.isascii() and unicodedata.category(ch) == "Lo":
        return " (prose: only the formula is read; give it alone)"
    return ""


def tokenize(text: str, bindings: dict | None = None, depth: int = 0) -> list[Token]:
    """The answer's tokens, each with its 1-based column; unknown characters and commands raise AnswerError.

    ``bindings`` maps a program's names to :class:`Binding`: each bound name is read as its formula, in brackets.
    """
    if len(text) > MAX_ANSWER_LENGTH:
        raise _error(text, f"answer too long ({len(text)} characters; at most {MAX_ANSWER_LENGTH})", 0)
    body = _drop_brace_labels(_strip_delimiters(text))
    tokens: list[Token] = []
    i = 0
    prefixed, prefix = -1, ""  # where the word after a module prefix (np., torch.) starts, and the prefix
    while i < len(body):
        ch = body[i]
        col = i + 1
        if ch in " \t\r\n&~`":  # ~ is TeX's space, ` Markdown's code quote
            i += 1
            continue
        start_of_name = (ch.isascii() and ch.isalpha() or ch == "_") and (
            i == 0
            or not _in_name(body[i - 1])
            or (i > 1 and body[i - 2] in "^_" and body[i - 1].isdigit() and "\\" in body)  # TeX's ^2z: 2, then z
        )
        if (
            start_of_name or (ch in "\\(" and any(n.startswith(ch) for n in bindings or ()))
        ) and bindings:  # a program's own name, bound by the teacher (--names) or by the program; \delta_3, (self.cost)
            expanded = _expand(text, body, i, bindings, depth)
            if expanded is not None:
                more, i = expanded
                tokens.extend(more)
                if len(tokens) > MAX_ANSWER_LENGTH:
                    raise _error(text, f"the names expand to more than {MAX_ANSWER_LENGTH} tokens", col)
                continue
        module = next((m for m in _CODE_MODULES if body.startswith(m, i)), None)
        if module and (i == 0 or not body[i - 1].isalnum()):  # NumPy's np.sum, np.dot; torch.mm
            i += len(module)
            prefixed, prefix = i, module  # the call after it keeps its module in its raw text: np.sum
            continue
        if ch in "#%":  # a comment (Python's #, TeX's %) runs to the end of its line
            end = body.find("\n", i)
            i = len(body) if end < 0 else end
            continue
        if ch == "ŷ":
            tokens.append(Token("NAME", "a", col, "ŷ"))  # the reader's a^L in every notation (lexicon.translate)
            i += 1
            continue
        backprop = _FROM_BACKPROP.match(body, i) if ch == "(" else None
        if backprop:  # Ng's notes: dw[l] = (from back propagation) + lambda/m w[l]: the gradient without the decay
            tokens.append(Token("NAME", BACKPROP, col, backprop.group(0)))
            i = backprop.end()
            continue
        if ch == "\\":
            match = re.match(r"\\([A-Za-z]+|.)", body[i:])
            name = match.group(1) if match else ""
            i += 1 + len(name)
            if name in ("text", "mathrm", "operatorname", "mathit") and body[i : i + 1] == "{":
                close = body.find("}", i)
                word = body[i + 1 : close] if close > 0 else ""
                if word.strip() in ("d",):
                    tokens.append(Token("NAME", "d", col))
                    i = close + 1
                    continue
                if word.strip() in ("T",):
                    tokens.append(Token("OP", "T", col))
                    i = close + 1
                    continue
                if word.strip() in ("if", "for"):  # the case an answer holds in: D_{ij} := … \text{if } j = 0
                    tokens.append(Token("NAME", "if", col, word))
                    i = close + 1
                    continue
                if name == "text" and word.strip():
                    raise _error(text, f"\\text{{{word}}} cannot be graded; write only the formula", col, "\\text")
                if name == "text":  # an empty \text{}
                    i = close + 1
                continue
            if name in _SKIPPED_COMMANDS:
                continue
            if re.fullmatch(r"[VM][A-Za-z]", name):  # the Deep Learning book's \Vx, \MW: a bold vector, a matrix
                tokens.append(Token("NAME", name[1], col))
                continue
            if name in _SKIPPED_WITH_ARGUMENT and body[i : i + 1] == "{":
                close = body.find("}", i)
                i = close + 1 if close > 0 else len(body)
                continue
            hat = r"\{\s*(\\V)?y\s*\}|\s*y"
            if name in ("hat", "widehat") and re.match(hat, body[i:]):  # ŷ: the network's output a^L
                match = re.match(hat, body[i:])
                tokens.append(Token("NAME", "a", col, "ŷ"))
                i += len(match.group(0))
                continue
            if name == "mathcal" and re.match(r"\{\s*[LJEC]\s*\}", body[i:]):  # \mathcal{L}: the cost
                match = re.match(r"\{\s*[LJEC]\s*\}", body[i:])
                tokens.append(Token("NAME", "C", col))
                i += len(match.group(0))
                continue
            if name in _COMMAND_NAMES:
                tokens.append(Token("NAME", _COMMAND_NAMES[name], col))
            elif name in _COMMAND_OPS:
                tokens.append(Token("OP", _COMMAND_OPS[name], col))
            else:
                raise _error(text, f"unknown LaTeX command \\{name}; valid: {_VALID}", col, "\\" + name)
            continue
        if ch in _SUPERSCRIPTS or ch in _SUBSCRIPTS:
            table = _SUPERSCRIPTS if ch in _SUPERSCRIPTS else _SUBSCRIPTS
            end = i
            while end < len(body) and body[end] in table:
                end += 1
            inner = tokenize("".join(table[c] for c in body[i:end]))[:-1]
            tokens.append(Token("OP", "^" if table is _SUPERSCRIPTS else "_", col))
            tokens.append(Token("OP", "(", col, "{"))
            tokens.extend(Token(t.kind, t.text, col + t.column - 1, t.raw) for t in inner)
            tokens.append(Token("OP", ")", end, "}"))
            i = end
            continue
        if not ch.isascii() and ch not in _UNICODE and ch not in _UNICODE_OPS:
            plain = unicodedata.normalize("NFKC", ch)  # mathematical italic 𝛿 𝑧 𝑇 and the like: δ z T
            if len(plain) == 1 and plain != ch:
                body = body[:i] + plain + body[i + 1 :]
                ch = plain
        if ch in _UNICODE:
            tokens.append(Token("NAME", _UNICODE[ch], col))
            i += 1
            continue
        if ch in _UNICODE_OPS:
            tokens.append(Token("OP", _UNICODE_OPS[ch], col))
            i += 1
            continue
        if ch in _DIGITS or (ch == "." and body[i + 1 : i + 2] in _DIGITS and body[i + 1 : i + 2]):
            match = re.match(r"[0-9]+\.(?![0-9A-Za-z])|[0-9]*\.?[0-9]+", body[i:])  # 1.5, .5, 1. (NumPy's)
            assert match is not None
            tokens.append(Token("NUM", match.group(0), col))
            i += len(match.group(0))
            continue
        word_start = i == 0 or not (body[i - 1].isalnum() or body[i - 1] == "_")
        cast = re.match(r"(?:int|float)(?:8|16|32|64)?\b", body[i:]) if word_start else None
        if cast:  # NumPy's np.int64(A > 0), float(…): a cast, the value itself
            tokens.append(Token("NAME", "npcast", col, cast.group(0)))
            i += len(cast.group(0))
            continue
        if ch.isascii() and ch.isalpha():
            match = re.match(r"[A-Za-z]+", body[i:])
            assert match is not None
            word = match.group(0)
            if word in _WORDS:
                raw = prefix + word if prefixed == i else ""
                tokens.append(Token("NAME", _WORDS[word], col, raw))
            else:
                tokens.extend(Token("NAME", letter, col + n) for n, letter in enumerate(word))
            i += len(word)
            continue
        if body.startswith(".T", i) and not body[i + 2 : i + 3].isalnum():  # NumPy's A.T: the transpose
            tokens.append(Token("OP", "T", col))
            i += 2
            continue
        if body.startswith(".t()", i):  # PyTorch's w.t(): the transpose
            tokens.append(Token("OP", "T", col))
            i += 4
            continue
        for op in _ASCII_OPS:
            if body.startswith(op, i):
                mapped = {"(.)": "⊙", ".*": "⊙", ":=": "=", "!=": "≠", "||": "‖", "@": "·", "[": "(", "]": ")"}
                mapped.update({"{": "(", "}": ")"})
                tokens.append(Token("OP", mapped.get(op, op), col, op))
                i += len(op)
                break
        else:
            raise _error(text, f"unexpected character {ch!r}{_what_it_is(body, i)}; valid: {_VALID}", col, ch)
    tokens.append(Token("END", "", len(body) + 1))
    return _strip_group(_simplify_braces(tokens))
