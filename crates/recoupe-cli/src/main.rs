//! `recoupe`: find which news articles cover the same story.
//!
//! ```text
//! recoupe run INPUT... --out DIR [--model multilingual-e5-small|all-minilm-l6-v2]
//!             [--threads N] [--config FILE] [--cache-dir DIR] [--quiet] [--strict]
//! recoupe config --default
//! ```
//!
//! Exit codes: 0 success; 1 a run failed; 2 bad usage, a missing input, an invalid
//! config or a model that cannot be loaded (nothing is written); 3 `--strict` and some
//! records were rejected (outputs are written).

mod progress;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use recoupe_pipeline::input::InputFormat;
use recoupe_pipeline::{Error, InputSpec, NoProgress, Pipeline, PipelineConfig, RunOptions};

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
    /// Embedding model: multilingual-e5-small (default) or all-minilm-l6-v2.
    #[arg(long, value_name = "NAME")]
    model: Option<String>,
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
    /// Exit with code 3 when any record is rejected.
    #[arg(long)]
    strict: bool,
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
            | Error::Model { .. } => 2,
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

fn run(args: RunArgs) -> Result<ExitCode, Failure> {
    let mut config = match &args.config {
        Some(path) => PipelineConfig::from_file(path)?,
        None => PipelineConfig::default(),
    };
    if let Some(model) = &args.model {
        config.embed.model = model.clone();
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
    let inputs: Vec<InputSpec> = args.inputs.iter().map(|s| InputSpec::parse(s)).collect();
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
    let pipeline = Pipeline::new(config, embedder, &model_name);
    let options = RunOptions {
        inputs,
        out_dir: args.out.clone(),
        cache_dir: args.cache_dir.clone(),
        threads: args.threads,
    };
    let summary = if show {
        let bars = progress::Bars::new();
        pipeline.run(&options, &bars)?
    } else {
        pipeline.run(&options, &NoProgress)?
    };
    if !args.quiet {
        eprintln!("recoupe: {}", summary.line());
    }
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
