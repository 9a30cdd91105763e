"""Release benchmark: the release step on a synthetic genome-scale work folder, per archive
choice, against the peers that did the job before (a copy of every file, Python's tarfile
with gzip-6, GNU ``tar cf`` / ``tar czf``).

The work folder imitates the motif tokenizer's ``bins/`` arrays (per "chromosome" the bin
edges, token ids and the bin x cluster CSR arrays, ~14.5 non-zeros per bin as on real
sequence) plus a few small files, ``--gb`` GB in all (default 10). Ours:

* ``build``: :func:`genovocab.release.build_release` (each file hashed once and checked on
  ``--threads`` threads, large files hard-linked): the whole step for ``release.archive: none``;
* ``tar``, ``tar.zst``: :func:`genovocab.release.write_archive` of the built folder;
* ``tar.gz``: the same on a ``--gz-gb`` GB slice (gzip-6 runs at tens of MB/s a core, so the
  full size would take many minutes here; s/GB is taken from the slice).

Peers on the same input: ``cp -r`` (how files entered the release before), ``tar cf``, and
on the slice ``tar czf`` (gzip -6, one thread) and Python's ``tarfile`` + ``gzip`` level 6
(the earlier ``write_tarball``). Every call runs in a fresh process (peak RSS its own); the
files are read from the page cache when memory allows (say so when quoting figures).
Everything is written under ``--dir`` (default ``/tmp/genovocab-bench-release``) and removed
at the end. Usage: python benchmarks/bench_release.py [--gb 10] [--gz-gb 1] [--threads 2]
[--skip-zst] [--skip-gz]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from benchmarks._common import measure, report  # noqa: E402

GB = 1e9
BYTES_PER_BIN = 8 + 4 + 8 + 14.5 * 8  # edges, ids, indptr, 14.5 x (index + value)
N_CLUSTERS = 737


def make_work(folder: Path, total_bytes: float, n_chroms: int = 20, seed: int = 7) -> int:
    """Write ``bins/chr<k>.{edges,ids,indptr,indices,values}.npy`` (~``total_bytes``) and a
    few small files; returns the bytes written. Chunked: memory stays ~100 MB."""
    rng = np.random.default_rng(seed)
    bins_dir = folder / "motifs" / "bins"
    bins_dir.mkdir(parents=True, exist_ok=True)
    per_chrom = int(total_bytes / n_chroms / BYTES_PER_BIN)
    chunk = 1 << 21
    written = 0
    for k in range(1, n_chroms + 1):
        base = bins_dir / f"chr{k}"
        nnz_per_bin = rng.poisson(14.5, per_chrom).astype(np.int64)
        nnz = int(nnz_per_bin.sum())
        arrays = {
            "edges": np.lib.format.open_memmap(
                f"{base}.edges.npy", "w+", np.int64, (per_chrom + 1,)
            ),
            "ids": np.lib.format.open_memmap(f"{base}.ids.npy", "w+", np.int32, (per_chrom,)),
            "indptr": np.lib.format.open_memmap(
                f"{base}.indptr.npy", "w+", np.int64, (per_chrom + 1,)
            ),
            "indices": np.lib.format.open_memmap(f"{base}.indices.npy", "w+", np.int32, (nnz,)),
            "values": np.lib.format.open_memmap(f"{base}.values.npy", "w+", np.float32, (nnz,)),
        }
        arrays["edges"][0] = 0
        arrays["indptr"][0] = 0
        edge = ptr = 0
        for b0 in range(0, per_chrom, chunk):
            b1 = min(per_chrom, b0 + chunk)
            widths = rng.integers(5, 51, b1 - b0)
            arrays["edges"][b0 + 1 : b1 + 1] = edge + np.cumsum(widths)
            edge = int(arrays["edges"][b1])
            arrays["ids"][b0:b1] = np.minimum(rng.zipf(1.3, b1 - b0), 4095).astype(np.int32)
            counts = nnz_per_bin[b0:b1]
            arrays["indptr"][b0 + 1 : b1 + 1] = ptr + np.cumsum(counts)
            n = int(counts.sum())
            arrays["indices"][ptr : ptr + n] = rng.integers(0, N_CLUSTERS, n, dtype=np.int32)
            # cluster values are means of a few binary features: few distinct values
            arrays["values"][ptr : ptr + n] = (
                (rng.integers(1, 9, n) / rng.integers(1, 9, n)).clip(0, 1).astype(np.float32)
            )
            ptr += n
        for a in arrays.values():
            a.flush()
            written += a.nbytes + 128
        del arrays
    for name, text in (
        ("motifs/vocab.tsv", "id\ttoken\n" * 4096),
        ("motifs/clusters.tsv", "feature\tcluster\n" * 1682),
        ("intervals/stats.tsv", "k\tv\n1\t2\n"),
    ):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
        written += len(text)
    (folder / "chrom.sizes").write_text("".join(f"chr{k}\t1000\n" for k in range(1, 21)))
    return written


def parts_of(work: Path) -> dict[str, str]:
    return {
        "motifs": str(work / "motifs"),
        "intervals/stats.tsv": str(work / "intervals" / "stats.tsv"),
    }


# ---------------------------------------------------------------------- measured calls
def ours_build(work: str, out: str, threads: int) -> int:
    from genovocab.release import build_release

    rel = build_release(
        out,
        parts=parts_of(Path(work)),
        config={"genome": "bench", "release": {"name": "bench", "version": "1"}},
        chrom_sizes=Path(work) / "chrom.sizes",
        sources=[],
        software=[("python", "3")],
        threads=threads,
    )
    return sum(p.stat().st_size for p in rel.rglob("*") if p.is_file())


def ours_archive(release: str, archive: str, threads: int) -> int:
    from genovocab.release import write_archive

    path = write_archive(release, archive, threads=threads)
    return path.stat().st_size if path is not None else 0


def peer_copy(src: str, dest: str) -> int:
    shutil.copytree(src, dest)
    return sum(p.stat().st_size for p in Path(dest).rglob("*") if p.is_file())


def peer_command(cmd: list[str], out: str) -> int:
    subprocess.run(cmd, check=True)
    return Path(out).stat().st_size


def peer_tarfile_gz(release: str, out: str) -> int:
    """The earlier write_tarball: tarfile into one gzip stream at level 6, one thread."""
    import gzip

    root = Path(release)
    entries = sorted({p.relative_to(root).as_posix() for p in root.rglob("*")})
    with (
        open(out, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for rel in [""] + entries:
            path = root / rel if rel else root
            info = tarfile.TarInfo(f"{root.name}/{rel}" if rel else root.name)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            if path.is_dir():
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.mode, info.size = 0o644, path.stat().st_size
                with path.open("rb") as handle:
                    tar.addfile(info, handle)
    return Path(out).stat().st_size


# ---------------------------------------------------------------------- driver
def row(name: str, m, data_bytes: float, note: str = "") -> dict:
    return {
        "step": name,
        "GB": f"{data_bytes / GB:.2f}",
        "wall s": f"{m.seconds:.1f}",
        "s/GB": f"{m.seconds / (data_bytes / GB):.2f}",
        "GB/s": f"{data_bytes / GB / m.seconds:.2f}",
        "CPU s": f"{m.cpu_seconds:.1f}",
        "peak MiB": f"{m.peak_mib:.0f}",
        "output GB": f"{m.result / GB:.2f}",
        "note": note,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gb", type=float, default=10.0, help="release size (GB)")
    ap.add_argument("--gz-gb", type=float, default=1.0, help="slice for the gzip choices")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--dir", default="/tmp/genovocab-bench-release")
    ap.add_argument("--skip-zst", action="store_true")
    ap.add_argument("--skip-gz", action="store_true", help="no slice for the gzip choices")
    args = ap.parse_args(argv)
    base = Path(args.dir)
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    rows = []
    try:
        sizes = [("full", args.gb * GB)] + ([] if args.skip_gz else [("slice", args.gz_gb * GB)])
        for label, size in sizes:
            work = base / f"work-{label}"
            data = make_work(work, size)
            print(f"# {label}: {data / GB:.2f} GB of work files in {work}", flush=True)
            rel = base / f"{label}" / "bench-1"
            m = measure(ours_build, str(work), str(rel), args.threads)
            rows.append(
                row(
                    f"ours build ({label}) = archive none",
                    m,
                    data,
                    f"{args.threads} threads, hard links",
                )
            )
            choices = ["tar"] + ([] if args.skip_zst or not shutil.which("zstd") else ["tar.zst"])
            if label == "slice":
                choices = ["tar.gz"]
            for archive in choices:
                m = measure(ours_archive, str(rel), archive, args.threads)
                rows.append(
                    row(f"ours archive {archive} ({label})", m, data, f"{args.threads} threads")
                )
                rel.with_name(rel.name + "." + archive).unlink()
            copy = base / f"copy-{label}"
            if label == "full":
                m = measure(peer_copy, str(work), str(copy))
                rows.append(row("peer cp -r (full)", m, data, "the earlier copy"))
                shutil.rmtree(copy)
                out = base / "peer.tar"
                m = measure(
                    peer_command, ["tar", "cf", str(out), "-C", str(rel.parent), rel.name], str(out)
                )
                rows.append(row("peer tar cf (full)", m, data))
                out.unlink()
            else:
                out = base / "peer.tar.gz"
                m = measure(
                    peer_command,
                    ["tar", "czf", str(out), "-C", str(rel.parent), rel.name],
                    str(out),
                )
                rows.append(row("peer tar czf (slice)", m, data, "gzip -6, 1 thread"))
                out.unlink()
                m = measure(peer_tarfile_gz, str(rel), str(out))
                rows.append(
                    row("peer tarfile gzip-6 (slice)", m, data, "the earlier write_tarball")
                )
                out.unlink()
            shutil.rmtree(rel.parent)
            shutil.rmtree(work)
            print(report(rows, list(rows[0])), flush=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
