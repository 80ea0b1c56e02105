//! Finding and clustering coverage of the same story: the hot path of recoupe.
//!
//! This crate depends on no model and no libtorch: bring your own shingle hashes and
//! L2-normalised vectors.

pub mod error;

pub mod lsh;
pub mod metrics;
pub mod minhash;

pub mod ann;
pub mod cluster;
pub mod config;
pub mod cosine;
pub mod evidence;
pub mod score;

pub use error::{Error, Result};
