"""rsn: the open RSN-XNN accelerator stack from Python.

    >>> import rsn
    >>> dev = rsn.Device("model")                       # or "sim", "xrt"
    >>> c = dev.gemm(a, b, bias=bias, epilogue="gelu")  # NumPy in, NumPy out
    >>> enc = rsn.Encoder.from_pretrained("minilm", device=dev)
    >>> emb = enc.embed(["A sentence.", "Another one."])  # sentence-transformers' embeddings
    >>> rsn.bench("gemm:1024,1024,1024")                # the fields of `rsn bench --json`

Device errors are ``rsn.DeviceError`` subclasses (``FaultError``, ``RunTimeout``,
``ValidationError``) whose ``fault``, ``at`` and ``states`` attributes say what the device
reported; the GIL is released while a device runs.
"""

from ._rsn import (
    ISA_VERSION,
    Buffer,
    Device,
    DeviceError,
    Encoder,
    FaultError,
    Program,
    ProgramError,
    RsnError,
    RunTimeout,
    ValidationError,
    __version__,
    backends,
    bench,
)

__all__ = [
    "ISA_VERSION",
    "Buffer",
    "Device",
    "DeviceError",
    "Encoder",
    "FaultError",
    "Program",
    "ProgramError",
    "RsnError",
    "RunTimeout",
    "ValidationError",
    "__version__",
    "backends",
    "bench",
]
