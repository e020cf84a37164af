//! Identity matching: normalisation, signals, blocking, assignment, review cards (pure).
