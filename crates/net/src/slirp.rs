//! User-mode networking (`eth<N>=slirp`).
