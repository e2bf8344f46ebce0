"""gradlab.labs: notebook labs that students complete and gradlab grades (see labs/README.md).

The public checks a lab's notebook calls live in gradlab.labs.checks (shared diagnosis: which
input, which index, what was returned and expected, and a guess at the mistake) and in one module
per lab (check_autograd, check_conv, check_batchnorm, check_resnet). The tools: assemble.py (a lab
source -> notebooks, hidden tests, autograder zip), grade.py and runner.py (one submission, in a
limited child process), grade_class.py (a class -> CSV); `python -m gradlab.labs --help`.
"""
