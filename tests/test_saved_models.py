"""The weights cache: missing, saved and loaded, damaged, wrong recipe, read-only folder."""

from __future__ import annotations

import os
import stat
import sys

import pytest
import torch
from torch import nn

from course_lib.saved_models import (
    ENV_MODELS,
    UnreadableWeights,
    load_or_train,
    load_weights,
    models_dir,
    save_weights,
)


def build():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))


class Trainer:
    """Counts how often training ran; 'training' sets every weight to a known value."""

    def __init__(self):
        self.calls = 0

    def __call__(self, model):
        self.calls += 1
        with torch.no_grad():
            for p in model.parameters():
                p.fill_(0.5)


def quiet(messages):
    return messages.append


def test_models_dir_follows_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_MODELS, str(tmp_path / "mine"))
    assert models_dir() == tmp_path / "mine"
    monkeypatch.delenv(ENV_MODELS)
    assert models_dir().name == "models" and "course_lib" in str(models_dir())


def test_missing_weights_are_trained_saved_then_loaded(tmp_path):
    said, train = [], Trainer()
    model, source = load_or_train("net", build, train, folder=tmp_path, say=quiet(said))
    assert source == "trained" and train.calls == 1
    assert (tmp_path / "net.pt").is_file()
    assert "trained and saved" in said[-1]
    again, source = load_or_train("net", build, train, folder=tmp_path, say=quiet(said))
    assert source == "loaded" and train.calls == 1, "the second run must not train"
    assert "loaded" in said[-1]
    for a, b in zip(model.parameters(), again.parameters(), strict=True):
        assert torch.equal(a, b)
    assert not again.training
    assert [p.name for p in tmp_path.iterdir()] == ["net.pt"], "no temporary file is left"


def test_a_damaged_file_is_reported_kept_aside_and_the_net_retrained(tmp_path):
    (tmp_path / "net.pt").write_bytes(b"this is not a weights file")
    said, train = [], Trainer()
    model, source = load_or_train("net", build, train, folder=tmp_path, say=quiet(said))
    assert source == "trained" and train.calls == 1
    assert "cannot be used" in said[0] and "damaged" in said[0] and "Training again" in said[0]
    assert (tmp_path / "net.pt.unreadable").read_bytes() == b"this is not a weights file"
    assert load_weights(build(), "net", folder=tmp_path)  # a good file is back


def test_a_truncated_save_is_damaged_too(tmp_path):
    save_weights(build(), "net", folder=tmp_path)
    data = (tmp_path / "net.pt").read_bytes()
    (tmp_path / "net.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableWeights, match="damaged"):
        load_weights(build(), "net", folder=tmp_path)


def test_another_recipe_or_architecture_is_not_loaded(tmp_path):
    save_weights(build(), "net", recipe="1 epoch", folder=tmp_path)
    with pytest.raises(UnreadableWeights, match="another recipe"):
        load_weights(build(), "net", recipe="2 epochs", folder=tmp_path)
    with pytest.raises(UnreadableWeights, match="layers do not match"):
        load_weights(nn.Linear(4, 2), "net", recipe="1 epoch", folder=tmp_path)
    torch.save({"hello": 1}, tmp_path / "other.pt")
    with pytest.raises(UnreadableWeights, match="not a weights file"):
        load_weights(build(), "other", folder=tmp_path)


def test_missing_file_loads_nothing(tmp_path):
    assert load_weights(build(), "nothing", folder=tmp_path) is False


@pytest.mark.skipif(
    sys.platform.startswith("win") or (hasattr(os, "geteuid") and os.geteuid() == 0),
    reason="root (and Windows) ignore read-only permissions",
)
def test_a_read_only_folder_costs_only_the_saving(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        said, train = [], Trainer()
        model, source = load_or_train("net", build, train, folder=folder, say=quiet(said))
        assert source == "trained" and train.calls == 1
        assert "could not be saved" in said[-1] and ENV_MODELS in said[-1]
    finally:
        folder.chmod(stat.S_IRWXU)


def test_an_unwritable_folder_is_reported_not_raised(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    said, train = [], Trainer()
    model, source = load_or_train("net", build, train, folder=blocker / "models", say=quiet(said))
    assert source == "trained"
    assert "could not be saved" in said[-1]


def test_saving_never_leaves_half_a_file_under_the_real_name(tmp_path, monkeypatch):
    save_weights(build(), "net", recipe="old", folder=tmp_path)
    before = (tmp_path / "net.pt").read_bytes()

    def broken_save(obj, f, *args, **kwargs):
        f.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        save_weights(build(), "net", recipe="new", folder=tmp_path)
    assert (tmp_path / "net.pt").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.pt"]


def test_bad_arguments_are_named(tmp_path):
    with pytest.raises(ValueError, match="name"):
        save_weights(build(), "../escape", folder=tmp_path)
    with pytest.raises(TypeError, match="model"):
        save_weights("not a model", "net", folder=tmp_path)


def test_a_read_only_file_system_costs_only_the_saving(tmp_path, monkeypatch):
    """As root the permission bits are ignored, so the refusal is simulated here."""
    import course_lib.saved_models as saved

    def refuse(*args, **kwargs):
        raise PermissionError(30, "Read-only file system")

    monkeypatch.setattr(saved.tempfile, "mkstemp", refuse)
    said, train = [], Trainer()
    model, source = load_or_train("net", build, train, folder=tmp_path, say=quiet(said))
    assert source == "trained" and train.calls == 1
    assert "Read-only file system" in said[-1] and "trained again next time" in said[-1]
    assert not any(tmp_path.iterdir())


def test_a_models_variable_naming_a_file_costs_only_the_saving(tmp_path, monkeypatch):
    blocker = tmp_path / "models.txt"
    blocker.write_text("a user's notes")
    monkeypatch.setenv(ENV_MODELS, str(blocker))
    said, train = [], Trainer()
    model, source = load_or_train("net", build, train, say=quiet(said))
    assert source == "trained" and train.calls == 1
    assert "is a file, not a folder" in said[-1] and ENV_MODELS in said[-1]
    assert blocker.read_text() == "a user's notes"
    with pytest.raises(NotADirectoryError, match="is a file, not a folder"):
        save_weights(build(), "net")


def test_an_earlier_unreadable_file_is_never_replaced(tmp_path):
    (tmp_path / "net.pt.unreadable").write_bytes(b"kept from last week")
    (tmp_path / "net.pt").write_bytes(b"damaged today")
    said = []
    load_or_train("net", build, Trainer(), folder=tmp_path, say=quiet(said))
    assert (tmp_path / "net.pt.unreadable").read_bytes() == b"kept from last week"
    assert (tmp_path / "net.pt.unreadable-2").read_bytes() == b"damaged today"
    assert "net.pt.unreadable-2" in said[0]


def test_a_file_that_cannot_be_moved_aside_is_not_saved_over(tmp_path, monkeypatch):
    import course_lib.saved_models as saved

    (tmp_path / "net.pt").write_bytes(b"the user's file")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(saved.os, "replace", refuse)
    said, train = [], Trainer()
    model, source = load_or_train("net", build, train, folder=tmp_path, say=quiet(said))
    assert source == "trained" and train.calls == 1
    assert "not saved" in said[-1]
    assert (tmp_path / "net.pt").read_bytes() == b"the user's file"


def test_weights_of_another_shape_name_the_layer(tmp_path):
    save_weights(build(), "net", folder=tmp_path)
    wider = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2))
    with pytest.raises(UnreadableWeights, match=r"'0.weight' has shape \(3, 4\) in the file"):
        load_weights(wider, "net", folder=tmp_path)
    said = []
    model, source = load_or_train("net", lambda: wider, Trainer(), folder=tmp_path, say=said.append)
    assert source == "trained" and "'0.weight'" in said[0]


def test_weights_holding_nan_are_not_loaded(tmp_path):
    model = build()
    with torch.no_grad():
        model[0].weight[0, 0] = float("nan")
    save_weights(model, "net", folder=tmp_path)
    with pytest.raises(UnreadableWeights, match="NaN"):
        load_weights(build(), "net", folder=tmp_path)


def test_a_folder_where_the_weights_file_should_be_is_not_called_missing(tmp_path):
    (tmp_path / "net.pt").mkdir()
    with pytest.raises(UnreadableWeights, match="folder"):
        load_weights(build(), "net", folder=tmp_path)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"folder": 3}, TypeError, "folder must be a folder path"),
        ({"recipe": None}, TypeError, "recipe must be a string"),
        ({"recipe": 2}, TypeError, "recipe must be a string"),
        ({"say": "print"}, TypeError, "say must be a function"),
    ],
)
def test_arguments_of_the_wrong_type_are_named(tmp_path, kwargs, error, match):
    kwargs = {"folder": tmp_path, **kwargs}
    with pytest.raises(error, match=match):
        load_or_train("net", build, Trainer(), **kwargs)
    if "say" not in kwargs:
        with pytest.raises(error, match=match):
            save_weights(build(), "net", **kwargs)
