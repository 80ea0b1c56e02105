//! `recoupe`: find which news articles cover the same story.
//!
//! ```text
//! recoupe run INPUT... --out DIR [--model multilingual-e5-small|all-minilm-l6-v2]
//!             [--method full|minhash|cosine] [--threads N] [--config FILE]
//!             [--cache-dir DIR] [--quiet] [--strict]
//! recoupe eval --gold FIELD (INPUT... [--out DIR] [run options] | --from-output DIR)
//!             [--json] [--worst N]
//! recoupe config --default
//! ```
//!
//! Exit codes: 0 success; 1 a run failed; 2 bad usage, a missing input, an invalid
//! config or a model that cannot be loaded (nothing is written), and for `eval` a gold
//! field that no article carries or an output folder that cannot be read; 3 `--strict`
//! and some records were rejected (outputs are written).

mod progress;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use recoupe_pipeline::eval::{self, EvalOptions};
use recoupe_pipeline::input::InputFormat;
use recoupe_pipeline::{
    Error, InputSpec, NoProgress, Pipeline, PipelineConfig, RunOptions, RunSummary, StoryMethod,
};

/// Find which news articles cover the same story: wire copies, rewrites and independent
/// reports of one event, kept apart from articles only on the same topic.
#[derive(Debug, Parser)]
#[command(name = "recoupe", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the pipeline on a batch of articles and write the outputs to --out.
    Run(Box<RunArgs>),
    /// Score a run's clusters against a gold field of the input records: ARI, B-cubed
    /// and pairwise precision/recall/F1, worst merges and splits. Runs the pipeline on
    /// INPUT (outputs in --out, else a temporary folder) or reads --from-output DIR.
    /// Articles without the gold field and rejected records are left out and counted.
    Eval(Box<EvalArgs>),
    /// Print settings as TOML.
    Config {
        /// Print the documented defaults (the only mode for now).
        #[arg(long)]
        default: bool,
    },
}

#[derive(Debug, Args)]
struct RunArgs {
    /// JSONL files, CSV files (.csv), folders of .txt/.md files, or `-` for JSONL on stdin.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<String>,
    /// Output folder (created; files are replaced atomically).
    #[arg(long, short, value_name = "DIR")]
    out: PathBuf,
    /// Exit with code 3 when any record is rejected.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    pipeline: PipelineArgs,
}

#[derive(Debug, Args)]
struct EvalArgs {
    /// Input field holding the gold story (metadata field, or any other input field,
    /// found under `extra` in articles.jsonl).
    #[arg(long, value_name = "FIELD")]
    gold: String,
    /// Inputs to run the pipeline on (as for `run`).
    #[arg(
        value_name = "INPUT",
        required_unless_present = "from_output",
        conflicts_with = "from_output"
    )]
    inputs: Vec<String>,
    /// Output folder of the run (default: a temporary folder, removed afterwards);
    /// eval.json is written there too.
    #[arg(long, short, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Evaluate the outputs of a finished run instead of running the pipeline.
    #[arg(long, value_name = "DIR")]
    from_output: Option<PathBuf>,
    /// Print the report as JSON on stdout instead of text.
    #[arg(long)]
    json: bool,
    /// Worst merges and worst splits listed (each).
    #[arg(long, default_value_t = 10, value_name = "N")]
    worst: usize,
    #[command(flatten)]
    pipeline: PipelineArgs,
}

/// Options of a pipeline run, shared by `run` and `eval`.
#[derive(Debug, Args)]
struct PipelineArgs {
    /// Embedding model: multilingual-e5-small (default) or all-minilm-l6-v2.
    #[arg(long, value_name = "NAME")]
    model: Option<String>,
    /// Story method: full (default), or the baselines minhash / cosine
    /// (`[stories] method` in the config).
    #[arg(long, value_parser = ["full", "minhash", "cosine"])]
    method: Option<String>,
    /// Folder holding the model folders (default: ./models, or the models/ folder of
    /// the recoupe checkout the binary was built in; env RECOUPE_MODELS_DIR).
    #[arg(long, value_name = "DIR")]
    models_dir: Option<PathBuf>,
    /// Threads for the CPU stages and model replicas (default: all cores).
    #[arg(long, short = 'j', default_value_t = 0)]
    threads: usize,
    /// TOML settings (see `recoupe config --default`).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Embedding cache folder (default: DIR/.cache under --out).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// No progress bars and no summary line.
    #[arg(long, short)]
    quiet: bool,
    /// Input format for every input (default: by path: folder, .csv, .txt/.md, else JSONL).
    #[arg(long, value_parser = ["jsonl", "csv", "dir", "text"])]
    format: Option<String>,
    /// CSV column holding the id.
    #[arg(long, value_name = "NAME")]
    id_column: Option<String>,
    /// CSV column holding the text.
    #[arg(long, value_name = "NAME")]
    text_column: Option<String>,
    /// CSV column holding the title.
    #[arg(long, value_name = "NAME")]
    title_column: Option<String>,
    /// CSV column holding the source.
    #[arg(long, value_name = "NAME")]
    source_column: Option<String>,
    /// CSV column holding the url.
    #[arg(long, value_name = "NAME")]
    url_column: Option<String>,
    /// CSV column holding the date.
    #[arg(long, value_name = "NAME")]
    date_column: Option<String>,
    /// CSV column holding the language.
    #[arg(long, value_name = "NAME")]
    lang_column: Option<String>,
    /// Extensions read from folder inputs, comma separated (default: txt,md).
    #[arg(long, value_name = "EXTS", value_delimiter = ',')]
    text_ext: Option<Vec<String>>,
}

/// A failure with its exit code.
struct Failure {
    code: u8,
    message: String,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match e {
            Error::Input { .. }
            | Error::CsvColumn { .. }
            | Error::CsvHeader { .. }
            | Error::Config { .. }
            | Error::Model { .. }
            | Error::GoldField { .. }
            | Error::OutputRead { .. } => 2,
            _ => 1,
        };
        Self {
            code,
            message: e.to_string(),
        }
    }
}

fn usage(message: String) -> Failure {
    Failure { code: 2, message }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Config { default: _ } => {
            print!("{}", PipelineConfig::default_toml());
            Ok(ExitCode::SUCCESS)
        }
        Command::Run(args) => run(*args),
        Command::Eval(args) => eval_command(*args),
    };
    match result {
        Ok(code) => code,
        Err(f) => {
            eprintln!("recoupe: error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// Where the model folder `name` is: --models-dir, $RECOUPE_MODELS_DIR, ./models, then
/// a `models/` folder above the executable (a checkout's target/release/recoupe).
fn find_model(name: &str, models_dir: Option<&Path>) -> Result<PathBuf, Failure> {
    let mut tried = Vec::new();
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(dir) = models_dir {
        candidates.push(dir.to_path_buf());
    } else {
        if let Some(dir) = std::env::var_os("RECOUPE_MODELS_DIR") {
            candidates.push(PathBuf::from(dir));
        }
        candidates.push(PathBuf::from("models"));
        if let Ok(exe) = std::env::current_exe() {
            for ancestor in exe.ancestors().skip(1).take(5) {
                candidates.push(ancestor.join("models"));
            }
        }
    }
    for dir in candidates {
        let path = dir.join(name);
        if path.join("config.json").is_file() {
            return Ok(path);
        }
        tried.push(path.display().to_string());
    }
    Err(usage(format!(
        "model `{name}` not found (looked in {}); run scripts/setup.sh to install the models, or pass --models-dir",
        tried.join(", ")
    )))
}

/// The pipeline config of `args`: --config, then the flags over it.
fn pipeline_config(args: &PipelineArgs) -> Result<PipelineConfig, Failure> {
    let mut config = match &args.config {
        Some(path) => PipelineConfig::from_file(path)?,
        None => PipelineConfig::default(),
    };
    if let Some(model) = &args.model {
        config.embed.model = model.clone();
    }
    if let Some(method) = &args.method {
        config.stories.method = method.parse::<StoryMethod>().map_err(usage)?;
    }
    if let Some(format) = &args.format {
        config.input.format = Some(match format.as_str() {
            "csv" => InputFormat::Csv,
            "dir" => InputFormat::Dir,
            "text" => InputFormat::Text,
            _ => InputFormat::Jsonl,
        });
    }
    let csv = &mut config.input.csv;
    for (flag, slot) in [
        (&args.id_column, &mut csv.id),
        (&args.text_column, &mut csv.text),
        (&args.title_column, &mut csv.title),
        (&args.source_column, &mut csv.source),
        (&args.url_column, &mut csv.url),
        (&args.date_column, &mut csv.date),
        (&args.lang_column, &mut csv.lang),
    ] {
        if let Some(name) = flag {
            slot.clone_from(name);
        }
    }
    if let Some(exts) = &args.text_ext {
        config.input.text_extensions.clone_from(exts);
    }
    Ok(config)
}

/// Loads the model and runs the pipeline on `inputs` into `out`.
fn run_pipeline(
    args: &PipelineArgs,
    config: PipelineConfig,
    inputs: &[String],
    out: &Path,
) -> Result<RunSummary, Failure> {
    let inputs: Vec<InputSpec> = inputs.iter().map(|s| InputSpec::parse(s)).collect();
    if inputs.iter().filter(|i| **i == InputSpec::Stdin).count() > 1 {
        return Err(usage("`-` (stdin) can be given only once".into()));
    }
    // Everything that can fail before the run starts fails here, before any output.
    recoupe_pipeline::input::check_inputs(&inputs)?;
    let model_name = config.embed.model.clone();
    let model_dir = find_model(&model_name, args.models_dir.as_deref())?;
    let workers = if config.embed.workers > 0 {
        config.embed.workers
    } else {
        args.threads
    };
    let show = !args.quiet && std::io::stderr().is_terminal();
    let spinner = show.then(|| progress::loading(&format!("loading {model_name}")));
    let embedder = recoupe_pipeline::load_model(&model_name, &model_dir, workers)?;
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    // The wordfreq lists sit next to the model folders (scripts/setup-models.sh).
    let mut pipeline = Pipeline::new(config, embedder, &model_name);
    if let Some(models) = model_dir.parent() {
        pipeline = pipeline.with_wordfreq_dir(models.join("wordfreq"));
    }
    let options = RunOptions {
        inputs,
        out_dir: out.to_path_buf(),
        cache_dir: args.cache_dir.clone(),
        threads: args.threads,
    };
    let summary = if show {
        let bars = progress::Bars::new();
        pipeline.run(&options, &bars)?
    } else if args.quiet {
        pipeline.run(&options, &NoProgress)?
    } else {
        pipeline.run(&options, &progress::NotesOnly)?
    };
    if !args.quiet {
        eprintln!("recoupe: {}", summary.line());
    }
    Ok(summary)
}

fn run(args: RunArgs) -> Result<ExitCode, Failure> {
    let config = pipeline_config(&args.pipeline)?;
    let summary = run_pipeline(&args.pipeline, config, &args.inputs, &args.out)?;
    println!("{}", args.out.display());
    if args.strict && summary.rejected > 0 {
        eprintln!(
            "recoupe: --strict: {} records rejected (see {})",
            summary.rejected,
            args.out.join("rejects.jsonl").display()
        );
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}

fn eval_command(args: EvalArgs) -> Result<ExitCode, Failure> {
    let options = EvalOptions {
        gold_field: args.gold.clone(),
        worst: args.worst,
    };
    let report = if let Some(dir) = &args.from_output {
        if args.out.is_some() {
            return Err(usage(
                "--out is for a new run; --from-output reads an existing one".into(),
            ));
        }
        eval::evaluate_output(dir, &options)?
    } else {
        let config = pipeline_config(&args.pipeline)?;
        let method = config.stories.method;
        // Without --out the run goes to a temporary folder, removed when done.
        let (out, _temp) = match &args.out {
            Some(dir) => (dir.clone(), None),
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("recoupe-eval-")
                    .tempdir()
                    .map_err(|e| Failure {
                        code: 1,
                        message: format!(
                            "cannot create a temporary output folder: {e}; pass --out DIR"
                        ),
                    })?;
                (temp.path().to_path_buf(), Some(temp))
            }
        };
        run_pipeline(&args.pipeline, config, &args.inputs, &out)?;
        let mut report = eval::evaluate_output(&out, &options)?;
        report.method = Some(method.name().to_owned());
        if args.out.is_some() {
            report.write_json(&out.join("eval.json"))?;
        }
        report
    };
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    Ok(ExitCode::SUCCESS)
}
