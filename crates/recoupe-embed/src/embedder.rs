//! [`SentenceEmbedder`]: windows, length buckets, replicas, pooling, normalisation.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use ndarray::Array2;

use crate::error::{Error, Result};
use crate::model::ModelInfo;
use crate::tokenize::TextTokenizer;

#[cfg(feature = "rust-bert")]
use crate::backend::Replica;
#[cfg(not(feature = "rust-bert"))]
use crate::disabled::Replica;

/// How the vectors of a long text's windows become the text's vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChunkPooling {
    /// Only the first `max_seq_length` tokens (exactly what sentence-transformers'
    /// `encode` does: plain truncation).
    First,
    /// Mean of the (normalised) vectors of sentence-aligned windows, re-normalised. The
    /// default: a news article's later paragraphs carry the facts (names, places,
    /// figures) that tell one story from another on the same topic, and a rewrite that
    /// changes the lede keeps most of them.
    #[default]
    Mean,
}

/// Which forward pass runs the transformer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attention {
    /// rust-bert's BERT layers as they are (eager softmax attention).
    Eager,
    /// The same weights through one QKV matmul and libtorch's fused
    /// `scaled_dot_product_attention` (faster; same result to ~1e-6).
    #[default]
    Fused,
}

/// Number format of the fused forward pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// [`Precision::Bf16`] when the CPU has AVX-512 BF16 and the attention is fused,
    /// else [`Precision::F32`] (bf16 emulated without it is slower than f32).
    #[default]
    Auto,
    /// f32 everywhere (matches sentence-transformers to ~1e-7 cosine).
    F32,
    /// Matmuls and attention in bfloat16 (fast on CPUs with AVX-512 BF16), residuals and
    /// LayerNorms in f32; only with [`Attention::Fused`]. Cosine to f32 ≈ 0.999+.
    Bf16,
}

/// Builds a [`SentenceEmbedder`]; every setting has a default.
#[derive(Debug, Clone)]
pub struct SentenceEmbedderBuilder {
    model_dir: PathBuf,
    workers: Option<usize>,
    threads_per_worker: Option<usize>,
    batch_size: usize,
    chunk_pooling: ChunkPooling,
    max_windows: usize,
    max_seq_length: Option<usize>,
    prefix: Option<String>,
    attention: Attention,
    precision: Precision,
}

impl SentenceEmbedderBuilder {
    /// A builder for the model in `model_dir` (a sentence-transformers directory with
    /// `model.safetensors`, e.g. `models/all-minilm-l6-v2`).
    pub fn new(model_dir: impl AsRef<Path>) -> Self {
        Self {
            model_dir: model_dir.as_ref().to_path_buf(),
            workers: None,
            threads_per_worker: None,
            batch_size: 8,
            chunk_pooling: ChunkPooling::default(),
            max_windows: 8,
            max_seq_length: None,
            prefix: None,
            attention: Attention::default(),
            precision: Precision::default(),
        }
    }

    /// Number of model replicas run in parallel (default: one per core, at most 2).
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = Some(n);
        self
    }

    /// libtorch intra-op threads per worker (default: cores / workers, at least 1).
    pub fn threads_per_worker(mut self, n: usize) -> Self {
        self.threads_per_worker = Some(n);
        self
    }

    /// Windows per forward pass (default 8; windows are sorted by length first, so
    /// small batches waste little on padding).
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = n;
        self
    }

    /// How window vectors combine (default [`ChunkPooling::Mean`]).
    pub fn chunk_pooling(mut self, p: ChunkPooling) -> Self {
        self.chunk_pooling = p;
        self
    }

    /// With [`ChunkPooling::Mean`], at most this many windows per text (default 8); the
    /// rest of a very long text is ignored so one document cannot stall a batch.
    pub fn max_windows(mut self, n: usize) -> Self {
        self.max_windows = n;
        self
    }

    /// Window length in tokens, special and prefix tokens included (default: the
    /// model's `max_seq_length`; cannot exceed the model's position table).
    pub fn max_seq_length(mut self, n: usize) -> Self {
        self.max_seq_length = Some(n);
        self
    }

    /// Text prepended to every input, overriding the model's (e5: `passage: `).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Forward pass implementation (default [`Attention::Fused`]).
    pub fn attention(mut self, a: Attention) -> Self {
        self.attention = a;
        self
    }

    /// Number format (default [`Precision::Auto`]; [`Precision::Bf16`] needs
    /// [`Attention::Fused`]).
    pub fn precision(mut self, p: Precision) -> Self {
        self.precision = p;
        self
    }

    /// Loads the model (one replica per worker).
    ///
    /// # Errors
    /// [`Error::MissingModelFile`] / [`Error::CorruptModelFile`] naming the file,
    /// [`Error::InvalidSetting`], or [`Error::BackendDisabled`] without the `rust-bert`
    /// feature.
    pub fn build(self) -> Result<SentenceEmbedder> {
        let invalid = |what: String| Error::InvalidSetting {
            model_dir: self.model_dir.clone(),
            what,
        };
        let mut info = ModelInfo::from_dir(&self.model_dir)?;
        if let Some(p) = &self.prefix {
            info.prefix = p.clone();
        }
        let model_max = info.max_seq_length;
        let max_seq_length = self.max_seq_length.unwrap_or(model_max);
        if max_seq_length > model_max.max(512) || max_seq_length < 3 {
            return Err(invalid(format!(
                "max_seq_length {max_seq_length} is outside 3..={}",
                model_max.max(512)
            )));
        }
        info.max_seq_length = max_seq_length;
        if self.batch_size == 0 {
            return Err(invalid("batch_size must be at least 1".into()));
        }
        let precision = match self.precision {
            Precision::Auto if self.attention == Attention::Fused && cpu_has_bf16() => {
                Precision::Bf16
            }
            Precision::Auto => Precision::F32,
            p => p,
        };
        if precision == Precision::Bf16 && self.attention == Attention::Eager {
            return Err(invalid(
                "bf16 precision needs the fused attention: drop one of the two settings".into(),
            ));
        }
        if self.max_windows == 0 {
            return Err(invalid("max_windows must be at least 1".into()));
        }
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let workers = self.workers.unwrap_or(cores.min(2)).max(1);
        let threads = self
            .threads_per_worker
            .unwrap_or((cores / workers).max(1))
            .max(1);
        let tokenizer = TextTokenizer::new(&info, max_seq_length)?;
        let replicas = (0..workers)
            .map(|_| Replica::load(&info, self.attention, precision).map(Mutex::new))
            .collect::<Result<Vec<_>>>()?;
        let model_id = model_id(&info, self.chunk_pooling, self.max_windows, precision)?;
        Ok(SentenceEmbedder {
            info,
            tokenizer,
            replicas,
            threads,
            batch_size: self.batch_size,
            chunk_pooling: self.chunk_pooling,
            max_windows: self.max_windows,
            precision,
            model_id,
        })
    }
}

/// Sentence embeddings of texts with one model; see the crate docs.
pub struct SentenceEmbedder {
    info: ModelInfo,
    tokenizer: TextTokenizer,
    replicas: Vec<Mutex<Replica>>,
    threads: usize,
    batch_size: usize,
    chunk_pooling: ChunkPooling,
    max_windows: usize,
    precision: Precision,
    model_id: String,
}

impl std::fmt::Debug for SentenceEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentenceEmbedder")
            .field("model_id", &self.model_id)
            .field("workers", &self.replicas.len())
            .field("threads_per_worker", &self.threads)
            .field("batch_size", &self.batch_size)
            .field("chunk_pooling", &self.chunk_pooling)
            .finish_non_exhaustive()
    }
}

/// Pooled vectors of some jobs, keyed by job index.
type JobVectors = Vec<(usize, Vec<f32>)>;

/// One window to run: which text and window it belongs to, and its ids.
struct Job {
    text: usize,
    ids: Vec<i64>,
}

impl SentenceEmbedder {
    /// Shorthand for [`SentenceEmbedderBuilder::new`].
    pub fn builder(model_dir: impl AsRef<Path>) -> SentenceEmbedderBuilder {
        SentenceEmbedderBuilder::new(model_dir)
    }

    /// Vector dimension.
    pub fn dim(&self) -> usize {
        self.info.dim
    }

    /// A stable identifier of the model and every setting that changes its vectors
    /// (`<name>:<16 hex digits>`); use it as a cache key.
    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// What the model directory says about the model (as adjusted by the builder).
    pub fn model_info(&self) -> &ModelInfo {
        &self.info
    }

    /// The number format in use (never [`Precision::Auto`]).
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// Number of model replicas.
    pub fn workers(&self) -> usize {
        self.replicas.len()
    }

    /// Embeds one text; an L2-normalised vector of [`Self::dim`] values.
    ///
    /// # Errors
    /// [`Error::EmptyText`] (index 0) for a text without tokens.
    pub fn embed_one(&self, text: &str) -> Result<Vec<f32>> {
        let m = self.embed(&[text])?;
        Ok(m.into_raw_vec_and_offset().0)
    }

    /// Embeds `texts`; row `i` is the L2-normalised vector of `texts[i]`. The result does
    /// not depend on the number of workers.
    ///
    /// # Errors
    /// [`Error::EmptyText`] with the index of the first text without tokens (filter
    /// those out first), or a backend error.
    pub fn embed<S: AsRef<str>>(&self, texts: &[S]) -> Result<Array2<f32>> {
        let dim = self.info.dim;
        let mut jobs = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            for ids in
                self.tokenizer
                    .windows(i, t.as_ref(), self.chunk_pooling, self.max_windows)?
            {
                jobs.push(Job { text: i, ids });
            }
        }
        // Length buckets: sorted by length (ties by position, so batches are the same
        // whatever the worker count), cut into batches of similar lengths.
        let mut order: Vec<usize> = (0..jobs.len()).collect();
        order.sort_by_key(|&j| (jobs[j].ids.len(), j));
        let batches: Vec<&[usize]> = order.chunks(self.batch_size).collect();
        let window_vecs = self.run_batches(&jobs, &batches)?;

        let mut out = Array2::<f32>::zeros((texts.len(), dim));
        for (job, v) in jobs.iter().zip(&window_vecs) {
            let mut row = out.row_mut(job.text);
            let scale = if self.info.normalize {
                inv_norm(v)
            } else {
                1.0
            };
            for (o, x) in row.iter_mut().zip(v) {
                *o += x * scale;
            }
        }
        for mut row in out.rows_mut() {
            let n = inv_norm(row.as_slice().unwrap_or(&[]));
            row.mapv_inplace(|x| x * n);
        }
        Ok(out)
    }

    /// Runs every batch on the replicas; returns one pooled vector per job.
    fn run_batches(&self, jobs: &[Job], batches: &[&[usize]]) -> Result<Vec<Vec<f32>>> {
        let run = |replica: &Replica, b: &[usize]| -> Result<JobVectors> {
            let seqs: Vec<&[i64]> = b.iter().map(|&j| jobs[j].ids.as_slice()).collect();
            let vecs = replica.forward(&seqs)?;
            Ok(b.iter().copied().zip(vecs).collect())
        };
        let workers = self.replicas.len().min(batches.len());
        let mut results: Vec<Vec<f32>> = vec![Vec::new(); jobs.len()];
        if workers <= 1 {
            let Some(slot) = self.replicas.first() else {
                return Ok(results);
            };
            let replica = slot
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Replica::set_threads(self.threads);
            for b in batches {
                for (j, v) in run(&replica, b)? {
                    results[j] = v;
                }
            }
            return Ok(results);
        }
        let next = AtomicUsize::new(0);
        let outcome: Vec<std::thread::Result<Result<JobVectors>>> = std::thread::scope(|s| {
            let handles: Vec<_> = self.replicas[..workers]
                .iter()
                .map(|slot| {
                    let next = &next;
                    let run = &run;
                    s.spawn(move || -> Result<JobVectors> {
                        let replica = slot
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        Replica::set_threads(self.threads);
                        let mut mine = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(b) = batches.get(i) else { break };
                            mine.extend(run(&replica, b)?);
                        }
                        Ok(mine)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join()).collect()
        });
        for o in outcome {
            let pairs = o.map_err(|_| Error::WorkerPanicked {
                model_dir: self.info.dir.clone(),
            })??;
            for (j, v) in pairs {
                results[j] = v;
            }
        }
        Ok(results)
    }
}

/// Whether the CPU does bfloat16 dot products natively (AVX-512 BF16), from
/// `/proc/cpuinfo` (Linux; elsewhere: no).
fn cpu_has_bf16() -> bool {
    std::fs::read_to_string("/proc/cpuinfo")
        .map(|s| {
            s.lines()
                .find(|l| l.starts_with("flags"))
                .is_some_and(|l| l.split_whitespace().any(|f| f == "avx512_bf16"))
        })
        .unwrap_or(false)
}

fn inv_norm(v: &[f32]) -> f32 {
    let n = v
        .iter()
        .map(|x| f64::from(*x) * f64::from(*x))
        .sum::<f64>()
        .sqrt();
    if n > 0.0 {
        (1.0 / n) as f32
    } else {
        0.0
    }
}

/// FNV-1a, 64 bits: a dependency-free stable hash for the cache key.
fn fnv1a(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

/// `<name>:<hash>` over the config, the tokenizer, the weights' safetensors header and
/// size (cheap, unlike hashing the weights) and the settings that change vectors.
fn model_id(
    info: &ModelInfo,
    pooling: ChunkPooling,
    max_windows: usize,
    precision: Precision,
) -> Result<String> {
    use std::io::Read;
    let read = |p: &Path| -> Result<Vec<u8>> {
        std::fs::read(p).map_err(|e| Error::CorruptModelFile {
            path: p.to_path_buf(),
            what: "cannot be read".into(),
            source: Some(Box::new(e)),
        })
    };
    let mut h = 0xcbf2_9ce4_8422_2325_u64;
    h = fnv1a(h, &read(&info.config_path)?);
    h = fnv1a(h, &read(&info.tokenizer_path)?);
    let corrupt = |e: std::io::Error| Error::CorruptModelFile {
        path: info.weights_path.clone(),
        what: "cannot read the safetensors header".into(),
        source: Some(Box::new(e)),
    };
    let mut f = std::fs::File::open(&info.weights_path).map_err(corrupt)?;
    let size = f.metadata().map_err(corrupt)?.len();
    let mut len = [0u8; 8];
    f.read_exact(&mut len).map_err(corrupt)?;
    let header_len = u64::from_le_bytes(len).min(size).min(1 << 24);
    let mut header = Vec::new();
    f.take(header_len)
        .read_to_end(&mut header)
        .map_err(corrupt)?;
    h = fnv1a(h, &header);
    h = fnv1a(h, &size.to_le_bytes());
    let settings = format!(
        "{}|{:?}|{}|{:?}|{}|{:?}|{:?}",
        info.max_seq_length,
        pooling,
        max_windows,
        info.prefix,
        info.normalize,
        info.pooling,
        precision
    );
    h = fnv1a(h, settings.as_bytes());
    Ok(format!("{}:{h:016x}", info.name))
}
