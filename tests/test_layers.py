"""kerasclf's dependencies run one way, down the layers of docs/architecture.md.

Every module of the package is read with `ast` (nothing is imported) and put
in its layer by its folder. A module may import its own layer and the layers
below it, never one above; and no import sits inside a function, except the
command line's, which load TensorFlow only for the commands that need it.
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Lowest first; the layer of a module is the longest prefix that matches.
LAYERS = [
    ("kerasclf.validation", 0),
    ("kerasclf.quiet_tensorflow", 0),
    ("kerasclf.atomic_files", 0),
    ("kerasclf.json_text", 0),
    ("kerasclf.xla_cache", 0),
    ("kerasclf.tracing", 0),
    ("kerasclf.npz_files", 0),
    ("kerasclf.tensorflow_log", 0),
    ("kerasclf.deferred_keras_wrappers", 0),
    ("kerasclf.key_synonyms", 0),
    ("kerasclf.data", 1),
    ("kerasclf.pipeline", 2),
    ("kerasclf.models", 3),
    ("kerasclf.engine", 4),
    ("kerasclf.callbacks", 5),
    ("kerasclf.run", 6),
    ("kerasclf.cli", 7),
    ("kerasclf.experiments", 8),
    ("kerasclf", 8),  # The package's lazy front door: names from every layer.
]
# kerasclf imports inside functions that are allowed, and why. (Other libraries'
# are not checked: kerasclf.quiet_tensorflow imports TensorFlow in a function,
# once its logging is set.)
LAZY_IMPORTS = {
    # The CLI answers --help and bad input before TensorFlow loads (tests/test_cli_startup.py).
    "kerasclf.cli.main": "TensorFlow loads only for the commands that train or evaluate",
    "kerasclf.cli.evaluate": "TensorFlow loads only after the flags are checked",
}
FOLDERS = {"kerasclf": "kerasclf", "callbacks": "kerasclf.callbacks"}


def _modules():
    """(module name, path) of every module kerasclf installs, experiments aside."""
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join([package, *parts]), path


def layer_of(module: str) -> int | None:
    matches = [
        (len(prefix), layer)
        for prefix, layer in LAYERS
        if module == prefix or module.startswith(prefix + ".")
    ]
    return max(matches)[1] if matches else None


def _imports(tree: ast.AST, module: str):
    """(imported module, line, inside a function) of every kerasclf import."""
    functions = [
        node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    inside = {id(child) for function in functions for child in ast.walk(function)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # Relative: resolved against this module's package.
                package = module.split(".")[: -node.level] if node.level else []
                base = ".".join([*package, base] if base else package)
            names = [f"{base}.{alias.name}" for alias in node.names]
            if base != "kerasclf":  # `from kerasclf import pipeline` imports kerasclf.pipeline.
                names.append(base)
        else:
            continue
        for name in names:
            if name.startswith("kerasclf") or name.startswith("callbacks"):
                yield (
                    name.replace("callbacks", "kerasclf.callbacks", 1)
                    if name.startswith("callbacks")
                    else name,
                    node.lineno,
                    id(node) in inside,
                )


MODULES = list(_modules())


def test_every_module_has_a_layer():
    assert [name for name, _ in MODULES if layer_of(name) is None] == []


@pytest.mark.parametrize("module, path", MODULES, ids=[name for name, _ in MODULES])
def test_imports_run_down_the_layers(module, path):
    tree = ast.parse(path.read_text())
    own = layer_of(module)
    upward = [
        f"line {line}: {imported} (layer {layer_of(imported)} above {own})"
        for imported, line, _ in _imports(tree, module)
        if layer_of(imported) is not None and layer_of(imported) > own
    ]
    assert upward == []


EAGER_MODULES = [(name, path) for name, path in MODULES if name not in LAZY_IMPORTS]


@pytest.mark.parametrize("module, path", EAGER_MODULES, ids=[name for name, _ in EAGER_MODULES])
def test_no_import_hides_inside_a_function(module, path):
    tree = ast.parse(path.read_text())
    hidden = [
        f"line {line}: {imported}" for imported, line, inside in _imports(tree, module) if inside
    ]
    assert hidden == []


@pytest.mark.parametrize("module", sorted(LAZY_IMPORTS))
def test_each_module_allowed_lazy_imports_has_them(module):
    """No stale entry: the list names only modules that import inside a function."""
    path = dict(MODULES)[module]
    assert any(inside for _, _, inside in _imports(ast.parse(path.read_text()), module))


def test_the_checks_catch_an_upward_import(tmp_path):
    """The rule itself: a data module importing the run layer is reported."""
    tree = ast.parse("from kerasclf.run.training import train\n")
    found = list(_imports(tree, "kerasclf.data.labelled"))
    assert layer_of(found[0][0]) > layer_of("kerasclf.data.labelled")
    tree = ast.parse("def f():\n    from kerasclf.data import Data\n")
    assert [inside for _, _, inside in _imports(tree, "kerasclf.run.training")] == [True, True]
