"""Shared fixtures: the repository's Hugging Face goldens and the backends to test on."""

import json
import os
import pathlib

import numpy as np
import pytest

import rsn

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDENS = ROOT / "tests" / "goldens"


def sim_enabled() -> bool:
    """The co-simulation is tested when the package has it, unless RSN_PY_SIM=0."""
    return "sim" in rsn.backends() and os.environ.get("RSN_PY_SIM", "1") != "0"


def golden(name):
    d = GOLDENS / name
    meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
    return {
        "sentences": meta["sentences"],
        "input_ids": np.load(d / "input_ids.npy"),
        "attention_mask": np.load(d / "attention_mask.npy"),
        "hidden": np.load(d / "last_hidden_state.npy"),
        "embedding": np.load(d / "sentence_embedding.npy"),
    }


@pytest.fixture(scope="session")
def minilm_golden():
    return golden("all-MiniLM-L6-v2")


@pytest.fixture(scope="session")
def mpnet_golden():
    return golden("all-mpnet-base-v2")
