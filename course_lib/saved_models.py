"""Trained weights kept between sessions, in a folder of the learner's own.

A notebook that needs a trained network calls :func:`load_or_train`: the first time it
trains the network and saves its weights; later runs load them in a fraction of a second.
Nothing is downloaded and nothing is committed: every file here was written by the course on
this computer.

Where: ``$COURSE_LIB_MODELS`` if set, else ``models`` in the user's cache folder
(``~/.cache/course_lib/models`` on Linux, ``~/Library/Caches/course_lib/models`` on macOS).
Never the data folder, which may be read-only.

Care taken with the learner's files:

* a save writes a temporary file next to the target and renames it, so an interrupted save
  never leaves half a file under the real name;
* a file that cannot be read (damaged, unreadable, holding NaN, or written for a different
  network) is reported in plain words, moved aside to ``<name>.pt.unreadable`` (or
  ``.unreadable-2``, ``-3``, ... so an earlier one is never replaced; never deleted), and the
  network is trained again. If it cannot be moved aside, the new weights are not saved over
  it;
* a folder that cannot be written (read-only, no space) only costs the saving: the notebook
  goes on with the freshly trained network and says how to fix the folder.

Introduced in ``09_your_own_handwriting``.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "ENV_MODELS",
    "FORMAT",
    "UnreadableWeights",
    "load_or_train",
    "load_weights",
    "models_dir",
    "save_weights",
]

ENV_MODELS = "COURSE_LIB_MODELS"
FORMAT = "course_lib.saved_models/1"  # written into every file; files without it are refused
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def models_dir() -> Path:
    """The folder for saved weights: ``$COURSE_LIB_MODELS`` or the user's cache (not created).

    Whether it is usable is checked where it is used: :func:`save_weights` raises (and
    :func:`load_or_train` reports) a ``$COURSE_LIB_MODELS`` that names a file.
    """
    env = os.environ.get(ENV_MODELS, "").strip()
    if env:
        return Path(env).expanduser()
    import pooch  # imported here so that importing this module stays instant

    return Path(pooch.os_cache("course_lib")) / "models"


def _path(name: str, folder) -> Path:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"name must be a short file-name-safe word such as 'mnist_cnn' (letters, digits, "
            f"'_', '-', '.'), got {name!r}"
        )
    if folder is not None and not isinstance(folder, (str, os.PathLike)):
        raise TypeError(
            f"folder must be a folder path (str or pathlib.Path) or None for models_dir(), "
            f"got {type(folder).__name__}"
        )
    base = models_dir() if folder is None else Path(folder).expanduser()
    return base / f"{name}.pt"


def _check_recipe(recipe) -> str:
    if not isinstance(recipe, str):
        # str(None) == "None" would let two different "recipes" match: only text is taken.
        raise TypeError(f"recipe must be a string describing the training, got {recipe!r}")
    return recipe


def _check_folder(folder: Path) -> None:
    """Raise NotADirectoryError (an OSError) naming a folder path that is a file."""
    for path in (folder, *folder.parents):
        if path.exists():
            if not path.is_dir():
                raise NotADirectoryError(
                    f"{path} is a file, not a folder, so weights cannot be saved in {folder}; "
                    f"set {ENV_MODELS} (or folder=) to a folder"
                )
            return


def _check_model(model) -> None:
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")


def save_weights(model, name: str, *, recipe: str = "", folder=None) -> Path:
    """Save ``model``'s weights as ``<folder>/<name>.pt``; return the path.

    ``recipe`` describes how the weights were made (architecture, epochs, seed, ...);
    :func:`load_weights` refuses a file whose recipe differs. The file is written under a
    temporary name and renamed, so readers never see half a file. Raises ``OSError`` when
    the folder cannot be created or written.
    Introduced in ``09_your_own_handwriting``.
    """
    import torch

    _check_model(model)
    recipe = _check_recipe(recipe)
    path = _path(name, folder)
    _check_folder(path.parent)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    payload = {"format": FORMAT, "name": name, "recipe": str(recipe), "state_dict": state}
    handle, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as f:
            torch.save(payload, f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class UnreadableWeights(Exception):
    """A saved weights file that exists but cannot be used; the message says why."""


def load_weights(model, name: str, *, recipe: str = "", folder=None) -> bool:
    """Load saved weights into ``model``; True if loaded, False if there is no file.

    Raises :class:`UnreadableWeights` (with a plain-words reason) when the file exists but
    is damaged, is not a course weights file, was made with a different ``recipe``, or does
    not fit ``model``'s layers.
    Introduced in ``09_your_own_handwriting``.
    """
    import torch

    _check_model(model)
    recipe = _check_recipe(recipe)
    path = _path(name, folder)
    if path.exists() and not path.is_file():
        raise UnreadableWeights("it is a folder, not a weights file")
    if not path.is_file():
        return False
    try:
        with open(path, "rb") as f:
            payload = torch.load(f, map_location="cpu", weights_only=True)
    except OSError as error:
        raise UnreadableWeights(f"it cannot be read ({error.strerror or error})") from None
    except Exception as error:  # torch raises many kinds for a damaged file
        raise UnreadableWeights(f"it is damaged ({type(error).__name__}: {error})") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise UnreadableWeights("it is not a weights file written by the course")
    if payload.get("recipe") != str(recipe):
        raise UnreadableWeights(
            f"it was made by another recipe ({payload.get('recipe')!r}, not {recipe!r})"
        )
    state = payload.get("state_dict")
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    found = (
        {k: tuple(v.shape) for k, v in state.items() if hasattr(v, "shape")}
        if isinstance(state, dict)
        else None
    )
    if found != expected:
        raise UnreadableWeights(
            f"its layers do not match this network's ({_first_difference(found or {}, expected)})"
        )
    for key, value in state.items():
        if torch.is_tensor(value) and value.is_floating_point() and not value.isfinite().all():
            raise UnreadableWeights(f"its weights {key!r} hold NaN or infinity")
    model.load_state_dict(state)
    return True


def _first_difference(found: dict, expected: dict) -> str:
    for key, shape in expected.items():
        if key not in found:
            return f"the file has no {key!r}"
        if found[key] != shape:
            return f"{key!r} has shape {found[key]} in the file, {shape} in the network"
    extra = next(iter(set(found) - set(expected)), None)
    return f"the file has an extra {extra!r}" if extra else "different layers"


def _aside_name(path: Path) -> Path:
    """``<name>.pt.unreadable``, or the first ``.unreadable-N`` that does not exist yet."""
    aside = path.with_name(path.name + ".unreadable")
    number = 2
    while aside.exists():
        aside = path.with_name(f"{path.name}.unreadable-{number}")
        number += 1
    return aside


def load_or_train(
    name: str,
    build: Callable[[], object],
    train: Callable[[object], object],
    *,
    recipe: str = "",
    folder=None,
    say: Callable[[str], None] = print,
):
    """A trained network: loaded from ``<folder>/<name>.pt`` if saved earlier, else trained.

    ``build()`` returns a fresh, untrained ``nn.Module``; ``train(model)`` trains it in
    place. ``recipe`` names how the weights are made; change it and old files are not used.
    Returns ``(model, source)`` with ``source`` ``"loaded"`` or ``"trained"``; ``say`` (by
    default ``print``) tells the learner which, and anything that went wrong with the file
    or the folder. Never raises for a damaged file or an unwritable folder.
    Introduced in ``09_your_own_handwriting``.
    """
    path = _path(name, folder)
    recipe = _check_recipe(recipe)
    for value, what in ((build, "build"), (train, "train"), (say, "say")):
        if not callable(value):
            raise TypeError(f"{what} must be a function, got {type(value).__name__}")
    model = build()
    _check_model(model)
    blocked = None  # why the weights must not be saved, if so
    try:
        if load_weights(model, name, recipe=recipe, folder=folder):
            model.eval()
            say(f"{name}: loaded the weights saved earlier in {path}.")
            return model, "loaded"
    except UnreadableWeights as why:
        aside = _aside_name(path)
        try:
            os.replace(path, aside)
            kept = f"it is kept as {aside}"
        except OSError as error:
            kept = f"it stays where it is (moving it aside failed: {error})"
            blocked = f"{path} could not be moved aside, and saving would replace it"
        say(f"{name}: the saved weights in {path} cannot be used: {why}; {kept}. Training again.")
        model = build()
    train(model)
    model.eval()
    if blocked:
        say(
            f"{name}: trained, but not saved: {blocked}. Move it away yourself to keep the weights."
        )
        return model, "trained"
    try:
        saved = save_weights(model, name, recipe=recipe, folder=folder)
    except OSError as error:
        say(
            f"{name}: trained, but the weights could not be saved in {path.parent} ({error}); "
            f"they will be trained again next time. Set {ENV_MODELS} to a folder you can "
            "write to, then restart the kernel."
        )
    else:
        say(f"{name}: trained and saved in {saved}; the next run will load it.")
    return model, "trained"
