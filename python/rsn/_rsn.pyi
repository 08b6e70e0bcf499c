"""Type stubs of the compiled module rsn._rsn (re-exported by rsn)."""

from os import PathLike
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "Buffer",
    "Device",
    "DeviceError",
    "Encoder",
    "FaultError",
    "ISA_VERSION",
    "Program",
    "ProgramError",
    "RsnError",
    "RunTimeout",
    "ValidationError",
    "__version__",
    "backends",
    "bench",
]

__version__: str
ISA_VERSION: int

_Path = Union[str, "PathLike[str]"]
_Sentences = Union[str, Sequence[str]]

class RsnError(Exception):
    """Base of every error rsn raises."""

class DeviceError(RsnError):
    """A device refused or failed a request."""

    fault: Optional[str]
    """Fault code name (``"Deadlock"``, ``"DmaBounds"``, ...) or None."""
    at: Optional[Dict[str, int]]
    """Instruction position ``{"packet", "mop", "word"}`` of the fault, or None."""
    states: List[Dict[str, Any]]
    """Each FU's state ``{"fu", "state", "at", "queued"}`` (empty when none was reported)."""
    timeout: Optional[float]
    """Seconds waited (RunTimeout only)."""

class FaultError(DeviceError):
    """The device stopped with a fault."""

class RunTimeout(DeviceError):
    """A run did not finish within the device's timeout."""

class ValidationError(DeviceError):
    """The host refused a program before it reached the device."""

class ProgramError(RsnError):
    """A program file is malformed or compiled for another bitstream."""

@final
class Buffer:
    """A float32 device buffer with a host view (``array``, shared memory)."""

    @property
    def shape(self) -> List[int]: ...
    @property
    def memory(self) -> str: ...
    @property
    def offset(self) -> int: ...
    @property
    def array(self) -> npt.NDArray[np.float32]:
        """The host view, writable, sharing this buffer's memory (no copy)."""
    def to_device(self) -> None: ...
    def from_device(self) -> None: ...
    def write(self, x: npt.ArrayLike) -> None: ...
    def read(self) -> npt.NDArray[np.float32]: ...

@final
class Program:
    """A program file: instruction words, buffer placement, engine parameters, named tensors."""

    @staticmethod
    def load(path: _Path) -> "Program": ...
    @staticmethod
    def gemm(
        m: int,
        n: int,
        k: int,
        *,
        bias: bool = False,
        residual: bool = False,
        epilogue: Optional[str] = None,
        eps: float = 1e-12,
        bitstream: Optional[_Path] = None,
    ) -> "Program": ...
    def save(self, path: _Path) -> None: ...
    @property
    def header(self) -> Dict[str, Any]: ...
    @property
    def inputs(self) -> Dict[str, List[int]]: ...
    @property
    def outputs(self) -> Dict[str, List[int]]: ...

@final
class Device:
    """An RSN-XNN device: ``"model"``, ``"sim"`` or ``"xrt"``."""

    def __new__(
        cls,
        backend: str = "model",
        *,
        bitstream: Optional[_Path] = None,
        xclbin: Optional[_Path] = None,
        index: int = 0,
        timeout: float = 600.0,
    ) -> "Device": ...
    @property
    def kind(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def peak_gflops(self) -> float: ...
    def describe(self) -> str: ...
    def alloc(self, shape: Sequence[int], memory: str = "ddr") -> Buffer: ...
    def gemm(
        self,
        a: npt.ArrayLike,
        b: npt.ArrayLike,
        bias: Optional[npt.ArrayLike] = None,
        epilogue: Optional[str] = None,
        *,
        residual: Optional[npt.ArrayLike] = None,
        gamma: Optional[npt.ArrayLike] = None,
        beta: Optional[npt.ArrayLike] = None,
        eps: float = 1e-12,
    ) -> npt.NDArray[np.float32]:
        """``epilogue(a @ b + bias + residual)``; epilogue None, "gelu" or "layernorm"."""
    def run(self, program: Program, inputs: Dict[str, npt.ArrayLike]) -> Dict[str, npt.NDArray[np.float32]]: ...

@final
class Encoder:
    """A sentence encoder whose weights live on a device."""

    @staticmethod
    def from_pretrained(name_or_path: str, device: Optional[Device] = None, *, timeout: float = 600.0) -> "Encoder": ...
    @property
    def name(self) -> str: ...
    @property
    def path(self) -> Path:
        """The model folder the weights and tokenizer were read from."""
    @property
    def hidden_size(self) -> int: ...
    @property
    def max_tokens(self) -> int: ...
    @property
    def last_run(self) -> Optional[Tuple[int, float]]:
        """(PL cycles, device ms) of the last encode/embed."""
    def tokenize(self, sentences: _Sentences) -> Dict[str, npt.NDArray[np.int64]]: ...
    def encode(self, sentences: _Sentences) -> Tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """Last hidden state [B, S, H] and attention mask [B, S] (padding=True)."""
    def embed(self, sentences: _Sentences) -> npt.NDArray[np.float32]:
        """Mean-pooled, L2-normalised sentence embeddings [B, H]."""

def bench(
    workload: str,
    backend: str = "model",
    *,
    seed: int = 1,
    timeout: float = 600.0,
    bitstream: Optional[_Path] = None,
    check: bool = True,
) -> Dict[str, Any]:
    """Run a workload; the dict has the fields of ``rsn bench --json``."""

def backends() -> List[str]:
    """Backends compiled into this package."""
