# genovocab: vocabularies for machine learning on the genome, end to end.
# Run: snakemake --cores N   (the default config is the embedded, offline demo)
from snakemake.utils import min_version, validate

min_version("8.0")


# The embedded demo (config/config.yaml) is the configuration only when no --configfile is
# given. A --configfile is the whole run: every key it omits takes the schema's default, never a
# demo value. Several files merge in order (`--configfile config/config.yaml extra.yaml`).
if not workflow.config_settings.configfiles:

    configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/download.smk"
include: "workflow/rules/genome.smk"
include: "workflow/rules/universe.smk"
include: "workflow/rules/corpora.smk"
include: "workflow/rules/motifs.smk"
include: "workflow/rules/ids.smk"
include: "workflow/rules/motif_tokens.smk"
include: "workflow/rules/sequence.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/release.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        ALL_TARGETS,
