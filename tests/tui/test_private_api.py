"""Every private Textual name dixa-tui uses still exists in the pinned Textual, and ours too."""

from __future__ import annotations

import importlib

import pytest

from dixa_tui.tui.private import PRIVATE_USES


def _resolve(spec: str) -> object:
    module, _, path = spec.partition(":")
    found: object = importlib.import_module(module)
    for name in path.split("."):
        found = getattr(found, name)
    return found


@pytest.mark.parametrize("use", PRIVATE_USES, ids=lambda use: use.textual)
def test_the_private_name_is_still_there(use) -> None:
    owner, _, attribute = use.textual.rpartition(".")
    cls = _resolve(owner)
    assert isinstance(cls, type)
    if attribute.startswith("_tree_nodes"):  # an instance attribute, set in __init__
        import inspect

        assert f"self.{attribute}" in inspect.getsource(cls.__init__)
    else:
        assert callable(getattr(cls, attribute))
    assert callable(_resolve(use.ours))


def test_no_other_private_textual_override_is_in_the_tree() -> None:
    """A private method of a Textual base class overridden in dixa_tui must be listed."""
    import inspect
    import pkgutil

    import dixa_tui.tui

    listed = {use.ours.split(":")[1] for use in PRIVATE_USES}
    found = set()
    for info in pkgutil.walk_packages(dixa_tui.tui.__path__, "dixa_tui.tui."):
        module = importlib.import_module(info.name)
        for name, cls in vars(module).items():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            textual_bases = [b for b in cls.__mro__[1:] if b.__module__.startswith("textual")]
            for attribute, value in vars(cls).items():
                if not inspect.isfunction(value) or not attribute.startswith("_") or \
                        attribute.startswith("__"):
                    continue
                if any(attribute in vars(base) for base in textual_bases):
                    found.add(f"{name}.{attribute}")
    assert found <= listed, f"unlisted private overrides: {sorted(found - listed)}"
