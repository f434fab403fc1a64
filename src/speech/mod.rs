//! Provider-neutral speech (being written).
