"""The repository's scripts/*.py as modules, for the tests of the generators (their file names have hyphens)."""
import importlib.util
import os

SCRIPTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "scripts")


def load_script(file_name):
    """``scripts/<file_name>`` imported as a fresh module (its ``main`` is not run)."""
    spec = importlib.util.spec_from_file_location(file_name[:-3].replace("-", "_"), os.path.join(SCRIPTS, file_name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
