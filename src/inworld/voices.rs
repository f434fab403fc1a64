//! Voices API (being written).
