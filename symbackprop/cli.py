"""The command line: ``symbackprop verify|derive|generate|latex|check|build|train|data|notations|init``.

It only parses arguments, calls a stage or the pipeline (:mod:`symbackprop.pipeline`), prints, and maps
the outcome to an exit code. Exit codes: 0 every applicable closed form holds, 1 one fails (with a
counterexample) or a ``--max-seconds`` budget ran out first (a partial
report), 2 bad input (one line naming the file, field and fix), 3 an internal error (a bug: it says how to
report it), 130 / 143 interrupted by SIGINT / SIGTERM (every file written so far is complete).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from symbackprop import __version__, pipeline
from symbackprop.check.answers import MAX_ANSWERS_BYTES
from symbackprop.check.tree import ANSWER_SECONDS
from symbackprop.errors import SymbackpropError
from symbackprop.files import OutputFolder, read_regular, write_atomic
from symbackprop.notation.catalogue import NOTATIONS
from symbackprop.printing.text import derivation_text, verification_table
from symbackprop.printing.words import count
from symbackprop.spec.defaults import default_spec
from symbackprop.spec.examples import example_names, example_text
from symbackprop.spec.load import load_spec
from symbackprop.spec.model import Spec
from symbackprop.spec.toml import spec_toml
from symbackprop.teach.document import write_pdf
from symbackprop.training import train as training
from symbackprop.training.data import load_data
from symbackprop.verification import EXACT_LIMIT, METHODS
from symbackprop.verification import EXAMPLES as EXAMPLES_IN_BATCH

#: An example for each command's --help (real commands: run from the repository, or give your own spec).
EXAMPLES = {
    "verify": "symbackprop verify                       the built-in network\n"
    "  symbackprop verify examples/softmax.toml --json\n"
    "  symbackprop verify my.toml --notation ufldl --max-seconds 60",
    "derive": "symbackprop derive examples/blog.toml\n  symbackprop derive --latex > derivation.tex",
    "latex": "symbackprop latex examples/notes.toml --pdf   writes notes.tex and notes.pdf\n"
    "  symbackprop latex --notation bishop -o handout.tex",
    "generate": "symbackprop generate examples/nielsen_ch1.toml -o network.py\n"
    "  symbackprop generate --notation deeplearning_ai     X as (n_0, m)",
    "build": "symbackprop build                        the built-in network, trained on the digits\n"
    "  symbackprop build examples/nielsen_ch1.toml --data mnist --epochs 5 -o run1",
    "train": "symbackprop train --epochs 10 --eta 2.0\n"
    "  symbackprop train examples/nielsen_ch1.toml --data mnist -o run2",
    "data": "symbackprop data mnist\n  symbackprop data mnist ./mnist --url https://my-mirror.example/mnist/",
    "check": 'symbackprop check --formula "delta^L = (a^L - y) (.) sigma\'(z^L)"\n'
    "  symbackprop check examples/notes.toml --answers answers.txt --latex report.tex --pdf",
    "notations": "symbackprop notations\n  symbackprop notations bishop --json",
    "init": "symbackprop init                         writes network.toml, the built-in network\n"
    "  symbackprop init --example softmax my.toml",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symbackprop",
        description="Derive, verify and teach backpropagation for a fully-connected network.",
        epilog="Every command takes a spec (TOML); without one, the built-in network (`symbackprop init` writes it "
        "out). `symbackprop COMMAND --help` shows each command with an example.",
    )
    parser.add_argument("--version", action="version", version=f"symbackprop {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    talk = argparse.ArgumentParser(add_help=False)
    loudness = talk.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true", help="print results only, no messages on stderr")
    loudness.add_argument(
        "-v", "--verbose", action="store_true", help="also say which spec is used and how long it took"
    )

    def command(name: str, help: str, **kwargs) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help,
            description=kwargs.pop("description", help[0].upper() + help[1:] + "."),
            epilog="examples:\n  " + EXAMPLES[name] + ("\n\n" + kwargs.pop("epilog") if "epilog" in kwargs else ""),
            formatter_class=argparse.RawDescriptionHelpFormatter,
            parents=[talk],
            **kwargs,
        )

    def spec_argument(p: argparse.ArgumentParser) -> None:
        p.add_argument("spec", nargs="?", help="the network spec (TOML); default: the built-in network")

    def notation_argument(p: argparse.ArgumentParser, what: str = "write in this notation") -> None:
        p.add_argument(
            "--notation", choices=sorted(NOTATIONS), metavar="NAME", help=f"{what} (`symbackprop notations`)"
        )

    def training_arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--data", help="digits, mnist (the download cache), an IDX folder, mnist.pkl.gz, an .npz or a .csv"
        )
        p.add_argument("--epochs", type=int, help="epochs (default: the spec's [training] table)")
        p.add_argument("--batch-size", type=int, help="mini-batch size (default: the spec's)")
        p.add_argument("--eta", type=float, help="learning rate (default: the spec's)")
        p.add_argument("--seed", type=int, help="seed of the initial weights and the shuffles (default: the spec's)")
        p.add_argument(
            "--validation",
            type=int,
            metavar="N",
            help="hold out the last N training examples; keep the weights of the best epoch on them (default 0)",
        )
        p.add_argument("--npz-keys", metavar="X,y[,X_test,y_test]", help="the names of an .npz's arrays")
        p.add_argument("--label-column", metavar="NAME", help="a .csv's label column: a header name or a number from 1")

    p = command("verify", "derive and check BP1-BP4 and the input gradient")
    spec_argument(p)
    notation_argument(p, "verify in this notation")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--methods", nargs="+", choices=METHODS, help="methods to run (default: all that fit)")
    p.add_argument(
        "--examples", type=int, default=EXAMPLES_IN_BATCH, help=f"examples in the batch (default {EXAMPLES_IN_BATCH})"
    )
    p.add_argument(
        "--exact-limit",
        type=int,
        default=EXACT_LIMIT,
        help=f"skip the exact method above this many parameters x examples (default {EXACT_LIMIT})",
    )
    p.add_argument(
        "--max-seconds",
        type=float,
        metavar="S",
        help="time budget: stop the running method after S seconds and print a partial report (exit 1)",
    )

    p = command("derive", "print the derived gradients")
    spec_argument(p)
    notation_argument(p)
    p.add_argument("--latex", action="store_true", help="print the whole derivation as a LaTeX document")

    p = command("latex", "write the derivation as a standalone LaTeX document")
    spec_argument(p)
    notation_argument(p)
    p.add_argument("-o", "--output", help="the .tex to write (default: NAME.tex, NAME the spec's name field)")
    p.add_argument("--pdf", action="store_true", help="also compile it to PDF with the installed LaTeX engine")
    p.add_argument(
        "--answers",
        metavar="FILE",
        help="also write the exercises' answers, which `symbackprop check SPEC --answers FILE` grades",
    )
    p.add_argument("--force", action="store_true", help="overwrite a file that was edited or not written by us")

    p = command("generate", "write the specialised NumPy training module")
    spec_argument(p)
    notation_argument(p, "write the docstrings and comments in this notation")
    p.add_argument("-o", "--output", help="the module to write (default: NAME.py, NAME the spec's name field)")
    p.add_argument("--force", action="store_true", help="overwrite a file that was edited or not generated by us")

    p = command("build", "the main job: derive, verify, generate, write LaTeX and train, into a folder")
    spec_argument(p)
    notation_argument(p)
    p.add_argument("-o", "--output", default="symbackprop-build", help="folder to write into")
    p.add_argument("--force", action="store_true", help="overwrite files even if they were edited")
    training_arguments(p)

    p = command("train", "generate the module and train it on data, saving weights, history and a plot")
    spec_argument(p)
    notation_argument(p, "write the generated module in this notation")
    training_arguments(p)
    p.add_argument("-o", "--output", default="symbackprop-train", help="folder to write into")
    p.add_argument("--force", action="store_true", help="overwrite files even if they were edited")

    p = command("data", "download a data set into the local cache (sha256-checked, resumable)")
    p.add_argument("name", choices=["mnist"], help="the data set")
    p.add_argument("folder", nargs="?", help="where to put it (default: ${XDG_CACHE_HOME:-~/.cache}/symbackprop/mnist)")
    p.add_argument("--url", help="base URL of a mirror holding the four .gz files")

    from symbackprop.check.read import FILE_FORMAT

    p = command(
        "check",
        "grade a person's formulas: verdicts with counterexamples",
        description="Grade formulas (LaTeX or ASCII) against the spec's network: exit 0 all correct, 1 some wrong "
        "or undecided, 2 bad input.",
        epilog="The --answers file:\n" + FILE_FORMAT,
    )
    spec_argument(p)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--formula", help="one formula, LaTeX or ASCII (with --equation, or with a left-hand side)")
    what.add_argument(
        "--answers",
        help="a file of answers, 'ID (EQUATION): FORMULA' per line (format below); or a whole class: a folder of "
        "such files, or a quoted pattern ('submissions/*.txt'), one file per student",
    )
    p.add_argument(
        "--equation",
        help="BP1 BP2 BP3 BP4 input_gradient delta_output cost_gradient weight_update, or a "
        "quantity such as dC/dW^2_{1,2}",
    )
    notation_argument(p, "read the answers in this notation")
    p.add_argument(
        "--names",
        action="append",
        default=[],
        metavar="'NAME = FORMULA'",
        help="what a program's name holds, in the notation's letters: --names 'dscores = dZ^{[2]}/m' "
        "--names 'hidden_layer = A^{[1]}' (a function: 'sigmoid_prime(s) = s (1 - s)'); repeat for each name",
    )
    p.add_argument(
        "--names-file",
        metavar="FILE",
        help="the --names bindings one per line ('#' starts a comment), for a class's assignment",
    )
    p.add_argument(
        "--answer-seconds",
        type=float,
        default=ANSWER_SECONDS,
        metavar="S",
        help=f"time budget of each answer: one not graded after S seconds is reported undecided "
        f"(default {ANSWER_SECONDS:g})",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the text report")
    p.add_argument(
        "--latex",
        metavar="FILE",
        help="also write the report as LaTeX: a summary table, then a section per answer not correct",
    )
    p.add_argument("--pdf", action="store_true", help="also compile the --latex file to PDF")
    p.add_argument(
        "--gradebook",
        metavar="FILE",
        help="write the gradebook CSV (student, answer, verdict, mistake, …) here; a class's default: gradebook.csv",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="grade with N worker processes (default: every core, here %(default)s)",
    )
    p.add_argument(
        "--force", action="store_true", help="overwrite a --latex or --gradebook file that was edited or not ours"
    )

    p = command(
        "notations",
        "list the notations (the textbooks' conventions), each with its source",
        description="List the catalogue of notations, or show one in full: its source, numbering, weights, "
        "symbols, its own name for each equation, and what was decided where the text is silent.",
    )
    p.add_argument("name", nargs="?", choices=sorted(NOTATIONS), metavar="NAME", help="show this notation in full")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")

    p = command(
        "init",
        "write a commented spec to start from: the built-in network, or a shipped example",
        epilog=f"shipped examples: {', '.join(example_names())}",
    )
    p.add_argument("file", nargs="?", default="network.toml", help="the spec to write (default: network.toml)")
    p.add_argument("--example", choices=example_names(), metavar="NAME", help="start from this shipped example")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    return parser


def _say(args, message: str) -> None:
    """A message for the person at the terminal (what was written, what was used): on stderr, unless -q."""
    if not getattr(args, "quiet", False):
        print(message, file=sys.stderr)


def _load(args) -> Spec:
    """The spec the command names, or the built-in network; -v says which."""
    spec = default_spec() if args.spec is None else load_spec(args.spec)
    if getattr(args, "verbose", False):
        print(
            f"symbackprop: {args.command}: {spec.name} from {spec.source}, layers {list(spec.layers)}", file=sys.stderr
        )
    return spec


def _verify(args) -> int:
    spec = _load(args)
    if args.examples < 1:
        raise SystemExit(_fail("--examples: must be a positive integer"))
    if args.max_seconds is not None and not 0 < args.max_seconds < float("inf"):
        return _fail(f"--max-seconds: must be a positive number of seconds; got {args.max_seconds:g}")
    report = pipeline.verify(
        spec,
        notation=args.notation,
        methods=args.methods,
        examples=args.examples,
        exact_limit=args.exact_limit,
        max_seconds=args.max_seconds,
    )
    print(report.to_json() if args.json else verification_table(report))
    return 0 if report.ok else 1


def _derive(args) -> int:
    spec = _load(args)
    notation = args.notation or spec.notation
    if args.latex:
        print(pipeline.document(spec, notation), end="")
    else:
        print(derivation_text(spec, pipeline.derive(spec, notation), notation))
    return 0


def _output_file(output: str | None, default: str) -> Path:
    """The file ``-o`` names: ``default`` when none is given, or inside the folder ``-o`` names (an existing
    folder, or a path ending in a slash)."""
    if output is None:
        return Path(default)
    if output.endswith(("/", os.sep)) or Path(output).is_dir():
        return Path(output) / default
    return Path(output)


def _latex(args) -> int:
    spec = _load(args)
    target = _output_file(args.output, f"{spec.name}.tex")
    pipeline.document(spec, args.notation, path=target, pdf=args.pdf, force=args.force, answers=args.answers)
    named = "" if args.output else f" (named after the spec's name field, {spec.name!r}; -o to choose)"
    _say(args, f"latex: wrote {target}{named}")
    if args.pdf:
        _say(args, f"latex: wrote {target.with_suffix('.pdf')}")
    if args.answers:
        _say(args, f"latex: wrote {args.answers} (grade it: symbackprop check SPEC --answers {args.answers})")
    return 0


def _generate(args) -> int:
    spec = _load(args).in_notation(args.notation)
    path = _output_file(args.output, f"{spec.name}.py")
    pipeline.generate(spec, path, force=args.force)
    named = "" if args.output else ", named after the spec's name field; -o to choose"
    _say(
        args, f"generate: wrote {path} ({spec.name}: layers {list(spec.layers)}, {spec.notation}, {spec.dtype}{named})"
    )
    return 0


def _build(args) -> int:
    spec = _load(args)
    result = pipeline.build(
        spec,
        args.output,
        data=_data_of(args, args.data) if args.npz_keys or args.label_column else args.data,
        notation=args.notation,
        epochs=args.epochs,
        batch_size=args.batch_size,
        eta=args.eta,
        seed=args.seed,
        validation=args.validation,
        force=args.force,
        echo=None if args.quiet else print,
    )
    if not args.quiet:
        print()
    print(f"build: {spec.name} ({spec.source}) into {result.folder}/")
    for stage, seconds in result.timings.items():
        print(f"  {stage:<8} {seconds:6.2f} s")
    for note in result.notes:
        print(f"  {note}")
    print("  every applicable closed form holds" if result.ok else "  SOME CHECKS FAIL: see verification.txt")
    for path in result.written:
        _say(args, f"build: wrote {path}")
    return 0 if result.ok else 1


def _train(args) -> int:
    spec = _load(args).in_notation(args.notation)
    run = training.settings(
        spec, epochs=args.epochs, batch_size=args.batch_size, eta=args.eta, seed=args.seed, validation=args.validation
    )
    data = _data_of(args, args.data or pipeline.default_data(spec))
    outcome = training.train(spec, data, run, OutputFolder(args.output, force=args.force))
    print(
        f"train: {count(len(outcome.history), 'epoch')} in {outcome.seconds:.1f} s; final test accuracy "
        f"{100 * outcome.final:.2f}%, best {100 * outcome.best:.2f}%"
    )
    for path in outcome.written:
        _say(args, f"train: wrote {path}")
    return 0


def _data_of(args, data: str):
    """The data set ``--data`` names, read with the options of its kind (--npz-keys, --label-column)."""
    if data is None:
        raise SymbackpropError("--npz-keys and --label-column describe a file: give it with --data")
    keys = tuple(k.strip() for k in args.npz_keys.split(",")) if args.npz_keys else None
    return load_data(data, npz_keys=keys, label_column=args.label_column)


def _init(args) -> int:
    target = Path(args.file)
    if target.exists() and not args.force:
        return _fail(f"{target}: exists; give another file name, or --force to overwrite it")
    if args.example:
        text = example_text(args.example)
        origin = f"the shipped example {args.example!r}"
    else:
        title = f"the built-in network of symbackprop: edit it, then run e.g. `symbackprop verify {target}`"
        text = spec_toml(default_spec(), title=title)
        origin = "the built-in network"
    try:
        write_atomic(target, text.encode("utf-8"))  # whole or not at all
    except OSError as error:
        return _fail(f"{target}: cannot write: {error.strerror}")
    _say(args, f"init: wrote {target} ({origin}); try `symbackprop verify {target}`")
    return 0


def _data(args) -> int:
    from symbackprop.training.download import DEFAULT_URL, download_mnist

    folder = download_mnist(args.folder, url=args.url or DEFAULT_URL)
    print(f"data: MNIST is in {folder}; train on it with --data {'mnist' if args.folder is None else folder}")
    return 0


def _notations(args) -> int:
    from symbackprop.notation.catalogue import get, names
    from symbackprop.printing.text import catalogue_text, notation_text

    chosen = [get(args.name)] if args.name else [get(name) for name in names()]
    if args.json:
        data = [nt.summary() for nt in chosen]
        print(json.dumps(data[0] if args.name else data, indent=2, ensure_ascii=False))
    else:
        print(notation_text(chosen[0]) if args.name else catalogue_text(chosen))
    return 0


def _check_answers(args) -> int:
    from symbackprop.check import classroom
    from symbackprop.check.program import NamesError, parse_bindings
    from symbackprop.check.read import Submission, read_answers
    from symbackprop.check.verdict import report_latex, report_text

    if not 0 < args.answer_seconds < float("inf"):
        return _fail(f"--answer-seconds: must be a positive number of seconds; got {args.answer_seconds:g}")
    if args.jobs < 1:
        return _fail(f"--jobs: must be a positive number of worker processes; got {args.jobs}")
    spec = _load(args)
    if args.pdf and not args.latex:
        return _fail("check: --pdf needs --latex FILE")
    unreadable: list = []
    whole_class = bool(args.answers) and classroom.is_class(args.answers)
    if args.formula is not None:
        submissions = [Submission("answer", args.formula, args.equation)]
    elif whole_class:
        if args.equation:
            return _fail("check: --equation goes with --formula; in a file, write 'ID (EQUATION): FORMULA'")
        submissions, unreadable = classroom.read_class(classroom.answer_files(args.answers))
    else:
        if args.equation:
            return _fail("check: --equation goes with --formula; in a file, write 'ID (EQUATION): FORMULA'")
        try:
            raw = read_regular(args.answers, MAX_ANSWERS_BYTES)  # a FIFO or a device is refused, not read
            if len(raw) > MAX_ANSWERS_BYTES:
                return _fail(f"{args.answers}: too large: an answers file is at most {MAX_ANSWERS_BYTES:_} bytes")
            text = raw.decode("utf-8")
        except OSError as error:
            return _fail(f"{args.answers}: cannot read the answers: {error.strerror}")
        except UnicodeDecodeError as error:
            return _fail(f"{args.answers}: not UTF-8 text (byte {error.start}); an answers file is text")
        submissions = read_answers(text, source=args.answers)
    gradebook = Path(args.gradebook or "gradebook.csv") if (whole_class or args.gradebook) else None
    targets = [Path(args.latex)] + ([Path(args.latex).with_suffix(".pdf")] if args.pdf else []) if args.latex else []
    for target in targets + ([gradebook] if gradebook else []):  # refused before any grading, not after it
        OutputFolder(target.parent, force=args.force).check(target.name)
    names = list(args.names)
    if args.names_file:
        try:
            lines = Path(args.names_file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            return _fail(f"{args.names_file}: cannot read the names: {getattr(error, 'strerror', None) or error}")
        names += [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    try:
        parse_bindings(names, args.names_file or "--names")  # refused before any grading
    except NamesError as error:
        return _fail(str(error))
    report = pipeline.check(
        spec, submissions, notation=args.notation, seconds=args.answer_seconds, jobs=args.jobs, names=names
    )
    report = classroom.with_file_errors(report, unreadable)
    if args.json:
        print(report.to_json())
    else:
        print(classroom.summary_text(report) if whole_class else report_text(report), end="")
    if gradebook:
        path = OutputFolder(gradebook.parent, force=args.force).write(gradebook.name, classroom.gradebook_csv(report))
        _say(args, f"check: wrote {path}")
    if args.latex:
        target = Path(args.latex)
        folder = OutputFolder(target.parent, force=args.force)
        path = folder.write(target.name, (classroom.class_latex if whole_class else report_latex)(report))
        _say(args, f"check: wrote {path}")
        if args.pdf:
            pdf = write_pdf(folder, path)
            _say(args, f"check: wrote {pdf}")
    return report.exit_code


#: The exit code of an internal error (a bug in symbackprop, not bad input).
INTERNAL_ERROR = 3


def _fail(message: str) -> int:
    print(f"symbackprop: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {
        "verify": _verify,
        "derive": _derive,
        "generate": _generate,
        "latex": _latex,
        "build": _build,
        "train": _train,
        "data": _data,
        "check": _check_answers,
        "notations": _notations,
        "init": _init,
    }
    command = commands[args.command]
    received: dict = {}
    start = time.perf_counter()
    try:
        with _sigterm_interrupts(received):
            try:
                code = command(args)
            except SymbackpropError as error:
                return _fail(str(error))
            except BrokenPipeError:
                raise  # the reader went away: handled below, not a bug
            except Exception as error:  # a bug, not the input: its own exit code, and how to report it
                if os.environ.get("SYMBACKPROP_TRACEBACK"):
                    raise
                detail = " ".join(str(error).split())[:300]
                print(
                    f"symbackprop: internal error in {args.command}: {type(error).__name__}: {detail}\n"
                    f"symbackprop: this is a bug in symbackprop {__version__}, not in your input; please report it "
                    "with the command and its spec (SYMBACKPROP_TRACEBACK=1 shows the traceback)",
                    file=sys.stderr,
                )
                return INTERNAL_ERROR
            if getattr(args, "verbose", False):
                print(f"symbackprop: {args.command}: done in {time.perf_counter() - start:.2f} s", file=sys.stderr)
            return code
    except BrokenPipeError:
        # the reader went away (`symbackprop verify ... | head`): stop quietly, as other command-line tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + int(signal.SIGPIPE)
    except KeyboardInterrupt:
        name = "SIGTERM" if received.get("signal") == signal.SIGTERM else "SIGINT"
        _fail(f"interrupted by {name}; stopped cleanly: every file written so far is complete, none half-written")
        return 128 + int(signal.SIGTERM if name == "SIGTERM" else signal.SIGINT)


@contextlib.contextmanager
def _sigterm_interrupts(received: dict) -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt, as SIGINT does, until the block ends (main thread only);
    ``received["signal"]`` is then set to SIGTERM. The previous handler is restored afterwards."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) is None:
        yield
        return

    def terminate(signum, frame):
        received["signal"] = signum
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
