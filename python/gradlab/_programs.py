"""The compiled programs shipped in the package (gradlab/bin/), as console scripts.

`pip install .` installs one command per program, gradlab-<program>
(gradlab-exercises, gradlab-resnet, gradlab-export-notebooks and the five
checkers); each replaces the Python process with the program, so its output,
exit status and signals are the program's own. `python -m gradlab` lists them.
"""
import os
import sys
from pathlib import Path

# console script -> compiled program, with what it does
PROGRAMS = {
    "exercises": ("exercises", "the five checkers' summary; grade, grade-class, handout"),
    "resnet": ("resnet", "the CIFAR-10 ResNet trainer: train, test, predict, make-synthetic, bench, report"),
    "export-notebooks": ("export_notebooks", "writes the Jupyter notebooks (--out DIR)"),
    "ex1-tanh-gradient": ("ex1_tanh_gradient", "problem 1: the tanh perceptron's gradient"),
    "ex2-backprop-identity": ("ex2_backprop_identity", "problem 2: backpropagation with an identity output"),
    "ex3-resblock-params": ("ex3_resblock_params", "problem 3: parameters of residual blocks"),
    "ex4-batchnorm-shapes": ("ex4_batchnorm_shapes", "problem 4: batch-normalization statistics"),
    "ex5-conv1d-matrix": ("ex5_conv1d_matrix", "problem 5: a convolution as a matrix"),
}


def program_path(binary):
    """The path of a compiled program: gradlab/bin/<binary> beside the compiled module
    (an editable install keeps the Python files in the source tree and the compiled
    files in site-packages)."""
    from gradlab import _core

    for folder in (Path(_core.__file__).parent, Path(__file__).parent):
        candidate = folder / "bin" / binary
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"gradlab: the program {binary!r} is not in this installation (looked in {Path(_core.__file__).parent}/bin); "
        "reinstall with `pip install .` from a clone, which builds the programs")


def run(binary, argv=None):
    """Replaces this process with the program (same arguments, exit status and output)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        path = program_path(binary)
    except FileNotFoundError as e:
        print(e, file=sys.stderr)
        return 127
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(str(path), [str(path), *argv])


def _entry(binary):
    def main():
        sys.exit(run(binary))

    main.__name__ = binary
    main.__doc__ = f"Runs the program {binary} (gradlab/bin/{binary}) with this command's arguments."
    return main


exercises = _entry("exercises")
resnet = _entry("resnet")
export_notebooks = _entry("export_notebooks")
ex1_tanh_gradient = _entry("ex1_tanh_gradient")
ex2_backprop_identity = _entry("ex2_backprop_identity")
ex3_resblock_params = _entry("ex3_resblock_params")
ex4_batchnorm_shapes = _entry("ex4_batchnorm_shapes")
ex5_conv1d_matrix = _entry("ex5_conv1d_matrix")
