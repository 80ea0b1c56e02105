//! Stand-in for the backend when the `rust-bert` feature is off: loading fails with
//! [`Error::BackendDisabled`], so callers learn how to rebuild instead of failing to link.

use crate::error::{Error, Result};
use crate::model::ModelInfo;
use crate::{Attention, Precision};

/// Never constructed: [`Replica::load`] always fails.
pub(crate) enum Replica {}

impl Replica {
    pub(crate) fn load(
        _info: &ModelInfo,
        _attention: Attention,
        _precision: Precision,
    ) -> Result<Self> {
        Err(Error::BackendDisabled)
    }

    pub(crate) fn set_threads(_n: usize) {}

    pub(crate) fn forward(&self, _batch: &[&[i64]]) -> Result<Vec<Vec<f32>>> {
        match *self {}
    }
}
