//! The libtorch backend: one model replica (rust-bert's BERT on a tch `VarStore`) and
//! its forward pass, eager (rust-bert's own layers) or fused (the same weights through
//! libtorch's `scaled_dot_product_attention`).

use std::path::PathBuf;

use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
use rust_bert::resources::{load_weights, LocalResource};
use tch::{nn, Device, Kind, Tensor};

use crate::error::{Error, Result};
use crate::model::{ModelInfo, TokenPooling};
use crate::{Attention, Precision};

/// Weights of one encoder layer, shallow views of the `VarStore` variables.
struct FusedLayer {
    qkv_w: Tensor,
    qkv_b: Tensor,
    out_w: Tensor,
    out_b: Tensor,
    ln1_w: Tensor,
    ln1_b: Tensor,
    inter_w: Tensor,
    inter_b: Tensor,
    ffn_out_w: Tensor,
    ffn_out_b: Tensor,
    ln2_w: Tensor,
    ln2_b: Tensor,
}

/// A BERT forward written directly against the VarStore's tensors: the same math as
/// rust-bert's layers, with the three projections in one matmul and fused attention.
struct FusedBert {
    word: Tensor,
    pos: Tensor,
    token_type: Tensor,
    emb_ln_w: Tensor,
    emb_ln_b: Tensor,
    layers: Vec<FusedLayer>,
    heads: i64,
    hidden: i64,
    eps: f64,
    /// Kind the matmuls and attention run in (f32, or bf16 on CPUs with AVX-512 BF16);
    /// residual sums and LayerNorms stay f32.
    kind: Kind,
}

/// One model replica. Tensors are `Send` but not `Sync`: a replica is used by one
/// thread at a time (the embedder keeps each behind a mutex).
pub(crate) struct Replica {
    _vs: nn::VarStore,
    bert: BertModel<BertEmbeddings>,
    fused: Option<FusedBert>,
    pooling: TokenPooling,
    model_dir: PathBuf,
}

fn inference(
    model_dir: &std::path::Path,
    e: impl std::error::Error + Send + Sync + 'static,
) -> Error {
    Error::Inference {
        model_dir: model_dir.to_path_buf(),
        source: Box::new(e),
    }
}

impl Replica {
    pub(crate) fn load(
        info: &ModelInfo,
        attention: Attention,
        precision: Precision,
    ) -> Result<Self> {
        let text =
            std::fs::read_to_string(&info.config_path).map_err(|e| Error::CorruptModelFile {
                path: info.config_path.clone(),
                what: "cannot be read".into(),
                source: Some(Box::new(e)),
            })?;
        let config: BertConfig =
            serde_json::from_str(&text).map_err(|e| Error::CorruptModelFile {
                path: info.config_path.clone(),
                what: "not a BERT config".into(),
                source: Some(Box::new(e)),
            })?;
        let mut vs = nn::VarStore::new(Device::Cpu);
        let bert = BertModel::<BertEmbeddings>::new_with_optional_pooler(vs.root(), &config, false);
        let weights = LocalResource {
            local_path: info.weights_path.clone(),
        };
        load_weights(&weights, &mut vs, Some(Kind::Float), Device::Cpu).map_err(|e| {
            Error::CorruptModelFile {
                path: info.weights_path.clone(),
                what: "weights do not load into a BERT encoder".into(),
                source: Some(Box::new(e)),
            }
        })?;
        let fused = match attention {
            Attention::Eager => None,
            Attention::Fused => Some(FusedBert::from_var_store(&vs, &config, info, precision)?),
        };
        Ok(Self {
            _vs: vs,
            bert,
            fused,
            pooling: info.pooling,
            model_dir: info.dir.clone(),
        })
    }

    /// Sets libtorch's intra-op thread count for the calling thread's parallel regions.
    pub(crate) fn set_threads(n: usize) {
        tch::set_num_threads(i32::try_from(n).unwrap_or(1));
    }

    /// Pooled (not yet normalised) vectors, one per sequence of `batch`.
    pub(crate) fn forward(&self, batch: &[&[i64]]) -> Result<Vec<Vec<f32>>> {
        let b = batch.len();
        let max_len = batch.iter().map(|s| s.len()).max().unwrap_or(0);
        if b == 0 || max_len == 0 {
            return Ok(Vec::new());
        }
        let mut ids = vec![0i64; b * max_len];
        let mut mask = vec![0i64; b * max_len];
        for (row, seq) in batch.iter().enumerate() {
            ids[row * max_len..row * max_len + seq.len()].copy_from_slice(seq);
            mask[row * max_len..row * max_len + seq.len()].fill(1);
        }
        let shape = [b as i64, max_len as i64];
        let ids = Tensor::from_slice(&ids).view(shape);
        let mask = Tensor::from_slice(&mask).view(shape);
        let hidden = tch::no_grad(|| -> Result<Tensor> {
            match &self.fused {
                Some(f) => f
                    .forward(&ids, &mask)
                    .map_err(|e| inference(&self.model_dir, e)),
                None => self
                    .bert
                    .forward_t(Some(&ids), Some(&mask), None, None, None, None, None, false)
                    .map(|o| o.hidden_state)
                    .map_err(|e| inference(&self.model_dir, e)),
            }
        })?;
        let pooled = tch::no_grad(|| -> std::result::Result<Tensor, tch::TchError> {
            match self.pooling {
                TokenPooling::Cls => hidden.f_select(1, 0),
                TokenPooling::Mean => {
                    let m = mask.f_unsqueeze(-1)?.f_to_kind(Kind::Float)?;
                    let summed = hidden.f_mul(&m)?.f_sum_dim_intlist(1, false, Kind::Float)?;
                    let counts = m
                        .f_sum_dim_intlist(1, false, Kind::Float)?
                        .f_clamp_min(1e-9)?;
                    summed.f_div(&counts)
                }
            }
        })
        .map_err(|e| inference(&self.model_dir, e))?;
        let pooled = pooled
            .f_to_kind(Kind::Float)
            .and_then(|t| t.f_contiguous())
            .map_err(|e| inference(&self.model_dir, e))?;
        let dim = pooled.size().get(1).copied().unwrap_or(0) as usize;
        let flat = Vec::<f32>::try_from(pooled.flatten(0, -1))
            .map_err(|e| inference(&self.model_dir, e))?;
        Ok(flat.chunks(dim.max(1)).map(<[f32]>::to_vec).collect())
    }
}

impl FusedBert {
    fn from_var_store(
        vs: &nn::VarStore,
        config: &BertConfig,
        info: &ModelInfo,
        precision: Precision,
    ) -> Result<Self> {
        let kind = match precision {
            Precision::Bf16 => Kind::BFloat16,
            Precision::F32 | Precision::Auto => Kind::Float,
        };
        let vars = vs.variables();
        let get = |name: &str| -> Result<Tensor> {
            vars.get(name)
                .map(Tensor::shallow_clone)
                .ok_or_else(|| Error::CorruptModelFile {
                    path: info.weights_path.clone(),
                    what: format!("tensor {name} is missing"),
                    source: None,
                })
        };
        let cat = |names: [&str; 3]| -> Result<Tensor> {
            let parts = names.iter().map(|n| get(n)).collect::<Result<Vec<_>>>()?;
            Tensor::f_cat(&parts, 0)
                .and_then(|t| t.f_to_kind(kind))
                .map_err(|e| inference(&info.dir, e))
        };
        let mm = |name: &str| -> Result<Tensor> {
            get(name)?
                .f_to_kind(kind)
                .map_err(|e| inference(&info.dir, e))
        };
        let mut layers = Vec::with_capacity(config.num_hidden_layers as usize);
        for i in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{i}");
            layers.push(FusedLayer {
                qkv_w: cat([
                    &format!("{p}.attention.self.query.weight"),
                    &format!("{p}.attention.self.key.weight"),
                    &format!("{p}.attention.self.value.weight"),
                ])?,
                qkv_b: cat([
                    &format!("{p}.attention.self.query.bias"),
                    &format!("{p}.attention.self.key.bias"),
                    &format!("{p}.attention.self.value.bias"),
                ])?,
                out_w: mm(&format!("{p}.attention.output.dense.weight"))?,
                out_b: mm(&format!("{p}.attention.output.dense.bias"))?,
                ln1_w: get(&format!("{p}.attention.output.LayerNorm.weight"))?,
                ln1_b: get(&format!("{p}.attention.output.LayerNorm.bias"))?,
                inter_w: mm(&format!("{p}.intermediate.dense.weight"))?,
                inter_b: mm(&format!("{p}.intermediate.dense.bias"))?,
                ffn_out_w: mm(&format!("{p}.output.dense.weight"))?,
                ffn_out_b: mm(&format!("{p}.output.dense.bias"))?,
                ln2_w: get(&format!("{p}.output.LayerNorm.weight"))?,
                ln2_b: get(&format!("{p}.output.LayerNorm.bias"))?,
            });
        }
        Ok(Self {
            word: get("embeddings.word_embeddings.weight")?,
            pos: get("embeddings.position_embeddings.weight")?,
            token_type: get("embeddings.token_type_embeddings.weight")?,
            emb_ln_w: get("embeddings.LayerNorm.weight")?,
            emb_ln_b: get("embeddings.LayerNorm.bias")?,
            layers,
            heads: config.num_attention_heads,
            hidden: config.hidden_size,
            eps: info.layer_norm_eps,
            kind,
        })
    }

    fn forward(&self, ids: &Tensor, mask: &Tensor) -> std::result::Result<Tensor, tch::TchError> {
        let (b, l) = ids.size2()?;
        let (h, nh) = (self.hidden, self.heads);
        let hd = h / nh;
        let ln = |x: &Tensor, w: &Tensor, bias: &Tensor| {
            x.f_layer_norm([h], Some(w), Some(bias), self.eps, true)
        };
        let emb = Tensor::f_embedding(&self.word, ids, -1, false, false)?
            .f_add(&self.pos.f_narrow(0, 0, l)?.f_unsqueeze(0)?)?
            .f_add(&self.token_type.f_select(0, 0)?)?;
        let mut x = ln(&emb, &self.emb_ln_w, &self.emb_ln_b)?;
        // Boolean mask, true = may attend. Always given: tch 0.17 passes `None` as an
        // undefined tensor, which libtorch 2.4 rejects.
        let attn_mask = Some(mask.f_to_kind(Kind::Bool)?.f_view([b, 1, 1, l])?);
        let k = self.kind;
        for layer in &self.layers {
            let qkv = x
                .f_to_kind(k)?
                .f_linear(&layer.qkv_w, Some(&layer.qkv_b))?
                .f_view([b, l, 3, nh, hd])?
                .f_permute([2, 0, 3, 1, 4])?;
            let q = qkv.f_select(0, 0)?;
            let kk = qkv.f_select(0, 1)?;
            let v = qkv.f_select(0, 2)?;
            let ctx = Tensor::f_scaled_dot_product_attention(
                &q,
                &kk,
                &v,
                attn_mask.as_ref(),
                0.0,
                false,
                None,
            )?
            .f_transpose(1, 2)?
            .f_reshape([b, l, h])?;
            let attn_out = ctx
                .f_linear(&layer.out_w, Some(&layer.out_b))?
                .f_to_kind(Kind::Float)?
                .f_add(&x)?;
            x = ln(&attn_out, &layer.ln1_w, &layer.ln1_b)?;
            let inter = x
                .f_to_kind(k)?
                .f_linear(&layer.inter_w, Some(&layer.inter_b))?
                .f_gelu("none")?;
            let ffn = inter
                .f_linear(&layer.ffn_out_w, Some(&layer.ffn_out_b))?
                .f_to_kind(Kind::Float)?
                .f_add(&x)?;
            x = ln(&ffn, &layer.ln2_w, &layer.ln2_b)?;
        }
        Ok(x)
    }
}
