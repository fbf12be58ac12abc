//! The switch (`ruml switch`, also as `uml_switch`).
