# Stage rules for motifs: owned by the motifs stage; appends its outputs to ALL_TARGETS.
