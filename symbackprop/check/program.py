"""Program code as people write backpropagation: the teacher's names and a program's statements.

A program names what it computes in its own words (CS231n's ``dscores``, ``hidden_layer``; deeplearning.ai's
``AL``, ``dA_prev``, ``cache['Z1']``). The teacher binds each such name to the quantity it holds, in the
notation's letters (``--names 'dscores = dZ^{[2]}/m'``): the reader then reads the name as that formula, never
evaluating either. A program of several statements (``dW = np.dot(X.T, dscores)`` then ``dW += reg*W``) is
read as text: each assignment's right-hand side, with the names assigned before it replaced by what they hold,
is what the name holds from then on; two assignments to a part of an array are read as what they compute, a
mask (``dhidden[hidden_layer <= 0] = 0``) and CS231n's true classes (``dscores[range(N), y] -= 1``, minus the
one-hot targets). What is graded is each name's final value, where the name is a quantity: bound by the
teacher to one, or read by the reader as one (``dW1``, ``dZ^{[2]}``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from symbackprop.check import tree
from symbackprop.check.tokens import Binding, Token, tokenize
from symbackprop.check.tree import AnswerError

#: A program's name: ``dscores``, ``self.weights[k]``, ``cache['Z1']``, ``layers[idx]['neuron_values']``.
NAME = r"[A-Za-z_][\w.]*(?:\[[^\]]*\])*"
#: A name as a TeX text writes it, bound like a program's (\delta_3 for a text that numbers its layers so).
TEX_NAME = r"\\[A-Za-z]+(?:_(?:\{\w+\}|\w))?"
#: A name indexed by a parameter that its formula uses: ``A[k] = a^{(k)}``, ``self.weights[k] = w^{(k+1)}``.
_INDEXED = re.compile(r"\s*(?P<name>[A-Za-z_][\w.]*)\[\s*(?P<param>[A-Za-z_]\w*)\s*\]\s*")
#: A function, or a method of an object in brackets as network2.py calls its cost's: ``(self.cost).delta(z, a, y)``.
_FUNCTION = re.compile(r"\s*(?P<name>(?:\([A-Za-z_][\w.]*\)\.)?[A-Za-z_][\w.]*)\s*\((?P<params>[^()]*)\)\s*")
_ASSIGNMENT = re.compile(rf"\s*(?P<name>{NAME})\s*(?P<op>[-+*/]?=)(?!=)(?P<rhs>.*)")
#: Lines a quoted excerpt leaves out of a program: its elisions.
_ELISIONS = {"...", "…", "[...]"}


class NamesError(ValueError):
    """A binding that cannot be read: names the binding and what would be valid."""


def parse_bindings(texts: list[str] | tuple[str, ...], origin: str = "--names") -> dict[str, Binding]:
    """``['dscores = dZ^{[2]}/m', 'sigmoid_prime(s) = s (1 - s)']`` as bindings; each formula is tokenized here,
    so that a bad one is refused before any grading."""
    bindings: dict[str, Binding] = {}
    for text in texts:
        name, sep, formula = text.partition("=")
        name, formula = name.strip(), formula.strip()
        if not sep or not formula:
            raise NamesError(f"{origin} '{text}': write NAME = FORMULA, such as 'dscores = dZ^{{[2]}}/m'")
        function = _FUNCTION.fullmatch(name)
        indexed = _INDEXED.fullmatch(name)
        params = None
        if function:
            name = function.group("name")
            params = tuple(p.strip() for p in function.group("params").split(",") if p.strip())
        elif indexed and re.search(rf"(?<![A-Za-z0-9_\\]){indexed.group('param')}(?![A-Za-z0-9_])", formula):
            name, params = indexed.group("name"), (indexed.group("param"),)  # A[k] = a^{(k)}: A[2] is a^{(2)}
        elif not re.fullmatch(NAME, name) and not re.fullmatch(TEX_NAME, name):
            raise NamesError(
                f"{origin} '{text}': {name!r} is not a program's name (letters, digits, _ and ., then [ … ] "
                "subscripts, as dscores, self.weights[k], cache['Z1']; a function, as sigmoid_prime(s); or a "
                "TeX command with a subscript, as \\delta_3)"
            )
        if name in bindings:
            raise NamesError(f"{origin}: {name} is bound twice")
        try:
            tokenize(formula)
        except AnswerError as error:
            raise NamesError(f"{origin} '{text}': the formula cannot be read: {error}") from None
        bindings[name] = Binding(name, formula, params, origin=origin, indexed=bool(indexed and params))
    return bindings


@dataclass(frozen=True)
class Statement:
    line: int  # 1-based
    name: str
    op: str  # = += -= *= /=, or def (name: the function and its parameters, rhs: what it returns)
    rhs: str  # the right-hand side, padded with spaces so that its columns are the line's
    text: str  # the line as written
    case: str = ""  # in an unrolled loop, the loop variable's value: "k = 2"
    flat: bool = False  # in a loop whose quote lost its indentation: its body read as every line after it


def statements(text: str, bindings: dict | None = None) -> list[Statement] | None:
    """The assignments of a program, one per line (or separated by ';'), or None where the text is not one:
    a line that is no assignment (a formula, prose, a ``def``), or a single plain assignment to a name nobody
    bound (read as a formula: ``dZ2 = A2 - Y``)."""
    found: list[Statement] = []
    function = None  # a def whose body, one return, comes next
    for number, raw, case, flat in _unrolled(
        text, [(n, line, "", False) for n, line in enumerate(text.splitlines(), 1)]
    ):
        line = _without_comment(raw).replace("`", " ")
        if function is not None and line.strip():
            found.append(_returned(function, number, line))
            function = None
            continue
        definition = _DEF.fullmatch(line)
        if definition:
            function = (number, definition)
            if definition.group("body").strip():  # def f(x): return x * (1 - x)
                found.append(_returned(function, number, " " * definition.start("body") + definition.group("body")))
                function = None
            continue
        for part in _split_statements(line):
            if not part.strip() or part.strip() in _ELISIONS:
                continue
            match = _ASSIGNMENT.fullmatch(part)
            if not match or not match.group("rhs").strip() or "\\" in part:
                return None
            rhs = " " * match.start("rhs") + match.group("rhs")
            found.append(Statement(number, match.group("name"), match.group("op"), rhs, part, case, flat))
    if function is not None:
        raise AnswerError(f"line {function[0]}: def {function[1].group('name')} has no body", formula=text, column=1)
    if len(found) < 2 and not any(s.op != "=" or s.name in (bindings or {}) for s in found):
        return None
    return found


#: A loop over literal values: ``for k in [2, 1, 0]:``, ``for l in range(2, 0, -1):``, ``reversed(range(3))``.
_FOR = re.compile(r"(?P<indent>\s*)for\s+(?P<var>[A-Za-z_]\w*)\s+in\s+(?P<values>.+?)\s*:\s*")
_RANGE = re.compile(r"(?P<reversed>reversed\(\s*)?range\((?P<args>[-\d\s,]{1,40})\)(?(reversed)\s*\))")
#: At most this many statements once loops are unrolled.
MAX_UNROLLED = 200


def _loop_values(text: str, number: int, values: str) -> list[int]:
    """The values a ``for`` takes: a list or tuple of whole numbers, or a range of literal bounds."""
    literal = re.fullmatch(r"[\[(]\s*(-?\d{1,6}(?:\s*,\s*-?\d{1,6})*)\s*,?\s*[\])]", values)
    if literal:
        return [int(v) for v in literal.group(1).split(",")]
    ranged = _RANGE.fullmatch(values)
    if ranged:
        try:
            args = [int(v) for v in ranged.group("args").split(",")]
            steps = range(*args)
        except (ValueError, TypeError):
            steps = None
        if steps is not None and len(steps) > MAX_UNROLLED:
            raise AnswerError(
                f"line {number}: the loop takes {len(steps)} values; at most {MAX_UNROLLED} statements are read "
                "once loops are unrolled",
                formula=text,
                column=1,
            )
        if steps is not None and len(args) <= 3:
            return list(reversed(steps)) if ranged.group("reversed") else list(steps)
    raise AnswerError(
        f"line {number}: a loop is read only over literal whole numbers, as 'for k in [2, 1, 0]:' or "
        f"'for l in range(3, 0, -1):'; found {values!r}",
        formula=text,
        column=1,
    )


def _indent(line: str) -> int:
    expanded = line.expandtabs()
    return len(expanded) - len(expanded.lstrip())


def _unrolled(text: str, lines: list) -> list[tuple[int, str, str, bool]]:
    """The lines (number, text, case, flat) with each ``for`` loop unrolled: its body once per value, the loop
    variable replaced by it. The body is the lines indented under it; where the quote lost its indentation (the
    next line is not indented further), every line after it, and its statements are marked ``flat``."""
    out: list[tuple[int, str, str, bool]] = []
    n = 0
    while n < len(lines):
        number, raw, outer, outer_flat = lines[n]
        loop = _FOR.fullmatch(_without_comment(raw))
        if not loop:
            out.append(lines[n])
            n += 1
            continue
        values = _loop_values(text, number, loop.group("values").strip())
        indent = _indent(loop.group("indent"))
        rest = lines[n + 1 :]
        following = next((e for e in rest if e[1].strip()), None)
        if following is None:
            raise AnswerError(f"line {number}: the loop has no body", formula=text, column=1)
        flat = _indent(following[1]) <= indent
        if flat:
            body = rest  # the indentation lost: the loop runs to the end
        else:
            body = []
            for e in rest:
                if e[1].strip() and _indent(e[1]) <= indent:
                    break
                body.append(e)
        name = loop.group("var")
        for value in values:
            case = f"{outer}, {name} = {value}" if outer else f"{name} = {value}"
            replaced = [(e[0], _with_value(e[1], name, value), case, flat or outer_flat) for e in body]
            out.extend(_unrolled(text, replaced))
            if len(out) > MAX_UNROLLED:
                raise AnswerError(
                    f"line {number}: the loops unrolled give more than {MAX_UNROLLED} statements",
                    formula=text,
                    column=1,
                )
        n += 1 + len(body)
    return out


def _with_value(line: str, name: str, value: int) -> str:
    """The line with the loop variable replaced by its value, and whole-number sums in brackets worked out
    (``A[k+1]`` at k = 2 is ``A[3]``)."""
    code, comment = line, ""
    stripped = _without_comment(line)
    if len(stripped) < len(line):
        code, comment = stripped, line[len(stripped) :]
    code = re.sub(rf"(?<![\w.'\"]){re.escape(name)}(?![\w'\"])", str(value), code)

    def worked_out(match: re.Match) -> str:
        inside = match.group(1)
        if re.fullmatch(r"\s*-?\d+(?:\s*[-+]\s*\d+)+\s*", inside):
            total = sum(int(t.replace(" ", "")) for t in re.findall(r"[-+]?\s*\d+", inside))
            return f"[{total}]"
        return match.group(0)

    return re.sub(r"\[([^\[\]]*)\]", worked_out, code) + comment


#: A function's definition: ``def sigmoid_derivative(x):``, its body on the next line or after the colon.
_DEF = re.compile(r"\s*def\s+(?P<name>[A-Za-z_]\w*)\s*\((?P<params>[^()]*)\)\s*:(?P<body>.*)")
_RETURN = re.compile(r"\s*return\s+(?P<value>\S.*)")


def _returned(function: tuple, number: int, line: str) -> Statement:
    """The statement of a def whose body is one ``return``: the function bound to what it returns."""
    start, definition = function
    name = definition.group("name")
    match = _RETURN.fullmatch(line)
    if not match:
        raise AnswerError(
            f"line {number}: the body of def {name} (line {start}) is read only as one return statement, such as "
            f"'return x * (1 - x)'; found {line.strip()!r}",
            formula=line,
            column=len(line) - len(line.lstrip()) + 1,
        )
    params = [p.strip() for p in definition.group("params").split(",") if p.strip()]
    for p in params:
        if not re.fullmatch(r"[A-Za-z_]\w*", p):
            raise AnswerError(
                f"line {start}: def {name}: the parameter {p!r} is not read (a default value, *args): write "
                "plain names",
                formula=definition.string,
                column=definition.start("params") + 1,
            )
    rhs = " " * match.start("value") + match.group("value")
    return Statement(number, f"{name}({', '.join(params)})", "def", rhs, line)


def _without_comment(line: str) -> str:
    quote = None
    for n, ch in enumerate(line):
        if ch in "'\"":
            quote = None if quote == ch else quote or ch
        elif ch == "#" and quote is None:
            return line[:n]
    return line


def _split_statements(line: str) -> list[str]:
    """A line split at its top-level ';' (Octave's ``[1; a1]`` stays one), each part padded to keep columns."""
    parts, depth, start = [], 0, 0
    for n, ch in enumerate(line):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == ";" and depth == 0:
            parts.append(" " * start + line[start:n])
            start = n + 1
    parts.append(" " * start + line[start:])
    return parts


@dataclass(frozen=True)
class Assigned:
    """A name's final value in a program: its tokens, and the line that last assigned it."""

    name: str
    tokens: tuple[Token, ...]
    line: int
    text: str
    number: int = 0  # which statement of the program (from 1)
    case: str = ""  # in an unrolled loop, the loop variable's value: "k = 2"


def run(program: list[Statement], bindings: dict[str, Binding]) -> list[Assigned]:
    """Each name's final value, in the order the names were first assigned. Raises AnswerError naming the line."""
    values: dict[str, Assigned] = {}
    functions: dict[str, Binding] = {}
    for number, s in enumerate(program, 1):
        if s.op == "def":  # def f(x): return …: f bound to what it returns, as --names 'f(x) = …' binds it
            name, _, params = s.name.partition("(")
            parameters = tuple(p.strip() for p in params[:-1].split(",") if p.strip())
            functions[name] = Binding(name, s.rhs.strip(), parameters, origin=f"def {name} (line {s.line})")
            continue
        known = {
            **bindings,
            **functions,
            **{n: Binding(n, tokens=v.tokens, origin=f"line {v.line}") for n, v in values.items()},
        }
        try:
            tokens = tokenize(s.rhs, known)[:-1]
        except AnswerError as error:
            raise AnswerError(f"line {s.line}: {error}", formula=s.text, column=error.column) from None
        base, _, inside = s.name.partition("[")
        whole = base in bindings and bindings[base].indexed  # self.weights[2] of self.weights[k] = w^{(k+1)}
        if inside and not whole and s.name not in bindings and (base in values or base in bindings):
            if base not in values:
                values[base] = Assigned(base, tuple(tokenize(base, bindings)[:-1]), s.line, s.text, number)
            try:
                part = _part(s, inside[:-1], tokens, values[base].tokens, known)
            except AnswerError as error:
                raise AnswerError(f"line {s.line}: {error}", formula=s.text, column=error.column) from None
            if part is not None:
                values[base] = Assigned(base, part, s.line, s.text, number)
                continue
            raise AnswerError(
                f"line {s.line}: {s.name} {s.op} … changes part of {base}; read are whole names ({base} = …, "
                f"{base} += …), a mask ({base}[{base} <= 0] = 0) and the true classes ({base}[range(N), y] -= 1)",
                formula=s.text,
                column=1,
            )
        if s.op != "=":
            if s.name not in values and (s.name in bindings or whole):  # self.who += …: the update of what it holds
                start = Assigned(s.name, tuple(tokenize(s.name, bindings)[:-1]), s.line, s.text, number)
                values[s.name] = start
            if s.name not in values:
                raise AnswerError(
                    f"line {s.line}: {s.name} {s.op} … changes {s.name} before the program gives it a value",
                    formula=s.text,
                    column=1,
                )
            col = tokens[0].column if tokens else 1
            op = {"+=": "+", "-=": "-", "*=": "*", "/=": "/"}[s.op]
            tokens = [
                Token("OP", "(", col, "("),
                *values[s.name].tokens,
                Token("OP", ")", col, ")"),
                Token("OP", op, col, op),
                Token("OP", "(", col, "("),
                *tokens,
                Token("OP", ")", col, ")"),
            ]
        values[s.name] = Assigned(s.name, tuple(tokens), s.line, s.text, number, s.case)  # the first assignment's place
    return list(values.values())


def unscaled(lhs: object, rhs: object) -> tuple[object, object]:
    """A name bound to a multiple of a quantity (``grad_w2 = m dW^2`` for a summed loss, ``delta_hidden = -δ^2``
    for an error of the opposite sign): the quantity, and what the program computes divided by the multiple."""
    if isinstance(lhs, tree.Neg):  # −δ^2, or −m dW^2
        return unscaled(lhs.operand, tree.Neg(rhs))
    if isinstance(lhs, tree.Transpose):  # del3 = −(dZ^2)ᵀ: the deltas a column per example in a row-vector text
        return unscaled(lhs.operand, tree.Transpose(rhs, lhs.column))
    if isinstance(lhs, tree.BinOp) and lhs.op in ("dot", "star"):
        if _constant(lhs.left):
            return unscaled(lhs.right, tree.BinOp("/", rhs, lhs.left, lhs.column))
        if _constant(lhs.right):
            return unscaled(lhs.left, tree.BinOp("/", rhs, lhs.right, lhs.column))
    if isinstance(lhs, tree.BinOp) and lhs.op == "/" and _constant(lhs.right):  # −δ^2/2: the 1/2, then the sign
        return unscaled(lhs.left, tree.BinOp("dot", lhs.right, rhs, lhs.column))
    return lhs, rhs


def _constant(node: object) -> bool:
    """A number, or a constant's letter (m, n, η, λ)."""
    if isinstance(node, tree.Neg):
        return _constant(node.operand)
    return isinstance(node, tree.Num) or (isinstance(node, tree.Var) and node.base in ("m", "n", "eta", "lambda"))


#: CS231n's dscores[range(N), y] -= 1: each example's entry at its true class, the one-hot targets Y.
_TRUE_CLASSES = re.compile(r"\s*(?:np\.)?a?range\([^()]*\)\s*,\s*\w+\s*|\s*\w+\s*,\s*(?:np\.)?a?range\([^()]*\)\s*")
_COMPARISON = re.compile(r"<=|>=|<|>")


def _part(s: Statement, index: str, rhs: list, old: tuple, known: dict) -> tuple | None:
    """The tokens of a name after a part of it is assigned: the true classes (``M[range(N), y] -= 1``: M − Y,
    the targets one-hot) or a mask (``M[Z <= 0] = 0``: M where Z > 0, 0 elsewhere); None for any other part."""
    col = rhs[0].column if rhs else 1

    def group(tokens) -> list:
        return [Token("OP", "(", col, "("), *tokens, Token("OP", ")", col, ")")]

    if _TRUE_CLASSES.fullmatch(index) and s.op in ("+=", "-="):
        op = Token("OP", s.op[0], col, s.op[0])
        targets = [Token("NAME", "Y", col)]
        return tuple(group(old) + [op] + group(group(rhs) + [Token("OP", "⊙", col, "*")] + targets))
    if _COMPARISON.search(index) and s.op == "=":
        start = s.text.index("[") + 1
        mask = group(tokenize(" " * start + index, known)[:-1])
        keep = group([Token("NUM", "1", col), Token("OP", "-", col, "-"), *mask])
        star = Token("OP", "⊙", col, "*")  # entry by entry, whatever the notation's * means
        tokens = group(old) + [star] + keep
        if [t.text for t in rhs] != ["0"]:
            tokens += [Token("OP", "+", col, "+"), *group(rhs), star, *mask]
        return tuple(tokens)
    return None
