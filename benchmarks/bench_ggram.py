"""Benchmark: PMI G-gram extraction and G-gram matching vs plain-Python references; BPE training.

Inputs (generated under benchmarks/out/sequence/):
- real: hg19 chr1:1-2,000,000 ($GENOVOCAB_REAL_DATA/misc/hg19_chr1_1-2000000.fa.gz), cut at N
  gaps into 1 kbp windows (1.84 Mbp of sequence);
- synthetic: 50 Mbp (``--quick``: 10 Mbp) of 1 kbp windows from an order-6 Markov chain fitted to
  the real sequence, a third of them with a real 100-400 bp fragment pasted in (seeded), so
  its statistics look genomic (k-mer biases, some shared repeat-like text) but it is new.
Both are tokenized with a 4096-token BPE trained on the real windows.

Rows:
- ``extract``: :func:`genovocab.sequence.ggram.extract_ggrams` vs a plain-Python implementation
  of DNAZEN's extraction (dicts and loops; the recount scans every window against the survivor set);
  equality of the whole vocabulary (G-grams, order, recounts).
- ``match``: :class:`GgramMatcher` on a batch of 512-token sequences vs a DNAZEN-style loop
  (every start, every length, space-joined token strings looked up in a dict); equality of all
  matches; throughput in sequences per second.
- ``bpe``: BPE training time and peak RSS per Mbp of training text (real 1.8 Mbp; full mode
  also the first 10 Mbp of the synthetic text).
- ``layout``: :class:`SequenceTokenizer` output in DNAZEN's layout (``input_ids``,
  ``attention_mask``, ``ngram_input_ids``, ``ngram_attention_match``, ``ngram_attention_mask``;
  512 positions, ``max_ngram_count`` 30, padded) vs DNAZEN's own algorithm re-typed plainly
  (the reference of ``tests/test_dnazen_parity.py``); equality of every key of every sequence.
  ``--layout-only`` runs just this row (real sequence, vocabulary extracted by us).

Each measured call runs in a fresh process (``_common.measure``); the times are of the work
itself (inputs are loaded before the clock starts): ours the median of 5 calls in that process,
the Python references the median of 3 (real extraction) or a single call (the rest);
peak RSS is the whole process's.

Run: ``.venv/bin/python benchmarks/bench_ggram.py [--quick]``.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from _common import measure, real_data_dir, report  # noqa: E402

REAL = real_data_dir() / "misc" / "hg19_chr1_1-2000000.fa.gz"
OUT = HERE / "out" / "sequence"
PARAMS = dict(min_pmi=2.0, min_token_count=5, min_ngram_freq=5, min_len=2, max_len=5)


# ------------------------------------------------------------------ inputs
def real_windows() -> list[str]:
    from genovocab.sequence.windows import acgt_segments, tile_segments

    with gzip.open(REAL, "rt") as handle:
        seq = "".join(line.strip() for line in handle if not line.startswith(">")).upper()
    return [seq[s:e] for s, e in tile_segments(acgt_segments(seq, 100), 1000, 100)]


def synthetic_windows(real: list[str], total_bp: int, seed: int = 1, order: int = 6) -> list[str]:
    """1 kbp windows of an order-``order`` Markov chain fitted to the real sequence; a third of
    them get one real fragment of 100-400 bp pasted in (repeat-like shared text)."""
    rng = np.random.default_rng(seed)
    code = np.full(256, 255, dtype=np.uint8)
    code[np.frombuffer(b"ACGT", dtype=np.uint8)] = np.arange(4, dtype=np.uint8)
    counts = np.ones((4**order, 4), dtype=np.float64)
    for w in real:
        x = code[np.frombuffer(w.encode(), dtype=np.uint8)].astype(np.int64)
        ctx = np.zeros(len(x) - order, dtype=np.int64)
        for j in range(order):
            ctx = ctx * 4 + x[j : len(x) - order + j]
        np.add.at(counts, (ctx, x[order:]), 1)
    cum = np.cumsum(counts / counts.sum(axis=1, keepdims=True), axis=1)
    n = total_bp // 1000
    out = np.zeros((n, 1000), dtype=np.uint8)
    out[:, :order] = rng.integers(0, 4, size=(n, order))
    ctx = np.zeros(n, dtype=np.int64)
    for j in range(order):
        ctx = ctx * 4 + out[:, j]
    mask = 4 ** (order - 1)
    for i in range(order, 1000):
        nxt = (rng.random(n)[:, None] > cum[ctx]).sum(axis=1).clip(0, 3)
        out[:, i] = nxt
        ctx = (ctx % mask) * 4 + nxt
    text = np.frombuffer("".join(real).encode(), dtype=np.uint8)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)[out]
    for row in np.flatnonzero(rng.random(n) < 1 / 3):
        length = int(rng.integers(100, 401))
        src = int(rng.integers(0, len(text) - length))
        dst = int(rng.integers(0, 1000 - length))
        letters[row, dst : dst + length] = text[src : src + length]
    return [row.tobytes().decode() for row in letters]


def prepare(quick: bool) -> dict[str, Path]:
    from genovocab.sequence import bpe
    from genovocab.sequence.windows import write_lines

    OUT.mkdir(parents=True, exist_ok=True)
    real = real_windows()
    syn_bp = 10_000_000 if quick else 50_000_000
    paths = {
        "real_txt": OUT / "real.txt",
        "syn_txt": OUT / f"markov_{syn_bp // 10**6}M.txt",
        "bpe": OUT / "bpe4096",
    }
    write_lines(paths["real_txt"], real)
    if not paths["syn_txt"].exists():
        write_lines(paths["syn_txt"], synthetic_windows(real, syn_bp))
    if not (paths["bpe"] / "tokenizer.json").exists():
        bpe.save_tokenizer_folder(bpe.train_bpe([paths["real_txt"]], vocab_size=4096), paths["bpe"])
    tok = bpe.load_tokenizer(paths["bpe"])
    for name in ("real", "syn"):
        npz = (
            OUT / f"markov_tokens_{syn_bp // 10**6}M.npz"
            if name == "syn"
            else OUT / "real_tokens.npz"
        )
        if not npz.exists():
            from genovocab.sequence.windows import read_lines

            ids, offsets = bpe.encode_ids(tok, read_lines(paths[f"{name}_txt"]))
            bpe.save_token_stream(npz, ids, offsets)
        paths[f"{name}_tokens"] = npz
    return paths


# ------------------------------------------------------------------ plain-Python references
def python_extract(
    seqs: list[list[int]], min_pmi, min_token_count, min_ngram_freq, min_len, max_len
) -> list[tuple[tuple[int, ...], int]]:
    """DNAZEN's extraction with dicts and loops (same exact PMI test as the library)."""
    uni: dict[int, int] = {}
    pairs: dict[tuple[int, int], int] = {}
    n = 0
    for s in seqs:
        prev = None
        for t in s:
            uni[t] = uni.get(t, 0) + 1
            n += 1
            if prev is not None:
                pairs[(prev, t)] = pairs.get((prev, t), 0) + 1
            prev = t
    scale = 2**min_pmi
    kept = {
        p
        for p, c in pairs.items()
        if c >= min_token_count and n * c >= scale * uni[p[0]] * uni[p[1]]
    }
    cands: dict[tuple[int, ...], int] = {}
    for s in seqs:
        start = 0
        for i in range(1, len(s) + 1):
            if i == len(s) or (s[i - 1], s[i]) not in kept:
                for k in range(start, i, max_len):
                    piece = tuple(s[k : min(k + max_len, i)])
                    if len(piece) >= min_len:
                        cands[piece] = cands.get(piece, 0) + 1
                start = i
    survivors = {c for c, f in cands.items() if f >= min_ngram_freq}
    lengths = sorted({len(c) for c in survivors})
    recount = dict.fromkeys(survivors, 0)
    for s in seqs:
        for length in lengths:
            for i in range(len(s) - length + 1):
                w = tuple(s[i : i + length])
                if w in recount:
                    recount[w] += 1
    out = [(g, c) for g, c in recount.items() if c >= min_ngram_freq]
    out.sort(key=lambda x: (-x[1], x[0]))
    return out


def dnazen_match(
    token_lists: list[list[str]], vocab: dict[str, int], min_len: int, max_len: int
) -> list[list[tuple[int, int, int]]]:
    """DNAZEN's loop: every start, every length, space-joined strings in a dict."""
    out = []
    for tokens in token_lists:
        found = []
        for start in range(len(tokens)):
            for length in range(min_len, max_len + 1):
                end = start + length
                if end > len(tokens):
                    break
                gid = vocab.get(" ".join(tokens[start:end]))
                if gid is not None:
                    found.append((gid, start, length))
        out.append(found)
    return out


# ------------------------------------------------------------------ measured calls
def _load(npz):
    from genovocab.sequence.bpe import load_token_stream

    return load_token_stream(npz)


def _timed(fn, repeats: int):
    """Median time of ``repeats`` calls and the last result."""
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), result


def run_ours_extract(npz: str, repeats: int) -> tuple[float, list]:
    from genovocab.sequence.ggram import GgramParams, extract_ggrams

    ids, offsets = _load(npz)
    dt, v = _timed(
        lambda: extract_ggrams(ids, offsets, vocab_size=4096, params=GgramParams(**PARAMS)), repeats
    )
    return dt, list(zip(v.ngrams, v.frequency.tolist()))


def run_python_extract(npz: str, repeats: int) -> tuple[float, list]:
    ids, offsets = _load(npz)
    seqs = [ids[offsets[i] : offsets[i + 1]].tolist() for i in range(len(offsets) - 1)]
    return _timed(lambda: python_extract(seqs, **PARAMS), repeats)


def _match_inputs(npz: str, vocab_npz: str, n_seqs: int):
    ids, offsets = _load(npz)
    n = min(n_seqs, len(ids) // 512)
    batch = ids[: n * 512].reshape(n, 512)
    with np.load(vocab_npz, allow_pickle=False) as data:
        flat, lens = data["flat"], data["lens"]
    ngrams = np.split(flat, np.cumsum(lens)[:-1])
    return batch, [tuple(g.tolist()) for g in ngrams]


def run_ours_match(npz: str, vocab_npz: str, n_seqs: int, repeats: int) -> tuple[float, int, list]:
    from genovocab.sequence.ggram import GgramVocab
    from genovocab.tokenizers.sequence import GgramMatcher

    batch, ngrams = _match_inputs(npz, vocab_npz, n_seqs)
    matcher = GgramMatcher(GgramVocab(ngrams, np.zeros(len(ngrams)), np.zeros(len(ngrams))), 4096)
    offsets = np.arange(0, batch.size + 1, 512, dtype=np.int64)
    dt, m = _timed(lambda: matcher.match_stream(batch.ravel(), offsets), repeats)
    bounds = np.searchsorted(m.seq, np.arange(len(batch) + 1))
    found = [
        list(zip(m.ngram_id[a:b].tolist(), m.position[a:b].tolist(), m.length[a:b].tolist()))
        for a, b in zip(bounds[:-1], bounds[1:])
    ]
    return dt, len(batch), found


def run_python_match(
    npz: str, vocab_npz: str, n_seqs: int, bpe_dir: str, repeats: int
) -> tuple[float, int, list]:
    from genovocab.sequence.bpe import load_tokenizer

    batch, ngrams = _match_inputs(npz, vocab_npz, n_seqs)
    tok = load_tokenizer(bpe_dir)
    strings = [tok.id_to_token(i) for i in range(tok.get_vocab_size())]
    vocab = {" ".join(strings[t] for t in g): i + 1 for i, g in enumerate(ngrams)}
    token_lists = [[strings[t] for t in row] for row in batch.tolist()]
    lens = [len(g) for g in ngrams]
    dt, found = _timed(lambda: dnazen_match(token_lists, vocab, min(lens), max(lens)), repeats)
    return dt, len(batch), found


def _layout_inputs(npz: str, vocab_npz: str, bpe_dir: str, n_seqs: int):
    from genovocab.sequence.bpe import load_tokenizer
    from genovocab.sequence.ggram import GgramVocab
    from genovocab.tokenizers import SequenceTokenizer

    ids, offsets = _load(npz)
    n = min(n_seqs, len(ids) // 510)
    batch = ids[: n * 510].reshape(n, 510).astype(np.int64)
    with np.load(vocab_npz, allow_pickle=False) as data:
        flat, lens = data["flat"], data["lens"]
    ngrams = [tuple(g.tolist()) for g in np.split(flat, np.cumsum(lens)[:-1])]
    st = SequenceTokenizer(
        load_tokenizer(bpe_dir),
        GgramVocab(ngrams, np.zeros(len(ngrams)), np.zeros(len(ngrams))),
        max_ngrams=30,
        model_max_length=512,
    )
    return st, batch, ngrams


def run_ours_layout(npz: str, vocab_npz: str, bpe_dir: str, n_seqs: int, repeats: int):
    st, batch, _ = _layout_inputs(npz, vocab_npz, bpe_dir, n_seqs)
    rows = list(batch)
    dt, out = _timed(
        lambda: st(rows, padding="max_length", truncation=True, return_tensors="np"), repeats
    )
    return dt, len(rows), {k: np.asarray(v) for k, v in out.items()}


def run_dnazen_layout(npz: str, vocab_npz: str, bpe_dir: str, n_seqs: int, repeats: int):
    sys.path.insert(0, str(HERE.parent))
    from tests.test_dnazen_parity import dnazen_reference

    st, batch, ngrams = _layout_inputs(npz, vocab_npz, bpe_dir, n_seqs)
    strings = [st.tokenizer.id_to_token(i) for i in range(st.vocab_size)]
    vocab = {" ".join(strings[t] for t in g): i + 1 for i, g in enumerate(ngrams)}
    token_id = st.get_vocab()
    token_lists = [[strings[t] for t in row] for row in batch.tolist()]

    def run():
        return [
            dnazen_reference(
                t, vocab, token_id, 512, True, 30, min(map(len, ngrams)), max(map(len, ngrams))
            )
            for t in token_lists
        ]

    dt, outs = _timed(run, repeats)
    return dt, len(outs), {k: np.asarray([o[k] for o in outs]) for k in outs[0]}


def layout_row(npz: str, vocab_npz: str, bpe_dir: str, n_seqs: int) -> dict:
    ours = measure(run_ours_layout, npz, vocab_npz, bpe_dir, n_seqs, 5)
    ref = measure(run_dnazen_layout, npz, vocab_npz, bpe_dir, n_seqs, 3)
    t_ours, n, got = ours.result
    t_ref, _, expected = ref.result
    equal = set(got) == set(expected) and all(np.array_equal(got[k], expected[k]) for k in expected)
    return {
        "what": f"layout real (DNAZEN keys, {n} x 512, cap 30)",
        "tokens": n * 510,
        "G-grams": int(got["ngram_attention_mask"].sum()),
        "ours_s": f"{t_ours:.3f} ({n / t_ours:,.0f} seq/s)",
        "ref_s": f"{t_ref:.2f} ({n / t_ref:,.0f} seq/s)",
        "ratio_ours/ref": f"{t_ours / t_ref:.4f}",
        "speedup": f"{t_ref / t_ours:.1f}x",
        "ours_MiB": f"{ours.peak_mib:.0f}",
        "ref_MiB": f"{ref.peak_mib:.0f}",
        "equal": equal,
    }


def prepare_layout() -> dict[str, Path]:
    """Only what the layout row needs: the real windows, their BPE, tokens and G-grams."""
    from genovocab.sequence import bpe
    from genovocab.sequence.ggram import GgramParams, extract_ggrams
    from genovocab.sequence.windows import write_lines

    OUT.mkdir(parents=True, exist_ok=True)
    real = real_windows()
    paths = {
        "real_txt": OUT / "real.txt",
        "bpe": OUT / "bpe4096",
        "real_tokens": OUT / "real_tokens.npz",
        "vocab": OUT / "real_vocab.npz",
    }
    write_lines(paths["real_txt"], real)
    if not (paths["bpe"] / "tokenizer.json").exists():
        bpe.save_tokenizer_folder(bpe.train_bpe([paths["real_txt"]], vocab_size=4096), paths["bpe"])
    tok = bpe.load_tokenizer(paths["bpe"])
    ids, offsets = bpe.encode_ids(tok, real)
    bpe.save_token_stream(paths["real_tokens"], ids, offsets)
    v = extract_ggrams(ids, offsets, vocab_size=4096, params=GgramParams(**PARAMS))
    np.savez(
        paths["vocab"],
        flat=np.asarray([t for g in v.ngrams for t in g], np.int64),
        lens=np.asarray([len(g) for g in v.ngrams], np.int64),
    )
    return paths


def run_bpe(txt: str) -> tuple[float, int]:
    from genovocab.sequence.bpe import train_bpe

    t0 = time.perf_counter()
    tok = train_bpe([txt], vocab_size=4096)
    return time.perf_counter() - t0, tok.get_vocab_size()


# ------------------------------------------------------------------ driver
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="10 Mbp synthetic corpus, fewer match sequences"
    )
    parser.add_argument(
        "--layout-only", action="store_true", help="only the DNAZEN-layout row (real sequence)"
    )
    parser.add_argument(
        "--layout-seqs", type=int, default=500, help="512-token sequences in the layout row (500)"
    )
    args = parser.parse_args()
    if not REAL.exists():
        print(f"real sequence {REAL} is absent; nothing to benchmark")
        return 0
    if args.layout_only:
        p = prepare_layout()
        row = layout_row(str(p["real_tokens"]), str(p["vocab"]), str(p["bpe"]), args.layout_seqs)
        print(
            report(
                [row],
                [
                    "what",
                    "tokens",
                    "G-grams",
                    "ours_s",
                    "ref_s",
                    "ratio_ours/ref",
                    "speedup",
                    "ours_MiB",
                    "ref_MiB",
                    "equal",
                ],
            )
        )
        return 0 if row["equal"] else 1
    paths = prepare(args.quick)
    rows = []
    vocab_npz = {}
    for name in ("real", "syn"):
        npz = str(paths[f"{name}_tokens"])
        n_tokens = int(np.load(npz)["ids"].shape[0])
        ours = measure(run_ours_extract, npz, 5)
        ref = measure(run_python_extract, npz, 3 if name == "real" else 1)
        t_ours, got = ours.result
        t_ref, expected = ref.result
        rows.append(
            {
                "what": f"extract {name}",
                "tokens": n_tokens,
                "G-grams": len(got),
                "ours_s": f"{t_ours:.3f}",
                "ref_s": f"{t_ref:.2f}",
                "ratio_ours/ref": f"{t_ours / t_ref:.4f}",
                "speedup": f"{t_ref / t_ours:.1f}x",
                "ours_MiB": f"{ours.peak_mib:.0f}",
                "ref_MiB": f"{ref.peak_mib:.0f}",
                "equal": got == expected,
            }
        )
        flat = np.asarray([t for g, _ in got for t in g], dtype=np.int64)
        lens = np.asarray([len(g) for g, _ in got], dtype=np.int64)
        vocab_npz[name] = OUT / f"{name}_vocab.npz"
        np.savez(vocab_npz[name], flat=flat, lens=lens)

    n_seqs = 500 if args.quick else 2000
    for name in ("real", "syn"):
        npz = str(paths[f"{name}_tokens"])
        ours = measure(run_ours_match, npz, str(vocab_npz[name]), n_seqs, 5)
        ref = measure(run_python_match, npz, str(vocab_npz[name]), n_seqs, str(paths["bpe"]), 1)
        t_ours, n, got = ours.result
        t_ref, _, expected = ref.result
        rows.append(
            {
                "what": f"match {name} (512-token seqs)",
                "tokens": n * 512,
                "G-grams": sum(map(len, got)),
                "ours_s": f"{t_ours:.3f} ({n / t_ours:,.0f} seq/s)",
                "ref_s": f"{t_ref:.2f} ({n / t_ref:,.0f} seq/s)",
                "ratio_ours/ref": f"{t_ours / t_ref:.4f}",
                "speedup": f"{t_ref / t_ours:.1f}x",
                "ours_MiB": f"{ours.peak_mib:.0f}",
                "ref_MiB": f"{ref.peak_mib:.0f}",
                "equal": got == expected,
            }
        )

    bpe_inputs = [("real", paths["real_txt"])]
    if not args.quick:  # 10 Mbp of the synthetic text (~0.9 GiB peak; 50 Mbp would be ~4.5)
        slice_txt = OUT / "markov_first10M.txt"
        with open(paths["syn_txt"]) as src, open(slice_txt, "w") as dst:
            for i, line in enumerate(src):
                if i == 10_000:
                    break
                dst.write(line)
        bpe_inputs.append(("synthetic", slice_txt))
    for name, txt in bpe_inputs:
        with open(txt) as handle:
            mbp = sum(len(line.strip()) for line in handle) / 1e6
        m = measure(run_bpe, str(txt))
        rows.append(
            {
                "what": f"bpe train {name} {mbp:.1f} Mbp (vocab 4096)",
                "ours_s": f"{m.result[0]:.1f} ({m.result[0] / mbp:.2f} s/Mbp)",
                "ours_MiB": f"{m.peak_mib:.0f} ({m.peak_mib / mbp:.0f} MiB/Mbp)",
            }
        )
    rows.append(
        layout_row(str(paths["real_tokens"]), str(vocab_npz["real"]), str(paths["bpe"]), 500)
    )
    print(
        report(
            rows,
            [
                "what",
                "tokens",
                "G-grams",
                "ours_s",
                "ref_s",
                "ratio_ours/ref",
                "speedup",
                "ours_MiB",
                "ref_MiB",
                "equal",
            ],
        )
    )
    return 0 if all(r.get("equal", True) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
