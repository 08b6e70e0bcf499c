"""Sentence encoders against the Hugging Face goldens (tests/goldens), on model and on sim."""

import pathlib
import re

import numpy as np
import pytest

import rsn
from conftest import sim_enabled

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def agreement(enc, golden):
    hidden, mask = enc.encode(golden["sentences"])
    assert hidden.shape == golden["hidden"].shape and hidden.dtype == np.float32
    assert np.array_equal(mask, golden["attention_mask"])
    real = mask.astype(bool)
    err = float(np.abs(hidden[real] - golden["hidden"][real]).max())
    emb = enc.embed(golden["sentences"])
    emb_err = float(np.abs(emb - golden["embedding"]).max())
    return err, emb_err


@pytest.fixture(scope="module")
def minilm():
    return rsn.Encoder.from_pretrained("minilm", device=rsn.Device("model"))


def test_minilm_matches_hugging_face_on_model(minilm, minilm_golden):
    tok = minilm.tokenize(minilm_golden["sentences"])
    assert np.array_equal(tok["input_ids"], minilm_golden["input_ids"])
    err, emb_err = agreement(minilm, minilm_golden)
    print(f"model: max |hidden - HF| {err:.3e}, max |embedding - sentence-transformers| {emb_err:.3e}")
    assert err <= 1e-3 and emb_err <= 1e-3
    cycles, ms = minilm.last_run
    assert cycles > 0 and ms > 0


def test_mpnet_matches_hugging_face_on_model(mpnet_golden):
    mpnet = rsn.Encoder.from_pretrained("mpnet")  # on a new Device("model")
    assert mpnet.hidden_size == 768 and repr(mpnet) == 'rsn.Encoder("all-mpnet-base-v2", device="model")'
    err, emb_err = agreement(mpnet, mpnet_golden)
    print(f"mpnet on model: max |hidden - HF| {err:.3e}, max |embedding - sentence-transformers| {emb_err:.3e}")
    assert err <= 1e-3 and emb_err <= 1e-3


def test_a_model_folder_loads_as_its_name_does(minilm, tmp_path):
    by_path = rsn.Encoder.from_pretrained(str(minilm.path), device=rsn.Device("model"))
    s = ["A reconfigurable stream network runs transformers on an FPGA."]
    assert np.array_equal(by_path.embed(s), minilm.embed(s))
    with pytest.raises(ValueError, match="no-such-model"):
        rsn.Encoder.from_pretrained("no-such-model")
    with pytest.raises(rsn.RsnError, match="config.json"):
        rsn.Encoder.from_pretrained(str(tmp_path))


def test_embeddings_are_unit_vectors_and_a_str_is_one_sentence(minilm):
    e = minilm.embed("The cat sat on the mat.")
    assert e.shape == (1, 384)
    assert abs(float(np.linalg.norm(e)) - 1.0) < 1e-5
    with pytest.raises(TypeError):
        minilm.embed(42)
    with pytest.raises(ValueError, match="empty"):
        minilm.embed([])


def readme_snippet():
    text = README.read_text(encoding="utf-8")
    m = re.search(r"<!-- python-snippet -->\s*```python\n(.*?)```", text, re.S)
    assert m, "README.md has no python snippet"
    return m.group(1)


def run_snippet(backend, golden, capsys):
    """The README's five lines as a user runs them, on `backend`; its embeddings of the first two
    golden sentences against sentence-transformers'."""
    code = readme_snippet()
    assert 'rsn.Device("model")' in code
    scope = {}
    exec(compile(code.replace('rsn.Device("model")', f'rsn.Device("{backend}")'), "README.md", "exec"), scope)
    assert "(2, 384)" in capsys.readouterr().out
    emb = scope["emb"]
    assert scope["sentences"] == golden["sentences"][:2]
    err = float(np.abs(emb - golden["embedding"][:2]).max())
    print(f"{backend}: README snippet, max |embedding - sentence-transformers| {err:.3e}")
    assert err <= 1e-3


def test_the_readme_snippet_matches_sentence_transformers_on_model(minilm_golden, capsys):
    run_snippet("model", minilm_golden, capsys)


@pytest.mark.skipif(not sim_enabled(), reason="package built without the sim feature (or RSN_PY_SIM=0)")
def test_the_readme_snippet_matches_sentence_transformers_on_sim(minilm_golden, capsys):
    run_snippet("sim", minilm_golden, capsys)
