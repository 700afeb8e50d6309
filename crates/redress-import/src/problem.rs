//! What is wrong with an input, said so a person can find and fix it.

use std::fmt;

/// One thing wrong with billing data: where it is, what is wrong, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file, e.g. `invoice_lines.csv`.
    pub file: &'static str,
    /// The physical line the row starts on (the header is line 1); `None` for the whole file.
    pub line: Option<u64>,
    /// The column, when one is at fault.
    pub column: Option<&'static str>,
    /// What is wrong, e.g. "`2025-02-30` is not a day of the calendar".
    pub message: String,
    /// What was expected instead, e.g. "a date YYYY-MM-DD".
    pub expected: Option<String>,
}

impl Problem {
    /// A problem with a whole file.
    pub fn in_file(file: &'static str, message: impl Into<String>) -> Self {
        Self {
            file,
            line: None,
            column: None,
            message: message.into(),
            expected: None,
        }
    }

    /// A problem on one line, in one column.
    pub fn at(
        file: &'static str,
        line: u64,
        column: Option<&'static str>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file,
            line: Some(line),
            column,
            message: message.into(),
            expected: None,
        }
    }

    /// Adds what was expected.
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(column) = self.column {
            write!(f, ", column {column}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(expected) = &self.expected {
            write!(f, " (expected {expected})")?;
        }
        Ok(())
    }
}

/// How many problems of one file are kept to show; a file broken on every one of its millions of
/// lines says so without holding millions of messages.
pub const SHOWN_PER_FILE: usize = 1000;

/// The problems found so far, at most [`SHOWN_PER_FILE`] kept per file and the rest counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems {
    kept: Vec<Problem>,
    /// `(file, how many problems were found there but not kept)`.
    omitted: Vec<(&'static str, u64)>,
}

impl Problems {
    /// Records a problem.
    pub fn push(&mut self, problem: Problem) {
        let file = problem.file;
        let kept_here = self
            .kept
            .iter()
            .rev()
            .take_while(|p| p.file == file)
            .count();
        if kept_here < SHOWN_PER_FILE {
            self.kept.push(problem);
        } else {
            match self.omitted.iter_mut().find(|(f, _)| *f == file) {
                Some((_, n)) => *n += 1,
                None => self.omitted.push((file, 1)),
            }
        }
    }

    /// Records several problems, in order.
    pub fn extend(&mut self, problems: impl IntoIterator<Item = Problem>) {
        for problem in problems {
            self.push(problem);
        }
    }

    /// Adds another file's problems at their place in `file_order`, before the problems of
    /// files that come after it.
    pub fn merge_in_order(&mut self, file_order: &[&str], other: Problems) {
        let rank = |file: &str| {
            file_order
                .iter()
                .position(|f| *f == file)
                .unwrap_or(usize::MAX)
        };
        self.kept.extend(other.kept);
        // Stable: each file's problems stay in line order.
        self.kept.sort_by_key(|p| rank(p.file));
        self.omitted.extend(other.omitted);
        self.omitted.sort_by_key(|(file, _)| rank(file));
    }

    /// Whether nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The problems kept, in the order found.
    pub fn kept(&self) -> &[Problem] {
        &self.kept
    }

    /// Per file, how many further problems were found and not kept.
    pub fn omitted(&self) -> &[(&'static str, u64)] {
        &self.omitted
    }

    /// How many problems were found in all.
    pub fn total(&self) -> u64 {
        self.kept.len() as u64 + self.omitted.iter().map(|(_, n)| n).sum::<u64>()
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for problem in &self.kept {
            writeln!(f, "{problem}")?;
        }
        for (file, n) in &self.omitted {
            writeln!(
                f,
                "{file}: {n} more problems not shown (the first {SHOWN_PER_FILE} are above)"
            )?;
        }
        Ok(())
    }
}
