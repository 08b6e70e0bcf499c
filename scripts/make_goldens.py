#!/usr/bin/env python3
"""Write the golden tensors that host/tests/nn_*.rs compare the Rust CPU reference against.

Needs PyTorch + transformers (a one-off, local install; never in CI) and the models already fetched by
`rsn fetch-model minilm|mpnet` (which also keeps tokenizer_config.json so that the Hugging Face tokenizer
loads offline). Runs fully offline: HF_HUB_OFFLINE=1, local_files_only=True.

    python3 scripts/make_goldens.py [--model-dir DIR] [--out tests/goldens]

Per model it writes, under <out>/<model-name>/:
  input_ids.npy, attention_mask.npy, token_type_ids.npy   int64 [batch, seq]   (padding=True, truncation=True)
  last_hidden_state.npy                                   float32 [batch, seq, hidden]
  sentence_embedding.npy                                  float32 [batch, hidden] (mean over real tokens, L2-normalised)
  truncation_input_ids.npy                                int64 [2, 512]: a >512-token text and a short one
  long_input_ids.npy                                      int64 [1, S]: LONG_SENTENCE (S > 128 tokens)
  long_hidden_slice.npy                                   float32 [1, S, 16]: first 16 features of its last_hidden_state
  long_sentence_embedding.npy                             float32 [1, hidden]
  relative_position_buckets.npy (MPNet only)              int64 [1201]: bucket of key-query = -600..600
  meta.json                                               sentences, library versions, shapes
"""
import argparse
import json
import os
import sys
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoModel, AutoTokenizer  # noqa: E402

# Different lengths on purpose, so that padding and the attention mask matter; the third sentence has
# upper case, an accent, digits and a word that WordPiece splits.
SENTENCES = {
    "all-MiniLM-L6-v2": [
        "The cat sat on the mat.",
        "A reconfigurable stream network runs transformers on an FPGA.",
        "Café owners in Zürich reported 1,234 unusually tokenisable sentences yesterday; nobody "
        "expected the streaming accelerator to embed them all in under a millisecond.",
    ],
    "all-mpnet-base-v2": [
        "The cat sat on the mat.",
        "Streams of tensors flow between functional units.",
    ],
}


# Longer than any model's 512-token limit once tokenized, so that truncation (and only it) applies.
LONG_TEXT = " ".join(f"token{i} streams" for i in range(400))


# About 150 tokens of ordinary prose for both tokenizers.
LONG_SENTENCE = (
    "Streaming dataflow accelerators keep every functional unit busy by passing tensors directly "
    "between producers and consumers, so that intermediate results never make the round trip to "
    "external memory. "
) * 5

# Relative positions (key - query) covered by the MPNet bucket golden: past both 128 and 512.
BUCKET_RANGE = 600


def default_model_dir() -> Path:
    env = os.environ.get("RSN_MODEL_DIR")
    if env:
        return Path(env)
    return Path.home() / ".cache" / "rsn" / "models"


def run(name: str, model_root: Path, out_root: Path) -> None:
    src = model_root / name
    if not (src / "model.safetensors").is_file():
        sys.exit(f"{src}/model.safetensors missing: run `rsn fetch-model` first")
    tok = AutoTokenizer.from_pretrained(str(src), local_files_only=True)
    model = AutoModel.from_pretrained(
        str(src), local_files_only=True, dtype=torch.float32, attn_implementation="eager"
    )
    model.eval()
    sentences = SENTENCES[name]
    enc = tok(sentences, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        out = model(**enc)
    hidden = out.last_hidden_state.to(torch.float32)
    mask = enc["attention_mask"].unsqueeze(-1).to(torch.float32)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)

    dst = out_root / name
    dst.mkdir(parents=True, exist_ok=True)
    ids = enc["input_ids"].numpy().astype(np.int64)
    np.save(dst / "input_ids.npy", ids)
    np.save(dst / "attention_mask.npy", enc["attention_mask"].numpy().astype(np.int64))
    if "token_type_ids" in enc:
        tt = enc["token_type_ids"].numpy().astype(np.int64)
    else:
        tt = np.zeros_like(ids)
    np.save(dst / "token_type_ids.npy", tt)
    np.save(dst / "last_hidden_state.npy", np.ascontiguousarray(hidden.numpy().astype(np.float32)))
    np.save(dst / "sentence_embedding.npy", np.ascontiguousarray(pooled.numpy().astype(np.float32)))
    trunc = tok([LONG_TEXT, "short"], padding=True, truncation=True, return_tensors="np")
    np.save(dst / "truncation_input_ids.npy", trunc["input_ids"].astype(np.int64))
    # Long enough for MPNet's relative distances to pass max_distance=128; only a slice of the hidden
    # state is kept (the full one would be ~0.5 MB), the pooled embedding covers every feature.
    enc_long = tok([LONG_SENTENCE], padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        hl = model(**enc_long).last_hidden_state.to(torch.float32)
    pooled_long = torch.nn.functional.normalize(hl.mean(1), p=2, dim=1)
    np.save(dst / "long_input_ids.npy", enc_long["input_ids"].numpy().astype(np.int64))
    np.save(dst / "long_hidden_slice.npy", np.ascontiguousarray(hl[:, :, :16].numpy().astype(np.float32)))
    np.save(dst / "long_sentence_embedding.npy", np.ascontiguousarray(pooled_long.numpy().astype(np.float32)))

    if model.config.model_type == "mpnet":
        from transformers.models.mpnet.modeling_mpnet import MPNetEncoder

        rel = torch.arange(-BUCKET_RANGE, BUCKET_RANGE + 1, dtype=torch.long)
        buckets = MPNetEncoder.relative_position_bucket(rel, num_buckets=32, max_distance=128)
        np.save(dst / "relative_position_buckets.npy", buckets.numpy().astype(np.int64))
    meta = {
        "model": name,
        "generator": "scripts/make_goldens.py (PyTorch + transformers, FP32, eager attention)",
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "sentences": sentences,
        "truncation_text": LONG_TEXT,
        "long_sentence": LONG_SENTENCE,
        "long_shape": list(hl.shape),
        "relative_position_range": [-BUCKET_RANGE, BUCKET_RANGE],
        "input_shape": list(ids.shape),
        "hidden_shape": list(hidden.shape),
    }
    (dst / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    print(f"{name}: ids {list(ids.shape)} hidden {list(hidden.shape)} -> {dst}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", type=Path, default=default_model_dir())
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "tests" / "goldens")
    ap.add_argument("--only", choices=list(SENTENCES), default=None)
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(2)
    for name in SENTENCES:
        if args.only and name != args.only:
            continue
        run(name, args.model_dir, args.out)


if __name__ == "__main__":
    main()
