//! A progress bar on stderr while large billing data is read, only when a person watches.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use redress_import::Progress;
use std::io::IsTerminal;
use std::path::Path;

/// Below this much data, reading is too quick for a bar to help.
const WORTH_A_BAR: u64 = 32 << 20;

/// Shows a bar of bytes read over the whole directory.
pub struct ReadingBar {
    bar: Option<ProgressBar>,
}

impl ReadingBar {
    /// A bar for reading `dir`, or none when stderr is not a terminal or the data is small.
    pub fn for_dir(dir: &Path) -> Self {
        let total: u64 = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "csv"))
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0);
        if !std::io::stderr().is_terminal() || total < WORTH_A_BAR {
            return Self { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:>20} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        Self { bar: Some(bar) }
    }

    /// Says what happens now.
    pub fn message(&self, message: &'static str) {
        if let Some(bar) = &self.bar {
            bar.set_message(message);
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for ReadingBar {
    fn start_file(&self, file: &str, _bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.set_message(file.to_owned());
        }
    }

    fn advance(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }
}
