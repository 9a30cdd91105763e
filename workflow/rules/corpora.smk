# Interval corpora (docs/architecture.md): each configured corpus is a sample sheet
# of BED files; every file becomes one document tokenized against the release universe
# ({WORK}/universe/universe.bed.gz) and the documents are written as Hugging Face Parquet
# shards + dataset card under {WORK}/corpora/<corpus>/. One job per corpus (the tokenizer is
# fast; a corpus of thousands of files is still one job, which keeps job counts low).
# A corpus on the peak sample sheet reuses the peak downloads ({RES}/samples/); another sheet
# gets its own downloads under {RES}/corpora/<corpus>/samples/.
# Fragments corpora and the motif corpus follow below; the sequence corpus is in sequence.smk.
from genovocab.corpora.shards import shard_names as _corpus_shard_names
from genovocab.corpora.interval import resolve_corpus_config
from genovocab.corpora.splits import declared_splits as _corpus_splits

ALL_CORPORA = {
    name: resolve_corpus_config(
        name, entry, config["samples"], config["release"]["name"]
    )
    for name, entry in sorted(config["corpora"].items())
}
# sample-sheet corpora (one document per BED file) and fragments corpora (one per cell)
CORPORA = {n: c for n, c in ALL_CORPORA.items() if not c["fragments"]}
FRAGMENT_CORPORA = {n: c for n, c in ALL_CORPORA.items() if c["fragments"]}
CORPUS_SHEETS = {
    name: (
        PEAK_SAMPLES
        if os.path.abspath(c["samples"]) == os.path.abspath(config["samples"])
        else read_sample_sheet(c["samples"], "../schemas/samples.schema.yaml")
    )
    for name, c in CORPORA.items()
}
CORPUS_SAMPLE_FILES = {
    name: [
        (
            f"{RES}/samples/{s}"
            if sheet is PEAK_SAMPLES
            else f"{RES}/corpora/{name}/samples/{s}"
        )
        for s in sheet.index
    ]
    for name, sheet in CORPUS_SHEETS.items()
}
# splits are known before any data is read (a split column is read from the sheet here)
CORPUS_SPLITS = {
    name: _corpus_splits(
        c["splits"],
        (
            CORPUS_SHEETS[name][c["splits"]["column"]].tolist()
            if c["splits"] and c["splits"].get("column") in CORPUS_SHEETS[name].columns
            else None
        ),
    )
    for name, c in CORPORA.items()
}
CORPUS_OUTPUTS = {
    name: [
        f"{WORK}/corpora/{name}/{f}"
        for split in CORPUS_SPLITS[name]
        for f in _corpus_shard_names(c["n_shards"], split)
    ]
    + [f"{WORK}/corpora/{name}/README.md", f"{WORK}/corpora/{name}/stats.json"]
    for name, c in CORPORA.items()
}
CORPUS_METADATA = {
    name: sheet.drop(
        columns=[c for c in ("name", "url", "sha256") if c in sheet.columns]
    ).to_dict("list")
    for name, sheet in CORPUS_SHEETS.items()
}


if any(sheet is not PEAK_SAMPLES for sheet in CORPUS_SHEETS.values()):

    rule corpora_download_sample:
        output:
            f"{RES}/corpora/{{corpus}}/samples/{{sample}}",
            f"{RES}/corpora/{{corpus}}/samples/{{sample}}.source.json",
        log:
            f"{LOGS}/corpora/download_{{corpus}}_{{sample}}.log",
        benchmark:
            f"{LOGS}/bench/corpora/download_{{corpus}}_{{sample}}.tsv"
        retries: 1
        conda:
            "../envs/genovocab.yaml"
        threads: 1
        resources:
            mem_mb=RS.mem_mb(300),
            runtime=RS.runtime(30),
        params:
            entry=lambda wc: canonical(
                {
                    "url": CORPUS_SHEETS[wc.corpus].loc[wc.sample, "url"],
                    "sha256": CORPUS_SHEETS[wc.corpus].loc[wc.sample].get("sha256", "")
                    or None,
                    "name": f"corpora/{wc.corpus}/samples/{wc.sample}",
                }
            ),
            fingerprint=lambda wc: local_fingerprint(
                CORPUS_SHEETS[wc.corpus].loc[wc.sample, "url"]
            ),
            lock=SOURCES_LOCK,
            pin=PIN,
        script:
            "../scripts/download.py"

    localrules:
        corpora_download_sample,


for _corpus in CORPORA:

    rule:
        name:
            f"corpora_tokenize_{_corpus}"
        input:
            universe=f"{WORK}/universe/universe.bed.gz",
            samples=CORPUS_SAMPLE_FILES[_corpus],
        output:
            CORPUS_OUTPUTS[_corpus],
        log:
            f"{LOGS}/corpora/{_corpus}.log",
        benchmark:
            f"{LOGS}/bench/corpora/{_corpus}.tsv"
        conda:
            "../envs/genovocab.yaml"
        threads: 1
        resources:
            mem_mb=RS.mem_mb(500, 5),
            runtime=RS.runtime(10, 0.05),
        params:
            corpus=_corpus,
            sheet=CORPORA[_corpus]["samples"],
            names=list(CORPUS_SHEETS[_corpus].index),
            metadata=canonical(CORPUS_METADATA[_corpus]),
            n_shards=CORPORA[_corpus]["n_shards"],
            tokenizer=canonical(CORPORA[_corpus]["tokenizer"]),
            title=CORPORA[_corpus]["title"],
            splits=canonical(CORPORA[_corpus]["splits"]),
            dtypes=canonical(CORPORA[_corpus]["dtypes"]),
            label=canonical(CORPORA[_corpus]["label"]),
            text_columns=CORPORA[_corpus]["text_columns"],
            license=CORPORA[_corpus]["license"],
        script:
            "../scripts/corpora_tokenize.py"

    ALL_TARGETS.extend(CORPUS_OUTPUTS[_corpus])
    RELEASE_PARTS.update(
        {
            f"corpora/{_corpus}/{os.path.relpath(p, f'{WORK}/corpora/{_corpus}')}": p
            for p in CORPUS_OUTPUTS[_corpus]
            if not p.endswith("stats.json")
        }
    )


# Fragments corpora: a 10x fragments file (a `sources` entry) -> one document per cell barcode.
FRAGMENT_OUTPUTS = {
    name: [f"{WORK}/corpora/{name}/{f}" for f in _corpus_shard_names(c["n_shards"])]
    + [f"{WORK}/corpora/{name}/README.md", f"{WORK}/corpora/{name}/stats.json"]
    + ([f"{WORK}/corpora/{name}/cells.h5ad"] if c["fragment_options"]["h5ad"] else [])
    for name, c in FRAGMENT_CORPORA.items()
}

for _corpus, _c in FRAGMENT_CORPORA.items():

    rule:
        name:
            f"corpora_fragments_{_corpus}"
        input:
            universe=f"{WORK}/universe/universe.bed.gz",
            fragments=f"{RES}/downloads/{_c['fragments']}",
            whitelist=_c["fragment_options"]["whitelist"] or [],
        output:
            FRAGMENT_OUTPUTS[_corpus],
        log:
            f"{LOGS}/corpora/{_corpus}.log",
        benchmark:
            f"{LOGS}/bench/corpora/{_corpus}.tsv"
        conda:
            "../envs/genovocab.yaml"
        threads: 2
        resources:
            mem_mb=RS.mem_mb(7800),
            runtime=RS.runtime(120),
        params:
            corpus=_corpus,
            n_shards=_c["n_shards"],
            title=_c["title"],
            license=_c["license"],
            options=canonical(_c["fragment_options"]),
        script:
            "../scripts/corpora_fragments.py"

    ALL_TARGETS.extend(FRAGMENT_OUTPUTS[_corpus])
    RELEASE_PARTS.update(
        {
            f"corpora/{_corpus}/{os.path.relpath(p, f'{WORK}/corpora/{_corpus}')}": p
            for p in FRAGMENT_OUTPUTS[_corpus]
            if not p.endswith("stats.json")
        }
    )


# Motif corpus: fragments of consecutive motif bins per chromosome with per-bin bigWig targets,
# split by chromosome, as Parquet shards + a dataset card under {WORK}/corpora/<name>/, from
# the motif tokenizer folder (motif_tokens.smk). Library: genovocab.corpora.motif.
MOTIF_CORPUS = config["motifs"]["corpus"]
MOTIF_CORPUS_NAME = MOTIF_CORPUS["name"]
MOTIF_TARGETS = MOTIF_CORPUS["targets"] or {}
for _track, _spec in MOTIF_TARGETS.items():
    if _spec["source"] not in config["sources"]:
        raise ValueError(
            f"motifs.corpus.targets.{_track}.source: {_spec['source']!r} is not a "
            f"`sources` entry ({', '.join(sorted(config['sources']))})"
        )

if MOTIF_CORPUS_NAME:

    rule motif_corpus:
        input:
            tokenizer=f"{WORK}/motifs/tokenizer",
            tracks=[f"{RES}/downloads/{t['source']}" for t in MOTIF_TARGETS.values()],
        output:
            corpus=report(
                directory(f"{WORK}/corpora/{MOTIF_CORPUS_NAME}"),
                patterns=["{name}.png"],
                caption="../report/motif_corpus.rst",
                category="motifs",
            ),
        log:
            f"{LOGS}/corpora/motif_{MOTIF_CORPUS_NAME}.log",
        benchmark:
            f"{LOGS}/bench/corpora/motif_{MOTIF_CORPUS_NAME}.tsv"
        conda:
            "../envs/genovocab.yaml"
        threads: 1
        resources:
            # one chromosome's per-bin targets and the float64 temporaries of its statistics
            # (the others wait on disk) + one block of rows: flat in the chromosome count,
            # ~75 B per bin of the largest chromosome with two tracks (537-544 MiB for 3.4 M-bin
            # chromosomes, 4 to 12 of them: benchmarks/bench_motif_corpus.py), so ~1.5 GB for
            # hg38 chr1's ~15.6 M bins (extrapolated); the demo job peaked at 410 MB under SLURM
            mem_mb=RS.mem_mb(500 + 600 * max(1, len(MOTIF_TARGETS))),
            runtime=RS.runtime(240),
        params:
            entry=canonical(MOTIF_CORPUS),
            name=MOTIF_CORPUS_NAME,
            track_names=list(MOTIF_TARGETS),
        script:
            "../scripts/motif_corpus.py"

    ALL_TARGETS.extend(rules.motif_corpus.output)
    RELEASE_PARTS[f"corpora/{MOTIF_CORPUS_NAME}"] = rules.motif_corpus.output.corpus
