"""Make the embedded demo (seeded, deterministic): run from the repository root.

    python resources/demo/make_demo.py

Writes into resources/demo/:
- genome.fa.gz: 3 chromosomes (~3 Mbp): background with varying GC and CpG depletion, N gaps
  (one at the start of chr1, some inside), CpG-island-like stretches, tandem repeats, a few
  duplicated segments, and regulatory elements carrying planted instances of real JASPAR 2022
  CORE vertebrate matrices (sites sampled from the matrices' base frequencies);
- jaspar2022_demo.jaspar: the ~60 matrices used (JASPAR format), from the PyPI package pyjaspar;
- planted_sites.tsv.gz: every planted motif instance (chrom, start, end, matrix id, strand);
- ccres.bed.gz: the elements as a cCRE-like registry (ENCODE V3 6-column layout);
- peaks/sampleNN.narrowPeak.gz: 10 samples seeing overlapping subsets of the elements with
  jittered boundaries, dropouts and noise peaks; sample07 also has peaks on chrUn_demo, a
  chromosome the genome lacks (the pipeline must drop those with a warning);
- ../../config/samples.tsv: the peak sample sheet (file:// URLs + sha256);
- atac_demo.bw: a synthetic ATAC-like signal track (bigWig, written with pyBigWig): a noisy
  background with bumps over the elements of ccres.bed.gz (promoters highest), no data over
  N gaps; made from the committed ccres.bed.gz and genome.fa.gz with its own seed, so
  ``python resources/demo/make_demo.py --atac-only`` rewrites only this file;
- SHA256SUMS.

Needs numpy and pyjaspar (4.0.0 was used; its JASPAR2022 database is what the matrices come from),
and pyBigWig for the signal track.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from pathlib import Path

import numpy as np

SEED = 20260101
HERE = Path(__file__).resolve().parent
CHROMS = {"chr1": 1_200_000, "chr2": 1_000_000, "chr3": 800_000}
BASES = np.frombuffer(b"ACGT", dtype=np.uint8)
N_CODE = ord("N")
# Matrices always included: CTCF (insulators), SP1/KLF (CpG promoters), and common enhancer TFs.
REQUIRED = [
    "MA0139.1",
    "MA0079.5",
    "MA0039.4",
    "MA0099.3",
    "MA0476.1",
    "MA0102.4",
    "MA0114.4",
    "MA0148.4",
    "MA0093.3",
    "MA0080.6",
    "MA0095.3",
    "MA0506.2",
]
N_MATRICES = 60
CLASSES = ["PLS", "pELS", "dELS", "CTCF-only,CTCF-bound", "DNase-H3K4me3"]
CELL_GROUPS = ["K562", "HepG2", "GM12878"]


def gz(data: bytes) -> bytes:
    """Deterministic gzip (mtime 0, no name)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as fh:
        fh.write(data)
    return buffer.getvalue()


def load_matrices(rng: np.random.Generator) -> list[tuple[str, str, np.ndarray]]:
    """~60 JASPAR 2022 CORE vertebrate matrices: (id, name, 4 x L counts), sorted by id."""
    from pyjaspar import jaspardb

    motifs = jaspardb(release="JASPAR2022").fetch_motifs(
        collection="CORE", tax_group=["vertebrates"], all_versions=False
    )
    by_id = {m.matrix_id: m for m in motifs}
    pool = sorted(i for i, m in by_id.items() if 8 <= m.length <= 20 and i not in REQUIRED)
    chosen = [i for i in REQUIRED if i in by_id]
    chosen += list(rng.choice(pool, size=N_MATRICES - len(chosen), replace=False))
    out = []
    for matrix_id in sorted(chosen):
        m = by_id[matrix_id]
        counts = np.array([m.counts[b] for b in "ACGT"], dtype=float)
        out.append((matrix_id, m.name, counts))
    return out


def jaspar_text(matrices) -> str:
    lines = []
    for matrix_id, name, counts in matrices:
        lines.append(f">{matrix_id}\t{name}")
        for base, row in zip("ACGT", counts):
            lines.append(f"{base}  [ " + " ".join(f"{v:g}" for v in row) + " ]")
    return "\n".join(lines) + "\n"


def background(rng, length: int) -> np.ndarray:
    """Bases with GC content varying in 50-200 kb segments, CpG depleted like real DNA."""
    seq = np.empty(length, dtype=np.uint8)
    pos = 0
    while pos < length:
        seg = int(min(length - pos, rng.integers(50_000, 200_000)))
        gc = rng.uniform(0.35, 0.58)
        p = np.array([(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2])
        seq[pos : pos + seg] = BASES[rng.choice(4, size=seg, p=p)]
        pos += seg
    cg = np.flatnonzero((seq[:-1] == ord("C")) & (seq[1:] == ord("G")))
    mutate = cg[rng.random(len(cg)) < 0.75]
    seq[mutate] = ord("T")
    return seq


def cpg_island(rng, length: int) -> np.ndarray:
    """GC-rich stretch with CpG dinucleotides at their expected (undepleted) frequency."""
    p = np.array([0.15, 0.35, 0.35, 0.15])
    seq = BASES[rng.choice(4, size=length, p=p)]
    starts = rng.choice(length - 1, size=length // 12, replace=False)
    seq[starts] = ord("C")
    seq[starts + 1] = ord("G")
    return seq


def tandem_repeat(rng) -> np.ndarray:
    unit_len = int(rng.choice([2, 3, 4, 6, 24, 40]))
    unit = BASES[rng.integers(0, 4, size=unit_len)]
    copies = int(rng.integers(100, 800) // unit_len + 2)
    seq = np.tile(unit, copies)
    noise = rng.random(len(seq)) < 0.03
    seq[noise] = BASES[rng.integers(0, 4, size=int(noise.sum()))]
    return seq


def sample_site(rng, counts: np.ndarray) -> np.ndarray:
    """One site drawn column by column from the matrix's base frequencies."""
    freqs = (counts + 0.01) / (counts + 0.01).sum(axis=0)
    draws = rng.random(counts.shape[1])
    idx = (draws[None, :] > np.cumsum(freqs, axis=0)).sum(axis=0).clip(0, 3)
    return BASES[idx]


COMPLEMENT = np.zeros(256, dtype=np.uint8)
for a, b in zip(b"ACGTN", b"TGCAN"):
    COMPLEMENT[a] = b


def reverse_complement(seq: np.ndarray) -> np.ndarray:
    return COMPLEMENT[seq[::-1]]


def free_positions(rng, occupied: np.ndarray, length: int, count: int, gap: int) -> list[int]:
    """``count`` start positions whose ``length`` bp (+ ``gap`` each side) avoid ``occupied``."""
    csum = np.concatenate([[0], np.cumsum(occupied)])
    out: list[int] = []
    tries = 0
    while len(out) < count and tries < count * 200:
        tries += 1
        s = int(rng.integers(gap, len(occupied) - length - gap))
        if csum[s + length + gap] - csum[s - gap] == 0:
            occupied[s - gap : s + length + gap] = True
            csum = np.concatenate([[0], np.cumsum(occupied)])
            out.append(s)
    return sorted(out)


def build_chromosome(
    rng, name: str, length: int, matrices, ctcf_index: int, cpg_indices: list[int]
):
    """Sequence, elements [(start, end, class)], planted sites [(start, end, mid, strand)]."""
    seq = background(rng, length)
    occupied = np.zeros(length, dtype=bool)
    gaps = []
    if name == "chr1":
        gaps.append((0, 10_000))
    for _ in range(2):
        g = int(rng.integers(2_000, 20_000))
        s = free_positions(rng, occupied, g, 1, 5_000)[0]
        gaps.append((s, s + g))
    for s, e in gaps:
        occupied[s:e] = True
    # duplicated segments: copy 5-15 kb elsewhere with 1 % substitutions
    for _ in range(2):
        dl = int(rng.integers(5_000, 15_000))
        src, dst = free_positions(rng, occupied, dl, 2, 1_000)
        copy = seq[src : src + dl].copy()
        mut = rng.random(dl) < 0.01
        copy[mut] = BASES[rng.integers(0, 4, size=int(mut.sum()))]
        seq[dst : dst + dl] = copy
    for _ in range(25):
        rep = tandem_repeat(rng)
        s = free_positions(rng, occupied, len(rep), 1, 200)[0]
        seq[s : s + len(rep)] = rep
    islands = []
    for _ in range(max(4, length // 100_000)):
        il = int(rng.integers(500, 2_000))
        s = free_positions(rng, occupied, il, 1, 300)[0]
        seq[s : s + il] = cpg_island(rng, il)
        islands.append((s, s + il))
    elements, sites = [], []
    # promoter-like elements sit inside CpG islands
    for s, e in islands:
        el = int(rng.integers(150, 351))
        es = int(rng.integers(s, max(s + 1, e - el)))
        elements.append((es, es + el, "PLS"))
    n_elements = length // 2_500
    starts = free_positions(rng, occupied, 350, n_elements, 100)
    for s in starts:
        cls = str(rng.choice(CLASSES[1:], p=[0.35, 0.45, 0.1, 0.1]))
        elements.append((s, s + int(rng.integers(150, 351)), cls))
    for es, ee, cls in elements:
        k = int(rng.integers(2, 6))
        for j in range(k):
            if cls.startswith("CTCF") and j == 0:
                mi = ctcf_index
            elif cls == "PLS" and j == 0:
                mi = int(rng.choice(cpg_indices))
            else:
                mi = int(rng.integers(0, len(matrices)))
            counts = matrices[mi][2]
            w = counts.shape[1]
            if ee - es <= w:
                continue
            ps = int(rng.integers(es, ee - w))
            site = sample_site(rng, counts)
            strand = "+" if rng.random() < 0.5 else "-"
            seq[ps : ps + w] = site if strand == "+" else reverse_complement(site)
            sites.append((ps, ps + w, matrices[mi][0], strand))
    for s, e in gaps:
        seq[s:e] = N_CODE
    # soft-masked (lower-case) stretches, as in UCSC FASTA
    for _ in range(5):
        s = int(rng.integers(0, length - 3_000))
        region = seq[s : s + 3_000]
        seq[s : s + 3_000] = np.where(region == N_CODE, region, region | 0x20)
    elements.sort()
    sites.sort()
    return seq, elements, sites


def fasta_bytes(chroms: dict[str, np.ndarray]) -> bytes:
    out = []
    for name, seq in chroms.items():
        out.append(f">{name}\n".encode())
        raw = seq.tobytes()
        out.append(b"\n".join(raw[i : i + 60] for i in range(0, len(raw), 60)) + b"\n")
    return b"".join(out)


def make_peaks(
    rng, elements_by_chrom, lengths, gaps_by_chrom, sample: int, group: int, element_groups
) -> str:
    rows = []
    for chrom, elements in elements_by_chrom.items():
        groups = element_groups[chrom]
        for (s, e, cls), active in zip(elements, groups):
            p = 0.9 if active[group] else 0.08
            if cls == "PLS":
                p = 0.95
            if rng.random() > p * 0.88:  # dropouts
                continue
            js = int(round(rng.normal(0, 25)))
            je = int(round(rng.normal(0, 25)))
            ps, pe = max(0, s + js - 20), min(lengths[chrom], e + je + 20)
            rows.append((chrom, ps, pe))
        n_noise = int(rng.integers(30, 80))
        for _ in range(n_noise):
            w = int(rng.integers(150, 600))
            ps = int(rng.integers(0, lengths[chrom] - w))
            if any(gs < ps + w and ps < ge for gs, ge in gaps_by_chrom[chrom]):
                continue
            rows.append((chrom, ps, ps + w))
    if sample == 7:
        for i in range(5):
            rows.append(("chrUn_demo", 1_000 + i * 5_000, 1_400 + i * 5_000))
    order = {c: i for i, c in enumerate(list(lengths) + ["chrUn_demo"])}
    rows.sort(key=lambda r: (order[r[0]], r[1], r[2]))
    lines = []
    for i, (chrom, ps, pe) in enumerate(rows):
        signal = float(rng.gamma(2.0, 4.0)) + 2
        pval = signal * 1.7
        qval = pval * 0.8
        score = int(min(1000, signal * 40))
        summit = int((pe - ps) // 2 + rng.integers(-20, 21))
        summit = min(max(summit, 0), pe - ps - 1)
        lines.append(
            f"{chrom}\t{ps}\t{pe}\tsample{sample:02d}_peak{i + 1}\t{score}\t.\t"
            f"{signal:.5f}\t{pval:.5f}\t{qval:.5f}\t{summit}\n"
        )
    return "".join(lines)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


ATAC_SEED = 20261201
ATAC_STEP = 10  # bp per bigWig entry
ATAC_HEIGHT = {
    "PLS": 12.0,
    "pELS": 7.0,
    "dELS": 5.0,
    "CTCF-only,CTCF-bound": 3.0,
    "DNase-H3K4me3": 6.0,
}


def fasta_lengths_and_gaps(data: bytes) -> tuple[dict[str, int], dict[str, list]]:
    """Chromosome lengths and N runs of a (decompressed) FASTA."""
    lengths, gaps = {}, {}
    for block in data.split(b">")[1:]:
        header, _, body = block.partition(b"\n")
        name = header.split()[0].decode()
        seq = np.frombuffer(body.replace(b"\n", b""), dtype=np.uint8)
        is_n = np.concatenate([[0], (seq == N_CODE).astype(np.int8), [0]])
        d = np.diff(is_n)
        lengths[name] = int(seq.size)
        gaps[name] = list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))
    return lengths, gaps


def atac_bigwig(ccres: bytes, genome: bytes) -> bytes:
    """The synthetic ATAC track: background ~0.3 plus a Gaussian bump per element."""
    import tempfile

    import pyBigWig

    rng = np.random.default_rng(ATAC_SEED)
    lengths, gaps = fasta_lengths_and_gaps(gzip.decompress(genome))
    elements: dict[str, list[tuple[int, int, str]]] = {c: [] for c in lengths}
    for line in gzip.decompress(ccres).decode().splitlines():
        f = line.split("\t")
        elements[f[0]].append((int(f[1]), int(f[2]), f[5]))
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/atac.bw"
        bw = pyBigWig.open(path, "w")
        bw.addHeader(list(lengths.items()), maxZooms=4)
        for chrom, length in lengths.items():
            n = -(-length // ATAC_STEP)
            mid = np.arange(n) * ATAC_STEP + ATAC_STEP / 2
            signal = rng.gamma(2.0, 0.15, size=n)
            for s, e, cls in elements[chrom]:
                centre = (s + e) / 2
                width = (e - s) / 2 + 50
                lo = max(0, int((centre - 4 * width) // ATAC_STEP))
                hi = min(n, int((centre + 4 * width) // ATAC_STEP) + 1)
                height = ATAC_HEIGHT.get(cls, 4.0) * rng.uniform(0.6, 1.4)
                signal[lo:hi] += height * np.exp(-0.5 * ((mid[lo:hi] - centre) / width) ** 2)
            keep = np.ones(n, dtype=bool)
            for gs, ge in gaps[chrom]:
                keep[gs // ATAC_STEP : -(-ge // ATAC_STEP)] = False
            keep[-1] = keep[-1] and length % ATAC_STEP == 0  # a step never passes the end
            edges = np.flatnonzero(np.diff(np.concatenate([[0], keep.astype(np.int8), [0]])))
            for r0, r1 in zip(edges[0::2].tolist(), edges[1::2].tolist()):
                bw.addEntries(
                    chrom,
                    r0 * ATAC_STEP,
                    values=np.round(signal[r0:r1], 2).tolist(),
                    span=ATAC_STEP,
                    step=ATAC_STEP,
                )
        bw.close()
        with open(path, "rb") as handle:
            return handle.read()


def write_atac_only() -> None:
    """Rewrite atac_demo.bw from the committed files and update its SHA256SUMS line."""
    data = atac_bigwig((HERE / "ccres.bed.gz").read_bytes(), (HERE / "genome.fa.gz").read_bytes())
    (HERE / "atac_demo.bw").write_bytes(data)
    sums = (HERE / "SHA256SUMS").read_text().splitlines()
    rows = {line.split("  ", 1)[1]: line for line in sums if line.strip()}
    rows["atac_demo.bw"] = f"{sha256(data)}  atac_demo.bw"
    (HERE / "SHA256SUMS").write_text("".join(rows[k] + "\n" for k in sorted(rows)))
    print(f"wrote atac_demo.bw, {len(data) / 1e6:.2f} MB, sha256 {sha256(data)}")


def main() -> None:
    rng = np.random.default_rng(SEED)
    matrices = load_matrices(rng)
    ids = [m[0] for m in matrices]
    ctcf_index = ids.index("MA0139.1")
    cpg_indices = [ids.index(i) for i in ("MA0079.5", "MA0039.4") if i in ids] or [0]
    files: dict[str, bytes] = {}
    files["jaspar2022_demo.jaspar"] = jaspar_text(matrices).encode()
    seqs, elements_by_chrom, gaps_by_chrom, site_rows = {}, {}, {}, []
    for name, length in CHROMS.items():
        seq, elements, sites = build_chromosome(
            rng, name, length, matrices, ctcf_index, cpg_indices
        )
        seqs[name] = seq
        elements_by_chrom[name] = elements
        is_n = np.concatenate([[0], (seq == N_CODE).astype(np.int8), [0]])
        d = np.diff(is_n)
        gaps_by_chrom[name] = list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)))
        site_rows += [f"{name}\t{s}\t{e}\t{m}\t{st}\n" for s, e, m, st in sites]
    files["genome.fa.gz"] = gz(fasta_bytes(seqs))
    files["planted_sites.tsv.gz"] = gz("".join(site_rows).encode())
    ccre_lines, n = [], 0
    for name, elements in elements_by_chrom.items():
        for s, e, cls in elements:
            n += 1
            ccre_lines.append(f"{name}\t{s}\t{e}\tEH38D{n:07d}\tEH38E{n:07d}\t{cls}\n")
    files["ccres.bed.gz"] = gz("".join(ccre_lines).encode())
    element_groups = {
        c: [rng.random(len(CELL_GROUPS)) < 0.45 for _ in els]
        for c, els in elements_by_chrom.items()
    }
    sheet = ["name\turl\tsha256\tcell_type\tassay\treplicate\n"]
    for sample in range(1, 11):
        group = (sample - 1) % len(CELL_GROUPS)
        text = make_peaks(
            rng, elements_by_chrom, CHROMS, gaps_by_chrom, sample, group, element_groups
        )
        rel = f"peaks/sample{sample:02d}.narrowPeak.gz"
        files[rel] = gz(text.encode())
        replicate = (sample - 1) // len(CELL_GROUPS) + 1
        sheet.append(
            f"sample{sample:02d}\tfile://resources/demo/{rel}\t{sha256(files[rel])}\t"
            f"{CELL_GROUPS[group]}\tATAC-seq\t{replicate}\n"
        )
    files["atac_demo.bw"] = atac_bigwig(files["ccres.bed.gz"], files["genome.fa.gz"])
    (HERE / "peaks").mkdir(exist_ok=True)
    for rel, data in files.items():
        (HERE / rel).write_bytes(data)
    (HERE.parents[1] / "config" / "samples.tsv").write_text("".join(sheet))
    sums = "".join(f"{sha256(files[rel])}  {rel}\n" for rel in sorted(files))
    (HERE / "SHA256SUMS").write_text(sums)
    total = sum(len(d) for d in files.values())
    print(
        f"wrote {len(files)} files, {total / 1e6:.2f} MB; {len(site_rows)} planted sites, "
        f"{n} elements"
    )


if __name__ == "__main__":
    import sys

    write_atac_only() if "--atac-only" in sys.argv[1:] else main()
