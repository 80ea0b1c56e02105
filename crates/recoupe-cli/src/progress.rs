//! indicatif progress bars, one per stage.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use recoupe_pipeline::{Progress, Stage};

/// A spinner shown while the model loads.
pub fn loading(message: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner().with_message(message.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// One bar per stage under a [`MultiProgress`] on stderr.
pub struct Bars {
    multi: MultiProgress,
    bars: Mutex<HashMap<Stage, ProgressBar>>,
}

impl Bars {
    pub fn new() -> Self {
        Self {
            multi: MultiProgress::new(),
            bars: Mutex::new(HashMap::new()),
        }
    }

    fn with<F: FnOnce(&ProgressBar)>(&self, stage: Stage, f: F) {
        if let Ok(bars) = self.bars.lock() {
            if let Some(bar) = bars.get(&stage) {
                f(bar);
            }
        }
    }
}

impl Progress for Bars {
    fn start(&self, stage: Stage, total: Option<u64>) {
        let bar = match total {
            Some(n) => {
                let style = ProgressStyle::with_template(
                    "{prefix:>10} [{bar:30}] {pos}/{len} {per_sec} eta {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
                ProgressBar::new(n).with_style(style)
            }
            None => {
                let style = ProgressStyle::with_template("{prefix:>10} {spinner} {pos} {per_sec}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner());
                ProgressBar::new_spinner().with_style(style)
            }
        };
        let bar = self.multi.add(bar.with_prefix(stage.name()));
        bar.enable_steady_tick(Duration::from_millis(200));
        if let Ok(mut bars) = self.bars.lock() {
            bars.insert(stage, bar);
        }
    }

    fn advance(&self, stage: Stage, n: u64) {
        self.with(stage, |b| b.inc(n));
    }

    fn finish(&self, stage: Stage) {
        self.with(stage, ProgressBar::finish);
    }

    fn note(&self, message: &str) {
        if self.multi.println(format!("recoupe: {message}")).is_err() {
            eprintln!("recoupe: {message}");
        }
    }
}

/// No bars (stderr is not a terminal): notes alone, one line each on stderr.
#[derive(Debug, Clone, Copy, Default)]
pub struct NotesOnly;

impl Progress for NotesOnly {
    fn start(&self, _: Stage, _: Option<u64>) {}
    fn advance(&self, _: Stage, _: u64) {}
    fn finish(&self, _: Stage) {}
    fn note(&self, message: &str) {
        eprintln!("recoupe: {message}");
    }
}
